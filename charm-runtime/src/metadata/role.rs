//! The role and scope of an endpoint.

use std::fmt;

/// The role of an endpoint: the metadata section it is declared in.
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
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Provides => "provides",
            Role::Requires => "requires",
            Role::Peers => "peers",
        }
    }

    /// The role named by a section name, as in a `{requires:mysql}` hook
    /// pattern.
    ///
    /// ```
    /// use charm_runtime::metadata::Role;
    /// assert_eq!(Role::parse("peers"), Some(Role::Peers));
    /// assert_eq!(Role::parse("consumes"), None);
    /// ```
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a relation spans the model or one machine/pod (subordinates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Scope {
    /// `scope: global`, the default.
    #[default]
    Global,
    /// `scope: container`: the relation between a subordinate and its
    /// principal.
    Container,
}

impl Scope {
    /// `global` or `container`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Container => "container",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
