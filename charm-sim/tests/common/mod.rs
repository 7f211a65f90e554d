//! Test helpers: build the example charms once, and make simulations.

#![allow(dead_code, missing_docs)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use charm_sim::{SimConfig, Simulation};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("charm-sim is in the workspace")
        .to_path_buf()
}

/// `cargo build -p webapp -p mysql-innodb-cluster`, once per test binary,
/// into the same target directory (`CARGO_TARGET_DIR`, else
/// `<workspace>/target`); the directory of the debug binaries.
pub fn charm_binaries() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace().join("target"));
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args([
                "build",
                "-p",
                "webapp",
                "-p",
                "mysql-innodb-cluster",
                "--quiet",
            ])
            .current_dir(workspace())
            .env("CARGO_TARGET_DIR", &target)
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the example charms failed");
        target.join("debug")
    })
}

/// A simulation with `seed`.
pub fn sim(seed: u64) -> Simulation {
    let config = SimConfig::new(env!("CARGO_BIN_EXE_charm-sim-tool")).with_seed(seed);
    Simulation::new(config).expect("the simulation starts")
}

/// Deploy `n` webapp units as `webapp`.
pub fn deploy_webapp(sim: &mut Simulation, n: u32) -> Vec<String> {
    sim.deploy(
        "webapp",
        workspace().join("examples/webapp"),
        charm_binaries().join("webapp"),
        n,
    )
    .expect("webapp deploys")
}

/// Print the failed hooks' stderr (for a test that goes wrong).
pub fn dump_failures(sim: &Simulation) {
    for r in sim.history().iter().filter(|r| !r.ok()) {
        eprintln!("--- {} {} exit {:?}\n{}", r.unit, r.name, r.code, r.stderr);
    }
}
