//! The webapp charm through the state-in/state-out harness: the same
//! dispatch path as production, over an in-memory Juju.

use std::path::PathBuf;

use charm_runtime::backend::{Port, Status, StatusState};
use charm_runtime::harness::{Context, Event, Relation, State};
use serde_json::json;

/// The charm as shipped (metadata.yaml, config.yaml), writing its
/// rendered configuration to a scratch directory.
fn charm(name: &str) -> (Context, PathBuf) {
    let scratch =
        std::env::temp_dir().join(format!("webapp-harness-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let ctx = Context::from_charm_dir(env!("CARGO_MANIFEST_DIR"))
        .unwrap()
        .with_charm_dir(&scratch);
    (ctx, scratch)
}

fn conf(dir: &std::path::Path) -> String {
    std::fs::read_to_string(dir.join("webapp.conf")).unwrap()
}

#[test]
fn the_leader_installs_configures_and_serves() {
    let (ctx, dir) = charm("leader");
    let out = ctx
        .run(Event::install(), &State::new().with_leader(true))
        .unwrap()
        .expect_ok();
    assert_eq!(
        out.invoked,
        [
            "webapp::install",
            "webapp::config_changed",
            "webapp::choose_cluster_id",
            "webapp::assess_status",
            "webapp::configure",
            "webapp::start",
        ]
    );
    assert!(out.state.leader_settings.contains_key("cluster-id"));
    assert_eq!(
        out.state.opened_ports.iter().collect::<Vec<_>>(),
        [&Port::tcp(8080)]
    );
    assert_eq!(out.state.workload_version.as_deref(), Some(webapp::VERSION));
    assert_eq!(
        out.state.unit_status,
        Some(Status::new(
            StatusState::Active,
            "serving on port 8080 with 0 peer(s)"
        ))
    );
    assert!(conf(&dir).contains("title = \"Hello from webapp\""));
    // The progress shown at once while installing, then one final status
    // for the hook although assess_status ran once per iteration it was
    // eligible in.
    let shown: Vec<&Status> = out.status_history.iter().map(|c| &c.status).collect();
    assert_eq!(
        shown,
        [
            &Status::maintenance("installing webapp"),
            &Status::active("serving on port 8080 with 0 peer(s)")
        ]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_follower_waits_for_the_leaders_cluster_id() {
    let (ctx, dir) = charm("follower");
    let out = ctx
        .run(Event::install(), &State::new())
        .unwrap()
        .expect_ok();
    assert!(!out.has_flag("webapp.configured"));
    assert_eq!(
        out.state.unit_status,
        Some(Status::new(
            StatusState::Waiting,
            "waiting for the leader to choose a cluster id"
        ))
    );
    // The leader sets it: leader-settings-changed on the follower.
    let state = out.state.with_leader_setting("cluster-id", "abc123");
    let out = ctx
        .run(Event::leader_settings_changed(), &state)
        .unwrap()
        .expect_ok();
    assert!(out.has_flag("webapp.started"));
    assert!(conf(&dir).contains("cluster = \"abc123\""));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn peers_and_proxies_see_the_unit() {
    let (ctx, dir) = charm("peers");
    let out = ctx
        .run(Event::install(), &State::new().with_leader(true))
        .unwrap()
        .expect_ok();
    let cluster = Relation::peer("cluster", 1, "webapp")
        .with_unit_json("webapp/1", json!({"address": "10.0.0.2"}));
    let state = out.state.with_relation(cluster.clone());
    let out = ctx
        .run(Event::relation_joined(&cluster, "webapp/1"), &state)
        .unwrap()
        .expect_ok();
    let mine = out.relation(&cluster).local_unit_data.clone();
    let address = mine["address"].clone();
    // The address is published JSON-encoded, as charms.reactive would.
    assert!(
        address.starts_with('"') && address.ends_with('"'),
        "{address}"
    );
    assert!(
        conf(&dir).contains(r#"peers = ["10.0.0.2"]"#),
        "{}",
        conf(&dir)
    );

    let website = Relation::new("website", 2, "haproxy").with_unit("haproxy/0");
    let state = out.state.with_relation(website.clone());
    let out = ctx
        .run(Event::relation_joined(&website, "haproxy/0"), &state)
        .unwrap()
        .expect_ok();
    let published = &out.relation(&website).local_unit_data;
    assert_eq!(published["port"], "8080");
    assert_eq!(format!("{:?}", published["hostname"]), address);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn maintenance_mode_is_reported() {
    let (ctx, dir) = charm("maintenance");
    let state = State::new()
        .with_leader(true)
        .with_config("maintenance", true);
    let out = ctx.run(Event::install(), &state).unwrap().expect_ok();
    assert_eq!(
        out.state.unit_status,
        Some(Status::new(
            StatusState::Maintenance,
            "maintenance page enabled"
        ))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn scenarios_juju_could_not_produce_are_refused() {
    let (ctx, dir) = charm("inconsistent");
    let db = Relation::new("db", 3, "mysql").with_unit("mysql/0");
    let state = State::new()
        .with_relation(db.clone())
        .with_config("port", "eighty");
    let err = ctx
        .run(Event::relation_joined(&db, "mysql/7"), &state)
        .unwrap_err();
    let problems = err.problems.join("\n");
    assert!(problems.contains("\"db\""), "{problems}");
    assert!(problems.contains("mysql/7"), "{problems}");
    assert!(problems.contains("port"), "{problems}");
    std::fs::remove_dir_all(&dir).unwrap();
}
