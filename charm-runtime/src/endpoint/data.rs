//! Relation data: what a remote unit published ([`Received`], JSON-decoded
//! as charms.reactive does) and what this unit publishes ([`Publish`],
//! encoded as Python's `json.dumps(value, sort_keys=True)`).

use std::collections::BTreeMap;
use std::rc::Rc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::backend::{DataBag, RelationId, ToolError};
use crate::error::Error;
use crate::juju::Juju;
use crate::reactive::{HookContext, python_json};

/// Data received on a relation. `get` decodes JSON and falls back to the
/// raw string for a value that is not JSON (an empty value stays `""`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received(pub(super) Rc<BTreeMap<String, String>>);

impl Received {
    /// Data from raw key/values.
    pub fn from_raw(raw: BTreeMap<String, String>) -> Self {
        Self(Rc::new(raw))
    }

    /// The decoded value of `key`.
    pub fn get(&self, key: &str) -> Option<Value> {
        self.0.get(key).map(|raw| decode(raw))
    }

    /// The value of `key` decoded as `T`; an error names the key, the
    /// value and the expected type.
    pub fn get_as<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, Error> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => serde_json::from_value(v.clone()).map(Some).map_err(|e| {
                Error::msg(format!(
                    "relation data {key:?} = {}: {e}",
                    python_json::dumps_sorted(&v)
                ))
            }),
        }
    }

    /// The raw value of `key`.
    pub fn raw(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// Every key with its decoded value.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), decode(v)))
    }

    /// The raw data.
    pub fn raw_data(&self) -> &BTreeMap<String, String> {
        &self.0
    }

    /// Whether nothing was received.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn decode(raw: &str) -> Value {
    if raw.is_empty() {
        return Value::String(String::new());
    }
    serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned()))
}

/// This unit's (or application's) databag on a relation, JSON view.
#[derive(Clone)]
pub struct Publish<'a> {
    pub(super) ctx: &'a HookContext,
    pub(super) relation: RelationId,
    pub(super) app: bool,
}

impl std::fmt::Debug for Publish<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publish")
            .field("relation", &self.relation.to_string())
            .field("app", &self.app)
            .finish()
    }
}

impl<'a> Publish<'a> {
    fn juju(&self) -> Result<Rc<Juju>, ToolError> {
        let j = self.ctx.juju();
        if self.app && !j.is_leader()? {
            return Err(ToolError::Refused {
                tool: "relation-set".into(),
                reason: format!(
                    "only the leader can publish application data on {}",
                    self.relation
                ),
            });
        }
        Ok(j)
    }

    fn bag(&self, j: &Juju) -> DataBag {
        if self.app {
            DataBag::App(j.env().app().to_owned())
        } else {
            DataBag::Unit(j.env().unit.clone())
        }
    }

    /// Publish `value` under `key`, encoded as Python's
    /// `json.dumps(value, sort_keys=True)`.
    pub fn set<T: Serialize + ?Sized>(&self, key: &str, value: &T) -> Result<(), Error> {
        let value = serde_json::to_value(value)
            .map_err(|e| Error::msg(format!("relation data {key:?} cannot be encoded: {e}")))?;
        self.set_raw(key, &python_json::dumps_sorted(&value))?;
        Ok(())
    }

    /// Publish the raw string `value` under `key` (empty deletes).
    pub fn set_raw(&self, key: &str, value: &str) -> Result<(), ToolError> {
        let j = self.juju()?;
        let value = (!value.is_empty()).then(|| value.to_owned());
        j.relation_set(&self.relation, self.app, key, value);
        Ok(())
    }

    /// Stop publishing `key`.
    pub fn remove(&self, key: &str) -> Result<(), ToolError> {
        let j = self.juju()?;
        j.relation_set(&self.relation, self.app, key, None);
        Ok(())
    }

    /// The decoded value that will be published under `key`.
    pub fn get(&self, key: &str) -> Result<Option<Value>, ToolError> {
        Ok(self.get_raw(key)?.map(|raw| decode(&raw)))
    }

    /// The raw value that will be published under `key`.
    pub fn get_raw(&self, key: &str) -> Result<Option<String>, ToolError> {
        let j = self.ctx.juju();
        Ok(j.relation_data_pending(&self.relation, &self.bag(&j))?
            .get(key)
            .cloned())
    }
}

/// This unit's (or application's) databag on a relation, raw strings.
#[derive(Debug, Clone)]
pub struct PublishRaw<'a>(pub(super) Publish<'a>);

impl PublishRaw<'_> {
    /// Publish `value` under `key` as is (empty deletes).
    pub fn set(&self, key: &str, value: &str) -> Result<(), ToolError> {
        self.0.set_raw(key, value)
    }

    /// Stop publishing `key`.
    pub fn remove(&self, key: &str) -> Result<(), ToolError> {
        self.0.remove(key)
    }

    /// The value that will be published under `key`.
    pub fn get(&self, key: &str) -> Result<Option<String>, ToolError> {
        self.0.get_raw(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn received_decodes_json_and_falls_back_to_the_raw_string() {
        let raw: BTreeMap<String, String> = [
            ("json", r#"{"a": [1, 2]}"#),
            ("number", "3306"),
            ("quoted", "\"10.0.0.5\""),
            ("bare", "10.0.0.5"),
            ("broken", "{not json"),
            ("empty", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let r = Received::from_raw(raw);
        assert_eq!(r.get("json"), Some(json!({"a": [1, 2]})));
        assert_eq!(r.get("number"), Some(json!(3306)));
        assert_eq!(r.get("quoted"), Some(json!("10.0.0.5")));
        // Not JSON: the raw string, as charms.reactive's JSONUnitDataView.
        assert_eq!(r.get("bare"), Some(json!("10.0.0.5")));
        assert_eq!(r.get("broken"), Some(json!("{not json")));
        assert_eq!(r.get("empty"), Some(json!("")));
        assert_eq!(r.get("missing"), None);
        assert_eq!(r.raw("quoted"), Some("\"10.0.0.5\""));
        assert_eq!(r.get_as::<u16>("number").unwrap(), Some(3306));
        let err = r.get_as::<u16>("bare").unwrap_err().to_string();
        assert!(err.contains("\"bare\""), "{err}");
    }
}
