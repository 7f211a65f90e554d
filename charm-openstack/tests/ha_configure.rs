//! `charm_openstack::ha::configure` and `ha::status` in hooks, through the
//! harness: an OpenStack charm (`glance`) whose handler on `ha.connected`
//! calls `configure`, and whose assessment uses `status`.

use std::collections::BTreeMap;

use charm_interfaces::hacluster::Hacluster;
use charm_openstack::ha::{self, Configured, HaStatus};
use charm_openstack::{Definition, OpenStack, OpenStackCharms, Release};
use charm_runtime::endpoint::Interface;
use charm_runtime::harness::{Context, Event, Network, Output, Relation, State};
use charm_runtime::prelude::*;
use charm_runtime::{Registry, Status};

fn charms() -> OpenStackCharms {
    OpenStackCharms::new(Definition::new("glance", Release::CARACAL))
}
charm_openstack::register!(charms);

#[when("ha.connected")]
fn configure_ha(os: OpenStack, ha: &Hacluster, flags: Flags) -> Result<(), Error> {
    // What was configured, for the tests to see.
    match ha::configure(&os, ha)? {
        Configured::NotRequested => flags.set("test.not-requested"),
        Configured::Invalid(_) => flags.set("test.invalid"),
        Configured::Applied { plan, deleted } => {
            flags.set_value("test.applied", &plan.managed())?;
            flags.set_value("test.deleted", &deleted)?;
        }
    }
    Ok(())
}

/// Every hook.
#[when_not("test.never")]
fn assess_status(ctx: Ctx) {
    ctx.status_at_exit(|ctx| {
        let os = OpenStack::of(ctx)?;
        let ha = Hacluster::from_endpoint(ctx.endpoint("ha")?);
        Ok(match ha::status(&os, &ha)? {
            HaStatus::Clustered => Status::active("clustered"),
            other => other.to_status().unwrap_or(Status::active("ready")),
        })
    });
}

const METADATA: &str = "
name: glance
extra-bindings: {public: , internal: , admin: }
requires:
  ha: {interface: hacluster, scope: container}
";

const CONFIG: &str = "
options:
  vip: {type: string, default: ''}
  vip_iface: {type: string, default: eth0}
  vip_cidr: {type: int, default: 24}
  dns-ha: {type: boolean, default: false}
  os-public-hostname: {type: string, default: ''}
  os-internal-hostname: {type: string, default: ''}
  os-admin-hostname: {type: string, default: ''}
";

const UNIT: &str = "glance-hacluster/0";

fn charm() -> Context {
    Context::from_yaml(METADATA, |m: &_| Registry::for_charm("", m))
        .unwrap()
        .with_config_yaml(CONFIG)
        .unwrap()
}

fn ha() -> Relation {
    Relation::new("ha", 3, "glance-hacluster").with_unit(UNIT)
}

fn joined(ctx: &Context, state: State) -> Output {
    ctx.run(
        Event::relation_joined(&ha(), UNIT),
        &state.with_relation(ha()),
    )
    .unwrap()
    .expect_ok()
}

fn changed(
    ctx: &Context,
    state: State,
    option: &str,
    value: impl Into<serde_json::Value>,
) -> Output {
    ctx.run(Event::config_changed(), &state.with_config(option, value))
        .unwrap()
        .expect_ok()
}

fn published(out: &Output) -> &BTreeMap<String, String> {
    &out.relation(ha()).local_unit_data
}

fn flag_value<T: serde::de::DeserializeOwned>(out: &Output, flag: &str) -> T {
    let value = out
        .state
        .flags
        .get(flag)
        .unwrap_or_else(|| panic!("{flag} unset"));
    serde_json::from_value(value.clone()).unwrap()
}

#[test]
fn stale_resources_are_deleted_before_the_new_ones_are_added() {
    let ctx = charm();
    let out = joined(
        &ctx,
        State::new().with_config("vip", "192.0.2.100 10.5.0.10"),
    );
    assert_eq!(
        flag_value::<Vec<String>>(&out, "test.applied"),
        [
            "colo_grp_glance_vips_with_haproxy",
            "grp_glance_vips",
            "res_glance_e3989ae_vip",
            "res_glance_eth0_vip",
        ]
    );
    assert_eq!(
        flag_value::<Vec<String>>(&out, "test.deleted"),
        Vec::<String>::new()
    );
    assert_eq!(
        published(&out)["json_groups"],
        r#"{"grp_glance_vips": "res_glance_e3989ae_vip res_glance_eth0_vip"}"#
    );
    assert_eq!(
        out.state.unit_status,
        Some(Status::waiting(ha::WAITING_CLUSTER))
    );

    // One VIP goes: its resource is deleted, the group rebuilt.
    let out = changed(&ctx, out.state, "vip", "192.0.2.100");
    assert_eq!(
        flag_value::<Vec<String>>(&out, "test.deleted"),
        ["res_glance_eth0_vip"]
    );
    let data = published(&out);
    assert_eq!(
        data["json_resources"],
        r#"{"res_glance_e3989ae_vip": "ocf:heartbeat:IPaddr2", "res_glance_haproxy": "lsb:haproxy"}"#
    );
    assert_eq!(
        data["json_groups"],
        r#"{"grp_glance_vips": "res_glance_e3989ae_vip"}"#
    );
    assert_eq!(data["json_delete_resources"], r#"["res_glance_eth0_vip"]"#);

    // DNS HA: the VIP, its group and colocation go.
    let state = out
        .state
        .with_config("os-public-hostname", "glance.example.com");
    let out = changed(&ctx, state, "dns-ha", true);
    assert_eq!(
        flag_value::<Vec<String>>(&out, "test.deleted"),
        [
            "colo_grp_glance_vips_with_haproxy",
            "grp_glance_vips",
            "res_glance_e3989ae_vip"
        ]
    );
    let data = published(&out);
    assert_eq!(
        data["json_resources"],
        r#"{"res_glance_haproxy": "lsb:haproxy", "res_glance_public_hostname": "ocf:maas:dns"}"#
    );
    assert_eq!(
        data["json_colocations"],
        r#"{"colo_grp_glance_hostnames_with_haproxy": "inf: grp_glance_hostnames cl_res_glance_haproxy"}"#
    );
    assert!(
        out.logs
            .iter()
            .any(|(_, l)| l == "hacluster: deleting grp_glance_vips"),
        "{:?}",
        out.logs
    );

    // Unchanged: nothing deleted, nothing published.
    let again = ctx
        .run(Event::update_status(), &out.state)
        .unwrap()
        .expect_ok();
    assert_eq!(
        flag_value::<Vec<String>>(&again, "test.deleted"),
        Vec::<String>::new()
    );
    assert_eq!(again.calls("relation-set"), 0);
}

#[test]
fn bad_config_changes_nothing_and_blocks() {
    let ctx = charm();
    let out = joined(&ctx, State::new().with_config("vip", "10.5.0.10"));
    let before = published(&out).clone();
    let out = changed(&ctx, out.state, "vip_iface", "eth0\"; rm -rf / #");
    assert!(out.has_flag("test.invalid"));
    assert_eq!(out.calls("relation-set"), 0);
    assert_eq!(published(&out), &before);
    let status = out.state.unit_status.clone().unwrap();
    assert_eq!(status.state, StatusState::Blocked);
    assert!(
        status.message.starts_with("invalid vip_iface: "),
        "{status:?}"
    );

    // Fixed: the resources follow the new interface.
    let out = changed(&ctx, out.state, "vip_iface", "ens4");
    assert_eq!(
        flag_value::<Vec<String>>(&out, "test.deleted"),
        ["res_glance_eth0_vip"]
    );
    assert_eq!(published(&out)["corosync_bindiface"], "ens4");
}

#[test]
fn status_without_a_vip_then_until_clustered() {
    let ctx = charm();
    // Not related: nothing to say.
    let out = ctx
        .run(Event::update_status(), &State::new())
        .unwrap()
        .expect_ok();
    assert_eq!(out.state.unit_status, Some(Status::active("ready")));

    // Related without vip or dns-ha: blocked, nothing published.
    let out = joined(&ctx, out.state);
    assert!(out.has_flag("test.not-requested"));
    assert_eq!(
        out.state.unit_status,
        Some(Status::blocked(ha::MISSING_CONFIG))
    );
    assert!(published(&out).is_empty());

    let out = changed(&ctx, out.state, "vip", "10.5.0.10");
    assert_eq!(
        out.state.unit_status,
        Some(Status::waiting(ha::WAITING_CLUSTER))
    );

    let mut state = out.state;
    let rel = state.relations.iter_mut().find(|r| r.id == 3).unwrap();
    rel.remote_units.insert(
        UNIT.to_owned(),
        [("clustered".to_owned(), "yes".to_owned())].into(),
    );
    let rel = rel.clone();
    let out = ctx
        .run(Event::relation_changed(&rel, UNIT), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(out.state.unit_status, Some(Status::active("clustered")));
}

#[test]
fn a_bad_config_blocks_even_without_hacluster() {
    let ctx = charm();
    let out = changed(&ctx, State::new(), "os-admin-hostname", "bad_name");
    assert_eq!(
        out.state.unit_status,
        Some(Status::blocked(
            r#"invalid os-admin-hostname: "bad_name" is not a DNS name"#
        ))
    );
}

#[test]
fn dns_records_point_at_each_bindings_ingress_address() {
    let ctx = charm();
    let state = State::new()
        .with_config("dns-ha", true)
        .with_config("os-internal-hostname", "glance-int.example.com")
        .with_network("internal", Network::from_address("10.20.0.5"));
    let out = joined(&ctx, state);
    let params = &published(&out)["json_resource_params"];
    assert!(
        params.contains(
            r#""res_glance_int_hostname": "  params  fqdn=\"glance-int.example.com\" ip_address=\"10.20.0.5\"""#
        ),
        "{params}"
    );
}

#[test]
fn network_get_is_asked_only_when_ha_is() {
    let ctx = charm();
    let out = joined(&ctx, State::new());
    assert_eq!(out.calls("network-get"), 0);
    let out = changed(&ctx, out.state, "vip", "10.5.0.10");
    assert!(out.calls("network-get") > 0);
}
