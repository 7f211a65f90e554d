//! The configuration adapter: what templates see as `options`.

use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

use charm_runtime::HookContext;
use serde_json::{Map, Value};

use super::error::RenderError;

/// A property computed from the configuration, by name (charms.openstack's
/// `@config_property`).
pub type ConfigProperty = Rc<dyn Fn(&ConfigAdapter) -> Result<Value, String>>;

/// Every config option of the charm under its name with `-` as `_`
/// (`openstack-origin` is `options.openstack_origin`), plus the properties
/// a charm computes from them, by name (charms.openstack's
/// `ConfigurationAdapter` and `@config_property`). A property shadows an
/// option of the same name.
///
/// ```
/// use charm_openstack::render::ConfigAdapter;
/// use serde_json::json;
///
/// let options = ConfigAdapter::from_values(
///     json!({"debug": false, "worker-multiplier": 2, "region": "RegionOne"})
///         .as_object()
///         .unwrap()
///         .clone(),
/// )
/// .property("workers", |o| {
///     Ok(json!(o.get("worker_multiplier").and_then(|m| m.as_i64()).unwrap_or(1) * 4))
/// });
/// assert_eq!(options.get("worker_multiplier"), Some(&json!(2)));
/// assert_eq!(
///     options.to_value().unwrap(),
///     json!({"debug": false, "region": "RegionOne", "worker_multiplier": 2, "workers": 8})
/// );
/// ```
#[derive(Clone, Default)]
pub struct ConfigAdapter {
    options: Map<String, Value>,
    properties: BTreeMap<String, ConfigProperty>,
}

impl fmt::Debug for ConfigAdapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigAdapter")
            .field("options", &self.options)
            .field("properties", &self.properties.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A config option's name as templates see it.
pub fn template_name(option: &str) -> String {
    option.replace('-', "_")
}

impl ConfigAdapter {
    /// The options `values` (as `config-get --all` gives them; unset ones
    /// as `null`, which templates see as `None`).
    pub fn from_values(values: Map<String, Value>) -> Self {
        Self {
            options: values
                .into_iter()
                .map(|(k, v)| (template_name(&k), v))
                .collect(),
            properties: BTreeMap::new(),
        }
    }

    /// The hook's configuration, with `application_name` (the unit's
    /// application) as charms.openstack's adapter has it.
    pub fn from_hook(ctx: &HookContext) -> Result<Self, RenderError> {
        let values = ctx
            .config_values()
            .map_err(|e| RenderError::Config(e.to_string()))?;
        let unit = ctx.unit_name();
        let application = unit.split_once('/').map_or(unit.as_str(), |(a, _)| a);
        Ok(Self::from_values(values.into_values())
            .set("application_name", Value::from(application)))
    }

    /// The same with `name` set to `value` (a value the charm computed).
    pub fn set(mut self, name: &str, value: Value) -> Self {
        self.options.insert(template_name(name), value);
        self
    }

    /// The same with the property `name`, computed from the options when
    /// the adapter is serialized.
    pub fn property<F>(mut self, name: &str, compute: F) -> Self
    where
        F: Fn(&ConfigAdapter) -> Result<Value, String> + 'static,
    {
        self.properties
            .insert(template_name(name), Rc::new(compute));
        self
    }

    /// The option `name` (`-` or `_`), without the properties.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.options.get(&template_name(name))
    }

    /// The names templates see, options and properties, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .options
            .keys()
            .chain(self.properties.keys())
            .cloned()
            .collect();
        names.sort();
        names.dedup();
        names
    }

    /// What templates see: the options, then each property computed.
    pub fn to_value(&self) -> Result<Value, RenderError> {
        let mut out = self.options.clone();
        for (name, compute) in &self.properties {
            let value = compute(self).map_err(|reason| RenderError::Property {
                property: name.clone(),
                reason,
            })?;
            out.insert(name.clone(), value);
        }
        Ok(Value::Object(out))
    }
}
