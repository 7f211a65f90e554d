//! A unit upgraded in place from a Python reactive charm: the real
//! charms.reactive 1.5.3 runs two hooks of a small Python charm into a
//! unit state (`tools/reference/python_charm_hooks.py`), then the Rust
//! charm's `upgrade-charm` hook runs, through the Juju layer, on that same
//! `.unit-state.db` and charm directory. Needs `CHARM_REFERENCE_PYTHON`
//! (set by `.ci/run`); docs/migrating.md describes what this checks.

mod support;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

use charm_runtime::backend::{MemoryBackend, MemoryWorld};
use charm_runtime::env::HookEnv;
use charm_runtime::log::NullSink;
use charm_runtime::metadata::{ConfigSchema, Metadata};
use charm_runtime::{Charm, Handler, HookContext, Registry, SqliteStore, StateStore};
use serde_json::{Value, json};

const METADATA: &str = "\
name: app
summary: An application
description: Upgraded from its Python reactive charm.
provides:
  website:
    interface: http
  other:
    interface: other
";

const CONFIG: &str = "\
options:
  port:
    type: int
    default: 8080
    description: Port.
  site-title:
    type: string
    default: Hello
    description: Title.
  maintenance:
    type: boolean
    default: false
    description: Maintenance page.
";

/// What the handlers of the Rust hook saw.
#[derive(Debug, Default)]
struct Seen {
    ran: Vec<&'static str>,
    flags: Vec<String>,
    python_only: Option<Value>,
    port: Option<u16>,
    render_changed: Option<bool>,
    other_render_changed: Option<bool>,
}

fn registry(seen: &Rc<RefCell<Seen>>) -> Registry {
    let mut r = Registry::new();
    let s = seen.clone();
    r.add(
        Handler::new("app::upgrade", move |ctx: &HookContext| {
            let mut s = s.borrow_mut();
            s.ran.push("upgrade");
            s.flags = ctx.flags().list();
            s.python_only = ctx.flags().value::<Value>("python.only").unwrap();
            s.port = ctx.kv().get::<u16>("app.port").unwrap();
            // Same value as Python recorded: unchanged. is_data_changed
            // does not record, so both questions see the Python record.
            let render = json!({"title": "old title", "port": 8080, "peers": ["10.0.0.2"]});
            s.render_changed = Some(ctx.is_data_changed("app.render", &render).unwrap());
            s.other_render_changed = Some(
                ctx.is_data_changed("app.render", &json!({"port": 9090}))
                    .unwrap(),
            );
        })
        .hook(["upgrade-charm"]),
    )
    .unwrap();
    let s = seen.clone();
    r.add(
        Handler::new("app::configured", move |_: &HookContext| {
            s.borrow_mut().ran.push("configured")
        })
        .when(["app.installed", "app.configured"]),
    )
    .unwrap();
    let s = seen.clone();
    r.add(
        Handler::new("app::install", move |_: &HookContext| {
            s.borrow_mut().ran.push("install")
        })
        .when_not(["app.installed"]),
    )
    .unwrap();
    // Watching an endpoint flag makes `website` an endpoint the Juju layer
    // manages; nothing refers to `other`.
    let s = seen.clone();
    r.add(
        Handler::new("app::website", move |_: &HookContext| {
            s.borrow_mut().ran.push("website")
        })
        .when(["endpoint.website.joined"]),
    )
    .unwrap();
    r
}

#[test]
fn a_python_charms_unit_state_carries_over_to_the_rust_charm() {
    let Some(python) =
        support::reference_python("a_python_charms_unit_state_carries_over_to_the_rust_charm")
    else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("charm-rt-upgrade-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("metadata.yaml"), METADATA).unwrap();
    std::fs::write(dir.join("config.yaml"), CONFIG).unwrap();

    // The Python charm's hooks: install, then leader-elected.
    let text = support::run_reference(&python, "python_charm_hooks.py", &[dir.to_str().unwrap()]);
    let python_results: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        python_results,
        json!({"install": [true], "leader-elected": [false]})
    );

    // The upgraded unit: no longer the leader, the cluster id still set,
    // one option changed since the Python charm's last hook, no relation.
    let world = MemoryWorld {
        unit: "app/0".into(),
        leader: false,
        leader_settings: BTreeMap::from([("cluster-id".into(), "c0ffee".into())]),
        config: serde_json::from_value(
            json!({"port": 8080, "site-title": "new title", "maintenance": false}),
        )
        .unwrap(),
        ..MemoryWorld::default()
    };
    let seen = Rc::new(RefCell::new(Seen::default()));
    let charm = Charm::new(
        Metadata::parse(METADATA, "metadata.yaml").unwrap(),
        ConfigSchema::parse(CONFIG, "config.yaml").unwrap(),
        None,
        registry(&seen),
    )
    .unwrap();
    let vars = [
        ("JUJU_UNIT_NAME", "app/0".to_owned()),
        ("JUJU_CHARM_DIR", dir.to_str().unwrap().to_owned()),
        ("JUJU_DISPATCH_PATH", "hooks/upgrade-charm".to_owned()),
    ];
    let env = HookEnv::from_vars(
        |k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()),
        None,
    )
    .unwrap();
    let db = dir.join(".unit-state.db");
    let mut store = SqliteStore::open(&db).unwrap();
    let out = charm.run(
        env,
        Rc::new(MemoryBackend::new(world)),
        &mut store,
        Rc::new(NullSink),
    );
    assert!(out.is_ok(), "{:?}", out.error);

    let seen = seen.borrow();
    // Flags Python set satisfy #[when] / #[when_not] conditions.
    assert_eq!(seen.ran, ["upgrade", "configured"]);
    assert_eq!(seen.python_only, Some(json!({"since": "1.0"})));
    assert_eq!(seen.port, Some(8080));
    assert_eq!(seen.render_changed, Some(false));
    assert_eq!(seen.other_render_changed, Some(true));
    let flags: Vec<&str> = seen.flags.iter().map(String::as_str).collect();
    assert_eq!(
        flags,
        [
            // The charm's own flags, as Python left them.
            "app.configured",
            "app.installed",
            // Recomputed from the config: `site-title` differs from the
            // config charmhelpers saved in .juju-persistent-config.
            "config.changed",
            "config.changed.site-title",
            "config.default.maintenance",
            "config.default.port",
            "config.set.port",
            "config.set.site-title",
            // `other` is not an endpoint the Rust charm uses: its flag is
            // not managed, so it stays as Python left it.
            "endpoint.other.joined",
            // Recomputed from leader-get; is_leader went with is-leader
            // saying false, and the recorded setting is unchanged.
            "leadership.set.cluster-id",
            // Unknown to the Rust charm: kept.
            "python.only",
        ]
    );

    // After the commit: unknown flags and Python's bookkeeping are still
    // there; the flags the Juju layer owns are as it recomputed them.
    let data = store.load().unwrap();
    drop(store);
    assert_eq!(data["reactive.states.python.only"], r#"{"since": "1.0"}"#);
    assert_eq!(data["reactive.dispatch.phase"], "\"other\"");
    for gone in [
        "reactive.states.leadership.is_leader",
        "reactive.states.endpoint.website.joined",
        "reactive.states.config.changed",
    ] {
        assert!(!data.contains_key(gone), "{gone} still stored");
    }

    // And the Python charm, were the unit downgraded again, reads the same.
    let check = dir.join("check.json");
    std::fs::write(
        &check,
        json!([{"key": "app.render",
                "value": {"port": 8080, "title": "old title", "peers": ["10.0.0.2"]}}])
        .to_string(),
    )
    .unwrap();
    let text = support::run_reference(
        &python,
        "read_unit_state.py",
        &[db.to_str().unwrap(), "--check", check.to_str().unwrap()],
    );
    let back: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        back["flags"],
        json!([
            "app.configured",
            "app.installed",
            "endpoint.other.joined",
            "leadership.set.cluster-id",
            "python.only"
        ])
    );
    assert_eq!(back["kv"]["app.port"], json!(8080));
    assert_eq!(back["data_changed"]["app.render"], json!(false));
    std::fs::remove_dir_all(&dir).unwrap();
}
