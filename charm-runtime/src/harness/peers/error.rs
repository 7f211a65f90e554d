//! What can go wrong running several units.

use crate::harness::consistency::Inconsistent;

/// Why [`Peers`](super::Peers) cannot do what it was asked.
#[derive(Debug, thiserror::Error)]
pub enum PeersError {
    /// The endpoint is not a peer endpoint of the charm.
    #[error(
        "endpoint {endpoint:?} is not a peer endpoint of charm {charm:?} (peer endpoints: {peers})"
    )]
    NotPeer {
        /// The endpoint asked for.
        endpoint: String,
        /// The charm.
        charm: String,
        /// Its peer endpoints, comma-separated.
        peers: String,
    },
    /// A state names no unit, or a unit of another application.
    #[error("the unit to add must be named {app}/<number> (State::with_unit), not {unit:?}")]
    WrongApp {
        /// The name given (empty when none).
        unit: String,
        /// The application.
        app: String,
    },
    /// The unit is already there.
    #[error("unit {0} is already a unit of the application")]
    Duplicate(String),
    /// No such unit.
    #[error("no unit {unit} (units: {units})")]
    NoUnit {
        /// The unit asked for.
        unit: String,
        /// The units there are, comma-separated.
        units: String,
    },
    /// The harness does not run a scripted unit's hooks.
    #[error("unit {0} is scripted: its hooks do not run, set its data instead")]
    Scripted(String),
    /// Only a scripted unit's data is the test's to set.
    #[error("unit {0} runs its hooks: only a scripted unit's databag is set by the test")]
    NotScripted(String),
    /// A second unit claims the leadership.
    #[error("unit {new} is the leader, but {current} already is: use Peers::set_leader")]
    TwoLeaders {
        /// The unit added as leader.
        new: String,
        /// The current leader.
        current: String,
    },
    /// The event could not happen under Juju.
    #[error(transparent)]
    Inconsistent(#[from] Inconsistent),
    /// A hook failed while settling.
    #[error("unit {unit}: {hook} failed: {error}")]
    HookFailed {
        /// The unit.
        unit: String,
        /// The hook.
        hook: String,
        /// The error, in words.
        error: String,
    },
    /// The units kept triggering each other.
    #[error("the units did not settle after {0} hooks")]
    Unsettled(usize),
}
