//! Rendering an OpenStack charm's configuration files from Jinja2
//! templates (charms.openstack's adapters and `render_configs`).
//!
//! - [`search`]: where templates are looked for (per release, then older
//!   releases, then `templates/`);
//! - [`templates`]: the engine, byte-compatible with charmhelpers' Jinja2;
//! - [`config_adapter`], [`relation_adapter`], [`adapters`]: what
//!   templates see; [`rabbitmq`] and [`database`]: the adapters of the
//!   `rabbitmq` and `mysql-shared` interfaces;
//! - [`files`]: which files, owned by whom, restarting what;
//! - [`apply`]: rendering, writing and restarting on change;
//! - on the instance: [`OpenStack::render_all`](crate::OpenStack::render_all),
//!   [`OpenStack::render_configs`](crate::OpenStack::render_configs),
//!   [`OpenStack::render_files`](crate::OpenStack::render_files),
//!   [`OpenStack::render_and_assess`](crate::OpenStack::render_and_assess).

pub mod adapters;
pub mod apply;
pub mod config_adapter;
pub mod database;
pub mod error;
pub mod files;
mod instance;
mod python_str;
pub mod rabbitmq;
pub mod relation_adapter;
pub mod search;
pub mod templates;

pub use adapters::Adapters;
pub use apply::{HASH_KEY_PREFIX, RenderReport, render_files};
pub use config_adapter::{ConfigAdapter, ConfigProperty};
pub use database::DatabaseAdapter;
pub use error::RenderError;
pub use files::{ConfigFile, ConfigFiles};
pub use rabbitmq::RabbitMqAdapter;
pub use relation_adapter::{AdapterFile, RelationAdapter, RelationValues};
pub use search::{TemplateSearch, template_names};
pub use templates::Templates;
