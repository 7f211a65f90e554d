use charm_macros::hook;
use charm_runtime::Flags;

#[hook("{provide:http}-relation-joined")]
fn website(flags: Flags) {
    flags.set("website.joined");
}

#[hook("{requires:}-relation-changed")]
fn no_interface(flags: Flags) {
    flags.set("db.changed");
}

#[hook("x-relation-{joined,}")]
fn empty_alternative(flags: Flags) {
    flags.set("x.joined");
}

fn main() {}
