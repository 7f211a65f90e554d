//! One hook, end to end: load the unit state and the journal, let the
//! layer redo what an earlier hook's journal says has not taken effect,
//! atstart, dispatch, atexit, then commit the unit state with the new
//! journal in one transaction and only then send the hook's writes; on a
//! failure before the commit, commit nothing and send nothing. A hook
//! that changed nothing commits nothing and only sends. An action
//! runs its own handlers only.
//!
//! The core knows nothing of Juju: a [`HookLayer`] (the Juju layer) joins
//! in at fixed points: it attaches itself to the context, recovers from
//! the journal, refreshes its automatic flags before atstart, says what
//! to journal, sends its held writes after the commit and hears of a
//! failure. The journal is opaque text to the core.

use std::rc::Rc;

use crate::reactive::context::{HookContext, RelationResolver};
use crate::reactive::dispatch::{DispatchStats, dispatch, dispatch_action};
use crate::reactive::error::{HandlerError, HookError};
use crate::reactive::log::{Level, LogSink, StderrSink};
use crate::reactive::registry::Registry;
use crate::reactive::state::{Change, FLAG_PREFIX, Snapshot, StateStore, diff};
use crate::reactive::trace::TraceEvent;

/// What a layer above the core does around one hook.
pub trait HookLayer {
    /// Attach what the layer provides to the fresh context (its
    /// [`HookContext::extensions`]); runs first, for hooks and actions.
    fn attach(&self, ctx: &HookContext);

    /// Refresh the layer's automatic flags: after attach, before the
    /// atstart callbacks; not in actions or restricted hooks.
    fn before_dispatch(&self, ctx: &HookContext) -> Result<(), HandlerError>;

    /// Check the journal an earlier hook committed
    /// ([`StateStore::commit_journaled`]) and redo what of it has not
    /// taken effect; return what must still be watched (`None`: nothing).
    /// Runs after attach, before anything else, in hooks and actions but
    /// not restricted hooks. An error fails the hook and keeps the
    /// journal. The default keeps the journal as it is.
    fn recover(
        &self,
        ctx: &HookContext,
        journal: &str,
    ) -> Result<Option<String>, Box<dyn std::error::Error>> {
        let _ = ctx;
        Ok(Some(journal.to_owned()))
    }

    /// The journal to commit with the unit state, once everything
    /// succeeded: `kept` (what [`HookLayer::recover`] returned, or the
    /// journal as loaded) with what this hook will send. The default is
    /// `kept`.
    fn journal(
        &self,
        ctx: &HookContext,
        kept: Option<&str>,
    ) -> Result<Option<String>, Box<dyn std::error::Error>> {
        let _ = ctx;
        Ok(kept.map(str::to_owned))
    }

    /// Send what the hook held back, once everything succeeded and the
    /// unit state and journal are committed. An error fails the hook, its
    /// state stays committed and the next hook's [`HookLayer::recover`]
    /// redoes the sends.
    fn send(&self, ctx: &HookContext) -> Result<(), Box<dyn std::error::Error>>;

    /// The sends succeeded: the part of `journal` (what was committed)
    /// that must still be watched by the next hook, what the sends could
    /// not acknowledge. When it differs, the core replaces the journal in
    /// a second, small transaction. The default keeps it all.
    fn after_send(
        &self,
        ctx: &HookContext,
        journal: Option<&str>,
    ) -> Result<Option<String>, Box<dyn std::error::Error>> {
        let _ = ctx;
        Ok(journal.map(str::to_owned))
    }

    /// The hook (or action) failed with `error`: nothing will be committed.
    fn failed(&self, ctx: &HookContext, error: &HookError);
}

/// How to run a hook.
#[derive(Clone)]
pub struct HookOptions {
    /// The hook name.
    pub hook: String,
    /// Where logs and the trace go.
    pub sink: Rc<dyn LogSink>,
    /// Resolves `{role:interface}` in `@hook` patterns.
    pub relations: Option<RelationResolver>,
    /// The action being run, if this is an action rather than a hook.
    pub action: Option<String>,
    /// The layer above the core, if any.
    pub layer: Option<Rc<dyn HookLayer>>,
}

impl HookOptions {
    /// Run `hook`, logging to standard error.
    pub fn new(hook: impl Into<String>) -> Self {
        Self {
            hook: hook.into(),
            sink: Rc::new(StderrSink),
            relations: None,
            action: None,
            layer: None,
        }
    }

    /// Run the action `name` rather than a hook: only its `#[action]`
    /// handlers run (see [`crate::action`]).
    pub fn action(mut self, name: impl Into<String>) -> Self {
        let name = name.into();
        self.hook.clone_from(&name);
        self.action = Some(name);
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

    /// Run with `layer` joining in (the Juju layer).
    pub fn layer(mut self, layer: Rc<dyn HookLayer>) -> Self {
        self.layer = Some(layer);
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
    /// committed, the old ones when it failed before its commit.
    pub flags: Vec<String>,
    /// The unit-state writes committed (empty when the hook failed before
    /// its commit; a hook whose sends failed after it has committed).
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
    let HookOptions {
        hook,
        sink,
        relations,
        action,
        layer,
    } = options;
    // `log::info!` and friends, from the charm or its libraries, reach the
    // hook's log (juju-log under Juju) while the hook runs.
    let _route = crate::reactive::log::route_log_facade(sink.clone());
    let loaded = store.load().and_then(|s| Ok((s, store.journal()?)));
    let (before, journal) = match loaded {
        Ok(loaded) => loaded,
        Err(e) => {
            let e = HookError::from(e);
            sink.log(Level::Error, &failure_line(&hook, action.as_deref(), &e));
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
    let ctx = registry.new_context(&hook, action.clone(), sink.clone(), relations, &before);
    let layer = layer.as_deref();
    if let Some(layer) = layer {
        layer.attach(&ctx);
    }
    let recovered = recover(&ctx, layer, journal.as_deref());
    let (stats, phases) = match (&recovered, &action) {
        (Err(_), _) => (DispatchStats::default(), Ok(())),
        (Ok(_), Some(name)) => run_action(registry, &ctx, name),
        (Ok(_), None) => run_phases(registry, &ctx, layer),
    };
    // Before the commit: a failure leaves the unit state, the journal and
    // Juju as they were.
    let prepared = recovered.and_then(|kept| {
        phases?;
        let after = ctx.snapshot();
        let changes = diff(&before, &after);
        // A hook that changed no unit state and has nothing left to watch
        // journals nothing: its writes follow from state committed before
        // and from Juju's input, so Juju's retry of a failed hook makes
        // them again, and a hook such as update-status writes nothing to
        // disk. With something kept, this hook's writes join it, so the
        // next hook never resends an older value over a newer one.
        let record = match layer {
            Some(_) if changes.is_empty() && kept.is_none() => None,
            Some(layer) => layer
                .journal(&ctx, kept.as_deref())
                .map_err(HookError::Send)?,
            None => kept,
        };
        crate::reactive::fault::point("commit");
        if !changes.is_empty() || record != journal {
            // The log lines travel while the commit waits for the disk;
            // they have landed before the first write is sent.
            sink.begin_flush();
            let committed = store.commit_journaled(&changes, record.as_deref());
            sink.flush();
            committed?;
        }
        crate::reactive::fault::point("committed");
        Ok((after, changes, record))
    });
    // After it: the state is committed whatever the sends do.
    let (persisted, committed, result) = match prepared {
        Ok((after, changes, record)) => {
            let sent = match layer {
                Some(layer) => send(&ctx, layer, store, record),
                None => Ok(()),
            };
            (after, changes, sent)
        }
        Err(e) => (before, vec![], Err(e)),
    };
    let trace = ctx.trace();
    let invoked = trace
        .iter()
        .filter_map(|e| match e {
            TraceEvent::Invoked { handler, .. } => Some(handler.clone()),
            _ => None,
        })
        .collect();
    let error = match result {
        Ok(()) => None,
        Err(e) => {
            sink.log(Level::Error, &failure_line(&hook, action.as_deref(), &e));
            if let Some(layer) = layer {
                layer.failed(&ctx, &e);
            }
            Some(e)
        }
    };
    HookOutcome {
        hook,
        invoked,
        trace,
        flags: flags_of(&persisted),
        committed,
        stats,
        error,
    }
}

/// The layer's sends, then the journal trimmed to what they could not
/// acknowledge.
fn send(
    ctx: &HookContext,
    layer: &dyn HookLayer,
    store: &mut dyn StateStore,
    record: Option<String>,
) -> Result<(), HookError> {
    layer.send(ctx).map_err(HookError::Send)?;
    crate::reactive::fault::point("sent");
    let rest = layer
        .after_send(ctx, record.as_deref())
        .map_err(HookError::Send)?;
    if rest != record {
        store.trim_journal(rest.as_deref())?;
    }
    Ok(())
}

/// Let the layer redo what the loaded journal says has not taken effect
/// (not in restricted hooks, whose tools are limited): what to keep
/// watching.
fn recover(
    ctx: &HookContext,
    layer: Option<&dyn HookLayer>,
    journal: Option<&str>,
) -> Result<Option<String>, HookError> {
    let (Some(layer), Some(text)) = (layer, journal) else {
        return Ok(journal.map(str::to_owned));
    };
    if charm_names::hook::is_restricted(ctx.hook_name()) {
        return Ok(Some(text.to_owned()));
    }
    crate::reactive::fault::point("recover");
    layer.recover(ctx, text).map_err(HookError::Recover)
}

fn failure_line(hook: &str, action: Option<&str>, e: &HookError) -> String {
    match action {
        Some(name) => format!("action {name} failed: {e}"),
        None => format!("hook {hook} failed: {e}"),
    }
}

/// An action: only its handlers, without atstart, atexit or the managed
/// flags (see [`crate::action`]).
fn run_action(
    registry: &Registry,
    ctx: &HookContext,
    name: &str,
) -> (DispatchStats, Result<(), HookError>) {
    if !registry.action_names().contains(&name) {
        return (
            DispatchStats::default(),
            Err(HookError::NoActionHandler(name.to_owned())),
        );
    }
    let (stats, result) = dispatch_action(registry, ctx, name);
    let result = result.map_err(HookError::from).and_then(|()| {
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
        match ctx.take_errors().into_iter().next() {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    });
    (stats, result)
}

/// The layer's automatic flags, atstart, dispatch and atexit, as
/// charms.reactive's `main()`: restricted hooks skip all but dispatch.
fn run_phases(
    registry: &Registry,
    ctx: &HookContext,
    layer: Option<&dyn HookLayer>,
) -> (DispatchStats, Result<(), HookError>) {
    let restricted = charm_names::hook::is_restricted(ctx.hook_name());
    if !restricted {
        manage_upgrade_flags(ctx);
        let start = || -> Result<(), HandlerError> {
            if let Some(layer) = layer {
                layer.before_dispatch(ctx)?;
            }
            for (_, callback) in &registry.atstart {
                callback(ctx)?;
            }
            Ok(())
        };
        if let Err(e) = start() {
            return (DispatchStats::default(), Err(e.into()));
        }
    }
    let (stats, result) = dispatch(registry, ctx);
    if let Err(e) = result {
        return (stats, Err(e.into()));
    }
    if restricted {
        return (stats, Ok(()));
    }
    (stats, run_atexit(registry, ctx).map_err(HookError::from))
}

/// hookenv runs atexit callbacks in reverse order of addition: those
/// deferred by handlers first (and those they defer in turn), then the
/// registered ones.
fn run_atexit(registry: &Registry, ctx: &HookContext) -> Result<(), HandlerError> {
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
    match ctx.take_errors().into_iter().next() {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// charms.reactive's automatic `upgrade.series.in-progress` flag.
fn manage_upgrade_flags(ctx: &HookContext) {
    match ctx.hook_name() {
        "pre-series-upgrade" => ctx.flags().set("upgrade.series.in-progress"),
        "post-series-upgrade" => ctx.flags().clear("upgrade.series.in-progress"),
        _ => {}
    }
}
