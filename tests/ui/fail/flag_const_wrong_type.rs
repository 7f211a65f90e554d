use charm_macros::{when, when_not};
use charm_runtime::{Flag, Flags};

const INSTALLED: &str = "app.installed";
const CONFIGURED: Flag = Flag::new("app.configured");
const JOINED: Flag = Flag::new("endpoint.{endpoint_name}.joined");

#[when(INSTALLED)]
#[when_not(CONFIGURED)]
fn configure(flags: Flags) {
    flags.set("app.configured");
}

// A template flag outside an `#[interface]` impl.
#[when(JOINED)]
fn joined(flags: Flags) {
    flags.set("app.joined");
}

fn main() {}
