use charm_macros::{only_once, when, when_not};
use charm_runtime::Flags;

#[when(concat!("app.", "installed"))]
fn configure(flags: Flags) {
    flags.set("app.configured");
}

#[when("app.configured", 42)]
fn start(flags: Flags) {
    flags.set("app.started");
}

#[when("app.started")]
#[when_not = "app.ready"]
fn ready(flags: Flags) {
    flags.set("app.ready");
}

#[when("app.ready")]
#[only_once("twice")]
fn announce(flags: Flags) {
    flags.set("app.announced");
}

fn main() {}
