//! Flag constants in every flag attribute, beside literals.

use charm_macros::{hook, not_unless, when, when_all, when_any, when_none, when_not, when_not_all};
use charm_runtime::{Flag, Flags, HookOptions, MemoryStore, Registry, run_hook};

const INSTALLED: Flag = Flag::new("app.installed");

mod flags {
    use charm_runtime::Flag;

    pub const CONFIGURED: Flag = Flag::new("app.configured");
    pub const STARTED: Flag = Flag::new("app.started");
}

#[hook("install")]
#[not_unless(flags::CONFIGURED)]
fn install(flags: Flags) {
    flags.set(INSTALLED.name());
}

#[when(INSTALLED)]
#[when_not(flags::CONFIGURED, "app.blocked")]
fn configure(flags: Flags) {
    flags.set(flags::CONFIGURED.name());
}

#[when_all(INSTALLED, self::flags::CONFIGURED)]
#[when_none(crate::flags::STARTED)]
fn start(flags: Flags) {
    flags.set(flags::STARTED.name());
}

#[when_any("app.never", flags::STARTED)]
#[when_not_all(INSTALLED, "app.never")]
fn ready(flags: Flags) {
    flags.set("app.ready");
}

fn main() {
    let registry = Registry::from_inventory(module_path!()).unwrap();
    let mut store = MemoryStore::new();
    let outcome = run_hook(&registry, &mut store, HookOptions::new("install"));
    assert!(outcome.is_ok());
    assert_eq!(
        store.flags(),
        ["app.configured", "app.installed", "app.ready", "app.started"]
    );
}
