//! The `mysql-innodb-cluster` peers interface against golden data recorded
//! from the Python layer (see `golden/mysql_innodb_cluster/README.md`), bad
//! peer data, and the rule that the cluster password reaches no log line
//! and no trace event (under the process backend too: the workspace test
//! `tests/mysql_process.rs`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::rc::Rc;

use charm_runtime::backend::{DataBag, MemoryBackend, MemoryRelation, MemoryWorld, RelationId};
use charm_runtime::env::{HookEnv, Invoked};
use charm_runtime::harness::{Context, Event, Level, Network, Output, Relation, State};
use charm_runtime::log::MemorySink;
use charm_runtime::metadata::{ConfigSchema, Metadata};
use charm_runtime::{Charm, MemoryStore, Registry, RegistryError};
use serde_json::{Value, json};

const METADATA: &str = "
name: mysql-innodb-cluster
peers:
  cluster:
    interface: mysql-innodb-cluster
";
const APP: &str = "mysql-innodb-cluster";
const LOCAL: &str = "mysql-innodb-cluster/0";
/// The local unit's password in the golden sequences.
const PASSWORD: &str = "S3cret-Local-Pa55";

/// The charm under test: it calls the interface's methods listed in the
/// unit data key `test.actions` when the flag `test.act` is set (as the
/// throwaway Python charm that recorded the golden data did).
mod charm {
    use charm_interfaces::mysql_innodb_cluster::MysqlInnodbClusterPeers;
    use charm_macros::when;
    use charm_runtime::Ctx;

    use serde_json::Value;

    #[when("test.act")]
    fn act(ctx: Ctx) -> Result<(), String> {
        ctx.flags().clear("test.act");
        let peers: MysqlInnodbClusterPeers = ctx.interface().map_err(|e| e.to_string())?;
        let actions: Vec<Vec<Value>> = ctx
            .kv()
            .get("test.actions")
            .map_err(|e| e.to_string())?
            .unwrap_or_default();
        ctx.kv().unset("test.actions").map_err(|e| e.to_string())?;
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        for a in actions {
            let done = match text(&a[0]).as_str() {
                "set_cluster_connection_info" => {
                    let host = a.get(4).and_then(Value::as_str);
                    peers.set_cluster_connection_info(
                        &text(&a[1]),
                        &text(&a[2]),
                        &text(&a[3]),
                        host,
                    )
                }
                "set_unit_configure_ready" => peers.set_unit_configure_ready(),
                "set_unit_clustered" => peers.set_unit_clustered(),
                other => return Err(format!("unknown action {other}")),
            };
            done.map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

fn registry(metadata: &Metadata) -> Result<Registry, RegistryError> {
    // The charm's own handlers are discovered before the interface layer's
    // (charms.reactive reads `reactive/` before `hooks/relations/`).
    let mut registry = Registry::for_charm("mysql_innodb_cluster::charm", metadata)?;
    registry.add_charm_inventory("charm_interfaces::mysql_innodb_cluster", metadata)?;
    Ok(registry)
}

fn context() -> Context {
    Context::from_yaml(METADATA, registry).unwrap()
}

fn golden(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/mysql_innodb_cluster")
        .join(format!("{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn bag(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
        .collect()
}

/// A `network-get` answer of the golden world as the harness models it.
fn network(v: &Value) -> Network {
    let addresses = v
        .pointer("/bind-addresses/0/addresses")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let strings = |v: Option<&Value>| -> Vec<String> {
        v.and_then(Value::as_array)
            .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
            .unwrap_or_default()
    };
    Network {
        interface: v
            .pointer("/bind-addresses/0/interface-name")
            .and_then(Value::as_str)
            .unwrap_or("eth0")
            .to_owned(),
        bind_addresses: addresses
            .iter()
            .map(|a| a["value"].as_str().unwrap().to_owned())
            .collect(),
        cidr: addresses
            .first()
            .and_then(|a| a["cidr"].as_str())
            .unwrap_or_default()
            .to_owned(),
        ingress_addresses: strings(v.get("ingress-addresses")),
        egress_subnets: strings(v.get("egress-subnets")),
    }
}

/// Where this implementation departs on purpose from the Python layer
/// (docs/differences.md (Interface layers)): flags added to the golden
/// ones, and published values replaced.
fn deviation(
    sequence: &str,
    hook: &str,
    unit: Option<&str>,
) -> (Vec<&'static str>, Vec<(&'static str, &'static str)>) {
    match (sequence, hook, unit) {
        // A departure re-evaluates the flags on the peers that remain
        // instead of clearing `connected` and `available`.
        ("three_peers", "cluster-relation-departed", Some("mysql-innodb-cluster/3")) => {
            (vec!["cluster.available", "cluster.connected"], vec![])
        }
        ("three_peers", "cluster-relation-departed", Some("mysql-innodb-cluster/2")) => {
            (vec!["cluster.connected"], vec![])
        }
        // The binding's ingress address, not its bind address.
        ("ingress_differs", _, _) => (
            vec![],
            vec![
                ("ingress-address", "172.16.0.10"),
                ("private-address", "172.16.0.10"),
            ],
        ),
        _ => (vec![], vec![]),
    }
}

/// Replay one golden sequence through the harness; returns every output.
fn replay(name: &str) -> Vec<Output> {
    let seq = golden(name);
    let ctx = context();
    let mut state = State::new()
        .with_unit(LOCAL)
        .with_address("private-address", seq["private_address"].as_str().unwrap());
    for (binding, answer) in seq["networks"].as_object().unwrap() {
        state = state.with_network(binding.clone(), network(answer));
    }
    let mut outputs = Vec::new();
    for (i, step) in seq["steps"].as_array().unwrap().iter().enumerate() {
        let hook = step["hook"].as_str().unwrap();
        let unit = step.get("unit").and_then(Value::as_str);
        let local = state
            .relation(1)
            .map(|r| r.local_unit_data.clone())
            .unwrap_or_default();
        state.relations.clear();
        let mut relation = None;
        if let Some(peers) = step.get("peers").and_then(Value::as_object) {
            let mut r = Relation::peer("cluster", 1, APP).with_local_unit_data(local);
            for (peer, data) in peers {
                r = r.with_unit_data(peer.clone(), bag(data));
            }
            state = state.with_relation(r.clone());
            relation = Some(r);
        }
        let actions = step.get("actions").cloned().unwrap_or(json!([]));
        if !actions.as_array().unwrap().is_empty() {
            state = state.with_flag("test.act").with_kv("test.actions", actions);
        }
        let event = match (hook, &relation) {
            ("install", _) => Event::install(),
            ("update-status", _) => Event::update_status(),
            ("cluster-relation-created", Some(r)) => Event::relation_created(r),
            ("cluster-relation-joined", Some(r)) => Event::relation_joined(r, unit.unwrap()),
            ("cluster-relation-changed", Some(r)) => Event::relation_changed(r, unit.unwrap()),
            ("cluster-relation-departed", Some(r)) => Event::relation_departed(r, unit.unwrap()),
            ("cluster-relation-broken", Some(r)) => Event::relation_broken(r),
            other => panic!("{name} step {i}: no event for {other:?}"),
        };
        let out = ctx.run(event, &state).unwrap().expect_ok();
        let expect = &step["expect"];
        let (extra, replaced) = deviation(name, hook, unit);

        let mut want: BTreeSet<String> = expect["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f.as_str().unwrap().to_owned())
            .collect();
        want.extend(extra.iter().map(|f| (*f).to_owned()));
        let got: BTreeSet<String> = out.flags().iter().map(|f| (*f).to_owned()).collect();
        assert_eq!(got, want, "{name} step {i} ({hook} {unit:?}): flags");

        // A broken relation is gone from the harness's output state.
        if hook != "cluster-relation-broken"
            && let Some(published) = expect["published"].as_object()
        {
            let mut want = bag(&Value::Object(published.clone()));
            for (k, v) in replaced {
                want.insert(k.to_owned(), v.to_owned());
            }
            assert_eq!(
                out.relation(relation.as_ref().unwrap()).local_unit_data,
                want,
                "{name} step {i} ({hook} {unit:?}): published data"
            );
        }
        state = out.state.clone();
        outputs.push(out);
    }
    outputs
}

#[test]
fn three_peers_join_publish_cluster_and_depart_as_the_python_layer() {
    let outs = replay("three_peers");
    // `available` and `clustered` appear only with two complete peers.
    assert!(outs.iter().any(|o| o.has_flag("cluster.available")));
    assert!(outs.iter().any(|o| o.has_flag("cluster.clustered")));
    assert!(!outs.last().unwrap().has_flag("cluster.connected"));
}

#[test]
fn the_cluster_host_override_replaces_the_binding_address() {
    let outs = replay("host_override");
    let rel = Relation::peer("cluster", 1, APP);
    assert_eq!(
        outs[1].relation(&rel).local_unit_data["ingress-address"],
        "mysql-0.cluster.example"
    );
    // Kept by the next hook, dropped by a call without it.
    assert_eq!(
        outs[2].relation(&rel).local_unit_data["private-address"],
        "mysql-0.cluster.example"
    );
    assert_eq!(
        outs[3].relation(&rel).local_unit_data["private-address"],
        "10.5.0.10"
    );
}

#[test]
fn without_a_binding_the_private_address_is_published() {
    // The harness answers every binding (from the private address), so the
    // missing binding itself is tested with a memory backend below.
    replay("no_binding");
}

#[test]
fn the_ingress_address_of_the_binding_is_published() {
    replay("ingress_differs");
}

#[test]
fn methods_without_a_peer_relation_warn_and_publish_nothing() {
    let outs = replay("methods_without_relation");
    let warnings = outs[0].logs_at(Level::Warning);
    assert_eq!(warnings.len(), 3, "{warnings:?}");
    assert!(warnings.iter().all(|w| w.contains("peer relation")));
}

/// Everything of a hook a reader could see, but the relation data.
fn visible(out: &Output) -> Vec<String> {
    let mut lines: Vec<String> = out.logs.iter().map(|(_, m)| m.clone()).collect();
    lines.extend(out.trace.iter().map(|e| format!("{e:?}")));
    lines.extend(out.tool_calls.iter().map(|c| format!("{c:?}")));
    lines.extend(out.invoked.iter().cloned());
    lines.extend(out.error.iter().map(ToString::to_string));
    lines.extend(out.warnings.iter().cloned());
    lines
}

#[test]
fn passwords_appear_in_no_log_line_or_trace_event_only_in_relation_data() {
    let secrets = [PASSWORD, "peer1pass", "peer2pass", "peer3pass"];
    let outs = replay("three_peers");
    let mut published = false;
    assert!(outs.iter().map(|o| o.logs.len()).sum::<usize>() > 0);
    for out in &outs {
        for line in visible(out) {
            for s in secrets {
                assert!(!line.contains(s), "{s} leaked in {line:?}");
            }
        }
        // The unit data the runtime keeps (data_changed hashes) has no
        // password in clear either, but for the record of departed units,
        // which keeps their last relation data as charms.reactive does.
        for (k, v) in &out.state.kv {
            if k.starts_with("reactive.endpoints.departed.") {
                continue;
            }
            for s in secrets {
                assert!(
                    !k.contains(s) && !v.to_string().contains(s),
                    "{s} in kv {k}"
                );
            }
        }
        if let Some(r) = out.state.relation(1)
            && r.local_unit_data
                .get("cluster-password")
                .map(String::as_str)
                == Some("\"S3cret-Local-Pa55\"")
        {
            published = true;
            // relation-set carries keys and values on stdin, never in its
            // arguments (what `ToolCall::args` records).
            for call in out.tool_calls.iter().filter(|c| c.tool == "relation-set") {
                assert!(call.args.iter().all(|a| !a.contains(PASSWORD)));
            }
        }
    }
    assert!(published, "the password is published in the relation data");
}

#[test]
fn refused_connection_info_fails_without_quoting_the_password() {
    let ctx = context();
    let rel =
        Relation::peer("cluster", 1, APP).with_unit_data("mysql-innodb-cluster/1", [("a", "1")]);
    let state = State::new().with_unit(LOCAL).with_relation(rel.clone());
    for (args, what) in [
        (
            json!(["set_cluster_connection_info", "not a host", "u", PASSWORD]),
            "cluster address",
        ),
        (
            json!(["set_cluster_connection_info", "10.5.0.10", "", PASSWORD]),
            "cluster user",
        ),
        (
            json!(["set_cluster_connection_info", "10.5.0.10", "u", ""]),
            "cluster password",
        ),
        (
            json!([
                "set_cluster_connection_info",
                "10.5.0.10",
                "u",
                PASSWORD,
                "bad host!"
            ]),
            "cluster host",
        ),
    ] {
        let state = state
            .clone()
            .with_flag("test.act")
            .with_kv("test.actions", json!([args]));
        let out = ctx
            .run(
                Event::relation_changed(&rel, "mysql-innodb-cluster/1"),
                &state,
            )
            .unwrap();
        let err = out.error.as_ref().expect("refused").to_string();
        assert!(err.contains(what), "{err}");
        for line in visible(&out) {
            assert!(!line.contains(PASSWORD), "{line}");
        }
        // Nothing of a failed hook is published.
        assert!(
            !out.relation(&rel)
                .local_unit_data
                .contains_key("cluster-password")
        );
    }
}

#[test]
fn bad_peer_data_is_ignored_with_a_warning() {
    let ctx = context();
    let rel = Relation::peer("cluster", 1, APP)
        .with_unit_data(
            "mysql-innodb-cluster/1",
            [
                ("cluster-address", "\"not a host!\""),
                ("cluster-user", "\"clusteruser\""),
                ("cluster-password", "{\"nested\": \"hunter2\"}"),
                ("unit-clustered", "yes"),
                ("unit-configure-ready", "{broken json"),
            ],
        )
        .with_unit_data(
            "mysql-innodb-cluster/2",
            [
                ("cluster-address", "12345"),
                ("cluster-user", "[1]"),
                ("cluster-password", "\"ok-pass\""),
                ("unit-clustered", "true"),
            ],
        );
    let state = State::new().with_unit(LOCAL).with_relation(rel.clone());
    let out = ctx
        .run(
            Event::relation_changed(&rel, "mysql-innodb-cluster/1"),
            &state,
        )
        .unwrap()
        .expect_ok();
    assert!(out.has_flag("cluster.connected"));
    assert!(!out.has_flag("cluster.available"));
    assert!(!out.has_flag("cluster.clustered"));
    let warnings = out.logs_at(Level::Warning);
    for needle in [
        "mysql-innodb-cluster/1 published an invalid cluster-address",
        "mysql-innodb-cluster/1 published an invalid cluster-password",
        "mysql-innodb-cluster/1 published an invalid unit-clustered",
        "mysql-innodb-cluster/1 published an invalid unit-configure-ready",
        "mysql-innodb-cluster/2 published an invalid cluster-address",
        "mysql-innodb-cluster/2 published an invalid cluster-user",
    ] {
        assert!(
            warnings.iter().any(|w| w.contains(needle)),
            "{needle}: {warnings:?}"
        );
    }
    assert!(
        warnings
            .iter()
            .all(|w| !w.contains("hunter2") && !w.contains("ok-pass"))
    );
}

#[test]
fn bad_network_get_answers_fall_back() {
    let ctx = context();
    let rel =
        Relation::peer("cluster", 1, APP).with_unit_data("mysql-innodb-cluster/1", [("a", "1")]);
    let mut net = Network::from_address("10.5.0.10");
    net.ingress_addresses = vec!["not-an-ip".into()];
    let state = State::new()
        .with_unit(LOCAL)
        .with_address("private-address", "10.5.0.99")
        .with_network("cluster", net.clone())
        .with_relation(rel.clone());
    let out = ctx
        .run(
            Event::relation_joined(&rel, "mysql-innodb-cluster/1"),
            &state,
        )
        .unwrap()
        .expect_ok();
    // The bind address, with a warning about the ingress one.
    assert_eq!(
        out.relation(&rel).local_unit_data["ingress-address"],
        "10.5.0.10"
    );
    assert!(
        out.logs_at(Level::Warning)
            .iter()
            .any(|w| w.contains("not-an-ip"))
    );

    net.bind_addresses = vec!["garbage".into()];
    let state = state.with_network("cluster", net);
    let out = ctx
        .run(
            Event::relation_joined(&rel, "mysql-innodb-cluster/1"),
            &state,
        )
        .unwrap()
        .expect_ok();
    assert_eq!(
        out.relation(&rel).local_unit_data["ingress-address"],
        "10.5.0.99"
    );
}

/// The environment of `hook` on the local unit, run for
/// `mysql-innodb-cluster/1` on the peer relation `rid`.
fn peer_hook_env(hook: &str, rid: &RelationId) -> HookEnv {
    HookEnv {
        invoked: Invoked::Hook(hook.into()),
        unit: LOCAL.into(),
        charm_dir: PathBuf::from("/nonexistent"),
        relation: Some("cluster".into()),
        relation_id: Some(rid.clone()),
        remote_unit: Some("mysql-innodb-cluster/1".into()),
        remote_app: Some(APP.into()),
        departing_unit: None,
        principal_unit: None,
        model: None,
        juju_version: None,
        secret: None,
        simulated_host: true,
    }
}

/// With no binding for the endpoint (which the harness cannot express),
/// the unit's private address is published with a warning.
#[test]
fn a_missing_binding_falls_back_to_the_private_address() {
    let metadata = Metadata::parse(METADATA, "metadata.yaml").unwrap();
    let registry = registry(&metadata).unwrap();
    let rid: RelationId = "cluster:1".parse().unwrap();
    let mut world = MemoryWorld {
        unit: LOCAL.into(),
        ..Default::default()
    };
    world
        .unit_data
        .insert("private-address".into(), "10.5.0.99".into());
    world.relations.insert(
        rid.clone(),
        MemoryRelation {
            remote_app: Some(APP.into()),
            units: vec!["mysql-innodb-cluster/1".into()],
            ..Default::default()
        },
    );
    let backend = Rc::new(MemoryBackend::new(world));
    let env = peer_hook_env("cluster-relation-joined", &rid);
    let sink = Rc::new(MemorySink::new());
    let charm = Charm::new(metadata, ConfigSchema::default(), None, registry).unwrap();
    let mut store = MemoryStore::new();
    let outcome = charm.run(env, backend.clone(), &mut store, sink.clone());
    assert!(outcome.is_ok(), "{:?}", outcome.error);
    let world = backend.world();
    let data = &world.relations[&rid].data[&DataBag::Unit(LOCAL.into())];
    assert_eq!(
        data.get("ingress-address").map(String::as_str),
        Some("10.5.0.99")
    );
    assert!(
        sink.at(Level::Warning)
            .iter()
            .any(|w| w.contains("no network binding for cluster")),
        "{:?}",
        sink.lines()
    );
    assert!(store.flags().contains(&"cluster.connected".to_owned()));
}

/// Units that relation-list gives but that are not peers (another
/// application's unit, a malformed name) are not counted: with one real
/// peer complete, the cluster is not `available`, and each unit left out
/// is logged with the reason. The hook succeeds.
#[test]
fn unknown_and_malformed_remote_units_do_not_count_as_peers() {
    let metadata = Metadata::parse(METADATA, "metadata.yaml").unwrap();
    let registry = registry(&metadata).unwrap();
    let rid: RelationId = "cluster:1".parse().unwrap();
    let mut world = MemoryWorld {
        unit: LOCAL.into(),
        ..Default::default()
    };
    world
        .unit_data
        .insert("private-address".into(), "10.5.0.10".into());
    let complete = |n: u32| {
        [
            ("cluster-address", format!("\"10.5.0.{}\"", 10 + n)),
            ("cluster-user", "\"clusteruser\"".to_owned()),
            ("cluster-password", "\"pw\"".to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect::<BTreeMap<String, String>>()
    };
    let units = [
        "mysql-innodb-cluster/1",
        "intruder/2",
        "mysql-innodb-cluster/03",
    ];
    world.relations.insert(
        rid.clone(),
        MemoryRelation {
            remote_app: Some(APP.into()),
            units: units.iter().map(|u| (*u).to_owned()).collect(),
            data: units
                .iter()
                .zip(1..)
                .map(|(u, n)| (DataBag::Unit((*u).to_owned()), complete(n)))
                .collect(),
        },
    );
    let backend = Rc::new(MemoryBackend::new(world));
    let env = peer_hook_env("cluster-relation-changed", &rid);
    let sink = Rc::new(MemorySink::new());
    let charm = Charm::new(metadata, ConfigSchema::default(), None, registry).unwrap();
    let mut store = MemoryStore::new();
    let outcome = charm.run(env, backend.clone(), &mut store, sink.clone());
    assert!(outcome.is_ok(), "{:?}", outcome.error);
    let flags = store.flags();
    assert!(flags.contains(&"cluster.connected".to_owned()), "{flags:?}");
    assert!(
        !flags.contains(&"cluster.available".to_owned()),
        "{flags:?}"
    );
    let logs: Vec<String> = backend.world().logs.into_iter().map(|(_, m)| m).collect();
    for unit in ["intruder/2", "mysql-innodb-cluster/03"] {
        assert!(
            logs.iter()
                .any(|l| l.contains(&format!("remote unit {unit:?} ignored: "))),
            "{unit}: {logs:?}"
        );
    }
}

/// A charm handler reading the peers through the typed endpoint.
mod reader {
    use charm_interfaces::mysql_innodb_cluster::MysqlInnodbClusterPeers;
    use charm_macros::when;
    use charm_runtime::Kv;

    #[when("cluster.connected")]
    fn read(cluster: MysqlInnodbClusterPeers, kv: Kv) -> Result<(), String> {
        let peers = cluster.peers().map_err(|e| e.to_string())?;
        let seen: Vec<String> = peers.iter().map(|p| format!("{p:?}")).collect();
        kv.set("test.seen", &seen).map_err(|e| e.to_string())?;
        let first = &peers[0];
        kv.set(
            "test.password",
            first
                .cluster_password
                .as_ref()
                .map(|p| p.expose())
                .unwrap_or(""),
        )
        .map_err(|e| e.to_string())
    }
}

#[test]
fn peers_reports_checked_values_and_redacts_passwords() {
    let ctx = Context::from_yaml(METADATA, |m: &Metadata| {
        let mut r = Registry::for_charm("mysql_innodb_cluster::reader", m)?;
        r.add_charm_inventory("charm_interfaces::mysql_innodb_cluster", m)?;
        Ok(r)
    })
    .unwrap();
    let rel = Relation::peer("cluster", 1, APP).with_unit_json(
        "mysql-innodb-cluster/1",
        json!({"cluster-address": "10.5.0.11", "cluster-user": "u", "cluster-password": "pw1",
               "unit-configure-ready": true}),
    );
    let state = State::new().with_unit(LOCAL).with_relation(rel.clone());
    let out = ctx
        .run(
            Event::relation_changed(&rel, "mysql-innodb-cluster/1"),
            &state,
        )
        .unwrap()
        .expect_ok();
    // One complete peer is not enough for `available`.
    assert!(!out.has_flag("cluster.available"));
    assert_eq!(out.state.kv["test.password"], json!("pw1"));
    let seen = out.state.kv["test.seen"][0].as_str().unwrap().to_owned();
    assert!(
        seen.contains("configure_ready: true") && seen.contains("10.5.0.11"),
        "{seen}"
    );
    assert!(
        !seen.contains("pw1") && seen.contains("<redacted>"),
        "{seen}"
    );
}

#[test]
fn values_are_published_as_python_json_dumps() {
    let ctx = context();
    let rel =
        Relation::peer("cluster", 1, APP).with_unit_data("mysql-innodb-cluster/1", [("a", "1")]);
    let password = "pä\"ss\\/€𝄞";
    let state = State::new()
        .with_unit(LOCAL)
        .with_relation(rel.clone())
        .with_flag("test.act")
        .with_kv(
            "test.actions",
            json!([
                [
                    "set_cluster_connection_info",
                    "fd00::10",
                    "clüster",
                    password
                ],
                ["set_unit_configure_ready"],
            ]),
        );
    let out = ctx
        .run(
            Event::relation_changed(&rel, "mysql-innodb-cluster/1"),
            &state,
        )
        .unwrap()
        .expect_ok();
    let data = &out.relation(&rel).local_unit_data;
    // What Python's json.dumps prints for the same values.
    assert_eq!(
        data["cluster-password"],
        r#""p\u00e4\"ss\\/\u20ac\ud834\udd1e""#
    );
    assert_eq!(data["cluster-user"], r#""cl\u00fcster""#);
    assert_eq!(data["cluster-address"], r#""fd00::10""#);
    assert_eq!(data["unit-configure-ready"], "true");
    assert!(!data.contains_key("unit-clustered"));
}
