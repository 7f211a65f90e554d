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
//! registrations; see [`Registry::from_inventory`].

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
