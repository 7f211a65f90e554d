//! The set of handlers, triggers and callbacks a charm runs with, compiled
//! for dispatch: flag names interned, each handler indexed by the flags it
//! watches so that an iteration only tests handlers whose flags changed.

use std::collections::HashSet;
use std::rc::Rc;

use crate::conditions::{Condition, HookMatcher};
use crate::reactive::context::{Callback, ContextParts, HookContext, RelationResolver};
use crate::reactive::error::RegistryError;
use crate::reactive::flags::{FlagId, FlagNames};
use crate::reactive::handler::{Handler, HandlerFn, HandlerInfo};
use crate::reactive::log::LogSink;
use crate::reactive::outcome::{IntoHandlerResult, callback_result};
use crate::reactive::state::Snapshot;
use crate::reactive::triggers::{ResolvedAction, TriggerOn, Triggers};

/// A trigger callback.
pub type TriggerCallback = Rc<Callback>;

/// What a trigger does.
#[derive(Clone)]
pub enum TriggerAction {
    /// Set a flag.
    SetFlag(String),
    /// Clear a flag.
    ClearFlag(String),
    /// Run a callback; its error fails the hook.
    Callback(TriggerCallback),
}

impl std::fmt::Debug for TriggerAction {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TriggerAction::SetFlag(x) => f.debug_tuple("SetFlag").field(x).finish(),
            TriggerAction::ClearFlag(x) => f.debug_tuple("ClearFlag").field(x).finish(),
            TriggerAction::Callback(_) => f.write_str("Callback(..)"),
        }
    }
}

/// A callback run before or after dispatch.
pub(crate) type HookCallback = Rc<Callback>;

/// A handler compiled for dispatch.
#[derive(Clone)]
pub(crate) struct Compiled {
    pub(crate) info: HandlerInfo,
    /// The id, shared with the trace of every invocation.
    pub(crate) rc_id: Rc<str>,
    pub(crate) when_all: Vec<FlagId>,
    /// Each group must have at least one flag set.
    pub(crate) when_any: Vec<Vec<FlagId>>,
    pub(crate) when_none: Vec<FlagId>,
    /// Each group must have at least one flag unset.
    pub(crate) when_not_all: Vec<Vec<FlagId>>,
    pub(crate) hook: Option<HookMatcher>,
    pub(crate) restricted_hook: Option<String>,
    pub(crate) files: Vec<String>,
    pub(crate) only_once: bool,
    /// The action this handler serves; it then has no other condition.
    pub(crate) action: Option<String>,
    pub(crate) not_unless: Vec<String>,
    /// Union of the `when*` flags: a change to one of them makes the
    /// handler eligible in the next iteration.
    pub(crate) watched: Vec<FlagId>,
    pub(crate) func: HandlerFn,
}

impl Compiled {
    /// Whether the handler has flag conditions (and so a phase check).
    pub(crate) fn has_flags(&self) -> bool {
        !self.watched.is_empty()
    }
}

/// Handlers, triggers and atstart/atexit callbacks, ready to dispatch.
///
/// Dispatch order is registration order; [`Registry::from_inventory`] adds
/// macro-registered handlers ordered by module path, then source line.
///
/// Built by hand here; a charm usually gets it from the macros
/// ([`Registry::for_charm`], through [`crate::main`]):
///
/// ```
/// use charm_runtime::{Handler, HookContext, HookOptions, MemoryStore, Registry, run_hook};
/// use charm_runtime::{TriggerAction, TriggerOn};
///
/// let mut registry = Registry::new();
/// registry
///     .add(Handler::new("app::changed", |ctx: &HookContext| ctx.flags().set("app.config-changed"))
///         .hook(["config-changed"]))
///     .unwrap()
///     .add(Handler::new("app::configure", |ctx: &HookContext| ctx.flags().set("app.configured"))
///         .when(["app.installed"])
///         .when_not(["app.configured"]))
///     .unwrap();
/// // A changed config makes the configuration stale: configure runs again.
/// registry.trigger(
///     TriggerOn::Set("app.config-changed".into()),
///     TriggerAction::ClearFlag("app.configured".into()),
/// );
///
/// let mut store = MemoryStore::with_flags(&["app.installed", "app.configured"]);
/// let outcome = run_hook(&registry, &mut store, HookOptions::new("config-changed"));
/// assert_eq!(outcome.invoked, ["app::changed", "app::configure"]);
/// ```
#[derive(Default, Clone)]
pub struct Registry {
    /// Shared with every hook's flag table (copy on write while
    /// registering).
    pub(crate) names: Rc<FlagNames>,
    pub(crate) handlers: Vec<Compiled>,
    ids: HashSet<String>,
    /// `watchers[flag]`: handlers watching the flag, ascending.
    pub(crate) watchers: Vec<Vec<u32>>,
    /// Handlers with no flag condition: tested in every iteration.
    /// Action handlers are not among them.
    pub(crate) unwatched: Vec<u32>,
    /// Action handlers, ascending.
    pub(crate) actions: Vec<u32>,
    pub(crate) triggers: Rc<Triggers<Callback>>,
    /// Every trigger as registered, for [`Registry::triggers`].
    trigger_list: Vec<(TriggerOn, TriggerAction)>,
    pub(crate) atstart: Vec<(String, HookCallback)>,
    pub(crate) atexit: Vec<(String, HookCallback)>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("handlers", &self.handler_ids())
            .field("flags", &self.names.len())
            .finish_non_exhaustive()
    }
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Handler ids in dispatch order.
    pub fn handler_ids(&self) -> Vec<&str> {
        self.handlers.iter().map(|h| h.info.id.as_str()).collect()
    }

    /// How many handlers are registered.
    pub fn len(&self) -> usize {
        self.handlers.len()
    }

    /// Whether no handler is registered.
    pub fn is_empty(&self) -> bool {
        self.handlers.is_empty()
    }

    fn flag_ids(&mut self, flags: &[String]) -> Vec<FlagId> {
        let names = Rc::make_mut(&mut self.names);
        flags.iter().map(|f| names.intern(f)).collect()
    }

    /// The context of one hook over the unit state `snapshot`.
    pub(crate) fn new_context(
        &self,
        hook: &str,
        action: Option<String>,
        sink: Rc<dyn LogSink>,
        relations: Option<RelationResolver>,
        snapshot: &Snapshot,
    ) -> HookContext {
        HookContext::new(
            ContextParts {
                names: self.names.clone(),
                triggers: self.triggers.clone(),
                hook: hook.to_owned(),
                action,
                sink,
                relations,
            },
            snapshot,
        )
    }

    /// Every registered handler's definition, in dispatch order.
    pub fn handlers(&self) -> impl Iterator<Item = &HandlerInfo> {
        self.handlers.iter().map(|h| &h.info)
    }

    /// Every handler with its conditions, flag names resolved, in dispatch
    /// order: a read-only view for tools (`cargo charm graph`). Conditions
    /// of one kind are merged as dispatch sees them: one
    /// [`Condition::WhenAll`] and one [`Condition::WhenNone`] with every
    /// flag of their kind, one [`Condition::WhenAny`] and
    /// [`Condition::WhenNotAll`] per group, one [`Condition::Hook`] with
    /// every pattern as written. The flags a handler sets or clears are
    /// not known before it runs (see the trace of a hook).
    ///
    /// ```
    /// use charm_runtime::{Condition, Handler, HookContext, Registry};
    /// let mut r = Registry::new();
    /// r.add(Handler::new("c::start", |_: &HookContext| ()).when(["a"]).when_not(["b"])).unwrap();
    /// let (info, conditions) = r.handler_conditions().next().unwrap();
    /// assert_eq!(info.id, "c::start");
    /// assert_eq!(conditions, [Condition::WhenAll(vec!["a".into()]), Condition::WhenNone(vec!["b".into()])]);
    /// ```
    pub fn handler_conditions(&self) -> impl Iterator<Item = (&HandlerInfo, Vec<Condition>)> {
        self.handlers.iter().map(|h| {
            let names = |ids: &[FlagId]| -> Vec<String> {
                ids.iter().map(|&f| self.names.name(f).to_owned()).collect()
            };
            let mut c = Vec::new();
            if let Some(action) = &h.action {
                c.push(Condition::Action(action.clone()));
            }
            if !h.when_all.is_empty() {
                c.push(Condition::WhenAll(names(&h.when_all)));
            }
            c.extend(h.when_any.iter().map(|g| Condition::WhenAny(names(g))));
            if !h.when_none.is_empty() {
                c.push(Condition::WhenNone(names(&h.when_none)));
            }
            c.extend(
                h.when_not_all
                    .iter()
                    .map(|g| Condition::WhenNotAll(names(g))),
            );
            if h.hook.is_some() {
                c.push(Condition::Hook(h.info.hooks.clone()));
            }
            if let Some(r) = &h.restricted_hook {
                c.push(Condition::RestrictedHook(r.clone()));
            }
            if !h.files.is_empty() {
                c.push(Condition::FileChanged(h.files.clone()));
            }
            if h.only_once {
                c.push(Condition::OnlyOnce);
            }
            (&h.info, c)
        })
    }

    /// Replace every handler's body with what `wrap` makes of it (given
    /// the handler and its body): tracing, timing or, in tests, failures
    /// injected at chosen handlers. Conditions are unchanged.
    ///
    /// ```
    /// use charm_runtime::{Handler, HookContext, HookOptions, MemoryStore, Registry, run_hook};
    /// use std::rc::Rc;
    ///
    /// let mut registry = Registry::new();
    /// registry.add(Handler::new("app::install", |ctx: &HookContext| ctx.flags().set("installed"))
    ///     .hook(["install"])).unwrap();
    /// registry.wrap_handlers(|info, body| {
    ///     let id = info.id.clone();
    ///     Rc::new(move |inv| {
    ///         inv.ctx.flags().set(&format!("ran.{id}"));
    ///         body(inv)
    ///     })
    /// });
    /// let mut store = MemoryStore::new();
    /// assert!(run_hook(&registry, &mut store, HookOptions::new("install")).is_ok());
    /// assert_eq!(store.flags(), ["installed", "ran.app::install"]);
    /// ```
    pub fn wrap_handlers(&mut self, wrap: impl Fn(&HandlerInfo, HandlerFn) -> HandlerFn) {
        for h in &mut self.handlers {
            h.func = wrap(&h.info, h.func.clone());
        }
    }

    /// Every trigger in registration order, as registered (duplicates
    /// included; dispatch fires each action once): a read-only view for
    /// tools.
    ///
    /// ```
    /// use charm_runtime::{Registry, TriggerAction, TriggerOn};
    /// let mut r = Registry::new();
    /// r.trigger(TriggerOn::Set("a".into()), TriggerAction::ClearFlag("b".into()));
    /// assert!(matches!(&r.triggers()[0], (TriggerOn::Set(f), TriggerAction::ClearFlag(g)) if f == "a" && g == "b"));
    /// ```
    pub fn triggers(&self) -> &[(TriggerOn, TriggerAction)] {
        &self.trigger_list
    }

    /// The action each action handler serves, with the handler, in
    /// registration order.
    pub fn action_handlers(&self) -> impl Iterator<Item = (&str, &HandlerInfo)> {
        self.actions.iter().filter_map(|&i| {
            let h = &self.handlers[i as usize];
            Some((h.action.as_deref()?, &h.info))
        })
    }

    /// Register a handler after those already registered.
    pub fn add(&mut self, handler: Handler) -> Result<&mut Self, RegistryError> {
        let id = handler.info.id.clone();
        if self.ids.contains(&id) {
            return Err(RegistryError::DuplicateId(id));
        }
        if handler.conditions.is_empty() {
            return Err(RegistryError::NoCondition(id));
        }
        let mut c = Compiled {
            rc_id: Rc::from(id.as_str()),
            info: handler.info,
            when_all: vec![],
            when_any: vec![],
            when_none: vec![],
            when_not_all: vec![],
            hook: None,
            restricted_hook: None,
            files: vec![],
            only_once: false,
            action: None,
            not_unless: handler.not_unless,
            watched: vec![],
            func: handler.func,
        };
        let mut hook_patterns: Vec<String> = Vec::new();
        for cond in &handler.conditions {
            let empty = |list: &Vec<String>| {
                if list.is_empty() {
                    Err(RegistryError::EmptyCondition {
                        handler: id.clone(),
                        condition: cond.name(),
                    })
                } else {
                    Ok(())
                }
            };
            match cond {
                Condition::WhenAll(f) => {
                    empty(f)?;
                    let ids = self.flag_ids(f);
                    c.when_all.extend(ids);
                }
                Condition::WhenAny(f) => {
                    empty(f)?;
                    let ids = self.flag_ids(f);
                    c.when_any.push(ids);
                }
                Condition::WhenNone(f) => {
                    empty(f)?;
                    let ids = self.flag_ids(f);
                    c.when_none.extend(ids);
                }
                Condition::WhenNotAll(f) => {
                    empty(f)?;
                    let ids = self.flag_ids(f);
                    c.when_not_all.push(ids);
                }
                Condition::Hook(p) => {
                    empty(p)?;
                    hook_patterns.extend(p.iter().cloned());
                }
                Condition::RestrictedHook(h) => c.restricted_hook = Some(h.clone()),
                Condition::FileChanged(f) => {
                    empty(f)?;
                    c.files.extend(f.iter().cloned());
                }
                Condition::OnlyOnce => c.only_once = true,
                Condition::Action(name) => {
                    charm_names::check_action_name(name).map_err(|reason| {
                        RegistryError::BadActionName {
                            handler: id.clone(),
                            action: name.clone(),
                            reason: reason.to_string(),
                        }
                    })?;
                    if c.action.as_ref().is_some_and(|a| a != name) {
                        return Err(RegistryError::ActionWithConditions(id));
                    }
                    c.action = Some(name.clone());
                }
            }
        }
        if c.action.is_some()
            && handler
                .conditions
                .iter()
                .any(|cond| !matches!(cond, Condition::Action(_)))
        {
            return Err(RegistryError::ActionWithConditions(id));
        }
        if !hook_patterns.is_empty() {
            let m = HookMatcher::new(&hook_patterns).map_err(|(pattern, reason)| {
                RegistryError::BadHookPattern {
                    handler: id.clone(),
                    pattern,
                    reason,
                }
            })?;
            c.hook = Some(m);
        }
        let mut watched: Vec<FlagId> = c
            .when_all
            .iter()
            .chain(c.when_any.iter().flatten())
            .chain(&c.when_none)
            .chain(c.when_not_all.iter().flatten())
            .copied()
            .collect();
        watched.sort();
        watched.dedup();
        if !watched.is_empty() && (c.hook.is_some() || c.restricted_hook.is_some()) {
            return Err(RegistryError::HookWithFlags(id));
        }
        c.watched = watched;
        let index = self.handlers.len() as u32;
        if c.action.is_some() {
            self.actions.push(index);
        } else if c.watched.is_empty() {
            self.unwatched.push(index);
        }
        for f in &c.watched {
            if self.watchers.len() <= f.index() {
                self.watchers.resize(f.index() + 1, Vec::new());
            }
            self.watchers[f.index()].push(index);
        }
        self.ids.insert(id);
        self.handlers.push(c);
        Ok(self)
    }

    /// The names of the actions handlers are registered for, sorted,
    /// without duplicates.
    pub fn action_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self
            .actions
            .iter()
            .filter_map(|&i| self.handlers[i as usize].action.as_deref())
            .collect();
        names.sort_unstable();
        names.dedup();
        names
    }

    /// Register a trigger (`register_trigger`). Triggers fire as soon as the
    /// flag really changes, before the handler that changed it returns.
    ///
    /// ```
    /// use charm_runtime::{Registry, TriggerAction, TriggerOn};
    /// let mut r = Registry::new();
    /// r.trigger(TriggerOn::Set("config.changed".into()), TriggerAction::ClearFlag("app.configured".into()));
    /// ```
    pub fn trigger(&mut self, on: TriggerOn, action: TriggerAction) -> &mut Self {
        self.trigger_list.push((on.clone(), action.clone()));
        let (flag, when_set) = match &on {
            TriggerOn::Set(f) => (f, true),
            TriggerOn::Cleared(f) => (f, false),
        };
        let names = Rc::make_mut(&mut self.names);
        let flag = names.intern(flag);
        let action = match action {
            TriggerAction::SetFlag(f) => ResolvedAction::Set(names.intern(&f)),
            TriggerAction::ClearFlag(f) => ResolvedAction::Clear(names.intern(&f)),
            TriggerAction::Callback(cb) => ResolvedAction::Callback(cb),
        };
        Rc::make_mut(&mut self.triggers).add(flag, when_set, action);
        self
    }

    /// Register a trigger that runs `callback` when `on` happens.
    pub fn trigger_callback<F, R>(&mut self, on: TriggerOn, callback: F) -> &mut Self
    where
        F: Fn(&HookContext) -> R + 'static,
        R: IntoHandlerResult,
    {
        let what = format!("trigger callback on {on:?}");
        let cb: TriggerCallback = Rc::new(move |ctx| callback_result(&what, callback(ctx)));
        self.trigger(on, TriggerAction::Callback(cb))
    }

    /// Run `callback` at the start of every hook, before dispatch
    /// (`hookenv.atstart`), in registration order.
    pub fn atstart<F, R>(&mut self, name: impl Into<String>, callback: F) -> &mut Self
    where
        F: Fn(&HookContext) -> R + 'static,
        R: IntoHandlerResult,
    {
        let name = name.into();
        let what = format!("atstart {name}");
        self.atstart.push((
            name,
            Rc::new(move |ctx| callback_result(&what, callback(ctx))),
        ));
        self
    }

    /// Run `callback` at the end of every successful dispatch
    /// (`hookenv.atexit`), in registration order.
    pub fn atexit<F, R>(&mut self, name: impl Into<String>, callback: F) -> &mut Self
    where
        F: Fn(&HookContext) -> R + 'static,
        R: IntoHandlerResult,
    {
        let name = name.into();
        let what = format!("atexit {name}");
        self.atexit.push((
            name,
            Rc::new(move |ctx| callback_result(&what, callback(ctx))),
        ));
        self
    }
}
