//! Unit state errors name the key or the directory: a BLOB where JSON
//! text belongs, a charm directory that cannot be written.

use std::path::PathBuf;

use charm_runtime::{SqliteStore, StateError, StateStore};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("unit-state-errors-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_blob_in_the_unit_state_is_reported_with_its_key() {
    let dir = scratch("blob");
    let path = dir.join(".unit-state.db");
    drop(SqliteStore::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute(
        "insert into kv (key, data) values ('reactive.states.app.ready', 'null'), ('my-blob', ?1)",
        [vec![0u8, 159, 146, 150]],
    )
    .unwrap();
    drop(conn);
    let mut store = SqliteStore::open(&path).unwrap();
    let err = store.load().unwrap_err();
    assert!(
        matches!(&err, StateError::NotText { key, found: "a BLOB", .. } if key == "my-blob"),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(
        text.contains("key \"my-blob\" is a BLOB, not text"),
        "{text}"
    );
    assert!(!text.contains("Invalid column type"), "{text}");
    let err = store.get_raw("my-blob").unwrap_err();
    assert!(err.to_string().contains("\"my-blob\""), "{err}");
    assert_eq!(
        store
            .get_raw("reactive.states.app.ready")
            .unwrap()
            .as_deref(),
        Some("null")
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_read_only_charm_directory_is_named() {
    use std::os::unix::fs::MetadataExt;
    // A new directory is owned by the effective user.
    if std::fs::metadata(scratch("whoami")).unwrap().uid() == 0 {
        // root may write a directory whatever its mode; the mapping of a
        // read-only file system is tested in the library.
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("readonly");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).unwrap();
    let err = SqliteStore::open(dir.join(".unit-state.db")).unwrap_err();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(
        err.to_string()
            .contains(&format!("its directory {} is not writable", dir.display())),
        "{err}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
