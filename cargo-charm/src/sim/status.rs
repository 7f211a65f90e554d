//! The end of a run as `juju status` shows it, and what makes it a
//! failure.

use std::fmt::Write as _;

use charm_sim::scenario::{Report, UnitReport};

/// The number of `app/N`, for sorting (`app/10` after `app/9`).
fn unit_number(unit: &str) -> u64 {
    unit.rsplit_once('/')
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or(u64::MAX)
}

/// Whether an agent status is an error.
pub fn agent_in_error(agent: &str) -> bool {
    agent == "error" || agent.starts_with("error:")
}

/// The units as `juju status` lists them: by application, then unit
/// number, the leader marked `*`, the message last.
///
/// ```text
/// App     Unit       Workload  Agent  Message
/// webapp  webapp/0*  active    idle   listening on port 8080
/// ```
pub fn table(units: &[UnitReport]) -> String {
    let mut rows: Vec<&UnitReport> = units.iter().collect();
    rows.sort_by(|a, b| {
        (&a.application, unit_number(&a.unit), &a.unit).cmp(&(
            &b.application,
            unit_number(&b.unit),
            &b.unit,
        ))
    });
    let mut cells: Vec<[String; 5]> = vec![[
        "App".into(),
        "Unit".into(),
        "Workload".into(),
        "Agent".into(),
        "Message".into(),
    ]];
    for u in rows {
        let unit = if u.leader {
            format!("{}*", u.unit)
        } else {
            u.unit.clone()
        };
        cells.push([
            u.application.clone(),
            unit,
            u.workload.clone(),
            u.agent.clone(),
            u.message.clone(),
        ]);
    }
    let widths: Vec<usize> = (0..4)
        .map(|c| {
            cells
                .iter()
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in &cells {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c < 4 {
                let _ = write!(line, "{cell:<w$}  ", w = widths[c]);
            } else {
                line.push_str(cell);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// What makes the run a failure, one sentence each: every expectation that
/// failed, then every unit in error (naming its hook). Empty when the run
/// succeeded.
pub fn problems(report: &Report) -> Vec<String> {
    let mut out: Vec<String> = report
        .failed_expectations
        .iter()
        .map(|e| format!("expectation failed: {e}"))
        .collect();
    let mut units: Vec<&UnitReport> = report.units.iter().collect();
    units.sort_by_key(|u| (u.application.clone(), unit_number(&u.unit)));
    for u in units {
        if agent_in_error(&u.agent) {
            out.push(format!("unit {} is in error ({})", u.unit, u.agent));
        } else if u.workload == "error" {
            out.push(format!("unit {} is in error: {}", u.unit, u.message));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unit(unit: &str, workload: &str, message: &str, agent: &str, leader: bool) -> UnitReport {
        UnitReport {
            unit: unit.into(),
            application: unit.split('/').next().unwrap().into(),
            workload: workload.into(),
            message: message.into(),
            agent: agent.into(),
            leader,
        }
    }

    fn report(units: Vec<UnitReport>, failed_expectations: Vec<String>) -> Report {
        Report {
            scenario: "s".into(),
            seed: 0,
            units,
            hooks_run: 5,
            hooks_failed: 0,
            failed_expectations,
            history: vec![],
        }
    }

    #[test]
    fn the_table_is_sorted_by_application_then_unit_number_with_the_leader_starred() {
        let units = [
            unit("webapp/10", "active", "ready", "idle", false),
            unit("mysql/0", "blocked", "no quorum", "idle", true),
            unit("webapp/2", "waiting", "", "idle", true),
            unit("webapp/9", "active", "ready", "idle", false),
        ];
        assert_eq!(
            table(&units),
            "\
App     Unit       Workload  Agent  Message
mysql   mysql/0*   blocked   idle   no quorum
webapp  webapp/2*  waiting   idle
webapp  webapp/9   active    idle   ready
webapp  webapp/10  active    idle   ready
"
        );
    }

    #[test]
    fn problems_name_each_failed_expectation_and_unit_in_error() {
        let problem = report(
            vec![
                unit("b/1", "active", "", "idle", false),
                unit(
                    "b/0",
                    "maintenance",
                    "",
                    "error: hook failed: \"install\"",
                    true,
                ),
                unit("a/0", "active", "", "idle", true),
            ],
            vec!["a/0: workload is blocked, expected active".into()],
        );
        assert_eq!(
            problems(&problem),
            [
                "expectation failed: a/0: workload is blocked, expected active",
                "unit b/0 is in error (error: hook failed: \"install\")",
            ]
        );
        let ok = report(vec![unit("a/0", "active", "", "idle", true)], vec![]);
        assert!(problems(&ok).is_empty());
    }

    #[test]
    fn the_json_has_units_hooks_run_and_failed_expectations() {
        let report = report(vec![unit("a/0", "active", "ready", "idle", true)], vec![]);
        let v: serde_json::Value = serde_json::to_value(&report).unwrap();
        assert_eq!(v["hooks_run"], 5);
        assert_eq!(v["failed_expectations"], serde_json::json!([]));
        let u = &v["units"][0];
        for (key, want) in [
            ("unit", serde_json::json!("a/0")),
            ("workload", serde_json::json!("active")),
            ("message", serde_json::json!("ready")),
            ("agent", serde_json::json!("idle")),
            ("leader", serde_json::json!(true)),
        ] {
            assert_eq!(u[key], want, "{key} in {v}");
        }
    }
}
