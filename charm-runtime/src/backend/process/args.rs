//! The argv of each hook tool. Every argument that comes from the caller
//! follows a `--`, so gnuflag never takes it for a flag.

use super::limits::{
    ARG_LIMIT, LOG_MESSAGE_LIMIT, STATUS_MESSAGE_LIMIT, argv_limit, total_size, truncate,
};
use crate::backend::{DataBag, RelationId, Status, StatusState, ToolError};
use crate::reactive::Level;

pub(super) fn strings<const N: usize>(args: [&str; N]) -> Vec<String> {
    args.iter().map(|a| (*a).to_owned()).collect()
}

pub(super) fn relation_ids_args(endpoint: &str) -> Vec<String> {
    strings(["--format=json", "--", endpoint])
}

pub(super) fn relation_list_args(relation: &RelationId, app: bool) -> Vec<String> {
    let mut args = strings(["--format=json", "-r", &relation.to_string()]);
    if app {
        args.push("--app".into());
    }
    args
}

pub(super) fn relation_get_args(relation: &RelationId, bag: &DataBag) -> Vec<String> {
    let rid = relation.to_string();
    match bag {
        DataBag::Unit(unit) => strings(["--format=json", "-r", &rid, "--", "-", unit]),
        DataBag::App(app) => strings(["--format=json", "-r", &rid, "--app", "--", "-", app]),
    }
}

pub(super) fn relation_set_args(relation: &RelationId, app: bool) -> Vec<String> {
    let mut args = strings(["-r", &relation.to_string()]);
    if app {
        args.push("--app".into());
    }
    args.extend(strings(["--file", "-"]));
    args
}

pub(super) fn status_set_args(
    application: bool,
    status: &Status,
) -> Result<Vec<String>, ToolError> {
    match status.state {
        StatusState::Active
        | StatusState::Blocked
        | StatusState::Maintenance
        | StatusState::Waiting => {}
        StatusState::Unknown | StatusState::Error | StatusState::Terminated => {
            return Err(ToolError::Refused {
                tool: "status-set".into(),
                reason: format!(
                    "a charm cannot set the status {:?}: only maintenance, blocked, waiting and active",
                    status.state.as_str()
                ),
            });
        }
    }
    let mut args = Vec::new();
    if application {
        args.push("--application".to_owned());
    }
    let message = truncate(&status.message, STATUS_MESSAGE_LIMIT);
    args.extend(strings(["--", status.state.as_str(), &message]));
    Ok(args)
}

pub(super) fn network_get_args(binding: &str, relation: Option<&RelationId>) -> Vec<String> {
    let mut args = strings(["--format=json"]);
    if let Some(relation) = relation {
        args.extend(strings(["-r", &relation.to_string()]));
    }
    args.extend(strings(["--", binding]));
    args
}

pub(super) fn juju_log_args(level: Level, message: &str) -> Vec<String> {
    let message = truncate(message, LOG_MESSAGE_LIMIT);
    strings(["-l", level.as_str(), "--", &message])
}

/// `-- <message>` for `action-fail` and `action-log`, cut to
/// [`LOG_MESSAGE_LIMIT`].
pub(super) fn message_args(message: &str) -> Vec<String> {
    strings(["--", &truncate(message, LOG_MESSAGE_LIMIT)])
}

/// Refuse a `key=value` argument of `tool` longer than [`ARG_LIMIT`],
/// naming the key, the value's size and, after it, `origin` (where the
/// value was set, when known). The value is never quoted: it may be a
/// secret.
pub(crate) fn check_setting(
    tool: &str,
    key: &str,
    value: &str,
    origin: &str,
) -> Result<(), ToolError> {
    if key.len() + 1 + value.len() <= ARG_LIMIT {
        return Ok(());
    }
    Err(ToolError::TooLarge {
        tool: tool.to_owned(),
        what: format!("the value of {} {key:?}{origin}", setting_noun(tool)),
        size: value.len(),
        limit: ARG_LIMIT.saturating_sub(key.len() + 1),
    })
}

/// What `tool` calls one of its `key=value` arguments, in errors.
fn setting_noun(tool: &str) -> &'static str {
    match tool {
        "leader-set" => "leader setting",
        "action-set" => "action result",
        _ => "setting",
    }
}

/// `-- key=value ...` for `leader-set` and `action-set`, which split each
/// argument on its first `=`.
pub(super) fn key_value_args<'a>(
    tool: &str,
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Vec<String>, ToolError> {
    let mut args = vec!["--".to_owned()];
    for (key, value) in pairs {
        if key.is_empty() || key.contains('=') || key.trim() != key {
            return Err(ToolError::Refused {
                tool: tool.to_owned(),
                reason: format!(
                    "key {key:?} cannot be passed as key=value (empty, contains '=' or surrounding whitespace)"
                ),
            });
        }
        check_setting(tool, key, value, "")?;
        args.push(format!("{key}={value}"));
    }
    let (total, limit) = (total_size(&args), argv_limit());
    if total > limit {
        return Err(ToolError::TooLarge {
            tool: tool.to_owned(),
            what: format!(
                "the {} {}s together ({})",
                args.len() - 1,
                setting_noun(tool),
                largest_keys(&args[1..])
            ),
            size: total,
            limit,
        });
    }
    Ok(args)
}

/// The keys of the three largest `key=value` arguments, with their
/// sizes, largest first: where to look when all of them are too large.
fn largest_keys(args: &[String]) -> String {
    let mut sized: Vec<(usize, &str)> = args
        .iter()
        .map(|a| (a.len(), a.split_once('=').map_or(a.as_str(), |(k, _)| k)))
        .collect();
    sized.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let named: Vec<String> = sized
        .iter()
        .take(3)
        .map(|(size, key)| format!("{key:?}: {size} bytes"))
        .collect();
    format!("largest {}", named.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relation_get_args_put_the_bag_after_a_double_dash() {
        let rid = RelationId::new("db", 3);
        assert_eq!(
            relation_get_args(&rid, &DataBag::Unit("pg/0".into())),
            ["--format=json", "-r", "db:3", "--", "-", "pg/0"]
        );
        assert_eq!(
            relation_get_args(&rid, &DataBag::App("pg".into())),
            ["--format=json", "-r", "db:3", "--app", "--", "-", "pg"]
        );
    }

    #[test]
    fn relation_set_args_never_carry_values() {
        let rid = RelationId::new("db", 3);
        assert_eq!(
            relation_set_args(&rid, false),
            ["-r", "db:3", "--file", "-"]
        );
        assert_eq!(
            relation_set_args(&rid, true),
            ["-r", "db:3", "--app", "--file", "-"]
        );
    }

    #[test]
    fn status_set_args_protect_a_dash_message_and_refuse_unsettable_states() {
        let status = Status::new(StatusState::Blocked, "-x needs a relation");
        assert_eq!(
            status_set_args(true, &status).unwrap(),
            ["--application", "--", "blocked", "-x needs a relation"]
        );
        assert_eq!(
            status_set_args(false, &Status::new(StatusState::Active, "")).unwrap(),
            ["--", "active", ""]
        );
        for state in [StatusState::Unknown, StatusState::Error] {
            let err = status_set_args(false, &Status::new(state, "")).unwrap_err();
            assert!(matches!(err, ToolError::Refused { .. }), "{err:?}");
        }
    }

    #[test]
    fn other_args() {
        assert_eq!(
            juju_log_args(Level::Warning, "-v"),
            ["-l", "WARNING", "--", "-v"]
        );
        assert_eq!(
            network_get_args("db", Some(&RelationId::new("db", 1))),
            ["--format=json", "-r", "db:1", "--", "db"]
        );
        assert_eq!(
            network_get_args("web", None),
            ["--format=json", "--", "web"]
        );
        assert_eq!(relation_ids_args("db"), ["--format=json", "--", "db"]);
        assert_eq!(
            relation_list_args(&RelationId::new("db", 1), true),
            ["--format=json", "-r", "db:1", "--app"]
        );
    }

    #[test]
    fn key_value_args_split_on_the_first_equals_only() {
        let args = key_value_args("leader-set", [("a", "x=y"), ("b", ""), ("-c", "-")]).unwrap();
        assert_eq!(args, ["--", "a=x=y", "b=", "-c=-"]);
        for key in ["", "a=b", " a", "a\n"] {
            let err = key_value_args("leader-set", [(key, "v")]).unwrap_err();
            assert!(matches!(err, ToolError::Refused { .. }), "{key:?}: {err:?}");
        }
    }

    #[test]
    fn an_oversized_setting_is_refused_naming_its_key_and_size_never_its_value() {
        let secret = "s".repeat(200 * 1024);
        let err = key_value_args(
            "leader-set",
            [("small", "x"), ("peer-blob", secret.as_str())],
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(
            matches!(&err, ToolError::TooLarge { size, .. } if *size == secret.len()),
            "{err:?}"
        );
        assert!(
            text.starts_with(
                "hook tool leader-set: the value of leader setting \"peer-blob\" is 204800 bytes"
            ),
            "{text}"
        );
        assert!(!text.contains("sss"), "the value is quoted: {text}");
        // Just under the limit for one argument passes.
        let fits = "v".repeat(ARG_LIMIT - 2);
        assert!(key_value_args("action-set", [("k", fits.as_str())]).is_ok());
        let over = "v".repeat(ARG_LIMIT - 1);
        let err = key_value_args("action-set", [("k", over.as_str())]).unwrap_err();
        assert!(err.to_string().contains("action result \"k\""), "{err}");
    }

    #[test]
    fn settings_too_large_together_name_the_largest_keys() {
        let value = "v".repeat(100 * 1024);
        let keys: Vec<String> = (0..12).map(|i| format!("key-{i:02}")).collect();
        let err = key_value_args(
            "leader-set",
            keys.iter().map(|k| (k.as_str(), value.as_str())),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(text.contains("the 12 leader settings together"), "{text}");
        assert!(text.contains("\"key-00\": 102407 bytes"), "{text}");
        assert!(!text.contains("vvv"), "{text}");
    }

    #[test]
    fn long_status_and_log_messages_are_cut() {
        let message = "m".repeat(STATUS_MESSAGE_LIMIT * 20);
        let args = status_set_args(false, &Status::new(StatusState::Blocked, message)).unwrap();
        assert!(args[2].len() <= STATUS_MESSAGE_LIMIT && args[2].ends_with('…'));
        let args = juju_log_args(Level::Info, &"l".repeat(LOG_MESSAGE_LIMIT + 1));
        assert!(args[3].len() <= LOG_MESSAGE_LIMIT && args[3].ends_with('…'));
        let args = message_args(&"f".repeat(ARG_LIMIT * 2));
        assert!(args[1].len() <= LOG_MESSAGE_LIMIT);
    }
}
