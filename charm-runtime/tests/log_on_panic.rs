//! What a hook logged before it panicked, or was killed, reaches
//! `juju-log`: a real process (this test binary, run again as the
//! "hook") logs through `JujuLogSink` and a `ProcessBackend` whose
//! `juju-log` is a script appending its arguments to a file, then
//! panics or waits to be killed.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::rc::Rc;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use charm_runtime::JujuLogSink;
use charm_runtime::backend::ProcessBackend;
use charm_runtime::log::{Level, LogSink};

/// Set in the child: the directory of the tools and the log file, and
/// what to do after logging (`panic` or `hang`).
const CHILD_DIR: &str = "CHARM_TEST_LOG_CHILD_DIR";
const CHILD_END: &str = "CHARM_TEST_LOG_CHILD_END";

/// Tests that write an executable and then run a process serialize: a
/// process forked while the script is open for writing would make its
/// exec fail with ETXTBSY.
static EXEC: Mutex<()> = Mutex::new(());

fn tools(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("log-on-panic-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("juju-log");
    std::fs::write(
        &script,
        "#!/bin/sh\nprintf '%s\\n' \"$*\" >> \"$(dirname \"$0\")/log\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

/// The "hook": runs only when the parent test starts this binary with
/// [`CHILD_DIR`] set.
#[test]
fn child_hook() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else {
        return;
    };
    let backend = Rc::new(ProcessBackend::with_tools_dir(PathBuf::from(dir)));
    let sink = Rc::new(JujuLogSink::new(backend, Level::Info));
    sink.log(Level::Info, "first line before the end");
    sink.log(Level::Debug, "below the minimum");
    sink.log(Level::Info, "second line before the end");
    // As under `panic = "abort"`: no destructor will send the lines.
    std::mem::forget(Rc::clone(&sink));
    match std::env::var(CHILD_END).as_deref() {
        Ok("panic") => panic!("the hook panics"),
        _ => {
            sink.log(Level::Warning, "a warning before the kill");
            eprintln!("ready");
            std::thread::sleep(Duration::from_secs(120));
        }
    }
}

fn start_child(dir: &Path, end: &str) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "child_hook", "--nocapture", "--test-threads=1"])
        .env(CHILD_DIR, dir)
        .env(CHILD_END, end)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn logged(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("log")).unwrap_or_default()
}

#[test]
fn lines_logged_before_a_panic_reach_juju_log() {
    let _serial = EXEC.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tools("panic");
    let out = start_child(&dir, "panic").wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "the child hook did not panic: {stderr}"
    );
    assert!(stderr.contains("the hook panics"), "{stderr}");
    assert_eq!(
        logged(&dir),
        "-l INFO -- first line before the end\nsecond line before the end\n",
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_warning_logged_before_a_kill_reaches_juju_log() {
    let _serial = EXEC.lock().unwrap_or_else(|e| e.into_inner());
    let dir = tools("kill");
    let mut child = start_child(&dir, "hang");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !logged(&dir).contains("a warning before the kill") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // The INFO lines went with the warning, in order, before the kill.
    assert_eq!(
        logged(&dir),
        "-l INFO -- first line before the end\nsecond line before the end\n\
         -l WARNING -- a warning before the kill\n"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
