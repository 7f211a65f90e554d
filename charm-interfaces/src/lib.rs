//! Typed endpoints for the interfaces OpenStack charms use, wire-compatible
//! with their Python interface layers: a Rust unit and a Python unit on
//! either side of a relation exchange byte-identical relation data.
//!
//! Each interface is a `#[interface]` type of charm-runtime: its handlers
//! are instantiated once per endpoint of that interface in the charm's
//! `metadata.yaml`, and charm handlers receive it as an argument.

pub mod gluster_peer;
pub mod hacluster;
pub mod magpie;
pub mod mysql_innodb_cluster;
