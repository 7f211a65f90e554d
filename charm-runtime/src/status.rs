//! A unit's (or application's) workload status.

use std::str::FromStr;

/// A workload status state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusState {
    /// Ready and serving.
    Active,
    /// Needs a human (a missing relation, bad config).
    Blocked,
    /// Busy with itself (installing, upgrading).
    Maintenance,
    /// Waiting on something another unit or application will do.
    Waiting,
    /// Not set yet.
    Unknown,
    /// A hook failed (set by Juju, never by a charm).
    Error,
    /// The unit is being removed (set by Juju, never by a charm).
    Terminated,
}

impl StatusState {
    /// The name the hook tools use.
    pub fn as_str(self) -> &'static str {
        match self {
            StatusState::Active => "active",
            StatusState::Blocked => "blocked",
            StatusState::Maintenance => "maintenance",
            StatusState::Waiting => "waiting",
            StatusState::Unknown => "unknown",
            StatusState::Error => "error",
            StatusState::Terminated => "terminated",
        }
    }
}

impl FromStr for StatusState {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "active" => StatusState::Active,
            "blocked" => StatusState::Blocked,
            "maintenance" => StatusState::Maintenance,
            "waiting" => StatusState::Waiting,
            "unknown" => StatusState::Unknown,
            "error" => StatusState::Error,
            "terminated" => StatusState::Terminated,
            other => return Err(format!("unknown status {other:?}")),
        })
    }
}

/// A workload status with its message.
///
/// ```
/// use charm_runtime::{Status, StatusState};
///
/// let status = Status::blocked("missing relation: shared-db");
/// assert_eq!(status.state, StatusState::Blocked);
/// assert_eq!(status.state.as_str(), "blocked");
/// assert_eq!(status.message, "missing relation: shared-db");
/// assert_eq!(Status::active("ready"), Status::new(StatusState::Active, "ready"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Status {
    /// The state.
    pub state: StatusState,
    /// The message shown beside it.
    pub message: String,
}

impl Status {
    /// `state` with `message`.
    pub fn new(state: StatusState, message: impl Into<String>) -> Self {
        Self {
            state,
            message: message.into(),
        }
    }

    /// `active`: the workload is ready.
    pub fn active(message: impl Into<String>) -> Self {
        Self::new(StatusState::Active, message)
    }

    /// `blocked`: the operator must act (config, a missing relation).
    pub fn blocked(message: impl Into<String>) -> Self {
        Self::new(StatusState::Blocked, message)
    }

    /// `waiting`: waiting on something outside the unit (a peer, a
    /// related application).
    pub fn waiting(message: impl Into<String>) -> Self {
        Self::new(StatusState::Waiting, message)
    }

    /// `maintenance`: the unit is busy with its own work.
    pub fn maintenance(message: impl Into<String>) -> Self {
        Self::new(StatusState::Maintenance, message)
    }
}
