//! An OpenStack image charm (`tests/fixtures/image`) with two definitions
//! and charms.openstack's default release selector: the release is
//! chosen at install from `openstack-origin` and cached; a newer
//! `openstack-origin` upgrades the unit (the `openstack-upgrade`
//! default), unless upgrades are left to an action.

use charm_openstack::defaults::{CONFIG_RENDERED, UPGRADING_MESSAGE};
use charm_openstack::host::{Host, HostHandle, Operation, RecordingHost};
use charm_openstack::instance::RELEASE_KEY;
use charm_openstack::{DefaultHandler, Definition, OpenStack, OpenStackCharms, Release};
use charm_runtime::harness::{Context, Event, Output, State};
use charm_runtime::metadata::Metadata;
use charm_runtime::prelude::*;
use charm_runtime::{Registry, RegistryError};
use serde_json::json;
use std::cell::RefCell;
use std::rc::Rc;

fn charms() -> OpenStackCharms {
    let sync = ["image-manage", "db_sync"];
    OpenStackCharms::new(
        Definition::new("image", Release::YOGA)
            .packages(["image-api"])
            .services(["image-api"])
            .sync_command(sync),
    )
    .and(
        Definition::new("image", Release::BOBCAT)
            .packages(["image-api", "python3-image-extra"])
            .services(["image-api"])
            .sync_command(sync),
    )
    .use_defaults([
        DefaultHandler::SelectRelease,
        DefaultHandler::Install,
        DefaultHandler::ConfigChanged,
        DefaultHandler::OpenStackUpgrade,
    ])
}
charm_openstack::register!(charms);

/// Shows the release of the hook's instance.
#[hook("update-status")]
fn note_release(os: OpenStack, flags: Flags) {
    flags.set(format!("test.release.{}", os.release()));
}

thread_local! {
    static HOST: RefCell<Option<Rc<RecordingHost>>> = const { RefCell::new(None) };
}

fn use_host() -> Rc<RecordingHost> {
    let host = Rc::new(RecordingHost::new());
    HOST.with(|h| *h.borrow_mut() = Some(host.clone()));
    host
}

fn test_host(registry: &mut Registry, _: &Metadata) -> Result<(), RegistryError> {
    registry.atstart("test::host", |ctx: &HookContext| {
        if let Some(host) = HOST.with(|h| h.borrow().clone()) {
            let host: Rc<dyn Host> = host;
            ctx.extensions().insert(Rc::new(HostHandle(host)));
        }
    });
    Ok(())
}
charm_runtime::extend_registry!("0-test-host", test_host);

fn context() -> Context {
    Context::from_charm_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/image")).unwrap()
}

/// A unit installed from the yoga Cloud Archive pocket.
fn installed_on_yoga(ctx: &Context, leader: bool) -> State {
    let host = use_host();
    let state = State::new()
        .with_leader(leader)
        .with_config("openstack-origin", "cloud:jammy-yoga");
    let out = ctx.run(Event::install(), &state).unwrap().expect_ok();
    assert_eq!(out.state.kv.get(RELEASE_KEY), Some(&json!("yoga")));
    assert_eq!(
        host.operations(),
        [Operation::Install(vec!["image-api".into()])]
    );
    assert_eq!(
        out.progress(),
        [
            "Installing packages",
            "Installation complete - awaiting next status"
        ]
    );
    out.state.with_flag(CONFIG_RENDERED)
}

fn release_of(ctx: &Context, state: &State) -> Vec<String> {
    use_host();
    let out = ctx.run(Event::update_status(), state).unwrap().expect_ok();
    out.flags()
        .into_iter()
        .filter(|f| f.starts_with("test.release."))
        .map(str::to_owned)
        .collect()
}

fn change_origin(ctx: &Context, state: &State, origin: &str) -> (Output, Vec<Operation>) {
    let host = use_host();
    let state = state.clone().with_config("openstack-origin", origin);
    let out = ctx
        .run(Event::config_changed(), &state)
        .unwrap()
        .expect_ok();
    (out, host.operations())
}

#[test]
fn the_release_is_chosen_at_install_and_cached() {
    let ctx = context();
    let state = installed_on_yoga(&ctx, true);
    assert_eq!(release_of(&ctx, &state), ["test.release.yoga"]);
}

#[test]
fn a_newer_origin_upgrades_on_the_leader() {
    let ctx = context();
    let state = installed_on_yoga(&ctx, true);
    let (out, operations) = change_origin(&ctx, &state, "cloud:jammy-bobcat");
    assert_eq!(out.progress(), [UPGRADING_MESSAGE]);
    assert_eq!(
        operations,
        [
            Operation::Install(vec!["image-api".into(), "python3-image-extra".into()]),
            Operation::Run(vec!["image-manage".into(), "db_sync".into()]),
        ]
    );
    assert_eq!(out.state.kv.get(RELEASE_KEY), Some(&json!("bobcat")));
    assert!(!out.has_flag(CONFIG_RENDERED));
    assert_eq!(
        out.calls("status-set"),
        2,
        "the progress and the final status"
    );
    assert_eq!(out.final_status(), Some(&Status::active("Unit is ready")));
    assert_eq!(out.state.workload_version.as_deref(), Some("bobcat"));
    // The next hooks run as bobcat.
    assert_eq!(release_of(&ctx, &out.state), ["test.release.bobcat"]);
}

#[test]
fn a_non_leader_upgrades_and_leaves_the_migration_to_the_leader() {
    let ctx = context();
    let state = installed_on_yoga(&ctx, false);
    let (out, operations) = change_origin(&ctx, &state, "cloud:jammy-bobcat");
    assert_eq!(
        operations,
        [Operation::Install(vec![
            "image-api".into(),
            "python3-image-extra".into()
        ])]
    );
    assert_eq!(out.state.kv.get(RELEASE_KEY), Some(&json!("bobcat")));
}

#[test]
fn action_managed_upgrades_are_left_to_the_action() {
    let ctx = context();
    let state = installed_on_yoga(&ctx, true).with_config("action-managed-upgrade", true);
    let (out, operations) = change_origin(&ctx, &state, "cloud:jammy-bobcat");
    assert!(operations.is_empty());
    assert!(out.progress().is_empty());
    assert_eq!(out.state.kv.get(RELEASE_KEY), Some(&json!("yoga")));
    assert!(
        out.logs
            .iter()
            .any(|(_, l)| l.contains("not upgrading OpenStack to bobcat")),
        "{:?}",
        out.logs
    );
    // The cached release stands, whatever the origin says.
    assert_eq!(release_of(&ctx, &out.state), ["test.release.yoga"]);
}

#[test]
fn the_same_or_an_older_origin_upgrades_nothing() {
    let ctx = context();
    let state = installed_on_yoga(&ctx, true);
    for origin in ["cloud:jammy-yoga", "cloud:focal-xena", "yoga"] {
        let (out, operations) = change_origin(&ctx, &state, origin);
        assert!(operations.is_empty(), "{origin}");
        assert!(out.progress().is_empty(), "{origin}");
        assert_eq!(out.state.kv.get(RELEASE_KEY), Some(&json!("yoga")));
    }
}

#[test]
fn an_origin_naming_no_release_fails_the_hook() {
    let ctx = context();
    let state =
        installed_on_yoga(&ctx, true).with_config("openstack-origin", "cloud:noble-nonsense");
    use_host();
    let out = ctx.run(Event::config_changed(), &state).unwrap();
    assert!(
        matches!(
            out.error_as::<charm_openstack::UpgradeError>(),
            Some(charm_openstack::UpgradeError::Release(_))
        ),
        "{:?}",
        out.error
    );
    assert_eq!(out.calls("status-set"), 0);
}
