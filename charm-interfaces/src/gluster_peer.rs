//! The `gluster-peer` interface (peers role): the units of a GlusterFS
//! application tell each other which address to probe them on and which
//! storage bricks they offer.
//!
//! Wire format (each unit's databag, raw strings as the Python layer
//! writes them):
//!
//! | key | value |
//! | --- | --- |
//! | `<type>-address` | the address of the unit on the `<type>` network ([`GlusterPeers::set_address`]): an IP address or a host name ([`valid_address`]; a peer's other values are logged and ignored) |
//! | `bricks` | a JSON list of brick paths, `json.dumps(list)` ([`GlusterPeers::set_bricks`]) |
//! | `private-address` | set by Juju |
//!
//! Flags, kept per remote unit as charms.reactive's `RelationBase`
//! conversations keep them (each flag's value is
//! `{"conversations": [...], "relation": "<endpoint>"}`, one conversation
//! `reactive.conversations.<relation id>.<unit>` per remote unit):
//!
//! - `{endpoint_name}.connected`: a peer joined; publish with
//!   [`GlusterPeers::set_address`] and [`GlusterPeers::set_bricks`].
//! - `{endpoint_name}.available`: a peer has published its
//!   `private-address` and its bricks; read them with
//!   [`GlusterPeers::get_peer_info`], [`GlusterPeers::ip_map`],
//!   [`GlusterPeers::brick_map`].
//! - `{endpoint_name}.departed`: a peer left the relation.
//! - `{endpoint_name}.bricks.available`: a peer advertises a brick it did
//!   not advertise before.
//! - `{endpoint_name}.bricks.removed`: a peer no longer advertises a brick
//!   it advertised before.
//!
//! `departed`, `bricks.available` and `bricks.removed` are events
//! ([`PeerEvent`]): the interface sets them, per peer, and never clears
//! them. The charm acknowledges them once handled, for one peer
//! ([`GlusterPeers::acknowledge`], the flag staying set while another peer
//! holds it, as charms.reactive's `conversation.remove_state` does) or for
//! all ([`GlusterPeers::acknowledge_all`]); [`GlusterPeers::pending`] lists
//! the peers an event is pending for. Where this differs from the Python layer (brick comparison,
//! the `departed` flag, `available` after a departure, ...) is listed in
//! `docs/differences.md` (section Interface layers).
//!
//! ```
//! use charm_interfaces::gluster_peer::GlusterPeers;
//! use charm_macros::when;
//! use charm_runtime::Flags;
//!
//! /// Advertise this unit to its peers.
//! #[when("cluster.connected")]
//! fn advertise(peers: &GlusterPeers) -> Result<(), charm_interfaces::gluster_peer::GlusterPeerError> {
//!     peers.set_address("internal", "10.0.0.10")?;
//!     peers.set_bricks(&["/dev/vdb"])?;
//!     Ok(())
//! }
//!
//! /// Create the volume once bricks appear.
//! #[when("cluster.bricks.available")]
//! fn bricks(peers: &GlusterPeers, flags: Flags) -> Result<(), charm_interfaces::gluster_peer::GlusterPeerError> {
//!     for (unit, bricks) in peers.brick_map()? {
//!         println!("{unit}: {bricks:?}");
//!     }
//!     flags.clear("cluster.bricks.available");
//!     Ok(())
//! }
//! # fn main() {}
//! ```

use std::collections::{BTreeMap, BTreeSet};

use charm_macros::{hook, interface};
use charm_runtime::backend::{DataBag, RelationId, ToolError};
use charm_runtime::endpoint::Endpoint;
use charm_runtime::juju::Juju;
use charm_runtime::{HookContext, Level, StateError};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::conversation::{CONVERSATION_PREFIX, Conversation, Conversations, conversation_key};
use crate::peer_input::{InvalidPeerValue, Reason, shown};

/// What went wrong in the `gluster-peer` interface.
#[derive(Debug, thiserror::Error)]
pub enum GlusterPeerError {
    /// A hook tool failed.
    #[error("gluster-peer: {0}")]
    Tool(#[from] ToolError),
    /// The unit state could not be read or written.
    #[error("gluster-peer: {0}")]
    State(#[from] StateError),
    /// An argument given by the charm is not valid.
    #[error("gluster-peer: invalid {what}: {reason}")]
    InvalidArgument {
        /// Which argument.
        what: &'static str,
        /// Why it is refused.
        reason: String,
    },
}

/// What a unit of the cluster offers: its address and its bricks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerInfo {
    /// Its address under the key asked for, if it published a valid one.
    pub address: Option<String>,
    /// Its bricks (device paths), in the order it published them.
    pub bricks: Vec<String>,
}

/// The `gluster-peer` interface, peers role: the Rust form of the Python
/// layer's `GlusterPeers` (`peers.py`).
#[interface("gluster-peer", role = "peers")]
pub struct GlusterPeers<'a>(Endpoint<'a>);

/// An event flag the interface sets per peer and the charm acknowledges,
/// per peer ([`GlusterPeers::acknowledge`]) or for all
/// ([`GlusterPeers::acknowledge_all`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeerEvent {
    /// `{endpoint_name}.bricks.available`: the peer advertises a brick it
    /// did not advertise before.
    BricksAvailable,
    /// `{endpoint_name}.bricks.removed`: the peer no longer advertises a
    /// brick it advertised before.
    BricksRemoved,
    /// `{endpoint_name}.departed`: the peer left.
    Departed,
}

impl PeerEvent {
    /// The flag's name template.
    fn template(self) -> &'static str {
        match self {
            Self::BricksAvailable => BRICKS_AVAILABLE,
            Self::BricksRemoved => BRICKS_REMOVED,
            Self::Departed => DEPARTED,
        }
    }

    /// The flag for the endpoint `endpoint_name`.
    ///
    /// ```
    /// use charm_interfaces::gluster_peer::PeerEvent;
    /// assert_eq!(PeerEvent::BricksRemoved.flag("server"), "server.bricks.removed");
    /// ```
    pub fn flag(self, endpoint_name: &str) -> String {
        self.template().replace("{endpoint_name}", endpoint_name)
    }
}

const CONNECTED: &str = "{endpoint_name}.connected";
const AVAILABLE: &str = "{endpoint_name}.available";
const DEPARTED: &str = "{endpoint_name}.departed";
const BRICKS_AVAILABLE: &str = "{endpoint_name}.bricks.available";
const BRICKS_REMOVED: &str = "{endpoint_name}.bricks.removed";

/// The bricks of a `bricks` value: a JSON list of strings. Anything else
/// is an error naming what was found.
pub fn parse_bricks(raw: &str) -> Result<Vec<String>, String> {
    match serde_json::from_str::<Value>(raw) {
        Ok(Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::String(s) => Ok(s),
                other => Err(format!("brick {other} is not a string")),
            })
            .collect(),
        Ok(other) => Err(format!("{other} is not a list")),
        Err(e) => Err(format!("not JSON ({e})")),
    }
}

/// How the bricks of a peer changed: `(new, gone)`, compared as sets of
/// brick paths (order and duplicates do not count).
///
/// ```
/// use charm_interfaces::gluster_peer::brick_changes;
/// let (new, gone) = brick_changes(&["/dev/sdb", "/dev/sdc"], &["/dev/sdc", "/dev/sdd"]);
/// assert_eq!(new, ["/dev/sdd"]);
/// assert_eq!(gone, ["/dev/sdb"]);
/// ```
pub fn brick_changes<'b, S: AsRef<str>>(
    before: &'b [S],
    now: &'b [S],
) -> (Vec<&'b str>, Vec<&'b str>) {
    let before: BTreeSet<&str> = before.iter().map(AsRef::as_ref).collect();
    let now: BTreeSet<&str> = now.iter().map(AsRef::as_ref).collect();
    (
        now.difference(&before).copied().collect(),
        before.difference(&now).copied().collect(),
    )
}

/// Whether `address` is one a peer can be probed on
/// (`gluster peer probe <address>`): an IP address or a DNS host name
/// ([`charm_runtime::network::is_host`]). What is neither (`a:b`, `-rf`,
/// text with spaces or control characters) is refused, so that it never
/// reaches a command line as an option or as two arguments.
///
/// ```
/// use charm_interfaces::gluster_peer::valid_address;
/// assert!(valid_address("10.0.0.1"));
/// assert!(valid_address("fd00::1"));
/// assert!(valid_address("node-1.example.com"));
/// for bad in ["", "a:b", "-rf", "10.0.0.1 10.0.0.2", "a\nb"] {
///     assert!(!valid_address(bad), "{bad:?}");
/// }
/// ```
pub fn valid_address(address: &str) -> bool {
    charm_runtime::network::is_host(address)
}

/// Whether `address_type` can name a network in `<type>-address`:
/// lowercase ASCII letters, digits and hyphens, starting with a letter.
fn valid_address_type(address_type: &str) -> bool {
    charm_names::is_relation_name(address_type)
}

#[interface]
impl<'a> GlusterPeers<'a> {
    fn ctx(&self) -> &'a HookContext {
        self.0.ctx()
    }

    fn juju(&self, _what: &str) -> Result<std::rc::Rc<Juju>, ToolError> {
        Ok(self.ctx().juju())
    }

    fn warn(&self, message: &str) {
        self.ctx().log(Level::Warning, message);
    }

    // ---- conversation-scoped flags ----

    fn convs(&self) -> Conversations<'_> {
        Conversations::new(self.ctx(), self.0.name())
    }

    fn conv_set(&self, flag: &str, key: &str) -> Result<(), StateError> {
        self.convs().set(&self.expand_name(flag), key)
    }

    /// Remove the conversations `drop` selects from `flag`, clearing it
    /// when none is left.
    fn conv_remove(&self, flag: &str, drop: impl Fn(&str) -> bool) -> Result<bool, StateError> {
        self.convs().remove(&self.expand_name(flag), drop)
    }

    /// Drop from `connected` and `available` the conversations whose record
    /// is gone: units that departed while a Python layer, which leaves
    /// them in `available`, ran this unit.
    fn prune(&self) -> Result<(), StateError> {
        let convs = self.convs();
        let gone = |k: &str| !convs.is_recorded(k);
        self.conv_remove(CONNECTED, gone)?;
        self.conv_remove(AVAILABLE, gone)?;
        Ok(())
    }

    /// The relation and remote unit of the running relation hook.
    fn current(&self) -> Result<Option<(RelationId, String)>, ToolError> {
        let juju = self.juju("relation hook")?;
        let env = juju.env();
        Ok(match (&env.relation_id, &env.remote_unit) {
            (Some(r), Some(u)) => Some((r.clone(), u.clone())),
            _ => None,
        })
    }

    /// Record the conversation with `unit` (charms.reactive's
    /// `Conversation.join`); its key.
    fn join(&self, relation: &RelationId, unit: &str) -> Result<String, StateError> {
        Ok(self.convs().join(relation, unit)?.key())
    }

    /// The raw value `unit` published under `key`, `None` when absent or
    /// empty (charms.reactive's `get_remote`).
    fn remote_raw(
        &self,
        relation: &RelationId,
        unit: &str,
        key: &str,
    ) -> Result<Option<String>, ToolError> {
        let data = self
            .juju("relation-get")?
            .relation_data(relation, &DataBag::Unit(unit.to_owned()))?;
        Ok(data.get(key).filter(|v| !v.is_empty()).cloned())
    }

    /// The bricks `unit` published; invalid values are logged and treated
    /// as absent.
    fn remote_bricks(
        &self,
        relation: &RelationId,
        unit: &str,
    ) -> Result<Option<(String, Vec<String>)>, ToolError> {
        let Some(raw) = self.remote_raw(relation, unit, "bricks")? else {
            return Ok(None);
        };
        match parse_bricks(&raw) {
            Ok(bricks) => Ok(Some((raw, bricks))),
            Err(why) => {
                self.warn(&format!(
                    "gluster-peer: {unit} on {relation} published bricks {}: {why}; ignored",
                    shown(&raw)
                ));
                Ok(None)
            }
        }
    }

    /// The address `unit` published under `key`; invalid values are logged
    /// and treated as absent.
    fn remote_address(
        &self,
        relation: &RelationId,
        unit: &str,
        key: &str,
    ) -> Result<Option<String>, ToolError> {
        let Some(raw) = self.remote_raw(relation, unit, key)? else {
            return Ok(None);
        };
        if valid_address(&raw) {
            Ok(Some(raw))
        } else {
            self.warn(&format!(
                "gluster-peer: {relation}: {}",
                InvalidPeerValue::new(
                    unit,
                    key,
                    Some(&raw),
                    Reason::Expected("an IP address or a host name")
                )
            ));
            Ok(None)
        }
    }

    /// The bricks last seen from the peer of conversation `key`.
    fn known_bricks(&self, key: &str) -> Vec<String> {
        let local = format!("{key}.local-data.bricks");
        let value = match self.ctx().kv().get::<Value>(&local) {
            Ok(v) => v,
            Err(e) => {
                self.warn(&format!("gluster-peer: {e}; treated as no bricks"));
                None
            }
        };
        match value {
            // The layer stores the raw JSON text it received...
            Some(Value::String(raw)) => parse_bricks(&raw).unwrap_or_else(|why| {
                self.warn(&format!(
                    "gluster-peer: stored bricks {raw:?} of {key}: {why}; treated as no bricks"
                ));
                Vec::new()
            }),
            // ... or `[]` when there was none.
            Some(Value::Array(items)) => items
                .into_iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Whether the peer published its `private-address` and (valid) bricks
    /// (an invalid address is left out of [`Self::ip_map`], not here, as
    /// the Python layer's availability counts any address).
    fn data_complete(&self, relation: &RelationId, unit: &str) -> Result<bool, ToolError> {
        Ok(self
            .remote_raw(relation, unit, "private-address")?
            .is_some()
            && self.remote_bricks(relation, unit)?.is_some())
    }

    // ---- handlers ----

    /// A peer joined: its conversation is connected.
    #[hook("{endpoint_name}-relation-joined")]
    fn joined(&self) -> Result<(), GlusterPeerError> {
        let Some((relation, unit)) = self.current()? else {
            return Ok(());
        };
        let key = self.join(&relation, &unit)?;
        self.conv_set(CONNECTED, &key)?;
        self.prune()?;
        Ok(())
    }

    /// A peer's data changed: compare its bricks with those seen before,
    /// and mark it available once its address and bricks are known.
    #[hook("{endpoint_name}-relation-changed")]
    fn changed(&self) -> Result<(), GlusterPeerError> {
        let Some((relation, unit)) = self.current()? else {
            return Ok(());
        };
        let key = self.join(&relation, &unit)?;
        let before = self.known_bricks(&key);
        let remote = self.remote_bricks(&relation, &unit)?;
        let now = remote.as_ref().map(|(_, b)| b.as_slice()).unwrap_or(&[]);
        let (new, gone) = brick_changes(&before, now);
        if !gone.is_empty() {
            self.conv_set(BRICKS_REMOVED, &key)?;
        }
        if !new.is_empty() {
            self.conv_set(BRICKS_AVAILABLE, &key)?;
        }
        // Stored as the layer stores it: the raw text, or `[]`.
        let local = format!("{key}.local-data.bricks");
        match &remote {
            Some((raw, _)) => self.ctx().kv().set(&local, raw)?,
            None => self.ctx().kv().set(&local, &Vec::<String>::new())?,
        }
        if self.data_complete(&relation, &unit)? {
            self.conv_set(AVAILABLE, &key)?;
        }
        self.prune()?;
        Ok(())
    }

    /// A peer left: it is neither connected nor available any more, and
    /// `departed` is set.
    #[hook("{endpoint_name}-relation-departed")]
    fn departed(&self) -> Result<(), GlusterPeerError> {
        let Some((relation, unit)) = self.current()? else {
            return Ok(());
        };
        let key = conversation_key(&relation, &unit);
        self.conv_remove(CONNECTED, |k| k == key)?;
        self.conv_remove(AVAILABLE, |k| k == key)?;
        self.conv_set(DEPARTED, &key)?;
        self.convs().forget(&key)?;
        self.prune()?;
        Ok(())
    }

    /// The relation is gone: forget every conversation of it.
    #[hook("{endpoint_name}-relation-broken")]
    fn broken(&self) -> Result<(), GlusterPeerError> {
        let Some(relation) = self.juju("relation-broken")?.env().relation_id.clone() else {
            return Ok(());
        };
        let prefix = format!("{CONVERSATION_PREFIX}{relation}.");
        self.conv_remove(CONNECTED, |k| k.starts_with(&prefix))?;
        self.conv_remove(AVAILABLE, |k| k.starts_with(&prefix))?;
        self.ctx().kv().unsetrange(&prefix)?;
        Ok(())
    }

    // ---- what the charm calls ----

    /// The peer units holding `flag`, in the order they set it, each once.
    fn units_holding(&self, flag: &str) -> Vec<String> {
        let mut units: Vec<String> = Vec::new();
        for conv in self.convs().holding(&self.expand_name(flag)) {
            if !units.contains(&conv.unit) {
                units.push(conv.unit);
            }
        }
        units
    }

    /// The peer units `event` is pending for (holding its flag), in the
    /// order the interface set it for them. A departed unit stays listed
    /// under [`PeerEvent::Departed`] until acknowledged.
    pub fn pending(&self, event: PeerEvent) -> Vec<String> {
        self.units_holding(event.template())
    }

    /// Acknowledge `event` for the peer `unit` only, as charms.reactive's
    /// `conversation.remove_state(flag)` does in the Python layer: the
    /// flag stays set while another peer holds it, and is cleared with
    /// the last one. Returns whether `unit` held it (`false`: nothing to
    /// acknowledge).
    pub fn acknowledge(&self, event: PeerEvent, unit: &str) -> Result<bool, GlusterPeerError> {
        if unit.is_empty() {
            return Err(GlusterPeerError::InvalidArgument {
                what: "unit",
                reason: "the unit name is empty".to_owned(),
            });
        }
        Ok(self.conv_remove(event.template(), |key| {
            Conversation::from_key(key).is_some_and(|c| c.unit == unit)
        })?)
    }

    /// Acknowledge `event` for every peer: its flag is cleared.
    pub fn acknowledge_all(&self, event: PeerEvent) {
        self.ctx().flags().clear(self.expand_name(event.template()));
    }

    /// The peer units that are `available` (published their address and
    /// bricks), in the order they became so.
    pub fn available_units(&self) -> Vec<String> {
        self.units_holding(AVAILABLE)
    }

    /// Publish this unit's address on the `address_type` network under
    /// `<address_type>-address`, on every relation of the endpoint.
    pub fn set_address(&self, address_type: &str, address: &str) -> Result<(), GlusterPeerError> {
        if !valid_address_type(address_type) {
            return Err(GlusterPeerError::InvalidArgument {
                what: "address type",
                reason: format!(
                    "{} is not a network name (lowercase letters, digits and hyphens)",
                    shown(address_type)
                ),
            });
        }
        if !valid_address(address) {
            return Err(GlusterPeerError::InvalidArgument {
                what: "address",
                reason: format!(
                    "{} is neither an IP address nor a host name",
                    shown(address)
                ),
            });
        }
        for relation in self.relations()? {
            relation
                .to_publish_raw()
                .set(&format!("{address_type}-address"), address)?;
        }
        Ok(())
    }

    /// Publish this unit's bricks (`json.dumps(bricks)`) on every relation
    /// of the endpoint, and remember them for [`GlusterPeers::brick_map`].
    pub fn set_bricks<S: AsRef<str>>(&self, bricks: &[S]) -> Result<(), GlusterPeerError> {
        let text = charm_runtime::python_json::dumps_str_list(bricks);
        for relation in self.relations()? {
            relation.to_publish_raw().set("bricks", &text)?;
        }
        let list: Vec<&str> = bricks.iter().map(AsRef::as_ref).collect();
        self.ctx().kv().set(&self.local_bricks_key()?, &list)?;
        Ok(())
    }

    fn local_unit(&self) -> Result<String, ToolError> {
        Ok(self.juju("local unit")?.env().unit.clone())
    }

    fn local_bricks_key(&self) -> Result<String, ToolError> {
        Ok(format!("{}.bricks", self.local_unit()?.replace('/', "-")))
    }

    /// The bricks this unit set with [`GlusterPeers::set_bricks`].
    pub fn local_bricks(&self) -> Result<Vec<String>, GlusterPeerError> {
        let key = self.local_bricks_key()?;
        match self.ctx().kv().get::<Vec<String>>(&key) {
            Ok(v) => Ok(v.unwrap_or_default()),
            Err(e) => {
                self.warn(&format!("gluster-peer: {e}; treated as no bricks"));
                Ok(Vec::new())
            }
        }
    }

    /// This unit's address under `address_key`: what it published under
    /// that key, else its private address.
    fn local_address(&self, address_key: &str) -> Result<Option<String>, GlusterPeerError> {
        let juju = self.juju("unit-get")?;
        if address_key != "private-address" {
            for relation in self.relations()? {
                if let Some(a) = relation.to_publish_raw().get(address_key)?
                    && valid_address(&a)
                {
                    return Ok(Some(a));
                }
            }
        }
        let private = juju.unit_get("private-address")?;
        Ok(valid_address(&private).then_some(private))
    }

    /// Every unit of the cluster, this one included, by unit name
    /// (`glusterfs/1`): its address under `address_key`
    /// (`private-address`, `internal-address`, ...) and its bricks. Remote
    /// units are those joined now; a unit departing in this hook is left
    /// out.
    pub fn get_peer_info(
        &self,
        address_key: &str,
    ) -> Result<BTreeMap<String, PeerInfo>, GlusterPeerError> {
        let mut out = BTreeMap::new();
        for unit in self.all_joined_units()? {
            let relation = unit.relation_id();
            let info = PeerInfo {
                address: self.remote_address(relation, unit.name(), address_key)?,
                bricks: self
                    .remote_bricks(relation, unit.name())?
                    .map(|(_, b)| b)
                    .unwrap_or_default(),
            };
            out.insert(unit.name().to_owned(), info);
        }
        out.insert(
            self.local_unit()?,
            PeerInfo {
                address: self.local_address(address_key)?,
                bricks: self.local_bricks()?,
            },
        );
        Ok(out)
    }

    /// Unit name -> address under `address_key`, for every unit of the
    /// cluster (this one included) whose address is known.
    pub fn ip_map(&self, address_key: &str) -> Result<BTreeMap<String, String>, GlusterPeerError> {
        Ok(self
            .get_peer_info(address_key)?
            .into_iter()
            .filter_map(|(unit, info)| Some((unit, info.address?)))
            .collect())
    }

    /// Unit name -> bricks, for every unit of the cluster (this one
    /// included; a unit that published no bricks maps to an empty list).
    pub fn brick_map(&self) -> Result<BTreeMap<String, Vec<String>>, GlusterPeerError> {
        Ok(self
            .get_peer_info("private-address")?
            .into_iter()
            .map(|(unit, info)| (unit, info.bricks))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bricks_parse_as_a_list_of_strings() {
        assert_eq!(
            parse_bricks(r#"["/dev/sdb", "/dev/sdc"]"#).unwrap(),
            ["/dev/sdb", "/dev/sdc"]
        );
        assert_eq!(parse_bricks("[]").unwrap(), Vec::<String>::new());
        assert!(parse_bricks("/dev/sdb").unwrap_err().contains("not JSON"));
        assert!(
            parse_bricks(r#""/dev/sdb""#)
                .unwrap_err()
                .contains("not a list")
        );
        assert!(parse_bricks("[1]").unwrap_err().contains("not a string"));
    }

    #[test]
    fn bricks_compare_as_sets_of_paths() {
        // Adding a brick whose characters all appear already.
        let (new, gone) = brick_changes(
            &["/dev/sdb", "/dev/sdc"],
            &["/dev/sdb", "/dev/sdc", "/dev/sdbc"],
        );
        assert_eq!((new, gone), (vec!["/dev/sdbc"], vec![]));
        // Reordering is no change.
        let (new, gone) = brick_changes(&["/dev/sdb", "/dev/sdc"], &["/dev/sdc", "/dev/sdb"]);
        assert!(new.is_empty() && gone.is_empty());
        // Replacing: both.
        let (new, gone) = brick_changes(&["/dev/sdb"], &["/dev/sdd"]);
        assert_eq!((new, gone), (vec!["/dev/sdd"], vec!["/dev/sdb"]));
    }

    #[test]
    fn addresses_are_checked() {
        assert!(valid_address("10.0.0.1"));
        assert!(valid_address("node-1.example.com"));
        assert!(!valid_address(""));
        assert!(!valid_address("10.0.0.1 10.0.0.2"));
        assert!(!valid_address("a\nb"));
        assert!(!valid_address("a:b"));
        assert!(!valid_address("-rf"));
        assert!(!valid_address("node-1.example.com; rm -rf /"));
        assert!(valid_address_type("internal"));
        assert!(!valid_address_type("a b"));
        assert!(!valid_address_type("-rf"));
    }
}
