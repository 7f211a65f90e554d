//! The SQLite unit state: charmhelpers' schema, transactional commits, and
//! the reactive key names.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::rc::Rc;

use charm_runtime::log::NullSink;
use charm_runtime::{
    Handler, HookContext, HookOptions, Registry, SqliteStore, StateError, StateStore, run_hook,
};

fn temp_db(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("charm-rt-state-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(".unit-state.db")
}

fn opts(hook: &str) -> HookOptions {
    HookOptions::new(hook).sink(Rc::new(NullSink))
}

fn charm() -> Registry {
    let mut r = Registry::new();
    r.add(
        Handler::new("install", |ctx: &HookContext| -> Result<(), StateError> {
            ctx.flags().set("app.installed");
            ctx.flags().set_value("app.port", &8080)?;
            ctx.kv().set("charm.password-hash", &"abc")?;
            ctx.data_changed("charm.config", &serde_json::json!({"b": 1, "a": [true]}))?;
            Ok(())
        })
        .hook(["install"]),
    )
    .unwrap();
    r.add(Handler::new("break", |_: &HookContext| Err::<(), _>("boom")).hook(["config-changed"]))
        .unwrap();
    r
}

#[test]
fn state_persists_across_hooks_in_the_charmhelpers_layout() {
    let path = temp_db("persist");
    let mut store = SqliteStore::open(&path).unwrap();
    let out = run_hook(&charm(), &mut store, opts("install"));
    assert!(out.is_ok(), "{:?}", out.error);
    drop(store);

    // Re-open as a new process would.
    let mut store = SqliteStore::open(&path).unwrap();
    let data = store.load().unwrap();
    assert_eq!(data["reactive.states.app.installed"], "null");
    assert_eq!(data["reactive.states.app.port"], "8080");
    assert_eq!(data["charm.password-hash"], "\"abc\"");
    // md5 of Python's json.dumps({"a": [true], "b": 1}, sort_keys=True).
    assert_eq!(
        data["reactive.data_changed.charm.config"],
        format!("\"{:x}\"", md5::compute(r#"{"a": [true], "b": 1}"#))
    );
    // The file is private, as charmhelpers makes it.
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn a_database_readable_by_others_is_made_private_when_opened() {
    let path = temp_db("widened");
    drop(SqliteStore::open(&path).unwrap());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    drop(SqliteStore::open(&path).unwrap());
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
}

#[test]
fn a_hook_holds_the_database_until_it_ends() {
    let path = temp_db("exclusive");
    let mut store = SqliteStore::open(&path).unwrap();
    assert!(run_hook(&charm(), &mut store, opts("install")).is_ok());
    let reader = || {
        let conn = rusqlite::Connection::open_with_flags(
            &path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        conn.busy_timeout(std::time::Duration::ZERO).unwrap();
        conn.query_row("select count(*) from kv", [], |row| row.get::<_, i64>(0))
    };
    let busy = reader().unwrap_err();
    assert_eq!(
        busy.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy),
        "{busy}"
    );
    drop(store);
    assert!(reader().unwrap() > 0);
}

#[test]
fn a_failed_hook_leaves_the_database_untouched() {
    let path = temp_db("failed");
    let mut store = SqliteStore::open(&path).unwrap();
    assert!(run_hook(&charm(), &mut store, opts("install")).is_ok());
    let before = store.load().unwrap();
    let bytes_before = std::fs::read(&path).unwrap();
    let out = run_hook(&charm(), &mut store, opts("config-changed"));
    assert_eq!(out.error.unwrap().to_string(), "handler break failed: boom");
    assert_eq!(store.load().unwrap(), before);
    assert_eq!(std::fs::read(&path).unwrap(), bytes_before);
}

#[test]
fn the_schema_is_the_one_charmhelpers_creates() {
    let path = temp_db("schema");
    drop(SqliteStore::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut stmt = conn
        .prepare("select name from sqlite_master where type = 'table' order by name")
        .unwrap();
    let tables: Vec<String> = stmt
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    // sqlite_sequence comes with the AUTOINCREMENT of `hooks`;
    // charm_runtime_journal is this crate's own, which charmhelpers ignores.
    assert_eq!(
        tables,
        [
            "charm_runtime_journal",
            "hooks",
            "kv",
            "kv_revisions",
            "sqlite_sequence"
        ]
    );
    let cols: Vec<String> = conn
        .prepare("select name from pragma_table_info('kv')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(cols, ["key", "data"]);
}

#[test]
fn a_corrupt_value_is_a_clear_error_that_loses_nothing() {
    let path = temp_db("corrupt");
    drop(SqliteStore::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "insert into kv (key, data) values ('charm.broken', '{not json')",
        [],
    )
    .unwrap();
    drop(conn);
    let mut r = Registry::new();
    r.add(
        Handler::new("read", |ctx: &HookContext| {
            ctx.kv().get::<u32>("charm.broken").map(|_| ())
        })
        .hook(["install"]),
    )
    .unwrap();
    let mut store = SqliteStore::open(&path).unwrap();
    let out = run_hook(&r, &mut store, opts("install"));
    let err = out.error.unwrap().to_string();
    assert!(
        err.contains("unit state key \"charm.broken\" holds \"{not json\""),
        "{err}"
    );
    assert_eq!(
        store.get_raw("charm.broken").unwrap().as_deref(),
        Some("{not json")
    );
}

#[test]
fn flag_keys_are_reserved_to_the_flag_api() {
    let mut r = Registry::new();
    r.add(
        Handler::new("sneaky", |ctx: &HookContext| {
            ctx.kv().set("reactive.states.x", &true)
        })
        .hook(["install"]),
    )
    .unwrap();
    let path = temp_db("reserved");
    let mut store = SqliteStore::open(&path).unwrap();
    let err = run_hook(&r, &mut store, opts("install")).error.unwrap();
    assert!(err.to_string().contains("use the flag API"), "{err}");
}

#[test]
fn kv_getrange_and_unsetrange_work_on_prefixes() {
    let mut r = Registry::new();
    r.add(
        Handler::new("kv", |ctx: &HookContext| -> Result<(), StateError> {
            let kv = ctx.kv();
            kv.set("peer.a", &1)?;
            kv.set("peer.b", &"two")?;
            kv.set("peerx", &3)?;
            let range = kv.getrange("peer.", true)?;
            assert_eq!(
                range.into_iter().collect::<Vec<_>>(),
                [
                    ("a".to_owned(), serde_json::json!(1)),
                    ("b".to_owned(), serde_json::json!("two"))
                ]
            );
            kv.unsetrange("peer.")?;
            assert_eq!(kv.get::<i32>("peerx")?, Some(3));
            assert_eq!(kv.get::<i32>("peer.a")?, None);
            Ok(())
        })
        .hook(["install"]),
    )
    .unwrap();
    let path = temp_db("range");
    let mut store = SqliteStore::open(&path).unwrap();
    let out = run_hook(&r, &mut store, opts("install"));
    assert!(out.is_ok(), "{:?}", out.error);
}
