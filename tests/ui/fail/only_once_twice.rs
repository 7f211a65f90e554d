use charm_macros::{hook, only_once};
use charm_runtime::Flags;

#[hook("install")]
#[only_once]
#[only_once()]
fn install(flags: Flags) {
    flags.set("app.installed");
}

fn main() {}
