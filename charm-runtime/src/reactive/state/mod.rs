//! Persistent unit state.
//!
//! The store holds the key/value table of charmhelpers' `unitdata`: keys are
//! strings, values are JSON text. Flags live under `reactive.states.<flag>`,
//! data-change hashes under `reactive.data_changed.<key>`, `only_once` marks
//! under `reactive.invoked.<handler>` and file hashes under
//! `reactive.files_changed.<path>`, exactly as charms.reactive keeps them, so
//! a unit moved from a Python reactive charm to a Rust one keeps its state.
//!
//! A hook reads the whole table once ([`StateStore::load`]), works on an
//! in-memory copy, and writes the difference back in one transaction
//! ([`StateStore::commit`]) only when the hook succeeded.
//!
//! Beside the table a store keeps one opaque text, the *journal*: what a
//! layer above the core (the Juju layer: the writes a hook sends to Juju)
//! must still see take effect. [`StateStore::commit_journaled`] writes it
//! in the same transaction as the state, so the state and the writes it
//! implies are one unit of work; the core never reads it (see
//! [`HookLayer`](crate::reactive::HookLayer)).

mod memory;
mod sqlite;
mod stored;
mod writable;

use std::collections::BTreeMap;

pub use memory::MemoryStore;
pub use sqlite::SqliteStore;

use crate::reactive::error::StateError;

/// Key prefix of flags in the unit state.
pub const FLAG_PREFIX: &str = "reactive.states.";
/// Key prefix of `data_changed` hashes.
pub const DATA_CHANGED_PREFIX: &str = "reactive.data_changed.";
/// Key prefix of `data_changed_secret` digests (salted HMAC-SHA-256).
pub const DATA_CHANGED_SECRET_PREFIX: &str = "reactive.data_changed_secret.";
/// Key of the unit's random salt for `data_changed_secret`.
pub const DATA_CHANGED_SALT: &str = "reactive.data_changed_salt";
/// Key prefix of `only_once` marks.
pub const INVOKED_PREFIX: &str = "reactive.invoked.";
/// Key prefix of `when_file_changed` hashes.
pub const FILES_CHANGED_PREFIX: &str = "reactive.files_changed.";

/// The whole key/value table: key to JSON text.
pub type Snapshot = BTreeMap<String, String>;

/// One write: `Some(json_text)` stores a value, `None` deletes the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The key.
    pub key: String,
    /// The new JSON text, or `None` to delete.
    pub value: Option<String>,
}

/// Where unit state persists between hooks.
pub trait StateStore {
    /// Read every key.
    fn load(&mut self) -> Result<Snapshot, StateError>;
    /// Apply `changes` atomically: all of them or none. The journal is
    /// left as it is.
    fn commit(&mut self, changes: &[Change]) -> Result<(), StateError>;
    /// The journal the last [`StateStore::commit_journaled`] recorded, if
    /// any.
    fn journal(&mut self) -> Result<Option<String>, StateError>;
    /// Apply `changes` and replace the journal with `journal` (`None`
    /// removes it) in one transaction: all of it or nothing.
    fn commit_journaled(
        &mut self,
        changes: &[Change],
        journal: Option<&str>,
    ) -> Result<(), StateError>;
    /// Replace the journal alone, with a smaller one, once the writes it
    /// drops were acknowledged. Losing this write (a power cut before it
    /// reaches the disk) only means the next hook checks and resends what
    /// it dropped, which Juju's idempotent sets make harmless, so a store
    /// may make it cheaper than a commit: [`SqliteStore`] does not wait
    /// for the disk. The default is `commit_journaled(&[], journal)`.
    fn trim_journal(&mut self, journal: Option<&str>) -> Result<(), StateError> {
        self.commit_journaled(&[], journal)
    }
}

impl<S: StateStore + ?Sized> StateStore for &mut S {
    fn load(&mut self) -> Result<Snapshot, StateError> {
        (**self).load()
    }
    fn commit(&mut self, changes: &[Change]) -> Result<(), StateError> {
        (**self).commit(changes)
    }
    fn journal(&mut self) -> Result<Option<String>, StateError> {
        (**self).journal()
    }
    fn commit_journaled(
        &mut self,
        changes: &[Change],
        journal: Option<&str>,
    ) -> Result<(), StateError> {
        (**self).commit_journaled(changes, journal)
    }
    fn trim_journal(&mut self, journal: Option<&str>) -> Result<(), StateError> {
        (**self).trim_journal(journal)
    }
}

/// The changes that turn `before` into `after`, in key order.
pub fn diff(before: &Snapshot, after: &Snapshot) -> Vec<Change> {
    let mut changes = Vec::new();
    for (key, value) in after {
        if before.get(key) != Some(value) {
            changes.push(Change {
                key: key.clone(),
                value: Some(value.clone()),
            });
        }
    }
    for key in before.keys() {
        if !after.contains_key(key) {
            changes.push(Change {
                key: key.clone(),
                value: None,
            });
        }
    }
    changes.sort_by(|a, b| a.key.cmp(&b.key));
    changes
}

/// `text`, a value stored under `key`, decoded as `T`; the error names the
/// key and shows the start of the text.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    key: &str,
    text: &str,
) -> Result<T, StateError> {
    serde_json::from_str(text).map_err(|source| StateError::Decode {
        key: key.to_owned(),
        text: text.chars().take(200).collect(),
        source,
    })
}
