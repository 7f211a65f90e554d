//! Writing the laid-out charm as a zip archive (a `.charm` file).

use std::fs::File;
use std::io::Write;
use std::path::Path;

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use super::error::PackError;
use super::layout::{Content, Entry};

/// Write `entries` to the zip file `path` (replacing it), with their Unix
/// modes, deflated, with the zip format's fixed earliest time so that the
/// same inputs give the same archive.
pub fn write(path: &Path, entries: &[Entry]) -> Result<(), PackError> {
    let zip_err = |source| PackError::Zip {
        path: path.to_owned(),
        source,
    };
    let file = File::create(path).map_err(PackError::io(path, "cannot create"))?;
    let mut zip = ZipWriter::new(file);
    let base = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(zip::DateTime::default());
    for entry in entries {
        let options = base.unix_permissions(if entry.executable { 0o755 } else { 0o644 });
        match &entry.content {
            Content::Symlink(target) => {
                zip.add_symlink(entry.path.as_str(), target.as_str(), options)
                    .map_err(zip_err)?;
            }
            Content::Text(text) => {
                zip.start_file(entry.path.as_str(), options)
                    .map_err(zip_err)?;
                zip.write_all(text.as_bytes())
                    .map_err(PackError::io(path, "cannot write"))?;
            }
            Content::File(from) => {
                zip.start_file(entry.path.as_str(), options)
                    .map_err(zip_err)?;
                let mut source =
                    File::open(from).map_err(PackError::io(from.as_path(), "cannot read"))?;
                std::io::copy(&mut source, &mut zip).map_err(PackError::io(
                    from.as_path(),
                    "cannot copy into the archive",
                ))?;
            }
        }
    }
    zip.finish().map_err(zip_err)?;
    Ok(())
}
