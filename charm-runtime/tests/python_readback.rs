//! A unit state written by the Rust runtime, read by the real
//! charms.reactive: the downgrade / mixed-tooling direction. Needs
//! `CHARM_REFERENCE_PYTHON` (set by `.ci/run`).

mod support;

use std::rc::Rc;

use charm_runtime::log::NullSink;
use charm_runtime::{
    Handler, HookContext, HookOptions, Registry, SqliteStore, StateError, run_hook,
};
use serde_json::{Value, json};

#[test]
fn charms_reactive_reads_what_rust_wrote() {
    let Some(python) = support::reference_python("charms_reactive_reads_what_rust_wrote") else {
        return;
    };
    let resources = json!({
        "resources": {"res_vip": "ocf:heartbeat:IPaddr2"},
        "weights": [1, 0.5, 1e16, 1e-5],
        "name": "Zürich 😀",
        "nested": {"b": [true, null], "a": {}}
    });
    let mut r = Registry::new();
    let res = resources.clone();
    r.add(
        Handler::new(
            "write",
            move |ctx: &HookContext| -> Result<(), StateError> {
                ctx.flags().set("apache.installed");
                ctx.flags().set_value("with.value", &json!({"port": 80}))?;
                ctx.flags().set("gone");
                ctx.flags().clear("gone");
                ctx.data_changed("ha.resources", &res)?;
                ctx.kv()
                    .set("charm.custom", &json!({"label": "naïve", "n": 3}))?;
                Ok(())
            },
        )
        .hook(["install"]),
    )
    .unwrap();
    let dir = std::env::temp_dir().join(format!("charm-rt-readback-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join(".unit-state.db");
    let mut store = SqliteStore::open(&db).unwrap();
    let out = run_hook(
        &r,
        &mut store,
        HookOptions::new("install").sink(Rc::new(NullSink)),
    );
    assert!(out.is_ok(), "{:?}", out.error);
    drop(store);

    let check = dir.join("check.json");
    std::fs::write(
        &check,
        serde_json::to_string(&json!([{"key": "ha.resources", "value": resources}])).unwrap(),
    )
    .unwrap();
    let text = support::run_reference(
        &python,
        "read_unit_state.py",
        &[db.to_str().unwrap(), "--check", check.to_str().unwrap()],
    );
    let seen: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(seen["flags"], json!(["apache.installed", "with.value"]));
    assert_eq!(seen["flag_values"]["with.value"], json!({"port": 80}));
    assert_eq!(
        seen["kv"]["charm.custom"],
        json!({"label": "naïve", "n": 3})
    );
    // charms.reactive hashes the same data to the same value: unchanged.
    assert_eq!(seen["data_changed"]["ha.resources"], json!(false), "{text}");
    std::fs::remove_dir_all(&dir).unwrap();
}
