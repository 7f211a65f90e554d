//! What can go wrong while laying out a new charm crate.

use std::path::PathBuf;

/// A `cargo charm new` failure.
#[derive(Debug, thiserror::Error)]
pub enum NewError {
    /// The name is not a charm name.
    #[error("{0}")]
    Name(String),
    /// The maintainer cannot be written into metadata.yaml.
    #[error(
        "--maintainer {0:?}: a quote, backslash or control character cannot go into metadata.yaml"
    )]
    Maintainer(String),
    /// No charm-runtime crate where one was expected.
    #[error("{}: no charm-runtime crate here ({reason}); give its directory with --runtime", path.display())]
    Runtime {
        /// The directory.
        path: PathBuf,
        /// Why it is not one.
        reason: String,
    },
    /// The directory to create already holds something.
    #[error("{}: already exists and is not empty: choose another --path", .0.display())]
    NotEmpty(PathBuf),
    /// A file or directory could not be listed, created or written.
    #[error("{}: {what}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done.
        what: &'static str,
        /// The operating system's error.
        source: std::io::Error,
    },
}

impl NewError {
    /// An I/O error on `path` while doing `what`.
    pub fn io(path: impl Into<PathBuf>, what: &'static str) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| NewError::Io { path, what, source }
    }
}
