//! Workspace-level tests live in `tests/*.rs` as test targets; this library
//! holds what several of them share.

use std::path::Path;

/// The hook tools the simulator's tool program plays (`charm_sim::TOOLS`).
pub use charm_sim::TOOLS as HOOK_TOOLS;

/// Fill `dir` with one symlink per hook tool, each pointing at the tool
/// program `program` (`env!("CARGO_BIN_EXE_sim-hook-tool")` in a test), for
/// a test that needs a tools directory of its own to break.
pub fn link_hook_tools(dir: &Path, program: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for tool in HOOK_TOOLS {
        std::os::unix::fs::symlink(program, dir.join(tool))?;
    }
    Ok(())
}
