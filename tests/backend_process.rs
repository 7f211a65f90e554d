//! End-to-end tests of `ProcessBackend`: the real process plumbing against
//! the simulator's hook tools (`charm-sim-tool`, one program playing every
//! tool with the real tools' argument syntax, JSON output and failures),
//! answering from a simulated model.
//!
//! Each test makes its own simulation: `myapp` (two units, a charm whose
//! hooks do nothing: `/bin/true`) related on `db` to the stub `pg` (two
//! units, whose databags hold what the real tests read) and to the stub
//! `pgreplica` (no units); then opens a hook context on `myapp/0` and runs
//! the backend in it, the context's environment given to the tools with
//! `ProcessBackend::with_env` (the process environment is shared by the
//! test threads). What a test checks afterwards it reads from the model
//! and the simulation's record of tool calls.
#![cfg(unix)]

use std::collections::BTreeMap;
use std::fs;
use std::process::{Command, Stdio};

use charm_runtime::backend::{
    Backend, DataBag, Port, ProcessBackend, RelationId, Status, StatusState, ToolError,
};
use charm_runtime::log::Level;
use charm_sim::model::network_json;
use charm_sim::stub::{Stub, StubEndpoint};
use charm_sim::{Hook, OpenHook, SimConfig, Simulation, ToolCall};
use serde_json::{Map, Value, json};

/// The simulator's tool program, built from its source as a binary of
/// this package (see tests/Cargo.toml).
const TOOL: &str = env!("CARGO_BIN_EXE_sim-hook-tool");

/// The unit whose hooks the tests run.
const UNIT: &str = "myapp/0";

const METADATA: &str = "name: myapp
requires:
  db:
    interface: pgsql
peers:
  peer:
    interface: myapp-peers
";

const CONFIG: &str = "options:
  name: {type: string, default: x y}
  port: {type: int, default: 8080}
  ratio: {type: float, default: 0.25}
  negative: {type: int, default: -3}
  debug: {type: boolean, default: true}
  unset: {type: string}
  empty: {type: string, default: ''}
";

/// What `config-get --all` prints for [`CONFIG`].
fn config() -> Value {
    json!({
        "name": "x y",
        "port": 8080,
        "ratio": 0.25,
        "negative": -3,
        "debug": true,
        "unset": null,
        "empty": ""
    })
}

/// The params of the action the tests open.
fn action_params() -> Map<String, Value> {
    let params = json!({"size": 3, "name": "backup", "nested": {"deep": [1, "two", null]}});
    params.as_object().cloned().unwrap_or_default()
}

/// A simulation set up for the backend, and the hook open on `myapp/0`.
struct Sim {
    sim: Simulation,
    open: Option<OpenHook>,
    backend: ProcessBackend,
    /// `myapp`'s relation with `pg`.
    db: RelationId,
    /// `myapp`'s relation with `pgreplica`, which has no units.
    db_empty: RelationId,
    /// `myapp`'s peer relation.
    peer: RelationId,
}

impl Sim {
    /// The model, with `myapp/0` in an `update-status` hook.
    fn new() -> Self {
        Self::open_on(UNIT, false)
    }

    /// The model, with `unit` in `update-status`, or in action `backup`
    /// (with [`action_params`]) if `action`.
    fn open_on(unit: &str, action: bool) -> Self {
        let mut sim = Simulation::new(SimConfig::new(TOOL)).unwrap();
        let charm = sim.dir().join("myapp-charm");
        fs::create_dir_all(&charm).unwrap();
        fs::write(charm.join("metadata.yaml"), METADATA).unwrap();
        fs::write(charm.join("config.yaml"), CONFIG).unwrap();
        sim.deploy("myapp", &charm, "/bin/true", 2).unwrap();
        let db = Stub {
            endpoints: BTreeMap::from([("db".to_owned(), StubEndpoint::provides("pgsql"))]),
            ..Stub::default()
        };
        sim.deploy_stub("pg", db.clone(), 2).unwrap();
        sim.deploy_stub("pgreplica", db, 0).unwrap();
        let db = sim.relate("myapp:db", "pg").unwrap();
        let db_empty = sim.relate("myapp:db", "pgreplica").unwrap();
        sim.settle(200).unwrap();
        let peer = sim
            .model()
            .relations
            .values()
            .find(|r| r.is_peer())
            .unwrap()
            .id;
        let (db, db_empty, peer) = (
            RelationId::new("db", db),
            RelationId::new("db", db_empty),
            RelationId::new("peer", peer),
        );

        // pg/0 publishes what the tests read; pg, its database.
        in_hook(&mut sim, "pg/0", |b| {
            let set = |k: &str, v: &str| (k.to_owned(), Some(v.to_owned()));
            let unit = BTreeMap::from([set("host", "10.0.0.9"), set("password", "p w=d")]);
            b.relation_set(&db, false, &unit).unwrap();
            let app = BTreeMap::from([set("database", "main")]);
            b.relation_set(&db, true, &app).unwrap();
        });
        // myapp/0's leader settings and opened port.
        in_hook(&mut sim, UNIT, |b| {
            let set = |k: &str, v: &str| (k.to_owned(), Some(v.to_owned()));
            let settings = BTreeMap::from([set("cluster", "ok"), set("token", "t=1")]);
            b.leader_set(&settings).unwrap();
            b.open_port(&Port::tcp(80)).unwrap();
        });
        sim.set_public_address(UNIT, "myapp.example").unwrap();
        sim.settle(200).unwrap();
        sim.clear_tool_calls();

        let open = if action {
            sim.open_action(unit, "backup", action_params()).unwrap()
        } else {
            sim.open_hook(unit, Hook::UpdateStatus).unwrap()
        };
        let backend = backend_for(&open);
        Self {
            sim,
            open: Some(open),
            backend,
            db,
            db_empty,
            peer,
        }
    }

    /// The model, with `myapp/0` running action `backup`.
    fn in_action() -> Self {
        Self::open_on(UNIT, true)
    }

    fn open(&self) -> &OpenHook {
        self.open.as_ref().unwrap()
    }

    /// End the open hook successfully: its held writes are committed.
    fn finish(&mut self) -> charm_sim::ActionResult {
        let open = self.open.take().unwrap();
        if matches!(open.hook(), Hook::Action { .. }) {
            self.sim.finish_action(open, true).unwrap()
        } else {
            let record = self.sim.finish_hook(open, true).unwrap();
            charm_sim::ActionResult {
                record,
                outcome: Default::default(),
            }
        }
    }

    /// `(tool, args, stdin used)` of every call since the hook opened.
    fn calls(&self) -> Vec<(String, Vec<String>, bool)> {
        self.sim
            .tool_calls()
            .into_iter()
            .map(|c| (c.tool, c.args, c.stdin))
            .collect()
    }

    /// The committed unit databag of `unit` on `relation`, without the
    /// keys Juju itself puts in every unit's databag.
    fn written(&self, relation: &RelationId, unit: &str) -> BTreeMap<String, String> {
        let mut bag = self.sim.model().relations[&relation.id].unit_data[unit].clone();
        for key in JUJU_KEYS {
            bag.remove(key);
        }
        bag
    }

    /// The address of `unit`.
    fn address(&self, unit: &str) -> String {
        self.sim.model().units[unit].address.clone()
    }
}

/// The keys Juju puts in a unit's databag when it enters a relation.
const JUJU_KEYS: [&str; 3] = ["private-address", "ingress-address", "egress-subnets"];

/// A backend running the simulator's tools in the hook `open`.
fn backend_for(open: &OpenHook) -> ProcessBackend {
    ProcessBackend::with_tools_dir(open.tools_dir()).with_env(open.env().iter().cloned())
}

/// Run `body` in an `update-status` hook of `unit` that then succeeds.
fn in_hook(sim: &mut Simulation, unit: &str, body: impl FnOnce(&ProcessBackend)) {
    let open = sim.open_hook(unit, Hook::UpdateStatus).unwrap();
    body(&backend_for(&open));
    sim.finish_hook(open, true).unwrap();
}

/// The settings Juju puts in the databag of a unit at `address`, and
/// `more`.
fn juju_bag(address: &str, more: &[(&str, &str)]) -> BTreeMap<String, String> {
    [
        ("private-address", address.to_owned()),
        ("ingress-address", address.to_owned()),
        ("egress-subnets", format!("{address}/32")),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .chain(more.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())))
    .collect()
}

fn rid(endpoint: &str, id: u32) -> RelationId {
    RelationId::new(endpoint, id)
}

fn set_all(values: &BTreeMap<String, String>) -> BTreeMap<String, Option<String>> {
    values
        .iter()
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect()
}

const SECRET: &str = "hunter2-s3cr3t/=value";
const BIG_MARKER: &str = "BIG-SECRET-MARKER";

/// Every awkward value, keyed by what makes it awkward.
fn awkward_values() -> BTreeMap<String, String> {
    let mut big = String::from(BIG_MARKER);
    while big.len() < 1 << 20 {
        big.push_str("0123456789abcdef\n\"'\\é");
    }
    [
        ("spaces", "  a value  with spaces "),
        ("equals", "a=b==c="),
        ("quotes", r#"it's "quoted" ''"#),
        ("backslashes", r"C:\path\n\t\\ \u0041"),
        ("newlines", "line 1\nline 2\r\nline 3\n\n"),
        ("tabs", "\tindented\tand trailing\t"),
        ("unicode", "é 中文 🦀 👩‍👩‍👧 \u{200b}"),
        (
            "controls",
            "\u{7f}\u{85}\u{2028}\u{2029}\u{feff}\u{1b}[0m\0",
        ),
        ("dash", "-leading dash"),
        ("double-dash", "--file"),
        ("lone-dash", "-"),
        ("yaml-map", "key: value"),
        ("yaml-list", "- item"),
        ("yaml-true", "true"),
        ("yaml-number", "123"),
        ("yaml-null", "null"),
        ("yaml-tilde", "~"),
        ("yaml-document", "---\nkey: [1, 2]\n..."),
        ("yaml-anchor", "&anchor *alias !!binary"),
        ("json", r#"{"a": [1, "b"]}"#),
        ("comment", "# not a comment"),
        ("secret", SECRET),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .chain([("one-mebibyte".to_owned(), big)])
    .collect()
}

#[test]
fn relation_values_round_trip_through_stdin_and_never_reach_argv() {
    let s = Sim::new();
    let b = &s.backend;
    let values = awkward_values();

    for (app, bag) in [
        (false, DataBag::Unit(UNIT.into())),
        (true, DataBag::App("myapp".into())),
    ] {
        // What Juju put there already stays.
        let before = b.relation_get(&s.db, &bag).unwrap();
        b.relation_set(&s.db, app, &set_all(&values)).unwrap();
        let mut expected = before.clone();
        expected.extend(values.clone());
        assert_eq!(b.relation_get(&s.db, &bag).unwrap(), expected, "{bag:?}");

        // An empty value and `None` both delete, as in Juju.
        let changes = BTreeMap::from([
            ("equals".to_owned(), Some(String::new())),
            ("spaces".to_owned(), None),
            ("added".to_owned(), Some("new".to_owned())),
        ]);
        b.relation_set(&s.db, app, &changes).unwrap();
        expected.remove("equals");
        expected.remove("spaces");
        expected.insert("added".into(), "new".into());
        assert_eq!(b.relation_get(&s.db, &bag).unwrap(), expected);
    }

    let db = s.db.to_string();
    let sets: Vec<_> = s
        .calls()
        .into_iter()
        .filter(|(tool, _, _)| tool == "relation-set")
        .collect();
    assert_eq!(sets.len(), 4);
    for (i, (_, args, stdin)) in sets.iter().enumerate() {
        let expected: &[&str] = if i < 2 {
            &["-r", &db, "--file", "-"]
        } else {
            &["-r", &db, "--app", "--file", "-"]
        };
        assert_eq!(args, expected);
        assert!(stdin, "relation-set read its settings from stdin");
    }
    let log = format!("{:?}", s.sim.tool_calls());
    assert!(!log.contains("hunter2"), "a secret reached argv: {log}");
    assert!(!log.contains(BIG_MARKER));
    for (tool, args, stdin) in s.calls() {
        assert_eq!(stdin, tool == "relation-set", "{tool}");
        // (Short values such as "-" or "--file" are argv tokens anyway.)
        for value in values.values().filter(|v| v.len() > 6) {
            assert!(
                !args.contains(value),
                "{tool} got a value in argv: {args:?}"
            );
        }
    }
}

#[test]
fn only_the_leader_writes_the_application_bag() {
    let s = Sim::open_on("myapp/1", false);
    let changes = BTreeMap::from([("k".to_owned(), Some("v".to_owned()))]);
    let err = s.backend.relation_set(&s.db, true, &changes).unwrap_err();
    assert_eq!(
        err,
        ToolError::Failed {
            tool: "relation-set".into(),
            code: Some(1),
            signal: None,
            stderr: "ERROR cannot write relation settings".into(),
        }
    );
    // The unit's own bag is still writable.
    s.backend.relation_set(&s.db, false, &changes).unwrap();
}

#[test]
fn relation_reads_parse_the_tools_output() {
    let mut s = Sim::new();
    let b = s.backend.clone();

    assert_eq!(
        b.relation_ids("db").unwrap(),
        [s.db.clone(), s.db_empty.clone()]
    );
    assert_eq!(b.relation_ids("peer").unwrap(), [s.peer.clone()]);
    assert!(b.relation_ids("nothing").unwrap().is_empty());

    assert_eq!(b.relation_units(&s.db).unwrap(), ["pg/0", "pg/1"]);
    assert!(b.relation_units(&s.db_empty).unwrap().is_empty());
    assert_eq!(b.relation_remote_app(&s.db).unwrap(), Some("pg".into()));
    assert_eq!(
        b.relation_remote_app(&s.db_empty).unwrap(),
        Some("pgreplica".into())
    );
    // A remote application Juju does not know yet is printed as "".
    s.sim
        .override_tool_output(UNIT, "relation-list", Some("\"\"\n"));
    assert_eq!(b.relation_remote_app(&s.db_empty).unwrap(), None);
    s.sim.override_tool_output(UNIT, "relation-list", None);

    let remote = b
        .relation_get(&s.db, &DataBag::Unit("pg/0".into()))
        .unwrap();
    assert_eq!(
        remote,
        juju_bag(
            &s.address("pg/0"),
            &[("host", "10.0.0.9"), ("password", "p w=d")]
        )
    );
    assert_eq!(
        b.relation_get(&s.db, &DataBag::Unit("pg/1".into()))
            .unwrap(),
        juju_bag(&s.address("pg/1"), &[])
    );
    assert_eq!(
        b.relation_get(&s.db, &DataBag::App("pg".into())).unwrap(),
        BTreeMap::from([("database".to_owned(), "main".to_owned())])
    );
    // Nothing written yet: Juju prints {} (or null), both are empty.
    assert!(
        b.relation_get(&s.db, &DataBag::App("myapp".into()))
            .unwrap()
            .is_empty()
    );
    s.sim
        .override_tool_output(UNIT, "relation-get", Some("null\n"));
    assert!(
        b.relation_get(&s.db, &DataBag::Unit("pg/1".into()))
            .unwrap()
            .is_empty()
    );

    let calls = s.calls();
    let args = |tool: &str| -> Vec<Vec<String>> {
        calls
            .iter()
            .filter(|c| c.0 == tool)
            .map(|c| c.1.clone())
            .collect()
    };
    let db = s.db.to_string();
    assert_eq!(args("relation-ids")[0], ["--format=json", "--", "db"]);
    assert_eq!(args("relation-list")[0], ["--format=json", "-r", &db]);
    assert_eq!(
        args("relation-list")[2],
        ["--format=json", "-r", &db, "--app"]
    );
    assert_eq!(
        args("relation-get")[0],
        ["--format=json", "-r", &db, "--", "-", "pg/0"]
    );
    assert_eq!(
        args("relation-get")[2],
        ["--format=json", "-r", &db, "--app", "--", "-", "pg"]
    );
}

#[test]
fn config_leadership_and_status_reads() {
    let mut s = Sim::new();
    let b = s.backend.clone();

    let config = b.config_get().unwrap();
    assert_eq!(Value::Object(config), self::config());

    assert!(b.is_leader().unwrap());
    assert_eq!(
        b.leader_get().unwrap(),
        BTreeMap::from([
            ("cluster".to_owned(), "ok".to_owned()),
            ("token".to_owned(), "t=1".to_owned()),
        ])
    );
    for empty in ["null\n", "{}\n"] {
        s.sim.override_tool_output(UNIT, "leader-get", Some(empty));
        assert!(b.leader_get().unwrap().is_empty());
    }
    s.sim.override_tool_output(UNIT, "leader-get", None);
    s.sim.set_leader("myapp/1").unwrap();
    assert!(!b.is_leader().unwrap());
    s.sim.set_leader(UNIT).unwrap();

    // Nothing set yet: the unit waits as a new unit does, the application
    // is unknown, with no message.
    let waiting = Status::new(StatusState::Waiting, "agent initialising");
    assert_eq!(b.status_get(false).unwrap(), waiting);
    let unknown = Status::new(StatusState::Unknown, "");
    assert_eq!(b.status_get(true).unwrap(), unknown);

    let unit = Status::new(StatusState::Blocked, "-needs: a \"db\" relation\né");
    let app = Status::new(StatusState::Waiting, "");
    b.status_set(false, &unit).unwrap();
    b.status_set(true, &app).unwrap();
    assert_eq!(b.status_get(false).unwrap(), unit);
    assert_eq!(b.status_get(true).unwrap(), app);
    assert_eq!(s.sim.model().units[UNIT].workload.message, unit.message);

    for (tool, args, _) in s.calls() {
        match tool.as_str() {
            "config-get" => assert_eq!(args, ["--all", "--format=json"]),
            "is-leader" | "leader-get" => assert_eq!(args, ["--format=json"]),
            "status-get" => assert!(
                args == ["--format=json", "--include-data"]
                    || args == ["--format=json", "--include-data", "--application"],
                "{args:?}"
            ),
            "status-set" => assert!(
                args == ["--", "blocked", unit.message.as_str()]
                    || args == ["--application", "--", "waiting", ""],
                "{args:?}"
            ),
            other => panic!("unexpected call {other}"),
        }
    }
}

#[test]
fn ports_addresses_networks_and_action_params() {
    let mut s = Sim::in_action();
    let b = s.backend.clone();

    assert_eq!(b.opened_ports().unwrap(), [Port::tcp(80)]);
    let range = Port {
        from: 8000,
        to: 8100,
        protocol: "udp".into(),
    };
    let icmp: Port = "icmp".parse().unwrap();
    b.open_port(&Port::tcp(443)).unwrap();
    b.open_port(&range).unwrap();
    b.open_port(&icmp).unwrap();
    b.open_port(&Port::tcp(443)).unwrap();
    b.close_port(&Port::tcp(80)).unwrap();
    // Juju sorts by protocol, then range.
    let opened = [icmp.clone(), Port::tcp(443), range.clone()];
    assert_eq!(b.opened_ports().unwrap(), opened);
    let port_args: Vec<Vec<String>> = s
        .calls()
        .into_iter()
        .filter(|c| c.0.ends_with("-port"))
        .map(|c| c.1)
        .collect();
    assert_eq!(
        port_args,
        [
            ["443/tcp"],
            ["8000-8100/udp"],
            ["icmp"],
            ["443/tcp"],
            ["80/tcp"]
        ]
    );

    let address = s.address(UNIT);
    assert_eq!(b.unit_get("private-address").unwrap(), address);
    assert_eq!(b.unit_get("public-address").unwrap(), "myapp.example");

    let network = network_json(&address);
    assert_eq!(b.network_get("db", None).unwrap(), network);
    assert_eq!(b.network_get("db", Some(&s.db)).unwrap(), network);
    let err = b.network_get("nope", None).unwrap_err();
    assert!(
        matches!(&err, ToolError::Failed { code: Some(1), stderr, .. }
            if stderr == "ERROR no network config found for binding \"nope\""),
        "{err:?}"
    );

    let params = b.action_get().unwrap();
    assert_eq!(params, action_params());

    let db = s.db.to_string();
    let args: Vec<(String, Vec<String>)> = s
        .calls()
        .into_iter()
        .filter(|c| {
            ["unit-get", "network-get", "action-get", "opened-ports"].contains(&c.0.as_str())
        })
        .map(|c| (c.0, c.1))
        .collect();
    let expected: Vec<(&str, Vec<&str>)> = vec![
        ("opened-ports", vec!["--format=json"]),
        ("opened-ports", vec!["--format=json"]),
        ("unit-get", vec!["--format=json", "--", "private-address"]),
        ("unit-get", vec!["--format=json", "--", "public-address"]),
        ("network-get", vec!["--format=json", "--", "db"]),
        ("network-get", vec!["--format=json", "-r", &db, "--", "db"]),
        ("network-get", vec!["--format=json", "--", "nope"]),
        ("action-get", vec!["--format=json"]),
    ];
    assert_eq!(args.len(), expected.len());
    for ((tool, args), (want_tool, want_args)) in args.iter().zip(&expected) {
        assert_eq!(tool, want_tool);
        assert_eq!(args, want_args);
    }

    // The port changes are held until the hook (here an action) succeeds.
    assert_eq!(s.sim.model().units[UNIT].ports.len(), 1);
    s.finish();
    let ports: Vec<String> = s.sim.model().units[UNIT]
        .ports
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(ports, ["icmp", "443/tcp", "8000-8100/udp"]);
}

#[test]
fn leader_settings_version_logs_and_action_results() {
    let mut s = Sim::in_action();
    let b = s.backend.clone();

    let changes = BTreeMap::from([
        ("cluster".to_owned(), None),
        ("token".to_owned(), Some(String::new())),
        ("url".to_owned(), Some("http://x/?a=b&c".to_owned())),
        ("padded".to_owned(), Some("  kept inside  ".to_owned())),
        ("-dash".to_owned(), Some("-v".to_owned())),
    ]);
    b.leader_set(&changes).unwrap();
    // Juju trims around values passed as key=value (documented on
    // ProcessBackend::leader_set).
    let strings = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    };
    assert_eq!(
        s.sim.model().apps["myapp"].leader_settings,
        strings(&[
            ("url", "http://x/?a=b&c"),
            ("padded", "kept inside"),
            ("-dash", "-v")
        ])
    );
    assert_eq!(
        b.leader_get().unwrap()["url"],
        "http://x/?a=b&c",
        "leader-get reads back what leader-set wrote"
    );

    b.application_version_set("-1.2.3 beta").unwrap();
    assert_eq!(s.sim.model().units[UNIT].workload_version, "-1.2.3 beta");

    b.juju_log(Level::Warning, "-starts with a dash").unwrap();
    b.juju_log(Level::Debug, "--help").unwrap();
    b.juju_log(Level::Trace, "").unwrap();
    let logs: Vec<(String, String)> = s
        .sim
        .logs()
        .into_iter()
        .filter(|l| l.unit == UNIT)
        .map(|l| (l.level, l.message))
        .collect();
    assert_eq!(
        logs,
        [
            ("WARNING".to_owned(), "-starts with a dash".to_owned()),
            ("DEBUG".to_owned(), "--help".to_owned()),
            ("TRACE".to_owned(), String::new()),
        ]
    );

    let results = BTreeMap::from([
        ("outfile.size".to_owned(), "10G".to_owned()),
        ("outfile.name".to_owned(), "-x=y z".to_owned()),
        ("count".to_owned(), "3".to_owned()),
    ]);
    b.action_set(&results).unwrap();
    b.action_log("-50% done").unwrap();
    b.action_fail("--disk full").unwrap();

    let calls: Vec<(String, Vec<String>)> = s
        .calls()
        .into_iter()
        .filter(|c| c.0 != "leader-get")
        .map(|c| (c.0, c.1))
        .collect();
    let expected: Vec<(&str, Vec<&str>)> = vec![
        (
            "leader-set",
            vec![
                "--",
                "-dash=-v",
                "cluster=",
                "padded=  kept inside  ",
                "token=",
                "url=http://x/?a=b&c",
            ],
        ),
        ("application-version-set", vec!["--", "-1.2.3 beta"]),
        (
            "juju-log",
            vec!["-l", "WARNING", "--", "-starts with a dash"],
        ),
        ("juju-log", vec!["-l", "DEBUG", "--", "--help"]),
        ("juju-log", vec!["-l", "TRACE", "--", ""]),
        (
            "action-set",
            vec!["--", "count=3", "outfile.name=-x=y z", "outfile.size=10G"],
        ),
        ("action-log", vec!["--", "-50% done"]),
        ("action-fail", vec!["--", "--disk full"]),
    ];
    assert_eq!(calls.len(), expected.len(), "{calls:?}");
    for ((tool, args), (want_tool, want_args)) in calls.iter().zip(&expected) {
        assert_eq!(tool, want_tool);
        assert_eq!(args, want_args);
    }

    // Only the leader writes leader settings.
    s.sim.set_leader("myapp/1").unwrap();
    let err = b
        .leader_set(&BTreeMap::from([("k".to_owned(), Some("v".to_owned()))]))
        .unwrap_err();
    assert!(
        matches!(&err, ToolError::Failed { tool, code: Some(1), stderr, .. }
            if tool == "leader-set"
                && stderr.starts_with("ERROR cannot write leadership settings")),
        "{err:?}"
    );

    let outcome = s.finish().outcome;
    assert_eq!(
        Value::Object(outcome.results),
        json!({"count": "3", "outfile": {"name": "-x=y z", "size": "10G"}})
    );
    assert_eq!(outcome.logs, ["-50% done"]);
    assert_eq!(outcome.failure.as_deref(), Some("--disk full"));
}

#[test]
fn a_failing_tool_gives_its_exit_code_and_stderr() {
    let mut s = Sim::new();
    let b = s.backend.clone();

    let err = b.relation_units(&rid("db", 99)).unwrap_err();
    assert_eq!(
        err,
        ToolError::Failed {
            tool: "relation-list".into(),
            code: Some(2),
            signal: None,
            stderr: "ERROR invalid value \"db:99\" for flag -r: relation not found".into(),
        }
    );
    let err = b
        .relation_set(
            &rid("db", 99),
            false,
            &BTreeMap::from([("k".to_owned(), Some("v".to_owned()))]),
        )
        .unwrap_err();
    assert!(
        matches!(err, ToolError::Failed { code: Some(2), .. }),
        "{err:?}"
    );

    // Juju itself rejects action result keys that are not lowercase.
    let err = b
        .action_set(&BTreeMap::from([("Bad_Key".to_owned(), "v".to_owned())]))
        .unwrap_err();
    assert!(
        matches!(&err, ToolError::Failed { code: Some(2), stderr, .. }
            if stderr.starts_with("ERROR key \"Bad_Key\" must start and end with lowercase")),
        "{err:?}"
    );

    // A long stderr is trimmed and capped.
    let long = format!("boom {}", "x".repeat(100_000));
    s.sim.fail_tool(UNIT, "is-leader", Some(&long));
    s.sim.fail_tool(UNIT, "config-get", Some("  spaced out  "));
    let ToolError::Failed {
        tool, code, stderr, ..
    } = b.is_leader().unwrap_err()
    else {
        panic!("expected Failed")
    };
    assert_eq!((tool.as_str(), code), ("is-leader", Some(1)));
    assert!(stderr.starts_with("ERROR boom xxx"), "{}", &stderr[..40]);
    assert!(stderr.len() < 5000, "{}", stderr.len());
    let err = b.config_get().unwrap_err();
    assert!(
        matches!(&err, ToolError::Failed { stderr, .. } if stderr == "ERROR   spaced out"),
        "{err:?}"
    );
}

#[test]
fn a_missing_or_unrunnable_tool_is_a_spawn_error() {
    let s = Sim::new();
    // A directory of the tools of our own, to break.
    let dir = s.sim.dir().join("own-tools");
    workspace_tests::link_hook_tools(&dir, TOOL).unwrap();
    let backend = ProcessBackend::with_tools_dir(&dir).with_env(s.open().env().iter().cloned());
    assert!(backend.is_leader().unwrap());

    fs::remove_file(dir.join("is-leader")).unwrap();
    let err = backend.is_leader().unwrap_err();
    assert!(
        matches!(&err, ToolError::Spawn { tool, reason }
            if tool == "is-leader" && reason.contains("is-leader")),
        "{err:?}"
    );

    // Not executable.
    fs::remove_file(dir.join("leader-get")).unwrap();
    fs::write(dir.join("leader-get"), "not a program").unwrap();
    let err = backend.leader_get().unwrap_err();
    assert!(matches!(&err, ToolError::Spawn { .. }), "{err:?}");

    let nowhere = ProcessBackend::with_tools_dir(dir.join("no-such-dir"));
    let changes = BTreeMap::from([("k".to_owned(), Some("v".to_owned()))]);
    let err = nowhere.relation_set(&s.db, false, &changes).unwrap_err();
    assert!(matches!(&err, ToolError::Spawn { .. }), "{err:?}");
    assert_eq!(nowhere.tools_dir(), Some(dir.join("no-such-dir").as_path()));
}

type Read = fn(&ProcessBackend) -> Result<(), ToolError>;

/// Every read, with output of the right JSON but the wrong shape.
fn reads() -> Vec<(&'static str, Read, &'static str)> {
    vec![
        (
            "relation-ids",
            |b| b.relation_ids("db").map(drop),
            r#"["db"]"#,
        ),
        (
            "relation-ids",
            |b| b.relation_ids("db").map(drop),
            r#"{"db:1": 1}"#,
        ),
        (
            "relation-list",
            |b| b.relation_units(&rid("db", 1)).map(drop),
            r#"[1, 2]"#,
        ),
        (
            "relation-list",
            |b| b.relation_remote_app(&rid("db", 1)).map(drop),
            "true",
        ),
        (
            "relation-get",
            |b| {
                b.relation_get(&rid("db", 1), &DataBag::Unit("pg/0".into()))
                    .map(drop)
            },
            r#"{"port": 5432}"#,
        ),
        (
            "relation-get",
            |b| {
                b.relation_get(&rid("db", 1), &DataBag::App("pg".into()))
                    .map(drop)
            },
            r#""settings""#,
        ),
        ("config-get", |b| b.config_get().map(drop), "[]"),
        ("is-leader", |b| b.is_leader().map(drop), r#""True""#),
        ("leader-get", |b| b.leader_get().map(drop), r#"{"a": null}"#),
        (
            "status-get",
            |b| b.status_get(false).map(drop),
            r#"{"status": "exploded"}"#,
        ),
        (
            "status-get",
            |b| b.status_get(true).map(drop),
            r#"{"status": "active"}"#,
        ),
        (
            "unit-get",
            |b| b.unit_get("private-address").map(drop),
            "42",
        ),
        (
            "opened-ports",
            |b| b.opened_ports().map(drop),
            r#"["80/sctp"]"#,
        ),
        (
            "opened-ports",
            |b| b.opened_ports().map(drop),
            r#"["80/tcp (*)"]"#,
        ),
        ("action-get", |b| b.action_get().map(drop), r#"["x"]"#),
        ("network-get", |b| b.network_get("db", None).map(drop), ""),
    ]
}

#[test]
fn unparsable_output_is_bad_output_for_every_read() {
    let mut s = Sim::new();
    let garbage = [
        "",
        "not json at all",
        "{\"truncated\": ",
        "[1, 2] trailing",
        "\u{0}\u{1}\u{fffd}",
        "True\n",
        "password=hunter2",
    ];
    for (tool, read, wrong_shape) in reads() {
        for output in garbage.iter().chain([&wrong_shape]) {
            s.sim.override_tool_output(UNIT, tool, Some(output));
            match read(&s.backend) {
                Err(ToolError::BadOutput { tool: t, reason }) => {
                    assert_eq!(t, tool);
                    assert!(!reason.contains("hunter2"), "{reason}");
                }
                other => panic!("{tool} printing {output:?}: {other:?}"),
            }
        }
        s.sim.override_tool_output(UNIT, tool, None);
    }
}

#[test]
fn refused_and_empty_requests_run_nothing() {
    let s = Sim::in_action();
    let b = &s.backend;
    for state in [StatusState::Unknown, StatusState::Error] {
        let err = b.status_set(false, &Status::new(state, "x")).unwrap_err();
        assert!(matches!(err, ToolError::Refused { .. }), "{err:?}");
    }
    let err = b
        .leader_set(&BTreeMap::from([("a=b".to_owned(), Some("x".to_owned()))]))
        .unwrap_err();
    assert!(matches!(err, ToolError::Refused { .. }), "{err:?}");
    let err = b
        .action_set(&BTreeMap::from([(String::new(), "x".to_owned())]))
        .unwrap_err();
    assert!(matches!(err, ToolError::Refused { .. }), "{err:?}");

    b.relation_set(&s.db, true, &BTreeMap::new()).unwrap();
    b.leader_set(&BTreeMap::new()).unwrap();
    b.action_set(&BTreeMap::new()).unwrap();
    assert!(s.calls().is_empty(), "{:?}", s.calls());
}

/// Run one tool directly in the open hook of `s`, `stdin` on its input.
fn run_tool(
    s: &Sim,
    tool: &str,
    args: &[&str],
    stdin: Option<&str>,
) -> (Option<i32>, String, String) {
    let mut child = Command::new(s.open().tools_dir().join(tool))
        .args(args)
        .envs(s.open().env().iter().map(|(k, v)| (k, v)))
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        std::io::Write::write_all(&mut child.stdin.take().unwrap(), text.as_bytes()).unwrap();
    }
    let output = child.wait_with_output().unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn the_tools_parse_arguments_and_fail_like_juju() {
    let mut s = Sim::in_action();
    let db = s.db.to_string();
    let db_short = format!("-r{db}");
    let db_number = s.db.id.to_string();
    let empty = s.db_empty.to_string();
    let address = s.address(UNIT);

    // gnuflag syntax: -rVALUE, --relation VALUE, interspersed flags, `--`.
    let ok = [
        (
            "relation-get",
            vec![db_short.as_str(), "--format=json", "host", "pg/0"],
            json!("10.0.0.9"),
        ),
        (
            "relation-get",
            vec!["host", "--relation", &db_number, "pg/0", "--format", "json"],
            json!("10.0.0.9"),
        ),
        (
            "relation-get",
            vec!["--format=json", "-r", &db, "--app", "-", "pg/0"],
            json!({"database": "main"}),
        ),
        (
            "relation-list",
            vec!["--format=json", "-r", &empty, "--app"],
            json!("pgreplica"),
        ),
        ("config-get", vec!["--format=json", "port"], json!(8080)),
        (
            "config-get",
            vec!["--format=json"],
            json!({"debug": true, "empty": "", "name": "x y", "negative": -3, "port": 8080, "ratio": 0.25}),
        ),
        ("leader-get", vec!["--format=json", "token"], json!("t=1")),
        (
            "status-get",
            vec!["--format=json", "--application"],
            json!({"application-status": {"status": "unknown", "units": {
                "myapp/0": {"status": "waiting"}, "myapp/1": {"status": "waiting"}
            }}}),
        ),
        (
            "network-get",
            vec!["--format=json", "db", "--ingress-address"],
            json!(address),
        ),
        (
            "action-get",
            vec!["--format=json", "nested.deep"],
            json!([1, "two", null]),
        ),
    ];
    for (tool, args, expected) in &ok {
        let (code, stdout, stderr) = run_tool(&s, tool, args, None);
        assert_eq!((code, stderr.as_str()), (Some(0), ""), "{tool} {args:?}");
        assert!(stdout.ends_with('\n'), "{stdout:?}");
        assert_eq!(
            &serde_json::from_str::<Value>(&stdout).unwrap(),
            expected,
            "{tool} {args:?}"
        );
    }

    let not_found = format!(
        "ERROR cannot read settings for unit \"pg/9\" in relation \"{db}\": settings not found\n"
    );
    let bad = [
        (
            "relation-get",
            vec!["--bogus"],
            2,
            "ERROR flag provided but not defined: --bogus\n",
        ),
        (
            "relation-get",
            vec!["-x"],
            2,
            "ERROR flag provided but not defined: -x\n",
        ),
        (
            "relation-get",
            vec!["--format=json", "-", "pg/0"],
            2,
            "ERROR no relation id specified\n",
        ),
        (
            "relation-get",
            vec!["--format=json", "-r", "db:x"],
            2,
            "ERROR invalid value \"db:x\" for flag -r: invalid relation id\n",
        ),
        (
            "relation-get",
            vec!["--format=json", "-r"],
            2,
            "ERROR flag needs an argument: -r\n",
        ),
        (
            "relation-get",
            vec!["--format=json", "-r", &db, "-", "pg/9"],
            1,
            &not_found,
        ),
        (
            "relation-ids",
            vec!["--format=json", "db", "extra"],
            2,
            "ERROR unrecognized args: [\"extra\"]\n",
        ),
        (
            "relation-ids",
            vec!["--format=xml", "db"],
            2,
            "ERROR invalid value \"xml\" for flag --format: unknown format \"xml\"\n",
        ),
        (
            "relation-set",
            vec!["-r", &db, "novalue"],
            2,
            "ERROR expected \"key=value\", got \"novalue\"\n",
        ),
        (
            "relation-set",
            vec!["-r", &db, "a=1", " a =2"],
            2,
            "ERROR key \"a\" specified more than once\n",
        ),
        (
            "status-set",
            vec!["idle"],
            2,
            "ERROR invalid status \"idle\", expected one of [maintenance blocked waiting active]\n",
        ),
        (
            "status-set",
            vec![],
            2,
            "ERROR invalid args, require <status> [message]\n",
        ),
        (
            "open-port",
            vec!["80/sctp"],
            2,
            "ERROR protocol must be \"tcp\", \"udp\", or \"icmp\"; got \"sctp\"\n",
        ),
        (
            "juju-log",
            vec!["-l", "INFO"],
            2,
            "ERROR no message specified\n",
        ),
        (
            "action-set",
            vec!["a"],
            2,
            "ERROR argument \"a\" must be of the form key...=value\n",
        ),
        (
            "action-fail",
            vec!["a", "b"],
            2,
            "ERROR unrecognized args: [\"b\"]\n",
        ),
        (
            "config-get",
            vec!["--all", "port", "--format=json"],
            2,
            "ERROR cannot use argument --all together with key \"port\"\n",
        ),
        (
            "unit-get",
            vec!["--format=json", "address"],
            2,
            "ERROR unknown setting \"address\"\n",
        ),
    ];
    for (tool, args, code, stderr) in &bad {
        assert_eq!(
            run_tool(&s, tool, args, None),
            (Some(*code), String::new(), (*stderr).to_owned()),
            "{tool} {args:?}"
        );
    }

    // Writes reach the model when the hook succeeds; the record names
    // each call.
    let args = ["-r", db.as_str(), "k= v ", "gone="];
    assert_eq!(run_tool(&s, "relation-set", &args, None).0, Some(0));
    let calls = s.sim.tool_calls();
    assert_eq!(calls.len(), ok.len() + bad.len() + 1);
    assert_eq!(
        calls.last(),
        Some(&ToolCall {
            unit: UNIT.into(),
            hook: "backup".into(),
            tool: "relation-set".into(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            stdin: false,
        })
    );
    // relation-set also takes simple `key: value` YAML lines on stdin.
    let yaml = "# settings\na: plain value\nb: \"esc\\u00e9\\n\"\nc: from file\nd: 'it''s'\n";
    let args = ["-r", db.as_str(), "--app", "--file", "-", "c=override"];
    let (code, _, stderr) = run_tool(&s, "relation-set", &args, Some(yaml));
    assert_eq!(code, Some(0), "{stderr}");
    let last = s.sim.tool_calls().pop().unwrap();
    assert!(last.stdin);
    s.finish();
    assert_eq!(
        s.written(&s.db, UNIT),
        BTreeMap::from([("k".to_owned(), "v".to_owned())])
    );
    let app = s.sim.model().relations[&s.db.id].app_data["myapp"].clone();
    assert_eq!(
        serde_json::to_value(app).unwrap(),
        json!({"a": "plain value", "b": "escé\n", "c": "override", "d": "it's"})
    );
}

/// What charmhelpers does: probe `relation-set --help` for `--file`, then
/// write `yaml.safe_dump(settings)` to a file. The tools take it as Juju
/// does (scalars as text, null deleting the key), so the Python reference
/// layers run against them unchanged.
#[test]
fn the_tools_take_charmhelpers_yaml_files() {
    let mut s = Sim::new();
    let db = s.db.clone();
    s.finish();
    in_hook(&mut s.sim, UNIT, |b| {
        let old = BTreeMap::from([("old".to_owned(), Some("1".to_owned()))]);
        b.relation_set(&db, false, &old).unwrap();
    });
    s.open = Some(s.sim.open_hook(UNIT, Hook::UpdateStatus).unwrap());

    let (code, help, _) = run_tool(&s, "relation-set", &["--help"], None);
    assert_eq!(code, Some(0));
    assert!(help.contains("--file"), "{help}");
    let settings = s.sim.dir().join("settings.yaml");
    fs::write(
        &settings,
        "host: 10.0.0.1\nport: 5432\nflag: true\nold: null\nmulti: |\n  one\n  two\nquoted: 'it''s'\n",
    )
    .unwrap();
    let path = settings.to_string_lossy().into_owned();
    let (code, _, stderr) = run_tool(
        &s,
        "relation-set",
        &["-r", &db.to_string(), "--file", &path],
        None,
    );
    assert_eq!(code, Some(0), "{stderr}");
    s.finish();
    let written = serde_json::to_value(s.written(&db, UNIT)).unwrap();
    assert_eq!(
        written,
        json!({"flag": "true", "host": "10.0.0.1", "multi": "one\ntwo\n", "port": "5432", "quoted": "it's"})
    );
}
