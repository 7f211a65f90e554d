//! Relation scope: which units of two related applications see each other.

use crate::metadata::Scope;

/// The scope of a relation between two endpoints: container when either
/// end declares `scope: container`, as Juju decides it.
///
/// ```
/// use charm_runtime::facts::relation_scope;
/// use charm_runtime::metadata::Scope;
/// assert_eq!(relation_scope(Scope::Global, Scope::Container), Scope::Container);
/// assert_eq!(relation_scope(Scope::Global, Scope::Global), Scope::Global);
/// ```
pub fn relation_scope(a: Scope, b: Scope) -> Scope {
    if a == Scope::Container || b == Scope::Container {
        Scope::Container
    } else {
        Scope::Global
    }
}

/// Whether `unit` and `remote` join each other in a relation of `scope`,
/// each with its principal (`None` for a principal unit). A global
/// relation joins every pair; a container-scoped one only units on the
/// same machine: a subordinate and its principal, or two subordinates of
/// the same principal.
///
/// ```
/// use charm_runtime::facts::joins_in_scope;
/// use charm_runtime::metadata::Scope;
/// let sub = Some("web/0");
/// assert!(joins_in_scope(Scope::Container, "nrpe/0", sub, "web/0", None));
/// assert!(!joins_in_scope(Scope::Container, "nrpe/0", sub, "web/1", None));
/// assert!(joins_in_scope(Scope::Global, "nrpe/0", sub, "web/1", None));
/// ```
pub fn joins_in_scope(
    scope: Scope,
    unit: &str,
    principal: Option<&str>,
    remote: &str,
    remote_principal: Option<&str>,
) -> bool {
    if scope == Scope::Global {
        return true;
    }
    let machine = principal.unwrap_or(unit);
    let remote_machine = remote_principal.unwrap_or(remote);
    machine == remote_machine
}
