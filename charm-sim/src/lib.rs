//! A local Juju model that runs the real charm binaries.
//!
//! A [`Simulation`] holds a model (applications, units, relations,
//! databags, leadership, statuses, ports) and runs hooks the way Juju's
//! unit agents do: each hook is a process of the charm's own binary, in the
//! unit's own copy of the charm directory, with the `JUJU_*` environment
//! (`JUJU_DISPATCH_PATH=hooks/<hook>`, `CHARM_HOST=simulated`), and the
//! hook tools (`relation-get`, `status-set`, ...) first on its `PATH`.
//! Those tools are symlinks to one program, `charm-sim-tool`, which asks
//! the simulation over a Unix socket (one per simulation, in its temporary
//! directory), one JSON line each way ([`protocol`]).
//!
//! # Hooks and their order
//!
//! The engine queues what Juju fires, in Juju's documented order: a new
//! unit runs `install`, `relation-created` for each relation of its
//! application (peers included), `leader-elected` (the leader) or
//! `leader-settings-changed`, `config-changed`, `start`; once a unit enters
//! a relation (its `relation-created`), it and each unit on the other side
//! run `relation-joined` then `relation-changed` for the other. A hook that
//! changes a databag queues `relation-changed` on every unit that sees it
//! when the hook succeeds; `leader-set` queues `leader-settings-changed` on
//! the other units at once. Removing a unit runs `relation-departed`
//! (`JUJU_DEPARTING_UNIT`; `relation-list` still lists the departing unit
//! until the hook succeeds, as Juju's does) on both sides, then
//! `relation-broken`, `stop`
//! and `remove` on the unit, and elects another leader if it led. A hook
//! already waiting is not queued twice (Juju's agent reconciles to the
//! latest state). One hook runs at a time; which unit goes next is drawn
//! from a seeded generator, so a run is reproducible.
//!
//! # Subordinates and Juju's environment
//!
//! A subordinate application (`subordinate: true`) is deployed with no
//! units; related to a principal over a container-scoped endpoint, it
//! gets a unit beside each principal unit (the principal's address,
//! `JUJU_PRINCIPAL_UNIT` naming it), a new principal unit brings one and
//! a removed one takes its subordinate with it. A container-scoped
//! relation joins only the units of one machine. The hook variables, the
//! keys Juju puts in a unit's databag, `network-get`'s answer and the
//! actions a charm can receive come from `charm_runtime::facts`, which
//! the in-process harness uses too.
//!
//! # When writes take effect
//!
//! As in Juju's hook context: `relation-set` and `open-port`/`close-port`
//! are held and applied only when the hook exits 0 (a failing hook
//! discards them); `status-set`, `leader-set`, `application-version-set`,
//! `juju-log` and the action tools take effect at once (they are API calls
//! of the unit agent in Juju, kept when the hook then fails). A failing
//! hook puts its unit in error naming the hook; [`Simulation::resolve`]
//! retries it. A hook still running after [`SimConfig::hook_timeout`]
//! (five minutes by default) is killed with its process group (children
//! included) and fails the same way, its unit's error saying it timed out.
//! The `secret-*` tools (Juju 3 secrets: owners, revisions, grants on
//! relations) act on the model's secrets as Juju does, when the hook
//! succeeds, the id `secret-add` answers being never given again
//! ([`Simulation::secrets`]); a new revision queues `secret-changed` on the
//! units reading an older one.
//!
//! # Hooks without a charm process
//!
//! [`Simulation::open_hook`] (or [`Simulation::open_action`]) starts a
//! hook on a unit whose "process" is the caller: it gets the environment a
//! hook process would ([`OpenHook::env`], [`OpenHook::tools_dir`]), runs
//! the tools with it (charm-runtime's `ProcessBackend` in the workspace
//! tests), and ends the hook with [`Simulation::finish_hook`] as a process
//! would by exiting, which commits or discards the held writes by the same
//! rules. [`Simulation::tool_calls`] records every tool call (arguments,
//! and whether standard input was read, never what it held);
//! [`Simulation::fail_tool`] and [`Simulation::override_tool_output`] make
//! a tool fail or print something else.
//!
//! # Stubs and scenarios
//!
//! A stub application ([`stub`], [`Simulation::deploy_stub`]) stands for
//! the far side of a relation without a charm: its units' hooks are
//! answered by the simulator from rules ("once my databag on `ha` has
//! received `json_resources`, publish `clustered: yes`"). A [`scenario`]
//! is a YAML file of applications (charms or stubs), steps and
//! expectations, loaded with [`scenario::Scenario::load`] and run with
//! [`scenario::Scenario::run`] into a [`scenario::Report`].
//!
//! ```no_run
//! use charm_sim::{SimConfig, Simulation, locate_tool_program};
//! let tool = locate_tool_program().expect("charm-sim-tool is built");
//! let mut sim = Simulation::new(SimConfig::new(tool).with_seed(7)).unwrap();
//! sim.deploy("webapp", "examples/webapp", "target/debug/webapp", 2).unwrap();
//! let report = sim.settle(500).unwrap();
//! println!("{} hooks, {:.0}/s", report.hooks, report.hooks_per_second());
//! for (name, unit) in sim.model().units {
//!     println!("{name}: {} ({})", unit.workload, unit.agent);
//! }
//! ```

#![deny(missing_docs)]

mod engine;
mod error;
mod hook;
mod hookenv;
pub mod interrupt;
pub mod model;
mod process;
pub mod protocol;
pub mod scenario;
mod server;
pub mod stub;
mod toolcall;
mod tools;
mod upgrade;
mod world;

pub use engine::{
    ActionResult, DEFAULT_HOOK_TIMEOUT, HookRecord, OpenHook, SettleReport, SimConfig, Simulation,
    locate_tool_program,
};
pub use error::SimError;
pub use hook::Hook;
pub use toolcall::ToolCall;
pub use tools::TOOLS;
pub use world::{ActionOutcome, LogEntry};
