//! What a charm declares about itself: its metadata (name, endpoints,
//! extra bindings), its config options and its actions.
//!
//! # Where each part is read from
//!
//! A charm directory has either the classic files, `metadata.yaml`,
//! `config.yaml` and `actions.yaml`, or one `charmcraft.yaml` that holds
//! the same content under its own keys:
//!
//! | part | classic file | in `charmcraft.yaml` |
//! |------|--------------|----------------------|
//! | [`Metadata`] | `metadata.yaml` (top level) | the same keys at top level |
//! | [`ConfigSchema`] | `config.yaml` (`options:`) | `config:` → `options:` |
//! | [`ActionsSchema`] | `actions.yaml` (top level) | `actions:` |
//!
//! Each part is looked up on its own: **the classic file wins** when it
//! exists, and `charmcraft.yaml` is read only when it is absent. A packed
//! charm built from a unified `charmcraft.yaml` carries generated classic
//! files, which are then the ones read; a charm with a build-only
//! `charmcraft.yaml` and a hand-written `metadata.yaml` gets its metadata
//! from `metadata.yaml`.
//!
//! Keys this module does not model (`series`, `tags`, `resources`,
//! `storage`, `containers`, `bases`, `parts`, ...) are ignored.
//!
//! YAML is read with the YAML 1.1 conventions Juju's own parser (go-yaml
//! v2) and PyYAML follow for untyped values: `yes`/`no`/`on`/`off` are
//! booleans and `0755` is octal (493). Duplicate keys are an error.
//! Documents nested deeper than 64 levels, and alias bombs, are refused.
//! Only regular files are read (a FIFO or a device is refused before it is
//! opened for reading), and at most [`CHARM_FILE_LIMIT`] bytes of each.
//!
//! ```
//! use charm_runtime::metadata::{Metadata, Role};
//!
//! let meta = Metadata::parse(
//!     "name: wordpress\n\
//!      requires:\n  db: {interface: mysql, limit: 1}\n  cache: memcache\n\
//!      provides:\n  website: http\n",
//!     "metadata.yaml",
//! )
//! .unwrap();
//! assert_eq!(meta.name, "wordpress");
//! assert_eq!(meta.endpoints_for(Role::Requires, "mysql"), ["db"]);
//! assert_eq!(meta.role_and_interface("cache"), Some((Role::Requires, "memcache")));
//! assert_eq!(meta.relation_names(), ["cache", "db", "website"]);
//! ```

mod actions;
mod charm;
pub(crate) mod error;
pub(crate) mod files;
pub(crate) mod read;
mod role;
pub(crate) mod yaml;

pub use actions::{ActionMeta, ActionsSchema};
pub use charm::{EndpointMeta, Metadata};
pub use error::MetadataError;
pub(crate) use error::describe;
pub use files::{ACTIONS_FILE, CHARMCRAFT_FILE, CONFIG_FILE, METADATA_FILE};
pub use read::CHARM_FILE_LIMIT;
pub use role::{Role, Scope};

// The config schema is part of what a charm declares; it lives in `config`
// beside the values it describes.
pub use crate::config::{ConfigOption, ConfigSchema, OptionType};
