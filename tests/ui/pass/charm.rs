//! A small charm using every attribute, stacked, with the argument and
//! return forms handlers use. `missing_docs` is denied: the doc comments
//! must stay on the handlers.
#![deny(missing_docs)]

use std::fmt;
use std::rc::Rc;

use charm_macros::{
    hook, not_unless, only_once, when, when_all, when_any, when_file_changed, when_none, when_not,
    when_not_all,
};
use charm_runtime::log::MemorySink;
use charm_runtime::{
    Ctx, Extract, ExtractError, Flags, HookOptions, Invocation, Kv, Level, MemoryStore, Registry,
    StateError, run_hook,
};

/// Settings kept in unit data, changed in place by handlers.
pub struct Settings {
    port: u16,
}

impl<'a> Extract<'a> for Settings {
    fn extract(inv: &Invocation<'a>) -> Result<Self, ExtractError> {
        let port = inv
            .ctx
            .kv()
            .get("port")
            .map_err(|e| ExtractError::new::<Self>(e.to_string()))?
            .unwrap_or(80);
        Ok(Settings { port })
    }
}

/// Why configuring failed.
#[derive(Debug)]
pub struct ConfigError(String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot configure: {}", self.0)
    }
}

/// Install the workload.
#[hook("install")]
pub fn install(flags: Flags) {
    flags.set("app.installed");
}

/// Record the first setup, once in the unit's life.
#[hook("{install,upgrade-charm}")]
#[only_once]
pub fn first_setup(kv: &Kv) -> Result<(), StateError> {
    kv.set("first-setup", &true)
}

/// The database relation changed.
#[hook("db-relation-{joined,changed}", "{requires:mysql}-relation-departed")]
pub fn db_changed(flags: Flags) {
    flags.set("db.available");
}

/// Write the configuration.
#[when("app.installed")]
#[when_not("app.configured")]
#[not_unless("app.installed", "db.available")]
pub fn configure(flags: Flags, settings: &mut Settings, kv: &Kv) -> Result<(), ConfigError> {
    settings.port += 8000;
    kv.set("port", &settings.port)
        .map_err(|e| ConfigError(e.to_string()))?;
    flags.set("app.configured");
    Ok(())
}

/// Start the workload.
#[when_all("app.configured", "app.installed")]
#[when_none("app.started", "app.blocked")]
pub fn start(ctx: Ctx, settings: Settings) {
    ctx.log(Level::Info, &format!("listening on {}", settings.port));
    ctx.flags().set("app.started");
}

/// Use whichever database there is.
#[when_any("db.available", "db.external")]
#[when("app.started")]
pub fn connect(flags: &Flags) {
    flags.set("app.connected");
}

/// Serve a self-signed certificate until a real one arrives.
#[when_not_all("tls.cert", "tls.key")]
#[when("app.started")]
pub fn self_signed(mut settings: Settings, flags: Flags<'_>) {
    settings.port = 443;
    flags.set("tls.self-signed");
    assert_eq!(settings.port, 443);
}

/// Restart when the configuration file changes.
#[when("app.started")]
#[when_file_changed("/nonexistent/charm-macros-ui/app.conf")]
pub fn restart(_: Kv) {}

/// Ready, written with paths.
#[charm_macros::when("app.started")]
#[charm_macros::when_not("app.ready")]
pub fn ready(flags: Flags) {
    flags.set("app.ready");
}

fn main() {
    let registry = Registry::from_inventory(module_path!()).unwrap();
    assert_eq!(registry.len(), 9);
    let sink = Rc::new(MemorySink::new());
    let mut store = MemoryStore::new();
    let outcome = run_hook(
        &registry,
        &mut store,
        HookOptions::new("install").sink(sink.clone()),
    );
    assert!(outcome.is_ok(), "{:?}", outcome.error);
    assert_eq!(
        store.flags(),
        [
            "app.configured",
            "app.installed",
            "app.ready",
            "app.started",
            "tls.self-signed"
        ]
    );
    assert_eq!(store.data["port"], "8080");
    assert!(
        sink.at(Level::Warning)
            .iter()
            .any(|w| w.ends_with("configure called before flag: db.available")),
        "{:?}",
        sink.lines()
    );
}
