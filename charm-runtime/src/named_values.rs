//! A map of named JSON values (config options, action parameters) read as
//! typed values, with errors naming the key at fault.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

/// Why a value did not deserialize: the key at fault (`None` when the
/// error is about the map as a whole) and serde's message.
pub(crate) struct Fault {
    pub(crate) key: Option<String>,
    pub(crate) message: String,
}

/// The value of `key` as a `T`; `Ok(None)` when absent or `null`.
pub(crate) fn get<T: DeserializeOwned>(
    values: &Map<String, Value>,
    key: &str,
) -> Result<Option<T>, Fault> {
    match values.get(key).filter(|v| !v.is_null()) {
        None => Ok(None),
        Some(value) => T::deserialize(value).map(Some).map_err(|e| Fault {
            key: Some(key.to_owned()),
            message: e.to_string(),
        }),
    }
}

/// Every value deserialized into `T`. A struct field missing from the map
/// is reported against its key with `missing` as the message.
pub(crate) fn typed<T: DeserializeOwned>(
    values: &Map<String, Value>,
    missing: &str,
) -> Result<T, Fault> {
    let whole = Value::Object(values.clone());
    serde_path_to_error::deserialize(&whole).map_err(|e| {
        let message = e.inner().to_string();
        if e.path().iter().next().is_some() {
            return Fault {
                key: Some(e.path().to_string()),
                message,
            };
        }
        // serde's wording for a missing struct field.
        match message
            .strip_prefix("missing field `")
            .and_then(|m| m.strip_suffix('`'))
        {
            Some(field) => Fault {
                key: Some(field.to_owned()),
                message: missing.to_owned(),
            },
            None => Fault { key: None, message },
        }
    })
}
