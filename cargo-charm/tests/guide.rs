//! docs/first-charm.md cannot rot: every command of its `console` blocks
//! (the lines starting with `$ `) runs, in order, in one shell, and must
//! succeed; then the charm it packed is checked like the examples'.
//!
//! The shell starts at the repository root (where the guide installs
//! `cargo charm` from), installs into a scratch CARGO_INSTALL_ROOT put
//! first on PATH (never over the user's own), and its `mktemp -d` makes a
//! directory under a scratch TMPDIR. Builds share the tests' target
//! directory and run offline.

mod packing;

use std::path::Path;

/// The commands of the guide's ```console blocks, in order.
fn commands(markdown: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut in_console = false;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            in_console = !in_console && info.trim() == "console";
            continue;
        }
        if in_console && let Some(command) = line.strip_prefix("$ ") {
            out.push(command.to_owned());
        }
    }
    out
}

/// `text` quoted for sh.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[test]
fn commands_are_found_in_console_blocks_only() {
    let md = "```console\n$ a b\nout\n```\n```sh\n$ not\n```\n```console\n$ c\n```\n";
    assert_eq!(commands(md), ["a b", "c"]);
    assert_eq!(quoted("it's"), r"'it'\''s'");
}

#[test]
fn every_command_of_the_first_charm_guide_runs() {
    let tools = packing::pack_tools("every_command_of_the_first_charm_guide_runs");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let guide = std::fs::read_to_string(root.join("docs/first-charm.md")).unwrap();
    let commands = commands(&guide);
    assert!(
        commands.iter().any(|c| c.starts_with("cargo charm new"))
            && commands.iter().any(|c| c.starts_with("cargo charm pack")),
        "the guide creates and packs a charm: {commands:?}"
    );
    let scratch = tempfile::tempdir().unwrap();
    let install = scratch.path().join("install");
    let tmp = scratch.path().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut script = String::from("set -e\n");
    for c in &commands {
        script.push_str(&format!(
            "printf '%s\\n' {}\n{c}\n",
            quoted(&format!("$ {c}"))
        ));
    }
    // Where the guide's charm ended up, for the checks below.
    script.push_str("pwd > \"$GUIDE_END\"\n");
    let end = scratch.path().join("end");
    let bin = install.join("bin");
    let mut first: Vec<&Path> = vec![&bin];
    if let Some(t) = &tools {
        first.push(t);
    }
    let mut sh = std::process::Command::new("sh");
    sh.arg("-c")
        .arg(&script)
        .current_dir(&root)
        .env("CARGO_TARGET_DIR", packing::target_dir())
        .env("CARGO_NET_OFFLINE", "true")
        .env("CARGO_INSTALL_ROOT", &install)
        .env("TMPDIR", &tmp)
        .env("GUIDE_END", &end)
        .env("PATH", packing::path_with(&first));
    let out = packing::check(sh, "the guide's commands");
    let shown = String::from_utf8_lossy(&out.stdout);
    assert!(
        shown.contains("greeting: bonjour"),
        "the scenario ran:\n{shown}"
    );
    let charm_dir = std::fs::read_to_string(&end).unwrap();
    let charm_dir = Path::new(charm_dir.trim());
    let charm = std::fs::read_dir(charm_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "charm"))
        .expect("the guide packed a .charm");
    packing::check_layout(&charm, charm_dir, "hello-charm", &["hello-charm-peers"]);
    if let Some(tools) = &tools {
        let unpacked = scratch.path().join("hello-charm");
        packing::unpack(&charm, &unpacked);
        packing::proof(tools, &unpacked);
        packing::analyse(tools, &charm);
        assert!(
            charm.to_string_lossy().contains("ubuntu-20.04-amd64"),
            "with cargo-zigbuild the charm runs on 20.04: {}",
            charm.display()
        );
    }
}
