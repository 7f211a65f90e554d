//! The aggregate of the adapters: the whole context of a template
//! (charms.openstack's `OpenStackRelationAdapters`).

use std::fmt;
use std::rc::Rc;

use charm_runtime::HookContext;
use serde_json::{Map, Value};

use super::config_adapter::ConfigAdapter;
use super::error::RenderError;
use super::relation_adapter::{AdapterFile, RelationAdapter};

/// What templates see: the configuration as `options`, each relation
/// adapter under its relation's name with `-` as `_`.
///
/// ```
/// use charm_openstack::render::{Adapters, ConfigAdapter, RelationValues};
/// use serde_json::json;
///
/// let adapters = Adapters::new(ConfigAdapter::default().set("debug", json!(true)))
///     .relation(RelationValues::new("shared-db").with("db-host", "10.0.0.7"));
/// assert_eq!(adapters.names(), ["options", "shared_db"]);
/// assert_eq!(
///     adapters.to_value().unwrap(),
///     json!({"options": {"debug": true}, "shared_db": {"db_host": "10.0.0.7"}})
/// );
/// ```
#[derive(Clone)]
pub struct Adapters {
    options: ConfigAdapter,
    relations: Vec<(String, Rc<dyn RelationAdapter>)>,
}

impl fmt::Debug for Adapters {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Adapters")
            .field("options", &self.options)
            .field("relations", &self.names()[1..].to_vec())
            .finish()
    }
}

impl Adapters {
    /// The configuration `options` and no relation yet.
    pub fn new(options: ConfigAdapter) -> Self {
        Self {
            options,
            relations: Vec::new(),
        }
    }

    /// The hook's configuration ([`ConfigAdapter::from_hook`]) and no
    /// relation yet.
    pub fn from_hook(ctx: &HookContext) -> Result<Self, RenderError> {
        Ok(Self::new(ConfigAdapter::from_hook(ctx)?))
    }

    /// The same with `adapter` under its relation's name (replacing an
    /// adapter of the same name).
    pub fn relation<A: RelationAdapter + 'static>(mut self, adapter: A) -> Self {
        self.add(Rc::new(adapter));
        self
    }

    /// Add `adapter` under its relation's name (replacing an adapter of
    /// the same name).
    pub fn add(&mut self, adapter: Rc<dyn RelationAdapter>) {
        let name = adapter.name().replace('-', "_");
        self.relations.retain(|(n, _)| *n != name);
        self.relations.push((name, adapter));
    }

    /// The configuration adapter.
    pub fn options(&self) -> &ConfigAdapter {
        &self.options
    }

    /// The adapter of relation `name` (`-` or `_`).
    pub fn get(&self, name: &str) -> Option<&dyn RelationAdapter> {
        let name = name.replace('-', "_");
        self.relations
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, a)| &**a)
    }

    /// The names templates see: `options`, then each relation's.
    pub fn names(&self) -> Vec<String> {
        std::iter::once("options".to_owned())
            .chain(self.relations.iter().map(|(n, _)| n.clone()))
            .collect()
    }

    /// The files every relation adapter needs written
    /// ([`RelationAdapter::files`]), in the adapters' order.
    pub fn files(&self) -> Vec<AdapterFile> {
        self.relations.iter().flat_map(|(_, a)| a.files()).collect()
    }

    /// The template context: `{"options": ..., "<relation>": ...}`.
    pub fn to_value(&self) -> Result<Value, RenderError> {
        let mut out = Map::new();
        out.insert("options".to_owned(), self.options.to_value()?);
        for (name, adapter) in &self.relations {
            out.insert(name.clone(), adapter.to_value()?);
        }
        Ok(Value::Object(out))
    }
}
