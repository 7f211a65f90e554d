//! The Juju side of a hook over the in-memory backend: automatic endpoint
//! and leadership flags, reads cached for the hook, writes sent once and
//! only when the hook succeeded.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::rc::Rc;

use charm_runtime::backend::{
    Backend, DataBag, MemoryBackend, MemoryRelation, MemoryWorld, RelationId, Status, StatusState,
};
use charm_runtime::env::{HookEnv, Invoked};
use charm_runtime::log::NullSink;
use charm_runtime::metadata::{ConfigSchema, Metadata};
use charm_runtime::{
    Charm, CharmError, Error, Handler, HookContext, HookOutcome, MemoryStore, Registry,
};

const METADATA: &str = "
name: web
provides:
  website:
    interface: http
requires:
  db:
    interface: mysql
peers:
  cluster:
    interface: web-peers
";

fn env(hook: &str, relation: Option<(&str, &str)>) -> HookEnv {
    HookEnv {
        invoked: Invoked::Hook(hook.to_owned()),
        unit: "web/0".into(),
        charm_dir: PathBuf::from("/nonexistent"),
        relation: relation.map(|(r, _)| r.split(':').next().unwrap().to_owned()),
        relation_id: relation.map(|(r, _)| r.parse().unwrap()),
        remote_unit: relation.map(|(_, u)| u.to_owned()),
        remote_app: relation.map(|(_, u)| u.split('/').next().unwrap().to_owned()),
        departing_unit: None,
        principal_unit: None,
        model: None,
        juju_version: None,
        secret: None,
        simulated_host: true,
    }
}

struct Unit {
    backend: Rc<MemoryBackend>,
    store: MemoryStore,
}

impl Unit {
    fn new(world: MemoryWorld) -> Self {
        Self {
            backend: Rc::new(MemoryBackend::new(world)),
            store: MemoryStore::new(),
        }
    }

    fn run(
        &mut self,
        registry: &Registry,
        hook: &str,
        relation: Option<(&str, &str)>,
    ) -> HookOutcome {
        self.run_logging(registry, hook, relation, Rc::new(NullSink))
    }

    /// [`Unit::run`] with the hook's log lines going to `sink`.
    fn run_logging(
        &mut self,
        registry: &Registry,
        hook: &str,
        relation: Option<(&str, &str)>,
        sink: Rc<dyn charm_runtime::log::LogSink>,
    ) -> HookOutcome {
        let metadata = Metadata::parse(METADATA, "metadata.yaml").unwrap();
        let charm = Charm::new(metadata, ConfigSchema::default(), None, registry.clone()).unwrap();
        let backend: Rc<dyn Backend> = self.backend.clone();
        charm.run(env(hook, relation), backend, &mut self.store, sink)
    }

    fn calls_of(&self, tool: &str) -> usize {
        self.backend
            .calls()
            .iter()
            .filter(|c| c.tool == tool)
            .count()
    }
}

fn world() -> MemoryWorld {
    MemoryWorld {
        unit: "web/0".into(),
        ..Default::default()
    }
}

fn db() -> RelationId {
    RelationId::new("db", 3)
}

fn bag(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// A registry with one handler watching the db endpoint's flags, so the
/// endpoint is managed.
fn watching_db() -> Registry {
    let mut r = Registry::new();
    r.add(Handler::new("watch", |_: &HookContext| {}).when(["endpoint.db.joined"]))
        .unwrap();
    r
}

#[test]
fn endpoint_flags_follow_joined_changed_and_departed() {
    let mut unit = Unit::new(world());
    let r = watching_db();
    // No relation yet.
    assert!(unit.run(&r, "install", None).is_ok());
    assert!(unit.store.flags().is_empty());

    // mysql/0 joins with data.
    let mut w = unit.backend.world();
    w.relations.insert(
        db(),
        MemoryRelation {
            remote_app: Some("mysql".into()),
            units: vec!["mysql/0".into()],
            data: [(
                DataBag::Unit("mysql/0".into()),
                bag(&[("host", "\"10.0.0.5\""), ("port", "3306")]),
            )]
            .into_iter()
            .collect(),
        },
    );
    unit.backend = Rc::new(MemoryBackend::new(w));
    let out = unit.run(&r, "db-relation-joined", Some(("db:3", "mysql/0")));
    assert!(out.is_ok(), "{:?}", out.error);
    assert_eq!(
        unit.store.flags(),
        [
            "endpoint.db.changed",
            "endpoint.db.changed.host",
            "endpoint.db.changed.port",
            "endpoint.db.joined"
        ]
    );
    // The hash recorded is charms.reactive's: md5 of json.dumps of the
    // decoded value, under endpoint.<name>.<relation>.<unit>.<key>.
    assert_eq!(
        unit.store.data["reactive.data_changed.endpoint.db.db:3.mysql/0.host"],
        format!("\"{:x}\"", md5::compute("\"10.0.0.5\""))
    );

    // The handler clears `changed`; the same data again does not set it.
    unit.store
        .data
        .retain(|k, _| !k.starts_with("reactive.states.endpoint.db.changed"));
    unit.run(&r, "db-relation-changed", Some(("db:3", "mysql/0")));
    assert_eq!(unit.store.flags(), ["endpoint.db.joined"]);

    // mysql/0 departs: joined cleared, departed set, unit remembered.
    let mut w = unit.backend.world();
    w.relations.get_mut(&db()).unwrap().units.clear();
    unit.backend = Rc::new(MemoryBackend::new(w));
    unit.run(&r, "db-relation-departed", Some(("db:3", "mysql/0")));
    assert_eq!(unit.store.flags(), ["endpoint.db.departed"]);
    let departed: serde_json::Value =
        serde_json::from_str(&unit.store.data["reactive.endpoints.departed.db"]).unwrap();
    assert_eq!(
        departed,
        serde_json::json!([{"relation": "db:3", "unit_name": "mysql/0",
                            "data": {"host": "\"10.0.0.5\"", "port": "3306"}}])
    );
}

#[test]
fn the_departing_unit_is_not_joined_during_its_departed_hook() {
    let mut w = world();
    w.relations.insert(
        db(),
        MemoryRelation {
            remote_app: Some("mysql".into()),
            // Juju still lists the departing unit during the hook.
            units: vec!["mysql/0".into(), "mysql/1".into()],
            data: BTreeMap::new(),
        },
    );
    let mut unit = Unit::new(w);
    let mut r = watching_db();
    let seen = Rc::new(std::cell::RefCell::new(Vec::new()));
    let s = seen.clone();
    r.add(
        Handler::new("units", move |ctx: &HookContext| -> Result<(), Error> {
            let ep = ctx.endpoint("db")?;
            for u in ep.all_joined_units()? {
                s.borrow_mut().push(u.name().to_owned());
            }
            Ok(())
        })
        .when(["endpoint.db.departed"]),
    )
    .unwrap();
    let out = unit.run(&r, "db-relation-departed", Some(("db:3", "mysql/1")));
    assert!(out.is_ok(), "{:?}", out.error);
    assert_eq!(*seen.borrow(), ["mysql/0"]);
    assert!(
        unit.store
            .flags()
            .contains(&"endpoint.db.joined".to_owned())
    );
    assert!(
        unit.store
            .flags()
            .contains(&"endpoint.db.departed".to_owned())
    );
}

fn publisher(value: &'static str) -> Registry {
    let mut r = Registry::new();
    r.add(
        Handler::new("publish", move |ctx: &HookContext| -> Result<(), Error> {
            let ep = ctx.endpoint("db")?;
            for rel in ep.relations()? {
                rel.to_publish().set("database", value)?;
                rel.to_publish()
                    .set("config", &serde_json::json!({"b": 2, "a": [1, "é"]}))?;
                rel.to_publish_raw().set("raw", "plain text")?;
            }
            ctx.status_set(Status::new(StatusState::Active, "ready"));
            Ok(())
        })
        .hook(["config-changed"]),
    )
    .unwrap();
    r
}

fn with_db_relation() -> MemoryWorld {
    let mut w = world();
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

#[test]
fn published_data_is_python_json_sent_once_and_only_when_changed() {
    let mut unit = Unit::new(with_db_relation());
    let out = unit.run(&publisher("app"), "config-changed", None);
    assert!(out.is_ok(), "{:?}", out.error);
    let local = &unit.backend.world().relations[&db()].data[&DataBag::Unit("web/0".into())];
    assert_eq!(local["database"], "\"app\"");
    // json.dumps({"b": 2, "a": [1, "é"]}, sort_keys=True)
    assert_eq!(local["config"], r#"{"a": [1, "\u00e9"], "b": 2}"#);
    assert_eq!(local["raw"], "plain text");
    assert_eq!(unit.calls_of("relation-set"), 1, "one call per relation");
    assert_eq!(unit.calls_of("status-set"), 1);

    // The same data again: read once, nothing sent.
    let before = unit.calls_of("relation-set");
    unit.run(&publisher("app"), "config-changed", None);
    assert_eq!(unit.calls_of("relation-set"), before);

    // One key changes: only that key is sent.
    unit.run(&publisher("other"), "config-changed", None);
    let last = unit
        .backend
        .calls()
        .into_iter()
        .rfind(|c| c.tool == "relation-set")
        .unwrap();
    assert_eq!(last.args, ["-r", "db:3", "--file", "-"]);
    assert_eq!(
        unit.backend.world().relations[&db()].data[&DataBag::Unit("web/0".into())]["database"],
        "\"other\""
    );
}

#[test]
fn a_failed_hook_sends_nothing_to_juju() {
    let mut unit = Unit::new(with_db_relation());
    let mut r = publisher("app");
    r.add(Handler::new("fail", |_: &HookContext| Err::<(), _>("broken")).hook(["config-changed"]))
        .unwrap();
    let out = unit.run(&r, "config-changed", None);
    assert!(!out.is_ok());
    assert_eq!(unit.calls_of("relation-set"), 0);
    assert_eq!(unit.calls_of("status-set"), 0);
    assert!(unit.backend.world().relations[&db()].data.is_empty());
}

#[test]
fn reads_are_cached_for_the_hook() {
    let mut unit = Unit::new(with_db_relation());
    let mut r = Registry::new();
    r.add(
        Handler::new("reads", |ctx: &HookContext| -> Result<(), Error> {
            for _ in 0..3 {
                let ep = ctx.endpoint("db")?;
                for u in ep.all_joined_units()? {
                    u.received()?;
                }
                ctx.juju().config_values()?;
                ctx.juju().is_leader()?;
            }
            Ok(())
        })
        .hook(["update-status"]),
    )
    .unwrap();
    assert!(unit.run(&r, "update-status", None).is_ok());
    for tool in ["relation-ids", "relation-get", "config-get", "is-leader"] {
        assert_eq!(unit.calls_of(tool), 1, "{tool}");
    }
}

#[test]
fn leadership_flags_follow_settings_and_leader_set() {
    let mut w = world();
    w.leader = true;
    w.leader_settings = bag(&[("cluster-created", "yes")]);
    let mut unit = Unit::new(w);
    let mut r = Registry::new();
    r.add(
        Handler::new("set", |ctx: &HookContext| -> Result<(), Error> {
            ctx.leader_set("password-set", Some("true"))?;
            assert_eq!(ctx.leader_get("password-set")?.as_deref(), Some("true"));
            Ok(())
        })
        .when(["leadership.is_leader"])
        .when_not(["leadership.set.password-set"]),
    )
    .unwrap();
    let out = unit.run(&r, "leader-elected", None);
    assert!(out.is_ok(), "{:?}", out.error);
    assert_eq!(
        unit.store.flags(),
        [
            "leadership.changed",
            "leadership.changed.cluster-created",
            "leadership.changed.password-set",
            "leadership.is_leader",
            "leadership.set.cluster-created",
            "leadership.set.password-set",
        ]
    );
    assert_eq!(unit.backend.world().leader_settings["password-set"], "true");
    assert_eq!(unit.calls_of("leader-set"), 1);

    // Next hook: nothing changed, so the changed flags clear.
    unit.run(&r, "update-status", None);
    assert_eq!(
        unit.store.flags(),
        [
            "leadership.is_leader",
            "leadership.set.cluster-created",
            "leadership.set.password-set"
        ]
    );
}

#[test]
fn a_follower_cannot_leader_set() {
    let mut unit = Unit::new(world());
    let mut r = Registry::new();
    r.add(
        Handler::new("set", |ctx: &HookContext| ctx.leader_set("k", Some("v"))).hook(["install"]),
    )
    .unwrap();
    let out = unit.run(&r, "install", None);
    let err = out.error.unwrap().to_string();
    assert!(err.contains("this unit is not the leader"), "{err}");
    assert_eq!(unit.calls_of("leader-set"), 0);
}

mod config_flags {
    use super::*;

    const CONFIG: &str = "
options:
  port: {type: int, default: 8080}
  vip: {type: string}
";

    fn run_with_config(
        unit: &mut Unit,
        charm_dir: &std::path::Path,
        config: serde_json::Value,
        seen: &Rc<std::cell::RefCell<Vec<String>>>,
    ) -> HookOutcome {
        let mut w = unit.backend.world();
        w.config = config.as_object().unwrap().clone();
        unit.backend = Rc::new(MemoryBackend::new(w));
        let mut r = Registry::new();
        let s = seen.clone();
        r.add(
            Handler::new("observe", move |ctx: &HookContext| {
                *s.borrow_mut() = ctx
                    .flags()
                    .list()
                    .into_iter()
                    .filter(|f| f.starts_with("config."))
                    .collect();
            })
            .hook(["config-changed"]),
        )
        .unwrap();
        let metadata = Metadata::parse(METADATA, "metadata.yaml").unwrap();
        let schema = ConfigSchema::parse(CONFIG, "config.yaml").unwrap();
        let charm = Charm::new(metadata, schema, None, r).unwrap();
        let mut env = env("config-changed", None);
        env.charm_dir = charm_dir.to_path_buf();
        let backend: Rc<dyn Backend> = unit.backend.clone();
        charm.run(env, backend, &mut unit.store, Rc::new(NullSink))
    }

    #[test]
    fn config_flags_live_for_the_hook_and_track_changes() {
        let dir = std::env::temp_dir().join(format!("charm-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let seen = Rc::new(std::cell::RefCell::new(Vec::new()));
        let mut unit = Unit::new(world());
        let cfg = serde_json::json!({"port": 8080, "vip": null});
        // First hook: every option counts as changed (layer-basic).
        assert!(run_with_config(&mut unit, &dir, cfg.clone(), &seen).is_ok());
        assert_eq!(
            *seen.borrow(),
            [
                "config.changed",
                "config.changed.port",
                "config.changed.vip",
                "config.default.port",
                "config.default.vip",
                "config.set.port"
            ]
        );
        // They are cleared at the end of the hook.
        assert!(unit.store.flags().is_empty(), "{:?}", unit.store.flags());
        // Same config: nothing changed.
        run_with_config(&mut unit, &dir, cfg, &seen);
        assert_eq!(
            *seen.borrow(),
            [
                "config.default.port",
                "config.default.vip",
                "config.set.port"
            ]
        );
        // One option changes.
        run_with_config(
            &mut unit,
            &dir,
            serde_json::json!({"port": 80, "vip": null}),
            &seen,
        );
        assert_eq!(
            *seen.borrow(),
            [
                "config.changed",
                "config.changed.port",
                "config.default.vip",
                "config.set.port"
            ]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_python_charms_persistent_config_counts_as_previous() {
        let dir = std::env::temp_dir().join(format!("charm-cfg-py-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // What charmhelpers left after the Python charm's last hook.
        std::fs::write(
            dir.join(".juju-persistent-config"),
            r#"{"port": 8080, "vip": "10.0.0.9"}"#,
        )
        .unwrap();
        let seen = Rc::new(std::cell::RefCell::new(Vec::new()));
        let mut unit = Unit::new(world());
        let cfg = serde_json::json!({"port": 8080, "vip": "10.0.0.10"});
        assert!(run_with_config(&mut unit, &dir, cfg, &seen).is_ok());
        assert_eq!(
            *seen.borrow(),
            [
                "config.changed",
                "config.changed.vip",
                "config.default.port",
                "config.set.port",
                "config.set.vip"
            ]
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

#[test]
fn flags_naming_relations_missing_from_metadata_are_reported_at_start_up() {
    let metadata = Metadata::parse(METADATA, "metadata.yaml").unwrap();
    let mut r = Registry::new();
    r.add(Handler::new("charm::use_db", |_: &HookContext| {}).when(["endpoint.db.joined"]))
        .unwrap();
    r.add(
        Handler::new("charm::use_cache", |_: &HookContext| {})
            .when(["endpoint.cache.changed.host", "app.ready"]),
    )
    .unwrap();
    match Charm::new(metadata, ConfigSchema::default(), None, r) {
        Err(CharmError::Names { problems, .. }) => assert_eq!(
            problems,
            [
                "handler charm::use_cache watches flag \"endpoint.cache.changed.host\", but the charm's metadata declares no relation \"cache\" (declared: cluster, db, website)"
            ]
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_endpoint_reached_only_through_a_typed_argument_gets_its_flags() {
    use charm_runtime::endpoint::TypedArg;
    let mut w = world();
    w.relations.insert(
        RelationId::new("website", 4),
        MemoryRelation {
            remote_app: Some("haproxy".into()),
            units: vec!["haproxy/0".into()],
            data: BTreeMap::new(),
        },
    );
    let mut unit = Unit::new(w);
    let mut r = Registry::new();
    // As `fn f(http: &Http)` with `#[when("website.available")]`: the flag
    // is the interface's, not `endpoint.website.*`.
    r.add(
        Handler::new("proxy", |_: &HookContext| {})
            .when(["website.available"])
            .typed_arg(TypedArg {
                type_name: "Http",
                interface: "http",
                role: None,
            }),
    )
    .unwrap();
    assert!(
        unit.run(
            &r,
            "website-relation-joined",
            Some(("website:4", "haproxy/0"))
        )
        .is_ok()
    );
    assert_eq!(unit.store.flags(), ["endpoint.website.joined"]);
}

/// Remote units whose names are not `<application>/<number>`, or that
/// belong to another application than the relation's remote one (this
/// unit's own on a peer relation), are left out of every relation view,
/// each with a warning saying why; the hook succeeds and sees the others.
#[test]
fn malformed_and_foreign_remote_units_are_skipped_with_a_reason() {
    let cluster = RelationId::new("cluster", 1);
    let seen = Rc::new(std::cell::RefCell::new(Vec::new()));
    let mut r = Registry::new();
    let record = seen.clone();
    r.add(
        Handler::new("watch", move |ctx: &HookContext| -> Result<(), Error> {
            for endpoint in ["db", "cluster"] {
                for unit in ctx.endpoint(endpoint)?.all_joined_units()? {
                    record.borrow_mut().push(unit.name().to_owned());
                }
            }
            Ok(())
        })
        .hook(["update-status"]),
    )
    .unwrap();
    let mut w = world();
    let huge = format!("web/{}", "1".repeat(4096));
    w.relations.insert(
        db(),
        MemoryRelation {
            remote_app: Some("mysql".into()),
            units: vec!["mysql/0".into(), "wordpress/1".into()],
            data: BTreeMap::new(),
        },
    );
    w.relations.insert(
        cluster.clone(),
        MemoryRelation {
            remote_app: Some("web".into()),
            units: vec![
                "web/1".into(),
                "mysql/2".into(),
                "web/01".into(),
                "web".into(),
                "../etc/0".into(),
                huge.clone(),
            ],
            data: BTreeMap::new(),
        },
    );
    let mut unit = Unit::new(w);
    let out = unit.run(&r, "update-status", None);
    assert!(out.is_ok(), "{:?}", out.error);
    assert_eq!(*seen.borrow(), ["mysql/0", "web/1"]);
    let logs: Vec<String> = unit
        .backend
        .world()
        .logs
        .iter()
        .map(|(_, m)| m.clone())
        .collect();
    for expected in [
        r#"relation db:3: remote unit "wordpress/1" ignored: it belongs to "wordpress", not "mysql" (the relation's remote application)"#,
        r#"relation cluster:1: remote unit "mysql/2" ignored: it belongs to "mysql", not "web" (this unit's own application, on a peer relation)"#,
        r#"relation cluster:1: remote unit "web/01" ignored: the unit number is not a decimal number below 2^64 without a leading zero"#,
        r#"relation cluster:1: remote unit "web" ignored: a unit name is <application>/<number>"#,
        r#"relation cluster:1: remote unit "../etc/0" ignored: bad application part"#,
        "relation cluster:1: remote unit of 4100 bytes ignored",
    ] {
        assert!(
            logs.iter().any(|l| l.contains(expected)),
            "{expected}: {logs:#?}"
        );
    }
    assert!(logs.iter().all(|l| !l.contains(&huge)));
}

/// A sink noting, at each `begin_flush` and `flush`, how many writes the
/// backend had been sent.
struct FlushWatcher {
    backend: Rc<MemoryBackend>,
    seen: std::cell::RefCell<Vec<(&'static str, usize)>>,
}

impl FlushWatcher {
    fn note(&self, what: &'static str) {
        let writes = self
            .backend
            .calls()
            .iter()
            .filter(|c| ["relation-set", "status-set"].contains(&c.tool))
            .count();
        self.seen.borrow_mut().push((what, writes));
    }
}

impl charm_runtime::log::LogSink for FlushWatcher {
    fn log(&self, _: charm_runtime::log::Level, _: &str) {}

    fn begin_flush(&self) {
        self.note("begin_flush");
    }

    fn flush(&self) {
        self.note("flush");
    }
}

#[test]
fn the_log_batch_is_started_before_the_commit_and_ends_before_the_writes() {
    let mut unit = Unit::new(with_db_relation());
    let sink = Rc::new(FlushWatcher {
        backend: unit.backend.clone(),
        seen: Default::default(),
    });
    let out = unit.run_logging(&publisher("app"), "config-changed", None, sink.clone());
    assert!(out.is_ok(), "{:?}", out.error);
    // Once each, around the commit, before the relation-set and the
    // status-set the hook then sent.
    assert_eq!(*sink.seen.borrow(), [("begin_flush", 0), ("flush", 0)]);
    assert_eq!(
        unit.calls_of("relation-set") + unit.calls_of("status-set"),
        2
    );

    // A hook that commits nothing has no commit to overlap: the second
    // of two identical update-status hooks.
    for _ in 0..2 {
        sink.seen.borrow_mut().clear();
        let out = unit.run_logging(&watching_db(), "update-status", None, sink.clone());
        assert!(out.is_ok(), "{:?}", out.error);
    }
    assert!(sink.seen.borrow().is_empty(), "{:?}", sink.seen.borrow());
}
