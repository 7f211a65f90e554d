//! What `secret-info-get` says of a secret: its metadata, never its
//! content.
//!
//! Juju prints one JSON object keyed by the secret's short id (the xid,
//! without `secret:`), whose value holds `revision`, `owner`
//! (`application` or `unit`) and, when set, `label`, `description`,
//! `expiry`, `rotation` and `rotates` (Juju's own integration test of
//! secrets reads `.<xid>.owner` and `.<xid>.revision` that way). Fields
//! this crate does not know (`access`, ...) are ignored.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::secret::{SecretId, SecretOwner};

/// The metadata of a secret this unit owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretInfo {
    /// The secret.
    pub id: SecretId,
    /// Its latest revision.
    pub revision: u32,
    /// Who owns it.
    pub owner: SecretOwner,
    /// The owner's label for it.
    pub label: Option<String>,
    /// Its description.
    pub description: Option<String>,
    /// When its latest revision expires (RFC 3339), if it does.
    pub expiry: Option<String>,
    /// Its rotation policy (`never`, `hourly`, `daily`, ...), if set.
    pub rotation: Option<String>,
    /// When it is next due for rotation (RFC 3339), if it is.
    pub rotates: Option<String>,
}

/// The value of one entry, as Juju prints it.
#[derive(Serialize, Deserialize)]
struct Entry {
    revision: u32,
    owner: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expiry: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rotation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rotates: Option<String>,
}

impl SecretInfo {
    /// Read `secret-info-get --format=json`'s output: exactly one secret.
    /// The error says what was wrong.
    pub fn from_json(output: Map<String, Value>) -> Result<Self, String> {
        let mut entries = output.into_iter();
        let (key, value) = match (entries.next(), entries.next()) {
            (Some(entry), None) => entry,
            (None, _) => return Err("no secret in the output".to_owned()),
            (Some(_), Some(_)) => return Err("more than one secret in the output".to_owned()),
        };
        let id = if key.starts_with("secret:") {
            key.clone()
        } else {
            format!("secret:{key}")
        };
        let id: SecretId = id.parse().map_err(|e| format!("{key:?}: {e}"))?;
        let entry: Entry =
            serde_json::from_value(value).map_err(|e| format!("secret {key}: {e}"))?;
        let owner = match entry.owner.as_str() {
            "application" => SecretOwner::Application,
            "unit" => SecretOwner::Unit,
            other => {
                return Err(format!(
                    "secret {key}: owner {other:?} is neither \"application\" nor \"unit\""
                ));
            }
        };
        Ok(Self {
            id,
            revision: entry.revision,
            owner,
            label: entry.label,
            description: entry.description,
            expiry: entry.expiry,
            rotation: entry.rotation,
            rotates: entry.rotates,
        })
    }

    /// The output `secret-info-get --format=json` prints for it (the
    /// simulator's tool prints this).
    pub fn to_json(&self) -> Value {
        let key = self
            .id
            .as_str()
            .rsplit(['/', ':'])
            .next()
            .unwrap_or(self.id.as_str())
            .to_owned();
        let entry = Entry {
            revision: self.revision,
            owner: self.owner.as_str().to_owned(),
            label: self.label.clone(),
            description: self.description.clone(),
            expiry: self.expiry.clone(),
            rotation: self.rotation.clone(),
            rotates: self.rotates.clone(),
        };
        let mut out = Map::new();
        out.insert(key, serde_json::to_value(entry).unwrap_or(Value::Null));
        Value::Object(out)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => unreachable!("an object"),
        }
    }

    #[test]
    fn the_output_is_keyed_by_the_short_id() {
        let info = SecretInfo::from_json(map(json!({
            "cjd1pemj3e0q3u0sp4ag": {
                "revision": 2, "owner": "unit", "label": "db-password",
                "rotation": "daily", "rotates": "2026-12-01T00:00:00Z",
                "access": [{"target": "application-web", "scope": "relation-1", "role": "view"}]
            }
        })))
        .unwrap();
        assert_eq!(info.id.as_str(), "secret:cjd1pemj3e0q3u0sp4ag");
        assert_eq!(info.revision, 2);
        assert_eq!(info.owner, SecretOwner::Unit);
        assert_eq!(info.label.as_deref(), Some("db-password"));
        assert_eq!(info.rotation.as_deref(), Some("daily"));
        assert_eq!(info.expiry, None);
        // Printed back the same way.
        let printed = info.to_json();
        assert_eq!(printed["cjd1pemj3e0q3u0sp4ag"]["owner"], "unit");
        assert_eq!(SecretInfo::from_json(map(printed)).unwrap(), info);
    }

    #[test]
    fn bad_output_says_what_is_wrong() {
        let cases = [
            (json!({}), "no secret in the output"),
            (
                json!({"cjd1pemj3e0q3u0sp4ag": {"revision": 1, "owner": "application"},
                       "cjd1pemj3e0q3u0sp4b0": {"revision": 1, "owner": "application"}}),
                "more than one secret in the output",
            ),
            (
                json!({"cjd1pemj3e0q3u0sp4ag": {"revision": 1, "owner": "model"}}),
                "secret cjd1pemj3e0q3u0sp4ag: owner \"model\" is neither",
            ),
            (
                json!({"cjd1pemj3e0q3u0sp4ag": {"owner": "unit"}}),
                "secret cjd1pemj3e0q3u0sp4ag: missing field `revision`",
            ),
            (
                json!({"-rf": {"revision": 1, "owner": "unit"}}),
                "\"-rf\": ",
            ),
        ];
        for (output, message) in cases {
            let err = SecretInfo::from_json(map(output.clone())).unwrap_err();
            assert!(err.starts_with(message), "{output}: {err}");
        }
    }
}
