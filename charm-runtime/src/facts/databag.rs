//! The keys Juju puts in a unit's databag when the unit enters a relation.

use std::collections::BTreeMap;
use std::net::IpAddr;

/// The subnet a unit at `address` sends from, as Juju fills in
/// `egress-subnets` when no egress is configured: the address alone
/// (`/32` for IPv4, `/128` for IPv6); `None` for a name that is no IP
/// address.
///
/// ```
/// use charm_runtime::facts::egress_subnet;
/// assert_eq!(egress_subnet("10.0.0.5").as_deref(), Some("10.0.0.5/32"));
/// assert_eq!(egress_subnet("fd00::5").as_deref(), Some("fd00::5/128"));
/// assert_eq!(egress_subnet("db.example"), None);
/// ```
pub fn egress_subnet(address: &str) -> Option<String> {
    match address.parse::<IpAddr>().ok()? {
        IpAddr::V4(_) => Some(format!("{address}/32")),
        IpAddr::V6(_) => Some(format!("{address}/128")),
    }
}

/// What Juju writes in the databag of a unit at `address` as the unit
/// enters a relation: `private-address`, `ingress-address` and, for an IP
/// address, `egress-subnets`. Charms read them (`relation-get
/// private-address`) without anyone having set them.
///
/// ```
/// use charm_runtime::facts::unit_databag_defaults;
/// let bag = unit_databag_defaults("10.0.0.5");
/// assert_eq!(bag["private-address"], "10.0.0.5");
/// assert_eq!(bag["ingress-address"], "10.0.0.5");
/// assert_eq!(bag["egress-subnets"], "10.0.0.5/32");
/// assert_eq!(bag.len(), 3);
/// ```
pub fn unit_databag_defaults(address: &str) -> BTreeMap<String, String> {
    let mut bag = BTreeMap::new();
    bag.insert("private-address".to_owned(), address.to_owned());
    bag.insert("ingress-address".to_owned(), address.to_owned());
    if let Some(egress) = egress_subnet(address) {
        bag.insert("egress-subnets".to_owned(), egress);
    }
    bag
}

/// Add to `bag` the keys of [`unit_databag_defaults`] it lacks: Juju
/// writes them once, and a unit may overwrite them afterwards.
///
/// ```
/// use std::collections::BTreeMap;
/// use charm_runtime::facts::fill_unit_databag_defaults;
/// let mut bag = BTreeMap::from([("ingress-address".to_owned(), "203.0.113.5".to_owned())]);
/// fill_unit_databag_defaults(&mut bag, "10.0.0.5");
/// assert_eq!(bag["ingress-address"], "203.0.113.5");
/// assert_eq!(bag["private-address"], "10.0.0.5");
/// ```
pub fn fill_unit_databag_defaults(bag: &mut BTreeMap<String, String>, address: &str) {
    for (key, value) in unit_databag_defaults(address) {
        bag.entry(key).or_insert(value);
    }
}
