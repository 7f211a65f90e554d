//! The `hacluster` interface: replays of the sequences recorded from the
//! Python layer (tests/golden/hacluster, see its README.md) through the
//! harness, plus unit tests of the builder and bad-input tests.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::Path;

use charm_interfaces::hacluster::{
    Crm, DNSEntry, Hacluster, HaclusterError, InitService, Options, SystemdService, Values,
    VirtualIP,
};
use charm_runtime::harness::{Context, Event, Level, Relation, State};
use serde_json::{Value, json};

const METADATA: &str = "
name: app
requires:
  ha:
    interface: hacluster
    scope: container
";

thread_local! {
    static OPS: RefCell<Value> = const { RefCell::new(Value::Null) };
}

mod charm {
    use charm_interfaces::hacluster::{Hacluster, HaclusterError};
    use charm_macros::when;
    use charm_runtime::metadata::Metadata;
    use charm_runtime::{Registry, RegistryError};

    #[when("ha.connected")]
    fn configure(ha: &Hacluster) -> Result<(), HaclusterError> {
        super::OPS.with(|ops| super::run_ops(ha, &ops.borrow()))
    }

    pub fn registry(metadata: &Metadata) -> Result<Registry, RegistryError> {
        let mut registry = Registry::for_charm("charm_interfaces::hacluster", metadata)?;
        registry.add_charm_inventory(module_path!(), metadata)?;
        Ok(registry)
    }
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn opt_s<'a>(k: &'a Value, key: &str) -> Option<&'a str> {
    k.get(key).and_then(Value::as_str)
}

fn values(v: &Value) -> Values {
    match v {
        Value::String(s) => Values::from(s.as_str()),
        Value::Array(a) => Values(a.iter().map(|x| s(x).to_owned()).collect()),
        other => panic!("not values: {other}"),
    }
}

fn strs(args: &[Value]) -> Vec<String> {
    args.iter().map(|a| s(a).to_owned()).collect()
}

fn options(k: &Value) -> Options {
    let mut o = Options::new();
    if let Some(d) = opt_s(k, "description") {
        o = o.description(d);
    }
    for key in ["params", "meta", "utilization", "operations", "op"] {
        if let Some(v) = k.get(key) {
            let v = values(v);
            o = match key {
                "params" => o.params(v),
                "meta" => o.meta(v),
                "utilization" => o.utilization(v),
                "operations" => o.operations(v),
                _ => o.op(v),
            };
        }
    }
    o
}

/// Apply one recorded CRM call.
fn crm_call(crm: &mut Crm, name: &str, a: &[Value], k: &Value) -> Result<(), HaclusterError> {
    match name {
        "primitive" => crm.primitive(s(&a[0]), s(&a[1]), options(k)),
        "clone" => crm.clone(s(&a[0]), s(&a[1]), options(k)),
        "ms" => crm.ms(s(&a[0]), s(&a[1]), options(k)),
        "group" => crm.group(s(&a[0]), &strs(&a[1..]), options(k)),
        "location" => crm.location(
            s(&a[0]),
            s(&a[1]),
            k.get("attributes").map(values),
            k.get("rule").map(values),
        ),
        "order" => crm.order(s(&a[0]), a[1].as_str(), &strs(&a[2..]), None),
        "colocation" => {
            let score = match &a[1] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            crm.colocation(s(&a[0]), score, &strs(&a[2..]), opt_s(k, "node_attribute"))
        }
        "init_services" => crm.init_services(&strs(a)),
        "systemd_services" => crm.systemd_services(&strs(a)),
        "add_delete_resource" => crm.add_delete_resource(s(&a[0])),
        "delete_resource" => crm.delete_resource(&strs(a)),
        "add" => {
            let args: Vec<&str> = a[1..].iter().filter_map(Value::as_str).collect();
            match s(&a[0]) {
                "VirtualIP" => {
                    let mut v = VirtualIP::new(args[0], args[1]);
                    if let Some(n) = opt_s(k, "nic") {
                        v = v.nic(n);
                    }
                    if let Some(c) = opt_s(k, "cidr") {
                        v = v.cidr(c);
                    }
                    crm.add(&v)?
                }
                "DNSEntry" => crm.add(&DNSEntry::new(args[0], args[1], args[2], args[3]))?,
                "InitService" => {
                    let clone = a.get(3).is_none_or(|c| c.as_bool() == Some(true));
                    crm.add(&InitService::new(args[0], args[1], clone))?
                }
                "SystemdService" => {
                    let clone = a.get(3).is_none_or(|c| c.as_bool() == Some(true));
                    crm.add(&SystemdService::new(args[0], args[1], clone))?
                }
                other => panic!("unknown descriptor {other}"),
            }
        }
        other => panic!("unknown CRM call {other}"),
    }
    Ok(())
}

/// Apply the recorded endpoint calls of one hook.
fn run_ops(ha: &Hacluster, ops: &Value) -> Result<(), HaclusterError> {
    let Some(ops) = ops.as_array() else {
        return Ok(());
    };
    let none = json!({});
    for op in ops {
        let op = op.as_array().unwrap();
        let name = s(&op[0]);
        if name == "crm" {
            let mut crm = Crm::new();
            for call in op[1].as_array().unwrap() {
                let call = call.as_array().unwrap();
                crm_call(&mut crm, s(&call[0]), call[1].as_array().unwrap(), &call[2])?;
            }
            ha.manage_resources(&crm)?;
            continue;
        }
        let a = op
            .get(1)
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let k = op.get(2).unwrap_or(&none);
        let port = k.get("mcastport").and_then(Value::as_u64).map(|p| p as u16);
        let clone = k.get("clone").and_then(Value::as_bool).unwrap_or(true);
        match name {
            "stored_resources" => {
                ha.stored_resources()?;
            }
            "bind_on" => ha.bind_on(opt_s(k, "iface"), port)?,
            "bind_resources" => ha.bind_resources(opt_s(k, "iface"), port)?,
            "add_vip" => ha.add_vip(s(&a[0]), s(&a[1]), opt_s(k, "iface"), opt_s(k, "netmask"))?,
            "remove_vip" => ha.remove_vip(s(&a[0]), s(&a[1]), opt_s(k, "iface"))?,
            "add_init_service" => ha.add_init_service(s(&a[0]), s(&a[1]), clone)?,
            "remove_init_service" => ha.remove_init_service(s(&a[0]), s(&a[1]))?,
            "add_systemd_service" => ha.add_systemd_service(s(&a[0]), s(&a[1]), clone)?,
            "remove_systemd_service" => ha.remove_systemd_service(s(&a[0]), s(&a[1]))?,
            "add_dnsha" => ha.add_dnsha(s(&a[0]), s(&a[1]), s(&a[2]), s(&a[3]))?,
            "remove_dnsha" => ha.remove_dnsha(s(&a[0]), s(&a[1]))?,
            "add_colocation" => ha.add_colocation(
                s(&a[0]),
                s(&a[1]),
                &strs(a[2].as_array().unwrap()),
                opt_s(k, "node_attribute"),
            )?,
            "remove_colocation" => ha.remove_colocation(s(&a[0]))?,
            "delete_resource" => ha.delete_resource(s(&a[0]))?,
            other => panic!("unknown endpoint call {other}"),
        }
    }
    Ok(())
}

fn context() -> Context {
    Context::from_yaml(METADATA, charm::registry).unwrap()
}

fn relation(remote: BTreeMap<String, String>) -> Relation {
    Relation::new("ha", 1, "hacluster").with_unit_data("hacluster/0", remote)
}

fn bag(v: &Value) -> BTreeMap<String, String> {
    v.as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), s(v).to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// Replay the golden sequence `name`; compare flags and published data
/// after each hook.
fn replay(name: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden/hacluster")
        .join(format!("{name}.json"));
    let steps: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let ctx = context();
    let mut state = State::new().with_unit("app/0");
    for (i, step) in steps.iter().enumerate() {
        assert!(step.get("error").is_none(), "{name}: the reference failed");
        let hook = s(&step["hook"]);
        OPS.with(|o| *o.borrow_mut() = step.get("ops").cloned().unwrap_or(Value::Null));
        if hook.ends_with("joined") {
            let local = state
                .relations
                .iter()
                .find(|r| r.id == 1)
                .map(|r| r.local_unit_data.clone())
                .unwrap_or_default();
            state.relations.retain(|r| r.id != 1);
            let mut rel = relation(BTreeMap::new());
            rel.local_unit_data = local;
            state = state.with_relation(rel);
        }
        if let Some(remote) = step.get("remote") {
            let rel = state.relations.iter_mut().find(|r| r.id == 1).unwrap();
            rel.remote_units.insert("hacluster/0".into(), bag(remote));
        }
        let rel = state.relations.iter().find(|r| r.id == 1).unwrap().clone();
        let event = match hook {
            "ha-relation-joined" => Event::relation_joined(&rel, "hacluster/0"),
            "ha-relation-changed" => Event::relation_changed(&rel, "hacluster/0"),
            "ha-relation-departed" => Event::relation_departed(&rel, "hacluster/0"),
            "ha-relation-broken" => Event::relation_broken(&rel),
            other => panic!("unknown hook {other}"),
        };
        let out = ctx.run(event, &state).unwrap().expect_ok();
        let expected_flags: Vec<&str> = step["flags"].as_array().unwrap().iter().map(s).collect();
        // The runtime also keeps the automatic `endpoint.<name>.*` flags of
        // charms.reactive's Endpoint, which a RelationBase layer lacks.
        let flags: Vec<&str> = out
            .flags()
            .into_iter()
            .filter(|f| !f.starts_with("endpoint."))
            .collect();
        assert_eq!(flags, expected_flags, "{name} step {i} ({hook}): flags");
        if let Some(published) = step["published"].as_object() {
            let got = out
                .state
                .relations
                .iter()
                .find(|r| r.id == 1)
                .map(|r| r.local_unit_data.clone())
                .unwrap_or_default();
            assert_eq!(
                got,
                bag(&Value::Object(published.clone())),
                "{name} step {i} ({hook}): published data"
            );
        }
        state = out.state;
    }
}

#[test]
fn golden_flags() {
    replay("flags");
}

#[test]
fn golden_crm_primitive_clone() {
    replay("crm_primitive_clone");
}

#[test]
fn golden_crm_primitive_all() {
    replay("crm_primitive_all");
}

#[test]
fn golden_crm_delete() {
    replay("crm_delete");
}

#[test]
fn golden_crm_delete_resource() {
    replay("crm_delete_resource");
}

#[test]
fn golden_crm_descriptors() {
    replay("crm_descriptors");
}

#[test]
fn golden_crm_empty() {
    replay("crm_empty");
}

#[test]
fn golden_crm_text() {
    replay("crm_text");
}

#[test]
fn golden_bind_on() {
    replay("bind_on");
}

#[test]
fn golden_manage_gating() {
    replay("manage_gating");
}

#[test]
fn golden_helpers() {
    replay("helpers");
}

// ---------------------------------------------------------------------------
// The builder.

#[test]
fn order_symmetrical_is_emitted() {
    // The Python layer raises on `symmetrical`; see
    // docs/differences.md (Interface layers).
    let mut crm = Crm::new();
    crm.order("o1", Some(Crm::MANDATORY), &["a", "b"], Some(false));
    crm.order("o2", None, &["a", "b:start"], Some(true));
    assert_eq!(crm.orders["o1"], "Mandatory: a b symmetrical=false");
    assert_eq!(crm.orders["o2"], " a b:start symmetrical=true");
}

#[test]
fn group_description_is_quoted() {
    // The Python layer emits `description=text"`; see
    // docs/differences.md (Interface layers).
    let mut crm = Crm::new();
    crm.group(
        "g",
        &["a", "b"],
        Options::new().description("two").meta("x=1"),
    );
    assert_eq!(crm.groups["g"], "a b description=\"two\"  meta x=1");
}

#[test]
fn constants() {
    assert_eq!(Crm::ALWAYS, "inf");
    assert_eq!(Crm::NEVER, "-inf");
    assert_eq!(Crm::INFINITY, Crm::ALWAYS);
    assert_eq!(Crm::NEG_INFINITY, Crm::NEVER);
    assert_eq!(Crm::MANDATORY, "Mandatory");
    assert_eq!(Crm::OPTIONAL, "Optional");
    assert_eq!(Crm::SERIALIZE, "Serialize");
}

#[test]
fn deleting_removes_everywhere() {
    let mut crm = Crm::new();
    crm.primitive("r", "lsb:r", Options::new().op("monitor"));
    crm.clone("r", "r", Options::new());
    crm.ms("r", "r", Options::new());
    crm.group("r", &["r"], Options::new());
    crm.location("r", "r", None, None);
    crm.order("r", None, &["r"], None);
    crm.colocation("r", Crm::ALWAYS, &["r"], None);
    crm.init_services(&["r", "x", "r"]);
    crm.systemd_services(&["r"]);
    crm.add_delete_resource("r");
    crm.add_delete_resource("r");
    let expected = Crm {
        delete_resources: vec!["r".into()],
        init_services: vec!["x".into()],
        ..Crm::default()
    };
    assert_eq!(crm, expected);
    crm.delete_resource(&["a", "b"]);
    assert_eq!(crm.delete_resources, ["a", "b"]);
}

#[test]
fn values_and_parse_edges() {
    let mut crm = Crm::new();
    crm.primitive("empty_list", "a", Options::new().meta(Vec::<String>::new()));
    crm.primitive("empty_str", "a", Options::new().meta(""));
    crm.primitive("trailing", "a", Options::new().params("x=1\t\u{1f}"));
    crm.clone("c", "r", Options::new().meta("").params(Vec::<&str>::new()));
    assert_eq!(crm.resource_params["empty_list"], " ");
    assert_eq!(crm.resource_params["empty_str"], "  meta");
    assert_eq!(crm.resource_params["trailing"], "  params x=1");
    assert_eq!(crm.clones["c"], "r");
}

#[test]
fn vip_names() {
    assert_eq!(
        VirtualIP::new("ks", "10.5.0.10").resource_name().unwrap(),
        "res_ks_4c1f9b2_vip"
    );
    assert_eq!(
        VirtualIP::new("ks", "10.5.0.10")
            .nic("eth0")
            .resource_name()
            .unwrap(),
        "res_ks_eth0_vip"
    );
    assert_eq!(
        VirtualIP::new("ks", "fd00::1").resource_name().unwrap(),
        "res_ks_None_ipv6addr_vip"
    );
    assert_eq!(
        VirtualIP::new("ks", "fd00::1")
            .nic("ens4")
            .resource_name()
            .unwrap(),
        "res_ks_ens4_ipv6addr_vip"
    );
}

// ---------------------------------------------------------------------------
// Bad input.

#[test]
fn invalid_vip_is_a_typed_error() {
    let mut crm = Crm::new();
    let err = crm.add(&VirtualIP::new("ks", "10.0.0.300")).unwrap_err();
    assert!(matches!(err, HaclusterError::InvalidAddress { .. }));
    assert!(err.to_string().contains("\"10.0.0.300\""), "{err}");
    assert_eq!(crm, Crm::new());
}

#[test]
fn unrecognised_clustered_is_logged_and_false() {
    let ctx = context();
    let rel = relation([("clustered".to_owned(), "{not json".to_owned())].into());
    let state = State::new().with_unit("app/0").with_relation(rel.clone());
    let out = ctx
        .run(Event::relation_changed(&rel, "hacluster/0"), &state)
        .unwrap()
        .expect_ok();
    assert!(!out.has_flag("ha.available"));
    assert!(
        out.logs_at(Level::Warning)
            .iter()
            .any(|l| l.contains("unrecognised clustered value")),
        "{:?}",
        out.logs
    );
}

#[test]
fn json_true_is_clustered() {
    let ctx = context();
    let rel = Relation::new("ha", 1, "hacluster")
        .with_unit_json("hacluster/0", json!({"clustered": true}));
    let state = State::new().with_unit("app/0").with_relation(rel.clone());
    let out = ctx
        .run(Event::relation_changed(&rel, "hacluster/0"), &state)
        .unwrap()
        .expect_ok();
    assert!(out.has_flag("ha.available"));
}

#[test]
fn unreadable_stored_resources_are_ignored() {
    let ctx = context();
    let rel = relation(BTreeMap::new());
    let state = State::new()
        .with_unit("app/0")
        .with_relation(rel.clone())
        .with_kv("hacluster.ha.resources", json!("garbage"));
    OPS.with(|o| {
        *o.borrow_mut() = json!([
            ["add_init_service", ["svc", "haproxy"], {}],
            ["bind_resources", [], {}]
        ])
    });
    let out = ctx
        .run(Event::relation_joined(&rel, "hacluster/0"), &state)
        .unwrap()
        .expect_ok();
    OPS.with(|o| *o.borrow_mut() = Value::Null);
    assert!(
        out.logs_at(Level::Warning)
            .iter()
            .any(|l| l.contains("unreadable stored resources"))
    );
    let data = &out.relation(&rel).local_unit_data;
    assert_eq!(
        data["json_resources"],
        r#"{"res_svc_haproxy": "lsb:haproxy"}"#
    );
    assert_eq!(data["corosync_mcastport"], "4440");
}

#[test]
fn unreadable_stored_resources_are_an_error_naming_the_key() {
    let ctx = context();
    let rel = relation(BTreeMap::new());
    let state = State::new()
        .with_unit("app/0")
        .with_relation(rel.clone())
        .with_kv("hacluster.ha.resources", json!("garbage"));
    OPS.with(|o| *o.borrow_mut() = json!([["stored_resources"]]));
    let out = ctx
        .run(Event::relation_joined(&rel, "hacluster/0"), &state)
        .unwrap();
    OPS.with(|o| *o.borrow_mut() = Value::Null);
    let error = format!("{:?}", out.error.expect("the hook fails"));
    assert!(error.contains("hacluster.ha.resources"), "{error}");
    // Nothing stored is no configuration, not an error.
    let state = State::new().with_unit("app/0").with_relation(rel.clone());
    OPS.with(|o| *o.borrow_mut() = json!([["stored_resources"]]));
    let out = ctx
        .run(Event::relation_joined(&rel, "hacluster/0"), &state)
        .unwrap();
    OPS.with(|o| *o.borrow_mut() = Value::Null);
    assert!(out.is_ok());
}

#[test]
fn invalid_vip_fails_the_hook_without_publishing() {
    let ctx = context();
    let rel = relation(BTreeMap::new());
    let state = State::new().with_unit("app/0").with_relation(rel.clone());
    OPS.with(|o| {
        *o.borrow_mut() = json!([["add_vip", ["ks", "nope"], {}], ["bind_resources", [], {}]])
    });
    let out = ctx
        .run(Event::relation_joined(&rel, "hacluster/0"), &state)
        .unwrap();
    OPS.with(|o| *o.borrow_mut() = Value::Null);
    assert!(!out.is_ok());
    assert!(out.relation(&rel).local_unit_data.is_empty());
}
