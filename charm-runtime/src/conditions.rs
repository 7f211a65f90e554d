//! Handler conditions: flag predicates and hook-name patterns.

use std::collections::BTreeSet;

/// A condition on a handler, as the decorators of charms.reactive express
/// them. Conditions on one handler combine with AND.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// Every flag is set (`@when`, `@when_all`).
    WhenAll(Vec<String>),
    /// At least one flag is set (`@when_any`).
    WhenAny(Vec<String>),
    /// No flag is set (`@when_not`, `@when_none`).
    WhenNone(Vec<String>),
    /// At least one flag is unset (`@when_not_all`).
    WhenNotAll(Vec<String>),
    /// The current hook matches one of the patterns (`@hook`), in the hook
    /// phase only. Patterns accept `{a,b}` alternation and
    /// `{role:interface}` relation lookup.
    Hook(Vec<String>),
    /// A restricted hook (`collect-metrics`, `meter-status-changed`).
    RestrictedHook(String),
    /// One of the files' content hash changed since the last check
    /// (`@when_file_changed`).
    FileChanged(Vec<String>),
    /// Run at most once over the unit's life (`@only_once`).
    OnlyOnce,
    /// Juju is running the action of that name (`juju run <unit> <name>`).
    ///
    /// An action handler has no other condition, and runs in actions only:
    /// when Juju runs an action, the handlers of that action run, in
    /// registration order, and nothing else does (see
    /// [`crate::reactive::dispatch_action`]).
    Action(String),
}

impl Condition {
    /// The decorator name, for messages and traces.
    pub fn name(&self) -> &'static str {
        match self {
            Condition::WhenAll(_) => "when_all",
            Condition::WhenAny(_) => "when_any",
            Condition::WhenNone(_) => "when_none",
            Condition::WhenNotAll(_) => "when_not_all",
            Condition::Hook(_) => "hook",
            Condition::RestrictedHook(_) => "restricted_hook",
            Condition::FileChanged(_) => "when_file_changed",
            Condition::OnlyOnce => "only_once",
            Condition::Action(_) => "action",
        }
    }
}

/// Expand `{a,b,c}` alternations in a hook pattern, leaving
/// `{role:interface}` groups in place for [`expand_relation_groups`]
/// (the grammar of `charm_names::hook::expand_alternation`, with the
/// error as a message).
///
/// ```
/// let hooks = charm_runtime::conditions::expand_alternation("db-relation-{joined,changed}").unwrap();
/// assert_eq!(hooks, ["db-relation-joined", "db-relation-changed"]);
/// ```
pub fn expand_alternation(pattern: &str) -> Result<Vec<String>, String> {
    charm_names::hook::expand_alternation(pattern).map_err(|e| e.to_string())
}

/// Replace `{role:interface}` groups using `relations(role, interface)`,
/// which names the relations of that role and interface in metadata
/// (`charm_names::hook::expand_relation_groups`).
pub fn expand_relation_groups(
    pattern: &str,
    relations: &dyn Fn(&str, &str) -> Vec<String>,
) -> Vec<String> {
    charm_names::hook::expand_relation_groups(pattern, relations)
}

/// A compiled `@hook` condition: exact names plus relation-group patterns
/// resolved against metadata when the hook runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HookMatcher {
    exact: BTreeSet<String>,
    with_groups: Vec<String>,
}

impl HookMatcher {
    /// Compile `patterns`, expanding alternations.
    pub fn new(patterns: &[String]) -> Result<Self, (String, String)> {
        let mut m = HookMatcher::default();
        for pattern in patterns {
            let expanded = expand_alternation(pattern).map_err(|e| (pattern.clone(), e))?;
            for p in expanded {
                if p.contains('{') {
                    m.with_groups.push(p);
                } else {
                    m.exact.insert(p);
                }
            }
        }
        Ok(m)
    }

    /// Whether `hook` matches; `relations` resolves `{role:interface}`.
    pub fn matches(&self, hook: &str, relations: &dyn Fn(&str, &str) -> Vec<String>) -> bool {
        self.exact.contains(hook)
            || self.with_groups.iter().any(|p| {
                expand_relation_groups(p, relations)
                    .iter()
                    .any(|h| h == hook)
            })
    }

    /// The exact hook names this matcher accepts.
    pub fn exact_names(&self) -> impl Iterator<Item = &str> {
        self.exact.iter().map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_patterns_are_errors() {
        assert!(expand_alternation("x-{a,b").is_err());
        assert!(expand_alternation("x-a}").is_err());
        assert!(expand_alternation("x-{a,,b}").is_err());
    }

    #[test]
    fn relation_groups_resolve_through_metadata() {
        let m = HookMatcher::new(&["{requires:mysql}-relation-{joined,changed}".into()]).unwrap();
        let rels = |role: &str, iface: &str| {
            if (role, iface) == ("requires", "mysql") {
                vec!["db".to_owned(), "db-admin".to_owned()]
            } else {
                vec![]
            }
        };
        assert!(m.matches("db-admin-relation-changed", &rels));
        assert!(m.matches("db-relation-joined", &rels));
        assert!(!m.matches("db-relation-departed", &rels));
        assert!(!m.matches("db-relation-joined", &|_: &str, _: &str| vec![]));
    }
}
