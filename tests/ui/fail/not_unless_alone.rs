use charm_macros::not_unless;
use charm_runtime::Flags;

#[not_unless("app.installed")]
fn configure(flags: Flags) {
    flags.set("app.configured");
}

fn main() {}
