//! The Juju layer's journal: the writes a hook sends to Juju, recorded in
//! the unit state's transaction ([`crate::StateStore::commit_journaled`])
//! so that the state and the writes it implies are one unit of work, and
//! checked at the start of the next hook, which resends what has not
//! taken effect (`docs/failures.md`).
//!
//! Juju's writes are idempotent sets, so a resend is harmless. They take
//! effect in two ways, hence two lifetimes in the journal:
//!
//! * `relation-set` and `open-port`/`close-port` are *held* by the unit
//!   agent and applied only when the hook exits 0; a hook killed or failed
//!   after sending them loses them. Only the next hook can tell whether
//!   they took effect (by reading the databag or `opened-ports`), so they
//!   stay in the journal until then.
//! * `leader-set`, `status-set` and `application-version-set` are
//!   *immediate* API calls: acknowledged when the tool returns, so they
//!   leave the journal once sent.
//!
//! Action results (`action-set`, `action-fail`) are not journaled: they
//! belong to one invocation of the action, which Juju never retries.
//! Values are never logged: a log line names the relation and the number
//! of keys.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::Outbox;
use crate::backend::ToolError;
use crate::backend::{Port, RelationId, Status, StatusState};

/// The version of the journal's JSON form.
const VERSION: u32 = 1;

/// The journal of pending writes cannot be read or its writes resent.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// The journal is not the JSON this crate writes.
    #[error("the journal of pending writes in the unit state is not readable: {0}")]
    Decode(#[source] serde_json::Error),
    /// The journal was written by another version of its format.
    #[error(
        "the journal of pending writes in the unit state has format version {found}; this charm \
         reads version {VERSION}"
    )]
    Version {
        /// The version found.
        found: u32,
    },
    /// The journal names a relation, port or status Juju would not take.
    #[error("the journal of pending writes in the unit state has an invalid {what}: {reason}")]
    Invalid {
        /// What is invalid (`relation id`, `port`, `status`).
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// Encoding the journal failed.
    #[error("the journal of pending writes cannot be encoded: {0}")]
    Encode(#[source] serde_json::Error),
    /// A hook tool failed while checking or resending.
    #[error("{what}: {source}")]
    Tool {
        /// The tool call, without values (`relation-set on db:5`).
        what: String,
        /// The tool's error.
        source: ToolError,
    },
}

/// The journal's JSON form.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Record {
    v: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    relations: Vec<BagRecord>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub(super) leader: BTreeMap<String, Option<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) open: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(super) close: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    workload_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) unit_status: Option<StatusRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) app_status: Option<StatusRecord>,
}

/// The pending keys of this unit's (or, with `app`, this application's)
/// databag of one relation; `None` deletes.
#[derive(Debug, Serialize, Deserialize)]
struct BagRecord {
    relation: String,
    #[serde(default)]
    app: bool,
    set: BTreeMap<String, Option<String>>,
}

#[derive(Debug, Serialize, Deserialize)]
struct StatusRecord {
    state: String,
    message: String,
}

/// The journal decoded: the writes as the outbox holds them (no action
/// results).
#[derive(Debug, Default, PartialEq)]
pub(super) struct Pending {
    pub(super) relation: BTreeMap<(RelationId, bool), BTreeMap<String, Option<String>>>,
    pub(super) leader: BTreeMap<String, Option<String>>,
    pub(super) open: BTreeSet<Port>,
    pub(super) close: BTreeSet<Port>,
    pub(super) version: Option<String>,
    pub(super) unit_status: Option<Status>,
    pub(super) app_status: Option<Status>,
}

impl Pending {
    pub(super) fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    pub(super) fn decode(text: &str) -> Result<Self, JournalError> {
        let record: Record = serde_json::from_str(text).map_err(JournalError::Decode)?;
        if record.v != VERSION {
            return Err(JournalError::Version { found: record.v });
        }
        let invalid = |what| move |reason| JournalError::Invalid { what, reason };
        let ports = |list: Vec<String>| {
            list.iter()
                .map(|p| p.parse::<Port>())
                .collect::<Result<BTreeSet<_>, _>>()
                .map_err(invalid("port"))
        };
        let status = |s: Option<StatusRecord>| {
            s.map(|s| {
                s.state
                    .parse::<StatusState>()
                    .map(|state| Status::new(state, s.message))
            })
            .transpose()
            .map_err(invalid("status"))
        };
        let mut relation = BTreeMap::new();
        for bag in record.relations {
            let id = bag.relation.parse().map_err(invalid("relation id"))?;
            relation.insert((id, bag.app), bag.set);
        }
        Ok(Self {
            relation,
            leader: record.leader,
            open: ports(record.open)?,
            close: ports(record.close)?,
            version: record.workload_version,
            unit_status: status(record.unit_status)?,
            app_status: status(record.app_status)?,
        })
    }

    /// The JSON form, `None` when there is nothing to watch.
    pub(super) fn encode(&self) -> Result<Option<String>, JournalError> {
        if self.is_empty() {
            return Ok(None);
        }
        let status = |s: &Option<Status>| {
            s.as_ref().map(|s| StatusRecord {
                state: s.state.as_str().to_owned(),
                message: s.message.clone(),
            })
        };
        let record = Record {
            v: VERSION,
            relations: self
                .relation
                .iter()
                .map(|((id, app), set)| BagRecord {
                    relation: id.to_string(),
                    app: *app,
                    set: set.clone(),
                })
                .collect(),
            leader: self.leader.clone(),
            open: self.open.iter().map(Port::to_string).collect(),
            close: self.close.iter().map(Port::to_string).collect(),
            workload_version: self.version.clone(),
            unit_status: status(&self.unit_status),
            app_status: status(&self.app_status),
        };
        serde_json::to_string(&record)
            .map(Some)
            .map_err(JournalError::Encode)
    }

    /// Add the writes of `out` (later writes win).
    pub(super) fn merge(&mut self, out: &Outbox) {
        for (bag, set) in &out.relation {
            self.relation
                .entry(bag.clone())
                .or_default()
                .extend(set.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        self.leader
            .extend(out.leader.iter().map(|(k, v)| (k.clone(), v.clone())));
        for p in &out.open {
            self.close.remove(p);
            self.open.insert(p.clone());
        }
        for p in &out.close {
            self.open.remove(p);
            self.close.insert(p.clone());
        }
        if out.version.is_some() {
            self.version.clone_from(&out.version);
        }
        if out.unit_status.is_some() {
            self.unit_status.clone_from(&out.unit_status);
        }
        if out.app_status.is_some() {
            self.app_status.clone_from(&out.app_status);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outbox() -> Outbox {
        let mut out = Outbox::default();
        out.relation.insert(
            (RelationId::new("db", 3), false),
            BTreeMap::from([("a".to_owned(), Some("1".to_owned()))]),
        );
        out.leader.insert("k".into(), None);
        out.open.insert(Port::tcp(80));
        out.version = Some("1.0".into());
        out.unit_status = Some(Status::active("ready"));
        out.action_results
            .insert("never".into(), "journaled".into());
        out
    }

    #[test]
    fn the_journal_round_trips_without_action_results() {
        let mut pending = Pending::default();
        pending.merge(&outbox());
        let text = pending.encode().unwrap().unwrap();
        assert!(!text.contains("never"), "{text}");
        assert_eq!(Pending::decode(&text).unwrap(), pending);
        assert_eq!(Pending::default().encode().unwrap(), None);
    }

    #[test]
    fn later_writes_win_and_open_and_close_cancel() {
        let mut pending = Pending::default();
        pending.merge(&outbox());
        let mut later = Outbox::default();
        later.relation.insert(
            (RelationId::new("db", 3), false),
            BTreeMap::from([("a".to_owned(), None), ("b".to_owned(), Some("2".into()))]),
        );
        later.close.insert(Port::tcp(80));
        later.unit_status = Some(Status::blocked("no db"));
        pending.merge(&later);
        let bag = &pending.relation[&(RelationId::new("db", 3), false)];
        assert_eq!(bag["a"], None);
        assert_eq!(bag["b"].as_deref(), Some("2"));
        assert!(pending.open.is_empty());
        assert!(pending.close.contains(&Port::tcp(80)));
        assert_eq!(pending.unit_status, Some(Status::blocked("no db")));
        assert_eq!(pending.version.as_deref(), Some("1.0"));
    }

    #[test]
    fn an_unreadable_journal_is_a_typed_error() {
        assert!(matches!(
            Pending::decode("{\"v\": 2}"),
            Err(JournalError::Version { found: 2 })
        ));
        assert!(matches!(
            Pending::decode("{\"v\": 1, \"open\": [\"eighty\"]}"),
            Err(JournalError::Invalid { what: "port", .. })
        ));
        assert!(matches!(
            Pending::decode("[]"),
            Err(JournalError::Decode(_))
        ));
    }
}
