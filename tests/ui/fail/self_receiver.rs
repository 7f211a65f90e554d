use charm_macros::when;
use charm_runtime::Flags;

struct App;

impl App {
    #[when("app.installed")]
    fn configure(&self, flags: Flags) {
        flags.set("app.configured");
    }
}

fn main() {}
