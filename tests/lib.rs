//! Workspace-level tests live in `tests/*.rs` as test targets; this library
//! holds what several of them share.

use std::path::Path;

/// The hook tools `fake_juju/main.rs` plays: the simulator's
/// (`charm_sim::TOOLS`).
pub use charm_sim::TOOLS as HOOK_TOOLS;

/// Fill `dir` with one symlink per hook tool, each pointing at the fake
/// tool program `fake` (`env!("CARGO_BIN_EXE_fake-hook-tool")` in a test).
pub fn link_hook_tools(dir: &Path, fake: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    for tool in HOOK_TOOLS {
        std::os::unix::fs::symlink(fake, dir.join(tool))?;
    }
    Ok(())
}
