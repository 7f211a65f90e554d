//! `cargo charm flags`: the flags (and other keys) of a unit's
//! `.unit-state.db`, as charms.reactive's `get_flags` sees them.
//!
//! The database is charmhelpers' `unitdata.Storage`: a `kv` table of
//! `key`/`data` text columns, `data` being JSON. A flag is the key
//! `reactive.states.<flag>`; it is set while the key exists, its value
//! the JSON stored (`null` for a flag set without a value). The file is
//! opened read-only: a running unit's state is not changed, and a path
//! that is not a database is not created.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};

use crate::error::{Error, Result};

/// The prefix of flag keys (charms.reactive's `reactive.states.`).
pub const FLAG_PREFIX: &str = "reactive.states.";

/// The file charmhelpers keeps the unit state in, in the charm directory.
pub const UNIT_STATE_DB: &str = ".unit-state.db";

/// Arguments of `cargo charm flags`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The unit's charm directory (holding `.unit-state.db`; under Juju
    /// /var/lib/juju/agents/unit-NAME-N/charm) or the database file itself.
    #[arg(value_name = "UNIT_DIR|DB")]
    pub path: PathBuf,
    /// Also list every other key of the unit state with its value as
    /// stored (JSON text). These are the charm's and its layers' data, and
    /// nothing tells which of them hold secrets, so none is masked:
    /// passwords and other secrets among them are printed as stored.
    #[arg(long)]
    pub keys: bool,
    /// Print one JSON object instead of text: {"db": PATH, "flags": {FLAG:
    /// VALUE}} (values as JSON, null included), with "keys": {KEY: VALUE}
    /// under --keys (values that are not JSON as strings).
    #[arg(long)]
    pub json: bool,
}

/// What a unit state database holds: flags and other keys, each with its
/// stored data, sorted by name.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct UnitState {
    /// Flag name to its stored JSON.
    pub flags: BTreeMap<String, String>,
    /// Every other key to its stored JSON.
    pub keys: BTreeMap<String, String>,
}

/// Run `cargo charm flags`.
pub fn run(args: &Args) -> Result<()> {
    let db = locate(&args.path)?;
    let state = read(&db)?;
    let out = if args.json {
        render_json(&db, &state, args.keys)
    } else {
        render_text(&state, args.keys)
    };
    print!("{out}");
    Ok(())
}

/// The database `path` names: `path` itself if it is a file, else its
/// `.unit-state.db`.
pub fn locate(path: &Path) -> Result<PathBuf> {
    let meta = std::fs::metadata(path).map_err(|e| Error::at(path, e))?;
    if !meta.is_dir() {
        return Ok(path.to_owned());
    }
    let db = path.join(UNIT_STATE_DB);
    if db.is_file() {
        Ok(db)
    } else {
        Err(Error::at(
            path,
            format!(
                "no {UNIT_STATE_DB} in this directory (a unit's charm directory has one \
                 once a hook has run; give the unit's charm directory or the database file)"
            ),
        ))
    }
}

/// Read the flags and keys of the unit state database `db`, read-only.
pub fn read(db: &Path) -> Result<UnitState> {
    let conn = Connection::open_with_flags(
        db,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| Error::at(db, format!("cannot open: {e}")))?;
    let has_kv: bool = conn
        .query_row(
            "select count(*) from sqlite_master where type = 'table' and name = 'kv'",
            [],
            |row| row.get::<_, i64>(0),
        )
        .map(|n| n > 0)
        .map_err(|e| Error::at(db, format!("not an SQLite database ({e})")))?;
    if !has_kv {
        return Err(Error::at(
            db,
            "not a unit state database: it has no kv table (charmhelpers' unitdata schema)",
        ));
    }
    let not_unit_state =
        |e: rusqlite::Error| Error::at(db, format!("not a unit state database: {e}"));
    let mut stmt = conn
        .prepare("select key, data from kv")
        .map_err(not_unit_state)?;
    let rows = stmt
        .query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, Option<String>>(1)?))
        })
        .map_err(not_unit_state)?;
    let mut state = UnitState::default();
    for row in rows {
        let (key, data) = row.map_err(not_unit_state)?;
        // charmhelpers always stores text; read NULL as JSON null.
        let data = data.unwrap_or_else(|| "null".to_owned());
        match key.strip_prefix(FLAG_PREFIX) {
            Some(flag) => state.flags.insert(flag.to_owned(), data),
            None => state.keys.insert(key, data),
        };
    }
    Ok(state)
}

/// The text output: one flag a line, `FLAG = VALUE` when its value is not
/// `null`; with `keys`, a `flags:` and a `keys:` section.
pub fn render_text(state: &UnitState, keys: bool) -> String {
    let mut out = String::new();
    let indent = if keys { "  " } else { "" };
    if keys {
        out.push_str("flags:\n");
    }
    for (flag, value) in &state.flags {
        if value == "null" {
            out.push_str(&format!("{indent}{flag}\n"));
        } else {
            out.push_str(&format!("{indent}{flag} = {value}\n"));
        }
    }
    if keys {
        out.push_str("keys:\n");
        for (key, value) in &state.keys {
            out.push_str(&format!("  {key} = {value}\n"));
        }
    }
    out
}

/// The `--json` output.
pub fn render_json(db: &Path, state: &UnitState, keys: bool) -> String {
    let values = |m: &BTreeMap<String, String>| -> serde_json::Map<String, serde_json::Value> {
        m.iter()
            .map(|(k, v)| {
                let v = serde_json::from_str(v)
                    .unwrap_or_else(|_| serde_json::Value::String(v.clone()));
                (k.clone(), v)
            })
            .collect()
    };
    let mut doc = serde_json::Map::new();
    doc.insert("db".into(), db.display().to_string().into());
    doc.insert("flags".into(), values(&state.flags).into());
    if keys {
        doc.insert("keys".into(), values(&state.keys).into());
    }
    let mut out = serde_json::to_string_pretty(&serde_json::Value::Object(doc))
        .expect("a JSON value serializes");
    out.push('\n');
    out
}
