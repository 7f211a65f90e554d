//! Interrupting a program that runs simulations (`cargo charm sim` on
//! Ctrl-C): `interrupt::stop_everything` kills the hook running now with
//! the processes it started, and removes the model's directory. The only
//! test in this binary: it stops everything of its process.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::*;

/// An install hook that starts a child, records both process ids, and
/// waits for the child (ten minutes).
const SCRIPT: &str = r#"#!/bin/sh
if [ "${JUJU_DISPATCH_PATH#hooks/}" = install ]; then
  sleep 600 &
  echo $! > "$JUJU_CHARM_DIR/child.pid.tmp"
  mv "$JUJU_CHARM_DIR/child.pid.tmp" "$JUJU_CHARM_DIR/child.pid"
  wait
fi
exit 0
"#;

const METADATA: &str = "name: hang\nsummary: s\ndescription: d\n";

/// Whether process `pid` is gone (or dead and waiting to be reaped).
fn gone(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // "PID (comm) STATE ...": Z is a zombie, X dead.
        Ok(stat) => matches!(
            stat.rsplit_once(')')
                .map(|(_, rest)| rest.trim_start().chars().next()),
            Some(Some('Z' | 'X'))
        ),
    }
}

#[test]
fn stopping_everything_kills_the_running_hook_with_its_children_and_removes_the_model() {
    let mut sim = sim(5);
    let model_dir = sim.dir().to_path_buf();
    let base = model_dir.join("hang-src");
    let binary = script_charm(&base, METADATA, SCRIPT, &model_dir.join("hooks.log"));
    sim.deploy("hang", &base, &binary, 1).unwrap();
    let charm_dir = sim.model().units["hang/0"].charm_dir.clone();
    let runner = std::thread::spawn(move || {
        let settled = sim.settle(10);
        (settled.map(|r| r.failed), sim)
    });

    // The install hook is running once it recorded its child.
    let child_pid = charm_dir.join("child.pid");
    let waiting_since = Instant::now();
    while !child_pid.exists() {
        assert!(
            waiting_since.elapsed() < Duration::from_secs(120),
            "the install hook never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let child = std::fs::read_to_string(&child_pid)
        .unwrap()
        .trim()
        .to_owned();

    assert_eq!(charm_sim::interrupt::stop_everything(), 1);
    // The hook's child dies with the hook's group, long before the sleep
    // of ten minutes or the simulation's hook timeout (300 s) would end
    // it: without the kill this fails after the minute it waits.
    let killed_at = Instant::now();
    while !gone(&child) {
        assert!(
            killed_at.elapsed() < Duration::from_secs(60),
            "the hook's child {child} is still running"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // The simulation sees its hook killed and goes on (its directory is
    // gone, so what it does next may fail).
    let (_, sim) = runner.join().unwrap();
    assert!(!Path::new(&model_dir).exists());
    // Nothing is left to stop.
    assert_eq!(charm_sim::interrupt::stop_everything(), 0);
    drop(sim);
}
