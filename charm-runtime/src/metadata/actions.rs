//! The actions a charm declares.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};

use super::error::{MetadataError, invalid, join, wrong_type};
use super::files::ACTIONS_FILE;
use super::yaml::{Layout, document, find, mapping, optional_str, parse_yaml};

/// One action.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionMeta {
    /// The action name.
    pub name: String,
    /// `description:`, empty when missing.
    pub description: String,
    /// `params:`, the JSON-schema-like declaration of the parameters, as
    /// written: always a JSON object (empty when missing).
    pub params: Value,
}

/// The actions a charm declares, from `actions.yaml` (or `charmcraft.yaml`'s
/// `actions:` key): names, descriptions and parameter declarations. Other
/// keys of an action (`required`, `additionalProperties`,
/// `execution-group`, ...) are ignored.
///
/// ```
/// use charm_runtime::metadata::ActionsSchema;
/// let actions = ActionsSchema::parse(
///     "backup:\n  description: Back up.\n  params:\n    target: {type: string}\nrestart:\n",
///     "actions.yaml",
/// )
/// .unwrap();
/// assert_eq!(actions.names(), ["backup", "restart"]);
/// assert_eq!(actions.action("backup").unwrap().params["target"]["type"], "string");
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActionsSchema {
    /// Every action by name.
    pub actions: BTreeMap<String, ActionMeta>,
}

impl ActionsSchema {
    /// Parse `text`, the content of an `actions.yaml`; `source` names the
    /// file in errors. An empty file declares no actions.
    pub fn parse(text: &str, source: impl AsRef<Path>) -> Result<Self, MetadataError> {
        let path = source.as_ref();
        let doc = parse_yaml(text, path)?;
        match document(&doc, path)? {
            None => Ok(Self::default()),
            Some(top) => Self::from_actions(top, path, ""),
        }
    }

    /// Parse the `actions:` key of `text`, the content of a
    /// `charmcraft.yaml`; no `actions` key is no actions.
    pub fn parse_charmcraft(text: &str, source: impl AsRef<Path>) -> Result<Self, MetadataError> {
        let path = source.as_ref();
        let doc = parse_yaml(text, path)?;
        let Some(top) = document(&doc, path)? else {
            return Ok(Self::default());
        };
        match top.get("actions") {
            None => Ok(Self::default()),
            Some(actions) => match mapping(actions, path, "actions")? {
                None => Ok(Self::default()),
                Some(map) => Self::from_actions(map, path, "actions"),
            },
        }
    }

    /// Read the actions of the charm in `charm_dir`: `actions.yaml`, or,
    /// when it does not exist, the `actions:` key of `charmcraft.yaml`. A
    /// charm with neither has no actions.
    pub fn load(charm_dir: impl AsRef<Path>) -> Result<Self, MetadataError> {
        match find(charm_dir.as_ref(), ACTIONS_FILE)? {
            Layout::Classic(path, text) => Self::parse(&text, path),
            Layout::Charmcraft(path, text) => Self::parse_charmcraft(&text, path),
            Layout::Absent => Ok(Self::default()),
        }
    }

    fn from_actions(
        top: &Map<String, Value>,
        path: &Path,
        prefix: &str,
    ) -> Result<Self, MetadataError> {
        let mut schema = ActionsSchema::default();
        for (name, decl) in top {
            let key = join(prefix, name);
            if name.is_empty() {
                return Err(invalid(
                    path,
                    if prefix.is_empty() {
                        "the document"
                    } else {
                        prefix
                    },
                    "has an action with an empty name",
                ));
            }
            let empty = Map::new();
            let decl = mapping(decl, path, &key)?.unwrap_or(&empty);
            let description = optional_str(decl, "description", path, &key)?
                .unwrap_or_default()
                .to_owned();
            let params = match decl.get("params") {
                None | Some(Value::Null) => Value::Object(Map::new()),
                Some(p @ Value::Object(_)) => p.clone(),
                Some(other) => {
                    return Err(wrong_type(
                        path,
                        &join(&key, "params"),
                        "a mapping of parameter names to their schemas",
                        other,
                    ));
                }
            };
            schema.actions.insert(
                name.clone(),
                ActionMeta {
                    name: name.clone(),
                    description,
                    params,
                },
            );
        }
        Ok(schema)
    }

    /// The action called `name`.
    pub fn action(&self, name: &str) -> Option<&ActionMeta> {
        self.actions.get(name)
    }

    /// Every action name, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.actions.keys().map(String::as_str).collect()
    }
}
