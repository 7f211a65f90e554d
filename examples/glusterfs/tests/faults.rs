//! Fault injection at every handler position of the charm's hooks (an
//! error, then a panic, after each handler invocation): each failed hook
//! leaves the unit as it was and its retry ends where a clean run ends
//! (charm_runtime::handler_faults, docs/failures.md).

use charm_runtime::handler_faults::check_lifecycle;
use charm_runtime::harness::{Relation, State};

#[test]
fn every_handler_position_fails_cleanly_and_retries_converge() {
    // Link the charm's handlers into this test binary.
    std::hint::black_box(glusterfs::main as fn() -> std::process::ExitCode);
    let relation = Relation::peer("server", 1, "glusterfs").with_unit("glusterfs/1");
    let state = State::new()
        .with_unit("glusterfs/0")
        .with_leader(true)
        .with_address("private-address", "10.0.0.10")
        .with_config("brick-devices", "/srv/brick1 /srv/brick2")
        .with_relation(relation.clone());
    let report = check_lifecycle(env!("CARGO_MANIFEST_DIR"), state, &relation, &[])
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(report.failures_injected > 0, "{report:?}");
}
