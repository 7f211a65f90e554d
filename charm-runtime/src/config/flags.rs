//! The `config.*` flags layer-basic manages (the rules and their source
//! are in the [`config`](super) module documentation).

use serde_json::{Map, Value};

use super::schema::ConfigSchema;
use super::values::ConfigValues;

/// One flag change, in the order layer-basic makes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlagOp {
    /// Set the flag.
    Set(String),
    /// Clear the flag.
    Clear(String),
}

/// The config flags of one hook, as layer-basic manages them (see the
/// [module documentation](super) for the rules and their source).
///
/// The runtime applies [`at_start`](Self::at_start) before the handlers
/// run (after the unit state is loaded, so that triggers fire), and after a
/// successful dispatch clears [`at_exit`](Self::at_exit) and stores
/// [`persist`](Self::persist) as the next hook's previous config. A failed
/// hook does neither.
///
/// ```
/// use charm_runtime::config::{ConfigValues, ConfigFlags, FlagOp};
/// use charm_runtime::metadata::ConfigSchema;
/// use serde_json::json;
///
/// let schema = ConfigSchema::parse("options: {port: {type: int, default: 80}}", "config.yaml")
///     .unwrap();
/// let previous = json!({"port": 80}).as_object().cloned().unwrap();
/// let current = ConfigValues::from_json(r#"{"port": 8080}"#).unwrap();
/// let flags = ConfigFlags::compute(Some(&previous), &current, &schema);
/// assert_eq!(
///     flags.at_start,
///     [
///         FlagOp::Set("config.changed".into()),
///         FlagOp::Set("config.changed.port".into()),
///         FlagOp::Set("config.set.port".into()),
///         FlagOp::Clear("config.default.port".into()),
///     ]
/// );
/// assert_eq!(
///     flags.at_exit,
///     ["config.changed", "config.changed.port", "config.set.port", "config.default.port"]
/// );
/// assert_eq!(flags.persist["port"], 8080);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigFlags {
    /// Before the handlers: the flag changes, in order.
    pub at_start: Vec<FlagOp>,
    /// After a successful hook: the flags to clear, in order.
    pub at_exit: Vec<String>,
    /// After a successful hook: the config to keep as the next hook's
    /// previous config (the current values plus the previous values of
    /// options Juju no longer reports).
    pub persist: Map<String, Value>,
}

impl ConfigFlags {
    /// The flags for a hook whose config is `current`, given the config
    /// persisted by the last successful hook (`None` when there is none:
    /// the first hook) and the charm's config schema.
    pub fn compute(
        previous: Option<&Map<String, Value>>,
        current: &ConfigValues,
        schema: &ConfigSchema,
    ) -> Self {
        // charm-helpers' Config: current values, plus previous keys that
        // Juju no longer reports.
        let mut merged = current.values.clone();
        if let Some(previous) = previous {
            for (key, value) in previous {
                if !merged.contains_key(key) {
                    merged.insert(key.clone(), value.clone());
                }
            }
        }
        let null = Value::Null;

        let mut at_start = Vec::new();
        for (name, option) in &schema.options {
            let value = merged.get(name).unwrap_or(&null);
            let changed = match previous {
                None => true,
                Some(previous) => !py_eq(previous.get(name).unwrap_or(&null), value),
            };
            if changed {
                at_start.push(FlagOp::Set("config.changed".to_owned()));
                at_start.push(FlagOp::Set(format!("config.changed.{name}")));
            }
            at_start.push(toggle(format!("config.set.{name}"), py_truthy(value)));
            let default = option.default.as_ref().unwrap_or(&null);
            at_start.push(toggle(
                format!("config.default.{name}"),
                py_eq(value, default),
            ));
        }

        let mut at_exit = vec!["config.changed".to_owned()];
        for name in merged.keys() {
            at_exit.push(format!("config.changed.{name}"));
            at_exit.push(format!("config.set.{name}"));
            at_exit.push(format!("config.default.{name}"));
        }

        ConfigFlags {
            at_start,
            at_exit,
            persist: merged,
        }
    }

    /// The flags [`at_start`](Self::at_start) sets, in order, without
    /// repeats.
    pub fn set_at_start(&self) -> Vec<&str> {
        self.ops(|op| match op {
            FlagOp::Set(f) => Some(f),
            FlagOp::Clear(_) => None,
        })
    }

    /// The flags [`at_start`](Self::at_start) clears, in order, without
    /// repeats.
    pub fn cleared_at_start(&self) -> Vec<&str> {
        self.ops(|op| match op {
            FlagOp::Clear(f) => Some(f),
            FlagOp::Set(_) => None,
        })
    }

    fn ops<'a>(&'a self, pick: impl Fn(&'a FlagOp) -> Option<&'a String>) -> Vec<&'a str> {
        let mut out: Vec<&str> = Vec::new();
        for flag in self.at_start.iter().filter_map(pick) {
            if !out.contains(&flag.as_str()) {
                out.push(flag);
            }
        }
        out
    }
}

/// The unit state key under which the runtime keeps the previous config
/// (charm-helpers keeps it in `$CHARM_DIR/.juju-persistent-config`).
pub const PREVIOUS_CONFIG_KEY: &str = "charm_runtime.config.previous";

/// Apply the managed config flags to a hook running under Juju (an atstart
/// step): [`ConfigFlags::at_start`] now, and an atexit callback that clears
/// [`ConfigFlags::at_exit`] and stores [`ConfigFlags::persist`] under
/// [`PREVIOUS_CONFIG_KEY`]. Scheduled before any handler can schedule its
/// own, the callback runs last, as layer-basic's `clear_config_states`
/// does. The schema is read from the charm directory.
pub(crate) fn manage_flags(ctx: &crate::HookContext) -> Result<(), crate::Error> {
    let juju = ctx.juju();
    let schema = juju.config_schema();
    let current = ConfigValues::new((*juju.config_values()?).clone());
    let previous: Option<Map<String, Value>> = match ctx.kv().get(PREVIOUS_CONFIG_KEY)? {
        Some(previous) => Some(previous),
        // A unit upgraded in place from a Python charm: charmhelpers kept
        // the previous config in this file; unreadable means "none".
        // Read bounded, and only as a regular file, as the charm's files.
        None => crate::metadata::read::read_bounded(
            &juju.env().charm_dir.join(".juju-persistent-config"),
            crate::metadata::read::CHARM_FILE_LIMIT,
        )
        .ok()
        .flatten()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok()),
    };
    let plan = ConfigFlags::compute(previous.as_ref(), &current, schema);
    let flags = ctx.flags();
    for op in &plan.at_start {
        match op {
            FlagOp::Set(flag) => flags.set(flag),
            FlagOp::Clear(flag) => flags.clear(flag),
        }
    }
    let ConfigFlags {
        at_exit, persist, ..
    } = plan;
    ctx.atexit_once(
        "layer-basic config flags",
        move |ctx: &crate::HookContext| -> Result<(), crate::StateError> {
            let flags = ctx.flags();
            for flag in &at_exit {
                flags.clear(flag);
            }
            ctx.kv().set(PREVIOUS_CONFIG_KEY, &persist)
        },
    );
    Ok(())
}

fn toggle(flag: String, on: bool) -> FlagOp {
    if on {
        FlagOp::Set(flag)
    } else {
        FlagOp::Clear(flag)
    }
}

/// Python's `bool(value)` for a value loaded from JSON.
fn py_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i != 0,
            (None, Some(u), _) => u != 0,
            (None, None, Some(f)) => f != 0.0,
            (None, None, None) => true,
        },
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// A JSON number (or boolean) as Python compares it.
#[derive(Clone, Copy)]
enum PyNum {
    Int(i128),
    Float(f64),
}

fn py_num(value: &Value) -> Option<PyNum> {
    match value {
        Value::Bool(b) => Some(PyNum::Int(i128::from(*b))),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Some(PyNum::Int(i128::from(i)))
            } else if let Some(u) = n.as_u64() {
                Some(PyNum::Int(i128::from(u)))
            } else {
                n.as_f64().map(PyNum::Float)
            }
        }
        _ => None,
    }
}

/// Python's `a == b` for values loaded from JSON: numbers and booleans by
/// exact value (`1 == 1.0 == True`), the rest structurally.
fn py_eq(a: &Value, b: &Value) -> bool {
    if let (Some(x), Some(y)) = (py_num(a), py_num(b)) {
        return match (x, y) {
            (PyNum::Int(x), PyNum::Int(y)) => x == y,
            (PyNum::Float(x), PyNum::Float(y)) => x == y,
            (PyNum::Int(i), PyNum::Float(f)) | (PyNum::Float(f), PyNum::Int(i)) => {
                int_eq_float(i, f)
            }
        };
    }
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::String(x), Value::String(y)) => x == y,
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| py_eq(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| py_eq(v, w)))
        }
        _ => false,
    }
}

/// Python's exact comparison of an int with a float.
fn int_eq_float(i: i128, f: f64) -> bool {
    // Every i64/u64 fits in i128, and a finite whole f64 within ±2^127
    // converts to i128 exactly.
    const LIMIT: f64 = 1.7014118346046923e38; // 2^127
    f.is_finite() && f.fract() == 0.0 && f.abs() < LIMIT && (f as i128) == i
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn schema() -> ConfigSchema {
        ConfigSchema::parse(
            "options:\n\
             \x20 port: {type: int, default: 80}\n\
             \x20 name: {type: string}\n\
             \x20 debug: {type: boolean, default: false}\n",
            "config.yaml",
        )
        .unwrap()
    }

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    fn compute(previous: Option<Value>, current: Value) -> ConfigFlags {
        let previous = previous.map(map);
        ConfigFlags::compute(
            previous.as_ref(),
            &ConfigValues::new(map(current)),
            &schema(),
        )
    }

    fn has(flags: &ConfigFlags, op: FlagOp) -> bool {
        flags.at_start.contains(&op)
    }

    fn set(f: &str) -> FlagOp {
        FlagOp::Set(f.to_owned())
    }

    fn clear(f: &str) -> FlagOp {
        FlagOp::Clear(f.to_owned())
    }

    #[test]
    fn first_hook_every_declared_option_changed() {
        let flags = compute(None, json!({"port": 80, "name": null, "debug": false}));
        assert_eq!(
            flags.set_at_start(),
            [
                "config.changed",
                "config.changed.debug",
                "config.default.debug",
                "config.changed.name",
                "config.default.name",
                "config.changed.port",
                "config.set.port",
                "config.default.port",
            ]
        );
        assert_eq!(
            flags.cleared_at_start(),
            ["config.set.debug", "config.set.name"]
        );
    }

    #[test]
    fn first_hook_includes_options_juju_did_not_send() {
        let flags = compute(None, json!({}));
        assert!(has(&flags, set("config.changed.port")));
        // Unset and not at its default of 80.
        assert!(has(&flags, clear("config.default.port")));
        // No default and unset: None == None.
        assert!(has(&flags, set("config.default.name")));
        // Nothing sent, nothing previous: nothing to clear at exit.
        assert_eq!(flags.at_exit, ["config.changed"]);
    }

    #[test]
    fn option_changed() {
        let flags = compute(
            Some(json!({"port": 80, "name": "a", "debug": false})),
            json!({"port": 80, "name": "b", "debug": false}),
        );
        assert_eq!(
            flags.at_start,
            [
                clear("config.set.debug"),
                set("config.default.debug"),
                set("config.changed"),
                set("config.changed.name"),
                set("config.set.name"),
                clear("config.default.name"),
                set("config.set.port"),
                set("config.default.port"),
            ]
        );
    }

    #[test]
    fn option_unchanged() {
        let flags = compute(Some(json!({"port": 8080})), json!({"port": 8080}));
        assert!(!has(&flags, set("config.changed")));
        assert!(!has(&flags, set("config.changed.port")));
        assert!(has(&flags, set("config.set.port")));
        assert!(has(&flags, clear("config.default.port")));
    }

    #[test]
    fn unchanged_across_int_and_float() {
        // Python: 80 != 80.0 is False.
        let flags = compute(Some(json!({"port": 80.0})), json!({"port": 80}));
        assert!(!has(&flags, set("config.changed.port")));
    }

    #[test]
    fn option_set_back_to_its_default() {
        let flags = compute(Some(json!({"port": 8080})), json!({"port": 80}));
        assert!(has(&flags, set("config.changed.port")));
        assert!(has(&flags, set("config.default.port")));
        assert!(has(&flags, set("config.set.port")));
    }

    #[test]
    fn option_unset() {
        let flags = compute(Some(json!({"name": "x"})), json!({"name": null}));
        assert!(has(&flags, set("config.changed.name")));
        assert!(has(&flags, clear("config.set.name")));
        // No default: null equals the missing default.
        assert!(has(&flags, set("config.default.name")));
    }

    #[test]
    fn falsy_values_do_not_count_as_set() {
        let flags = compute(None, json!({"port": 0, "name": "", "debug": false}));
        assert!(has(&flags, clear("config.set.port")));
        assert!(has(&flags, clear("config.set.name")));
        assert!(has(&flags, clear("config.set.debug")));
        // An empty string is not None.
        assert!(has(&flags, clear("config.default.name")));
        // False equals the default false.
        assert!(has(&flags, set("config.default.debug")));
    }

    #[test]
    fn empty_previous_is_not_a_first_hook() {
        let flags = compute(Some(json!({})), json!({"port": null}));
        // None -> None: unchanged.
        assert!(!has(&flags, set("config.changed.port")));
        let flags = compute(Some(json!({})), json!({"port": 80}));
        assert!(has(&flags, set("config.changed.port")));
    }

    #[test]
    fn option_removed_from_schema() {
        // "old" was an option; the new charm revision dropped it, so Juju no
        // longer sends it, but charm-helpers keeps its previous value.
        let flags = compute(
            Some(json!({"port": 80, "name": null, "debug": false, "old": "v"})),
            json!({"port": 80, "name": null, "debug": false}),
        );
        assert!(flags.at_start.iter().all(|op| match op {
            FlagOp::Set(f) | FlagOp::Clear(f) => !f.ends_with(".old"),
        }));
        assert!(!has(&flags, set("config.changed")));
        assert!(flags.at_exit.contains(&"config.changed.old".to_owned()));
        assert!(flags.at_exit.contains(&"config.set.old".to_owned()));
        assert!(flags.at_exit.contains(&"config.default.old".to_owned()));
        assert_eq!(flags.persist["old"], "v");
    }

    #[test]
    fn undeclared_option_gets_no_flag_at_start() {
        let flags = compute(None, json!({"stray": 1}));
        assert!(!flags.set_at_start().iter().any(|f| f.ends_with(".stray")));
        assert!(flags.at_exit.contains(&"config.set.stray".to_owned()));
    }

    #[test]
    fn previous_value_fills_a_missing_current_value() {
        // Juju stopped sending "name" (e.g. it became unset and is omitted):
        // the previous value stands in, so nothing changed.
        let flags = compute(Some(json!({"name": "x"})), json!({}));
        assert!(!has(&flags, set("config.changed.name")));
        assert!(has(&flags, set("config.set.name")));
        assert_eq!(flags.persist["name"], "x");
    }

    #[test]
    fn at_exit_clears_every_key_of_the_merged_config() {
        let flags = compute(Some(json!({"port": 1, "old": 2})), json!({"port": 1}));
        assert_eq!(
            flags.at_exit,
            [
                "config.changed",
                "config.changed.old",
                "config.set.old",
                "config.default.old",
                "config.changed.port",
                "config.set.port",
                "config.default.port",
            ]
        );
    }

    #[test]
    fn empty_schema_sets_nothing() {
        let flags = ConfigFlags::compute(
            None,
            &ConfigValues::new(map(json!({"a": 1}))),
            &ConfigSchema::default(),
        );
        assert!(flags.at_start.is_empty());
    }

    #[test]
    fn python_equality() {
        assert!(py_eq(&json!(1), &json!(1.0)));
        assert!(py_eq(&json!(true), &json!(1)));
        assert!(py_eq(&json!(false), &json!(0.0)));
        assert!(!py_eq(&json!(1), &json!("1")));
        assert!(!py_eq(&json!(null), &json!(0)));
        assert!(!py_eq(
            &json!(9007199254740993u64),
            &json!(9007199254740992.0)
        ));
        assert!(py_eq(&json!(u64::MAX), &json!(u64::MAX)));
        assert!(py_eq(&json!([1, {"a": 2}]), &json!([1.0, {"a": 2}])));
        assert!(!py_eq(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
        assert!(!py_eq(&json!(0.5), &json!(0)));
        assert!(!py_eq(&json!(1e300), &json!(i64::MAX)));
    }

    #[test]
    fn python_truthiness() {
        for v in [
            json!(null),
            json!(false),
            json!(0),
            json!(0.0),
            json!(""),
            json!([]),
            json!({}),
        ] {
            assert!(!py_truthy(&v), "{v}");
        }
        for v in [
            json!(true),
            json!(-1),
            json!(0.1),
            json!("0"),
            json!([0]),
            json!({"a": null}),
        ] {
            assert!(py_truthy(&v), "{v}");
        }
    }
}
