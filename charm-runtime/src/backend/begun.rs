//! A tool call started and not yet waited for.

use super::ToolError;

/// A tool call that was started without waiting for it to end
/// ([`crate::backend::Backend::juju_log_begin`]): [`Begun::wait`] waits,
/// within the backend's timeout, and says how it went. A backend that
/// cannot start calls in the background makes the call at once and keeps
/// its result here.
#[must_use = "a begun call is only known to have succeeded once waited for"]
pub struct Begun(Box<dyn FnOnce() -> Result<(), ToolError>>);

impl Begun {
    /// The call that `wait` finishes.
    pub fn new(wait: impl FnOnce() -> Result<(), ToolError> + 'static) -> Self {
        Self(Box::new(wait))
    }

    /// A call already made, with its result.
    pub fn done(result: Result<(), ToolError>) -> Self {
        Self::new(move || result)
    }

    /// Wait for the call to end.
    pub fn wait(self) -> Result<(), ToolError> {
        (self.0)()
    }
}

impl std::fmt::Debug for Begun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Begun")
    }
}
