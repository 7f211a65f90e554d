//! The interface adapters and the `config.rendered` flow, on a charm
//! (`tests/fixtures/adapters`) rendering `api.conf` from a RabbitMQ and a
//! MySQL relation with `render_and_assess`, with the `config.rendered`
//! default: services disabled until the first render, then enabled;
//! rendered files root:<group> 0640; the database's TLS material written.

use std::cell::RefCell;
use std::rc::Rc;

use charm_interfaces::mysql_shared::MysqlShared;
use charm_interfaces::rabbitmq::RabbitMq;
use charm_openstack::defaults::CONFIG_RENDERED;
use charm_openstack::host::{Host, HostHandle, Operation, RecordingHost, ServiceOp};
use charm_openstack::render::{Adapters, DatabaseAdapter, RabbitMqAdapter, RelationAdapter};
use charm_openstack::{DefaultHandler, Definition, OpenStack, OpenStackCharms, Release};
use charm_runtime::harness::{Context, Event, Output, Relation, State};
use charm_runtime::metadata::Metadata;
use charm_runtime::prelude::*;
use charm_runtime::{Registry, RegistryError};
use serde_json::{Value, json};

// ---- the charm ----

fn charms() -> OpenStackCharms {
    OpenStackCharms::new(
        Definition::new("adapters", Release::CARACAL)
            .services(["api-server"])
            .restart_map("/etc/api/api.conf", ["api-server"])
            .user("api")
            .group("api"),
    )
    .use_defaults([DefaultHandler::ConfigRendered])
}
charm_openstack::register!(charms);

#[when("amqp.connected")]
fn request_amqp(amqp: RabbitMq) -> Result<(), Error> {
    amqp.request_access("nova", "openstack", Some("10.5.0.10"))
        .map_err(|e| Error::msg(e.to_string()))
}

#[when("shared-db.connected")]
fn request_db(db: MysqlShared) -> Result<(), Error> {
    let failed = |e: charm_interfaces::mysql_shared::MysqlSharedError| Error::msg(e.to_string());
    db.configure("nova", "nova", Some("10.5.0.10"))
        .map_err(failed)?;
    db.configure_prefixed("api", "nova_api", "nova", Some("10.5.0.10"))
        .map_err(failed)
}

/// The test asks for the adapters' values (`test.values`) or a render
/// (`test.render`).
#[when_all("test.values", "shared-db.connected", "amqp.connected")]
fn record_values(db: MysqlShared, amqp: RabbitMq, kv: Kv) -> Result<(), Error> {
    let values = json!({
        "amqp": RabbitMqAdapter::new(&amqp)?.to_value()?,
        "shared_db": DatabaseAdapter::new(&db)?.to_value()?,
        "api": DatabaseAdapter::prefixed(&db, "api")?.for_release(Release::QUEENS).to_value()?,
    });
    kv.set("test.values", &values)
        .map_err(|e| Error::msg(e.to_string()))
}

#[when_all("test.render", "shared-db.connected", "amqp.connected")]
fn render(os: OpenStack, db: MysqlShared, amqp: RabbitMq) -> Result<(), Error> {
    let adapters = Adapters::from_hook(os.ctx())?
        .relation(DatabaseAdapter::new(&db)?)
        .relation(DatabaseAdapter::prefixed(&db, "api")?.named("shared-db-api"))
        .relation(RabbitMqAdapter::new(&amqp)?);
    os.render_and_assess(&adapters)?;
    Ok(())
}

// ---- the machine the test chooses ----

thread_local! {
    static HOST: RefCell<Option<Rc<RecordingHost>>> = const { RefCell::new(None) };
}

fn use_host(host: RecordingHost) -> Rc<RecordingHost> {
    let host = Rc::new(host);
    HOST.with(|h| *h.borrow_mut() = Some(host.clone()));
    host
}

fn attach_host(ctx: &HookContext) {
    if let Some(host) = HOST.with(|h| h.borrow().clone()) {
        let host: Rc<dyn Host> = host;
        ctx.extensions().insert(Rc::new(HostHandle(host)));
    }
}

fn test_host(registry: &mut Registry, _: &Metadata) -> Result<(), RegistryError> {
    registry.atstart("test::host", attach_host);
    Ok(())
}
charm_runtime::extend_registry!("0-test-host", test_host);

// ---- data ----

const PASSWORD: &str = "Rabb1t-S3cret";
const CA_PEM: &str = "-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n";

fn b64(text: &str) -> String {
    // A tiny encoder for the fixtures (standard alphabet, padded).
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in text.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn context() -> Context {
    Context::from_charm_dir(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/adapters"
    ))
    .unwrap()
}

/// Two brokers (one IPv6, one with TLS) and a MySQL with TLS, both
/// relations' conversations joined; the unit asks for its access in the
/// first hook.
fn related(tls: bool) -> State {
    let mut rabbit0 = vec![
        ("private-address", "10.5.0.30".to_owned()),
        ("password", PASSWORD.to_owned()),
    ];
    if tls {
        rabbit0.push(("ssl_port", "5671".to_owned()));
        rabbit0.push(("ssl_ca", b64(CA_PEM)));
    }
    let amqp = Relation::new("amqp", 1, "rabbitmq-server")
        .with_unit_data("rabbitmq-server/0", rabbit0)
        .with_unit_data(
            "rabbitmq-server/1",
            [("private-address", "2001:db8::31"), ("password", PASSWORD)],
        );
    let mut mysql0 = vec![
        ("private-address", "10.5.0.40".to_owned()),
        ("db_host", "10.5.0.40".to_owned()),
        ("db_port", "3306".to_owned()),
        ("password", "db-pw".to_owned()),
        ("allowed_units", "adapters/0".to_owned()),
        ("api_password", "api-pw".to_owned()),
        ("api_allowed_units", "adapters/0".to_owned()),
    ];
    if tls {
        mysql0.push(("ssl_ca", b64(CA_PEM)));
        mysql0.push(("ssl_cert", b64("CERT")));
        mysql0.push(("ssl_key", b64("KEY")));
    }
    let db = Relation::new("shared-db", 2, "mysql").with_unit_data("mysql/0", mysql0);
    let amqp_conv = "reactive.conversations.amqp.global";
    let db_conv = "reactive.conversations.shared-db.global";
    let state = State::new()
        .with_unit("adapters/0")
        .with_relation(amqp)
        .with_relation(db)
        .with_flag_value(
            "amqp.connected",
            json!({"conversations": [amqp_conv], "relation": "amqp"}),
        )
        .with_kv(
            amqp_conv,
            json!({"namespace": "amqp", "scope": "global",
                   "units": ["rabbitmq-server/0", "rabbitmq-server/1"]}),
        )
        .with_flag_value(
            "shared-db.connected",
            json!({"conversations": [db_conv], "relation": "shared-db"}),
        )
        .with_kv(
            db_conv,
            json!({"namespace": "shared-db", "scope": "global", "units": ["mysql/0"]}),
        );
    use_host(RecordingHost::new());
    context()
        .run(Event::hook("update-status"), &state)
        .unwrap()
        .expect_ok()
        .state
}

fn values(tls: bool) -> Value {
    let state = related(tls).with_flag("test.values");
    let out = context()
        .run(Event::hook("update-status"), &state)
        .unwrap()
        .expect_ok();
    out.state
        .kv
        .get("test.values")
        .cloned()
        .expect("values recorded")
}

fn services(host: &RecordingHost) -> Vec<(ServiceOp, String)> {
    host.operations()
        .into_iter()
        .filter_map(|op| match op {
            Operation::Service(op, s) => Some((op, s)),
            _ => None,
        })
        .collect()
}

// ---- the adapters ----

#[test]
fn rabbitmq_adapter_without_tls() {
    let v = values(false);
    let amqp = &v["amqp"];
    assert_eq!(amqp["host"], "10.5.0.30");
    assert_eq!(amqp["hosts"], "10.5.0.30,2001:db8::31");
    assert_eq!(amqp["vhost"], "openstack");
    assert_eq!(amqp["username"], "nova");
    assert_eq!(amqp["password"], PASSWORD);
    assert_eq!(amqp["port"], "5672");
    assert_eq!(amqp["ssl_port"], Value::Null);
    assert_eq!(amqp["ssl_data_complete"], false);
    assert_eq!(
        amqp["ssl_ca_file"],
        "/var/lib/charm/adapters/rabbit-client-ca.pem"
    );
    assert_eq!(
        amqp["transport_url"],
        format!(
            "rabbit://nova:{PASSWORD}@10.5.0.30:5672,nova:{PASSWORD}@[2001:db8::31]:5672/openstack"
        )
    );
}

#[test]
fn rabbitmq_adapter_with_tls() {
    let v = values(true);
    let amqp = &v["amqp"];
    assert_eq!(amqp["port"], "5671");
    assert_eq!(amqp["ssl_port"], "5671");
    assert_eq!(amqp["ssl_ca"], b64(CA_PEM));
    assert_eq!(amqp["ssl_data_complete"], true);
    assert!(
        amqp["transport_url"]
            .as_str()
            .unwrap()
            .ends_with("@[2001:db8::31]:5671/openstack")
    );
}

#[test]
fn database_adapter_plain_and_prefixed() {
    let v = values(false);
    let db = &v["shared_db"];
    assert_eq!(db["host"], "10.5.0.40");
    assert_eq!(db["port"], "3306");
    assert_eq!(db["database"], "nova");
    assert_eq!(db["username"], "nova");
    assert_eq!(db["password"], "db-pw");
    assert_eq!(db["type"], "mysql");
    assert_eq!(db["uri"], "mysql+pymysql://nova:db-pw@10.5.0.40:3306/nova");
    assert_eq!(db["database_ssl_ca"], Value::Null);
    // The prefix's credentials; before Stein, the `mysql` driver.
    let api = &v["api"];
    assert_eq!(api["database"], "nova_api");
    assert_eq!(api["password"], "api-pw");
    assert_eq!(api["prefix"], "api");
    assert_eq!(api["uri"], "mysql://nova:api-pw@10.5.0.40:3306/nova_api");
}

#[test]
fn database_adapter_with_tls() {
    let v = values(true);
    let dir = "/usr/local/share/ca-certificates";
    assert_eq!(
        v["shared_db"]["uri"],
        format!(
            "mysql+pymysql://nova:db-pw@10.5.0.40:3306/nova?ssl_ca={dir}/db-client.ca\
             &ssl_cert={dir}/db-client.cert&ssl_key={dir}/db-client.key"
        )
    );
    assert_eq!(
        v["shared_db"]["database_ssl_ca"],
        format!("{dir}/db-client.ca")
    );
}

// ---- rendering and config.rendered ----

fn rendered(out: &Output) -> bool {
    out.has_flag(CONFIG_RENDERED)
}

#[test]
fn services_stay_disabled_until_the_first_render_then_are_enabled() {
    // Before rendering: stopped and disabled, at every hook.
    let state = related(true);
    let host = use_host(RecordingHost::new());
    let out = context()
        .run(Event::hook("update-status"), &state)
        .unwrap()
        .expect_ok();
    assert!(!rendered(&out));
    assert_eq!(
        services(&host),
        [
            (ServiceOp::Stop, "api-server".to_owned()),
            (ServiceOp::Disable, "api-server".to_owned())
        ]
    );
    assert!(host.file("/etc/api/api.conf".as_ref()).is_none());

    // The render: files written, config.rendered set, the service
    // restarted by the change, then enabled (already running: not
    // started again); one assessment.
    let host = use_host(RecordingHost::new().stopped("api-server"));
    let out = context()
        .run(
            Event::hook("update-status"),
            &out.state.with_flag("test.render"),
        )
        .unwrap()
        .expect_ok();
    assert!(rendered(&out));
    let ops = services(&host);
    let restart = ops
        .iter()
        .position(|o| *o == (ServiceOp::Restart, "api-server".to_owned()))
        .expect("restarted");
    let enable = ops
        .iter()
        .position(|o| *o == (ServiceOp::Enable, "api-server".to_owned()))
        .expect("enabled");
    assert!(restart < enable, "{ops:?}");
    assert!(
        !ops.contains(&(ServiceOp::Disable, "api-server".to_owned())),
        "{ops:?}"
    );
    assert!(!ops.contains(&(ServiceOp::Start, "api-server".to_owned())));
    assert!(out.final_status().is_some());

    let conf = host.file("/etc/api/api.conf".as_ref()).unwrap();
    assert_eq!(
        (conf.owner.as_str(), conf.group.as_str(), conf.mode),
        ("root", "api", 0o640)
    );
    let dir = "/usr/local/share/ca-certificates";
    assert_eq!(
        String::from_utf8(conf.content).unwrap(),
        format!(
            "[DEFAULT]\ndebug = False\n\
             transport_url = rabbit://nova:{PASSWORD}@10.5.0.30:5671,nova:{PASSWORD}@[2001:db8::31]:5671/openstack\n\
             rabbit_host = 10.5.0.30\n\
             rabbit_hosts = 10.5.0.30,2001:db8::31\n\
             rabbit_port = 5671\n\
             rabbit_use_ssl = True\n\
             \n[database]\n\
             connection = mysql+pymysql://nova:db-pw@10.5.0.40:3306/nova?ssl_ca={dir}/db-client.ca&ssl_cert={dir}/db-client.cert&ssl_key={dir}/db-client.key\n\
             \n[api_database]\n\
             connection = mysql+pymysql://nova:api-pw@10.5.0.40:3306/nova_api?ssl_ca={dir}/db-client.ca&ssl_cert={dir}/db-client.cert&ssl_key={dir}/db-client.key"
        )
    );
    // The TLS material, decoded, root:<group>, the key 0640.
    for (file, content, mode) in [
        ("db-client.ca", CA_PEM, 0o644),
        ("db-client.cert", "CERT", 0o644),
        ("db-client.key", "KEY", 0o640),
    ] {
        let spec = host.file(format!("{dir}/{file}").as_ref()).unwrap();
        assert_eq!(spec.content, content.as_bytes(), "{file}");
        assert_eq!(
            (spec.owner.as_str(), spec.group.as_str(), spec.mode),
            ("root", "api", mode),
            "{file}"
        );
    }

    // Rendered, a stopped service is started by the default.
    let host = use_host(RecordingHost::new().stopped("api-server"));
    let mut state = out.state;
    state.flags.remove("test.render");
    let out = context()
        .run(Event::hook("update-status"), &state)
        .unwrap()
        .expect_ok();
    assert!(rendered(&out));
    assert_eq!(
        services(&host),
        [
            (ServiceOp::Enable, "api-server".to_owned()),
            (ServiceOp::Start, "api-server".to_owned())
        ]
    );
}

#[test]
fn a_paused_unit_is_left_alone() {
    let host = use_host(RecordingHost::new());
    let state = related(false).with_flag("charm.paused");
    context()
        .run(Event::hook("update-status"), &state)
        .unwrap()
        .expect_ok();
    assert!(services(&host).is_empty());
}
