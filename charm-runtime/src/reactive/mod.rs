//! The reactive core: flags, conditions, handlers, the registry, dispatch
//! with charms.reactive 1.5.3's semantics, triggers, the unit state and the
//! trace. It knows nothing of Juju; the Juju layer joins a hook through
//! [`HookLayer`] and the context's [`Extensions`].
//!
//! A hook's data path, top to bottom: [`run_hook`] loads the unit state
//! ([`state`]), the [`Registry`] makes a [`HookContext`] over it, the
//! layer attaches and refreshes its flags, atstart callbacks run,
//! [`dispatch`](fn@dispatch) invokes handlers (arguments through
//! [`Extract`]) while the context journals flag changes, atexit callbacks
//! run, the store commits the difference together with the layer's
//! journal of pending writes, and the layer sends its writes (the next
//! hook's layer resends what did not take effect).
//!
//! The core maintains one automatic flag itself, `upgrade.series.in-progress`
//! (set in `pre-series-upgrade`, cleared in `post-series-upgrade`), before
//! the layer refreshes its own; the others belong to the Juju layer (see
//! the crate documentation). Files here import nothing of the crate
//! outside this module but [`crate::conditions`]; `tests/layers.rs`
//! checks it.

pub(crate) mod context;
pub mod dispatch;
pub mod error;
pub(crate) mod extensions;
pub(crate) mod extract;
pub(crate) mod fault;
pub(crate) mod flag_api;
pub(crate) mod flags;
pub(crate) mod handler;
pub(crate) mod kv;
pub(crate) mod kv_secret;
pub mod log;
pub(crate) mod outcome;
pub(crate) mod phase;
pub mod python_json;
pub(crate) mod registry;
pub(crate) mod run;
pub mod state;
pub mod trace;
pub(crate) mod triggers;

pub use context::{Callback, Ctx, HookContext, RelationResolver};
pub use dispatch::{DispatchStats, dispatch, dispatch_action};
pub use error::{ExtractError, Failure, HandlerError, HookError, RegistryError, StateError};
pub use extensions::Extensions;
pub use extract::Extract;
pub use flag_api::Flags;
pub use flags::{FlagId, FlagNames};
pub use handler::{Handler, HandlerFn, HandlerInfo, Invocation, TypedArg};
pub use kv::Kv;
pub use log::{Level, LogSink};
pub use outcome::IntoHandlerResult;
pub use phase::Phase;
pub use registry::{Registry, TriggerAction, TriggerCallback};
pub use run::{HookLayer, HookOptions, HookOutcome, run_hook};
pub use state::{MemoryStore, SqliteStore, StateStore};
pub use trace::TraceEvent;
pub use triggers::TriggerOn;
