//! The error every command returns: one message for the user, naming the
//! file or command concerned and what is wrong with it.

use std::fmt;

/// A command failed; the message says where and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl Error {
    /// An error about `path`: "`path`: `what`".
    pub fn at(path: &std::path::Path, what: impl fmt::Display) -> Self {
        Error(format!("{}: {what}", path.display()))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

/// A command's result.
pub type Result<T> = std::result::Result<T, Error>;
