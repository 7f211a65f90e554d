//! The role and scope of an endpoint.

use std::fmt;

/// The role of an endpoint: the metadata section it is declared in
/// (`provides`, `requires`, `peers`); part of the hook-pattern grammar
/// (`{requires:mysql}`), so it lives in `charm-names`.
pub use charm_names::Role;

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
