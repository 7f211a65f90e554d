use charm_macros::{hook, when, when_file_changed, when_not};
use charm_runtime::Flags;

#[when()]
fn configure(flags: Flags) {
    flags.set("app.configured");
}

#[when]
fn start(flags: Flags) {
    flags.set("app.started");
}

#[when_not("app.installed")]
#[hook]
fn install(flags: Flags) {
    flags.set("app.installed");
}

#[when_file_changed()]
fn restart(flags: Flags) {
    flags.set("app.restart");
}

fn main() {}
