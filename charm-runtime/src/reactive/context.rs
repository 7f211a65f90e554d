//! The world of one hook as the reactive core sees it: the hook's name, the
//! unit's flags and data, the trace, deferred callbacks, and the
//! [`Extensions`] a layer above attaches (the Juju side of the hook).
//! Handlers reach it through cheap handles ([`Ctx`], [`Flags`](crate::Flags),
//! [`Kv`](crate::Kv)).
//!
//! The context records which flags changed ([`Journal`]); the dispatcher
//! reads that record after each handler and keeps its own working state.

use std::cell::{Cell, Ref, RefCell, RefMut};
use std::collections::HashSet;
use std::ops::Deref;
use std::rc::Rc;

use crate::reactive::error::{Failure, HandlerError};
use crate::reactive::extensions::Extensions;
use crate::reactive::flags::{FlagId, FlagNames, FlagTable};
use crate::reactive::log::{Level, LogSink};
use crate::reactive::outcome::{IntoHandlerResult, callback_result};
use crate::reactive::state::{FLAG_PREFIX, Snapshot};
use crate::reactive::trace::TraceEvent;
use crate::reactive::triggers::{Fired, MAX_TRIGGER_DEPTH, Triggers};

/// Resolves `{role:interface}` hook patterns to relation names.
pub type RelationResolver = Rc<dyn Fn(&str, &str) -> Vec<String>>;

/// A callback the context runs: a trigger callback, an atstart or atexit
/// callback registered with the registry.
pub type Callback = dyn Fn(&HookContext) -> Result<(), HandlerError>;

type Deferred = Box<dyn FnOnce(&HookContext) -> Result<(), HandlerError>>;

/// The flag changes since the dispatcher last looked: what charms.reactive's
/// `FlagWatch` and its "a flag was removed" mark are fed from.
#[derive(Debug, Default)]
pub(crate) struct Journal {
    /// Flags whose state really changed, in order, with repeats.
    pub(crate) changed: Vec<FlagId>,
    /// Whether any clear was asked for, even of an unset flag.
    pub(crate) cleared: bool,
}

/// The unit's flags and data during the hook, and what the hook recorded.
pub(crate) struct UnitData {
    pub(crate) flags: FlagTable,
    pub(crate) kv: Snapshot,
}

struct Record {
    journal: Journal,
    running: Option<Rc<str>>,
    atexit: Vec<(String, Deferred)>,
    atexit_keys: HashSet<String>,
    errors: Vec<HandlerError>,
    trace: Vec<TraceEvent>,
}

/// The state of one hook invocation.
///
/// Handlers get it through their arguments (`Ctx` dereferences to it) or,
/// registered by hand, as their one parameter. Flags, the key/value data,
/// `data_changed` and deferred work all go through it:
///
/// ```
/// use charm_runtime::{Handler, HookContext, HookOptions, MemoryStore, Registry, StateError, run_hook};
///
/// fn install(ctx: &HookContext) -> Result<(), StateError> {
///     assert_eq!(ctx.hook_name(), "install");
///     ctx.kv().set("app.port", &8080)?;
///     if ctx.data_changed("app.render", &["a", "b"])? {
///         ctx.flags().set("app.render-needed");
///     }
///     Ok(())
/// }
///
/// let mut registry = Registry::new();
/// registry.add(Handler::new("app::install", install).hook(["install"])).unwrap();
/// let mut store = MemoryStore::new();
/// assert!(run_hook(&registry, &mut store, HookOptions::new("install")).is_ok());
/// assert_eq!(store.flags(), ["app.render-needed"]);
/// assert_eq!(store.data["app.port"], "8080");
/// ```
pub struct HookContext {
    hook: String,
    action: Option<String>,
    triggers: Rc<Triggers<Callback>>,
    sink: Rc<dyn LogSink>,
    relations: Option<RelationResolver>,
    extensions: Extensions,
    data: RefCell<UnitData>,
    record: RefCell<Record>,
    /// How many trigger firings are nested at this point.
    trigger_depth: Cell<u32>,
}

impl std::fmt::Debug for HookContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HookContext")
            .field("hook", &self.hook)
            .field("flags", &self.data.borrow().flags.sorted())
            .finish_non_exhaustive()
    }
}

/// What a hook is started with, besides the unit state.
pub(crate) struct ContextParts {
    pub(crate) names: Rc<FlagNames>,
    pub(crate) triggers: Rc<Triggers<Callback>>,
    pub(crate) hook: String,
    pub(crate) action: Option<String>,
    pub(crate) sink: Rc<dyn LogSink>,
    pub(crate) relations: Option<RelationResolver>,
}

impl HookContext {
    /// A context over the unit state `snapshot`.
    pub(crate) fn new(parts: ContextParts, snapshot: &Snapshot) -> Self {
        let mut flags = FlagTable::new(parts.names);
        let mut kv = Snapshot::new();
        for (key, value) in snapshot {
            match key.strip_prefix(FLAG_PREFIX) {
                Some(flag) => {
                    let id = flags.id(flag);
                    flags.set(id, Rc::from(value.as_str()));
                }
                None => {
                    kv.insert(key.clone(), value.clone());
                }
            }
        }
        HookContext {
            hook: parts.hook,
            action: parts.action,
            triggers: parts.triggers,
            sink: parts.sink,
            relations: parts.relations,
            extensions: Extensions::default(),
            data: RefCell::new(UnitData { flags, kv }),
            trigger_depth: Cell::new(0),
            record: RefCell::new(Record {
                journal: Journal::default(),
                running: None,
                atexit: Vec::new(),
                atexit_keys: HashSet::new(),
                errors: Vec::new(),
                trace: Vec::new(),
            }),
        }
    }

    /// The hook being run (`install`, `db-relation-changed`, ...); for an
    /// action, the action's name.
    pub fn hook_name(&self) -> &str {
        &self.hook
    }

    /// The action being run, in an action; `None` in a hook.
    pub fn action_name(&self) -> Option<&str> {
        self.action.as_deref()
    }

    /// Values attached to this hook by the layers above the core (the
    /// Juju side of the hook, a charm instance, ...).
    pub fn extensions(&self) -> &Extensions {
        &self.extensions
    }

    /// Log `message` at `level` through the hook's sink (`juju-log`).
    pub fn log(&self, level: Level, message: &str) {
        self.sink.log(level, message);
    }

    /// What has happened in this hook so far.
    pub fn trace(&self) -> Vec<TraceEvent> {
        self.record.borrow().trace.clone()
    }

    /// Run `callback` after dispatch, if the hook gets that far
    /// (`hookenv.atexit`). Callbacks run in reverse order of addition.
    pub fn atexit<F, R>(&self, name: impl Into<String>, callback: F)
    where
        F: FnOnce(&HookContext) -> R + 'static,
        R: IntoHandlerResult,
    {
        let name = name.into();
        let what = format!("atexit {name}");
        self.record.borrow_mut().atexit.push((
            name,
            Box::new(move |ctx| callback_result(&what, callback(ctx))),
        ));
    }

    /// Like [`HookContext::atexit`], but only the first call with a given
    /// `key` in a hook schedules anything: the deferred `assess_status()`
    /// pattern, where many handlers ask and the work runs once at the end.
    /// Returns whether this call scheduled it.
    ///
    /// ```
    /// # use charm_runtime::{Handler, HookContext, HookOptions, MemoryStore, Registry, run_hook};
    /// fn assess(ctx: &HookContext) {
    ///     ctx.atexit_once("assess-status", |ctx: &HookContext| ctx.flags().set("assessed"));
    /// }
    /// let mut registry = Registry::new();
    /// registry.add(Handler::new("a", assess).hook(["install"])).unwrap();
    /// registry.add(Handler::new("b", assess).hook(["install"])).unwrap();
    /// let out = run_hook(&registry, &mut MemoryStore::new(), HookOptions::new("install"));
    /// assert_eq!(out.flags, ["assessed"]);
    /// ```
    pub fn atexit_once<F, R>(&self, key: &str, callback: F) -> bool
    where
        F: FnOnce(&HookContext) -> R + 'static,
        R: IntoHandlerResult,
    {
        if !self.record.borrow_mut().atexit_keys.insert(key.to_owned()) {
            return false;
        }
        self.atexit(key, callback);
        true
    }

    // ---- for the dispatcher and the hook runner ----

    pub(crate) fn relations(&self) -> &dyn Fn(&str, &str) -> Vec<String> {
        match &self.relations {
            Some(r) => r.as_ref(),
            None => &|_, _| Vec::new(),
        }
    }

    /// Move the flag changes recorded since the last call to the end of
    /// `changed`; returns whether any clear was asked for.
    pub(crate) fn drain_journal(&self, changed: &mut Vec<FlagId>) -> bool {
        let mut record = self.record.borrow_mut();
        changed.append(&mut record.journal.changed);
        std::mem::take(&mut record.journal.cleared)
    }

    /// The errors of trigger callbacks run since the last call.
    pub(crate) fn take_errors(&self) -> Vec<HandlerError> {
        std::mem::take(&mut self.record.borrow_mut().errors)
    }

    /// Callbacks deferred with [`HookContext::atexit`] and not yet run.
    pub(crate) fn take_atexit(&self) -> Vec<(String, Deferred)> {
        std::mem::take(&mut self.record.borrow_mut().atexit)
    }

    /// Attribute the flag changes that follow to `handler` (or to none).
    pub(crate) fn set_running(&self, handler: Option<Rc<str>>) {
        self.record.borrow_mut().running = handler;
    }

    pub(crate) fn push_trace(&self, event: TraceEvent) {
        self.record.borrow_mut().trace.push(event);
    }

    pub(crate) fn data(&self) -> Ref<'_, UnitData> {
        self.data.borrow()
    }

    pub(crate) fn data_mut(&self) -> RefMut<'_, UnitData> {
        self.data.borrow_mut()
    }

    /// The unit state as it now stands: unit data plus flags.
    pub(crate) fn snapshot(&self) -> Snapshot {
        let data = self.data.borrow();
        let mut out = data.kv.clone();
        for (name, value) in data.flags.iter_set() {
            out.insert(format!("{FLAG_PREFIX}{name}"), value.to_owned());
        }
        out
    }

    // ---- flag changes, with triggers ----

    pub(crate) fn set_flag_text(&self, name: &str, value: Rc<str>) {
        let fired = {
            let mut data = self.data.borrow_mut();
            let id = data.flags.id(name);
            if !data.flags.set(id, value) {
                return;
            }
            let mut record = self.record.borrow_mut();
            record.journal.changed.push(id);
            let by = record.running.as_deref().map(str::to_owned);
            record.trace.push(TraceEvent::FlagSet {
                flag: name.to_owned(),
                by,
            });
            self.triggers.on_set(id)
        };
        self.sink.log(Level::Debug, &format!("set flag {name}"));
        if let Some(fired) = fired {
            self.fire(name, &fired);
        }
    }

    pub(crate) fn clear_flag(&self, name: &str) {
        let fired = {
            let mut record = self.record.borrow_mut();
            // Any clear re-tests the current batch, even of an unset flag.
            record.journal.cleared = true;
            let mut data = self.data.borrow_mut();
            let Some(id) = data.flags.names.get(name) else {
                return;
            };
            if !data.flags.clear(id) {
                return;
            }
            record.journal.changed.push(id);
            let by = record.running.as_deref().map(str::to_owned);
            record.trace.push(TraceEvent::FlagCleared {
                flag: name.to_owned(),
                by,
            });
            self.triggers.on_clear(id)
        };
        self.sink.log(Level::Debug, &format!("cleared flag {name}"));
        if let Some(fired) = fired {
            self.fire(name, &fired);
        }
    }

    fn flag_name(&self, id: FlagId) -> String {
        self.data.borrow().flags.names.name(id).to_owned()
    }

    /// Run what the change of `flag` fired. Beyond
    /// [`MAX_TRIGGER_DEPTH`] nested firings (triggers that undo each
    /// other's changes), nothing more fires and the hook fails.
    fn fire(&self, flag: &str, fired: &Fired<Callback>) {
        let depth = self.trigger_depth.get();
        if depth >= MAX_TRIGGER_DEPTH {
            let mut record = self.record.borrow_mut();
            if record.errors.is_empty() {
                record.errors.push(HandlerError::Callback {
                    what: format!("triggers on flag {flag}"),
                    error: Failure::new(format!(
                        "triggers fired {MAX_TRIGGER_DEPTH} deep: triggers that change flags \
                         back and forth never end"
                    )),
                });
            }
            return;
        }
        self.trigger_depth.set(depth + 1);
        self.fire_all(fired);
        self.trigger_depth.set(depth);
    }

    fn fire_all(&self, fired: &Fired<Callback>) {
        for id in &fired.set {
            let name = self.flag_name(*id);
            self.set_flag_text(&name, Rc::from("null"));
        }
        for id in &fired.clear {
            let name = self.flag_name(*id);
            self.clear_flag(&name);
        }
        for cb in &fired.callbacks {
            if let Err(e) = cb(self) {
                // Surfaced by the dispatcher once the running handler returns.
                self.record.borrow_mut().errors.push(e);
            }
        }
    }
}

/// A handle on the hook context: a handler argument giving access to
/// everything (`fn h(ctx: Ctx)`).
///
/// ```
/// use charm_runtime::prelude::*;
///
/// #[when("app.installed")]
/// #[when_not("app.seen")]
/// fn report(ctx: Ctx) {
///     // Every method of `HookContext`, through `Deref`.
///     let message = format!("seen in {}", ctx.hook_name());
///     ctx.log(Level::Info, &message);
///     ctx.flags().set("app.seen");
/// }
/// # fn main() {
/// use charm_runtime::{HookOptions, MemoryStore, Registry, run_hook};
/// let registry = Registry::from_inventory(module_path!()).unwrap();
/// let mut store = MemoryStore::with_flags(&["app.installed"]);
/// assert!(run_hook(&registry, &mut store, HookOptions::new("update-status")).is_ok());
/// assert_eq!(store.flags(), ["app.installed", "app.seen"]);
/// # }
/// ```
#[derive(Clone, Copy)]
pub struct Ctx<'a>(pub &'a HookContext);

impl Deref for Ctx<'_> {
    type Target = HookContext;
    fn deref(&self) -> &HookContext {
        self.0
    }
}

impl std::fmt::Debug for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}
