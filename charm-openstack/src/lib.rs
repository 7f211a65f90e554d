//! The charms.openstack layer on charm-runtime.
//!
//! An OpenStack charm is a [`Definition`] (packages, services, API ports,
//! the files it renders and what each restarts, the relations it needs)
//! for one release onwards, registered as the binary's
//! [`OpenStackCharms`] with [`register!`]. Each hook gets one [`OpenStack`]
//! instance, the definition for the hook's [`Release`], as a handler
//! argument; what it does to the machine goes through a [`host::Host`].
//!
//! A charm, in short (`examples/openstack-api` is a whole one):
//!
//! ```no_run,standalone_crate
//! use charm_interfaces::mysql_shared::MysqlShared;
//! use charm_interfaces::rabbitmq::RabbitMq;
//! use charm_openstack::render::{Adapters, ConfigAdapter, DatabaseAdapter, RabbitMqAdapter};
//! use charm_openstack::{ApiPorts, DefaultHandler, Definition, OpenStack, OpenStackCharms};
//! use charm_openstack::{Release, RequiredRelation};
//! use charm_runtime::prelude::*;
//!
//! fn charms() -> OpenStackCharms {
//!     OpenStackCharms::new(
//!         Definition::new("api", Release::YOGA)
//!             .packages(["api", "haproxy"])
//!             .services(["api", "haproxy"])
//!             .api_port("api", ApiPorts::all(8774))
//!             .restart_map("/etc/api/api.conf", ["api"])
//!             .required_relation(RequiredRelation::new("shared-db"))
//!             .required_relation(RequiredRelation::new("amqp")),
//!     )
//!     .use_defaults([
//!         DefaultHandler::SelectRelease,
//!         DefaultHandler::Install,
//!         DefaultHandler::ConfigChanged,
//!         DefaultHandler::UpdateStatus,
//!     ])
//! }
//! charm_openstack::register!(charms);
//!
//! /// Render `templates/[<release>/]api.conf` once both relations are
//! /// ready, restart what changed, and assess the status at the end.
//! #[when("charm.installed", "shared-db.available", "amqp.available")]
//! #[when_not("config.rendered")]
//! fn render(os: OpenStack, db: &MysqlShared, amqp: &RabbitMq) -> Result<(), Error> {
//!     let adapters = Adapters::new(ConfigAdapter::from_hook(os.ctx())?)
//!         .relation(DatabaseAdapter::new(db)?)
//!         .relation(RabbitMqAdapter::new(amqp)?);
//!     os.render_and_assess(&adapters)?;
//!     Ok(())
//! }
//!
//! pub fn main() -> std::process::ExitCode {
//!     charm_runtime::main()
//! }
//! ```
//!
//! - [`release`]: OpenStack's releases in order, and install sources;
//! - [`definition`]: what a charm is;
//! - [`charms`]: registration, release selection, default handlers;
//! - [`instance`]: the instance of a hook;
//! - [`host`]: the machine, real or recorded;
//! - [`render`]: configuration files from templates, restarting on change;
//! - [`status`]: the workload status, assessed once at the end of a hook;
//! - [`defaults`]: the default handlers a charm opts into, and the
//!   operations they run (install, charm and OpenStack upgrades);
//! - [`actions`]: the `pause` and `resume` actions;
//! - [`ha`]: high availability through the hacluster subordinate.

#![deny(missing_docs)]

pub mod actions;
pub mod charms;
pub mod defaults;
pub mod definition;
pub mod ha;
pub mod host;
pub mod instance;
pub mod release;
pub mod render;
pub mod status;

pub use actions::{PauseError, PauseOutcome};
pub use charms::{DefaultHandler, OpenStackCharms, Registration, Selector};
pub use defaults::{InstallError, UpgradeError};
pub use definition::{ApiPorts, CustomCheck, Definition, RequiredRelation};
pub use ha::{HaCharm, HaConfig, HaConfigError, HaError, HaPlan, HaStatus};
pub use instance::{OpenStack, OpenStackError};
pub use release::{Release, ReleaseError};
pub use render::{
    Adapters, ConfigAdapter, DatabaseAdapter, RabbitMqAdapter, RelationAdapter, RenderError,
    RenderReport,
};
pub use status::StatusError;
