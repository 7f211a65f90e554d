//! What Juju does to a unit's world, in one place: the in-process
//! [`harness`](crate::harness) and the `charm-sim` simulator both build
//! a hook's environment and a unit's relation data from here, so a unit
//! test and a simulated model cannot disagree about them.
//!
//! - [`HookVars`]: the variables of a hook's environment given the unit,
//!   the hook or action, the relation context, the departing unit of a
//!   `-relation-departed` hook and the principal of a subordinate.
//! - [`unit_databag_defaults`]: the keys Juju puts in every unit's
//!   databag when it enters a relation (`private-address`,
//!   `ingress-address`, `egress-subnets`).
//! - [`Network`]: what `network-get` answers for a binding.
//! - [`check_hook`] and [`check_action`]: whether a charm with the given
//!   metadata and actions can receive a hook or an action at all.
//! - [`joins_in_scope`]: whether two units see each other in a relation
//!   (a container-scoped relation joins only a subordinate and its
//!   principal).

mod databag;
mod hook_vars;
mod network;
mod receivable;
mod scope;

pub use databag::{egress_subnet, fill_unit_databag_defaults, unit_databag_defaults};
pub use hook_vars::{HookVars, RelationVars, SecretVars};
pub use network::Network;
pub use receivable::{IMPLICIT_ENDPOINT, Unreceivable, check_action, check_hook};
pub use scope::{joins_in_scope, relation_scope};
