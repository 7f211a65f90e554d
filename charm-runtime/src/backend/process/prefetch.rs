//! `config-get --all` started at the very start of a hook and collected
//! before any other tool runs.
//!
//! Every hook that maintains the config flags reads the whole config
//! before its first handler. Started as soon as the process knows it is
//! such a hook, the tool runs while the charm's files are read and its
//! unit state opened (the start-up work of every hook) instead of after
//! it. Tools still run one at a time, in a fixed order: the next tool
//! started, or the config read, first waits for this one.

use std::path::PathBuf;
use std::process::Child;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use super::finish;
use crate::backend::ToolError;

/// The tool this module starts early.
pub(super) const TOOL: &str = "config-get";

/// The early `config-get` of a [`super::ProcessBackend`], if any.
///
/// A call in flight, not configuration: the backend holds it as a
/// [`super::transient::Transient`]. Behind a mutex, so that the backend
/// stays `Send` and `Sync`.
#[derive(Default)]
pub(super) struct Prefetch(Mutex<State>);

#[derive(Default)]
enum State {
    /// Nothing started, or its result already taken.
    #[default]
    Idle,
    /// Started, not yet waited for.
    Running {
        child: Child,
        program: PathBuf,
        timeout: Duration,
    },
    /// Waited for: its stdout, or why there is none.
    Landed(Result<Vec<u8>, ToolError>),
}

impl Prefetch {
    /// The state; a panic while it was held leaves it usable.
    fn state(&self) -> MutexGuard<'_, State> {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether nothing is in flight or waiting to be taken.
    pub(super) fn is_idle(&self) -> bool {
        matches!(*self.state(), State::Idle)
    }

    /// Keep `child`, just started as `program`, to be waited for within
    /// `timeout`.
    pub(super) fn started(&self, child: Child, program: PathBuf, timeout: Duration) {
        *self.state() = State::Running {
            child,
            program,
            timeout,
        };
    }

    /// Wait for the call in flight, if any, keeping its result.
    pub(super) fn land(&self) {
        let mut state = self.state();
        if !matches!(*state, State::Running { .. }) {
            return;
        }
        if let State::Running {
            child,
            program,
            timeout,
        } = std::mem::take(&mut *state)
        {
            *state = State::Landed(finish(TOOL, &program, child, None, &[], timeout));
        }
    }

    /// The result of the early call, once: `None` when there was none.
    pub(super) fn take(&self) -> Option<Result<Vec<u8>, ToolError>> {
        self.land();
        match std::mem::take(&mut *self.state()) {
            State::Landed(result) => Some(result),
            _ => None,
        }
    }
}

/// A call nobody collected (the hook stopped before reading its config)
/// is killed and reaped, never waited for.
impl Drop for Prefetch {
    fn drop(&mut self) {
        let state = self
            .0
            .get_mut()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let State::Running { child, .. } = state {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
