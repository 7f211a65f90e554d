//! What a scenario run needs built: its charms' binaries and the
//! simulator's hook-tool program.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::introspect;

/// The environment variable naming a `charm-sim-tool` to use instead of
/// building or finding one.
pub const TOOL_VAR: &str = "CHARM_SIM_TOOL";

/// The charm binaries of a run, gathered as symlinks in one directory (the
/// charms may come from different cargo target directories); removed when
/// dropped.
#[derive(Debug)]
pub struct Binaries {
    dir: PathBuf,
}

impl Binaries {
    /// The directory holding a link to each charm binary, by its file name.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Drop for Binaries {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Build each charm crate of `charm_dirs` with cargo (`cargo build
/// --manifest-path DIR/Cargo.toml`, the binary found from cargo's JSON
/// messages) and link the binaries into one directory.
pub fn charms(charm_dirs: &[PathBuf]) -> Result<Binaries> {
    let dir = std::env::temp_dir().join(format!("cargo-charm-sim-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| Error::at(&dir, e))?;
    let binaries = Binaries { dir };
    for charm_dir in charm_dirs {
        let canonical = charm_dir
            .canonicalize()
            .map_err(|e| Error::at(charm_dir, e))?;
        let binary = introspect::build_charm(&canonical, true)?;
        let name = binary
            .file_name()
            .ok_or_else(|| Error::at(&binary, "not a file"))?;
        let link = binaries.dir.join(name);
        if link.exists() {
            continue; // the same charm named twice
        }
        std::os::unix::fs::symlink(&binary, &link).map_err(|e| Error::at(&link, e))?;
    }
    Ok(binaries)
}

/// The `charm-sim-tool` program the simulation links its hook tools to:
/// `$CHARM_SIM_TOOL` if set; else built with cargo from the charm-sim
/// sources this cargo-charm was built from, when they are there (so it
/// speaks the same protocol); else the one beside this program.
pub fn tool_program() -> Result<PathBuf> {
    if let Some(tool) = std::env::var_os(TOOL_VAR) {
        let tool = PathBuf::from(tool);
        if !tool.is_file() {
            return Err(Error::at(
                &tool,
                format!("no such program (from {TOOL_VAR})"),
            ));
        }
        return Ok(tool);
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("charm-sim")
        .join("Cargo.toml");
    if manifest.is_file() {
        return introspect::build_binary(&manifest, "charm-sim", "charm-sim-tool", true);
    }
    charm_sim::locate_tool_program().ok_or_else(|| {
        Error(format!(
            "cannot find charm-sim-tool: build it (cargo build -p charm-sim --bin \
             charm-sim-tool) and set {TOOL_VAR} to its path"
        ))
    })
}
