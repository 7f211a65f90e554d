//! Handler arguments and return values.
//!
//! A handler function's arguments are extracted from the hook through
//! [`Extract`], as axum extracts request parts: `Flags`, `Kv`, `Ctx`, and in
//! the Juju layer config, endpoints, typed endpoints (`#[interface]` types)
//! and action parameters. Return `()` or `Result<(), E>` with
//! `E: Display`.

use std::fmt::Display;

use crate::context::HookContext;
use crate::error::ExtractError;
use crate::handler::{HandlerInfo, display_error};

/// One call of a handler: the hook context and the handler's definition.
#[derive(Clone, Copy)]
pub struct Invocation<'a> {
    /// The hook being run.
    pub ctx: &'a HookContext,
    /// The handler being invoked.
    pub handler: &'a HandlerInfo,
}

impl std::fmt::Debug for Invocation<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Invocation")
            .field("handler", &self.handler.id)
            .finish_non_exhaustive()
    }
}

/// A value a handler can take as an argument.
///
/// A handler argument declared as `T`, `&T` or `&mut T` is extracted as a
/// `T` before the call.
///
/// ```
/// use charm_runtime::{Extract, ExtractError, Invocation};
///
/// /// The name of the running hook, as a handler argument.
/// struct HookName(String);
///
/// impl<'a> Extract<'a> for HookName {
///     fn extract(inv: &Invocation<'a>) -> Result<Self, ExtractError> {
///         Ok(HookName(inv.ctx.hook_name().to_owned()))
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a handler argument",
    label = "not extractable from the hook",
    note = "handler arguments are extracted from the hook: use `Ctx`, `Flags`, `Kv`, `Config`, `ActionParams`, an `Endpoint` or typed endpoint, or implement `charm_runtime::Extract` for `{Self}`"
)]
pub trait Extract<'a>: Sized {
    /// The interface of a typed endpoint (`#[interface("...")]` types set
    /// it), so that [`crate::Registry::check_against`] can check, before
    /// any hook runs, that the handler's flags name a relation of that
    /// interface. `None` for everything else.
    const INTERFACE: Option<&'static str> = None;
    /// The role of a typed endpoint that serves one side of its interface
    /// (see [`crate::endpoint::Interface::ROLE`]).
    const INTERFACE_ROLE: Option<crate::metadata::Role> = None;

    /// Build the argument for `inv`.
    fn extract(inv: &Invocation<'a>) -> Result<Self, ExtractError>;
}

/// What a handler may return.
#[diagnostic::on_unimplemented(
    message = "a handler must return `()` or `Result<(), E>` where `E: Display`, not `{Self}`",
    label = "unsupported return type"
)]
pub trait IntoHandlerResult {
    /// `Err(message)` when the handler failed.
    fn into_handler_result(self) -> Result<(), String>;
}

impl IntoHandlerResult for () {
    fn into_handler_result(self) -> Result<(), String> {
        Ok(())
    }
}

impl<E: Display> IntoHandlerResult for Result<(), E> {
    fn into_handler_result(self) -> Result<(), String> {
        self.map_err(|e| display_error(&e))
    }
}

impl<'a> Extract<'a> for crate::context::Ctx<'a> {
    fn extract(inv: &Invocation<'a>) -> Result<Self, ExtractError> {
        Ok(crate::context::Ctx(inv.ctx))
    }
}

impl<'a> Extract<'a> for crate::context::Flags<'a> {
    fn extract(inv: &Invocation<'a>) -> Result<Self, ExtractError> {
        Ok(inv.ctx.flags())
    }
}

impl<'a> Extract<'a> for crate::config::Config {
    fn extract(inv: &Invocation<'a>) -> Result<Self, ExtractError> {
        inv.ctx
            .config_values()
            .map_err(|e| ExtractError::new::<Self>(e.to_string()))
    }
}

impl<'a> Extract<'a> for crate::context::Kv<'a> {
    fn extract(inv: &Invocation<'a>) -> Result<Self, ExtractError> {
        Ok(inv.ctx.kv())
    }
}
