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
use std::rc::Rc;

use serde::{Deserialize, Serialize};

use super::{Bag, Juju, Outbox};
use crate::backend::{DataBag, Port, RelationId, Status, StatusState, ToolError};
use crate::reactive::Level;
use crate::reactive::fault;

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
    leader: BTreeMap<String, Option<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    open: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    close: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    workload_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    unit_status: Option<StatusRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    app_status: Option<StatusRecord>,
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
struct Pending {
    relation: BTreeMap<(RelationId, bool), BTreeMap<String, Option<String>>>,
    leader: BTreeMap<String, Option<String>>,
    open: BTreeSet<Port>,
    close: BTreeSet<Port>,
    version: Option<String>,
    unit_status: Option<Status>,
    app_status: Option<Status>,
}

impl Pending {
    fn is_empty(&self) -> bool {
        *self == Self::default()
    }

    fn decode(text: &str) -> Result<Self, JournalError> {
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
    fn encode(&self) -> Result<Option<String>, JournalError> {
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
    fn merge(&mut self, out: &Outbox) {
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

/// The keys of `set` whose value differs from `current` (an empty value
/// deletes, as with `relation-set`).
pub(super) fn changed_keys(
    current: &Bag,
    set: &BTreeMap<String, Option<String>>,
) -> BTreeMap<String, Option<String>> {
    set.iter()
        .filter(|(k, v)| {
            current.get(*k).map(String::as_str) != v.as_deref().filter(|v| !v.is_empty())
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// `current` with `changes` applied.
fn applied(current: &Bag, changes: &BTreeMap<String, Option<String>>) -> Bag {
    let mut bag = current.clone();
    for (k, v) in changes {
        match v.as_deref().filter(|v| !v.is_empty()) {
            Some(v) => bag.insert(k.clone(), v.to_owned()),
            None => bag.remove(k),
        };
    }
    bag
}

fn tool(what: impl Into<String>) -> impl FnOnce(ToolError) -> JournalError {
    let what = what.into();
    move |source| JournalError::Tool { what, source }
}

impl Juju {
    /// The journal to commit: `kept` (what [`Juju::recover`] left) with
    /// this hook's held writes; `None` when there is nothing.
    pub(crate) fn journal(&self, kept: Option<&str>) -> Result<Option<String>, JournalError> {
        let mut pending = match kept {
            Some(text) => Pending::decode(text)?,
            None => Pending::default(),
        };
        pending.merge(&self.outbox.borrow());
        pending.encode()
    }

    /// What of `journal` the next hook must still check once this hook's
    /// sends succeeded: the held writes (relation data, ports), not the
    /// immediate ones the tools acknowledged.
    pub(crate) fn unacknowledged(
        &self,
        journal: Option<&str>,
    ) -> Result<Option<String>, JournalError> {
        let Some(text) = journal else {
            return Ok(None);
        };
        let mut pending = Pending::decode(text)?;
        pending.leader.clear();
        pending.version = None;
        pending.unit_status = None;
        pending.app_status = None;
        pending.encode()
    }

    /// Check the journal of an earlier hook against Juju and resend what
    /// has not taken effect, logging with `log` (never values): the
    /// journal to keep watching. Writes to relations that are gone since,
    /// and leader-only writes now that this unit does not lead, are
    /// dropped with a log line. The cache is brought up to date with
    /// what was resent.
    pub(crate) fn recover(
        &self,
        journal: &str,
        log: &dyn Fn(Level, &str),
    ) -> Result<Option<String>, JournalError> {
        let pending = Pending::decode(journal)?;
        let mut kept = Pending::default();
        for ((relation, app), set) in pending.relation {
            if let Some(resent) = self.recover_bag(&relation, app, &set, log)? {
                kept.relation.insert((relation, app), resent);
            }
        }
        let leader_only = !pending.leader.is_empty() || pending.app_status.is_some();
        let leader = leader_only && self.is_leader().map_err(tool("is-leader"))?;
        if leader_only && !leader {
            log(
                Level::Info,
                "this unit no longer leads: the leadership settings and application status an \
                 earlier hook did not finish sending are dropped",
            );
        }
        if leader && !pending.leader.is_empty() {
            let current = self.leader_settings().map_err(tool("leader-get"))?;
            let changed = changed_keys(&current, &pending.leader);
            if !changed.is_empty() {
                fault::point("leader-set");
                self.backend
                    .leader_set(&changed)
                    .map_err(tool("leader-set"))?;
                self.cache.borrow_mut().leader_settings =
                    Some(Rc::new(applied(&current, &changed)));
                log(
                    Level::Info,
                    &format!(
                        "resent {} leadership setting(s) of an earlier hook that did not complete",
                        changed.len()
                    ),
                );
            }
        }
        if !pending.open.is_empty() || !pending.close.is_empty() {
            let opened = self.opened().map_err(tool("opened-ports"))?;
            let mut now = opened.clone();
            for p in pending.close.iter().filter(|p| opened.contains(*p)) {
                fault::point("close-port");
                self.backend
                    .close_port(p)
                    .map_err(tool(format!("close-port {p}")))?;
                now.remove(p);
                kept.close.insert(p.clone());
            }
            for p in pending.open.iter().filter(|p| !opened.contains(*p)) {
                fault::point("open-port");
                self.backend
                    .open_port(p)
                    .map_err(tool(format!("open-port {p}")))?;
                now.insert(p.clone());
                kept.open.insert(p.clone());
            }
            self.cache.borrow_mut().opened_ports = Some(now);
        }
        if let Some(v) = &pending.version {
            fault::point("application-version-set");
            self.backend
                .application_version_set(v)
                .map_err(tool("application-version-set"))?;
        }
        if let Some(s) = pending.app_status.as_ref().filter(|_| leader) {
            self.recover_status(true, s)?;
        }
        if let Some(s) = &pending.unit_status {
            self.recover_status(false, s)?;
        }
        kept.encode()
    }

    /// Resend the keys of one databag that are not in effect: the keys
    /// resent, `None` when all are in effect or the relation is gone.
    fn recover_bag(
        &self,
        relation: &RelationId,
        app: bool,
        set: &BTreeMap<String, Option<String>>,
        log: &dyn Fn(Level, &str),
    ) -> Result<Option<BTreeMap<String, Option<String>>>, JournalError> {
        let whose = if app { "application" } else { "unit" };
        let ids = self
            .relation_ids(&relation.endpoint)
            .map_err(tool(format!("relation-ids {}", relation.endpoint)))?;
        if !ids.contains(relation) {
            log(
                Level::Info,
                &format!(
                    "relation {relation} is gone: {} key(s) of this {whose}'s databag an earlier \
                     hook did not finish sending are dropped",
                    set.len()
                ),
            );
            return Ok(None);
        }
        if app && !self.is_leader().map_err(tool("is-leader"))? {
            log(
                Level::Info,
                &format!(
                    "this unit no longer leads: {} key(s) of the application's databag of \
                     relation {relation} an earlier hook did not finish sending are dropped",
                    set.len()
                ),
            );
            return Ok(None);
        }
        let bag = if app {
            DataBag::App(self.env.app().to_owned())
        } else {
            DataBag::Unit(self.env.unit.clone())
        };
        let current = self
            .relation_data(relation, &bag)
            .map_err(tool(format!("relation-get on {relation}")))?;
        let changed = changed_keys(&current, set);
        if changed.is_empty() {
            return Ok(None);
        }
        fault::point("relation-set");
        self.backend
            .relation_set(relation, app, &changed)
            .map_err(tool(format!("relation-set on {relation}")))?;
        self.cache.borrow_mut().data.insert(
            (relation.clone(), bag),
            Rc::new(applied(&current, &changed)),
        );
        log(
            Level::Info,
            &format!(
                "resent {} key(s) of this {whose}'s databag of relation {relation}, written by an \
                 earlier hook that did not complete",
                changed.len()
            ),
        );
        Ok(Some(changed))
    }

    fn recover_status(&self, application: bool, status: &Status) -> Result<(), JournalError> {
        let what = if application {
            "status-get --application"
        } else {
            "status-get"
        };
        if self.backend.status_get(application).map_err(tool(what))? == *status {
            return Ok(());
        }
        fault::point("status-set");
        self.backend
            .status_set(application, status)
            .map_err(tool("status-set"))
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
