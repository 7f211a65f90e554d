//! Config values as `config-get --all --format=json` prints them, checked
//! against a config.yaml schema. The input is `<config.yaml>\0<json>`
//! (no NUL: the whole input is the JSON, against a schema declaring one
//! option of each type).
//!
//! Properties: no panic; the typed accessors answer values or
//! `ConfigError`s; values round-trip (encode, then `from_json`, is the
//! same config); the config-changed flags of a config against itself
//! change nothing.
#![no_main]

use std::collections::BTreeMap;

use charm_runtime::config::{ConfigFlags, ConfigValues};
use charm_runtime::metadata::ConfigSchema;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const DEFAULT_SCHEMA: &str = "options:
  s: {type: string, default: a}
  i: {type: int, default: 1}
  f: {type: float, default: 1.5}
  b: {type: boolean, default: true}
";

fuzz_target!(|data: &[u8]| {
    let (schema_text, json) = match data.iter().position(|&b| b == 0) {
        Some(at) => (&data[..at], &data[at + 1..]),
        None => (DEFAULT_SCHEMA.as_bytes(), data),
    };
    let (Ok(schema_text), Ok(json)) = (std::str::from_utf8(schema_text), std::str::from_utf8(json))
    else {
        return;
    };
    let Ok(schema) = ConfigSchema::parse(schema_text, "config.yaml") else {
        return;
    };
    let _ = ConfigValues::defaults(&schema).check(&schema);
    let Ok(values) = ConfigValues::from_json(json) else {
        return;
    };
    for problem in values.check(&schema) {
        let _ = problem.to_string();
    }
    for name in values.values().keys() {
        let _ = values.get::<String>(name);
        let _ = values.get::<i64>(name);
        let _ = values.get::<f64>(name);
        let _ = values.get::<bool>(name);
    }
    let _ = values.typed::<BTreeMap<String, Value>>();
    let _ = values.typed::<BTreeMap<String, String>>();

    // Round trip: what config-get printed, printed again, parses to the
    // same values.
    let encoded = serde_json::to_string(values.values()).expect("a JSON map encodes");
    let again = ConfigValues::from_json(&encoded).expect("encoded config values parse");
    assert_eq!(again.values(), values.values(), "config values round-trip");

    // A config against itself, persisted: nothing changed.
    let first = ConfigFlags::compute(None, &values, &schema);
    let second = ConfigFlags::compute(Some(&first.persist), &values, &schema);
    let _ = (first.set_at_start(), first.cleared_at_start());
    assert!(
        !second.set_at_start().contains(&"config.changed"),
        "an unchanged config sets config.changed"
    );
});
