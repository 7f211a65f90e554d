//! A small web-server charm written with the macros, driven through a
//! sequence of hooks against a real `.unit-state.db`, printing what each
//! hook ran and why.
//!
//! `cargo run -q -p charm-runtime --example walkthrough`

use std::rc::Rc;

use charm_runtime::log::MemorySink;
use charm_runtime::{
    HookOptions, Level, Registry, SqliteStore, StateStore, TraceEvent, TriggerAction, TriggerOn,
    run_hook,
};

/// The charm's handlers. Everything under this module is selected with
/// `Registry::from_inventory(module_path!())`.
mod webserver {
    use charm_runtime::prelude::*;
    use charm_runtime::{Flag, Level, StateError};

    /// The packages are installed.
    pub const INSTALLED: Flag = Flag::new("webserver.installed");
    /// The configuration is written and current.
    pub const CONFIGURED: Flag = Flag::new("webserver.configured");
    /// The service runs with the current configuration.
    pub const STARTED: Flag = Flag::new("webserver.started");

    /// Install the packages once.
    #[hook("install")]
    fn install(flags: Flags) {
        flags.set(INSTALLED);
    }

    /// Record the unit's first boot; runs once over the unit's life.
    #[only_once]
    fn first_boot(kv: Kv) -> Result<(), StateError> {
        kv.set("webserver.first-hook", &"install")
    }

    /// Write the configuration when it is missing or stale.
    #[when(INSTALLED)]
    #[when_not(CONFIGURED)]
    fn configure(ctx: Ctx, flags: Flags, kv: Kv) -> Result<(), StateError> {
        let generation = kv.get::<u32>("webserver.config-generation")?.unwrap_or(0) + 1;
        kv.set("webserver.config-generation", &generation)?;
        flags.set(CONFIGURED);
        ctx.status_at_exit(assess);
        Ok(())
    }

    /// Start (or restart) the service once configured.
    #[when(CONFIGURED)]
    #[when_not(STARTED)]
    fn start(ctx: Ctx, flags: Flags) {
        flags.set(STARTED);
        // Asked for again: still assessed once, at the end of the hook.
        ctx.status_at_exit(assess);
    }

    /// The unit's status, assessed once at the end of the hook however
    /// many handlers ask for it (charms.openstack's `assess_status()`).
    /// Under Juju it is sent with `status-set`; the reactive core alone
    /// has no Juju to show it, so it is also logged for the walkthrough.
    fn assess(ctx: &HookContext) -> Result<Status, Error> {
        let status = if ctx.flags().is_set(STARTED) {
            Status::active("serving")
        } else {
            Status::maintenance("starting")
        };
        ctx.log(
            Level::Info,
            &format!("status: {} ({})", status.state.as_str(), status.message),
        );
        Ok(status)
    }

    /// A config change makes the configuration stale.
    #[hook("config-changed")]
    fn config_changed(flags: Flags) {
        flags.clear(CONFIGURED);
    }

    /// Something went wrong on this hook: nothing it did is kept.
    #[hook("upgrade-charm")]
    fn upgrade(flags: Flags) -> Result<(), Error> {
        flags.set("webserver.upgraded");
        Err(Error::msg("new package version is not available"))
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut registry = Registry::from_inventory(module_path!())?;
    // A stale configuration means a restart: clearing `configured` clears
    // `started` at once (charms.reactive's register_trigger).
    registry.trigger(
        TriggerOn::Cleared(webserver::CONFIGURED.into()),
        TriggerAction::ClearFlag(webserver::STARTED.into()),
    );

    let charm_dir = std::env::temp_dir().join(format!("walkthrough-{}", std::process::id()));
    std::fs::create_dir_all(&charm_dir)?;
    let mut store = SqliteStore::open(charm_dir.join(".unit-state.db"))?;
    println!("unit state: {}\n", store.path().display());

    for hook in [
        "install",
        "start",
        "config-changed",
        "update-status",
        "upgrade-charm",
    ] {
        let sink = Rc::new(MemorySink::new());
        let outcome = run_hook(
            &registry,
            &mut store,
            HookOptions::new(hook).sink(sink.clone()),
        );
        println!(
            "== {hook}: {}",
            if outcome.is_ok() { "ok" } else { "FAILED" }
        );
        for event in &outcome.trace {
            match event {
                TraceEvent::Invoked {
                    handler, reason, ..
                } => println!("   run  {handler}  [{reason}]"),
                TraceEvent::FlagSet { flag, .. } => println!("     +  {flag}"),
                TraceEvent::FlagCleared { flag, .. } => println!("     -  {flag}"),
                TraceEvent::IterationCap { handlers } => {
                    println!("   cap  {}", handlers.join(", "))
                }
            }
        }
        for message in sink
            .at(Level::Info)
            .iter()
            .filter(|m| m.starts_with("status"))
        {
            println!("   log  {message}");
        }
        if let Some(error) = &outcome.error {
            println!("   error: {error} (nothing committed)");
        }
        println!("   flags: {}", outcome.flags.join(", "));
        println!(
            "   dispatch: {} iterations, {} handler tests; unit-state keys written: {}\n",
            outcome.stats.iterations,
            outcome.stats.tested,
            outcome.committed.len()
        );
    }
    let data = store.load()?;
    println!(
        "config generation after all hooks: {}",
        data.get("webserver.config-generation")
            .map_or("-", String::as_str)
    );
    std::fs::remove_dir_all(&charm_dir)?;
    Ok(())
}
