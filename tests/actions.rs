//! Actions (`#[action]`) over the in-memory backend: parameters, results,
//! failures and logs reach Juju as they should; only the action's handlers
//! run; what a successful action changes persists, what a failed one
//! changes does not.
//!
//! Each scenario keeps its handlers in a module of its own and builds its
//! registry with `Registry::for_charm("actions::<module>", &metadata)`.

use std::path::PathBuf;
use std::rc::Rc;

use charm_runtime::backend::{Backend, MemoryBackend, MemoryWorld};
use charm_runtime::env::{HookEnv, Invoked};
use charm_runtime::log::{MemorySink, NullSink};
use charm_runtime::metadata::{ActionsSchema, ConfigSchema, Metadata};
use charm_runtime::{
    Charm, CharmError, Handler, HandlerError, HookContext, HookError, HookOptions, HookOutcome,
    Level, MemoryStore, Registry, RegistryError, run_hook,
};
use serde_json::json;

const METADATA: &str = "
name: db
requires:
  backend:
    interface: http
";

fn metadata() -> Metadata {
    Metadata::parse(METADATA, "metadata.yaml").unwrap()
}

fn registry(module: &str) -> Registry {
    Registry::for_charm(&format!("actions::{module}"), &metadata()).unwrap()
}

/// A unit over a memory backend, keeping its unit state across runs.
struct Unit {
    backend: Rc<MemoryBackend>,
    store: MemoryStore,
    sink: Rc<MemorySink>,
}

impl Unit {
    fn new(params: serde_json::Value) -> Self {
        let world = MemoryWorld {
            unit: "db/0".into(),
            action_params: params.as_object().cloned().unwrap_or_default(),
            ..Default::default()
        };
        Self {
            backend: Rc::new(MemoryBackend::new(world)),
            store: MemoryStore::new(),
            sink: Rc::new(MemorySink::new()),
        }
    }

    /// Run what Juju names `invoked`.
    fn run(&mut self, registry: &Registry, invoked: Invoked) -> HookOutcome {
        let charm =
            Charm::new(metadata(), ConfigSchema::default(), None, registry.clone()).unwrap();
        let env = HookEnv {
            invoked,
            unit: "db/0".into(),
            charm_dir: PathBuf::from("/nonexistent"),
            relation: None,
            relation_id: None,
            remote_unit: None,
            remote_app: None,
            departing_unit: None,
            principal_unit: None,
            model: None,
            juju_version: None,
            secret: None,
            simulated_host: true,
        };
        let backend: Rc<dyn Backend> = self.backend.clone();
        charm.run(env, backend, &mut self.store, self.sink.clone())
    }

    fn action(&mut self, registry: &Registry, name: &str) -> HookOutcome {
        self.run(registry, Invoked::Action(name.to_owned()))
    }

    fn hook(&mut self, registry: &Registry, name: &str) -> HookOutcome {
        self.run(registry, Invoked::Hook(name.to_owned()))
    }

    fn tools(&self) -> Vec<&'static str> {
        self.backend.calls().iter().map(|c| c.tool).collect()
    }
}

fn short(ids: &[String]) -> Vec<&str> {
    ids.iter()
        .map(|id| id.rsplit("::").next().unwrap())
        .collect()
}

// ---------------------------------------------------------------------------

mod backup {
    use charm_macros::{action, hook, not_unless, when, when_not};
    use charm_runtime::action::ActionParams;
    use charm_runtime::{Ctx, Error, Flags, Kv};

    #[derive(serde::Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub struct Params {
        pub target: String,
        #[serde(default)]
        pub keep_days: u32,
    }

    #[hook("install")]
    fn install(flags: Flags) {
        flags.set("app.installed");
    }

    #[when("app.installed")]
    #[when_not("app.started")]
    fn start(flags: Flags) {
        flags.set("app.started");
    }

    /// Another action's handler: never runs for `backup`.
    #[action("restore")]
    fn restore(flags: Flags) {
        flags.set("app.restored");
    }

    /// The first handler of `backup`.
    #[action("backup")]
    #[not_unless("app.installed")]
    fn backup(ctx: Ctx, params: ActionParams, kv: Kv) -> Result<(), Error> {
        let p: Params = params.typed()?;
        ctx.action_log(&format!("backing up to {}", p.target))?;
        ctx.action_set("backup.path", format!("{}/db.tar", p.target))?;
        ctx.action_set("backup.keep-days", p.keep_days)?;
        kv.set("last-backup", &p.target)?;
        ctx.flags().set("app.backed-up");
        // Triggers and flag changes behave as in hooks; `start` does not
        // run although its conditions now hold.
        ctx.flags().clear("app.started");
        Ok(())
    }

    /// The second handler of `backup`, run after the first.
    #[action("backup")]
    fn verify(ctx: Ctx, flags: &Flags) -> Result<(), Error> {
        assert!(flags.is_set("app.backed-up"));
        assert_eq!(ctx.action_name(), Some("backup"));
        ctx.action_set("verified", "yes")?;
        Ok(())
    }

    /// Fails softly: the action is reported failed, what it did is kept.
    #[action("check")]
    fn check(ctx: Ctx) -> Result<(), Error> {
        ctx.action_set("checked", 3)?;
        ctx.flags().set("app.checked");
        ctx.action_fail("2 tables are corrupt")?;
        Ok(())
    }

    /// Fails hard: nothing of the action is kept.
    #[action("wipe")]
    fn wipe(ctx: Ctx, kv: Kv) -> Result<(), String> {
        ctx.action_log("wiping").map_err(|e| e.to_string())?;
        ctx.action_set("wiped", "partly")
            .map_err(|e| e.to_string())?;
        kv.set("wiped", &true).map_err(|e| e.to_string())?;
        ctx.flags().set("app.wiped");
        Err("disk is read-only".to_owned())
    }

    #[action("explode")]
    fn explode(flags: Flags) {
        flags.set("app.exploding");
        panic!("boom");
    }

    /// Results must be valid `action-set` keys.
    #[action("bad-key")]
    fn bad_key(ctx: Ctx) -> Result<(), Error> {
        ctx.action_set("Bad_Key", 1)
    }

    /// Defers work to atexit, which does not run in actions.
    #[action("defer")]
    fn defer(ctx: Ctx) {
        ctx.atexit("after-defer", |ctx: &charm_runtime::HookContext| {
            ctx.flags().set("app.deferred-ran")
        });
    }

    /// Action APIs are refused in hooks.
    #[hook("update-status")]
    fn in_a_hook(ctx: Ctx, flags: Flags) {
        let err = ctx.action_set("x", 1).unwrap_err();
        assert!(
            err.to_string()
                .contains("update-status is a hook, not an action"),
            "{err}"
        );
        assert!(ctx.action_params().is_err());
        assert_eq!(ctx.action_name(), None);
        flags.set("hook.ran");
    }

    #[hook("config-changed")]
    fn params_in_a_hook(_: ActionParams) {}
}

#[test]
fn an_action_runs_its_handlers_in_order_and_nothing_else() {
    let r = registry("backup");
    let mut unit = Unit::new(json!({"target": "/srv/backup"}));
    unit.store = MemoryStore::with_flags(&["app.installed", "app.started"]);
    let out = unit.action(&r, "backup");
    assert!(out.is_ok(), "{:?}", out.error);
    assert_eq!(short(&out.invoked), ["backup", "verify"]);
    assert_eq!(out.stats.iterations, 0);
    // The flags set persist, the one cleared is cleared; `start` did not
    // run again.
    assert_eq!(unit.store.flags(), ["app.backed-up", "app.installed"]);
    assert_eq!(unit.store.data["last-backup"], "\"/srv/backup\"");

    let w = unit.backend.world();
    assert_eq!(
        w.action_results,
        [
            ("backup.keep-days".to_owned(), "0".to_owned()),
            ("backup.path".to_owned(), "/srv/backup/db.tar".to_owned()),
            ("verified".to_owned(), "yes".to_owned()),
        ]
        .into_iter()
        .collect()
    );
    assert_eq!(w.action_logs, ["backing up to /srv/backup"]);
    assert_eq!(w.action_failure, None);
    // Params read once, results sent in one call at the end; no flag
    // maintenance (no is-leader, config-get, relation-ids).
    assert_eq!(unit.tools(), ["action-get", "action-log", "action-set"]);

    // The next hook acts on the action's flags.
    let out = unit.hook(&r, "update-status");
    assert!(out.is_ok(), "{:?}", out.error);
    assert_eq!(short(&out.invoked), ["in_a_hook", "start"]);
}

#[test]
fn action_handlers_never_run_in_hooks() {
    let r = registry("backup");
    let mut unit = Unit::new(json!({}));
    let out = unit.hook(&r, "install");
    assert!(out.is_ok(), "{:?}", out.error);
    assert_eq!(short(&out.invoked), ["install", "start"]);
}

#[test]
fn params_are_typed_with_errors_naming_the_parameter() {
    let r = registry("backup");
    let mut unit = Unit::new(json!({"target": "/srv", "keep-days": "seven"}));
    let out = unit.action(&r, "backup");
    assert!(!out.is_ok());
    let failure = unit.backend.world().action_failure.unwrap();
    assert_eq!(
        failure,
        "action parameter \"keep-days\": invalid type: a string of 5 bytes (not shown), expected u32"
    );

    let mut unit = Unit::new(json!({}));
    unit.action(&r, "backup");
    assert_eq!(
        unit.backend.world().action_failure.unwrap(),
        "action parameter \"target\": missing: the action was run without it (make the field an Option, give it #[serde(default)], or a default in actions.yaml)"
    );
}

#[test]
fn action_fail_reports_failure_and_keeps_what_the_action_did() {
    let r = registry("backup");
    let mut unit = Unit::new(json!({}));
    let out = unit.action(&r, "check");
    assert!(out.is_ok(), "{:?}", out.error);
    assert_eq!(unit.store.flags(), ["app.checked"]);
    let w = unit.backend.world();
    assert_eq!(w.action_results["checked"], "3");
    assert_eq!(w.action_failure.as_deref(), Some("2 tables are corrupt"));
    assert_eq!(unit.tools(), ["action-set", "action-fail"]);
}

#[test]
fn a_failing_handler_fails_the_action_and_keeps_nothing() {
    let r = registry("backup");
    let mut unit = Unit::new(json!({}));
    unit.store = MemoryStore::with_flags(&["app.installed"]);
    let before = unit.store.clone();
    let out = unit.action(&r, "wipe");
    match &out.error {
        Some(HookError::Handler(HandlerError::Failed { handler, error })) => {
            assert_eq!(handler, "actions::backup::wipe");
            assert_eq!(error.message(), "disk is read-only");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(unit.store, before);
    let w = unit.backend.world();
    assert!(w.action_results.is_empty(), "{:?}", w.action_results);
    assert_eq!(w.action_failure.as_deref(), Some("disk is read-only"));
    // The log was immediate, so it was seen.
    assert_eq!(w.action_logs, ["wiping"]);
    assert!(
        unit.sink.at(Level::Error).contains(
            &"action wipe failed: handler actions::backup::wipe failed: disk is read-only"
                .to_owned()
        ),
        "{:?}",
        unit.sink.lines()
    );
}

#[test]
fn a_panicking_handler_fails_the_action() {
    let r = registry("backup");
    let mut unit = Unit::new(json!({}));
    let out = unit.action(&r, "explode");
    assert!(matches!(
        out.error,
        Some(HookError::Handler(HandlerError::Panicked { .. }))
    ));
    assert!(unit.store.flags().is_empty());
    assert_eq!(
        unit.backend.world().action_failure.as_deref(),
        Some("handler actions::backup::explode panicked: boom")
    );
}

#[test]
fn an_invalid_result_key_fails_the_action() {
    let r = registry("backup");
    let mut unit = Unit::new(json!({}));
    let out = unit.action(&r, "bad-key");
    assert!(!out.is_ok());
    assert_eq!(
        unit.backend.world().action_failure.as_deref(),
        Some(
            "hook tool action-set: result key \"Bad_Key\": each dot-separated part has lowercase letters, digits and hyphens, and starts and ends with a letter or digit"
        )
    );
}

#[test]
fn an_action_without_handler_fails() {
    let r = registry("backup");
    let mut unit = Unit::new(json!({}));
    let out = unit.action(&r, "compact");
    assert!(matches!(&out.error, Some(HookError::NoActionHandler(a)) if a == "compact"));
    assert!(out.invoked.is_empty());
    assert_eq!(
        unit.backend.world().action_failure.as_deref(),
        Some("the charm has no handler for action \"compact\"")
    );
}

#[test]
fn atstart_and_atexit_do_not_run_in_actions() {
    let mut r = registry("backup");
    r.atstart("start-cb", |ctx: &HookContext| {
        ctx.flags().set("atstart.ran")
    });
    r.atexit("exit-cb", |ctx: &HookContext| ctx.flags().set("atexit.ran"));
    let mut unit = Unit::new(json!({}));
    let out = unit.action(&r, "defer");
    assert!(out.is_ok(), "{:?}", out.error);
    assert!(unit.store.flags().is_empty(), "{:?}", unit.store.flags());
    assert_eq!(
        unit.sink.at(Level::Warning),
        ["action defer: atexit callbacks do not run in actions; not run: after-defer"]
    );
    // In a hook they do.
    let out = unit.hook(&r, "update-status");
    assert!(out.is_ok(), "{:?}", out.error);
    assert_eq!(
        unit.store.flags(),
        ["atexit.ran", "atstart.ran", "hook.ran"]
    );
}

#[test]
fn action_params_in_a_hook_is_an_extraction_error() {
    let r = registry("backup");
    let mut unit = Unit::new(json!({}));
    let out = unit.hook(&r, "config-changed");
    match &out.error {
        Some(HookError::Handler(HandlerError::Extract { handler, source })) => {
            assert_eq!(handler, "actions::backup::params_in_a_hook");
            assert!(
                source
                    .reason
                    .contains("config-changed is a hook, not an action"),
                "{source}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn without_juju_an_action_runs_from_the_options() {
    let mut r = Registry::new();
    r.add(Handler::new("hooked", |ctx: &HookContext| ctx.flags().set("hooked")).hook(["install"]))
        .unwrap()
        .add(Handler::new("act", |ctx: &HookContext| ctx.flags().set("acted")).action("act"))
        .unwrap();
    let mut store = MemoryStore::new();
    let out = run_hook(
        &r,
        &mut store,
        HookOptions::new("install")
            .sink(Rc::new(NullSink))
            .action("act"),
    );
    assert!(out.is_ok(), "{:?}", out.error);
    assert_eq!(out.invoked, ["act"]);
    assert_eq!(out.hook, "act");
    assert_eq!(store.flags(), ["acted"]);
}

#[test]
fn registration_checks_action_handlers() {
    let mut r = Registry::new();
    let err = r
        .add(
            Handler::new("a", |_: &HookContext| {})
                .action("backup")
                .when(["x"]),
        )
        .unwrap_err();
    assert_eq!(err, RegistryError::ActionWithConditions("a".into()));
    let err = r
        .add(Handler::new("b", |_: &HookContext| {}).action("Back_Up"))
        .unwrap_err();
    assert!(matches!(err, RegistryError::BadActionName { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "handler b: action name \"Back_Up\" does not start with a lowercase letter: Juju action names are lowercase, as in `back-up`"
    );
}

#[test]
fn building_the_charm_refuses_handlers_of_undeclared_actions() {
    let r = registry("backup");
    let actions = ActionsSchema::parse(
        "backup: {}\nrestore: {}\ncheck: {}\nwipe: {}\nexplode: {}\nbad-key: {}\ndefr: {}\n",
        "actions.yaml",
    )
    .unwrap();
    match Charm::new(
        metadata(),
        ConfigSchema::default(),
        Some(actions),
        r.clone(),
    ) {
        Err(CharmError::Names { problems, .. }) => assert_eq!(
            problems,
            [
                "handler actions::backup::defer serves action \"defer\", which the charm's actions.yaml does not declare (did you mean \"defr\"?)"
            ]
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        r.action_names(),
        [
            "backup", "bad-key", "check", "defer", "explode", "restore", "wipe"
        ]
    );
}
