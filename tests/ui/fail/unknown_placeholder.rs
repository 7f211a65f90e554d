use charm_macros::{when, when_not_all};
use charm_runtime::Flags;

#[when("endpoint.{foo}.joined")]
fn joined(flags: Flags) {
    flags.set("app.joined");
}

#[when_not_all("app.{}", "app.ready")]
fn not_ready(flags: Flags) {
    flags.set("app.waiting");
}

fn main() {}
