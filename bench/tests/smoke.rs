//! The benchmark runs end to end (one run of each process per scenario),
//! so `bench/run.sh` cannot rot. Nothing here looks at time.
//!
//! The Python side needs `CHARM_REFERENCE_PYTHON` (set by `.ci/run`):
//! without it the Rust side and the floors run and the Python side is a
//! printed skip; with it, a missing or broken reference is a failure, and
//! the Rust hook must make fewer tool calls than the charms.reactive one
//! in every scenario (a count, not a timing).

use std::path::PathBuf;
use std::process::Command;

#[test]
fn every_scenario_runs_and_the_rust_hook_makes_fewer_tool_calls() {
    let bench = PathBuf::from(env!("CARGO_BIN_EXE_charm-bench"));
    let bin_dir = bench.parent().expect("the binary is in a directory");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    // The charm and the tools, built with the same profile beside us.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    build.args([
        "build",
        "--quiet",
        "-p",
        "webapp",
        "-p",
        "charm-sim",
        "--bins",
    ]);
    if bin_dir.ends_with("release") {
        build.arg("--release");
    }
    let status = build.current_dir(&root).status().expect("cargo runs");
    assert!(
        status.success(),
        "building webapp and charm-sim-tool failed"
    );

    let python = std::env::var_os("CHARM_REFERENCE_PYTHON");
    let mut run = Command::new(&bench);
    // The same build as the other one of `--compare`: the table is there.
    run.arg("--bin-dir")
        .arg(bin_dir)
        .args(["--runs", "1", "--compare"])
        .arg(bin_dir);
    match &python {
        Some(python) => {
            run.arg("--python").arg(python);
        }
        None => {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "skipped the charms.reactive side: CHARM_REFERENCE_PYTHON is not set (.ci/run sets it)"
            );
            run.arg("--no-python");
        }
    }
    let out = run.output().expect("charm-bench runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "charm-bench failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for scenario in [
        "update-status",
        "config-changed",
        "cluster-relation-changed",
    ] {
        // "| hook | own cost ... | tool calls (rust / python) |"
        let row = stdout
            .lines()
            .find(|l| l.starts_with(&format!("| {scenario} | ")) && l.contains(" / "))
            .unwrap_or_else(|| panic!("no goals row for {scenario}:\n{stdout}"));
        let calls = row.trim_end_matches(" |").rsplit("| ").next().unwrap();
        let (rust, py) = calls.split_once(" / ").unwrap();
        let rust: usize = rust.trim().parse().expect("a count of Rust tool calls");
        let (_, comparison) = stdout
            .split_once("### This build against the other (--compare)")
            .unwrap_or_else(|| panic!("no comparison table:\n{stdout}"));
        assert!(
            comparison
                .lines()
                .any(|l| l.starts_with(&format!("| {scenario} | ")) && l.ends_with(" ms |")),
            "no comparison row for {scenario}:\n{stdout}"
        );
        assert!(rust > 0, "{row}");
        if python.is_some() {
            let py: usize = py.trim().parse().expect("a count of Python tool calls");
            assert!(rust < py, "{scenario}: {rust} tool calls against {py}");
        }
    }
}
