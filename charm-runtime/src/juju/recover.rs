//! Recovery at the start of a hook: the journal an earlier hook committed
//! (see [`super::journal`]) checked against Juju, what has not taken
//! effect resent; and the journal a hook commits.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::journal::{JournalError, Pending};
use super::{Bag, Juju};
use crate::backend::{DataBag, RelationId, Status, ToolError};
use crate::reactive::Level;
use crate::reactive::fault;

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
