//! The charm binary's entry point: one hook, end to end, under Juju.

use std::process::ExitCode;
use std::rc::Rc;

use crate::backend::{Backend, ProcessBackend};
use crate::env::HookEnv;
use crate::error::RegistryError;
use crate::log::{JujuLogSink, Level, LogSink};
use crate::metadata::{ActionsSchema, ConfigSchema, Metadata};
use crate::registry::Registry;
use crate::run::{HookOptions, run_hook};
use crate::state::SqliteStore;

/// Run the hook or action Juju invoked with every handler registered by the
/// macros in this binary ([`Registry::for_charm`]: interface handlers are
/// instantiated for the endpoints of the charm's metadata). Use as the
/// charm's `main`:
///
/// ```no_run
/// fn main() -> std::process::ExitCode {
///     charm_runtime::main()
/// }
/// ```
///
/// Outside Juju it prints one line saying what is missing and exits 2. A
/// failed hook logs the error through `juju-log` at ERROR, writes nothing
/// (no relation data, leadership settings, status or unit state) and exits
/// 1, so Juju marks the hook failed and retries it. A failed action also
/// reports its error with `action-fail` (see [`crate::action`]).
///
/// Before running anything, the registry is checked against the charm's
/// metadata ([`Registry::check_against`]); a problem stops every hook with
/// a message naming it. Handlers of actions `actions.yaml` does not
/// declare are logged as warnings ([`Registry::check_actions`]).
pub fn main() -> ExitCode {
    run_charm(|metadata| Registry::for_charm("", metadata))
}

/// Like [`main`], with the registry built by `registry` from the charm's
/// metadata (for charms that register handlers by hand).
pub fn run_charm(registry: impl FnOnce(&Metadata) -> Result<Registry, RegistryError>) -> ExitCode {
    let program = std::env::args()
        .next()
        .and_then(|a| {
            std::path::Path::new(&a)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "charm".to_owned());
    let env = match HookEnv::from_env() {
        Ok(env) => env,
        Err(e) => {
            eprintln!("{program}: {e}");
            return ExitCode::from(2);
        }
    };
    let backend: Rc<dyn Backend> = Rc::new(ProcessBackend::new());
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
    let fail = |message: String| {
        sink.log(Level::Error, &message);
        ExitCode::from(1)
    };
    let metadata = match Metadata::load(&env.charm_dir) {
        Ok(m) => Rc::new(m),
        Err(e) => return fail(format!("cannot start: {e}")),
    };
    let schema = match ConfigSchema::load(&env.charm_dir) {
        Ok(s) => Rc::new(s),
        Err(e) => return fail(format!("cannot start: {e}")),
    };
    let registry = match registry(&metadata) {
        Ok(r) => r,
        Err(e) => return fail(format!("cannot start: {e}")),
    };
    let problems = registry.check_against(&metadata);
    if !problems.is_empty() {
        return fail(format!("cannot start: {}", problems.join("; ")));
    }
    match ActionsSchema::load(&env.charm_dir) {
        Ok(actions) => {
            for problem in registry.check_actions(&actions) {
                sink.log(Level::Warning, &problem);
            }
        }
        Err(e) => sink.log(
            Level::Warning,
            &format!("cannot check the action handlers: {e}"),
        ),
    }
    let db = env.unit_state_path(|k| std::env::var(k).ok());
    let mut store = match SqliteStore::open(&db) {
        Ok(s) => s,
        Err(e) => return fail(format!("cannot open unit state: {e}")),
    };
    let options = HookOptions::for_charm(env, metadata, schema, backend, sink.clone());
    let outcome = run_hook(&registry, &mut store, options);
    if outcome.is_ok() {
        ExitCode::SUCCESS
    } else {
        // run_hook has logged the error at ERROR with the handler id.
        ExitCode::from(1)
    }
}
