//! The charms.openstack layer on charm-runtime.
//!
//! An OpenStack charm is a [`Definition`] (packages, services, API ports,
//! the files it renders and what each restarts, the relations it needs)
//! for one release onwards, registered as the binary's
//! [`OpenStackCharms`] with [`register!`]. Each hook gets one [`OpenStack`]
//! instance, the definition for the hook's [`Release`], as a handler
//! argument; what it does to the machine goes through a [`host::Host`].
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
