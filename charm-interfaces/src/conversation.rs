//! charms.reactive's conversations, unit scope: what a `RelationBase`
//! interface layer with `scope = scopes.UNIT` keeps in the unit's data,
//! byte for byte, so that a unit upgraded from the Python layer keeps its
//! peers and flags.
//!
//! - Each remote unit has a conversation, stored under
//!   `reactive.conversations.<relation id>.<unit>` as
//!   `{"namespace": "<relation id>", "scope": "<unit>", "units": ["<unit>"]}`
//!   ([`Conversation::key`]).
//! - A flag set through a conversation holds the list of conversations
//!   that set it: its value is
//!   `{"conversations": ["reactive.conversations.magpie:1.magpie/1"], "relation": "<endpoint>"}`.
//!   Removing a conversation from the flag clears the flag once none is left
//!   ([`Conversations::remove`]), as `Conversation.remove_state` does: each
//!   remote unit holds the flag until it is acknowledged for that unit.
//! - A conversation's local data lives under
//!   `reactive.conversations.<relation id>.<unit>.local-data.<key>`.
//!
//!
//! A `RelationBase` layer with `scope = scopes.GLOBAL` (rabbitmq,
//! mysql-shared, hacluster) has one conversation per endpoint,
//! `reactive.conversations.<endpoint>.global`, holding every remote unit
//! that ran a relation hook; [`GlobalConversation`] keeps it, its flags and
//! its local data under the same keys.
//!
//! ```
//! use charm_interfaces::conversation::Conversation;
//! let conv = Conversation::new("magpie:1".parse().unwrap(), "magpie/1");
//! assert_eq!(conv.key(), "reactive.conversations.magpie:1.magpie/1");
//! assert_eq!(Conversation::from_key(&conv.key()), Some(conv));
//! ```

use std::str::FromStr;

use charm_runtime::backend::RelationId;
use charm_runtime::{HookContext, Level, StateError};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The key prefix of conversations in the unit's key/value data.
pub const CONVERSATION_PREFIX: &str = "reactive.conversations.";

/// A unit-scoped conversation: one remote unit on one relation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Conversation {
    /// The relation (`magpie:1`).
    pub relation: RelationId,
    /// The remote unit (`magpie/1`).
    pub unit: String,
}

impl Conversation {
    /// The conversation with `unit` on `relation`.
    pub fn new(relation: RelationId, unit: impl Into<String>) -> Self {
        Self {
            relation,
            unit: unit.into(),
        }
    }

    /// Its key in the unit's key/value data
    /// (`reactive.conversations.magpie:1.magpie/1`).
    pub fn key(&self) -> String {
        conversation_key(&self.relation, &self.unit)
    }

    /// The conversation a key names; `None` when `key` is not
    /// `reactive.conversations.<relation id>.<unit>`.
    pub fn from_key(key: &str) -> Option<Self> {
        let rest = key.strip_prefix(CONVERSATION_PREFIX)?;
        let (relation, unit) = rest.split_once('.')?;
        if unit.is_empty() || unit.contains('.') {
            return None;
        }
        Some(Self {
            relation: RelationId::from_str(relation).ok()?,
            unit: unit.to_owned(),
        })
    }

    /// The key prefix of this conversation's local data
    /// (`<key>.local-data.`).
    pub fn local_data_prefix(&self) -> String {
        format!("{}.local-data.", self.key())
    }
}

/// The key of the conversation with `unit` on `relation`.
pub fn conversation_key(relation: &RelationId, unit: &str) -> String {
    format!("{CONVERSATION_PREFIX}{relation}.{unit}")
}

/// A conversation as stored (charms.reactive's `Conversation.serialize`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct StoredConversation {
    namespace: String,
    scope: String,
    units: Vec<String>,
}

/// The value of a conversation-scoped flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct FlagValue {
    conversations: Vec<String>,
    relation: String,
}

/// The conversations of one endpoint and the flags they hold.
#[derive(Clone, Copy)]
pub struct Conversations<'a> {
    ctx: &'a HookContext,
    relation_name: &'a str,
}

impl<'a> Conversations<'a> {
    /// The conversations of the endpoint `relation_name` (the `relation`
    /// recorded in the flags' values).
    pub fn new(ctx: &'a HookContext, relation_name: &'a str) -> Self {
        Self { ctx, relation_name }
    }

    fn warn(&self, message: &str) {
        self.ctx.log(Level::Warning, message);
    }

    fn value(&self, flag: &str) -> Option<FlagValue> {
        match self.ctx.flags().value::<FlagValue>(flag) {
            Ok(v) => v,
            Err(e) => {
                // Set by hand without a conversation list, or with another
                // shape: no conversation holds it (charms.reactive's
                // `if not value`).
                self.warn(&format!(
                    "flag {flag} has no conversation list, ignored: {e}"
                ));
                None
            }
        }
    }

    /// The keys of the conversations holding `flag`, in the order they set
    /// it. A flag set without a conversation list (by hand) has none; one
    /// whose value is not a conversation list is logged as a warning and has
    /// none.
    pub fn holders(&self, flag: &str) -> Vec<String> {
        self.value(flag)
            .map(|v| v.conversations)
            .unwrap_or_default()
    }

    /// The conversations holding `flag` that parse as
    /// `reactive.conversations.<relation id>.<unit>`, in the order they set
    /// it (a key that does not is logged as a warning and left out). Their
    /// records may be gone (a departed unit).
    pub fn holding(&self, flag: &str) -> Vec<Conversation> {
        self.holders(flag)
            .iter()
            .filter_map(|key| {
                let conv = Conversation::from_key(key);
                if conv.is_none() {
                    self.warn(&format!(
                        "flag {flag} lists {key:?}, which is not a conversation key: ignored"
                    ));
                }
                conv
            })
            .collect()
    }

    /// `flag` set for the conversation `key` (charms.reactive's
    /// `Conversation.set_state`).
    pub fn set(&self, flag: &str, key: &str) -> Result<(), StateError> {
        let mut value = self.value(flag).unwrap_or_else(|| FlagValue {
            conversations: Vec::new(),
            relation: self.relation_name.to_owned(),
        });
        if !value.conversations.iter().any(|k| k == key) {
            value.conversations.push(key.to_owned());
        }
        self.ctx.flags().set_value(flag, &value)
    }

    /// Remove the conversations `drop` selects from `flag`, clearing it
    /// when none is left (charms.reactive's `Conversation.remove_state`).
    /// A flag set without a conversation list stays as it is. Returns
    /// whether a conversation was removed.
    pub fn remove(&self, flag: &str, drop: impl Fn(&str) -> bool) -> Result<bool, StateError> {
        let Some(mut value) = self.value(flag) else {
            return Ok(false);
        };
        let before = value.conversations.len();
        value.conversations.retain(|k| !drop(k));
        if value.conversations.len() == before {
            return Ok(false);
        }
        if value.conversations.is_empty() {
            self.ctx.flags().clear(flag);
        } else {
            self.ctx.flags().set_value(flag, &value)?;
        }
        Ok(true)
    }

    /// Record `unit` in its conversation on `relation` (charms.reactive's
    /// `Conversation.join`). An unreadable record is logged and replaced.
    pub fn join(&self, relation: &RelationId, unit: &str) -> Result<Conversation, StateError> {
        let conv = Conversation::new(relation.clone(), unit);
        let key = conv.key();
        let stored = match self.ctx.kv().get::<StoredConversation>(&key) {
            Ok(stored) => stored,
            Err(e) => {
                self.warn(&format!("conversation {key} is unreadable, replaced: {e}"));
                None
            }
        };
        let mut stored = stored.unwrap_or_else(|| StoredConversation {
            namespace: relation.to_string(),
            scope: unit.to_owned(),
            units: Vec::new(),
        });
        if !stored.units.iter().any(|u| u == unit) {
            stored.units.push(unit.to_owned());
            stored.units.sort();
        }
        self.ctx.kv().set(&key, &stored)?;
        Ok(conv)
    }

    /// Take `unit` out of the conversation `key`; forget the record when no
    /// unit is left (charms.reactive's `Conversation.depart`). Its local
    /// data stays.
    pub fn depart(&self, key: &str, unit: &str) -> Result<(), StateError> {
        depart(self.ctx, key, unit)
    }

    /// Forget the conversation `key`: its record and its local data.
    pub fn forget(&self, key: &str) -> Result<(), StateError> {
        self.ctx.kv().unset(key)?;
        self.ctx.kv().unsetrange(&format!("{key}.local-data."))
    }

    /// Whether the conversation `key` has a readable record.
    pub fn is_recorded(&self, key: &str) -> bool {
        matches!(self.ctx.kv().get::<Value>(key), Ok(Some(_)))
    }

    /// The conversation recorded under `key`; `None` when there is no
    /// record. A record that does not read as a conversation is logged as a
    /// warning and taken as absent.
    pub fn load(&self, key: &str) -> Option<Conversation> {
        let stored = match self.ctx.kv().get::<StoredConversation>(key) {
            Ok(stored) => stored?,
            Err(e) => {
                self.warn(&format!("conversation {key} is unreadable, ignored: {e}"));
                return None;
            }
        };
        match RelationId::from_str(&stored.namespace) {
            Ok(relation) => Some(Conversation::new(relation, stored.scope)),
            Err(reason) => {
                self.warn(&format!(
                    "conversation {key} is unreadable, ignored: {reason}"
                ));
                None
            }
        }
    }
}

/// [`Conversations::depart`] for an atexit callback, which has only the
/// hook context.
pub fn depart(ctx: &HookContext, key: &str, unit: &str) -> Result<(), StateError> {
    let Some(mut stored) = ctx.kv().get::<StoredConversation>(key)? else {
        return Ok(());
    };
    stored.units.retain(|u| u != unit);
    if stored.units.is_empty() {
        ctx.kv().unset(key)
    } else {
        ctx.kv().set(key, &stored)
    }
}

/// The global conversation of an endpoint (`scopes.GLOBAL`): its key,
/// the units it holds, the flags it holds and its local data, under the
/// keys and in the shapes charms.reactive stores them.
///
/// ```
/// use charm_interfaces::conversation::global_key;
/// assert_eq!(global_key("amqp"), "reactive.conversations.amqp.global");
/// ```
#[derive(Clone, Copy)]
pub struct GlobalConversation<'a> {
    ctx: &'a HookContext,
    endpoint: &'a str,
}

/// The key of the global conversation of `endpoint`.
pub fn global_key(endpoint: &str) -> String {
    format!("{CONVERSATION_PREFIX}{endpoint}.global")
}

impl<'a> GlobalConversation<'a> {
    /// The global conversation of the endpoint `endpoint`.
    pub fn new(ctx: &'a HookContext, endpoint: &'a str) -> Self {
        Self { ctx, endpoint }
    }

    /// Its key (`reactive.conversations.<endpoint>.global`).
    pub fn key(&self) -> String {
        global_key(self.endpoint)
    }

    fn flags(&self) -> Conversations<'a> {
        Conversations::new(self.ctx, self.endpoint)
    }

    fn warn(&self, message: &str) {
        self.ctx.log(Level::Warning, message);
    }

    /// The units recorded in the conversation, sorted. A record that is not
    /// a conversation is logged and taken as empty; entries that are not
    /// unit names (the `null` charms.reactive 1.5.3 records in a hook
    /// without a remote unit) are left out.
    pub fn units(&self) -> Vec<String> {
        let key = self.key();
        match self.ctx.kv().get::<Value>(&key) {
            Ok(None) => Vec::new(),
            Ok(Some(v)) => match v.get("units").and_then(Value::as_array) {
                Some(units) => units
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect(),
                None => {
                    self.warn(&format!("conversation {key} has no unit list, ignored"));
                    Vec::new()
                }
            },
            Err(e) => {
                self.warn(&format!("conversation {key} is unreadable, ignored: {e}"));
                Vec::new()
            }
        }
    }

    fn store(&self, units: Vec<String>) -> Result<(), StateError> {
        let key = self.key();
        if units.is_empty() {
            return self.ctx.kv().unset(&key);
        }
        let stored = StoredConversation {
            namespace: self.endpoint.to_owned(),
            scope: "global".to_owned(),
            units,
        };
        self.ctx.kv().set(&key, &stored)
    }

    /// Add `unit` to the conversation (charms.reactive's
    /// `Conversation.join`, which every relation hook of the endpoint runs).
    pub fn join(&self, unit: &str) -> Result<(), StateError> {
        let mut units = self.units();
        if !units.iter().any(|u| u == unit) {
            units.push(unit.to_owned());
            units.sort();
        }
        self.store(units)
    }

    /// Take `unit` out of the conversation; forget the record when no unit
    /// is left (`Conversation.depart`). Its local data stays.
    pub fn depart(&self, unit: &str) -> Result<(), StateError> {
        let mut units = self.units();
        units.retain(|u| u != unit);
        self.store(units)
    }

    /// Whether `unit` is in the conversation.
    pub fn holds(&self, unit: &str) -> bool {
        self.units().iter().any(|u| u == unit)
    }

    /// Set `flag` for the conversation (`Conversation.set_state`): its value
    /// lists the conversation's key.
    pub fn set_flag(&self, flag: &str) -> Result<(), StateError> {
        self.flags().set(flag, &self.key())
    }

    /// Remove the conversation from `flag`, clearing the flag when no
    /// conversation holds it (`Conversation.remove_state`). A flag set by
    /// hand without a conversation list stays.
    pub fn remove_flag(&self, flag: &str) -> Result<(), StateError> {
        let key = self.key();
        self.flags().remove(flag, |k| k == key)?;
        Ok(())
    }

    /// `set_flag` when `on`, else `remove_flag`.
    pub fn toggle_flag(&self, flag: &str, on: bool) -> Result<(), StateError> {
        if on {
            self.set_flag(flag)
        } else {
            self.remove_flag(flag)
        }
    }

    fn local_key(&self, name: &str) -> String {
        format!("{}.local-data.{name}", self.key())
    }

    /// The local datum `name` (`Conversation.get_local`), `None` when
    /// absent or `null`.
    pub fn local<T: serde::de::DeserializeOwned>(
        &self,
        name: &str,
    ) -> Result<Option<T>, StateError> {
        match self.ctx.kv().get::<Value>(&self.local_key(name))? {
            None | Some(Value::Null) => Ok(None),
            Some(_) => self.ctx.kv().get::<T>(&self.local_key(name)),
        }
    }

    /// Store the local datum `name` (`Conversation.set_local`).
    pub fn set_local<T: Serialize + ?Sized>(
        &self,
        name: &str,
        value: &T,
    ) -> Result<(), StateError> {
        self.ctx.kv().set(&self.local_key(name), value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_back() {
        let conv = Conversation::new("cluster:12".parse().unwrap(), "glusterfs/3");
        assert_eq!(conv.key(), "reactive.conversations.cluster:12.glusterfs/3");
        assert_eq!(
            conv.local_data_prefix(),
            "reactive.conversations.cluster:12.glusterfs/3.local-data."
        );
        assert_eq!(Conversation::from_key(&conv.key()), Some(conv));
        for bad in [
            "reactive.conversations.None.None",
            "reactive.conversations.magpie:1.",
            "reactive.conversations.magpie:1",
            "reactive.conversations.magpie:1.magpie/1.local-data.bricks",
            "conversations.magpie:1.magpie/1",
        ] {
            assert_eq!(Conversation::from_key(bad), None, "{bad}");
        }
    }
}
