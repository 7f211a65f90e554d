//! High availability through the `hacluster` subordinate: charms.openstack's
//! `HAOpenStackCharm` (`configure_ha_resources` and the `vips`, `haproxy`
//! and `dnsha` resources), for an API service fronted by haproxy.
//!
//! A charm calls [`configure`] from a handler on `ha.connected` (every hook
//! while the relation is connected: the endpoint publishes only what
//! changed) and lets its status assessment use [`status`].
//!
//! What is asked of hacluster ([`plan`]):
//!
//! - the haproxy init service, cloned on every node
//!   (`res_<service>_haproxy`, `cl_res_<service>_haproxy`);
//! - one virtual IP per address of `vip` (IPv4 or IPv6). A VIP inside one of
//!   the unit's networks on the endpoint-type bindings (`public`,
//!   `internal`, `admin`, as `network-get` reports them) is added without
//!   NIC or netmask (the resource agent finds them; resource
//!   `res_<service>_<sha1>_vip`, or `res_<service>_None_ipv6addr_vip` for
//!   IPv6 as the Python layer names it), and the resource of the older
//!   naming, `res_<service>_<nic>_vip`, is deleted. Any other VIP falls
//!   back to `vip_iface` and `vip_cidr` (`res_<service>_<vip_iface>_vip`;
//!   a charm may spell them `vip-iface` and `vip-cidr`, see
//!   [`FallbackOptions`]);
//! - with `dns-ha`, instead of VIPs, one DNS record per `os-*-hostname`
//!   set, pointing at the unit's ingress address on that binding
//!   (`res_<service>_<type>_hostname`, the type being `public`, `int` or
//!   `admin` as charms.openstack names them);
//! - the group of the VIPs (`grp_<service>_vips`) or records
//!   (`grp_<service>_hostnames`), built by the interface, and a colocation
//!   `colo_<group>_with_haproxy` keeping it where the haproxy clone runs;
//! - corosync bound on `vip_iface`, multicast port
//!   [`DEFAULT_MCASTPORT`](charm_interfaces::hacluster::DEFAULT_MCASTPORT).
//!
//! Resources asked for in an earlier hook and no longer wanted (a VIP
//! removed from `vip`, a record whose hostname was unset, the group and
//! colocation of a mode left) are deleted before the new ones are added:
//! the names asked for are kept in the unit's data ([`managed_key`]).
//!
//! Everything that reaches Pacemaker's configuration text is checked first:
//! VIPs are IP addresses, `vip_iface` and the interfaces `network-get`
//! reports are interface names, hostnames are DNS names, record addresses
//! are IP addresses. Bad configuration is a [`HaConfigError`] naming the
//! option: [`configure`] then changes nothing and [`status`] blocks.
//!
//! ```
//! use charm_openstack::ha::{self, HaConfig};
//! use charm_runtime::config::ConfigValues;
//!
//! let config = ConfigValues::from_json(r#"{"vip": "10.5.0.10", "vip_iface": "ens4", "vip_cidr": 16}"#).unwrap();
//! let config = HaConfig::from_values(&config).unwrap();
//! let plan = ha::plan("keystone", &config, &Default::default()).unwrap();
//! assert_eq!(plan.vips["res_keystone_ens4_vip"].cidr.as_deref(), Some("16"));
//! assert_eq!(plan.group().unwrap().name, "grp_keystone_vips");
//!
//! let bad = ConfigValues::from_json(r#"{"vip_iface": "eth0\"; rm -rf / #"}"#).unwrap();
//! let err = HaConfig::from_values(&bad).unwrap_err();
//! assert!(err.to_string().starts_with("invalid vip_iface: "), "{err}");
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::net::IpAddr;

use charm_interfaces::hacluster::{
    Crm, DNSEntry, Hacluster, HaclusterError, InitService, VirtualIP,
};
use charm_runtime::config::{ConfigError, ConfigValues};
use charm_runtime::network::{self, NetworkError, NetworkInfo};
use charm_runtime::{HookContext, StateError, Status};

use crate::instance::OpenStack;

/// The init service Pacemaker runs, cloned, on every node in front of the
/// API (charms.openstack's `haproxy` HA resource).
pub const HAPROXY: &str = "haproxy";

/// The longest network interface name Linux accepts (`IFNAMSIZ` - 1).
const IFACE_MAX: usize = 15;

/// The blocked message of a unit related to hacluster without `vip` or
/// `dns-ha`, for a charm with charmhelpers' option names (charms.openstack's
/// wording); [`FallbackOptions::missing_config`] gives it for either
/// spelling.
pub const MISSING_CONFIG: &str = "hacluster missing configuration: vip, vip_iface, vip_cidr";

/// The names of the two options VIPs outside the unit's networks fall back
/// to. OpenStack charms inherited charmhelpers' `vip_iface` and `vip_cidr`;
/// charmcraft's linter asks new charms for kebab-case names, so a charm
/// that declares `vip-iface` or `vip-cidr` is read with those names
/// instead, and its errors and status name them as the operator types
/// them.
///
/// ```
/// use charm_openstack::ha::{FallbackOptions, HaConfig};
/// use charm_runtime::config::ConfigValues;
///
/// let values = ConfigValues::from_json(r#"{"vip": "10.5.0.10", "vip-iface": "ens4", "vip-cidr": 16}"#).unwrap();
/// let config = HaConfig::from_values(&values).unwrap();
/// assert_eq!(config.options, FallbackOptions::KEBAB);
/// assert_eq!(config.vip_iface.as_deref(), Some("ens4"));
/// assert_eq!(
///     config.options.missing_config(),
///     "hacluster missing configuration: vip, vip-iface, vip-cidr"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FallbackOptions {
    /// The interface option (`vip_iface` or `vip-iface`).
    pub iface: &'static str,
    /// The netmask-length option (`vip_cidr` or `vip-cidr`).
    pub cidr: &'static str,
}

impl FallbackOptions {
    /// charmhelpers' names, `vip_iface` and `vip_cidr`.
    pub const SNAKE: Self = Self {
        iface: "vip_iface",
        cidr: "vip_cidr",
    };
    /// Kebab-case names, `vip-iface` and `vip-cidr`.
    pub const KEBAB: Self = Self {
        iface: "vip-iface",
        cidr: "vip-cidr",
    };

    /// The names `values` uses: kebab-case when either kebab-case option is
    /// there, charmhelpers' otherwise.
    pub fn of(values: &ConfigValues) -> Self {
        if values.value(Self::KEBAB.iface).is_some() || values.value(Self::KEBAB.cidr).is_some() {
            Self::KEBAB
        } else {
            Self::SNAKE
        }
    }

    /// The blocked message of a unit related to hacluster without `vip` or
    /// `dns-ha`, naming these options.
    pub fn missing_config(&self) -> String {
        format!(
            "hacluster missing configuration: vip, {}, {}",
            self.iface, self.cidr
        )
    }
}

impl Default for FallbackOptions {
    fn default() -> Self {
        Self::SNAKE
    }
}

/// The waiting message of a unit whose cluster is not formed yet.
pub const WAITING_CLUSTER: &str = "waiting for the hacluster subordinate to form the cluster";

// ---------------------------------------------------------------------------
// The charm side
// ---------------------------------------------------------------------------

/// A charm that can be made highly available: the hook, and the service
/// name its resources are named after (charms.openstack's `charm.name`).
/// [`OpenStack`] is one (its definition's name); [`Service`] names one by
/// hand.
pub trait HaCharm {
    /// The hook context.
    fn hook(&self) -> &HookContext;
    /// The service name of the resources (`keystone` in
    /// `res_keystone_haproxy`).
    fn ha_service(&self) -> &str;
}

impl HaCharm for OpenStack<'_> {
    fn hook(&self) -> &HookContext {
        self.ctx()
    }

    fn ha_service(&self) -> &str {
        &self.definition().name
    }
}

/// A charm without an OpenStack definition: the hook and a service name.
#[derive(Debug, Clone, Copy)]
pub struct Service<'a> {
    /// The hook context.
    pub ctx: &'a HookContext,
    /// The service name of the resources.
    pub name: &'a str,
}

impl HaCharm for Service<'_> {
    fn hook(&self) -> &HookContext {
        self.ctx
    }

    fn ha_service(&self) -> &str {
        self.name
    }
}

// ---------------------------------------------------------------------------
// Endpoint types
// ---------------------------------------------------------------------------

/// The endpoint types of an OpenStack API, each an extra binding with its
/// own hostname option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EndpointType {
    /// `public`.
    Public,
    /// `internal`.
    Internal,
    /// `admin`.
    Admin,
}

impl EndpointType {
    /// Every endpoint type, in the order the options are listed.
    pub const ALL: [EndpointType; 3] = [Self::Public, Self::Internal, Self::Admin];

    /// The binding (`public`, `internal`, `admin`).
    pub fn binding(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Internal => "internal",
            Self::Admin => "admin",
        }
    }

    /// The hostname option (`os-public-hostname`).
    pub fn hostname_option(self) -> &'static str {
        match self {
            Self::Public => "os-public-hostname",
            Self::Internal => "os-internal-hostname",
            Self::Admin => "os-admin-hostname",
        }
    }

    /// The type a DNS record is named after: `public`, `int`, `admin`
    /// (charms.openstack's address map calls internal `int`).
    pub fn dns_type(self) -> &'static str {
        match self {
            Self::Internal => "int",
            other => other.binding(),
        }
    }
}

impl fmt::Display for EndpointType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.binding())
    }
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// Configuration the operator has to fix: the unit blocks with this
/// message, and nothing is sent to hacluster. Each names the option.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HaConfigError {
    /// Addresses of `vip` that are not IP addresses.
    #[error(
        "invalid vip: {} {} not an IPv4 or IPv6 address",
        quoted(.values),
        if .values.len() == 1 { "is" } else { "are" }
    )]
    Vip {
        /// The bad addresses, as given.
        values: Vec<String>,
    },
    /// `vip_iface` is not a network interface name.
    #[error(
        "invalid {option}: {value:?} is not a network interface name (up to {IFACE_MAX} letters, digits, '.', '-' or '_')"
    )]
    Iface {
        /// The option (`vip_iface` or `vip-iface`).
        option: &'static str,
        /// The value given.
        value: String,
    },
    /// `vip_cidr` is not a netmask length for a VIP that needs it.
    #[error("invalid {option}: {value} is not a netmask length for {vip} (0-{max})")]
    Cidr {
        /// The option (`vip_cidr` or `vip-cidr`).
        option: &'static str,
        /// The value given.
        value: i64,
        /// The VIP it was to be used for.
        vip: IpAddr,
        /// The longest netmask of that VIP's family.
        max: u8,
    },
    /// An `os-*-hostname` is not a DNS name.
    #[error("invalid {option}: {value:?} is not a DNS name")]
    Hostname {
        /// The option.
        option: &'static str,
        /// The value given.
        value: String,
    },
    /// `dns-ha` without any hostname.
    #[error(
        "dns-ha needs at least one of os-public-hostname, os-internal-hostname, os-admin-hostname"
    )]
    NoHostname,
    /// `dns-ha`, and no IP address on a binding to point a record at.
    #[error("dns-ha: no address on the {binding} binding for {hostname}")]
    NoAddress {
        /// The binding.
        binding: EndpointType,
        /// The record's hostname.
        hostname: String,
    },
    /// Two VIPs would be the same resource.
    #[error("vip: {first} and {second} would both be resource {resource}")]
    SameResource {
        /// The first VIP.
        first: IpAddr,
        /// The second.
        second: IpAddr,
        /// The resource name both would take.
        resource: String,
    },
}

fn quoted(values: &[String]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
    quoted.join(", ")
}

/// Why HA could not be planned or configured.
#[derive(Debug, thiserror::Error)]
pub enum HaError {
    /// The configuration cannot be used (the unit blocks on it).
    #[error(transparent)]
    Invalid(#[from] HaConfigError),
    /// A config value of the wrong type.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// `config-get` failed.
    #[error(transparent)]
    Tool(#[from] charm_runtime::backend::ToolError),
    /// `network-get` failed or answered nonsense.
    #[error(transparent)]
    Network(#[from] NetworkError),
    /// The hacluster endpoint failed.
    #[error(transparent)]
    Hacluster(#[from] HaclusterError),
    /// The unit's data could not be read or written.
    #[error(transparent)]
    State(#[from] StateError),
    /// The charm's service name cannot be part of a Pacemaker id.
    #[error("HA service name {0:?} is not a Pacemaker id part (letters, digits, '.', '-' or '_')")]
    ServiceName(String),
}

impl From<HaError> for charm_runtime::Error {
    fn from(e: HaError) -> Self {
        charm_runtime::Error::Interface(Box::new(e))
    }
}

// ---------------------------------------------------------------------------
// Configuration
// ---------------------------------------------------------------------------

/// The HA settings of the charm's configuration, checked: `vip`,
/// `vip_iface`, `vip_cidr`, `dns-ha`, `os-{public,internal,admin}-hostname`.
/// An option the charm does not declare counts as unset.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HaConfig {
    /// The addresses of `vip`, in order, each once.
    pub vips: Vec<IpAddr>,
    /// `vip_iface`, when not empty: the interface of VIPs outside the
    /// unit's networks, and the one corosync binds on.
    pub vip_iface: Option<String>,
    /// `vip_cidr`: the netmask length of VIPs outside the unit's networks
    /// (checked against each such VIP's family when planning).
    pub vip_cidr: Option<i64>,
    /// `dns-ha`: DNS records instead of VIPs.
    pub dns_ha: bool,
    /// How the charm names `vip_iface` and `vip_cidr`.
    pub options: FallbackOptions,
    /// The `os-*-hostname` options set, checked as DNS names.
    pub hostnames: BTreeMap<EndpointType, String>,
}

impl HaConfig {
    /// The settings of `values` (the fallback options under the names
    /// [`FallbackOptions::of`] finds); a value of the wrong type is
    /// [`HaError::Config`], a value that cannot be used
    /// [`HaError::Invalid`], each naming the option.
    pub fn from_values(values: &ConfigValues) -> Result<Self, HaError> {
        let text = |option: &str| -> Result<String, ConfigError> {
            Ok(values
                .get::<String>(option)?
                .map(|v| v.trim().to_owned())
                .unwrap_or_default())
        };
        let mut config = HaConfig::default();
        let mut bad = Vec::new();
        for vip in text("vip")?.split_whitespace() {
            match vip.parse::<IpAddr>() {
                Ok(ip) if !config.vips.contains(&ip) => config.vips.push(ip),
                Ok(_) => {}
                Err(_) => bad.push(vip.to_owned()),
            }
        }
        if !bad.is_empty() {
            return Err(HaConfigError::Vip { values: bad }.into());
        }
        config.options = FallbackOptions::of(values);
        let iface = text(config.options.iface)?;
        if !iface.is_empty() {
            if !is_iface(&iface) {
                return Err(HaConfigError::Iface {
                    option: config.options.iface,
                    value: iface,
                }
                .into());
            }
            config.vip_iface = Some(iface);
        }
        config.vip_cidr = values.get::<i64>(config.options.cidr)?;
        config.dns_ha = values.get::<bool>("dns-ha")?.unwrap_or(false);
        for endpoint_type in EndpointType::ALL {
            let option = endpoint_type.hostname_option();
            let hostname = text(option)?;
            if hostname.is_empty() {
                continue;
            }
            if !network::is_hostname(&hostname) {
                return Err(HaConfigError::Hostname {
                    option,
                    value: hostname,
                }
                .into());
            }
            config.hostnames.insert(endpoint_type, hostname);
        }
        Ok(config)
    }

    /// The settings of the hook's configuration.
    pub fn of(ctx: &HookContext) -> Result<Self, HaError> {
        Self::from_values(&ctx.config_values()?)
    }

    /// Whether the configuration asks for HA: VIPs, or DNS records.
    pub fn is_requested(&self) -> bool {
        self.dns_ha || !self.vips.is_empty()
    }
}

/// Whether `name` is a network interface name safe to hand to Pacemaker:
/// 1 to 15 ASCII letters, digits, `.`, `-` or `_`, not `.` or `..`.
pub fn is_iface(name: &str) -> bool {
    (1..=IFACE_MAX).contains(&name.len())
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// Whether `name` can be part of a Pacemaker id.
fn is_id_part(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

// ---------------------------------------------------------------------------
// The plan
// ---------------------------------------------------------------------------

/// A group of resources and the colocation keeping it with the haproxy
/// clone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The group (`grp_keystone_vips`).
    pub name: String,
    /// The colocation (`colo_grp_keystone_vips_with_haproxy`).
    pub colocation: String,
}

/// What the configuration asks hacluster for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HaPlan {
    /// The service name of the resources.
    pub service: String,
    /// The haproxy init service, cloned.
    pub haproxy: InitService,
    /// The virtual IPs by resource name (none with `dns-ha`).
    pub vips: BTreeMap<String, VirtualIP>,
    /// The DNS records by resource name (none without `dns-ha`).
    pub dns: BTreeMap<String, DNSEntry>,
    /// Resources of the older naming to delete, `res_<service>_<nic>_vip`
    /// for each interface a VIP was found on (unless a VIP now has that
    /// name).
    pub legacy: Vec<String>,
    /// The interface corosync binds on (`vip_iface`).
    pub bind_iface: Option<String>,
}

impl HaPlan {
    /// Whether there is nothing beyond haproxy to make highly available.
    pub fn is_empty(&self) -> bool {
        self.vips.is_empty() && self.dns.is_empty()
    }

    /// The group the VIPs or records form, and its colocation; `None` when
    /// the plan is empty.
    pub fn group(&self) -> Option<Group> {
        let kind = if !self.vips.is_empty() {
            "vips"
        } else if !self.dns.is_empty() {
            "hostnames"
        } else {
            return None;
        };
        let name = format!("grp_{}_{kind}", self.service);
        let colocation = format!("colo_{name}_with_{HAPROXY}");
        Some(Group { name, colocation })
    }

    /// The clone of the haproxy resource (`cl_res_keystone_haproxy`).
    pub fn haproxy_clone(&self) -> String {
        format!("cl_{}", self.haproxy.resource_name())
    }

    /// The resources, group and colocation this plan asks for beyond the
    /// haproxy clone (which stays): what a later plan deletes when it no
    /// longer asks for them.
    pub fn managed(&self) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = self.vips.keys().cloned().collect();
        out.extend(self.dns.keys().cloned());
        if let Some(group) = self.group() {
            out.extend([group.name, group.colocation]);
        }
        out
    }

    /// The Pacemaker configuration of this plan alone (without deletions),
    /// as the hacluster charm would receive it from a first hook.
    pub fn crm(&self) -> Result<Crm, HaclusterError> {
        let mut crm = Crm::new();
        crm.add(&self.haproxy)?;
        for vip in self.vips.values() {
            crm.add(vip)?;
        }
        for dns in self.dns.values() {
            crm.add(dns)?;
        }
        if let Some(group) = self.group() {
            let members: Vec<&String> = self.vips.keys().chain(self.dns.keys()).collect();
            crm.group(&group.name, &members, Default::default());
            crm.colocation(
                &group.colocation,
                Crm::ALWAYS,
                &[group.name.clone(), self.haproxy_clone()],
                None,
            );
        }
        Ok(crm)
    }
}

/// The plan for `config`, the resources named after `service`, given what
/// `network-get` says of the endpoint-type bindings (by binding name; a
/// binding missing is a network without the VIP).
///
/// ```
/// use charm_openstack::ha::{plan, HaConfig};
/// use charm_runtime::network::NetworkInfo;
///
/// let config = HaConfig {
///     vips: vec!["192.0.2.100".parse().unwrap(), "10.5.0.10".parse().unwrap()],
///     vip_iface: Some("eth0".into()),
///     vip_cidr: Some(24),
///     ..HaConfig::default()
/// };
/// let public = NetworkInfo::from_json(&serde_json::json!({
///     "bind-addresses": [{"interface-name": "eth0",
///         "addresses": [{"value": "192.0.2.10", "cidr": "192.0.2.0/24"}]}],
/// })).unwrap();
/// let plan = plan("keystone", &config, &[("public".to_owned(), public)].into()).unwrap();
/// // On the unit's network: named after the address, no NIC.
/// assert_eq!(plan.vips["res_keystone_e3989ae_vip"].nic, None);
/// // Elsewhere: the vip_iface/vip_cidr fallback.
/// assert_eq!(plan.vips["res_keystone_eth0_vip"].cidr.as_deref(), Some("24"));
/// // The NIC-named resource of the older naming would be deleted, but a
/// // VIP has that name now.
/// assert!(plan.legacy.is_empty());
/// ```
pub fn plan(
    service: &str,
    config: &HaConfig,
    networks: &BTreeMap<String, NetworkInfo>,
) -> Result<HaPlan, HaError> {
    if !is_id_part(service) {
        return Err(HaError::ServiceName(service.to_owned()));
    }
    let mut plan = HaPlan {
        service: service.to_owned(),
        haproxy: InitService::new(service, HAPROXY, true),
        vips: BTreeMap::new(),
        dns: BTreeMap::new(),
        legacy: Vec::new(),
        bind_iface: config.vip_iface.clone(),
    };
    let network = |t: EndpointType| networks.get(t.binding());
    if config.dns_ha {
        if config.hostnames.is_empty() {
            return Err(HaConfigError::NoHostname.into());
        }
        for (&endpoint_type, hostname) in &config.hostnames {
            let ip = network(endpoint_type)
                .and_then(|n| n.ingress_addresses.iter().find_map(|a| a.ip()))
                .ok_or_else(|| HaConfigError::NoAddress {
                    binding: endpoint_type,
                    hostname: hostname.clone(),
                })?;
            let entry = DNSEntry::new(
                service,
                ip.to_string(),
                hostname.as_str(),
                endpoint_type.dns_type(),
            );
            plan.dns.insert(entry.resource_name(), entry);
        }
        return Ok(plan);
    }
    for &ip in &config.vips {
        let mut vip = VirtualIP::new(service, ip.to_string());
        let local = EndpointType::ALL
            .into_iter()
            .filter_map(network)
            .find_map(|n| n.subnet_containing(ip));
        match local {
            // Found on an interface: the agent works out NIC and netmask;
            // the resource named after the NIC is the older naming (an
            // interface name Juju reports that is not one is left alone).
            Some(on) => {
                let legacy = format!("res_{service}_{}_vip", on.interface_name);
                if is_iface(on.interface_name) && !plan.legacy.contains(&legacy) {
                    plan.legacy.push(legacy);
                }
            }
            None => {
                let max: u8 = if ip.is_ipv4() { 32 } else { 128 };
                if let Some(cidr) = config.vip_cidr {
                    if !(0..=i64::from(max)).contains(&cidr) {
                        return Err(HaConfigError::Cidr {
                            option: config.options.cidr,
                            value: cidr,
                            vip: ip,
                            max,
                        }
                        .into());
                    }
                    vip.cidr = Some(cidr.to_string());
                }
                vip.nic = config.vip_iface.clone();
            }
        }
        let resource = vip.resource_name()?;
        if let Some(other) = plan.vips.get(&resource) {
            return Err(HaConfigError::SameResource {
                first: other.vip.parse().unwrap_or(ip),
                second: ip,
                resource,
            }
            .into());
        }
        plan.vips.insert(resource, vip);
    }
    // A legacy name a VIP now uses is not deleted.
    plan.legacy.retain(|l| !plan.vips.contains_key(l));
    Ok(plan)
}

/// What `network-get` says of the endpoint-type bindings the charm
/// declares (as extra bindings or endpoints), by binding name.
pub fn networks(ctx: &HookContext) -> Result<BTreeMap<String, NetworkInfo>, HaError> {
    let juju = ctx.juju();
    let metadata = juju.metadata();
    let mut out = BTreeMap::new();
    for endpoint_type in EndpointType::ALL {
        let binding = endpoint_type.binding();
        if metadata.extra_bindings.contains(binding) || metadata.endpoint(binding).is_some() {
            out.insert(binding.to_owned(), ctx.network(binding)?);
        }
    }
    Ok(out)
}

/// The plan of the hook's configuration and networks; `None` when the
/// configuration asks for no HA (`network-get` is then not run).
pub fn current_plan(charm: &impl HaCharm) -> Result<Option<HaPlan>, HaError> {
    let ctx = charm.hook();
    let config = HaConfig::of(ctx)?;
    if !config.is_requested() {
        return Ok(None);
    }
    plan(charm.ha_service(), &config, &networks(ctx)?).map(Some)
}

// ---------------------------------------------------------------------------
// Configuring hacluster
// ---------------------------------------------------------------------------

/// The unit-data key of the resource names asked of the hacluster endpoint
/// `endpoint`.
pub fn managed_key(endpoint: &str) -> String {
    format!("charms.openstack.ha.{endpoint}.managed-resources")
}

/// What [`configure`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use]
pub enum Configured {
    /// Neither `vip` nor `dns-ha` is set: nothing was asked, and what an
    /// earlier hook asked for stays (as with bad configuration: clearing
    /// `vip` by mistake does not tear the VIPs down; [`status`] blocks
    /// while hacluster is related).
    NotRequested,
    /// The configuration cannot be used: nothing changed ([`status`]
    /// blocks with this).
    Invalid(HaConfigError),
    /// The plan was handed to hacluster.
    Applied {
        /// The plan.
        plan: HaPlan,
        /// The resources deleted because they are no longer wanted (the
        /// plan's [`HaPlan::legacy`] ones aside).
        deleted: Vec<String>,
    },
}

/// Hand the resources the configuration asks for to `hacluster`
/// (charms.openstack's `configure_ha_resources`): delete what an earlier
/// hook asked for and this one no longer wants, and the older-naming VIPs,
/// then add the haproxy clone, the VIPs or DNS records, the colocation of
/// their group, and bind corosync. Call it every hook while hacluster is
/// connected: the endpoint publishes only what changed.
///
/// Bad configuration is not an error here: it is returned
/// ([`Configured::Invalid`]) and logged, and [`status`] blocks on it.
pub fn configure(charm: &impl HaCharm, hacluster: &Hacluster) -> Result<Configured, HaError> {
    let plan = match current_plan(charm) {
        Ok(Some(plan)) => plan,
        Ok(None) => {
            log::info!("hacluster: neither vip nor dns-ha is configured; not configuring");
            return Ok(Configured::NotRequested);
        }
        Err(HaError::Invalid(problem)) => {
            log::warn!("hacluster: not configured: {problem}");
            return Ok(Configured::Invalid(problem));
        }
        Err(other) => return Err(other),
    };
    let kv = charm.hook().kv();
    let key = managed_key(hacluster.name());
    let before: BTreeSet<String> = kv.get(&key)?.unwrap_or_default();
    let wanted = plan.managed();
    // Deletions first, so that the groups the interface rebuilds on the
    // additions no longer list them.
    let deleted: Vec<String> = before.difference(&wanted).cloned().collect();
    for gone in &deleted {
        log::info!("hacluster: deleting {gone}");
        hacluster.delete_resource(gone)?;
    }
    for legacy in &plan.legacy {
        hacluster.delete_resource(legacy)?;
    }
    // haproxy first: the VIPs and records added after it find a stored
    // configuration, and so get their group from the first hook on.
    hacluster.add_init_service(&plan.service, HAPROXY, true)?;
    for vip in plan.vips.values() {
        hacluster.add_vip(
            &plan.service,
            &vip.vip,
            vip.nic.as_deref(),
            vip.cidr.as_deref(),
        )?;
    }
    for dns in plan.dns.values() {
        hacluster.add_dnsha(&plan.service, &dns.ip, &dns.fqdn, &dns.endpoint_type)?;
    }
    if let Some(group) = plan.group() {
        hacluster.add_colocation(
            &group.colocation,
            Crm::ALWAYS,
            &[group.name, plan.haproxy_clone()],
            None,
        )?;
    }
    hacluster.bind_resources(plan.bind_iface.as_deref(), None)?;
    kv.set(&key, &wanted)?;
    Ok(Configured::Applied { plan, deleted })
}

// ---------------------------------------------------------------------------
// Status
// ---------------------------------------------------------------------------

/// Where HA stands, for the charm's status assessment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HaStatus {
    /// hacluster is not related, and the configuration is usable.
    Standalone,
    /// The configuration cannot be used (whether or not hacluster is
    /// related): blocked.
    Invalid(HaConfigError),
    /// hacluster is related, and neither `vip` nor `dns-ha` is set:
    /// blocked.
    MissingConfig(FallbackOptions),
    /// hacluster is related and has not said `clustered` yet: waiting.
    Waiting,
    /// The cluster is formed.
    Clustered,
}

impl HaStatus {
    /// The status it imposes on the unit: blocked or waiting; `None` when
    /// HA does not stand in the way.
    pub fn to_status(&self) -> Option<Status> {
        match self {
            HaStatus::Standalone | HaStatus::Clustered => None,
            HaStatus::Invalid(problem) => Some(Status::blocked(problem.to_string())),
            HaStatus::MissingConfig(options) => Some(Status::blocked(options.missing_config())),
            HaStatus::Waiting => Some(Status::waiting(WAITING_CLUSTER)),
        }
    }
}

/// Where HA stands in this hook: the configuration checked (as
/// [`configure`] plans it), then `hacluster`'s flags
/// (`<endpoint>.connected`, `<endpoint>.available`).
pub fn status(charm: &impl HaCharm, hacluster: &Hacluster) -> Result<HaStatus, HaError> {
    let requested = match current_plan(charm) {
        Ok(plan) => plan.is_some(),
        Err(HaError::Invalid(problem)) => return Ok(HaStatus::Invalid(problem)),
        Err(other) => return Err(other),
    };
    let options = FallbackOptions::of(&charm.hook().config_values()?);
    Ok(if !hacluster.is_flag_set("{endpoint_name}.connected") {
        HaStatus::Standalone
    } else if !requested {
        HaStatus::MissingConfig(options)
    } else if !hacluster.is_flag_set("{endpoint_name}.available") {
        HaStatus::Waiting
    } else {
        HaStatus::Clustered
    })
}
