//! Juju hooks: the fixed hook names, the templates of relation, storage
//! and container hooks, the restricted hooks, and the patterns of
//! `#[hook]` (charms.reactive's `@hook`): `{a,b}` alternation and
//! `{role:interface}` groups standing for the relations of that role and
//! interface in the charm's metadata.
//!
//! ```
//! use charm_names::hook::{self, HookCheck};
//!
//! assert_eq!(hook::check("install"), HookCheck::Known);
//! assert_eq!(hook::check("{requires:mysql}-relation-joined"), HookCheck::Known);
//! assert_eq!(
//!     hook::check("config-chnaged"),
//!     HookCheck::Unknown { suggestion: Some("config-changed".into()) }
//! );
//! let hooks = hook::expand_alternation("{a,b}-relation-joined").unwrap();
//! assert_eq!(hooks, ["a-relation-joined", "b-relation-joined"]);
//! ```

use std::fmt;

/// Hooks with a fixed name.
pub const HOOKS: [&str; 18] = [
    "install",
    "start",
    "stop",
    "remove",
    "config-changed",
    "update-status",
    "upgrade-charm",
    "leader-elected",
    "leader-settings-changed",
    "leader-deposed",
    "collect-metrics",
    "meter-status-changed",
    "pre-series-upgrade",
    "post-series-upgrade",
    "secret-changed",
    "secret-expired",
    "secret-remove",
    "secret-rotate",
];

/// Hooks charms.reactive runs in restricted mode: only its restricted
/// handlers run then, never `@hook` ones, nor flag handlers.
pub const RESTRICTED_HOOKS: [&str; 2] = ["collect-metrics", "meter-status-changed"];

/// Whether `hook` runs in restricted mode.
///
/// ```
/// assert!(charm_names::hook::is_restricted("meter-status-changed"));
/// assert!(!charm_names::hook::is_restricted("update-status"));
/// ```
pub fn is_restricted(hook: &str) -> bool {
    RESTRICTED_HOOKS.contains(&hook)
}

/// The suffixes of relation hooks: `<relation><suffix>`.
pub const RELATION_HOOK_SUFFIXES: [&str; 5] = [
    "-relation-created",
    "-relation-joined",
    "-relation-changed",
    "-relation-departed",
    "-relation-broken",
];

/// What the name of a templated hook is named after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named {
    /// A relation (endpoint) of `provides`, `requires` or `peers`.
    Relation,
    /// A storage of `storage:`.
    Storage,
    /// A workload container of `containers:`.
    Container,
}

impl Named {
    /// `relation`, `storage` or `container`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Named::Relation => "relation",
            Named::Storage => "storage",
            Named::Container => "container",
        }
    }
}

impl fmt::Display for Named {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A family of hooks named after something in the charm's metadata:
/// `<name><suffix>`.
#[derive(Debug, PartialEq, Eq)]
pub struct Template {
    /// What `<name>` is.
    pub named: Named,
    /// The part after the name (`-relation-joined`).
    pub suffix: &'static str,
}

const fn template(named: Named, suffix: &'static str) -> Template {
    Template { named, suffix }
}

/// The hook templates: relation hooks (the suffixes of
/// [`RELATION_HOOK_SUFFIXES`]), storage hooks, and workload container
/// (Pebble) hooks.
pub static TEMPLATES: [Template; 11] = [
    template(Named::Relation, RELATION_HOOK_SUFFIXES[0]),
    template(Named::Relation, RELATION_HOOK_SUFFIXES[1]),
    template(Named::Relation, RELATION_HOOK_SUFFIXES[2]),
    template(Named::Relation, RELATION_HOOK_SUFFIXES[3]),
    template(Named::Relation, RELATION_HOOK_SUFFIXES[4]),
    template(Named::Storage, "-storage-attached"),
    template(Named::Storage, "-storage-detaching"),
    template(Named::Container, "-pebble-ready"),
    template(Named::Container, "-pebble-custom-notice"),
    template(Named::Container, "-pebble-check-failed"),
    template(Named::Container, "-pebble-check-recovered"),
];

/// What a hook name (one alternative of a pattern, in which a
/// `{role:interface}` group may stand for a relation name) is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookCheck {
    /// A Juju hook.
    Known,
    /// A hook of restricted mode ([`RESTRICTED_HOOKS`]).
    Restricted,
    /// A template's suffix without the name (`relation-joined`).
    NeedsName(&'static Template),
    /// Not a Juju hook; maybe a typo of `suggestion`.
    Unknown {
        /// The hook it most likely is a typo of.
        suggestion: Option<String>,
    },
}

/// Whether `s` is exactly one `{role:interface}` group.
pub fn is_relation_group(s: &str) -> bool {
    s.strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .is_some_and(|inner| inner.contains(':') && !inner.contains(['{', '}']))
}

/// Whether `prefix` can stand before the suffix of `t`: a name, or for a
/// relation hook a `{role:interface}` group.
fn fits(prefix: &str, t: &Template) -> bool {
    crate::is_relation_name(prefix) || (t.named == Named::Relation && is_relation_group(prefix))
}

/// Judge one hook name, in which a `{role:interface}` group may stand for
/// a relation name.
pub fn check(hook: &str) -> HookCheck {
    if is_restricted(hook) {
        return HookCheck::Restricted;
    }
    if HOOKS.contains(&hook) {
        return HookCheck::Known;
    }
    for t in &TEMPLATES {
        if let Some(prefix) = hook.strip_suffix(t.suffix)
            && fits(prefix, t)
        {
            return HookCheck::Known;
        }
        if t.suffix.strip_prefix('-') == Some(hook) {
            return HookCheck::NeedsName(t);
        }
    }
    HookCheck::Unknown {
        suggestion: suggest(hook),
    }
}

/// The name a templated hook is named after, and what it names: `db` and
/// [`Named::Relation`] for `db-relation-joined`. `None` for a fixed hook,
/// or a name that is no Juju hook. The name may be a `{role:interface}`
/// group.
///
/// ```
/// use charm_names::hook::{Named, named_after};
/// assert_eq!(named_after("db-relation-joined"), Some(("db", Named::Relation)));
/// assert_eq!(named_after("data-storage-attached"), Some(("data", Named::Storage)));
/// assert_eq!(named_after("install"), None);
/// ```
pub fn named_after(hook: &str) -> Option<(&str, Named)> {
    TEMPLATES.iter().find_map(|t| {
        let prefix = hook.strip_suffix(t.suffix)?;
        fits(prefix, t).then_some((prefix, t.named))
    })
}

/// The Juju hook `hook` is most likely a typo of.
fn suggest(hook: &str) -> Option<String> {
    let fixed = HOOKS.iter().map(|h| (*h).to_owned());
    // Keep the name part as written: `cluster-relation-chnaged` can only
    // mean a hook of relation `cluster`.
    let templated = hook.match_indices('-').flat_map(|(i, _)| {
        let prefix = &hook[..i];
        TEMPLATES
            .iter()
            .filter(move |t| fits(prefix, t))
            .map(move |t| format!("{prefix}{}", t.suffix))
    });
    crate::closest(hook, fixed.chain(templated))
}

/// Unbalanced braces in a flag or a hook pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BraceError {
    /// `{` inside `{...}`.
    Nested,
    /// `}` without `{`.
    UnmatchedClose,
    /// `{` without `}`.
    Unclosed,
}

impl fmt::Display for BraceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BraceError::Nested => "`{` inside `{...}`",
            BraceError::UnmatchedClose => "`}` without `{`",
            BraceError::Unclosed => "`{` without `}`",
        })
    }
}

impl std::error::Error for BraceError {}

/// The contents of the `{...}` groups of `s`, in order, or why its braces
/// are unbalanced. Groups do not nest.
///
/// ```
/// use charm_names::hook::{BraceError, groups};
/// assert_eq!(groups("{a,b}-relation-{joined}"), Ok(vec!["a,b", "joined"]));
/// assert_eq!(groups("x-{a"), Err(BraceError::Unclosed));
/// ```
pub fn groups(s: &str) -> Result<Vec<&str>, BraceError> {
    let mut out = Vec::new();
    let mut open = None;
    for (i, c) in s.char_indices() {
        match (c, open) {
            ('{', Some(_)) => return Err(BraceError::Nested),
            ('{', None) => open = Some(i),
            ('}', None) => return Err(BraceError::UnmatchedClose),
            ('}', Some(start)) => {
                out.push(&s[start + 1..i]);
                open = None;
            }
            _ => {}
        }
    }
    match open {
        Some(_) => Err(BraceError::Unclosed),
        None => Ok(out),
    }
}

/// The role and interface of the contents of a `{role:interface}` group
/// (`requires:mysql`), split at the first `:`; `None` when there is no
/// `:` (an alternation group). Neither part is checked: see
/// [`crate::Role::parse`] and [`crate::check_interface_name`].
///
/// ```
/// use charm_names::hook::relation_group;
/// assert_eq!(relation_group("requires:mysql"), Some(("requires", "mysql")));
/// assert_eq!(relation_group("joined,changed"), None);
/// ```
pub fn relation_group(inner: &str) -> Option<(&str, &str)> {
    inner.split_once(':')
}

/// A hook pattern that cannot be expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PatternError {
    /// Its braces are unbalanced or nested.
    Braces(BraceError),
    /// An alternation group has an empty alternative (`{a,,b}`,
    /// `{joined,}`); `group` is its content.
    EmptyAlternative {
        /// The content of the group.
        group: String,
    },
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatternError::Braces(b) => b.fmt(f),
            PatternError::EmptyAlternative { group } => {
                write!(f, "empty alternative in `{{{group}}}`")
            }
        }
    }
}

impl std::error::Error for PatternError {}

impl From<BraceError> for PatternError {
    fn from(b: BraceError) -> Self {
        PatternError::Braces(b)
    }
}

/// The first `{...}` group of `p` whose content `accept`s, as byte
/// offsets of its braces. The braces of `p` are balanced.
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

/// Expand the `{a,b,c}` alternations of a hook pattern into every
/// combination, in written order, leaving `{role:interface}` groups in
/// place for [`expand_relation_groups`].
///
/// ```
/// use charm_names::hook::expand_alternation;
/// assert_eq!(
///     expand_alternation("{requires:mysql}-relation-{joined,changed}").unwrap(),
///     ["{requires:mysql}-relation-joined", "{requires:mysql}-relation-changed"]
/// );
/// assert!(expand_alternation("x-{a,,b}").is_err());
/// ```
pub fn expand_alternation(pattern: &str) -> Result<Vec<String>, PatternError> {
    groups(pattern)?;
    let mut done = Vec::new();
    let mut todo = vec![pattern.to_owned()];
    while let Some(p) = todo.pop() {
        match find_group(&p, |g| relation_group(g).is_none()) {
            None => done.push(p),
            Some((start, end)) => {
                let inner = &p[start + 1..end];
                if inner.split(',').any(str::is_empty) {
                    return Err(PatternError::EmptyAlternative {
                        group: inner.to_owned(),
                    });
                }
                // Pushed in reverse so that they come out in written order.
                for alt in inner.split(',').rev() {
                    todo.push(format!("{}{alt}{}", &p[..start], &p[end + 1..]));
                }
            }
        }
    }
    Ok(done)
}

/// Replace the `{role:interface}` groups of `pattern` (after
/// [`expand_alternation`]) with every relation `relations(role,
/// interface)` names, in the order given; a group naming none makes no
/// hook.
///
/// ```
/// use charm_names::hook::expand_relation_groups;
/// let relations = |role: &str, interface: &str| match (role, interface) {
///     ("requires", "mysql") => vec!["db".to_owned(), "db-admin".to_owned()],
///     _ => vec![],
/// };
/// assert_eq!(
///     expand_relation_groups("{requires:mysql}-relation-joined", &relations),
///     ["db-relation-joined", "db-admin-relation-joined"]
/// );
/// assert!(expand_relation_groups("{provides:http}-relation-joined", &relations).is_empty());
/// ```
pub fn expand_relation_groups(
    pattern: &str,
    relations: &dyn Fn(&str, &str) -> Vec<String>,
) -> Vec<String> {
    let mut done = Vec::new();
    let mut todo = vec![pattern.to_owned()];
    while let Some(p) = todo.pop() {
        match find_group(&p, |g| relation_group(g).is_some()) {
            None => done.push(p),
            Some((start, end)) => {
                let (role, interface) = relation_group(&p[start + 1..end]).unwrap_or(("", ""));
                for rel in relations(role, interface).into_iter().rev() {
                    todo.push(format!("{}{rel}{}", &p[..start], &p[end + 1..]));
                }
            }
        }
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_and_templated_hooks() {
        assert_eq!(check("install"), HookCheck::Known);
        assert_eq!(check("db-relation-joined"), HookCheck::Known);
        assert_eq!(check("{requires:mysql}-relation-joined"), HookCheck::Known);
        assert_eq!(check("data-storage-detaching"), HookCheck::Known);
        assert_eq!(check("workload-pebble-check-recovered"), HookCheck::Known);
        assert_eq!(check("collect-metrics"), HookCheck::Restricted);
        assert_eq!(check("meter-status-changed"), HookCheck::Restricted);
        assert_eq!(
            check("relation-joined"),
            HookCheck::NeedsName(&TEMPLATES[1])
        );
        assert!(matches!(
            check("Db-relation-joined"),
            HookCheck::Unknown { .. }
        ));
        assert!(matches!(
            check("{requires:mysql}-storage-attached"),
            HookCheck::Unknown { .. }
        ));
    }

    #[test]
    fn every_fixed_hook_is_known_or_restricted() {
        for h in HOOKS {
            let expected = if is_restricted(h) {
                HookCheck::Restricted
            } else {
                HookCheck::Known
            };
            assert_eq!(check(h), expected, "{h}");
        }
        for r in RESTRICTED_HOOKS {
            assert!(HOOKS.contains(&r));
        }
    }

    #[test]
    fn typos_get_suggestions() {
        let s = |h: &str| match check(h) {
            HookCheck::Unknown { suggestion } => suggestion,
            v => panic!("{h}: {v:?}"),
        };
        assert_eq!(s("config-chnaged").as_deref(), Some("config-changed"));
        assert_eq!(s("instal").as_deref(), Some("install"));
        assert_eq!(s("strat").as_deref(), Some("start"));
        assert_eq!(
            s("cluster-relation-chnaged").as_deref(),
            Some("cluster-relation-changed")
        );
        assert_eq!(
            s("db-relaton-joined").as_deref(),
            Some("db-relation-joined")
        );
        assert_eq!(
            s("{requires:mysql}-relation-joind").as_deref(),
            Some("{requires:mysql}-relation-joined")
        );
        assert_eq!(s("frobnicate"), None);
    }

    #[test]
    fn named_after_splits_templated_hooks() {
        assert_eq!(
            named_after("db-admin-relation-broken"),
            Some(("db-admin", Named::Relation))
        );
        assert_eq!(
            named_after("{requires:mysql}-relation-joined"),
            Some(("{requires:mysql}", Named::Relation))
        );
        assert_eq!(
            named_after("web-pebble-ready"),
            Some(("web", Named::Container))
        );
        assert_eq!(named_after("relation-joined"), None);
        assert_eq!(named_after("Db-relation-joined"), None);
        assert_eq!(named_after("{requires:mysql}-storage-attached"), None);
    }

    #[test]
    fn relation_groups() {
        assert!(is_relation_group("{requires:mysql}"));
        assert!(!is_relation_group("{a,b}"));
        assert!(!is_relation_group("{requires:mysql}x"));
        assert_eq!(relation_group("peers:"), Some(("peers", "")));
    }

    #[test]
    fn braces() {
        assert_eq!(groups("plain"), Ok(vec![]));
        assert_eq!(groups("{endpoint_name}.x"), Ok(vec!["endpoint_name"]));
        assert_eq!(groups("{a{b}}"), Err(BraceError::Nested));
        assert_eq!(
            groups("endpoint_name}.joined"),
            Err(BraceError::UnmatchedClose)
        );
        assert_eq!(groups("{endpoint_name.joined"), Err(BraceError::Unclosed));
        assert_eq!(BraceError::Unclosed.to_string(), "`{` without `}`");
    }

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
        assert_eq!(
            expand_alternation("{requires:x}-relation-{joined,changed}").unwrap(),
            [
                "{requires:x}-relation-joined",
                "{requires:x}-relation-changed"
            ]
        );
        assert_eq!(expand_alternation("install").unwrap(), ["install"]);
    }

    #[test]
    fn malformed_patterns_are_errors() {
        assert_eq!(
            expand_alternation("x-{a,b"),
            Err(PatternError::Braces(BraceError::Unclosed))
        );
        assert_eq!(
            expand_alternation("x-a}"),
            Err(PatternError::Braces(BraceError::UnmatchedClose))
        );
        let e = expand_alternation("x-{a,,b}").unwrap_err();
        assert_eq!(e.to_string(), "empty alternative in `{a,,b}`");
        let e = expand_alternation("x-relation-{joined,}").unwrap_err();
        assert_eq!(e.to_string(), "empty alternative in `{joined,}`");
    }

    #[test]
    fn relation_groups_resolve_in_order() {
        let rels = |role: &str, iface: &str| {
            if (role, iface) == ("requires", "mysql") {
                vec!["db".to_owned(), "db-admin".to_owned()]
            } else {
                vec![]
            }
        };
        assert_eq!(
            expand_relation_groups("{requires:mysql}-{requires:mysql}", &rels),
            ["db-db", "db-db-admin", "db-admin-db", "db-admin-db-admin"]
        );
        assert_eq!(expand_relation_groups("install", &rels), ["install"]);
        assert!(expand_relation_groups("{peers:x}-relation-joined", &rels).is_empty());
    }
}
