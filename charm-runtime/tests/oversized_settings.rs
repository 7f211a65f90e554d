//! A value too large for the command line (`leader-set` takes settings
//! only as arguments) fails the handler that set it, naming the key and
//! the size, never quoting the value; nothing is sent.

use std::path::PathBuf;
use std::rc::Rc;

use charm_runtime::backend::{ARG_LIMIT, Backend, MemoryBackend, MemoryWorld, ToolError};
use charm_runtime::env::{HookEnv, Invoked};
use charm_runtime::log::NullSink;
use charm_runtime::metadata::{ConfigSchema, Metadata};
use charm_runtime::{Charm, Error, Handler, HookContext, MemoryStore, Registry};

#[test]
fn a_leader_setting_too_large_for_argv_fails_the_handler_naming_key_and_size() {
    let world = MemoryWorld {
        unit: "gluster/0".into(),
        leader: true,
        ..Default::default()
    };
    let backend = Rc::new(MemoryBackend::new(world));
    let mut registry = Registry::new();
    registry
        .add(
            Handler::new(
                "gluster::publish",
                |ctx: &HookContext| -> Result<(), Error> {
                    // As a value a peer published, copied into leadership.
                    let huge = "b".repeat(ARG_LIMIT + 10);
                    ctx.leader_set("brick-list", Some(&huge))?;
                    Ok(())
                },
            )
            .hook(["leader-elected"]),
        )
        .unwrap();
    let metadata = Metadata::parse("name: gluster\n", "metadata.yaml").unwrap();
    let charm = Charm::new(metadata, ConfigSchema::default(), None, registry).unwrap();
    let env = HookEnv {
        invoked: Invoked::Hook("leader-elected".into()),
        unit: "gluster/0".into(),
        charm_dir: PathBuf::from("/nonexistent"),
        relation: None,
        relation_id: None,
        remote_unit: None,
        remote_app: None,
        departing_unit: None,
        principal_unit: None,
        model: None,
        juju_version: None,
        secret: None,
        simulated_host: true,
    };
    let dyn_backend: Rc<dyn Backend> = backend.clone();
    let out = charm.run(env, dyn_backend, &mut MemoryStore::new(), Rc::new(NullSink));
    let err = out.error.expect("the hook must fail");
    let text = err.to_string();
    assert!(text.contains("gluster::publish"), "{text}");
    assert!(
        text.contains(&format!(
            "the value of leader setting \"brick-list\" (set with HookContext::leader_set in this hook) is {} bytes",
            ARG_LIMIT + 10
        )),
        "{text}"
    );
    assert!(!text.contains("bbbb"), "the value is quoted: {text}");
    assert!(
        matches!(
            err.downcast_ref::<Error>(),
            Some(Error::Tool(ToolError::TooLarge { size, .. })) if *size == ARG_LIMIT + 10
        ),
        "{err:?}"
    );
    assert!(!backend.calls().iter().any(|c| c.tool == "leader-set"));
}
