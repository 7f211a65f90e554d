use charm_macros::when;
use charm_runtime::Flags;

#[when("app.installed")]
async fn configure(flags: Flags<'_>) {
    flags.set("app.configured");
}

fn main() {}
