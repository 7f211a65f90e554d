//! `cargo charm flags` on unit state databases written by charm-runtime's
//! own store, and on files that are not one.

mod common;

use std::path::Path;

use charm_runtime::reactive::state::Change;
use charm_runtime::reactive::{SqliteStore, StateStore};
use common::{run, stderr, stdout};

fn change(key: &str, value: &str) -> Change {
    Change {
        key: key.to_owned(),
        value: Some(value.to_owned()),
    }
}

/// A unit's charm directory whose state has three flags (one with a
/// value) and two other keys, one of them a password.
fn unit_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open(dir.path().join(".unit-state.db")).unwrap();
    store
        .commit(&[
            change("reactive.states.webapp.installed", "null"),
            change("reactive.states.leadership.is_leader", "null"),
            change("reactive.states.db.available", r#"{"host": "10.0.0.1"}"#),
            change("webapp.installed-version", r#""2.4.1""#),
            change("db.password", r#""s3cret""#),
        ])
        .unwrap();
    dir
}

#[test]
fn lists_the_flags_sorted_with_values_that_are_not_null() {
    let dir = unit_dir();
    let out = run([Path::new("flags"), dir.path()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "db.available = {\"host\": \"10.0.0.1\"}\nleadership.is_leader\nwebapp.installed\n"
    );
}

#[test]
fn accepts_the_database_file_itself() {
    let dir = unit_dir();
    let out = run([Path::new("flags"), &dir.path().join(".unit-state.db")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("webapp.installed\n"));
}

#[test]
fn keys_lists_the_other_keys_as_stored() {
    let dir = unit_dir();
    let out = run([Path::new("flags"), dir.path(), Path::new("--keys")]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "flags:\n  db.available = {\"host\": \"10.0.0.1\"}\n  leadership.is_leader\n  \
         webapp.installed\nkeys:\n  db.password = \"s3cret\"\n  webapp.installed-version = \"2.4.1\"\n"
    );
}

#[test]
fn json_has_every_flag_with_its_value_and_keys_on_request() {
    let dir = unit_dir();
    let out = run([Path::new("flags"), dir.path(), Path::new("--json")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        doc["flags"],
        serde_json::json!({
            "db.available": {"host": "10.0.0.1"},
            "leadership.is_leader": null,
            "webapp.installed": null,
        })
    );
    assert!(doc.get("keys").is_none());
    assert!(doc["db"].as_str().unwrap().ends_with(".unit-state.db"));

    let out = run([
        Path::new("flags"),
        dir.path(),
        Path::new("--json"),
        Path::new("--keys"),
    ]);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        doc["keys"],
        serde_json::json!({"db.password": "s3cret", "webapp.installed-version": "2.4.1"})
    );
}

#[test]
fn a_unit_with_no_flag_prints_nothing() {
    let dir = tempfile::tempdir().unwrap();
    SqliteStore::open(dir.path().join(".unit-state.db")).unwrap();
    let out = run([Path::new("flags"), dir.path()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "");
}

#[test]
fn a_directory_without_a_database_is_named_and_not_given_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = run([Path::new("flags"), dir.path()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains(&dir.path().display().to_string()), "{err}");
    assert!(err.contains("no .unit-state.db"), "{err}");
    assert!(!dir.path().join(".unit-state.db").exists());
}

#[test]
fn a_missing_path_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nowhere");
    let out = run([Path::new("flags"), &missing]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains(&missing.display().to_string()), "{err}");
    assert!(!missing.exists());
}

#[test]
fn a_file_that_is_not_sqlite_is_named_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(".unit-state.db");
    std::fs::write(&file, "hello, not a database\n").unwrap();
    let out = run([Path::new("flags"), dir.path()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains(&file.display().to_string()), "{err}");
    assert!(err.contains("not an SQLite database"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "hello, not a database\n"
    );
}

#[test]
fn an_sqlite_file_without_the_kv_table_is_not_a_unit_state() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("other.db");
    rusqlite::Connection::open(&file)
        .unwrap()
        .execute_batch("create table t (x integer);")
        .unwrap();
    let out = run([Path::new("flags"), &file]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("other.db"), "{err}");
    assert!(err.contains("not a unit state database"), "{err}");
}
