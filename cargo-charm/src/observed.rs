//! What a charm's handlers really did: a scenario run in the simulator,
//! and from each successful hook's log which handler set or cleared which
//! flag (what the registry cannot say).

use std::collections::BTreeSet;
use std::path::Path;

use charm_sim::HookRecord;
use charm_sim::scenario::{AppSource, Scenario};

use crate::error::{Error, Result};
use crate::sim::{prepare, progress::Progress};

/// The log prefix of charm-runtime's dispatch as a handler starts.
const INVOKING: &str = "Invoking reactive handler: ";
/// The DEBUG line charm-runtime logs as a handler returns.
const FINISHED: &str = "Finished reactive handler: ";

/// A flag change a handler made in some hook of the run.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Change {
    /// The handler's id.
    pub handler: String,
    /// The flag.
    pub flag: String,
    /// Set (`true`) or cleared.
    pub set: bool,
}

/// What a scenario run showed of the charm.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// Each distinct change, sorted.
    pub changes: BTreeSet<Change>,
    /// Hooks of the charm's units that ran (failed ones included).
    pub hooks: usize,
    /// Handlers that ran at least once.
    pub handlers: BTreeSet<String>,
    /// The scenario's unmet expectations (the graph is drawn anyway).
    pub failed_expectations: Vec<String>,
}

/// The handlers invoked in one hook's log messages and the flag changes
/// each made: a `set flag F` / `cleared flag F` line (charm-runtime logs
/// them at debug level) between `Invoking reactive handler: ID (why)` and
/// `Finished reactive handler: ID` is the handler's. Changes outside a
/// handler (the runtime's own, before and after dispatch) are left out.
pub fn attribute<'a>(messages: impl IntoIterator<Item = &'a str>) -> (Vec<String>, Vec<Change>) {
    let mut handlers = Vec::new();
    let mut changes = Vec::new();
    let mut current: Option<String> = None;
    for line in messages.into_iter().flat_map(str::lines) {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix(INVOKING) {
            let id = rest.split_once(" (").map_or(rest, |(id, _)| id).to_owned();
            handlers.push(id.clone());
            current = Some(id);
            continue;
        }
        if line.starts_with(FINISHED) {
            current = None;
            continue;
        }
        let change = match (
            line.strip_prefix("set flag "),
            line.strip_prefix("cleared flag "),
        ) {
            (Some(flag), _) => (flag, true),
            (None, Some(flag)) => (flag, false),
            (None, None) => continue,
        };
        if let Some(handler) = &current {
            changes.push(Change {
                handler: handler.clone(),
                flag: change.0.to_owned(),
                set: change.1,
            });
        }
    }
    (handlers, changes)
}

/// Add what `record` shows of its handlers to `observed`: a failed hook's
/// flag changes are discarded by the runtime, so only its handlers count.
pub fn add_record(observed: &mut Observed, record: &HookRecord) {
    observed.hooks += 1;
    let (handlers, changes) = attribute(record.logs.iter().map(|(_, m)| m.as_str()));
    observed.handlers.extend(handlers);
    if record.ok() {
        observed.changes.extend(changes);
    }
}

/// Run `scenario` (its charms built with cargo, hooks logging at debug
/// level) and observe the units of every application it deploys from
/// `charm_dir`. An error when the scenario deploys no such application.
pub fn run_scenario(charm_dir: &Path, scenario_path: &Path) -> Result<Observed> {
    let scenario = Scenario::load(scenario_path).map_err(|e| Error(e.to_string()))?;
    let wanted = charm_dir
        .canonicalize()
        .map_err(|e| Error::at(charm_dir, e))?;
    let apps: Vec<String> = scenario
        .applications
        .iter()
        .filter(|a| match &a.source {
            AppSource::Charm { dir, .. } => dir.canonicalize().is_ok_and(|d| d == wanted),
            AppSource::Stub(_) => false,
        })
        .map(|a| a.name.clone())
        .collect();
    if apps.is_empty() {
        return Err(Error::at(
            scenario_path,
            format!(
                "no application of the scenario runs the charm in {}",
                charm_dir.display()
            ),
        ));
    }
    let progress = Progress::new(false);
    let mut options = prepare(&scenario, &progress)?;
    options.log_level = Some("debug".into());
    let mut observed = Observed::default();
    let result = scenario.run_with(&options, &mut |record| {
        if apps
            .iter()
            .any(|a| charm_sim::model::app_of(&record.unit) == a)
        {
            add_record(&mut observed, record);
        }
    });
    progress.finish();
    let report = result.map_err(|e| Error(e.to_string()))?;
    observed.failed_expectations = report.failed_expectations;
    Ok(observed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_go_to_the_handler_invoked_last_before_them() {
        let (handlers, changes) = attribute([
            "set flag leadership.is_leader",
            "Invoking reactive handler: c::install (hook install)\nset flag c.installed",
            "Invoking reactive handler: c::start (when c.installed)",
            "set flag c.started\ncleared flag c.stale\nFinished reactive handler: c::start",
            "cleared flag config.changed",
        ]);
        assert_eq!(handlers, ["c::install", "c::start"]);
        let got: Vec<(&str, &str, bool)> = changes
            .iter()
            .map(|c| (c.handler.as_str(), c.flag.as_str(), c.set))
            .collect();
        assert_eq!(
            got,
            [
                ("c::install", "c.installed", true),
                ("c::start", "c.started", true),
                ("c::start", "c.stale", false),
            ]
        );
    }
}
