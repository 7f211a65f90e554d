//! A cell of the unit state table as text. charmhelpers stores every key
//! and value as text (JSON for values); anything else (a BLOB written by
//! another tool, text that is not UTF-8) is an error naming the key.

use std::path::Path;

use rusqlite::types::ValueRef;

use crate::reactive::error::StateError;

/// A cell as read, before it is checked.
pub(super) enum Cell {
    /// Text (integers and reals are taken as their JSON text).
    Text(String),
    /// SQL NULL.
    Null,
    /// Something that is not text: what it is.
    Other(&'static str),
}

impl Cell {
    pub(super) fn read(value: ValueRef<'_>) -> Self {
        match value {
            ValueRef::Null => Cell::Null,
            ValueRef::Integer(i) => Cell::Text(i.to_string()),
            ValueRef::Real(r) => Cell::Text(r.to_string()),
            ValueRef::Text(bytes) => match std::str::from_utf8(bytes) {
                Ok(text) => Cell::Text(text.to_owned()),
                Err(_) => Cell::Other("text that is not UTF-8"),
            },
            ValueRef::Blob(_) => Cell::Other("a BLOB"),
        }
    }
}

/// A row's key as text, or an error saying the key is not text.
pub(super) fn key_text(path: &Path, key: Cell) -> Result<String, StateError> {
    match key {
        Cell::Text(key) => Ok(key),
        Cell::Null => Err(not_text(path, "(a NULL key)", "NULL")),
        Cell::Other(found) => Err(not_text(path, "(a key that is not text)", found)),
    }
}

/// The value stored under `key` as text; NULL is JSON `null` (charmhelpers
/// never stores it, but reads it so).
pub(super) fn value_text(path: &Path, key: &str, value: Cell) -> Result<String, StateError> {
    match value {
        Cell::Text(text) => Ok(text),
        Cell::Null => Ok("null".to_owned()),
        Cell::Other(found) => Err(not_text(path, key, found)),
    }
}

fn not_text(path: &Path, key: &str, found: &'static str) -> StateError {
    StateError::NotText {
        path: path.to_owned(),
        key: key.to_owned(),
        found,
    }
}
