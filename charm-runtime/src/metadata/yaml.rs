//! The YAML reader: finding a part of the charm's description (classic
//! file or `charmcraft.yaml`), parsing it into an untyped tree with Juju's
//! YAML 1.1 conventions, and reading typed keys from it with errors that
//! name the key.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::error::{MetadataError, describe, invalid, join, wrong_type};
use super::files::CHARMCRAFT_FILE;
use super::read::{CHARM_FILE_LIMIT, read_bounded};

/// How deeply a YAML document may nest.
const MAX_DEPTH: usize = 64;
/// How many events aliases may replay in one document (an alias bomb's
/// defence; charm files use few aliases, if any).
const MAX_ALIAS_REPLAY: usize = 20_000;

/// The text of `path`, or `None` when it does not exist; a bounded read
/// of a regular file only.
fn read_optional(path: &Path) -> Result<Option<String>, MetadataError> {
    let Some(bytes) = read_bounded(path, CHARM_FILE_LIMIT)? else {
        return Ok(None);
    };
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|e| MetadataError::NotUtf8 {
            path: path.to_owned(),
            offset: e.utf8_error().valid_up_to(),
        })
}

/// Where a part of the charm's description comes from.
pub(crate) enum Layout {
    /// The classic file.
    Classic(PathBuf, String),
    /// `charmcraft.yaml`.
    Charmcraft(PathBuf, String),
    /// Neither exists.
    Absent,
}

pub(crate) fn find(dir: &Path, classic: &str) -> Result<Layout, MetadataError> {
    let path = dir.join(classic);
    if let Some(text) = read_optional(&path)? {
        return Ok(Layout::Classic(path, text));
    }
    let path = dir.join(CHARMCRAFT_FILE);
    if let Some(text) = read_optional(&path)? {
        return Ok(Layout::Charmcraft(path, text));
    }
    Ok(Layout::Absent)
}

/// Parse `text` into an untyped tree. An empty document is `null`.
pub(crate) fn parse_yaml(text: &str, path: &Path) -> Result<Value, MetadataError> {
    let mut options = serde_saphyr::Options::default();
    options.with_snippet = false;
    // YAML 1.1 octal, as go-yaml v2 (Juju) and PyYAML (layer-basic) read it.
    options.legacy_octal_numbers = true;
    // `.inf`/`.nan` become strings, so that a bad value is reported for its
    // key instead of failing the whole document.
    options.non_finite_float_policy = serde_saphyr::NonFiniteFloatPolicy::AsString;
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = MAX_ALIAS_REPLAY;
    serde_saphyr::from_str_with_options::<Value>(text, options).map_err(|e| {
        let location = e.location();
        let line = location.map(|l| l.line());
        let column = location.map(|l| l.column());
        let mut message = e.render_with_formatter(&serde_saphyr::UserMessageFormatter);
        // The location is reported by our own prefix.
        if let (Some(l), Some(c)) = (line, column) {
            let suffix = format!(" at line {l}, column {c}");
            if let Some(stripped) = message.strip_suffix(&suffix) {
                message = stripped.to_owned();
            }
        }
        MetadataError::Yaml {
            path: path.to_owned(),
            line,
            column,
            message,
        }
    })
}

/// `value` as a mapping; `null` (an empty YAML value) is an empty mapping.
pub(crate) fn mapping<'v>(
    value: &'v Value,
    path: &Path,
    key: &str,
) -> Result<Option<&'v Map<String, Value>>, MetadataError> {
    match value {
        Value::Null => Ok(None),
        Value::Object(map) => Ok(Some(map)),
        other => Err(wrong_type(path, key, "a mapping", other)),
    }
}

/// The document's top level as a mapping.
pub(crate) fn document<'v>(
    doc: &'v Value,
    path: &Path,
) -> Result<Option<&'v Map<String, Value>>, MetadataError> {
    match doc {
        Value::Null => Ok(None),
        Value::Object(map) => Ok(Some(map)),
        other => Err(invalid(
            path,
            "the document",
            format!("must be a mapping, found {}", describe(other)),
        )),
    }
}

pub(crate) fn optional_str<'v>(
    map: &'v Map<String, Value>,
    field: &str,
    path: &Path,
    prefix: &str,
) -> Result<Option<&'v str>, MetadataError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(wrong_type(path, &join(prefix, field), "a string", other)),
    }
}

pub(crate) fn optional_bool(
    map: &Map<String, Value>,
    field: &str,
    path: &Path,
    prefix: &str,
) -> Result<Option<bool>, MetadataError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(wrong_type(
            path,
            &join(prefix, field),
            "a boolean (true or false)",
            other,
        )),
    }
}
