//! Testing a charm state-in, state-out, as ops-scenario does for ops
//! charms: describe what the unit sees of Juju in a [`State`], run one
//! [`Event`] through the charm's [`Context`], and assert on the
//! [`Output`]: the new state, the handlers invoked, the logs, the hook
//! tools called.
//!
//! The hook runs through the same path as in production, [`run_hook`]
//! with a [`Juju`] over an in-memory backend, so the managed endpoint,
//! config and leadership flags, the read cache and the deferred writes
//! behave as they do under Juju. Before running, the state and event are
//! checked against the charm's metadata, config and actions: a scenario
//! Juju could not produce is refused with every problem listed
//! ([`Inconsistent`]).
//!
//! Thread the output state into the next run to test a sequence of hooks:
//!
//! ```
//! use charm_runtime::backend::{Port, Status, StatusState};
//! use charm_runtime::harness::{Context, Event, Relation, State};
//! use charm_runtime::{Error, Handler, HookContext, Registry};
//!
//! const METADATA: &str = "
//! name: web
//! provides:
//!   website: {interface: http}
//! ";
//! const CONFIG: &str = "
//! options:
//!   port: {type: int, default: 8080}
//! ";
//!
//! // The charm: open the configured port, elect a cluster secret on the
//! // leader, publish the port to every website relation.
//! let mut registry = Registry::new();
//! registry
//!     .add(Handler::new("web::configure", |ctx: &HookContext| -> Result<(), Error> {
//!         let port: u16 = ctx.config_values()?.get("port")?.unwrap_or(80);
//!         ctx.open_port(Port::tcp(port));
//!         ctx.status_set(Status::active(format!("listening on {port}")));
//!         Ok(())
//!     })
//!     .when(["config.changed"]))
//!     .unwrap()
//!     .add(Handler::new("web::elect", |ctx: &HookContext| ctx.leader_set("secret", Some("s3cret")))
//!         .when(["leadership.is_leader"])
//!         .when_not(["leadership.set.secret"]))
//!     .unwrap()
//!     .add(Handler::new("web::publish", |ctx: &HookContext| -> Result<(), Error> {
//!         let port: u16 = ctx.config_values()?.get("port")?.unwrap_or(80);
//!         for relation in ctx.endpoint("website")?.relations()? {
//!             relation.to_publish().set("port", &port)?;
//!         }
//!         Ok(())
//!     })
//!     .when(["endpoint.website.joined"]))
//!     .unwrap();
//!
//! let ctx = Context::from_yaml(METADATA, registry)
//!     .unwrap()
//!     .with_config_yaml(CONFIG)
//!     .unwrap();
//!
//! // install on the leader: the config flags are set on the first hook.
//! let state = State::new().with_leader(true);
//! let out = ctx.run(Event::install(), &state).unwrap().expect_ok();
//! assert_eq!(out.invoked, ["web::configure", "web::elect"]);
//! assert!(out.state.opened_ports.contains(&Port::tcp(8080)));
//! assert_eq!(out.state.leader_settings["secret"], "s3cret");
//! // The one status the hook set at its end.
//! assert_eq!(out.final_status(), Some(&Status::new(StatusState::Active, "listening on 8080")));
//!
//! // A proxy joins: the port is published on the relation.
//! let website = Relation::new("website", 1, "haproxy").with_unit("haproxy/0");
//! let state = out.state.with_relation(website.clone());
//! let out = ctx.run(Event::relation_joined(&website, "haproxy/0"), &state).unwrap().expect_ok();
//! assert_eq!(out.relation(1).local_unit_value("port"), Some(8080.into()));
//! assert!(out.has_flag("endpoint.website.joined"));
//!
//! // A second proxy joins, the first one changes its data.
//! let state = out.state.with_remote_unit(1, "haproxy/1");
//! let out = ctx.run(Event::relation_joined(&website, "haproxy/1"), &state).unwrap().expect_ok();
//! let state = out.state.with_remote_unit_data(1, "haproxy/0", "mode", "\"http\"");
//! let out = ctx.run(Event::relation_changed(&website, "haproxy/0"), &state).unwrap().expect_ok();
//! assert_eq!(out.relation(1).remote_unit_value("haproxy/0", "mode"), Some("http".into()));
//!
//! // The operator changes the port: one config-get for the whole hook.
//! let state = out.state.with_config("port", 9090);
//! let out = ctx.run(Event::config_changed(), &state).unwrap().expect_ok();
//! assert_eq!(out.calls("config-get"), 1);
//! assert!(out.state.opened_ports.contains(&Port::tcp(9090)));
//!
//! // A scenario Juju could not produce is refused.
//! let bad = out.state.clone().with_config("colour", "blue");
//! let err = ctx.run(Event::update_status(), &bad).unwrap_err();
//! assert!(err.problems[0].contains(r#"config option "colour" is not declared"#));
//! ```
//!
//! # Changing the world between runs
//!
//! The output state is the next run's input; change what Juju would have
//! changed in between with the `State` builders rather than through its
//! public fields: [`State::with_remote_unit`] (a unit joins),
//! [`State::with_remote_unit_data`] and [`State::with_remote_unit_json`]
//! (a remote unit publishes), [`State::with_remote_app_data`] and
//! [`State::with_remote_app_json`] (the remote application publishes),
//! [`State::without_remote_unit`] (a unit is gone), and
//! [`State::update_relation`] for anything else. Relations are named by
//! number, by [`Relation`] or by [`RelationId`] ([`RelationRef`]).
//!
//! Read the result with [`Output::relation`], [`Output::final_status`]
//! (the one status a hook sets at its end) and [`Output::progress`] (the
//! `maintenance` messages it showed on the way), [`Output::calls`], and,
//! when the hook failed, [`Output::error_as`] for the charm's own error.
//!
//! # With the macros
//!
//! Give the context what the charm's `main` runs with: a function building
//! the registry from the metadata, so that interface handlers are
//! instantiated for the charm's endpoints.
//!
//! ```
//! use charm_runtime::harness::{Context, Event, State};
//!
//! mod my_charm {
//!     use charm_macros::{hook, when, when_not};
//!     use charm_runtime::metadata::Metadata;
//!     use charm_runtime::{Flags, Registry, RegistryError};
//!
//!     #[hook("install")]
//!     fn install(flags: Flags) {
//!         flags.set("app.installed");
//!     }
//!
//!     #[when("app.installed")]
//!     #[when_not("app.started")]
//!     fn start(flags: Flags) {
//!         flags.set("app.started");
//!     }
//!
//!     /// What `run_charm` is given in the charm's `main`.
//!     pub fn registry(metadata: &Metadata) -> Result<Registry, RegistryError> {
//!         Registry::for_charm(module_path!(), metadata)
//!     }
//! }
//!
//! let ctx = Context::from_yaml("name: app\n", my_charm::registry).unwrap();
//! let out = ctx.run(Event::install(), &State::new()).unwrap().expect_ok();
//! assert_eq!(out.flags(), ["app.installed", "app.started"]);
//! assert_eq!(out.invoked.len(), 2);
//! ```
//!
//! # What the harness models
//!
//! - **Relations**: remote units with their databags, the remote and local
//!   application databags, this unit's databag. `relation-departed` runs
//!   with the departing unit still listed (as Juju lists it; the runtime's
//!   [`Endpoint`](crate::endpoint::Endpoint) leaves it out of the joined
//!   units) and removes it from the output state; `relation-broken` runs
//!   with no remote unit and removes the relation.
//! - **Config**: the charm's defaults overlaid with [`State::config`].
//! - **Leadership**: the leader flag and settings; `leader-set` and
//!   application data or status fail on a non-leader as under Juju.
//! - **Unit state**: flags and key/value data, committed only when the
//!   hook succeeds.
//! - **Juju's answers**: statuses, opened ports, workload version,
//!   `unit-get` addresses and `network-get` bindings (by default every
//!   binding answers with the unit's `private-address`).
//! - **Juju's environment**, from [`crate::facts`] as the simulator has
//!   it: the hook variables are built by [`facts::HookVars`] and read
//!   back by the parser a charm uses under Juju; `-relation-departed`
//!   names the departing unit (the remote one, or with
//!   [`Event::relation_departed_self`] the unit under test); a subordinate
//!   charm needs [`State::with_principal`] and its container-scoped
//!   relations join the principal only; the unit's databag, and a remote
//!   unit's given a `private-address`, carry the keys Juju puts there
//!   (`private-address`, `ingress-address`, `egress-subnets`) during the
//!   hook (the output state keeps what the state had and what the hook
//!   wrote); a hook or action the charm cannot receive is refused.
//! - **Secrets**: the model's secrets are in [`State::secrets`]; the
//!   `secret-*` tools act on them, and [`Event::secret_changed`],
//!   [`Event::secret_rotate`], [`Event::secret_expired`] and
//!   [`Event::secret_remove`] fire the secret hooks with the
//!   `JUJU_SECRET_*` variables Juju sets.
//! - **Failing tools**: [`State::with_failing_tool`] makes a hook tool
//!   fail as under Juju; the charm sees the tool's error.
//! - **Several units**: [`Peers`] runs units of one application on their
//!   peer relation, each unit's writes reaching the others with the hooks
//!   Juju queues; scripted peers are written by the test.
//! - **Actions**: [`Event::action`] runs the action as Juju invokes it
//!   (its handlers only, see [`crate::action`]), `action-get` answering the
//!   parameters with the declared defaults filled in; results, failure and
//!   progress messages are in the [`Output`].
//!
//! [`facts::HookVars`]: crate::facts::HookVars
//! [`run_hook`]: crate::run_hook
//! [`Juju`]: crate::juju::Juju

mod consistency;
mod context;
mod event;
mod output;
mod peers;
mod state;

pub use consistency::Inconsistent;
pub use context::{Context, ContextError, IntoRegistry};
pub use event::{Event, RelationEvent, RelationHook};
pub use output::{Output, StatusChange};
pub use peers::{Peers, PeersError};
pub use state::{
    Bag, DEFAULT_PRIVATE_ADDRESS, DEFAULT_PUBLIC_ADDRESS, Relation, RelationRef, State,
};

pub use crate::facts::Network;

pub use crate::backend::{Port, RelationId, Status, StatusState, ToolCall};
pub use crate::log::Level;
