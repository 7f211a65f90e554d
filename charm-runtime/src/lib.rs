//! Juju charms in Rust, with the reactive model of charms.reactive.
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
//! Charm authors write handlers with the `charm-macros` attributes and
//! import everything through [`prelude`].
//!
//! # Layers
//!
//! - [`reactive`], the core: flags, conditions, handlers and their
//!   arguments ([`Extract`]), the [`Registry`], dispatch, triggers, the
//!   unit state and the trace. It imports nothing of Juju.
//! - The Juju layer, on the core: the hook environment ([`env`](mod@env)),
//!   the hook tools ([`backend`]) behind a read cache and a write outbox
//!   ([`juju`]), the charm's files ([`metadata`], [`config`]), endpoints
//!   ([`endpoint`]), leadership, actions ([`action`]) and the automatic
//!   flags (`docs/flags.md`), joined to a hook through
//!   [`reactive::HookLayer`].
//! - A [`Charm`]: files and handlers read and checked once; [`main`] and
//!   the [`harness`] both start hooks from one. The [`conformance`] runner
//!   tests the core alone (its specs are Juju-free), through [`run_hook`],
//!   the step [`Charm::run`] itself ends in.
//!
//! # From hook start to commit
//!
//! 1. [`main`] reads the hook context Juju put in the environment and
//!    builds the [`Charm`] from the charm directory and the handlers linked
//!    into the binary, checking every name they use.
//! 2. [`run_hook`] loads the unit state and makes the [`HookContext`]; the
//!    Juju layer attaches the hook's [`juju::Juju`] to it.
//! 3. The automatic flags are refreshed (see below), then atstart
//!    callbacks run.
//! 4. [`dispatch`](fn@reactive::dispatch) runs the handlers (or, for an
//!    action, the action's handlers); arguments are extracted through
//!    [`Extract`].
//! 5. atexit callbacks run (deferred work such as a status assessment).
//! 6. If everything succeeded the held writes are sent to Juju and the unit
//!    state is committed in one transaction; otherwise nothing is.
//!
//! # Automatic flags
//!
//! Before the atstart callbacks of every hook (not of an action, nor of
//! the restricted hooks `collect-metrics` and `meter-status-changed`),
//! the runtime refreshes the flags charms.reactive's base layers maintain,
//! in this order:
//!
//! 1. `upgrade.series.in-progress`, set in `pre-series-upgrade` and
//!    cleared in `post-series-upgrade` (the core);
//! 2. for each endpoint the charm's handlers use: `endpoint.<name>.joined`
//!    while a remote unit is joined, `endpoint.<name>.departed` from a
//!    departed hook until a unit is joined again, and
//!    `endpoint.<name>.changed` and `endpoint.<name>.changed.<key>` when a
//!    remote unit's data changes (never cleared for you);
//! 3. for each option of `config.yaml`: `config.changed` and
//!    `config.changed.<option>` when it changed since the last successful
//!    hook, `config.set.<option>` while it is truthy,
//!    `config.default.<option>` while it equals its default; all are
//!    cleared at the end of the hook that set them;
//! 4. `leadership.is_leader`, `leadership.set.<key>` while a leadership
//!    setting has a value, `leadership.changed.<key>` and
//!    `leadership.changed` when a setting changed since the last hook
//!    (on the leader also at once, by [`HookContext::leader_set`]).
//!
//! Interface types add their own flags, such as
//! `{endpoint_name}.connected` and `{endpoint_name}.available`, from their
//! handlers during dispatch. Flags persist under `reactive.states.<flag>`
//! in the unit state, as in charms.reactive. `docs/flags.md`, in the
//! repository, is the reference: each flag's owner, when it is set and
//! cleared, and the unit-state keys behind them.

#![deny(missing_docs)]

extern crate self as charm_runtime;

pub mod reactive;

pub mod action;
pub mod backend;
pub mod conditions;
pub mod config;
pub mod endpoint;
pub mod env;
pub mod facts;
pub mod juju;
mod juju_api;
mod juju_log;
mod layer;
mod leadership;
mod linked;
mod managed;
pub mod metadata;
mod named_values;
pub mod network;
pub mod password;
mod secrets_api;
mod status;

mod charm;
pub mod conformance;
mod entry;
mod error;
mod extension;
pub mod handler_faults;
pub mod harness;
#[doc(hidden)]
pub mod macro_support;
pub mod prelude;

pub use reactive::{
    Ctx, DispatchStats, Extensions, Extract, ExtractError, Failure, Flags, HandlerError,
    HookContext, HookError, HookOptions, HookOutcome, IntoHandlerResult, Invocation, Kv, Level,
    LogSink, MemoryStore, Registry, RegistryError, SqliteStore, StateError, StateStore, TraceEvent,
    TriggerAction, TriggerOn, log, python_json, run_hook, state, trace,
};
pub use reactive::{Handler, HandlerInfo};

pub use backend::Port;
pub use charm::{Charm, CharmError};
pub use charm_names::Flag;
pub use conditions::Condition;
pub use config::Config;
pub use entry::{main, main_with};
pub use error::Error;
pub use extension::RegistryExtension;
pub use juju_log::JujuLogSink;
pub use secrets_api::Secrets;
pub use status::{Status, StatusState};
