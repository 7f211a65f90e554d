//! The `rabbitmq` requires interface against golden data recorded from the
//! Python layer (see `golden/rabbitmq/README.md`): flags with their
//! values, the global conversation in the unit's data, the published
//! relation data and the accessors after every hook; then bad input, a
//! missing binding, and the rule that the password reaches no log line.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::rc::Rc;

use charm_interfaces::rabbitmq::{RabbitMq, RabbitMqError};
use charm_runtime::backend::{MemoryBackend, MemoryRelation, MemoryWorld, RelationId};
use charm_runtime::env::{HookEnv, Invoked};
use charm_runtime::harness::{Context, Event, Network, Output, Relation, State};
use charm_runtime::log::MemorySink;
use charm_runtime::metadata::{ConfigSchema, Metadata};
use charm_runtime::{Charm, MemoryStore, Registry, RegistryError};
use serde_json::{Value, json};

const METADATA: &str = "
name: app
requires:
  amqp:
    interface: rabbitmq
";
const LOCAL: &str = "app/0";
const REMOTE_APP: &str = "rabbitmq-server";
const CONV: &str = "reactive.conversations.amqp.global";
const PASSWORD: &str = "Rabb1t-S3cret";

/// The charm under test: when connected, it calls the endpoint's methods
/// listed in the unit data key `test.actions`, then records every accessor
/// under `test.accessors` (as the throwaway Python charm that recorded the
/// golden data did).
mod charm {
    use charm_interfaces::rabbitmq::RabbitMq;
    use charm_macros::when;
    use charm_runtime::Kv;
    use serde_json::Value;

    #[when("amqp.connected")]
    fn act(amqp: RabbitMq, kv: Kv) -> Result<(), String> {
        let s = |e: &dyn std::fmt::Display| e.to_string();
        let actions: Vec<Vec<Value>> = kv
            .get("test.actions")
            .map_err(|e| s(&e))?
            .unwrap_or_default();
        kv.unset("test.actions").map_err(|e| s(&e))?;
        for a in actions {
            let arg = |i: usize| a[1][i].as_str().unwrap_or_default().to_owned();
            match a[0].as_str().unwrap_or_default() {
                "request_access" => {
                    amqp.request_access(&arg(0), &arg(1), a[2]["hostname"].as_str())
                }
                "configure" => amqp.configure(&arg(0), &arg(1)),
                other => return Err(format!("unknown action {other}")),
            }
            .map_err(|e| s(&e))?;
        }
        let acc = super::accessors(&amqp).map_err(|e| s(&e))?;
        kv.set("test.accessors", &acc).map_err(|e| s(&e))?;
        Ok(())
    }
}

/// Every accessor, in the shape the Python charm recorded them.
fn accessors(amqp: &RabbitMq) -> Result<Value, RabbitMqError> {
    Ok(json!({
        "vhost": amqp.vhost()?,
        "username": amqp.username()?,
        "password": amqp.password()?.map(|p| p.expose().to_owned()),
        "private_address": amqp.private_address()?,
        "ssl_port": amqp.ssl_port()?.map(|p| p.to_string()),
        "ssl_ca": amqp.ssl_ca()?,
        "ha_queues": amqp.ha_queues()?,
        "ha_vip_only": amqp.ha_vip_only()?,
        "clustered": amqp.clustered()?,
        "vip": amqp.vip()?,
        "rabbitmq_ready_hosts": amqp.rabbitmq_ready_hosts()?,
        "rabbitmq_hosts": amqp.rabbitmq_hosts()?,
        "rabbitmq_connected_hosts": amqp.rabbitmq_connected_hosts()?,
        "get_ssl_cert": amqp.ssl_cert()?,
        "base_data_complete": amqp.base_data_complete()?,
        "ssl_data_complete": amqp.ssl_data_complete()?,
    }))
}

fn registry(metadata: &Metadata) -> Result<Registry, RegistryError> {
    // The charm's handlers are found before the layer's, as charms.reactive
    // reads `reactive/` before `hooks/relations/`.
    let mut registry = Registry::for_charm("rabbitmq::charm", metadata)?;
    registry.add_charm_inventory("charm_interfaces::rabbitmq", metadata)?;
    Ok(registry)
}

fn golden(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/rabbitmq")
        .join(format!("{name}.json"));
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

fn network(v: &Value) -> Network {
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .map(|a| a.iter().map(|s| s.as_str().unwrap().to_owned()).collect())
            .unwrap_or_default()
    };
    let first = &v["bind-addresses"][0];
    Network {
        interface: first["interface-name"].as_str().unwrap().to_owned(),
        bind_addresses: first["addresses"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["value"].as_str().unwrap().to_owned())
            .collect(),
        cidr: first["addresses"][0]["cidr"].as_str().unwrap().to_owned(),
        ingress_addresses: strings(&v["ingress-addresses"]),
        egress_subnets: strings(&v["egress-subnets"]),
    }
}

/// What a step is compared on.
#[derive(Debug, Clone, PartialEq)]
struct Observed {
    ok: bool,
    flags: BTreeMap<String, Value>,
    kv: BTreeMap<String, Value>,
    published: Option<BTreeMap<String, String>>,
    accessors: Value,
}

fn observe(out: &Output, broken: bool) -> Observed {
    Observed {
        ok: out.is_ok(),
        flags: out
            .state
            .flags
            .iter()
            .filter(|(k, _)| !k.starts_with("endpoint.") && !k.starts_with("test."))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        kv: out
            .state
            .kv
            .iter()
            .filter(|(k, _)| k.starts_with("reactive.conversations."))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        published: if broken {
            None
        } else {
            out.state.relation(1).map(|r| r.local_unit_data.clone())
        },
        accessors: out
            .state
            .kv
            .get("test.accessors")
            .cloned()
            .unwrap_or(Value::Null),
    }
}

/// The corrections this implementation makes on purpose (see
/// docs/differences.md, Interface layers): the departed units leave the
/// global conversation, a departing unit no longer counts, broken
/// succeeds and clears the flags.
fn correct(name: &str, i: usize, step: &Value, departed: &[String], exp: &mut Observed) {
    if let Some(record) = exp.kv.get_mut(CONV) {
        let units = record["units"].as_array_mut().unwrap();
        units.retain(|u| !departed.iter().any(|d| u == d));
        if units.is_empty() {
            exp.kv.remove(CONV);
        }
    }
    let hook = step["hook"].as_str().unwrap();
    match (name, i) {
        // rabbitmq-server/0 departs: the hosts are those of the unit left.
        ("two_units", 10) => {
            for k in [
                "rabbitmq_connected_hosts",
                "rabbitmq_ready_hosts",
                "rabbitmq_hosts",
            ] {
                exp.accessors[k] = json!(["10.5.0.31"]);
            }
        }
        // The last unit departs: not connected, not available (the Python
        // layer keeps both set for ever).
        ("two_units", 12) => {
            exp.flags.clear();
            exp.accessors = Value::Null;
        }
        _ => {}
    }
    if hook.ends_with("-relation-broken") {
        // charms.reactive 1.5.3 fails here (a `None` unit among the
        // conversation's units); Rust clears the flags.
        exp.ok = true;
        exp.flags.clear();
        exp.accessors = Value::Null;
        exp.published = None;
    }
}

/// Replay the golden sequence `name`; returns every output.
fn replay(name: &str) -> Vec<Output> {
    let seq = golden(name);
    let ctx = Context::from_yaml(METADATA, registry).unwrap();
    let mut state = State::new()
        .with_unit(LOCAL)
        .with_address("private-address", seq["private_address"].as_str().unwrap());
    for (binding, answer) in seq["networks"].as_object().unwrap() {
        state = state.with_network(binding.clone(), network(answer));
    }
    let mut published = BTreeMap::new();
    let mut departed = Vec::new();
    let mut outputs = Vec::new();
    for (i, step) in seq["steps"].as_array().unwrap().iter().enumerate() {
        let hook = step["hook"].as_str().unwrap();
        let unit = step["unit"].as_str();
        state.relations.clear();
        state.kv.remove("test.accessors");
        let mut relation = None;
        if step.get("no_relation").is_none() {
            // The departing unit's data stays readable in -departed.
            let mut r =
                Relation::new("amqp", 1, REMOTE_APP).with_local_unit_data(published.clone());
            if let Some(data) = step["data"].as_object() {
                for (u, d) in data {
                    r = r.with_unit_data(u.clone(), bag(d));
                }
            }
            state = state.with_relation(r.clone());
            relation = Some(r);
        }
        if let Some(actions) = step.get("actions") {
            state = state.with_kv("test.actions", actions.clone());
        }
        let event = match (hook, &relation) {
            ("amqp-relation-joined", Some(r)) => Event::relation_joined(r, unit.unwrap()),
            ("amqp-relation-changed", Some(r)) => Event::relation_changed(r, unit.unwrap()),
            ("amqp-relation-departed", Some(r)) => Event::relation_departed(r, unit.unwrap()),
            ("amqp-relation-broken", Some(r)) => Event::relation_broken(r),
            (other, _) => Event::hook(other),
        };
        if hook.ends_with("-relation-departed") {
            departed.push(unit.unwrap().to_owned());
        }
        let out = ctx.run(event, &state).unwrap();
        let broken = hook.ends_with("-relation-broken");
        let e = &step["expect"];
        let mut want = Observed {
            ok: e["ok"].as_bool().unwrap(),
            flags: serde_json::from_value(e["flags"].clone()).unwrap(),
            kv: serde_json::from_value(e["kv"].clone()).unwrap(),
            published: (!broken && !e["published"].is_null()).then(|| bag(&e["published"])),
            accessors: e["accessors"].clone(),
        };
        correct(name, i, step, &departed, &mut want);
        assert_eq!(
            observe(&out, broken),
            want,
            "{name} step {i} ({hook} {unit:?})"
        );
        if let Some(r) = out.state.relation(1) {
            published = r.local_unit_data.clone();
        }
        state = out.state.clone();
        outputs.push(out);
    }
    outputs
}

#[test]
fn two_units_join_publish_and_depart_as_the_python_layer() {
    let outs = replay("two_units");
    assert!(outs[4].has_flag("amqp.available.ssl"));
    assert!(!outs.last().unwrap().has_flag("amqp.connected"));
}

#[test]
fn an_explicit_hostname_replaces_the_binding_address() {
    let outs = replay("explicit_hostname");
    let rel = Relation::new("amqp", 1, REMOTE_APP);
    assert_eq!(
        outs[0].relation(&rel).local_unit_data["private-address"],
        "nova-0.example"
    );
    assert_eq!(
        outs[1].relation(&rel).local_unit_data["private-address"],
        "10.5.0.20"
    );
}

/// `no_binding.json`: without a binding for the endpoint (which the
/// harness cannot express), `request_access` without a hostname fails the
/// hook, as the Python layer's `NoNetworkBinding` does; nothing is
/// published or committed.
#[test]
fn request_access_without_a_binding_fails_the_hook() {
    let seq = golden("no_binding");
    let step = &seq["steps"][0];
    assert_eq!(step["expect"]["ok"], json!(false));
    let metadata = Metadata::parse(METADATA, "metadata.yaml").unwrap();
    let registry = registry(&metadata).unwrap();
    let rid: RelationId = "amqp:1".parse().unwrap();
    let mut world = MemoryWorld {
        unit: LOCAL.into(),
        ..Default::default()
    };
    world
        .unit_data
        .insert("private-address".into(), "10.0.0.10".into());
    world.relations.insert(
        rid.clone(),
        MemoryRelation {
            remote_app: Some(REMOTE_APP.into()),
            units: vec!["rabbitmq-server/0".into()],
            ..Default::default()
        },
    );
    let backend = Rc::new(MemoryBackend::new(world));
    let env = HookEnv {
        invoked: Invoked::Hook("amqp-relation-joined".into()),
        unit: LOCAL.into(),
        charm_dir: PathBuf::from("/nonexistent"),
        relation: Some("amqp".into()),
        relation_id: Some(rid.clone()),
        remote_unit: Some("rabbitmq-server/0".into()),
        remote_app: Some(REMOTE_APP.into()),
        departing_unit: None,
        principal_unit: None,
        model: None,
        juju_version: None,
        secret: None,
        simulated_host: true,
    };
    let mut store = MemoryStore::new();
    store
        .data
        .insert("test.actions".into(), step["actions"].to_string());
    let sink = Rc::new(MemorySink::new());
    let charm = Charm::new(metadata, ConfigSchema::default(), None, registry).unwrap();
    let outcome = charm.run(env, backend.clone(), &mut store, sink);
    let error = outcome.error.expect("the hook fails").to_string();
    assert!(error.contains("network-get amqp"), "{error}");
    assert!(store.flags().is_empty(), "{:?}", store.flags());
    let world = backend.world();
    assert!(world.relations[&rid].data.values().all(|d| d.is_empty()));
}

fn run_with(state: &State, event: Event) -> Output {
    Context::from_yaml(METADATA, registry)
        .unwrap()
        .run(event, state)
        .unwrap()
}

fn connected_state(remote: &[(&str, &str)]) -> (State, Relation) {
    // Juju publishes every unit's private-address.
    let mut data = vec![("private-address".to_owned(), "10.5.0.30".to_owned())];
    data.extend(remote.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let rel = Relation::new("amqp", 1, REMOTE_APP).with_unit_data("rabbitmq-server/0", data);
    let state = State::new()
        .with_unit(LOCAL)
        .with_relation(rel.clone())
        .with_flag_value(
            "amqp.connected",
            json!({"conversations": [CONV], "relation": "amqp"}),
        )
        .with_kv(
            CONV,
            json!({"namespace": "amqp", "scope": "global", "units": ["rabbitmq-server/0"]}),
        );
    (state, rel)
}

#[test]
fn bad_arguments_are_refused_with_typed_errors() {
    for (user, vhost, host, what) in [
        ("", "openstack", None, "username"),
        ("nova", "", None, "vhost"),
        ("no va", "openstack", None, "username"),
        ("nova", "openstack", Some("not a host"), "hostname"),
    ] {
        let (state, rel) = connected_state(&[]);
        let state = state.with_kv(
            "test.actions",
            json!([["request_access", [user, vhost], {"hostname": host}]]),
        );
        let out = run_with(&state, Event::relation_changed(&rel, "rabbitmq-server/0"));
        let error = out.error.as_ref().expect("fails").to_string();
        assert!(error.contains(&format!("invalid {what}")), "{error}");
    }
}

#[test]
fn invalid_remote_values_are_errors_that_do_not_quote_them() {
    let (state, rel) = connected_state(&[
        ("password", PASSWORD),
        ("ssl_port", "https"),
        ("ssl_ca", "!!"),
    ]);
    let out = run_with(&state, Event::relation_changed(&rel, "rabbitmq-server/0"));
    let error = out.error.as_ref().expect("fails").to_string();
    assert_eq!(error.matches("ssl_port").count(), 1, "{error}");
    assert!(!error.contains("https"), "{error}");
}

#[test]
fn the_ssl_ca_is_decoded() {
    let ca = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    let encoded =
        "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUIKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo=";
    let (state, rel) = connected_state(&[("ssl_port", "5671"), ("ssl_ca", encoded)]);
    let out = run_with(&state, Event::relation_changed(&rel, "rabbitmq-server/0"));
    let out = out.expect_ok();
    assert_eq!(out.state.kv["test.accessors"]["get_ssl_cert"], json!(ca));
    assert_eq!(out.state.kv["test.accessors"]["ssl_port"], json!("5671"));
    // No password, no username: connected only.
    assert!(!out.has_flag("amqp.available"));
}

#[test]
fn the_password_reaches_no_log_line_tool_argument_or_error() {
    let outs = replay("two_units");
    for out in &outs {
        let mut lines: Vec<String> = out.logs.iter().map(|(_, m)| m.clone()).collect();
        lines.extend(out.tool_calls.iter().map(|c| format!("{c:?}")));
        lines.extend(out.trace.iter().map(|e| format!("{e:?}")));
        lines.extend(out.error.iter().map(ToString::to_string));
        for line in lines {
            assert!(!line.contains(PASSWORD), "password leaked in {line:?}");
        }
    }
    let password = charm_interfaces::rabbitmq::Password::new(PASSWORD);
    assert!(!format!("{password} {password:?}").contains(PASSWORD));
}
