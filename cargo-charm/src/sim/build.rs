//! What a scenario run needs built: its charms' binaries and the
//! simulator's hook-tool program.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::introspect;
use crate::sim::progress::Progress;

/// The environment variable naming a `charm-sim-tool` to use instead of
/// building or finding one.
pub const TOOL_VAR: &str = "CHARM_SIM_TOOL";

/// Build each charm crate of `charms` (the binary name the scenario gives
/// it, its directory) with cargo (`cargo build --manifest-path
/// DIR/Cargo.toml`, the binary found from cargo's JSON messages), and map
/// each name to the binary built.
/// `progress` is told which charm is being built.
pub fn charms(
    charms: &[(&str, &PathBuf)],
    progress: &Progress,
) -> Result<BTreeMap<String, PathBuf>> {
    let mut built = BTreeMap::new();
    for (name, dir) in charms {
        if built.contains_key(*name) {
            continue;
        }
        let canonical = dir.canonicalize().map_err(|e| Error::at(dir, e))?;
        progress.note(&format!("building {}", dir.display()));
        let binary = introspect::build_charm(&canonical, true)?;
        built.insert((*name).to_owned(), binary);
    }
    Ok(built)
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
