//! The trigger table: what fires when a flag really changes
//! (`register_trigger(when=…|when_not=…, set_flag=…|clear_flag=…|callback=…)`).
//! The table is generic over the callback type, so it needs nothing of the
//! context that runs it.

use std::collections::HashMap;
use std::rc::Rc;

use crate::reactive::flags::FlagId;

/// How deep trigger firings may nest (a trigger's flag change firing
/// more triggers) before the hook fails. Real chains are a few levels
/// deep; a cycle (set `a` clears `a`, clearing `a` sets it) never ends.
/// charms.reactive recurses until Python's limit of 1000 frames, about a
/// hundred firings at the five to ten frames each takes, and fails the
/// hook with RecursionError; 100 keeps that behaviour without risking the
/// stack.
pub(crate) const MAX_TRIGGER_DEPTH: u32 = 100;

/// When a trigger fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TriggerOn {
    /// When the flag becomes set.
    Set(String),
    /// When the flag becomes unset.
    Cleared(String),
}

/// What fires when one flag changes: all `set` targets, then all `clear`
/// targets, then callbacks, each in registration order without duplicates
/// (charms.reactive's order).
pub(crate) struct Fired<C: ?Sized> {
    pub(crate) set: Vec<FlagId>,
    pub(crate) clear: Vec<FlagId>,
    pub(crate) callbacks: Vec<Rc<C>>,
}

impl<C: ?Sized> Default for Fired<C> {
    fn default() -> Self {
        Self {
            set: Vec::new(),
            clear: Vec::new(),
            callbacks: Vec::new(),
        }
    }
}

impl<C: ?Sized> Clone for Fired<C> {
    fn clone(&self) -> Self {
        Self {
            set: self.set.clone(),
            clear: self.clear.clone(),
            callbacks: self.callbacks.clone(),
        }
    }
}

/// One registered trigger action, its flags interned.
pub(crate) enum ResolvedAction<C: ?Sized> {
    Set(FlagId),
    Clear(FlagId),
    Callback(Rc<C>),
}

/// Triggers by flag.
pub(crate) struct Triggers<C: ?Sized> {
    on_set: HashMap<FlagId, Rc<Fired<C>>>,
    on_clear: HashMap<FlagId, Rc<Fired<C>>>,
}

impl<C: ?Sized> Default for Triggers<C> {
    fn default() -> Self {
        Self {
            on_set: HashMap::new(),
            on_clear: HashMap::new(),
        }
    }
}

impl<C: ?Sized> Clone for Triggers<C> {
    fn clone(&self) -> Self {
        Self {
            on_set: self.on_set.clone(),
            on_clear: self.on_clear.clone(),
        }
    }
}

impl<C: ?Sized> Triggers<C> {
    pub(crate) fn add(&mut self, on: FlagId, when_set: bool, action: ResolvedAction<C>) {
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

    pub(crate) fn on_set(&self, flag: FlagId) -> Option<Rc<Fired<C>>> {
        self.on_set.get(&flag).cloned()
    }

    pub(crate) fn on_clear(&self, flag: FlagId) -> Option<Rc<Fired<C>>> {
        self.on_clear.get(&flag).cloned()
    }
}
