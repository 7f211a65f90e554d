//! `cargo charm sim` on the shipped scenarios (the charms built and run as
//! real processes in a simulated model) and on scenarios that fail.

mod common;

use std::path::Path;

use common::{run, stderr, stdout, workspace};

fn scenario(name: &str) -> String {
    workspace()
        .join("scenarios")
        .join(name)
        .display()
        .to_string()
}

/// A scenario file in a scratch directory.
fn write_scenario(dir: &Path, text: &str) -> String {
    let path = dir.join("scenario.yaml");
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn webapp_settles_and_prints_the_units_as_juju_status_does() {
    let out = run(["sim", &scenario("webapp.yaml")]);
    let (text, err) = (stdout(&out), stderr(&out));
    assert!(out.status.success(), "{text}\n{err}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["App", "Unit", "Workload", "Agent", "Message"],
        "{text}"
    );
    // By application, then unit number; the leader (webapp/0 was removed)
    // starred.
    let units: Vec<&str> = lines[1..]
        .iter()
        .take_while(|l| !l.is_empty())
        .map(|l| l.split_whitespace().nth(1).unwrap())
        .collect();
    assert_eq!(
        units,
        ["proxy/0*", "webapp/1*", "webapp/2", "webapp/3"],
        "{text}"
    );
    assert!(
        lines[2].ends_with("active    idle   serving on port 9090 with 2 peer(s)"),
        "{text}"
    );
    assert!(text.contains(" hooks run"), "{text}");
}

#[test]
fn json_reports_units_hooks_and_failed_expectations() {
    let out = run(["sim", "--json", "--seed", "11", &scenario("webapp.yaml")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(report["seed"], 11);
    assert!(report["hooks_run"].as_u64().unwrap() > 50, "{report}");
    assert_eq!(report["failed_expectations"], serde_json::json!([]));
    let units = report["units"].as_array().unwrap();
    assert_eq!(units.len(), 4, "{report}");
    for u in units {
        for key in ["unit", "workload", "message", "agent", "leader"] {
            assert!(u.get(key).is_some(), "{key} missing in {u}");
        }
        assert_eq!(u["workload"], "active", "{u}");
        assert_eq!(u["agent"], "idle", "{u}");
    }
    assert_eq!(
        units.iter().filter(|u| u["leader"] == true).count(),
        2,
        "one leader per application: {report}"
    );
}

#[test]
fn verbose_prints_each_hook_with_its_handlers_and_why() {
    let out = run(["sim", "--verbose", &scenario("webapp.yaml")]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("-- line 22: settle"), "{err}");
    let install = err
        .lines()
        .find(|l| l.contains("webapp/1 install:"))
        .unwrap_or_else(|| panic!("no install line for webapp/1:\n{err}"));
    assert!(install.starts_with('#'), "{install}");
    assert!(
        install.contains("webapp::install (hook install"),
        "{install}"
    );
    // The table is still on stdout, alone.
    assert!(stdout(&out).starts_with("App "), "{}", stdout(&out));
}

#[test]
fn openstack_api_settles_active_and_clustered() {
    let out = run(["sim", &scenario("openstack-api.yaml")]);
    let text = stdout(&out);
    assert!(out.status.success(), "{text}\n{}", stderr(&out));
    let api: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("openstack-api "))
        .collect();
    assert_eq!(api.len(), 3, "{text}");
    for line in api {
        assert!(
            line.ends_with("active    idle   Unit is ready and clustered"),
            "{text}"
        );
    }
}

#[test]
fn a_bad_scenario_file_is_an_error_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = write_scenario(
        dir.path(),
        "applications:\n  - name: a\n    charm: .\n    unitz: 2\nsteps: [deploy]\n",
    );
    let out = run(["sim", &path]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("{path}:4:")), "{err}");
    assert!(err.contains("unitz"), "{err}");
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));

    let out = run([
        "sim",
        &dir.path().join("missing.yaml").display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("missing.yaml"), "{}", stderr(&out));
}

#[test]
fn a_failed_expectation_fails_the_command_and_says_which() {
    let dir = tempfile::tempdir().unwrap();
    let webapp = workspace().join("examples").join("webapp");
    let path = write_scenario(
        dir.path(),
        &format!(
            "applications:\n  - name: webapp\n    charm: {}\n    units: 1\nsteps:\n  - deploy\n  - settle\n  - expect:\n      status:\n        webapp/0: {{workload: blocked}}\n",
            webapp.display()
        ),
    );
    let out = run(["sim", &path]);
    let (text, err) = (stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(1), "{text}\n{err}");
    // The units are printed all the same, then what failed.
    assert!(text.contains("webapp/0*"), "{text}");
    assert!(err.contains("expectation failed"), "{err}");
    assert!(err.contains(&format!("{path}:10:")), "{err}");
    assert!(err.contains("webapp/0"), "{err}");
}

#[test]
fn help_describes_the_options() {
    let help = stdout(&run(["sim", "--help"]));
    for option in [
        "--verbose",
        "--json",
        "--seed",
        "SCENARIO",
        "CHARM_SIM_TOOL",
    ] {
        assert!(help.contains(option), "{option}: {help}");
    }
}
