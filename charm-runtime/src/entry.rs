//! The charm binary's entry point: one hook, end to end, under Juju.

use std::process::ExitCode;
use std::rc::Rc;

use crate::backend::{Backend, ProcessBackend};
use crate::charm::Charm;
use crate::env::HookEnv;
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
/// Outside Juju it prints one line saying what is missing and exits 2. A
/// failed hook logs the error through `juju-log` at ERROR, writes nothing
/// (no relation data, leadership settings, status or unit state) and exits
/// 1, so Juju marks the hook failed and retries it. A failed action also
/// reports its error with `action-fail` (see [`crate::action`]).
///
/// Before running anything the charm is built and checked
/// ([`Charm::new`]): no handler at all, or a handler naming a relation,
/// endpoint or action the charm does not declare, stops every hook with a
/// message naming the mistake.
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
    if outcome.is_ok() {
        ExitCode::SUCCESS
    } else {
        // run_hook has logged the error at ERROR with the handler id.
        ExitCode::from(1)
    }
}
