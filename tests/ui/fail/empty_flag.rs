use charm_macros::{when, when_not};
use charm_runtime::Flags;

#[when("")]
fn configure(flags: Flags) {
    flags.set("app.configured");
}

#[when("app.installed")]
#[when_not("app.started", "")]
fn start(flags: Flags) {
    flags.set("app.started");
}

fn main() {}
