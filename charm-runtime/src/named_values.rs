//! A map of named JSON values (config options, action parameters) read as
//! typed values, with errors naming the key at fault. The errors never
//! quote a string value (serde's messages do: `invalid type: string
//! "...", expected u16`): it may be a secret, or megabytes that would end
//! up in a status message. Its size is given instead.

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
            message: redact_strings(&e.to_string(), Some(value)),
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
            let key = e.path().to_string();
            return Fault {
                message: redact_strings(&message, values.get(&key)),
                key: Some(key),
            };
        }
        let message = redact_strings(&message, None);
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

/// `message` with every string serde quoted in it (`string "..."`, its
/// `Unexpected::Str` wording) replaced by `a string of N bytes (not
/// shown)`, the size taken from `value` when it is that string, else by
/// `a string (not shown)`.
fn redact_strings(message: &str, value: Option<&Value>) -> String {
    const OPEN: &str = "string \"";
    let mut out = String::new();
    let mut rest = message;
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let body = &rest[at + OPEN.len()..];
        let mut escaped = false;
        let end = body.char_indices().find_map(|(i, c)| match c {
            _ if escaped => {
                escaped = false;
                None
            }
            '\\' => {
                escaped = true;
                None
            }
            '"' => Some(i),
            _ => None,
        });
        let Some(end) = end else {
            // Not a quoted string after all: keep the text.
            out.push_str(OPEN);
            rest = body;
            continue;
        };
        match value {
            Some(Value::String(s)) => {
                out.push_str(&format!("a string of {} bytes (not shown)", s.len()))
            }
            _ => out.push_str("a string (not shown)"),
        }
        rest = &body[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_values_are_never_quoted_in_errors() {
        let mut values = Map::new();
        let secret = "hunter2 \"quoted\" and long ".repeat(1000);
        values.insert("port".into(), Value::String(secret.clone()));
        let fault = get::<u16>(&values, "port").err().unwrap();
        assert_eq!(
            fault.message,
            format!(
                "invalid type: a string of {} bytes (not shown), expected u16",
                secret.len()
            )
        );
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Options {
            port: u16,
        }
        let fault = typed::<Options>(&values, "missing").err().unwrap();
        assert_eq!(fault.key.as_deref(), Some("port"));
        assert!(!fault.message.contains("hunter2"), "{}", fault.message);
        assert!(fault.message.contains(&format!("{} bytes", secret.len())));
        assert_eq!(
            redact_strings("invalid value: string \"a\\\"b\", expected x", None),
            "invalid value: a string (not shown), expected x"
        );
        assert_eq!(redact_strings("no string \"here", None), "no string \"here");
    }
}
