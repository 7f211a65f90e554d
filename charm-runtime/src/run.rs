//! One hook, end to end: load unit state, atstart, dispatch, atexit, and
//! commit, or on any failure commit nothing. An action runs its own
//! handlers only (see [`crate::action`]).

use std::rc::Rc;

use crate::context::{HookContext, RelationResolver};
use crate::dispatch::{DispatchStats, RESTRICTED_HOOKS, dispatch, dispatch_action};
use crate::error::{HandlerError, HookError};
use crate::juju::Juju;
use crate::log::{Level, LogSink, StderrSink};
use crate::registry::Registry;
use crate::state::{Change, FLAG_PREFIX, Snapshot, StateStore, diff};
use crate::trace::TraceEvent;

/// How to run a hook.
#[derive(Clone)]
pub struct HookOptions {
    /// The hook name.
    pub hook: String,
    /// Where logs and the trace go.
    pub sink: Rc<dyn LogSink>,
    /// Resolves `{role:interface}` in `@hook` patterns.
    pub relations: Option<RelationResolver>,
    /// The Juju side of the hook.
    pub juju: Option<Rc<Juju>>,
    /// The action being run, if this is an action rather than a hook.
    /// When `None`, the Juju environment tells ([`crate::env::HookEnv::action`]).
    pub action: Option<String>,
}

impl HookOptions {
    /// Run `hook`, logging to standard error.
    pub fn new(hook: impl Into<String>) -> Self {
        Self {
            hook: hook.into(),
            sink: Rc::new(StderrSink),
            relations: None,
            juju: None,
            action: None,
        }
    }

    /// Run the action `name` rather than a hook: only its `#[action]`
    /// handlers run (see [`crate::action`]). Under Juju the environment
    /// already says so; this is for running without one.
    pub fn action(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.hook.clone_from(&name);
        self.action = Some(name);
        self
    }

    /// The action this runs: [`HookOptions::action`], else the one the Juju
    /// environment names.
    pub fn action_name(&self) -> Option<&str> {
        self.action
            .as_deref()
            .or_else(|| self.juju.as_ref().and_then(|j| j.env().action()))
    }

    /// The options of one hook of the charm described by `metadata` and
    /// `config`, run in `env` over `backend`: the Juju side of the hook and
    /// the `{role:interface}` hook-pattern resolver. The entry point and
    /// the harness both start a hook through here.
    pub fn for_charm(
        env: crate::env::HookEnv,
        metadata: Rc<crate::metadata::Metadata>,
        config: Rc<crate::metadata::ConfigSchema>,
        backend: Rc<dyn crate::backend::Backend>,
        sink: Rc<dyn LogSink>,
    ) -> Self {
        let hook = env.name().to_owned();
        let relations = metadata.relation_resolver();
        let juju = Juju::new(env, metadata, backend).with_config_schema(config);
        HookOptions::new(hook)
            .sink(sink)
            .juju(Rc::new(juju))
            .relations(relations)
    }

    /// Run under Juju: hook tools, metadata and the managed flags.
    pub fn juju(mut self, juju: Rc<Juju>) -> Self {
        self.juju = Some(juju);
        self
    }

    /// Log to `sink` instead.
    pub fn sink(mut self, sink: Rc<dyn LogSink>) -> Self {
        self.sink = sink;
        self
    }

    /// Resolve `{role:interface}` hook patterns with `relations`.
    pub fn relations(mut self, relations: RelationResolver) -> Self {
        self.relations = Some(relations);
        self
    }
}

impl std::fmt::Debug for HookOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HookOptions")
            .field("hook", &self.hook)
            .field("action", &self.action)
            .finish_non_exhaustive()
    }
}

/// What a hook did.
#[derive(Debug)]
pub struct HookOutcome {
    /// The hook name.
    pub hook: String,
    /// Handler ids in invocation order (repeated when re-invoked).
    pub invoked: Vec<String>,
    /// Every dispatch event.
    pub trace: Vec<TraceEvent>,
    /// The flags persisted after the hook, sorted: the new ones when it
    /// succeeded, the old ones when it failed.
    pub flags: Vec<String>,
    /// The unit-state writes committed (empty when the hook failed).
    pub committed: Vec<Change>,
    /// Dispatch counters.
    pub stats: DispatchStats,
    /// Why the hook failed, if it did.
    pub error: Option<HookError>,
}

impl HookOutcome {
    /// Whether the hook succeeded.
    pub fn is_ok(&self) -> bool {
        self.error.is_none()
    }
}

fn flags_of(snapshot: &Snapshot) -> Vec<String> {
    snapshot
        .keys()
        .filter_map(|k| k.strip_prefix(FLAG_PREFIX))
        .map(str::to_owned)
        .collect()
}

/// Run one hook against `store`.
///
/// ```
/// use charm_runtime::{Handler, HookOptions, MemoryStore, Registry, run_hook};
/// let mut registry = Registry::new();
/// registry.add(Handler::new("install", |ctx: &charm_runtime::HookContext| ctx.flags().set("installed"))
///     .hook(["install"])).unwrap();
/// let mut store = MemoryStore::new();
/// let outcome = run_hook(&registry, &mut store, HookOptions::new("install"));
/// assert!(outcome.is_ok());
/// assert_eq!(store.flags(), ["installed"]);
/// ```
pub fn run_hook(
    registry: &Registry,
    store: &mut dyn StateStore,
    options: HookOptions,
) -> HookOutcome {
    let hook = options.hook.clone();
    let sink = options.sink.clone();
    // `log::info!` and friends, from the charm or its libraries, reach the
    // hook's log (juju-log under Juju) while the hook runs.
    let _route = crate::log::route_log_facade(sink.clone());
    let action = options.action_name().map(str::to_owned);
    let before = match store.load() {
        Ok(s) => s,
        Err(e) => {
            let e = HookError::from(e);
            report_failure(
                &*sink,
                options.juju.as_deref(),
                &hook,
                action.as_deref(),
                &e,
            );
            return HookOutcome {
                hook,
                invoked: vec![],
                trace: vec![],
                flags: vec![],
                committed: vec![],
                stats: DispatchStats::default(),
                error: Some(e),
            };
        }
    };
    let ctx = HookContext::new(
        registry,
        &before,
        &hook,
        options.sink,
        options.relations,
        options.juju,
    );
    let phases = match &action {
        Some(name) => run_action(registry, &ctx, name),
        None => run_phases(registry, &ctx).map_err(HookError::from),
    };
    let result = phases.and_then(|()| {
        if let Some(juju) = ctx.juju() {
            juju.flush()?;
        }
        let after = ctx.snapshot();
        let changes = diff(&before, &after);
        store.commit(&changes)?;
        Ok((after, changes))
    });
    let trace = ctx.trace();
    let stats = ctx.stats();
    let invoked = trace
        .iter()
        .filter_map(|e| match e {
            TraceEvent::Invoked { handler, .. } => Some(handler.clone()),
            _ => None,
        })
        .collect();
    match result {
        Ok((after, committed)) => HookOutcome {
            hook,
            invoked,
            trace,
            flags: flags_of(&after),
            committed,
            stats,
            error: None,
        },
        Err(e) => {
            report_failure(&*sink, ctx.juju(), &hook, action.as_deref(), &e);
            HookOutcome {
                hook,
                invoked,
                trace,
                flags: flags_of(&before),
                committed: vec![],
                stats,
                error: Some(e),
            }
        }
    }
}

/// Log the failure of the hook or action; for an action, tell Juju with
/// `action-fail`.
fn report_failure(
    sink: &dyn LogSink,
    juju: Option<&Juju>,
    hook: &str,
    action: Option<&str>,
    e: &HookError,
) {
    let Some(name) = action else {
        sink.log(Level::Error, &format!("hook {hook} failed: {e}"));
        return;
    };
    sink.log(Level::Error, &format!("action {name} failed: {e}"));
    if let Some(juju) = juju
        && let Err(tool) = juju.fail_action_now(&action_failure_message(e))
    {
        sink.log(
            Level::Error,
            &format!("cannot report the failure of action {name}: {tool}"),
        );
    }
}

/// What `action-fail` says of a failed action: the handler's own error
/// message when it returned one, else the whole error.
fn action_failure_message(e: &HookError) -> String {
    match e {
        HookError::Handler(HandlerError::Failed { message, .. }) => message.clone(),
        other => other.to_string(),
    }
}

/// An action: only its handlers, without atstart, atexit or the managed
/// flags (see [`crate::action`]).
fn run_action(registry: &Registry, ctx: &HookContext, name: &str) -> Result<(), HookError> {
    if !registry.action_names().contains(&name) {
        return Err(HookError::NoActionHandler(name.to_owned()));
    }
    dispatch_action(registry, ctx, name)?;
    let dropped: Vec<String> = ctx.take_atexit().into_iter().map(|(n, _)| n).collect();
    if !dropped.is_empty() {
        ctx.log(
            Level::Warning,
            &format!(
                "action {name}: atexit callbacks do not run in actions; not run: {}",
                dropped.join(", ")
            ),
        );
    }
    if let Some(e) = ctx.state.borrow_mut().errors.drain(..).next() {
        return Err(e.into());
    }
    Ok(())
}

/// atstart, dispatch and atexit, as charms.reactive's `main()`: restricted
/// hooks skip atstart and atexit.
fn run_phases(registry: &Registry, ctx: &HookContext) -> Result<(), HandlerError> {
    let restricted = RESTRICTED_HOOKS.contains(&ctx.hook_name());
    if !restricted {
        manage_upgrade_flags(ctx);
        crate::managed::manage(registry, ctx).map_err(|e| HandlerError::Callback {
            what: "maintaining the endpoint, config and leadership flags".to_owned(),
            message: e.to_string(),
        })?;
        for (_, callback) in &registry.atstart {
            callback(ctx)?;
        }
    }
    dispatch(registry, ctx)?;
    if !restricted {
        // hookenv runs atexit callbacks in reverse order of addition:
        // those deferred by handlers first, then the registered ones.
        loop {
            let mut deferred = ctx.take_atexit();
            if deferred.is_empty() {
                break;
            }
            while let Some((_, callback)) = deferred.pop() {
                callback(ctx)?;
            }
        }
        for (_, callback) in registry.atexit.iter().rev() {
            callback(ctx)?;
        }
        if let Some(e) = ctx.state.borrow_mut().errors.drain(..).next() {
            return Err(e);
        }
    }
    Ok(())
}

/// charms.reactive's automatic `upgrade.series.in-progress` flag.
fn manage_upgrade_flags(ctx: &HookContext) {
    match ctx.hook_name() {
        "pre-series-upgrade" => ctx.flags().set("upgrade.series.in-progress"),
        "post-series-upgrade" => ctx.flags().clear("upgrade.series.in-progress"),
        _ => {}
    }
}
