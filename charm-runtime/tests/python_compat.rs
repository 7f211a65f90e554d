//! Agreement with Python on data a unit carries across an upgrade from a
//! Python reactive charm: golden data produced by the real charms.reactive
//! 1.5.3 / charmhelpers 1.2.1 (see golden/README.md for how).

use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;

use charm_runtime::log::NullSink;
use charm_runtime::python_json::dumps_sorted;
use charm_runtime::{
    Handler, HookContext, HookOptions, Registry, SqliteStore, StateStore, run_hook,
};
use serde_json::Value;

fn golden(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

#[test]
fn json_dumps_matches_python_byte_for_byte() {
    let text = std::fs::read_to_string(golden("python-json-vectors.jsonl")).unwrap();
    let mut checked = 0;
    for (n, line) in text.lines().enumerate() {
        let case: Value = serde_json::from_str(line).unwrap();
        let ours = dumps_sorted(&case["value"]);
        assert_eq!(
            ours,
            case["dumps"].as_str().unwrap(),
            "vector line {}",
            n + 1
        );
        assert_eq!(
            format!("{:x}", md5::compute(&ours)),
            case["md5"].as_str().unwrap(),
            "md5 of vector line {}",
            n + 1
        );
        checked += 1;
    }
    assert!(checked > 100, "only {checked} vectors");
}

#[test]
fn a_database_written_by_charms_reactive_reads_back_in_rust() {
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(golden("python-unit-state.json")).unwrap())
            .unwrap();
    let dir = std::env::temp_dir().join(format!("charm-rt-golden-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join(".unit-state.db");
    std::fs::copy(golden("python-unit-state.db"), &db).unwrap();

    let seen: Rc<RefCell<Vec<String>>> = Rc::default();
    let mut r = Registry::new();
    let exp = expected.clone();
    let s = seen.clone();
    r.add(
        Handler::new("check", move |ctx: &HookContext| {
            let flags: Vec<String> = exp["flags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f.as_str().unwrap().to_owned())
                .collect();
            assert_eq!(ctx.flags().list(), flags);
            assert!(!ctx.flags().is_set("to.clear"));
            assert_eq!(
                ctx.flags().value::<Value>("with.value").unwrap(),
                Some(exp["flag_values"]["with.value"].clone())
            );
            // The same data hashes the same: charms.reactive recorded it, so
            // it is not "changed" for Rust.
            for case in exp["data_changed"].as_array().unwrap() {
                let key = case["key"].as_str().unwrap();
                assert!(!ctx.is_data_changed(key, &case["value"]).unwrap(), "{key}");
                assert!(
                    ctx.is_data_changed(key, &"something else").unwrap(),
                    "{key}"
                );
            }
            assert_eq!(
                ctx.kv().get::<Value>("charm.custom").unwrap(),
                Some(exp["kv"]["charm.custom"].clone())
            );
            s.borrow_mut().push("check".into());
        })
        .hook(["upgrade-charm"]),
    )
    .unwrap();
    // Python's mark_invoked("my-handler") means an only_once handler with
    // that id already ran.
    let s = seen.clone();
    r.add(
        Handler::new("my-handler", move |_: &HookContext| {
            s.borrow_mut().push("once".into())
        })
        .only_once(),
    )
    .unwrap();
    let mut store = SqliteStore::open(&db).unwrap();
    let out = run_hook(
        &r,
        &mut store,
        HookOptions::new("upgrade-charm").sink(Rc::new(NullSink)),
    );
    assert!(out.is_ok(), "{:?}", out.error);
    assert_eq!(*seen.borrow(), ["check"]);
    // Keys Rust does not manage (the Python bus's phase bookkeeping) stay.
    let data = store.load().unwrap();
    assert_eq!(data["reactive.dispatch.phase"], "\"other\"");
    std::fs::remove_dir_all(&dir).unwrap();
}
