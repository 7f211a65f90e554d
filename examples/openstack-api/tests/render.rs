//! The configuration files: what each release renders (the templates'
//! release fallback and their shared parts), and the restarts their
//! changes cause, through the recording host.

mod common;

use std::path::Path;

use charm_openstack::Release;
use charm_openstack::host::{Operation, RecordingHost, ServiceOp};
use charm_openstack::render::TemplateSearch;
use charm_runtime::harness::{Event, State};
use common::*;
use openstack_api::{API_CONF, HAPROXY_CFG};

const CARACAL_API_CONF: &str = "\
###############################################################################
# [ WARNING ]
# Configuration file maintained by Juju. Local changes may be overwritten.
###############################################################################
# openstack-api for caracal, under uwsgi (templates/caracal/api.conf)
[DEFAULT]
debug = False
public_endpoint = http://10.5.0.10:5000
transport_url = rabbit://api:rabbit-secret@10.0.0.8:5672/openstack

[identity]
region = RegionOne

[uwsgi]
processes = 4
http-socket = 127.0.0.1:4990

[oslo_policy]
enforce_new_defaults = True
enforce_scope = True

[database]
connection = mysql+pymysql://api:db-secret@10.0.0.7/api
max_retries = -1

[oslo_messaging_rabbit]
ssl = False
";

const YOGA_API_CONF: &str = "\
###############################################################################
# [ WARNING ]
# Configuration file maintained by Juju. Local changes may be overwritten.
###############################################################################
# openstack-api for yoga, under apache2 (templates/api.conf)
[DEFAULT]
debug = False
public_endpoint = http://10.5.0.10:5000
transport_url = rabbit://api:rabbit-secret@10.0.0.8:5672/openstack

[identity]
region = RegionOne

[wsgi]
server = apache2
processes = 4

[database]
connection = mysql+pymysql://api:db-secret@10.0.0.7/api
max_retries = -1

[oslo_messaging_rabbit]
ssl = False
";

const HAPROXY: &str = "\
global
    log /dev/log local0
    maxconn 20000
    user haproxy
    group haproxy

defaults
    log global
    mode tcp
    timeout connect 5000
    timeout client 90000
    timeout server 90000


frontend tcp-in_openstack-api_5000
    bind *:5000
    default_backend openstack-api_5000

backend openstack-api_5000
    balance leastconn
    server openstack-api 127.0.0.1:4990 check


frontend tcp-in_openstack-api_35357
    bind *:35357
    default_backend openstack-api_35357

backend openstack-api_35357
    balance leastconn
    server openstack-api 127.0.0.1:35347 check
";

fn installed_from(origin: Option<&str>) -> State {
    let state = State::new()
        .with_leader(true)
        .with_config("vip", "10.5.0.10");
    match origin {
        Some(origin) => state.with_config("openstack-origin", origin),
        None => state,
    }
}

#[test]
fn caracal_renders_its_own_api_conf_with_the_shared_parts() {
    let ctx = charm();
    // distro on noble: caracal.
    let host = use_host(RecordingHost::new());
    let out = ready(&ctx, installed_from(None));
    assert_eq!(out.state.workload_version.as_deref(), Some("caracal"));
    assert_eq!(file(&host, API_CONF), CARACAL_API_CONF);
    assert_eq!(file(&host, HAPROXY_CFG), HAPROXY);
    let ops = host.operations();
    assert_eq!(
        ops[0],
        Operation::Install(
            ["openstack-api", "uwsgi", "uwsgi-plugin-python3", "haproxy"]
                .map(String::from)
                .to_vec()
        )
    );
    // Until the first render the services are kept stopped and disabled;
    // from it on, restarted, enabled, never stopped.
    let first_write = ops
        .iter()
        .position(|op| matches!(op, Operation::WriteFile { .. }))
        .unwrap();
    let stopping = |op: &Operation| {
        matches!(
            op,
            Operation::Service(ServiceOp::Stop | ServiceOp::Disable, _)
        )
    };
    assert!(ops[1..first_write].iter().all(stopping), "{ops:?}");
    assert!(!ops[first_write..].iter().any(stopping), "{ops:?}");
    assert!(ops[first_write..].contains(&Operation::Service(ServiceOp::Enable, "haproxy".into())));
    // Both files owned by root and the charm's group.
    for path in [API_CONF, HAPROXY_CFG] {
        assert!(ops.contains(&Operation::WriteFile {
            path: path.into(),
            ownership: "root:openstack-api 0640".into()
        }));
    }
    assert!(ops.contains(&Operation::Service(
        ServiceOp::Restart,
        "openstack-api".into()
    )));
    assert!(!ops.contains(&Operation::Service(ServiceOp::Restart, "apache2".into())));
}

#[test]
fn yoga_falls_back_to_the_base_api_conf_with_the_same_parts() {
    let ctx = charm();
    let host = use_host(RecordingHost::new());
    let out = ready(&ctx, installed_from(Some("cloud:jammy-yoga")));
    assert_eq!(out.state.workload_version.as_deref(), Some("yoga"));
    assert_eq!(file(&host, API_CONF), YOGA_API_CONF);
    // haproxy.cfg has one template for every release.
    assert_eq!(file(&host, HAPROXY_CFG), HAPROXY);
    let ops = host.operations();
    assert_eq!(
        ops[0],
        Operation::Install(
            [
                "openstack-api",
                "apache2",
                "libapache2-mod-wsgi-py3",
                "haproxy"
            ]
            .map(String::from)
            .to_vec()
        )
    );
    assert!(ops.contains(&Operation::Service(ServiceOp::Restart, "apache2".into())));
    assert!(!ops.contains(&Operation::Service(
        ServiceOp::Restart,
        "openstack-api".into()
    )));

    // The release chosen at install is kept: a later hook is still yoga.
    let host = use_host(RecordingHost::new());
    let out = run(&ctx, Event::upgrade_charm(), &out.state);
    assert_eq!(file(&host, API_CONF), YOGA_API_CONF);
    assert_eq!(out.state.workload_version.as_deref(), Some("yoga"));
}

#[test]
fn the_search_path_picks_the_newest_template_not_after_the_release() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let found = |release: Release, name: &str| {
        TemplateSearch::new(dir, release)
            .find(name)
            .unwrap()
            .strip_prefix(dir)
            .unwrap()
            .to_owned()
    };
    let base = Path::new("templates/api.conf");
    let caracal = Path::new("templates/caracal/api.conf");
    assert_eq!(found(Release::YOGA, "api.conf"), base);
    assert_eq!(found(Release::BOBCAT, "api.conf"), base);
    assert_eq!(found(Release::CARACAL, "api.conf"), caracal);
    assert_eq!(found("epoxy".parse().unwrap(), "api.conf"), caracal);
    // The parts and haproxy.cfg are shared.
    for release in [Release::YOGA, Release::CARACAL] {
        assert_eq!(
            found(release, "parts/section-database"),
            Path::new("templates/parts/section-database")
        );
        assert_eq!(
            found(release, "haproxy.cfg"),
            Path::new("templates/haproxy.cfg")
        );
    }
}

fn restarts(host: &RecordingHost) -> Vec<String> {
    host.operations()
        .into_iter()
        .filter_map(|op| match op {
            Operation::Service(ServiceOp::Restart, service) => Some(service),
            _ => None,
        })
        .collect()
}

/// What the host was asked to do, but enabling services (which the
/// `config.rendered` default does in every hook once rendered).
fn changes(host: &RecordingHost) -> Vec<Operation> {
    host.operations()
        .into_iter()
        .filter(|op| !matches!(op, Operation::Service(ServiceOp::Enable, _)))
        .collect()
}

fn writes(host: &RecordingHost) -> usize {
    host.operations()
        .iter()
        .filter(|op| matches!(op, Operation::WriteFile { .. }))
        .count()
}

#[test]
fn only_changed_content_restarts_and_only_its_services() {
    let ctx = charm();
    use_host(RecordingHost::new());
    let state = ready(&ctx, installed_from(None)).state;

    // The same config: nothing to render.
    let host = use_host(RecordingHost::new());
    let out = run(&ctx, Event::config_changed(), &state);
    assert!(changes(&host).is_empty(), "{:?}", host.operations());
    assert!(out.has_flag("config.rendered"));

    // An option no template uses: both files written again, identical,
    // nothing restarted.
    let host = use_host(RecordingHost::new());
    let out = run(
        &ctx,
        Event::config_changed(),
        &state.with_config("os-admin-hostname", "admin.example.com"),
    );
    assert_eq!(writes(&host), 2);
    assert!(restarts(&host).is_empty());
    assert!(out.has_flag("config.rendered"));

    // debug changes api.conf only: the API restarts, haproxy does not.
    let host = use_host(RecordingHost::new());
    let out = run(
        &ctx,
        Event::config_changed(),
        &out.state.with_config("debug", true),
    );
    assert!(file(&host, API_CONF).contains("debug = True"));
    assert_eq!(restarts(&host), ["openstack-api"]);

    // A new database password, from MySQL: rendered again, restarted.
    let state = out
        .state
        .with_remote_unit_data(DB_ID, MYSQL, "password", "new-secret");
    let host = use_host(RecordingHost::new());
    let out = run(
        &ctx,
        Event::relation_changed(&rel(&state, DB_ID), MYSQL),
        &state,
    );
    assert!(
        file(&host, API_CONF).contains("connection = mysql+pymysql://api:new-secret@10.0.0.7/api")
    );
    assert_eq!(restarts(&host), ["openstack-api"]);

    // The same data again: nothing changed, nothing rendered.
    let host = use_host(RecordingHost::new());
    let out = run(
        &ctx,
        Event::relation_changed(&rel(&out.state, DB_ID), MYSQL),
        &out.state,
    );
    assert!(changes(&host).is_empty(), "{:?}", host.operations());

    // A new VIP moves the public endpoint: api.conf only.
    let host = use_host(RecordingHost::new());
    run(
        &ctx,
        Event::config_changed(),
        &out.state.with_config("vip", "10.5.0.11"),
    );
    assert!(file(&host, API_CONF).contains("public_endpoint = http://10.5.0.11:5000"));
    assert_eq!(restarts(&host), ["openstack-api"]);
}

#[test]
fn the_leader_migrates_the_database_once() {
    let ctx = charm();
    let host = use_host(RecordingHost::new());
    let out = ready(&ctx, installed_from(None));
    let sync = Operation::Run(
        ["openstack-api-manage", "db_sync"]
            .map(String::from)
            .to_vec(),
    );
    assert_eq!(
        host.operations().iter().filter(|op| **op == sync).count(),
        1
    );
    assert!(out.has_flag(openstack_api::DB_SYNCED.name()));
    assert_eq!(
        out.state.leader_settings.get(openstack_api::DB_SYNCED_KEY),
        Some(&"caracal".to_owned())
    );

    // Rendered again: not migrated again.
    let host = use_host(RecordingHost::new());
    run(
        &ctx,
        Event::config_changed(),
        &out.state.with_config("debug", true),
    );
    assert!(!host.operations().contains(&sync));
    assert_eq!(restarts(&host), ["openstack-api"]);
}

#[test]
fn a_follower_leaves_the_migration_to_the_leader() {
    let ctx = charm();
    let host = use_host(RecordingHost::new());
    let out = ready(&ctx, State::new());
    assert!(out.has_flag("config.rendered"));
    assert!(!out.has_flag(openstack_api::DB_SYNCED.name()));
    // No VIP, no hostname: the unit's own address on the public binding.
    assert!(
        file(&host, API_CONF).contains("public_endpoint = http://192.0.2.10:5000"),
        "{}",
        file(&host, API_CONF)
    );
    assert!(
        !host
            .operations()
            .iter()
            .any(|op| matches!(op, Operation::Run(_)))
    );
}

#[test]
fn the_public_hostname_wins_over_the_vip() {
    let ctx = charm();
    let host = use_host(RecordingHost::new());
    ready(
        &ctx,
        installed_from(None)
            .with_config("vip", "2001:db8::10")
            .with_config("os-public-hostname", "api.example.com"),
    );
    assert!(file(&host, API_CONF).contains("public_endpoint = http://api.example.com:5000"));

    let host = use_host(RecordingHost::new());
    ready(
        &ctx,
        installed_from(None).with_config("vip", "2001:db8::10 10.5.0.10"),
    );
    assert!(file(&host, API_CONF).contains("public_endpoint = http://[2001:db8::10]:5000"));
}

#[test]
fn an_openstack_upgrade_renders_the_new_releases_templates() {
    let ctx = charm();
    use_host(RecordingHost::new());
    let state = ready(&ctx, installed_from(Some("cloud:jammy-yoga"))).state;

    let host = use_host(RecordingHost::new());
    let out = run(
        &ctx,
        Event::config_changed(),
        &state.with_config("openstack-origin", "cloud:jammy-caracal"),
    );
    assert_eq!(out.progress(), ["Running openstack upgrade"]);
    let ops = host.operations();
    assert_eq!(
        ops[0],
        Operation::Install(
            ["openstack-api", "uwsgi", "uwsgi-plugin-python3", "haproxy"]
                .map(String::from)
                .to_vec()
        )
    );
    // The leader migrates the database during the upgrade, once.
    let sync = Operation::Run(
        ["openstack-api-manage", "db_sync"]
            .map(String::from)
            .to_vec(),
    );
    assert_eq!(ops.iter().filter(|op| **op == sync).count(), 1);
    // caracal's template, restarting caracal's service; haproxy.cfg is the
    // same.
    assert_eq!(file(&host, API_CONF), CARACAL_API_CONF);
    assert_eq!(restarts(&host), ["openstack-api"]);
    assert_eq!(out.state.workload_version.as_deref(), Some("caracal"));
    assert_eq!(
        out.final_status(),
        Some(&charm_runtime::Status::active("Unit is ready"))
    );

    // The next hooks are caracal's.
    let host = use_host(RecordingHost::new());
    let out = run(&ctx, Event::upgrade_charm(), &out.state);
    assert_eq!(file(&host, API_CONF), CARACAL_API_CONF);
    assert!(restarts(&host).is_empty());
    assert_eq!(out.state.workload_version.as_deref(), Some("caracal"));
}

#[test]
fn a_new_leader_does_not_migrate_a_migrated_database() {
    let ctx = charm();
    let host = use_host(RecordingHost::new());
    let state = State::new()
        .with_leader(true)
        .with_leader_setting(openstack_api::DB_SYNCED_KEY, "caracal");
    ready(&ctx, state);
    assert!(
        !host
            .operations()
            .iter()
            .any(|op| matches!(op, Operation::Run(_)))
    );
}
