//! What a hook run produced.

use std::collections::BTreeMap;

use super::state::{Relation, State};
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
}

/// The result of [`Context::run`](super::Context::run): the new state and
/// everything the hook did on the way.
///
/// A hook that fails leaves Juju and the unit state untouched, as in
/// production: [`error`](Self::error) says why and [`state`](Self::state)
/// equals the input state. The rest (handlers invoked, trace, logs, tool
/// calls) still tells what happened before the failure.
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
    pub fn has_flag(&self, flag: &str) -> bool {
        self.state.has_flag(flag)
    }

    /// `relation` (found by id) as it is after the hook.
    ///
    /// # Panics
    ///
    /// When the output state has no relation with that id (a broken
    /// relation is removed): use [`State::relation`] to test for it.
    #[track_caller]
    pub fn relation(&self, relation: &Relation) -> &Relation {
        self.state.relation(relation.id).unwrap_or_else(|| {
            panic!(
                "relation {} is not in the output state (relations: {:?})",
                relation.relation_id(),
                self.state
                    .relations
                    .iter()
                    .map(|r| r.relation_id().to_string())
                    .collect::<Vec<_>>()
            )
        })
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
