//! The `secret-*` tools through charm-runtime's `ProcessBackend`, in hooks
//! opened in-process: a unit adds a secret (its content never in argv),
//! grants it on a relation, the granted unit reads it and tracks its
//! revision, a unit without a grant is refused as Juju refuses it, and a
//! failed hook's secret never existed.

use charm_runtime::backend::{
    Backend, ProcessBackend, RelationId, SecretContent, SecretOptions, SecretOwner, SecretRevision,
    ToolError,
};
use charm_sim::{Hook, OpenHook, SimConfig, Simulation};

/// `app` with three units on its peer relation `peers` (their charm does
/// nothing), settled; the relation's id.
fn model() -> (Simulation, u32) {
    let mut sim = Simulation::new(SimConfig::new(env!("CARGO_BIN_EXE_charm-sim-tool"))).unwrap();
    let charm = sim.dir().join("app-charm");
    std::fs::create_dir_all(&charm).unwrap();
    std::fs::write(
        charm.join("metadata.yaml"),
        "name: app\npeers:\n  peers:\n    interface: app-peers\n",
    )
    .unwrap();
    sim.deploy("app", &charm, "/bin/true", 3).unwrap();
    sim.settle(500).unwrap();
    let id = *sim.model().relations.keys().next().unwrap();
    (sim, id)
}

fn backend(open: &OpenHook) -> ProcessBackend {
    ProcessBackend::with_tools_dir(open.tools_dir()).with_env(open.env().iter().cloned())
}

fn failed_with(err: ToolError) -> String {
    match err {
        ToolError::Failed { stderr, .. } => stderr,
        other => panic!("not a failed tool: {other}"),
    }
}

#[test]
fn a_unit_secret_is_read_by_the_peers_it_is_granted_to_only() {
    let (mut sim, id) = model();
    let peers = RelationId::new("peers", id);
    let password = charm_runtime::password::generate(32).unwrap();

    // app/1 adds a unit-owned secret; the hook fails: it never existed.
    let open = sim.open_hook("app/1", Hook::UpdateStatus).unwrap();
    let content = SecretContent::with("password", password.clone()).unwrap();
    let options = SecretOptions {
        label: Some("cluster".into()),
        description: None,
        owner: SecretOwner::Unit,
    };
    let lost = backend(&open).secret_add(&content, &options).unwrap();
    sim.finish_hook(open, false).unwrap();
    sim.resolve("app/1").unwrap();
    assert!(sim.secrets().secrets.is_empty());

    // Again, succeeding, and granted to the peer relation.
    let open = sim.open_hook("app/1", Hook::UpdateStatus).unwrap();
    let b = backend(&open);
    let secret = b.secret_add(&content, &options).unwrap();
    assert_ne!(secret, lost, "an id is never given twice");
    b.secret_grant(&secret, &peers, Some("app/2")).unwrap();
    assert_eq!(b.secret_ids().unwrap(), std::slice::from_ref(&secret));
    let own = b
        .secret_get(
            &charm_runtime::backend::SecretRef::Label("cluster".into()),
            SecretRevision::Tracked,
        )
        .unwrap();
    assert_eq!(own.get("password"), Some(password.as_str()));
    assert!(sim.finish_hook(open, true).unwrap().ok());

    // app/2 was granted it; app/0 was not.
    let open = sim.open_hook("app/2", Hook::UpdateStatus).unwrap();
    let read = backend(&open)
        .secret_get(&(&secret).into(), SecretRevision::Tracked)
        .unwrap();
    assert_eq!(read, content);
    sim.finish_hook(open, true).unwrap();
    let open = sim.open_hook("app/0", Hook::UpdateStatus).unwrap();
    let err = backend(&open)
        .secret_get(&(&secret).into(), SecretRevision::Tracked)
        .unwrap_err();
    assert_eq!(failed_with(err), "ERROR permission denied");
    // Nor can it change or grant it.
    let err = backend(&open)
        .secret_grant(&secret, &peers, None)
        .unwrap_err();
    assert_eq!(failed_with(err), "ERROR permission denied");
    sim.finish_hook(open, true).unwrap();

    // A new revision: app/2 sees the one it tracks until it refreshes.
    let open = sim.open_hook("app/1", Hook::UpdateStatus).unwrap();
    let two = SecretContent::with("password", "second-revision").unwrap();
    backend(&open).secret_set(&secret, &two).unwrap();
    sim.finish_hook(open, true).unwrap();
    let open = sim.open_hook("app/2", Hook::UpdateStatus).unwrap();
    let b = backend(&open);
    assert_eq!(
        b.secret_get(&(&secret).into(), SecretRevision::Tracked)
            .unwrap(),
        content
    );
    assert_eq!(
        b.secret_get(&(&secret).into(), SecretRevision::Peek)
            .unwrap(),
        two
    );
    assert_eq!(
        b.secret_get(&(&secret).into(), SecretRevision::Refresh)
            .unwrap(),
        two
    );
    assert_eq!(
        b.secret_get(&(&secret).into(), SecretRevision::Tracked)
            .unwrap(),
        two
    );
    sim.finish_hook(open, true).unwrap();

    // The content never was in a tool's argv.
    let argv: Vec<String> = sim.tool_calls().into_iter().flat_map(|c| c.args).collect();
    assert!(argv.iter().any(|a| a.starts_with("--file=")), "{argv:?}");
    assert!(
        !argv
            .iter()
            .any(|a| a.contains(&password) || a.contains("second-revision"))
    );

    // Removed by its owner: gone for everyone.
    let open = sim.open_hook("app/1", Hook::UpdateStatus).unwrap();
    backend(&open).secret_remove(&secret).unwrap();
    sim.finish_hook(open, true).unwrap();
    let open = sim.open_hook("app/2", Hook::UpdateStatus).unwrap();
    let err = backend(&open)
        .secret_get(&(&secret).into(), SecretRevision::Peek)
        .unwrap_err();
    assert!(failed_with(err).contains("not found"));
    sim.finish_hook(open, true).unwrap();
}
