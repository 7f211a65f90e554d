//! End-to-end tests of `ProcessBackend`: the real process plumbing against
//! `fake-hook-tool` (tests/fake_juju), which plays Juju's hook tools with
//! their argument syntax, JSON output and failures.
//!
//! Each test makes its own directory of symlinks named after the tools; the
//! fake keeps the world in `fake-juju-state.json` and logs every call to
//! `fake-juju-calls.jsonl` in that directory (the environment is shared by
//! the test threads, so the per-test files are found by directory rather
//! than through `FAKE_JUJU_STATE`, which one test checks directly).
#![cfg(unix)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use charm_runtime::backend::{
    Backend, DataBag, Port, ProcessBackend, RelationId, Status, StatusState, ToolError,
};
use charm_runtime::log::Level;
use serde_json::{Value, json};

const FAKE: &str = env!("CARGO_BIN_EXE_fake-hook-tool");

/// A directory of fake tools with its world.
struct Fake {
    dir: PathBuf,
    backend: ProcessBackend,
}

impl Fake {
    fn new(name: &str, world: Value) -> Self {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("backend_process")
            .join(name);
        let _ = fs::remove_dir_all(&dir);
        workspace_tests::link_hook_tools(&dir, FAKE).unwrap();
        fs::write(dir.join("fake-juju-state.json"), world.to_string()).unwrap();
        Self {
            backend: ProcessBackend::with_tools_dir(&dir),
            dir,
        }
    }

    fn world(&self) -> Value {
        serde_json::from_slice(&fs::read(self.dir.join("fake-juju-state.json")).unwrap()).unwrap()
    }

    fn edit(&self, change: impl FnOnce(&mut Value)) {
        let mut world = self.world();
        change(&mut world);
        fs::write(self.dir.join("fake-juju-state.json"), world.to_string()).unwrap();
    }

    fn calls_text(&self) -> String {
        fs::read_to_string(self.dir.join("fake-juju-calls.jsonl")).unwrap_or_default()
    }

    /// `(tool, args, stdin used)` of every call so far.
    fn calls(&self) -> Vec<(String, Vec<String>, bool)> {
        self.calls_text()
            .lines()
            .map(|line| {
                let call: Value = serde_json::from_str(line).unwrap();
                let args = call["args"].as_array().unwrap();
                (
                    call["tool"].as_str().unwrap().to_owned(),
                    args.iter()
                        .map(|a| a.as_str().unwrap().to_owned())
                        .collect(),
                    call["stdin"].as_bool().unwrap(),
                )
            })
            .collect()
    }
}

fn world() -> Value {
    json!({
        "unit": "myapp/0",
        "leader": true,
        "relations": {
            "db:1": {
                "app": "pg",
                "units": ["pg/0", "pg/1"],
                "unit_data": {"pg/0": {"host": "10.0.0.9", "password": "p w=d"}, "pg/1": {}},
                "app_data": {"pg": {"database": "main"}}
            },
            "db:10": {"app": "", "units": []},
            "peer:2": {"app": "myapp", "units": ["myapp/1"]}
        },
        "config": {
            "name": "x y",
            "port": 8080,
            "ratio": 0.25,
            "negative": -3,
            "debug": true,
            "unset": null,
            "empty": ""
        },
        "leader_settings": {"cluster": "ok", "token": "t=1"},
        "unit_get": {"private-address": "10.0.0.1", "public-address": "myapp.example"},
        "networks": {
            "db": {
                "bind-addresses": [{
                    "mac-address": "",
                    "interface-name": "eth0",
                    "addresses": [{"hostname": "", "value": "10.0.0.1", "cidr": "10.0.0.0/24"}]
                }],
                "egress-subnets": ["10.0.0.1/32"],
                "ingress-addresses": ["10.0.0.1"]
            }
        },
        "ports": ["80/tcp"],
        "action_params": {"size": 3, "name": "backup", "nested": {"deep": [1, "two", null]}}
    })
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
    let fake = Fake::new("round_trip", world());
    let b = &fake.backend;
    let values = awkward_values();

    for (app, bag) in [
        (false, DataBag::Unit("myapp/0".into())),
        (true, DataBag::App("myapp".into())),
    ] {
        b.relation_set(&rid("db", 1), app, &set_all(&values))
            .unwrap();
        assert_eq!(
            b.relation_get(&rid("db", 1), &bag).unwrap(),
            values,
            "{bag:?}"
        );

        // An empty value and `None` both delete, as in Juju.
        let changes = BTreeMap::from([
            ("equals".to_owned(), Some(String::new())),
            ("spaces".to_owned(), None),
            ("added".to_owned(), Some("new".to_owned())),
        ]);
        b.relation_set(&rid("db", 1), app, &changes).unwrap();
        let mut expected = values.clone();
        expected.remove("equals");
        expected.remove("spaces");
        expected.insert("added".into(), "new".into());
        assert_eq!(b.relation_get(&rid("db", 1), &bag).unwrap(), expected);
    }

    let sets: Vec<_> = fake
        .calls()
        .into_iter()
        .filter(|(tool, _, _)| tool == "relation-set")
        .collect();
    assert_eq!(sets.len(), 4);
    for (i, (_, args, stdin)) in sets.iter().enumerate() {
        let expected: &[&str] = if i < 2 {
            &["-r", "db:1", "--file", "-"]
        } else {
            &["-r", "db:1", "--app", "--file", "-"]
        };
        assert_eq!(args, expected);
        assert!(stdin, "relation-set read its settings from stdin");
    }
    let log = fake.calls_text();
    assert!(!log.contains("hunter2"), "a secret reached argv: {log}");
    assert!(!log.contains(BIG_MARKER));
    for (tool, args, stdin) in fake.calls() {
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
    let fake = Fake::new("app_bag_leader", world());
    fake.edit(|w| w["leader"] = json!(false));
    let changes = BTreeMap::from([("k".to_owned(), Some("v".to_owned()))]);
    let err = fake
        .backend
        .relation_set(&rid("db", 1), true, &changes)
        .unwrap_err();
    assert_eq!(
        err,
        ToolError::Failed {
            tool: "relation-set".into(),
            code: Some(1),
            stderr: "ERROR cannot write relation settings".into(),
        }
    );
    // The unit's own bag is still writable.
    fake.backend
        .relation_set(&rid("db", 1), false, &changes)
        .unwrap();
}

#[test]
fn relation_reads_parse_the_tools_output() {
    let fake = Fake::new("relation_reads", world());
    let b = &fake.backend;

    assert_eq!(b.relation_ids("db").unwrap(), [rid("db", 1), rid("db", 10)]);
    assert_eq!(b.relation_ids("peer").unwrap(), [rid("peer", 2)]);
    assert!(b.relation_ids("nothing").unwrap().is_empty());

    assert_eq!(b.relation_units(&rid("db", 1)).unwrap(), ["pg/0", "pg/1"]);
    assert!(b.relation_units(&rid("db", 10)).unwrap().is_empty());
    assert_eq!(
        b.relation_remote_app(&rid("db", 1)).unwrap(),
        Some("pg".into())
    );
    assert_eq!(b.relation_remote_app(&rid("db", 10)).unwrap(), None);

    let remote = b
        .relation_get(&rid("db", 1), &DataBag::Unit("pg/0".into()))
        .unwrap();
    assert_eq!(
        remote,
        BTreeMap::from([
            ("host".to_owned(), "10.0.0.9".to_owned()),
            ("password".to_owned(), "p w=d".to_owned()),
        ])
    );
    assert!(
        b.relation_get(&rid("db", 1), &DataBag::Unit("pg/1".into()))
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        b.relation_get(&rid("db", 1), &DataBag::App("pg".into()))
            .unwrap(),
        BTreeMap::from([("database".to_owned(), "main".to_owned())])
    );
    // Nothing written yet: Juju prints {} (or null), both are empty.
    assert!(
        b.relation_get(&rid("db", 1), &DataBag::Unit("myapp/0".into()))
            .unwrap()
            .is_empty()
    );
    fake.edit(|w| w["relations"]["db:1"]["unit_data"]["pg/1"] = Value::Null);
    assert!(
        b.relation_get(&rid("db", 1), &DataBag::Unit("pg/1".into()))
            .unwrap()
            .is_empty()
    );

    let calls = fake.calls();
    let args = |tool: &str| -> Vec<Vec<String>> {
        calls
            .iter()
            .filter(|c| c.0 == tool)
            .map(|c| c.1.clone())
            .collect()
    };
    assert_eq!(args("relation-ids")[0], ["--format=json", "--", "db"]);
    assert_eq!(args("relation-list")[0], ["--format=json", "-r", "db:1"]);
    assert_eq!(
        args("relation-list")[2],
        ["--format=json", "-r", "db:1", "--app"]
    );
    assert_eq!(
        args("relation-get")[0],
        ["--format=json", "-r", "db:1", "--", "-", "pg/0"]
    );
    assert_eq!(
        args("relation-get")[2],
        ["--format=json", "-r", "db:1", "--app", "--", "-", "pg"]
    );
}

#[test]
fn config_leadership_and_status_reads() {
    let fake = Fake::new("config_leader_status", world());
    let b = &fake.backend;

    let config = b.config_get().unwrap();
    assert_eq!(Value::Object(config), world()["config"]);

    assert!(b.is_leader().unwrap());
    assert_eq!(
        b.leader_get().unwrap(),
        BTreeMap::from([
            ("cluster".to_owned(), "ok".to_owned()),
            ("token".to_owned(), "t=1".to_owned()),
        ])
    );
    for empty in [Value::Null, json!({})] {
        fake.edit(|w| w["leader_settings"] = empty);
        assert!(b.leader_get().unwrap().is_empty());
    }
    fake.edit(|w| w["leader"] = json!(false));
    assert!(!b.is_leader().unwrap());
    fake.edit(|w| w["leader"] = json!(true));

    // Nothing set yet: unknown with no message.
    let unknown = Status::new(StatusState::Unknown, "");
    assert_eq!(b.status_get(false).unwrap(), unknown);
    assert_eq!(b.status_get(true).unwrap(), unknown);

    let unit = Status::new(StatusState::Blocked, "-needs: a \"db\" relation\né");
    let app = Status::new(StatusState::Waiting, "");
    b.status_set(false, &unit).unwrap();
    b.status_set(true, &app).unwrap();
    assert_eq!(b.status_get(false).unwrap(), unit);
    assert_eq!(b.status_get(true).unwrap(), app);
    assert_eq!(fake.world()["unit_status"]["message"], json!(unit.message));

    for (tool, args, _) in fake.calls() {
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
    let fake = Fake::new("ports_networks_actions", world());
    let b = &fake.backend;

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
    assert_eq!(
        b.opened_ports().unwrap(),
        [icmp.clone(), Port::tcp(443), range.clone()]
    );
    let port_args: Vec<Vec<String>> = fake
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

    assert_eq!(b.unit_get("private-address").unwrap(), "10.0.0.1");
    assert_eq!(b.unit_get("public-address").unwrap(), "myapp.example");

    let network = world()["networks"]["db"].clone();
    assert_eq!(b.network_get("db", None).unwrap(), network);
    assert_eq!(b.network_get("db", Some(&rid("db", 1))).unwrap(), network);
    let err = b.network_get("nope", None).unwrap_err();
    assert!(
        matches!(&err, ToolError::Failed { code: Some(1), stderr, .. }
            if stderr == "ERROR no network config found for binding \"nope\""),
        "{err:?}"
    );

    let params = b.action_get().unwrap();
    assert_eq!(Value::Object(params), world()["action_params"]);

    let args: Vec<(String, Vec<String>)> = fake
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
        (
            "network-get",
            vec!["--format=json", "-r", "db:1", "--", "db"],
        ),
        ("network-get", vec!["--format=json", "--", "nope"]),
        ("action-get", vec!["--format=json"]),
    ];
    assert_eq!(args.len(), expected.len());
    for ((tool, args), (want_tool, want_args)) in args.iter().zip(&expected) {
        assert_eq!(tool, want_tool);
        assert_eq!(args, want_args);
    }
}

#[test]
fn leader_settings_version_logs_and_action_results() {
    let fake = Fake::new("writes", world());
    let b = &fake.backend;

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
    assert_eq!(
        fake.world()["leader_settings"],
        json!({"url": "http://x/?a=b&c", "padded": "kept inside", "-dash": "-v"})
    );
    assert_eq!(
        b.leader_get().unwrap()["url"],
        "http://x/?a=b&c",
        "leader-get reads back what leader-set wrote"
    );

    b.application_version_set("-1.2.3 beta").unwrap();
    assert_eq!(fake.world()["app_version"], "-1.2.3 beta");

    b.juju_log(Level::Warning, "-starts with a dash").unwrap();
    b.juju_log(Level::Debug, "--help").unwrap();
    b.juju_log(Level::Trace, "").unwrap();
    assert_eq!(
        fake.world()["logs"],
        json!([
            {"level": "WARNING", "message": "-starts with a dash"},
            {"level": "DEBUG", "message": "--help"},
            {"level": "TRACE", "message": ""}
        ])
    );

    let results = BTreeMap::from([
        ("outfile.size".to_owned(), "10G".to_owned()),
        ("outfile.name".to_owned(), "-x=y z".to_owned()),
        ("count".to_owned(), "3".to_owned()),
    ]);
    b.action_set(&results).unwrap();
    b.action_log("-50% done").unwrap();
    b.action_fail("--disk full").unwrap();
    let world = fake.world();
    assert_eq!(
        world["action_results"],
        json!({"count": "3", "outfile": {"name": "-x=y z", "size": "10G"}})
    );
    assert_eq!(world["action_logs"], json!(["-50% done"]));
    assert_eq!(world["action_failure"], "--disk full");

    let calls: Vec<(String, Vec<String>)> = fake
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
    fake.edit(|w| w["leader"] = json!(false));
    let err = b
        .leader_set(&BTreeMap::from([("k".to_owned(), Some("v".to_owned()))]))
        .unwrap_err();
    assert!(
        matches!(&err, ToolError::Failed { tool, code: Some(1), stderr }
            if tool == "leader-set"
                && stderr.starts_with("ERROR cannot write leadership settings")),
        "{err:?}"
    );
}

#[test]
fn a_failing_tool_gives_its_exit_code_and_stderr() {
    let fake = Fake::new("failures", world());
    let b = &fake.backend;

    let err = b.relation_units(&rid("db", 99)).unwrap_err();
    assert_eq!(
        err,
        ToolError::Failed {
            tool: "relation-list".into(),
            code: Some(2),
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
    fake.edit(|w| w["fail"] = json!({"is-leader": long, "config-get": "  spaced out  "}));
    let ToolError::Failed { tool, code, stderr } = b.is_leader().unwrap_err() else {
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
    let fake = Fake::new("missing", world());
    fs::remove_file(fake.dir.join("is-leader")).unwrap();
    let err = fake.backend.is_leader().unwrap_err();
    assert!(
        matches!(&err, ToolError::Spawn { tool, reason }
            if tool == "is-leader" && reason.contains("is-leader")),
        "{err:?}"
    );

    // Not executable.
    fs::remove_file(fake.dir.join("leader-get")).unwrap();
    fs::write(fake.dir.join("leader-get"), "not a program").unwrap();
    let err = fake.backend.leader_get().unwrap_err();
    assert!(matches!(&err, ToolError::Spawn { .. }), "{err:?}");

    let nowhere = ProcessBackend::with_tools_dir(fake.dir.join("no-such-dir"));
    let changes = BTreeMap::from([("k".to_owned(), Some("v".to_owned()))]);
    let err = nowhere
        .relation_set(&rid("db", 1), false, &changes)
        .unwrap_err();
    assert!(matches!(&err, ToolError::Spawn { .. }), "{err:?}");
    assert_eq!(
        nowhere.tools_dir(),
        Some(fake.dir.join("no-such-dir").as_path())
    );
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
    let fake = Fake::new("bad_output", world());
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
            fake.edit(|w| w["stdout_override"] = json!({ tool: output }));
            match read(&fake.backend) {
                Err(ToolError::BadOutput { tool: t, reason }) => {
                    assert_eq!(t, tool);
                    assert!(!reason.contains("hunter2"), "{reason}");
                }
                other => panic!("{tool} printing {output:?}: {other:?}"),
            }
        }
    }
}

#[test]
fn refused_and_empty_requests_run_nothing() {
    let fake = Fake::new("refused", world());
    let b = &fake.backend;
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

    b.relation_set(&rid("db", 1), true, &BTreeMap::new())
        .unwrap();
    b.leader_set(&BTreeMap::new()).unwrap();
    b.action_set(&BTreeMap::new()).unwrap();
    assert!(fake.calls().is_empty(), "{:?}", fake.calls());
}

/// Run one fake tool directly, with the state and log named by the
/// environment variables.
fn run_fake(dir: &Path, tool: &str, args: &[&str]) -> (Option<i32>, String, String) {
    let output = Command::new(dir.join(tool))
        .args(args)
        .env("FAKE_JUJU_STATE", dir.join("env-state.json"))
        .env("FAKE_JUJU_CALLS", dir.join("env-calls.jsonl"))
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn the_fake_parses_arguments_and_fails_like_juju() {
    let fake = Fake::new("fake_itself", json!({}));
    let dir = &fake.dir;
    fs::write(dir.join("env-state.json"), world().to_string()).unwrap();

    // gnuflag syntax: -rVALUE, --relation VALUE, interspersed flags, `--`.
    let ok = [
        (
            "relation-get",
            &["-rdb:1", "--format=json", "host", "pg/0"][..],
            json!("10.0.0.9"),
        ),
        (
            "relation-get",
            &["host", "--relation", "1", "pg/0", "--format", "json"],
            json!("10.0.0.9"),
        ),
        (
            "relation-get",
            &["--format=json", "-r", "db:1", "--app", "-", "pg/0"],
            json!({"database": "main"}),
        ),
        (
            "relation-list",
            &["--format=json", "-r", "db:10", "--app"],
            json!(""),
        ),
        ("config-get", &["--format=json", "port"], json!(8080)),
        (
            "config-get",
            &["--format=json"],
            json!({"debug": true, "empty": "", "name": "x y", "negative": -3, "port": 8080, "ratio": 0.25}),
        ),
        ("leader-get", &["--format=json", "token"], json!("t=1")),
        (
            "status-get",
            &["--format=json"],
            json!({"status": "unknown"}),
        ),
        (
            "network-get",
            &["--format=json", "db", "--ingress-address"],
            json!("10.0.0.1"),
        ),
        (
            "action-get",
            &["--format=json", "nested.deep"],
            json!([1, "two", null]),
        ),
    ];
    for (tool, args, expected) in &ok {
        let (code, stdout, stderr) = run_fake(dir, tool, args);
        assert_eq!((code, stderr.as_str()), (Some(0), ""), "{tool} {args:?}");
        assert!(stdout.ends_with('\n'), "{stdout:?}");
        assert_eq!(
            &serde_json::from_str::<Value>(&stdout).unwrap(),
            expected,
            "{tool} {args:?}"
        );
    }

    let bad = [
        (
            "relation-get",
            &["--bogus"][..],
            2,
            "ERROR flag provided but not defined: --bogus\n",
        ),
        (
            "relation-get",
            &["-x"],
            2,
            "ERROR flag provided but not defined: -x\n",
        ),
        (
            "relation-get",
            &["--format=json", "-", "pg/0"],
            2,
            "ERROR no relation id specified\n",
        ),
        (
            "relation-get",
            &["--format=json", "-r", "db:x"],
            2,
            "ERROR invalid value \"db:x\" for flag -r: invalid relation id\n",
        ),
        (
            "relation-get",
            &["--format=json", "-r"],
            2,
            "ERROR flag needs an argument: -r\n",
        ),
        (
            "relation-get",
            &["--format=json", "-r", "db:1", "-", "pg/9"],
            1,
            "ERROR cannot read settings for unit \"pg/9\" in relation \"db:1\": settings not found\n",
        ),
        (
            "relation-ids",
            &["--format=json", "db", "extra"],
            2,
            "ERROR unrecognized args: [\"extra\"]\n",
        ),
        (
            "relation-ids",
            &["--format=xml", "db"],
            2,
            "ERROR invalid value \"xml\" for flag --format: unknown format \"xml\"\n",
        ),
        (
            "relation-set",
            &["-r", "db:1", "novalue"],
            2,
            "ERROR expected \"key=value\", got \"novalue\"\n",
        ),
        (
            "relation-set",
            &["-r", "db:1", "a=1", " a =2"],
            2,
            "ERROR key \"a\" specified more than once\n",
        ),
        (
            "status-set",
            &["idle"],
            2,
            "ERROR invalid status \"idle\", expected one of [maintenance blocked waiting active]\n",
        ),
        (
            "status-set",
            &[],
            2,
            "ERROR invalid args, require <status> [message]\n",
        ),
        (
            "open-port",
            &["80/sctp"],
            2,
            "ERROR protocol must be \"tcp\", \"udp\", or \"icmp\"; got \"sctp\"\n",
        ),
        (
            "juju-log",
            &["-l", "INFO"],
            2,
            "ERROR no message specified\n",
        ),
        (
            "action-set",
            &["a"],
            2,
            "ERROR argument \"a\" must be of the form key...=value\n",
        ),
        (
            "action-fail",
            &["a", "b"],
            2,
            "ERROR unrecognized args: [\"b\"]\n",
        ),
        (
            "config-get",
            &["--all", "port", "--format=json"],
            2,
            "ERROR cannot use argument --all together with key \"port\"\n",
        ),
        (
            "unit-get",
            &["--format=json", "address"],
            2,
            "ERROR unknown setting \"address\"\n",
        ),
    ];
    for (tool, args, code, stderr) in bad {
        assert_eq!(
            run_fake(dir, tool, args),
            (Some(code), String::new(), stderr.to_owned()),
            "{tool} {args:?}"
        );
    }

    // Writes through the environment's state file; the log names each call.
    assert_eq!(
        run_fake(dir, "relation-set", &["-r", "db:1", "k= v ", "gone="]).0,
        Some(0)
    );
    let state: Value =
        serde_json::from_slice(&fs::read(dir.join("env-state.json")).unwrap()).unwrap();
    assert_eq!(
        state["relations"]["db:1"]["unit_data"]["myapp/0"],
        json!({"k": "v"})
    );
    let log = fs::read_to_string(dir.join("env-calls.jsonl")).unwrap();
    assert_eq!(log.lines().count(), ok.len() + bad.len() + 1);
    assert_eq!(
        serde_json::from_str::<Value>(log.lines().last().unwrap()).unwrap(),
        json!({"tool": "relation-set", "args": ["-r", "db:1", "k= v ", "gone="], "stdin": false})
    );
    // relation-set also takes simple `key: value` YAML lines on stdin.
    let mut child = Command::new(dir.join("relation-set"))
        .args(["-r", "db:1", "--app", "--file", "-", "c=override"])
        .env("FAKE_JUJU_STATE", dir.join("env-state.json"))
        .env("FAKE_JUJU_CALLS", dir.join("env-calls.jsonl"))
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let yaml = "# settings\na: plain value\nb: \"esc\\u00e9\\n\"\nc: from file\nd: 'it''s'\n";
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), yaml.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    let state: Value =
        serde_json::from_slice(&fs::read(dir.join("env-state.json")).unwrap()).unwrap();
    assert_eq!(
        state["relations"]["db:1"]["app_data"]["myapp"],
        json!({"a": "plain value", "b": "escé\n", "c": "override", "d": "it's"})
    );
    let log = fs::read_to_string(dir.join("env-calls.jsonl")).unwrap();
    let last: Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!(last["stdin"], json!(true));

    // The per-directory files were not touched.
    assert_eq!(fake.world(), json!({}));
    assert!(fake.calls().is_empty());
}

/// What charmhelpers does: probe `relation-set --help` for `--file`, then
/// write `yaml.safe_dump(settings)` to a file. The fake takes it as Juju
/// does (scalars as text, null deleting the key), so the Python reference
/// layers run against it unchanged.
#[test]
fn the_fake_takes_charmhelpers_yaml_files() {
    let fake = Fake::new(
        "charmhelpers_yaml",
        json!({
            "unit": "web/0",
            "leader": true,
            "relations": {"db:1": {"app": "pg", "units": ["pg/0"],
                                   "unit_data": {"web/0": {"old": "1"}}, "app_data": {}}},
        }),
    );
    let help = Command::new(fake.dir.join("relation-set"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(help.status.success());
    assert!(String::from_utf8_lossy(&help.stdout).contains("--file"));
    let settings = fake.dir.join("settings.yaml");
    fs::write(
        &settings,
        "host: 10.0.0.1\nport: 5432\nflag: true\nold: null\nmulti: |\n  one\n  two\nquoted: 'it''s'\n",
    )
    .unwrap();
    let out = Command::new(fake.dir.join("relation-set"))
        .args(["-r", "db:1", "--file"])
        .arg(&settings)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        fake.world()["relations"]["db:1"]["unit_data"]["web/0"],
        json!({"flag": "true", "host": "10.0.0.1", "multi": "one\ntwo\n", "port": "5432", "quoted": "it's"})
    );
}
