//! An example charm: an OpenStack-style API service (keystone behind
//! apache2, fronted by haproxy) made highly available by the `hacluster`
//! subordinate, as charms.openstack's `HAOpenStackCharm` does it.
//!
//! Everything HA is [`charm_openstack::ha`]: while the `ha` relation is
//! connected, every hook hands hacluster the resources the config asks for
//! (`vip`, `vip-iface`, `vip-cidr`, `dns-ha`, `os-*-hostname`: the haproxy
//! clone, the VIPs or DNS records, their group and colocation), deleting
//! what it no longer wants; the status is blocked on bad config or on a
//! related unit without `vip`, waiting until hacluster says `clustered`,
//! active otherwise. What remains here is keystone's own: its definition,
//! its install, and its status messages.

use charm_interfaces::hacluster::Hacluster;
use charm_openstack::ha::{self, HaStatus};
use charm_openstack::{Definition, OpenStack, OpenStackCharms, Release};
use charm_runtime::prelude::*;

/// The workload version this charm installs.
pub const VERSION: &str = "25.0.0";

/// Set once the service is installed.
pub const INSTALLED: Flag = Flag::new("keystone.installed");
/// Set by the hacluster interface while a hacluster unit is related.
const HA_CONNECTED: Flag = Flag::new("ha.connected");

/// Keystone as an OpenStack charm: its resources are named after
/// `keystone` (`res_keystone_haproxy`).
fn charms() -> OpenStackCharms {
    OpenStackCharms::new(
        Definition::new("keystone", Release::CARACAL)
            .packages(["keystone", "apache2", "haproxy"])
            .services(["apache2", "haproxy"]),
    )
}
charm_openstack::register!(charms);

/// Run the hook Juju invoked: the binary's `main` calls this, which also
/// links these handlers into it.
pub fn main() -> std::process::ExitCode {
    charm_runtime::main()
}

#[hook("install")]
fn install(ctx: Ctx) -> Result<(), Error> {
    ctx.progress("installing keystone, apache2 and haproxy")?;
    // apt install keystone apache2 haproxy would go here.
    ctx.application_version_set(VERSION);
    ctx.flags().set(INSTALLED);
    Ok(())
}

/// Hand the resources to hacluster, every hook while the relation is
/// connected (the endpoint sends only what changed; bad config changes
/// nothing and blocks the unit).
#[when(INSTALLED, HA_CONNECTED)]
fn configure_ha(os: OpenStack, ha: &Hacluster) -> Result<(), Error> {
    let configured = ha::configure(&os, ha)?;
    log::debug!("hacluster: {configured:?}");
    Ok(())
}

/// Status once, at the end of every hook.
#[when(INSTALLED)]
fn assess_status(ctx: Ctx) {
    ctx.status_at_exit(assess);
}

/// The status the unit should show: HA's, else active.
fn assess(ctx: &HookContext) -> Result<Status, Error> {
    let os = OpenStack::of(ctx)?;
    let ha: Hacluster = ctx.interface()?;
    Ok(match ha::status(&os, &ha)? {
        HaStatus::Clustered => Status::active("Unit is ready and clustered"),
        other => other
            .to_status()
            .unwrap_or_else(|| Status::active("Unit is ready")),
    })
}
