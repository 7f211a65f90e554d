//! The file `secret-add --file` and `secret-set --file` read: the only way
//! to give Juju a secret's content other than `key=value` arguments, which
//! every local user can read in `/proc/<pid>/cmdline`.
//!
//! The file is created new (never an existing one, so never a planted
//! symlink) in the temporary directory (`TMPDIR`, else `/tmp`), readable
//! and writable by this user only (mode 0600), under a random name, and
//! removed as soon as the tool has run, whatever happened.

use std::fs::OpenOptions;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::PathBuf;

use crate::backend::ToolError;

/// A secret's content in a private file, removed on drop.
pub(super) struct SecretFile {
    path: PathBuf,
}

impl SecretFile {
    /// Write `document` to a new private file for `tool`.
    pub(super) fn new(tool: &str, document: &[u8]) -> Result<Self, ToolError> {
        let refused = |what: String| ToolError::Refused {
            tool: tool.to_owned(),
            reason: what,
        };
        let mut name = [0u8; 16];
        getrandom::fill(&mut name)
            .map_err(|e| refused(format!("cannot name the secret's file: {e}")))?;
        let name: String = name.iter().map(|b| format!("{b:02x}")).collect();
        let path = std::env::temp_dir().join(format!("charm-secret-{name}.yaml"));
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| {
                refused(format!(
                    "cannot create the secret's file {}: {e}",
                    path.display()
                ))
            })?;
        let file = Self { path }.written(&mut file, document);
        file.map_err(|(path, e)| {
            refused(format!(
                "cannot write the secret's file {}: {e}",
                path.display()
            ))
        })
    }

    fn written(
        self,
        file: &mut std::fs::File,
        document: &[u8],
    ) -> Result<Self, (PathBuf, std::io::Error)> {
        match file.write_all(document).and_then(|()| file.sync_all()) {
            Ok(()) => Ok(self),
            // Dropping `self` removes the half-written file.
            Err(e) => Err((self.path.clone(), e)),
        }
    }

    /// Where it is, as `--file` takes it.
    pub(super) fn path(&self) -> String {
        self.path.to_string_lossy().into_owned()
    }
}

impl Drop for SecretFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_file_is_private_and_gone_once_dropped() {
        let file = SecretFile::new("secret-add", b"{\"password\": \"x\"}\n").unwrap();
        let path = PathBuf::from(file.path());
        let meta = std::fs::metadata(&path).unwrap();
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read(&path).unwrap(), b"{\"password\": \"x\"}\n");
        drop(file);
        assert!(!path.exists());
    }
}
