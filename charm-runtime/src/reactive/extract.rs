//! Handler arguments: [`Extract`], as axum extracts request parts.
//!
//! A handler function's arguments are extracted from the hook: [`Ctx`],
//! [`Flags`], [`Kv`], and in the Juju layer the typed config
//! ([`crate::Config`]), endpoints, typed endpoints (`#[interface]` types)
//! and action parameters. `Option<T>` of any of them is `None` where `T`
//! cannot be extracted.

use crate::reactive::context::Ctx;
use crate::reactive::error::ExtractError;
use crate::reactive::flag_api::Flags;
use crate::reactive::handler::Invocation;
use crate::reactive::kv::Kv;

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
    note = "handler arguments are extracted from the hook: take `Ctx` for the whole hook context, or `Flags`, `Kv`, `charm_runtime::Config<YourOptions>`, `ActionParams`, an `Endpoint` or typed endpoint, an `Option` of one of these; or implement `charm_runtime::Extract` for a type of your own"
)]
pub trait Extract<'a>: Sized {
    /// The interface of a typed endpoint (`#[interface("...")]` types set
    /// it), so that building the charm can check, before any hook runs,
    /// that the handler's flags name a relation of that interface. `None`
    /// for everything else.
    const INTERFACE: Option<&'static str> = None;
    /// The role of a typed endpoint that serves one side of its interface
    /// (see [`crate::endpoint::Interface::ROLE`]).
    const INTERFACE_ROLE: Option<charm_names::Role> = None;

    /// Build the argument for `inv`.
    fn extract(inv: &Invocation<'a>) -> Result<Self, ExtractError>;
}

impl<'a> Extract<'a> for Ctx<'a> {
    fn extract(inv: &Invocation<'a>) -> Result<Self, ExtractError> {
        Ok(Ctx(inv.ctx))
    }
}

impl<'a> Extract<'a> for Flags<'a> {
    fn extract(inv: &Invocation<'a>) -> Result<Self, ExtractError> {
        Ok(inv.ctx.flags())
    }
}

impl<'a> Extract<'a> for Kv<'a> {
    fn extract(inv: &Invocation<'a>) -> Result<Self, ExtractError> {
        Ok(inv.ctx.kv())
    }
}

/// `Some` when `T` can be extracted, `None` when it cannot (a typed
/// endpoint with no relation, ...). Not checked against the metadata: an
/// optional typed endpoint may be absent.
impl<'a, T: Extract<'a>> Extract<'a> for Option<T> {
    fn extract(inv: &Invocation<'a>) -> Result<Self, ExtractError> {
        Ok(T::extract(inv).ok())
    }
}
