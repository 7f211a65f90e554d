//! Remote relation data as every interface of charm-interfaces decodes it:
//! a charm with one endpoint of each interface runs `-relation-joined`,
//! `-relation-changed` and `-relation-departed` in the harness (the
//! in-process Juju over the memory backend), a remote unit publishing the
//! fuzz input; a handler of this target calls every accessor of the
//! interface on `-changed`.
//!
//! The input: its first byte picks the interface; the rest is the remote
//! unit's databag, one `key=value` a line (`\n` in a value stands for a
//! newline), values raw as `relation-get` returns them.
//!
//! Properties: no panic; an interface refuses what it cannot use with its
//! typed error (the hook then fails with it), never by panicking.
#![no_main]

use std::cell::RefCell;
use std::collections::BTreeMap;

use charm_runtime::harness::{Context, Event, Relation, State};
use charm_runtime::metadata::Metadata;
use charm_runtime::{Registry, RegistryError};
use libfuzzer_sys::fuzz_target;

const METADATA: &str = "name: app
requires:
  ha: {interface: hacluster}
  amqp: {interface: rabbitmq}
  shared-db: {interface: mysql-shared}
peers:
  magpie: {interface: magpie}
  gluster: {interface: gluster-peer}
  cluster: {interface: mysql-innodb-cluster}
";

/// Each interface's endpoint, and its remote application (the unit's own
/// for a peer relation).
const ENDPOINTS: &[(&str, &str)] = &[
    ("ha", "hacluster"),
    ("amqp", "rabbitmq-server"),
    ("shared-db", "mysql"),
    ("magpie", "app"),
    ("gluster", "app"),
    ("cluster", "app"),
];

/// Handlers calling every accessor of each interface, errors (typed)
/// ignored: decoding must answer, not panic.
mod readers {
    use charm_interfaces::gluster_peer::{GlusterPeers, PeerEvent};
    use charm_interfaces::hacluster::Hacluster;
    use charm_interfaces::magpie::MagpiePeers;
    use charm_interfaces::mysql_innodb_cluster::MysqlInnodbClusterPeers;
    use charm_interfaces::mysql_shared::MysqlShared;
    use charm_interfaces::rabbitmq::RabbitMq;
    use charm_macros::when;

    #[when("endpoint.ha.changed")]
    fn read_ha(ha: &Hacluster) {
        let _ = ha.is_clustered();
        let _ = ha.get_remote_all("clustered", None);
        let _ = ha.get_remote_all("private-address", Some("none"));
        let _ = ha.stored_resources();
    }

    #[when("endpoint.amqp.changed")]
    fn read_amqp(amqp: &RabbitMq) {
        let _ = amqp.base_data_complete();
        let _ = amqp.ssl_data_complete();
        let _ = amqp.password();
        let _ = amqp.private_address();
        let _ = amqp.vip();
        let _ = amqp.clustered();
        let _ = amqp.ha_queues();
        let _ = amqp.ha_vip_only();
        let _ = amqp.ssl_port();
        let _ = amqp.ssl_ca();
        let _ = amqp.ssl_cert();
        let _ = amqp.rabbitmq_connected_hosts();
        let _ = amqp.rabbitmq_ready_hosts();
        let _ = amqp.rabbitmq_hosts();
    }

    #[when("endpoint.shared-db.changed")]
    fn read_shared_db(db: &MysqlShared) {
        let _ = db.prefixes();
        let _ = db.database();
        let _ = db.username();
        let _ = db.hostname();
        let _ = db.password();
        let _ = db.allowed_units();
        let _ = db.unit_allowed_db();
        let _ = db.unit_allowed_all_dbs();
        let _ = db.base_data_complete();
        let _ = db.access_network_data_complete();
        let _ = db.ssl_data_complete();
        let _ = db.db_host();
        let _ = db.db_port();
        let _ = db.access_network();
        let _ = db.ssl_ca();
        let _ = db.ssl_cert();
        let _ = db.ssl_key();
        let _ = db.cluster_series_upgrading();
        let _ = db.wait_timeout();
        if let Ok(prefixes) = db.prefixes() {
            for prefix in prefixes {
                let _ = db.prefixed_database(&prefix);
                let _ = db.prefixed_username(&prefix);
                let _ = db.prefixed_hostname(&prefix);
                let _ = db.prefixed_password(&prefix);
                let _ = db.prefixed_allowed_units(&prefix);
                let _ = db.prefixed_unit_allowed_db(&prefix);
            }
        }
    }

    #[when("endpoint.magpie.changed")]
    fn read_magpie(magpie: &MagpiePeers) {
        if let Ok(convs) = magpie.conversations() {
            for conv in &convs {
                for key in [
                    "private-address",
                    "addresses",
                    "iperf.server",
                    "iperf.checked",
                ] {
                    let _ = magpie.get_remote(conv, key);
                }
            }
        }
        let _ = magpie.get_nodes();
        let _ = magpie.get_nodes_by_cidr("10.0.0.0/8");
        let _ = magpie.get_iperf_checked();
        let _ = magpie.check_ready_iperf_servers();
    }

    #[when("endpoint.gluster.changed")]
    fn read_gluster(gluster: &GlusterPeers) {
        for event in [
            PeerEvent::BricksAvailable,
            PeerEvent::BricksRemoved,
            PeerEvent::Departed,
        ] {
            let _ = gluster.pending(event);
        }
        let _ = gluster.available_units();
        let _ = gluster.get_peer_info("private-address");
        let _ = gluster.ip_map("private-address");
        let _ = gluster.brick_map();
        let _ = gluster.local_bricks();
    }

    #[when("endpoint.cluster.changed")]
    fn read_cluster(cluster: &MysqlInnodbClusterPeers) {
        let _ = cluster.peers();
        let _ = cluster.is_available();
        let _ = cluster.is_clustered();
        let _ = cluster.cluster_host_override();
        let _ = cluster.ingress_address(None);
    }
}

/// Every handler linked in: the interfaces' and the readers'.
fn registry(metadata: &Metadata) -> Result<Registry, RegistryError> {
    Registry::for_charm("", metadata)
}

thread_local! {
    static CONTEXT: RefCell<Option<Context>> = const { RefCell::new(None) };
}

/// The databag: `key=value` lines, `\n` in a value a newline.
fn databag(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.replace("\\n", "\n")))
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (endpoint, remote_app) = ENDPOINTS[usize::from(selector) % ENDPOINTS.len()];
    let unit = format!("{remote_app}/1");
    CONTEXT.with(|cell| {
        let mut cell = cell.borrow_mut();
        let ctx = cell.get_or_insert_with(|| {
            Context::from_yaml(METADATA, registry).expect("the fuzz charm builds")
        });
        let relation = Relation::new(endpoint, 1, remote_app).with_unit_data(&unit, databag(text));
        let state = State::new()
            .with_leader(selector & 0x80 != 0)
            .with_relation(relation.clone());
        // A state Juju could not produce (a key Juju reserves, say) is an
        // `Inconsistent`, not a finding.
        let Ok(joined) = ctx.run(Event::relation_joined(&relation, &unit), &state) else {
            return;
        };
        let Ok(changed) = ctx.run(Event::relation_changed(&relation, &unit), &joined.state) else {
            return;
        };
        let _ = ctx.run(Event::relation_departed(&relation, &unit), &changed.state);
    });
});
