use charm_macros::hook;
use charm_runtime::Flags;

#[hook("config-chnaged")]
fn configure(flags: Flags) {
    flags.set("app.configured");
}

#[hook("cluster-relation-{joined,chnaged}")]
fn cluster(flags: Flags) {
    flags.set("cluster.changed");
}

#[hook("install", "strat")]
fn start(flags: Flags) {
    flags.set("app.started");
}

#[hook("relation-joined")]
fn joined(flags: Flags) {
    flags.set("joined");
}

#[hook("frobnicate")]
fn frobnicate(flags: Flags) {
    flags.set("frobnicated");
}

#[hook("{requires:mysql}-relation-joind", "{requires:mysql}")]
fn db_joined(flags: Flags) {
    flags.set("db.joined");
}

fn main() {}
