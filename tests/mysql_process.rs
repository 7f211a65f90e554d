//! The `mysql-innodb-cluster` peers interface under the process backend:
//! the cluster password reaches Juju only through `relation-set`'s standard
//! input, never a tool's arguments, a log line or a trace event. The tools
//! are the simulator's (`charm-sim`), in a hook opened on a unit of a
//! simulated model, so what reached Juju is read from the model and the
//! simulation's record of tool calls.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::rc::Rc;

use charm_runtime::backend::{ProcessBackend, RelationId};
use charm_runtime::env::{HookEnv, Invoked};
use charm_runtime::log::MemorySink;
use charm_runtime::metadata::{ConfigSchema, Metadata};
use charm_runtime::{Charm, MemoryStore, Registry};
use charm_sim::{Hook, SimConfig, Simulation};

const METADATA: &str = "
name: mysql-innodb-cluster
peers:
  cluster:
    interface: mysql-innodb-cluster
";
const APP: &str = "mysql-innodb-cluster";
const LOCAL: &str = "mysql-innodb-cluster/0";
const REMOTE: &str = "mysql-innodb-cluster/1";
const PASSWORD: &str = "S3cret-Local-Pa55";

/// A charm handler sending the connection info.
mod sender {
    use charm_interfaces::mysql_innodb_cluster::MysqlInnodbClusterPeers;
    use charm_macros::{when, when_not};
    use charm_runtime::Flags;

    #[when("cluster.connected")]
    #[when_not("test.sent")]
    fn send(cluster: MysqlInnodbClusterPeers, flags: Flags) -> Result<(), String> {
        cluster
            .set_cluster_connection_info("10.5.0.10", "clusteruser", super::PASSWORD, None)
            .map_err(|e| e.to_string())?;
        flags.set("test.sent");
        Ok(())
    }
}

#[test]
fn the_process_backend_sends_the_password_on_stdin_only() {
    // Two units of the application (hooks that do nothing: `/bin/true`),
    // settled: each sees the other on the peer relation. LOCAL follows.
    let mut sim = Simulation::new(SimConfig::new(env!("CARGO_BIN_EXE_sim-hook-tool"))).unwrap();
    let charm_dir = sim.dir().join("charm");
    std::fs::create_dir_all(&charm_dir).unwrap();
    std::fs::write(charm_dir.join("metadata.yaml"), METADATA).unwrap();
    sim.deploy(APP, &charm_dir, "/bin/true", 2).unwrap();
    sim.set_leader(REMOTE).unwrap();
    sim.settle(100).unwrap();
    let model = sim.model();
    let relation = model.relations.values().find(|r| r.is_peer()).unwrap().id;
    let address = model.units[LOCAL].address.clone();
    sim.clear_tool_calls();

    let joined = Hook::RelationJoined {
        relation,
        unit: REMOTE.into(),
    };
    let open = sim.open_hook(LOCAL, joined).unwrap();
    let metadata = Metadata::parse(METADATA, "metadata.yaml").unwrap();
    let mut registry = Registry::for_charm("mysql_process::sender", &metadata).unwrap();
    registry
        .add_charm_inventory("charm_interfaces::mysql_innodb_cluster", &metadata)
        .unwrap();
    let rid = RelationId::new("cluster", relation);
    let env = HookEnv {
        invoked: Invoked::Hook("cluster-relation-joined".into()),
        unit: LOCAL.into(),
        charm_dir: PathBuf::from("/nonexistent"),
        relation: Some("cluster".into()),
        relation_id: Some(rid),
        remote_unit: Some(REMOTE.into()),
        remote_app: Some(APP.into()),
        departing_unit: None,
        principal_unit: None,
        model: None,
        juju_version: None,
        secret: None,
        simulated_host: true,
    };
    let sink = Rc::new(MemorySink::new());
    let backend =
        ProcessBackend::with_tools_dir(open.tools_dir()).with_env(open.env().iter().cloned());
    let charm = Charm::new(metadata, ConfigSchema::default(), None, registry).unwrap();
    let mut store = MemoryStore::new();
    let outcome = charm.run(env, Rc::new(backend), &mut store, sink.clone());
    assert!(outcome.is_ok(), "{:?}", outcome.error);
    sim.finish_hook(open, true).unwrap();

    let local: BTreeMap<String, String> = sim.model().relations[&relation].unit_data[LOCAL].clone();
    // JSON-encoded, as charms.reactive publishes.
    assert_eq!(local["cluster-password"], format!("\"{PASSWORD}\""));
    assert_eq!(local.get("ingress-address"), Some(&address));

    let calls = sim.tool_calls();
    assert!(!format!("{calls:?}").contains(PASSWORD), "{calls:?}");
    let relation_sets: Vec<_> = calls.iter().filter(|c| c.tool == "relation-set").collect();
    assert_eq!(relation_sets.len(), 1, "{calls:?}");
    assert!(relation_sets[0].stdin);
    for (_, line) in sink.lines() {
        assert!(!line.contains(PASSWORD), "{line}");
    }
    for event in &outcome.trace {
        assert!(!format!("{event:?}").contains(PASSWORD));
    }
}
