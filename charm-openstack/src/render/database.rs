//! The adapter of a `mysql-shared` relation (charms.openstack's
//! `DatabaseRelationAdapter`): the database's address, the credentials,
//! the TLS material and the SQLAlchemy connection URI.

use std::fmt;
use std::path::{Path, PathBuf};

use charm_interfaces::mysql_shared::{MysqlShared, MysqlSharedError, Password};
use charm_interfaces::rabbitmq::b64decode;
use serde_json::{Value, json};

use super::error::RenderError;
use super::rabbitmq::url_host;
use super::relation_adapter::{AdapterFile, RelationAdapter};
use crate::release::Release;

/// Where the database's TLS material is written by default
/// (charms.openstack's `CA_CERTS_DIR`).
pub const DEFAULT_SSL_DIR: &str = "/usr/local/share/ca-certificates";

/// The SQLAlchemy driver from Stein on.
pub const PYMYSQL_DRIVER: &str = "mysql+pymysql";

/// The SQLAlchemy driver before Stein.
pub const MYSQL_DRIVER: &str = "mysql";

/// What templates see of a `mysql-shared` relation, read once from the
/// interface when built, under the endpoint's name (`shared_db`).
///
/// | key | value |
/// |---|---|
/// | `host`, `port` | MySQL's `db_host`, `db_port` (the port as text) |
/// | `database`, `username` | as asked for (under the prefix, for [`DatabaseAdapter::prefixed`]) |
/// | `password` | MySQL's (the prefix's) |
/// | `type` | `mysql` |
/// | `driver` | `mysql+pymysql` (Stein on), `mysql` before ([`DatabaseAdapter::for_release`]) |
/// | `uri` | `<driver>://<username>:<password>@<host>[:<port>]/<database>`, then `?ssl_ca=<path>` when MySQL sent a CA, then `&ssl_cert=<path>`, `&ssl_key=<path>` when it sent a client certificate and key; none until the host, credentials and database are known |
/// | `database_ssl_ca`, `database_ssl_cert`, `database_ssl_key` | the paths the TLS material is written to (`<ssl_dir>/db-client.ca`, `.cert`, `.key`), when sent |
/// | `ssl_ca`, `access_network`, `wait_timeout`, `prefix` | as published; the prefix used, if any |
///
/// The TLS material is decoded when the adapter is built and written
/// before rendering ([`RelationAdapter::files`]): the CA and certificate
/// mode 0644, the key 0640, owned by root and the definition's group.
/// The `Debug` output redacts the password.
#[derive(Clone, PartialEq)]
pub struct DatabaseAdapter {
    name: String,
    prefix: Option<String>,
    host: Option<String>,
    port: Option<u16>,
    database: Option<String>,
    username: Option<String>,
    password: Option<Password>,
    driver: String,
    ssl_dir: PathBuf,
    ssl_ca_raw: Option<String>,
    ssl_ca: Option<Vec<u8>>,
    ssl_cert: Option<Vec<u8>>,
    ssl_key: Option<Vec<u8>>,
    access_network: Option<String>,
    wait_timeout: Option<u64>,
}

impl fmt::Debug for DatabaseAdapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseAdapter")
            .field("name", &self.name)
            .field("prefix", &self.prefix)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("database", &self.database)
            .field("username", &self.username)
            .field("password", &self.password)
            .field("driver", &self.driver)
            .field("ssl_dir", &self.ssl_dir)
            .field("tls", &self.ssl_ca.is_some())
            .finish_non_exhaustive()
    }
}

impl DatabaseAdapter {
    /// Read the database of [`MysqlShared::configure`] from `db`.
    ///
    /// # Errors
    ///
    /// [`RenderError::Adapter`] naming the endpoint when the interface
    /// cannot be read (a hook tool failed, `db_port` is not a port), or
    /// the TLS material is not base64.
    pub fn new(db: &MysqlShared<'_>) -> Result<Self, RenderError> {
        Self::read(db, None)
    }

    /// Read the database asked for under `prefix`
    /// ([`MysqlShared::configure_prefixed`]): its database, username,
    /// password and URI (charms.openstack's `get_uri(prefix)`), the host,
    /// port and TLS material being the relation's. Named after the
    /// endpoint too: give each prefix's adapter its own name with
    /// [`DatabaseAdapter::named`] to render several.
    ///
    /// # Errors
    ///
    /// Those of [`DatabaseAdapter::new`].
    pub fn prefixed(db: &MysqlShared<'_>, prefix: &str) -> Result<Self, RenderError> {
        Self::read(db, Some(prefix))
    }

    fn read(db: &MysqlShared<'_>, prefix: Option<&str>) -> Result<Self, RenderError> {
        let name = db.name().to_owned();
        let failed = |e: MysqlSharedError| RenderError::Adapter {
            relation: name.clone(),
            reason: e.to_string(),
        };
        let (database, username, password) = match prefix {
            Some(p) => (
                db.prefixed_database(p).map_err(failed)?,
                db.prefixed_username(p).map_err(failed)?,
                db.prefixed_password(p).map_err(failed)?,
            ),
            None => (
                db.database().map_err(failed)?,
                db.username().map_err(failed)?,
                db.password().map_err(failed)?,
            ),
        };
        let decode = |key: &str, raw: Option<String>| -> Result<Option<Vec<u8>>, RenderError> {
            raw.map(|text| {
                b64decode(&text).map_err(|reason| RenderError::Adapter {
                    relation: name.clone(),
                    reason: format!("MySQL's {key} is not base64: {reason}"),
                })
            })
            .transpose()
        };
        let ssl_ca_raw = db.ssl_ca().map_err(failed)?;
        Ok(Self {
            prefix: prefix.map(str::to_owned),
            host: db.db_host().map_err(failed)?,
            port: db.db_port().map_err(failed)?,
            database,
            username,
            password,
            driver: PYMYSQL_DRIVER.to_owned(),
            ssl_dir: PathBuf::from(DEFAULT_SSL_DIR),
            ssl_ca: decode("ssl_ca", ssl_ca_raw.clone())?,
            ssl_ca_raw,
            ssl_cert: decode("ssl_cert", db.ssl_cert().map_err(failed)?)?,
            ssl_key: decode("ssl_key", db.ssl_key().map_err(failed)?)?,
            access_network: db.access_network().map_err(failed)?,
            wait_timeout: db.wait_timeout().map_err(failed)?,
            name,
        })
    }

    /// The same under the relation name `name` (`shared-db-api`, seen
    /// by templates as `shared_db_api`).
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// The same with the SQLAlchemy `driver` in the URI.
    pub fn driver(mut self, driver: impl Into<String>) -> Self {
        self.driver = driver.into();
        self
    }

    /// The same with the driver OpenStack `release` uses:
    /// `mysql+pymysql` from Stein on, `mysql` before (the default is
    /// `mysql+pymysql`).
    pub fn for_release(self, release: Release) -> Self {
        let driver = if release >= Release::STEIN {
            PYMYSQL_DRIVER
        } else {
            MYSQL_DRIVER
        };
        self.driver(driver)
    }

    /// The same writing the TLS material under `dir` instead of
    /// [`DEFAULT_SSL_DIR`] (charms.openstack's `set_ssl_dir`).
    pub fn ssl_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.ssl_dir = dir.into();
        self
    }

    fn ssl_path(&self, present: bool, file: &str) -> Option<PathBuf> {
        present.then(|| self.ssl_dir.join(file))
    }

    /// Where MySQL's CA is written, when it sent one.
    pub fn ssl_ca_path(&self) -> Option<PathBuf> {
        self.ssl_path(self.ssl_ca.is_some(), "db-client.ca")
    }

    /// Where the client certificate is written, when MySQL sent one.
    pub fn ssl_cert_path(&self) -> Option<PathBuf> {
        self.ssl_path(self.ssl_cert.is_some(), "db-client.cert")
    }

    /// Where the client key is written, when MySQL sent one.
    pub fn ssl_key_path(&self) -> Option<PathBuf> {
        self.ssl_path(self.ssl_key.is_some(), "db-client.key")
    }

    /// The database host.
    pub fn host(&self) -> Option<&str> {
        self.host.as_deref()
    }

    /// The database port, when MySQL sent one.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// The database name.
    pub fn database(&self) -> Option<&str> {
        self.database.as_deref()
    }

    /// The username.
    pub fn username(&self) -> Option<&str> {
        self.username.as_deref()
    }

    /// The password.
    pub fn password(&self) -> Option<&Password> {
        self.password.as_ref()
    }

    /// The SQLAlchemy connection URI, once the host, username, password
    /// and database are known (see the type's table).
    pub fn uri(&self) -> Option<String> {
        let (host, user, password, database) = (
            self.host.as_deref()?,
            self.username.as_deref()?,
            self.password.as_ref()?,
            self.database.as_deref()?,
        );
        let host = url_host(host);
        let port = self.port.map(|p| format!(":{p}")).unwrap_or_default();
        let mut uri = format!(
            "{}://{user}:{}@{host}{port}/{database}",
            self.driver,
            password.expose()
        );
        if let Some(ca) = self.ssl_ca_path() {
            uri.push_str(&format!("?ssl_ca={}", ca.display()));
            if let Some(cert) = self.ssl_cert_path() {
                uri.push_str(&format!("&ssl_cert={}", cert.display()));
                if let Some(key) = self.ssl_key_path() {
                    uri.push_str(&format!("&ssl_key={}", key.display()));
                }
            }
        }
        Some(uri)
    }
}

fn shown(path: Option<PathBuf>) -> Option<String> {
    path.as_deref().map(Path::display).map(|d| d.to_string())
}

impl RelationAdapter for DatabaseAdapter {
    fn name(&self) -> &str {
        &self.name
    }

    fn to_value(&self) -> Result<Value, RenderError> {
        Ok(json!({
            "host": self.host,
            "port": self.port.map(|p| p.to_string()),
            "database": self.database,
            "username": self.username,
            "password": self.password.as_ref().map(|p| p.expose().to_owned()),
            "type": "mysql",
            "driver": self.driver,
            "uri": self.uri(),
            "database_ssl_ca": shown(self.ssl_ca_path()),
            "database_ssl_cert": shown(self.ssl_cert_path()),
            "database_ssl_key": shown(self.ssl_key_path()),
            "ssl_ca": self.ssl_ca_raw,
            "access_network": self.access_network,
            "wait_timeout": self.wait_timeout,
            "prefix": self.prefix,
        }))
    }

    fn files(&self) -> Vec<AdapterFile> {
        [
            (self.ssl_ca_path(), &self.ssl_ca, 0o644),
            (self.ssl_cert_path(), &self.ssl_cert, 0o644),
            (self.ssl_key_path(), &self.ssl_key, 0o640),
        ]
        .into_iter()
        .filter_map(|(path, content, mode)| {
            Some(AdapterFile {
                path: path?,
                content: content.clone()?,
                mode,
            })
        })
        .collect()
    }
}
