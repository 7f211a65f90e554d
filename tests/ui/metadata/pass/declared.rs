//! Relation and action names the charm declares compile.

use charm_macros::{action, hook, when};
use charm_runtime::Flags;

#[hook("{cache,db}-relation-{joined,changed}")]
fn related(flags: Flags) {
    flags.set("app.related");
}

#[hook("{requires:mysql}-relation-broken")]
fn db_gone(flags: Flags) {
    flags.clear("app.related");
}

#[when("endpoint.cluster.joined", "endpoint.website.changed.x", "cluster.ready")]
fn clustered(flags: Flags) {
    flags.set("app.clustered");
}

#[action("snapshot")]
fn snapshot(flags: Flags) {
    flags.set("app.snapshot-taken");
}

fn main() {}
