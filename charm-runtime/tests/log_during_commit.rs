//! The hook's log batch is started before the unit state's commit and
//! waited for after it: `JujuLogSink::begin_flush` over a
//! `ProcessBackend` returns while `juju-log` still runs.
//!
//! The `juju-log` here is a script that waits (at most five seconds) for a
//! file the test creates only after `begin_flush` has returned, and records
//! whether it saw it. Had `begin_flush` waited for the script, the script
//! would have given up first and recorded so.
#![cfg(unix)]

use std::path::PathBuf;
use std::rc::Rc;

use charm_runtime::JujuLogSink;
use charm_runtime::backend::ProcessBackend;
use charm_runtime::log::{Level, LogSink};

const SCRIPT: &str = r#"#!/bin/sh
d=$(dirname "$0")
i=0
while [ ! -e "$d/go" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
if [ -e "$d/go" ]; then seen=after-go; else seen=gave-up; fi
printf '%s %s\n' "$seen" "$*" >> "$d/log"
"#;

fn tools() -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::env::temp_dir().join(format!("log-during-commit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("juju-log");
    std::fs::write(&script, SCRIPT).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    dir
}

#[test]
fn begin_flush_returns_while_juju_log_runs_and_flush_keeps_the_order() {
    if !std::path::Path::new("/bin/sh").is_file() {
        eprintln!("skipped: no /bin/sh");
        return;
    }
    let dir = tools();
    let sink = JujuLogSink::new(Rc::new(ProcessBackend::with_tools_dir(&dir)), Level::Info);
    sink.log(Level::Info, "Invoking reactive handler: a");
    LogSink::begin_flush(&sink);
    // Only now may the script go on.
    std::fs::write(dir.join("go"), "").unwrap();
    sink.log(Level::Info, "logged during the commit");
    LogSink::flush(&sink);
    let log = std::fs::read_to_string(dir.join("log")).unwrap();
    assert_eq!(
        log,
        "after-go -l INFO -- Invoking reactive handler: a\n\
         after-go -l INFO -- logged during the commit\n"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
