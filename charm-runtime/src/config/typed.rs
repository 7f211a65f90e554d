//! The typed config as a handler argument: [`Config<T>`].

use std::ops::Deref;
use std::rc::Rc;

use serde::de::DeserializeOwned;

use crate::reactive::{Extract, ExtractError, HookContext, Invocation};

/// The charm's configuration as the charm's own options struct `T`, a
/// handler argument. Read and checked once per hook, however many handlers
/// take it; a value that does not fit `T` fails the handler with an error
/// naming the option.
///
/// ```
/// use charm_runtime::Config;
///
/// #[derive(serde::Deserialize)]
/// #[serde(rename_all = "kebab-case")]
/// struct Options {
///     port: u16,
///     site_title: String,
/// }
///
/// #[charm_macros::when("app.installed")]
/// fn configure(config: Config<Options>) {
///     println!("{} on port {}", config.site_title, config.port);
/// }
/// # fn main() {}
/// ```
pub struct Config<T>(Rc<T>);

impl<T> Clone for Config<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T> Deref for Config<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Config<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Config").field(&self.0).finish()
    }
}

/// The decoded config of one hook, one per options type.
struct Decoded<T>(Rc<T>);

impl<T: DeserializeOwned + 'static> Config<T> {
    /// The config of the hook `ctx`, decoded once per hook.
    pub fn of(ctx: &HookContext) -> Result<Self, crate::Error> {
        if let Some(decoded) = ctx.extensions().get::<Decoded<T>>() {
            return Ok(Self(decoded.0.clone()));
        }
        let value: Rc<T> = Rc::new(ctx.config()?);
        ctx.extensions().insert(Rc::new(Decoded(value.clone())));
        Ok(Self(value))
    }
}

impl<'a, T: DeserializeOwned + 'static> Extract<'a> for Config<T> {
    fn extract(inv: &Invocation<'a>) -> Result<Self, ExtractError> {
        Self::of(inv.ctx).map_err(|e| ExtractError::new::<T>(e.to_string()))
    }
}

impl<'a> Extract<'a> for super::ConfigValues {
    fn extract(inv: &Invocation<'a>) -> Result<Self, ExtractError> {
        inv.ctx
            .config_values()
            .map_err(|e| ExtractError::new::<Self>(e.to_string()))
    }
}
