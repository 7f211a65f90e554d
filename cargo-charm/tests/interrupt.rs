//! Ctrl-C on `cargo charm sim` while a hook runs: the hook (in a process
//! group of its own, out of the terminal's reach) is killed, the model's
//! directory removed, and the command exits 130.

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::cargo_charm;

/// A charm crate whose install hook records its process id in `pid_file`
/// and sleeps ten minutes.
fn hanging_charm(dir: &Path, pid_file: &Path) {
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"hang\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("metadata.yaml"),
        "name: hang\nsummary: s\ndescription: d\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("src/main.rs"),
        format!(
            r#"fn main() {{
    if std::env::var("JUJU_DISPATCH_PATH").as_deref() == Ok("hooks/install") {{
        std::fs::write({pid_file:?}, std::process::id().to_string()).unwrap();
        std::thread::sleep(std::time::Duration::from_secs(600));
    }}
}}
"#
        ),
    )
    .unwrap();
}

/// Whether process `pid` is gone (or dead, waiting to be reaped).
fn gone(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => matches!(
            stat.rsplit_once(')')
                .map(|(_, rest)| rest.trim_start().chars().next()),
            Some(Some('Z' | 'X'))
        ),
    }
}

#[test]
fn interrupting_sim_kills_the_running_hook_and_removes_the_model() {
    let scratch = tempfile::tempdir().unwrap();
    let charm = scratch.path().join("hang");
    let pid_file = scratch.path().join("hook.pid");
    let models = scratch.path().join("tmp");
    std::fs::create_dir_all(&models).unwrap();
    hanging_charm(&charm, &pid_file);
    let scenario = scratch.path().join("scenario.yaml");
    std::fs::write(
        &scenario,
        "name: hang\napplications:\n  - name: hang\n    charm: hang\n    units: 1\nsteps:\n  - deploy\n  - settle: 10\n",
    )
    .unwrap();

    let mut sim = cargo_charm()
        .arg("sim")
        .arg(&scenario)
        .env("TMPDIR", &models)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Building the charm and the tool program comes first.
    let started = Instant::now();
    while !pid_file.exists() {
        if let Some(status) = sim.try_wait().unwrap() {
            let out = sim.wait_with_output().unwrap();
            panic!(
                "cargo charm sim ended ({status}) before the hook ran:\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "the install hook never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The hook wrote its pid; give it a moment to have closed the file.
    std::thread::sleep(Duration::from_millis(50));
    let hook = std::fs::read_to_string(&pid_file).unwrap();

    let kill = std::process::Command::new("kill")
        .args(["-INT", &sim.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = sim.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(
        err.contains("interrupted: 1 running hook(s) killed"),
        "{err}"
    );
    assert!(gone(hook.trim()), "the hook {hook} is still running");
    let left: Vec<_> = std::fs::read_dir(&models)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|name| name.to_string_lossy().starts_with("charm-sim-"))
        .collect();
    assert!(left.is_empty(), "model directories left: {left:?}");
}
