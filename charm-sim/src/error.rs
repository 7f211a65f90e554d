//! The simulator's errors. A charm's misbehaviour is never one of these:
//! a failing hook puts its unit in error, a bad tool call fails the tool.

use std::path::PathBuf;

/// What went wrong driving the simulation.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// The charm directory or binary cannot be used.
    #[error("charm in {dir}: {reason}")]
    Charm {
        /// The charm directory.
        dir: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// An application of that name is already deployed.
    #[error("application {0:?} already exists")]
    AppExists(String),
    /// A subordinate application cannot do what was asked.
    #[error("subordinate application {app:?}: {reason}")]
    Subordinate {
        /// The application.
        app: String,
        /// Why not.
        reason: String,
    },
    /// No such application.
    #[error("no application {0:?}")]
    NoApp(String),
    /// No such unit.
    #[error("no unit {0:?}")]
    NoUnit(String),
    /// No such relation.
    #[error("no relation {0}")]
    NoRelation(u32),
    /// The two endpoints cannot be related.
    #[error("cannot relate {a:?} and {b:?}: {reason}")]
    Relate {
        /// The first endpoint as given.
        a: String,
        /// The second.
        b: String,
        /// Why not.
        reason: String,
    },
    /// A config value does not fit its option.
    #[error("config of {app}: option {option:?}: {reason}")]
    Config {
        /// The application.
        app: String,
        /// The option.
        option: String,
        /// What is wrong.
        reason: String,
    },
    /// The application's charm cannot be upgraded to the one given.
    #[error("cannot upgrade {app}: {reason}")]
    Upgrade {
        /// The application.
        app: String,
        /// Why not.
        reason: String,
    },
    /// The unit is not in error, so there is nothing to resolve.
    #[error("unit {0} is not in error")]
    NotInError(String),
    /// The unit is busy or in error and cannot run an action now.
    #[error("unit {unit}: cannot run action {action}: {reason}")]
    Action {
        /// The unit.
        unit: String,
        /// The action.
        action: String,
        /// Why not.
        reason: String,
    },
    /// A hook's process could not be started or waited for.
    #[error("unit {unit}: cannot run hook {hook}: {reason}")]
    Spawn {
        /// The unit.
        unit: String,
        /// The hook.
        hook: String,
        /// The OS error.
        reason: String,
    },
    /// A hook context is open ([`crate::Simulation::open_hook`]) and only
    /// one hook runs at a time.
    #[error("unit {unit}: cannot run {hook}: {running} is still running (one hook runs at a time)")]
    Busy {
        /// The unit asked to run a hook.
        unit: String,
        /// The hook asked for.
        hook: String,
        /// The hook running, and its unit.
        running: String,
    },
    /// A hook context cannot be opened, or the one given is not open.
    #[error("unit {unit}: hook {hook}: {reason}")]
    Hook {
        /// The unit.
        unit: String,
        /// The hook.
        hook: String,
        /// Why not.
        reason: String,
    },
    /// Hooks were still queued when the bound was reached.
    #[error("the model did not settle within {limit} hooks; still queued: {queued}")]
    NotSettled {
        /// The bound.
        limit: usize,
        /// The units with queued hooks, and their next hook.
        queued: String,
    },
    /// Setting up the simulation's directory, socket or tools failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
}

impl SimError {
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> SimError {
        let context = context.into();
        move |source| SimError::Io { context, source }
    }
}
