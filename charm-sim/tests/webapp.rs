//! The webapp example charm, run as real processes in a simulated model.

mod common;

use charm_sim::model::{AgentStatus, Port};
use charm_sim::{Hook, SimError};
use common::*;
use serde_json::json;

fn settle(sim: &mut charm_sim::Simulation) -> charm_sim::SettleReport {
    let report = sim.settle(1000).expect("settles");
    if !report.failed.is_empty() {
        dump_failures(sim);
    }
    report
}

fn assert_all_active(sim: &charm_sim::Simulation, peers: usize) {
    let model = sim.model();
    for unit in model.units.values() {
        assert_eq!(unit.agent, AgentStatus::Idle, "{}", unit.name);
        assert_eq!(
            unit.workload.state, "active",
            "{}: {}",
            unit.name, unit.workload
        );
        assert_eq!(
            unit.workload.message,
            format!("serving on port 8080 with {peers} peer(s)"),
            "{}",
            unit.name
        );
        assert!(unit.ports.contains(&Port::tcp(8080)), "{}", unit.name);
        assert_eq!(unit.workload_version, "2.4.1");
    }
}

/// The cluster id the leader chose, as every unit rendered it.
fn rendered_cluster_ids(sim: &charm_sim::Simulation) -> Vec<String> {
    sim.model()
        .units
        .values()
        .map(|u| {
            let conf = std::fs::read_to_string(u.charm_dir.join("webapp.conf")).unwrap();
            conf.lines()
                .find(|l| l.starts_with("cluster = "))
                .unwrap()
                .to_owned()
        })
        .collect()
}

#[test]
fn two_units_settle_active_sharing_the_leaders_cluster_id() {
    let mut sim = sim(1);
    let units = deploy_webapp(&mut sim, 2);
    assert_eq!(units, ["webapp/0", "webapp/1"]);
    let report = settle(&mut sim);
    assert!(report.failed.is_empty() && report.in_error.is_empty());
    eprintln!(
        "webapp x2: {} hooks in {:?} ({:.1} hooks/s)",
        report.hooks,
        report.elapsed,
        report.hooks_per_second()
    );
    assert_all_active(&sim, 1);
    let model = sim.model();
    let app = &model.apps["webapp"];
    assert_eq!(app.leader.as_deref(), Some("webapp/0"));
    let id = app.leader_settings["cluster-id"].clone();
    assert_eq!(
        rendered_cluster_ids(&sim),
        vec![format!("cluster = {id:?}"); 2]
    );
    // Each unit's databag holds Juju's keys and the address it published.
    let peer = model.relations.values().find(|r| r.is_peer()).unwrap();
    for unit in &units {
        let bag = &peer.unit_data[unit];
        let address = &model.units[unit].address;
        assert_eq!(&bag["private-address"], address);
        assert_eq!(&bag["ingress-address"], address);
        assert_eq!(bag["egress-subnets"], format!("{address}/32"));
        assert_eq!(&bag["address"], &format!("\"{address}\""));
    }
    // Juju's order on each unit: install, relation-created, leader hook,
    // config-changed, start, then the peer's joined and changed.
    let order: Vec<&str> = sim
        .history()
        .iter()
        .filter(|r| r.unit == "webapp/1")
        .map(|r| r.name.as_str())
        .take(7)
        .collect();
    assert_eq!(
        order,
        [
            "install",
            "cluster-relation-created",
            "leader-settings-changed",
            "config-changed",
            "start",
            "cluster-relation-joined",
            "cluster-relation-changed"
        ]
    );
    assert_eq!(
        sim.history()
            .iter()
            .find(|r| r.unit == "webapp/0" && r.name.starts_with("leader"))
            .unwrap()
            .name,
        "leader-elected"
    );
}

#[test]
fn the_same_seed_runs_the_same_hooks_in_the_same_order() {
    let run = |seed| {
        let mut sim = sim(seed);
        deploy_webapp(&mut sim, 3);
        settle(&mut sim);
        sim.history()
            .iter()
            .map(|r| format!("{} {}", r.unit, r.name))
            .collect::<Vec<_>>()
    };
    let a = run(42);
    assert_eq!(a, run(42));
    // Another seed interleaves the units differently (and, as hooks that
    // are already queued are not queued twice, may run fewer or more).
    assert_ne!(a, run(43));
}

#[test]
fn adding_and_removing_units_re_renders_the_peers() {
    let mut sim = sim(2);
    deploy_webapp(&mut sim, 2);
    settle(&mut sim);
    let added = sim.add_unit("webapp").unwrap();
    assert_eq!(added, "webapp/2");
    settle(&mut sim);
    assert_all_active(&sim, 2);
    let model = sim.model();
    let addresses: Vec<String> = model.units.values().map(|u| u.address.clone()).collect();
    let conf =
        std::fs::read_to_string(model.units["webapp/0"].charm_dir.join("webapp.conf")).unwrap();
    for a in &addresses[1..] {
        assert!(conf.contains(a.as_str()), "{conf}");
    }

    let seq = sim.history().len();
    sim.remove_unit("webapp/1").unwrap();
    let report = settle(&mut sim);
    assert!(report.failed.is_empty());
    let since: Vec<String> = sim.history()[seq..]
        .iter()
        .map(|r| format!("{} {}", r.unit, r.name))
        .collect();
    // The removed unit departs from each peer, breaks, stops and goes.
    for line in [
        "webapp/1 cluster-relation-departed",
        "webapp/1 cluster-relation-broken",
        "webapp/1 stop",
        "webapp/1 remove",
        "webapp/0 cluster-relation-departed",
        "webapp/2 cluster-relation-departed",
    ] {
        assert!(since.iter().any(|l| l == line), "{line} not in {since:?}");
    }
    let departed = sim.history()[seq..]
        .iter()
        .find(|r| r.unit == "webapp/0" && r.name == "cluster-relation-departed")
        .unwrap();
    assert_eq!(
        departed.hook,
        Hook::RelationDeparted {
            relation: 0,
            unit: "webapp/1".into(),
            departing: "webapp/1".into()
        }
    );
    let model = sim.model();
    assert!(!model.units.contains_key("webapp/1"));
    assert_all_active(&sim, 1);
    let gone = "10.1.0.3";
    let conf =
        std::fs::read_to_string(model.units["webapp/0"].charm_dir.join("webapp.conf")).unwrap();
    assert!(!conf.contains(gone), "{conf}");
}

#[test]
fn removing_the_leader_elects_another_which_keeps_the_cluster_id() {
    let mut sim = sim(3);
    deploy_webapp(&mut sim, 3);
    settle(&mut sim);
    let before = sim.model().apps["webapp"].leader_settings.clone();
    sim.remove_unit("webapp/0").unwrap();
    settle(&mut sim);
    let model = sim.model();
    assert_eq!(model.apps["webapp"].leader.as_deref(), Some("webapp/1"));
    assert!(
        sim.history()
            .iter()
            .any(|r| r.unit == "webapp/1" && r.name == "leader-elected")
    );
    assert_eq!(model.apps["webapp"].leader_settings, before);
    assert_all_active(&sim, 1);

    // An explicit leader change.
    sim.set_leader("webapp/2").unwrap();
    settle(&mut sim);
    assert_eq!(
        sim.model().apps["webapp"].leader.as_deref(),
        Some("webapp/2")
    );
    assert_eq!(sim.history().last().unwrap().name, "leader-elected");
    assert_eq!(sim.history().last().unwrap().unit, "webapp/2");
}

#[test]
fn a_config_change_reaches_every_unit() {
    let mut sim = sim(4);
    deploy_webapp(&mut sim, 2);
    settle(&mut sim);
    sim.config_set("webapp", json!({"port": 9090}).as_object().unwrap().clone())
        .unwrap();
    settle(&mut sim);
    for unit in sim.model().units.values() {
        assert_eq!(unit.workload.message, "serving on port 9090 with 1 peer(s)");
        assert_eq!(
            unit.ports.iter().cloned().collect::<Vec<_>>(),
            [Port::tcp(9090)]
        );
    }
    // Juju checks a value's type.
    let err = sim
        .config_set("webapp", json!({"port": "x"}).as_object().unwrap().clone())
        .unwrap_err();
    assert!(matches!(err, SimError::Config { .. }), "{err}");
}

#[test]
fn a_failing_hook_errors_the_unit_discards_its_writes_and_resolve_retries_it() {
    let mut sim = sim(5);
    deploy_webapp(&mut sim, 2);
    settle(&mut sim);
    // A port no u16 holds: the charm's config fails to decode.
    sim.config_set(
        "webapp",
        json!({"port": 70000}).as_object().unwrap().clone(),
    )
    .unwrap();
    let report = sim.settle(100).unwrap();
    assert_eq!(report.in_error.len(), 2, "{report:?}");
    let model = sim.model();
    for unit in model.units.values() {
        assert_eq!(unit.agent, AgentStatus::Error("config-changed".into()));
        // Nothing the failing hook did to ports is kept.
        assert!(unit.ports.contains(&Port::tcp(8080)));
    }
    let failed = sim.history().iter().rev().find(|r| !r.ok()).unwrap();
    assert_eq!(failed.code, Some(1));
    // The runtime logs the hook's error through juju-log at ERROR.
    let logs = sim.logs();
    let error = logs
        .iter()
        .find(|l| l.level == "ERROR" && l.hook == "config-changed")
        .unwrap_or_else(|| panic!("no ERROR log: {logs:?}\nstderr: {}", failed.stderr));
    assert!(error.message.contains("port"), "{}", error.message);
    // Resolving without fixing fails again.
    sim.resolve("webapp/0").unwrap();
    sim.settle(10).unwrap();
    assert_eq!(
        sim.model().units["webapp/0"].agent,
        AgentStatus::Error("config-changed".into())
    );
    // Fixed, then resolved: the hook is retried and succeeds.
    sim.config_set("webapp", json!({"port": 8080}).as_object().unwrap().clone())
        .unwrap();
    sim.resolve("webapp/0").unwrap();
    sim.resolve("webapp/1").unwrap();
    assert!(matches!(
        sim.resolve("webapp/1"),
        Err(SimError::NotInError(_))
    ));
    let report = settle(&mut sim);
    assert!(report.in_error.is_empty());
    assert_all_active(&sim, 1);
}

#[test]
fn a_failing_tool_fails_the_hook_and_its_relation_data_is_discarded() {
    let mut sim = sim(6);
    deploy_webapp(&mut sim, 1);
    // The install hook cannot report progress.
    sim.fail_tool("webapp/0", "status-set", Some("status unavailable"));
    let report = sim.settle(20).unwrap();
    assert_eq!(report.in_error, ["webapp/0"]);
    assert_eq!(
        sim.model().units["webapp/0"].agent,
        AgentStatus::Error("install".into())
    );
    assert!(sim.queued("webapp/0")[0] == "install");
    sim.fail_tool("webapp/0", "status-set", None);
    sim.resolve("webapp/0").unwrap();
    settle(&mut sim);
    assert_all_active(&sim, 0);
    // Logs went through juju-log.
    assert!(sim.logs().iter().all(|l| l.unit == "webapp/0"));
}

#[test]
fn update_status_runs_on_every_unit() {
    let mut sim = sim(7);
    deploy_webapp(&mut sim, 2);
    settle(&mut sim);
    sim.update_status();
    let report = settle(&mut sim);
    assert_eq!(report.hooks, 2);
    assert!(
        sim.history()
            .iter()
            .rev()
            .take(2)
            .all(|r| r.name == "update-status")
    );
}

#[test]
fn the_bound_on_hooks_is_an_error_naming_what_is_queued() {
    let mut sim = sim(8);
    deploy_webapp(&mut sim, 2);
    let err = sim.settle(3).unwrap_err();
    assert!(
        matches!(err, SimError::NotSettled { limit: 3, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("webapp/"), "{err}");
}

#[test]
fn hooks_per_second_on_a_small_model() {
    let mut sim = sim(9);
    deploy_webapp(&mut sim, 5);
    let report = settle(&mut sim);
    sim.update_status();
    let again = settle(&mut sim);
    eprintln!(
        "webapp x5: {} hooks in {:?} = {:.1} hooks/s; update-status x5: {:.1} hooks/s",
        report.hooks,
        report.elapsed,
        report.hooks_per_second(),
        again.hooks_per_second()
    );
    assert!(report.failed.is_empty());
    assert_all_active(&sim, 4);
}
