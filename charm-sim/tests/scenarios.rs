//! The scenarios shipped in `scenarios/`, run end to end against the real
//! example charms; failing expectations; files that are not scenarios.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use charm_sim::scenario::{Binaries, Report, RunOptions, Scenario, ScenarioError};
use common::workspace;

/// `cargo build` of the example charms the scenarios run, once per test
/// binary; the directory of the debug binaries.
fn binaries() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| workspace().join("target"));
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--quiet"])
            .args(["-p", "webapp", "-p", "mysql-innodb-cluster"])
            .args(["-p", "openstack-api", "-p", "magpie", "-p", "glusterfs"])
            .current_dir(workspace())
            .env("CARGO_TARGET_DIR", &target)
            .status()
            .expect("cargo runs");
        assert!(status.success(), "building the example charms failed");
        target.join("debug")
    })
}

fn options() -> RunOptions {
    RunOptions::new(
        env!("CARGO_BIN_EXE_charm-sim-tool"),
        Binaries::Dir(binaries().to_owned()),
    )
}

fn shipped(name: &str) -> PathBuf {
    workspace().join("scenarios").join(name)
}

/// Run `scenario`, printing the failed hooks and expectations if any.
fn run(scenario: &Scenario) -> Report {
    let mut hooks = 0;
    let report = scenario
        .run_with(&options(), &mut |_| hooks += 1)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(hooks, report.hooks_run, "the callback saw every hook");
    for h in report.history.iter().filter(|h| h.code != Some(0)) {
        eprintln!(
            "--- {} {} exit {:?}\n{:?}",
            h.unit, h.hook, h.code, h.stderr
        );
    }
    for f in &report.failed_expectations {
        eprintln!("FAILED {f}");
    }
    report
}

fn run_shipped(name: &str) -> Report {
    let scenario = Scenario::load(shipped(name)).unwrap_or_else(|e| panic!("{e}"));
    let report = run(&scenario);
    assert!(report.passed(), "{:#?}", report.failed_expectations);
    assert_eq!(report.hooks_failed, 0);
    report
}

#[test]
fn the_webapp_scenario_passes() {
    let report = run_shipped("webapp.yaml");
    let units: Vec<&str> = report.units.iter().map(|u| u.unit.as_str()).collect();
    assert_eq!(units, ["webapp/1", "webapp/2", "webapp/3", "proxy/0"]);
    let leader: Vec<&str> = report
        .units
        .iter()
        .filter(|u| u.leader && u.application == "webapp")
        .map(|u| u.unit.as_str())
        .collect();
    assert_eq!(leader, ["webapp/1"]);
}

#[test]
fn the_mysql_innodb_cluster_scenario_passes() {
    let report = run_shipped("mysql-innodb-cluster.yaml");
    assert_eq!(report.units.len(), 3);
    for u in &report.units {
        assert_eq!(
            (u.workload.as_str(), u.message.as_str()),
            ("active", "unit is clustered")
        );
    }
}

#[test]
fn the_magpie_scenario_passes() {
    let report = run_shipped("magpie.yaml");
    assert_eq!(report.units.len(), 4);
    assert!(report.units.iter().all(|u| u.workload == "active"));
}

#[test]
fn the_glusterfs_scenario_passes() {
    let report = run_shipped("glusterfs.yaml");
    assert_eq!(report.units.len(), 4);
    for u in &report.units {
        assert_eq!(u.message, "volume gv0: 4 bricks on 4 units", "{u:?}");
    }
}

#[test]
fn the_openstack_api_scenario_settles_active_and_clustered() {
    let report = run_shipped("openstack-api.yaml");
    let api: Vec<_> = report
        .units
        .iter()
        .filter(|u| u.application == "openstack-api")
        .collect();
    assert_eq!(api.len(), 3);
    for u in api {
        assert_eq!(u.workload, "active", "{u:?}");
        assert_eq!(u.message, "Unit is ready and clustered", "{u:?}");
        assert_eq!(u.agent, "idle");
    }
}

#[test]
fn the_report_is_json_with_the_documented_keys_and_runs_are_reproducible() {
    let scenario = Scenario::load(shipped("mysql-innodb-cluster.yaml")).unwrap();
    let a = run(&scenario);
    let json = a.to_json();
    for key in ["units", "hooks_run", "failed_expectations", "history"] {
        assert!(json.get(key).is_some(), "{key} in {json}");
    }
    assert_eq!(json["units"][0]["unit"], "mysql-innodb-cluster/0");
    assert_eq!(json["units"][0]["leader"], true);
    let b = run(&scenario);
    let order = |r: &Report| -> Vec<(String, String)> {
        r.history
            .iter()
            .map(|h| (h.unit.clone(), h.hook.clone()))
            .collect()
    };
    assert_eq!(order(&a), order(&b));
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// A scratch directory beside the shipped scenarios' charms: the charm
/// paths below are relative to it.
fn scratch(test: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("charm-sim-scenario-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn unmet_expectations_are_reported_with_their_place() {
    let dir = scratch("unmet");
    let charm = workspace().join("examples/webapp");
    let text = format!(
        "seed: 1
applications:
  - name: webapp
    charm: {}
    units: 2
steps:
  - deploy
  - settle
  - expect:
      status:
        webapp/1: {{workload: blocked, message-prefix: serving on port 9 }}
      leader: {{webapp: webapp/1}}
      flags:
        webapp/0: {{set: [no.such.flag], unset: [webapp.started]}}
      data:
        - {{unit: webapp/0, endpoint: cluster, values: {{address: nowhere}}}}
  - action: {{unit: webapp/0, name: no-such-action}}
",
        charm.display()
    );
    let path = write(&dir, "unmet.yaml", &text);
    let scenario = Scenario::load(&path).unwrap();
    let mut failed_events = 0;
    let report = scenario
        .run_with_events(&options(), &mut |e| {
            if let charm_sim::scenario::Event::Failed(_) = e {
                failed_events += 1;
            }
        })
        .unwrap();
    let failed = &report.failed_expectations;
    assert_eq!(failed_events, failed.len());
    let at = |line: u32| format!("{}:{line}:", path.display());
    let expected = [
        (
            11,
            "webapp/1: workload status is active (\"serving on port 8080 with 1 peer(s)\"), expected blocked",
        ),
        (
            11,
            "webapp/1: workload message is \"serving on port 8080 with 1 peer(s)\", expected starting with \"serving on port 9\"",
        ),
        (12, "webapp: the leader is webapp/0, expected webapp/1"),
        (14, "webapp/0: flag no.such.flag is not set"),
        (14, "webapp/0: flag webapp.started is set"),
        (16, "webapp/0 on cluster:0: address is"),
        (17, "action no-such-action on webapp/0 failed"),
    ];
    assert_eq!(failed.len(), expected.len(), "{failed:#?}");
    for (got, (line, text)) in failed.iter().zip(expected) {
        assert!(got.starts_with(&at(line)), "{got} at line {line}");
        assert!(got.contains(text), "{got}\nshould say {text}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_model_that_does_not_settle_in_the_bound_is_a_failed_expectation() {
    let dir = scratch("bound");
    let text = format!(
        "applications:\n  - {{name: webapp, charm: {}, units: 1}}\nsteps:\n  - deploy\n  - settle: 3\n",
        workspace().join("examples/webapp").display()
    );
    let path = write(&dir, "bound.yaml", &text);
    let report = Scenario::load(&path).unwrap().run(&options()).unwrap();
    assert_eq!(report.hooks_run, 3);
    assert_eq!(report.failed_expectations.len(), 1);
    assert!(
        report.failed_expectations[0]
            .contains("did not settle within 3 hooks; still queued: webapp/0 ("),
        "{:?}",
        report.failed_expectations
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Load `text` as a scenario file; the error it gives.
fn invalid(text: &str) -> (ScenarioError, String) {
    let err = Scenario::parse(text, "/scenarios/bad.yaml").expect_err("invalid");
    let shown = err.to_string();
    (err, shown)
}

/// `text` is refused at `line:column` saying `what`.
#[track_caller]
fn refused(text: &str, line: u64, column: u64, what: &str) {
    let (err, shown) = invalid(text);
    assert!(matches!(err, ScenarioError::Invalid { .. }), "{err:?}");
    let place = err.location().expect("a place");
    assert_eq!((place.line, place.column), (line, column), "{shown}");
    assert!(
        shown.starts_with(&format!("/scenarios/bad.yaml:{line}:{column}: ")),
        "{shown}"
    );
    assert!(shown.contains(what), "{shown}\nshould say {what}");
}

const APPS: &str = "applications:
  - name: webapp
    charm: ../examples/webapp
    units: 2
  - name: db
    stub:
      endpoints:
        db: {interface: mysql-shared}
steps:
  - deploy
";

#[test]
fn bad_files_name_the_file_line_column_and_what_was_expected() {
    // Not YAML.
    refused("seed: [1, 2\n", 1, 7, "not valid YAML: ");
    // An unknown step, with a suggestion.
    refused(
        &format!("{APPS}  - setle: 10\n"),
        11,
        5,
        "unknown step `setle` (did you mean `settle`?), expected one of `deploy`, `relate`",
    );
    // A missing field.
    refused(
        &format!("{APPS}  - action: {{unit: webapp/0}}\n"),
        11,
        13,
        "action: missing field `name`",
    );
    refused(
        "applications:\n  - name: x\n    units: 1\nsteps: []\n",
        2,
        5,
        "application x: missing field `charm` (the charm directory) or `stub`",
    );
    refused(
        "steps: []\n",
        1,
        1,
        "the scenario: missing field `applications`",
    );
    // An upgrade of a stub; a hook timeout of nothing.
    refused(
        &format!("{APPS}  - upgrade: db\n"),
        11,
        14,
        "upgrade: `db` is a stub and has no charm",
    );
    let ok = Scenario::parse(&format!("hook-timeout: 7\n{APPS}"), "/scenarios/ok.yaml").unwrap();
    assert_eq!(ok.hook_timeout, Some(std::time::Duration::from_secs(7)));
    refused(
        &format!("hook-timeout: 0\n{APPS}"),
        1,
        15,
        "hook-timeout: expected a number of seconds above 0, found 0",
    );
    // The wrong type.
    refused(
        &format!("{APPS}  - settle: lots\n"),
        11,
        13,
        "settle: the bound on hooks: expected a non-negative integer, found a string",
    );
    refused(
        "seed: 1\napplications:\n  - name: webapp\n    charm: x\n    units: [2]\nsteps: []\n",
        5,
        12,
        "application webapp: units: expected a non-negative integer, found a list",
    );
    refused(
        &format!("{APPS}  - relate: webapp:website\n"),
        11,
        13,
        "relate: expected a list, found a string",
    );
    // An unknown field.
    refused(
        &format!("{APPS}  - expect: {{status: {{webapp: {{workload: active, mesage: x}}}}}}\n"),
        11,
        50,
        "expect: status of webapp: unknown field `mesage`, expected one of `workload`, `message`",
    );
    // An unknown application or unit.
    refused(
        &format!("{APPS}  - relate: [webapp:website, nginx:backend]\n"),
        11,
        30,
        "relate: unknown application `nginx`, expected one of `webapp`, `db`",
    );
    refused(
        &format!("{APPS}  - leader: webapp/2\n"),
        11,
        13,
        "leader: unknown unit `webapp/2` at this step (there are: webapp/0, webapp/1)",
    );
    refused(
        &format!("{APPS}  - remove-unit: webapp/1\n  - expect: {{leader: {{webapp: webapp/1}}}}\n"),
        12,
        31,
        "expect: leader: unknown unit `webapp/1` at this step (there are: webapp/0)",
    );
    refused(
        "applications:\n  - {name: webapp, charm: x}\nsteps:\n  - settle\n  - config: {webapp: {port: 1}}\n",
        5,
        14,
        "config: application `webapp` is not deployed at this step",
    );
    // Stubs.
    refused(
        "applications:\n  - name: db\n    stub:\n      endpoints: {db: {interface: x}}\n      rules:\n        - {endpoint: dbx, received: [a], publish: {b: c}}\nsteps: []\n",
        6,
        22,
        "stub db: a rule: unknown endpoint `dbx`, expected one of `db`",
    );
    refused(
        &format!("{APPS}  - stub-data: {{app: webapp, endpoint: website, data: {{a: b}}}}\n"),
        11,
        22,
        "stub-data: `webapp` is not a stub",
    );
}

#[test]
fn a_missing_file_or_binary_is_an_error_naming_it() {
    let err = Scenario::load("/no/such/scenario.yaml").unwrap_err();
    assert!(matches!(err, ScenarioError::Read { .. }));
    assert!(err.to_string().starts_with("/no/such/scenario.yaml: "));

    let dir = scratch("binary");
    let path = write(
        &dir,
        "binary.yaml",
        &format!(
            "applications:\n  - name: webapp\n    charm: {}\n    binary: no-such-binary\nsteps:\n  - deploy\n",
            workspace().join("examples/webapp").display()
        ),
    );
    let err = Scenario::load(&path).unwrap().run(&options()).unwrap_err();
    assert!(matches!(err, ScenarioError::Binary { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains(":2:5: application webapp: no binary `no-such-binary`"),
        "{err}"
    );
    // A step the simulator refuses names its place.
    let path = write(
        &dir,
        "config.yaml",
        &format!(
            "applications:\n  - name: webapp\n    charm: {}\nsteps:\n  - deploy\n  - config: {{webapp: {{port: nine}}}}\n",
            workspace().join("examples/webapp").display()
        ),
    );
    let err = Scenario::load(&path).unwrap().run(&options()).unwrap_err();
    assert!(matches!(err, ScenarioError::Step { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains(":6:5: config webapp port=\"nine\": config of webapp: option \"port\""),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Run the scenario `text` (webapp charms at `{webapp}`), written as
/// `name` in a scratch directory; the report and every hook record.
fn run_text(name: &str, text: &str) -> (Report, Vec<charm_sim::HookRecord>) {
    let dir = scratch(name);
    let text = text.replace(
        "{webapp}",
        &workspace().join("examples/webapp").display().to_string(),
    );
    let path = write(&dir, &format!("{name}.yaml"), &text);
    let scenario = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut records = Vec::new();
    let report = scenario
        .run_with(&options(), &mut |r| records.push(r.clone()))
        .unwrap_or_else(|e| panic!("{e}"));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(report.passed(), "{:#?}", report.failed_expectations);
    (report, records)
}

/// The hooks `unit` ran from the record of sequence number `from` on.
fn hooks_of(records: &[charm_sim::HookRecord], unit: &str, from: u64) -> Vec<(String, bool)> {
    records
        .iter()
        .filter(|r| r.unit == unit && r.seq >= from)
        .map(|r| (r.name.clone(), r.ok()))
        .collect()
}

/// The sequence number of the first hook after the last one whose name is
/// `name` on `unit` (where a step's hooks begin).
fn seq_after(records: &[charm_sim::HookRecord], unit: &str, name: &str) -> u64 {
    records
        .iter()
        .rev()
        .find(|r| r.unit == unit && r.name == name)
        .map(|r| r.seq + 1)
        .unwrap_or_else(|| panic!("{unit} never ran {name}"))
}

#[test]
fn a_failing_hook_stays_in_error_until_resolved_then_its_retry_succeeds() {
    let (report, records) = run_text(
        "resolve",
        "seed: 3
applications:
  - {name: webapp, charm: '{webapp}', units: 2}
steps:
  - deploy
  - settle
  # A port no u16 holds: config-changed fails on both units.
  - config: {webapp: {port: 70000}}
  - settle
  - expect:
      status:
        webapp: {agent: 'error: hook failed: \"config-changed\"'}
  - config: {webapp: {port: 8081}}
  - resolve: webapp/0
  - resolve: webapp/1
  - settle
  - expect:
      status:
        webapp: {workload: active, message-prefix: 'serving on port 8081', agent: idle}
",
    );
    assert_eq!(report.hooks_failed, 2, "one failure on each unit");
    for unit in ["webapp/0", "webapp/1"] {
        let from = records
            .iter()
            .find(|r| r.unit == unit && !r.ok())
            .map(|r| r.seq)
            .unwrap_or_else(|| panic!("{unit} had no failed hook"));
        let after = hooks_of(&records, unit, from);
        assert_eq!(
            after,
            [
                ("config-changed".to_owned(), false),
                ("config-changed".to_owned(), true)
            ],
            "{unit}: the failed hook, then its retry after resolve"
        );
    }
}

#[test]
fn a_removed_unit_departs_from_the_others_and_its_relations_break() {
    let (report, records) = run_text(
        "remove",
        "seed: 4
applications:
  - {name: webapp, charm: '{webapp}', units: 3}
steps:
  - deploy
  - settle
  - remove-unit: webapp/2
  - settle
  - expect:
      status:
        webapp: {workload: active, message: 'serving on port 8080 with 1 peer(s)', agent: idle}
",
    );
    let units: Vec<&str> = report.units.iter().map(|u| u.unit.as_str()).collect();
    assert_eq!(units, ["webapp/0", "webapp/1"]);
    for unit in ["webapp/0", "webapp/1"] {
        let departed: Vec<_> = records
            .iter()
            .filter(|r| r.unit == unit)
            .filter_map(|r| match &r.hook {
                charm_sim::Hook::RelationDeparted {
                    unit, departing, ..
                } => Some((r.name.clone(), unit.clone(), departing.clone(), r.ok())),
                _ => None,
            })
            .collect();
        assert_eq!(
            departed,
            [(
                "cluster-relation-departed".to_owned(),
                "webapp/2".to_owned(),
                "webapp/2".to_owned(),
                true
            )],
            "{unit} saw webapp/2 depart"
        );
    }
    let gone: Vec<String> = records
        .iter()
        .filter(|r| r.unit == "webapp/2")
        .map(|r| r.name.clone())
        .skip_while(|n| !n.ends_with("-relation-departed"))
        .filter(|n| !n.ends_with("-relation-departed"))
        .collect();
    assert!(
        gone.ends_with(&["stop".to_owned(), "remove".to_owned()]),
        "{gone:?}"
    );
    assert!(
        gone.iter().any(|n| n == "cluster-relation-broken"),
        "{gone:?}"
    );
}

#[test]
fn a_leader_step_runs_leader_elected_on_the_new_leader() {
    let (report, records) = run_text(
        "leader",
        "seed: 5
applications:
  - {name: webapp, charm: '{webapp}', units: 2}
steps:
  - deploy
  - settle
  - leader: webapp/1
  - settle
  # The old leader learns it lost the lease in its next hook, as in Juju.
  - update-status
  - settle
  - expect:
      leader: {webapp: webapp/1}
      flags:
        webapp/1: {set: [leadership.is_leader]}
        webapp/0: {unset: [leadership.is_leader]}
",
    );
    let leaders: Vec<&str> = report
        .units
        .iter()
        .filter(|u| u.leader)
        .map(|u| u.unit.as_str())
        .collect();
    assert_eq!(leaders, ["webapp/1"]);
    let from = seq_after(&records, "webapp/1", "start");
    let after = hooks_of(&records, "webapp/1", from);
    assert!(
        after.contains(&("leader-elected".to_owned(), true)),
        "webapp/1 after the leader step: {after:?}"
    );
    let first_elected = records
        .iter()
        .find(|r| r.unit == "webapp/1" && r.name == "leader-elected")
        .map(|r| r.seq);
    assert!(
        first_elected >= Some(from),
        "webapp/1 was not elected before the step"
    );
}

#[test]
fn an_upgrade_step_runs_upgrade_charm_then_config_changed_keeping_unit_state() {
    let (report, records) = run_text(
        "upgrade",
        "seed: 6
applications:
  - {name: webapp, charm: '{webapp}', units: 2}
steps:
  - deploy
  - settle
  - upgrade: webapp
  - settle
  - expect:
      status:
        webapp: {workload: active, agent: idle}
      # Set by install only: the unit state survived the upgrade.
      flags:
        webapp: {set: [webapp.installed, webapp.started]}
",
    );
    assert_eq!(report.hooks_failed, 0);
    for unit in ["webapp/0", "webapp/1"] {
        let from = records
            .iter()
            .find(|r| r.unit == unit && r.name == "upgrade-charm")
            .map(|r| r.seq)
            .unwrap_or_else(|| panic!("{unit} never ran upgrade-charm"));
        let after: Vec<String> = hooks_of(&records, unit, from)
            .into_iter()
            .map(|(n, _)| n)
            .filter(|n| !n.starts_with("cluster-"))
            .take(2)
            .collect();
        assert_eq!(after, ["upgrade-charm", "config-changed"], "{unit}");
        let upgrades = records
            .iter()
            .filter(|r| r.unit == unit && r.name == "upgrade-charm")
            .count();
        assert_eq!(upgrades, 1, "{unit}");
    }
}
