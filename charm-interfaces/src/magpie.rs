//! The `magpie` peers interface of the Magpie charm (network checks
//! between the units of one application), wire- and state-compatible with
//! the Python layer `charm-interface-magpie` (`peers.py`, a
//! charms.reactive `RelationBase` with unit-scoped conversations).
//!
//! # Flags
//!
//! - `{endpoint_name}.joined`: set when a peer joins; it stays set while
//!   at least one peer holds it (a peer that departs gives it up).
//! - `{endpoint_name}.departed`: set when a peer departs; it stays set
//!   while at least one departed peer holds it (a peer that joins again
//!   gives it up).
//!
//! [`MagpiePeers::dismiss_joined`] and [`MagpiePeers::dismiss_departed`]
//! clear them, so the charm can react to the next peer joining or leaving.
//!
//! # Per-peer scope
//!
//! Like charms.reactive's conversations, every peer unit has a
//! conversation, stored in the unit's key/value data under
//! `reactive.conversations.<relation id>.<unit>`
//! (`{"namespace": "magpie:1", "scope": "magpie/1", "units": ["magpie/1"]}`),
//! and each flag's value lists the conversations holding it
//! (`{"relation": "magpie", "conversations": ["reactive.conversations.magpie:1.magpie/1"]}`),
//! byte for byte the keys and shapes of the Python layer: a unit upgraded
//! from the Python charm keeps its peers.
//!
//! The methods that read or publish data act on the peers holding
//! `{endpoint_name}.joined` ([`MagpiePeers::conversations`]), in the order
//! they joined: what the Python layer's methods see in a handler gated on
//! `magpie.joined`, as the Magpie charm's handlers are.
//!
//! # Relation data
//!
//! Read from each peer: `private-address`, `iperf_addresses` (a JSON list
//! of addresses), `iperf.server` and `iperf.checked`. Addresses are
//! checked before use (see [`Node`]): a `private-address` must be an IP
//! address or a host name, an `iperf_addresses` entry an IP address; what
//! is not is logged (naming the peer and the key, a long value by its
//! size) and left out, never returned. Published by this
//! unit: the same keys, raw strings exactly as the Python layer writes
//! them (see each method).
//!
//! ```
//! use charm_interfaces::magpie::{MagpieError, MagpiePeers};
//! use charm_macros::when;
//! use charm_runtime::harness::{Context, Event, Relation, State};
//! use charm_runtime::metadata::Metadata;
//! use charm_runtime::{Flags, Registry};
//!
//! /// Once the peers are known, publish that this unit's iperf server
//! /// listens, and note the peers' addresses on the 10.0.0.0/8 network.
//! #[when("magpie.joined")]
//! fn check_peers(magpie: &MagpiePeers, flags: Flags) -> Result<(), MagpieError> {
//!     for node in magpie.get_nodes_by_cidr("10.0.0.0/8")? {
//!         flags.set(&format!("peer.{}.{}", node.unit, node.address.unwrap_or_default()));
//!     }
//!     magpie.set_iperf_server_ready()?;
//!     Ok(())
//! }
//!
//! # fn main() {
//! let ctx = Context::from_yaml(
//!     "name: magpie\npeers: {magpie: {interface: magpie}}",
//!     |meta: &Metadata| {
//!         let mut registry = Registry::for_charm("charm_interfaces::magpie", meta)?;
//!         registry.add_charm_inventory(module_path!(), meta)?;
//!         Ok(registry)
//!     },
//! )
//! .unwrap();
//! let peers = Relation::peer("magpie", 1, "magpie").with_unit_data(
//!     "magpie/1",
//!     [("private-address", "192.0.2.11"), ("iperf_addresses", r#"["10.0.0.11"]"#)],
//! );
//! let state = State::new().with_relation(peers.clone());
//! let out = ctx.run(Event::relation_joined(&peers, "magpie/1"), &state).unwrap().expect_ok();
//! assert!(out.has_flag("magpie.joined"));
//! assert!(out.has_flag("peer.magpie/1.10.0.0.11"));
//! assert_eq!(out.relation(&peers).local_unit_data["iperf.server"], "True");
//! # }
//! ```

use std::fmt;
use std::net::{IpAddr, Ipv4Addr};

use ipnet::IpNet;

use charm_macros::{hook, interface};
use charm_runtime::backend::{DataBag, ToolError};
use charm_runtime::endpoint::Endpoint;
use charm_runtime::log::Level;
use charm_runtime::network::{self, Address};
use charm_runtime::python_json;
use charm_runtime::{HookContext, StateError};
use serde::{Deserialize, Serialize};

use crate::conversation::{self, Conversations};
pub use crate::conversation::{CONVERSATION_PREFIX, Conversation};
use crate::peer_input::{InvalidPeerValue, Reason, shown};
use serde_json::Value;

/// The relation key of the addresses a unit advertises for the iperf
/// checks (a JSON list).
pub const IPERF_ADDRESSES: &str = "iperf_addresses";
/// The relation key a unit sets once its iperf server listens.
pub const IPERF_SERVER: &str = "iperf.server";
/// The relation key listing the peers the leader's iperf client checked.
pub const IPERF_CHECKED: &str = "iperf.checked";
/// The relation key `set_iperf_server_checked` clears.
pub const IPERF_SERVER_CHECKED: &str = "iperf.server.checked";

/// What went wrong in a method of [`MagpiePeers`].
#[derive(Debug, thiserror::Error)]
pub enum MagpieError {
    /// The CIDR given to [`MagpiePeers::get_nodes_by_cidr`] is not one.
    #[error("invalid CIDR {cidr:?}: {reason}")]
    InvalidCidr {
        /// The text given.
        cidr: String,
        /// Why it is not a CIDR.
        reason: String,
    },
    /// A hook tool failed.
    #[error(transparent)]
    Tool(#[from] ToolError),
    /// The unit state could not be read or written.
    #[error(transparent)]
    State(#[from] StateError),
}

/// One peer: its unit name and the address to reach it at (`None` when it
/// published none, or none that is valid).
///
/// The address is checked: an entry of `iperf_addresses` is an IP
/// address (as published), a `private-address` an IP
/// address or a DNS host name; what is neither (`10.0.0.1; rm -rf /`,
/// `-rf`, text with spaces) is logged, naming the peer and the key, and
/// left out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Node {
    /// The peer unit (`magpie/1`).
    pub unit: String,
    /// Its address.
    pub address: Option<String>,
}

/// The `magpie` peers endpoint.
#[interface("magpie", role = "peers")]
pub struct MagpiePeers<'a>(Endpoint<'a>);

#[interface]
impl MagpiePeers<'_> {
    /// A peer joined: its conversation holds `joined` and not `departed`.
    #[hook("{endpoint_name}-relation-joined")]
    fn joined(&self) -> Result<(), MagpieError> {
        let Some(conv) = self.join_current()? else {
            return Ok(());
        };
        self.remove_from_flag("departed", &conv.key())?;
        self.add_to_flag("joined", &conv.key())
    }

    /// A peer departed: its conversation holds `departed` and not
    /// `joined`, and is forgotten at the end of the hook.
    #[hook("{endpoint_name}-relation-departed")]
    fn departed(&self) -> Result<(), MagpieError> {
        let Some(conv) = self.join_current()? else {
            return Ok(());
        };
        self.remove_from_flag("joined", &conv.key())?;
        self.add_to_flag("departed", &conv.key())?;
        let key = conv.key();
        let unit = conv.unit.clone();
        self.ctx()
            .atexit(format!("magpie depart {unit}"), move |ctx: &HookContext| {
                conversation::depart(ctx, &key, &unit)
            });
        Ok(())
    }
}

impl MagpiePeers<'_> {
    fn flag(&self, suffix: &str) -> String {
        format!("{}.{suffix}", self.name())
    }

    fn convs(&self) -> Conversations<'_> {
        Conversations::new(self.ctx(), self.name())
    }

    fn add_to_flag(&self, suffix: &str, key: &str) -> Result<(), MagpieError> {
        self.convs().set(&self.flag(suffix), key)?;
        Ok(())
    }

    fn remove_from_flag(&self, suffix: &str, key: &str) -> Result<(), MagpieError> {
        self.convs().remove(&self.flag(suffix), |k| k == key)?;
        Ok(())
    }

    /// Add the hook's remote unit to its conversation (charms.reactive's
    /// `Conversation.join`); `None` outside a relation hook of this
    /// endpoint with a remote unit.
    fn join_current(&self) -> Result<Option<Conversation>, MagpieError> {
        let juju = self.ctx().juju();
        let env = juju.env();
        let (Some(relation), Some(unit)) = (&env.relation_id, &env.remote_unit) else {
            return Ok(None);
        };
        if relation.endpoint != self.name() {
            return Ok(None);
        }
        Ok(Some(self.convs().join(relation, unit)?))
    }

    /// The peers holding `{endpoint_name}.joined`, in the order they
    /// joined: those the other methods act on. A conversation listed in
    /// the flag but no longer stored (its unit departed) is left out.
    pub fn conversations(&self) -> Result<Vec<Conversation>, MagpieError> {
        let convs = self.convs();
        Ok(convs
            .holders(&self.flag("joined"))
            .iter()
            .filter_map(|key| convs.load(key))
            .collect())
    }

    /// Clear `{endpoint_name}.joined` for every peer holding it, so that
    /// the charm reacts to the next peer joining.
    pub fn dismiss_joined(&self) -> Result<(), MagpieError> {
        self.ctx().flags().clear(self.flag("joined"));
        Ok(())
    }

    /// Put every peer now in the relation back in
    /// `{endpoint_name}.joined`, as if each had just joined (charms.reactive's
    /// `Conversation.set_state` on each peer's conversation), so that the
    /// charm handles them all again: after a change of how peers are
    /// checked, for example. Returns how many peers hold the flag for it.
    pub fn rejoin_all(&self) -> Result<usize, MagpieError> {
        let juju = self.ctx().juju();
        let mut rejoined = 0;
        for relation in juju.relation_ids(self.name())?.iter() {
            for unit in juju.relation_units(relation)?.iter() {
                let conv = self.convs().join(relation, unit)?;
                self.remove_from_flag("departed", &conv.key())?;
                self.add_to_flag("joined", &conv.key())?;
                rejoined += 1;
            }
        }
        Ok(rejoined)
    }

    /// Take the peer `unit` out of `{endpoint_name}.joined` (the flag is
    /// cleared with its last holder). Returns whether `unit` held it.
    pub fn dismiss_joined_unit(&self, unit: &str) -> Result<bool, MagpieError> {
        self.dismiss_unit("joined", unit)
    }

    /// Take the peer `unit` out of `{endpoint_name}.departed` (the flag is
    /// cleared with its last holder). Returns whether `unit` held it.
    pub fn dismiss_departed_unit(&self, unit: &str) -> Result<bool, MagpieError> {
        self.dismiss_unit("departed", unit)
    }

    fn dismiss_unit(&self, suffix: &str, unit: &str) -> Result<bool, MagpieError> {
        Ok(self.convs().remove(&self.flag(suffix), |key| {
            Conversation::from_key(key).is_some_and(|c| c.unit == unit)
        })?)
    }

    /// Clear `{endpoint_name}.departed` for every peer holding it, so that
    /// the charm reacts to the next peer departing. (The Python layer fails
    /// here once the departed peer's conversation is gone; see
    /// `docs/differences.md` (section Interface layers).)
    pub fn dismiss_departed(&self) -> Result<(), MagpieError> {
        self.ctx().flags().clear(self.flag("departed"));
        Ok(())
    }

    /// What the conversation's unit published under `key`, raw; `None`
    /// when it is unset or empty, or the unit is not (or no longer) in the
    /// relation (charms.reactive's `Conversation.get_remote`).
    pub fn get_remote(
        &self,
        conv: &Conversation,
        key: &str,
    ) -> Result<Option<String>, MagpieError> {
        let juju = self.ctx().juju();
        let env = juju.env();
        let departing = env.name().ends_with("-relation-departed")
            && env.relation_id.as_ref() == Some(&conv.relation)
            && env.remote_unit.as_deref() == Some(conv.unit.as_str());
        let listed = match juju.relation_units(&conv.relation) {
            Ok(units) => units.contains(&conv.unit),
            Err(_) => false,
        };
        if !listed && !departing {
            return Ok(None);
        }
        let data = juju.relation_data(&conv.relation, &DataBag::Unit(conv.unit.clone()))?;
        Ok(data.get(key).filter(|v| !v.is_empty()).cloned())
    }

    fn publish(
        &self,
        conv: &Conversation,
        key: &str,
        value: Option<String>,
    ) -> Result<(), MagpieError> {
        let juju = self.ctx().juju();
        juju.relation_set(&conv.relation, false, key, value);
        Ok(())
    }

    /// Every joined peer with its `private-address`, if valid (see
    /// [`Node`]).
    pub fn get_nodes(&self) -> Result<Vec<Node>, MagpieError> {
        self.nodes(None)
    }

    /// Every joined peer with the first address of its `iperf_addresses`
    /// inside `cidr` (IPv4 or IPv6, `addr/prefix`, a bare address, or IPv4
    /// `addr/netmask`), else its valid `private-address` (see [`Node`]).
    /// An invalid `cidr` is an error; advertised data that is not a JSON
    /// list of IP addresses is skipped with a warning, per entry.
    pub fn get_nodes_by_cidr(&self, cidr: &str) -> Result<Vec<Node>, MagpieError> {
        let network = Cidr::parse(cidr)?;
        self.nodes(Some(&network))
    }

    fn nodes(&self, network: Option<&Cidr>) -> Result<Vec<Node>, MagpieError> {
        let mut out = Vec::new();
        for conv in self.conversations()? {
            let mut address = None;
            if let Some(network) = network
                && let Some(raw) = self.get_remote(&conv, IPERF_ADDRESSES)?
            {
                address = self.address_in(&conv, &raw, network);
            }
            if address.is_none() {
                address = self.private_address(&conv)?;
            }
            out.push(Node {
                unit: conv.unit,
                address,
            });
        }
        Ok(out)
    }

    /// The peer's `private-address` if it is an IP address or a host name
    /// (Juju gives either); anything else is logged and treated as absent,
    /// so that it never reaches a command line.
    fn private_address(&self, conv: &Conversation) -> Result<Option<String>, MagpieError> {
        let Some(raw) = self.get_remote(conv, "private-address")? else {
            return Ok(None);
        };
        if Address::parse(&raw).is_some() {
            return Ok(Some(raw));
        }
        let refused = InvalidPeerValue::new(
            &conv.unit,
            "private-address",
            Some(&raw),
            Reason::Expected("an IP address or a host name"),
        );
        self.ctx().log(Level::Warning, &refused.to_string());
        Ok(None)
    }

    fn address_in(&self, conv: &Conversation, raw: &str, network: &Cidr) -> Option<String> {
        let warn = |what: String| {
            self.ctx().log(
                Level::Warning,
                &format!(
                    "{} published {IPERF_ADDRESSES} = {}: {what}",
                    conv.unit,
                    shown(raw)
                ),
            );
        };
        let entries = match serde_json::from_str::<Value>(raw) {
            Ok(Value::Array(entries)) => entries,
            Ok(_) => {
                warn("not a JSON list, ignored".to_owned());
                return None;
            }
            Err(e) => {
                warn(format!("not JSON ({e}), ignored"));
                return None;
            }
        };
        for entry in entries {
            let Value::String(text) = entry else {
                warn(format!(
                    "entry {} is not a string, skipped",
                    shown(&entry.to_string())
                ));
                continue;
            };
            // An address, not a network: `10.0.0.1/8` is refused too.
            match text.parse::<IpAddr>() {
                Ok(ip) if network.net().contains(&ip) => return Some(text),
                Ok(_) => {}
                Err(_) => warn(format!(
                    "entry {} is not an IP address, skipped",
                    shown(&text)
                )),
            }
        }
        None
    }

    /// Publish `iperf.checked`: for each joined peer in turn, what it
    /// published under `iperf.checked` (`None` if nothing) followed by a
    /// space and its unit name, the whole list written as Python's
    /// `str(list)` (`['None magpie/1', 'None magpie/2']`), as the Python
    /// layer does.
    pub fn set_iperf_checked(&self) -> Result<(), MagpieError> {
        let mut postnode = Vec::new();
        for conv in self.conversations()? {
            let prenode = self.get_remote(&conv, IPERF_CHECKED)?;
            postnode.push(format!(
                "{} {}",
                prenode.as_deref().unwrap_or("None"),
                conv.unit
            ));
            self.publish(&conv, IPERF_CHECKED, Some(python_list_repr(&postnode)))?;
        }
        Ok(())
    }

    /// What each joined peer published under `iperf.checked`, raw.
    pub fn get_iperf_checked(&self) -> Result<Vec<Option<String>>, MagpieError> {
        self.conversations()?
            .iter()
            .map(|conv| self.get_remote(conv, IPERF_CHECKED))
            .collect()
    }

    /// Whether `unit` appears in what any joined peer published under
    /// `iperf.checked` (the Magpie charm's test: `unit in value`).
    pub fn is_iperf_checked(&self, unit: &str) -> Result<bool, MagpieError> {
        Ok(self
            .get_iperf_checked()?
            .iter()
            .flatten()
            .any(|v| v.contains(unit)))
    }

    /// Publish `iperf.server` = `True`: this unit's iperf server listens.
    pub fn set_iperf_server_ready(&self) -> Result<(), MagpieError> {
        for conv in self.conversations()? {
            self.publish(&conv, IPERF_SERVER, Some("True".to_owned()))?;
        }
        Ok(())
    }

    /// Stop publishing `iperf.server.checked`: the Python layer sets it to
    /// `None`, which removes it (see `docs/differences.md` (section Interface layers)).
    pub fn set_iperf_server_checked(&self) -> Result<(), MagpieError> {
        for conv in self.conversations()? {
            self.publish(&conv, IPERF_SERVER_CHECKED, None)?;
        }
        Ok(())
    }

    /// The joined peers that published a non-empty `iperf.server`, with
    /// their `private-address` if valid (see [`Node`]).
    pub fn check_ready_iperf_servers(&self) -> Result<Vec<Node>, MagpieError> {
        let mut out = Vec::new();
        for conv in self.conversations()? {
            if self.get_remote(&conv, IPERF_SERVER)?.is_some() {
                let address = self.private_address(&conv)?;
                out.push(Node {
                    unit: conv.unit,
                    address,
                });
            }
        }
        Ok(out)
    }

    /// Publish `addresses` as `iperf_addresses` to every joined peer: their
    /// text forms sorted as strings, as a JSON list
    /// (`["10.0.0.10", "10.0.0.9"]`), as the Python layer publishes the
    /// host's IPv4 addresses. Returns the value published.
    pub fn advertise_addresses(&self, addresses: &[IpAddr]) -> Result<String, MagpieError> {
        let value = addresses_value(addresses);
        for conv in self.conversations()? {
            self.publish(&conv, IPERF_ADDRESSES, Some(value.clone()))?;
        }
        Ok(value)
    }

    /// [`advertise_addresses`](Self::advertise_addresses) with the
    /// addresses Juju knows for this endpoint's binding: the bind
    /// addresses of `network-get <endpoint>`, else `unit-get
    /// private-address`. Returns the value published.
    pub fn advertise_juju_addresses(&self) -> Result<String, MagpieError> {
        let juju = self.ctx().juju();
        let mut addresses = Vec::new();
        match network::network_info(&juju, self.name(), None) {
            Ok(info) => {
                for bind in &info.bind_addresses {
                    for a in &bind.addresses {
                        match a.value.ip() {
                            Some(ip) if !addresses.contains(&ip) => addresses.push(ip),
                            Some(_) => {}
                            None => self.ctx().log(
                                Level::Warning,
                                &format!(
                                    "network-get {}: address {:?} is not an IP address, skipped",
                                    self.name(),
                                    a.value.to_string()
                                ),
                            ),
                        }
                    }
                }
            }
            Err(e) => self
                .ctx()
                .log(Level::Warning, &format!("{e}; using unit-get")),
        }
        if addresses.is_empty() {
            let private = juju.unit_get("private-address")?;
            match private.parse::<IpAddr>() {
                Ok(ip) => addresses.push(ip),
                Err(_) => self.ctx().log(
                    Level::Warning,
                    &format!("unit-get private-address = {private:?} is not an address"),
                ),
            }
        }
        self.advertise_addresses(&addresses)
    }
}

/// The `iperf_addresses` value for `addresses`: text forms sorted as
/// strings, Python's `json.dumps(sorted(addrs))`.
///
/// ```
/// use charm_interfaces::magpie::addresses_value;
/// let addrs = ["10.0.0.9".parse().unwrap(), "10.0.0.10".parse().unwrap()];
/// assert_eq!(addresses_value(&addrs), r#"["10.0.0.10", "10.0.0.9"]"#);
/// ```
pub fn addresses_value(addresses: &[IpAddr]) -> String {
    let mut texts: Vec<String> = addresses.iter().map(ToString::to_string).collect();
    texts.sort();
    python_json::dumps_str_list(&texts)
}

/// An IP network as `netaddr.IPNetwork` reads one: an address, optionally
/// followed by `/prefix` (decimal) or, for IPv4, `/netmask` or
/// `/hostmask` in dotted form. The address may have host bits set. An
/// [`IpNet`] inside ([`Cidr::net`]), which does the arithmetic.
///
/// ```
/// use charm_interfaces::magpie::Cidr;
/// let net = Cidr::parse("10.0.0.0/8").unwrap();
/// assert!(net.contains(&Cidr::parse("10.1.2.3").unwrap()));
/// assert!(!net.contains(&Cidr::parse("2001:db8::1").unwrap()));
/// assert_eq!(Cidr::parse("10.0.0.0/255.0.0.0").unwrap(), net);
/// assert!(Cidr::parse("10.0.0.0/33").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr(IpNet);

impl Cidr {
    /// Parse `text`; the error names it and says what is wrong.
    pub fn parse(text: &str) -> Result<Self, MagpieError> {
        let err = |reason: &str| MagpieError::InvalidCidr {
            cidr: text.to_owned(),
            reason: reason.to_owned(),
        };
        let (addr, mask) = match text.split_once('/') {
            Some((a, m)) => (a, Some(m)),
            None => (text, None),
        };
        let address: IpAddr = addr
            .parse()
            .map_err(|_| err("not an IPv4 or IPv6 address"))?;
        let max: u8 = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match mask {
            None => max,
            Some(m) if !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()) => {
                // Leading zeros allowed, as netaddr does.
                match m.parse::<u32>() {
                    Ok(p) if p <= u32::from(max) => p as u8,
                    _ => return Err(err(&format!("prefix length above {max}"))),
                }
            }
            Some(m) => match (address, m.parse::<Ipv4Addr>()) {
                (IpAddr::V4(_), Ok(mask)) => ipnet::ipv4_mask_to_prefix(mask)
                    .or_else(|_| ipnet::ipv4_mask_to_prefix(!mask))
                    .map_err(|_| err("the netmask is not contiguous"))?,
                _ => return Err(err("the prefix is not a number of bits")),
            },
        };
        IpNet::new(address, prefix)
            .map(Self)
            .map_err(|e| err(&e.to_string()))
    }

    /// The address as written (host bits kept).
    pub fn address(&self) -> IpAddr {
        self.0.addr()
    }

    /// The prefix length.
    pub fn prefix(&self) -> u8 {
        self.0.prefix_len()
    }

    /// The network as an [`IpNet`].
    pub fn net(&self) -> IpNet {
        self.0
    }

    /// Whether `other` (an address or a network) lies inside this network;
    /// never across IPv4 and IPv6.
    pub fn contains(&self, other: &Cidr) -> bool {
        self.0.contains(&other.0)
    }
}

impl From<IpNet> for Cidr {
    fn from(net: IpNet) -> Self {
        Self(net)
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Python's `repr(text)` for a `str`: single quotes unless the text has a
/// single quote and no double quote, backslash escapes for the quote,
/// backslash and control characters, printable non-ASCII kept as is.
///
/// ```
/// use charm_interfaces::magpie::python_str_repr;
/// assert_eq!(python_str_repr("None magpie/1"), "'None magpie/1'");
/// assert_eq!(python_str_repr("it's"), "\"it's\"");
/// assert_eq!(python_str_repr("a\tb\\"), r"'a\tb\\'");
/// ```
pub fn python_str_repr(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !is_printable(c) => {
                let n = u32::from(c);
                if n < 0x100 {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n < 0x10000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `str(list_of_str)`: `['a', 'b']`.
///
/// ```
/// use charm_interfaces::magpie::python_list_repr;
/// assert_eq!(python_list_repr(&["None magpie/1", "None magpie/2"]), "['None magpie/1', 'None magpie/2']");
/// assert_eq!(python_list_repr::<&str>(&[]), "[]");
/// ```
pub fn python_list_repr<S: AsRef<str>>(items: &[S]) -> String {
    let parts: Vec<String> = items.iter().map(|s| python_str_repr(s.as_ref())).collect();
    format!("[{}]", parts.join(", "))
}

/// `str.isprintable()` for one character, for the characters a relation
/// value plausibly holds: control and format characters, separators other
/// than the space, private-use characters and noncharacters are not.
fn is_printable(c: char) -> bool {
    let n = u32::from(c);
    if c == ' ' {
        return true;
    }
    !(c.is_control()
        || c.is_whitespace()
        || matches!(n,
            0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x890..=0x891 | 0x8E2
            | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064
            | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD
            | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F
            | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF | 0xFDD0..=0xFDEF)
        || n & 0xFFFE == 0xFFFE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_parsing_follows_netaddr() {
        for ok in [
            "10.0.0.0/8",
            "10.0.0.1",
            "10.0.0.0/08",
            "10.0.0.0/255.0.0.0",
            "10.0.0.0/0.255.255.255",
            "2001:db8::/32",
            "::/0",
            "::ffff:10.0.0.1/128",
        ] {
            Cidr::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        for bad in [
            "",
            "10/8",
            "10.0.0/8",
            "10.0.0.1/33",
            "2001:db8::/129",
            "10.0.0.0/",
            "10.0.0.0/255.0.255.0",
            " 10.0.0.0/8",
            "fe80::1%eth0",
            "010.0.0.1",
            "garbage",
        ] {
            let e = Cidr::parse(bad).unwrap_err().to_string();
            assert!(e.contains(&format!("{bad:?}")), "{e}");
        }
        assert_eq!(Cidr::parse("10.0.0.0/0.255.255.255").unwrap().prefix(), 8);
        let c = Cidr::parse("10.1.2.3/255.255.0.0").unwrap();
        assert_eq!(
            (c.address().to_string(), c.prefix()),
            ("10.1.2.3".into(), 16)
        );
        assert_eq!(c.to_string(), "10.1.2.3/16");
    }

    #[test]
    fn containment() {
        let c = |s| Cidr::parse(s).unwrap();
        assert!(c("0.0.0.0/0").contains(&c("255.255.255.255")));
        assert!(c("::/0").contains(&c("2001:db8::11")));
        assert!(!c("::/0").contains(&c("10.0.0.1")));
        assert!(c("192.168.1.11").contains(&c("192.168.1.11")));
        assert!(c("10.0.0.5/24").contains(&c("10.0.0.200")));
        assert!(!c("10.0.0.0/24").contains(&c("10.0.0.0/16")));
        assert!(c("10.0.0.0/16").contains(&c("10.0.1.0/24")));
        assert!(!c("172.16.0.0/12").contains(&c("172.32.0.1")));
        assert!(c("2001:db8::/64").contains(&c("2001:db8::ffff:1")));
        assert!(!c("2001:db8::/64").contains(&c("2001:db8:0:1::1")));
    }

    #[test]
    fn repr_matches_python() {
        assert_eq!(
            python_list_repr(&[
                "['None magpie/0'] magpie/1",
                "it's \"quoted\" magpie/2",
                "caf\u{e9}\ttab\\ magpie/3"
            ]),
            r#"["['None magpie/0'] magpie/1", 'it\'s "quoted" magpie/2', 'café\ttab\\ magpie/3']"#
        );
        assert_eq!(
            python_str_repr("\u{0}\u{7f}\u{a0}\u{2028}"),
            r"'\x00\x7f\xa0\u2028'"
        );
        assert_eq!(python_str_repr("\u{10ffff}"), r"'\U0010ffff'");
        assert_eq!(python_str_repr("日本"), "'日本'");
    }

    #[test]
    fn addresses_sort_as_strings() {
        let addrs: Vec<IpAddr> = ["192.168.1.5", "10.0.0.9", "127.0.0.1", "10.0.0.10"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(
            addresses_value(&addrs),
            r#"["10.0.0.10", "10.0.0.9", "127.0.0.1", "192.168.1.5"]"#
        );
        assert_eq!(addresses_value(&[]), "[]");
    }
}
