//! Fault injection at every handler position of the charm's hooks (an
//! error, then a panic, after each handler invocation): each failed hook
//! leaves the unit as it was and its retry ends where a clean run ends
//! (charm_runtime::handler_faults, docs/failures.md).

use charm_runtime::handler_faults::check_events;
use charm_runtime::harness::{Event, Relation, State};

#[test]
fn every_handler_position_fails_cleanly_and_retries_converge() {
    // Link the charm's handlers into this test binary.
    std::hint::black_box(glusterfs::main as fn() -> std::process::ExitCode);
    let scratch = std::env::temp_dir().join(format!("glusterfs-faults-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let peer = Relation::peer("server", 1, "glusterfs").with_unit("glusterfs/1");
    let state = State::new()
        .with_unit("glusterfs/0")
        .with_leader(true)
        .with_address("private-address", "10.0.0.10")
        .with_config("brick-devices", "/srv/brick1 /srv/brick2")
        .with_relation(peer.clone());
    let report = check_events(
        env!("CARGO_MANIFEST_DIR"),
        &scratch,
        state,
        &[
            Event::install(),
            Event::leader_elected(),
            Event::config_changed(),
            Event::start(),
            Event::relation_created(&peer),
            Event::relation_joined(&peer, "glusterfs/1"),
            Event::relation_changed(&peer, "glusterfs/1"),
            Event::update_status(),
        ],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    eprintln!("{report:?}");
    assert!(report.failures_injected > 0);
    let _ = std::fs::remove_dir_all(&scratch);
}
