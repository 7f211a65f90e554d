//! The command line itself: help texts, the `cargo charm` form.

mod common;

use common::{run, stdout};

#[test]
fn help_lists_the_commands_and_says_what_they_do() {
    let out = run(["--help"]);
    assert!(out.status.success());
    let help = stdout(&out);
    assert!(help.contains("flags"), "{help}");
    assert!(help.contains("graph"), "{help}");
    assert!(help.contains("Usage: cargo charm"), "{help}");
}

#[test]
fn cargo_runs_it_with_the_subcommand_name_first() {
    // `cargo charm flags --help` runs `cargo-charm charm flags --help`.
    let out = run(["charm", "flags", "--help"]);
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("reactive.states."),
        "{}",
        stdout(&out)
    );
}

#[test]
fn flags_help_warns_that_keys_prints_secrets() {
    let help = stdout(&run(["flags", "--help"]));
    assert!(help.contains("secrets"), "{help}");
    assert!(help.contains("--json"), "{help}");
}

#[test]
fn graph_help_says_how_the_registry_is_learned() {
    let help = stdout(&run(["graph", "--help"]));
    assert!(help.contains("CHARM_INTROSPECT"), "{help}");
    assert!(help.contains("--output"), "{help}");
}

#[test]
fn an_unknown_command_is_a_usage_error() {
    let out = run(["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sim_takes_a_hook_timeout_in_whole_seconds_above_zero() {
    let help = stdout(&run(["sim", "--help"]));
    assert!(help.contains("--hook-timeout <SECS>"), "{help}");
    let out = run(["sim", "--hook-timeout", "0", "scenario.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = common::stderr(&out);
    assert!(err.contains("--hook-timeout"), "{err}");
}

#[test]
fn graph_help_offers_a_scenario_to_observe() {
    let help = stdout(&run(["graph", "--help"]));
    assert!(help.contains("--scenario <FILE>"), "{help}");
}
