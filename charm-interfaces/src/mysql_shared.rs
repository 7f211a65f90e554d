//! The `mysql-shared` interface, `requires` side: a client charm asks MySQL
//! for one database and user, or several (each under a prefix), and
//! receives the database host, the passwords, the units allowed to connect
//! and, optionally, the access network and TLS material.
//!
//! Wire-compatible with the Python layer
//! [`charm-interface-mysql-shared`](https://opendev.org/openstack/charm-interface-mysql-shared)
//! (`requires.py`), a charms.reactive `RelationBase` layer with a global
//! scope: one conversation per endpoint
//! (`reactive.conversations.<endpoint>.global`), whose key the flags'
//! values list, and whose local data holds what this unit asked for
//! ([`conversation::GlobalConversation`](crate::conversation::GlobalConversation)).
//! Every value is a raw string on the wire.
//!
//! | key | published by | value |
//! | --- | --- | --- |
//! | `database`, `username`, `hostname` | this unit, [`MysqlShared::configure`] | as given; `hostname` defaults to the endpoint's primary address |
//! | `<prefix>_database`, `<prefix>_username`, `<prefix>_hostname` | this unit, [`MysqlShared::configure_prefixed`] | the same, per prefix |
//! | `db_host`, `db_port` | MySQL | address and port of the database |
//! | `password`, `allowed_units` | MySQL | the user's password; the units (space-separated) allowed to connect |
//! | `<prefix>_password`, `<prefix>_allowed_units` | MySQL | the same, per prefix |
//! | `access-network`, `ssl_ca`, `ssl_cert`, `ssl_key`, `wait_timeout` | MySQL, optional | raw text |
//! | `cluster-series-upgrading` | MySQL | `True` while its units are being upgraded to a new series |
//!
//! # Flags
//!
//! - `{endpoint_name}.connected`: set when a MySQL unit joins;
//! - `{endpoint_name}.available`: `db_host`, and for every database asked
//!   for its password and allowed units, are known, and this unit is among
//!   the allowed units of each ([`MysqlShared::base_data_complete`],
//!   [`MysqlShared::unit_allowed_all_dbs`]);
//! - `{endpoint_name}.available.access_network`: MySQL published
//!   `access-network`;
//! - `{endpoint_name}.available.ssl`: MySQL published `ssl_ca`.
//!
//! As in the Python layer, `-relation-changed` only sets the three
//! `available` flags, except while `cluster-series-upgrading` is `True`,
//! which clears them. A departing unit clears all four; they are
//! re-evaluated on the units that remain. `-relation-broken` clears them.
//!
//! # Example
//!
//! ```
//! use charm_interfaces::mysql_shared::{MysqlShared, MysqlSharedError};
//! use charm_macros::when;
//!
//! #[when("shared-db.connected")]
//! fn request(db: &MysqlShared) -> Result<(), MysqlSharedError> {
//!     db.configure_prefixed("nova", "nova", "nova", None)?;
//!     db.configure_prefixed("novaapi", "nova_api", "nova", None)
//! }
//!
//! #[when("shared-db.available")]
//! fn connect(db: &MysqlShared) -> Result<(), MysqlSharedError> {
//!     let host = db.db_host()?.expect("available");
//!     let password = db.prefixed_password("nova")?.expect("available");
//!     let _ = (host, password.expose());
//!     Ok(())
//! }
//! # fn main() {}
//! ```
//!
//! Passwords never reach a log line or a trace event: [`Password`] prints
//! redacted, errors about remote data never quote a value, and the runtime
//! sends relation data to `relation-set` on its standard input.

use charm_macros::{hook, interface};
use charm_runtime::StateError;
use charm_runtime::backend::ToolError;
use charm_runtime::endpoint::Endpoint;
use charm_runtime::network::{NetworkError, is_host};
use charm_runtime::python_json;

use crate::conversation::GlobalConversation;
use crate::global_scope;
pub use crate::mysql_innodb_cluster::Password;

/// `{endpoint_name}.connected`.
pub const CONNECTED: &str = "{endpoint_name}.connected";
/// `{endpoint_name}.available`.
pub const AVAILABLE: &str = "{endpoint_name}.available";
/// `{endpoint_name}.available.access_network`.
pub const AVAILABLE_ACCESS_NETWORK: &str = "{endpoint_name}.available.access_network";
/// `{endpoint_name}.available.ssl`.
pub const AVAILABLE_SSL: &str = "{endpoint_name}.available.ssl";

const AVAILABLE_FLAGS: [&str; 3] = [AVAILABLE, AVAILABLE_ACCESS_NETWORK, AVAILABLE_SSL];

/// What went wrong in the mysql-shared interface.
#[derive(Debug, thiserror::Error)]
pub enum MysqlSharedError {
    /// A hook tool failed.
    #[error("mysql-shared: {0}")]
    Tool(#[from] ToolError),
    /// The unit state could not be read or written.
    #[error("mysql-shared: {0}")]
    State(#[from] StateError),
    /// The endpoint's address could not be found (`network-get`), for
    /// [`MysqlShared::configure`] without a host name.
    #[error("mysql-shared: {0}")]
    Network(#[from] NetworkError),
    /// An argument is unusable.
    #[error("mysql-shared: invalid {what}: {reason}")]
    InvalidArgument {
        /// The argument (`database`, `username`, `hostname`, `prefix`).
        what: &'static str,
        /// Why it is refused.
        reason: String,
    },
    /// A value MySQL published is unusable (the value is not quoted).
    #[error("mysql-shared: MySQL's {key} is invalid: {reason}")]
    InvalidRemoteData {
        /// The relation-data key.
        key: &'static str,
        /// Why it is refused.
        reason: String,
    },
}

/// The `mysql-shared` endpoint of a client charm (`requires`).
///
/// A handler argument on its flags (`{endpoint_name}.connected`,
/// `.available`, ...):
///
/// ```
/// use charm_interfaces::mysql_shared::MysqlShared;
/// use charm_runtime::Registry;
/// use charm_runtime::harness::{Context, Event, Relation, State};
/// use charm_runtime::metadata::Metadata;
/// use charm_runtime::prelude::*;
///
/// #[when("shared-db.connected")]
/// fn request_database(db: &MysqlShared) -> Result<(), Error> {
///     db.configure("app", "app-user", None)?;
///     Ok(())
/// }
///
/// # fn main() {
/// let metadata = "name: app\nrequires:\n  shared-db: {interface: mysql-shared}\n";
/// // The interface's handlers, then this charm's.
/// let registry = |meta: &Metadata| {
///     let mut registry = Registry::for_charm("charm_interfaces::mysql_shared", meta)?;
///     registry.add_charm_inventory(module_path!(), meta)?;
///     Ok(registry)
/// };
/// let ctx = Context::from_yaml(metadata, registry).unwrap();
/// let db = Relation::new("shared-db", 2, "mysql").with_unit("mysql/0");
/// let state = State::new().with_relation(db.clone());
/// let out = ctx.run(Event::relation_joined(&db, "mysql/0"), &state).unwrap().expect_ok();
/// assert!(out.has_flag("shared-db.connected"));
/// let published = &out.relation(&db).local_unit_data;
/// assert_eq!(published["database"], "app");
/// assert_eq!(published["username"], "app-user");
/// # }
/// ```
#[interface("mysql-shared", role = "requires")]
pub struct MysqlShared<'a>(Endpoint<'a>);

#[interface]
impl MysqlShared<'_> {
    /// A MySQL unit joined: it joins the conversation; `connected`.
    #[hook("{endpoint_name}-relation-joined")]
    fn joined(&self) -> Result<(), MysqlSharedError> {
        self.join_remote()?;
        self.conv().set_flag(&self.expand_name(CONNECTED))?;
        Ok(())
    }

    /// MySQL's data changed: set the `available` flags it completes.
    #[hook("{endpoint_name}-relation-changed")]
    fn changed(&self) -> Result<(), MysqlSharedError> {
        self.join_remote()?;
        self.update_available()
    }

    /// A MySQL unit left: clear the flags, then evaluate them again on the
    /// units that remain, if any; the unit leaves the conversation.
    #[hook("{endpoint_name}-relation-departed")]
    fn departed(&self) -> Result<(), MysqlSharedError> {
        self.clear_all()?;
        if self.is_joined()? {
            self.conv().set_flag(&self.expand_name(CONNECTED))?;
            self.update_available()?;
        }
        if let Some(unit) = global_scope::remote_unit(self) {
            self.conv().depart(&unit)?;
        }
        Ok(())
    }

    /// The relation is gone: clear the flags.
    #[hook("{endpoint_name}-relation-broken")]
    fn broken(&self) -> Result<(), MysqlSharedError> {
        self.clear_all()?;
        if self.is_joined()? {
            self.conv().set_flag(&self.expand_name(CONNECTED))?;
            self.update_available()?;
        }
        Ok(())
    }
}

impl MysqlShared<'_> {
    /// The endpoint's global conversation.
    pub fn conv(&self) -> GlobalConversation<'_> {
        GlobalConversation::new(self.ctx(), self.name())
    }

    fn join_remote(&self) -> Result<(), MysqlSharedError> {
        if let Some(unit) = global_scope::remote_unit(self) {
            self.conv().join(&unit)?;
        }
        Ok(())
    }

    fn clear_all(&self) -> Result<(), MysqlSharedError> {
        let conv = self.conv();
        conv.remove_flag(&self.expand_name(CONNECTED))?;
        for flag in AVAILABLE_FLAGS {
            conv.remove_flag(&self.expand_name(flag))?;
        }
        Ok(())
    }

    fn update_available(&self) -> Result<(), MysqlSharedError> {
        let conv = self.conv();
        if self.cluster_series_upgrading()? {
            for flag in AVAILABLE_FLAGS {
                conv.remove_flag(&self.expand_name(flag))?;
            }
            return Ok(());
        }
        if self.base_data_complete()? && self.unit_allowed_all_dbs()? {
            conv.set_flag(&self.expand_name(AVAILABLE))?;
        }
        if self.access_network_data_complete()? {
            conv.set_flag(&self.expand_name(AVAILABLE_ACCESS_NETWORK))?;
        }
        if self.ssl_data_complete()? {
            conv.set_flag(&self.expand_name(AVAILABLE_SSL))?;
        }
        Ok(())
    }

    fn remote(&self, key: &str) -> Result<Option<String>, MysqlSharedError> {
        Ok(global_scope::get_remote(self, key)?)
    }

    fn local_text(&self, name: &str) -> Result<Option<String>, MysqlSharedError> {
        Ok(self.conv().local::<String>(name)?.filter(|s| !s.is_empty()))
    }

    /// Ask for the database `database` and the user `username`, connecting
    /// from `hostname`; without it (or with an empty one), from the
    /// endpoint's primary address (the first address of its network-space
    /// binding). Published on every relation of the endpoint and kept as
    /// the conversation's local data, as the Python layer does.
    ///
    /// # Errors
    ///
    /// An empty database or username, one with whitespace or control
    /// characters, a hostname that is neither an IP address nor a host
    /// name; `network-get` failing (no binding) or its binding having no
    /// address when no hostname is given.
    pub fn configure(
        &self,
        database: &str,
        username: &str,
        hostname: Option<&str>,
    ) -> Result<(), MysqlSharedError> {
        self.configure_keys("", database, username, hostname)
    }

    /// [`Self::configure`] for one of several databases: the keys are
    /// `<prefix>_database`, `<prefix>_username` and `<prefix>_hostname`,
    /// and MySQL answers with `<prefix>_password` and
    /// `<prefix>_allowed_units`. The prefix joins [`Self::prefixes`]; once
    /// there is one, `available` waits for the prefixed answers only.
    ///
    /// # Errors
    ///
    /// Those of [`Self::configure`], and a prefix that is empty or has
    /// whitespace, `=` or control characters.
    pub fn configure_prefixed(
        &self,
        prefix: &str,
        database: &str,
        username: &str,
        hostname: Option<&str>,
    ) -> Result<(), MysqlSharedError> {
        if !global_scope::is_key_part(prefix) {
            return Err(MysqlSharedError::InvalidArgument {
                what: "prefix",
                reason: format!(
                    "{} is empty or has whitespace, '=' or control characters",
                    python_json::dumps_str(prefix)
                ),
            });
        }
        self.configure_keys(prefix, database, username, hostname)
    }

    fn configure_keys(
        &self,
        prefix: &str,
        database: &str,
        username: &str,
        hostname: Option<&str>,
    ) -> Result<(), MysqlSharedError> {
        check_word("database", database)?;
        check_word("username", username)?;
        let hostname = match hostname.filter(|h| !h.is_empty()) {
            Some(h) if is_host(h) => h.to_owned(),
            Some(h) => {
                return Err(MysqlSharedError::InvalidArgument {
                    what: "hostname",
                    reason: format!(
                        "{} is neither an IP address nor a host name",
                        python_json::dumps_str(h)
                    ),
                });
            }
            None => global_scope::primary_address(self)?.ok_or_else(|| {
                MysqlSharedError::InvalidArgument {
                    what: "hostname",
                    reason: format!(
                        "none given, and the binding of {} has no address",
                        self.name()
                    ),
                }
            })?,
        };
        let key = |k: &str| key(prefix, k);
        let (k_db, k_user, k_host) = (key("database"), key("username"), key("hostname"));
        let data = [
            (k_db.as_str(), database),
            (k_user.as_str(), username),
            (k_host.as_str(), hostname.as_str()),
        ];
        let conv = self.conv();
        if !prefix.is_empty() {
            let mut prefixes = self.prefixes()?;
            if !prefixes.iter().any(|p| p == prefix) {
                prefixes.push(prefix.to_owned());
                conv.set_local("prefixes", &prefixes)?;
            }
        }
        global_scope::publish(self, &data)?;
        for (k, v) in data {
            conv.set_local(k, v)?;
        }
        Ok(())
    }

    /// The prefixes of the databases asked for with
    /// [`Self::configure_prefixed`], in the order first asked.
    pub fn prefixes(&self) -> Result<Vec<String>, MysqlSharedError> {
        Ok(self
            .conv()
            .local::<Vec<String>>("prefixes")?
            .unwrap_or_default())
    }

    /// The database asked for with [`Self::configure`].
    pub fn database(&self) -> Result<Option<String>, MysqlSharedError> {
        self.local_text("database")
    }

    /// The database asked for under `prefix`.
    pub fn prefixed_database(&self, prefix: &str) -> Result<Option<String>, MysqlSharedError> {
        self.local_text(&key(prefix, "database"))
    }

    /// The username asked for with [`Self::configure`].
    pub fn username(&self) -> Result<Option<String>, MysqlSharedError> {
        self.local_text("username")
    }

    /// The username asked for under `prefix`.
    pub fn prefixed_username(&self, prefix: &str) -> Result<Option<String>, MysqlSharedError> {
        self.local_text(&key(prefix, "username"))
    }

    /// The hostname sent with [`Self::configure`].
    pub fn hostname(&self) -> Result<Option<String>, MysqlSharedError> {
        self.local_text("hostname")
    }

    /// The hostname sent under `prefix`.
    pub fn prefixed_hostname(&self, prefix: &str) -> Result<Option<String>, MysqlSharedError> {
        self.local_text(&key(prefix, "hostname"))
    }

    /// The password of the user of [`Self::configure`].
    pub fn password(&self) -> Result<Option<Password>, MysqlSharedError> {
        Ok(self.remote("password")?.map(Password::new))
    }

    /// The password of the user asked for under `prefix`.
    pub fn prefixed_password(&self, prefix: &str) -> Result<Option<Password>, MysqlSharedError> {
        Ok(self.remote(&key(prefix, "password"))?.map(Password::new))
    }

    /// The units allowed to use the database of [`Self::configure`]
    /// (`allowed_units`, split on whitespace; empty when not published).
    pub fn allowed_units(&self) -> Result<Vec<String>, MysqlSharedError> {
        self.units_of(&key("", "allowed_units"))
    }

    /// The units allowed to use the database asked for under `prefix`.
    pub fn prefixed_allowed_units(&self, prefix: &str) -> Result<Vec<String>, MysqlSharedError> {
        self.units_of(&key(prefix, "allowed_units"))
    }

    fn units_of(&self, k: &str) -> Result<Vec<String>, MysqlSharedError> {
        Ok(self
            .remote(k)?
            .map(|v| v.split_whitespace().map(str::to_owned).collect())
            .unwrap_or_default())
    }

    /// Whether this unit is among the allowed units of the database of
    /// [`Self::configure`].
    pub fn unit_allowed_db(&self) -> Result<bool, MysqlSharedError> {
        self.allowed_in(&self.allowed_units()?)
    }

    /// Whether this unit is among the allowed units of the database asked
    /// for under `prefix`.
    pub fn prefixed_unit_allowed_db(&self, prefix: &str) -> Result<bool, MysqlSharedError> {
        self.allowed_in(&self.prefixed_allowed_units(prefix)?)
    }

    fn allowed_in(&self, units: &[String]) -> Result<bool, MysqlSharedError> {
        let juju = self.ctx().juju();
        let local = &juju.env().unit;
        Ok(units.iter().any(|u| u == local))
    }

    /// Whether this unit is allowed on every database asked for: each
    /// prefix's, or, with no prefix, that of [`Self::configure`].
    pub fn unit_allowed_all_dbs(&self) -> Result<bool, MysqlSharedError> {
        let prefixes = self.prefixes()?;
        if prefixes.is_empty() {
            return self.unit_allowed_db();
        }
        for p in &prefixes {
            if !self.prefixed_unit_allowed_db(p)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Whether `db_host` and, for every database asked for (each prefix's,
    /// or with no prefix that of [`Self::configure`]), its password and
    /// allowed units are published.
    pub fn base_data_complete(&self) -> Result<bool, MysqlSharedError> {
        if self.remote("db_host")?.is_none() {
            return Ok(false);
        }
        let prefixes = self.prefixes()?;
        let prefixes: Vec<&str> = if prefixes.is_empty() {
            vec![""]
        } else {
            prefixes.iter().map(String::as_str).collect()
        };
        for p in prefixes {
            for suffix in ["password", "allowed_units"] {
                if self.remote(&key(p, suffix))?.is_none() {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    /// Whether MySQL published its `access-network`.
    pub fn access_network_data_complete(&self) -> Result<bool, MysqlSharedError> {
        Ok(self.access_network()?.is_some())
    }

    /// Whether MySQL published its `ssl_ca`.
    pub fn ssl_data_complete(&self) -> Result<bool, MysqlSharedError> {
        Ok(self.ssl_ca()?.is_some())
    }

    /// The database host.
    pub fn db_host(&self) -> Result<Option<String>, MysqlSharedError> {
        self.remote("db_host")
    }

    /// The database port.
    ///
    /// # Errors
    ///
    /// [`MysqlSharedError::InvalidRemoteData`] when it is not a port number.
    pub fn db_port(&self) -> Result<Option<u16>, MysqlSharedError> {
        self.remote("db_port")?
            .map(|p| {
                p.trim()
                    .parse::<u16>()
                    .ok()
                    .filter(|p| *p != 0)
                    .ok_or_else(|| MysqlSharedError::InvalidRemoteData {
                        key: "db_port",
                        reason: "not a port number".into(),
                    })
            })
            .transpose()
    }

    /// The network MySQL wants clients to use (`access-network`, a CIDR),
    /// raw.
    pub fn access_network(&self) -> Result<Option<String>, MysqlSharedError> {
        self.remote("access-network")
    }

    /// MySQL's CA certificate, as published (base64).
    pub fn ssl_ca(&self) -> Result<Option<String>, MysqlSharedError> {
        self.remote("ssl_ca")
    }

    /// The client certificate, as published (base64).
    pub fn ssl_cert(&self) -> Result<Option<String>, MysqlSharedError> {
        self.remote("ssl_cert")
    }

    /// The client key, as published (base64).
    pub fn ssl_key(&self) -> Result<Option<String>, MysqlSharedError> {
        self.remote("ssl_key")
    }

    /// The `cluster-series-upgrading` value, raw.
    pub fn cluster_series_upgrading_raw(&self) -> Result<Option<String>, MysqlSharedError> {
        self.remote("cluster-series-upgrading")
    }

    /// Whether MySQL says its units are being upgraded to a new series
    /// (`cluster-series-upgrading` is exactly `True`, as the Python layer
    /// tests).
    pub fn cluster_series_upgrading(&self) -> Result<bool, MysqlSharedError> {
        Ok(self.cluster_series_upgrading_raw()?.as_deref() == Some("True"))
    }

    /// MySQL's `wait_timeout`, in seconds.
    ///
    /// # Errors
    ///
    /// [`MysqlSharedError::InvalidRemoteData`] when it is not a whole
    /// number.
    pub fn wait_timeout(&self) -> Result<Option<u64>, MysqlSharedError> {
        self.remote("wait_timeout")?
            .map(|t| {
                t.trim()
                    .parse::<u64>()
                    .map_err(|_| MysqlSharedError::InvalidRemoteData {
                        key: "wait_timeout",
                        reason: "not a whole number of seconds".into(),
                    })
            })
            .transpose()
    }
}

/// The relation-data key `name` under `prefix` (`<prefix>_<name>`), or
/// `name` for the empty prefix.
fn key(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        name.to_owned()
    } else {
        format!("{prefix}_{name}")
    }
}

fn check_word(what: &'static str, value: &str) -> Result<(), MysqlSharedError> {
    let reason = if value.is_empty() {
        "it is empty"
    } else if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        "it contains whitespace or control characters"
    } else {
        return Ok(());
    };
    Err(MysqlSharedError::InvalidArgument {
        what,
        reason: reason.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_prefixed() {
        assert_eq!(key("", "password"), "password");
        assert_eq!(key("novaapi", "password"), "novaapi_password");
    }

    #[test]
    fn words_are_checked() {
        assert!(check_word("database", "nova_api").is_ok());
        for bad in ["", "no va", "nova\t"] {
            assert!(check_word("database", bad).is_err(), "{bad:?}");
        }
    }
}
