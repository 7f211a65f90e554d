//! The dispatch conformance format: handlers, triggers, initial flags,
//! hooks and injected failures described in JSON with no Juju involved,
//! whose output must be the same line for line under charms.reactive 1.5.3
//! and this runtime. `docs/conformance.md` describes the format field by
//! field, the output, the corpus in `tests/conformance/corpus` and how
//! `tools/reference/` produces it.
//!
//! [`Spec::parse`] reads a spec, [`Spec::run`] runs its hooks one after the
//! other on one in-memory unit state, and [`output_line`] formats each
//! [`HookOutcome`] as the reference prints it; [`run_spec_text`] does all
//! three.
//!
//! A spec is run on the reactive core alone ([`run_hook`] with no
//! [`HookLayer`](crate::reactive::HookLayer)), not through a
//! [`Charm`](crate::Charm): specs set flags the Juju layer manages, such as
//! `leadership.is_leader` or `endpoint.db.joined`, by hand, and name
//! relations no metadata declares. The Juju layer would recompute those
//! flags and a `Charm` would refuse those names; the dispatch of the core
//! is what is compared with the reference.

use std::cell::Cell;
use std::rc::Rc;

use serde::Deserialize;

use crate::reactive::Handler;
use crate::reactive::Registry;
use crate::reactive::RegistryError;
use crate::reactive::log::{LogSink, NullSink};
use crate::reactive::python_json;
use crate::reactive::{HookOptions, HookOutcome, run_hook};
use crate::reactive::{TriggerAction, TriggerOn};
use crate::state::MemoryStore;

/// A conformance spec.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// Handlers in registration order.
    pub handlers: Vec<SpecHandler>,
    /// Flag triggers.
    #[serde(default)]
    pub triggers: Vec<SpecTrigger>,
    /// Flags set before the first hook, without firing triggers.
    #[serde(default)]
    pub initial_flags: Vec<String>,
    /// Hooks dispatched one after the other.
    pub hooks: Vec<String>,
    /// Handlers that raise the first time they run in a given hook.
    #[serde(default)]
    pub fail_at: Vec<FailAt>,
}

/// A handler of a spec.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecHandler {
    /// The handler id.
    pub id: String,
    /// `@hook` names.
    pub hook: Option<Vec<String>>,
    /// `@when_all`.
    pub when_all: Option<Vec<String>>,
    /// `@when_any`.
    pub when_any: Option<Vec<String>>,
    /// `@when_none`.
    pub when_none: Option<Vec<String>>,
    /// `@when_not_all`.
    pub when_not_all: Option<Vec<String>>,
    /// `@only_once`.
    #[serde(default)]
    pub only_once: bool,
    /// What the handler does, in order.
    pub actions: Vec<SpecAction>,
}

/// A handler action.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum SpecAction {
    /// Set a flag.
    Set(String),
    /// Clear a flag.
    Clear(String),
}

/// A trigger: exactly one of `when`/`when_not`, one of `set`/`clear`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecTrigger {
    /// Fire when this flag becomes set.
    pub when: Option<String>,
    /// Fire when this flag becomes unset.
    pub when_not: Option<String>,
    /// Set this flag.
    pub set: Option<String>,
    /// Clear this flag.
    pub clear: Option<String>,
}

/// Make `handler` fail in hook number `hook`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailAt {
    /// 0-based index into `hooks`.
    pub hook: usize,
    /// The handler id.
    pub handler: String,
}

/// A spec that cannot be run.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    /// The JSON does not parse as a spec.
    #[error("spec is not valid: {0}")]
    Parse(#[from] serde_json::Error),
    /// A handler cannot be registered.
    #[error("spec handler cannot be registered: {0}")]
    Registry(#[from] RegistryError),
    /// A trigger is malformed.
    #[error("spec trigger #{index}: needs exactly one of when/when_not and one of set/clear")]
    Trigger {
        /// Its index.
        index: usize,
    },
}

impl Spec {
    /// Parse a spec from JSON text.
    pub fn parse(text: &str) -> Result<Self, SpecError> {
        Ok(serde_json::from_str(text)?)
    }

    /// The registry for hook number `hook_index`: handlers whose actions
    /// set and clear flags, the one named in `fail_at` failing once.
    pub fn registry(&self, hook_index: usize) -> Result<Registry, SpecError> {
        let mut registry = Registry::new();
        for h in &self.handlers {
            let actions = h.actions.clone();
            let fails = self
                .fail_at
                .iter()
                .any(|f| f.hook == hook_index && f.handler == h.id);
            let failed_once = Cell::new(false);
            let mut handler = Handler::new(h.id.clone(), move |ctx: &crate::HookContext| {
                for action in &actions {
                    match action {
                        SpecAction::Set(f) => ctx.flags().set(f),
                        SpecAction::Clear(f) => ctx.flags().clear(f),
                    }
                }
                if fails && !failed_once.replace(true) {
                    return Err("fail_at");
                }
                Ok(())
            });
            if let Some(x) = &h.hook {
                handler = handler.hook(x.clone());
            }
            if let Some(x) = &h.when_all {
                handler = handler.when_all(x.clone());
            }
            if let Some(x) = &h.when_any {
                handler = handler.when_any(x.clone());
            }
            if let Some(x) = &h.when_none {
                handler = handler.when_none(x.clone());
            }
            if let Some(x) = &h.when_not_all {
                handler = handler.when_not_all(x.clone());
            }
            if h.only_once {
                handler = handler.only_once();
            }
            registry.add(handler)?;
        }
        for (index, t) in self.triggers.iter().enumerate() {
            let on = match (&t.when, &t.when_not) {
                (Some(f), None) => TriggerOn::Set(f.clone()),
                (None, Some(f)) => TriggerOn::Cleared(f.clone()),
                _ => return Err(SpecError::Trigger { index }),
            };
            let action = match (&t.set, &t.clear) {
                (Some(f), None) => TriggerAction::SetFlag(f.clone()),
                (None, Some(f)) => TriggerAction::ClearFlag(f.clone()),
                _ => return Err(SpecError::Trigger { index }),
            };
            registry.trigger(on, action);
        }
        Ok(registry)
    }

    /// Run every hook and return one outcome per hook.
    pub fn run(&self) -> Result<Vec<HookOutcome>, SpecError> {
        self.run_with(Rc::new(NullSink))
    }

    /// Like [`Spec::run`], logging to `sink`.
    pub fn run_with(&self, sink: Rc<dyn LogSink>) -> Result<Vec<HookOutcome>, SpecError> {
        let mut store = MemoryStore::with_flags(&self.initial_flags);
        let mut out = Vec::with_capacity(self.hooks.len());
        for (i, hook) in self.hooks.iter().enumerate() {
            let registry = self.registry(i)?;
            out.push(run_hook(
                &registry,
                &mut store,
                HookOptions::new(hook.clone()).sink(sink.clone()),
            ));
        }
        Ok(out)
    }
}

/// The output line of one hook, exactly as the reference prints it.
pub fn output_line(outcome: &HookOutcome) -> String {
    format!(
        "{{\"hook\": {}, \"ok\": {}, \"invoked\": {}, \"flags\": {}}}",
        python_json::dumps_str(&outcome.hook),
        outcome.is_ok(),
        python_json::dumps_str_list(&outcome.invoked),
        python_json::dumps_str_list(&outcome.flags),
    )
}

/// Run a spec given as JSON text and return its output lines.
pub fn run_spec_text(text: &str) -> Result<Vec<String>, SpecError> {
    Ok(Spec::parse(text)?.run()?.iter().map(output_line).collect())
}
