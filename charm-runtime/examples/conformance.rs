//! Runs a dispatch conformance spec (`docs/conformance.md`) on the reactive
//! core and prints one JSON line per hook, in the reference's format, to
//! compare with the spec's `.expected` file.
//!
//! `cargo run -q -p charm-runtime --example conformance -- tests/conformance/corpus/spec-0000.json`
//!
//! Exit status: 0 when the spec ran (failed hooks show as `"ok": false`),
//! 1 when it cannot be run, 2 on bad usage or an unreadable file.

use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (Some(path), None) = (args.next(), args.next()) else {
        eprintln!("usage: conformance SPEC.json");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("conformance: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    match charm_runtime::conformance::run_spec_text(&text) {
        Ok(lines) => {
            for line in lines {
                println!("{line}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("conformance: {path}: {e}");
            ExitCode::from(1)
        }
    }
}
