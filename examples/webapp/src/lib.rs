//! An example charm: a web application that
//! - installs once and records its workload version;
//! - renders `webapp.conf` in the charm directory from its config and its
//!   peers, re-rendering when either changes;
//! - has the leader choose a cluster id shared through leadership settings;
//! - publishes its address to peers and `hostname`/`port` to related
//!   proxies on the `website` relation (the raw keys of the `http`
//!   interface);
//! - opens its port and reports its status once at the end of each hook.

use charm_macros::{hook, when, when_any, when_not};
use charm_runtime::backend::{Port, Status, StatusState};
use charm_runtime::endpoint::Endpoint;
use charm_runtime::{Ctx, Error, Flags, HookContext, Kv};
use serde::Deserialize;

/// The charm's options (config.yaml).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Config {
    /// Port the site listens on.
    pub port: u16,
    /// Title of the site.
    pub site_title: String,
    /// Serve a maintenance page.
    pub maintenance: bool,
}

/// Run the hook Juju invoked.
pub fn main() -> std::process::ExitCode {
    charm_runtime::run_charm(registry)
}

/// The charm's handlers for a charm with `metadata`: what `main` runs
/// with, and what tests give the harness (calling it also makes sure this
/// library, and so its handlers, is linked into the test binary).
pub fn registry(
    metadata: &charm_runtime::metadata::Metadata,
) -> Result<charm_runtime::Registry, charm_runtime::RegistryError> {
    charm_runtime::Registry::for_charm("", metadata)
}

/// The workload version this charm installs.
pub const VERSION: &str = "2.4.1";

/// The unit's address, as peers and proxies should reach it.
fn address(ctx: &HookContext) -> Result<String, Error> {
    Ok(ctx.require_juju("unit-get")?.unit_get("private-address")?)
}

#[hook("install")]
fn install(ctx: Ctx) -> Result<(), Error> {
    ctx.kv().set("webapp.installed-version", VERSION)?;
    ctx.require_juju("application-version-set")?
        .application_version_set(VERSION);
    ctx.flags().set("webapp.installed");
    Ok(())
}

/// A config change makes the rendered configuration stale.
#[when("config.changed")]
fn config_changed(flags: Flags) {
    flags.clear("webapp.configured");
}

/// Peers coming or going make it stale too.
#[when_any("endpoint.cluster.changed", "endpoint.cluster.departed")]
fn peers_changed(flags: Flags) {
    flags.clear("endpoint.cluster.changed");
    flags.clear("endpoint.cluster.departed");
    flags.clear("webapp.configured");
}

/// The leader picks the cluster id once; followers learn it through
/// `leadership.set.cluster-id`.
#[when("leadership.is_leader")]
#[when_not("leadership.set.cluster-id")]
fn choose_cluster_id(ctx: Ctx) -> Result<(), Error> {
    let unit = ctx.require_juju("leader-set")?.env().unit.clone();
    let id = format!("{:x}", md5_like(&unit));
    ctx.leader_set("cluster-id", Some(&id))
}

/// A stable hexadecimal digest of `text` (not cryptographic).
fn md5_like(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Render `webapp.conf` from config and peers.
#[when("webapp.installed", "leadership.set.cluster-id")]
#[when_not("webapp.configured")]
fn configure(ctx: Ctx, kv: Kv) -> Result<(), Error> {
    let config: Config = ctx.config()?;
    let juju = ctx.require_juju("config")?;
    let cluster_id = ctx.leader_get("cluster-id")?.unwrap_or_default();
    let mut peers = Vec::new();
    for unit in Endpoint::new(&ctx, "cluster").all_joined_units()? {
        if let Some(addr) = unit
            .received()?
            .get("address")
            .and_then(|v| v.as_str().map(str::to_owned))
        {
            peers.push(addr);
        }
    }
    peers.sort();
    let text = format!(
        "title = {:?}\nport = {}\nmaintenance = {}\ncluster = {:?}\npeers = {:?}\n",
        config.site_title, config.port, config.maintenance, cluster_id, peers
    );
    let path = juju.env().charm_dir.join("webapp.conf");
    std::fs::write(&path, text)
        .map_err(|e| Error::msg(format!("cannot write {}: {e}", path.display())))?;
    // Close the old port if the port changed.
    if let Some(old) = kv.get::<u16>("webapp.port")?
        && old != config.port
    {
        juju.close_port(Port::tcp(old));
    }
    kv.set("webapp.port", &config.port)?;
    ctx.flags().set("webapp.configured");
    ctx.flags().clear("webapp.started");
    Ok(())
}

/// (Re)start the site on the configured port.
#[when("webapp.configured")]
#[when_not("webapp.started")]
fn start(ctx: Ctx) -> Result<(), Error> {
    let config: Config = ctx.config()?;
    ctx.require_juju("open-port")?
        .open_port(Port::tcp(config.port));
    ctx.flags().set("webapp.started");
    Ok(())
}

/// Tell peers where this unit is.
#[when("endpoint.cluster.joined")]
fn publish_to_peers(ctx: Ctx) -> Result<(), Error> {
    let address = address(&ctx)?;
    for relation in Endpoint::new(&ctx, "cluster").relations()? {
        relation.to_publish().set("address", &address)?;
    }
    Ok(())
}

/// Tell proxies where the site listens (raw keys, as the `http` interface).
#[when("endpoint.website.joined", "webapp.started")]
fn publish_website(ctx: Ctx) -> Result<(), Error> {
    let config: Config = ctx.config()?;
    let address = address(&ctx)?;
    for relation in Endpoint::new(&ctx, "website").relations()? {
        relation.to_publish_raw().set("hostname", &address)?;
        relation
            .to_publish_raw()
            .set("port", &config.port.to_string())?;
    }
    Ok(())
}

/// Status once, at the end of every hook, however many handlers ran.
#[when("webapp.installed")]
fn assess_status(ctx: Ctx) {
    ctx.atexit_once("assess-status", |ctx: &HookContext| -> Result<(), Error> {
        let juju = ctx.require_juju("status-set")?;
        let config: Config = ctx.config()?;
        let peers = Endpoint::new(ctx, "cluster").all_joined_units()?.len();
        let status = if config.maintenance {
            Status::new(StatusState::Maintenance, "maintenance page enabled")
        } else if ctx.flags().is_set("webapp.started") {
            Status::new(
                StatusState::Active,
                format!("serving on port {} with {peers} peer(s)", config.port),
            )
        } else if !ctx.flags().is_set("leadership.set.cluster-id") {
            Status::new(
                StatusState::Waiting,
                "waiting for the leader to choose a cluster id",
            )
        } else {
            Status::new(StatusState::Maintenance, "configuring")
        };
        juju.status_set(status);
        Ok(())
    });
}
