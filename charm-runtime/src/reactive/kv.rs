//! The charm's key/value data in the unit state (charmhelpers'
//! `unitdata.kv()`) and `data_changed`, as handles on the hook context.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::reactive::context::HookContext;
use crate::reactive::error::StateError;
use crate::reactive::python_json;
use crate::reactive::state::{DATA_CHANGED_PREFIX, FLAG_PREFIX, decode};

impl HookContext {
    /// The charm's key/value store in the unit state.
    pub fn kv(&self) -> Kv<'_> {
        Kv(self)
    }

    /// Whether `value` differs from what was last recorded under `key`, and
    /// record it (`data_changed`). The hash is the md5 of Python's
    /// `json.dumps(value, sort_keys=True)`, so Rust and Python agree.
    pub fn data_changed<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<bool, StateError> {
        self.check_data_changed(key, value, true)
    }

    /// Whether `value` differs from what was last recorded under `key`,
    /// without recording it (`is_data_changed`).
    pub fn is_data_changed<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<bool, StateError> {
        self.check_data_changed(key, value, false)
    }

    fn check_data_changed<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
        update: bool,
    ) -> Result<bool, StateError> {
        let full_key = format!("{DATA_CHANGED_PREFIX}{key}");
        let value = serde_json::to_value(value).map_err(|source| StateError::Encode {
            key: full_key.clone(),
            source,
        })?;
        let hash = format!("{:x}", md5::compute(python_json::dumps_sorted(&value)));
        let stored = python_json::dumps_str(&hash);
        let mut data = self.data_mut();
        let changed = data.kv.get(&full_key) != Some(&stored);
        if update && changed {
            data.kv.insert(full_key, stored);
        }
        Ok(changed)
    }
}

fn check_key(key: &str) -> Result<(), StateError> {
    if key.starts_with(FLAG_PREFIX) {
        return Err(StateError::ReservedKey {
            key: key.to_owned(),
        });
    }
    Ok(())
}

/// The charm's key/value data in the unit state (charmhelpers'
/// `unitdata.kv()`): values are JSON, writes persist only if the hook
/// succeeds. Keys under `reactive.states.` belong to the flag API.
///
/// ```
/// use charm_runtime::prelude::*;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize)]
/// struct Backup {
///     path: String,
///     keep: u32,
/// }
///
/// #[hook("install")]
/// fn remember(kv: Kv) -> Result<(), Error> {
///     kv.set("app.backup", &Backup { path: "/srv".into(), keep: 3 })?;
///     let backup: Option<Backup> = kv.get("app.backup")?;
///     assert_eq!(backup.map(|b| b.keep), Some(3));
///     assert_eq!(kv.get::<u32>("app.missing")?, None);
///     Ok(())
/// }
/// # fn main() {
/// use charm_runtime::{HookOptions, MemoryStore, Registry, run_hook};
/// let registry = Registry::from_inventory(module_path!()).unwrap();
/// let mut store = MemoryStore::new();
/// let outcome = run_hook(&registry, &mut store, HookOptions::new("install"));
/// assert!(outcome.is_ok(), "{:?}", outcome.error);
/// // Stored as the JSON text charmhelpers would read.
/// assert_eq!(store.data["app.backup"], r#"{"keep": 3, "path": "/srv"}"#);
/// # }
/// ```
#[derive(Clone, Copy)]
pub struct Kv<'a>(&'a HookContext);

impl std::fmt::Debug for Kv<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map().entries(self.0.data().kv.iter()).finish()
    }
}

impl Kv<'_> {
    /// The value under `key`, decoded as `T`; `Ok(None)` when absent.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StateError> {
        match self.0.data().kv.get(key) {
            None => Ok(None),
            Some(text) => decode(key, text).map(Some),
        }
    }

    /// Store `value` under `key`.
    pub fn set<T: Serialize + ?Sized>(&self, key: &str, value: &T) -> Result<(), StateError> {
        check_key(key)?;
        let value = serde_json::to_value(value).map_err(|source| StateError::Encode {
            key: key.to_owned(),
            source,
        })?;
        self.0
            .data_mut()
            .kv
            .insert(key.to_owned(), python_json::dumps_sorted(&value));
        Ok(())
    }

    /// Remove `key`.
    pub fn unset(&self, key: &str) -> Result<(), StateError> {
        check_key(key)?;
        self.0.data_mut().kv.remove(key);
        Ok(())
    }

    /// Every key starting with `prefix` (exactly, unlike the SQL `LIKE` of
    /// charmhelpers), with the prefix stripped if `strip`.
    pub fn getrange(
        &self,
        prefix: &str,
        strip: bool,
    ) -> Result<BTreeMap<String, Value>, StateError> {
        let data = self.0.data();
        let mut out = BTreeMap::new();
        for (key, text) in data.kv.range(prefix.to_owned()..) {
            let Some(rest) = key.strip_prefix(prefix) else {
                break;
            };
            let name = if strip { rest } else { key.as_str() };
            out.insert(name.to_owned(), decode(key, text)?);
        }
        Ok(out)
    }

    /// Remove every key starting with `prefix`.
    pub fn unsetrange(&self, prefix: &str) -> Result<(), StateError> {
        check_key(prefix)?;
        if FLAG_PREFIX.starts_with(prefix) {
            return Err(StateError::ReservedKey {
                key: prefix.to_owned(),
            });
        }
        self.0.data_mut().kv.retain(|k, _| !k.starts_with(prefix));
        Ok(())
    }
}
