//! [`MetadataError`], and the helpers that word its messages: values in
//! words, quoted text cut to a readable length, dotted key paths.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::files::CHARMCRAFT_FILE;
use super::role::Role;

/// Strings quoted in error messages are cut to this many characters.
const QUOTE_LIMIT: usize = 60;

/// A charm file that cannot be read or does not describe a valid charm.
/// Every message names the file and, where there is one, the key.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    /// Neither the classic file nor `charmcraft.yaml` is in the charm
    /// directory.
    #[error("{dir}: no {wanted} (nor {CHARMCRAFT_FILE}) in the charm directory", dir = dir.display())]
    NotFound {
        /// The charm directory.
        dir: PathBuf,
        /// The classic file that was looked for.
        wanted: &'static str,
    },
    /// The file exists but cannot be read.
    #[error("{path}: cannot read: {source}", path = path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The path is not a regular file (a FIFO, a device, a directory):
    /// refused before reading, which could block or never end.
    #[error("{path}: {what}, not a regular file: a charm file must be a regular file", path = path.display())]
    NotRegular {
        /// The path.
        path: PathBuf,
        /// What it is instead (`a FIFO (named pipe)`, `a character device`).
        what: &'static str,
    },
    /// The file is larger than [`super::CHARM_FILE_LIMIT`].
    #[error("{path}: larger than {limit} bytes, the limit for a charm file", path = path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The file is not UTF-8 text.
    #[error("{path}: not UTF-8 text (invalid byte at offset {offset})", path = path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// Where the first invalid byte is.
        offset: usize,
    },
    /// The file is not valid YAML (or is too deeply nested).
    #[error("{}: invalid YAML: {message}", at(path, *line, *column))]
    Yaml {
        /// The file.
        path: PathBuf,
        /// The line of the problem (1-based), when known.
        line: Option<u64>,
        /// The column of the problem (1-based), when known.
        column: Option<u64>,
        /// What the parser said.
        message: String,
    },
    /// A key has a value of the wrong type or an invalid value.
    #[error("{path}: {key} {problem}", path = path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The key, as a dotted path (`requires.db.interface`).
        key: String,
        /// What is wrong with it (`must be a string, found a list`).
        problem: String,
    },
    /// An endpoint has no `interface`.
    #[error("{path}: endpoint {key} has no interface", path = path.display())]
    MissingInterface {
        /// The file.
        path: PathBuf,
        /// The endpoint's key (`requires.db`).
        key: String,
    },
    /// One endpoint name is declared under two roles.
    #[error(
        "{path}: endpoint {name:?} is declared twice, under {first} and under {second}",
        path = path.display()
    )]
    DuplicateEndpoint {
        /// The file.
        path: PathBuf,
        /// The endpoint name.
        name: String,
        /// The role it was first declared under.
        first: Role,
        /// The role it is declared under again.
        second: Role,
    },
}

fn at(path: &Path, line: Option<u64>, column: Option<u64>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!("{}:{l}:{c}", path.display()),
        (Some(l), None) => format!("{}:{l}", path.display()),
        _ => path.display().to_string(),
    }
}

pub(crate) fn invalid(path: &Path, key: &str, problem: impl Into<String>) -> MetadataError {
    MetadataError::Invalid {
        path: path.to_owned(),
        key: key.to_owned(),
        problem: problem.into(),
    }
}

pub(crate) fn wrong_type(path: &Path, key: &str, expected: &str, found: &Value) -> MetadataError {
    invalid(
        path,
        key,
        format!("must be {expected}, found {}", describe(found)),
    )
}

/// `value` in words, for error messages.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) if n.is_f64() => format!("the number {n}"),
        Value::Number(n) => format!("the integer {n}"),
        Value::String(s) => format!("the string {}", quote(s)),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "a mapping".to_owned(),
    }
}

/// `text` quoted, cut to a readable length.
pub(crate) fn quote(text: &str) -> String {
    if text.chars().count() <= QUOTE_LIMIT {
        format!("{text:?}")
    } else {
        let cut: String = text.chars().take(QUOTE_LIMIT).collect();
        format!("{cut:?}...")
    }
}

pub(crate) fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_cuts_long_strings() {
        let long = "x".repeat(200);
        let text = describe(&Value::String(long));
        assert!(text.len() < 90, "{text}");
        assert!(text.ends_with("..."));
    }
}
