//! Hooks opened in-process (`Simulation::open_hook`): the caller runs the
//! tools with the hook's environment, and finishing the hook commits or
//! discards its writes as a hook process's exit does.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Stdio};

use charm_sim::stub::{Stub, StubEndpoint};
use charm_sim::{Hook, OpenHook, SimConfig, SimError, Simulation};

/// `app` (a charm whose hooks do nothing) related on `db` to the stub `pg`,
/// settled; the relation's id.
fn model() -> (Simulation, u32) {
    let mut sim = Simulation::new(SimConfig::new(env!("CARGO_BIN_EXE_charm-sim-tool"))).unwrap();
    let charm = sim.dir().join("app-charm");
    std::fs::create_dir_all(&charm).unwrap();
    std::fs::write(
        charm.join("metadata.yaml"),
        "name: app\nrequires:\n  db:\n    interface: pgsql\n",
    )
    .unwrap();
    sim.deploy("app", &charm, "/bin/true", 1).unwrap();
    let stub = Stub {
        endpoints: BTreeMap::from([("db".to_owned(), StubEndpoint::provides("pgsql"))]),
        ..Stub::default()
    };
    sim.deploy_stub("pg", stub, 1).unwrap();
    let id = sim.relate("app", "pg").unwrap();
    sim.settle(100).unwrap();
    (sim, id)
}

/// Run `tool` in `open`; (exit code, stdout, stderr).
fn tool(open: &OpenHook, tool: &str, args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = Command::new(open.tools_dir().join(tool))
        .args(args)
        .env_clear()
        .envs(open.env().iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_environment_is_the_hooks_and_writes_wait_for_success() {
    let (mut sim, id) = model();
    let joined = Hook::RelationChanged {
        relation: id,
        unit: Some("pg/0".into()),
    };
    let open = sim.open_hook("app/0", joined.clone()).unwrap();
    assert_eq!(open.name(), "db-relation-changed");
    let env: BTreeMap<_, _> = open.env().iter().cloned().collect();
    assert_eq!(env["JUJU_UNIT_NAME"], "app/0");
    assert_eq!(env["JUJU_RELATION_ID"], format!("db:{id}"));
    assert_eq!(env["JUJU_REMOTE_UNIT"], "pg/0");
    assert_eq!(env["JUJU_HOOK_NAME"], "db-relation-changed");

    // The secret goes on stdin; the record knows only that stdin was read.
    let (code, _, err) = tool(&open, "relation-set", &["--file", "-"], "pw: s3cret\n");
    assert_eq!(code, 0, "{err}");
    let (_, out, _) = tool(&open, "relation-get", &["--format=json", "pw", "app/0"], "");
    assert_eq!(out, "\"s3cret\"\n", "the hook sees its own held write");
    let calls = sim.tool_calls();
    assert_eq!(calls[0].tool, "relation-set");
    assert!(calls[0].stdin && !calls[1].stdin);
    assert!(!format!("{calls:?}").contains("s3cret"));

    // One hook at a time; the next waits in its queue.
    sim.update_status();
    assert!(matches!(sim.step(), Err(SimError::Busy { .. })));
    assert_eq!(sim.queued("pg/0"), ["update-status"]);
    assert!(matches!(
        sim.open_hook("pg/0", Hook::UpdateStatus),
        Err(SimError::Busy { .. })
    ));

    // A failed hook's write is discarded; the unit is in error and the
    // hook waits for resolve.
    let record = sim.finish_hook(open.clone(), false).unwrap();
    assert!(!record.ok());
    let model = sim.model();
    assert!(!model.relations[&id].unit_data["app/0"].contains_key("pw"));
    assert_eq!(
        model.units["app/0"].agent.to_string(),
        "error: hook failed: \"db-relation-changed\""
    );
    assert_eq!(
        sim.queued("app/0"),
        ["db-relation-changed", "update-status"]
    );
    assert!(matches!(
        sim.finish_hook(open, true),
        Err(SimError::Hook { .. })
    ));
    assert!(matches!(
        sim.open_hook("app/0", Hook::UpdateStatus),
        Err(SimError::Hook { .. })
    ));

    // Resolved, the hook is taken from the queue and its write committed.
    sim.resolve("app/0").unwrap();
    let open = sim.open_hook("app/0", joined).unwrap();
    assert_eq!(sim.queued("app/0"), ["update-status"]);
    assert_eq!(tool(&open, "relation-set", &["pw=s3cret"], "").0, 0);
    assert!(sim.finish_hook(open, true).unwrap().ok());
    assert_eq!(
        sim.model().relations[&id].unit_data["app/0"]["pw"],
        "s3cret"
    );
    assert_eq!(sim.queued("pg/0"), ["update-status", "db-relation-changed"]);
    sim.settle(10).unwrap();
}

#[test]
fn actions_tool_failures_and_replaced_output() {
    let (mut sim, _) = model();
    let params = serde_json::json!({"n": 1}).as_object().cloned().unwrap();
    let open = sim.open_action("app/0", "count", params).unwrap();
    assert_eq!(
        open.env()
            .iter()
            .find(|(k, _)| k == "JUJU_ACTION_NAME")
            .unwrap()
            .1,
        "count"
    );
    assert_eq!(tool(&open, "action-get", &["n"], "").1, "1\n");
    assert_eq!(tool(&open, "action-set", &["done=yes"], "").0, 0);

    sim.fail_tool("app/0", "is-leader", Some("boom"));
    assert_eq!(tool(&open, "is-leader", &[], "").2, "ERROR boom\n");
    sim.fail_tool("app/0", "is-leader", None);
    sim.override_tool_output("app/0", "is-leader", Some("garbage"));
    assert_eq!(tool(&open, "is-leader", &[], "").1, "garbage");
    sim.override_tool_output("app/0", "is-leader", None);
    assert_eq!(tool(&open, "is-leader", &[], "").1, "True\n");

    sim.set_public_address("app/0", "app.example").unwrap();
    assert_eq!(
        tool(&open, "unit-get", &["public-address"], "").1,
        "app.example\n"
    );

    let result = sim.finish_action(open, true).unwrap();
    assert!(result.completed());
    assert_eq!(result.outcome.results["done"], "yes");
    assert_eq!(sim.tool_calls().len(), 6);
    sim.clear_tool_calls();
    assert!(sim.tool_calls().is_empty());
}
