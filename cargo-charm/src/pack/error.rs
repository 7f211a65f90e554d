//! What can go wrong while packing, naming the file or command concerned.

use std::path::PathBuf;

/// A `cargo charm pack` failure.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    /// A file of the charm could not be read, or the archive written.
    #[error("{}: {what}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What was being done with it.
        what: &'static str,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// `metadata.yaml` is missing or not what Juju reads.
    #[error("{}: {reason}", path.display())]
    Metadata {
        /// The metadata file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The build command could not be started or failed.
    #[error("{command}: {reason}")]
    Build {
        /// The command, as typed.
        command: String,
        /// Why it failed.
        reason: String,
    },
    /// The binary is not an ELF file this command can read.
    #[error("{}: not a Linux ELF executable that can be read: {reason}", path.display())]
    Binary {
        /// The binary.
        path: PathBuf,
        /// What the ELF reader said.
        reason: String,
    },
    /// No Ubuntu release both is listed by the metadata (if it lists
    /// series) and has the glibc the binary needs.
    #[error(
        "{}: no Ubuntu base for it: it needs glibc {needs}; the releases known here are {known}{series} (build with --build-with zigbuild for a static binary, which runs on all of them)",
        path.display()
    )]
    NoBase {
        /// The binary.
        path: PathBuf,
        /// The glibc version it needs.
        needs: String,
        /// The known releases and their glibc.
        known: String,
        /// `; metadata.yaml lists series ...`, or nothing.
        series: String,
    },
    /// The zip archive could not be written.
    #[error("{}: cannot write the archive: {source}", path.display())]
    Zip {
        /// The .charm file.
        path: PathBuf,
        /// The zip writer's error.
        source: zip::result::ZipError,
    },
}

impl PackError {
    /// An I/O error on `path` while doing `what`.
    pub fn io(path: impl Into<PathBuf>, what: &'static str) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| PackError::Io { path, what, source }
    }
}
