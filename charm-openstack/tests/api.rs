//! An OpenStack API charm (`tests/fixtures/api`) with the default
//! handlers and the pause/resume actions: the deferred status assessment
//! and each of its checks, the defaults, the actions.
//!
//! The machine is a `RecordingHost` the test chooses: a registry
//! extension of this binary attaches it to each hook (an atstart callback)
//! and action (a handler of each action, which runs before the default
//! one).

use std::cell::RefCell;
use std::rc::Rc;

use charm_openstack::defaults::{CONFIG_RENDERED, INSTALLED_FLAG};
use charm_openstack::host::{Host, HostHandle, Operation, RecordingHost, ServiceOp};
use charm_openstack::status::{PAUSED_FLAG, PAUSED_KEY, PAUSED_MESSAGE, READY_MESSAGE};
use charm_openstack::{
    ApiPorts, DefaultHandler, Definition, OpenStack, OpenStackCharms, Release, RequiredRelation,
};
use charm_runtime::harness::{Context, Event, Output, State};
use charm_runtime::metadata::Metadata;
use charm_runtime::prelude::*;
use charm_runtime::{Handler, Registry, RegistryError};
use serde_json::json;

// ---- the charm ----

fn charms() -> OpenStackCharms {
    OpenStackCharms::new(
        Definition::new("api", Release::YOGA)
            .packages(["api-server", "python3-api"])
            .services(["api-server", "haproxy"])
            .api_port(
                "api",
                ApiPorts {
                    public: 9696,
                    internal: 9697,
                    admin: 9696,
                },
            )
            .required_relation(RequiredRelation::new("shared-db"))
            .required_relation(
                RequiredRelation::new("amqp")
                    .also("amqp.tls-ready", Status::waiting("'amqp' TLS incomplete")),
            )
            .custom_check(needs_attention),
    )
    .use_defaults([
        DefaultHandler::Install,
        DefaultHandler::ConfigChanged,
        DefaultHandler::UpdateStatus,
        DefaultHandler::UpgradeCharm,
        DefaultHandler::PauseResume,
    ])
}
charm_openstack::register!(charms);

fn needs_attention(ctx: &HookContext) -> Result<Option<Status>, Error> {
    Ok(ctx
        .flags()
        .is_set("test.needs-attention")
        .then(|| Status::blocked("the API needs attention")))
}

/// Three handlers ask for an assessment; the first learns it scheduled it.
#[when("test.ask")]
fn ask_first(os: OpenStack, flags: Flags) {
    if os.assess_status() {
        flags.set("test.scheduled-by-first");
    }
}

#[when("test.ask")]
fn ask_second(os: OpenStack, flags: Flags) {
    if os.assess_status() {
        flags.set("test.scheduled-by-second");
    }
}

#[when("test.ask")]
fn ask_third(os: OpenStack) {
    os.assess_status();
    // Set after the calls: the assessment, at the end, sees it.
    os.ctx().flags().set("test.needs-attention");
}

/// Defers a callback that changes what the assessment finds, before the
/// next handler asks for the assessment.
#[when("test.defer")]
fn defer_before_asking(ctx: Ctx) {
    ctx.defer_once("test::late", |ctx| {
        ctx.flags().set("test.needs-attention");
        Ok(())
    });
}

#[when("test.defer")]
fn ask_after_deferring(os: OpenStack) {
    os.assess_status();
}

/// Asks, then fails.
#[when("test.fail")]
fn ask_then_fail(os: OpenStack) -> Result<(), Error> {
    os.assess_status();
    Err(Error::msg("the handler failed"))
}

/// Needs the status at once.
#[when("test.now")]
fn assess_now(os: OpenStack, flags: Flags) -> Result<(), Error> {
    let status = os.assess_status_now()?;
    flags.set(format!("test.now.{}", status.state.as_str()));
    Ok(())
}

// ---- the machine the test chooses ----

thread_local! {
    static HOST: RefCell<Option<Rc<RecordingHost>>> = const { RefCell::new(None) };
}

/// Run the next hooks of this thread on `host`.
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
    registry.add(Handler::new("test::host-pause", attach_host).action("pause"))?;
    registry.add(Handler::new("test::host-resume", attach_host).action("resume"))?;
    Ok(())
}
charm_runtime::extend_registry!("0-test-host", test_host);

// ---- helpers ----

fn context() -> Context {
    Context::from_charm_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/api")).unwrap()
}

/// An installed unit, past its first hook (so `config.changed` is not
/// set), with both relations complete.
fn ready(ctx: &Context) -> State {
    use_host(RecordingHost::new());
    let out = ctx
        .run(Event::install(), &State::new())
        .unwrap()
        .expect_ok();
    use_host(RecordingHost::new());
    out.state
        .with_flag("shared-db.connected")
        .with_flag("shared-db.available")
        .with_flag("amqp.connected")
        .with_flag("amqp.available")
        .with_flag("amqp.tls-ready")
}

fn final_status(out: &Output) -> (StatusState, &str) {
    let status = out.final_status().expect("a status was set");
    (status.state, status.message.as_str())
}

fn assessments(out: &Output) -> usize {
    out.logs
        .iter()
        .filter(|(_, line)| line == "assessing the status")
        .count()
}

/// The hook's `status-set` calls sent at the end (progress aside).
fn statuses_at_end(out: &Output) -> usize {
    out.status_history.iter().filter(|c| c.at_end).count()
}

// ---- deferred assessment ----

#[test]
fn three_calls_assess_once_after_every_handler() {
    let ctx = context();
    let state = ready(&ctx).with_flag("test.ask");
    let out = ctx
        .run(Event::hook("leader-settings-changed"), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(assessments(&out), 1);
    assert_eq!(out.calls("status-set"), 1);
    assert_eq!(statuses_at_end(&out), 1);
    assert!(out.has_flag("test.scheduled-by-first"));
    assert!(!out.has_flag("test.scheduled-by-second"));
    // The flag the last handler set after asking is seen: the assessment
    // ran after it.
    assert_eq!(
        final_status(&out),
        (StatusState::Blocked, "the API needs attention")
    );
}

#[test]
fn the_assessment_runs_after_the_callbacks_deferred_before_it() {
    let ctx = context();
    let state = ready(&ctx).with_flag("test.defer");
    let out = ctx
        .run(Event::hook("leader-settings-changed"), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(assessments(&out), 1);
    assert_eq!(
        final_status(&out),
        (StatusState::Blocked, "the API needs attention")
    );
}

#[test]
fn no_call_no_assessment() {
    let ctx = context();
    let state = ready(&ctx);
    let out = ctx
        .run(Event::hook("leader-settings-changed"), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(assessments(&out), 0);
    assert_eq!(out.calls("status-set"), 0);
    assert_eq!(out.final_status(), None);
}

#[test]
fn a_failing_hook_assesses_nothing() {
    let ctx = context();
    let state = ready(&ctx).with_flag("test.fail");
    let out = ctx
        .run(Event::hook("leader-settings-changed"), &state)
        .unwrap();
    assert!(!out.is_ok());
    assert_eq!(assessments(&out), 0);
    assert_eq!(out.calls("status-set"), 0);
    assert_eq!(out.state, state);
}

#[test]
fn assess_now_sets_the_status_at_once() {
    let ctx = context();
    let state = ready(&ctx).with_flag("test.now");
    let out = ctx
        .run(Event::hook("leader-settings-changed"), &state)
        .unwrap()
        .expect_ok();
    assert!(out.has_flag("test.now.active"));
    assert_eq!(out.final_status(), Some(&Status::active(READY_MESSAGE)));
    assert_eq!(out.calls("status-set"), 1);
}

#[test]
fn the_workload_version_is_set_with_the_status() {
    let ctx = context();
    let out = ctx
        .run(Event::update_status(), &ready(&ctx))
        .unwrap()
        .expect_ok();
    // No package version on the recording host: the release's codename.
    assert_eq!(out.state.workload_version.as_deref(), Some("yoga"));
}

// ---- each check, in order ----

fn update_status(ctx: &Context, state: &State, host: RecordingHost) -> Output {
    use_host(host);
    let out = ctx.run(Event::update_status(), state).unwrap().expect_ok();
    assert_eq!(assessments(&out), 1);
    assert_eq!(statuses_at_end(&out), 1);
    out
}

#[test]
fn a_ready_unit_is_active() {
    let ctx = context();
    let out = update_status(&ctx, &ready(&ctx), RecordingHost::new());
    assert_eq!(final_status(&out), (StatusState::Active, "Unit is ready"));
}

#[test]
fn a_paused_unit_with_its_services_stopped_is_in_maintenance() {
    let ctx = context();
    // Paused and missing a relation: the pause is what is shown.
    let state = ready(&ctx)
        .with_kv(PAUSED_KEY, json!(true))
        .with_flag("test.needs-attention");
    let mut state = state;
    state.flags.remove("shared-db.connected");
    let host = RecordingHost::new()
        .stopped("api-server")
        .stopped("haproxy")
        .closed(9696)
        .closed(9697);
    let out = update_status(&ctx, &state, host);
    assert_eq!(
        final_status(&out),
        (
            StatusState::Maintenance,
            "Paused. Use 'resume' action to resume normal service."
        )
    );
    assert_eq!(PAUSED_MESSAGE, final_status(&out).1);
}

#[test]
fn a_paused_unit_with_services_running_is_blocked() {
    let ctx = context();
    let state = ready(&ctx).with_kv(PAUSED_KEY, json!(true));
    let host = RecordingHost::new().stopped("api-server").closed(9697);
    let out = update_status(&ctx, &state, host);
    assert_eq!(
        final_status(&out),
        (
            StatusState::Blocked,
            "Services should be paused but these services running: haproxy, \
             these ports which should be closed, but are open: 9696"
        )
    );
}

#[test]
fn missing_relations_block() {
    let ctx = context();
    let mut state = ready(&ctx).with_flag("test.needs-attention");
    state
        .flags
        .retain(|f, _| !f.starts_with("shared-db.") && !f.starts_with("amqp."));
    let out = update_status(&ctx, &state, RecordingHost::new().stopped("haproxy"));
    // Before the custom check and the services.
    assert_eq!(
        final_status(&out),
        (StatusState::Blocked, "'shared-db' missing, 'amqp' missing")
    );
}

#[test]
fn incomplete_relations_wait() {
    let ctx = context();
    let mut state = ready(&ctx);
    state.flags.remove("shared-db.available");
    let out = update_status(&ctx, &state, RecordingHost::new());
    assert_eq!(
        final_status(&out),
        (StatusState::Waiting, "'shared-db' incomplete")
    );
}

#[test]
fn extra_relation_flags_carry_their_own_status() {
    let ctx = context();
    let mut state = ready(&ctx);
    state.flags.remove("amqp.tls-ready");
    let out = update_status(&ctx, &state, RecordingHost::new());
    assert_eq!(
        final_status(&out),
        (StatusState::Waiting, "'amqp' TLS incomplete")
    );
}

#[test]
fn the_most_severe_relation_state_wins_and_every_relation_is_named() {
    let ctx = context();
    let mut state = ready(&ctx);
    state.flags.remove("shared-db.available");
    state.flags.remove("amqp.connected");
    let out = update_status(&ctx, &state, RecordingHost::new());
    assert_eq!(
        final_status(&out),
        (
            StatusState::Blocked,
            "'shared-db' incomplete, 'amqp' missing"
        )
    );
}

#[test]
fn the_custom_check_comes_before_the_services() {
    let ctx = context();
    let state = ready(&ctx).with_flag("test.needs-attention");
    let out = update_status(&ctx, &state, RecordingHost::new().stopped("haproxy"));
    assert_eq!(
        final_status(&out),
        (StatusState::Blocked, "the API needs attention")
    );
}

#[test]
fn stopped_services_block() {
    let ctx = context();
    let out = update_status(&ctx, &ready(&ctx), RecordingHost::new().stopped("haproxy"));
    assert_eq!(
        final_status(&out),
        (
            StatusState::Blocked,
            "Services not running that should be: haproxy"
        )
    );
}

#[test]
fn closed_ports_block() {
    let ctx = context();
    let out = update_status(&ctx, &ready(&ctx), RecordingHost::new().closed(9697));
    assert_eq!(
        final_status(&out),
        (
            StatusState::Blocked,
            "Ports which should be open, but are not: 9697"
        )
    );
}

#[test]
fn stopped_services_and_closed_ports_are_both_named() {
    let ctx = context();
    let host = RecordingHost::new()
        .stopped("api-server")
        .closed(9696)
        .closed(9697);
    let out = update_status(&ctx, &ready(&ctx), host);
    assert_eq!(
        final_status(&out),
        (
            StatusState::Blocked,
            "Services not running that should be: api-server; \
             Ports which should be open, but are not: 9696, 9697"
        )
    );
}

// ---- the default handlers ----

#[test]
fn install_installs_the_packages_showing_progress_then_assesses() {
    let ctx = context();
    let host = use_host(RecordingHost::new());
    let out = ctx
        .run(Event::install(), &State::new())
        .unwrap()
        .expect_ok();
    assert_eq!(
        host.operations(),
        [Operation::Install(vec![
            "api-server".into(),
            "python3-api".into()
        ])]
    );
    assert_eq!(
        out.progress(),
        [
            "Installing packages",
            "Installation complete - awaiting next status"
        ]
    );
    assert!(out.has_flag(INSTALLED_FLAG));
    assert!(out.has_flag("api-installed"));
    assert_eq!(
        out.state.opened_ports,
        [Port::tcp(9696), Port::tcp(9697)].into_iter().collect()
    );
    // Assessed once (install and config-changed both asked), at the end.
    assert_eq!(assessments(&out), 1);
    assert_eq!(
        final_status(&out),
        (StatusState::Blocked, "'shared-db' missing, 'amqp' missing")
    );

    // Installed: not again.
    let host = use_host(RecordingHost::new());
    let out = ctx
        .run(Event::hook("leader-settings-changed"), &out.state)
        .unwrap()
        .expect_ok();
    assert!(host.operations().is_empty());
    assert!(out.invoked.is_empty(), "{:?}", out.invoked);
}

#[test]
fn a_config_change_asks_for_rendering_and_assesses() {
    let ctx = context();
    let state = ready(&ctx).with_flag(CONFIG_RENDERED);
    // Nothing changed: nothing to render.
    let out = ctx
        .run(Event::config_changed(), &state)
        .unwrap()
        .expect_ok();
    assert!(out.has_flag(CONFIG_RENDERED));
    assert_eq!(out.calls("status-set"), 0);

    let state = state.with_config("openstack-origin", "cloud:jammy-zed");
    let out = ctx
        .run(Event::config_changed(), &state)
        .unwrap()
        .expect_ok();
    assert!(!out.has_flag(CONFIG_RENDERED));
    assert!(
        out.invoked
            .contains(&"charm_openstack::defaults::config_changed".to_owned())
    );
    assert_eq!(assessments(&out), 1);
    assert_eq!(final_status(&out), (StatusState::Active, READY_MESSAGE));
}

#[test]
fn update_status_assesses() {
    let ctx = context();
    let out = ctx
        .run(Event::update_status(), &ready(&ctx))
        .unwrap()
        .expect_ok();
    assert_eq!(out.invoked, ["charm_openstack::defaults::update_status"]);
    assert_eq!(out.calls("status-set"), 1);
}

#[test]
fn upgrade_charm_renders_again_installs_and_assesses() {
    let ctx = context();
    let state = ready(&ctx).with_flag(CONFIG_RENDERED);
    let host = use_host(RecordingHost::new());
    let out = ctx.run(Event::upgrade_charm(), &state).unwrap().expect_ok();
    assert!(!out.has_flag(CONFIG_RENDERED));
    assert_eq!(
        host.operations(),
        [Operation::Install(vec![
            "api-server".into(),
            "python3-api".into()
        ])]
    );
    assert_eq!(assessments(&out), 1);
    assert_eq!(final_status(&out), (StatusState::Active, READY_MESSAGE));
}

// ---- pause and resume ----

#[test]
fn pause_stops_the_services_and_marks_the_unit() {
    let ctx = context();
    let state = ready(&ctx);
    let host = use_host(RecordingHost::new().closed(9696).closed(9697));
    let out = ctx
        .run(Event::action("pause", json!({})), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(
        host.operations(),
        [
            Operation::Service(ServiceOp::Stop, "api-server".into()),
            Operation::Service(ServiceOp::Stop, "haproxy".into()),
        ]
    );
    assert_eq!(out.action_failure, None);
    assert!(out.has_flag(PAUSED_FLAG));
    assert_eq!(out.state.kv.get(PAUSED_KEY), Some(&json!(true)));
    assert_eq!(
        out.final_status(),
        Some(&Status::maintenance(PAUSED_MESSAGE))
    );

    // The next hooks say so, while the services stay stopped.
    let host = RecordingHost::new()
        .stopped("api-server")
        .stopped("haproxy")
        .closed(9696)
        .closed(9697);
    let paused = update_status(&ctx, &out.state, host);
    assert_eq!(
        paused.final_status(),
        Some(&Status::maintenance(PAUSED_MESSAGE))
    );

    // resume starts them and clears the mark.
    let host = use_host(
        RecordingHost::new()
            .stopped("api-server")
            .stopped("haproxy"),
    );
    let out = ctx
        .run(Event::action("resume", json!({})), &out.state)
        .unwrap()
        .expect_ok();
    assert_eq!(
        host.operations(),
        [
            Operation::Service(ServiceOp::Start, "api-server".into()),
            Operation::Service(ServiceOp::Start, "haproxy".into()),
        ]
    );
    assert_eq!(out.action_failure, None);
    assert!(!out.has_flag(PAUSED_FLAG));
    assert_eq!(out.state.kv.get(PAUSED_KEY), None);
    assert_eq!(out.final_status(), Some(&Status::active(READY_MESSAGE)));
}

#[test]
fn a_pause_that_leaves_ports_open_fails_softly_and_stays_paused() {
    let ctx = context();
    let state = ready(&ctx);
    use_host(RecordingHost::new());
    let out = ctx
        .run(Event::action("pause", json!({})), &state)
        .unwrap()
        .expect_ok();
    let blocked = "Services should be paused but these ports which should be closed, \
                   but are open: 9696, 9697";
    assert_eq!(
        out.action_failure.as_deref(),
        Some(format!("Couldn't pause: {blocked}").as_str())
    );
    // Committed all the same: the status says what is wrong.
    assert!(out.has_flag(PAUSED_FLAG));
    assert_eq!(out.final_status(), Some(&Status::blocked(blocked)));
}

#[test]
fn a_resume_whose_ports_stay_closed_fails_softly() {
    let ctx = context();
    let state = ready(&ctx)
        .with_kv(PAUSED_KEY, json!(true))
        .with_flag(PAUSED_FLAG);
    use_host(RecordingHost::new().closed(9697));
    let out = ctx
        .run(Event::action("resume", json!({})), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(
        out.action_failure.as_deref(),
        Some("Couldn't resume: Ports which should be open, but are not: 9697")
    );
    assert!(!out.has_flag(PAUSED_FLAG));
}
