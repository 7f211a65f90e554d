use charm_macros::{hook, only_once, when, when_not};

#[when("app.installed")]
#[when_not("app.started")]
struct Config {
    port: u16,
}

#[hook("install")]
impl Config {
    fn port(&self) -> u16 {
        self.port
    }
}

#[only_once]
const PORT: u16 = 8080;

fn main() {
    let c = Config { port: PORT };
    let _ = c.port();
}
