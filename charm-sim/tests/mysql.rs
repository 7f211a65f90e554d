//! The mysql-innodb-cluster example charm: three units form the cluster.

mod common;

use charm_sim::model::AgentStatus;
use common::*;

#[test]
fn three_units_settle_clustered() {
    let mut sim = sim(11);
    sim.deploy(
        "mysql-innodb-cluster",
        workspace().join("examples/mysql-innodb-cluster"),
        charm_binaries().join("mysql-innodb-cluster"),
        3,
    )
    .unwrap();
    let report = sim.settle(2000).unwrap();
    if !report.failed.is_empty() {
        dump_failures(&sim);
    }
    eprintln!(
        "mysql-innodb-cluster x3: {} hooks in {:?} ({:.1} hooks/s)",
        report.hooks,
        report.elapsed,
        report.hooks_per_second()
    );
    assert!(report.failed.is_empty(), "{report:?}");
    let model = sim.model();
    for unit in model.units.values() {
        assert_eq!(unit.agent, AgentStatus::Idle);
        assert_eq!(
            unit.workload.state, "active",
            "{}: {}",
            unit.name, unit.workload
        );
        assert_eq!(unit.workload.message, "unit is clustered", "{}", unit.name);
    }
    let settings = &model.apps["mysql-innodb-cluster"].leader_settings;
    assert_eq!(
        settings.get("cluster-created").map(String::as_str),
        Some("true")
    );

    // A fourth unit is added to the cluster too.
    sim.add_unit("mysql-innodb-cluster").unwrap();
    let report = sim.settle(2000).unwrap();
    assert!(report.failed.is_empty(), "{report:?}");
    for unit in sim.model().units.values() {
        assert_eq!(unit.workload.message, "unit is clustered", "{}", unit.name);
    }
}
