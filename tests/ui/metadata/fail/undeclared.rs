use charm_macros::{action, hook, when, when_not};
use charm_runtime::Flags;

#[hook("cach-relation-joined")]
fn cache_joined(flags: Flags) {
    flags.set("app.cached");
}

#[hook("{db,storage}-relation-{joined,changed}")]
fn db_joined(flags: Flags) {
    flags.set("app.db");
}

#[when("endpoint.webiste.joined")]
#[when_not("endpoint.zzz.changed")]
fn website(flags: Flags) {
    flags.set("app.website");
}

#[action("snaphot")]
fn snapshot(flags: Flags) {
    flags.set("app.snapshot-taken");
}

#[action("frobnicate")]
fn frobnicate(flags: Flags) {
    flags.set("app.frobnicated");
}

fn main() {}
