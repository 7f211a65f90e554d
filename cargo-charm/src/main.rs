//! `cargo charm`: developer commands for charms written with charm-rs.
//!
//! Installed (`cargo install --path cargo-charm`), cargo runs it as
//! `cargo charm COMMAND ...`; from a checkout, `cargo run -p cargo-charm --
//! COMMAND ...`. Each command is a module with its clap arguments and a
//! `run` function; new commands (`sim`, `new`, `pack`) add a variant to
//! [`Command`] and a module.

mod error;
mod flags;
mod graph;
mod introspect;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use error::Error;

/// Developer commands for Juju charms written in Rust with charm-rs.
#[derive(Debug, Parser)]
#[command(name = "cargo-charm", bin_name = "cargo charm", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
enum Command {
    Flags(flags::Args),
    Graph(graph::Args),
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
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
