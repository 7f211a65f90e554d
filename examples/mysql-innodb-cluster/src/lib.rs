//! An example charm modelled on OpenStack's `mysql-innodb-cluster`: three
//! or more units form a MySQL InnoDB Cluster over their peer relation
//! `cluster` (interface `mysql-innodb-cluster`, typed endpoint
//! [`MysqlInnodbClusterPeers`]).
//!
//! No MySQL runs here: what the real charm would do to MySQL (create a
//! user, create the cluster, add an instance) is recorded in the unit's
//! key/value store, deterministically, under the `mysql-innodb-cluster.*`
//! keys below, and logged without any password.
//!
//! # The flow
//!
//! 1. `install` "installs" MySQL ([`KV_INSTALLED`]).
//! 2. On `cluster.connected`, until `cluster.available` is set and its
//!    own information is out, each unit publishes its cluster address,
//!    user (config `cluster-user`) and password through
//!    [`set_cluster_connection_info`](MysqlInnodbClusterPeers::set_cluster_connection_info).
//! 3. On `cluster.available` (two peers, both with connection info) and
//!    once its own is published, each unit creates its peers' users
//!    ([`KV_CLUSTER_USERS`]), then publishes `unit-configure-ready`. A
//!    peer's `cluster-user` that is not a MySQL user name is refused by
//!    the interface (see
//!    [`PeerUnit::check`](charm_interfaces::mysql_innodb_cluster::PeerUnit::check)):
//!    that peer has no connection information and no user is created.
//! 4. The leader, once every peer and itself are configure-ready, creates
//!    the cluster ([`KV_CLUSTER`]), records each instance as clustered in
//!    leadership settings (`cluster-instance-clustered-<address>`) and
//!    sets `cluster-created`, which raises `leadership.set.cluster-created`
//!    everywhere. Units joining later are added by the leader
//!    ([`KV_ADDED_INSTANCES`]).
//! 5. On `leadership.set.cluster-created` and `cluster.available`, a unit
//!    whose instance the leader recorded as clustered publishes
//!    `unit-clustered`.
//! 6. When a peer departs, its cluster user is dropped and its last
//!    relation data, which the runtime keeps for `all_departed_units`
//!    (password included), is forgotten.
//!
//! # Where the cluster password lives
//!
//! Each unit generates its **own** cluster password once
//! ([`charm_runtime::password::generate`]) and keeps it in a Juju secret
//! it owns (`secret-add --owner unit --label cluster-password`, the
//! content handed over in a private file, never in argv), which it grants
//! to the peer relation (`secret-grant -r cluster:N`). What it publishes
//! under `cluster-password` is the secret's **id**; its peers read the
//! password with `secret-get <id>` and create a MySQL user for it
//! (`'<cluster-user>'@'<its address>'`), so the unit reaches every peer
//! with its own credentials. The unit finds its secret again through the
//! id it records in its key/value store ([`KV_PASSWORD_SECRET`]): the id,
//! never the password.
//!
//! A peer that publishes a plain password (an older revision of this
//! charm, or the Python charm) is still understood: a `cluster-password`
//! that is not a secret id is taken as the password itself.
//!
//! Leadership settings are not used for passwords: Juju's `leader-set`
//! takes its values as command-line arguments (visible to every local
//! process in `ps`), and the runtime records them in the unit's key/value
//! store. They carry only non-secret signals (`cluster-created`,
//! `cluster-instance-clustered-<address>`).

use std::collections::BTreeMap;

use charm_interfaces::mysql_innodb_cluster::{
    CLUSTER_ADDRESS, CLUSTER_PASSWORD, CLUSTER_USER, MINIMUM_CLUSTER_SIZE, MysqlInnodbClusterPeers,
    Password, UNIT_CONFIGURE_READY,
};
use charm_runtime::backend::{
    SecretContent, SecretId, SecretOptions, SecretOwner, SecretRevision, ToolError,
};
use charm_runtime::prelude::*;
use serde::{Deserialize, Serialize};

/// The MySQL version this charm "installs".
pub const VERSION: &str = "8.0.36";
/// The name of the InnoDB cluster the leader creates.
pub const CLUSTER_NAME: &str = "jujuCluster";
/// The longest MySQL 8 account user name.
pub const MAX_USER_LEN: usize = 32;
/// The length of a generated cluster password.
pub const PASSWORD_LEN: usize = 32;
/// The label of the Juju secret holding this unit's cluster password.
pub const PASSWORD_SECRET_LABEL: &str = "cluster-password";
/// The key of the password in that secret's content.
pub const PASSWORD_SECRET_KEY: &str = "password";

/// Set once MySQL is installed.
pub const INSTALLED: Flag = Flag::new("mysql-innodb-cluster.installed");
/// Set once this unit published `unit-clustered`.
pub const CLUSTERED: Flag = Flag::new("mysql-innodb-cluster.clustered");
/// Leadership setting the leader sets once it created the cluster.
pub const CLUSTER_CREATED: &str = "cluster-created";
/// Set everywhere while the leadership setting [`CLUSTER_CREATED`] is.
///
/// ```
/// use mysql_innodb_cluster_charm::{CLUSTER_CREATED, CLUSTER_IS_CREATED};
/// assert_eq!(CLUSTER_IS_CREATED.name(), format!("leadership.set.{CLUSTER_CREATED}"));
/// ```
pub const CLUSTER_IS_CREATED: Flag = Flag::new("leadership.set.cluster-created");
/// Set by the peer interface while a peer is joined.
const CONNECTED: Flag = Flag::new("cluster.connected");
/// Set by the peer interface while enough peers published their
/// connection information.
const AVAILABLE: Flag = Flag::new("cluster.available");
/// Set while this unit is the leader.
const IS_LEADER: Flag = Flag::new("leadership.is_leader");
/// Set by the runtime when a peer departed, until the charm clears it.
const PEER_DEPARTED: Flag = Flag::new("endpoint.cluster.departed");

/// Unit kv: the MySQL version installed.
pub const KV_INSTALLED: &str = "mysql-innodb-cluster.installed";
/// Unit kv: the cluster users created for peers, by unit name
/// ([`ClusterUser`]). Never a password.
pub const KV_CLUSTER_USERS: &str = "mysql-innodb-cluster.cluster-users";
/// Unit kv, on the unit that created the cluster: [`ClusterRecord`].
pub const KV_CLUSTER: &str = "mysql-innodb-cluster.cluster";
/// Unit kv: the id of the Juju secret holding this unit's cluster
/// password (never the password).
pub const KV_PASSWORD_SECRET: &str = "mysql-innodb-cluster.cluster-password-secret";
/// Unit kv: instances this unit, as leader, added to an existing cluster
/// ([`AddedInstance`]), in order.
pub const KV_ADDED_INSTANCES: &str = "mysql-innodb-cluster.added-instances";

/// The charm's options (config.yaml).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Options {
    /// The MySQL user each unit's peers create for it.
    pub cluster_user: String,
}

/// A user created on the local MySQL for a peer: `'user'@'address'`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterUser {
    /// The peer's cluster address (the user's host part).
    pub address: String,
    /// The user name.
    pub user: String,
}

/// The cluster as the leader created it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterRecord {
    /// The cluster name ([`CLUSTER_NAME`]).
    pub name: String,
    /// The seed instance: the leader's cluster address.
    pub seed: String,
    /// The cluster user the leader connected with.
    pub user: String,
    /// Every instance of the cluster at creation, seed first, then the
    /// peers by unit name.
    pub instances: Vec<String>,
}

/// An instance the leader added to an existing cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddedInstance {
    /// The unit.
    pub unit: String,
    /// Its cluster address.
    pub address: String,
}

/// Run the hook Juju invoked: everything linked in, ordered by module
/// path, so the handlers of the `mysql-innodb-cluster` interface
/// instantiated for the `cluster` endpoint come before this charm's, and
/// the interface's `departed` handler runs before the charm's
/// `forget_departed_peers` clears `endpoint.cluster.departed`.
pub fn main() -> std::process::ExitCode {
    charm_runtime::main()
}

/// Why `user` is not a usable `cluster-user`, if it is not.
///
/// ```
/// use mysql_innodb_cluster_charm::invalid_cluster_user;
/// assert_eq!(invalid_cluster_user("clusteruser"), None);
/// assert_eq!(invalid_cluster_user(""), Some("it is empty".to_owned()));
/// assert!(invalid_cluster_user("o'brien").is_some());
/// assert!(invalid_cluster_user(&"u".repeat(33)).is_some());
/// ```
pub fn invalid_cluster_user(user: &str) -> Option<String> {
    if user.is_empty() {
        return Some("it is empty".to_owned());
    }
    if user.chars().count() > MAX_USER_LEN {
        return Some(format!("it is longer than {MAX_USER_LEN} characters"));
    }
    let c = user
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')))?;
    Some(format!(
        "{c:?} is not allowed (letters, digits, \"_\", \"-\" and \".\" only)"
    ))
}

/// The cluster user this unit should publish: the configured one, unless
/// it is invalid, or the cluster exists and this unit already published
/// another (a cluster user cannot change under a running cluster). `Err`
/// is the blocked status message.
fn cluster_user(
    options: &Options,
    flags: Flags,
    cluster: &MysqlInnodbClusterPeers,
) -> Result<Result<String, String>, Error> {
    let wanted = &options.cluster_user;
    if let Some(reason) = invalid_cluster_user(wanted) {
        let quoted = serde_json::Value::from(wanted.as_str());
        return Ok(Err(format!("invalid cluster-user {quoted}: {reason}")));
    }
    if flags.is_set(CLUSTER_IS_CREATED)
        && let Some(current) = published(cluster, CLUSTER_USER)?
        && current != *wanted
    {
        return Ok(Err(format!(
            "cluster-user cannot change once the cluster is created (it is {})",
            serde_json::Value::String(current)
        )));
    }
    Ok(Ok(wanted.clone()))
}

/// A JSON-encoded string this unit publishes on the peer relation under
/// `key` (including this hook's unsent writes), decoded.
fn published(cluster: &MysqlInnodbClusterPeers, key: &str) -> Result<Option<String>, Error> {
    let Some(relation) = cluster.peer_relation()? else {
        return Ok(None);
    };
    Ok(relation
        .to_publish_raw()
        .get(key)?
        .and_then(|raw| serde_json::from_str::<String>(&raw).ok())
        .filter(|s| !s.is_empty()))
}

/// Whether this unit published `key: true`.
fn published_true(cluster: &MysqlInnodbClusterPeers, key: &str) -> Result<bool, Error> {
    let Some(relation) = cluster.peer_relation()? else {
        return Ok(false);
    };
    Ok(relation.to_publish_raw().get(key)?.as_deref() == Some("true"))
}

/// The leadership setting recording that the instance at `address` is in
/// the cluster.
fn instance_clustered_key(address: &str) -> String {
    format!("cluster-instance-clustered-{address}")
}

/// Whether the leader recorded the instance at `address` as clustered.
fn is_instance_clustered(flags: Flags, address: &str) -> bool {
    flags.is_set(format!(
        "leadership.set.{}",
        instance_clustered_key(address)
    ))
}

#[hook("install")]
fn install(ctx: Ctx) -> Result<(), Error> {
    ctx.progress("installing MySQL")?;
    // apt install mysql-server mysql-shell
    ctx.kv().set(KV_INSTALLED, VERSION)?;
    ctx.application_version_set(VERSION);
    log::info!("installed MySQL {VERSION}");
    ctx.flags().set(INSTALLED);
    Ok(())
}

/// Tell the peers how to reach this unit for clustering: its address on
/// the `cluster` binding, the configured cluster user and its own
/// password, generated on first use and afterwards read back from what it
/// published. A bad `cluster-user` publishes nothing (the status says
/// why).
///
/// It runs until `cluster.available` *and* this unit's information is
/// out: gated on `cluster.available` being unset alone, a unit whose peers
/// had all published before it could (their data complete when its
/// relation hooks ran, before its install) found `available` already set,
/// never published, and so its peers never became configure-ready: the
/// cluster was never created.
#[when(INSTALLED, CONNECTED)]
fn send_cluster_connection_info(
    ctx: Ctx,
    cluster: &MysqlInnodbClusterPeers,
    options: Config<Options>,
    flags: Flags,
) -> Result<(), Error> {
    if flags.is_set(AVAILABLE) && connection_info_published(cluster)? {
        return Ok(());
    }
    publish_connection_info(&ctx, cluster, &options, flags)
}

/// Whether this unit published its cluster address, user and password.
fn connection_info_published(cluster: &MysqlInnodbClusterPeers) -> Result<bool, Error> {
    for key in [CLUSTER_ADDRESS, CLUSTER_USER, CLUSTER_PASSWORD] {
        if published(cluster, key)?.is_none() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A `cluster-user` change is published at once, also when the peers
/// already have this unit's connection information.
#[when(INSTALLED, CONNECTED, "config.changed.cluster-user")]
fn cluster_user_changed(
    ctx: Ctx,
    cluster: &MysqlInnodbClusterPeers,
    options: Config<Options>,
    flags: Flags,
) -> Result<(), Error> {
    publish_connection_info(&ctx, cluster, &options, flags)
}

fn publish_connection_info(
    ctx: &HookContext,
    cluster: &MysqlInnodbClusterPeers,
    options: &Options,
    flags: Flags,
) -> Result<(), Error> {
    let Ok(user) = cluster_user(options, flags, cluster)? else {
        return Ok(());
    };
    let Some(relation) = cluster.peer_relation()? else {
        return Ok(());
    };
    let address = cluster.ingress_address(Some(relation.id()))?;
    let secret = password_secret(ctx)?;
    // Granted to the relation: every peer, present and future.
    ctx.secrets().grant(&secret, relation.id(), None)?;
    cluster.set_cluster_connection_info(&address, &user, secret.as_str(), None)?;
    Ok(())
}

/// The Juju secret holding this unit's cluster password: the one whose id
/// the unit recorded, else a new one with a generated password.
fn password_secret(ctx: &HookContext) -> Result<SecretId, Error> {
    let kv = ctx.kv();
    if let Some(id) = kv.get::<String>(KV_PASSWORD_SECRET)? {
        let id: SecretId = id.parse()?;
        // The owner reads the latest revision; Juju not knowing the id
        // means the hook that created the secret did not complete after
        // the unit state was committed (killed before it exited): make
        // another.
        match ctx.secrets().get(&id, SecretRevision::Peek) {
            Ok(_) => return Ok(id),
            Err(ToolError::Failed { stderr, .. }) if stderr.contains("not found") => {
                log::warn!("secret {id} is unknown to Juju: generating another cluster password");
            }
            Err(e) => return Err(e.into()),
        }
    }
    let password = charm_runtime::password::generate(PASSWORD_LEN)?;
    let content = SecretContent::with(PASSWORD_SECRET_KEY, password)?;
    let options = SecretOptions {
        label: Some(PASSWORD_SECRET_LABEL.to_owned()),
        description: Some("this unit's MySQL cluster password".to_owned()),
        owner: SecretOwner::Unit,
    };
    let id = ctx.secrets().add(&content, &options)?;
    kv.set(KV_PASSWORD_SECRET, id.as_str())?;
    log::info!("generated this unit's cluster password in secret {id}");
    Ok(id)
}

/// The password a peer published: the content of the secret it named,
/// or, from a peer that publishes a plain password, that password.
/// `None` (with a warning) when Juju does not let this unit read the
/// secret (yet): not granted, or not there (the hook that made it did not
/// complete; the peer makes another and publishes it).
fn peer_password(
    ctx: &HookContext,
    unit: &str,
    published: &Password,
) -> Result<Option<Password>, Error> {
    let Ok(id) = published.expose().parse::<SecretId>() else {
        return Ok(Some(published.clone()));
    };
    let content = match ctx.secrets().get(&id, SecretRevision::Refresh) {
        Ok(content) => content,
        Err(ToolError::Failed { stderr, .. })
            if stderr.contains("not found") || stderr.contains("permission denied") =>
        {
            log::warn!("cannot read the cluster password of {unit} (secret {id}): {stderr}");
            return Ok(None);
        }
        Err(e) => return Err(e.into()),
    };
    match content.get(PASSWORD_SECRET_KEY) {
        Some(password) => Ok(Some(Password::new(password))),
        None => Err(Error::msg(format!(
            "secret {id} of {unit} has no key {PASSWORD_SECRET_KEY:?} (it has {content})"
        ))),
    }
}

/// The `data_changed_secret` key of what `unit` published as its
/// password (a secret id, or a plain password).
fn peer_password_key(unit: &str) -> String {
    format!("mysql-innodb-cluster.peer-password.{unit}")
}

/// Once this unit published its connection information, check in every
/// hook that the secret it names still exists and is granted to the
/// peers: a hook killed after the unit state was committed leaves the
/// secret's id recorded (and published again by the runtime's journal)
/// while Juju dropped the secret and the grant with the hook. Then a new
/// secret is made and its id published.
#[when(INSTALLED, CONNECTED, AVAILABLE)]
fn keep_password_secret(
    ctx: Ctx,
    cluster: &MysqlInnodbClusterPeers,
    options: Config<Options>,
    flags: Flags,
) -> Result<(), Error> {
    if published(cluster, CLUSTER_PASSWORD)?.is_none() {
        return Ok(());
    }
    publish_connection_info(&ctx, cluster, &options, flags)
}

/// Create on the local MySQL the user of every peer that published its
/// connection information (`CREATE USER '<user>'@'<address>' IDENTIFIED BY
/// '<password>'` and the cluster grants), then tell the peers this unit is
/// ready to be configured. Users already created are not created again.
///
/// Not before this unit published its own connection information: a peer
/// seeing this unit configure-ready must be able to create its user.
#[when(INSTALLED, AVAILABLE)]
fn create_remote_cluster_users(ctx: Ctx, cluster: &MysqlInnodbClusterPeers) -> Result<(), Error> {
    if !connection_info_published(cluster)? {
        return Ok(());
    }
    let kv = ctx.kv();
    let mut users: BTreeMap<String, ClusterUser> = kv.get(KV_CLUSTER_USERS)?.unwrap_or_default();
    let mut changed = false;
    let mut unreadable = false;
    for peer in cluster.peers()? {
        let (Some(address), Some(user), Some(published)) = (
            peer.cluster_address,
            peer.cluster_user,
            peer.cluster_password,
        ) else {
            continue;
        };
        let wanted = ClusterUser { address, user };
        // A new secret (or plain password) means a new password: the user
        // is created again. Only a salted digest of it is kept.
        let key = peer_password_key(&peer.unit);
        let new_password = ctx.is_data_changed_secret(&key, published.expose())?;
        if users.get(&peer.unit) != Some(&wanted) || new_password {
            let Some(_password) = peer_password(&ctx, &peer.unit, &published)? else {
                unreadable = true;
                continue;
            };
            ctx.data_changed_secret(&key, published.expose())?;
            // Here the real charm runs CREATE USER ... IDENTIFIED BY
            // _password.expose() through the MySQL client library, never
            // on a command line.
            log::info!(
                "created cluster user '{}'@'{}' for {}",
                wanted.user,
                wanted.address,
                peer.unit
            );
            users.insert(peer.unit, wanted);
            changed = true;
        }
    }
    if changed {
        kv.set(KV_CLUSTER_USERS, &users)?;
    }
    if !unreadable {
        cluster.set_unit_configure_ready()?;
    }
    Ok(())
}

/// The leader creates the cluster once every peer, and itself, is
/// configure-ready: this unit's instance is the seed, each peer's instance
/// is added, each is recorded as clustered in leadership settings, and
/// `cluster-created` is set last.
#[when(IS_LEADER, AVAILABLE)]
#[when_not(CLUSTER_IS_CREATED)]
fn create_cluster(ctx: Ctx, cluster: &MysqlInnodbClusterPeers) -> Result<(), Error> {
    let peers = cluster.peers()?;
    if peers.len() < MINIMUM_CLUSTER_SIZE - 1
        || !peers.iter().all(|p| p.configure_ready)
        || !published_true(cluster, UNIT_CONFIGURE_READY)?
    {
        return Ok(());
    }
    let (Some(seed), Some(user)) = (
        published(cluster, CLUSTER_ADDRESS)?,
        published(cluster, CLUSTER_USER)?,
    ) else {
        return Ok(());
    };
    ctx.progress(format!("creating cluster {CLUSTER_NAME}"))?;
    let mut instances = vec![seed.clone()];
    instances.extend(peers.into_iter().filter_map(|p| p.cluster_address));
    // dba.create_cluster(CLUSTER_NAME) on the seed, then
    // cluster.add_instance(address) for each peer.
    log::info!(
        "created cluster {CLUSTER_NAME} seeded by {seed} with {}",
        instances.join(", ")
    );
    for address in &instances {
        ctx.leader_set(&instance_clustered_key(address), Some("true"))?;
    }
    let record = ClusterRecord {
        name: CLUSTER_NAME.to_owned(),
        seed,
        user,
        instances,
    };
    ctx.kv().set(KV_CLUSTER, &record)?;
    ctx.leader_set(CLUSTER_CREATED, Some("true"))
}

/// The leader adds to the existing cluster every configure-ready peer whose
/// instance is not recorded as clustered yet (a unit added to the
/// application later, or one that was not ready when the cluster was
/// created). Leadership settings record it, so a new leader does not add
/// it again.
#[when(IS_LEADER, CLUSTER_IS_CREATED, AVAILABLE)]
fn add_instances(ctx: Ctx, cluster: &MysqlInnodbClusterPeers) -> Result<(), Error> {
    let kv = ctx.kv();
    let mut added: Vec<AddedInstance> = kv.get(KV_ADDED_INSTANCES)?.unwrap_or_default();
    let before = added.len();
    for peer in cluster.peers()? {
        let Some(address) = peer.cluster_address else {
            continue;
        };
        if !peer.configure_ready || is_instance_clustered(ctx.flags(), &address) {
            continue;
        }
        ctx.progress(format!("adding {address} to cluster {CLUSTER_NAME}"))?;
        // cluster.add_instance(address)
        log::info!("added {address} ({}) to cluster {CLUSTER_NAME}", peer.unit);
        ctx.leader_set(&instance_clustered_key(&address), Some("true"))?;
        added.push(AddedInstance {
            unit: peer.unit,
            address,
        });
    }
    if added.len() != before {
        kv.set(KV_ADDED_INSTANCES, &added)?;
    }
    Ok(())
}

/// Once the cluster exists and the leader recorded this unit's instance
/// as clustered, tell the peers this unit is clustered.
#[when(CLUSTER_IS_CREATED, AVAILABLE)]
fn signal_clustered(flags: Flags, cluster: &MysqlInnodbClusterPeers) -> Result<(), Error> {
    let Some(address) = published(cluster, CLUSTER_ADDRESS)? else {
        return Ok(());
    };
    if is_instance_clustered(flags, &address) && cluster.set_unit_clustered()? {
        flags.set(CLUSTERED);
    }
    Ok(())
}

/// A peer departed: drop the cluster user created for it (`DROP USER`)
/// and forget the departed units' last relation data, which the runtime
/// keeps until cleared (as charms.reactive does) and which holds their
/// passwords.
#[when(PEER_DEPARTED)]
fn forget_departed_peers(
    kv: Kv,
    flags: Flags,
    cluster: &MysqlInnodbClusterPeers,
) -> Result<(), Error> {
    let mut users: BTreeMap<String, ClusterUser> = kv.get(KV_CLUSTER_USERS)?.unwrap_or_default();
    let before = users.len();
    for departed in cluster.all_departed_units()? {
        if let Some(user) = users.remove(&departed.unit_name) {
            log::info!(
                "dropped cluster user '{}'@'{}' of {}",
                user.user,
                user.address,
                departed.unit_name
            );
        }
    }
    if users.len() != before {
        kv.set(KV_CLUSTER_USERS, &users)?;
    }
    cluster.clear_departed_units()?;
    flags.clear(PEER_DEPARTED);
    Ok(())
}

/// Status once, at the end of every hook, however many handlers ran.
#[when(INSTALLED)]
fn assess_status(ctx: Ctx) {
    ctx.status_at_exit(assess);
}

/// The unit's workload status, from its config, peers and flags.
fn assess(ctx: &HookContext) -> Result<Status, Error> {
    let cluster: MysqlInnodbClusterPeers = ctx.interface()?;
    let options = Config::<Options>::of(ctx)?;
    let flags = ctx.flags();
    if let Err(blocked) = cluster_user(&options, flags, &cluster)? {
        return Ok(Status::blocked(blocked));
    }
    let missing = (MINIMUM_CLUSTER_SIZE - 1).saturating_sub(cluster.all_joined_units()?.len());
    let peers = if missing == 1 { "peer" } else { "peers" };
    Ok(if flags.is_set(CLUSTERED) && missing == 0 {
        Status::active("unit is clustered")
    } else if flags.is_set(CLUSTERED) {
        Status::active(format!("unit is clustered; {missing} {peers} missing"))
    } else if missing > 0 {
        Status::waiting(format!("waiting for {missing} more {peers}"))
    } else if !flags.is_set(CLUSTER_IS_CREATED) {
        Status::waiting("cluster not yet created")
    } else {
        Status::waiting("waiting for the leader to add this unit to the cluster")
    })
}
