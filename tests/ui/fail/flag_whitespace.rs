use charm_macros::{when, when_any};
use charm_runtime::Flags;

#[when("db available")]
fn configure(flags: Flags) {
    flags.set("app.configured");
}

#[when_any("app.installed", " ")]
fn start(flags: Flags) {
    flags.set("app.started");
}

#[when("app.ready\t")]
fn ready(flags: Flags) {
    flags.set("app.done");
}

fn main() {}
