//! The `mysql-innodb-cluster` interface, peers side: the units of a MySQL
//! InnoDB Cluster application exchange the address, user and password each
//! one can be reached with for clustering, then signal when they are ready
//! to be configured and when they have joined the cluster.
//!
//! Wire-compatible with the Python layer
//! [`charm-interface-mysql-innodb-cluster`](https://opendev.org/openstack/charm-interface-mysql-innodb-cluster)
//! (`peers.py`): every value is JSON-encoded as charms.reactive's
//! `to_publish` does (Python's `json.dumps(value, sort_keys=True)`), except
//! `ingress-address` and `private-address`, published raw.
//!
//! | key | published by | value |
//! | --- | --- | --- |
//! | `ingress-address`, `private-address` | every unit, once joined | raw address of the endpoint's network-space binding (or the cluster host override) |
//! | `cluster-address` | [`set_cluster_connection_info`] | JSON string |
//! | `cluster-user` | [`set_cluster_connection_info`] | JSON string |
//! | `cluster-password` | [`set_cluster_connection_info`] | JSON string |
//! | `unit-configure-ready` | [`set_unit_configure_ready`] | `true` |
//! | `unit-clustered` | [`set_unit_clustered`] | `true` |
//!
//! # Flags
//!
//! - `{endpoint_name}.connected`: at least one peer is joined;
//! - `{endpoint_name}.available`: at least [`MINIMUM_CLUSTER_SIZE`]` - 1`
//!   peers are joined and every one published its cluster address, user and
//!   password;
//! - `{endpoint_name}.clustered`: at least [`MINIMUM_CLUSTER_SIZE`]` - 1`
//!   peers are joined and every one published `unit-clustered`.
//!
//! # Validation
//!
//! What peers publish is checked before use ([`PeerUnit::check`]): the
//! three connection values are non-empty JSON strings, `cluster-address` an
//! IP address or a host name, `cluster-user` a MySQL user name
//! ([`check_cluster_user`]), the two signals JSON booleans. A value refused
//! is logged as a [`crate::peer_input::InvalidPeerValue`] naming the peer
//! and the key (never a password, a long value by its size) and counts as
//! absent; the hook goes on with the other peers.
//!
//! As the Python layer, the `endpoint.{endpoint_name}.changed.<key>` flags
//! of the five cluster keys are cleared together once all five are set.
//!
//! # Example
//!
//! ```
//! use charm_interfaces::mysql_innodb_cluster::MysqlInnodbClusterPeers;
//! use charm_macros::{when, when_not};
//!
//! /// Tell the peers how to reach this unit for clustering. (A charm
//! /// gating this on `cluster.available` being unset must also publish
//! /// when its peers were all complete before it could: `available` is
//! /// then already set, see the mysql-innodb-cluster example.)
//! #[when("cluster.connected")]
//! #[when_not("cluster.available")]
//! fn send_cluster_connection_info(cluster: MysqlInnodbClusterPeers) -> Result<(), String> {
//!     cluster
//!         .set_cluster_connection_info("10.5.0.10", "clusteruser", "s3cret", None)
//!         .map_err(|e| e.to_string())?;
//!     Ok(())
//! }
//!
//! /// Create the peers' cluster users, then say this unit is ready.
//! #[when("cluster.available")]
//! fn create_remote_cluster_users(cluster: MysqlInnodbClusterPeers) -> Result<(), String> {
//!     for peer in cluster.peers().map_err(|e| e.to_string())? {
//!         if let (Some(address), Some(user), Some(password)) =
//!             (&peer.cluster_address, &peer.cluster_user, &peer.cluster_password)
//!         {
//!             // create_cluster_user(address, user, password.expose())
//!             let _ = (address, user, password.expose());
//!         }
//!     }
//!     cluster.set_unit_configure_ready().map_err(|e| e.to_string())?;
//!     Ok(())
//! }
//! # fn main() {}
//! ```
//!
//! The password never reaches a log line or a trace event: [`Password`]
//! prints redacted, warnings about bad peer data never quote a password,
//! and the runtime sends relation data to `relation-set` on its standard
//! input, never in its arguments.
//!
//! [`set_cluster_connection_info`]: MysqlInnodbClusterPeers::set_cluster_connection_info
//! [`set_unit_configure_ready`]: MysqlInnodbClusterPeers::set_unit_configure_ready
//! [`set_unit_clustered`]: MysqlInnodbClusterPeers::set_unit_clustered

use charm_macros::{hook, interface, when};
use charm_runtime::backend::{RelationId, ToolError};
use charm_runtime::endpoint::{Endpoint, Received, RelatedUnit, Relation};
use charm_runtime::network::{self, Address};
use charm_runtime::python_json;
use charm_runtime::{Level, StateError};
use serde_json::Value;

use crate::peer_input::{InvalidPeerValue, Reason};

/// The smallest viable MySQL InnoDB cluster: `available` and `clustered`
/// need this many units, this one included.
pub const MINIMUM_CLUSTER_SIZE: usize = 3;

/// `cluster-address`: how peers reach this unit's MySQL for clustering.
pub const CLUSTER_ADDRESS: &str = "cluster-address";
/// `cluster-user`: the user peers create for this unit.
pub const CLUSTER_USER: &str = "cluster-user";
/// `cluster-password`: that user's password.
pub const CLUSTER_PASSWORD: &str = "cluster-password";
/// `unit-configure-ready`: the unit created its peers' users.
pub const UNIT_CONFIGURE_READY: &str = "unit-configure-ready";
/// `unit-clustered`: the unit joined the InnoDB cluster.
pub const UNIT_CLUSTERED: &str = "unit-clustered";

/// The keys whose `changed.<key>` flags are cleared together.
const CHANGED_KEYS: [&str; 5] = [
    CLUSTER_ADDRESS,
    CLUSTER_USER,
    CLUSTER_PASSWORD,
    UNIT_CONFIGURE_READY,
    UNIT_CLUSTERED,
];

/// What went wrong in the peers interface.
#[derive(Debug, thiserror::Error)]
pub enum PeersError {
    /// A hook tool failed.
    #[error("mysql-innodb-cluster peers: {0}")]
    Tool(#[from] ToolError),
    /// The unit state could not be read or written.
    #[error("mysql-innodb-cluster peers: {0}")]
    State(#[from] StateError),
    /// A value given to [`MysqlInnodbClusterPeers::set_cluster_connection_info`]
    /// is unusable; the message names the argument, never a password.
    #[error("mysql-innodb-cluster peers: invalid {what}: {reason}")]
    InvalidArgument {
        /// The argument (`cluster address`, `cluster user`, ...).
        what: &'static str,
        /// Why it is refused.
        reason: String,
    },
}

/// A password received from a peer: printed redacted (`Debug` and
/// `Display`), so that it cannot reach a log by accident. Read it with
/// [`Password::expose`].
///
/// ```
/// use charm_interfaces::mysql_innodb_cluster::Password;
/// let p = Password::new("s3cret");
/// assert_eq!(format!("{p} {p:?}"), "<redacted> Password(<redacted>)");
/// assert_eq!(p.expose(), "s3cret");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Wrap `password`.
    pub fn new(password: impl Into<String>) -> Self {
        Self(password.into())
    }

    /// The password itself.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl std::fmt::Display for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// One joined peer and what it published, checked: a value that is
/// missing or unusable is `None` (`false` for the two signals).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerUnit {
    /// The unit (`mysql-innodb-cluster/1`).
    pub unit: String,
    /// Its `cluster-address`: an IP address or a host name.
    pub cluster_address: Option<String>,
    /// Its `cluster-user`.
    pub cluster_user: Option<String>,
    /// Its `cluster-password`.
    pub cluster_password: Option<Password>,
    /// Whether it published `unit-configure-ready: true`.
    pub configure_ready: bool,
    /// Whether it published `unit-clustered: true`.
    pub clustered: bool,
}

impl PeerUnit {
    /// Whether it published its cluster address, user and password.
    pub fn has_connection_info(&self) -> bool {
        self.cluster_address.is_some()
            && self.cluster_user.is_some()
            && self.cluster_password.is_some()
    }

    /// Check what `unit` published. Unusable values are reported to `warn`
    /// (a message naming the unit and key, never a password's value, a
    /// long value by its size) and treated as absent. See
    /// [`PeerUnit::check`] for the checks and the typed errors.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use charm_interfaces::mysql_innodb_cluster::PeerUnit;
    /// use charm_runtime::endpoint::Received;
    ///
    /// let raw: BTreeMap<String, String> = [
    ///     ("cluster-address", "\"10.5.0.11\""),
    ///     ("cluster-user", "\"clusteruser\""),
    ///     ("cluster-password", "42"),
    ///     ("unit-clustered", "true"),
    /// ]
    /// .into_iter()
    /// .map(|(k, v)| (k.to_owned(), v.to_owned()))
    /// .collect();
    /// let mut warnings = Vec::new();
    /// let peer = PeerUnit::from_received("app/1", &Received::from_raw(raw), |w| warnings.push(w));
    /// assert_eq!(peer.cluster_address.as_deref(), Some("10.5.0.11"));
    /// assert!(peer.cluster_password.is_none());
    /// assert!(peer.clustered && !peer.configure_ready);
    /// assert_eq!(warnings.len(), 1);
    /// assert!(!warnings[0].contains("42"));
    /// ```
    pub fn from_received(unit: &str, data: &Received, mut warn: impl FnMut(String)) -> Self {
        let (peer, refused) = Self::check(unit, data);
        for e in refused {
            warn(e.to_string());
        }
        peer
    }

    /// Check what `unit` published: the peer with every usable value, and
    /// a typed error for each value refused (treated as absent), naming
    /// the unit and the key:
    ///
    /// - `cluster-address`, `cluster-user`, `cluster-password`: non-empty
    ///   JSON strings;
    /// - `cluster-address`: an IP address or a host name
    ///   ([`is_valid_host`]);
    /// - `cluster-user`: a MySQL user name ([`check_cluster_user`]: at most
    ///   [`MAX_CLUSTER_USER_LEN`] characters, no quote, backslash, NUL or
    ///   control character);
    /// - `unit-configure-ready`, `unit-clustered`: `true` or `false`.
    ///
    /// A refused password is never shown; a long value is shown by its
    /// size.
    ///
    /// ```
    /// use std::collections::BTreeMap;
    /// use charm_interfaces::mysql_innodb_cluster::{CLUSTER_USER, PeerUnit};
    /// use charm_interfaces::peer_input::Reason;
    /// use charm_runtime::endpoint::Received;
    ///
    /// let huge = serde_json::Value::from("u".repeat(1 << 20)).to_string();
    /// let raw = BTreeMap::from([(CLUSTER_USER.to_owned(), huge)]);
    /// let (peer, refused) = PeerUnit::check("app/1", &Received::from_raw(raw));
    /// assert_eq!(peer.cluster_user, None);
    /// assert_eq!(refused[0].unit, "app/1");
    /// assert_eq!(refused[0].key, CLUSTER_USER);
    /// assert_eq!(refused[0].reason, Reason::TooLong { len: 1 << 20, max: 32 });
    /// assert!(refused[0].to_string().contains("a value of 1048576 bytes"));
    /// ```
    pub fn check(unit: &str, data: &Received) -> (Self, Vec<InvalidPeerValue>) {
        let mut refused = Vec::new();
        let mut text = |key: &str, secret: bool| -> Option<String> {
            match data.get(key)? {
                Value::String(s) if !s.is_empty() => Some(s),
                Value::String(_) | Value::Null => None,
                other => {
                    let raw = python_json::dumps_sorted(&other);
                    refused.push(InvalidPeerValue::new(
                        unit,
                        key,
                        (!secret).then_some(raw.as_str()),
                        Reason::Expected("a non-empty string"),
                    ));
                    None
                }
            }
        };
        let mut cluster_address = text(CLUSTER_ADDRESS, false);
        let mut cluster_user = text(CLUSTER_USER, false);
        let cluster_password = text(CLUSTER_PASSWORD, true).map(Password);
        if let Some(address) = &cluster_address
            && !is_valid_host(address)
        {
            refused.push(InvalidPeerValue::new(
                unit,
                CLUSTER_ADDRESS,
                Some(address),
                Reason::Expected("an IP address or a host name"),
            ));
            cluster_address = None;
        }
        if let Some(user) = &cluster_user
            && let Err(reason) = check_cluster_user(user)
        {
            refused.push(InvalidPeerValue::new(
                unit,
                CLUSTER_USER,
                Some(user),
                reason,
            ));
            cluster_user = None;
        }
        let mut flag = |key: &str| -> bool {
            match data.get(key) {
                None | Some(Value::Null) | Some(Value::Bool(false)) => false,
                Some(Value::Bool(true)) => true,
                Some(other) => {
                    let raw = python_json::dumps_sorted(&other);
                    refused.push(InvalidPeerValue::new(
                        unit,
                        key,
                        Some(&raw),
                        Reason::Expected("true or false"),
                    ));
                    false
                }
            }
        };
        let configure_ready = flag(UNIT_CONFIGURE_READY);
        let clustered = flag(UNIT_CLUSTERED);
        let peer = Self {
            unit: unit.to_owned(),
            cluster_address,
            cluster_user,
            cluster_password,
            configure_ready,
            clustered,
        };
        (peer, refused)
    }
}

/// The longest MySQL 8 account user name, in characters.
pub const MAX_CLUSTER_USER_LEN: usize = 32;

/// Whether `user` can be a `cluster-user`: not empty, at most
/// [`MAX_CLUSTER_USER_LEN`] characters, and no character that would end or
/// escape a quoted SQL name (`'`, `"`, `` ` ``, `\`), no NUL and no
/// control character. Applied to what peers publish and to what this unit
/// publishes.
///
/// ```
/// use charm_interfaces::mysql_innodb_cluster::check_cluster_user;
/// use charm_interfaces::peer_input::Reason;
/// assert_eq!(check_cluster_user("clusteruser"), Ok(()));
/// assert_eq!(check_cluster_user("o'brien"), Err(Reason::Character('\'')));
/// assert_eq!(check_cluster_user("a\0b"), Err(Reason::Character('\0')));
/// assert_eq!(check_cluster_user(&"u".repeat(33)), Err(Reason::TooLong { len: 33, max: 32 }));
/// ```
pub fn check_cluster_user(user: &str) -> Result<(), Reason> {
    if user.is_empty() {
        return Err(Reason::Expected("a non-empty string"));
    }
    let len = user.chars().count();
    if len > MAX_CLUSTER_USER_LEN {
        return Err(Reason::TooLong {
            len,
            max: MAX_CLUSTER_USER_LEN,
        });
    }
    match user
        .chars()
        .find(|&c| matches!(c, '\'' | '"' | '`' | '\\') || c.is_control())
    {
        Some(c) => Err(Reason::Character(c)),
        None => Ok(()),
    }
}

/// Whether `host` is an IP address or a host name (RFC 1123 labels): the
/// one check of `charm_runtime::network`, re-exported here.
///
/// ```
/// use charm_interfaces::mysql_innodb_cluster::is_valid_host;
/// assert!(is_valid_host("10.5.0.10"));
/// assert!(is_valid_host("fd00::10"));
/// assert!(is_valid_host("mysql-0.cluster.example"));
/// assert!(!is_valid_host("mysql 0"));
/// assert!(!is_valid_host("-bad.example"));
/// assert!(!is_valid_host(""));
/// ```
pub use charm_runtime::network::is_host as is_valid_host;

/// The peers side of `mysql-innodb-cluster`: the typed endpoint of a
/// `peers:` relation with `interface: mysql-innodb-cluster`.
#[interface("mysql-innodb-cluster", role = "peers")]
pub struct MysqlInnodbClusterPeers<'a>(Endpoint<'a>);

#[interface]
impl<'a> MysqlInnodbClusterPeers<'a> {
    /// A peer is joined: publish this unit's address, set `connected`,
    /// re-evaluate `available`.
    #[when("endpoint.{endpoint_name}.joined")]
    fn joined(&self) -> Result<(), PeersError> {
        self.publish_ingress_address()?;
        self.set_flag("{endpoint_name}.connected");
        self.update_available()?;
        Ok(())
    }

    /// Peer data changed: clear the five `changed.<key>` flags once all are
    /// set, re-evaluate `available` and `clustered`.
    #[when("endpoint.{endpoint_name}.changed")]
    fn changed(&self) -> Result<(), PeersError> {
        let flags: Vec<String> = CHANGED_KEYS
            .iter()
            .map(|k| self.expand_name(&format!("endpoint.{{endpoint_name}}.changed.{k}")))
            .collect();
        let names: Vec<&str> = flags.iter().map(String::as_str).collect();
        let state = self.ctx().flags();
        if state.all_set(&names) {
            for flag in &names {
                state.clear(flag);
            }
        }
        self.update_available()?;
        let clustered = self.is_clustered()?;
        self.toggle_flag("{endpoint_name}.clustered", clustered);
        Ok(())
    }

    /// A peer departed: the flags follow the peers that remain.
    #[when("endpoint.{endpoint_name}.departed")]
    fn departed(&self) -> Result<(), PeersError> {
        self.update_all()
    }

    /// The relation is going away: no peer remains.
    #[hook("{endpoint_name}-relation-broken")]
    fn broken(&self) -> Result<(), PeersError> {
        self.update_all()
    }
}

impl<'a> MysqlInnodbClusterPeers<'a> {
    fn warn(&self, message: &str) {
        self.ctx().log(Level::Warning, message);
    }

    fn update_available(&self) -> Result<(), PeersError> {
        let available = self.is_available()?;
        self.toggle_flag("{endpoint_name}.available", available);
        Ok(())
    }

    fn update_all(&self) -> Result<(), PeersError> {
        let connected = self.is_joined()?;
        self.toggle_flag("{endpoint_name}.connected", connected);
        self.update_available()?;
        let clustered = self.is_clustered()?;
        self.toggle_flag("{endpoint_name}.clustered", clustered);
        Ok(())
    }

    /// The ids of the endpoint's relations (one for a peer endpoint).
    pub fn relation_ids(&self) -> Result<Vec<RelationId>, PeersError> {
        Ok(self.relations()?.iter().map(|r| r.id().clone()).collect())
    }

    /// The peer relation, `None` when there is none (the unit is alone or
    /// the relation is departing).
    pub fn peer_relation(&self) -> Result<Option<Relation<'a>>, PeersError> {
        Ok(self.relations()?.into_iter().next())
    }

    /// Every joined peer with what it published, checked (see
    /// [`PeerUnit::from_received`]; warnings go to the hook's log).
    pub fn peers(&self) -> Result<Vec<PeerUnit>, PeersError> {
        self.all_joined_units()?
            .iter()
            .map(|unit| self.peer(unit))
            .collect()
    }

    fn peer(&self, unit: &RelatedUnit<'_>) -> Result<PeerUnit, PeersError> {
        let data = unit.received()?;
        Ok(PeerUnit::from_received(unit.name(), &data, |w| {
            self.warn(&w)
        }))
    }

    fn enough_peers(peers: &[PeerUnit]) -> bool {
        peers.len() >= MINIMUM_CLUSTER_SIZE - 1
    }

    /// Whether enough peers are joined and every one published its
    /// connection information (the `available` flag).
    pub fn is_available(&self) -> Result<bool, PeersError> {
        let peers = self.peers()?;
        Ok(Self::enough_peers(&peers) && peers.iter().all(PeerUnit::has_connection_info))
    }

    /// Whether enough peers are joined and every one is clustered (the
    /// `clustered` flag).
    pub fn is_clustered(&self) -> Result<bool, PeersError> {
        let peers = self.peers()?;
        Ok(Self::enough_peers(&peers) && peers.iter().all(|p| p.clustered))
    }

    fn override_key(&self) -> String {
        format!("mysql-innodb-cluster.{}.cluster-host", self.name())
    }

    /// The cluster host set by [`Self::set_cluster_connection_info`], if
    /// any.
    pub fn cluster_host_override(&self) -> Result<Option<String>, PeersError> {
        Ok(self.ctx().kv().get::<String>(&self.override_key())?)
    }

    /// The address this unit presents to its peers on `relation`: the
    /// cluster host override if set, else the first ingress address of the
    /// endpoint's network-space binding (`network-get`), else its first
    /// bind address, else the unit's `private-address`.
    pub fn ingress_address(&self, relation: Option<&RelationId>) -> Result<String, PeersError> {
        if let Some(host) = self.cluster_host_override()? {
            return Ok(host);
        }
        let juju = self.ctx().juju();
        match network::network_info(&juju, self.name(), relation) {
            Ok(info) => {
                let candidates = [
                    ("ingress", info.ingress_address()),
                    ("bind", info.bind_address()),
                ];
                for (what, candidate) in candidates {
                    match candidate {
                        Some(Address::Ip(ip)) => return Ok(ip.to_string()),
                        Some(a) => self.warn(&format!(
                            "network-get {}: invalid {what} address {} (not an IP address): ignored",
                            self.name(),
                            python_json::dumps_str(&a.to_string())
                        )),
                        None => {}
                    }
                }
                self.warn(&format!(
                    "network-get {}: no usable address; using the unit's private-address",
                    self.name()
                ));
            }
            Err(e @ network::NetworkError::Tool { .. }) => self.warn(&format!(
                "no network binding for {} ({e}); using the unit's private-address",
                self.name()
            )),
            Err(e) => self.warn(&format!(
                "unusable network-get answer for {} ({e}); using the unit's private-address",
                self.name()
            )),
        }
        Ok(juju.unit_get("private-address")?)
    }

    fn publish_ingress_address(&self) -> Result<(), PeersError> {
        for relation in self.relations()? {
            let address = self.ingress_address(Some(relation.id()))?;
            let raw = relation.to_publish_raw();
            raw.set("ingress-address", &address)?;
            raw.set("private-address", &address)?;
        }
        Ok(())
    }

    fn no_relation(&self) {
        self.warn("No mysql-innodb-cluster peer relation: possibly departing.");
    }

    /// Publish how peers reach this unit for clustering: `cluster-address`,
    /// `cluster-user` and `cluster-password`. With `cluster_host`, the
    /// address this unit presents (`ingress-address`, `private-address`)
    /// is `cluster_host` instead of the network-space binding's, in this
    /// hook and the following ones, until a call without it.
    ///
    /// # Returns
    ///
    /// `Ok(true)` once published. `Ok(false)` means "nothing to do": the
    /// endpoint has no peer relation (Juju creates it with the application,
    /// so this happens only while it is being torn down, in
    /// `-relation-broken`); nothing is published and a warning is logged,
    /// as the Python layer does. It is not an error, so that a handler
    /// running during teardown does not fail the hook.
    ///
    /// # Errors
    ///
    /// Empty values and an address or host that is neither an IP address
    /// nor a host name are refused; the error never quotes the password.
    pub fn set_cluster_connection_info(
        &self,
        cluster_address: &str,
        cluster_user: &str,
        cluster_password: &str,
        cluster_host: Option<&str>,
    ) -> Result<bool, PeersError> {
        let invalid = |what, reason: &str| PeersError::InvalidArgument {
            what,
            reason: reason.to_owned(),
        };
        if !is_valid_host(cluster_address) {
            return Err(invalid(
                "cluster address",
                &format!(
                    "{} is neither an IP address nor a host name",
                    python_json::dumps_str(cluster_address)
                ),
            ));
        }
        if let Err(reason) = check_cluster_user(cluster_user) {
            let reason = format!("{}: {reason}", crate::peer_input::shown(cluster_user));
            return Err(invalid("cluster user", &reason));
        }
        if cluster_password.is_empty() {
            return Err(invalid("cluster password", "it is empty"));
        }
        if let Some(host) = cluster_host
            && !is_valid_host(host)
        {
            return Err(invalid(
                "cluster host",
                &format!(
                    "{} is neither an IP address nor a host name",
                    python_json::dumps_str(host)
                ),
            ));
        }
        let Some(relation) = self.peer_relation()? else {
            self.no_relation();
            return Ok(false);
        };
        let raw = relation.to_publish_raw();
        raw.set(CLUSTER_ADDRESS, &python_json::dumps_str(cluster_address))?;
        raw.set(CLUSTER_USER, &python_json::dumps_str(cluster_user))?;
        raw.set(CLUSTER_PASSWORD, &python_json::dumps_str(cluster_password))?;
        let kv = self.ctx().kv();
        match cluster_host {
            Some(host) => kv.set(&self.override_key(), host)?,
            None => kv.unset(&self.override_key())?,
        }
        if self.is_joined()? {
            self.publish_ingress_address()?;
        }
        Ok(true)
    }

    fn publish_true(&self, key: &str) -> Result<bool, PeersError> {
        let Some(relation) = self.peer_relation()? else {
            self.no_relation();
            return Ok(false);
        };
        relation
            .to_publish_raw()
            .set(key, &python_json::dumps_sorted(&Value::Bool(true)))?;
        Ok(true)
    }

    /// Tell the peers this unit is ready to be configured
    /// (`unit-configure-ready: true`). `Ok(false)` means "nothing to do":
    /// there is no peer relation (teardown), nothing is published and a
    /// warning is logged, as for
    /// [`set_cluster_connection_info`](Self::set_cluster_connection_info).
    pub fn set_unit_configure_ready(&self) -> Result<bool, PeersError> {
        self.publish_true(UNIT_CONFIGURE_READY)
    }

    /// Tell the peers this unit is clustered (`unit-clustered: true`).
    /// `Ok(false)` means "nothing to do": there is no peer relation
    /// (teardown), nothing is published and a warning is logged, as for
    /// [`set_cluster_connection_info`](Self::set_cluster_connection_info).
    pub fn set_unit_clustered(&self) -> Result<bool, PeersError> {
        self.publish_true(UNIT_CLUSTERED)
    }
}
