//! Juju secrets (Juju 3): the types the `secret-*` hook tools take and
//! give.
//!
//! A secret is a set of key/value pairs that Juju stores (in its database
//! or a secret backend such as Vault), owned by an application or a unit,
//! revisioned, and readable by whom its owner grants it to over a
//! relation. Its content never goes through argv: the runtime hands it to
//! `secret-add` and `secret-set` in a YAML file (`--file`) only the unit
//! can read.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// What is wrong with a secret's id, key or content. The value of a key is
/// never quoted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    /// Not a secret id Juju would give (`secret:<id>` or a bare id).
    #[error("secret id {id:?} is not a Juju secret id (secret:<20 letters and digits>)")]
    BadId {
        /// The text.
        id: String,
    },
    /// A content key Juju refuses.
    #[error(
        "secret key {key:?} is not valid: Juju wants at least 3 characters, lowercase \
         letters, digits and single hyphens, starting with a letter"
    )]
    BadKey {
        /// The key.
        key: String,
    },
    /// A secret with no content.
    #[error("a secret needs at least one key")]
    Empty,
}

/// A secret's id as Juju gives it: `secret:<xid>`, the 20 characters of
/// an xid (digits and the letters `a` to `v`), optionally with the model's
/// UUID (`secret://<model-uuid>/<xid>`).
///
/// ```
/// use charm_runtime::backend::SecretId;
/// let id: SecretId = "secret:cjd1pemj3e0q3u0sp4ag".parse().unwrap();
/// assert_eq!(id.as_str(), "secret:cjd1pemj3e0q3u0sp4ag");
/// assert!("-rm".parse::<SecretId>().is_err());
/// assert!("secret:".parse::<SecretId>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SecretId(String);

impl SecretId {
    /// The id as Juju prints it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SecretId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for SecretId {
    type Err = SecretError;

    fn from_str(s: &str) -> Result<Self, SecretError> {
        let bad = || SecretError::BadId { id: s.to_owned() };
        let xid = match s.strip_prefix("secret:") {
            Some(rest) => match rest.strip_prefix("//") {
                // secret://<model-uuid>/<xid>
                Some(rest) => {
                    let (uuid, xid) = rest.split_once('/').ok_or_else(bad)?;
                    if uuid.is_empty() || !uuid.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
                        return Err(bad());
                    }
                    xid
                }
                None => rest,
            },
            None => s,
        };
        let xid_char = |c: char| c.is_ascii_digit() || ('a'..='v').contains(&c);
        if xid.len() != 20 || !xid.chars().all(xid_char) {
            return Err(bad());
        }
        Ok(Self(s.to_owned()))
    }
}

/// Whether `key` is a secret content key Juju accepts: a lowercase letter,
/// then lowercase letters and digits with single hyphens between them, 3
/// characters at least (Juju's `^([a-z](?:-?[a-z0-9]){2,})$`).
pub fn valid_secret_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    let Some(first) = bytes.first() else {
        return false;
    };
    if !first.is_ascii_lowercase() || bytes.last() == Some(&b'-') {
        return false;
    }
    let mut chars = 1;
    let mut after_hyphen = false;
    for &b in &bytes[1..] {
        match b {
            b'-' if !after_hyphen => after_hyphen = true,
            b'a'..=b'z' | b'0'..=b'9' => {
                chars += 1;
                after_hyphen = false;
            }
            _ => return false,
        }
    }
    chars >= 3
}

/// A secret's content: keys Juju accepts ([`valid_secret_key`]) and
/// their values. `Debug` and `Display` print the keys only: a value is
/// reached through [`SecretContent::get`] (or [`SecretContent::expose`]).
///
/// ```
/// use charm_runtime::backend::SecretContent;
/// let mut content = SecretContent::new();
/// content.insert("password", "hunter22").unwrap();
/// assert_eq!(content.get("password"), Some("hunter22"));
/// assert!(!format!("{content:?} {content}").contains("hunter22"));
/// assert!(content.insert("Password", "x").is_err());
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SecretContent(BTreeMap<String, String>);

impl SecretContent {
    /// No keys yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// One key and its value.
    pub fn with(key: &str, value: impl Into<String>) -> Result<Self, SecretError> {
        let mut content = Self::new();
        content.insert(key, value)?;
        Ok(content)
    }

    /// Set `key` to `value`; a key Juju refuses is a
    /// [`SecretError::BadKey`].
    pub fn insert(&mut self, key: &str, value: impl Into<String>) -> Result<(), SecretError> {
        if !valid_secret_key(key) {
            return Err(SecretError::BadKey {
                key: key.to_owned(),
            });
        }
        self.0.insert(key.to_owned(), value.into());
        Ok(())
    }

    /// The content of a map, every key checked.
    pub fn from_map(map: BTreeMap<String, String>) -> Result<Self, SecretError> {
        if let Some(key) = map.keys().find(|k| !valid_secret_key(k)) {
            return Err(SecretError::BadKey { key: key.clone() });
        }
        Ok(Self(map))
    }

    /// The value of `key`.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// The keys, sorted.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// Whether there is no key.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Every key and value: what the tools are sent.
    pub fn expose(&self) -> &BTreeMap<String, String> {
        &self.0
    }
}

impl fmt::Debug for SecretContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.keys().map(|k| (k, "«redacted»")))
            .finish()
    }
}

impl fmt::Display for SecretContent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<&str> = self.keys().collect();
        write!(f, "secret content with keys {}", keys.join(", "))
    }
}

/// Who owns a secret (`secret-add --owner`): only the owner can change,
/// grant or remove it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SecretOwner {
    /// The application (Juju's default): only its leader can manage it,
    /// every unit of it can read it.
    #[default]
    Application,
    /// This unit.
    Unit,
}

impl SecretOwner {
    /// As `--owner` takes it.
    pub fn as_str(self) -> &'static str {
        match self {
            SecretOwner::Application => "application",
            SecretOwner::Unit => "unit",
        }
    }
}

/// How `secret-add` creates a secret.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretOptions {
    /// A label the owner finds it by (`secret-get --label`), unique per
    /// owner.
    pub label: Option<String>,
    /// A description, for the operator.
    pub description: Option<String>,
    /// Its owner.
    pub owner: SecretOwner,
}

/// Which secret: by id, or by the label its owner (or this consumer)
/// gave it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SecretRef {
    /// By id.
    Id(SecretId),
    /// By label.
    Label(String),
}

impl From<SecretId> for SecretRef {
    fn from(id: SecretId) -> Self {
        SecretRef::Id(id)
    }
}

impl From<&SecretId> for SecretRef {
    fn from(id: &SecretId) -> Self {
        SecretRef::Id(id.clone())
    }
}

impl fmt::Display for SecretRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretRef::Id(id) => write!(f, "{id}"),
            SecretRef::Label(label) => write!(f, "label {label:?}"),
        }
    }
}

/// Which revision `secret-get` reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum SecretRevision {
    /// The revision this unit tracks (the owner: the latest).
    #[default]
    Tracked,
    /// The latest, without tracking it (`--peek`).
    Peek,
    /// The latest, tracked from now on (`--refresh`).
    Refresh,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_jujus_rule() {
        for good in ["password", "abc", "a-b-c", "tls-key2", "a1b"] {
            assert!(valid_secret_key(good), "{good}");
        }
        for bad in [
            "", "ab", "a-b", "-abc", "abc-", "a--bc", "Abc", "1abc", "a_bc", "a.bc",
        ] {
            assert!(!valid_secret_key(bad), "{bad}");
        }
    }

    #[test]
    fn ids_are_xids() {
        for good in [
            "secret:cjd1pemj3e0q3u0sp4ag",
            "cjd1pemj3e0q3u0sp4ag",
            "secret://6b4c9c67-3e4b-4d3c-8a57-2ab7c1b9d2a1/cjd1pemj3e0q3u0sp4ag",
        ] {
            assert_eq!(good.parse::<SecretId>().unwrap().as_str(), good);
        }
        for bad in [
            "",
            "secret:",
            "secret:CJD1PEMJ3E0Q3U0SP4AG",
            "secret:abc",
            "--label",
        ] {
            assert!(bad.parse::<SecretId>().is_err(), "{bad}");
        }
    }
}
