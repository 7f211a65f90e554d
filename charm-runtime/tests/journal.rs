//! The journal: a hook's Juju writes are committed with its unit state,
//! sent after the commit, and checked by the next hook, which resends
//! what did not take effect (`docs/failures.md`). Over the memory store
//! and SQLite, with a backend that can refuse a tool or lose held writes
//! as Juju does when a hook does not exit 0.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::rc::Rc;

use charm_runtime::backend::{
    Backend, DataBag, MemoryBackend, MemoryRelation, MemoryWorld, RelationId, SecretContent,
    SecretId, SecretInfo, SecretOptions, SecretRef, SecretRevision, Status, StatusState, ToolError,
};
use charm_runtime::env::{HookEnv, Invoked};
use charm_runtime::juju::JournalError;
use charm_runtime::log::{Level, MemorySink};
use charm_runtime::metadata::{ConfigSchema, Metadata};
use charm_runtime::{
    Charm, Error, Handler, HookContext, HookError, HookOutcome, MemoryStore, Port, Registry,
    SqliteStore, StateStore,
};
use serde_json::{Map, Value};

const METADATA: &str = "
name: web
requires:
  db:
    interface: mysql
";

fn env(hook: &str) -> HookEnv {
    HookEnv {
        invoked: Invoked::Hook(hook.to_owned()),
        unit: "web/0".into(),
        charm_dir: PathBuf::from("/nonexistent"),
        relation: None,
        relation_id: None,
        remote_unit: None,
        remote_app: None,
        departing_unit: None,
        principal_unit: None,
        model: None,
        juju_version: None,
        secret: None,
        simulated_host: true,
    }
}

fn db() -> RelationId {
    RelationId::new("db", 3)
}

fn own_bag() -> DataBag {
    DataBag::Unit("web/0".into())
}

fn world() -> MemoryWorld {
    let mut w = MemoryWorld {
        unit: "web/0".into(),
        leader: true,
        ..Default::default()
    };
    w.relations.insert(
        db(),
        MemoryRelation {
            remote_app: Some("mysql".into()),
            units: vec!["mysql/0".into()],
            data: BTreeMap::new(),
        },
    );
    w
}

/// The first hook configures, once: a flag, relation data, a leadership
/// setting, a port, the version and a status.
fn charm() -> Charm {
    let mut r = Registry::new();
    r.add(
        Handler::new("configure", |ctx: &HookContext| -> Result<(), Error> {
            for rel in ctx.endpoint("db")?.relations()? {
                rel.to_publish_raw().set("database", "web")?;
            }
            ctx.leader_set("password", Some("s3cret"))?;
            ctx.open_port(Port::tcp(80));
            ctx.application_version_set("1.0");
            ctx.status_set(Status::new(StatusState::Active, "ready"));
            ctx.flags().set("web.configured");
            Ok(())
        })
        .when_not(["web.configured"]),
    )
    .unwrap();
    r.add(Handler::new("idle", |_: &HookContext| ()).hook(["update-status"]))
        .unwrap();
    let metadata = Metadata::parse(METADATA, "metadata.yaml").unwrap();
    Charm::new(metadata, ConfigSchema::default(), None, r).unwrap()
}

/// A memory backend that refuses one tool while told to.
struct Refusing {
    inner: MemoryBackend,
    refuse: RefCell<Option<&'static str>>,
}

impl Refusing {
    fn new(world: MemoryWorld) -> Self {
        Self {
            inner: MemoryBackend::new(world),
            refuse: RefCell::new(None),
        }
    }

    fn check(&self, tool: &'static str) -> Result<(), ToolError> {
        if *self.refuse.borrow() == Some(tool) {
            return Err(ToolError::Failed {
                tool: tool.to_owned(),
                code: Some(1),
                signal: None,
                stderr: "ERROR refused".into(),
            });
        }
        Ok(())
    }

    fn calls_of(&self, tool: &str) -> usize {
        self.inner.calls().iter().filter(|c| c.tool == tool).count()
    }
}

impl Backend for Refusing {
    fn relation_ids(&self, endpoint: &str) -> Result<Vec<RelationId>, ToolError> {
        self.inner.relation_ids(endpoint)
    }
    fn relation_units(&self, relation: &RelationId) -> Result<Vec<String>, ToolError> {
        self.inner.relation_units(relation)
    }
    fn relation_remote_app(&self, relation: &RelationId) -> Result<Option<String>, ToolError> {
        self.inner.relation_remote_app(relation)
    }
    fn relation_get(
        &self,
        relation: &RelationId,
        bag: &DataBag,
    ) -> Result<BTreeMap<String, String>, ToolError> {
        self.inner.relation_get(relation, bag)
    }
    fn relation_set(
        &self,
        relation: &RelationId,
        app: bool,
        changes: &BTreeMap<String, Option<String>>,
    ) -> Result<(), ToolError> {
        self.check("relation-set")?;
        self.inner.relation_set(relation, app, changes)
    }
    fn config_get(&self) -> Result<Map<String, Value>, ToolError> {
        self.inner.config_get()
    }
    fn is_leader(&self) -> Result<bool, ToolError> {
        self.inner.is_leader()
    }
    fn leader_get(&self) -> Result<BTreeMap<String, String>, ToolError> {
        self.inner.leader_get()
    }
    fn leader_set(&self, changes: &BTreeMap<String, Option<String>>) -> Result<(), ToolError> {
        self.check("leader-set")?;
        self.inner.leader_set(changes)
    }
    fn status_set(&self, application: bool, status: &Status) -> Result<(), ToolError> {
        self.check("status-set")?;
        self.inner.status_set(application, status)
    }
    fn status_get(&self, application: bool) -> Result<Status, ToolError> {
        self.inner.status_get(application)
    }
    fn application_version_set(&self, version: &str) -> Result<(), ToolError> {
        self.check("application-version-set")?;
        self.inner.application_version_set(version)
    }
    fn unit_get(&self, key: &str) -> Result<String, ToolError> {
        self.inner.unit_get(key)
    }
    fn network_get(
        &self,
        binding: &str,
        relation: Option<&RelationId>,
    ) -> Result<Value, ToolError> {
        self.inner.network_get(binding, relation)
    }
    fn open_port(&self, port: &Port) -> Result<(), ToolError> {
        self.check("open-port")?;
        self.inner.open_port(port)
    }
    fn close_port(&self, port: &Port) -> Result<(), ToolError> {
        self.inner.close_port(port)
    }
    fn opened_ports(&self) -> Result<Vec<Port>, ToolError> {
        self.inner.opened_ports()
    }
    fn juju_log(&self, level: Level, message: &str) -> Result<(), ToolError> {
        self.inner.juju_log(level, message)
    }
    fn action_get(&self) -> Result<Map<String, Value>, ToolError> {
        self.inner.action_get()
    }
    fn action_set(&self, results: &BTreeMap<String, String>) -> Result<(), ToolError> {
        self.inner.action_set(results)
    }
    fn action_fail(&self, message: &str) -> Result<(), ToolError> {
        self.inner.action_fail(message)
    }
    fn action_log(&self, message: &str) -> Result<(), ToolError> {
        self.inner.action_log(message)
    }
    fn secret_add(
        &self,
        content: &SecretContent,
        options: &SecretOptions,
    ) -> Result<SecretId, ToolError> {
        self.check("secret-add")?;
        self.inner.secret_add(content, options)
    }
    fn secret_get(
        &self,
        secret: &SecretRef,
        revision: SecretRevision,
    ) -> Result<SecretContent, ToolError> {
        self.inner.secret_get(secret, revision)
    }
    fn secret_set(&self, id: &SecretId, content: &SecretContent) -> Result<(), ToolError> {
        self.check("secret-set")?;
        self.inner.secret_set(id, content)
    }
    fn secret_grant(
        &self,
        id: &SecretId,
        relation: &RelationId,
        unit: Option<&str>,
    ) -> Result<(), ToolError> {
        self.check("secret-grant")?;
        self.inner.secret_grant(id, relation, unit)
    }
    fn secret_revoke(
        &self,
        id: &SecretId,
        relation: &RelationId,
        unit: Option<&str>,
    ) -> Result<(), ToolError> {
        self.check("secret-revoke")?;
        self.inner.secret_revoke(id, relation, unit)
    }
    fn secret_remove(&self, id: &SecretId) -> Result<(), ToolError> {
        self.check("secret-remove")?;
        self.inner.secret_remove(id)
    }
    fn secret_ids(&self) -> Result<Vec<SecretId>, ToolError> {
        self.inner.secret_ids()
    }
    fn secret_info(&self, secret: &SecretRef) -> Result<SecretInfo, ToolError> {
        self.inner.secret_info(secret)
    }
}

struct Unit<S> {
    backend: Rc<Refusing>,
    store: S,
    sink: Rc<MemorySink>,
}

impl<S: StateStore> Unit<S> {
    fn new(store: S) -> Self {
        Self {
            backend: Rc::new(Refusing::new(world())),
            store,
            sink: Rc::new(MemorySink::new()),
        }
    }

    fn run(&mut self, hook: &str) -> HookOutcome {
        let backend: Rc<dyn Backend> = self.backend.clone();
        charm().run(env(hook), backend, &mut self.store, self.sink.clone())
    }

    fn world(&self) -> MemoryWorld {
        self.backend.inner.world()
    }

    fn flags(&mut self) -> Vec<String> {
        self.store
            .load()
            .unwrap()
            .keys()
            .filter_map(|k| k.strip_prefix("reactive.states."))
            .map(str::to_owned)
            .collect()
    }

    /// What Juju does with a hook that did not exit 0: its held writes
    /// (relation data, ports) are discarded.
    fn discard_held_writes(&self, before: &MemoryWorld) {
        let mut world = self.backend.inner.world();
        world.relations.clone_from(&before.relations);
        world.ports.clone_from(&before.ports);
        self.backend.replace_world(world);
    }
}

impl Refusing {
    fn replace_world(&self, world: MemoryWorld) {
        // Undo the held writes through the tools themselves, as the agent
        // never applied them.
        let now = self.inner.world();
        for (id, rel) in &now.relations {
            let Some(bag) = rel.data.get(&own_bag()) else {
                continue;
            };
            let keep = world
                .relations
                .get(id)
                .and_then(|r| r.data.get(&own_bag()))
                .cloned()
                .unwrap_or_default();
            let undo: BTreeMap<String, Option<String>> = bag
                .keys()
                .filter(|k| !keep.contains_key(*k))
                .map(|k| (k.clone(), None))
                .chain(keep.iter().map(|(k, v)| (k.clone(), Some(v.clone()))))
                .collect();
            self.inner.relation_set(id, false, &undo).unwrap();
        }
        for p in now.ports.difference(&world.ports) {
            self.inner.close_port(p).unwrap();
        }
    }
}

/// The state of a unit that ran config-changed without trouble.
fn clean_world() -> MemoryWorld {
    let mut unit = Unit::new(MemoryStore::new());
    assert!(unit.run("config-changed").is_ok());
    unit.world()
}

fn assert_converged(w: &MemoryWorld) {
    let clean = clean_world();
    assert_eq!(w.relations, clean.relations);
    assert_eq!(w.leader_settings, clean.leader_settings);
    assert_eq!(w.ports, clean.ports);
    assert_eq!(w.app_version, clean.app_version);
    assert_eq!(w.unit_status, clean.unit_status);
}

fn sqlite(name: &str) -> SqliteStore {
    let dir = std::env::temp_dir().join(format!("journal-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    SqliteStore::open(dir.join(".unit-state.db")).unwrap()
}

fn a_refused_write_after_the_commit_is_resent_by_the_next_hook(store: impl StateStore) {
    let mut unit = Unit::new(store);
    *unit.backend.refuse.borrow_mut() = Some("status-set");
    let out = unit.run("config-changed");
    assert!(
        matches!(out.error, Some(HookError::Send(_))),
        "{:?}",
        out.error
    );
    // The hook reports failure, but its state is committed with its
    // journal: the writes before the refused one were sent.
    assert!(unit.flags().contains(&"web.configured".to_owned()));
    assert!(out.flags.contains(&"web.configured".to_owned()));
    assert!(unit.store.journal().unwrap().is_some());
    assert_eq!(unit.world().unit_status, None);

    // The retry resends what is missing; its handler does not run again.
    *unit.backend.refuse.borrow_mut() = None;
    let out = unit.run("config-changed");
    assert!(out.is_ok(), "{:?}", out.error);
    assert!(out.invoked.is_empty());
    assert_converged(&unit.world());
    // Everything is in effect now (the memory backend applies writes at
    // once): nothing left to watch, and the unit stays as it is.
    assert_eq!(unit.store.journal().unwrap(), None);
    assert!(unit.run("update-status").is_ok());
    assert_converged(&unit.world());
}

#[test]
fn a_refused_write_is_resent_memory() {
    a_refused_write_after_the_commit_is_resent_by_the_next_hook(MemoryStore::new());
}

#[test]
fn a_refused_write_is_resent_sqlite() {
    a_refused_write_after_the_commit_is_resent_by_the_next_hook(sqlite("refused"));
}

fn held_writes_lost_with_the_hook_are_resent(store: impl StateStore) {
    let mut unit = Unit::new(store);
    let before = unit.world();
    // The hook sent everything, then was killed before exiting 0: Juju
    // discards its relation data and ports, keeps the rest.
    assert!(unit.run("config-changed").is_ok());
    unit.discard_held_writes(&before);
    assert!(
        unit.world().relations[&db()]
            .data
            .get(&own_bag())
            .is_none_or(|b| b.is_empty())
    );
    assert!(unit.world().ports.is_empty());
    let sets = unit.backend.calls_of("relation-set");
    let out = unit.run("config-changed");
    assert!(out.is_ok(), "{:?}", out.error);
    assert_eq!(unit.backend.calls_of("relation-set"), sets + 1);
    assert_converged(&unit.world());
    let logs = unit.sink.at(Level::Info).join("\n");
    assert!(
        logs.contains("resent 1 key(s) of this unit's databag of relation db:3"),
        "{logs}"
    );
    assert!(
        !logs.contains("\"web\"") && !logs.contains("s3cret"),
        "values are never logged"
    );
    // Kept until a hook that exits 0 shows it in effect.
    assert!(unit.store.journal().unwrap().is_some());
    assert!(unit.run("update-status").is_ok());
    assert_eq!(unit.store.journal().unwrap(), None);
}

#[test]
fn held_writes_lost_with_the_hook_are_resent_memory() {
    held_writes_lost_with_the_hook_are_resent(MemoryStore::new());
}

#[test]
fn held_writes_lost_with_the_hook_are_resent_sqlite() {
    held_writes_lost_with_the_hook_are_resent(sqlite("held"));
}

#[test]
fn a_hook_that_fails_before_its_commit_sends_nothing_and_keeps_the_journal() {
    let mut unit = Unit::new(MemoryStore::new());
    *unit.backend.refuse.borrow_mut() = Some("status-set");
    assert!(unit.run("config-changed").is_err_or_send());
    let journal = unit.store.journal.clone();
    let data = unit.store.data.clone();
    // A resend that is refused fails the hook before anything else:
    // nothing of it is committed, the journal is kept.
    let calls = unit.backend.inner.calls().len();
    let out = unit.run("update-status");
    assert!(
        matches!(out.error, Some(HookError::Recover(_))),
        "{:?}",
        out.error
    );
    assert!(out.invoked.is_empty());
    assert_eq!(unit.store.journal, journal);
    assert_eq!(unit.store.data, data);
    let sent: Vec<_> = unit.backend.inner.calls()[calls..]
        .iter()
        .map(|c| c.tool)
        .filter(|t| t.ends_with("-set") || t.ends_with("-port"))
        .collect();
    assert_eq!(sent, ["application-version-set"], "only the resends ran");
}

trait ErrOrSend {
    fn is_err_or_send(&self) -> bool;
}

impl ErrOrSend for HookOutcome {
    fn is_err_or_send(&self) -> bool {
        matches!(self.error, Some(HookError::Send(_)))
    }
}

#[test]
fn writes_to_a_relation_gone_since_are_dropped_with_a_log_line() {
    let mut unit = Unit::new(MemoryStore::new());
    let before = unit.world();
    assert!(unit.run("config-changed").is_ok());
    unit.discard_held_writes(&before);
    // The relation is removed before the next hook.
    let mut world = unit.world();
    world.relations.clear();
    unit.backend = Rc::new(Refusing::new(world));
    let out = unit.run("update-status");
    assert!(out.is_ok(), "{:?}", out.error);
    assert_eq!(unit.backend.calls_of("relation-set"), 0);
    let logs = unit.sink.at(Level::Info).join("\n");
    assert!(logs.contains("relation db:3 is gone: 1 key(s)"), "{logs}");
    // The port is still resent and watched.
    assert_eq!(unit.world().ports.len(), 1);
}

#[test]
fn leadership_writes_are_dropped_once_the_unit_no_longer_leads() {
    let mut unit = Unit::new(MemoryStore::new());
    *unit.backend.refuse.borrow_mut() = Some("leader-set");
    assert!(unit.run("config-changed").is_err_or_send());
    let mut world = unit.world();
    world.leader = false;
    unit.backend = Rc::new(Refusing::new(world));
    let out = unit.run("update-status");
    assert!(out.is_ok(), "{:?}", out.error);
    assert_eq!(unit.backend.calls_of("leader-set"), 0);
    assert!(unit.world().leader_settings.is_empty());
    let logs = unit.sink.at(Level::Info).join("\n");
    assert!(logs.contains("no longer leads"), "{logs}");
    // The rest was resent.
    assert_eq!(
        unit.world().unit_status,
        Some(Status::new(StatusState::Active, "ready"))
    );
}

#[test]
fn an_unreadable_journal_fails_the_hook_and_changes_nothing() {
    let mut store = MemoryStore::new();
    store.journal = Some("{not json".into());
    let mut unit = Unit::new(store);
    let out = unit.run("config-changed");
    let Some(HookError::Recover(e)) = &out.error else {
        panic!("{:?}", out.error);
    };
    assert!(matches!(
        e.downcast_ref::<JournalError>(),
        Some(JournalError::Decode(_))
    ));
    assert!(unit.store.data.is_empty());
    assert_eq!(unit.store.journal.as_deref(), Some("{not json"));
    assert!(
        unit.backend
            .inner
            .calls()
            .iter()
            .all(|c| !c.tool.ends_with("-set"))
    );
}

#[test]
fn the_journal_is_its_own_table_and_the_kv_table_stays_charmhelpers() {
    let mut store = sqlite("table");
    let path = store.path().to_owned();
    store
        .commit_journaled(
            &[charm_runtime::reactive::state::Change {
                key: "reactive.states.a".into(),
                value: Some("null".into()),
            }],
            Some("{\"v\":1}"),
        )
        .unwrap();
    drop(store);
    let mut store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.journal().unwrap().as_deref(), Some("{\"v\":1}"));
    assert_eq!(
        store.load().unwrap().len(),
        1,
        "the journal is not a kv key"
    );
    store.commit_journaled(&[], None).unwrap();
    assert_eq!(store.journal().unwrap(), None);
    // A plain commit leaves the journal alone.
    store.commit_journaled(&[], Some("x")).unwrap();
    store
        .commit(&[charm_runtime::reactive::state::Change {
            key: "k".into(),
            value: Some("1".into()),
        }])
        .unwrap();
    assert_eq!(store.journal().unwrap().as_deref(), Some("x"));
}

/// A store whose commits fail, as with a read-only charm directory.
struct ReadOnly(MemoryStore);

impl StateStore for ReadOnly {
    fn load(
        &mut self,
    ) -> Result<charm_runtime::reactive::state::Snapshot, charm_runtime::StateError> {
        self.0.load()
    }
    fn commit(
        &mut self,
        _: &[charm_runtime::reactive::state::Change],
    ) -> Result<(), charm_runtime::StateError> {
        Err(read_only())
    }
    fn journal(&mut self) -> Result<Option<String>, charm_runtime::StateError> {
        self.0.journal()
    }
    fn commit_journaled(
        &mut self,
        _: &[charm_runtime::reactive::state::Change],
        _: Option<&str>,
    ) -> Result<(), charm_runtime::StateError> {
        Err(read_only())
    }
}

fn read_only() -> charm_runtime::StateError {
    charm_runtime::StateError::Io {
        path: PathBuf::from("/charm/.unit-state.db"),
        source: std::io::Error::other("read-only file system"),
    }
}

#[test]
fn a_hook_that_cannot_commit_sends_nothing() {
    let mut unit = Unit::new(ReadOnly(MemoryStore::new()));
    let out = unit.run("config-changed");
    assert!(
        matches!(out.error, Some(HookError::State(_))),
        "{:?}",
        out.error
    );
    assert!(out.committed.is_empty() && out.flags.is_empty());
    let sent = unit
        .backend
        .inner
        .calls()
        .iter()
        .filter(|c| c.tool.ends_with("-set") || c.tool.ends_with("-port"))
        .count();
    assert_eq!(sent, 0, "nothing reaches Juju");
    assert_eq!(unit.world().leader_settings, BTreeMap::new());
}

/// A store that counts its transactions.
#[derive(Default)]
struct Counting {
    inner: MemoryStore,
    transactions: usize,
}

impl StateStore for Counting {
    fn load(
        &mut self,
    ) -> Result<charm_runtime::reactive::state::Snapshot, charm_runtime::StateError> {
        self.inner.load()
    }
    fn commit(
        &mut self,
        changes: &[charm_runtime::reactive::state::Change],
    ) -> Result<(), charm_runtime::StateError> {
        self.transactions += 1;
        self.inner.commit(changes)
    }
    fn journal(&mut self) -> Result<Option<String>, charm_runtime::StateError> {
        self.inner.journal()
    }
    fn commit_journaled(
        &mut self,
        changes: &[charm_runtime::reactive::state::Change],
        journal: Option<&str>,
    ) -> Result<(), charm_runtime::StateError> {
        self.transactions += 1;
        self.inner.commit_journaled(changes, journal)
    }
}

/// update-status as most charms write it: the same status every hook,
/// no flag or key changed. Past the unit's first hook (which records the
/// Juju layer's own flags and config), it costs no transaction (no write
/// to disk), and its status still reaches Juju.
#[test]
fn a_hook_that_changes_no_state_commits_nothing_and_still_sends() {
    let mut r = Registry::new();
    r.add(
        Handler::new("report", |ctx: &HookContext| {
            ctx.status_set(Status::new(StatusState::Active, "ready"));
        })
        .hook(["update-status"]),
    )
    .unwrap();
    let metadata = Metadata::parse(METADATA, "metadata.yaml").unwrap();
    let charm = Charm::new(metadata, ConfigSchema::default(), None, r).unwrap();
    let backend = Rc::new(MemoryBackend::new(world()));
    let mut store = Counting::default();
    let mut after_first = 0;
    for n in 1..=3 {
        let out = charm.run(
            env("update-status"),
            backend.clone(),
            &mut store,
            Rc::new(MemorySink::new()),
        );
        assert!(out.error.is_none(), "{:?}", out.error);
        let statuses = backend
            .calls()
            .iter()
            .filter(|c| c.tool == "status-set")
            .count();
        assert_eq!(statuses, n, "hook {n} sends its status");
        if n == 1 {
            after_first = store.transactions;
            assert!(after_first > 0, "the first hook records the layer's flags");
        }
    }
    assert_eq!(
        store.transactions, after_first,
        "hooks 2 and 3 wrote nothing"
    );
    assert_eq!(store.inner.journal().unwrap(), None);
}
