use charm_macros::{hook, when, when_not};
use charm_runtime::Flags;

#[when("endpoint.{endpoint_name}.joined")]
#[when_not("endpoint.{endpoint_name}.configured")]
fn joined(flags: Flags) {
    flags.set("app.joined");
}

#[hook("{endpoint_name}-relation-joined")]
fn relation_joined(flags: Flags) {
    flags.set("app.joined");
}

fn main() {}
