//! An example charm: a keystone-like OpenStack API service on
//! charm-openstack, with a database (`shared-db`, mysql-shared), a message
//! queue (`amqp`, rabbitmq) and high availability (`ha`, hacluster).
//!
//! What charm-openstack does for it:
//!
//! - install, config-changed, update-status, upgrade-charm, the OpenStack
//!   upgrade on a newer `openstack-origin` and the `pause`/`resume` actions
//!   are its default handlers ([`DefaultHandler`]); the release comes from
//!   `openstack-origin` through the default release selector, and picks
//!   one of two definitions (up to bobcat the API runs under apache2, from
//!   caracal under its own uwsgi service);
//! - the services stay stopped and disabled until the configuration is
//!   first rendered ([`DefaultHandler::ConfigRendered`]);
//! - the database and RabbitMQ adapters
//!   ([`charm_openstack::render::DatabaseAdapter`],
//!   [`charm_openstack::render::RabbitMqAdapter`]) and the configuration
//!   are what templates see; the templates are found per release
//!   (`templates/caracal/api.conf` overrides `templates/api.conf` from
//!   caracal on; both include `templates/parts/*`); a file whose bytes
//!   change restarts the services of the definition's restart map, and
//!   rendering sets `config.rendered` and asks for the status assessment
//!   ([`OpenStack::render_and_assess`]);
//! - the status is assessed once per hook, at its end: paused, required
//!   relations, HA (this charm's check), services and ports;
//! - HA is [`charm_openstack::ha`].
//!
//! What remains here is the charm's own: its definitions, what it asks of
//! MySQL and RabbitMQ, what its templates see, the database migration on
//! the leader, and the message of a clustered unit.

use charm_interfaces::hacluster::Hacluster;
// charm-openstack's flags: `charm.installed` (set by the default install
// handler), `config.rendered` (set once the files are rendered, cleared
// when they must be rendered again), `charm.paused` (while paused).
use charm_interfaces::mysql_shared::MysqlShared;
use charm_interfaces::rabbitmq::RabbitMq;
use charm_openstack::defaults::{CONFIG_RENDERED as RENDERED, INSTALLED_FLAG as INSTALLED};
use charm_openstack::ha::{self, HaStatus};
use charm_openstack::render::{Adapters, ConfigAdapter, DatabaseAdapter, RabbitMqAdapter};
use charm_openstack::status::PAUSED_FLAG as PAUSED;
use charm_openstack::{
    ApiPorts, DefaultHandler, Definition, OpenStack, OpenStackCharms, Release, RequiredRelation,
};
use charm_runtime::prelude::*;
use serde::Deserialize;
use serde_json::json;

/// The charm's (and its resources') name.
pub const NAME: &str = "openstack-api";
/// The API's configuration file.
pub const API_CONF: &str = "/etc/openstack-api/api.conf";
/// haproxy's configuration file.
pub const HAPROXY_CFG: &str = "/etc/haproxy/haproxy.cfg";
/// The API's ports: keystone's.
pub const PORTS: ApiPorts = ApiPorts {
    public: 5000,
    internal: 5000,
    admin: 35357,
};
/// The database migration, run once on the leader.
pub const DB_SYNC: [&str; 2] = ["openstack-api-manage", "db_sync"];
/// The status of a ready unit in a formed cluster.
pub const CLUSTERED_MESSAGE: &str = "Unit is ready and clustered";

/// The leadership setting the leader sets (to the release) once it
/// migrated the database: a new leader does not migrate it again.
pub const DB_SYNCED_KEY: &str = "db-synced";
/// Set while [`DB_SYNCED_KEY`] is.
pub const DB_SYNCED: Flag = Flag::new("leadership.set.db-synced");

const SHARED_DB_CONNECTED: Flag = Flag::new("shared-db.connected");
const SHARED_DB_AVAILABLE: Flag = Flag::new("shared-db.available");
const AMQP_CONNECTED: Flag = Flag::new("amqp.connected");
const AMQP_AVAILABLE: Flag = Flag::new("amqp.available");
const HA_CONNECTED: Flag = Flag::new("ha.connected");
const IS_LEADER: Flag = Flag::new("leadership.is_leader");
const SHARED_DB_CHANGED: Flag = Flag::new("endpoint.shared-db.changed");
const AMQP_CHANGED: Flag = Flag::new("endpoint.amqp.changed");

/// The options this charm reads itself (charm-openstack reads the rest).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Options {
    /// The database asked of MySQL.
    pub database: String,
    /// Its user.
    pub database_user: String,
    /// The RabbitMQ user.
    pub rabbit_user: String,
    /// The RabbitMQ virtual host.
    pub rabbit_vhost: String,
    /// The public endpoint's hostname, if set.
    pub os_public_hostname: String,
    /// The virtual IPs, space-separated.
    pub vip: String,
}

/// The charm: yoga onwards under apache2, caracal onwards under its own
/// uwsgi service with the new policy defaults (`templates/caracal/`).
fn charms() -> OpenStackCharms {
    let common = |release| {
        Definition::new(NAME, release)
            .api_port("openstack-api", PORTS)
            .service_type("identity")
            .required_relation(RequiredRelation::new("shared-db"))
            .required_relation(RequiredRelation::new("amqp"))
            .sync_command(DB_SYNC)
            .user(NAME)
            .group(NAME)
            .custom_check(check_ha)
    };
    OpenStackCharms::new(
        common(Release::YOGA)
            .packages([
                "openstack-api",
                "apache2",
                "libapache2-mod-wsgi-py3",
                "haproxy",
            ])
            .services(["apache2", "haproxy"])
            .restart_map(API_CONF, ["apache2"])
            .restart_map(HAPROXY_CFG, ["haproxy"]),
    )
    .and(
        common(Release::CARACAL)
            .packages(["openstack-api", "uwsgi", "uwsgi-plugin-python3", "haproxy"])
            .services(["openstack-api", "haproxy"])
            .restart_map(API_CONF, ["openstack-api"])
            .restart_map(HAPROXY_CFG, ["haproxy"]),
    )
    .use_defaults([
        DefaultHandler::SelectRelease,
        DefaultHandler::Install,
        DefaultHandler::ConfigChanged,
        DefaultHandler::UpdateStatus,
        DefaultHandler::UpgradeCharm,
        DefaultHandler::OpenStackUpgrade,
        DefaultHandler::ConfigRendered,
        DefaultHandler::PauseResume,
    ])
}
charm_openstack::register!(charms);

/// Run the hook Juju invoked: the binary's `main` calls this, which also
/// links these handlers into it.
pub fn main() -> std::process::ExitCode {
    charm_runtime::main()
}

/// Ask MySQL for the database, from the endpoint's address.
#[when(SHARED_DB_CONNECTED)]
fn request_database(db: &MysqlShared, config: Config<Options>) -> Result<(), Error> {
    db.configure(&config.database, &config.database_user, None)?;
    Ok(())
}

/// Ask RabbitMQ for the user and virtual host.
#[when(AMQP_CONNECTED)]
fn request_amqp(amqp: &RabbitMq, config: Config<Options>) -> Result<(), Error> {
    amqp.request_access(&config.rabbit_user, &config.rabbit_vhost, None)?;
    Ok(())
}

/// What MySQL or RabbitMQ sent changed: render again.
#[when_any(SHARED_DB_CHANGED, AMQP_CHANGED)]
fn relation_changed(os: OpenStack, flags: Flags) {
    flags.clear(SHARED_DB_CHANGED);
    flags.clear(AMQP_CHANGED);
    os.request_render();
}

/// Render the configuration once the database and the queue are there,
/// restarting the services of the files that changed (not while paused:
/// the files are rendered when the unit resumes).
#[when(INSTALLED, SHARED_DB_AVAILABLE, AMQP_AVAILABLE)]
#[when_none(RENDERED, PAUSED)]
fn render_config(
    os: OpenStack,
    db: &MysqlShared,
    amqp: &RabbitMq,
    config: Config<Options>,
) -> Result<(), Error> {
    let options = ConfigAdapter::from_hook(os.ctx())?
        .set("release", json!(os.release().codename()))
        .set("public_url", json!(public_url(&os, &config)?))
        .set("frontends", frontends(&os));
    let adapters = Adapters::new(options)
        .relation(DatabaseAdapter::new(db)?.for_release(os.release()))
        .relation(RabbitMqAdapter::new(amqp)?);
    let report = os.render_and_assess(&adapters)?;
    log::info!(
        "rendered for {}: changed {:?}, restarted {:?}",
        os.release(),
        report.changed,
        report.restarted
    );
    Ok(())
}

/// The leader migrates the database once the configuration says where it
/// is, and says so in the leadership settings (an OpenStack upgrade
/// migrates it again).
#[when(RENDERED, IS_LEADER)]
#[when_not(DB_SYNCED)]
fn sync_database(os: OpenStack) -> Result<(), Error> {
    let argv = &os.definition().sync_command;
    os.host().run(argv)?;
    os.ctx()
        .leader_set(DB_SYNCED_KEY, Some(os.release().codename()))?;
    Ok(())
}

/// Hand hacluster the VIPs and the haproxy clone, every hook while it is
/// related (it is sent only what changed).
#[when(INSTALLED, HA_CONNECTED)]
fn configure_ha(os: OpenStack, ha: &Hacluster) -> Result<(), Error> {
    let configured = ha::configure(&os, ha)?;
    log::debug!("hacluster: {configured:?}");
    Ok(())
}

/// Assess the status at the end of every hook once installed (the
/// default handlers ask too: it still runs once).
#[when(INSTALLED)]
fn assess_status(os: OpenStack) {
    os.assess_status();
}

/// The status assessment's check of HA, after the relations: blocked or
/// waiting as HA says, else, when clustered and the services are fine,
/// [`CLUSTERED_MESSAGE`].
fn check_ha(ctx: &HookContext) -> Result<Option<Status>, Error> {
    let os = OpenStack::of(ctx)?;
    let hacluster: Hacluster = ctx.interface()?;
    Ok(match ha::status(&os, &hacluster)? {
        HaStatus::Clustered => Some(
            os.check_services()?
                .unwrap_or_else(|| Status::active(CLUSTERED_MESSAGE)),
        ),
        other => other.to_status(),
    })
}

/// Where clients reach the public API: `os-public-hostname`, else the first
/// VIP, else this unit's ingress address on the `public` binding.
fn public_url(os: &OpenStack<'_>, config: &Options) -> Result<String, Error> {
    let host = match (
        config.os_public_hostname.trim(),
        config.vip.split_whitespace().next(),
    ) {
        (hostname, _) if !hostname.is_empty() => hostname.to_owned(),
        (_, Some(vip)) => vip.to_owned(),
        _ => os
            .ctx()
            .network("public")?
            .ingress_addresses
            .iter()
            .find_map(|a| a.ip())
            .map(|ip| ip.to_string())
            .ok_or_else(|| Error::msg("the public binding has no address"))?,
    };
    let host = if host.contains(':') {
        format!("[{host}]")
    } else {
        host
    };
    Ok(format!("http://{host}:{}", PORTS.public))
}

/// haproxy's frontends: one per API port, each to the service on the port
/// ten below (charms.openstack's convention).
fn frontends(os: &OpenStack<'_>) -> serde_json::Value {
    os.ports_to_check()
        .into_iter()
        .map(|port| {
            json!({
                "name": format!("{NAME}_{port}"),
                "port": port,
                "backend_port": port - 10,
            })
        })
        .collect()
}
