//! The hook tools' `--format=json` output, decoded into the backend's
//! types. Errors never quote the output: it may hold secrets.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::backend::{Port, RelationId, Status, ToolError, json_kind as kind};

/// How much of a failed tool's stderr a [`ToolError::Failed`] keeps.
pub(super) const STDERR_LIMIT: usize = 4096;

pub(super) fn bad_output(tool: &str, reason: impl Into<String>) -> ToolError {
    ToolError::BadOutput {
        tool: tool.to_owned(),
        reason: reason.into(),
    }
}

/// A failed tool's stderr: lossy UTF-8, trimmed, at most [`STDERR_LIMIT`]
/// bytes.
pub(super) fn stderr_text(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let text = text.trim();
    if text.len() <= STDERR_LIMIT {
        return text.to_owned();
    }
    let mut end = STDERR_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} more bytes)", &text[..end], text.len() - end)
}

/// Stdout as JSON. The error names the problem, never the content.
pub(super) fn parse_json(tool: &str, stdout: &[u8]) -> Result<Value, ToolError> {
    serde_json::from_slice(stdout).map_err(|e| {
        bad_output(
            tool,
            format!(
                "expected JSON, got {} bytes that are not: {e}",
                stdout.len()
            ),
        )
    })
}

pub(super) fn decode_string(tool: &str, value: Value) -> Result<String, ToolError> {
    match value {
        Value::String(s) => Ok(s),
        other => Err(bad_output(
            tool,
            format!("expected a string, got {}", kind(&other)),
        )),
    }
}

/// A JSON list of strings; `null` is empty.
pub(super) fn decode_string_list(tool: &str, value: Value) -> Result<Vec<String>, ToolError> {
    let items = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        other => {
            return Err(bad_output(
                tool,
                format!("expected a list of strings, got {}", kind(&other)),
            ));
        }
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::String(s) => Ok(s),
            other => Err(bad_output(
                tool,
                format!("item {i} of the list is {}, not a string", kind(&other)),
            )),
        })
        .collect()
}

/// A JSON object; `null` is empty.
pub(super) fn decode_object(tool: &str, value: Value) -> Result<Map<String, Value>, ToolError> {
    match value {
        Value::Null => Ok(Map::new()),
        Value::Object(map) => Ok(map),
        other => Err(bad_output(
            tool,
            format!("expected an object, got {}", kind(&other)),
        )),
    }
}

/// A JSON object of strings (relation and leader settings); `null` is
/// empty.
pub(super) fn decode_string_map(
    tool: &str,
    value: Value,
) -> Result<BTreeMap<String, String>, ToolError> {
    decode_object(tool, value)?
        .into_iter()
        .map(|(key, value)| match value {
            Value::String(s) => Ok((key, s)),
            other => Err(bad_output(
                tool,
                format!("the value of {key:?} is {}, not a string", kind(&other)),
            )),
        })
        .collect()
}

pub(super) fn decode_relation_ids(tool: &str, value: Value) -> Result<Vec<RelationId>, ToolError> {
    decode_string_list(tool, value)?
        .iter()
        .map(|id| id.parse().map_err(|e: String| bad_output(tool, e)))
        .collect()
}

/// `relation-list --app`: the application name, `""` (or `null`) when Juju
/// does not know it yet.
pub(super) fn decode_remote_app(tool: &str, value: Value) -> Result<Option<String>, ToolError> {
    match value {
        Value::Null => Ok(None),
        other => {
            let app = decode_string(tool, other)?;
            Ok(Some(app).filter(|a| !a.is_empty()))
        }
    }
}

/// `opened-ports`: `80/tcp`, `8000-8100/udp`, `icmp`. [`Port::from_str`]
/// takes any protocol text, so the protocol and range are checked here.
///
/// [`Port::from_str`]: std::str::FromStr::from_str
pub(super) fn decode_ports(tool: &str, value: Value) -> Result<Vec<Port>, ToolError> {
    decode_string_list(tool, value)?
        .iter()
        .map(|text| {
            let port: Port = text.parse().map_err(|e: String| bad_output(tool, e))?;
            if !matches!(port.protocol.as_str(), "tcp" | "udp" | "icmp") || port.from > port.to {
                return Err(bad_output(
                    tool,
                    format!("port {text:?} is not a valid port range"),
                ));
            }
            Ok(port)
        })
        .collect()
}

/// `status-get --format=json --include-data [--application]`:
///
/// * unit: `{"status": "active", "message": "...", "status-data": {...}}`;
/// * application: `{"application-status": {"status": ..., "message": ...,
///   "status-data": {...}, "units": {"app/0": {...}}}}`;
/// * a bare `"unknown"` when the agent cannot tell (Juju prints the state
///   alone then).
pub(super) fn decode_status(
    tool: &str,
    value: Value,
    application: bool,
) -> Result<Status, ToolError> {
    let details = match value {
        Value::String(state) => return status_from(tool, &state, String::new()),
        Value::Object(mut top) if application => match top.remove("application-status") {
            Some(Value::Object(details)) => details,
            Some(other) => {
                return Err(bad_output(
                    tool,
                    format!("\"application-status\" is {}, not an object", kind(&other)),
                ));
            }
            None => return Err(bad_output(tool, "no \"application-status\" in the output")),
        },
        Value::Object(details) => details,
        other => {
            return Err(bad_output(
                tool,
                format!("expected an object, got {}", kind(&other)),
            ));
        }
    };
    let state = match details.get("status") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(bad_output(
                tool,
                format!("\"status\" is {}, not a string", kind(other)),
            ));
        }
        None => return Err(bad_output(tool, "no \"status\" in the output")),
    };
    let message = match details.get("message") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(m)) => m.clone(),
        Some(other) => {
            return Err(bad_output(
                tool,
                format!("\"message\" is {}, not a string", kind(other)),
            ));
        }
    };
    status_from(tool, &state, message)
}

pub(super) fn status_from(tool: &str, state: &str, message: String) -> Result<Status, ToolError> {
    let state = state.parse().map_err(|e: String| bad_output(tool, e))?;
    Ok(Status::new(state, message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::StatusState;

    #[test]
    fn stderr_is_trimmed_and_capped_on_a_char_boundary() {
        assert_eq!(stderr_text(b"  ERROR boom\n"), "ERROR boom");
        assert_eq!(stderr_text(b"\xffERROR"), "\u{FFFD}ERROR");
        let long = "é".repeat(STDERR_LIMIT);
        let capped = stderr_text(long.as_bytes());
        assert!(capped.len() < STDERR_LIMIT + 40, "{}", capped.len());
        assert!(capped.ends_with(&format!("… ({} more bytes)", STDERR_LIMIT)));
    }

    #[test]
    fn json_errors_do_not_quote_the_output() {
        let err = parse_json("relation-get", b"password=hunter2").unwrap_err();
        let ToolError::BadOutput { tool, reason } = err else {
            panic!("{err:?}")
        };
        assert_eq!(tool, "relation-get");
        assert!(!reason.contains("hunter2"), "{reason}");
        assert!(parse_json("x", b"").is_err());
        assert_eq!(parse_json("x", b" null\n").unwrap(), Value::Null);
    }

    #[test]
    fn string_maps() {
        let m = decode_string_map("t", serde_json::json!({"a": "1", "b": ""})).unwrap();
        assert_eq!(m.len(), 2);
        assert!(decode_string_map("t", Value::Null).unwrap().is_empty());
        assert!(
            decode_string_map("t", serde_json::json!({}))
                .unwrap()
                .is_empty()
        );
        for bad in [
            serde_json::json!({"a": 1}),
            serde_json::json!([]),
            serde_json::json!("x"),
        ] {
            let err = decode_string_map("t", bad).unwrap_err();
            assert!(matches!(err, ToolError::BadOutput { .. }), "{err:?}");
        }
    }

    #[test]
    fn lists_ids_ports_and_apps() {
        let ids = decode_relation_ids("t", serde_json::json!(["db:1", "db:10"])).unwrap();
        assert_eq!(ids, [RelationId::new("db", 1), RelationId::new("db", 10)]);
        assert!(decode_relation_ids("t", serde_json::json!(["db"])).is_err());
        assert!(decode_relation_ids("t", serde_json::json!([1])).is_err());
        assert!(decode_string_list("t", Value::Null).unwrap().is_empty());

        let ports = decode_ports("t", serde_json::json!(["80/tcp", "1-9/udp", "icmp"])).unwrap();
        assert_eq!(ports[0], Port::tcp(80));
        assert_eq!(ports[1].to, 9);
        assert_eq!(ports[2].protocol, "icmp");
        for bad in ["80/tcp (*)", "80/sctp", "9-1/tcp", "80", "x/tcp"] {
            assert!(
                decode_ports("t", serde_json::json!([bad])).is_err(),
                "{bad}"
            );
        }

        assert_eq!(
            decode_remote_app("t", serde_json::json!("pg")).unwrap(),
            Some("pg".into())
        );
        assert_eq!(decode_remote_app("t", serde_json::json!("")).unwrap(), None);
        assert_eq!(decode_remote_app("t", Value::Null).unwrap(), None);
        assert!(decode_remote_app("t", serde_json::json!(["pg"])).is_err());
    }

    #[test]
    fn statuses() {
        let unit = serde_json::json!({"status": "blocked", "message": "m", "status-data": {}});
        assert_eq!(
            decode_status("t", unit, false).unwrap(),
            Status::new(StatusState::Blocked, "m")
        );
        let app = serde_json::json!({"application-status": {
            "status": "active", "message": "", "status-data": {},
            "units": {"a/0": {"status": "waiting", "message": "w", "status-data": {}}}
        }});
        assert_eq!(
            decode_status("t", app, true).unwrap(),
            Status::new(StatusState::Active, "")
        );
        assert_eq!(
            decode_status("t", serde_json::json!("unknown"), true).unwrap(),
            Status::new(StatusState::Unknown, "")
        );
        assert_eq!(
            decode_status("t", serde_json::json!({"status": "waiting"}), false).unwrap(),
            Status::new(StatusState::Waiting, "")
        );
        // Juju reports `terminated` while a unit is being removed.
        assert_eq!(
            decode_status("t", serde_json::json!({"status": "terminated"}), false).unwrap(),
            Status::new(StatusState::Terminated, "")
        );
        for (bad, application) in [
            (serde_json::json!({"message": "m"}), false),
            (serde_json::json!({"status": 1}), false),
            (serde_json::json!({"status": "active", "message": 1}), false),
            (serde_json::json!({"status": "active"}), true),
            (serde_json::json!({"application-status": []}), true),
            (serde_json::json!(true), false),
        ] {
            let err = decode_status("t", bad, application).unwrap_err();
            assert!(matches!(err, ToolError::BadOutput { .. }), "{err:?}");
        }
    }
}
