//! The phases of a dispatch.

/// A phase of dispatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    /// `@hook` handlers (and handlers without flag conditions).
    Hooks,
    /// Flag-driven handlers, iterated until quiescent.
    Other,
    /// `collect-metrics` / `meter-status-changed`: only their handlers.
    Restricted,
    /// An action: only the handlers of the action run.
    Action,
}

impl Phase {
    /// The name charms.reactive stores as `reactive.dispatch.phase`.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Hooks => "hooks",
            Phase::Other => "other",
            Phase::Restricted => "restricted",
            Phase::Action => "action",
        }
    }
}
