//! Typed endpoints for the interfaces OpenStack charms use, wire-compatible
//! with their Python interface layers: a Rust unit and a Python unit on
//! either side of a relation exchange byte-identical relation data.
//!
//! Each interface is a `#[interface]` type of charm-runtime: its handlers
//! are instantiated once per endpoint of that interface in the charm's
//! `metadata.yaml`, and charm handlers receive it as an argument.
//!
//! | module | interface, role | flags it sets, for an endpoint `<ep>` |
//! | --- | --- | --- |
//! | [`hacluster`] | `hacluster`, requires | `<ep>.connected`, `<ep>.available` |
//! | [`magpie`] | `magpie`, peers | `<ep>.joined`, `<ep>.departed` (per peer) |
//! | [`gluster_peer`] | `gluster-peer`, peers | `<ep>.connected`, `<ep>.available`, `<ep>.departed`, `<ep>.bricks.available`, `<ep>.bricks.removed` (per peer) |
//! | [`mysql_innodb_cluster`] | `mysql-innodb-cluster`, peers | `<ep>.connected`, `<ep>.available`, `<ep>.clustered` |
//! | [`rabbitmq`] | `rabbitmq`, requires | `<ep>.connected`, `<ep>.available`, `<ep>.available.ssl` (global conversation) |
//! | [`mysql_shared`] | `mysql-shared`, requires | `<ep>.connected`, `<ep>.available`, `<ep>.available.access_network`, `<ep>.available.ssl` (global conversation) |
//!
//! Each module says when its flags are set and cleared; `docs/flags.md`,
//! in the repository, lists them beside the runtime's automatic flags.
//! "Per peer" flags are held by each remote unit, as charms.reactive's
//! conversations hold them: the flag is cleared when the last unit
//! holding it gives it up ([`conversation`]). "Global conversation" flags
//! are held by the endpoint's one conversation, as charms.reactive's
//! global-scope `RelationBase` layers hold them: their values list
//! `reactive.conversations.<ep>.global`.
//!
//! Interface errors become `charm_runtime::Error`, so a charm handler
//! returning `Result<(), charm_runtime::Error>` can use `?` on them:
//!
//! ```
//! use charm_interfaces::hacluster::HaclusterError;
//! fn configure() -> Result<(), charm_runtime::Error> {
//!     Err(HaclusterError::InvalidAddress { service: "api".into(), address: "10.0.0.300".into() })?
//! }
//! assert_eq!(
//!     configure().unwrap_err().to_string(),
//!     r#"hacluster: "10.0.0.300" (service "api") is not an IP address"#
//! );
//! ```

#![deny(missing_docs)]

pub mod conversation;
pub mod gluster_peer;
pub mod hacluster;
pub mod magpie;
pub mod mysql_innodb_cluster;
pub mod mysql_shared;
pub mod peer_input;
pub mod rabbitmq;

mod global_scope;

macro_rules! into_runtime_error {
    ($($error:ty),* $(,)?) => {$(
        impl From<$error> for charm_runtime::Error {
            fn from(error: $error) -> Self {
                charm_runtime::Error::Interface(Box::new(error))
            }
        }
    )*};
}

into_runtime_error!(
    hacluster::HaclusterError,
    magpie::MagpieError,
    gluster_peer::GlusterPeerError,
    mysql_innodb_cluster::PeersError,
    rabbitmq::RabbitMqError,
    mysql_shared::MysqlSharedError,
);
