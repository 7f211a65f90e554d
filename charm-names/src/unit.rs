//! Juju's application and unit names.
//!
//! An application name is lowercase ASCII letters, digits and hyphens,
//! starts with a letter, and each part between hyphens holds a letter
//! (`mysql-innodb-cluster`, `ceph-osd`; not `web-1`, `-db`, `db-`). A unit
//! name is `<application>/<number>`, the number decimal without a leading
//! zero (`mysql/0`, `mysql/12`; not `mysql/01`, `mysql/-1`, `mysql`).

use std::fmt;

/// Why a text is not an application or unit name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitNameError {
    /// No `/` between an application and a number.
    NoSlash,
    /// The application part is not an application name.
    Application(ApplicationNameError),
    /// The number part is not a decimal number without a leading zero.
    Number,
}

impl fmt::Display for UnitNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoSlash => f.write_str("a unit name is <application>/<number>"),
            Self::Application(e) => write!(f, "bad application part: {e}"),
            Self::Number => f.write_str(
                "the unit number is not a decimal number below 2^64 without a leading zero",
            ),
        }
    }
}

impl std::error::Error for UnitNameError {}

/// Why a text is not an application name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplicationNameError {
    /// It is empty.
    Empty,
    /// It does not start with a lowercase letter.
    BadStart,
    /// It holds a character other than a lowercase letter, digit or hyphen.
    BadChar(char),
    /// A part between hyphens is empty or holds no letter.
    BadPart,
}

impl fmt::Display for ApplicationNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => f.write_str("empty application name"),
            Self::BadStart => f.write_str("an application name starts with a lowercase letter"),
            Self::BadChar(c) => write!(
                f,
                "{c:?} is not allowed: an application name has lowercase letters, digits and hyphens"
            ),
            Self::BadPart => {
                f.write_str("each part of an application name between hyphens holds a letter")
            }
        }
    }
}

impl std::error::Error for ApplicationNameError {}

/// Check an application name (see the module documentation).
///
/// ```
/// use charm_names::{ApplicationNameError, check_application_name};
/// assert!(check_application_name("mysql-innodb-cluster").is_ok());
/// assert!(check_application_name("ceph-osd2").is_ok());
/// assert_eq!(check_application_name("web-1"), Err(ApplicationNameError::BadPart));
/// assert_eq!(check_application_name("Web"), Err(ApplicationNameError::BadStart));
/// assert_eq!(check_application_name("a:b"), Err(ApplicationNameError::BadChar(':')));
/// ```
pub fn check_application_name(name: &str) -> Result<(), ApplicationNameError> {
    let first = name.chars().next().ok_or(ApplicationNameError::Empty)?;
    if !first.is_ascii_lowercase() {
        return Err(ApplicationNameError::BadStart);
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        return Err(ApplicationNameError::BadChar(c));
    }
    if name
        .split('-')
        .any(|part| !part.bytes().any(|b| b.is_ascii_lowercase()))
    {
        return Err(ApplicationNameError::BadPart);
    }
    Ok(())
}

/// A unit name split into its application and number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnitName<'a> {
    /// The application (`mysql`).
    pub application: &'a str,
    /// The unit number.
    pub number: u64,
}

impl<'a> UnitName<'a> {
    /// Parse `name` (see the module documentation).
    ///
    /// ```
    /// use charm_names::{UnitName, UnitNameError};
    /// let u = UnitName::parse("mysql-innodb-cluster/2").unwrap();
    /// assert_eq!((u.application, u.number), ("mysql-innodb-cluster", 2));
    /// assert_eq!(UnitName::parse("mysql"), Err(UnitNameError::NoSlash));
    /// assert_eq!(UnitName::parse("mysql/01"), Err(UnitNameError::Number));
    /// assert_eq!(UnitName::parse("mysql/1/2"), Err(UnitNameError::Number));
    /// assert!(matches!(UnitName::parse("../etc/0"), Err(UnitNameError::Application(_))));
    /// ```
    pub fn parse(name: &'a str) -> Result<Self, UnitNameError> {
        let (application, number) = name.split_once('/').ok_or(UnitNameError::NoSlash)?;
        check_application_name(application).map_err(UnitNameError::Application)?;
        let canonical = !number.is_empty()
            && number.bytes().all(|b| b.is_ascii_digit())
            && (number == "0" || !number.starts_with('0'));
        let number = number
            .parse::<u64>()
            .ok()
            .filter(|_| canonical)
            .ok_or(UnitNameError::Number)?;
        Ok(Self {
            application,
            number,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for ok in ["a/0", "mysql/10", "ceph-osd/3", "remote-1a2b/0", "a2-b3/7"] {
            assert!(UnitName::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "/",
            "a/",
            "/0",
            "a/b",
            "a/-1",
            "a/+1",
            "a/00",
            "a/0 ",
            " a/0",
            "a-/0",
            "-a/0",
            "a--b/0",
            "a-1/0",
            "A/0",
            "a_b/0",
            "a\0/0",
            "a/0\n",
            "a/99999999999999999999999",
        ] {
            assert!(UnitName::parse(bad).is_err(), "{bad:?}");
        }
    }
}
