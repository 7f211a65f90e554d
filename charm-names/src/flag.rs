//! Flag names: their grammar, the [`Flag`] constant type checked at
//! compile time, the `{endpoint_name}` template of interface handlers, and
//! the `endpoint.<name>.*` flags of endpoints.
//!
//! A flag name is one word: not empty, no whitespace. Braces are only
//! allowed around the one placeholder, `{endpoint_name}`, which interface
//! handlers use and which is replaced by the name of the endpoint each
//! handler is instantiated for.
//!
//! ```
//! use charm_names::flag::{self, Flag};
//!
//! const JOINED: Flag = Flag::new("endpoint.{endpoint_name}.joined");
//! assert!(JOINED.is_template());
//! let joined = flag::expand_endpoint_name(JOINED.name(), "db");
//! assert_eq!(joined, "endpoint.db.joined");
//! assert_eq!(flag::endpoint_of_flag(&joined), Some("db"));
//! ```

use std::fmt;

use crate::hook::BraceError;

/// The placeholder of interface handlers' flags and hook patterns.
pub const ENDPOINT_NAME: &str = "{endpoint_name}";

/// The prefix of the flags the runtime manages for each endpoint
/// (`endpoint.db.joined`).
pub const ENDPOINT_FLAG_PREFIX: &str = "endpoint.";

/// Why a string cannot be a flag name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlagNameError {
    /// The name is empty.
    Empty,
    /// The name contains whitespace.
    Whitespace,
    /// The braces of the name are unbalanced or nested.
    Braces(BraceError),
    /// A `{...}` group other than `{endpoint_name}`; `placeholder` is the
    /// group with its braces.
    UnknownPlaceholder {
        /// The group, braces included (`{foo}`).
        placeholder: String,
    },
}

impl fmt::Display for FlagNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FlagNameError::Empty => f.write_str("empty flag name"),
            FlagNameError::Whitespace => f.write_str(
                "a flag name contains no whitespace; flags are single words such as `db.available`",
            ),
            FlagNameError::Braces(b) => write!(f, "unbalanced braces: {b}"),
            FlagNameError::UnknownPlaceholder { placeholder } => write!(
                f,
                "unknown placeholder `{placeholder}`: the only placeholder is `{ENDPOINT_NAME}`"
            ),
        }
    }
}

impl std::error::Error for FlagNameError {}

/// The first problem of a flag name, as `scan` finds it (usable in
/// `const fn`): the kind, and for an unknown placeholder its byte range.
#[derive(Clone, Copy)]
enum Problem {
    Empty,
    Whitespace,
    Braces(BraceError),
    Placeholder { start: usize, end: usize },
}

/// The character starting at byte `i` of the valid UTF-8 `b`, and its
/// length.
const fn decode(b: &[u8], i: usize) -> (char, usize) {
    let first = b[i] as u32;
    let (len, mut code) = if first < 0x80 {
        (1, first)
    } else if first < 0xE0 {
        (2, first & 0x1F)
    } else if first < 0xF0 {
        (3, first & 0x0F)
    } else {
        (4, first & 0x07)
    };
    let mut k = 1;
    while k < len {
        code = (code << 6) | (b[i + k] as u32 & 0x3F);
        k += 1;
    }
    match char::from_u32(code) {
        Some(c) => (c, len),
        None => (char::REPLACEMENT_CHARACTER, len),
    }
}

/// Whether `b[start..end]` is `endpoint_name`.
const fn is_endpoint_name(b: &[u8], start: usize, end: usize) -> bool {
    let want = b"endpoint_name";
    if end - start != want.len() {
        return false;
    }
    let mut k = 0;
    while k < want.len() {
        if b[start + k] != want[k] {
            return false;
        }
        k += 1;
    }
    true
}

/// The grammar of flag names, in a form `Flag::new` can run at compile
/// time.
const fn scan(name: &str) -> Result<(), Problem> {
    let b = name.as_bytes();
    if b.is_empty() {
        return Err(Problem::Empty);
    }
    let mut i = 0;
    while i < b.len() {
        let (c, len) = decode(b, i);
        if c.is_whitespace() {
            return Err(Problem::Whitespace);
        }
        i += len;
    }
    let mut open: Option<usize> = None;
    i = 0;
    while i < b.len() {
        match (b[i], open) {
            (b'{', Some(_)) => return Err(Problem::Braces(BraceError::Nested)),
            (b'{', None) => open = Some(i),
            (b'}', None) => return Err(Problem::Braces(BraceError::UnmatchedClose)),
            (b'}', Some(start)) => {
                if !is_endpoint_name(b, start + 1, i) {
                    return Err(Problem::Placeholder { start, end: i + 1 });
                }
                open = None;
            }
            _ => {}
        }
        i += 1;
    }
    match open {
        Some(_) => Err(Problem::Braces(BraceError::Unclosed)),
        None => Ok(()),
    }
}

/// Check a flag name: not empty, no whitespace, balanced braces, and no
/// placeholder but `{endpoint_name}`. Where `{endpoint_name}` may be used
/// (only in interface handlers) is for the caller to check
/// ([`has_endpoint_name`]).
///
/// ```
/// use charm_names::flag::{FlagNameError, check_flag_name};
/// use charm_names::hook::BraceError;
/// assert!(check_flag_name("db.available").is_ok());
/// assert!(check_flag_name("endpoint.{endpoint_name}.joined").is_ok());
/// assert_eq!(check_flag_name("app installed"), Err(FlagNameError::Whitespace));
/// assert_eq!(check_flag_name("{app"), Err(FlagNameError::Braces(BraceError::Unclosed)));
/// assert_eq!(
///     check_flag_name("endpoint.{foo}.joined"),
///     Err(FlagNameError::UnknownPlaceholder { placeholder: "{foo}".into() })
/// );
/// ```
pub fn check_flag_name(name: &str) -> Result<(), FlagNameError> {
    scan(name).map_err(|p| match p {
        Problem::Empty => FlagNameError::Empty,
        Problem::Whitespace => FlagNameError::Whitespace,
        Problem::Braces(b) => FlagNameError::Braces(b),
        Problem::Placeholder { start, end } => FlagNameError::UnknownPlaceholder {
            placeholder: name[start..end].to_owned(),
        },
    })
}

/// Whether `s` (a flag or a hook pattern) uses the `{endpoint_name}`
/// placeholder.
///
/// ```
/// assert!(charm_names::flag::has_endpoint_name("{endpoint_name}.connected"));
/// assert!(!charm_names::flag::has_endpoint_name("endpoint.db.joined"));
/// ```
pub fn has_endpoint_name(s: &str) -> bool {
    s.contains(ENDPOINT_NAME)
}

/// `template` (a flag or a hook pattern of an interface handler) for the
/// endpoint `endpoint`: every `{endpoint_name}` replaced by its name.
///
/// ```
/// use charm_names::flag::expand_endpoint_name;
/// assert_eq!(expand_endpoint_name("{endpoint_name}-relation-joined", "ha"), "ha-relation-joined");
/// assert_eq!(expand_endpoint_name("app.ready", "ha"), "app.ready");
/// ```
pub fn expand_endpoint_name(template: &str, endpoint: &str) -> String {
    template.replace(ENDPOINT_NAME, endpoint)
}

/// The flag `endpoint.<endpoint>.<suffix>`.
///
/// ```
/// assert_eq!(charm_names::flag::endpoint_flag("db", "joined"), "endpoint.db.joined");
/// ```
pub fn endpoint_flag(endpoint: &str, suffix: &str) -> String {
    format!("{ENDPOINT_FLAG_PREFIX}{endpoint}.{suffix}")
}

/// A flag as an endpoint's methods take it: one with `{endpoint_name}` is
/// expanded for `endpoint`, one without is the endpoint's own flag
/// `endpoint.<endpoint>.<flag>`.
///
/// ```
/// use charm_names::flag::complete_endpoint_flag;
/// assert_eq!(complete_endpoint_flag("joined", "db"), "endpoint.db.joined");
/// assert_eq!(complete_endpoint_flag("{endpoint_name}.ready", "db"), "db.ready");
/// ```
pub fn complete_endpoint_flag(flag: &str, endpoint: &str) -> String {
    if has_endpoint_name(flag) {
        expand_endpoint_name(flag, endpoint)
    } else {
        endpoint_flag(endpoint, flag)
    }
}

/// The endpoint an `endpoint.<name>.*` flag is about: the part after
/// `endpoint.` up to the next dot (or the end). `None` for other flags,
/// and when that part is empty.
///
/// ```
/// use charm_names::flag::endpoint_of_flag;
/// assert_eq!(endpoint_of_flag("endpoint.db.joined"), Some("db"));
/// assert_eq!(endpoint_of_flag("endpoint.db"), Some("db"));
/// assert_eq!(endpoint_of_flag("db.available"), None);
/// assert_eq!(endpoint_of_flag("endpoint..joined"), None);
/// ```
pub fn endpoint_of_flag(flag: &str) -> Option<&str> {
    let rest = flag.strip_prefix(ENDPOINT_FLAG_PREFIX)?;
    let name = rest.split('.').next()?;
    (!name.is_empty()).then_some(name)
}

/// A flag name, checked when it is defined: `Flag::new` is a `const fn`
/// that panics on an invalid name, so that a constant with an invalid
/// name is a compile error.
///
/// ```
/// use charm_names::Flag;
///
/// const INSTALLED: Flag = Flag::new("app.installed");
/// assert_eq!(INSTALLED.name(), "app.installed");
/// assert_eq!(INSTALLED, "app.installed");
/// assert_eq!(INSTALLED.to_string(), "app.installed");
/// let s: &str = INSTALLED.as_ref();
/// assert_eq!(s, "app.installed");
/// ```
///
/// An invalid name does not compile:
///
/// ```compile_fail
/// const BAD: charm_names::Flag = charm_names::Flag::new("app installed");
/// ```
///
/// The rules are those of [`check_flag_name`]; `charm-macros` accepts a
/// `Flag` constant wherever it accepts a flag literal
/// (`#[when(INSTALLED)]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Flag(&'static str);

impl Flag {
    /// The flag named `name`.
    ///
    /// # Panics
    ///
    /// When `name` is not a valid flag name ([`check_flag_name`]); in a
    /// constant, that is a compile error.
    pub const fn new(name: &'static str) -> Flag {
        match scan(name) {
            Ok(()) => Flag(name),
            Err(Problem::Empty) => panic!("invalid flag name: empty"),
            Err(Problem::Whitespace) => panic!(
                "invalid flag name: it contains whitespace; flags are single words such as `db.available`"
            ),
            Err(Problem::Braces(BraceError::Nested)) => {
                panic!("invalid flag name: unbalanced braces: `{{` inside `{{...}}`")
            }
            Err(Problem::Braces(BraceError::UnmatchedClose)) => {
                panic!("invalid flag name: unbalanced braces: `}}` without `{{`")
            }
            Err(Problem::Braces(BraceError::Unclosed)) => {
                panic!("invalid flag name: unbalanced braces: `{{` without `}}`")
            }
            Err(Problem::Placeholder { .. }) => panic!(
                "invalid flag name: unknown placeholder; the only placeholder is `{{endpoint_name}}`"
            ),
        }
    }

    /// The flag's name.
    pub const fn name(self) -> &'static str {
        self.0
    }

    /// Whether the name uses `{endpoint_name}`: a flag of interface
    /// handlers, completed for each endpoint.
    ///
    /// ```
    /// use charm_names::Flag;
    /// assert!(Flag::new("{endpoint_name}.ready").is_template());
    /// assert!(!Flag::new("app.ready").is_template());
    /// ```
    pub const fn is_template(self) -> bool {
        let b = self.0.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'{' {
                return true;
            }
            i += 1;
        }
        false
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl AsRef<str> for Flag {
    fn as_ref(&self) -> &str {
        self.0
    }
}

/// So that a `Flag` goes wherever flag names are taken as `Into<String>`
/// (`charm_runtime::Handler::when([INSTALLED])`).
///
/// ```
/// const READY: charm_names::Flag = charm_names::Flag::new("app.ready");
/// let names: Vec<String> = [READY].into_iter().map(Into::into).collect();
/// assert_eq!(names, ["app.ready"]);
/// ```
impl From<Flag> for String {
    fn from(flag: Flag) -> String {
        flag.0.to_owned()
    }
}

impl From<Flag> for &'static str {
    fn from(flag: Flag) -> &'static str {
        flag.0
    }
}

impl PartialEq<&str> for Flag {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<str> for Flag {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<Flag> for &str {
    fn eq(&self, other: &Flag) -> bool {
        *self == other.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_flags() {
        for f in [
            "a",
            "db.available",
            "endpoint.{endpoint_name}.joined",
            "{endpoint_name}.{endpoint_name}",
            "app.étoile",
            "config.set.port",
        ] {
            assert_eq!(check_flag_name(f), Ok(()), "{f}");
            assert_eq!(Flag::new(f).name(), f);
        }
    }

    #[test]
    fn invalid_flags() {
        assert_eq!(check_flag_name(""), Err(FlagNameError::Empty));
        assert_eq!(check_flag_name("a b"), Err(FlagNameError::Whitespace));
        assert_eq!(check_flag_name("a\tb"), Err(FlagNameError::Whitespace));
        // Unicode whitespace too: a no-break space.
        assert_eq!(check_flag_name("a\u{a0}b"), Err(FlagNameError::Whitespace));
        assert_eq!(
            check_flag_name("{endpoint_name.joined"),
            Err(FlagNameError::Braces(BraceError::Unclosed))
        );
        assert_eq!(
            check_flag_name("endpoint_name}.joined"),
            Err(FlagNameError::Braces(BraceError::UnmatchedClose))
        );
        assert_eq!(
            check_flag_name("{a{endpoint_name}}"),
            Err(FlagNameError::Braces(BraceError::Nested))
        );
        assert_eq!(
            check_flag_name("app.{}"),
            Err(FlagNameError::UnknownPlaceholder {
                placeholder: "{}".into()
            })
        );
        assert_eq!(
            check_flag_name("x.{endpoint_name}.{Endpoint_Name}"),
            Err(FlagNameError::UnknownPlaceholder {
                placeholder: "{Endpoint_Name}".into()
            })
        );
    }

    #[test]
    fn messages() {
        assert_eq!(
            check_flag_name("{x").unwrap_err().to_string(),
            "unbalanced braces: `{` without `}`"
        );
        assert_eq!(
            check_flag_name("a.{b}").unwrap_err().to_string(),
            "unknown placeholder `{b}`: the only placeholder is `{endpoint_name}`"
        );
    }

    #[test]
    #[should_panic(expected = "invalid flag name: it contains whitespace")]
    fn flag_new_panics_at_run_time_too() {
        let name = ["app", "installed"].join(" ");
        let _ = Flag::new(name.leak());
    }

    #[test]
    fn flag_compares_with_strings() {
        const READY: Flag = Flag::new("app.ready");
        assert_eq!(READY, "app.ready");
        assert_eq!("app.ready", READY);
        assert_ne!(READY, "app.started");
        assert!(READY == *"app.ready");
        assert_eq!(format!("{READY}"), "app.ready");
        assert!(!READY.is_template());
        assert_eq!(String::from(READY), "app.ready");
        assert_eq!(<&str>::from(READY), "app.ready");
    }

    #[test]
    fn endpoint_flags() {
        assert_eq!(
            endpoint_of_flag("endpoint.db-admin.changed.x"),
            Some("db-admin")
        );
        assert_eq!(endpoint_of_flag("endpoint."), None);
        assert_eq!(endpoint_of_flag("endpoints.db.joined"), None);
        assert_eq!(
            endpoint_of_flag("endpoint.{endpoint_name}.joined"),
            Some("{endpoint_name}")
        );
        assert_eq!(endpoint_flag("ha", "changed"), "endpoint.ha.changed");
        assert_eq!(
            complete_endpoint_flag("changed", "ha"),
            "endpoint.ha.changed"
        );
        assert_eq!(
            expand_endpoint_name("{endpoint_name}.{endpoint_name}", "x"),
            "x.x"
        );
    }
}
