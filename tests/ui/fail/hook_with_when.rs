use charm_macros::{hook, when, when_not};
use charm_runtime::Flags;

#[hook("config-changed")]
#[when("app.installed")]
fn reconfigure(flags: Flags) {
    flags.set("app.configured");
}

#[when_not("app.installed")]
#[hook("install")]
fn install(flags: Flags) {
    flags.set("app.installed");
}

fn main() {}
