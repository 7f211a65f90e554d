//! The example charm `examples/webapp` as Juju runs it: a real process per
//! hook, in the simulator (`charm-sim`), talking to it through the
//! simulator's hook tools, with its unit state in a real `.unit-state.db`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use charm_sim::stub::{Stub, StubEndpoint};
use charm_sim::{HookRecord, SimConfig, Simulation};
use serde_json::{Map, json};

const UNIT: &str = "webapp/0";

/// A simulation with one `webapp` unit of the example charm, its hooks
/// not run yet.
struct Model {
    sim: Simulation,
}

impl Model {
    fn new() -> Self {
        let tool = env!("CARGO_BIN_EXE_sim-hook-tool");
        let mut sim = Simulation::new(SimConfig::new(tool)).unwrap();
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/webapp");
        sim.deploy("webapp", example, env!("CARGO_BIN_EXE_webapp-charm"), 1)
            .unwrap();
        Model { sim }
    }

    /// Run every queued hook; each must succeed.
    fn settle(&mut self) {
        let report = self.sim.settle(200).unwrap();
        assert!(
            report.failed.is_empty(),
            "{:?}\n{}",
            report.failed,
            self.failures()
        );
    }

    /// What the failed hooks printed.
    fn failures(&self) -> String {
        self.sim
            .history()
            .iter()
            .filter(|r| !r.ok())
            .map(|r| format!("{} {}: {}", r.unit, r.name, r.stderr))
            .collect()
    }

    /// Run the next hook, which must be `name` on webapp/0, successfully.
    fn step(&mut self, name: &str) -> HookRecord {
        let record = self.sim.step().unwrap().unwrap();
        assert_eq!((record.unit.as_str(), record.name.as_str()), (UNIT, name));
        assert!(record.ok(), "{name} failed: {}", record.stderr);
        record
    }

    /// Tools called by webapp/0's hook `hook` since the record was last
    /// cleared, juju-log excepted.
    fn calls(&self, hook: &str) -> Vec<String> {
        self.sim
            .tool_calls()
            .into_iter()
            .filter(|c| c.unit == UNIT && c.hook == hook && c.tool != "juju-log")
            .map(|c| c.tool)
            .collect()
    }

    fn charm_dir(&self, unit: &str) -> PathBuf {
        self.sim.model().units[unit].charm_dir.clone()
    }

    fn address(&self, unit: &str) -> String {
        self.sim.model().units[unit].address.clone()
    }

    fn ports(&self) -> Vec<String> {
        let model = self.sim.model();
        model.units[UNIT]
            .ports
            .iter()
            .map(|p| p.to_string())
            .collect()
    }

    fn status_message(&self) -> String {
        let model = self.sim.model();
        let status = &model.units[UNIT].workload;
        assert_eq!(status.state, "active", "{status}");
        status.message.clone()
    }

    fn conf(&self) -> String {
        std::fs::read_to_string(self.charm_dir(UNIT).join("webapp.conf")).unwrap()
    }

    fn unit_state(&self, key: &str) -> Option<String> {
        read_unit_state(&self.charm_dir(UNIT).join(".unit-state.db"))
            .get(key)
            .cloned()
    }

    fn set_port(&mut self, port: u16) {
        let mut values = Map::new();
        values.insert("port".into(), json!(port));
        self.sim.config_set("webapp", values).unwrap();
    }

    /// The unit databag of webapp/0 on `relation`, without the keys Juju
    /// puts in every unit's databag.
    fn published(&self, relation: u32) -> BTreeMap<String, String> {
        let mut bag = self.sim.model().relations[&relation].unit_data[UNIT].clone();
        for key in ["private-address", "ingress-address", "egress-subnets"] {
            bag.remove(key);
        }
        bag
    }
}

/// The unit state as charm-runtime's SqliteStore reads it.
fn read_unit_state(path: &Path) -> BTreeMap<String, String> {
    use charm_runtime::StateStore;
    charm_runtime::SqliteStore::open(path)
        .unwrap()
        .load()
        .unwrap()
}

#[test]
fn the_charm_runs_each_hook_as_juju_runs_it() {
    let mut m = Model::new();

    // install: installs, the leader picks a cluster id, configures, starts.
    m.step("install");
    let model = m.sim.model();
    assert_eq!(model.units[UNIT].workload_version, "2.4.1");
    assert_eq!(m.ports(), ["8080/tcp"]);
    assert_eq!(m.status_message(), "serving on port 8080 with 0 peer(s)");
    let cluster_id = model.apps["webapp"].leader_settings["cluster-id"].clone();
    assert!(m.conf().contains("port = 8080"));
    assert!(m.conf().contains(&format!("cluster = {cluster_id:?}")));
    assert_eq!(
        m.unit_state("reactive.states.webapp.started").as_deref(),
        Some("null")
    );
    // Each read once, each write once; status-set twice: the progress
    // shown while installing, then the final status.
    let calls = m.calls("install");
    assert_eq!(
        calls.iter().filter(|t| *t == "status-set").count(),
        2,
        "{calls:?}"
    );
    for tool in [
        "config-get",
        "is-leader",
        "leader-get",
        "leader-set",
        "open-port",
    ] {
        assert_eq!(
            calls.iter().filter(|t| *t == tool).count(),
            1,
            "{tool} in {calls:?}"
        );
    }
    m.settle();

    // A quiet hook writes nothing but its status.
    m.sim.update_status();
    m.settle();
    let calls = m.calls("update-status");
    assert!(!calls.is_empty());
    assert!(
        !calls
            .iter()
            .any(|t| (t.ends_with("-set") && t != "status-set") || t.ends_with("-port")),
        "{calls:?}"
    );

    // config-changed: the port moves.
    m.set_port(9090);
    m.settle();
    assert_eq!(m.ports(), ["9090/tcp"]);
    assert!(m.conf().contains("port = 9090"));

    // A peer joins with its address.
    m.sim.add_unit("webapp").unwrap();
    m.settle();
    let peers = m
        .sim
        .model()
        .relations
        .values()
        .find(|r| r.is_peer())
        .unwrap()
        .id;
    // JSON-encoded as charms.reactive's to_publish does.
    assert_eq!(
        m.published(peers)["address"],
        format!("\"{}\"", m.address(UNIT))
    );
    let listed = format!("peers = [\"{}\"]", m.address("webapp/1"));
    assert!(m.conf().contains(&listed), "{}", m.conf());
    assert_eq!(m.status_message(), "serving on port 9090 with 1 peer(s)");

    // A proxy relates on `website`: raw keys, as the http interface.
    let proxy = StubEndpoint {
        role: charm_sim::model::Role::Requires,
        ..StubEndpoint::provides("http")
    };
    let stub = Stub {
        endpoints: BTreeMap::from([("reverseproxy".to_owned(), proxy)]),
        ..Stub::default()
    };
    m.sim.deploy_stub("haproxy", stub, 1).unwrap();
    let website = m.sim.relate("webapp:website", "haproxy").unwrap();
    m.settle();
    let expected = BTreeMap::from([
        ("hostname".to_owned(), m.address(UNIT)),
        ("port".to_owned(), "9090".to_owned()),
    ]);
    assert_eq!(m.published(website), expected);

    // The peer departs.
    m.sim.remove_unit("webapp/1").unwrap();
    m.settle();
    assert!(m.conf().contains("peers = []"), "{}", m.conf());
    assert_eq!(m.status_message(), "serving on port 9090 with 0 peer(s)");
}

#[test]
fn a_hook_whose_changes_juju_refuses_fails_and_its_retry_resends_them() {
    let mut m = Model::new();
    m.settle();
    let refusal = "port 7070 is in use by another application";
    m.sim.fail_tool(UNIT, "open-port", Some(refusal));
    m.set_port(7070);
    let report = m.sim.settle(200).unwrap();
    assert_eq!(
        report.failed,
        [(UNIT.to_owned(), "config-changed".to_owned())]
    );
    let failed = m.sim.history().last().unwrap().clone();
    assert_eq!(
        (failed.name.as_str(), failed.code),
        ("config-changed", Some(1))
    );
    // The error reached juju-log at ERROR, naming the tool and its message.
    let logged = failed
        .logs
        .iter()
        .any(|(level, message)| level == "ERROR" && message.contains(refusal));
    assert!(logged, "{:?}", failed.logs);
    // The refusal came after the commit (docs/failures.md): the unit state
    // says 7070, while Juju discarded the failed hook's port changes (as
    // it does every held write of a failing hook): 8080 is still open.
    assert_eq!(m.unit_state("webapp.port").as_deref(), Some("7070"));
    assert_eq!(m.ports(), ["8080/tcp"]);
    // Juju retries the hook: it resends the port before anything else.
    m.sim.fail_tool(UNIT, "open-port", None);
    m.sim.resolve(UNIT).unwrap();
    m.settle();
    assert_eq!(m.ports(), ["7070/tcp"]);
    assert_eq!(m.unit_state("webapp.port").as_deref(), Some("7070"));
}

#[test]
fn outside_juju_the_charm_says_what_is_missing_and_exits_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_webapp-charm"))
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("not running under Juju: JUJU_UNIT_NAME, JUJU_CHARM_DIR"),
        "{stderr}"
    );
}

/// Run the queued hooks; webapp/0's must succeed and leave it active.
/// The names of webapp/0's hooks, in order.
fn run_hooks(m: &mut Model) -> Vec<String> {
    let mut ran = Vec::new();
    while let Some(record) = m.sim.step().unwrap() {
        assert!(
            record.ok(),
            "{} {}: {}",
            record.unit,
            record.name,
            record.stderr
        );
        if record.unit != UNIT {
            continue;
        }
        // After `remove` the unit is gone from the model.
        if let Some(unit) = m.sim.model().units.get(UNIT) {
            assert_eq!(unit.workload.state, "active", "after {}", record.name);
        }
        ran.push(record.name);
    }
    ran
}

#[test]
fn every_hook_of_a_units_life_runs_cleanly() {
    let mut m = Model::new();
    let charm_dir = m.charm_dir(UNIT);
    let mut ran = run_hooks(&mut m);
    m.sim.add_unit("webapp").unwrap();
    ran.extend(run_hooks(&mut m));
    m.sim.update_status();
    ran.extend(run_hooks(&mut m));

    // The simulator fires no upgrade-charm: the charm runs under that name
    // in a hook context opened on the unit.
    let open = m
        .sim
        .open_hook(UNIT, charm_sim::Hook::UpdateStatus)
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_webapp-charm"))
        .env_clear()
        .envs(open.env().iter().map(|(k, v)| (k, v)))
        .env("JUJU_DISPATCH_PATH", "hooks/upgrade-charm")
        .env("JUJU_HOOK_NAME", "upgrade-charm")
        .current_dir(&charm_dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "upgrade-charm: {stderr}");
    m.sim.finish_hook(open, true).unwrap();
    assert_eq!(m.sim.model().units[UNIT].workload.state, "active");
    ran.push("upgrade-charm".into());

    m.set_port(9090);
    ran.extend(run_hooks(&mut m));
    m.sim.remove_unit("webapp/1").unwrap();
    ran.extend(run_hooks(&mut m));
    m.sim.remove_unit(UNIT).unwrap();
    ran.extend(run_hooks(&mut m));

    for hook in [
        "install",
        "leader-elected",
        "config-changed",
        "start",
        "cluster-relation-created",
        "cluster-relation-joined",
        "cluster-relation-changed",
        "update-status",
        "upgrade-charm",
        "cluster-relation-departed",
        "cluster-relation-broken",
        "stop",
        "remove",
    ] {
        assert!(ran.iter().any(|h| h == hook), "{hook} did not run: {ran:?}");
    }
    assert_eq!(ran.last().map(String::as_str), Some("remove"));
    // The unit state kept the workload version across the whole life.
    let state = read_unit_state(&charm_dir.join(".unit-state.db"));
    assert_eq!(
        state.get("webapp.installed-version").map(String::as_str),
        Some("\"2.4.1\"")
    );
}
