//! The HA plan of `charm_openstack::ha`, without a hook: the settings read
//! from config, resource naming, groups, DNS HA, and bad input refused with
//! an error naming the option.

use std::collections::BTreeMap;

use charm_openstack::ha::{self, EndpointType, HaConfig, HaConfigError, HaError, HaPlan};
use charm_runtime::config::ConfigValues;
use charm_runtime::network::NetworkInfo;
use serde_json::json;

fn config(values: serde_json::Value) -> Result<HaConfig, HaError> {
    HaConfig::from_values(&ConfigValues::new(values.as_object().unwrap().clone()))
}

fn invalid(values: serde_json::Value) -> HaConfigError {
    match config(values) {
        Err(HaError::Invalid(e)) => e,
        other => panic!("expected an invalid config, got {other:?}"),
    }
}

/// A binding on `iface` with `address` in `cidr`, ingress at `address`.
fn binding(iface: &str, address: &str, cidr: &str) -> NetworkInfo {
    NetworkInfo::from_json(&json!({
        "bind-addresses": [{"interface-name": iface,
            "addresses": [{"value": address, "cidr": cidr}]}],
        "ingress-addresses": [address],
    }))
    .unwrap()
}

/// public and admin on 192.0.2.0/24 (eth0), internal on 2001:db8::/64 (eth1).
fn networks() -> BTreeMap<String, NetworkInfo> {
    [
        ("public", binding("eth0", "192.0.2.10", "192.0.2.0/24")),
        ("admin", binding("eth0", "192.0.2.10", "192.0.2.0/24")),
        ("internal", binding("eth1", "2001:db8::10", "2001:db8::/64")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

fn plan_of(values: serde_json::Value) -> Result<HaPlan, HaError> {
    ha::plan("keystone", &config(values)?, &networks())
}

fn keys<V>(map: &BTreeMap<String, V>) -> Vec<&str> {
    map.keys().map(String::as_str).collect()
}

#[test]
fn settings_are_read_and_checked() {
    let c = config(json!({
        "vip": " 10.5.0.10  2001:db8::100 10.5.0.10 ",
        "vip_iface": "ens4",
        "vip_cidr": 16,
        "dns-ha": false,
        "os-public-hostname": "keystone.example.com",
        "os-internal-hostname": "",
        "os-admin-hostname": null,
    }))
    .unwrap();
    assert_eq!(
        c.vips,
        [
            "10.5.0.10".parse::<std::net::IpAddr>().unwrap(),
            "2001:db8::100".parse().unwrap()
        ]
    );
    assert_eq!(c.vip_iface.as_deref(), Some("ens4"));
    assert_eq!(c.vip_cidr, Some(16));
    assert!(!c.dns_ha);
    assert_eq!(
        c.hostnames,
        [(EndpointType::Public, "keystone.example.com".to_owned())].into()
    );
    assert!(c.is_requested());

    // Options the charm does not declare are unset: no HA asked.
    let none = config(json!({})).unwrap();
    assert_eq!(none, HaConfig::default());
    assert!(!none.is_requested());
    assert!(ha::plan("keystone", &none, &networks()).unwrap().is_empty());
}

#[test]
fn a_value_of_the_wrong_type_names_the_option() {
    let err = config(json!({"vip": 10})).unwrap_err();
    assert!(matches!(err, HaError::Config(_)), "{err:?}");
    assert!(err.to_string().contains("\"vip\""), "{err}");
    let err = config(json!({"dns-ha": "yes"})).unwrap_err();
    assert!(err.to_string().contains("\"dns-ha\""), "{err}");
}

#[test]
fn vips_on_the_units_networks_are_named_after_the_address() {
    let plan =
        plan_of(json!({"vip": "192.0.2.100 2001:db8::100", "vip_iface": "eth0", "vip_cidr": 24}))
            .unwrap();
    assert_eq!(
        keys(&plan.vips),
        ["res_keystone_None_ipv6addr_vip", "res_keystone_e3989ae_vip"]
    );
    // No NIC or netmask: the agent finds them.
    assert!(
        plan.vips
            .values()
            .all(|v| v.nic.is_none() && v.cidr.is_none())
    );
    // The older naming after the NIC each was found on is deleted.
    assert_eq!(
        plan.legacy,
        ["res_keystone_eth0_vip", "res_keystone_eth1_vip"]
    );
    assert_eq!(plan.bind_iface.as_deref(), Some("eth0"));
}

#[test]
fn other_vips_fall_back_to_vip_iface_and_vip_cidr() {
    let plan =
        plan_of(json!({"vip": "10.5.0.10 fd00::10", "vip_iface": "ens4", "vip_cidr": 16})).unwrap();
    assert_eq!(
        keys(&plan.vips),
        ["res_keystone_ens4_ipv6addr_vip", "res_keystone_ens4_vip"]
    );
    for vip in plan.vips.values() {
        assert_eq!(
            (vip.nic.as_deref(), vip.cidr.as_deref()),
            (Some("ens4"), Some("16"))
        );
    }
    assert!(plan.legacy.is_empty());

    // A fallback VIP taking the older name of a local one keeps it.
    let plan = plan_of(json!({"vip": "192.0.2.100 10.5.0.10", "vip_iface": "eth0"})).unwrap();
    assert_eq!(
        keys(&plan.vips),
        ["res_keystone_e3989ae_vip", "res_keystone_eth0_vip"]
    );
    assert!(plan.legacy.is_empty());
}

#[test]
fn groups_colocations_and_what_is_managed() {
    let plan = plan_of(json!({"vip": "10.5.0.10", "vip_iface": "eth0", "vip_cidr": 24})).unwrap();
    let group = plan.group().unwrap();
    assert_eq!(group.name, "grp_keystone_vips");
    assert_eq!(group.colocation, "colo_grp_keystone_vips_with_haproxy");
    assert_eq!(plan.haproxy.resource_name(), "res_keystone_haproxy");
    assert_eq!(plan.haproxy_clone(), "cl_res_keystone_haproxy");
    assert_eq!(
        plan.managed().into_iter().collect::<Vec<_>>(),
        [
            "colo_grp_keystone_vips_with_haproxy",
            "grp_keystone_vips",
            "res_keystone_eth0_vip"
        ]
    );
    // What a first hook would publish.
    let data = plan.crm().unwrap().relation_data();
    assert_eq!(
        data["json_groups"],
        r#"{"grp_keystone_vips": "res_keystone_eth0_vip"}"#
    );
    assert_eq!(
        data["json_colocations"],
        r#"{"colo_grp_keystone_vips_with_haproxy": "inf: grp_keystone_vips cl_res_keystone_haproxy"}"#
    );
    assert_eq!(
        data["json_clones"],
        r#"{"cl_res_keystone_haproxy": "res_keystone_haproxy"}"#
    );

    // Nothing to group without VIPs or records.
    let empty = plan_of(json!({})).unwrap();
    assert_eq!(empty.group(), None);
    assert!(empty.managed().is_empty());
}

#[test]
fn dns_ha_records_replace_the_vips() {
    let plan = plan_of(json!({
        "vip": "10.5.0.10",
        "dns-ha": true,
        "os-public-hostname": "keystone.example.com",
        "os-internal-hostname": "keystone-int.example.com",
    }))
    .unwrap();
    assert!(plan.vips.is_empty());
    // The internal record is `int`, as charms.openstack names it.
    assert_eq!(
        keys(&plan.dns),
        ["res_keystone_int_hostname", "res_keystone_public_hostname"]
    );
    let public = &plan.dns["res_keystone_public_hostname"];
    assert_eq!(
        (public.fqdn.as_str(), public.ip.as_str()),
        ("keystone.example.com", "192.0.2.10")
    );
    assert_eq!(plan.dns["res_keystone_int_hostname"].ip, "2001:db8::10");
    let group = plan.group().unwrap();
    assert_eq!(group.name, "grp_keystone_hostnames");
    assert_eq!(group.colocation, "colo_grp_keystone_hostnames_with_haproxy");
    let data = plan.crm().unwrap().relation_data();
    assert!(
        data["json_resource_params"].contains(
            r#""res_keystone_public_hostname": "  params  fqdn=\"keystone.example.com\" ip_address=\"192.0.2.10\"""#
        ),
        "{}",
        data["json_resource_params"]
    );
}

#[test]
fn dns_ha_needs_a_hostname_and_an_ip_to_point_at() {
    assert_eq!(
        ha::plan(
            "keystone",
            &config(json!({"dns-ha": true})).unwrap(),
            &networks()
        )
        .unwrap_err()
        .to_string(),
        "dns-ha needs at least one of os-public-hostname, os-internal-hostname, os-admin-hostname"
    );
    // A binding whose ingress address is a host name, not an IP.
    let mut nets = networks();
    nets.insert(
        "admin".to_owned(),
        NetworkInfo::from_json(&json!({"ingress-addresses": ["ks.internal"]})).unwrap(),
    );
    let c = config(json!({"dns-ha": true, "os-admin-hostname": "ks.example.com"})).unwrap();
    match ha::plan("keystone", &c, &nets) {
        Err(HaError::Invalid(e @ HaConfigError::NoAddress { .. })) => assert_eq!(
            e.to_string(),
            "dns-ha: no address on the admin binding for ks.example.com"
        ),
        other => panic!("{other:?}"),
    }
    // No binding at all.
    assert!(ha::plan("keystone", &c, &BTreeMap::new()).is_err());
}

#[test]
fn bad_vips_are_listed() {
    assert_eq!(
        invalid(json!({"vip": "10.5.0.10 10.0.0.300 not-an-ip"})).to_string(),
        r#"invalid vip: "10.0.0.300", "not-an-ip" are not an IPv4 or IPv6 address"#
    );
    assert_eq!(
        invalid(json!({"vip": "10.5.0.1O"})).to_string(),
        r#"invalid vip: "10.5.0.1O" is not an IPv4 or IPv6 address"#
    );
    // Quotes never reach the resource parameters.
    let e = invalid(json!({"vip": "10.5.0.10\"; rm -rf /"}));
    assert!(matches!(e, HaConfigError::Vip { .. }), "{e:?}");
}

#[test]
fn an_interface_that_is_not_one_is_refused() {
    for bad in [
        "eth0\"; rm -rf / #",
        "eth0 nic=eth1",
        "a-very-long-interface-name",
        "..",
        "eth\t0",
        "eth0/1",
    ] {
        let e = invalid(json!({"vip": "10.5.0.10", "vip_iface": bad}));
        assert_eq!(
            e,
            HaConfigError::Iface {
                option: "vip_iface",
                value: bad.trim().to_owned()
            },
            "{bad:?}"
        );
        assert!(e.to_string().starts_with("invalid vip_iface: "), "{e}");
    }
    // Even without a VIP: corosync binds on it.
    assert!(matches!(
        invalid(json!({"vip_iface": "eth0;reboot"})),
        HaConfigError::Iface { .. }
    ));
    for good in ["eth0", "ens4f0.100", "br-ex", "bond0_1"] {
        assert!(ha::is_iface(good), "{good}");
    }
}

#[test]
fn an_interface_juju_reports_badly_is_not_deleted_by_name() {
    let mut nets = BTreeMap::new();
    nets.insert(
        "public".to_owned(),
        binding("eth0\"x", "192.0.2.10", "192.0.2.0/24"),
    );
    let c = config(json!({"vip": "192.0.2.100"})).unwrap();
    let plan = ha::plan("keystone", &c, &nets).unwrap();
    assert_eq!(keys(&plan.vips), ["res_keystone_e3989ae_vip"]);
    assert!(plan.legacy.is_empty());
}

#[test]
fn a_hostname_that_is_not_a_dns_name_is_refused() {
    assert_eq!(
        invalid(json!({"os-public-hostname": "keystone_.example.com"})).to_string(),
        r#"invalid os-public-hostname: "keystone_.example.com" is not a DNS name"#
    );
    assert_eq!(
        invalid(json!({"os-admin-hostname": "ks.example.com\" ip_address=\"1.2.3.4"})),
        HaConfigError::Hostname {
            option: "os-admin-hostname",
            value: "ks.example.com\" ip_address=\"1.2.3.4".to_owned()
        }
    );
}

/// A charm that declares the kebab-case spelling (what charmcraft's linter
/// asks of new charms) is read with it, and its errors name it.
#[test]
fn kebab_case_fallback_options_are_read_and_named() {
    let plan = plan_of(json!({"vip": "10.5.0.10", "vip-iface": "ens4", "vip-cidr": 16})).unwrap();
    let vip = &plan.vips["res_keystone_ens4_vip"];
    assert_eq!(
        (vip.nic.as_deref(), vip.cidr.as_deref()),
        (Some("ens4"), Some("16"))
    );
    let err = plan_of(json!({"vip": "10.5.0.10", "vip-cidr": 33})).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid vip-cidr: 33 is not a netmask length for 10.5.0.10 (0-32)"
    );
    let err = invalid(json!({"vip-iface": "eth0;reboot"}));
    assert!(err.to_string().starts_with("invalid vip-iface: "), "{err}");
}

#[test]
fn vip_cidr_is_checked_for_each_fallback_vips_family() {
    let err = plan_of(json!({"vip": "10.5.0.10", "vip_cidr": 33})).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid vip_cidr: 33 is not a netmask length for 10.5.0.10 (0-32)"
    );
    let err = plan_of(json!({"vip": "fd00::10", "vip_cidr": -1})).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid vip_cidr: -1 is not a netmask length for fd00::10 (0-128)"
    );
    // Fine for IPv6; unused by a VIP on the unit's network.
    assert!(plan_of(json!({"vip": "fd00::10", "vip_cidr": 33})).is_ok());
    assert!(plan_of(json!({"vip": "192.0.2.100", "vip_cidr": 99})).is_ok());
}

#[test]
fn vips_sharing_a_resource_name_are_refused() {
    let err = plan_of(json!({"vip": "10.5.0.10 10.5.0.11", "vip_iface": "eth0"})).unwrap_err();
    assert_eq!(
        err.to_string(),
        "vip: 10.5.0.10 and 10.5.0.11 would both be resource res_keystone_eth0_vip"
    );
}

#[test]
fn a_service_name_that_cannot_be_an_id_is_refused() {
    let c = config(json!({"vip": "10.5.0.10"})).unwrap();
    for bad in ["", "key stone", "ks\"x"] {
        assert!(
            matches!(ha::plan(bad, &c, &networks()), Err(HaError::ServiceName(_))),
            "{bad:?}"
        );
    }
    // `-` is fine; DNS records underscore it, as the interface does.
    let c = config(json!({"dns-ha": true, "os-public-hostname": "dash.example.com"})).unwrap();
    let plan = ha::plan("openstack-dashboard", &c, &networks()).unwrap();
    assert_eq!(keys(&plan.dns), ["res_openstack_dashboard_public_hostname"]);
}
