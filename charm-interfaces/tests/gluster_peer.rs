//! The `gluster-peer` interface against the Python layer's recorded
//! behaviour (`tests/golden/gluster_peer/`, see its README), plus what the
//! Rust side does differently on purpose (`docs/differences.md` (section Interface layers))
//! and bad remote data.

use std::collections::BTreeMap;

use charm_runtime::harness::{Context, Event, Level, Output, Relation, State};
use charm_runtime::metadata::Metadata;
use charm_runtime::{Registry, RegistryError};
use serde_json::{Value, json};

const METADATA: &str = "
name: glusterfs
peers:
  cluster:
    interface: gluster-peer
";

const CONFIG: &str = "
options:
  address-type: {type: string}
  address: {type: string}
  bricks: {type: string}
  address-key: {type: string}
";

const LOCAL: &str = "glusterfs/0";
const PRIVATE_ADDRESS: &str = "10.0.0.10";
/// The flags the Python driver clears before each hook: the charm consumed
/// the events of the previous one.
const EVENT_FLAGS: [&str; 3] = [
    "cluster.bricks.available",
    "cluster.bricks.removed",
    "cluster.departed",
];

/// The test charm: what the Python driver's charm does.
mod charm {
    use charm_interfaces::gluster_peer::GlusterPeers;
    use charm_macros::when;
    use charm_runtime::Ctx;

    /// While connected: publish the configured address and bricks, and
    /// keep the peer info under `test.peer_info`.
    #[when("cluster.connected")]
    fn publish(peers: &GlusterPeers, ctx: Ctx) -> Result<(), String> {
        let config = ctx.config_values().map_err(|e| e.to_string())?;
        let get = |o: &str| -> Result<String, String> {
            Ok(config
                .get::<String>(o)
                .map_err(|e| e.to_string())?
                .unwrap_or_default())
        };
        let address = get("address")?;
        if !address.is_empty() {
            let kind = get("address-type")?;
            let kind = if kind.is_empty() {
                "internal".into()
            } else {
                kind
            };
            peers
                .set_address(&kind, &address)
                .map_err(|e| e.to_string())?;
        }
        let bricks = get("bricks")?;
        if !bricks.is_empty() {
            let bricks: Vec<String> = serde_json::from_str(&bricks).map_err(|e| e.to_string())?;
            peers.set_bricks(&bricks).map_err(|e| e.to_string())?;
        }
        let key = get("address-key")?;
        let key = if key.is_empty() {
            "private-address".into()
        } else {
            key
        };
        let info = peers.get_peer_info(&key).map_err(|e| e.to_string())?;
        ctx.kv()
            .set("test.peer_info", &info)
            .map_err(|e| e.to_string())
    }
}

fn registry(meta: &Metadata) -> Result<Registry, RegistryError> {
    let mut r = Registry::for_charm("charm_interfaces::gluster_peer", meta)?;
    r.add_charm_inventory("gluster_peer::charm", meta)?;
    Ok(r)
}

fn context() -> Context {
    Context::from_yaml(METADATA, registry)
        .unwrap()
        .with_config_yaml(CONFIG)
        .unwrap()
}

fn golden(name: &str) -> Value {
    let path = format!(
        "{}/tests/golden/gluster_peer/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn bag(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// What a step's result is compared on.
#[derive(Debug, Clone, PartialEq)]
struct Observed {
    flags: BTreeMap<String, Value>,
    kv: BTreeMap<String, Value>,
    published: Option<BTreeMap<String, String>>,
}

fn observe(out: &Output) -> Observed {
    Observed {
        flags: out
            .state
            .flags
            .iter()
            .filter(|(k, _)| k.starts_with("cluster."))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        kv: out
            .state
            .kv
            .iter()
            .filter(|(k, _)| {
                k.starts_with("reactive.conversations.")
                    || *k == "glusterfs-0.bricks"
                    || *k == "test.peer_info"
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        published: out.state.relation(1).map(|r| r.local_unit_data.clone()),
    }
}

fn conv(unit: &str) -> String {
    format!("reactive.conversations.cluster:1.{unit}")
}

fn conv_flag(units: &[&str]) -> Value {
    json!({"conversations": units.iter().map(|u| conv(u)).collect::<Vec<_>>(), "relation": "cluster"})
}

/// Replay the scenario `name`, comparing each step with the golden result
/// after `correct` applied this implementation's intended differences.
/// Returns the outputs.
fn replay(name: &str, correct: impl Fn(usize, &Value, &mut Observed)) -> Vec<Output> {
    let g = golden(name);
    let ctx = context();
    let mut state = State::new()
        .with_unit(LOCAL)
        .with_address("private-address", PRIVATE_ADDRESS);
    let mut published = BTreeMap::new();
    let mut outputs = Vec::new();
    for (i, step) in g["steps"].as_array().unwrap().iter().enumerate() {
        let hook = step["hook"].as_str().unwrap();
        for f in EVENT_FLAGS {
            state.flags.remove(f);
        }
        state.config = step["config"].as_object().cloned().unwrap_or_default();
        let units: Vec<&str> = step["units"]
            .as_array()
            .map(|u| u.iter().map(|u| u.as_str().unwrap()).collect())
            .unwrap_or_default();
        state.relations.clear();
        if step.get("no_relation").is_none() {
            let mut rel = Relation::peer("cluster", 1, "glusterfs");
            for u in &units {
                rel = rel.with_unit_data(*u, bag(&step["data"][u]));
            }
            rel.local_unit_data = published.clone();
            state = state.with_relation(rel);
        }
        let rel = state.relation(1).cloned();
        let remote = step["remote_unit"].as_str();
        let event = match hook.strip_prefix("cluster-relation-") {
            Some("joined") => Event::relation_joined(rel.as_ref().unwrap(), remote.unwrap()),
            Some("changed") => Event::relation_changed(rel.as_ref().unwrap(), remote.unwrap()),
            Some("departed") => Event::relation_departed(rel.as_ref().unwrap(), remote.unwrap()),
            Some("broken") => Event::relation_broken(rel.as_ref().unwrap()),
            _ => Event::hook(hook),
        };
        let out = ctx.run(event, &state).unwrap().expect_ok();
        let result = &step["result"];
        assert!(
            result["ok"].as_bool().unwrap(),
            "{name} step {i}: the reference failed"
        );
        let mut expected = Observed {
            flags: serde_json::from_value(result["flags"].clone()).unwrap(),
            kv: serde_json::from_value(result["kv"].clone()).unwrap(),
            published: out.state.relation(1).map(|_| bag(&result["published"])),
        };
        correct(i, step, &mut expected);
        let got = observe(&out);
        assert_eq!(got, expected, "{name} step {i} ({hook})");
        if let Some(r) = out.state.relation(1) {
            published = r.local_unit_data.clone();
        }
        state = out.state.clone();
        outputs.push(out);
    }
    outputs
}

/// The corrections every scenario shares (see
/// docs/differences.md (Interface layers)): a departed unit's conversation
/// leaves `available` and `departed` is set for it; its local data is
/// forgotten; `relation-broken` records no conversation with unit "".
fn common_corrections(step: &Value, departed: &[&str], exp: &mut Observed) {
    let hook = step["hook"].as_str().unwrap();
    if hook == "cluster-relation-departed" {
        let unit = step["remote_unit"].as_str().unwrap();
        exp.flags
            .insert("cluster.departed".into(), conv_flag(&[unit]));
    }
    let gone: Vec<String> = departed.iter().map(|u| conv(u)).collect();
    if let Some(v) = exp.flags.get_mut("cluster.available") {
        let list = v["conversations"].as_array_mut().unwrap();
        list.retain(|k| !gone.iter().any(|g| g == k.as_str().unwrap()));
        if list.is_empty() {
            exp.flags.remove("cluster.available");
        }
    }
    exp.kv.retain(|k, _| {
        k != "reactive.conversations.cluster:1."
            && !gone
                .iter()
                .any(|g| k.starts_with(&format!("{g}.local-data.")))
    });
}

/// The units that have departed up to and including `step`.
fn departed_until(name: &str, step: usize) -> Vec<String> {
    golden(name)["steps"].as_array().unwrap()[..=step]
        .iter()
        .filter(|s| s["hook"] == "cluster-relation-departed")
        .map(|s| s["remote_unit"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn one_peer_matches_the_reference() {
    replay("one_peer", |i, step, exp| {
        let departed = departed_until("one_peer", i);
        let departed: Vec<&str> = departed.iter().map(String::as_str).collect();
        common_corrections(step, &departed, exp);
        let g1 = ["glusterfs/1"];
        match i {
            // "/dev/sdbc" added: its characters all appeared before, so
            // the reference sees no new brick (differences: bricks).
            5 => {
                exp.flags
                    .insert("cluster.bricks.available".into(), conv_flag(&g1));
            }
            // ... and removed: no brick gone for the reference.
            6 => {
                exp.flags
                    .insert("cluster.bricks.removed".into(), conv_flag(&g1));
            }
            // ["/dev/sdc", "/dev/sdb"] -> ["/dev/sdd"]: both a brick gone
            // and a new one; the reference sees no new character.
            8 => {
                exp.flags
                    .insert("cluster.bricks.available".into(), conv_flag(&g1));
            }
            _ => {}
        }
        // From config-changed on, the local unit publishes storage-address
        // and get_peer_info("storage-address") reports it for itself
        // (differences: local address).
        if i >= 9 {
            exp.kv.get_mut("test.peer_info").unwrap()[LOCAL]["address"] = json!("10.0.1.10");
        }
    });
}

#[test]
fn two_peers_match_the_reference() {
    replay("two_peers", |i, step, exp| {
        let departed = departed_until("two_peers", i);
        let departed: Vec<&str> = departed.iter().map(String::as_str).collect();
        common_corrections(step, &departed, exp);
    });
}

#[test]
fn the_reference_golden_data_shows_its_bugs() {
    // The golden files are the reference's output, bugs included.
    let g = golden("one_peer");
    let steps = g["steps"].as_array().unwrap();
    assert!(
        steps[5]["result"]["flags"]
            .get("cluster.bricks.available")
            .is_none()
    );
    assert!(
        steps[6]["result"]["flags"]
            .get("cluster.bricks.removed")
            .is_none()
    );
    for s in steps {
        assert!(s["result"]["flags"].get("cluster.departed").is_none());
    }
    // `available` outlives the relation.
    assert!(
        steps[12]["result"]["flags"]
            .get("cluster.available")
            .is_some()
    );
}

// ---------------------------------------------------------------------------
// Maps and bad input.

fn peer_state(units: &[(&str, &[(&str, &str)])]) -> (State, Relation) {
    let mut rel = Relation::peer("cluster", 1, "glusterfs");
    for (u, data) in units {
        rel = rel.with_unit_data(*u, data.iter().copied());
    }
    let state = State::new()
        .with_unit(LOCAL)
        .with_address("private-address", PRIVATE_ADDRESS)
        .with_config("address", "10.0.0.10")
        .with_config("bricks", r#"["/dev/vdb"]"#)
        .with_flag_value("cluster.connected", conv_flag(&["glusterfs/1"]))
        .with_relation(rel.clone());
    (state, rel)
}

mod maps {
    use charm_interfaces::gluster_peer::GlusterPeers;
    use charm_macros::when;
    use charm_runtime::Ctx;

    /// Records the maps under `test.*`.
    #[when("cluster.connected")]
    fn record(peers: &GlusterPeers, ctx: Ctx) -> Result<(), String> {
        let s = |e: charm_interfaces::gluster_peer::GlusterPeerError| e.to_string();
        peers.set_bricks(&["/dev/vdb"]).map_err(s)?;
        let kv = ctx.kv();
        kv.set("test.ip_map", &peers.ip_map("private-address").map_err(s)?)
            .map_err(|e| e.to_string())?;
        kv.set("test.brick_map", &peers.brick_map().map_err(s)?)
            .map_err(|e| e.to_string())?;
        kv.set(
            "test.peer_info",
            &peers.get_peer_info("private-address").map_err(s)?,
        )
        .map_err(|e| e.to_string())
    }
}

fn maps_context() -> Context {
    fn reg(meta: &Metadata) -> Result<Registry, RegistryError> {
        let mut r = Registry::for_charm("charm_interfaces::gluster_peer", meta)?;
        r.add_charm_inventory("gluster_peer::maps", meta)?;
        Ok(r)
    }
    Context::from_yaml(METADATA, reg)
        .unwrap()
        .with_config_yaml(CONFIG)
        .unwrap()
}

#[test]
fn ip_map_and_brick_map_cover_every_unit() {
    let (state, _) = peer_state(&[
        (
            "glusterfs/1",
            &[
                ("private-address", "10.0.0.11"),
                ("bricks", r#"["/dev/sdb"]"#),
            ],
        ),
        ("glusterfs/2", &[("bricks", r#"["/dev/sdc", "/dev/sdd"]"#)]),
    ]);
    let out = maps_context()
        .run(Event::update_status(), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(
        out.state.kv["test.ip_map"],
        json!({"glusterfs/0": "10.0.0.10", "glusterfs/1": "10.0.0.11"})
    );
    assert_eq!(
        out.state.kv["test.brick_map"],
        json!({
            "glusterfs/0": ["/dev/vdb"],
            "glusterfs/1": ["/dev/sdb"],
            "glusterfs/2": ["/dev/sdc", "/dev/sdd"],
        })
    );
    assert_eq!(
        out.state.kv["test.peer_info"]["glusterfs/2"],
        json!({"address": null, "bricks": ["/dev/sdc", "/dev/sdd"]})
    );
    // Published as the Python layer publishes it.
    assert_eq!(
        out.state.relation(1).unwrap().local_unit_data["bricks"],
        r#"["/dev/vdb"]"#
    );
}

#[test]
fn bad_remote_data_is_logged_and_treated_as_absent() {
    let (state, rel) = peer_state(&[
        (
            "glusterfs/1",
            &[("private-address", "10.0.0.11"), ("bricks", "/dev/sdb")],
        ),
        (
            "glusterfs/2",
            &[
                ("private-address", "not an address"),
                ("bricks", r#"{"a": 1}"#),
            ],
        ),
        ("glusterfs/3", &[("bricks", "[1, 2]")]),
        // Neither an IP address nor a host name: as an argument of
        // `gluster peer probe`, an option or a host:port pair.
        (
            "glusterfs/4",
            &[("private-address", "-rf"), ("bricks", "[]")],
        ),
        (
            "glusterfs/5",
            &[("private-address", "a:b"), ("bricks", "[]")],
        ),
    ]);
    let ctx = maps_context();
    // A changed hook with non-JSON bricks: not available, no brick event.
    let out = ctx
        .run(Event::relation_changed(&rel, "glusterfs/1"), &state)
        .unwrap()
        .expect_ok();
    assert!(!out.has_flag("cluster.available"));
    assert!(!out.has_flag("cluster.bricks.available"));
    assert_eq!(
        out.state.kv["test.brick_map"],
        json!({"glusterfs/0": ["/dev/vdb"], "glusterfs/1": [], "glusterfs/2": [], "glusterfs/3": [], "glusterfs/4": [], "glusterfs/5": []})
    );
    assert_eq!(
        out.state.kv["test.ip_map"],
        json!({"glusterfs/0": "10.0.0.10", "glusterfs/1": "10.0.0.11"})
    );
    let warnings = out.logs_at(Level::Warning).join("\n");
    assert!(
        warnings.contains(r#"published bricks "/dev/sdb": not JSON"#),
        "{warnings}"
    );
    assert!(warnings.contains("is not a list"), "{warnings}");
    assert!(warnings.contains("is not a string"), "{warnings}");
    for (unit, value) in [
        ("glusterfs/2", "not an address"),
        ("glusterfs/4", "-rf"),
        ("glusterfs/5", "a:b"),
    ] {
        let expected = format!(
            "peer {unit} published an invalid private-address {value:?}: expected an IP address or a host name; ignored"
        );
        assert!(warnings.contains(&expected), "{expected}: {warnings}");
    }
}

#[test]
fn a_corrupt_stored_brick_list_is_no_bricks() {
    let (state, rel) = peer_state(&[(
        "glusterfs/1",
        &[
            ("private-address", "10.0.0.11"),
            ("bricks", r#"["/dev/sdb"]"#),
        ],
    )]);
    let state = state.with_kv(
        format!("{}.local-data.bricks", conv("glusterfs/1")),
        "garbage",
    );
    let out = maps_context()
        .run(Event::relation_changed(&rel, "glusterfs/1"), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(
        out.state.flags["cluster.bricks.available"],
        conv_flag(&["glusterfs/1"])
    );
    assert!(!out.has_flag("cluster.bricks.removed"));
    assert!(out.has_flag("cluster.available"));
    assert!(
        out.logs_at(Level::Warning)
            .iter()
            .any(|w| w.contains("stored bricks")),
        "{:?}",
        out.logs
    );
}

#[test]
fn invalid_arguments_are_typed_errors() {
    mod bad {
        use charm_interfaces::gluster_peer::GlusterPeers;
        use charm_macros::when;

        #[when("cluster.connected")]
        fn publish(peers: &GlusterPeers) -> Result<(), String> {
            let e = peers.set_address("", "10.0.0.1").unwrap_err().to_string();
            assert!(e.contains("invalid address type"), "{e}");
            let e = peers.set_address("internal", "").unwrap_err().to_string();
            assert!(e.contains("invalid address"), "{e}");
            let e = peers
                .set_address("internal", "10.0.0.1 10.0.0.2")
                .unwrap_err()
                .to_string();
            assert!(e.contains("\"10.0.0.1 10.0.0.2\""), "{e}");
            for bad in ["-rf", "a:b"] {
                let e = peers.set_address("internal", bad).unwrap_err().to_string();
                assert!(e.contains(&format!("{bad:?} is neither")), "{e}");
            }
            let e = peers
                .set_address("-rf", "10.0.0.1")
                .unwrap_err()
                .to_string();
            assert!(e.contains("invalid address type"), "{e}");
            Err("checked".into())
        }
    }
    fn reg(meta: &Metadata) -> Result<Registry, RegistryError> {
        let mut r = Registry::for_charm("charm_interfaces::gluster_peer", meta)?;
        r.add_charm_inventory("gluster_peer::bad", meta)?;
        Ok(r)
    }
    let (state, _) = peer_state(&[("glusterfs/1", &[])]);
    let out = Context::from_yaml(METADATA, reg)
        .unwrap()
        .with_config_yaml(CONFIG)
        .unwrap()
        .run(Event::update_status(), &state)
        .unwrap();
    // The handler ran its checks and failed on purpose.
    let err = out.error.expect("the handler fails").to_string();
    assert!(err.contains("checked"), "{err}");
}

#[test]
fn conversations_of_departed_units_left_by_the_python_layer_are_pruned() {
    // A unit state written by the Python layer: glusterfs/1 departed, yet
    // its conversation is still listed in `available`.
    let (state, rel) = peer_state(&[(
        "glusterfs/2",
        &[
            ("private-address", "10.0.0.12"),
            ("bricks", r#"["/dev/sdb"]"#),
        ],
    )]);
    let state = state
        .with_flag_value(
            "cluster.available",
            conv_flag(&["glusterfs/1", "glusterfs/2"]),
        )
        .with_flag_value("cluster.connected", conv_flag(&["glusterfs/2"]))
        .with_kv(
            conv("glusterfs/2"),
            json!({"namespace": "cluster:1", "scope": "glusterfs/2", "units": ["glusterfs/2"]}),
        );
    let out = maps_context()
        .run(Event::relation_changed(&rel, "glusterfs/2"), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(
        out.state.flags["cluster.available"],
        conv_flag(&["glusterfs/2"])
    );
    assert_eq!(
        out.state.flags["cluster.connected"],
        conv_flag(&["glusterfs/2"])
    );
}

mod ack {
    use charm_interfaces::gluster_peer::{GlusterPeers, PeerEvent};
    use charm_macros::when_any;
    use charm_runtime::Ctx;

    /// Records what is pending, then acknowledges both events for the
    /// units of the `ack` option (comma-separated), recording under
    /// `test.acked.<unit>` whether each held them.
    #[when_any("cluster.bricks.available", "cluster.departed")]
    fn ack(peers: &GlusterPeers, ctx: Ctx) -> Result<(), String> {
        let s = |e: charm_interfaces::gluster_peer::GlusterPeerError| e.to_string();
        let config = ctx.config_values().map_err(|e| e.to_string())?;
        let units: String = config
            .get("ack")
            .map_err(|e| e.to_string())?
            .unwrap_or_default();
        let kv = ctx.kv();
        kv.set(
            "test.pending",
            &serde_json::json!({
                "bricks.available": peers.pending(PeerEvent::BricksAvailable),
                "departed": peers.pending(PeerEvent::Departed),
            }),
        )
        .map_err(|e| e.to_string())?;
        if units.is_empty() {
            return Ok(());
        }
        for unit in units.split(',') {
            let bricks = peers
                .acknowledge(PeerEvent::BricksAvailable, unit)
                .map_err(s)?;
            let departed = peers.acknowledge(PeerEvent::Departed, unit).map_err(s)?;
            kv.set(&format!("test.acked.{unit}"), &[bricks, departed])
                .map_err(|e| e.to_string())?;
        }
        Ok(())
    }
}

#[test]
fn events_are_acknowledged_per_peer() {
    fn reg(meta: &Metadata) -> Result<Registry, RegistryError> {
        let mut r = Registry::for_charm("charm_interfaces::gluster_peer", meta)?;
        r.add_charm_inventory("gluster_peer::ack", meta)?;
        Ok(r)
    }
    let ctx = Context::from_yaml(METADATA, reg)
        .unwrap()
        .with_config_yaml(&format!("{CONFIG}  ack: {{type: string}}\n"))
        .unwrap();
    let (state, _) = peer_state(&[("glusterfs/1", &[]), ("glusterfs/2", &[])]);
    let state = state
        .with_flag_value(
            "cluster.bricks.available",
            conv_flag(&["glusterfs/2", "glusterfs/1"]),
        )
        .with_flag_value("cluster.departed", conv_flag(&["glusterfs/3"]));

    // One peer acknowledged: the flag stays, held by the other.
    let out = ctx
        .run(
            Event::update_status(),
            &state.clone().with_config("ack", "glusterfs/1"),
        )
        .unwrap()
        .expect_ok();
    assert_eq!(
        out.state.kv["test.pending"],
        json!({"bricks.available": ["glusterfs/2", "glusterfs/1"], "departed": ["glusterfs/3"]})
    );
    assert_eq!(out.state.kv["test.acked.glusterfs/1"], json!([true, false]));
    assert_eq!(
        out.state.flags["cluster.bricks.available"],
        conv_flag(&["glusterfs/2"])
    );
    assert_eq!(
        out.state.flags["cluster.departed"],
        conv_flag(&["glusterfs/3"])
    );

    // The last holder acknowledged: the flag is cleared. A departed unit
    // is acknowledged by name although its conversation is gone.
    let out = ctx
        .run(
            Event::update_status(),
            &out.state
                .clone()
                .with_config("ack", "glusterfs/2,glusterfs/3"),
        )
        .unwrap()
        .expect_ok();
    assert_eq!(out.state.kv["test.acked.glusterfs/2"], json!([true, false]));
    assert_eq!(out.state.kv["test.acked.glusterfs/3"], json!([false, true]));
    assert!(!out.has_flag("cluster.bricks.available"));
    assert!(!out.has_flag("cluster.departed"));

    // An empty unit name is a typed error: the hook fails.
    let out = ctx
        .run(
            Event::update_status(),
            &state.with_config("ack", "glusterfs/1,"),
        )
        .unwrap();
    assert!(!out.is_ok());
}
