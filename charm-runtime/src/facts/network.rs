//! What `network-get` answers for a binding.

use std::net::IpAddr;

use serde_json::{Value, json};

use super::databag::egress_subnet;

/// A `network-get` answer for one binding, as Juju prints it with
/// `--format=json`.
///
/// ```
/// use charm_runtime::facts::Network;
/// let net = Network::from_address("10.1.2.3");
/// let json = net.to_json();
/// assert_eq!(json["ingress-addresses"][0], "10.1.2.3");
/// assert_eq!(json["bind-addresses"][0]["addresses"][0]["cidr"], "10.1.2.0/24");
/// assert_eq!(json["egress-subnets"][0], "10.1.2.3/32");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// The network interface of the bind addresses.
    pub interface: String,
    /// The addresses the unit binds to.
    pub bind_addresses: Vec<String>,
    /// The subnet of the bind addresses (`10.0.0.0/24`), empty if unknown.
    pub cidr: String,
    /// The addresses other units reach this one at.
    pub ingress_addresses: Vec<String>,
    /// The subnets this unit's traffic leaves from.
    pub egress_subnets: Vec<String>,
}

impl Network {
    /// A binding on `eth0` with `address` as its only bind and ingress
    /// address: a /24 (IPv4) or /64 (IPv6) subnet, the address alone as
    /// egress subnet. What the harness answers for every binding the state
    /// does not set, from the unit's `private-address`, and what the
    /// simulator answers for every binding.
    pub fn from_address(address: impl Into<String>) -> Self {
        let address = address.into();
        let cidr = match address.parse::<IpAddr>() {
            Ok(IpAddr::V4(v4)) => {
                let [a, b, c, _] = v4.octets();
                format!("{a}.{b}.{c}.0/24")
            }
            Ok(IpAddr::V6(v6)) => {
                let s = v6.segments();
                let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                format!("{net}/64")
            }
            Err(_) => String::new(),
        };
        let egress = egress_subnet(&address);
        Self {
            interface: "eth0".to_owned(),
            bind_addresses: vec![address.clone()],
            cidr,
            ingress_addresses: vec![address],
            egress_subnets: egress.into_iter().collect(),
        }
    }

    /// The JSON `network-get --format=json` prints for this binding.
    pub fn to_json(&self) -> Value {
        let addresses: Vec<Value> = self
            .bind_addresses
            .iter()
            .map(|a| json!({"hostname": "", "address": a, "value": a, "cidr": self.cidr}))
            .collect();
        json!({
            "bind-addresses": [{
                "mac-address": "",
                "interface-name": self.interface,
                "addresses": addresses,
                "macaddress": "",
                "interfacename": self.interface,
            }],
            "egress-subnets": self.egress_subnets,
            "ingress-addresses": self.ingress_addresses,
        })
    }
}
