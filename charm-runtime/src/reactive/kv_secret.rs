//! `data_changed` for secrets: a salted digest instead of charms.reactive's
//! plain md5.
//!
//! [`HookContext::data_changed`] stores the md5 of the value's JSON under
//! `reactive.data_changed.<key>`, as charms.reactive does, so a Python
//! charm reading the same unit state agrees. For a password that md5 is a
//! liability: anyone who reads the unit state database can test guesses
//! against it, offline and with precomputed tables, and the same password
//! has the same md5 on every unit. [`HookContext::data_changed_secret`]
//! stores instead an HMAC-SHA-256 of the JSON, keyed with a random salt of
//! this unit (32 bytes from the operating system, made once and kept in
//! the unit state under [`DATA_CHANGED_SALT`]), under
//! `reactive.data_changed_secret.<key>`.
//!
//! The salt lives in the same database, so a reader of the database can
//! still test one guess at a time; what the salt removes is precomputed
//! tables and the comparison of digests across units and charms. The
//! surest way to keep a secret out of the unit state is not to hash it
//! at all: watch the revision of the Juju secret that holds it.

use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;

use crate::reactive::context::HookContext;
use crate::reactive::error::StateError;
use crate::reactive::python_json;
use crate::reactive::state::{DATA_CHANGED_SALT, DATA_CHANGED_SECRET_PREFIX};

/// The length of the unit's salt, in bytes.
const SALT_LEN: usize = 32;

impl HookContext {
    /// [`HookContext::data_changed`] for a value that is or holds a
    /// secret (a password, a key): whether `value` differs from what was
    /// last recorded under `key`, and record it, as a salted HMAC-SHA-256
    /// rather than an md5 (see the module `reactive::kv_secret` docs).
    ///
    /// The record is `reactive.data_changed_secret.<key>`, which
    /// charms.reactive does not know: a Python charm reading the same unit
    /// state sees a key it never reads, and its own
    /// `data_changed(key, ...)` starts afresh (reports a change once).
    ///
    /// ```
    /// use charm_runtime::{Handler, HookContext, HookOptions, MemoryStore, Registry, run_hook};
    ///
    /// let mut registry = Registry::new();
    /// registry
    ///     .add(Handler::new("pw", |ctx: &HookContext| -> Result<(), charm_runtime::Error> {
    ///         assert!(ctx.data_changed_secret("admin-password", "s3cret-pw")?);
    ///         assert!(!ctx.data_changed_secret("admin-password", "s3cret-pw")?);
    ///         assert!(ctx.is_data_changed_secret("admin-password", "other-pw")?);
    ///         Ok(())
    ///     }).hook(["install"]))
    ///     .unwrap();
    /// let mut store = MemoryStore::new();
    /// let outcome = run_hook(&registry, &mut store, HookOptions::new("install"));
    /// assert!(outcome.is_ok(), "{:?}", outcome.error);
    /// // A salt and a digest; no md5 of the password.
    /// assert!(store.data.contains_key("reactive.data_changed_salt"));
    /// assert!(store.data.contains_key("reactive.data_changed_secret.admin-password"));
    /// assert!(!store.data.keys().any(|k| k.starts_with("reactive.data_changed.")));
    /// ```
    pub fn data_changed_secret<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<bool, StateError> {
        self.check_data_changed_secret(key, value, true)
    }

    /// Whether `value` differs from what
    /// [`HookContext::data_changed_secret`] last recorded under `key`,
    /// without recording it.
    pub fn is_data_changed_secret<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<bool, StateError> {
        self.check_data_changed_secret(key, value, false)
    }

    fn check_data_changed_secret<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
        update: bool,
    ) -> Result<bool, StateError> {
        let full_key = format!("{DATA_CHANGED_SECRET_PREFIX}{key}");
        let value = serde_json::to_value(value).map_err(|source| StateError::Encode {
            key: full_key.clone(),
            source,
        })?;
        let salt = self.data_changed_salt(&full_key)?;
        let digest = hmac_sha256_hex(
            salt.as_bytes(),
            python_json::dumps_sorted(&value).as_bytes(),
        );
        let stored = python_json::dumps_str(&digest);
        let mut data = self.data_mut();
        let changed = data.kv.get(&full_key) != Some(&stored);
        if update && changed {
            data.kv.insert(full_key, stored);
        }
        Ok(changed)
    }

    /// The unit's salt (hex), made on first use.
    fn data_changed_salt(&self, for_key: &str) -> Result<String, StateError> {
        if let Some(text) = self.data().kv.get(DATA_CHANGED_SALT)
            && let Ok(salt) = serde_json::from_str::<String>(text)
            && salt.len() == 2 * SALT_LEN
        {
            return Ok(salt);
        }
        let mut bytes = [0u8; SALT_LEN];
        getrandom::fill(&mut bytes).map_err(|e| StateError::Random {
            key: for_key.to_owned(),
            reason: e.to_string(),
        })?;
        let salt = hex(&bytes);
        self.data_mut()
            .kv
            .insert(DATA_CHANGED_SALT.to_owned(), python_json::dumps_str(&salt));
        Ok(salt)
    }
}

/// HMAC-SHA-256 of `message` keyed with `key`, in lowercase hex.
fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    // HMAC takes a key of any length: `new_from_slice` never fails for it.
    match Hmac::<Sha256>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(message);
            hex(&mac.finalize().into_bytes())
        }
        Err(_) => {
            use sha2::Digest;
            hex(&Sha256::new()
                .chain_update(key)
                .chain_update(message)
                .finalize())
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231_test_case_2() {
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn digests_are_salted_per_unit_and_kept_apart_from_data_changed() {
        use crate::reactive::{Handler, HookOptions, MemoryStore, Registry, run_hook};
        let mut registry = Registry::new();
        registry
            .add(
                Handler::new("pw", |ctx: &HookContext| {
                    assert!(ctx.data_changed_secret("pw", "hunter22").unwrap());
                    assert!(!ctx.is_data_changed_secret("pw", "hunter22").unwrap());
                    assert!(ctx.is_data_changed_secret("pw", "hunter23").unwrap());
                    // The plain API is untouched: its key was never written.
                    assert!(ctx.is_data_changed("pw", "hunter22").unwrap());
                })
                .hook(["install"]),
            )
            .unwrap();
        let stored = || {
            let mut store = MemoryStore::new();
            let outcome = run_hook(&registry, &mut store, HookOptions::new("install"));
            assert!(outcome.is_ok(), "{:?}", outcome.error);
            store
        };
        let (a, b) = (stored(), stored());
        let key = format!("{DATA_CHANGED_SECRET_PREFIX}pw");
        // Two units, two salts: the same password has different digests.
        assert_ne!(a.data[&key], b.data[&key]);
        let md5 = format!("{:x}", md5::compute("\"hunter22\""));
        assert!(!format!("{:?}", a.data).contains(&md5));
        assert!(!format!("{:?}", a.data).contains("hunter22"));
    }
}
