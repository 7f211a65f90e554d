//! An example charm: an OpenStack-style API service (keystone behind
//! apache2, fronted by haproxy) made highly available by the `hacluster`
//! subordinate, as charms.openstack's `HAOpenStackCharm` does it.
//!
//! While the `ha` relation is connected (`ha.connected`), every hook
//! computes the Pacemaker resources the config asks for and hands them to
//! the [`Hacluster`] endpoint:
//!
//! - the haproxy init service, cloned on every node
//!   (`res_keystone_haproxy`, `cl_res_keystone_haproxy`);
//! - one virtual IP per address of `vip` (IPv4 or IPv6). As charmhelpers'
//!   `get_vip_settings`, a VIP inside one of the unit's networks (the
//!   `public`, `internal` and `admin` bindings) is added without NIC or
//!   netmask (`IPaddr2` finds them; resource `res_keystone_<sha1>_vip`) and
//!   the resource of the old naming, `res_keystone_<nic>_vip`, is deleted;
//!   any other VIP falls back to `vip_iface` and `vip_cidr` (resource
//!   `res_keystone_<vip_iface>_vip`);
//! - with `dns-ha`, instead of VIPs, one DNS record per `os-*-hostname`
//!   set, pointing at the unit's address on that binding
//!   (`res_keystone_<type>_hostname`);
//! - the group of the VIPs (or records) the interface builds, and a
//!   colocation keeping that group where the haproxy clone runs;
//! - corosync bound on `vip_iface`, multicast port 4440.
//!
//! The endpoint publishes only what changed, so a hook with unchanged
//! config sends nothing. Resources this charm asked for earlier and no
//! longer wants (a VIP removed from `vip`, a record whose hostname was
//! unset, the group and colocation of a mode left) are deleted through the
//! endpoint ([`Hacluster::delete_resource`]) before the new ones are added.
//!
//! Status, once at the end of each hook: blocked on bad config (naming the
//! bad address or hostname) or on a connected `ha` relation without `vip`;
//! waiting while the relation is connected but hacluster does not say
//! `clustered`; active otherwise.
//!
//! Inherited from the Python layer and charms.openstack, on purpose: an
//! IPv6 VIP found on a local network is named `res_keystone_None_ipv6addr_vip`
//! (so two such VIPs would clash, which blocks here rather than silently
//! dropping one); `vip_cidr` is used for fallback IPv6 VIPs too; and a name
//! once deleted stays in `json_delete_resources`, so a VIP removed and later
//! re-added is deleted and re-created by hacluster on its next change.
//! [`Hacluster::remove_vip`] is not used: it names IPv4 resources only, so
//! VIPs are deleted by their exact resource names.

use std::collections::BTreeSet;
use std::net::IpAddr;

use charm_interfaces::hacluster::{Crm, DNSEntry, Hacluster, HaclusterError, VirtualIP};
use charm_macros::{hook, when};
use charm_runtime::backend::{Status, StatusState};
use charm_runtime::network::{self, NetworkInfo};
use charm_runtime::{Ctx, Error, HookContext, Level};
use ipnet::IpNet;
use serde::Deserialize;

/// The service name the resources are named after (charms.openstack's
/// `charm.name`).
pub const SERVICE: &str = "keystone";

/// The workload version this charm installs.
pub const VERSION: &str = "25.0.0";

/// The init service Pacemaker runs on every node in front of the API.
pub const HAPROXY: &str = "haproxy";

/// The unit-state key of the resource names this charm asked hacluster for.
const MANAGED_KEY: &str = "keystone-ha.managed-resources";

/// The endpoint types of an OpenStack API, each an extra binding.
pub const ENDPOINT_TYPES: [&str; 3] = ["public", "internal", "admin"];

/// The charm's options (config.yaml).
#[derive(Debug, Clone, Deserialize)]
pub struct Config {
    /// Space-separated virtual IPs.
    #[serde(default)]
    pub vip: Option<String>,
    /// The interface for VIPs outside the unit's networks, and for corosync.
    #[serde(default)]
    pub vip_iface: Option<String>,
    /// The netmask for VIPs outside the unit's networks.
    #[serde(default)]
    pub vip_cidr: Option<i64>,
    /// DNS records instead of VIPs.
    #[serde(default, rename = "dns-ha")]
    pub dns_ha: bool,
    /// The public endpoint's hostname.
    #[serde(default, rename = "os-public-hostname")]
    pub os_public_hostname: Option<String>,
    /// The internal endpoint's hostname.
    #[serde(default, rename = "os-internal-hostname")]
    pub os_internal_hostname: Option<String>,
    /// The admin endpoint's hostname.
    #[serde(default, rename = "os-admin-hostname")]
    pub os_admin_hostname: Option<String>,
}

impl Config {
    /// The addresses of `vip`, in order, each once.
    pub fn vips(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for v in self.vip.as_deref().unwrap_or("").split_whitespace() {
            if !out.contains(&v) {
                out.push(v);
            }
        }
        out
    }

    /// `vip_iface`, when not empty.
    pub fn iface(&self) -> Option<&str> {
        self.vip_iface
            .as_deref()
            .map(str::trim)
            .filter(|i| !i.is_empty())
    }

    /// The hostname configured for `endpoint_type`, when not empty.
    pub fn hostname(&self, endpoint_type: &str) -> Option<&str> {
        let value = match endpoint_type {
            "public" => &self.os_public_hostname,
            "internal" => &self.os_internal_hostname,
            "admin" => &self.os_admin_hostname,
            _ => &None,
        };
        value.as_deref().map(str::trim).filter(|h| !h.is_empty())
    }
}

/// One virtual IP to hand to hacluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VipPlan {
    /// The address.
    pub address: String,
    /// The NIC passed to `add_vip` (the fallback `vip_iface` only).
    pub nic: Option<String>,
    /// The netmask passed to `add_vip` (the fallback `vip_cidr` only).
    pub netmask: Option<String>,
    /// The resource hacluster will create.
    pub resource: String,
    /// The resource of the old naming to delete (`res_<service>_<nic>_vip`
    /// for a VIP found on a local interface).
    pub legacy: Option<String>,
}

/// One DNS record to hand to hacluster (`dns-ha`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsPlan {
    /// `public`, `internal` or `admin`.
    pub endpoint_type: String,
    /// The record's name.
    pub hostname: String,
    /// The unit's address on that binding.
    pub address: String,
    /// The resource hacluster will create.
    pub resource: String,
}

/// Everything the config asks hacluster for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HaPlan {
    /// The virtual IPs (empty with `dns-ha`).
    pub vips: Vec<VipPlan>,
    /// The DNS records (empty without `dns-ha`).
    pub dns: Vec<DnsPlan>,
    /// The interface corosync binds on.
    pub bind_iface: Option<String>,
}

/// The haproxy init service's resource.
pub fn haproxy_resource() -> String {
    format!("res_{SERVICE}_{HAPROXY}")
}

/// The group of the VIPs.
pub fn vip_group() -> String {
    format!("grp_{SERVICE}_vips")
}

/// The group of the DNS records.
pub fn hostname_group() -> String {
    format!("grp_{SERVICE}_hostnames")
}

/// The colocation keeping `group` with the haproxy clone.
pub fn colocation_name(group: &str) -> String {
    format!("colo_{group}_with_{HAPROXY}")
}

impl HaPlan {
    /// Whether there is nothing to make highly available.
    pub fn is_empty(&self) -> bool {
        self.vips.is_empty() && self.dns.is_empty()
    }

    /// The group this plan's VIPs or records form, if any.
    pub fn group(&self) -> Option<String> {
        if !self.vips.is_empty() {
            Some(vip_group())
        } else if !self.dns.is_empty() {
            Some(hostname_group())
        } else {
            None
        }
    }

    /// The resources, groups and constraints this plan asks for, beyond
    /// the haproxy clone (which stays): what a later plan deletes when it
    /// no longer asks for them.
    pub fn managed(&self) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = self.vips.iter().map(|v| v.resource.clone()).collect();
        out.extend(self.dns.iter().map(|d| d.resource.clone()));
        if let Some(group) = self.group() {
            out.insert(colocation_name(&group));
            out.insert(group);
        }
        out
    }
}

/// The plan for `config`, given what `network-get` says of the unit's
/// bindings and its address on each endpoint type's binding; or why the
/// config cannot be used, as the blocked status says it.
///
/// ```
/// use charm_runtime::network::NetworkInfo;
/// use keystone_ha::{plan, Config};
/// let config: Config = serde_json::from_value(serde_json::json!({
///     "vip": "192.0.2.100 10.5.0.10", "vip_iface": "eth0", "vip_cidr": 24,
/// })).unwrap();
/// let networks = [NetworkInfo::from_json(&serde_json::json!({
///     "bind-addresses": [{"interface-name": "eth0",
///         "addresses": [{"value": "192.0.2.10", "cidr": "192.0.2.0/24"}]}],
/// })).unwrap()];
/// let plan = plan(&config, &networks, |_| None).unwrap();
/// // On the unit's network: named after the address, the NIC-named
/// // resource deleted (unless another VIP takes that name, as here).
/// assert_eq!(plan.vips[0].resource, "res_keystone_e3989ae_vip");
/// assert_eq!(plan.vips[0].nic, None);
/// // Elsewhere: the vip_iface/vip_cidr fallback.
/// assert_eq!(plan.vips[1].resource, "res_keystone_eth0_vip");
/// assert_eq!(plan.vips[1].netmask.as_deref(), Some("24"));
/// assert_eq!(plan.vips[0].legacy, None);
/// ```
pub fn plan(
    config: &Config,
    networks: &[NetworkInfo],
    address_of: impl Fn(&str) -> Option<String>,
) -> Result<HaPlan, String> {
    let mut plan = HaPlan {
        bind_iface: config.iface().map(str::to_owned),
        ..HaPlan::default()
    };
    // Bad addresses block even with dns-ha: the operator should know.
    let bad: Vec<String> = config
        .vips()
        .into_iter()
        .filter(|v| v.parse::<IpAddr>().is_err())
        .map(|v| format!("{v:?}"))
        .collect();
    if !bad.is_empty() {
        return Err(format!(
            "invalid vip: {} {} not an IPv4 or IPv6 address",
            bad.join(", "),
            if bad.len() == 1 { "is" } else { "are" }
        ));
    }
    if config.dns_ha {
        for endpoint_type in ENDPOINT_TYPES {
            let Some(hostname) = config.hostname(endpoint_type) else {
                continue;
            };
            if !network::is_hostname(hostname) {
                return Err(format!(
                    "invalid os-{endpoint_type}-hostname: {hostname:?} is not a DNS name"
                ));
            }
            let Some(address) = address_of(endpoint_type) else {
                return Err(format!(
                    "dns-ha: no address on the {endpoint_type} binding for {hostname}"
                ));
            };
            let entry = DNSEntry::new(SERVICE, &address, hostname, endpoint_type);
            plan.dns.push(DnsPlan {
                endpoint_type: endpoint_type.to_owned(),
                hostname: hostname.to_owned(),
                address,
                resource: entry.resource_name(),
            });
        }
        if plan.dns.is_empty() {
            return Err(
                "dns-ha needs at least one of os-public-hostname, os-internal-hostname, \
                 os-admin-hostname"
                    .to_owned(),
            );
        }
        return Ok(plan);
    }
    for vip in config.vips() {
        let addr: IpAddr = vip.parse().map_err(|_| format!("invalid vip: {vip:?}"))?;
        let local = networks.iter().find_map(|n| n.subnet_containing(addr));
        let (nic, netmask, legacy) = match local {
            // Found on an interface: IPaddr2 works the NIC and netmask out;
            // the resource named after the NIC is the old naming.
            Some(n) => (
                None,
                None,
                Some(format!("res_{SERVICE}_{}_vip", n.interface_name)),
            ),
            None => {
                let max = if addr.is_ipv4() { 32 } else { 128 };
                if let Some(cidr) = config.vip_cidr
                    && u8::try_from(cidr).map_or(true, |p| IpNet::new(addr, p).is_err())
                {
                    return Err(format!(
                        "invalid vip_cidr: {cidr} is not a netmask length for {vip} (0-{max})"
                    ));
                }
                (
                    config.iface().map(str::to_owned),
                    config.vip_cidr.map(|c| c.to_string()),
                    None,
                )
            }
        };
        let mut desc = VirtualIP::new(SERVICE, vip);
        desc.nic = nic.clone();
        let resource = desc.resource_name().map_err(|e| e.to_string())?;
        if let Some(other) = plan.vips.iter().find(|p| p.resource == resource) {
            return Err(format!(
                "vip: {} and {vip} would both be resource {resource}",
                other.address
            ));
        }
        plan.vips.push(VipPlan {
            address: vip.to_owned(),
            nic,
            netmask,
            resource,
            legacy,
        });
    }
    // A legacy name another VIP now uses is not deleted.
    let names: BTreeSet<String> = plan.vips.iter().map(|v| v.resource.clone()).collect();
    for v in &mut plan.vips {
        if v.legacy.as_ref().is_some_and(|l| names.contains(l)) {
            v.legacy = None;
        }
    }
    Ok(plan)
}

/// What `network-get` says of the endpoint-type bindings (charmhelpers
/// looks at the machine's interfaces; the bindings are what Juju tells the
/// charm of them).
fn local_networks(ctx: &HookContext) -> Result<Vec<NetworkInfo>, Error> {
    let juju = ctx.juju();
    ENDPOINT_TYPES
        .iter()
        .map(|binding| {
            network::network_info(&juju, binding, None).map_err(|e| Error::Interface(Box::new(e)))
        })
        .collect()
}

/// The unit's address on `binding` (its first ingress address); `None`
/// (with a warning) when `network-get` gives none.
fn binding_address(ctx: &HookContext, binding: &str) -> Option<String> {
    let juju = ctx.juju();
    match network::network_info(&juju, binding, None) {
        Ok(info) => info.ingress_address().map(ToString::to_string),
        Err(e) => {
            ctx.log(Level::Warning, &e.to_string());
            None
        }
    }
}

/// The plan for the current config and networks.
fn current_plan(ctx: &HookContext) -> Result<Result<HaPlan, String>, Error> {
    let config: Config = ctx.config()?;
    let networks = if config.dns_ha || config.vips().is_empty() {
        Vec::new()
    } else {
        local_networks(ctx)?
    };
    Ok(plan(&config, &networks, |b| binding_address(ctx, b)))
}

/// Run the hook Juju invoked.
pub fn main() -> std::process::ExitCode {
    charm_runtime::main()
}

#[hook("install")]
fn install(ctx: Ctx) -> Result<(), Error> {
    // apt install keystone apache2 haproxy would go here.
    ctx.juju().application_version_set(VERSION);
    ctx.flags().set("keystone.installed");
    Ok(())
}

fn interface_error(e: HaclusterError) -> Error {
    Error::Interface(Box::new(e))
}

/// Hand the resources to hacluster (charms.openstack's
/// `configure_ha_resources`), every hook while the relation is connected:
/// the endpoint sends only what changed.
#[when("keystone.installed", "ha.connected")]
fn configure_ha(ctx: Ctx, ha: &Hacluster) -> Result<(), Error> {
    let plan = match current_plan(&ctx)? {
        Ok(plan) if !plan.is_empty() => plan,
        Ok(_) => {
            ctx.log(
                Level::Info,
                "hacluster: neither vip nor dns-ha is configured; not configuring the cluster",
            );
            return Ok(());
        }
        Err(problem) => {
            ctx.log(
                Level::Warning,
                &format!("hacluster: not configured: {problem}"),
            );
            return Ok(());
        }
    };
    let kv = ctx.kv();
    let before: BTreeSet<String> = kv.get(MANAGED_KEY)?.unwrap_or_default();
    let wanted = plan.managed();
    // Deletions first, so that the groups add_vip/add_dnsha rebuild no
    // longer list them.
    for gone in before.difference(&wanted) {
        ctx.log(Level::Info, &format!("hacluster: deleting {gone}"));
        ha.delete_resource(gone).map_err(interface_error)?;
    }
    for vip in &plan.vips {
        if let Some(legacy) = &vip.legacy {
            ha.delete_resource(legacy).map_err(interface_error)?;
        }
    }
    // haproxy first: the VIPs and records added after it find a stored
    // configuration and get their group from the first hook on.
    ha.add_init_service(SERVICE, HAPROXY, true)
        .map_err(interface_error)?;
    for vip in &plan.vips {
        ha.add_vip(
            SERVICE,
            &vip.address,
            vip.nic.as_deref(),
            vip.netmask.as_deref(),
        )
        .map_err(interface_error)?;
    }
    for dns in &plan.dns {
        ha.add_dnsha(SERVICE, &dns.address, &dns.hostname, &dns.endpoint_type)
            .map_err(interface_error)?;
    }
    if let Some(group) = plan.group() {
        let clone = format!("cl_{}", haproxy_resource());
        ha.add_colocation(
            &colocation_name(&group),
            Crm::ALWAYS,
            &[group.as_str(), clone.as_str()],
            None,
        )
        .map_err(interface_error)?;
    }
    ha.bind_resources(plan.bind_iface.as_deref(), None)
        .map_err(interface_error)?;
    kv.set(MANAGED_KEY, &wanted)?;
    Ok(())
}

/// The status the unit should show.
pub fn status(ctx: &HookContext) -> Result<Status, Error> {
    let flags = ctx.flags();
    let plan = current_plan(ctx)?;
    let related = flags.is_set("ha.connected");
    Ok(match plan {
        Err(problem) => Status::new(StatusState::Blocked, problem),
        Ok(plan) if related && plan.is_empty() => Status::new(
            StatusState::Blocked,
            "hacluster missing configuration: vip, vip_iface, vip_cidr",
        ),
        Ok(_) if related && !flags.is_set("ha.available") => Status::new(
            StatusState::Waiting,
            "waiting for the hacluster subordinate to form the cluster",
        ),
        Ok(_) if related => Status::new(StatusState::Active, "Unit is ready and clustered"),
        Ok(_) => Status::new(StatusState::Active, "Unit is ready"),
    })
}

/// Status once, at the end of every hook.
#[when("keystone.installed")]
fn assess_status(ctx: Ctx) {
    ctx.atexit_once("assess-status", |ctx: &HookContext| -> Result<(), Error> {
        let status = status(ctx)?;
        ctx.juju().status_set(status);
        Ok(())
    });
}
