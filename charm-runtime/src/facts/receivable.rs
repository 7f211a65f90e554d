//! Which hooks and actions a charm can receive at all.

use charm_names::hook::{self as hooks, HOOKS, Named};

use crate::metadata::{ActionsSchema, Metadata};

/// The endpoint every charm has without declaring it: the principal end
/// of a subordinate relation is often `juju-info`.
pub const IMPLICIT_ENDPOINT: &str = "juju-info";

/// A hook or action Juju would never run for this charm.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unreceivable {
    /// A relation hook of an endpoint the metadata does not declare.
    #[error(
        "hook {hook}: endpoint {endpoint:?} is not declared in the charm's metadata, so Juju \
         never runs it (endpoints: {endpoints})"
    )]
    NoEndpoint {
        /// The hook.
        hook: String,
        /// The endpoint it is named after.
        endpoint: String,
        /// The endpoints the charm declares, comma-separated.
        endpoints: String,
    },
    /// Not the name of any Juju hook.
    #[error("{hook:?} is not a hook Juju runs{}", .suggestion.as_ref().map(|s| format!(" (did you mean {s:?}?)")).unwrap_or_default())]
    NotAHook {
        /// The name.
        hook: String,
        /// The hook it most likely is a typo of.
        suggestion: Option<String>,
    },
    /// An action the charm does not declare.
    #[error(
        "action {action} is not declared in the charm's actions, so Juju refuses to run it \
         (actions: {actions})"
    )]
    NoAction {
        /// The action.
        action: String,
        /// The actions the charm declares, comma-separated.
        actions: String,
    },
}

fn list(names: Vec<&str>) -> String {
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

/// Whether Juju can run the hook `hook` for a charm with `metadata`: a
/// fixed hook (`install`, `leader-elected`, ...), a relation hook of a
/// declared endpoint (or of the implicit `juju-info`), or a storage or
/// workload container hook (the metadata does not describe storage nor
/// containers, so those are not checked further).
///
/// ```
/// use charm_runtime::facts::check_hook;
/// use charm_runtime::metadata::Metadata;
/// let meta = Metadata::parse("name: web\nrequires: {db: mysql}\n", "metadata.yaml").unwrap();
/// assert!(check_hook(&meta, "install").is_ok());
/// assert!(check_hook(&meta, "db-relation-joined").is_ok());
/// let err = check_hook(&meta, "cache-relation-joined").unwrap_err();
/// assert!(err.to_string().contains(r#"endpoint "cache" is not declared"#), "{err}");
/// let err = check_hook(&meta, "config-chnaged").unwrap_err();
/// assert!(err.to_string().contains(r#"did you mean "config-changed"?"#), "{err}");
/// ```
pub fn check_hook(metadata: &Metadata, hook: &str) -> Result<(), Unreceivable> {
    if HOOKS.contains(&hook) {
        return Ok(());
    }
    match hooks::named_after(hook) {
        Some((endpoint, Named::Relation)) => {
            if endpoint == IMPLICIT_ENDPOINT || metadata.endpoint(endpoint).is_some() {
                Ok(())
            } else {
                Err(Unreceivable::NoEndpoint {
                    hook: hook.to_owned(),
                    endpoint: endpoint.to_owned(),
                    endpoints: list(metadata.relation_names()),
                })
            }
        }
        Some((_, Named::Storage | Named::Container)) => Ok(()),
        None => Err(Unreceivable::NotAHook {
            hook: hook.to_owned(),
            suggestion: match hooks::check(hook) {
                hooks::HookCheck::Unknown { suggestion } => suggestion,
                _ => None,
            },
        }),
    }
}

/// Whether Juju can run the action `action` for a charm with `actions`.
///
/// ```
/// use charm_runtime::facts::check_action;
/// use charm_runtime::metadata::ActionsSchema;
/// let actions = ActionsSchema::parse("backup: {}\n", "actions.yaml").unwrap();
/// assert!(check_action(&actions, "backup").is_ok());
/// assert!(check_action(&actions, "restore").unwrap_err().to_string().contains("(actions: backup)"));
/// ```
pub fn check_action(actions: &ActionsSchema, action: &str) -> Result<(), Unreceivable> {
    match actions.action(action) {
        Some(_) => Ok(()),
        None => Err(Unreceivable::NoAction {
            action: action.to_owned(),
            actions: list(actions.names()),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta() -> Metadata {
        Metadata::parse(
            "name: nrpe\nsubordinate: true\nrequires:\n  general-info: {interface: juju-info, scope: container}\npeers:\n  cluster: {interface: nrpe-peers}\n",
            "metadata.yaml",
        )
        .unwrap()
    }

    #[test]
    fn relation_hooks_need_a_declared_or_implicit_endpoint() {
        let meta = meta();
        for ok in [
            "general-info-relation-joined",
            "cluster-relation-departed",
            "juju-info-relation-changed",
            "data-storage-attached",
            "leader-elected",
        ] {
            assert_eq!(check_hook(&meta, ok), Ok(()), "{ok}");
        }
        assert_eq!(
            check_hook(&meta, "db-relation-joined")
                .unwrap_err()
                .to_string(),
            "hook db-relation-joined: endpoint \"db\" is not declared in the charm's metadata, \
             so Juju never runs it (endpoints: cluster, general-info)"
        );
        assert!(matches!(
            check_hook(&meta, "relation-joined"),
            Err(Unreceivable::NotAHook { .. })
        ));
    }
}
