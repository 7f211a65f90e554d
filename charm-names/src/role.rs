//! The role of an endpoint.

use std::fmt;
use std::str::FromStr;

/// The role of an endpoint: the `metadata.yaml` section it is declared in,
/// and the role of a `{role:interface}` hook-pattern group.
///
/// ```
/// use charm_names::Role;
/// assert_eq!(Role::parse("requires"), Some(Role::Requires));
/// assert_eq!("peers".parse::<Role>(), Ok(Role::Peers));
/// assert_eq!(Role::Provides.as_str(), "provides");
/// assert_eq!(Role::Provides.to_string(), "provides");
/// assert!("consumes".parse::<Role>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// `provides:`
    Provides,
    /// `requires:`
    Requires,
    /// `peers:`
    Peers,
}

impl Role {
    /// Every role, in the order the sections are read.
    pub const ALL: [Role; 3] = [Role::Provides, Role::Requires, Role::Peers];

    /// The section name: `provides`, `requires` or `peers`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Provides => "provides",
            Role::Requires => "requires",
            Role::Peers => "peers",
        }
    }

    /// The role named by a section name; `None` for anything else (the
    /// names are case-sensitive, as in `metadata.yaml`).
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no [`Role`]. Its message lists the roles and, for
/// a typo, suggests one.
///
/// ```
/// use charm_names::Role;
/// let e = "require".parse::<Role>().unwrap_err();
/// assert_eq!(e.name, "require");
/// assert_eq!(e.suggestion(), Some(Role::Requires));
/// assert_eq!(
///     e.to_string(),
///     "unknown role `require`: expected `provides`, `requires` or `peers`; did you mean `requires`?"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRole {
    /// The string given.
    pub name: String,
}

impl UnknownRole {
    /// The role the string is most likely a typo of.
    pub fn suggestion(&self) -> Option<Role> {
        crate::closest(&self.name, Role::ALL.map(Role::as_str)).and_then(Role::parse)
    }
}

impl fmt::Display for UnknownRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown role `{}`: expected `provides`, `requires` or `peers`",
            self.name
        )?;
        if let Some(s) = self.suggestion() {
            write!(f, "; did you mean `{s}`?")?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownRole {}

impl FromStr for Role {
    type Err = UnknownRole;

    fn from_str(s: &str) -> Result<Role, UnknownRole> {
        Role::parse(s).ok_or_else(|| UnknownRole { name: s.to_owned() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            assert_eq!(role.to_string().parse::<Role>(), Ok(role));
        }
    }

    #[test]
    fn unknown_roles() {
        assert_eq!(Role::parse("consumes"), None);
        assert_eq!(Role::parse("Requires"), None);
        assert_eq!(Role::parse(""), None);
        let e = "peer".parse::<Role>().unwrap_err();
        assert_eq!(e.suggestion(), Some(Role::Peers));
        let e = "consumes".parse::<Role>().unwrap_err();
        assert_eq!(e.suggestion(), None);
        assert!(!e.to_string().contains("did you mean"));
    }
}
