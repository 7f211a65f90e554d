//! The reactive runtime of charms written in Rust.
//!
//! A charm is one binary that Juju runs for every hook. Each run loads the
//! unit's flags and data, dispatches the handlers whose conditions hold
//! with exactly the semantics of charms.reactive 1.5.3, and commits the new
//! state only if every handler succeeded.
//!
//! ```
//! use charm_runtime::{Handler, HookContext, HookOptions, MemoryStore, Registry, run_hook};
//!
//! let mut registry = Registry::new();
//! registry
//!     .add(Handler::new("charm::install", |ctx: &HookContext| ctx.flags().set("app.installed"))
//!         .hook(["install"]))
//!     .unwrap()
//!     .add(Handler::new("charm::start", |ctx: &HookContext| ctx.flags().set("app.started"))
//!         .when(["app.installed"])
//!         .when_not(["app.started"]))
//!     .unwrap();
//!
//! let mut unit_state = MemoryStore::new();
//! let outcome = run_hook(&registry, &mut unit_state, HookOptions::new("install"));
//! assert_eq!(outcome.invoked, ["charm::install", "charm::start"]);
//! assert_eq!(unit_state.flags(), ["app.installed", "app.started"]);
//! ```
//!
//! The `charm-macros` crate turns `#[when("...")]` functions into the same
//! registrations; see [`Registry::from_inventory`] and
//! [`Registry::for_charm`].
//!
//! # From hook start to commit
//!
//! 1. [`main`] reads the hook context Juju put in the environment
//!    ([`env`](mod@env)), the charm's metadata and config schema ([`metadata`]), and
//!    builds the [`Registry`] (macro handlers, interface handlers once per
//!    matching endpoint).
//! 2. [`run_hook`] loads the unit state ([`state`]) and creates the
//!    [`HookContext`]; the [`juju::Juju`] side caches hook-tool reads
//!    ([`backend`]) and holds writes.
//! 3. The managed flags are refreshed (endpoints: [`endpoint`]; config:
//!    [`config`]; leadership), then atstart callbacks run.
//! 4. [`dispatch`](fn@dispatch) runs the handlers (or, for an action, [`action`] runs the
//!    action's handlers); arguments are extracted through [`Extract`].
//! 5. atexit callbacks run (deferred work such as a status assessment).
//! 6. If everything succeeded the held writes are sent to Juju and the unit
//!    state is committed in one transaction; otherwise nothing is.
//!
//! [`harness`] runs the same path over an in-memory Juju for tests.

extern crate self as charm_runtime;

pub mod action;
pub mod backend;
pub mod conditions;
pub mod config;
pub mod conformance;
mod context;
pub mod dispatch;
pub mod endpoint;
mod entry;
pub mod env;
mod error;
mod extract;
mod flags;
mod handler;
pub mod harness;
pub mod juju;
mod leadership;
pub mod log;
#[doc(hidden)]
pub mod macro_support;
mod managed;
pub mod metadata;
mod named_values;
pub mod network;
pub mod python_json;
mod registry;
mod run;
pub mod state;
pub mod trace;
mod triggers;

pub use conditions::Condition;
pub use context::{Ctx, Flags, HookContext, Kv, RelationResolver};
pub use dispatch::{DispatchStats, Phase, dispatch, dispatch_action};
pub use entry::{main, run_charm};
pub use error::{Error, ExtractError, HandlerError, HookError, RegistryError, StateError};
pub use extract::{Extract, IntoHandlerResult, Invocation};
pub use flags::{FlagId, FlagNames};
pub use handler::{Handler, HandlerFn, HandlerInfo};
pub use log::{Level, LogSink};
pub use registry::Registry;
pub use run::{HookOptions, HookOutcome, run_hook};
pub use state::{MemoryStore, SqliteStore, StateStore};
pub use trace::TraceEvent;
pub use triggers::{TriggerAction, TriggerCallback, TriggerOn};
