//! What handlers and callbacks may return, and how it becomes a
//! [`HandlerError`].

use std::fmt::Display;

use crate::reactive::error::{Failure, HandlerError};

/// What a handler may return: `()`, or `Result<(), E>` for any error type
/// `E` that can be displayed. The error value is kept, so tests can match
/// on it ([`crate::HookError::downcast_ref`]).
#[diagnostic::on_unimplemented(
    message = "a handler must return `()` or `Result<(), E>` where `E: Display`, not `{Self}`",
    label = "unsupported return type"
)]
pub trait IntoHandlerResult {
    /// `Err` with the error value when the handler failed.
    fn into_handler_result(self) -> Result<(), Failure>;
}

impl IntoHandlerResult for () {
    fn into_handler_result(self) -> Result<(), Failure> {
        Ok(())
    }
}

impl<E: Display + 'static> IntoHandlerResult for Result<(), E> {
    fn into_handler_result(self) -> Result<(), Failure> {
        self.map_err(Failure::new)
    }
}

/// Turn a callback's result into the runtime's error type, naming the
/// callback (`what`: "atexit assess-status", ...).
pub(crate) fn callback_result<R: IntoHandlerResult>(what: &str, r: R) -> Result<(), HandlerError> {
    r.into_handler_result()
        .map_err(|error| HandlerError::Callback {
            what: what.to_owned(),
            error,
        })
}
