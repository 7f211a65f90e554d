//! The unit state's SQLite is compiled as `.cargo/config.toml` says: a
//! hook pays for no extension it never uses and for no memory SQLite would
//! set aside at every open (see the comment there and BENCHMARKS.md).

use rusqlite::Connection;

/// SQLite's compile-time options (`pragma compile_options`).
fn compile_options() -> Vec<String> {
    let conn = Connection::open_in_memory().unwrap();
    let mut stmt = conn.prepare("pragma compile_options").unwrap();
    stmt.query_map([], |row| row.get::<_, String>(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn sqlite_is_built_for_hooks() {
    let options = compile_options();
    let hint = "LIBSQLITE3_FLAGS of .cargo/config.toml is not in effect \
                (another value in the environment wins)";
    for absent in [
        "ENABLE_FTS3",
        "ENABLE_FTS5",
        "ENABLE_RTREE",
        "ENABLE_DBSTAT_VTAB",
        "ENABLE_STAT4",
    ] {
        assert!(
            !options.iter().any(|o| o == absent),
            "{absent} is compiled in: {hint}; options: {options:?}"
        );
    }
    for present in [
        "DEFAULT_LOOKASIDE=0,0",
        "DEFAULT_PCACHE_INITSZ=0",
        "DEFAULT_MEMSTATUS=0",
        "OMIT_JSON",
    ] {
        assert!(
            options.iter().any(|o| o == present),
            "{present} is missing: {hint}; options: {options:?}"
        );
    }
    // (`HAVE_FDATASYNC`, a platform setting, is not among the options
    // SQLite reports.) What the unit state does need is still there.
    assert!(options.iter().any(|o| o == "THREADSAFE=1"), "{options:?}");
}
