//! What a hook run produced.

use std::collections::BTreeMap;

use super::state::{Relation, RelationRef, State};
use crate::Error;
use crate::backend::{Status, ToolCall};
use crate::log::Level;
use crate::reactive::DispatchStats;
use crate::reactive::HookError;
use crate::state::Change;
use crate::trace::TraceEvent;

/// One `status-set` the hook made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    /// Whether it set the application's status (`--application`).
    pub application: bool,
    /// The status set.
    pub status: Status,
    /// Whether it was sent at the end of the hook with its other writes
    /// (`HookContext::status_set`, the last call winning), rather than at
    /// once during the hook (`HookContext::progress`).
    pub at_end: bool,
}

/// The result of [`Context::run`](super::Context::run): the new state and
/// everything the hook did on the way.
///
/// A hook that fails leaves Juju and the unit state untouched, as in
/// production: [`error`](Self::error) says why ([`error_as`](Self::error_as)
/// gives the charm's own error value) and [`state`](Self::state) equals
/// the input state. The rest (handlers invoked, trace, logs, tool calls)
/// still tells what happened before the failure.
///
/// Read it through the accessors: [`relation`](Self::relation) for a
/// relation's databags after the hook, [`final_status`](Self::final_status)
/// and [`progress`](Self::progress) for the statuses, [`calls`](Self::calls)
/// for the hook tools.
#[derive(Debug)]
pub struct Output {
    /// The hook or action name.
    pub hook: String,
    /// The world after the hook: relation data written, leadership
    /// settings, statuses, ports, workload version, flags and unit data;
    /// a departed unit or a broken relation removed.
    pub state: State,
    /// Handler ids in invocation order.
    pub invoked: Vec<String>,
    /// Every dispatch event.
    pub trace: Vec<TraceEvent>,
    /// Dispatch counters.
    pub stats: DispatchStats,
    /// Every `status-set` sent, in order.
    pub status_history: Vec<StatusChange>,
    /// Every log line (`juju-log`), at every level, in order.
    pub logs: Vec<(Level, String)>,
    /// Every hook tool called, in order (`juju-log` excluded).
    pub tool_calls: Vec<ToolCall>,
    /// The unit state writes committed (empty when the hook failed).
    pub committed: Vec<Change>,
    /// The action's results (`action-set`), for an action.
    pub action_results: BTreeMap<String, String>,
    /// The action's failure message (`action-fail`), if any.
    pub action_failure: Option<String>,
    /// The action's progress messages (`action-log`).
    pub action_logs: Vec<String>,
    /// Things about the input that Juju allows but that deserve a second
    /// look (`local_app_data` on a non-leader, ...).
    pub warnings: Vec<String>,
    /// Why the hook failed, if it did.
    pub error: Option<HookError>,
}

impl Output {
    /// Whether the hook succeeded.
    pub fn is_ok(&self) -> bool {
        self.error.is_none()
    }

    /// This output, if the hook succeeded.
    ///
    /// # Panics
    ///
    /// When the hook failed, with the error and the log.
    #[track_caller]
    pub fn expect_ok(self) -> Self {
        if let Some(e) = &self.error {
            let log: Vec<String> = self
                .logs
                .iter()
                .map(|(level, line)| format!("  {level} {line}"))
                .collect();
            panic!("{} failed: {e}\nlog:\n{}", self.hook, log.join("\n"));
        }
        self
    }

    /// The flags set after the hook, sorted.
    pub fn flags(&self) -> Vec<&str> {
        self.state.flag_names()
    }

    /// Whether `flag` is set after the hook.
    pub fn has_flag(&self, flag: impl AsRef<str>) -> bool {
        self.state.has_flag(flag.as_ref())
    }

    /// `relation` (its number, the [`Relation`] or its
    /// [`RelationId`](crate::backend::RelationId), see [`RelationRef`]) as
    /// it is after the hook: what the charm published
    /// ([`Relation::local_unit_value`], [`Relation::local_app_value`]),
    /// without indexing the state's relations.
    ///
    /// ```
    /// use charm_runtime::harness::{Context, Event, Relation, State};
    /// use charm_runtime::{Error, Handler, HookContext, Registry};
    /// use serde_json::json;
    ///
    /// let mut registry = Registry::new();
    /// registry
    ///     .add(Handler::new("web::publish", |ctx: &HookContext| -> Result<(), Error> {
    ///         for relation in ctx.endpoint("website")?.relations()? {
    ///             relation.to_publish().set("port", &8080)?;
    ///         }
    ///         Ok(())
    ///     })
    ///     .when(["endpoint.website.joined"]))
    ///     .unwrap();
    /// let ctx = Context::from_yaml("name: web\nprovides: {website: {interface: http}}", registry).unwrap();
    ///
    /// let website = Relation::new("website", 4, "haproxy").with_unit("haproxy/0");
    /// let state = State::new().with_relation(website.clone());
    /// let out = ctx.run(Event::relation_joined(&website, "haproxy/0"), &state).unwrap().expect_ok();
    /// assert_eq!(out.relation(4).local_unit_value("port"), Some(json!(8080)));
    /// assert_eq!(out.relation(&website).local_unit_data["port"], "8080");
    /// ```
    ///
    /// # Panics
    ///
    /// When the output state has no such relation (a broken relation is
    /// removed): use [`State::relation`] to test for it.
    #[track_caller]
    pub fn relation(&self, relation: impl RelationRef) -> &Relation {
        let id = relation.relation_number();
        self.state.relation(id).unwrap_or_else(|| {
            panic!(
                "relation {id} is not in the output state (relations: {:?})",
                self.state.relation_names()
            )
        })
    }

    /// The unit status the hook set at its end
    /// (`HookContext::status_set`, the last call winning; sent only when
    /// the hook succeeds): `None` when it set none, its progress messages
    /// aside. One per hook at most, whatever [`progress`](Self::progress)
    /// showed on the way; `calls("status-set")` counts both.
    ///
    /// ```
    /// use charm_runtime::harness::{Context, Event, State};
    /// use charm_runtime::{Error, Handler, HookContext, Registry, Status};
    ///
    /// let mut registry = Registry::new();
    /// registry
    ///     .add(Handler::new("web::install", |ctx: &HookContext| -> Result<(), Error> {
    ///         ctx.progress("fetching")?;
    ///         ctx.status_set(Status::waiting("almost"));
    ///         ctx.progress("unpacking")?;
    ///         ctx.status_set(Status::active("ready"));
    ///         Ok(())
    ///     })
    ///     .hook(["install"]))
    ///     .unwrap();
    /// let ctx = Context::from_yaml("name: web\n", registry).unwrap();
    /// let out = ctx.run(Event::install(), &State::new()).unwrap().expect_ok();
    /// assert_eq!(out.final_status(), Some(&Status::active("ready")));
    /// assert_eq!(out.progress(), ["fetching", "unpacking"]);
    /// assert_eq!(out.calls("status-set"), 3);
    /// assert_eq!(out.state.unit_status, Some(Status::active("ready")));
    /// ```
    pub fn final_status(&self) -> Option<&Status> {
        self.final_of(false)
    }

    /// The application status the hook set at its end (the leader's
    /// `status-set --application`), as [`final_status`](Self::final_status)
    /// for the unit.
    pub fn final_app_status(&self) -> Option<&Status> {
        self.final_of(true)
    }

    fn final_of(&self, application: bool) -> Option<&Status> {
        self.status_history
            .iter()
            .rev()
            .find(|c| c.at_end && c.application == application)
            .map(|c| &c.status)
    }

    /// The messages the hook showed at once as `maintenance` status while
    /// it ran (`HookContext::progress`), in order; sent even when the hook
    /// then fails. See [`final_status`](Self::final_status).
    pub fn progress(&self) -> Vec<&str> {
        self.status_history
            .iter()
            .filter(|c| !c.at_end && !c.application)
            .map(|c| c.status.message.as_str())
            .collect()
    }

    /// The error the failed hook's handler (or callback) returned, if it
    /// is a `T`: the charm's own error type, returned as is or inside a
    /// [`charm_runtime::Error`](crate::Error) (an interface crate's error
    /// converted with `?`, a [`ToolError`](crate::backend::ToolError),
    /// ...). `None` when the hook succeeded or failed otherwise.
    /// [`HookError::downcast_ref`] matches the returned value alone, of
    /// any type.
    ///
    /// ```
    /// use charm_runtime::harness::{Context, Event, State};
    /// use charm_runtime::{Error, Handler, HookContext, Registry};
    ///
    /// #[derive(Debug, PartialEq, thiserror::Error)]
    /// enum Refusal {
    ///     #[error("no disk")]
    ///     NoDisk,
    /// }
    ///
    /// let mut registry = Registry::new();
    /// registry
    ///     .add(Handler::new("web::install", |_: &HookContext| Err::<(), _>(Refusal::NoDisk))
    ///         .hook(["install"]))
    ///     .unwrap()
    ///     .add(Handler::new("web::config", |_: &HookContext| -> Result<(), Error> {
    ///         Err(Error::Interface(Box::new(Refusal::NoDisk)))
    ///     })
    ///     .hook(["config-changed"]))
    ///     .unwrap();
    /// let ctx = Context::from_yaml("name: web\n", registry).unwrap();
    ///
    /// let out = ctx.run(Event::install(), &State::new()).unwrap();
    /// assert_eq!(out.error_as::<Refusal>(), Some(&Refusal::NoDisk));
    /// assert!(out.error_as::<std::io::Error>().is_none());
    /// // Wrapped in charm_runtime::Error: both are there.
    /// let out = ctx.run(Event::config_changed(), &State::new()).unwrap();
    /// assert_eq!(out.error_as::<Refusal>(), Some(&Refusal::NoDisk));
    /// assert!(matches!(out.error_as::<Error>(), Some(Error::Interface(_))));
    /// ```
    pub fn error_as<T: std::error::Error + 'static>(&self) -> Option<&T> {
        let error = self.error.as_ref()?;
        if let Some(value) = error.downcast_ref::<T>() {
            return Some(value);
        }
        let inner: &(dyn std::error::Error + 'static) = match error.downcast_ref::<Error>()? {
            Error::State(e) => e,
            Error::Io(e) => e,
            Error::Tool(e) => e,
            Error::Config(e) => e,
            Error::Network(e) => e,
            Error::Password(e) => e,
            Error::Secret(e) => e,
            Error::Undeclared(e) => e,
            Error::Interface(e) => e.as_ref(),
            Error::Other(_) => return None,
        };
        inner.downcast_ref::<T>()
    }

    /// How many times the hook tool `tool` (`config-get`, `relation-set`)
    /// was called.
    pub fn calls(&self, tool: &str) -> usize {
        self.tool_calls.iter().filter(|c| c.tool == tool).count()
    }

    /// The messages logged at `level`.
    pub fn logs_at(&self, level: Level) -> Vec<&str> {
        self.logs
            .iter()
            .filter(|(l, _)| *l == level)
            .map(|(_, m)| m.as_str())
            .collect()
    }
}
