use std::path::{Path, PathBuf};

use rusqlite::config::DbConfig;
use rusqlite::{Connection, OptionalExtension, params};

use super::stored::{Cell, key_text, value_text};
use super::writable::check_directory;
use super::{Change, Snapshot, StateStore};
use crate::reactive::error::StateError;

/// The schema of charmhelpers' `unitdata.Storage`, so that Python and Rust
/// charms read and write the same `.unit-state.db`, and the table of the
/// journal ([`StateStore::commit_journaled`]): one row at most. The
/// journal is a table of its own rather than a reserved `kv` key so that
/// the `kv` table holds exactly what charmhelpers and charms.reactive
/// would: their `getrange` and the unit-state snapshot never see it, and
/// charmhelpers, which creates and reads only its own three tables,
/// ignores it (a unit moved back to a Python charm keeps a harmless
/// extra table).
const SCHEMA: &str = "
create table if not exists kv (
   key text,
   data text,
   primary key (key)
   );
create table if not exists kv_revisions (
   key text,
   revision integer,
   data text,
   primary key (key, revision)
   );
create table if not exists hooks (
   version integer primary key autoincrement,
   hook text,
   date text
   );
create table if not exists charm_runtime_journal (
   id integer primary key check (id = 1),
   data text not null
   );
";

/// How many pages the write-ahead log holds before SQLite folds it into
/// the database file (SQLite's default is 1000). Every hook is a new
/// process, and the first connection to a database reads the whole log to
/// rebuild its index: 32 pages (128 KiB) keep that read small, and a hook
/// that commits adds about six pages, so the fold (two syncs) comes about
/// every fifth such hook instead of at the end of each.
const CHECKPOINT_PAGES: u32 = 32;

/// Unit state in an SQLite file (`$CHARM_DIR/.unit-state.db` under Juju).
///
/// The file has charmhelpers' schema (`kv`, `kv_revisions`, `hooks`, plus
/// this crate's `charm_runtime_journal`) and its keys, so a Python reactive charm and a Rust one read each other's
/// unit state (see `docs/migrating.md`):
///
/// ```
/// use charm_runtime::{Handler, HookContext, HookOptions, Registry, SqliteStore, StateStore, run_hook};
///
/// let dir = std::env::temp_dir().join(format!("sqlite-store-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join(".unit-state.db");
/// let mut registry = Registry::new();
/// registry
///     .add(Handler::new("app::install", |ctx: &HookContext| ctx.flags().set("app.installed"))
///         .hook(["install"]))
///     .unwrap();
///
/// let mut store = SqliteStore::open(&path).unwrap();
/// assert!(run_hook(&registry, &mut store, HookOptions::new("install")).is_ok());
/// drop(store);
/// // The next hook, another process, opens the same file.
/// let mut store = SqliteStore::open(&path).unwrap();
/// assert_eq!(store.load().unwrap()["reactive.states.app.installed"], "null");
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
///
/// Durability: the database is in SQLite's write-ahead-log mode, so a
/// commit costs one sync of the log to disk (a rollback journal costs
/// four), and a commit is on disk when [`StateStore::commit_journaled`]
/// returns; [`StateStore::trim_journal`] does not wait for the disk (what
/// it drops is only resent if lost). The log is folded into the database
/// file once it holds 32 pages, not at the end of every
/// hook: closing the database writes nothing, and a hook that changes
/// nothing writes neither the database nor its log. So between hooks the
/// state is `.unit-state.db` *with* its `-wal` file beside it (and a
/// `-shm` file once another program has read it): copy them together, or
/// fold the log in first (`sqlite3 .unit-state.db 'pragma
/// wal_checkpoint(truncate)'`).
///
/// Locking: the store holds the database exclusively from its first read
/// until it is dropped, that is for the whole hook (Juju runs one hook of
/// a unit at a time). SQLite then keeps the log's index in memory instead
/// of a shared `-shm` file. Another program reading the file meanwhile
/// (`cargo charm flags`, `sqlite3`) waits for the hook to end, or fails
/// with "database is locked" after its busy timeout.
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    conn: Connection,
    /// The database is in write-ahead-log mode.
    wal: bool,
}

impl SqliteStore {
    /// Open (creating if needed, mode 0600) the database at `path`. Its
    /// directory must be writable (SQLite keeps its journal there): one
    /// that is not is a [`StateError::NotWritable`] naming it.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StateError> {
        let path = path.as_ref().to_path_buf();
        check_directory(&path)?;
        create_private(&path)?;
        let conn = Connection::open(&path).map_err(|source| StateError::Sqlite {
            path: path.clone(),
            source,
        })?;
        let sqlite = |source| StateError::Sqlite {
            path: path.clone(),
            source,
        };
        // Exclusive locking, set before the first access: the hook's
        // connection is the only one while the hook runs (Juju runs one hook
        // of a unit at a time), so SQLite keeps the log's index in the
        // process's memory instead of creating, sizing and mapping a shared
        // `-shm` file in every hook.
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
            .map_err(sqlite)?;
        let mode: String = conn
            .query_row("pragma journal_mode = wal", [], |row| row.get(0))
            .map_err(sqlite)?;
        let wal = mode.eq_ignore_ascii_case("wal");
        if wal {
            conn.set_db_config(DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, true)
                .map_err(sqlite)?;
            conn.pragma_update(None, "wal_autocheckpoint", CHECKPOINT_PAGES)
                .map_err(sqlite)?;
        }
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(sqlite)?;
        if !has_schema(&conn).map_err(sqlite)? {
            // One transaction: a new database costs one sync, not one per table.
            conn.execute_batch(&format!("begin;{SCHEMA}commit;"))
                .map_err(sqlite)?;
        }
        Ok(Self { path, conn, wal })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Read one key without loading the table.
    pub fn get_raw(&self, key: &str) -> Result<Option<String>, StateError> {
        self.conn
            .query_row("select data from kv where key = ?1", [key], |row| {
                Ok(Cell::read(row.get_ref(0)?))
            })
            .optional()
            .map_err(|e| self.err(e))?
            .map(|cell| value_text(&self.path, key, cell))
            .transpose()
    }

    fn err(&self, source: rusqlite::Error) -> StateError {
        StateError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }
}

/// Whether the database holds every table of [`SCHEMA`]: one short query
/// instead of parsing its four statements in every hook.
fn has_schema(conn: &Connection) -> rusqlite::Result<bool> {
    let tables: u32 = conn.query_row(
        "select count(*) from sqlite_master where type = 'table' \
         and name in ('kv', 'kv_revisions', 'hooks', 'charm_runtime_journal')",
        [],
        |row| row.get(0),
    )?;
    Ok(tables == 4)
}

fn create_private(path: &Path) -> Result<(), StateError> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let io = |source| StateError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .mode(0o600)
        .open(path)
        .map_err(io)?;
    // A file created with a wider mode (by hand, by another tool) is made
    // private; one that already is stays untouched (no inode change).
    let mode = file.metadata().map_err(io)?.permissions().mode();
    if mode & 0o777 == 0o600 {
        return Ok(());
    }
    file.set_permissions(std::fs::Permissions::from_mode(0o600))
        .map_err(io)
}

impl StateStore for SqliteStore {
    fn load(&mut self) -> Result<Snapshot, StateError> {
        let mut stmt = self
            .conn
            .prepare("select key, data from kv")
            .map_err(|e| self.err(e))?;
        let rows = stmt
            .query_map([], |row| {
                Ok((Cell::read(row.get_ref(0)?), Cell::read(row.get_ref(1)?)))
            })
            .map_err(|e| StateError::Sqlite {
                path: self.path.clone(),
                source: e,
            })?;
        let mut snapshot = Snapshot::new();
        for row in rows {
            let (key, data) = row.map_err(|e| StateError::Sqlite {
                path: self.path.clone(),
                source: e,
            })?;
            // charmhelpers always stores text; NULL reads as JSON null.
            let key = key_text(&self.path, key)?;
            let data = value_text(&self.path, &key, data)?;
            snapshot.insert(key, data);
        }
        Ok(snapshot)
    }

    fn commit(&mut self, changes: &[Change]) -> Result<(), StateError> {
        if changes.is_empty() {
            return Ok(());
        }
        self.write(changes, None)
    }

    fn journal(&mut self) -> Result<Option<String>, StateError> {
        self.conn
            .query_row(
                "select data from charm_runtime_journal where id = 1",
                [],
                |row| row.get::<_, String>(0),
            )
            .optional()
            .map_err(|e| self.err(e))
    }

    fn commit_journaled(
        &mut self,
        changes: &[Change],
        journal: Option<&str>,
    ) -> Result<(), StateError> {
        self.write(changes, Some(journal))
    }

    fn trim_journal(&mut self, journal: Option<&str>) -> Result<(), StateError> {
        if !self.wal {
            // With a rollback journal, a write not synced can corrupt the
            // file on a power cut: sync it like any commit.
            return self.write(&[], Some(journal));
        }
        // In WAL mode `synchronous = NORMAL` skips the sync of the log;
        // a power cut can lose this transaction, never corrupt the file.
        self.conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(|e| self.err(e))?;
        let written = self.write(&[], Some(journal));
        let restored = self
            .conn
            .pragma_update(None, "synchronous", "FULL")
            .map_err(|e| self.err(e));
        written.and(restored)
    }
}

impl SqliteStore {
    /// One transaction: `changes`, and the journal replaced when `journal`
    /// is `Some`.
    fn write(
        &mut self,
        changes: &[Change],
        journal: Option<Option<&str>>,
    ) -> Result<(), StateError> {
        let path = self.path.clone();
        let err = |source| StateError::Sqlite {
            path: path.clone(),
            source,
        };
        let tx = self.conn.transaction().map_err(err)?;
        {
            let mut upsert = tx
                .prepare_cached(
                    "insert into kv (key, data) values (?1, ?2) \
                     on conflict(key) do update set data = excluded.data",
                )
                .map_err(err)?;
            let mut delete = tx
                .prepare_cached("delete from kv where key = ?1")
                .map_err(err)?;
            for change in changes {
                match &change.value {
                    Some(v) => upsert.execute(params![change.key, v]).map_err(err)?,
                    None => delete.execute(params![change.key]).map_err(err)?,
                };
            }
            match journal {
                None => {}
                Some(None) => {
                    tx.execute("delete from charm_runtime_journal", [])
                        .map_err(err)?;
                }
                Some(Some(text)) => {
                    tx.execute(
                        "insert into charm_runtime_journal (id, data) values (1, ?1) \
                         on conflict(id) do update set data = excluded.data",
                        [text],
                    )
                    .map_err(err)?;
                }
            }
        }
        crate::reactive::fault::point("sqlite-commit");
        tx.commit().map_err(err)
    }
}
