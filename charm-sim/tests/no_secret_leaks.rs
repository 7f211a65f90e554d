//! Every example charm, run in the simulator until it settles: no
//! password reaches the arguments of a hook tool, a `juju-log` line (trace
//! events included), a hook's stdout or stderr, or a status. The passwords
//! are those the charms generate (held in Juju secrets), those their
//! related applications publish to them, and the content of every secret
//! of the model.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use charm_sim::Simulation;
use common::*;

fn deploy(sim: &mut Simulation, app: &str, units: u32, config: &[(&str, &str)]) {
    sim.deploy(
        app,
        workspace().join("examples").join(app),
        charm_binaries().join(app),
        units,
    )
    .unwrap();
    if !config.is_empty() {
        let values = config
            .iter()
            .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
            .collect();
        sim.config_set(app, values).unwrap();
    }
}

fn generated() -> String {
    charm_runtime::password::generate(24).unwrap()
}

/// Settle, then check that no password of `known` nor any secret's
/// content shows anywhere but where it belongs; returns how many
/// passwords were checked.
fn settle_and_check(sim: &mut Simulation, what: &str, known: &[String]) -> usize {
    let report = sim.settle(5000).unwrap();
    if !report.failed.is_empty() {
        dump_failures(sim);
    }
    assert!(report.failed.is_empty(), "{what}: {report:?}");
    let mut passwords: BTreeSet<String> = known.iter().cloned().collect();
    for secret in sim.secrets().secrets.values() {
        for revision in &secret.revisions {
            passwords.extend(revision.expose().values().cloned());
        }
    }
    let mut places: Vec<(String, String)> = Vec::new();
    for call in sim.tool_calls() {
        for arg in &call.args {
            places.push((
                format!("{} {} argv of {}", call.unit, call.hook, call.tool),
                arg.clone(),
            ));
        }
    }
    for log in sim.logs() {
        places.push((
            format!("{} {} juju-log", log.unit, log.hook),
            log.message.clone(),
        ));
    }
    for record in sim.history() {
        let at = format!("{} {}", record.unit, record.name);
        places.push((format!("{at} stdout"), record.stdout.clone()));
        places.push((format!("{at} stderr"), record.stderr.clone()));
    }
    let model = sim.model();
    for unit in model.units.values() {
        places.push((
            format!("{} status", unit.name),
            unit.workload.message.clone(),
        ));
    }
    for app in model.apps.values() {
        places.push((
            format!("{} application status", app.name),
            app.status.message.clone(),
        ));
        for (key, value) in &app.leader_settings {
            places.push((format!("{} leader setting {key}", app.name), value.clone()));
        }
    }
    for password in &passwords {
        for (place, text) in &places {
            assert!(
                !text.contains(password.as_str()),
                "{what}: a password reached {place}: {text:?}"
            );
        }
    }
    assert!(!places.is_empty());
    passwords.len()
}

#[test]
fn no_example_charm_leaks_a_password() {
    let mut checked = BTreeMap::new();

    // The charms that receive no password still must not print one they
    // might come across: these runs check the tool calls, logs and
    // statuses of a settled model.
    let mut s = sim(21);
    deploy(&mut s, "webapp", 2, &[]);
    checked.insert("webapp", settle_and_check(&mut s, "webapp", &[]));

    let mut s = sim(22);
    deploy(&mut s, "magpie", 2, &[]);
    checked.insert("magpie", settle_and_check(&mut s, "magpie", &[]));

    let mut s = sim(23);
    deploy(&mut s, "glusterfs", 3, &[("brick-devices", "/srv/brick1")]);
    checked.insert("glusterfs", settle_and_check(&mut s, "glusterfs", &[]));

    // mysql-innodb-cluster generates a password per unit, in a Juju
    // secret its peers read.
    let mut s = sim(24);
    deploy(&mut s, "mysql-innodb-cluster", 3, &[]);
    let n = settle_and_check(&mut s, "mysql-innodb-cluster", &[]);
    assert_eq!(n, 3, "one secret password per unit");
    for unit in s.model().units.values() {
        assert_eq!(unit.workload.message, "unit is clustered", "{}", unit.name);
    }
    checked.insert("mysql-innodb-cluster", n);

    // openstack-api receives its database and RabbitMQ passwords.
    let (db, rabbit) = (generated(), generated());
    let mut s = sim(25);
    deploy(&mut s, "openstack-api", 3, &[("vip", "10.5.0.10")]);
    let mysql = stub(
        "shared-db",
        "mysql-shared",
        &["*database", "*username"],
        &[
            ("db_host", "{address}"),
            ("{*}password", db.as_str()),
            ("{*}allowed_units", "{units}"),
        ],
    );
    let amqp = stub(
        "amqp",
        "rabbitmq",
        &["username", "vhost"],
        &[("hostname", "{address}"), ("password", rabbit.as_str())],
    );
    let ha = stub(
        "ha",
        "hacluster",
        &["json_resources"],
        &[("clustered", "yes")],
    );
    s.deploy_stub("mysql", mysql, 1).unwrap();
    s.deploy_stub("rabbitmq-server", amqp, 1).unwrap();
    s.deploy_stub("hacluster", ha, 1).unwrap();
    s.relate("openstack-api:shared-db", "mysql:shared-db")
        .unwrap();
    s.relate("openstack-api:amqp", "rabbitmq-server:amqp")
        .unwrap();
    s.relate("openstack-api:ha", "hacluster:ha").unwrap();
    let n = settle_and_check(&mut s, "openstack-api", &[db.clone(), rabbit.clone()]);
    // The check is not vacuous: the passwords did reach the charm.
    let published: Vec<String> = s
        .model()
        .relations
        .values()
        .flat_map(|r| r.unit_data.values().flat_map(|bag| bag.values().cloned()))
        .collect();
    assert!(published.contains(&db) && published.contains(&rabbit));
    for unit in s.model().units_of("openstack-api") {
        let status = &s.model().units[&unit].workload;
        assert_eq!(status.message, "Unit is ready and clustered", "{unit}");
    }
    checked.insert("openstack-api", n);

    let mut s = sim(26);
    deploy(&mut s, "keystone-ha", 3, &[("vip", "10.5.0.20")]);
    let ha = stub(
        "ha",
        "hacluster",
        &["json_resources"],
        &[("clustered", "yes")],
    );
    s.deploy_stub("hacluster", ha, 1).unwrap();
    s.relate("keystone-ha:ha", "hacluster:ha").unwrap();
    checked.insert("keystone-ha", settle_and_check(&mut s, "keystone-ha", &[]));

    eprintln!("passwords checked per example: {checked:?}");
}
