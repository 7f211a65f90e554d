//! `cargo charm new` makes a crate that builds outside this workspace,
//! passes its own harness test, runs its scenario in the simulator and
//! packs into a charm that the validators accept (with
//! `CHARM_PACK_TOOLS`) and whose `dispatch` runs under the simulator.
//!
//! One test, so that no other test of this binary forks while a program
//! is being written (exec would fail with ETXTBSY).

mod packing;

use packing::Entry;

fn new_refuses_bad_names_and_non_empty_directories() {
    let scratch = tempfile::tempdir().unwrap();
    for bad in ["Hello", "a--b", "2x"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-charm"))
            .args(["new", bad, "--path"])
            .arg(scratch.path().join("x"))
            .output()
            .unwrap();
        assert!(!out.status.success(), "{bad}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("not a charm name"));
    }
    // --member leaves the workspace and release profile to the
    // enclosing workspace.
    let member = scratch.path().join("member");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-charm"))
        .args(["new", "member", "--member", "--path"])
        .arg(&member)
        .output()
        .unwrap();
    assert!(out.status.success());
    let manifest = std::fs::read_to_string(member.join("Cargo.toml")).unwrap();
    assert!(!manifest.contains("[workspace]") && !manifest.contains("[profile"));
    std::fs::remove_dir_all(&member).unwrap();
    std::fs::write(scratch.path().join("taken"), "").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-charm"))
        .args(["new", "ok", "--path"])
        .arg(scratch.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
}

#[test]
fn a_new_charm_tests_simulates_and_packs() {
    new_refuses_bad_names_and_non_empty_directories();
    let tools = packing::pack_tools("a_new_charm_tests_simulates_and_packs");
    let scratch = tempfile::tempdir().unwrap();
    let dir = scratch.path().join("greeter");
    let mut new = packing::command(env!("CARGO_BIN_EXE_cargo-charm"), None);
    new.args(["new", "greeter", "--path"]).arg(&dir);
    packing::check(new, "cargo charm new greeter");
    for file in [
        "Cargo.toml",
        "metadata.yaml",
        "config.yaml",
        "src/lib.rs",
        "src/main.rs",
        "tests/harness.rs",
        "scenarios/smoke.yaml",
        "README.md",
        ".cargo/config.toml",
    ] {
        assert!(dir.join(file).is_file(), "{file}");
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut test = packing::command(&cargo, None);
    test.arg("test").current_dir(&dir);
    let out = packing::check(test, "cargo test in the new crate");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(shown.contains("2 passed"), "{shown}");

    let mut sim = packing::command(env!("CARGO_BIN_EXE_cargo-charm"), None);
    sim.args(["sim", "scenarios/smoke.yaml"]).current_dir(&dir);
    let out = packing::check(sim, "cargo charm sim scenarios/smoke.yaml");
    assert!(String::from_utf8_lossy(&out.stdout).contains("greeting: bonjour"));

    let packed = scratch.path().join("out");
    let report = packing::pack(&dir, &packed, tools.as_deref());
    let charm = std::path::PathBuf::from(report["charm"].as_str().unwrap());
    packing::check_layout(&charm, &dir, "greeter", &["greeter-peers"]);
    let unpacked = scratch.path().join("greeter-unpacked").join("greeter");
    packing::unpack(&charm, &unpacked);
    let tool = packing::sim_tool();
    for entry in [Entry::Dispatch, Entry::HookLinks] {
        packing::run_under_sim(&tool, &unpacked, "greeter", entry, &[]);
    }
    if let Some(tools) = &tools {
        packing::proof(tools, &unpacked);
        packing::analyse(tools, &charm);
    }
}
