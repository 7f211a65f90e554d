//! The Juju side of a hook: the environment, metadata, and the hook tools
//! behind a cache (each read at most once per hook) and an outbox (writes
//! held until the hook has succeeded, then sent once, changed keys only),
//! journaled with the unit state and checked by the next hook
//! ([`JournalError`], `docs/failures.md`).

mod journal;
mod recover;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use serde_json::{Map, Value};

use crate::backend::{Backend, DataBag, Port, RelationId, Status, ToolError};
use crate::env::HookEnv;
use crate::metadata::{ConfigSchema, Metadata};
use crate::reactive::fault;

pub use journal::JournalError;

type Bag = BTreeMap<String, String>;

#[derive(Default)]
struct Cache {
    relation_ids: HashMap<String, Rc<Vec<RelationId>>>,
    units: HashMap<RelationId, Rc<Vec<String>>>,
    remote_app: HashMap<RelationId, Option<String>>,
    data: HashMap<(RelationId, DataBag), Rc<Bag>>,
    config: Option<Rc<Map<String, Value>>>,
    is_leader: Option<bool>,
    leader_settings: Option<Rc<Bag>>,
    opened_ports: Option<BTreeSet<Port>>,
    networks: HashMap<(String, Option<RelationId>), Rc<Value>>,
    unit_get: HashMap<String, String>,
    action_params: Option<Rc<Map<String, Value>>>,
}

#[derive(Default)]
struct Outbox {
    /// Pending databag writes by (relation, application bag?).
    relation: BTreeMap<(RelationId, bool), BTreeMap<String, Option<String>>>,
    leader: BTreeMap<String, Option<String>>,
    unit_status: Option<Status>,
    app_status: Option<Status>,
    open: BTreeSet<Port>,
    close: BTreeSet<Port>,
    version: Option<String>,
    /// `action-set` results, by (dotted) key.
    action_results: BTreeMap<String, String>,
    /// The `action-fail` message.
    action_failure: Option<String>,
}

/// The Juju context of one hook.
pub struct Juju {
    env: HookEnv,
    metadata: Rc<Metadata>,
    config_schema: Rc<ConfigSchema>,
    backend: Rc<dyn Backend>,
    cache: RefCell<Cache>,
    outbox: RefCell<Outbox>,
}

impl std::fmt::Debug for Juju {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Juju")
            .field("env", &self.env)
            .finish_non_exhaustive()
    }
}

impl Juju {
    /// The Juju context of a hook run in `env`, described by `metadata`,
    /// talking to Juju through `backend`.
    /// The config schema is empty until [`Juju::with_config_schema`].
    pub fn new(env: HookEnv, metadata: Rc<Metadata>, backend: Rc<dyn Backend>) -> Self {
        Self {
            env,
            metadata,
            config_schema: Rc::new(ConfigSchema::default()),
            backend,
            cache: RefCell::default(),
            outbox: RefCell::default(),
        }
    }

    /// The hook environment.
    pub fn env(&self) -> &HookEnv {
        &self.env
    }

    /// The charm's metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// Use `schema` (the charm's `config.yaml`) for the config flags.
    pub fn with_config_schema(mut self, schema: Rc<ConfigSchema>) -> Self {
        self.config_schema = schema;
        self
    }

    /// The charm's config options.
    pub fn config_schema(&self) -> &ConfigSchema {
        &self.config_schema
    }

    /// The backend, for what the cache does not cover.
    pub fn backend(&self) -> &dyn Backend {
        &*self.backend
    }

    // ---- reads, cached for the hook ----

    /// The relations of `endpoint`, sorted.
    pub fn relation_ids(&self, endpoint: &str) -> Result<Rc<Vec<RelationId>>, ToolError> {
        if let Some(ids) = self.cache.borrow().relation_ids.get(endpoint) {
            return Ok(ids.clone());
        }
        let mut ids = self.backend.relation_ids(endpoint)?;
        ids.sort();
        let ids = Rc::new(ids);
        self.cache
            .borrow_mut()
            .relation_ids
            .insert(endpoint.to_owned(), ids.clone());
        Ok(ids)
    }

    /// The remote units of `relation`, sorted.
    pub fn relation_units(&self, relation: &RelationId) -> Result<Rc<Vec<String>>, ToolError> {
        if let Some(u) = self.cache.borrow().units.get(relation) {
            return Ok(u.clone());
        }
        let units = self.backend.relation_units(relation)?;
        let mut units = self.checked_units(relation, units)?;
        units.sort_by(|a, b| unit_order(a).cmp(&unit_order(b)));
        let units = Rc::new(units);
        self.cache
            .borrow_mut()
            .units
            .insert(relation.clone(), units.clone());
        Ok(units)
    }

    /// The units of `units` (what Juju listed for `relation`) that are
    /// unit names (`<application>/<number>`, [`charm_names::UnitName`]) of
    /// the relation's remote application: this unit's own on a peer
    /// relation, `JUJU_REMOTE_APP` in a hook of that relation, else
    /// Juju's answer (`relation-list --app`, asked only when the units
    /// name more than one application). Each unit left out is logged at
    /// WARNING with the reason; the others are kept, so one bad name
    /// fails no hook.
    fn checked_units(
        &self,
        relation: &RelationId,
        units: Vec<String>,
    ) -> Result<Vec<String>, ToolError> {
        let mut named = Vec::with_capacity(units.len());
        for unit in units {
            match charm_names::UnitName::parse(&unit) {
                Ok(name) => {
                    let app = name.application.to_owned();
                    named.push((unit, app));
                }
                Err(e) => self.warn_unit(relation, &unit, &e.to_string())?,
            }
        }
        let peers = self
            .metadata
            .endpoint(&relation.endpoint)
            .is_some_and(|e| e.role == crate::metadata::Role::Peers);
        let expected = if peers {
            Some(self.env.app().to_owned())
        } else if self.env.relation_id.as_ref() == Some(relation) && self.env.remote_app.is_some() {
            self.env.remote_app.clone()
        } else if named.windows(2).any(|w| w[0].1 != w[1].1) {
            self.backend.relation_remote_app(relation)?
        } else {
            None
        };
        let mut out = Vec::with_capacity(named.len());
        for (unit, app) in named {
            match &expected {
                Some(expected) if *expected != app => {
                    let what = if peers {
                        "this unit's own application, on a peer relation"
                    } else {
                        "the relation's remote application"
                    };
                    self.warn_unit(
                        relation,
                        &unit,
                        &format!("it belongs to {app:?}, not {expected:?} ({what})"),
                    )?;
                }
                _ => out.push(unit),
            }
        }
        Ok(out)
    }

    fn warn_unit(&self, relation: &RelationId, unit: &str, reason: &str) -> Result<(), ToolError> {
        let shown = if unit.len() <= 64 {
            format!("{unit:?}")
        } else {
            format!("of {} bytes", unit.len())
        };
        self.backend.juju_log(
            crate::log::Level::Warning,
            &format!("relation {relation}: remote unit {shown} ignored: {reason}"),
        )
    }

    /// The remote application of `relation`: Juju's answer, else the
    /// application of its first unit, else `JUJU_REMOTE_APP` in a hook of
    /// that relation.
    pub fn remote_app(&self, relation: &RelationId) -> Result<Option<String>, ToolError> {
        if let Some(a) = self.cache.borrow().remote_app.get(relation) {
            return Ok(a.clone());
        }
        let mut app = self.backend.relation_remote_app(relation)?;
        if app.is_none() {
            app = self
                .relation_units(relation)?
                .first()
                .map(|u| u.split('/').next().unwrap_or(u).to_owned());
        }
        if app.is_none() && self.env.relation_id.as_ref() == Some(relation) {
            app = self.env.remote_app.clone();
        }
        self.cache
            .borrow_mut()
            .remote_app
            .insert(relation.clone(), app.clone());
        Ok(app)
    }

    /// A databag of `relation` as Juju has it (without this hook's
    /// unsent writes).
    pub fn relation_data(
        &self,
        relation: &RelationId,
        bag: &DataBag,
    ) -> Result<Rc<Bag>, ToolError> {
        let key = (relation.clone(), bag.clone());
        if let Some(d) = self.cache.borrow().data.get(&key) {
            return Ok(d.clone());
        }
        let data = Rc::new(self.backend.relation_get(relation, bag)?);
        self.cache.borrow_mut().data.insert(key, data.clone());
        Ok(data)
    }

    /// A databag of `relation` with this hook's unsent writes applied: what
    /// it will hold if the hook succeeds.
    pub fn relation_data_pending(
        &self,
        relation: &RelationId,
        bag: &DataBag,
    ) -> Result<Bag, ToolError> {
        let mut data = (*self.relation_data(relation, bag)?).clone();
        let app = match bag {
            DataBag::Unit(u) if *u == self.env.unit => false,
            DataBag::App(a) if a == self.env.app() => true,
            _ => return Ok(data),
        };
        if let Some(pending) = self.outbox.borrow().relation.get(&(relation.clone(), app)) {
            for (k, v) in pending {
                match v {
                    Some(v) if !v.is_empty() => {
                        data.insert(k.clone(), v.clone());
                    }
                    _ => {
                        data.remove(k);
                    }
                }
            }
        }
        Ok(data)
    }

    /// `config-get --all`, once per hook.
    pub fn config_values(&self) -> Result<Rc<Map<String, Value>>, ToolError> {
        if let Some(c) = &self.cache.borrow().config {
            return Ok(c.clone());
        }
        let c = Rc::new(self.backend.config_get()?);
        self.cache.borrow_mut().config = Some(c.clone());
        Ok(c)
    }

    /// Whether this unit is the leader, once per hook.
    pub fn is_leader(&self) -> Result<bool, ToolError> {
        if let Some(l) = self.cache.borrow().is_leader {
            return Ok(l);
        }
        let l = self.backend.is_leader()?;
        self.cache.borrow_mut().is_leader = Some(l);
        Ok(l)
    }

    /// Leadership settings as Juju has them, once per hook.
    pub fn leader_settings(&self) -> Result<Rc<Bag>, ToolError> {
        if let Some(s) = &self.cache.borrow().leader_settings {
            return Ok(s.clone());
        }
        let s = Rc::new(self.backend.leader_get()?);
        self.cache.borrow_mut().leader_settings = Some(s.clone());
        Ok(s)
    }

    /// One leadership setting, including this hook's unsent `leader_set`.
    pub fn leader_get(&self, key: &str) -> Result<Option<String>, ToolError> {
        if let Some(v) = self.outbox.borrow().leader.get(key) {
            return Ok(v.clone().filter(|v| !v.is_empty()));
        }
        Ok(self.leader_settings()?.get(key).cloned())
    }

    /// `unit-get <key>`, cached.
    pub fn unit_get(&self, key: &str) -> Result<String, ToolError> {
        if let Some(v) = self.cache.borrow().unit_get.get(key) {
            return Ok(v.clone());
        }
        let v = self.backend.unit_get(key)?;
        self.cache
            .borrow_mut()
            .unit_get
            .insert(key.to_owned(), v.clone());
        Ok(v)
    }

    /// `network-get <binding> [-r <relation>]`, cached.
    pub fn network_get(
        &self,
        binding: &str,
        relation: Option<&RelationId>,
    ) -> Result<Rc<Value>, ToolError> {
        let key = (binding.to_owned(), relation.cloned());
        if let Some(v) = self.cache.borrow().networks.get(&key) {
            return Ok(v.clone());
        }
        let v = Rc::new(self.backend.network_get(binding, relation)?);
        self.cache.borrow_mut().networks.insert(key, v.clone());
        Ok(v)
    }

    fn opened(&self) -> Result<BTreeSet<Port>, ToolError> {
        if let Some(p) = &self.cache.borrow().opened_ports {
            return Ok(p.clone());
        }
        let p: BTreeSet<Port> = self.backend.opened_ports()?.into_iter().collect();
        self.cache.borrow_mut().opened_ports = Some(p.clone());
        Ok(p)
    }

    /// The ports that will be open if the hook succeeds.
    pub fn opened_ports(&self) -> Result<BTreeSet<Port>, ToolError> {
        let mut ports = self.opened()?;
        let out = self.outbox.borrow();
        ports.extend(out.open.iter().cloned());
        ports.retain(|p| !out.close.contains(p));
        Ok(ports)
    }

    /// The keys of this unit's databags the hook has queued writes for
    /// (set or deleted), by relation: what it means to publish, whether
    /// or not a value differs from what is there.
    pub fn pending_unit_keys(&self) -> BTreeMap<RelationId, BTreeSet<String>> {
        let mut keys: BTreeMap<RelationId, BTreeSet<String>> = BTreeMap::new();
        for ((relation, app), changes) in &self.outbox.borrow().relation {
            if !app {
                keys.entry(relation.clone())
                    .or_default()
                    .extend(changes.keys().cloned());
            }
        }
        keys
    }

    // ---- writes, held until the hook succeeds ----

    /// Publish `key` in this unit's (or, with `app`, this application's)
    /// databag of `relation`; `None` deletes it. Sent at the end of a
    /// successful hook.
    pub fn relation_set(&self, relation: &RelationId, app: bool, key: &str, value: Option<String>) {
        self.outbox
            .borrow_mut()
            .relation
            .entry((relation.clone(), app))
            .or_default()
            .insert(key.to_owned(), value);
    }

    /// Queue a leadership setting (`None` deletes). Prefer
    /// [`HookContext::leader_set`](crate::HookContext::leader_set), which also maintains the
    /// `leadership.*` flags.
    pub fn leader_set_raw(&self, key: &str, value: Option<String>) {
        self.outbox
            .borrow_mut()
            .leader
            .insert(key.to_owned(), value);
    }

    /// Set this unit's workload status at the end of the hook (the last
    /// call wins).
    pub fn status_set(&self, status: Status) {
        self.outbox.borrow_mut().unit_status = Some(status);
    }

    /// Set this unit's workload status now, without waiting for the end
    /// of the hook (progress during a long hook). A status set with
    /// [`Juju::status_set`] is still sent at the end.
    pub fn status_set_now(&self, status: Status) -> Result<(), ToolError> {
        self.backend.status_set(false, &status)
    }

    /// Set the application's status (leader only) at the end of the hook.
    pub fn app_status_set(&self, status: Status) {
        self.outbox.borrow_mut().app_status = Some(status);
    }

    /// The unit status this hook will set, if any.
    pub fn pending_status(&self) -> Option<Status> {
        self.outbox.borrow().unit_status.clone()
    }

    /// Open `port` at the end of the hook.
    pub fn open_port(&self, port: Port) {
        let mut out = self.outbox.borrow_mut();
        out.close.remove(&port);
        out.open.insert(port);
    }

    /// Close `port` at the end of the hook.
    pub fn close_port(&self, port: Port) {
        let mut out = self.outbox.borrow_mut();
        out.open.remove(&port);
        out.close.insert(port);
    }

    /// Set the workload version at the end of the hook.
    pub fn application_version_set(&self, version: impl Into<String>) {
        self.outbox.borrow_mut().version = Some(version.into());
    }

    // ---- actions ----

    /// `action-get`: the parameters of the action being run, once per
    /// action.
    pub fn action_params(&self) -> Result<Rc<Map<String, Value>>, ToolError> {
        if let Some(p) = &self.cache.borrow().action_params {
            return Ok(p.clone());
        }
        let p = Rc::new(self.backend.action_get()?);
        self.cache.borrow_mut().action_params = Some(p.clone());
        Ok(p)
    }

    /// Queue the action result `key` (dotted keys nest), sent with
    /// `action-set` at the end of a successful action; setting a key again
    /// replaces its value. Prefer [`crate::HookContext::action_set`], which
    /// checks the key.
    pub fn action_set(&self, key: &str, value: impl Into<String>) {
        self.outbox
            .borrow_mut()
            .action_results
            .insert(key.to_owned(), value.into());
    }

    /// The action results queued so far.
    pub fn pending_action_results(&self) -> BTreeMap<String, String> {
        self.outbox.borrow().action_results.clone()
    }

    /// Mark the action failed with `message` (the last call wins), sent
    /// with `action-fail` at the end of the action.
    pub fn action_fail(&self, message: impl Into<String>) {
        self.outbox.borrow_mut().action_failure = Some(message.into());
    }

    /// The failure message queued by [`Juju::action_fail`], if any.
    pub fn pending_action_failure(&self) -> Option<String> {
        self.outbox.borrow().action_failure.clone()
    }

    /// `action-log <message>`, at once: progress the operator sees while
    /// the action runs.
    pub fn action_log(&self, message: &str) -> Result<(), ToolError> {
        self.backend.action_log(message)
    }

    /// `action-fail <message>` at once, for an action whose handlers
    /// failed: nothing else of it is sent.
    pub(crate) fn fail_action_now(&self, message: &str) -> Result<(), ToolError> {
        self.outbox.borrow_mut().action_failure = None;
        self.backend.action_fail(message)
    }

    /// Send every queued write, each databag in one call with only the
    /// keys whose value differs from what Juju holds; for an action, its
    /// results, then its failure if it was marked failed.
    pub(crate) fn flush(&self) -> Result<(), ToolError> {
        let out = std::mem::take(&mut *self.outbox.borrow_mut());
        for ((relation, app), changes) in &out.relation {
            let bag = if *app {
                DataBag::App(self.env.app().to_owned())
            } else {
                DataBag::Unit(self.env.unit.clone())
            };
            let current = self.relation_data(relation, &bag)?;
            let changed: BTreeMap<String, Option<String>> = changes
                .iter()
                .filter(|(k, v)| {
                    let v = v.as_deref().filter(|v| !v.is_empty());
                    current.get(*k).map(String::as_str) != v
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if !changed.is_empty() {
                fault::point("relation-set");
                self.backend.relation_set(relation, *app, &changed)?;
            }
        }
        if !out.leader.is_empty() {
            let current = self.leader_settings()?;
            let changed: BTreeMap<String, Option<String>> = out
                .leader
                .iter()
                .filter(|(k, v)| {
                    current.get(*k).map(String::as_str) != v.as_deref().filter(|v| !v.is_empty())
                })
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if !changed.is_empty() {
                fault::point("leader-set");
                self.backend.leader_set(&changed)?;
            }
        }
        if !out.open.is_empty() || !out.close.is_empty() {
            let opened = self.opened()?;
            for p in out.close.iter().filter(|p| opened.contains(*p)) {
                fault::point("close-port");
                self.backend.close_port(p)?;
            }
            for p in out.open.iter().filter(|p| !opened.contains(*p)) {
                fault::point("open-port");
                self.backend.open_port(p)?;
            }
        }
        if let Some(v) = &out.version {
            fault::point("application-version-set");
            self.backend.application_version_set(v)?;
        }
        if let Some(s) = &out.app_status {
            fault::point("status-set");
            self.backend.status_set(true, s)?;
        }
        if let Some(s) = &out.unit_status {
            fault::point("status-set");
            self.backend.status_set(false, s)?;
        }
        if !out.action_results.is_empty() {
            fault::point("action-set");
            self.backend.action_set(&out.action_results)?;
        }
        if let Some(message) = &out.action_failure {
            fault::point("action-fail");
            self.backend.action_fail(message)?;
        }
        Ok(())
    }
}

/// Units ordered by application, then number (`app/10` after `app/9`).
fn unit_order(unit: &str) -> (&str, u64, &str) {
    match unit.rsplit_once('/') {
        Some((app, n)) => (app, n.parse().unwrap_or(u64::MAX), unit),
        None => (unit, u64::MAX, unit),
    }
}
