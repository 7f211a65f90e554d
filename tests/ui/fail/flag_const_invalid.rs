use charm_macros::when;
use charm_runtime::{Flag, Flags};

const INSTALLED: Flag = Flag::new("app installed");

#[when(INSTALLED)]
fn configure(flags: Flags) {
    flags.set("app.configured");
}

fn main() {}
