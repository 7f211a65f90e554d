//! Test helpers: build the example charms once, make simulations and
//! stub applications.

#![allow(dead_code, missing_docs)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use charm_sim::model::Settings;
use charm_sim::stub::{Stub, StubEndpoint, StubRule};
use charm_sim::{SimConfig, Simulation};

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("charm-sim is in the workspace")
        .to_path_buf()
}

/// Every example charm, built once per test binary into the same target
/// directory (`CARGO_TARGET_DIR`, else `<workspace>/target`); the
/// directory of the debug binaries.
pub fn charm_binaries() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace().join("target"));
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut build = Command::new(cargo);
        build.args(["build", "--quiet"]);
        for example in [
            "webapp",
            "mysql-innodb-cluster",
            "glusterfs",
            "magpie",
            "keystone-ha",
            "openstack-api",
        ] {
            build.args(["-p", example]);
        }
        let status = build
            .current_dir(workspace())
            .env("CARGO_TARGET_DIR", &target)
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the example charms failed");
        target.join("debug")
    })
}

/// Settings from `(key, value)` pairs.
pub fn settings(pairs: &[(&str, &str)]) -> Settings {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

/// A stub application with one `provides` endpoint of `interface`,
/// answering `received` with `publish` (see `charm_sim::stub`).
pub fn stub(endpoint: &str, interface: &str, received: &[&str], publish: &[(&str, &str)]) -> Stub {
    Stub {
        endpoints: BTreeMap::from([(endpoint.to_owned(), StubEndpoint::provides(interface))]),
        rules: vec![StubRule {
            endpoint: endpoint.to_owned(),
            received: received.iter().map(|k| (*k).to_owned()).collect(),
            publish: settings(publish),
        }],
        message: "stub".to_owned(),
    }
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

/// One test at a time: a test writes a script and runs it while other
/// threads fork; a child forked between the write and the close would
/// hold the script open for writing, and running it would fail with "text
/// file busy" (ETXTBSY).
pub fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

/// A charm in `dir` whose binary is the shell `script` (`"$LOG"` in it
/// replaced by `log`), with `metadata` and no config options; its binary.
pub fn script_charm(dir: &Path, metadata: &str, script: &str, log: &Path) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("metadata.yaml"), metadata).unwrap();
    std::fs::write(dir.join("config.yaml"), "options: {}\n").unwrap();
    let binary = dir.join("charm.sh");
    std::fs::write(
        &binary,
        script.replace("\"$LOG\"", &format!("{:?}", log.display().to_string())),
    )
    .unwrap();
    std::fs::set_permissions(&binary, std::fs::Permissions::from_mode(0o755)).unwrap();
    binary
}
