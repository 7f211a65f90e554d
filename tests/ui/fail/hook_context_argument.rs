// A handler asking for the hook context by reference is told to take
// `Ctx`, the handle that derefs to it.
use charm_macros::when;
use charm_runtime::HookContext;

#[when("app.installed")]
fn configure(ctx: &HookContext) {
    ctx.flags().set("app.configured");
}

fn main() {}
