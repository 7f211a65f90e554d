//! `charm_runtime::main` in a real process (this test binary, run again
//! with a hook's environment): a malformed hook environment or
//! `CHARM_TOOL_TIMEOUT` stops it with a message naming the variable, and
//! a `juju-log` that never exits does not hang the hook.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Output};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use charm_runtime::Registry;

/// Set in the child: run `main`.
const CHILD: &str = "CHARM_TEST_ENTRY_CHILD";

/// Tests that write an executable and then start a process serialize
/// (ETXTBSY: a process forked while the script is open for writing).
static EXEC: Mutex<()> = Mutex::new(());

/// The "hook": `main` with no handlers, its exit code as the process's.
#[test]
fn child_main() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let code = charm_runtime::main_with(|_| Ok(Registry::new()));
    let code = if code == ExitCode::SUCCESS {
        0
    } else if code == ExitCode::from(2) {
        2
    } else {
        1
    };
    std::process::exit(code);
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("entry-env-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run_main(vars: &[(&str, &str)], path: Option<&Path>) -> (Output, Duration) {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", "child_main", "--nocapture", "--test-threads=1"])
        .env_clear()
        .env(CHILD, "1")
        .env(
            "PATH",
            path.map_or("/usr/bin:/bin".into(), |p| p.display().to_string()),
        );
    for (k, v) in vars {
        cmd.env(k, v);
    }
    let start = Instant::now();
    let out = cmd.output().unwrap();
    (out, start.elapsed())
}

const HOOK: [(&str, &str); 3] = [
    ("JUJU_UNIT_NAME", "web/0"),
    ("JUJU_CHARM_DIR", "/nonexistent"),
    ("JUJU_DISPATCH_PATH", "hooks/install"),
];

#[test]
fn a_malformed_dispatch_path_is_named() {
    for bad in ["hooks/../install", "hooks/", "foo/install"] {
        let mut vars = HOOK.to_vec();
        vars[2].1 = bad;
        let (out, _) = run_main(&vars, None);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(
            stderr.contains(&format!("JUJU_DISPATCH_PATH={bad:?}: ")),
            "{stderr}"
        );
        assert!(!stderr.contains("not set"), "{stderr}");
    }
}

#[test]
fn an_invalid_tool_timeout_is_named() {
    let mut vars = HOOK.to_vec();
    vars.push(("CHARM_TOOL_TIMEOUT", "5m"));
    let (out, _) = run_main(&vars, None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("CHARM_TOOL_TIMEOUT=\"5m\": the timeout of a hook tool call"),
        "{stderr}"
    );
}

#[test]
fn a_juju_log_that_never_exits_does_not_hang_the_hook() {
    let _serial = EXEC.lock().unwrap_or_else(|e| e.into_inner());
    let tools = scratch("hung-juju-log");
    let script = tools.join("juju-log");
    std::fs::write(&script, "#!/bin/sh\nexec sleep 120\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = format!("{}:/usr/bin:/bin", tools.display());
    let mut vars = HOOK.to_vec();
    vars.push(("CHARM_TOOL_TIMEOUT", "1"));
    // No charm files: main logs "cannot start" with juju-log, which hangs.
    let (out, elapsed) = run_main(&vars, Some(Path::new(&path)));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(elapsed < Duration::from_secs(60), "{elapsed:?}");
    // The line reached stderr, with why juju-log did not take it.
    assert!(stderr.contains("ERROR cannot start"), "{stderr}");
    assert!(
        stderr.contains("hook tool juju-log did not finish within 1 s and was killed"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&tools).unwrap();
}
