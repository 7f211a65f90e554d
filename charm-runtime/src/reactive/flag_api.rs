//! The flag API of charms.reactive (`set_flag`, `clear_flag`,
//! `is_flag_set`, ...) as a handle on the hook context.

use std::rc::Rc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::reactive::context::HookContext;
use crate::reactive::error::StateError;
use crate::reactive::python_json;
use crate::reactive::state::FLAG_PREFIX;

impl HookContext {
    /// The flag API.
    pub fn flags(&self) -> Flags<'_> {
        Flags(self)
    }
}

/// The flag API of charms.reactive: `set_flag`, `clear_flag`, ...
///
/// Changes take effect at once (triggers fire before the call returns) and
/// persist only if the hook succeeds. Every method takes a flag name as
/// `&str` or a [`crate::Flag`] constant.
///
/// ```
/// use charm_runtime::prelude::*;
///
/// const CONFIGURED: Flag = Flag::new("app.configured");
///
/// #[hook("install")]
/// fn install(flags: Flags) -> Result<(), Error> {
///     flags.set("app.installed");
///     flags.set_value("app.ports", &[80, 443])?;
///     flags.toggle(CONFIGURED, false);
///     assert!(flags.all_set(&["app.installed", "app.ports"]));
///     assert!(!flags.is_set(CONFIGURED));
///     assert_eq!(flags.value::<Vec<u16>>("app.ports")?, Some(vec![80, 443]));
///     Ok(())
/// }
/// # fn main() {
/// use charm_runtime::{HookOptions, MemoryStore, Registry, run_hook};
/// let registry = Registry::from_inventory(module_path!()).unwrap();
/// let mut store = MemoryStore::new();
/// let outcome = run_hook(&registry, &mut store, HookOptions::new("install"));
/// assert!(outcome.is_ok(), "{:?}", outcome.error);
/// assert_eq!(store.flags(), ["app.installed", "app.ports"]);
/// # }
/// ```
#[derive(Clone, Copy)]
pub struct Flags<'a>(&'a HookContext);

impl std::fmt::Debug for Flags<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.list()).finish()
    }
}

impl Flags<'_> {
    /// Set `flag` (no value).
    pub fn set(&self, flag: impl AsRef<str>) {
        self.0.set_flag_text(flag.as_ref(), Rc::from("null"));
    }

    /// Set `flag` with a value (`set_flag(flag, value)`). Setting an already
    /// set flag replaces its value without firing triggers.
    pub fn set_value<T: Serialize + ?Sized>(
        &self,
        flag: impl AsRef<str>,
        value: &T,
    ) -> Result<(), StateError> {
        let flag = flag.as_ref();
        let value = serde_json::to_value(value).map_err(|source| StateError::Encode {
            key: format!("{FLAG_PREFIX}{flag}"),
            source,
        })?;
        self.0
            .set_flag_text(flag, Rc::from(python_json::dumps_sorted(&value)));
        Ok(())
    }

    /// Clear `flag`.
    pub fn clear(&self, flag: impl AsRef<str>) {
        self.0.clear_flag(flag.as_ref());
    }

    /// Set `flag` if `should_set`, else clear it.
    pub fn toggle(&self, flag: impl AsRef<str>, should_set: bool) {
        if should_set {
            self.set(flag)
        } else {
            self.clear(flag)
        }
    }

    /// Whether `flag` is set.
    pub fn is_set(&self, flag: impl AsRef<str>) -> bool {
        self.0.data().flags.is_set_name(flag.as_ref())
    }

    /// Whether every one of `flags` is set.
    pub fn all_set(&self, flags: &[&str]) -> bool {
        let data = self.0.data();
        flags.iter().all(|f| data.flags.is_set_name(f))
    }

    /// Whether at least one of `flags` is set.
    pub fn any_set(&self, flags: &[&str]) -> bool {
        let data = self.0.data();
        flags.iter().any(|f| data.flags.is_set_name(f))
    }

    /// Every set flag, sorted (`get_flags`).
    pub fn list(&self) -> Vec<String> {
        self.0.data().flags.sorted()
    }

    /// Those of `flags` that are unset, sorted and without duplicates
    /// (`get_unset_flags`).
    pub fn unset_of(&self, flags: &[&str]) -> Vec<String> {
        let data = self.0.data();
        let mut out: Vec<String> = flags
            .iter()
            .filter(|f| !data.flags.is_set_name(f))
            .map(|f| (*f).to_owned())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The value `flag` was set with, if it is set with one that decodes as
    /// `T`. `Ok(None)` when the flag is unset.
    pub fn value<T: DeserializeOwned>(
        &self,
        flag: impl AsRef<str>,
    ) -> Result<Option<T>, StateError> {
        let flag = flag.as_ref();
        let data = self.0.data();
        let Some(text) = data.flags.value(flag) else {
            return Ok(None);
        };
        crate::reactive::state::decode(&format!("{FLAG_PREFIX}{flag}"), text).map(Some)
    }
}
