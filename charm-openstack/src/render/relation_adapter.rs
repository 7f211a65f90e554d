//! Relation adapters: what templates see of one relation, under its name
//! (charms.openstack's `OpenStackRelationAdapter`).

use std::path::PathBuf;

use charm_runtime::endpoint::Endpoint;
use serde_json::{Map, Value};

use super::error::RenderError;

/// What templates see of one relation: an interface's values and the
/// accessors computed from them, under the relation's name with `-` as
/// `_` (`shared-db` is `shared_db`).
///
/// An interface adapter (RabbitMQ's `transport_url`, a database's `uri`)
/// is a type implementing this trait over the interface's typed view; the
/// generic [`RelationValues`] serves any relation meanwhile.
pub trait RelationAdapter {
    /// The relation (endpoint) name, as in `metadata.yaml` (`amqp`,
    /// `shared-db`).
    fn name(&self) -> &str;

    /// The values templates see under the relation's name: an object
    /// whose keys are the accessors (`{{ amqp.transport_url }}`).
    fn to_value(&self) -> Result<Value, RenderError>;

    /// The files the adapter's values name, which must be on disk when
    /// the rendered configuration is used (a database's TLS CA, whose
    /// path the connection URI holds): written, owned by root and the
    /// definition's group, before the templates are rendered
    /// ([`OpenStack::render_files`](crate::OpenStack::render_files)).
    /// None by default.
    fn files(&self) -> Vec<AdapterFile> {
        Vec::new()
    }
}

/// A file a relation adapter needs written (see
/// [`RelationAdapter::files`]).
#[derive(Clone, PartialEq, Eq)]
pub struct AdapterFile {
    /// Where.
    pub path: PathBuf,
    /// The bytes.
    pub content: Vec<u8>,
    /// The permission bits (`0o644` for a certificate, `0o640` for a
    /// key).
    pub mode: u32,
}

impl std::fmt::Debug for AdapterFile {
    // The content may be a private key: never shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdapterFile")
            .field("path", &self.path)
            .field("content", &format_args!("<{} bytes>", self.content.len()))
            .field("mode", &format_args!("{:#o}", self.mode))
            .finish()
    }
}

/// A relation's values as a map, with accessors added by name: the
/// generic adapter (charms.openstack wraps a relation without an adapter
/// class of its own this way).
///
/// ```
/// use charm_openstack::render::{RelationAdapter, RelationValues};
/// use serde_json::json;
///
/// let memcache = RelationValues::new("memcache")
///     .with("host", "10.0.0.5")
///     .with("port", 11211);
/// let memcache = memcache.clone().with("url", format!(
///     "{}:{}",
///     memcache.get("host").and_then(|h| h.as_str()).unwrap(),
///     memcache.get("port").unwrap()
/// ));
/// assert_eq!(
///     memcache.to_value().unwrap(),
///     json!({"host": "10.0.0.5", "port": 11211, "url": "10.0.0.5:11211"})
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct RelationValues {
    name: String,
    values: Map<String, Value>,
}

impl RelationValues {
    /// The relation `name`, with no values yet.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            values: Map::new(),
        }
    }

    /// The same with the accessor `key` (`-` as `_`) giving `value`.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.values.insert(key.replace('-', "_"), value.into());
        self
    }

    /// The accessor `key` (`-` or `_`).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.values.get(&key.replace('-', "_"))
    }

    /// The raw values `keys` of `endpoint`, each as the first joined unit
    /// that sent it has it (as charms.reactive's `auto_accessors` give
    /// them); a key no unit sent is `None` to templates.
    pub fn from_endpoint(endpoint: &Endpoint<'_>, keys: &[&str]) -> Result<Self, RenderError> {
        let failed = |e: charm_runtime::backend::ToolError| RenderError::Adapter {
            relation: endpoint.name().to_owned(),
            reason: e.to_string(),
        };
        let units = endpoint.all_joined_units().map_err(failed)?;
        let mut received = Vec::with_capacity(units.len());
        for unit in &units {
            received.push(unit.received_raw().map_err(failed)?);
        }
        let mut adapter = Self::new(endpoint.name());
        for key in keys {
            let value = received
                .iter()
                .find_map(|data| data.get(*key))
                .map_or(Value::Null, |v| Value::from(v.as_str()));
            adapter = adapter.with(key, value);
        }
        Ok(adapter)
    }
}

impl RelationAdapter for RelationValues {
    fn name(&self) -> &str {
        &self.name
    }

    fn to_value(&self) -> Result<Value, RenderError> {
        Ok(Value::Object(self.values.clone()))
    }
}
