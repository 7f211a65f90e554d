//! The keystone-ha charm through the harness: install, config changes and
//! the `ha` relation's hooks, asserting the flags, the Pacemaker
//! configuration published to hacluster (byte for byte, as the hacluster
//! charm reads it) and the status.

use std::collections::BTreeMap;

use charm_runtime::harness::{Context, Event, Network, Output, Relation, State};
use charm_runtime::{Status, StatusState};

fn charm() -> Context {
    Context::from_charm_dir(env!("CARGO_MANIFEST_DIR")).unwrap()
}

fn ha() -> Relation {
    Relation::new("ha", 7, "keystone-hacluster").with_unit("keystone-hacluster/0")
}

const UNIT: &str = "keystone-hacluster/0";

/// The resource meta and monitor of a VIP, as the interface writes them.
const VIP_TAIL: &str = "  meta migration-threshold=\"INFINITY\" failure-timeout=\"5s\"  op monitor timeout=\"20s\" interval=\"10s\" depth=\"0\"";
const HAPROXY_PARAMS: &str =
    "  meta migration-threshold=\"INFINITY\" failure-timeout=\"5s\"  op monitor interval=\"5s\"";

/// Install in `state`, then let hacluster join.
fn installed_and_joined(ctx: &Context, state: State) -> Output {
    let out = ctx.run(Event::install(), &state).unwrap().expect_ok();
    let state = out.state.with_relation(ha());
    ctx.run(Event::relation_joined(&ha(), UNIT), &state)
        .unwrap()
        .expect_ok()
}

fn published(out: &Output) -> &BTreeMap<String, String> {
    &out.relation(ha()).local_unit_data
}

/// The hacluster unit says `clustered`.
fn remote_says(state: State, clustered: &str) -> (State, Relation) {
    let mut state = state;
    let rel = state.relations.iter_mut().find(|r| r.id == 7).unwrap();
    rel.remote_units.insert(
        UNIT.to_owned(),
        [("clustered".to_owned(), clustered.to_owned())].into(),
    );
    let rel = rel.clone();
    (state, rel)
}

fn config_changed(
    ctx: &Context,
    state: State,
    option: &str,
    value: impl Into<serde_json::Value>,
) -> Output {
    ctx.run(Event::config_changed(), &state.with_config(option, value))
        .unwrap()
        .expect_ok()
}

#[test]
fn one_ipv4_vip_is_published_when_hacluster_joins() {
    let ctx = charm();
    let out = ctx
        .run(
            Event::install(),
            &State::new().with_config("vip", "10.5.0.10"),
        )
        .unwrap()
        .expect_ok();
    assert_eq!(
        out.state.workload_version.as_deref(),
        Some(keystone_ha::VERSION)
    );
    // The install shows its progress at once; one final status follows.
    let shown: Vec<&Status> = out.status_history.iter().map(|c| &c.status).collect();
    assert_eq!(
        shown,
        [
            &Status::maintenance("installing keystone, apache2 and haproxy"),
            &Status::active("Unit is ready")
        ]
    );
    // No hacluster yet: the VIP is only configuration.
    assert_eq!(out.state.unit_status, Some(Status::active("Unit is ready")));

    let state = out.state.with_relation(ha());
    let out = ctx
        .run(Event::relation_joined(&ha(), UNIT), &state)
        .unwrap()
        .expect_ok();
    assert!(out.has_flag("ha.connected"));
    assert!(!out.has_flag("ha.available"));
    assert!(
        out.invoked
            .contains(&"keystone_ha::configure_ha".to_owned())
    );
    // 10.5.0.10 is on none of the unit's networks (192.0.2.0/24): the
    // fallback vip-iface/vip-cidr, and the resource named after the NIC.
    let expected: BTreeMap<String, String> = [
        ("corosync_bindiface", "eth0".to_owned()),
        ("corosync_mcastport", "4440".to_owned()),
        (
            "json_clones",
            r#"{"cl_res_keystone_haproxy": "res_keystone_haproxy"}"#.to_owned(),
        ),
        (
            "json_colocations",
            r#"{"colo_grp_keystone_vips_with_haproxy": "inf: grp_keystone_vips cl_res_keystone_haproxy"}"#
                .to_owned(),
        ),
        ("json_delete_resources", "[]".to_owned()),
        (
            "json_groups",
            r#"{"grp_keystone_vips": "res_keystone_eth0_vip"}"#.to_owned(),
        ),
        ("json_init_services", r#"["haproxy"]"#.to_owned()),
        ("json_locations", "{}".to_owned()),
        ("json_ms", "{}".to_owned()),
        ("json_orders", "{}".to_owned()),
        (
            "json_resource_params",
            format!(
                r#"{{"res_keystone_eth0_vip": "  params ip=\"10.5.0.10\" nic=\"eth0\" cidr_netmask=\"24\"{}", "res_keystone_haproxy": "{}"}}"#,
                VIP_TAIL.replace('"', "\\\""),
                HAPROXY_PARAMS.replace('"', "\\\"")
            ),
        ),
        (
            "json_resources",
            r#"{"res_keystone_eth0_vip": "ocf:heartbeat:IPaddr2", "res_keystone_haproxy": "lsb:haproxy"}"#
                .to_owned(),
        ),
        ("json_systemd_services", "[]".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(published(&out), &expected);
    assert_eq!(
        out.state.unit_status,
        Some(Status::waiting(
            "waiting for the hacluster subordinate to form the cluster"
        ))
    );
}

#[test]
fn two_vips_ipv4_and_ipv6_on_the_units_networks() {
    let ctx = charm();
    // The internal binding is on an IPv6 subnet, public and admin on the
    // default 192.0.2.0/24 (eth0).
    let state = State::new()
        .with_config("vip", "192.0.2.100 2001:db8::100")
        .with_network("internal", Network::from_address("2001:db8::10"));
    let out = ctx.run(Event::install(), &state).unwrap().expect_ok();
    let state = out.state.with_relation(ha());
    let out = ctx
        .run(Event::relation_joined(&ha(), UNIT), &state)
        .unwrap()
        .expect_ok();
    let data = published(&out);
    // Found on an interface: no NIC or netmask (IPaddr2 works them out),
    // the IPv4 resource named after the address's SHA-1, the IPv6 one as
    // the Python layer names it without a NIC; the resource of the old
    // naming after the NIC is deleted, as charms.openstack does.
    assert_eq!(
        data["json_resources"],
        r#"{"res_keystone_None_ipv6addr_vip": "ocf:heartbeat:IPv6addr", "res_keystone_e3989ae_vip": "ocf:heartbeat:IPaddr2", "res_keystone_haproxy": "lsb:haproxy"}"#
    );
    let tail = VIP_TAIL.replace('"', "\\\"");
    assert_eq!(
        data["json_resource_params"],
        format!(
            r#"{{"res_keystone_None_ipv6addr_vip": "  params ipv6addr=\"2001:db8::100\"{tail}", "res_keystone_e3989ae_vip": "  params ip=\"192.0.2.100\"{tail}", "res_keystone_haproxy": "{}"}}"#,
            HAPROXY_PARAMS.replace('"', "\\\"")
        )
    );
    assert_eq!(
        data["json_groups"],
        r#"{"grp_keystone_vips": "res_keystone_None_ipv6addr_vip res_keystone_e3989ae_vip"}"#
    );
    assert_eq!(
        data["json_delete_resources"],
        r#"["res_keystone_eth0_vip"]"#
    );
    assert_eq!(
        data["json_colocations"],
        r#"{"colo_grp_keystone_vips_with_haproxy": "inf: grp_keystone_vips cl_res_keystone_haproxy"}"#
    );
}

#[test]
fn two_fallback_vips_use_vip_iface_and_vip_cidr() {
    let ctx = charm();
    let out = installed_and_joined(
        &ctx,
        State::new()
            .with_config("vip", "10.5.0.10 fd00::10")
            .with_config("vip-iface", "ens4")
            .with_config("vip-cidr", 16),
    );
    let data = published(&out);
    assert_eq!(data["corosync_bindiface"], "ens4");
    assert_eq!(
        data["json_resources"],
        r#"{"res_keystone_ens4_ipv6addr_vip": "ocf:heartbeat:IPv6addr", "res_keystone_ens4_vip": "ocf:heartbeat:IPaddr2", "res_keystone_haproxy": "lsb:haproxy"}"#
    );
    let params = &data["json_resource_params"];
    assert!(
        params
            .contains(r#""  params ipv6addr=\"fd00::10\" nic=\"ens4\" cidr_netmask=\"16\"  meta"#),
        "{params}"
    );
    assert!(
        params.contains(r#""  params ip=\"10.5.0.10\" nic=\"ens4\" cidr_netmask=\"16\"  meta"#),
        "{params}"
    );
    assert_eq!(data["json_delete_resources"], "[]");
}

#[test]
fn changing_the_vip_deletes_the_old_resource() {
    let ctx = charm();
    let out = installed_and_joined(&ctx, State::new().with_config("vip", "192.0.2.100"));
    assert!(published(&out)["json_resources"].contains("res_keystone_e3989ae_vip"));

    let out = config_changed(&ctx, out.state, "vip", "192.0.2.101");
    let data = published(&out);
    assert_eq!(
        data["json_resources"],
        r#"{"res_keystone_3b93507_vip": "ocf:heartbeat:IPaddr2", "res_keystone_haproxy": "lsb:haproxy"}"#
    );
    assert_eq!(
        data["json_delete_resources"],
        r#"["res_keystone_eth0_vip", "res_keystone_e3989ae_vip"]"#
    );
    assert_eq!(
        data["json_groups"],
        r#"{"grp_keystone_vips": "res_keystone_3b93507_vip"}"#
    );
    assert!(!data["json_resource_params"].contains("192.0.2.100"));
    assert!(
        out.logs
            .iter()
            .any(|(_, l)| l == "hacluster: deleting res_keystone_e3989ae_vip"),
        "{:?}",
        out.logs
    );

    // The same config again: nothing new to say.
    let again = ctx
        .run(Event::config_changed(), &out.state)
        .unwrap()
        .expect_ok();
    assert_eq!(again.calls("relation-set"), 0);
    assert_eq!(published(&again), data);

    // IPv4 to IPv6: the IPv4 VIP goes too.
    let out = config_changed(&ctx, out.state, "vip", "fd00::10");
    let data = published(&out);
    assert_eq!(
        data["json_resources"],
        r#"{"res_keystone_eth0_ipv6addr_vip": "ocf:heartbeat:IPv6addr", "res_keystone_haproxy": "lsb:haproxy"}"#
    );
    assert_eq!(
        data["json_delete_resources"],
        r#"["res_keystone_eth0_vip", "res_keystone_e3989ae_vip", "res_keystone_3b93507_vip"]"#
    );
    assert_eq!(
        data["json_groups"],
        r#"{"grp_keystone_vips": "res_keystone_eth0_ipv6addr_vip"}"#
    );
}

#[test]
fn status_follows_clustered() {
    let ctx = charm();
    let out = installed_and_joined(&ctx, State::new().with_config("vip", "10.5.0.10"));
    let waiting = Some(Status::waiting(
        "waiting for the hacluster subordinate to form the cluster",
    ));
    assert_eq!(out.state.unit_status, waiting);

    // Not clustered yet.
    let (state, rel) = remote_says(out.state, "no");
    let out = ctx
        .run(Event::relation_changed(&rel, UNIT), &state)
        .unwrap()
        .expect_ok();
    assert!(!out.has_flag("ha.available"));
    assert_eq!(out.state.unit_status, waiting);

    // Clustered.
    let (state, rel) = remote_says(out.state, "yes");
    let out = ctx
        .run(Event::relation_changed(&rel, UNIT), &state)
        .unwrap()
        .expect_ok();
    assert!(out.has_flag("ha.available"));
    assert_eq!(
        out.state.unit_status,
        Some(Status::active("Unit is ready and clustered"))
    );
    // Nothing to tell hacluster again.
    assert_eq!(out.calls("relation-set"), 0);

    // The subordinate goes away: back to a plain unit.
    let out = ctx
        .run(Event::relation_departed(&rel, UNIT), &out.state)
        .unwrap()
        .expect_ok();
    assert!(!out.has_flag("ha.connected"));
    assert!(!out.has_flag("ha.available"));
    let out = ctx
        .run(Event::relation_broken(&rel), &out.state)
        .unwrap()
        .expect_ok();
    assert_eq!(out.state.unit_status, Some(Status::active("Unit is ready")));
}

#[test]
fn unchanged_config_publishes_nothing_new() {
    let ctx = charm();
    let out = installed_and_joined(
        &ctx,
        State::new().with_config("vip", "192.0.2.100 fd00::10"),
    );
    assert!(out.calls("relation-set") > 0);
    let before = published(&out).clone();

    for event in [
        Event::config_changed(),
        Event::update_status(),
        Event::relation_changed(&ha(), UNIT),
        Event::upgrade_charm(),
    ] {
        let name = event.name();
        let out = ctx.run(event, &out.state).unwrap().expect_ok();
        assert!(
            out.invoked
                .contains(&"keystone_ha::configure_ha".to_owned()),
            "{name}"
        );
        assert_eq!(out.calls("relation-set"), 0, "{name}");
        assert_eq!(published(&out), &before, "{name}");
    }
}

#[test]
fn a_bad_vip_blocks_and_publishes_nothing() {
    let ctx = charm();
    let out = installed_and_joined(
        &ctx,
        State::new().with_config("vip", "10.5.0.10 10.0.0.300 not-an-ip"),
    );
    assert_eq!(
        out.state.unit_status,
        Some(Status::blocked(
            r#"invalid vip: "10.0.0.300", "not-an-ip" are not an IPv4 or IPv6 address"#
        ))
    );
    assert!(published(&out).is_empty());
    assert_eq!(out.calls("relation-set"), 0);

    // Fixed: published, waiting for the cluster.
    let out = config_changed(&ctx, out.state, "vip", "10.5.0.10");
    assert!(published(&out)["json_resources"].contains("res_keystone_eth0_vip"));
    assert_eq!(out.state.unit_status.unwrap().state, StatusState::Waiting);
}

#[test]
fn a_bad_vip_after_a_good_one_leaves_the_cluster_alone() {
    let ctx = charm();
    let out = installed_and_joined(&ctx, State::new().with_config("vip", "10.5.0.10"));
    let before = published(&out).clone();
    let out = config_changed(&ctx, out.state, "vip", "10.5.0.1O");
    assert_eq!(
        out.state.unit_status,
        Some(Status::blocked(
            r#"invalid vip: "10.5.0.1O" is not an IPv4 or IPv6 address"#
        ))
    );
    assert_eq!(out.calls("relation-set"), 0);
    assert_eq!(published(&out), &before);
}

#[test]
fn vips_sharing_a_resource_name_block() {
    let ctx = charm();
    // Both fall back to vip-iface: both would be res_keystone_eth0_vip.
    let out = installed_and_joined(&ctx, State::new().with_config("vip", "10.5.0.10 10.5.0.11"));
    assert_eq!(
        out.state.unit_status,
        Some(Status::blocked(
            "vip: 10.5.0.10 and 10.5.0.11 would both be resource res_keystone_eth0_vip"
        ))
    );
    assert!(published(&out).is_empty());
}

#[test]
fn a_bad_vip_cidr_blocks() {
    let ctx = charm();
    let state = State::new()
        .with_config("vip", "10.5.0.10")
        .with_config("vip-cidr", 33);
    let out = ctx.run(Event::install(), &state).unwrap().expect_ok();
    assert_eq!(
        out.state.unit_status,
        Some(Status::blocked(
            "invalid vip-cidr: 33 is not a netmask length for 10.5.0.10 (0-32)"
        ))
    );
}

#[test]
fn a_related_unit_without_vip_is_blocked() {
    let ctx = charm();
    let out = installed_and_joined(&ctx, State::new());
    assert_eq!(
        out.state.unit_status,
        Some(Status::blocked(
            "hacluster missing configuration: vip, vip-iface, vip-cidr"
        ))
    );
    assert!(published(&out).is_empty());
}

#[test]
fn bad_remote_data_does_not_fail_the_hook() {
    let ctx = charm();
    let out = installed_and_joined(&ctx, State::new().with_config("vip", "10.5.0.10"));
    let (state, rel) = remote_says(out.state, "{not json");
    let out = ctx
        .run(Event::relation_changed(&rel, UNIT), &state)
        .unwrap()
        .expect_ok();
    assert!(!out.has_flag("ha.available"));
    assert_eq!(out.state.unit_status.unwrap().state, StatusState::Waiting);
}

#[test]
fn dns_ha_replaces_the_vips() {
    let ctx = charm();
    let state = State::new()
        .with_config("vip", "10.5.0.10")
        .with_network("public", Network::from_address("10.20.0.5"));
    let out = ctx.run(Event::install(), &state).unwrap().expect_ok();
    let out = ctx
        .run(
            Event::relation_joined(&ha(), UNIT),
            &out.state.with_relation(ha()),
        )
        .unwrap()
        .expect_ok();
    assert!(published(&out)["json_resources"].contains("res_keystone_eth0_vip"));

    // dns-ha without a hostname: blocked, nothing changes.
    let out = config_changed(&ctx, out.state, "dns-ha", true);
    assert_eq!(
        out.state.unit_status,
        Some(Status::blocked(
            "dns-ha needs at least one of os-public-hostname, os-internal-hostname, os-admin-hostname"
        ))
    );
    assert_eq!(out.calls("relation-set"), 0);

    // A bad hostname is named.
    let out = config_changed(
        &ctx,
        out.state,
        "os-public-hostname",
        "keystone_.example.com",
    );
    assert_eq!(
        out.state.unit_status,
        Some(Status::blocked(
            r#"invalid os-public-hostname: "keystone_.example.com" is not a DNS name"#
        ))
    );

    // A good one: the record replaces the VIP, its group and colocation.
    let out = config_changed(
        &ctx,
        out.state,
        "os-public-hostname",
        "keystone.example.com",
    );
    let data = published(&out);
    assert_eq!(
        data["json_resources"],
        r#"{"res_keystone_haproxy": "lsb:haproxy", "res_keystone_public_hostname": "ocf:maas:dns"}"#
    );
    assert!(
        data["json_resource_params"].contains(
            r#""res_keystone_public_hostname": "  params  fqdn=\"keystone.example.com\" ip_address=\"10.20.0.5\"""#
        ),
        "{}",
        data["json_resource_params"]
    );
    assert_eq!(
        data["json_groups"],
        r#"{"grp_keystone_hostnames": "res_keystone_public_hostname"}"#
    );
    assert_eq!(
        data["json_colocations"],
        r#"{"colo_grp_keystone_hostnames_with_haproxy": "inf: grp_keystone_hostnames cl_res_keystone_haproxy"}"#
    );
    assert_eq!(
        data["json_delete_resources"],
        r#"["colo_grp_keystone_vips_with_haproxy", "grp_keystone_vips", "res_keystone_eth0_vip"]"#
    );
    assert_eq!(out.state.unit_status.unwrap().state, StatusState::Waiting);
}

#[test]
fn scenarios_juju_could_not_produce_are_refused() {
    let ctx = charm();
    let state = State::new()
        .with_config("vip", 10)
        .with_network("private", Network::from_address("10.0.0.1"));
    let err = ctx.run(Event::install(), &state).unwrap_err();
    let problems = err.problems.join("\n");
    assert!(problems.contains("vip"), "{problems}");
    assert!(problems.contains("private"), "{problems}");
}

/// An operator's `vip-iface` that would break out of the Pacemaker text
/// (`nic="eth0"; rm -rf / #"`) blocks the unit naming the option, and
/// nothing reaches hacluster: not the value, not any resource.
#[test]
fn a_vip_iface_that_is_no_interface_name_blocks_and_publishes_nothing() {
    let ctx = charm();
    let hostile = "eth0\"; rm -rf / #";
    let out = installed_and_joined(
        &ctx,
        State::new()
            .with_config("vip", "10.5.0.10")
            .with_config("vip-iface", hostile)
            .with_config("vip-cidr", 16),
    );
    let status = out.state.unit_status.clone().unwrap();
    assert_eq!(status.state, StatusState::Blocked, "{status:?}");
    assert!(
        status.message.starts_with("invalid vip-iface: "),
        "{status:?}"
    );
    assert!(published(&out).is_empty(), "{:?}", published(&out));
    // Only the status names it, quoted and escaped.
    let relations = format!("{:?}", out.state.relations);
    assert!(!relations.contains("rm -rf"), "{relations}");
    assert_eq!(out.calls("relation-set"), 0);
    assert!(!out.has_flag("ha.available"));
}
