//! The set of handlers, triggers and callbacks a charm runs with, compiled
//! for dispatch: flag names interned, each handler indexed by the flags it
//! watches so that an iteration only tests handlers whose flags changed.

use std::collections::HashSet;
use std::rc::Rc;

use crate::conditions::{Condition, HookMatcher};
use crate::context::HookContext;
use crate::error::{HandlerError, RegistryError};
use crate::extract::IntoHandlerResult;
use crate::flags::{FlagId, FlagNames};
use crate::handler::{Handler, HandlerFn, HandlerInfo, callback_result};
use crate::triggers::{ResolvedAction, TriggerAction, TriggerCallback, TriggerOn, Triggers};

/// A callback run before or after dispatch.
pub(crate) type HookCallback = Rc<dyn Fn(&HookContext) -> Result<(), HandlerError>>;

/// A handler compiled for dispatch.
pub(crate) struct Compiled {
    pub(crate) info: HandlerInfo,
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
#[derive(Default)]
pub struct Registry {
    pub(crate) names: FlagNames,
    pub(crate) handlers: Vec<Compiled>,
    ids: HashSet<String>,
    /// `watchers[flag]`: handlers watching the flag, ascending.
    pub(crate) watchers: Vec<Vec<u32>>,
    /// Handlers with no flag condition: tested in every iteration.
    /// Action handlers are not among them.
    pub(crate) unwatched: Vec<u32>,
    /// Action handlers, ascending.
    pub(crate) actions: Vec<u32>,
    pub(crate) triggers: Rc<Triggers>,
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
        flags.iter().map(|f| self.names.intern(f)).collect()
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
                    crate::action::check_action_name(name).map_err(|reason| {
                        RegistryError::BadActionName {
                            handler: id.clone(),
                            action: name.clone(),
                            reason,
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

    /// Problems of this registry for a charm with `metadata`, one message
    /// each (empty when there is none):
    ///
    /// - a flag `endpoint.<name>.*` naming a relation the metadata does not
    ///   declare (the message names the handler, the flag and the
    ///   relation);
    /// - a typed endpoint argument (an `#[interface]` type) whose handler's
    ///   flags name no relation of its interface: the first relation they
    ///   name has another interface (the message names the handler, the
    ///   relation, its interface in metadata and the type's interface), or
    ///   they name none.
    ///
    /// [`crate::main`] refuses to run a hook with any of these.
    pub fn check_against(&self, metadata: &crate::metadata::Metadata) -> Vec<String> {
        let mut problems = Vec::new();
        for h in &self.handlers {
            for flag in &h.info.flags {
                let Some(name) = flag
                    .strip_prefix("endpoint.")
                    .and_then(|r| r.split('.').next())
                else {
                    continue;
                };
                if metadata.endpoint(name).is_none() {
                    problems.push(format!(
                        "handler {} watches flag {flag:?}, but the charm's metadata declares no relation {name:?} (relations: {})",
                        h.info.id,
                        metadata.relation_names().join(", ")
                    ));
                }
            }
            for arg in &h.info.typed_args {
                let resolution =
                    crate::endpoint::resolve(&h.info, metadata, arg.interface, arg.role);
                if !matches!(resolution, crate::endpoint::Resolution::Found(_)) {
                    problems.push(crate::endpoint::unresolved_message(
                        &h.info.id,
                        arg,
                        &resolution,
                        metadata,
                    ));
                }
            }
        }
        problems
    }

    /// Problems of this registry for a charm whose `actions.yaml` declares
    /// `actions`: a handler for an action it does not declare (Juju would
    /// never run it). One message each, naming the handler and the action.
    pub fn check_actions(&self, actions: &crate::metadata::ActionsSchema) -> Vec<String> {
        self.actions
            .iter()
            .filter_map(|&i| {
                let h = &self.handlers[i as usize];
                let name = h.action.as_deref()?;
                if actions.action(name).is_some() {
                    return None;
                }
                let declared = actions.names();
                Some(format!(
                    "handler {} serves action {name:?}, which the charm's actions.yaml does not declare ({})",
                    h.info.id,
                    if declared.is_empty() {
                        "it declares no action".to_owned()
                    } else {
                        format!("actions: {}", declared.join(", "))
                    }
                ))
            })
            .collect()
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
        let (flag, when_set) = match &on {
            TriggerOn::Set(f) => (f, true),
            TriggerOn::Cleared(f) => (f, false),
        };
        let flag = self.names.intern(flag);
        let action = match action {
            TriggerAction::SetFlag(f) => ResolvedAction::Set(self.names.intern(&f)),
            TriggerAction::ClearFlag(f) => ResolvedAction::Clear(self.names.intern(&f)),
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
