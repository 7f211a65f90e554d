//! The openstack-api charm through the harness: from install to a ready,
//! clustered unit; the status, set once per hook; what is asked of MySQL,
//! RabbitMQ and hacluster; pause and resume.

mod common;

use charm_openstack::host::{Operation, RecordingHost, ServiceOp};
use charm_openstack::status::PAUSED_MESSAGE;
use charm_runtime::harness::{Event, Output, State};
use charm_runtime::{Port, Status};
use common::*;
use serde_json::json;

fn status(out: &Output) -> &Status {
    out.final_status().expect("a status was set at the end")
}

fn assessments(out: &Output) -> usize {
    out.logs
        .iter()
        .filter(|(_, line)| line == "assessing the status")
        .count()
}

#[test]
fn install_relations_and_cluster_make_an_active_clustered_unit() {
    let ctx = charm();
    use_host(RecordingHost::new());
    let state = State::new()
        .with_leader(true)
        .with_config("vip", "10.5.0.10");

    let out = run(&ctx, Event::install(), &state);
    assert_eq!(
        out.progress(),
        [
            "Installing packages",
            "Installation complete - awaiting next status"
        ]
    );
    assert_eq!(
        status(&out),
        &Status::blocked("'shared-db' missing, 'amqp' missing")
    );
    assert_eq!(
        out.state.opened_ports,
        [Port::tcp(5000), Port::tcp(35357)].into_iter().collect()
    );

    // MySQL joins: asked for the database, from the unit's address.
    let joined = run(
        &ctx,
        Event::relation_joined(&mysql(), MYSQL),
        &out.state.clone().with_relation(mysql()),
    );
    let asked = &joined.relation(DB_ID).local_unit_data;
    assert_eq!(asked["database"], "api");
    assert_eq!(asked["username"], "api");
    assert!(!asked["hostname"].is_empty());
    assert_eq!(
        status(&joined),
        &Status::blocked("'shared-db' incomplete, 'amqp' missing")
    );
    let out = with_database(&ctx, out.state);
    assert!(out.has_flag("shared-db.available"));
    assert_eq!(status(&out), &Status::blocked("'amqp' missing"));

    // RabbitMQ joins: asked for the user and vhost.
    let joined = run(
        &ctx,
        Event::relation_joined(&rabbitmq(), RABBIT),
        &out.state.clone().with_relation(rabbitmq()),
    );
    let asked = &joined.relation(AMQP_ID).local_unit_data;
    assert_eq!(asked["username"], "api");
    assert_eq!(asked["vhost"], "openstack");
    assert_eq!(status(&joined), &Status::waiting("'amqp' incomplete"));
    let out = with_queue(&ctx, out.state);
    assert!(out.has_flag("config.rendered"));
    // The VIP is configuration only while hacluster is away.
    assert_eq!(status(&out), &Status::active("Unit is ready"));

    // hacluster joins: handed the haproxy clone and the VIP; waits.
    let (joined, clustered) = with_cluster(&ctx, out.state);
    let resources = &joined.relation(HA_ID).local_unit_data;
    assert_eq!(
        resources["json_resources"],
        r#"{"res_openstack-api_eth0_vip": "ocf:heartbeat:IPaddr2", "res_openstack_api_haproxy": "lsb:haproxy"}"#
    );
    assert!(
        resources["json_resource_params"].contains(r#"params ip=\"10.5.0.10\" nic=\"eth0\""#),
        "{}",
        resources["json_resource_params"]
    );
    assert_eq!(
        status(&joined),
        &Status::waiting("waiting for the hacluster subordinate to form the cluster")
    );

    // Clustered.
    assert!(clustered.has_flag("ha.available"));
    assert_eq!(
        status(&clustered),
        &Status::active(openstack_api::CLUSTERED_MESSAGE)
    );
    assert_eq!(clustered.calls("relation-set"), 0);
    assert_eq!(
        clustered.state.unit_status,
        Some(Status::active("Unit is ready and clustered"))
    );
}

#[test]
fn the_status_is_set_once_however_many_handlers_ask() {
    let ctx = charm();
    use_host(RecordingHost::new());
    let out = ready(&ctx, State::new().with_leader(true));
    // debug: the default config-changed handler, the rendering and the
    // charm's own handler all ask for the assessment.
    let out = run(
        &ctx,
        Event::config_changed(),
        &out.state.with_config("debug", true),
    );
    for handler in [
        "charm_openstack::defaults::config_changed",
        "openstack_api::render_config",
        "openstack_api::assess_status",
    ] {
        assert!(
            out.invoked.contains(&handler.to_owned()),
            "{handler}: {:?}",
            out.invoked
        );
    }
    assert_eq!(assessments(&out), 1);
    assert_eq!(out.calls("status-set"), 1);
    assert_eq!(status(&out), &Status::active("Unit is ready"));
}

#[test]
fn a_missing_relation_blocks_naming_it() {
    let ctx = charm();
    use_host(RecordingHost::new());
    let out = run(&ctx, Event::install(), &State::new());
    let out = with_database(&ctx, out.state);
    assert_eq!(status(&out), &Status::blocked("'amqp' missing"));
    assert!(!out.has_flag("config.rendered"));

    // Ready, then RabbitMQ goes away.
    let out = with_queue(&ctx, out.state);
    assert_eq!(status(&out), &Status::active("Unit is ready"));
    let amqp = rel(&out.state, AMQP_ID);
    let out = run(&ctx, Event::relation_departed(&amqp, RABBIT), &out.state);
    let out = run(&ctx, Event::relation_broken(&amqp), &out.state);
    assert!(!out.has_flag("amqp.connected"));
    assert_eq!(status(&out), &Status::blocked("'amqp' missing"));
}

#[test]
fn hacluster_without_a_vip_blocks() {
    let ctx = charm();
    use_host(RecordingHost::new());
    let out = ready(&ctx, State::new());
    let (joined, _) = with_cluster(&ctx, out.state);
    assert_eq!(
        status(&joined),
        &Status::blocked("hacluster missing configuration: vip, vip-iface, vip-cidr")
    );
}

#[test]
fn clustered_but_a_port_closed_is_blocked() {
    let ctx = charm();
    use_host(RecordingHost::new());
    let out = ready(&ctx, State::new().with_config("vip", "10.5.0.10"));
    let (_, clustered) = with_cluster(&ctx, out.state);
    // Nothing listens on the admin port.
    use_host(RecordingHost::new().closed(35357));
    let out = run(&ctx, Event::update_status(), &clustered.state);
    assert_eq!(
        status(&out),
        &Status::blocked("Ports which should be open, but are not: 35357")
    );
}

#[test]
fn pause_stops_the_services_defers_rendering_and_resume_starts_them() {
    let ctx = charm();
    use_host(RecordingHost::new());
    let state = ready(&ctx, State::new()).state;

    let host = use_host(RecordingHost::new().closed(5000).closed(35357));
    let out = run(&ctx, Event::action("pause", json!({})), &state);
    assert_eq!(
        host.operations(),
        [
            Operation::Service(ServiceOp::Stop, "openstack-api".into()),
            Operation::Service(ServiceOp::Stop, "haproxy".into()),
        ]
    );
    assert_eq!(out.action_failure, None);
    assert_eq!(status(&out), &Status::maintenance(PAUSED_MESSAGE));

    // A config change while paused: nothing rendered, nothing restarted.
    let paused_host = || {
        RecordingHost::new()
            .stopped("openstack-api")
            .stopped("haproxy")
            .closed(5000)
            .closed(35357)
    };
    let host = use_host(paused_host());
    let out = run(
        &ctx,
        Event::config_changed(),
        &out.state.with_config("debug", true),
    );
    assert!(host.operations().is_empty(), "{:?}", host.operations());
    assert!(!out.has_flag("config.rendered"));
    assert_eq!(status(&out), &Status::maintenance(PAUSED_MESSAGE));

    // resume starts the services.
    let host = use_host(
        RecordingHost::new()
            .stopped("openstack-api")
            .stopped("haproxy"),
    );
    let out = run(&ctx, Event::action("resume", json!({})), &out.state);
    assert_eq!(
        host.operations(),
        [
            Operation::Service(ServiceOp::Start, "openstack-api".into()),
            Operation::Service(ServiceOp::Start, "haproxy".into()),
        ]
    );
    assert_eq!(out.action_failure, None);
    assert_eq!(status(&out), &Status::active("Unit is ready"));

    // The next hook renders what changed while paused.
    let host = use_host(RecordingHost::new());
    let out = run(&ctx, Event::update_status(), &out.state);
    assert!(out.has_flag("config.rendered"));
    assert!(file(&host, openstack_api::API_CONF).contains("debug = True"));
    assert!(host.operations().contains(&Operation::Service(
        ServiceOp::Restart,
        "openstack-api".into()
    )));
}
