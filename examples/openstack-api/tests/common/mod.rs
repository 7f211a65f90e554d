//! What the tests share: the charm, the machine each hook runs on (a
//! `RecordingHost` the test chooses, attached to every hook and action by
//! a registry extension of the test binary, as charm-openstack's own tests
//! do), the related applications and the way to a ready unit.

#![allow(dead_code)]

use std::cell::RefCell;
use std::rc::Rc;

use charm_openstack::host::{Host, HostHandle, RecordingHost};
use charm_runtime::harness::{Context, Event, Output, Relation, State};
use charm_runtime::metadata::Metadata;
use charm_runtime::{Handler, HookContext, Registry, RegistryError};

pub const UNIT: &str = "openstack-api/0";
pub const MYSQL: &str = "mysql/0";
pub const RABBIT: &str = "rabbitmq-server/0";
pub const HACLUSTER: &str = "hacluster/0";
pub const DB_ID: u32 = 1;
pub const AMQP_ID: u32 = 2;
pub const HA_ID: u32 = 3;

// ---- the machine the test chooses ----

thread_local! {
    static HOST: RefCell<Option<Rc<RecordingHost>>> = const { RefCell::new(None) };
}

/// Run the next hooks of this thread on `host`; returns it, to read what
/// they did.
pub fn use_host(host: RecordingHost) -> Rc<RecordingHost> {
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
    registry.add(Handler::new("test::host-pause", attach_host).action("pause"))?;
    registry.add(Handler::new("test::host-resume", attach_host).action("resume"))?;
    Ok(())
}
charm_runtime::extend_registry!("0-test-host", test_host);

// ---- the charm and its neighbours ----

pub fn charm() -> Context {
    // Uses the library, so its handlers are linked into the test.
    let _ = openstack_api::main;
    Context::from_charm_dir(env!("CARGO_MANIFEST_DIR")).unwrap()
}

pub fn run(ctx: &Context, event: Event, state: &State) -> Output {
    ctx.run(event, state).unwrap().expect_ok()
}

pub fn mysql() -> Relation {
    Relation::new("shared-db", DB_ID, "mysql").with_unit(MYSQL)
}

pub fn rabbitmq() -> Relation {
    Relation::new("amqp", AMQP_ID, "rabbitmq-server").with_unit(RABBIT)
}

pub fn hacluster() -> Relation {
    Relation::new("ha", HA_ID, "hacluster").with_unit(HACLUSTER)
}

/// The relation `id` as `state` has it (for the events about it).
pub fn rel(state: &State, id: u32) -> Relation {
    state.relation(id).unwrap().clone()
}

/// MySQL joins; then answers the request.
pub fn with_database(ctx: &Context, state: State) -> Output {
    let out = run(
        ctx,
        Event::relation_joined(&mysql(), MYSQL),
        &state.with_relation(mysql()),
    );
    let state = out
        .state
        .with_remote_unit_data(DB_ID, MYSQL, "db_host", "10.0.0.7")
        .with_remote_unit_data(DB_ID, MYSQL, "password", "db-secret")
        .with_remote_unit_data(DB_ID, MYSQL, "allowed_units", UNIT);
    run(
        ctx,
        Event::relation_changed(&rel(&state, DB_ID), MYSQL),
        &state,
    )
}

/// RabbitMQ joins; then answers the request.
pub fn with_queue(ctx: &Context, state: State) -> Output {
    let out = run(
        ctx,
        Event::relation_joined(&rabbitmq(), RABBIT),
        &state.with_relation(rabbitmq()),
    );
    let state = out
        .state
        .with_remote_unit_data(AMQP_ID, RABBIT, "private-address", "10.0.0.8")
        .with_remote_unit_data(AMQP_ID, RABBIT, "password", "rabbit-secret");
    run(
        ctx,
        Event::relation_changed(&rel(&state, AMQP_ID), RABBIT),
        &state,
    )
}

/// hacluster joins (and is handed the resources); then says it formed the
/// cluster.
pub fn with_cluster(ctx: &Context, state: State) -> (Output, Output) {
    let joined = run(
        ctx,
        Event::relation_joined(&hacluster(), HACLUSTER),
        &state.with_relation(hacluster()),
    );
    let state = joined
        .state
        .clone()
        .with_remote_unit_data(HA_ID, HACLUSTER, "clustered", "yes");
    let clustered = run(
        ctx,
        Event::relation_changed(&rel(&state, HA_ID), HACLUSTER),
        &state,
    );
    (joined, clustered)
}

/// Installed from `state`, with the database and the queue related and
/// answering: the configuration is rendered.
pub fn ready(ctx: &Context, state: State) -> Output {
    let out = run(ctx, Event::install(), &state);
    let out = with_database(ctx, out.state);
    with_queue(ctx, out.state)
}

/// The content the host was last given for `path`.
pub fn file(host: &RecordingHost, path: &str) -> String {
    let spec = host
        .file(path.as_ref())
        .unwrap_or_else(|| panic!("{path} was not written"));
    String::from_utf8(spec.content).unwrap()
}
