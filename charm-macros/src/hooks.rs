//! What the macros know of Juju hooks: the fixed hook names, the
//! templates of relation, storage and workload hooks, `{a,b}` alternation
//! in `#[hook]` patterns, and "did you mean" suggestions by edit distance.

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
/// handlers run then, never `@hook` ones.
pub const RESTRICTED: [&str; 2] = ["collect-metrics", "meter-status-changed"];

/// A family of hooks named after something in the charm's metadata:
/// `<name><suffix>`.
#[derive(Debug, PartialEq, Eq)]
pub struct Template {
    /// What `<name>` is: a relation, a storage, a container.
    pub what: &'static str,
    /// The part after the name.
    pub suffix: &'static str,
}

const fn template(what: &'static str, suffix: &'static str) -> Template {
    Template { what, suffix }
}

/// The hook templates.
pub static TEMPLATES: [Template; 11] = [
    template("relation", "-relation-created"),
    template("relation", "-relation-joined"),
    template("relation", "-relation-changed"),
    template("relation", "-relation-departed"),
    template("relation", "-relation-broken"),
    template("storage", "-storage-attached"),
    template("storage", "-storage-detaching"),
    template("container", "-pebble-ready"),
    template("container", "-pebble-custom-notice"),
    template("container", "-pebble-check-failed"),
    template("container", "-pebble-check-recovered"),
];

/// The roles of `{role:interface}` groups, as in `metadata.yaml`.
pub const ROLES: [&str; 3] = ["provides", "requires", "peers"];

/// What a hook name (one alternative of a pattern) is.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A Juju hook.
    Known,
    /// A hook of restricted mode.
    Restricted,
    /// A template's suffix without the name (`relation-joined`).
    NeedsName(&'static Template),
    /// Not a Juju hook; maybe a typo of `suggestion`.
    Unknown { suggestion: Option<String> },
}

/// Whether `name` can be the name of a relation, storage or container:
/// lowercase letters, digits and hyphens, starting with a letter.
pub fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Whether `s` is one `{role:interface}` group.
pub fn is_relation_group(s: &str) -> bool {
    s.strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .is_some_and(|inner| inner.contains(':') && !inner.contains(['{', '}']))
}

/// Whether `prefix` can stand before the suffix of `t`: a name, or for a
/// relation hook a `{role:interface}` group.
fn fits(prefix: &str, t: &Template) -> bool {
    is_name(prefix) || (t.what == "relation" && is_relation_group(prefix))
}

/// Judge one hook name, in which a `{role:interface}` group may stand for
/// a relation name.
pub fn check(hook: &str) -> Verdict {
    if RESTRICTED.contains(&hook) {
        return Verdict::Restricted;
    }
    if HOOKS.contains(&hook) {
        return Verdict::Known;
    }
    for t in &TEMPLATES {
        if let Some(prefix) = hook.strip_suffix(t.suffix)
            && fits(prefix, t)
        {
            return Verdict::Known;
        }
        if t.suffix.strip_prefix('-') == Some(hook) {
            return Verdict::NeedsName(t);
        }
    }
    Verdict::Unknown {
        suggestion: suggest(hook),
    }
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
    closest(hook, fixed.chain(templated))
}

/// The candidate closest to `word` by edit distance, if it is close enough
/// to be a typo of it. The first of equally close candidates wins.
pub fn closest(word: &str, candidates: impl IntoIterator<Item = String>) -> Option<String> {
    let mut best: Option<(usize, String)> = None;
    for candidate in candidates {
        let d = distance(word, &candidate);
        let limit = (candidate.chars().count() / 4).max(1);
        if d <= limit && best.as_ref().is_none_or(|(b, _)| d < *b) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Edit distance counting an insertion, a deletion, a substitution or a
/// swap of two adjacent characters as one edit (optimal string alignment).
pub fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // d[i][j]: distance between a[..i] and b[..j].
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut v = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = v;
        }
    }
    d[a.len()][b.len()]
}

/// Expand the `{a,b}` alternations of `pattern`, in written order, leaving
/// `{role:interface}` groups in place (as charm-runtime does at run time).
/// `pattern`'s braces must be balanced and not nested.
pub fn expand_alternation(pattern: &str) -> Result<Vec<String>, String> {
    let mut done = Vec::new();
    let mut todo = vec![pattern.to_owned()];
    while let Some(p) = todo.pop() {
        let mut from = 0;
        let group = loop {
            let Some(start) = p[from..].find('{').map(|i| from + i) else {
                break None;
            };
            let end = start + p[start..].find('}').expect("braces are balanced");
            if p[start + 1..end].contains(':') {
                from = end + 1;
            } else {
                break Some((start, end));
            }
        };
        match group {
            None => done.push(p),
            Some((start, end)) => {
                let inner = &p[start + 1..end];
                if inner.split(',').any(str::is_empty) {
                    return Err(format!("empty alternative in `{{{inner}}}`"));
                }
                for alt in inner.split(',').rev() {
                    todo.push(format!("{}{alt}{}", &p[..start], &p[end + 1..]));
                }
            }
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_and_templated_hooks() {
        assert_eq!(check("install"), Verdict::Known);
        assert_eq!(check("db-relation-joined"), Verdict::Known);
        assert_eq!(check("{requires:mysql}-relation-joined"), Verdict::Known);
        assert_eq!(check("data-storage-detaching"), Verdict::Known);
        assert_eq!(check("workload-pebble-check-recovered"), Verdict::Known);
        assert_eq!(check("collect-metrics"), Verdict::Restricted);
        assert_eq!(check("relation-joined"), Verdict::NeedsName(&TEMPLATES[1]));
        assert!(matches!(
            check("Db-relation-joined"),
            Verdict::Unknown { .. }
        ));
        assert!(matches!(
            check("{requires:mysql}-storage-attached"),
            Verdict::Unknown { .. }
        ));
    }

    #[test]
    fn typos_get_suggestions() {
        let s = |h: &str| match check(h) {
            Verdict::Unknown { suggestion } => suggestion,
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
    fn distance_counts_swaps_once() {
        assert_eq!(distance("chnaged", "changed"), 1);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn alternation() {
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
        assert!(expand_alternation("x-{a,,b}").is_err());
    }
}
