use charm_macros::{action, hook, only_once, when};
use charm_runtime::Flags;

#[action("Backup")]
fn capital() {}

#[action("back_up")]
fn underscore() {}

#[action("juju-backup")]
fn reserved() {}

#[action("backup-")]
fn trailing_hyphen() {}

#[action("")]
fn empty_name() {}

#[action]
fn no_name() {}

#[action("backup", "restore")]
fn two_names() {}

#[action(backup)]
fn not_a_string() {}

#[action("backup")]
#[when("app.installed")]
fn with_when(flags: Flags) {
    flags.set("x");
}

#[when("app.installed")]
#[action("backup")]
fn when_then_action(flags: Flags) {
    flags.set("x");
}

#[action("backup")]
#[hook("install")]
#[only_once]
fn with_hook_and_only_once() {}

#[action("backup")]
#[action("restore")]
fn twice() {}

fn main() {}
