//! What happened during a hook, for logs, the harness and debugging.

use crate::reactive::phase::Phase;

/// One event of a hook's dispatch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TraceEvent {
    /// A handler was invoked.
    Invoked {
        /// The handler id.
        handler: String,
        /// The phase it ran in.
        phase: Phase,
        /// The iteration of the "other" phase (0 in the hook phase).
        iteration: usize,
        /// Why it ran: the conditions that held and, after the first
        /// iteration, the watched flags whose change made it eligible.
        reason: String,
    },
    /// A flag became set.
    FlagSet {
        /// The flag.
        flag: String,
        /// The handler running when it happened, if any.
        by: Option<String>,
    },
    /// A flag became unset.
    FlagCleared {
        /// The flag.
        flag: String,
        /// The handler running when it happened, if any.
        by: Option<String>,
    },
    /// Dispatch stopped at the iteration cap with handlers still eligible.
    IterationCap {
        /// Handlers invoked in the last iteration.
        handlers: Vec<String>,
    },
}
