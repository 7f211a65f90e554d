//! The names and grammars of a Juju charm, in one place: what the
//! `charm-macros` attributes check when a handler compiles and what
//! `charm-runtime` applies when a hook runs.
//!
//! - [`hook`]: Juju's hook names, the relation, storage and container hook
//!   templates, the restricted hooks, and `#[hook]` patterns (`{a,b}`
//!   alternation, `{role:interface}` groups);
//! - [`Role`]: `provides`, `requires`, `peers`;
//! - [`action`]: Juju's rule for action names;
//! - [`flag`]: flag names, the [`Flag`] constant type checked at compile
//!   time, the `{endpoint_name}` template of interface handlers and the
//!   `endpoint.<name>.*` flags;
//! - [`check_interface_name`], [`is_relation_name`]: names in metadata;
//! - [`UnitName`], [`check_application_name`]: application and unit names
//!   (`mysql/0`), as Juju gives them;
//! - [`closest`]: "did you mean" suggestions.
//!
//! ```
//! use charm_names::{Flag, Role, closest, hook};
//!
//! const INSTALLED: Flag = Flag::new("app.installed");
//! assert_eq!(INSTALLED, "app.installed");
//!
//! assert_eq!(
//!     hook::expand_alternation("db-relation-{joined,changed}").unwrap(),
//!     ["db-relation-joined", "db-relation-changed"]
//! );
//! assert!(hook::is_restricted("collect-metrics"));
//! assert_eq!("peers".parse::<Role>(), Ok(Role::Peers));
//! assert_eq!(closest("cach", ["db", "cache"]), Some("cache"));
//! ```

#![deny(missing_docs)]

pub mod action;
pub mod flag;
pub mod hook;
mod role;
mod unit;

use std::fmt;

pub use action::{ActionNameError, check_action_name};
pub use flag::{Flag, FlagNameError, check_flag_name, endpoint_of_flag};
pub use role::{Role, UnknownRole};
pub use unit::{ApplicationNameError, UnitName, UnitNameError, check_application_name};

/// The candidate closest to `word` by edit distance, if it is close enough
/// to be a typo of it: at most one edit per four characters of the
/// candidate (and at least one). An edit is an insertion, a deletion, a
/// substitution or a swap of two adjacent characters (optimal string
/// alignment). The first of equally close candidates wins.
///
/// ```
/// use charm_names::closest;
/// assert_eq!(closest("chnaged", ["changed", "joined"]), Some("changed"));
/// assert_eq!(closest("frobnicate", ["install", "start"]), None);
/// // Any string type: the candidate is returned as given.
/// let owned = vec!["website".to_owned(), "cluster".to_owned()];
/// assert_eq!(closest("webiste", owned).as_deref(), Some("website"));
/// ```
pub fn closest<S: AsRef<str>>(word: &str, candidates: impl IntoIterator<Item = S>) -> Option<S> {
    let mut best: Option<(usize, S)> = None;
    for candidate in candidates {
        let c = candidate.as_ref();
        let d = strsim::osa_distance(word, c);
        let limit = (c.chars().count() / 4).max(1);
        if d <= limit && best.as_ref().is_none_or(|(b, _)| d < *b) {
            best = Some((d, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// Whether `name` can name a relation (endpoint), a storage or a container
/// in a hook name: lowercase ASCII letters, digits and hyphens, starting
/// with a letter.
///
/// ```
/// use charm_names::is_relation_name;
/// assert!(is_relation_name("db-admin"));
/// assert!(!is_relation_name("Db"));
/// assert!(!is_relation_name("2db"));
/// assert!(!is_relation_name(""));
/// ```
pub fn is_relation_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Why a string is not an interface name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterfaceNameError {
    /// The name is empty.
    Empty,
    /// The name does not start with a lowercase ASCII letter.
    BadStart,
    /// The name contains this character, which is not a lowercase ASCII
    /// letter, a digit, `-` or `_`.
    BadChar(char),
}

impl fmt::Display for InterfaceNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InterfaceNameError::Empty => f.write_str("empty interface name"),
            InterfaceNameError::BadStart => {
                f.write_str("an interface name starts with a lowercase letter")
            }
            InterfaceNameError::BadChar(c) => write!(
                f,
                "{c:?} is not allowed: an interface name has lowercase letters, digits, hyphens and underscores"
            ),
        }
    }
}

impl std::error::Error for InterfaceNameError {}

/// Check an interface name, as in `metadata.yaml` (`interface: mysql`) or
/// `#[interface("hacluster")]`: lowercase ASCII letters, digits, hyphens
/// and underscores, starting with a letter.
///
/// ```
/// use charm_names::{InterfaceNameError, check_interface_name};
/// assert!(check_interface_name("mysql-root").is_ok());
/// assert!(check_interface_name("juju_info").is_ok());
/// assert_eq!(check_interface_name("MySQL"), Err(InterfaceNameError::BadStart));
/// assert_eq!(check_interface_name("my sql"), Err(InterfaceNameError::BadChar(' ')));
/// ```
pub fn check_interface_name(name: &str) -> Result<(), InterfaceNameError> {
    let mut chars = name.chars();
    match chars.next() {
        None => return Err(InterfaceNameError::Empty),
        Some(c) if !c.is_ascii_lowercase() => return Err(InterfaceNameError::BadStart),
        Some(_) => {}
    }
    match chars.find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-' || *c == '_'))
    {
        Some(c) => Err(InterfaceNameError::BadChar(c)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closest_allows_one_edit_per_four_characters() {
        // Swaps count once (optimal string alignment).
        assert_eq!(closest("chnaged", ["changed"]), Some("changed"));
        assert_eq!(closest("instal", ["install"]), Some("install"));
        assert_eq!(closest("strat", ["start"]), Some("start"));
        // Two edits on a five-character candidate: too far.
        assert_eq!(closest("stpo", ["start"]), None);
        // Short candidates still allow one edit.
        assert_eq!(closest("dbb", ["db"]), Some("db"));
        assert_eq!(closest("x", Vec::<String>::new()), None);
    }

    #[test]
    fn closest_prefers_the_first_of_equals_and_the_nearest() {
        assert_eq!(closest("ab", ["ac", "ad"]), Some("ac"));
        assert_eq!(closest("cache", ["cachf", "cache"]), Some("cache"));
    }

    #[test]
    fn relation_names() {
        assert!(is_relation_name("a"));
        assert!(is_relation_name("ha-2"));
        assert!(!is_relation_name("db_admin"));
        assert!(!is_relation_name("-db"));
        assert!(!is_relation_name("{requires:mysql}"));
    }

    #[test]
    fn interface_names() {
        assert_eq!(check_interface_name(""), Err(InterfaceNameError::Empty));
        assert_eq!(
            check_interface_name("1x"),
            Err(InterfaceNameError::BadStart)
        );
        assert_eq!(
            check_interface_name("http.x"),
            Err(InterfaceNameError::BadChar('.'))
        );
        assert!(check_interface_name("x").is_ok());
        assert!(
            InterfaceNameError::BadChar('.')
                .to_string()
                .contains("'.' is not allowed")
        );
    }
}
