//! Reading a charm file, bounded: only a regular file, opened so that it
//! cannot block, and at most [`CHARM_FILE_LIMIT`] bytes of it. A
//! `metadata.yaml` that is a link to `/dev/zero` or a FIFO is refused
//! naming the path, instead of growing without end or hanging the hook.

use std::fs::{File, Metadata};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

use super::error::MetadataError;

/// The largest charm file read, in bytes: 8 MiB. Charm metadata, config
/// and actions files are kilobytes; the largest `charmcraft.yaml` files
/// (with build parts) stay far below a megabyte.
pub const CHARM_FILE_LIMIT: u64 = 8 * 1024 * 1024;

/// The bytes of the regular file `path`, at most `limit` of them; `None`
/// when it does not exist.
pub(crate) fn read_bounded(path: &Path, limit: u64) -> Result<Option<Vec<u8>>, MetadataError> {
    let io = |source| MetadataError::Io {
        path: path.to_owned(),
        source,
    };
    // Checked before opening: opening a FIFO for reading blocks until a
    // writer comes.
    match std::fs::metadata(path) {
        Ok(meta) => regular(path, &meta)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(e)),
    }
    // O_NONBLOCK, in case the file was replaced by a FIFO in between;
    // it changes nothing for reading a regular file.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
        .open(path)
        .map_err(io)?;
    regular(path, &file.metadata().map_err(io)?)?;
    read_at_most(file, path, limit).map(Some)
}

fn read_at_most(file: File, path: &Path, limit: u64) -> Result<Vec<u8>, MetadataError> {
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| MetadataError::Io {
            path: path.to_owned(),
            source,
        })?;
    if bytes.len() as u64 > limit {
        return Err(MetadataError::TooLarge {
            path: path.to_owned(),
            limit,
        });
    }
    Ok(bytes)
}

/// Refuse anything but a regular file, naming what it is.
fn regular(path: &Path, meta: &Metadata) -> Result<(), MetadataError> {
    let kind = meta.file_type();
    let what = if kind.is_file() {
        return Ok(());
    } else if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO (named pipe)"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    };
    Err(MetadataError::NotRegular {
        path: path.to_owned(),
        what,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("charm-read-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn devices_and_fifos_are_refused_before_reading() {
        let err = read_bounded(Path::new("/dev/zero"), CHARM_FILE_LIMIT).unwrap_err();
        assert_eq!(
            err.to_string(),
            "/dev/zero: a character device, not a regular file: a charm file must be a regular file"
        );
        let dir = scratch("fifo");
        let fifo = dir.join("metadata.yaml");
        nix::unistd::mkfifo(
            &fifo,
            nix::sys::stat::Mode::S_IRUSR | nix::sys::stat::Mode::S_IWUSR,
        )
        .unwrap();
        // Returns at once (no writer would ever come).
        let err = read_bounded(&fifo, CHARM_FILE_LIMIT).unwrap_err();
        assert!(err.to_string().contains("a FIFO (named pipe)"), "{err}");
        assert!(err.to_string().contains(&*fifo.to_string_lossy()), "{err}");
        // A link to /dev/zero is judged by what it points to.
        let link = dir.join("config.yaml");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let err = read_bounded(&link, CHARM_FILE_LIMIT).unwrap_err();
        assert!(err.to_string().contains("a character device"), "{err}");
        assert!(matches!(
            read_bounded(&dir, 10),
            Err(MetadataError::NotRegular { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn files_over_the_limit_are_refused_naming_path_and_limit() {
        let dir = scratch("large");
        let path = dir.join("metadata.yaml");
        std::fs::write(&path, "x".repeat(11)).unwrap();
        assert_eq!(read_bounded(&path, 11).unwrap().unwrap().len(), 11);
        let err = read_bounded(&path, 10).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}: larger than 10 bytes, the limit for a charm file",
                path.display()
            )
        );
        assert!(
            read_bounded(&dir.join("absent.yaml"), 10)
                .unwrap()
                .is_none()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn loading_a_charm_whose_metadata_is_dev_zero_fails_at_once() {
        let dir = scratch("load");
        std::os::unix::fs::symlink("/dev/zero", dir.join("metadata.yaml")).unwrap();
        let err = crate::metadata::Metadata::load(&dir).unwrap_err();
        assert!(
            err.to_string().starts_with(&format!(
                "{}: a character device",
                dir.join("metadata.yaml").display()
            )),
            "{err}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
