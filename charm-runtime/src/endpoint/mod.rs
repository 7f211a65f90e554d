//! charms.reactive's `Endpoint`: the relations of one endpoint, their
//! units and data, and the automatic `endpoint.<name>.*` flags.
//!
//! Data received is JSON-decoded, falling back to the raw string when a
//! value is not JSON (as charms.reactive's `JSONUnitDataView`); data
//! published is encoded with Python's `json.dumps(value, sort_keys=True)`,
//! so a Python unit on the other side reads exactly what it would from a
//! Python charm. Writes are sent when the hook succeeds.
//!
//! - [`view`]: an endpoint, its relations and their units ([`Endpoint`],
//!   [`Relation`], [`RelatedUnit`]);
//! - [`data`]: what is received and published on a relation;
//! - the automatic `endpoint.<name>.*` flags (`flags.rs`);
//! - [`typed`]: typed endpoints ([`Interface`]) and how a handler's or a
//!   hook's typed endpoint is resolved against the charm's metadata.

pub mod data;
mod flags;
pub mod typed;
pub mod view;

pub use data::{Publish, PublishRaw, Received};
pub(crate) use flags::manage_flags;
pub use typed::{
    Interface, InterfaceLookupError, TypedArg, endpoint_named_by_flag, extract_interface,
};
pub(crate) use typed::{Resolution, resolve, unresolved_message};
pub use view::{DepartedUnit, Endpoint, RelatedUnit, Relation};
