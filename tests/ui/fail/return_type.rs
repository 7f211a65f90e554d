use charm_macros::when;
use charm_runtime::Flags;

#[when("app.installed")]
fn configure(flags: Flags) -> u32 {
    flags.set("app.configured");
    8080
}

#[when("app.configured")]
fn start(flags: Flags) -> Result<u32, String> {
    flags.set("app.started");
    Ok(1)
}

struct NotDisplay;

#[when("app.started")]
fn status(flags: Flags) -> Result<(), NotDisplay> {
    flags.set("app.ready");
    Err(NotDisplay)
}

fn main() {}
