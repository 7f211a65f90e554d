//! The example charm `examples/webapp` as Juju runs it: a real process per
//! hook, talking to Juju through hook-tool executables (the fake ones of
//! `fake_juju/`), with its unit state in a real `.unit-state.db`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

struct Unit {
    root: PathBuf,
    tools: PathBuf,
    charm_dir: PathBuf,
}

impl Unit {
    fn new(name: &str) -> Self {
        let root = std::env::temp_dir().join(format!("webapp-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let tools = root.join("tools");
        let charm_dir = root.join("charm");
        workspace_tests::link_hook_tools(&tools, env!("CARGO_BIN_EXE_fake-hook-tool")).unwrap();
        std::fs::create_dir_all(&charm_dir).unwrap();
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/webapp");
        for file in ["metadata.yaml", "config.yaml"] {
            std::fs::copy(example.join(file), charm_dir.join(file)).unwrap();
        }
        let unit = Unit {
            root,
            tools,
            charm_dir,
        };
        unit.write_state(&json!({
            "unit": "webapp/0",
            "leader": true,
            "relations": {},
            "config": {"port": 8080, "site-title": "Hello from webapp", "maintenance": false},
            "leader_settings": {},
            "unit_get": {"private-address": "10.0.0.1"},
            "ports": [],
        }));
        unit
    }

    fn state_path(&self) -> PathBuf {
        self.root.join("state.json")
    }

    fn calls_path(&self) -> PathBuf {
        self.root.join("calls.jsonl")
    }

    fn state(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.state_path()).unwrap()).unwrap()
    }

    fn write_state(&self, state: &Value) {
        std::fs::write(
            self.state_path(),
            serde_json::to_string_pretty(state).unwrap(),
        )
        .unwrap();
    }

    fn edit_state(&self, f: impl FnOnce(&mut Value)) {
        let mut s = self.state();
        f(&mut s);
        self.write_state(&s);
    }

    /// Run `hook` as Juju would; `relation` is (relation id, remote unit).
    fn run(&self, hook: &str, relation: Option<(&str, &str)>) -> Output {
        let _ = std::fs::remove_file(self.calls_path());
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_webapp-charm"));
        cmd.env_clear()
            .env("PATH", format!("{}:/usr/bin:/bin", self.tools.display()))
            .env("JUJU_UNIT_NAME", "webapp/0")
            .env("JUJU_CHARM_DIR", &self.charm_dir)
            .env("JUJU_DISPATCH_PATH", format!("hooks/{hook}"))
            .env("JUJU_MODEL_NAME", "test")
            .env("JUJU_VERSION", "3.6.1")
            .env("FAKE_JUJU_STATE", self.state_path())
            .env("FAKE_JUJU_CALLS", self.calls_path())
            .current_dir(&self.charm_dir);
        if let Some((rid, unit)) = relation {
            cmd.env("JUJU_RELATION", rid.split(':').next().unwrap())
                .env("JUJU_RELATION_ID", rid)
                .env("JUJU_REMOTE_UNIT", unit)
                .env("JUJU_REMOTE_APP", unit.split('/').next().unwrap());
        }
        cmd.output().unwrap()
    }

    fn run_ok(&self, hook: &str, relation: Option<(&str, &str)>) {
        let out = self.run(hook, relation);
        assert!(
            out.status.success(),
            "{hook} failed: {}\nlogs: {}",
            String::from_utf8_lossy(&out.stderr),
            self.state()["logs"]
        );
    }

    /// Tools called by the last hook, juju-log excepted.
    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.calls_path())
            .unwrap_or_default()
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["tool"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .filter(|t| t != "juju-log")
            .collect()
    }

    fn conf(&self) -> String {
        std::fs::read_to_string(self.charm_dir.join("webapp.conf")).unwrap()
    }

    fn unit_state(&self, key: &str) -> Option<String> {
        read_unit_state(&self.charm_dir.join(".unit-state.db"))
            .get(key)
            .cloned()
    }
}

/// The unit state as charm-runtime's SqliteStore reads it.
fn read_unit_state(path: &Path) -> std::collections::BTreeMap<String, String> {
    use charm_runtime::StateStore;
    charm_runtime::SqliteStore::open(path)
        .unwrap()
        .load()
        .unwrap()
}

impl Drop for Unit {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

#[test]
fn the_charm_runs_each_hook_as_juju_runs_it() {
    let unit = Unit::new("lifecycle");

    // install: installs, the leader picks a cluster id, configures, starts.
    unit.run_ok("install", None);
    let s = unit.state();
    assert_eq!(s["app_version"], "2.4.1");
    assert_eq!(s["ports"], json!(["8080/tcp"]));
    assert_eq!(s["unit_status"]["status"], "active");
    assert_eq!(
        s["unit_status"]["message"],
        "serving on port 8080 with 0 peer(s)"
    );
    let cluster_id = s["leader_settings"]["cluster-id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(unit.conf().contains("port = 8080"));
    assert!(unit.conf().contains(&format!("cluster = {cluster_id:?}")));
    assert_eq!(
        unit.unit_state("reactive.states.webapp.started").as_deref(),
        Some("null")
    );
    // Each read once, each write once; status-set twice: the progress
    // shown while installing, then the final status.
    let calls = unit.calls();
    assert_eq!(
        calls.iter().filter(|t| *t == "status-set").count(),
        2,
        "{calls:?}"
    );
    for tool in [
        "config-get",
        "is-leader",
        "leader-get",
        "leader-set",
        "open-port",
    ] {
        assert_eq!(
            calls.iter().filter(|t| *t == tool).count(),
            1,
            "{tool} in {calls:?}"
        );
    }

    // A quiet hook writes nothing but its status.
    unit.run_ok("update-status", None);
    let calls = unit.calls();
    assert!(
        !calls
            .iter()
            .any(|t| (t.ends_with("-set") && t != "status-set") || t.ends_with("-port")),
        "{calls:?}"
    );

    // config-changed: the port moves.
    unit.edit_state(|s| s["config"]["port"] = json!(9090));
    unit.run_ok("config-changed", None);
    assert_eq!(unit.state()["ports"], json!(["9090/tcp"]));
    assert!(unit.conf().contains("port = 9090"));

    // A peer joins with its address.
    unit.edit_state(|s| {
        s["relations"]["cluster:1"] = json!({
            "app": "webapp",
            "units": ["webapp/1"],
            "unit_data": {"webapp/1": {"address": "\"10.0.0.2\""}, "webapp/0": {}},
            "app_data": {"webapp": {}},
        })
    });
    unit.run_ok("cluster-relation-joined", Some(("cluster:1", "webapp/1")));
    let s = unit.state();
    // JSON-encoded as charms.reactive's to_publish does.
    assert_eq!(
        s["relations"]["cluster:1"]["unit_data"]["webapp/0"]["address"],
        "\"10.0.0.1\""
    );
    assert!(
        unit.conf().contains(r#"peers = ["10.0.0.2"]"#),
        "{}",
        unit.conf()
    );
    assert_eq!(
        s["unit_status"]["message"],
        "serving on port 9090 with 1 peer(s)"
    );

    // A proxy relates on `website`: raw keys, as the http interface.
    unit.edit_state(|s| {
        s["relations"]["website:2"] = json!({
            "app": "haproxy",
            "units": ["haproxy/0"],
            "unit_data": {"haproxy/0": {}, "webapp/0": {}},
            "app_data": {"haproxy": {}, "webapp": {}},
        })
    });
    unit.run_ok("website-relation-joined", Some(("website:2", "haproxy/0")));
    let data = &unit.state()["relations"]["website:2"]["unit_data"]["webapp/0"];
    assert_eq!(data, &json!({"hostname": "10.0.0.1", "port": "9090"}));

    // The peer departs.
    unit.edit_state(|s| s["relations"]["cluster:1"]["units"] = json!([]));
    unit.run_ok("cluster-relation-departed", Some(("cluster:1", "webapp/1")));
    assert!(unit.conf().contains("peers = []"), "{}", unit.conf());
    assert_eq!(
        unit.state()["unit_status"]["message"],
        "serving on port 9090 with 0 peer(s)"
    );
}

#[test]
fn a_hook_whose_changes_juju_refuses_fails_and_its_retry_resends_them() {
    let unit = Unit::new("refused");
    unit.run_ok("install", None);
    unit.edit_state(|s| {
        s["config"]["port"] = json!(7070);
        s["fail"] = json!({"open-port": "port 7070 is in use by another application"});
    });
    let out = unit.run("config-changed", None);
    assert_eq!(out.status.code(), Some(1));
    // The error reached juju-log at ERROR, naming the tool and its message.
    let logs = unit.state()["logs"].to_string();
    assert!(logs.contains("port 7070 is in use"), "{logs}");
    assert!(logs.contains("ERROR"), "{logs}");
    // The refusal came after the commit (docs/failures.md): the unit
    // state says 7070, and the port is recorded as not yet opened.
    assert_eq!(unit.unit_state("webapp.port").as_deref(), Some("7070"));
    assert_eq!(unit.state()["ports"], json!([]));
    unit.edit_state(|s| {
        s.as_object_mut().unwrap().remove("fail");
    });
    // Juju retries the hook: it resends the port before anything else.
    unit.run_ok("config-changed", None);
    assert_eq!(unit.state()["ports"], json!(["7070/tcp"]));
    assert_eq!(unit.unit_state("webapp.port").as_deref(), Some("7070"));
}

#[test]
fn outside_juju_the_charm_says_what_is_missing_and_exits_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_webapp-charm"))
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("not running under Juju: JUJU_UNIT_NAME, JUJU_CHARM_DIR"),
        "{stderr}"
    );
}

#[test]
fn every_hook_of_a_units_life_runs_cleanly() {
    let unit = Unit::new("life");
    let peer = Some(("cluster:1", "webapp/1"));
    let add_peer = |unit: &Unit| {
        unit.edit_state(|s| {
            s["relations"]["cluster:1"] = json!({
                "app": "webapp",
                "units": ["webapp/1"],
                "unit_data": {"webapp/1": {"address": "\"10.0.0.2\""}, "webapp/0": {}},
                "app_data": {"webapp": {}},
            })
        })
    };
    let steps: [(&str, Option<(&str, &str)>); 14] = [
        ("install", None),
        ("leader-elected", None),
        ("config-changed", None),
        ("start", None),
        ("cluster-relation-created", peer),
        ("cluster-relation-joined", peer),
        ("cluster-relation-changed", peer),
        ("update-status", None),
        ("upgrade-charm", None),
        ("config-changed", None),
        ("cluster-relation-departed", peer),
        ("cluster-relation-broken", peer),
        ("stop", None),
        ("remove", None),
    ];
    for (hook, relation) in steps {
        match hook {
            "cluster-relation-created" => add_peer(&unit),
            "cluster-relation-departed" => {
                unit.edit_state(|s| s["relations"]["cluster:1"]["units"] = json!([]))
            }
            "cluster-relation-broken" => unit.edit_state(|s| {
                s["relations"].as_object_mut().unwrap().remove("cluster:1");
            }),
            _ => {}
        }
        unit.run_ok(hook, relation);
        let status = unit.state()["unit_status"].clone();
        assert_eq!(status["status"], "active", "after {hook}: {status}");
    }
    // The unit state kept the workload version across the whole life.
    assert_eq!(
        unit.unit_state("webapp.installed-version").as_deref(),
        Some("\"2.4.1\"")
    );
}
