use charm_macros::{when, when_not};
use charm_runtime::Flags;

#[when("app.installed")]
fn configure<T: Default>(flags: Flags) {
    let _ = T::default();
    flags.set("app.configured");
}

#[when_not("app.installed")]
fn install<const N: usize>(flags: Flags) {
    flags.set("app.installed");
}

fn main() {}
