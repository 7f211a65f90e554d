//! The charm binary's entry point: one hook, end to end, under Juju.

use std::process::ExitCode;
use std::rc::Rc;

use crate::backend::{Backend, ProcessBackend};
use crate::charm::Charm;
use crate::env::{HookEnv, Invoked};
use crate::juju_log::JujuLogSink;
use crate::metadata::Metadata;
use crate::reactive::{Level, LogSink, Registry, RegistryError, SqliteStore};

/// Run the hook or action Juju invoked with every handler registered by the
/// macros in this binary ([`Charm::load`]: interface handlers are
/// instantiated for the endpoints of the charm's metadata).
///
/// A charm keeps its handlers in its library, whose `main` calls this, and
/// its `src/main.rs` calls the library's `main`, so that the handlers are
/// linked into the binary:
///
/// ```no_run
/// // src/lib.rs
/// /// Run the hook Juju invoked.
/// pub fn main() -> std::process::ExitCode {
///     charm_runtime::main()
/// }
/// ```
///
/// Every hook tool call is limited to `CHARM_TOOL_TIMEOUT` seconds
/// (default 300, [`crate::backend::DEFAULT_TOOL_TIMEOUT`]); a tool still
/// running then is killed and the hook fails naming it.
///
/// Outside Juju it prints one line saying what is missing and exits 2, as
/// it does when a variable it reads is invalid (not UTF-8, a malformed
/// `JUJU_DISPATCH_PATH`, a `CHARM_TOOL_TIMEOUT` that is not seconds). A
/// failed hook logs the error through `juju-log` at ERROR, writes nothing
/// (no relation data, leadership settings, status or unit state) and exits
/// 1, so Juju marks the hook failed and retries it. A hook whose writes
/// are refused after its unit state is committed also exits 1; the next
/// hook resends them (`docs/failures.md`). A failed action also reports
/// its error with `action-fail` (see [`crate::action`]).
///
/// Before running anything the charm is built and checked
/// ([`Charm::new`]): no handler at all, or a handler naming a relation,
/// endpoint or action the charm does not declare, stops every hook with a
/// message naming the mistake.
///
/// # Introspection
///
/// With `CHARM_INTROSPECT` set to `registry`, the
/// binary runs no hook: it builds the charm from `$CHARM_DIR` (the current
/// directory when unset) as a hook would, prints its handlers, their
/// conditions and the triggers as one JSON document on standard output
/// and exits 0 (1 when the charm cannot be built, with the reason on
/// standard error; 2 for another value of the variable). This is how
/// `cargo charm graph` learns any charm's registry without linking it:
///
/// ```json
/// {"introspect": "registry", "version": 1, "charm": "webapp",
///  "handlers": [{"id": "webapp::start", "endpoint": null,
///                "conditions": [{"kind": "when_all", "flags": ["webapp.installed"]},
///                               {"kind": "hook", "patterns": ["install"]}]}],
///  "triggers": [{"on": "set", "flag": "config.changed",
///                "action": "clear_flag", "target": "webapp.configured"}]}
/// ```
///
/// Condition kinds are [`crate::Condition::name`]s; `when_all`,
/// `when_any`, `when_none` and `when_not_all` carry `flags`, `hook`
/// `patterns`, `when_file_changed` `files`, `restricted_hook` and
/// `action` a `name`. A trigger's `on` is `set` or `cleared`, its
/// `action` `set_flag`, `clear_flag` (with a `target`) or `callback`.
pub fn main() -> ExitCode {
    main_with(|metadata| Registry::for_charm("", metadata))
}

/// Like [`main`], with the registry built by `registry` from the charm's
/// metadata (for charms that register handlers by hand).
pub fn main_with(registry: impl FnOnce(&Metadata) -> Result<Registry, RegistryError>) -> ExitCode {
    let program = std::env::args()
        .next()
        .and_then(|a| {
            std::path::Path::new(&a)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "charm".to_owned());
    if let Some(request) = std::env::var_os(INTROSPECT_VAR) {
        return introspect(&program, &request.to_string_lossy(), registry);
    }
    let env = match HookEnv::from_env() {
        Ok(env) => env,
        Err(e) => {
            eprintln!("{program}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut tools = ProcessBackend::new();
    match crate::env::tool_timeout(std::env::var_os(crate::env::TOOL_TIMEOUT_VAR).as_deref()) {
        Ok(Some(timeout)) => tools = tools.with_timeout(timeout),
        Ok(None) => {}
        Err(e) => {
            eprintln!("{program}: {e}");
            return ExitCode::from(2);
        }
    }
    // Every hook that maintains the config flags reads the whole config
    // first: the tool runs while the charm is loaded and its unit state
    // opened.
    if let Invoked::Hook(hook) = &env.invoked
        && !charm_names::hook::is_restricted(hook)
    {
        tools.prefetch_config();
    }
    let backend: Rc<dyn Backend> = Rc::new(tools);
    let min = match std::env::var("CHARM_LOG_LEVEL").as_deref() {
        Ok("debug" | "DEBUG") => Level::Debug,
        Ok("trace" | "TRACE") => Level::Trace,
        _ => Level::Info,
    };
    let sink = Rc::new(JujuLogSink::new(backend.clone(), min));
    let code = run_in(env, backend, sink.clone(), registry);
    sink.flush();
    code
}

fn run_in(
    env: HookEnv,
    backend: Rc<dyn Backend>,
    sink: Rc<JujuLogSink>,
    registry: impl FnOnce(&Metadata) -> Result<Registry, RegistryError>,
) -> ExitCode {
    let charm = match Charm::load_with(&env.charm_dir, registry) {
        Ok(c) => c,
        Err(e) => {
            sink.log(Level::Error, &format!("cannot start: {e}"));
            return ExitCode::from(1);
        }
    };
    let db = env.unit_state_path(|k| std::env::var(k).ok());
    let mut store = match SqliteStore::open(&db) {
        Ok(s) => s,
        Err(e) => {
            sink.log(Level::Error, &format!("cannot open unit state: {e}"));
            return ExitCode::from(1);
        }
    };
    let outcome = charm.run(env, backend, &mut store, sink);
    // The process ends with this hook: what closing the database would
    // do (unlock it, free SQLite's caches) the exit does, at no cost.
    // Everything the hook committed is in the database's files already
    // (the log is only folded in by a later commit), as when a hook is
    // killed right after its commit.
    std::mem::forget(store);
    if outcome.is_ok() {
        ExitCode::SUCCESS
    } else {
        // run_hook has logged the error at ERROR with the handler id.
        ExitCode::from(1)
    }
}

/// The environment variable that makes [`main`] describe the charm instead
/// of running a hook (see [`main`], "Introspection").
const INTROSPECT_VAR: &str = "CHARM_INTROSPECT";

/// The version of the introspection document; bumped when a field changes
/// meaning or goes away (new fields may appear without a bump).
const INTROSPECT_VERSION: u32 = 1;

fn introspect(
    program: &str,
    request: &str,
    registry: impl FnOnce(&Metadata) -> Result<Registry, RegistryError>,
) -> ExitCode {
    if request != "registry" {
        eprintln!("{program}: {INTROSPECT_VAR}={request:?}: the only request is \"registry\"");
        return ExitCode::from(2);
    }
    let dir = std::env::var_os("CHARM_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| ".".into());
    match Charm::load_with(&dir, registry) {
        Ok(charm) => {
            println!("{}", registry_document(&charm));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!(
                "{program}: cannot describe the charm in {}: {e}",
                dir.display()
            );
            ExitCode::from(1)
        }
    }
}

/// The introspection document of `charm` (see [`main`]).
pub(crate) fn registry_document(charm: &Charm) -> serde_json::Value {
    use crate::conditions::Condition;
    use crate::reactive::{TriggerAction, TriggerOn};
    use serde_json::json;
    let registry = charm.registry();
    let handlers: Vec<_> = registry
        .handler_conditions()
        .map(|(info, conditions)| {
            let conditions: Vec<_> = conditions
                .iter()
                .map(|c| {
                    let kind = c.name();
                    match c {
                        Condition::WhenAll(f)
                        | Condition::WhenAny(f)
                        | Condition::WhenNone(f)
                        | Condition::WhenNotAll(f) => json!({"kind": kind, "flags": f}),
                        Condition::Hook(p) => json!({"kind": kind, "patterns": p}),
                        Condition::FileChanged(f) => json!({"kind": kind, "files": f}),
                        Condition::RestrictedHook(n) | Condition::Action(n) => {
                            json!({"kind": kind, "name": n})
                        }
                        Condition::OnlyOnce => json!({"kind": kind}),
                    }
                })
                .collect();
            json!({"id": info.id, "endpoint": info.endpoint, "conditions": conditions})
        })
        .collect();
    let triggers: Vec<_> = registry
        .triggers()
        .iter()
        .map(|(on, action)| {
            let (on, flag) = match on {
                TriggerOn::Set(f) => ("set", f),
                TriggerOn::Cleared(f) => ("cleared", f),
            };
            let (action, target) = match action {
                TriggerAction::SetFlag(f) => ("set_flag", Some(f)),
                TriggerAction::ClearFlag(f) => ("clear_flag", Some(f)),
                TriggerAction::Callback(_) => ("callback", None),
            };
            json!({"on": on, "flag": flag, "action": action, "target": target})
        })
        .collect();
    json!({
        "introspect": "registry",
        "version": INTROSPECT_VERSION,
        "charm": charm.metadata().name,
        "handlers": handlers,
        "triggers": triggers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::ConfigSchema;
    use crate::reactive::{Handler, HookContext, TriggerAction, TriggerOn};

    #[test]
    fn the_registry_document_lists_handlers_conditions_and_triggers() {
        let mut registry = Registry::new();
        registry
            .add(
                Handler::new("c::configure", |_: &HookContext| ())
                    .when(["c.installed"])
                    .when_not(["c.configured"]),
            )
            .unwrap()
            .add(Handler::new("c::install", |_: &HookContext| ()).hook(["install"]))
            .unwrap()
            .trigger(
                TriggerOn::Set("config.changed".into()),
                TriggerAction::ClearFlag("c.configured".into()),
            );
        let metadata = Metadata::parse("name: c\n", "metadata.yaml").unwrap();
        let charm = Charm::new(metadata, ConfigSchema::default(), None, registry).unwrap();
        let doc = registry_document(&charm);
        assert_eq!(
            doc,
            serde_json::json!({
                "introspect": "registry", "version": 1, "charm": "c",
                "handlers": [
                    {"id": "c::configure", "endpoint": null, "conditions": [
                        {"kind": "when_all", "flags": ["c.installed"]},
                        {"kind": "when_none", "flags": ["c.configured"]}]},
                    {"id": "c::install", "endpoint": null, "conditions": [
                        {"kind": "hook", "patterns": ["install"]}]}],
                "triggers": [{"on": "set", "flag": "config.changed",
                              "action": "clear_flag", "target": "c.configured"}]
            })
        );
    }
}
