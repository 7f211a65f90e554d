//! A shell-script charm, to watch the hook tools and environment from
//! inside a hook: what relation-list shows, which variables are set, and
//! that relation-set is held until the hook succeeds.

mod common;

use charm_sim::model::AgentStatus;
use common::*;

const SCRIPT: &str = r#"#!/bin/sh
hook="${JUJU_DISPATCH_PATH#hooks/}"
list=""
if [ -n "$JUJU_RELATION_ID" ]; then
  list=$(relation-list --format=json | tr -d '\n')
fi
echo "$JUJU_UNIT_NAME $hook remote=$JUJU_REMOTE_UNIT app=$JUJU_REMOTE_APP departing=$JUJU_DEPARTING_UNIT list=$list host=$CHARM_HOST" >> "$LOG"
case "$hook" in
  cluster-relation-joined)
    printf '{"greeting": "hello from %s"}\n' "$JUJU_UNIT_NAME" | relation-set --file - || exit 3
    if [ -e "$JUJU_CHARM_DIR/fail-joined" ]; then exit 1; fi
    if [ -e "$JUJU_CHARM_DIR/hang-joined" ]; then
      sleep 600 &
      echo $! > "$JUJU_CHARM_DIR/child.pid"
      sleep 600
    fi
    ;;
  install)
    status-set maintenance "installing" || exit 3
    is-leader --format=json > "$JUJU_CHARM_DIR/leader.json"
    ;;
  start)
    status-set active "up as $(unit-get private-address)" || exit 3
    ;;
esac
exit 0
"#;

const METADATA: &str =
    "name: script\nsummary: s\ndescription: d\npeers:\n  cluster:\n    interface: script-peers\n";

#[test]
fn hooks_see_the_juju_environment_and_relation_list_as_juju_shows_it() {
    let _one = one_at_a_time();
    let mut sim = sim(21);
    let base = sim.dir().join("script-src");
    let log = sim.dir().join("hooks.log");
    let binary = script_charm(&base, METADATA, SCRIPT, &log);
    sim.deploy("script", &base, &binary, 2).unwrap();
    let report = sim.settle(100).unwrap();
    assert!(report.failed.is_empty(), "{:?}", sim.history());
    let model = sim.model();
    assert_eq!(model.units["script/0"].workload.message, "up as 10.1.0.2");
    let leader =
        std::fs::read_to_string(model.units["script/0"].charm_dir.join("leader.json")).unwrap();
    assert_eq!(leader, "true\n");
    // Each record counts the tools its hook called.
    let install = &sim.history()[0];
    assert_eq!(install.name, "install");
    let calls: Vec<(&str, u32)> = install
        .tool_calls
        .iter()
        .map(|(t, n)| (t.as_str(), *n))
        .collect();
    assert_eq!(calls, [("is-leader", 1), ("status-set", 1)]);
    let peer = model.relations.values().next().unwrap();
    assert_eq!(
        peer.unit_data["script/1"]["greeting"],
        "hello from script/1"
    );

    sim.remove_unit("script/1").unwrap();
    sim.settle(100).unwrap();
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let find = |prefix: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(prefix))
            .unwrap_or_else(|| panic!("no {prefix:?} in\n{text}"))
            .to_string()
    };
    assert_eq!(
        find("script/0 cluster-relation-created"),
        "script/0 cluster-relation-created remote= app=script departing= list=[] host=simulated"
    );
    assert_eq!(
        find("script/0 cluster-relation-joined"),
        "script/0 cluster-relation-joined remote=script/1 app=script departing= list=[\"script/1\"] host=simulated"
    );
    // The departing unit is still listed in its departed hook.
    assert_eq!(
        find("script/0 cluster-relation-departed"),
        "script/0 cluster-relation-departed remote=script/1 app=script departing=script/1 list=[\"script/1\"] host=simulated"
    );
    assert_eq!(
        find("script/1 cluster-relation-broken"),
        "script/1 cluster-relation-broken remote= app=script departing= list=[] host=simulated"
    );
}

#[test]
fn a_failed_hooks_relation_data_is_discarded_until_the_retry_succeeds() {
    let _one = one_at_a_time();
    let mut sim = sim(22);
    let base = sim.dir().join("script-src");
    let log = sim.dir().join("hooks.log");
    let binary = script_charm(&base, METADATA, SCRIPT, &log);
    sim.deploy("script", &base, &binary, 1).unwrap();
    sim.settle(100).unwrap();
    sim.add_unit("script").unwrap();
    // script/1's joined hook writes, then fails.
    let marker = sim.model().units["script/1"].charm_dir.join("fail-joined");
    std::fs::write(&marker, "").unwrap();
    let report = sim.settle(100).unwrap();
    assert_eq!(report.in_error, ["script/1"]);
    let model = sim.model();
    assert_eq!(
        model.units["script/1"].agent,
        AgentStatus::Error("cluster-relation-joined".into())
    );
    let peer = model.relations.values().next().unwrap();
    assert!(!peer.unit_data["script/1"].contains_key("greeting"));
    // status-set took effect at once, even in the unit now in error.
    assert_eq!(model.units["script/1"].workload.message, "up as 10.1.0.3");
    std::fs::remove_file(&marker).unwrap();
    sim.resolve("script/1").unwrap();
    let report = sim.settle(100).unwrap();
    assert!(report.in_error.is_empty());
    let model = sim.model();
    let peer = model.relations.values().next().unwrap();
    assert_eq!(
        peer.unit_data["script/1"]["greeting"],
        "hello from script/1"
    );
    // The write reached script/0 as a relation-changed.
    let last0 = sim
        .history()
        .iter()
        .rev()
        .find(|r| r.unit == "script/0")
        .unwrap();
    assert_eq!(last0.name, "cluster-relation-changed");
}

/// Whether process `pid` is gone (or a zombie waiting for its reaper).
fn gone(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z')),
    }
}

#[test]
fn a_hook_that_never_exits_is_killed_with_its_children_and_fails() {
    let _one = one_at_a_time();
    let config = charm_sim::SimConfig::new(env!("CARGO_BIN_EXE_charm-sim-tool"))
        .with_seed(24)
        .with_hook_timeout(std::time::Duration::from_secs(2));
    let mut sim = charm_sim::Simulation::new(config).unwrap();
    let base = sim.dir().join("script-src");
    let log = sim.dir().join("hooks.log");
    let binary = script_charm(&base, METADATA, SCRIPT, &log);
    sim.deploy("script", &base, &binary, 1).unwrap();
    sim.settle(100).unwrap();
    sim.add_unit("script").unwrap();
    // script/1's joined hook writes its databag, starts a child, then
    // sleeps far past the limit.
    let dir = sim.model().units["script/1"].charm_dir.clone();
    std::fs::write(dir.join("hang-joined"), "").unwrap();
    let report = sim.settle(100).unwrap();
    assert_eq!(report.in_error, ["script/1"]);
    let model = sim.model();
    assert_eq!(
        model.units["script/1"].agent,
        AgentStatus::Error("cluster-relation-joined: timed out after 2s".into())
    );
    assert_eq!(
        model.units["script/1"].agent.to_string(),
        "error: hook failed: \"cluster-relation-joined: timed out after 2s\""
    );
    let record = sim
        .history()
        .iter()
        .find(|r| r.unit == "script/1" && !r.ok())
        .unwrap();
    assert_eq!(record.code, None, "killed by a signal");
    assert!(
        record
            .stderr
            .contains("hook cluster-relation-joined timed out after 2s"),
        "{}",
        record.stderr
    );
    // Its relation-set was discarded, as a failed hook's is.
    let peer = model.relations.values().next().unwrap();
    assert!(!peer.unit_data["script/1"].contains_key("greeting"));
    // The child it started died with it (its process group was killed).
    let child = std::fs::read_to_string(dir.join("child.pid")).unwrap();
    let child = child.trim();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !gone(child) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(gone(child), "the hook's child {child} still runs");
    // Resolved, the hook runs again and, no longer hanging, succeeds.
    std::fs::remove_file(dir.join("hang-joined")).unwrap();
    sim.resolve("script/1").unwrap();
    let report = sim.settle(100).unwrap();
    assert!(report.in_error.is_empty());
    let model = sim.model();
    let peer = model.relations.values().next().unwrap();
    assert_eq!(
        peer.unit_data["script/1"]["greeting"],
        "hello from script/1"
    );
}

#[test]
fn an_upgrade_replaces_the_charm_files_keeps_the_units_own_and_runs_upgrade_charm() {
    let _one = one_at_a_time();
    let mut sim = sim(25);
    let v1 = sim.dir().join("script-v1");
    let log = sim.dir().join("hooks.log");
    let binary = script_charm(&v1, METADATA, SCRIPT, &log);
    std::fs::write(v1.join("only-in-v1"), "old").unwrap();
    std::fs::write(v1.join("VERSION"), "1").unwrap();
    sim.deploy("script", &v1, &binary, 2).unwrap();
    sim.settle(100).unwrap();
    let dir = sim.model().units["script/1"].charm_dir.clone();
    // What the unit keeps: its state database, a file its charm wrote.
    std::fs::write(dir.join(".unit-state.db"), "state").unwrap();
    std::fs::write(dir.join("written-by-the-charm"), "mine").unwrap();

    let v2 = sim.dir().join("script-v2");
    let binary2 = script_charm(&v2, METADATA, SCRIPT, &log);
    std::fs::write(v2.join("VERSION"), "2").unwrap();
    let before = sim.history().len();
    sim.upgrade_charm("script", &v2, &binary2).unwrap();
    assert_eq!(sim.queued("script/1"), ["upgrade-charm", "config-changed"]);
    let report = sim.settle(100).unwrap();
    assert!(report.failed.is_empty(), "{:?}", report.failed);
    assert_eq!(std::fs::read_to_string(dir.join("VERSION")).unwrap(), "2");
    assert!(!dir.join("only-in-v1").exists());
    assert_eq!(
        std::fs::read_to_string(dir.join(".unit-state.db")).unwrap(),
        "state"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("written-by-the-charm")).unwrap(),
        "mine"
    );
    for unit in ["script/0", "script/1"] {
        let ran: Vec<&str> = sim.history()[before..]
            .iter()
            .filter(|r| r.unit == unit)
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(ran, ["upgrade-charm", "config-changed"], "{unit}");
    }
    // The hooks ran the new binary, in the new charm's place.
    assert_eq!(
        sim.model().apps["script"].charm.binary,
        binary2.canonicalize().unwrap()
    );
    // An unknown application has no charm to upgrade.
    assert!(matches!(
        sim.upgrade_charm("nothing", &v2, &binary2),
        Err(charm_sim::SimError::NoApp(_))
    ));
}

#[test]
fn the_tool_outside_a_hook_fails_cleanly() {
    let _one = one_at_a_time();
    let tool = env!("CARGO_BIN_EXE_charm-sim-tool");
    let out = std::process::Command::new(tool)
        .env_remove("CHARM_SIM_SOCKET")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("ERROR "));
    // A context no hook has: the simulator refuses it.
    let sim = sim(23);
    let link = sim.dir().join("tools").join("is-leader");
    let out = std::process::Command::new(link)
        .env("CHARM_SIM_SOCKET", sim.dir().join("tools.sock"))
        .env("JUJU_CONTEXT_ID", "nobody")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no hook is running"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
