//! An example charm: a web application that
//! - installs once and records its workload version;
//! - renders `webapp.conf` in the charm directory from its config and its
//!   peers, re-rendering when either changes;
//! - has the leader choose a cluster id shared through leadership settings;
//! - publishes its address to peers and `hostname`/`port` to related
//!   proxies on the `website` relation (the raw keys of the `http`
//!   interface);
//! - opens its port and reports its status once at the end of each hook.

use charm_runtime::prelude::*;
use serde::Deserialize;

/// The charm's options (config.yaml).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Options {
    /// Port the site listens on.
    pub port: u16,
    /// Title of the site.
    pub site_title: String,
    /// Serve a maintenance page.
    pub maintenance: bool,
}

/// Run the hook Juju invoked: the binary's `main` calls this, which also
/// links these handlers into it.
pub fn main() -> std::process::ExitCode {
    charm_runtime::main()
}

/// The workload version this charm installs.
pub const VERSION: &str = "2.4.1";

#[hook("install")]
fn install(ctx: Ctx) -> Result<(), Error> {
    ctx.progress("installing webapp")?;
    ctx.kv().set("webapp.installed-version", VERSION)?;
    ctx.application_version_set(VERSION);
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
    let id = format!("{:x}", fnv1a(&ctx.unit_name()));
    ctx.leader_set("cluster-id", Some(&id))
}

/// A stable hexadecimal digest of `text` (FNV-1a; not cryptographic).
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Render `webapp.conf` from config and peers.
#[when("webapp.installed", "leadership.set.cluster-id")]
#[when_not("webapp.configured")]
fn configure(ctx: Ctx, config: Config<Options>) -> Result<(), Error> {
    let cluster_id = ctx.leader_get("cluster-id")?.unwrap_or_default();
    let mut peers = Vec::new();
    for unit in ctx.endpoint("cluster")?.all_joined_units()? {
        if let Some(address) = unit.received()?.get_as::<String>("address")? {
            peers.push(address);
        }
    }
    peers.sort();
    let text = format!(
        "title = {:?}\nport = {}\nmaintenance = {}\ncluster = {:?}\npeers = {:?}\n",
        config.site_title, config.port, config.maintenance, cluster_id, peers
    );
    std::fs::write(ctx.charm_dir().join("webapp.conf"), text)?;
    // Close the old port if the port changed.
    if let Some(old) = ctx.kv().get::<u16>("webapp.port")?
        && old != config.port
    {
        ctx.close_port(Port::tcp(old));
    }
    ctx.kv().set("webapp.port", &config.port)?;
    ctx.flags().set("webapp.configured");
    ctx.flags().clear("webapp.started");
    Ok(())
}

/// (Re)start the site on the configured port.
#[when("webapp.configured")]
#[when_not("webapp.started")]
fn start(ctx: Ctx, config: Config<Options>) {
    ctx.open_port(Port::tcp(config.port));
    ctx.flags().set("webapp.started");
}

/// Tell peers where this unit is.
#[when("endpoint.cluster.joined")]
fn publish_to_peers(ctx: Ctx, cluster: Endpoint) -> Result<(), Error> {
    let address = ctx.private_address()?;
    for relation in cluster.relations()? {
        relation.to_publish().set("address", &address)?;
    }
    Ok(())
}

/// Tell proxies where the site listens (raw keys, as the `http` interface).
#[when("endpoint.website.joined", "webapp.started")]
fn publish_website(ctx: Ctx, config: Config<Options>, website: Endpoint) -> Result<(), Error> {
    let address = ctx.private_address()?;
    for relation in website.relations()? {
        let bag = relation.to_publish_raw();
        bag.set("hostname", &address)?;
        bag.set("port", &config.port.to_string())?;
    }
    Ok(())
}

/// Status once, at the end of every hook, however many handlers ran.
#[when("webapp.installed")]
fn assess_status(ctx: Ctx) {
    ctx.status_at_exit(status);
}

fn status(ctx: &HookContext) -> Result<Status, Error> {
    let config = Config::<Options>::of(ctx)?;
    let peers = ctx.endpoint("cluster")?.all_joined_units()?.len();
    Ok(if config.maintenance {
        Status::maintenance("maintenance page enabled")
    } else if ctx.flags().is_set("webapp.started") {
        Status::active(format!(
            "serving on port {} with {peers} peer(s)",
            config.port
        ))
    } else if !ctx.flags().is_set("leadership.set.cluster-id") {
        Status::waiting("waiting for the leader to choose a cluster id")
    } else {
        Status::maintenance("configuring")
    })
}
