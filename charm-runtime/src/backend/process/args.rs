//! The argv of each hook tool. Every argument that comes from the caller
//! follows a `--`, so gnuflag never takes it for a flag.

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
    args.extend(strings(["--", status.state.as_str(), &status.message]));
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
    strings(["-l", level.as_str(), "--", message])
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
        args.push(format!("{key}={value}"));
    }
    Ok(args)
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
}
