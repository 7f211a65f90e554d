use charm_macros::when;
use charm_runtime::Flags;

#[when("app.installed")]
unsafe fn configure(flags: Flags) {
    flags.set("app.configured");
}

#[when("app.configured")]
fn start(flags: impl Copy) {
    let _ = flags;
}

fn main() {}
