//! Typed `network-get`: what Juju says about the network of one binding.
//!
//! `network-get <binding> --format=json` prints (every list may be absent
//! when empty; `macaddress`, `interfacename` and `address` are the older
//! names of `mac-address`, `interface-name` and `value`, still printed
//! beside them):
//!
//! ```json
//! {
//!   "bind-addresses": [{
//!     "mac-address": "52:54:00:2d:9f:1e",
//!     "interface-name": "eth0",
//!     "addresses": [{"hostname": "", "value": "10.5.0.10", "cidr": "10.5.0.0/24"}]
//!   }],
//!   "egress-subnets": ["10.5.0.10/32"],
//!   "ingress-addresses": ["10.5.0.10"]
//! }
//! ```
//!
//! [`NetworkInfo::from_json`] reads it into typed values, with an error
//! naming the field that is wrong (`bind-addresses[0].addresses[1].cidr`);
//! [`network_info`] runs `network-get` and reads its answer. Addresses are
//! IP addresses where Juju gives one and host names otherwise ([`Address`]),
//! subnets are [`IpNet`].
//!
//! ```
//! use charm_runtime::network::NetworkInfo;
//! let info = NetworkInfo::from_json(&serde_json::json!({
//!     "bind-addresses": [{
//!         "mac-address": "52:54:00:2d:9f:1e", "interface-name": "eth1",
//!         "addresses": [{"hostname": "", "value": "10.5.0.10", "cidr": "10.5.0.0/24"}]
//!     }],
//!     "egress-subnets": ["10.5.0.10/32"],
//!     "ingress-addresses": ["172.16.0.10"]
//! })).unwrap();
//! assert_eq!(info.ingress_address().unwrap().to_string(), "172.16.0.10");
//! assert_eq!(info.bind_address().unwrap().to_string(), "10.5.0.10");
//! // A VIP on the unit's subnet: the interface and subnet to put it on.
//! let on = info.subnet_containing("10.5.0.100".parse().unwrap()).unwrap();
//! assert_eq!((on.interface_name, on.cidr.to_string().as_str()), ("eth1", "10.5.0.0/24"));
//! ```

use std::fmt;
use std::net::IpAddr;

use ipnet::IpNet;
use serde_json::Value;

use crate::backend::{RelationId, ToolError, json_kind as type_name};
use crate::juju::Juju;

/// What went wrong reading `network-get`.
#[derive(Debug, thiserror::Error)]
pub enum NetworkError {
    /// `network-get` itself failed (no such binding, tool error).
    #[error("network-get {binding}: {source}")]
    Tool {
        /// The binding asked about.
        binding: String,
        /// The hook tool's error.
        #[source]
        source: ToolError,
    },
    /// A field of the answer is missing, of the wrong type, or not a valid
    /// value.
    #[error("network-get{}: {field}: {problem}", binding_suffix(.binding))]
    Invalid {
        /// The binding asked about, when known.
        binding: Option<String>,
        /// The field, as a path (`bind-addresses[0].addresses[1].cidr`).
        field: String,
        /// What is wrong with it.
        problem: String,
    },
}

fn binding_suffix(binding: &Option<String>) -> String {
    binding
        .as_ref()
        .map(|b| format!(" {b}"))
        .unwrap_or_default()
}

impl NetworkError {
    fn invalid(field: impl Into<String>, problem: impl Into<String>) -> Self {
        Self::Invalid {
            binding: None,
            field: field.into(),
            problem: problem.into(),
        }
    }

    fn in_binding(self, name: &str) -> Self {
        match self {
            Self::Invalid { field, problem, .. } => Self::Invalid {
                binding: Some(name.to_owned()),
                field,
                problem,
            },
            other => other,
        }
    }
}

/// Whether `name` is a DNS host name: dot-separated labels of ASCII
/// letters, digits and `-`, no label empty, starting or ending with `-`
/// or longer than 63 characters, 253 characters in all (RFC 1123; one
/// trailing dot allowed).
///
/// ```
/// use charm_runtime::network::is_hostname;
/// assert!(is_hostname("keystone.example.com"));
/// assert!(is_hostname("mysql-0.cluster.example."));
/// assert!(!is_hostname("keystone_.example.com"));
/// assert!(!is_hostname("-ks.example.com"));
/// assert!(!is_hostname("a..b"));
/// assert!(!is_hostname(""));
/// ```
pub fn is_hostname(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        })
}

/// Whether `host` is an IP address or a host name ([`is_hostname`]).
///
/// ```
/// use charm_runtime::network::is_host;
/// assert!(is_host("10.5.0.10"));
/// assert!(is_host("fd00::10"));
/// assert!(is_host("mysql-0.cluster.example"));
/// assert!(!is_host("mysql 0"));
/// assert!(!is_host(""));
/// ```
pub fn is_host(host: &str) -> bool {
    host.parse::<IpAddr>().is_ok() || is_hostname(host)
}

/// An address Juju gives: an IP address, or a host name where the
/// provider has one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Address {
    /// An IPv4 or IPv6 address.
    Ip(IpAddr),
    /// A DNS host name.
    Hostname(String),
}

impl Address {
    /// `text` as an IP address or else a host name; `None` when it is
    /// neither.
    ///
    /// ```
    /// use charm_runtime::network::Address;
    /// assert!(matches!(Address::parse("fd00::1"), Some(Address::Ip(_))));
    /// assert!(matches!(Address::parse("db.example"), Some(Address::Hostname(_))));
    /// assert_eq!(Address::parse("not an address"), None);
    /// ```
    pub fn parse(text: &str) -> Option<Self> {
        if let Ok(ip) = text.parse::<IpAddr>() {
            Some(Self::Ip(ip))
        } else if is_hostname(text) {
            Some(Self::Hostname(text.to_owned()))
        } else {
            None
        }
    }

    /// The IP address, if it is one.
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            Self::Ip(ip) => Some(*ip),
            Self::Hostname(_) => None,
        }
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Ip(ip) => ip.fmt(f),
            Self::Hostname(name) => f.write_str(name),
        }
    }
}

/// One address of a bound interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterfaceAddress {
    /// The address (`value`, formerly `address`).
    pub value: Address,
    /// Its subnet (`cidr`); `None` when Juju does not know it (`""`).
    pub cidr: Option<IpNet>,
    /// The host name the address resolves back to (`hostname`); `None`
    /// when empty.
    pub hostname: Option<String>,
}

/// One interface the binding's addresses are on (`bind-addresses` entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindAddress {
    /// The interface (`interface-name`, formerly `interfacename`); empty
    /// when Juju does not say.
    pub interface_name: String,
    /// Its MAC address (`mac-address`, formerly `macaddress`); `None` when
    /// empty.
    pub mac_address: Option<String>,
    /// Its addresses in the binding's space.
    pub addresses: Vec<InterfaceAddress>,
}

/// The answer of `network-get <binding>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkInfo {
    /// The interfaces and addresses the unit listens on (`bind-addresses`).
    pub bind_addresses: Vec<BindAddress>,
    /// The addresses other units reach this one at, preferred first
    /// (`ingress-addresses`).
    pub ingress_addresses: Vec<Address>,
    /// The subnets this unit's traffic comes from (`egress-subnets`).
    pub egress_subnets: Vec<IpNet>,
}

/// A bound address together with the interface it is on: what a charm
/// needs to put a VIP next to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddressOnSubnet<'a> {
    /// The interface (`eth1`); empty when Juju does not say.
    pub interface_name: &'a str,
    /// Its MAC address, when known.
    pub mac_address: Option<&'a str>,
    /// The unit's address on the subnet.
    pub address: &'a Address,
    /// The subnet.
    pub cidr: IpNet,
}

impl NetworkInfo {
    /// Read the JSON `network-get --format=json` prints. Absent lists are
    /// empty; a field of the wrong type, an address that is neither an IP
    /// address nor a host name, or a subnet that is not a CIDR is an error
    /// naming the field.
    ///
    /// ```
    /// use charm_runtime::network::NetworkInfo;
    /// let err = NetworkInfo::from_json(&serde_json::json!({
    ///     "bind-addresses": [{"interface-name": "eth0",
    ///         "addresses": [{"value": "10.0.0.1", "cidr": "10.0.0.0/33"}]}]
    /// })).unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     r#"network-get: bind-addresses[0].addresses[0].cidr: "10.0.0.0/33" is not a CIDR (invalid IP address syntax)"#
    /// );
    /// ```
    pub fn from_json(json: &Value) -> Result<Self, NetworkError> {
        let top = json
            .as_object()
            .ok_or_else(|| NetworkError::invalid("(answer)", format!("{json} is not an object")))?;
        let mut info = NetworkInfo::default();
        for (i, bind) in list(top.get("bind-addresses"), "bind-addresses")?
            .iter()
            .enumerate()
        {
            info.bind_addresses
                .push(bind_address(bind, &format!("bind-addresses[{i}]"))?);
        }
        for (i, a) in list(top.get("ingress-addresses"), "ingress-addresses")?
            .iter()
            .enumerate()
        {
            let field = format!("ingress-addresses[{i}]");
            info.ingress_addresses.push(
                address(Some(a), &field)?
                    .ok_or_else(|| NetworkError::invalid(field, "is empty"))?,
            );
        }
        for (i, s) in list(top.get("egress-subnets"), "egress-subnets")?
            .iter()
            .enumerate()
        {
            let field = format!("egress-subnets[{i}]");
            info.egress_subnets.push(
                cidr(Some(s), &field)?.ok_or_else(|| NetworkError::invalid(field, "is empty"))?,
            );
        }
        Ok(info)
    }

    /// The address to advertise to other units: the first ingress
    /// address.
    pub fn ingress_address(&self) -> Option<&Address> {
        self.ingress_addresses.first()
    }

    /// The first bound address (the first address of the first interface):
    /// what the deprecated `network-get --primary-address` printed.
    pub fn bind_address(&self) -> Option<&Address> {
        self.bind_addresses
            .iter()
            .flat_map(|b| &b.addresses)
            .map(|a| &a.value)
            .next()
    }

    /// Every bound IP address, in order, each once.
    pub fn bind_ips(&self) -> Vec<IpAddr> {
        let mut out = Vec::new();
        for ip in self
            .bind_addresses
            .iter()
            .flat_map(|b| &b.addresses)
            .filter_map(|a| a.value.ip())
        {
            if !out.contains(&ip) {
                out.push(ip);
            }
        }
        out
    }

    /// Every bound address whose subnet is known, with its interface.
    pub fn subnets(&self) -> impl Iterator<Item = AddressOnSubnet<'_>> {
        self.bind_addresses.iter().flat_map(|b| {
            b.addresses.iter().filter_map(move |a| {
                Some(AddressOnSubnet {
                    interface_name: &b.interface_name,
                    mac_address: b.mac_address.as_deref(),
                    address: &a.value,
                    cidr: a.cidr?,
                })
            })
        })
    }

    /// The first bound address whose subnet contains `ip` (never across
    /// IPv4 and IPv6): the interface, subnet and address to use for a
    /// virtual IP `ip`.
    pub fn subnet_containing(&self, ip: IpAddr) -> Option<AddressOnSubnet<'_>> {
        self.subnets().find(|s| s.cidr.contains(&ip))
    }

    /// The first bound IP address inside `network` (never across IPv4 and
    /// IPv6), with its interface; its subnet is `network` itself when Juju
    /// does not know it.
    pub fn address_in(&self, network: &IpNet) -> Option<AddressOnSubnet<'_>> {
        self.bind_addresses.iter().find_map(|b| {
            b.addresses.iter().find_map(|a| {
                let ip = a.value.ip()?;
                network.contains(&ip).then(|| AddressOnSubnet {
                    interface_name: &b.interface_name,
                    mac_address: b.mac_address.as_deref(),
                    address: &a.value,
                    cidr: a.cidr.unwrap_or(*network),
                })
            })
        })
    }
}

/// Run `network-get <binding> [-r <relation>]` (cached by [`Juju`]) and read
/// its answer; errors name the binding.
pub fn network_info(
    juju: &Juju,
    binding: &str,
    relation: Option<&RelationId>,
) -> Result<NetworkInfo, NetworkError> {
    let json = juju
        .network_get(binding, relation)
        .map_err(|source| NetworkError::Tool {
            binding: binding.to_owned(),
            source,
        })?;
    NetworkInfo::from_json(&json).map_err(|e| e.in_binding(binding))
}

/// A list field; absent or `null` is empty.
fn list<'v>(v: Option<&'v Value>, field: &str) -> Result<&'v [Value], NetworkError> {
    match v {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(NetworkError::invalid(
            field,
            format!("is {}, not a list", type_name(other)),
        )),
    }
}

/// A string field; absent, `null` and `""` are `None`.
fn text<'v>(v: Option<&'v Value>, field: &str) -> Result<Option<&'v str>, NetworkError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(NetworkError::invalid(
            field,
            format!("is {}, not a string", type_name(other)),
        )),
    }
}

fn address(v: Option<&Value>, field: &str) -> Result<Option<Address>, NetworkError> {
    let Some(s) = text(v, field)? else {
        return Ok(None);
    };
    Address::parse(s).map(Some).ok_or_else(|| {
        NetworkError::invalid(
            field,
            format!("{s:?} is neither an IP address nor a host name"),
        )
    })
}

fn cidr(v: Option<&Value>, field: &str) -> Result<Option<IpNet>, NetworkError> {
    let Some(s) = text(v, field)? else {
        return Ok(None);
    };
    s.parse::<IpNet>()
        .map(Some)
        .map_err(|e| NetworkError::invalid(field, format!("{s:?} is not a CIDR ({e})")))
}

/// The value of `new`, else of `old` (Juju prints both names).
fn either<'v>(
    obj: &'v serde_json::Map<String, Value>,
    new: &str,
    old: &str,
) -> (Option<&'v Value>, &'static str) {
    match obj.get(new) {
        Some(v) if !v.is_null() && v.as_str() != Some("") => (Some(v), "new"),
        _ => (obj.get(old), "old"),
    }
}

fn object<'v>(
    v: &'v Value,
    field: &str,
) -> Result<&'v serde_json::Map<String, Value>, NetworkError> {
    v.as_object()
        .ok_or_else(|| NetworkError::invalid(field, format!("is {}, not an object", type_name(v))))
}

fn bind_address(v: &Value, field: &str) -> Result<BindAddress, NetworkError> {
    let obj = object(v, field)?;
    let name_of = |which: &str, new: &str, old: &str| {
        if which == "new" {
            format!("{field}.{new}")
        } else {
            format!("{field}.{old}")
        }
    };
    let (iface, which) = either(obj, "interface-name", "interfacename");
    let interface_name = text(iface, &name_of(which, "interface-name", "interfacename"))?
        .unwrap_or_default()
        .to_owned();
    let (mac, which) = either(obj, "mac-address", "macaddress");
    let mac_address = text(mac, &name_of(which, "mac-address", "macaddress"))?.map(str::to_owned);
    let mut addresses = Vec::new();
    for (i, a) in list(obj.get("addresses"), &format!("{field}.addresses"))?
        .iter()
        .enumerate()
    {
        let afield = format!("{field}.addresses[{i}]");
        let aobj = object(a, &afield)?;
        let (value, which) = either(aobj, "value", "address");
        let vfield = if which == "new" {
            format!("{afield}.value")
        } else {
            format!("{afield}.address")
        };
        let value = address(value, &vfield)?
            .ok_or_else(|| NetworkError::invalid(format!("{afield}.value"), "is missing"))?;
        addresses.push(InterfaceAddress {
            value,
            cidr: cidr(aobj.get("cidr"), &format!("{afield}.cidr"))?,
            hostname: text(aobj.get("hostname"), &format!("{afield}.hostname"))?.map(str::to_owned),
        });
    }
    Ok(BindAddress {
        interface_name,
        mac_address,
        addresses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// What Juju 3.x prints on a MAAS machine with two interfaces in the
    /// binding's space, one of them dual-stack.
    fn maas() -> Value {
        json!({
            "bind-addresses": [
                {
                    "mac-address": "52:54:00:2d:9f:1e",
                    "interface-name": "ens3",
                    "addresses": [
                        {"hostname": "", "address": "10.5.0.10", "cidr": "10.5.0.0/24", "value": "10.5.0.10"},
                        {"hostname": "node1.maas", "address": "fd00:5::10", "cidr": "fd00:5::/64", "value": "fd00:5::10"}
                    ],
                    "macaddress": "52:54:00:2d:9f:1e",
                    "interfacename": "ens3"
                },
                {
                    "mac-address": "",
                    "interface-name": "br-ens4",
                    "addresses": [
                        {"hostname": "", "address": "192.168.20.7", "cidr": "192.168.20.0/22", "value": "192.168.20.7"}
                    ],
                    "macaddress": "",
                    "interfacename": "br-ens4"
                }
            ],
            "egress-subnets": ["10.5.0.10/32"],
            "ingress-addresses": ["10.5.0.10", "fd00:5::10", "192.168.20.7"]
        })
    }

    #[test]
    fn reads_a_full_answer() {
        let info = NetworkInfo::from_json(&maas()).unwrap();
        assert_eq!(info.bind_addresses.len(), 2);
        let ens3 = &info.bind_addresses[0];
        assert_eq!(ens3.interface_name, "ens3");
        assert_eq!(ens3.mac_address.as_deref(), Some("52:54:00:2d:9f:1e"));
        assert_eq!(ens3.addresses[1].hostname.as_deref(), Some("node1.maas"));
        assert_eq!(ens3.addresses[0].hostname, None);
        assert_eq!(ens3.addresses[1].cidr, Some("fd00:5::/64".parse().unwrap()));
        assert_eq!(info.bind_addresses[1].mac_address, None);
        assert_eq!(
            info.egress_subnets,
            vec!["10.5.0.10/32".parse::<IpNet>().unwrap()]
        );
        assert_eq!(
            info.ingress_address(),
            Some(&Address::Ip("10.5.0.10".parse().unwrap()))
        );
        assert_eq!(info.bind_address().unwrap().to_string(), "10.5.0.10");
        let ips: Vec<String> = info.bind_ips().iter().map(ToString::to_string).collect();
        assert_eq!(ips, ["10.5.0.10", "fd00:5::10", "192.168.20.7"]);
    }

    #[test]
    fn finds_the_subnet_of_a_vip() {
        let info = NetworkInfo::from_json(&maas()).unwrap();
        let on = info
            .subnet_containing("192.168.23.250".parse().unwrap())
            .unwrap();
        assert_eq!(on.interface_name, "br-ens4");
        assert_eq!(on.cidr.to_string(), "192.168.20.0/22");
        assert_eq!(on.address.to_string(), "192.168.20.7");
        assert_eq!(on.mac_address, None);
        let on = info
            .subnet_containing("fd00:5::100".parse().unwrap())
            .unwrap();
        assert_eq!(on.interface_name, "ens3");
        assert_eq!(on.mac_address, Some("52:54:00:2d:9f:1e"));
        assert!(
            info.subnet_containing("192.168.24.1".parse().unwrap())
                .is_none()
        );
        assert!(
            info.subnet_containing("10.5.1.1".parse().unwrap())
                .is_none()
        );
        assert_eq!(info.subnets().count(), 3);
    }

    #[test]
    fn finds_the_address_in_a_network() {
        let info = NetworkInfo::from_json(&maas()).unwrap();
        let net: IpNet = "192.168.0.0/16".parse().unwrap();
        let on = info.address_in(&net).unwrap();
        assert_eq!(on.address.to_string(), "192.168.20.7");
        assert_eq!(on.cidr.to_string(), "192.168.20.0/22");
        assert!(info.address_in(&"172.16.0.0/12".parse().unwrap()).is_none());
        let v6 = info.address_in(&"::/0".parse().unwrap()).unwrap();
        assert_eq!(v6.address.to_string(), "fd00:5::10");
    }

    #[test]
    fn older_names_and_absent_lists() {
        // Juju 2.x before the dashed names; no egress subnets; no cidr.
        let info = NetworkInfo::from_json(&json!({
            "bind-addresses": [{
                "macaddress": "00:16:3e:aa:bb:cc",
                "interfacename": "eth0",
                "addresses": [{"address": "10.0.0.4", "cidr": ""}]
            }]
        }))
        .unwrap();
        assert_eq!(info.bind_addresses[0].interface_name, "eth0");
        assert_eq!(
            info.bind_addresses[0].mac_address.as_deref(),
            Some("00:16:3e:aa:bb:cc")
        );
        assert_eq!(info.bind_addresses[0].addresses[0].cidr, None);
        assert!(info.ingress_addresses.is_empty() && info.egress_subnets.is_empty());
        assert_eq!(info.ingress_address(), None);
        assert_eq!(info.subnets().count(), 0);
        assert_eq!(
            NetworkInfo::from_json(&json!({})).unwrap(),
            NetworkInfo::default()
        );
    }

    #[test]
    fn host_names_are_addresses() {
        let info = NetworkInfo::from_json(&json!({
            "ingress-addresses": ["ec2-3-8-1-2.eu-west-2.compute.amazonaws.com"]
        }))
        .unwrap();
        assert_eq!(
            info.ingress_address(),
            Some(&Address::Hostname(
                "ec2-3-8-1-2.eu-west-2.compute.amazonaws.com".into()
            ))
        );
        assert_eq!(info.ingress_address().unwrap().ip(), None);
    }

    #[test]
    fn errors_name_the_field() {
        let cases = [
            (json!([]), "(answer)", "is not an object"),
            (
                json!({"bind-addresses": {}}),
                "bind-addresses",
                "not a list",
            ),
            (
                json!({"bind-addresses": [1]}),
                "bind-addresses[0]",
                "a number, not an object",
            ),
            (
                json!({"bind-addresses": [{"interface-name": 3}]}),
                "bind-addresses[0].interface-name",
                "not a string",
            ),
            (
                json!({"bind-addresses": [{"addresses": [{"cidr": "10.0.0.0/8"}]}]}),
                "bind-addresses[0].addresses[0].value",
                "is missing",
            ),
            (
                json!({"bind-addresses": [{}, {"addresses": [{"address": "10.0.0.1 x"}]}]}),
                "bind-addresses[1].addresses[0].address",
                "neither an IP address nor a host name",
            ),
            (
                json!({"bind-addresses": [{"addresses": [{"value": "10.0.0.1", "hostname": false}]}]}),
                "bind-addresses[0].addresses[0].hostname",
                "a boolean, not a string",
            ),
            (
                json!({"ingress-addresses": ["a b"]}),
                "ingress-addresses[0]",
                "neither",
            ),
            (
                json!({"ingress-addresses": [""]}),
                "ingress-addresses[0]",
                "is empty",
            ),
            (
                json!({"egress-subnets": ["10.0.0.1/40"]}),
                "egress-subnets[0]",
                "not a CIDR",
            ),
            (
                json!({"egress-subnets": "10.0.0.1/32"}),
                "egress-subnets",
                "a string, not a list",
            ),
        ];
        for (json, field, problem) in cases {
            match NetworkInfo::from_json(&json) {
                Err(NetworkError::Invalid {
                    field: f,
                    problem: p,
                    binding: None,
                }) => {
                    assert_eq!(f, field, "{json}");
                    assert!(p.contains(problem), "{json}: {p}");
                }
                other => panic!("{json}: {other:?}"),
            }
        }
        let e = NetworkInfo::from_json(&json!({"egress-subnets": [1]}))
            .unwrap_err()
            .in_binding("db");
        assert_eq!(
            e.to_string(),
            "network-get db: egress-subnets[0]: is a number, not a string"
        );
    }
}
