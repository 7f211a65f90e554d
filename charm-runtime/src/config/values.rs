//! The config values of one hook and their typed access.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::error::{ConfigError, ConfigProblem};
use super::schema::ConfigSchema;
use crate::metadata::error::describe;

/// The config values of one hook.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfigValues {
    pub(super) values: Map<String, Value>,
}

impl From<Map<String, Value>> for ConfigValues {
    fn from(values: Map<String, Value>) -> Self {
        Self { values }
    }
}

impl ConfigValues {
    /// A config with `values`, as `config-get --all` returns them.
    pub fn new(values: Map<String, Value>) -> Self {
        Self { values }
    }

    /// Parse the output of `config-get --all --format=json`.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(values)) => Ok(Self { values }),
            Ok(other) => Err(ConfigError::NotJson {
                message: format!("found {}", describe(&other)),
            }),
            Err(e) => Err(ConfigError::NotJson {
                message: e.to_string(),
            }),
        }
    }

    /// The config of a fresh deployment of a charm with `schema`: every
    /// option at its default (`null` when it has none).
    pub fn defaults(schema: &ConfigSchema) -> Self {
        Self {
            values: schema.defaults(),
        }
    }

    /// Every value, unset options as `null`.
    pub fn values(&self) -> &Map<String, Value> {
        &self.values
    }

    /// The values, by value.
    pub fn into_values(self) -> Map<String, Value> {
        self.values
    }

    /// The raw value of `option`; `None` when it is unset (`null`) or
    /// unknown.
    pub fn value(&self, option: &str) -> Option<&Value> {
        self.values.get(option).filter(|v| !v.is_null())
    }

    /// `option` as a `T`; `Ok(None)` when it is unset (`null`) or unknown.
    ///
    /// ```
    /// # use charm_runtime::config::ConfigValues;
    /// let config = ConfigValues::from_json(r#"{"port": "eighty"}"#).unwrap();
    /// assert_eq!(
    ///     config.get::<u16>("port").unwrap_err().to_string(),
    ///     r#"config option "port": invalid type: a string of 6 bytes (not shown), expected u16"#
    /// );
    /// ```
    pub fn get<T: DeserializeOwned>(&self, option: &str) -> Result<Option<T>, ConfigError> {
        crate::named_values::get(&self.values, option).map_err(option_error)
    }

    /// The whole config deserialized into `T`, usually a struct with one
    /// field per option (`#[serde(rename_all = "kebab-case")]` maps
    /// `vip-address` to `vip_address`). Unset options are `null`, so give
    /// them `Option` fields. The error names the option at fault.
    pub fn typed<T: DeserializeOwned>(&self) -> Result<T, ConfigError> {
        crate::named_values::typed(
            &self.values,
            "missing: Juju did not send this option (make the field an Option \
             or give it #[serde(default)])",
        )
        .map_err(option_error)
    }

    /// What does not fit `schema`: values whose JSON type differs from the
    /// declared type, and options the schema does not declare. `null`
    /// (unset) fits every type; a `float` option accepts integers. Empty
    /// when everything fits.
    ///
    /// ```
    /// use charm_runtime::config::ConfigValues;
    /// use charm_runtime::metadata::ConfigSchema;
    /// let schema = ConfigSchema::parse("options: {port: {type: int}}", "config.yaml").unwrap();
    /// let config = ConfigValues::from_json(r#"{"port": "80", "extra": 1}"#).unwrap();
    /// let problems: Vec<String> = config.check(&schema).iter().map(|p| p.to_string()).collect();
    /// assert_eq!(
    ///     problems,
    ///     [
    ///         r#"config option "extra" is not declared in the charm's config"#,
    ///         r#"config option "port" is declared int but holds the string "80""#,
    ///     ]
    /// );
    /// ```
    pub fn check(&self, schema: &ConfigSchema) -> Vec<ConfigProblem> {
        let mut problems = Vec::new();
        for (name, value) in &self.values {
            match schema.option(name) {
                None => problems.push(ConfigProblem::Undeclared {
                    option: name.clone(),
                }),
                Some(option) if !option.kind.matches(value) => {
                    problems.push(ConfigProblem::WrongType {
                        option: name.clone(),
                        declared: option.kind,
                        found: describe(value),
                    });
                }
                Some(_) => {}
            }
        }
        problems
    }
}

fn option_error(fault: crate::named_values::Fault) -> ConfigError {
    match fault.key {
        Some(option) => ConfigError::Option {
            option,
            message: fault.message,
        },
        None => ConfigError::Whole {
            message: fault.message,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn typed_names_missing_option() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct C {
            port: u16,
        }
        let err = ConfigValues::new(Map::new()).typed::<C>().unwrap_err();
        assert_eq!(
            err,
            ConfigError::Option {
                option: "port".into(),
                message: "missing: Juju did not send this option (make the field an Option or \
                          give it #[serde(default)])"
                    .into()
            }
        );
    }

    #[test]
    fn typed_names_nested_path() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct C {
            ports: Vec<u8>,
        }
        let err = ConfigValues::new(map(json!({"ports": [1, 300]})))
            .typed::<C>()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "config option \"ports[1]\": invalid value: integer `300`, expected u8"
        );
    }

    #[test]
    fn typed_whole_error() {
        let err = ConfigValues::new(Map::new())
            .typed::<Vec<u8>>()
            .unwrap_err();
        assert!(matches!(err, ConfigError::Whole { .. }), "{err}");
        assert!(
            err.to_string().starts_with("config: invalid type: map"),
            "{err}"
        );
    }

    #[test]
    fn from_json_rejects_non_objects() {
        assert_eq!(
            ConfigValues::from_json("[1]").unwrap_err().to_string(),
            "config-get output is not a JSON object: found a list"
        );
        assert!(
            ConfigValues::from_json("{")
                .unwrap_err()
                .to_string()
                .starts_with("config-get output is not a JSON object: EOF")
        );
    }

    #[test]
    fn floats_parse_to_the_nearest_double_and_round_trip() {
        // Found by the config_values fuzz target: without serde_json's
        // float_roundtrip feature this 31-digit integer parses one ulp
        // away from the nearest double, so printing the value and parsing
        // it again gave a different config. Rust's `str::parse::<f64>` and
        // Python's `json.loads` both round correctly: they are the
        // reference for what `config-get` meant.
        let text = "3999999900000000000000487956606";
        let values = ConfigValues::from_json(&format!("{{\"i\": {text}}}")).unwrap();
        let nearest: f64 = text.parse().unwrap();
        assert_eq!(values.values()["i"].as_f64(), Some(nearest));
        let printed = serde_json::to_string(values.values()).unwrap();
        let again = ConfigValues::from_json(&printed).unwrap();
        assert_eq!(again.values(), values.values());
    }

    #[test]
    fn check_types() {
        let schema = ConfigSchema::parse(
            "options:\n\
             \x20 s: {type: string}\n\
             \x20 k: {type: secret}\n\
             \x20 i: {type: int}\n\
             \x20 f: {type: float}\n\
             \x20 b: {type: boolean}\n",
            "config.yaml",
        )
        .unwrap();
        let ok = ConfigValues::new(map(
            json!({"s": "x", "k": "secret:abc", "i": -3, "f": 2, "b": true}),
        ));
        assert_eq!(ok.check(&schema), []);
        let nulls = ConfigValues::new(map(
            json!({"s": null, "k": null, "i": null, "f": null, "b": null}),
        ));
        assert_eq!(nulls.check(&schema), []);
        let bad = ConfigValues::new(map(
            json!({"s": 1, "k": false, "i": 1.5, "f": "1.0", "b": "true"}),
        ));
        let text: Vec<String> = bad.check(&schema).iter().map(ToString::to_string).collect();
        assert_eq!(
            text,
            [
                "config option \"b\" is declared boolean but holds the string \"true\"",
                "config option \"f\" is declared float but holds the string \"1.0\"",
                "config option \"i\" is declared int but holds the number 1.5",
                "config option \"k\" is declared secret but holds the boolean false",
                "config option \"s\" is declared string but holds the integer 1",
            ]
        );
    }
}
