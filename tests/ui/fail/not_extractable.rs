use charm_macros::when;
use charm_runtime::Flags;

#[when("app.installed")]
fn configure(flags: Flags, port: u32) {
    flags.set("app.configured");
    let _ = port;
}

#[when("app.configured")]
fn start(name: &mut String, flags: &Flags) {
    name.push('x');
    flags.set("app.started");
}

fn main() {}
