//! Helpers of the packing tests: building with the test's target
//! directory, the external validators (charmcraft, charm-tools'
//! `charm proof`, cargo-zigbuild) and reading a packed charm.
//!
//! `CHARM_PACK_TOOLS` names the `bin` directory of a venv with
//! `tools/pack/requirements.txt` installed; `.ci/run` sets it. Unset, the
//! validators are skipped with a printed note and charms are built with
//! plain cargo; set, a missing or wrong tool is a failure.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The pinned validator versions.
pub const CHARMCRAFT: &str = "4.5.0";
/// charm-tools, whose `charm-proof` is `charm proof`.
pub const CHARM_TOOLS: &str = "3.0.9";

/// The directory of the pack tools, or `None` with a printed skip.
pub fn pack_tools(test: &str) -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("CHARM_PACK_TOOLS") else {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "skipped the validators and zigbuild in {test}: CHARM_PACK_TOOLS is not set (.ci/run sets it)"
        );
        return None;
    };
    let dir = PathBuf::from(dir);
    for tool in ["charmcraft", "charm-proof", "cargo-zigbuild", "python"] {
        assert!(
            dir.join(tool).is_file(),
            "CHARM_PACK_TOOLS={}: no {tool} (install tools/pack/requirements.txt)",
            dir.display()
        );
    }
    let versions = Command::new(dir.join("python"))
        .args([
            "-c",
            "import importlib.metadata as m; print(m.version('charmcraft'), m.version('charm-tools'))",
        ])
        .output()
        .expect("the pack tools' python runs");
    let text = String::from_utf8_lossy(&versions.stdout);
    assert_eq!(
        text.trim(),
        format!("{CHARMCRAFT} {CHARM_TOOLS}"),
        "CHARM_PACK_TOOLS={}: charmcraft and charm-tools versions",
        dir.display()
    );
    Some(dir)
}

/// The cargo target directory the tests were built in: builds the tests
/// start share it, so that the release dependencies are built once.
pub fn target_dir() -> PathBuf {
    let exe = Path::new(env!("CARGO_BIN_EXE_cargo-charm"));
    exe.parent()
        .and_then(Path::parent)
        .expect("cargo-charm is in <target>/<profile>/")
        .to_owned()
}

/// PATH with `first` before it.
pub fn path_with(first: &[&Path]) -> std::ffi::OsString {
    let mut dirs: Vec<PathBuf> = first.iter().map(|p| p.to_path_buf()).collect();
    if let Some(old) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&old));
    }
    std::env::join_paths(dirs).expect("PATH entries")
}

/// A command that builds offline in the tests' target directory, with
/// the pack tools (if any) and `cargo-charm` on PATH.
pub fn command(program: impl AsRef<std::ffi::OsStr>, tools: Option<&Path>) -> Command {
    let exe = Path::new(env!("CARGO_BIN_EXE_cargo-charm"));
    let mut first = vec![exe.parent().expect("a directory")];
    if let Some(t) = tools {
        first.insert(0, t);
    }
    let mut c = Command::new(program);
    c.env("CARGO_TARGET_DIR", target_dir())
        .env("CARGO_NET_OFFLINE", "true")
        .env("PATH", path_with(&first));
    c
}

/// Run `command`, failing the test with its output unless it succeeds.
pub fn check(mut command: Command, what: &str) -> Output {
    let out = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// `cargo charm pack DIR --out-dir OUT --json` (zigbuild with the tools,
/// else cargo); the report.
pub fn pack(dir: &Path, out: &Path, tools: Option<&Path>) -> Value {
    let mut c = command(env!("CARGO_BIN_EXE_cargo-charm"), tools);
    c.arg("pack")
        .arg(dir)
        .arg("--out-dir")
        .arg(out)
        .arg("--json")
        .args([
            "--build-with",
            if tools.is_some() { "zigbuild" } else { "cargo" },
        ]);
    let output = check(c, &format!("cargo charm pack {}", dir.display()));
    serde_json::from_slice(&output.stdout).expect("pack --json prints JSON")
}

/// One entry of a packed charm.
#[derive(Debug)]
pub struct Item {
    /// The Unix mode bits.
    pub mode: u32,
    /// The symlink's target, for a symlink.
    pub link: Option<String>,
    /// The contents, for a file.
    pub data: Vec<u8>,
}

/// The entries of the zip `charm`, by path.
pub fn entries(charm: &Path) -> BTreeMap<String, Item> {
    let file = std::fs::File::open(charm).expect("the .charm opens");
    let mut zip = zip::ZipArchive::new(file).expect("the .charm is a zip");
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("an entry");
        let mode = f.unix_mode().expect("every entry has a Unix mode");
        let mut data = Vec::new();
        f.read_to_end(&mut data).expect("the entry reads");
        let link = f
            .is_symlink()
            .then(|| String::from_utf8(data.clone()).expect("a UTF-8 link"));
        out.insert(f.name().to_owned(), Item { mode, link, data });
    }
    out
}

/// Unpack `charm` into `dir` (symlinks as symlinks).
pub fn unpack(charm: &Path, dir: &Path) {
    let file = std::fs::File::open(charm).expect("the .charm opens");
    let mut zip = zip::ZipArchive::new(file).expect("the .charm is a zip");
    zip.extract(dir).expect("the .charm unpacks");
}

/// What the layout of the packed `charm` of the crate `crate_dir`
/// (named `name`, with `endpoints`) must be; panics naming what is not.
pub fn check_layout(charm: &Path, crate_dir: &Path, name: &str, endpoints: &[&str]) {
    let entries = entries(charm);
    let shown = || entries.keys().cloned().collect::<Vec<_>>().join("\n");
    for file in [
        "metadata.yaml",
        "charmcraft.yaml",
        "manifest.yaml",
        "README.md",
        "copyright",
    ] {
        assert!(
            entries.contains_key(file),
            "{file} missing from:\n{}",
            shown()
        );
    }
    for optional in ["config.yaml", "actions.yaml"] {
        assert_eq!(
            entries.contains_key(optional),
            crate_dir.join(optional).is_file(),
            "{optional}: in the charm iff in the crate"
        );
    }
    let dispatch = &entries["dispatch"];
    assert_eq!(dispatch.mode & 0o777, 0o755, "dispatch is executable");
    let script = String::from_utf8_lossy(&dispatch.data);
    assert!(script.starts_with("#!/bin/sh\n"), "{script}");
    assert!(script.ends_with(&format!("exec bin/{name}\n")), "{script}");
    let binary = &entries[&format!("bin/{name}")];
    assert_eq!(binary.mode & 0o777, 0o755, "the binary is executable");
    assert!(binary.data.starts_with(b"\x7fELF"), "the binary is ELF");
    let mut hooks = vec![
        "install".to_owned(),
        "start".into(),
        "config-changed".into(),
        "upgrade-charm".into(),
        "update-status".into(),
        "leader-elected".into(),
        "leader-settings-changed".into(),
        "stop".into(),
        "remove".into(),
    ];
    for e in endpoints {
        for s in ["created", "joined", "changed", "departed", "broken"] {
            hooks.push(format!("{e}-relation-{s}"));
        }
    }
    for hook in &hooks {
        let entry = entries
            .get(&format!("hooks/{hook}"))
            .unwrap_or_else(|| panic!("hooks/{hook} missing from:\n{}", shown()));
        assert_eq!(entry.link.as_deref(), Some("../dispatch"), "hooks/{hook}");
    }
    let actions = std::fs::read_to_string(crate_dir.join("actions.yaml")).unwrap_or_default();
    for line in actions.lines() {
        if let Some(action) = line
            .strip_suffix(':')
            .filter(|a| !a.starts_with([' ', '#']))
        {
            let entry = entries
                .get(&format!("actions/{action}"))
                .unwrap_or_else(|| panic!("actions/{action} missing from:\n{}", shown()));
            assert_eq!(
                entry.link.as_deref(),
                Some("../dispatch"),
                "actions/{action}"
            );
        }
    }
    if crate_dir.join("templates").is_dir() {
        assert!(
            entries.keys().any(|k| k.starts_with("templates/")),
            "templates/ missing"
        );
    }
    // Nothing else: no sources, no target directory, one binary.
    for path in entries.keys() {
        let known = [
            "metadata.yaml",
            "config.yaml",
            "actions.yaml",
            "charmcraft.yaml",
            "manifest.yaml",
            "README.md",
            "copyright",
            "LICENSE",
            "icon.svg",
            "dispatch",
        ]
        .contains(&path.as_str())
            || path.starts_with("hooks/")
            || path.starts_with("actions/")
            || path.starts_with("templates/")
            || *path == format!("bin/{name}");
        assert!(known, "unexpected entry {path}");
    }
    let metadata = String::from_utf8_lossy(&entries["metadata.yaml"].data).into_owned();
    assert!(
        !metadata.lines().any(|l| l.starts_with("series:")),
        "the packed metadata.yaml has no series (manifest.yaml has the bases)"
    );
    let manifest = String::from_utf8_lossy(&entries["manifest.yaml"].data).into_owned();
    let file_name = charm.file_name().unwrap().to_string_lossy().into_owned();
    for base in file_name.trim_end_matches(".charm").split('_').skip(1) {
        let channel = base.split('-').nth(1).expect("ubuntu-<channel>-<arch>");
        assert!(
            manifest.contains(&format!("channel: \"{channel}\"")),
            "{base} of the file name is in manifest.yaml:\n{manifest}"
        );
    }
}

/// The newest `GLIBC_` version the binary needs, by `objdump -T` when it
/// is installed (binutils), else `None`.
pub fn objdump_glibc(binary: &Path) -> Option<(u32, u32)> {
    let out = Command::new("objdump")
        .arg("-T")
        .arg(binary)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter_map(|w| w.strip_prefix("GLIBC_"))
        .filter_map(|v| {
            let mut p = v.split('.');
            Some((p.next()?.parse().ok()?, p.next()?.parse().ok()?))
        })
        .max()
}

/// `charm proof DIR`: no error and no warning (informational lines are
/// fine).
pub fn proof(tools: &Path, dir: &Path) {
    let out = Command::new(tools.join("charm-proof"))
        .arg(dir)
        .output()
        .expect("charm-proof runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let bad: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("E:") || l.starts_with("W:"))
        .collect();
    assert!(
        out.status.success() && bad.is_empty(),
        "charm proof {} ({}):\n{text}",
        dir.display(),
        out.status
    );
}

/// `charmcraft analyse --format json CHARM`: every lint ok or not
/// applicable (attributes, such as the language, are information).
pub fn analyse(tools: &Path, charm: &Path) {
    let out = Command::new(tools.join("charmcraft"))
        .args(["analyse", "--format", "json"])
        .arg(charm)
        .env("PATH", path_with(&[tools]))
        .output()
        .expect("charmcraft runs");
    let results: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "charmcraft analyse {}: not JSON ({e}):\n{}\n{}",
            charm.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let results = results.as_array().expect("a list of checks");
    assert!(!results.is_empty(), "charmcraft ran no check");
    for r in results {
        if r["check_type"] == "lint" {
            assert!(
                r["result"] == "ok" || r["result"] == "nonapplicable",
                "charmcraft analyse {}: {r}",
                charm.display()
            );
        }
    }
    // charmcraft exits 3 on warnings (2 on errors).
    assert!(
        out.status.success(),
        "charmcraft analyse {}: {}",
        charm.display(),
        out.status
    );
}

/// The simulator's hook-tool program, built from this checkout.
pub fn sim_tool() -> PathBuf {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut c = command(
        std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()),
        None,
    );
    c.args([
        "build",
        "--quiet",
        "-p",
        "charm-sim",
        "--bin",
        "charm-sim-tool",
    ])
    .current_dir(&workspace);
    check(c, "cargo build -p charm-sim --bin charm-sim-tool");
    let tool = target_dir().join("debug").join("charm-sim-tool");
    assert!(tool.is_file(), "{} was built", tool.display());
    tool
}

/// How the simulator starts the unpacked charm's hooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// `dispatch` with `JUJU_DISPATCH_PATH`, as Juju 2.8 and later.
    Dispatch,
    /// `hooks/<hook>` or `actions/<action>` without `JUJU_DISPATCH_PATH`
    /// or `JUJU_HOOK_NAME`, as older Juju (through a wrapper: the
    /// simulator sets both).
    HookLinks,
}

/// Deploy the unpacked charm in `unpacked` (named `app`) in the simulator,
/// 2 units (peers relate), run its hooks through `entry` until settled,
/// then each of `actions` on the first unit; panic if a hook fails or an
/// action's process does not run its handler. Returns the hooks run.
pub fn run_under_sim(
    tool: &Path,
    unpacked: &Path,
    app: &str,
    entry: Entry,
    actions: &[&str],
) -> usize {
    let scratch = tempfile::tempdir().expect("a scratch directory");
    let program = match entry {
        Entry::Dispatch => unpacked.join("dispatch"),
        Entry::HookLinks => {
            let wrapper = scratch.path().join("legacy-juju");
            let script = format!(
                "#!/bin/sh\nrun=\"$JUJU_DISPATCH_PATH\"\nunset JUJU_DISPATCH_PATH JUJU_HOOK_NAME\nexec '{}/'\"$run\"\n",
                unpacked.display()
            );
            std::fs::write(&wrapper, script).expect("the wrapper is written");
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755))
                .expect("the wrapper is executable");
            wrapper
        }
    };
    let mut sim =
        charm_sim::Simulation::new(charm_sim::SimConfig::new(tool)).expect("a simulation");
    sim.deploy(app, unpacked, &program, 2)
        .unwrap_or_else(|e| panic!("deploy {app} ({entry:?}): {e}"));
    let report = sim.settle(5000).expect("the model settles");
    let failed: Vec<String> = sim
        .history()
        .iter()
        .filter(|r| !r.ok())
        .map(|r| format!("{} {}: {}", r.unit, r.name, r.stderr))
        .collect();
    assert!(
        report.failed.is_empty() && report.in_error.is_empty() && failed.is_empty(),
        "{app} ({entry:?}) under the simulator: {failed:#?}"
    );
    assert!(
        report.hooks >= 4,
        "{app}: install, leader, config, start ran"
    );
    let unit = format!("{app}/0");
    for action in actions {
        let result = sim
            .run_action(&unit, action, serde_json::Map::new())
            .unwrap_or_else(|e| panic!("{unit} {action} ({entry:?}): {e}"));
        // The action's process ran (charm-runtime exits non-zero for an
        // action it has no handler for) and exited 0; the handler may
        // still report `action-fail` (openstack-api's pause
        // finds its ports open in a model without its workload), which
        // is the charm's answer, not a dispatch failure.
        assert!(
            result.record.ok(),
            "{unit} {action} ({entry:?}): {}",
            result.record.stderr
        );
    }
    report.hooks
}

/// Whether the ELF binary runs without a dynamic loader (it has no
/// `.interp` section naming one): statically linked.
pub fn is_static(binary: &Path) -> bool {
    use object::Object;
    let data = std::fs::read(binary).expect("the binary reads");
    let file = object::File::parse(&*data).expect("the binary is an object file");
    file.section_by_name(".interp").is_none()
}
