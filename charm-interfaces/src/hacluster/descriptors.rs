//! Ready-made [`ResourceDescriptor`]s: virtual IPs, DNS entries, init and
//! systemd services.

use std::net::IpAddr;

use super::HaclusterError;
use super::crm::{Crm, Options, ResourceDescriptor};

const META: &str = "migration-threshold=\"INFINITY\" failure-timeout=\"5s\"";

/// The first 7 hex digits of the SHA-1 of `text`.
pub(crate) fn short_sha1(text: &str) -> String {
    let mut hex = sha1_smol::Sha1::from(text.as_bytes()).digest().to_string();
    hex.truncate(7);
    hex
}

/// `text` with `-` replaced by `_`.
pub(crate) fn underscored(text: &str) -> String {
    text.replace('-', "_")
}

fn non_empty(v: &Option<String>) -> Option<&str> {
    v.as_deref().filter(|s| !s.is_empty())
}

/// A virtual IP managed by the cluster (IPv4: `ocf:heartbeat:IPaddr2`,
/// IPv6: `ocf:heartbeat:IPv6addr`).
///
/// The resource is `res_<service>_<nic>_vip` for IPv4 (`<nic>` being the
/// first 7 hex digits of the address's SHA-1 without a NIC), and
/// `res_<service>_<nic>_ipv6addr_vip` for IPv6 (`<nic>` being `None`
/// without a NIC, as the Python layer names it).
///
/// ```
/// use charm_interfaces::hacluster::{Crm, VirtualIP};
/// let mut crm = Crm::new();
/// crm.add(&VirtualIP::new("keystone", "10.5.0.10")).unwrap();
/// assert_eq!(crm.resources["res_keystone_4c1f9b2_vip"], "ocf:heartbeat:IPaddr2");
/// crm.add(&VirtualIP::new("keystone", "10.6.0.10").nic("eth1").cidr("24")).unwrap();
/// assert!(crm.resource_params["res_keystone_eth1_vip"]
///     .starts_with("  params ip=\"10.6.0.10\" nic=\"eth1\" cidr_netmask=\"24\""));
/// assert!(crm.add(&VirtualIP::new("keystone", "not-an-ip")).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VirtualIP {
    /// The service's name.
    pub service_name: String,
    /// The address.
    pub vip: String,
    /// The network interface to bind it on.
    pub nic: Option<String>,
    /// Its netmask (`cidr_netmask`).
    pub cidr: Option<String>,
}

impl VirtualIP {
    /// The address `vip` of `service_name`.
    pub fn new(service_name: impl Into<String>, vip: impl Into<String>) -> Self {
        Self {
            service_name: service_name.into(),
            vip: vip.into(),
            nic: None,
            cidr: None,
        }
    }

    /// Bind it on `nic`.
    pub fn nic(mut self, nic: impl Into<String>) -> Self {
        self.nic = Some(nic.into());
        self
    }

    /// With the netmask `cidr`.
    pub fn cidr(mut self, cidr: impl Into<String>) -> Self {
        self.cidr = Some(cidr.into());
        self
    }

    /// The name of its resource.
    pub fn resource_name(&self) -> Result<String, HaclusterError> {
        Ok(self.resource(self.address()?))
    }

    fn address(&self) -> Result<IpAddr, HaclusterError> {
        self.vip
            .parse()
            .map_err(|_| HaclusterError::InvalidAddress {
                service: self.service_name.clone(),
                address: self.vip.clone(),
            })
    }

    fn resource(&self, addr: IpAddr) -> String {
        match (addr, non_empty(&self.nic)) {
            (IpAddr::V4(_), Some(nic)) => format!("res_{}_{nic}_vip", self.service_name),
            (IpAddr::V4(_), None) => {
                format!("res_{}_{}_vip", self.service_name, short_sha1(&self.vip))
            }
            (IpAddr::V6(_), nic) => format!(
                "res_{}_{}_ipv6addr_vip",
                self.service_name,
                nic.unwrap_or("None")
            ),
        }
    }
}

impl ResourceDescriptor for VirtualIP {
    fn configure_resource(&self, crm: &mut Crm) -> Result<(), HaclusterError> {
        let addr = self.address()?;
        let key = self.resource(addr);
        let (agent, mut params) = match addr {
            IpAddr::V4(_) => ("ocf:heartbeat:IPaddr2", format!("ip=\"{}\"", self.vip)),
            IpAddr::V6(_) => (
                "ocf:heartbeat:IPv6addr",
                format!("ipv6addr=\"{}\"", self.vip),
            ),
        };
        if let Some(nic) = non_empty(&self.nic) {
            params.push_str(&format!(" nic=\"{nic}\""));
        }
        if let Some(cidr) = non_empty(&self.cidr) {
            params.push_str(&format!(" cidr_netmask=\"{cidr}\""));
        }
        crm.primitive(
            &key,
            agent,
            Options::new()
                .params(params)
                .op("monitor timeout=\"20s\" interval=\"10s\" depth=\"0\"")
                .meta(META),
        );
        Ok(())
    }
}

/// A DNS record kept pointing at the node running it (`ocf:maas:dns` by
/// default), resource `res_<service>_<endpoint_type>_hostname` (`-` in the
/// service name becoming `_`).
///
/// ```
/// use charm_interfaces::hacluster::{Crm, DNSEntry};
/// let mut crm = Crm::new();
/// crm.add(&DNSEntry::new("key-stone", "10.5.0.10", "ks.example.com", "public")).unwrap();
/// assert_eq!(
///     crm.resource_params["res_key_stone_public_hostname"],
///     "  params  fqdn=\"ks.example.com\" ip_address=\"10.5.0.10\""
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DNSEntry {
    /// The service's name.
    pub service_name: String,
    /// The address the record resolves to (omitted when empty).
    pub ip: String,
    /// The record's name (omitted when empty).
    pub fqdn: String,
    /// The endpoint type: `public`, `internal`, `admin`, ...
    pub endpoint_type: String,
    /// The resource agent.
    pub res_type: String,
}

impl DNSEntry {
    /// The record `fqdn` -> `ip` of `service_name`'s `endpoint_type`
    /// endpoint.
    pub fn new(
        service_name: impl Into<String>,
        ip: impl Into<String>,
        fqdn: impl Into<String>,
        endpoint_type: impl Into<String>,
    ) -> Self {
        Self {
            service_name: service_name.into(),
            ip: ip.into(),
            fqdn: fqdn.into(),
            endpoint_type: endpoint_type.into(),
            res_type: "ocf:maas:dns".into(),
        }
    }

    /// With another resource agent than `ocf:maas:dns`.
    pub fn res_type(mut self, res_type: impl Into<String>) -> Self {
        self.res_type = res_type.into();
        self
    }

    /// The name of its resource.
    pub fn resource_name(&self) -> String {
        format!(
            "res_{}_{}_hostname",
            underscored(&self.service_name),
            self.endpoint_type
        )
    }
}

impl ResourceDescriptor for DNSEntry {
    fn configure_resource(&self, crm: &mut Crm) -> Result<(), HaclusterError> {
        let mut params = String::new();
        if !self.fqdn.is_empty() {
            params.push_str(&format!(" fqdn=\"{}\"", self.fqdn));
        }
        if !self.ip.is_empty() {
            params.push_str(&format!(" ip_address=\"{}\"", self.ip));
        }
        crm.primitive(
            &self.resource_name(),
            &self.res_type,
            Options::new().params(params),
        );
        Ok(())
    }
}

/// An init (LSB) service handed over to Pacemaker, resource
/// `res_<service>_<init service>` (`-` becoming `_`), cloned on every node
/// as `cl_<resource>` unless `clone` is false.
///
/// ```
/// use charm_interfaces::hacluster::{Crm, InitService};
/// let mut crm = Crm::new();
/// crm.add(&InitService::new("keystone", "apache2", true)).unwrap();
/// assert_eq!(crm.clones["cl_res_keystone_apache2"], "res_keystone_apache2");
/// assert_eq!(crm.init_services, ["apache2"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InitService {
    /// The service's name.
    pub service_name: String,
    /// The name of the init script.
    pub init_service_name: String,
    /// Whether it runs on every node.
    pub clone: bool,
}

impl InitService {
    /// The init service `init_service_name` of `service_name`.
    pub fn new(
        service_name: impl Into<String>,
        init_service_name: impl Into<String>,
        clone: bool,
    ) -> Self {
        Self {
            service_name: service_name.into(),
            init_service_name: init_service_name.into(),
            clone,
        }
    }

    /// The name of its resource.
    pub fn resource_name(&self) -> String {
        format!(
            "res_{}_{}",
            underscored(&self.service_name),
            underscored(&self.init_service_name)
        )
    }
}

impl ResourceDescriptor for InitService {
    fn configure_resource(&self, crm: &mut Crm) -> Result<(), HaclusterError> {
        let key = self.resource_name();
        crm.primitive(
            &key,
            &format!("lsb:{}", self.init_service_name),
            Options::new().op("monitor interval=\"5s\"").meta(META),
        );
        crm.init_services(&[&self.init_service_name]);
        if self.clone {
            crm.clone(&format!("cl_{key}"), &key, Options::new());
        }
        Ok(())
    }
}

/// A systemd service handed over to Pacemaker, resource
/// `res_<service>_<unit>` (`-` becoming `_`). Cloned on every node as
/// `cl_<resource>` unless `clone` is false; a service that is not cloned is
/// monitored both where it runs and where it must not.
///
/// ```
/// use charm_interfaces::hacluster::{Crm, SystemdService};
/// let mut crm = Crm::new();
/// crm.add(&SystemdService::new("my-svc", "single", false)).unwrap();
/// assert!(crm.resource_params["res_my_svc_single"].ends_with("role=Started op monitor interval=\"6s\" role=Stopped"));
/// assert!(crm.clones.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SystemdService {
    /// The service's name.
    pub service_name: String,
    /// The systemd unit's name.
    pub systemd_service_name: String,
    /// Whether it runs on every node.
    pub clone: bool,
}

impl SystemdService {
    /// The systemd service `systemd_service_name` of `service_name`.
    pub fn new(
        service_name: impl Into<String>,
        systemd_service_name: impl Into<String>,
        clone: bool,
    ) -> Self {
        Self {
            service_name: service_name.into(),
            systemd_service_name: systemd_service_name.into(),
            clone,
        }
    }

    /// The name of its resource.
    pub fn resource_name(&self) -> String {
        format!(
            "res_{}_{}",
            underscored(&self.service_name),
            underscored(&self.systemd_service_name)
        )
    }
}

impl ResourceDescriptor for SystemdService {
    fn configure_resource(&self, crm: &mut Crm) -> Result<(), HaclusterError> {
        let key = self.resource_name();
        let agent = format!("systemd:{}", self.systemd_service_name);
        if self.clone {
            crm.primitive(
                &key,
                &agent,
                Options::new().op("monitor interval=\"5s\"").meta(META),
            );
            crm.clone(&format!("cl_{key}"), &key, Options::new());
        } else {
            crm.primitive(
                &key,
                &agent,
                Options::new()
                    .op([
                        "monitor interval=\"5s\" role=Started",
                        "monitor interval=\"6s\" role=Stopped",
                    ])
                    .meta(META),
            );
        }
        crm.systemd_services(&[&self.systemd_service_name]);
        Ok(())
    }
}
