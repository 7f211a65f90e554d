//! gnuflag as Juju's hook tools use it: flags anywhere ("interspersed"),
//! `--` ends them, `-r x`, `-rx`, `--flag=value`, `--flag value`; and the
//! errors the tools end with.

use std::collections::BTreeMap;

use serde_json::Value;

/// A tool's failure: exit code and message (`ERROR <message>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fail {
    /// The exit code: 2 for bad arguments, 1 for a failure while running.
    pub code: i32,
    /// The message, printed as `ERROR <message>`.
    pub message: String,
}

/// Bad arguments (juju/cmd: an error from `Init` or flag parsing): exit 2.
pub fn usage(message: impl Into<String>) -> Fail {
    Fail {
        code: 2,
        message: message.into(),
    }
}

/// A failure while running: exit 1.
pub fn failed(message: impl Into<String>) -> Fail {
    Fail {
        code: 1,
        message: message.into(),
    }
}

/// juju/cmd's `CheckEmpty`.
pub fn check_empty(rest: &[String]) -> Result<(), Fail> {
    if rest.is_empty() {
        return Ok(());
    }
    let quoted: Vec<String> = rest
        .iter()
        .map(|a| Value::from(a.as_str()).to_string())
        .collect();
    Err(usage(format!("unrecognized args: [{}]", quoted.join(" "))))
}

/// A flag: its names (`["r", "relation"]`) and whether it takes a value.
pub struct Flag {
    /// Its names, the first the one it is stored under.
    pub names: &'static [&'static str],
    /// Whether it takes a value.
    pub value: bool,
}

/// `--format`.
pub const FORMAT: Flag = Flag {
    names: &["format"],
    value: true,
};
/// `-r`, `--relation`.
pub const RELATION: Flag = Flag {
    names: &["r", "relation"],
    value: true,
};
/// `--app`.
pub const APP: Flag = Flag {
    names: &["app"],
    value: false,
};

/// A boolean flag.
pub const fn switch(names: &'static [&'static str]) -> Flag {
    Flag {
        names,
        value: false,
    }
}

/// A flag with a value.
pub const fn valued(names: &'static [&'static str]) -> Flag {
    Flag { names, value: true }
}

/// Parsed arguments: flags by their first name, and the positional rest.
pub struct Parsed {
    /// The flags given, by their first name (`"true"` for a switch).
    pub flags: BTreeMap<&'static str, String>,
    /// The positional arguments.
    pub args: Vec<String>,
}

impl Parsed {
    /// The value of the flag `name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.flags.get(name).map(String::as_str)
    }

    /// Whether the switch `name` was given.
    pub fn on(&self, name: &str) -> bool {
        self.get(name) == Some("true")
    }
}

/// Parse like gnuflag with interspersed flags allowed (juju/cmd's default).
pub fn parse(argv: &[String], spec: &[Flag]) -> Result<Parsed, Fail> {
    let lookup = |name: &str| {
        spec.iter()
            .find(|f| f.names.contains(&name))
            .ok_or_else(|| {
                let dashes = if name.chars().count() > 1 { "--" } else { "-" };
                usage(format!("flag provided but not defined: {dashes}{name}"))
            })
    };
    let mut parsed = Parsed {
        flags: BTreeMap::new(),
        args: Vec::new(),
    };
    let mut i = 0;
    while i < argv.len() {
        let arg = &argv[i];
        i += 1;
        if arg == "--" {
            parsed.args.extend(argv[i..].iter().cloned());
            break;
        }
        if arg == "-" || !arg.starts_with('-') {
            parsed.args.push(arg.clone());
            continue;
        }
        if let Some(long) = arg.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((name, value)) => (name, Some(value.to_owned())),
                None => (long, None),
            };
            if name.is_empty() {
                return Err(usage(format!("empty flag in argument {arg:?}")));
            }
            let flag = lookup(name)?;
            let value = match (flag.value, inline) {
                (_, Some(value)) => value,
                (false, None) => "true".to_owned(),
                (true, None) => match argv.get(i) {
                    Some(value) => {
                        i += 1;
                        value.clone()
                    }
                    None => return Err(usage(format!("flag needs an argument: --{name}"))),
                },
            };
            parsed.flags.insert(flag.names[0], value);
            continue;
        }
        // One or more single-letter flags; a value may follow directly.
        let mut rest = &arg[1..];
        while let Some(c) = rest.chars().next() {
            rest = &rest[c.len_utf8()..];
            let name = c.to_string();
            let flag = lookup(&name)?;
            if !flag.value {
                parsed.flags.insert(flag.names[0], "true".to_owned());
                continue;
            }
            let value = if !rest.is_empty() {
                std::mem::take(&mut rest).to_owned()
            } else if let Some(value) = argv.get(i) {
                i += 1;
                value.clone()
            } else {
                return Err(usage(format!("flag needs an argument: -{name}")));
            };
            parsed.flags.insert(flag.names[0], value);
        }
    }
    Ok(parsed)
}

/// `juju/utils/keyvalues.Parse(args, true)`: split on the first `=`, trim
/// key and value, skip empty arguments, no duplicates.
pub fn key_values(args: &[String]) -> Result<BTreeMap<String, String>, Fail> {
    let mut out = BTreeMap::new();
    for arg in args.iter().filter(|a| !a.is_empty()) {
        let (key, value) = arg
            .split_once('=')
            .ok_or_else(|| usage(format!("expected \"key=value\", got {arg:?}")))?;
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() {
            return Err(usage(format!(
                "expected \"key=value\", got \"{key}={value}\""
            )));
        }
        if out.insert(key.to_owned(), value.to_owned()).is_some() {
            return Err(usage(format!("key {key:?} specified more than once")));
        }
    }
    Ok(out)
}

/// The YAML map `relation-set --file` (and `leader-set`) reads: a JSON
/// object (what `ProcessBackend` sends; JSON is YAML) or YAML as
/// charmhelpers writes it. As go-yaml decodes it into Juju's
/// `map[string]string`, scalars become their text and null becomes ""
/// (which deletes the key); a list or map value is an error.
///
/// go-yaml's reader refuses raw control characters (all but tab, LF, CR),
/// DEL, the C1 controls, U+FFFE and U+FFFF, and folds the raw line breaks
/// NEL, U+2028 and U+2029 inside a quoted scalar (changing the value);
/// these are refused raw here, and a raw BOM too, so that a document that
/// is not faithful YAML fails as it would (or would be mangled) under
/// Juju. Escaped (`\uXXXX`) they are fine.
pub fn settings_file(text: &str) -> Result<BTreeMap<String, String>, Fail> {
    let unsafe_raw = |c: char| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
            || matches!(
                c,
                '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}'
            )
    };
    if let Some(c) = text.chars().find(|c| unsafe_raw(*c)) {
        return Err(failed(format!(
            "yaml: control characters are not allowed (raw U+{:04X})",
            u32::from(c)
        )));
    }
    let text = text.trim();
    if text.is_empty() {
        return Ok(BTreeMap::new());
    }
    let map: BTreeMap<String, Value> = if text.starts_with('{') {
        serde_json::from_str(text)
            .map_err(|e| failed(format!("yaml: cannot parse the settings: {e}")))?
    } else {
        serde_saphyr::from_str(text)
            .map_err(|e| failed(format!("yaml: cannot parse the settings: {e}")))?
    };
    map.into_iter()
        .map(|(key, value)| {
            let text = match value {
                Value::String(s) => s,
                Value::Null => String::new(),
                Value::Bool(b) => b.to_string(),
                Value::Number(n) => n.to_string(),
                other => {
                    return Err(failed(format!(
                        "yaml: unmarshal errors: cannot unmarshal {other} into string for key {key:?}"
                    )));
                }
            };
            Ok((key, text))
        })
        .collect()
}

/// The output format a tool was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `smart`, the default.
    Smart,
    /// `yaml`.
    Yaml,
    /// `json`.
    Json,
}

/// `--format`: `smart` (the default), `yaml` or `json`.
pub fn format_of(parsed: &Parsed) -> Result<Format, Fail> {
    match parsed.get("format") {
        None | Some("smart") => Ok(Format::Smart),
        Some("yaml") => Ok(Format::Yaml),
        Some("json") => Ok(Format::Json),
        Some(f) => Err(usage(format!(
            "invalid value {f:?} for flag --format: unknown format {f:?}"
        ))),
    }
}

/// `value` printed in `format`, as juju/cmd's formatters print it: JSON on
/// one line; smart prints a string bare, a bool as `True`/`False`, a list
/// one item a line, nothing for null; YAML (and smart, for maps) as YAML.
pub fn render(value: &Value, format: Format) -> String {
    match format {
        Format::Json => format!("{value}\n"),
        Format::Smart => match value {
            Value::Null => String::new(),
            Value::String(s) => format!("{s}\n"),
            Value::Bool(b) => if *b { "True\n" } else { "False\n" }.to_owned(),
            Value::Number(n) => format!("{n}\n"),
            Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
                items.iter().map(|i| render(i, Format::Smart)).collect()
            }
            other => yaml(other, 0),
        },
        Format::Yaml => match value {
            Value::Null => String::new(),
            other => yaml(other, 0),
        },
    }
}

/// A small YAML writer for the tools' output (strings double-quoted when
/// they need it, through JSON escapes, which YAML reads alike).
fn yaml(value: &Value, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let scalar = |v: &Value| match v {
        Value::String(s) => {
            let plain = !s.is_empty()
                && s.chars()
                    .all(|c| c.is_alphanumeric() || "-_./@ ".contains(c))
                && !s.starts_with(' ')
                && !s.ends_with(' ')
                && !matches!(s.as_str(), "true" | "false" | "null" | "yes" | "no" | "~")
                && s.parse::<f64>().is_err();
            if plain {
                s.clone()
            } else {
                Value::from(s.as_str()).to_string()
            }
        }
        Value::Null => "null".to_owned(),
        other => other.to_string(),
    };
    match value {
        Value::Object(map) if map.is_empty() => format!("{pad}{{}}\n"),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| match v {
                Value::Object(m) if !m.is_empty() => format!("{pad}{k}:\n{}", yaml(v, indent + 2)),
                Value::Array(a) if !a.is_empty() => format!("{pad}{k}:\n{}", yaml(v, indent)),
                _ => format!("{pad}{k}: {}\n", scalar_inline(v, &scalar)),
            })
            .collect(),
        Value::Array(items) if items.is_empty() => format!("{pad}[]\n"),
        Value::Array(items) => items
            .iter()
            .map(|v| match v {
                Value::Object(_) | Value::Array(_) => {
                    let inner = yaml(v, indent + 2);
                    format!("{pad}- {}", inner.trim_start())
                }
                _ => format!("{pad}- {}\n", scalar(v)),
            })
            .collect(),
        other => format!("{pad}{}\n", scalar(other)),
    }
}

fn scalar_inline(v: &Value, scalar: &dyn Fn(&Value) -> String) -> String {
    match v {
        Value::Object(_) => "{}".to_owned(),
        Value::Array(_) => "[]".to_owned(),
        other => scalar(other),
    }
}
