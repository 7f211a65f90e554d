//! Flag triggers: `register_trigger(when=…|when_not=…, set_flag=…|clear_flag=…|callback=…)`.

use std::collections::HashMap;
use std::rc::Rc;

use crate::context::HookContext;
use crate::error::HandlerError;
use crate::flags::FlagId;

/// A trigger callback.
pub type TriggerCallback = Rc<dyn Fn(&HookContext) -> Result<(), HandlerError>>;

/// When a trigger fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TriggerOn {
    /// When the flag becomes set.
    Set(String),
    /// When the flag becomes unset.
    Cleared(String),
}

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

/// What fires when one flag changes: all `set` targets, then all `clear`
/// targets, then callbacks, each in registration order without duplicates
/// (charms.reactive's order).
#[derive(Clone, Default)]
pub(crate) struct Fired {
    pub(crate) set: Vec<FlagId>,
    pub(crate) clear: Vec<FlagId>,
    pub(crate) callbacks: Vec<TriggerCallback>,
}

/// Triggers by flag.
#[derive(Clone, Default)]
pub(crate) struct Triggers {
    on_set: HashMap<FlagId, Rc<Fired>>,
    on_clear: HashMap<FlagId, Rc<Fired>>,
}

impl Triggers {
    pub(crate) fn add(&mut self, on: FlagId, when_set: bool, action: ResolvedAction) {
        let map = if when_set {
            &mut self.on_set
        } else {
            &mut self.on_clear
        };
        let fired = Rc::make_mut(map.entry(on).or_default());
        match action {
            ResolvedAction::Set(f) if !fired.set.contains(&f) => fired.set.push(f),
            ResolvedAction::Clear(f) if !fired.clear.contains(&f) => fired.clear.push(f),
            ResolvedAction::Callback(cb) if !fired.callbacks.iter().any(|c| Rc::ptr_eq(c, &cb)) => {
                fired.callbacks.push(cb)
            }
            _ => {}
        }
    }

    pub(crate) fn on_set(&self, flag: FlagId) -> Option<Rc<Fired>> {
        self.on_set.get(&flag).cloned()
    }

    pub(crate) fn on_clear(&self, flag: FlagId) -> Option<Rc<Fired>> {
        self.on_clear.get(&flag).cloned()
    }
}

pub(crate) enum ResolvedAction {
    Set(FlagId),
    Clear(FlagId),
    Callback(TriggerCallback),
}
