use charm_macros::{hook, when, when_not};
use charm_runtime::Flags;

#[when("{endpoint_name.joined")]
fn joined(flags: Flags) {
    flags.set("app.joined");
}

#[when_not("endpoint_name}.joined")]
fn not_joined(flags: Flags) {
    flags.set("app.waiting");
}

#[when("a.{b.{c}}")]
fn nested(flags: Flags) {
    flags.set("app.nested");
}

#[hook("db-relation-{joined,changed")]
fn db_changed(flags: Flags) {
    flags.set("db.changed");
}

fn main() {}
