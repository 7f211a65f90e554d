//! layer-openstack's `pause` and `resume` actions, added to a charm that
//! opts into [`DefaultHandler::PauseResume`](crate::DefaultHandler::PauseResume).
//!
//! - `pause` stops the definition's services through the host, marks the
//!   unit paused (the [`PAUSED_KEY`] unit data, the [`PAUSED_FLAG`] flag)
//!   and sets the status at once: `maintenance` "Paused. Use 'resume'
//!   action to resume normal service." when the services did stop and the
//!   API ports are closed;
//! - `resume` starts them, clears the mark and sets the status.
//!
//! A service that does not stop (or start), or a status other than
//! `maintenance` or `active` afterwards, fails the action softly
//! (`action-fail` "Couldn't pause: …"), as layer-openstack does: the
//! mark is kept, so the status goes on saying what is wrong.
//!
//! The charm must declare both actions in `actions.yaml`: building a charm
//! whose handlers serve undeclared actions fails, naming them.
//!
//! ```yaml
//! pause:
//!   description: Stop the services and mark the unit paused.
//! resume:
//!   description: Start the services and clear the paused mark.
//! ```

use charm_runtime::{Handler, HookContext, Level, StateError, Status, StatusState};

use crate::host::ServiceOp;
use crate::instance::OpenStack;
use crate::status::{PAUSED_FLAG, PAUSED_KEY, StatusError};

/// Pausing or resuming could not run.
#[derive(Debug, thiserror::Error)]
pub enum PauseError {
    /// The unit's data could not be written.
    #[error(transparent)]
    State(#[from] StateError),
    /// The status could not be assessed.
    #[error(transparent)]
    Status(#[from] StatusError),
}

impl From<PauseError> for charm_runtime::Error {
    fn from(e: PauseError) -> Self {
        charm_runtime::Error::Interface(Box::new(e))
    }
}

/// What pausing or resuming did: the status set, and what went wrong on
/// the way (empty when the unit paused, or resumed, cleanly).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PauseOutcome {
    /// The status assessed afterwards.
    pub status: Status,
    /// One message per problem: a service that did not stop or start, the
    /// status when it is neither `maintenance` nor `active`.
    pub problems: Vec<String>,
}

impl PauseOutcome {
    /// Whether nothing went wrong.
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }
}

impl<'a> OpenStack<'a> {
    /// Pause the unit: stop every service, mark the unit paused, set the
    /// status now.
    pub fn pause(&self) -> Result<PauseOutcome, PauseError> {
        let mut problems = self.each_service(ServiceOp::Stop, "stop");
        self.ctx().kv().set(PAUSED_KEY, &true)?;
        self.ctx().flags().set(PAUSED_FLAG);
        self.settle(&mut problems)
    }

    /// Resume the unit: start every service, clear the paused mark, set
    /// the status now.
    pub fn resume(&self) -> Result<PauseOutcome, PauseError> {
        let mut problems = self.each_service(ServiceOp::Start, "start");
        self.ctx().kv().unset(PAUSED_KEY)?;
        self.ctx().flags().clear(PAUSED_FLAG);
        self.settle(&mut problems)
    }

    fn each_service(&self, op: ServiceOp, verb: &str) -> Vec<String> {
        let mut problems = Vec::new();
        for service in &self.definition().services {
            if let Err(e) = self.host().service(op, service) {
                self.ctx().log(Level::Error, &e.to_string());
                problems.push(format!("{service} didn't {verb} cleanly."));
            }
        }
        problems
    }

    fn settle(&self, problems: &mut Vec<String>) -> Result<PauseOutcome, PauseError> {
        let status = self.assess_status_now()?;
        if !matches!(status.state, StatusState::Maintenance | StatusState::Active) {
            problems.push(status.message.clone());
        }
        Ok(PauseOutcome {
            status,
            problems: std::mem::take(problems),
        })
    }
}

/// The `pause` and `resume` action handlers.
pub(crate) fn handlers() -> [Handler; 2] {
    [
        Handler::new("charm_openstack::actions::pause", pause_action).action("pause"),
        Handler::new("charm_openstack::actions::resume", resume_action).action("resume"),
    ]
}

fn pause_action(ctx: &HookContext) -> Result<(), charm_runtime::Error> {
    let outcome = OpenStack::of(ctx)?.pause()?;
    if !outcome.is_clean() {
        ctx.action_fail(&format!("Couldn't pause: {}", outcome.problems.join("; ")))?;
    }
    Ok(())
}

fn resume_action(ctx: &HookContext) -> Result<(), charm_runtime::Error> {
    let outcome = OpenStack::of(ctx)?.resume()?;
    if !outcome.is_clean() {
        ctx.action_fail(&format!("Couldn't resume: {}", outcome.problems.join("; ")))?;
    }
    Ok(())
}
