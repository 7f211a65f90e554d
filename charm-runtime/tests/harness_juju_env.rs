//! What the harness knows of Juju's environment, as the simulator does
//! (both from `charm_runtime::facts`): the departing unit, the principal
//! of a subordinate and container scope, the keys Juju puts in every
//! unit's databag, the hooks a charm can receive, tools that fail on
//! demand, and several units on a peer relation.

use charm_runtime::backend::RelationId;
use charm_runtime::harness::{Context, Event, Peers, PeersError, Relation, State};
use charm_runtime::{Error, Handler, HookContext, Registry};
use serde_json::{Value, json};

const METADATA: &str = "
name: db
requires:
  backup: {interface: s3}
peers:
  cluster: {interface: db-peers}
";

/// A charm recording its hook environment and the raw databags it sees
/// on every relation hook.
fn recorder(metadata: &str) -> Context {
    let mut r = Registry::new();
    r.add(
        Handler::new("db::record", |ctx: &HookContext| -> Result<(), Error> {
            let juju = ctx.juju();
            let env = juju.env();
            ctx.kv().set("departing", &env.departing_unit)?;
            ctx.kv().set("principal", &env.principal_unit)?;
            if let Some(id) = &env.relation_id {
                let mut bags = serde_json::Map::new();
                for unit in juju.relation_units(id)?.iter() {
                    let bag = juju
                        .relation_data(id, &charm_runtime::backend::DataBag::Unit(unit.clone()))?;
                    bags.insert(unit.clone(), json!(*bag));
                }
                let me = charm_runtime::backend::DataBag::Unit(env.unit.clone());
                bags.insert(env.unit.clone(), json!(*juju.relation_data(id, &me)?));
                ctx.kv().set("bags", &bags)?;
            }
            Ok(())
        })
        .hook([
            "install",
            "cluster-relation-{joined,changed,departed}",
            "{requires:s3}-relation-{joined,changed,departed}",
        ]),
    )
    .unwrap();
    Context::from_yaml(metadata, r).unwrap()
}

fn kv(state: &State, key: &str) -> Value {
    state.kv.get(key).cloned().unwrap_or(Value::Null)
}

#[test]
fn departed_names_the_remote_unit_or_this_one_as_departing() {
    let ctx = recorder(METADATA);
    let cluster = Relation::peer("cluster", 1, "db").with_units(["db/1", "db/2"]);
    let state = State::new().with_relation(cluster.clone());

    let out = ctx
        .run(Event::relation_departed(&cluster, "db/1"), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(kv(&out.state, "departing"), json!("db/1"));
    assert_eq!(out.state.relation(1).unwrap().unit_names(), ["db/2"]);

    // This unit is being removed: it departs from each remote unit.
    let out = ctx
        .run(Event::relation_departed_self(&cluster, "db/2"), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(kv(&out.state, "departing"), json!("db/0"));
    assert_eq!(out.state.relation(1).unwrap().unit_names(), ["db/1"]);

    // No other hook has one.
    let out = ctx
        .run(Event::relation_changed(&cluster, "db/1"), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(kv(&out.state, "departing"), Value::Null);
}

const SUBORDINATE: &str = "
name: nrpe
subordinate: true
requires:
  general-info: {interface: juju-info, scope: container}
provides:
  monitors: {interface: monitors}
peers:
  cluster: {interface: nrpe-peers}
";

#[test]
fn a_subordinate_runs_beside_its_principal_in_container_scope() {
    let ctx = recorder(SUBORDINATE);
    let state = State::new().with_unit("nrpe/3");

    // Juju never runs a subordinate without a principal.
    let err = ctx.run(Event::install(), &state).unwrap_err();
    assert!(err.problems[0].contains("State::with_principal"), "{err}");

    let state = state.with_principal("web/1");
    let out = ctx.run(Event::install(), &state).unwrap().expect_ok();
    assert_eq!(kv(&out.state, "principal"), json!("web/1"));

    // The container-scoped relation joins the principal only.
    let info = Relation::new("general-info", 2, "web").with_unit("web/0");
    let err = ctx
        .run(Event::install(), &state.clone().with_relation(info))
        .unwrap_err();
    assert!(
        err.problems[0]
            .contains("only the principal unit web/1 is on this unit's machine, not web/0"),
        "{err}"
    );
    let info = Relation::new("general-info", 2, "web").with_units(["web/1", "web/2"]);
    let err = ctx
        .run(Event::install(), &state.clone().with_relation(info))
        .unwrap_err();
    assert!(err.problems[0].contains("one remote unit at most"), "{err}");

    // A principal charm has no principal.
    let ctx = recorder(METADATA);
    let err = ctx
        .run(Event::install(), &State::new().with_principal("web/0"))
        .unwrap_err();
    assert!(err.problems[0].contains("not a subordinate"), "{err}");
    let out = ctx
        .run(Event::install(), &State::new())
        .unwrap()
        .expect_ok();
    assert_eq!(kv(&out.state, "principal"), Value::Null);
}

#[test]
fn every_units_databag_carries_what_juju_puts_there() {
    let ctx = recorder(METADATA);
    let backup = Relation::new("backup", 4, "s3")
        .with_unit("s3/0")
        .with_unit_data("s3/1", [("private-address", "10.9.0.1")])
        // Juju wrote its keys; the unit deleted private-address since.
        .with_unit_data("s3/2", [("ingress-address", "10.9.0.2")]);
    let state = State::new()
        .with_address("private-address", "10.0.0.7")
        .with_relation(backup.clone());
    let out = ctx
        .run(Event::relation_joined(&backup, "s3/0"), &state)
        .unwrap()
        .expect_ok();
    let bags = kv(&out.state, "bags");
    assert_eq!(
        bags["db/0"],
        json!({"egress-subnets": "10.0.0.7/32", "ingress-address": "10.0.0.7", "private-address": "10.0.0.7"})
    );
    assert_eq!(bags["s3/1"]["ingress-address"], "10.9.0.1");
    assert_eq!(bags["s3/1"]["egress-subnets"], "10.9.0.1/32");
    assert_eq!(bags["s3/2"], json!({"ingress-address": "10.9.0.2"}));
    // A remote unit given no address gets none: the test says where it is.
    assert_eq!(bags["s3/0"], json!({}));
    // The output state is what the state had and what the hook wrote:
    // Juju's keys stay out of it (Peers keeps them in every unit's state).
    assert!(out.relation(4).local_unit_data.is_empty());
}

#[test]
fn hooks_and_actions_the_charm_cannot_receive_are_refused() {
    let ctx = recorder(METADATA);
    let state = State::new();
    let err = ctx
        .run(Event::hook("web-relation-joined"), &state)
        .unwrap_err();
    assert!(
        err.problems
            .iter()
            .any(|p| p.contains(r#"endpoint "web" is not declared in the charm's metadata, so Juju never runs it (endpoints: backup, cluster)"#)),
        "{err}"
    );
    let err = ctx.run(Event::hook("instal"), &state).unwrap_err();
    assert_eq!(
        err.problems,
        [r#""instal" is not a hook Juju runs (did you mean "install"?)"#]
    );
    let err = ctx
        .run(Event::action("backup", json!(null)), &state)
        .unwrap_err();
    assert!(
        err.problems[0].contains("action backup is not declared"),
        "{err}"
    );
    // Storage hooks are not described by the metadata: not refused.
    assert!(
        ctx.check(&Event::hook("data-storage-attached"), &state)
            .is_ok()
    );
}

#[test]
fn a_tool_fails_on_demand_and_the_charm_sees_its_error() {
    let ctx = recorder(METADATA);
    let cluster = Relation::peer("cluster", 1, "db").with_unit("db/1");
    let state = State::new()
        .with_relation(cluster.clone())
        .with_failing_tool("relation-get", "permission denied");
    let out = ctx
        .run(Event::relation_changed(&cluster, "db/1"), &state)
        .unwrap();
    let error = out.error.as_ref().expect("the hook failed").to_string();
    assert!(error.contains("relation-get"), "{error}");
    assert!(error.contains("ERROR permission denied"), "{error}");
    assert!(out.calls("relation-get") >= 1);
    // A failed hook leaves the state as it was.
    assert_eq!(out.state, state);

    // Without the failure the hook succeeds.
    let mut fine = state.clone();
    fine.failing_tools.clear();
    assert!(
        ctx.run(Event::relation_changed(&cluster, "db/1"), &fine)
            .unwrap()
            .is_ok()
    );

    // A tool the harness does not answer cannot fail.
    let err = ctx
        .run(
            Event::install(),
            &State::new().with_failing_tool("secret-get", "nope"),
        )
        .unwrap_err();
    assert!(
        err.problems[0].contains(r#"failing tool "secret-get""#),
        "{err}"
    );
}

/// A charm publishing its unit number on the peer relation and keeping
/// what it saw of its peers, the leader writing the application databag
/// and a leadership setting.
fn peer_charm() -> Context {
    let mut r = Registry::new();
    r.add(
        Handler::new("db::peers", |ctx: &HookContext| -> Result<(), Error> {
            let juju = ctx.juju();
            let me = juju.env().unit.clone();
            let id = RelationId::new("cluster", 1);
            juju.relation_set(&id, false, "name", Some(format!("\"{me}\"")));
            let mut seen = Vec::new();
            for unit in juju.relation_units(&id)?.iter() {
                let bag =
                    juju.relation_data(&id, &charm_runtime::backend::DataBag::Unit(unit.clone()))?;
                seen.push(format!(
                    "{unit}={}",
                    bag.get("name").cloned().unwrap_or_default()
                ));
            }
            ctx.kv().set("seen", &seen)?;
            if juju.is_leader()? {
                juju.relation_set(&id, true, "members", Some(seen.len().to_string()));
                juju.leader_set_raw("leader", Some(me));
            }
            Ok(())
        })
        .hook([
            "cluster-relation-{joined,changed,departed}",
            "leader-settings-changed",
            "leader-elected",
        ]),
    )
    .unwrap();
    Context::from_yaml(METADATA, r).unwrap()
}

#[test]
fn peers_see_each_others_writes_with_the_hooks_juju_runs() {
    let ctx = peer_charm();
    assert!(matches!(
        Peers::new(peer_charm(), "backup", 2),
        Err(PeersError::NotPeer { .. })
    ));
    let mut peers = Peers::new(ctx, "cluster", 1).unwrap();
    let unit = |n: u32| {
        State::new()
            .with_unit(format!("db/{n}"))
            .with_leader(n == 0)
            .with_address("private-address", format!("10.0.0.{}", n + 1))
    };
    peers.add_unit(unit(0)).unwrap();
    assert!(matches!(
        peers.add_unit(unit(0)),
        Err(PeersError::Duplicate(_))
    ));
    assert!(matches!(
        peers.add_unit(State::new().with_unit("web/1")),
        Err(PeersError::WrongApp { .. })
    ));
    peers.add_unit(unit(1)).unwrap();
    peers.add_unit(unit(2)).unwrap();
    assert_eq!(
        peers.queued("db/2"),
        [
            "cluster-relation-joined (db/0)",
            "cluster-relation-changed (db/0)",
            "cluster-relation-joined (db/1)",
            "cluster-relation-changed (db/1)",
        ]
    );
    peers.settle().unwrap();
    for n in 0..3 {
        let state = peers.state(&format!("db/{n}")).unwrap();
        let others: Vec<String> = (0..3)
            .filter(|m| *m != n)
            .map(|m| format!("db/{m}=\"db/{m}\""))
            .collect();
        assert_eq!(kv(state, "seen"), json!(others), "db/{n}");
        // Every databag has Juju's keys, from each unit's address.
        let rel = state.relation(1).unwrap();
        assert_eq!(
            rel.local_unit_data["ingress-address"],
            format!("10.0.0.{}", n + 1)
        );
        // The leader's application data and settings reached everyone.
        assert_eq!(rel.local_app_data["members"], "2");
        assert_eq!(state.leader_settings["leader"], "db/0");
    }
    // leader-settings-changed ran on the followers only.
    let ran = |hook: &str| -> Vec<String> {
        peers
            .history()
            .iter()
            .filter(|(_, o)| o.hook == hook)
            .map(|(u, _)| u.clone())
            .collect()
    };
    assert!(ran("leader-settings-changed").iter().all(|u| u != "db/0"));
    assert!(!ran("leader-settings-changed").is_empty());

    // db/2 goes: the others see it depart, it departs with itself as the
    // departing unit, and its relation breaks.
    peers.remove_unit("db/2").unwrap();
    assert_eq!(
        peers.queued("db/2"),
        [
            "cluster-relation-departed (db/0)",
            "cluster-relation-departed (db/1)",
            "cluster-relation-broken",
        ]
    );
    peers.settle().unwrap();
    assert_eq!(peers.units(), ["db/0", "db/1"]);
    assert!(peers.removed("db/2").unwrap().relation(1).is_none());
    let departed: Vec<(String, String)> = peers
        .history()
        .iter()
        .filter(|(_, o)| o.hook == "cluster-relation-departed")
        .map(|(u, o)| (u.clone(), kv(&o.state, "seen").to_string()))
        .collect();
    assert_eq!(departed.len(), 4, "{departed:?}");
    assert_eq!(
        peers
            .state("db/0")
            .unwrap()
            .relation(1)
            .unwrap()
            .unit_names(),
        ["db/1"]
    );

    // The leader goes: the other unit is elected.
    peers.remove_unit("db/0").unwrap();
    peers.settle().unwrap();
    assert_eq!(peers.leader(), Some("db/1"));
    assert_eq!(peers.last("db/1").unwrap().hook, "leader-elected");
}

#[test]
fn a_scripted_peer_is_written_by_the_test() {
    let ctx = peer_charm();
    let mut peers = Peers::new(ctx, "cluster", 1).unwrap();
    peers
        .add_unit(State::new().with_unit("db/0").with_leader(true))
        .unwrap();
    peers.add_scripted_unit("db/5", "10.0.0.50").unwrap();
    assert!(peers.queued("db/5").is_empty());
    assert!(matches!(
        peers.run_next("db/5"),
        Err(PeersError::Scripted(_))
    ));
    assert!(matches!(
        peers.set_unit_data("db/0", "x", "1"),
        Err(PeersError::NotScripted(_))
    ));
    // Joined, then changed with the data as it stands when it runs.
    let out = peers.run_next("db/0").unwrap().unwrap();
    assert_eq!(out.hook, "cluster-relation-joined");
    peers.set_unit_data("db/5", "name", "\"five\"").unwrap();
    assert_eq!(peers.queued("db/0"), ["cluster-relation-changed (db/5)"]);
    let out = peers.run_next("db/0").unwrap().unwrap();
    assert_eq!(kv(&out.state, "seen"), json!(["db/5=\"five\""]));
    assert_eq!(
        out.state
            .relation(1)
            .unwrap()
            .remote_unit_data("db/5")
            .unwrap()["private-address"],
        "10.0.0.50"
    );
    assert!(peers.run_next("db/0").unwrap().is_none());
}
