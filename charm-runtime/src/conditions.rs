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
    /// [`crate::dispatch::dispatch_action`]).
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
/// `{role:interface}` groups in place for [`expand_relation_groups`].
///
/// ```
/// let hooks = charm_runtime::conditions::expand_alternation("db-relation-{joined,changed}").unwrap();
/// assert_eq!(hooks, ["db-relation-joined", "db-relation-changed"]);
/// ```
pub fn expand_alternation(pattern: &str) -> Result<Vec<String>, String> {
    check_braces(pattern)?;
    let mut done = Vec::new();
    let mut todo = vec![pattern.to_owned()];
    while let Some(p) = todo.pop() {
        match find_group(&p, |g| !g.contains(':')) {
            None => done.push(p),
            Some((start, end)) => {
                let inner = &p[start + 1..end];
                if inner.split(',').any(str::is_empty) {
                    return Err(format!("empty alternative in {{{inner}}}"));
                }
                // Push in reverse so alternatives come out in written order.
                for alt in inner.split(',').rev() {
                    todo.push(format!("{}{}{}", &p[..start], alt, &p[end + 1..]));
                }
            }
        }
    }
    Ok(done)
}

/// Replace `{role:interface}` groups using `relations(role, interface)`,
/// which names the relations of that role and interface in metadata.
pub fn expand_relation_groups(
    pattern: &str,
    relations: &dyn Fn(&str, &str) -> Vec<String>,
) -> Vec<String> {
    let mut done = Vec::new();
    let mut todo = vec![pattern.to_owned()];
    while let Some(p) = todo.pop() {
        match find_group(&p, |g| g.contains(':')) {
            None => done.push(p),
            Some((start, end)) => {
                let (role, interface) = p[start + 1..end].split_once(':').unwrap_or(("", ""));
                for rel in relations(role, interface).into_iter().rev() {
                    todo.push(format!("{}{}{}", &p[..start], rel, &p[end + 1..]));
                }
            }
        }
    }
    done.reverse();
    done
}

fn check_braces(pattern: &str) -> Result<(), String> {
    let mut depth = 0usize;
    for c in pattern.chars() {
        match c {
            '{' if depth > 0 => return Err("nested `{` in pattern".to_owned()),
            '{' => depth += 1,
            '}' if depth == 0 => return Err("`}` without `{`".to_owned()),
            '}' => depth -= 1,
            _ => {}
        }
    }
    if depth > 0 {
        return Err("`{` without `}`".to_owned());
    }
    Ok(())
}

fn find_group(p: &str, accept: impl Fn(&str) -> bool) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(rel_start) = p[from..].find('{') {
        let start = from + rel_start;
        let end = start + p[start..].find('}')?;
        if accept(&p[start + 1..end]) {
            return Some((start, end));
        }
        from = end + 1;
    }
    None
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
    fn alternation_multiplies_out_in_order() {
        assert_eq!(
            expand_alternation("{a,b}-relation-{joined,changed}").unwrap(),
            [
                "a-relation-joined",
                "a-relation-changed",
                "b-relation-joined",
                "b-relation-changed"
            ]
        );
    }

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
