//! An example charm: an OpenStack-style API service (keystone behind
//! apache2, fronted by haproxy) made highly available by the `hacluster`
//! subordinate, as charms.openstack's `HAOpenStackCharm` does it.
//!
//! While the `ha` relation is connected (`ha.connected`), every hook
//! computes the Pacemaker resources the config asks for ([`plan`]) and
//! hands them to the [`Hacluster`] endpoint:
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

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use charm_interfaces::hacluster::{Crm, DNSEntry, Hacluster, InitService, VirtualIP};
use charm_runtime::network::{self, NetworkInfo};
use charm_runtime::prelude::*;
use ipnet::IpNet;
use serde::Deserialize;

/// The service name the resources are named after (charms.openstack's
/// `charm.name`).
pub const SERVICE: &str = "keystone";

/// The workload version this charm installs.
pub const VERSION: &str = "25.0.0";

/// The init service Pacemaker runs on every node in front of the API.
pub const HAPROXY: &str = "haproxy";

/// The endpoint types of an OpenStack API, each an extra binding.
pub const ENDPOINT_TYPES: [&str; 3] = ["public", "internal", "admin"];

/// Set once the service is installed.
pub const INSTALLED: Flag = Flag::new("keystone.installed");
/// Set by the hacluster interface while a hacluster unit is related.
const HA_CONNECTED: Flag = Flag::new("ha.connected");
/// Set by the hacluster interface while hacluster says `clustered`.
const HA_AVAILABLE: Flag = Flag::new("ha.available");

/// The unit-state key of the resource names this charm asked hacluster for.
const MANAGED_KEY: &str = "keystone-ha.managed-resources";

/// Run the hook Juju invoked: the binary's `main` calls this, which also
/// links these handlers into it.
pub fn main() -> std::process::ExitCode {
    charm_runtime::main()
}

/// The charm's options (config.yaml).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Options {
    /// Space-separated virtual IPs.
    pub vip: String,
    /// The interface for VIPs outside the unit's networks, and for corosync.
    pub vip_iface: String,
    /// The netmask for VIPs outside the unit's networks.
    pub vip_cidr: Option<i64>,
    /// DNS records instead of VIPs.
    #[serde(rename = "dns-ha")]
    pub dns_ha: bool,
    /// The public endpoint's hostname.
    #[serde(rename = "os-public-hostname")]
    pub os_public_hostname: String,
    /// The internal endpoint's hostname.
    #[serde(rename = "os-internal-hostname")]
    pub os_internal_hostname: String,
    /// The admin endpoint's hostname.
    #[serde(rename = "os-admin-hostname")]
    pub os_admin_hostname: String,
}

impl Options {
    /// The addresses of `vip`, in order, each once.
    pub fn vips(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for v in self.vip.split_whitespace() {
            if !out.contains(&v) {
                out.push(v);
            }
        }
        out
    }

    /// `vip_iface`, when not empty.
    pub fn iface(&self) -> Option<&str> {
        Some(self.vip_iface.trim()).filter(|i| !i.is_empty())
    }

    /// The hostname configured for `endpoint_type`, when not empty.
    pub fn hostname(&self, endpoint_type: &str) -> Option<&str> {
        let value = match endpoint_type {
            "public" => &self.os_public_hostname,
            "internal" => &self.os_internal_hostname,
            "admin" => &self.os_admin_hostname,
            _ => return None,
        };
        Some(value.trim()).filter(|h| !h.is_empty())
    }
}

// ---------------------------------------------------------------------------
// HA resource planning (charms.openstack's `HAOpenStackCharm`)
// ---------------------------------------------------------------------------

/// Everything the config asks hacluster for, beyond the haproxy clone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HaPlan {
    /// The virtual IPs by resource name (none with `dns-ha`).
    pub vips: BTreeMap<String, VirtualIP>,
    /// The DNS records (none without `dns-ha`).
    pub dns: Vec<DNSEntry>,
    /// Resources of the old naming to delete, `res_<service>_<nic>_vip`
    /// for each interface a VIP was found on (unless a VIP now has that
    /// name).
    pub legacy: Vec<String>,
    /// The interface corosync binds on.
    pub bind_iface: Option<String>,
}

impl HaPlan {
    /// Whether there is nothing to make highly available.
    pub fn is_empty(&self) -> bool {
        self.vips.is_empty() && self.dns.is_empty()
    }

    /// The group the VIPs or records form, and the colocation keeping it
    /// with the haproxy clone; `None` when the plan is empty.
    pub fn group(&self) -> Option<(String, String)> {
        let group = if !self.vips.is_empty() {
            format!("grp_{SERVICE}_vips")
        } else if !self.dns.is_empty() {
            format!("grp_{SERVICE}_hostnames")
        } else {
            return None;
        };
        let colocation = format!("colo_{group}_with_{HAPROXY}");
        Some((group, colocation))
    }

    /// The resources, groups and constraints this plan asks for, beyond
    /// the haproxy clone (which stays): what a later plan deletes when it
    /// no longer asks for them.
    pub fn managed(&self) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = self.vips.keys().cloned().collect();
        out.extend(self.dns.iter().map(DNSEntry::resource_name));
        out.extend(self.group().into_iter().flat_map(|(g, c)| [g, c]));
        out
    }
}

/// The plan for `options`, given what `network-get` says of the
/// endpoint-type bindings (by binding name); or why the config cannot be
/// used, as the blocked status says it.
///
/// ```
/// use charm_runtime::network::NetworkInfo;
/// use keystone_ha::{plan, Options};
/// let options: Options = serde_json::from_value(serde_json::json!({
///     "vip": "192.0.2.100 10.5.0.10", "vip_iface": "eth0", "vip_cidr": 24,
/// })).unwrap();
/// let public = NetworkInfo::from_json(&serde_json::json!({
///     "bind-addresses": [{"interface-name": "eth0",
///         "addresses": [{"value": "192.0.2.10", "cidr": "192.0.2.0/24"}]}],
/// })).unwrap();
/// let plan = plan(&options, &[("public", public)].into()).unwrap();
/// // On the unit's network: named after the address, no NIC.
/// assert_eq!(plan.vips["res_keystone_e3989ae_vip"].nic, None);
/// // Elsewhere: the vip_iface/vip_cidr fallback.
/// assert_eq!(plan.vips["res_keystone_eth0_vip"].cidr.as_deref(), Some("24"));
/// // The NIC-named resource of the old naming is deleted, unless another
/// // VIP takes that name, as here.
/// assert!(plan.legacy.is_empty());
/// ```
pub fn plan(options: &Options, networks: &BTreeMap<&str, NetworkInfo>) -> Result<HaPlan, String> {
    let mut plan = HaPlan {
        bind_iface: options.iface().map(str::to_owned),
        ..HaPlan::default()
    };
    // Bad addresses block even with dns-ha: the operator should know.
    let (mut vips, mut bad) = (Vec::new(), Vec::new());
    for vip in options.vips() {
        match vip.parse::<IpAddr>() {
            Ok(ip) => vips.push((vip, ip)),
            Err(_) => bad.push(format!("{vip:?}")),
        }
    }
    if !bad.is_empty() {
        let verb = if bad.len() == 1 { "is" } else { "are" };
        return Err(format!(
            "invalid vip: {} {verb} not an IPv4 or IPv6 address",
            bad.join(", ")
        ));
    }
    if options.dns_ha {
        for endpoint_type in ENDPOINT_TYPES {
            let Some(hostname) = options.hostname(endpoint_type) else {
                continue;
            };
            if !network::is_hostname(hostname) {
                return Err(format!(
                    "invalid os-{endpoint_type}-hostname: {hostname:?} is not a DNS name"
                ));
            }
            let address = networks
                .get(endpoint_type)
                .and_then(NetworkInfo::ingress_address)
                .ok_or_else(|| {
                    format!("dns-ha: no address on the {endpoint_type} binding for {hostname}")
                })?;
            let address = address.to_string();
            plan.dns
                .push(DNSEntry::new(SERVICE, address, hostname, endpoint_type));
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
    for (vip, ip) in vips {
        let mut desc = VirtualIP::new(SERVICE, vip);
        let local = ENDPOINT_TYPES
            .iter()
            .filter_map(|binding| networks.get(binding))
            .find_map(|n| n.subnet_containing(ip));
        match local {
            // Found on an interface: IPaddr2 works the NIC and netmask out;
            // the resource named after the NIC is the old naming.
            Some(on) => {
                let legacy = format!("res_{SERVICE}_{}_vip", on.interface_name);
                if !plan.legacy.contains(&legacy) {
                    plan.legacy.push(legacy);
                }
            }
            None => {
                let max = IpNet::from(ip).max_prefix_len();
                if let Some(cidr) = options.vip_cidr
                    && !(0..=i64::from(max)).contains(&cidr)
                {
                    return Err(format!(
                        "invalid vip_cidr: {cidr} is not a netmask length for {vip} (0-{max})"
                    ));
                }
                desc.nic = options.iface().map(str::to_owned);
                desc.cidr = options.vip_cidr.map(|c| c.to_string());
            }
        }
        let resource = desc.resource_name().map_err(|e| e.to_string())?;
        if let Some(other) = plan.vips.insert(resource.clone(), desc) {
            return Err(format!(
                "vip: {} and {vip} would both be resource {resource}",
                other.vip
            ));
        }
    }
    // A legacy name a VIP now uses is not deleted.
    plan.legacy.retain(|l| !plan.vips.contains_key(l));
    Ok(plan)
}

/// The plan for the hook's config and networks (`network-get` asked only
/// when there are VIPs or DNS records to place).
fn current_plan(ctx: &HookContext, options: &Options) -> Result<Result<HaPlan, String>, Error> {
    let mut networks = BTreeMap::new();
    if options.dns_ha || !options.vips().is_empty() {
        for binding in ENDPOINT_TYPES {
            networks.insert(binding, ctx.network(binding)?);
        }
    }
    Ok(plan(options, &networks))
}

// ---------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------

#[hook("install")]
fn install(ctx: Ctx) -> Result<(), Error> {
    ctx.progress("installing keystone, apache2 and haproxy")?;
    // apt install keystone apache2 haproxy would go here.
    ctx.application_version_set(VERSION);
    ctx.flags().set(INSTALLED);
    Ok(())
}

/// Hand the resources to hacluster (charms.openstack's
/// `configure_ha_resources`), every hook while the relation is connected:
/// the endpoint sends only what changed.
#[when(INSTALLED, HA_CONNECTED)]
fn configure_ha(ctx: Ctx, options: Config<Options>, ha: &Hacluster, kv: Kv) -> Result<(), Error> {
    let plan = match current_plan(&ctx, &options)? {
        Ok(plan) if !plan.is_empty() => plan,
        Ok(_) => {
            log::info!(
                "hacluster: neither vip nor dns-ha is configured; not configuring the cluster"
            );
            return Ok(());
        }
        Err(problem) => {
            log::warn!("hacluster: not configured: {problem}");
            return Ok(());
        }
    };
    let before: BTreeSet<String> = kv.get(MANAGED_KEY)?.unwrap_or_default();
    let wanted = plan.managed();
    // Deletions first, so that the groups add_vip/add_dnsha rebuild no
    // longer list them.
    for gone in before.difference(&wanted) {
        log::info!("hacluster: deleting {gone}");
        ha.delete_resource(gone)?;
    }
    for legacy in &plan.legacy {
        ha.delete_resource(legacy)?;
    }
    // haproxy first: the VIPs and records added after it find a stored
    // configuration and get their group from the first hook on.
    ha.add_init_service(SERVICE, HAPROXY, true)?;
    for vip in plan.vips.values() {
        ha.add_vip(SERVICE, &vip.vip, vip.nic.as_deref(), vip.cidr.as_deref())?;
    }
    for dns in &plan.dns {
        ha.add_dnsha(SERVICE, &dns.ip, &dns.fqdn, &dns.endpoint_type)?;
    }
    if let Some((group, colocation)) = plan.group() {
        let haproxy = InitService::new(SERVICE, HAPROXY, true).resource_name();
        ha.add_colocation(
            &colocation,
            Crm::ALWAYS,
            &[group, format!("cl_{haproxy}")],
            None,
        )?;
    }
    ha.bind_resources(plan.bind_iface.as_deref(), None)?;
    kv.set(MANAGED_KEY, &wanted)?;
    Ok(())
}

/// Status once, at the end of every hook.
#[when(INSTALLED)]
fn assess_status(ctx: Ctx) {
    ctx.status_at_exit(assess);
}

/// The status the unit should show.
fn assess(ctx: &HookContext) -> Result<Status, Error> {
    let options = Config::<Options>::of(ctx)?;
    let flags = ctx.flags();
    let related = flags.is_set(HA_CONNECTED);
    Ok(match current_plan(ctx, &options)? {
        Err(problem) => Status::blocked(problem),
        Ok(plan) if related && plan.is_empty() => {
            Status::blocked("hacluster missing configuration: vip, vip_iface, vip_cidr")
        }
        Ok(_) if related && !flags.is_set(HA_AVAILABLE) => {
            Status::waiting("waiting for the hacluster subordinate to form the cluster")
        }
        Ok(_) if related => Status::active("Unit is ready and clustered"),
        Ok(_) => Status::active("Unit is ready"),
    })
}
