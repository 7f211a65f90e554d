//! The unit state's directory must be writable: SQLite writes its journal
//! beside the database, so a read-only charm directory fails every commit
//! with an error that blames the database. It is checked up front and
//! reported as what it is.

use std::path::Path;

use nix::errno::Errno;
use nix::unistd::{AccessFlags, access};

use crate::reactive::error::StateError;

/// Refuse a database whose directory this process cannot write.
pub(super) fn check_directory(db: &Path) -> Result<(), StateError> {
    let dir = match db.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    verdict(db, dir, access(dir, AccessFlags::W_OK))
}

/// What `access(dir, W_OK)` answering `answer` means for the database.
fn verdict(db: &Path, dir: &Path, answer: nix::Result<()>) -> Result<(), StateError> {
    match answer {
        Err(errno @ (Errno::EACCES | Errno::EROFS | Errno::EPERM)) => {
            Err(StateError::NotWritable {
                path: db.to_owned(),
                dir: dir.to_owned(),
                reason: errno.desc(),
            })
        }
        // Writable, or missing (opening the database says so).
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_only_directory_is_named_not_the_database() {
        let db = Path::new("/srv/charm/.unit-state.db");
        let err = verdict(db, Path::new("/srv/charm"), Err(Errno::EROFS)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "unit state database /srv/charm/.unit-state.db: its directory /srv/charm is not \
             writable (Read-only file system); the unit state (flags, handler marks, the \
             charm's data) cannot be saved"
        );
        assert!(matches!(
            verdict(db, Path::new("/srv/charm"), Err(Errno::EACCES)),
            Err(StateError::NotWritable { .. })
        ));
        assert!(verdict(db, Path::new("/srv/charm"), Ok(())).is_ok());
        assert!(verdict(db, Path::new("/srv/charm"), Err(Errno::ENOENT)).is_ok());
    }

    #[test]
    fn a_relative_database_is_checked_in_the_current_directory() {
        // The current directory of the tests is writable.
        assert!(check_directory(Path::new(".unit-state.db")).is_ok());
    }
}
