//! `cargo charm`: developer commands for charms written with charm-rs.
//!
//! Installed (`cargo install --path cargo-charm`), cargo runs it as
//! `cargo charm COMMAND ...`; from a checkout, `cargo run -p cargo-charm --
//! COMMAND ...`. Each command is a module with its clap arguments and a
//! `run` function; a new command adds a variant to [`Command`] and a
//! module.

mod error;
mod flags;
mod graph;
mod introspect;
mod new;
mod observed;
mod pack;
mod sim;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use error::Error;

/// Developer commands for Juju charms written in Rust with charm-rs
///
/// Run as `cargo charm COMMAND` once installed (`cargo install --path
/// cargo-charm`), or `cargo run -p cargo-charm -- COMMAND` from a checkout.
#[derive(Debug, Parser)]
#[command(name = "cargo-charm", bin_name = "cargo charm", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
enum Command {
    /// List the flags (and keys) of a unit's .unit-state.db
    ///
    /// Reads the unit state charmhelpers and charm-rs keep in the charm
    /// directory (its `kv` table) without changing it, and prints the set
    /// flags as charms.reactive's get_flags sees them: the keys
    /// `reactive.states.<flag>`, sorted, each with its value unless that is
    /// null. --keys adds every other key with its value as stored.
    Flags(flags::Args),
    /// Draw the charm's handler/flag graph as DOT and SVG
    ///
    /// Builds the charm crate in CHARM_DIR with cargo and runs its binary
    /// with CHARM_INTROSPECT=registry, which makes charm_runtime::main()
    /// print its handlers, their conditions and triggers instead of running
    /// a hook. Writes CHARM.dot and CHARM.svg (CHARM: the charm's name):
    /// handlers as boxes, flags as ellipses, one node per hook pattern,
    /// action and watched file; edges from a flag to a handler are
    /// labelled with the condition (when, when_not, when_any, when_not_all),
    /// dashed red when negative; edges between flags are triggers. Which
    /// flags a handler sets or clears is only known by running it: with
    /// --scenario FILE the scenario runs in the simulator and each flag a
    /// handler set (green) or cleared (orange, dashed) in a successful hook
    /// is drawn as a bold edge from the handler to the flag.
    Graph(graph::Args),
    /// Run a scenario in a simulated Juju model and print the units' status
    ///
    /// SCENARIO is a YAML file of charm-sim's scenario format: the charms
    /// to deploy (their crate directories, built here with cargo), units,
    /// relations, config, the steps to run and what to expect at the end.
    /// Each hook runs the real charm binary, with the hook tools answered
    /// by the simulator (charm-sim-tool, built from the charm-sim sources
    /// or taken from CHARM_SIM_TOOL). While hooks run a spinner shows on
    /// standard error, or with --verbose one line per hook: the unit, the
    /// hook, the handlers it invoked and why, and the flags it set (+) and
    /// cleared (-). Then the units are printed as `juju status` lists them
    /// (application, unit with `*` on the leader, workload status, agent
    /// status, message), or the report as JSON with --json. Exits non-zero,
    /// naming them, when an expectation fails or a unit ends in error.
    Sim(sim::Args),
    /// Build a charm crate in release mode and write its .charm
    ///
    /// Writes NAME_BASES.charm (a zip): metadata.yaml, config.yaml and
    /// actions.yaml where present, charmcraft.yaml and manifest.yaml naming
    /// the Ubuntu bases the binary runs on (every one for a static binary,
    /// else read from the glibc versions it links against), the `dispatch` script Juju 2.8 and later run, hooks/
    /// and actions/ links to it for older Juju, templates/, and the stripped
    /// binary.
    Pack(pack::Args),
    /// Create a new charm crate: metadata, config, a handler, a harness
    /// test, a simulator scenario and a README
    New(new::Args),
}

fn main() -> ExitCode {
    // Cargo runs `cargo-charm charm ARGS...` for `cargo charm ARGS...`;
    // drop that word so that both ways of starting it parse alike.
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "charm") {
        args.remove(1);
    }
    let cli = Cli::parse_from(args);
    let result = match cli.command {
        Command::Flags(args) => flags::run(&args),
        Command::Graph(args) => graph::run(&args),
        Command::Sim(args) => sim::run(&args),
        Command::Pack(args) => pack::run(&args),
        Command::New(args) => new::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
