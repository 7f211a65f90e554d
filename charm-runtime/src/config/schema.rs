//! The config schema: the options a charm declares, their types and
//! defaults (validated with Juju's rules).

use std::collections::BTreeMap;
use std::fmt;
use std::path::Path;

use serde_json::{Map, Value};

use crate::metadata::error::{MetadataError, describe, invalid, join, quote};
use crate::metadata::files::CONFIG_FILE;
use crate::metadata::yaml::{Layout, document, find, mapping, optional_str, parse_yaml};

/// The type of a config option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptionType {
    /// `type: string` (also when `type` is missing, as Juju does).
    String,
    /// `type: int`: a 64-bit integer.
    Int,
    /// `type: float`.
    Float,
    /// `type: boolean`.
    Boolean,
    /// `type: secret`: a secret URI (`secret:...`).
    Secret,
}

impl OptionType {
    /// The name used in `config.yaml`.
    pub fn as_str(self) -> &'static str {
        match self {
            OptionType::String => "string",
            OptionType::Int => "int",
            OptionType::Float => "float",
            OptionType::Boolean => "boolean",
            OptionType::Secret => "secret",
        }
    }

    /// The type named `name` in `config.yaml`.
    pub fn parse(name: &str) -> Option<OptionType> {
        [
            OptionType::String,
            OptionType::Int,
            OptionType::Float,
            OptionType::Boolean,
            OptionType::Secret,
        ]
        .into_iter()
        .find(|t| t.as_str() == name)
    }

    /// Whether a value Juju sends for an option of this type (JSON, from
    /// `config-get --format=json`) has the right JSON type. `null` (unset)
    /// always matches; a `float` option accepts integers, which is how
    /// Juju encodes whole floats.
    pub fn matches(self, value: &Value) -> bool {
        match (self, value) {
            (_, Value::Null) => true,
            (OptionType::String | OptionType::Secret, Value::String(_)) => true,
            (OptionType::Int, Value::Number(n)) => n.is_i64() || n.is_u64(),
            (OptionType::Float, Value::Number(_)) => true,
            (OptionType::Boolean, Value::Bool(_)) => true,
            _ => false,
        }
    }
}

impl fmt::Display for OptionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One config option.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigOption {
    /// The option name.
    pub name: String,
    /// Its type.
    pub kind: OptionType,
    /// Its default, as Juju will report it: `None` when there is none.
    /// Coerced as Juju coerces it (an `int` default written `"42"` is 42).
    pub default: Option<Value>,
    /// `description:`, empty when missing.
    pub description: String,
}

/// The config options a charm declares.
///
/// Read from `config.yaml` (`options: {name: {type, default,
/// description}}`) or from `charmcraft.yaml`'s `config:` key. Defaults are
/// validated against their type with Juju's rules (`juju/charm`'s
/// `config.go` and `juju/schema`), so that a charm Juju would refuse to
/// deploy is refused here too:
///
/// | type | accepted default |
/// |------|------------------|
/// | `string` | a string |
/// | `secret` | the empty string or a `secret:` URI |
/// | `int` | an integer, or a string Go's `strconv.ParseInt(s, 0, 64)` reads (`"42"`, `"0x2a"`), stored as the integer |
/// | `float` | a float (`1.0`; Juju refuses `1`) |
/// | `boolean` | a boolean (YAML 1.1: also `yes`/`no`/`on`/`off`), or a string Go's `strconv.ParseBool` reads (`"true"`, `"1"`, `"f"`), stored as the boolean |
///
/// A missing `type` means `string`; a `null` default means no default.
///
/// ```
/// use charm_runtime::metadata::{ConfigSchema, OptionType};
/// let schema = ConfigSchema::parse(
///     "options:\n  port: {type: int, default: 80}\n  vip: {type: string, description: VIP}\n",
///     "config.yaml",
/// )
/// .unwrap();
/// assert_eq!(schema.option("port").unwrap().kind, OptionType::Int);
/// assert_eq!(schema.option("port").unwrap().default, Some(80.into()));
/// assert_eq!(schema.option("vip").unwrap().default, None);
///
/// let err = ConfigSchema::parse("options:\n  port: {type: int, default: abc}\n", "config.yaml")
///     .unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     r#"config.yaml: options.port.default must be an integer (type int), found the string "abc""#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConfigSchema {
    /// Every option by name.
    pub options: BTreeMap<String, ConfigOption>,
}

impl ConfigSchema {
    /// Parse `text`, the content of a `config.yaml`; `source` names the
    /// file in errors. Like Juju, a `config.yaml` without an `options` key
    /// is an error (`options: {}` declares none).
    pub fn parse(text: &str, source: impl AsRef<Path>) -> Result<Self, MetadataError> {
        let path = source.as_ref();
        let doc = parse_yaml(text, path)?;
        let top = document(&doc, path)?;
        match top.and_then(|top| top.get("options")) {
            None => Err(invalid(
                path,
                "options",
                "is missing (Juju refuses a config.yaml without it; write `options: {}` for no options)",
            )),
            Some(options) => Self::from_options(options, path, "options"),
        }
    }

    /// Parse the `config:` key of `text`, the content of a
    /// `charmcraft.yaml`; no `config` key (or no `options` under it) is an
    /// empty schema.
    pub fn parse_charmcraft(text: &str, source: impl AsRef<Path>) -> Result<Self, MetadataError> {
        let path = source.as_ref();
        let doc = parse_yaml(text, path)?;
        let Some(top) = document(&doc, path)? else {
            return Ok(Self::default());
        };
        let Some(config) = top.get("config") else {
            return Ok(Self::default());
        };
        match mapping(config, path, "config")?.and_then(|c| c.get("options")) {
            None => Ok(Self::default()),
            Some(options) => Self::from_options(options, path, "config.options"),
        }
    }

    /// Read the config schema of the charm in `charm_dir`: `config.yaml`,
    /// or, when it does not exist, the `config:` key of `charmcraft.yaml`.
    /// A charm with neither has no options.
    pub fn load(charm_dir: impl AsRef<Path>) -> Result<Self, MetadataError> {
        match find(charm_dir.as_ref(), CONFIG_FILE)? {
            Layout::Classic(path, text) => Self::parse(&text, path),
            Layout::Charmcraft(path, text) => Self::parse_charmcraft(&text, path),
            Layout::Absent => Ok(Self::default()),
        }
    }

    fn from_options(options: &Value, path: &Path, prefix: &str) -> Result<Self, MetadataError> {
        let mut schema = ConfigSchema::default();
        let Some(map) = mapping(options, path, prefix)? else {
            return Ok(schema);
        };
        for (name, decl) in map {
            let key = join(prefix, name);
            if name.is_empty() {
                return Err(invalid(path, prefix, "has an option with an empty name"));
            }
            let empty = Map::new();
            let decl = mapping(decl, path, &key)?.unwrap_or(&empty);
            let kind = match optional_str(decl, "type", path, &key)? {
                None => OptionType::String,
                Some(t) => OptionType::parse(t).ok_or_else(|| {
                    invalid(
                        path,
                        &join(&key, "type"),
                        format!(
                            "must be one of string, int, float, boolean, secret, found {}",
                            quote(t)
                        ),
                    )
                })?,
            };
            let description = optional_str(decl, "description", path, &key)?
                .unwrap_or_default()
                .to_owned();
            let default = match decl.get("default") {
                None | Some(Value::Null) => None,
                Some(value) => Some(coerce_default(kind, value).map_err(|expected| {
                    invalid(
                        path,
                        &join(&key, "default"),
                        format!(
                            "must be {expected} (type {kind}), found {}",
                            describe(value)
                        ),
                    )
                })?),
            };
            schema.options.insert(
                name.clone(),
                ConfigOption {
                    name: name.clone(),
                    kind,
                    default,
                    description,
                },
            );
        }
        Ok(schema)
    }

    /// The option called `name`.
    pub fn option(&self, name: &str) -> Option<&ConfigOption> {
        self.options.get(name)
    }

    /// Every option name, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.options.keys().map(String::as_str).collect()
    }

    /// The config of a fresh deployment: every option at its default,
    /// `null` when it has none.
    pub fn defaults(&self) -> Map<String, Value> {
        self.options
            .iter()
            .map(|(name, o)| (name.clone(), o.default.clone().unwrap_or(Value::Null)))
            .collect()
    }
}

/// The default `value` coerced to `kind` as Juju coerces it, or what was
/// expected.
fn coerce_default(kind: OptionType, value: &Value) -> Result<Value, &'static str> {
    match (kind, value) {
        (OptionType::String, Value::String(_)) => Ok(value.clone()),
        (OptionType::String, _) => Err("a string"),
        (OptionType::Secret, Value::String(s)) if s.is_empty() || s.starts_with("secret:") => {
            Ok(value.clone())
        }
        (OptionType::Secret, _) => Err("empty or a secret URI (secret:...)"),
        (OptionType::Int, Value::Number(n)) if n.is_i64() => Ok(value.clone()),
        (OptionType::Int, Value::Number(n)) if n.is_u64() => Err("a 64-bit signed integer"),
        (OptionType::Int, Value::String(s)) => go_parse_int(s).map(Value::from).ok_or("an integer"),
        (OptionType::Int, _) => Err("an integer"),
        (OptionType::Float, Value::Number(n)) if n.is_f64() => Ok(value.clone()),
        (OptionType::Float, Value::Number(_)) => Err("a float written with a decimal point"),
        (OptionType::Float, _) => Err("a float"),
        (OptionType::Boolean, Value::Bool(_)) => Ok(value.clone()),
        (OptionType::Boolean, Value::String(s)) => {
            go_parse_bool(s).map(Value::Bool).ok_or("a boolean")
        }
        (OptionType::Boolean, _) => Err("a boolean"),
    }
}

/// Go's `strconv.ParseBool`.
fn go_parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`: an optional sign, then `0x`, `0o`,
/// `0b` or a leading `0` (octal) prefix or decimal digits; underscores
/// only between digits or after a prefix.
fn go_parse_int(s: &str) -> Option<i64> {
    let (negative, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest, true)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest, true)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest, true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..], true)
    } else {
        (10, lower.as_str(), false)
    };
    // Underscores: each must follow a digit or the prefix and precede a digit.
    let bytes = digits.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'_' {
            let before_ok = if i == 0 {
                prefixed
            } else {
                bytes[i - 1] != b'_'
            };
            let after_ok = bytes.get(i + 1).is_some_and(|n| *n != b'_');
            if !before_ok || !after_ok {
                return None;
            }
        }
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    if clean.is_empty() || clean.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = u64::from_str_radix(&clean, radix).ok()?;
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_parse_int_follows_go() {
        assert_eq!(go_parse_int("42"), Some(42));
        assert_eq!(go_parse_int("-42"), Some(-42));
        assert_eq!(go_parse_int("+7"), Some(7));
        assert_eq!(go_parse_int("0x2A"), Some(42));
        assert_eq!(go_parse_int("0o17"), Some(15));
        assert_eq!(go_parse_int("017"), Some(15));
        assert_eq!(go_parse_int("0b101"), Some(5));
        assert_eq!(go_parse_int("1_000"), Some(1000));
        assert_eq!(go_parse_int("0x_1F"), Some(31));
        assert_eq!(go_parse_int("0"), Some(0));
        assert_eq!(go_parse_int("-9223372036854775808"), Some(i64::MIN));
        for bad in [
            "",
            "-",
            "abc",
            "1__0",
            "_1",
            "1_",
            "08",
            "0x",
            "1.0",
            "--1",
            "+-1",
            "9223372036854775808",
            " 1",
        ] {
            assert_eq!(go_parse_int(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn go_parse_bool_follows_go() {
        assert_eq!(go_parse_bool("True"), Some(true));
        assert_eq!(go_parse_bool("0"), Some(false));
        assert_eq!(go_parse_bool("yes"), None);
    }
}
