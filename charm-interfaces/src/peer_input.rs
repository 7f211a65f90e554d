//! Checks on what a remote unit published, shared by the peer interfaces:
//! how a rejected value is shown in a message (quoted when short, by its
//! size when long, so that a 1 MiB value never reaches a log whole) and
//! the typed error naming the unit, the key and the reason.

use std::fmt;

/// The longest value quoted whole in a message; a longer one is shown by
/// its size.
pub const SHOWN_MAX: usize = 64;

/// `value` as a message shows it: Rust-quoted (control characters and
/// quotes escaped) up to [`SHOWN_MAX`] bytes, else `a value of N bytes`.
///
/// ```
/// use charm_interfaces::peer_input::shown;
/// assert_eq!(shown("10.0.0.1"), "\"10.0.0.1\"");
/// assert_eq!(shown("a\0b"), "\"a\\0b\"");
/// assert_eq!(shown(&"x".repeat(1 << 20)), "a value of 1048576 bytes");
/// ```
pub fn shown(value: &str) -> String {
    if value.len() <= SHOWN_MAX {
        format!("{value:?}")
    } else {
        format!("a value of {} bytes", value.len())
    }
}

/// A value a remote unit published that is refused: which unit, which
/// key, what the value was (see [`shown`]; never the value of a secret)
/// and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("peer {unit} published an invalid {key}{shown}: {reason}; ignored")]
pub struct InvalidPeerValue {
    /// The remote unit (`app/1`).
    pub unit: String,
    /// The relation key.
    pub key: String,
    /// ` <value as shown>`, or empty for a secret.
    shown: String,
    /// Why it is refused.
    pub reason: Reason,
}

impl InvalidPeerValue {
    /// The value of `key` published by `unit` is refused for `reason`; it
    /// is shown (see [`shown`]) unless `secret`.
    pub fn new(unit: &str, key: &str, value: Option<&str>, reason: Reason) -> Self {
        Self {
            unit: unit.to_owned(),
            key: key.to_owned(),
            shown: value.map(|v| format!(" {}", shown(v))).unwrap_or_default(),
            reason,
        }
    }
}

/// Why a published value is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Longer than allowed.
    TooLong {
        /// Its length, in characters.
        len: usize,
        /// The most allowed.
        max: usize,
    },
    /// It contains a character that is not allowed (a quote, a NUL, a
    /// control character, ...).
    Character(char),
    /// Not of the expected kind (the text says what was expected).
    Expected(&'static str),
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::TooLong { len, max } => {
                write!(f, "{len} characters, more than the {max} allowed")
            }
            Self::Character(c) => write!(f, "the character {c:?} is not allowed"),
            Self::Expected(what) => write!(f, "expected {what}"),
        }
    }
}
