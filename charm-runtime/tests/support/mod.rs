//! Access to the Python reference (charms.reactive 1.5.3 in a venv) for
//! tests that compare against it.
//!
//! `CHARM_REFERENCE_PYTHON` names the interpreter of a venv with
//! `tools/reference/requirements.txt` installed; `.ci/run` sets it. When it
//! is unset the test prints a skip; when it is set, a missing or broken
//! reference is a failure.

use std::path::PathBuf;
use std::process::Command;

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The reference interpreter, or `None` (with a printed skip) when the
/// environment does not provide one.
pub fn reference_python(test: &str) -> Option<PathBuf> {
    let Some(python) = std::env::var_os("CHARM_REFERENCE_PYTHON") else {
        // Written to the stderr handle, which the test harness does not
        // capture, so the skip shows in a normal `cargo test` run.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "skipped {test}: CHARM_REFERENCE_PYTHON is not set (.ci/run sets it)"
        );
        return None;
    };
    let python = PathBuf::from(python);
    let probe = Command::new(&python)
        .args([
            "-c",
            "import importlib.metadata as m; assert m.version('charms.reactive') == '1.5.3'",
        ])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "CHARM_REFERENCE_PYTHON={}: cannot run: {e}",
                python.display()
            )
        });
    assert!(
        probe.status.success(),
        "CHARM_REFERENCE_PYTHON={} does not have charms.reactive 1.5.3: {}",
        python.display(),
        String::from_utf8_lossy(&probe.stderr)
    );
    Some(python)
}

/// Run a reference script under `tools/reference/` and return its stdout.
pub fn run_reference(python: &PathBuf, script: &str, args: &[&str]) -> String {
    let out = Command::new(python)
        .arg(repo_root().join("tools/reference").join(script))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {script}: {e}"));
    assert!(
        out.status.success(),
        "{script} {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
