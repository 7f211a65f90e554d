//! Scenarios: a model, what is done to it and what is expected of it,
//! written in YAML and run against the real charm binaries.
//!
//! ```yaml
//! seed: 7
//! hook-timeout: 60                  # seconds; default 300, then the hook is killed
//! applications:
//!   - name: webapp
//!     charm: ../examples/webapp     # relative to this file
//!     binary: webapp                # default: the charm directory's name
//!     units: 3                      # default: 1
//!     config: {port: 8080}
//!   - name: mysql                   # a stub: no charm, answered by rules
//!     stub:
//!       endpoints:
//!         shared-db: {interface: mysql-shared}   # role: provides (default)
//!       rules:
//!         - endpoint: shared-db
//!           received: ["*database", "*username"]
//!           publish: {db_host: "{address}", "{*}password": "secret",
//!                     "{*}allowed_units": "{units}"}
//! steps:
//!   - deploy                        # every application not yet deployed
//!   - settle                        # at most 2000 hooks; `settle: 500`
//!   - config: {webapp: {port: 9090}}
//!   - add-unit: webapp              # or {app: webapp, units: 2}
//!   - remove-unit: webapp/3
//!   - leader: webapp/1
//!   - upgrade: webapp               # the same charm rebuilt; or
//!   - upgrade: {app: webapp, charm: ../examples/webapp, binary: webapp}
//!   - relate: [webapp:website, proxy:backend]
//!   - action: {unit: webapp/0, name: pause, params: {}, expect: completed}
//!   - update-status
//!   - resolve: webapp/2
//!   - stub-data: {app: mysql, endpoint: shared-db, data: {ssl_ca: "..."}}
//!   - expect:
//!       status:                     # a unit, or every unit of an application
//!         webapp: {workload: active, message-prefix: "serving", agent: idle}
//!       flags:
//!         webapp/0: {set: [webapp.started], unset: [webapp.broken]}
//!       leader: {webapp: webapp/1}
//!       data:
//!         - {unit: webapp/0, endpoint: cluster, values: {port: "9090"}, present: [address]}
//! ```
//!
//! [`Scenario::load`] reads and checks the file: a YAML error, an unknown
//! step or field, a missing field, a value of the wrong type, an
//! application or unit that does not exist at that step is a
//! [`ScenarioError::Invalid`] naming the file, line and column.
//! [`Scenario::run`] runs the steps in a fresh [`Simulation`]; what the
//! model does not do as expected is listed in the [`Report`]'s
//! `failed_expectations`, and a step the simulator refuses is a
//! [`ScenarioError::Step`]. Stub applications are described in
//! [`crate::stub`].

mod node;
mod parse;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Serialize;
use serde_json::{Map, Value};

pub use node::Loc;

use crate::model::{AgentStatus, Model, Settings, app_of};
use crate::stub::Stub;
use crate::{HookRecord, SimConfig, SimError, Simulation};

/// The bound on hooks of a `settle` step given none.
pub const DEFAULT_SETTLE_LIMIT: usize = 2000;

/// A scenario, loaded and checked.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// The file it was read from.
    pub path: PathBuf,
    /// Its `name`, else the file's stem.
    pub name: String,
    /// The seed of the interleaving.
    pub seed: u64,
    /// Its `hook-timeout` (seconds in the file), if given: how long a hook
    /// may run before it is killed and its unit put in error.
    pub hook_timeout: Option<Duration>,
    /// The applications, in the order declared.
    pub applications: Vec<AppSpec>,
    /// The steps, in order.
    pub steps: Vec<Step>,
}

/// An application of a scenario.
#[derive(Debug, Clone)]
pub struct AppSpec {
    /// Its name.
    pub name: String,
    /// Where it is declared.
    pub at: Loc,
    /// A charm, or a stub.
    pub source: AppSource,
    /// The units `deploy` gives it.
    pub units: u32,
    /// Config set when it is deployed.
    pub config: Map<String, Value>,
}

/// What runs an application's units.
#[derive(Debug, Clone)]
pub enum AppSource {
    /// A charm: its directory (resolved against the scenario's) and the
    /// name of its binary (found through [`RunOptions::binaries`]).
    Charm {
        /// The charm directory.
        dir: PathBuf,
        /// The binary's name.
        binary: String,
    },
    /// A stub application.
    Stub(Stub),
}

/// A step and where it is.
#[derive(Debug, Clone)]
pub struct Step {
    /// Its place in the file.
    pub at: Loc,
    /// What it does.
    pub kind: StepKind,
}

/// What a step does.
#[derive(Debug, Clone)]
pub enum StepKind {
    /// Deploy these applications, with their units and config.
    Deploy(Vec<String>),
    /// Relate two endpoints (`app:endpoint` or `app`).
    Relate(String, String),
    /// Set config options of applications.
    Config(Vec<(String, Map<String, Value>)>),
    /// Add units.
    AddUnit {
        /// The application.
        app: String,
        /// How many.
        count: u32,
    },
    /// Remove a unit.
    RemoveUnit(String),
    /// Make a unit its application's leader.
    Leader(String),
    /// Upgrade an application's charm (`juju refresh`): to the charm in
    /// `dir` run with the binary named `binary` (by default the
    /// application's own, rebuilt).
    Upgrade {
        /// The application.
        app: String,
        /// The charm directory.
        dir: PathBuf,
        /// The binary's name (found through [`RunOptions::binaries`]).
        binary: String,
    },
    /// Run an action.
    Action {
        /// The unit.
        unit: String,
        /// The action.
        name: String,
        /// Its parameters.
        params: Map<String, Value>,
        /// Whether it is expected to complete (else to fail).
        completes: bool,
    },
    /// Queue update-status on every unit.
    UpdateStatus,
    /// Run hooks until none is queued, at most this many.
    Settle(usize),
    /// Resolve a unit in error.
    Resolve(String),
    /// Publish data from a stub unit (or each unit of a stub application).
    StubData {
        /// The stub unit or application.
        target: String,
        /// Its endpoint.
        endpoint: String,
        /// What to publish.
        data: Settings,
    },
    /// Check the model.
    Expect(Vec<Expectation>),
}

impl StepKind {
    /// A short description (`relate a:x b:y`).
    pub fn describe(&self) -> String {
        match self {
            StepKind::Deploy(apps) => format!("deploy {}", apps.join(" ")),
            StepKind::Relate(a, b) => format!("relate {a} {b}"),
            StepKind::Config(apps) => {
                let mut s = String::from("config");
                for (app, values) in apps {
                    let _ = write!(s, " {app}");
                    for (k, v) in values {
                        let _ = write!(s, " {k}={v}");
                    }
                }
                s
            }
            StepKind::AddUnit { app, count } => format!("add-unit {app} x{count}"),
            StepKind::RemoveUnit(u) => format!("remove-unit {u}"),
            StepKind::Leader(u) => format!("leader {u}"),
            StepKind::Upgrade { app, binary, .. } => format!("upgrade {app} to {binary}"),
            StepKind::Action { unit, name, .. } => format!("action {name} on {unit}"),
            StepKind::UpdateStatus => "update-status".into(),
            StepKind::Settle(limit) => format!("settle (at most {limit} hooks)"),
            StepKind::Resolve(u) => format!("resolve {u}"),
            StepKind::StubData {
                target, endpoint, ..
            } => format!("stub-data {target} {endpoint}"),
            StepKind::Expect(e) => format!("expect ({} checks)", e.len()),
        }
    }
}

/// One check of an `expect` step.
#[derive(Debug, Clone)]
pub struct Expectation {
    /// Its place in the file.
    pub at: Loc,
    /// What is checked.
    pub check: Check,
}

/// A message matched exactly or by its beginning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextMatch {
    /// The whole message.
    Exact(String),
    /// Its beginning.
    Prefix(String),
}

impl TextMatch {
    /// Whether `text` matches.
    pub fn matches(&self, text: &str) -> bool {
        match self {
            TextMatch::Exact(m) => text == m,
            TextMatch::Prefix(p) => text.starts_with(p.as_str()),
        }
    }
}

/// What an expectation checks.
#[derive(Debug, Clone)]
pub enum Check {
    /// Statuses of a unit (or of each unit of an application).
    Status {
        /// The unit or application.
        target: String,
        /// The workload status (`active`).
        workload: Option<String>,
        /// Its message.
        message: Option<TextMatch>,
        /// The agent status: `idle`, `error`, `executing`, `allocating`.
        agent: Option<String>,
    },
    /// Reactive flags in a unit's `.unit-state.db`.
    Flags {
        /// The unit or application.
        target: String,
        /// Flags that must be set.
        set: Vec<String>,
        /// Flags that must not be.
        unset: Vec<String>,
    },
    /// The leader of an application.
    Leader {
        /// The application.
        app: String,
        /// Its expected leader.
        unit: String,
    },
    /// Values of a databag on the relations of an endpoint.
    Data {
        /// The unit (or application: each of its units) whose databag.
        bag: String,
        /// The application's databag rather than a unit's.
        app_bag: bool,
        /// The endpoint of the bag's application.
        endpoint: String,
        /// Key → expected value (`None`: absent).
        values: BTreeMap<String, Option<String>>,
        /// Keys that must hold a value.
        present: Vec<String>,
    },
}

/// Why a scenario cannot be loaded or run.
#[derive(Debug, thiserror::Error)]
pub enum ScenarioError {
    /// The file cannot be read.
    #[error("{}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a valid scenario.
    #[error("{}:{}:{}: {message}", path.display(), at.line, at.column)]
    Invalid {
        /// The file.
        path: PathBuf,
        /// Where.
        at: Loc,
        /// What was expected and found.
        message: String,
    },
    /// A charm binary cannot be found.
    #[error("{}:{}:{}: application {app}: no binary `{binary}` ({reason})", path.display(), at.line, at.column)]
    Binary {
        /// The file.
        path: PathBuf,
        /// Where the application is declared.
        at: Loc,
        /// The application.
        app: String,
        /// The binary's name.
        binary: String,
        /// Where it was looked for.
        reason: String,
    },
    /// The simulator refused a step (or could not start).
    #[error("{}:{}:{}: {step}: {source}", path.display(), at.line, at.column)]
    Step {
        /// The file.
        path: PathBuf,
        /// Where the step is.
        at: Loc,
        /// The step.
        step: String,
        /// The simulator's error.
        #[source]
        source: Box<SimError>,
    },
    /// A unit's state database cannot be read.
    #[error("{}:{}:{}: reading the flags of {unit}: {reason}", path.display(), at.line, at.column)]
    State {
        /// The file.
        path: PathBuf,
        /// Where the expectation is.
        at: Loc,
        /// The unit.
        unit: String,
        /// The error.
        reason: String,
    },
}

impl ScenarioError {
    /// The place in the scenario file the error is about, if any.
    pub fn location(&self) -> Option<Loc> {
        match self {
            ScenarioError::Read { .. } => None,
            ScenarioError::Invalid { at, .. }
            | ScenarioError::Binary { at, .. }
            | ScenarioError::Step { at, .. }
            | ScenarioError::State { at, .. } => Some(*at),
        }
    }
}

/// Where the charm binaries are.
#[derive(Debug, Clone)]
pub enum Binaries {
    /// In this directory, by name (a cargo target's `debug/`).
    Dir(PathBuf),
    /// By name.
    Map(BTreeMap<String, PathBuf>),
}

impl Binaries {
    fn find(&self, name: &str) -> Result<PathBuf, String> {
        match self {
            Binaries::Dir(dir) => {
                let path = dir.join(name);
                if path.is_file() {
                    Ok(path)
                } else {
                    Err(format!("not in {}", dir.display()))
                }
            }
            Binaries::Map(map) => map
                .get(name)
                .cloned()
                .ok_or_else(|| "not among the binaries given".to_owned()),
        }
    }
}

/// How to run a scenario.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The `charm-sim-tool` program.
    pub tool_program: PathBuf,
    /// Where the charm binaries are.
    pub binaries: Binaries,
    /// A seed overriding the scenario's.
    pub seed: Option<u64>,
    /// Keep the simulation's directory (the units' charm directories).
    pub keep_dir: bool,
    /// A hook timeout overriding the scenario's (else
    /// [`crate::DEFAULT_HOOK_TIMEOUT`]).
    pub hook_timeout: Option<Duration>,
    /// `CHARM_LOG_LEVEL` for the hooks (see [`SimConfig::log_level`]).
    pub log_level: Option<String>,
}

impl RunOptions {
    /// Options with the tool program and the binaries, the scenario's seed.
    pub fn new(tool_program: impl Into<PathBuf>, binaries: Binaries) -> Self {
        Self {
            tool_program: tool_program.into(),
            binaries,
            seed: None,
            keep_dir: false,
            hook_timeout: None,
            log_level: None,
        }
    }
}

/// What happens while a scenario runs, for a progress display.
#[derive(Debug, Clone, Copy)]
pub enum Event<'a> {
    /// A step begins.
    Step {
        /// Its index.
        index: usize,
        /// Its place in the file.
        at: Loc,
        /// The step.
        step: &'a Step,
    },
    /// A hook ran.
    Hook(&'a HookRecord),
    /// An expectation failed (the message as in the report).
    Failed(&'a str),
}

/// A unit at the end of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnitReport {
    /// The unit.
    pub unit: String,
    /// Its application.
    pub application: String,
    /// Its workload status.
    pub workload: String,
    /// The workload status message.
    pub message: String,
    /// Its agent status (`idle`, `error: hook failed: "install"`).
    pub agent: String,
    /// Whether it leads its application.
    pub leader: bool,
}

/// One hook of the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HookEntry {
    /// Its place in the run.
    pub seq: u64,
    /// The unit.
    pub unit: String,
    /// The hook's (or action's) name.
    pub hook: String,
    /// The exit code (`None`: killed by a signal).
    pub code: Option<i32>,
    /// Milliseconds it ran.
    pub elapsed_ms: u64,
    /// What a failed hook printed on stderr.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stderr: Option<String>,
}

impl From<&HookRecord> for HookEntry {
    fn from(r: &HookRecord) -> Self {
        Self {
            seq: r.seq,
            unit: r.unit.clone(),
            hook: r.name.clone(),
            code: r.code,
            elapsed_ms: r.elapsed.as_millis() as u64,
            stderr: (!r.ok()).then(|| r.stderr.clone()),
        }
    }
}

/// What a run did and found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// The scenario's name.
    pub scenario: String,
    /// The seed it ran with.
    pub seed: u64,
    /// Every unit at the end, by application then number.
    pub units: Vec<UnitReport>,
    /// Hooks run (actions and stub units' hooks included).
    pub hooks_run: usize,
    /// Hooks that failed.
    pub hooks_failed: usize,
    /// Every expectation not met, as `file:line:column: what`.
    pub failed_expectations: Vec<String>,
    /// Every hook, in order.
    pub history: Vec<HookEntry>,
}

impl Report {
    /// Whether every expectation was met.
    pub fn passed(&self) -> bool {
        self.failed_expectations.is_empty()
    }

    /// The report as JSON.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }
}

impl Scenario {
    /// Read and check the scenario in `path`.
    pub fn load(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
            path: path.to_owned(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Check the scenario `text`, as if read from `path` (charm
    /// directories are relative to it).
    pub fn parse(text: &str, path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        parse::scenario(text, path).map_err(|b| ScenarioError::Invalid {
            path: path.to_owned(),
            at: b.at,
            message: b.message,
        })
    }

    /// Run the scenario.
    pub fn run(&self, options: &RunOptions) -> Result<Report, ScenarioError> {
        self.run_with_events(options, &mut |_| {})
    }

    /// Run the scenario, calling `on_hook` after each hook.
    pub fn run_with(
        &self,
        options: &RunOptions,
        on_hook: &mut dyn FnMut(&HookRecord),
    ) -> Result<Report, ScenarioError> {
        self.run_with_events(options, &mut |e| {
            if let Event::Hook(r) = e {
                on_hook(r);
            }
        })
    }

    /// Run the scenario, telling `on_event` of each step, hook and failed
    /// expectation.
    pub fn run_with_events(
        &self,
        options: &RunOptions,
        on_event: &mut dyn FnMut(Event<'_>),
    ) -> Result<Report, ScenarioError> {
        let mut run = Run {
            scenario: self,
            options,
            sim: None,
            failed: Vec::new(),
            on_event,
        };
        let seed = options.seed.unwrap_or(self.seed);
        let mut config = SimConfig::new(&options.tool_program).with_seed(seed);
        config.keep_dir = options.keep_dir;
        config.log_level = options.log_level.clone();
        if let Some(limit) = options.hook_timeout.or(self.hook_timeout) {
            config.hook_timeout = limit;
        }
        let start_at = self.steps.first().map(|s| s.at).unwrap_or_default();
        run.sim = Some(
            Simulation::new(config).map_err(|source| ScenarioError::Step {
                path: self.path.clone(),
                at: start_at,
                step: "starting the simulation".into(),
                source: Box::new(source),
            })?,
        );
        for (index, step) in self.steps.iter().enumerate() {
            (run.on_event)(Event::Step {
                index,
                at: step.at,
                step,
            });
            run.step(step)?;
        }
        let Run { sim, failed, .. } = run;
        let sim = sim.expect("started");
        Ok(report(self, seed, &sim, failed))
    }
}

fn report(scenario: &Scenario, seed: u64, sim: &Simulation, failed: Vec<String>) -> Report {
    let model = sim.model();
    let mut units = Vec::new();
    for app in scenario.applications.iter().map(|a| &a.name) {
        for name in model.units_of(app) {
            let u = &model.units[&name];
            units.push(UnitReport {
                unit: name.clone(),
                application: app.clone(),
                workload: u.workload.state.clone(),
                message: u.workload.message.clone(),
                agent: u.agent.to_string(),
                leader: model.is_leader(&name),
            });
        }
    }
    let history: Vec<HookEntry> = sim.history().iter().map(HookEntry::from).collect();
    Report {
        scenario: scenario.name.clone(),
        seed,
        units,
        hooks_run: history.len(),
        hooks_failed: history.iter().filter(|h| h.code != Some(0)).count(),
        failed_expectations: failed,
        history,
    }
}

/// A run under way.
struct Run<'a, 'e> {
    scenario: &'a Scenario,
    options: &'a RunOptions,
    sim: Option<Simulation>,
    failed: Vec<String>,
    on_event: &'e mut dyn FnMut(Event<'_>),
}

impl Run<'_, '_> {
    fn sim(&mut self) -> &mut Simulation {
        self.sim.as_mut().expect("started")
    }

    fn fail(&mut self, at: Loc, message: String) {
        let text = format!(
            "{}:{}:{}: {message}",
            self.scenario.path.display(),
            at.line,
            at.column
        );
        (self.on_event)(Event::Failed(&text));
        self.failed.push(text);
    }

    fn step(&mut self, step: &Step) -> Result<(), ScenarioError> {
        let at = step.at;
        let err = |source: SimError| ScenarioError::Step {
            path: self.scenario.path.clone(),
            at,
            step: step.kind.describe(),
            source: Box::new(source),
        };
        match &step.kind {
            StepKind::Deploy(apps) => {
                for name in apps {
                    let Some(app) = self.scenario.applications.iter().find(|a| &a.name == name)
                    else {
                        continue;
                    };
                    match &app.source {
                        AppSource::Charm { dir, binary } => {
                            let path = self.options.binaries.find(binary).map_err(|reason| {
                                ScenarioError::Binary {
                                    path: self.scenario.path.clone(),
                                    at: app.at,
                                    app: app.name.clone(),
                                    binary: binary.clone(),
                                    reason,
                                }
                            })?;
                            self.sim()
                                .deploy(&app.name, dir, path, app.units)
                                .map_err(err)?;
                            if !app.config.is_empty() {
                                self.sim()
                                    .config_set(&app.name, app.config.clone())
                                    .map_err(err)?;
                            }
                        }
                        AppSource::Stub(stub) => {
                            self.sim()
                                .deploy_stub(&app.name, stub.clone(), app.units)
                                .map_err(err)?;
                        }
                    }
                }
            }
            StepKind::Relate(a, b) => {
                self.sim().relate(a, b).map_err(err)?;
            }
            StepKind::Config(apps) => {
                for (app, values) in apps {
                    self.sim().config_set(app, values.clone()).map_err(err)?;
                }
            }
            StepKind::AddUnit { app, count } => {
                for _ in 0..*count {
                    self.sim().add_unit(app).map_err(err)?;
                }
            }
            StepKind::RemoveUnit(unit) => self.sim().remove_unit(unit).map_err(err)?,
            StepKind::Leader(unit) => self.sim().set_leader(unit).map_err(err)?,
            StepKind::Upgrade { app, dir, binary } => {
                let path =
                    self.options
                        .binaries
                        .find(binary)
                        .map_err(|reason| ScenarioError::Binary {
                            path: self.scenario.path.clone(),
                            at,
                            app: app.clone(),
                            binary: binary.clone(),
                            reason,
                        })?;
                self.sim().upgrade_charm(app, dir, path).map_err(err)?;
            }
            StepKind::Resolve(unit) => self.sim().resolve(unit).map_err(err)?,
            StepKind::UpdateStatus => self.sim().update_status(),
            StepKind::StubData {
                target,
                endpoint,
                data,
            } => self
                .sim()
                .stub_publish(target, endpoint, data.clone())
                .map_err(err)?,
            StepKind::Action {
                unit,
                name,
                params,
                completes,
            } => {
                let result = match self.sim().run_action(unit, name, params.clone()) {
                    // Refused, as Juju refuses an action the charm does not
                    // declare: it did not complete.
                    Err(SimError::Action { reason, .. }) => {
                        if *completes {
                            self.fail(
                                at,
                                format!(
                                    "action {name} on {unit} failed: refused: {reason}, expected \
                                     it to complete"
                                ),
                            );
                        }
                        return Ok(());
                    }
                    other => other.map_err(err)?,
                };
                (self.on_event)(Event::Hook(&result.record));
                if result.completed() != *completes {
                    let how = if result.completed() {
                        "completed".to_owned()
                    } else {
                        match &result.outcome.failure {
                            Some(m) => format!("failed: {m}"),
                            None => format!("failed: exit {:?}", result.record.code),
                        }
                    };
                    let want = if *completes { "complete" } else { "fail" };
                    self.fail(
                        at,
                        format!("action {name} on {unit} {how}, expected it to {want}"),
                    );
                }
            }
            StepKind::Settle(limit) => self.settle(at, *limit).map_err(err)?,
            StepKind::Expect(checks) => {
                let model = self.sim().model();
                for e in checks {
                    for problem in self.check(&model, e)? {
                        self.fail(e.at, problem);
                    }
                }
            }
        }
        Ok(())
    }

    /// Run hooks until none is queued or `limit` ran (a failed
    /// expectation).
    fn settle(&mut self, at: Loc, limit: usize) -> Result<(), SimError> {
        for _ in 0..limit {
            let Some(record) = self.sim().step()? else {
                return Ok(());
            };
            (self.on_event)(Event::Hook(&record));
        }
        let sim = self.sim();
        let model = sim.model();
        let queued: Vec<String> = model
            .units
            .values()
            .filter(|u| !matches!(u.agent, AgentStatus::Error(_)))
            .filter_map(|u| {
                let q = sim.queued(&u.name);
                q.first().map(|h| format!("{} ({h})", u.name))
            })
            .collect();
        if !queued.is_empty() {
            self.fail(
                at,
                format!(
                    "settle: the model did not settle within {limit} hooks; still queued: {}",
                    queued.join(", ")
                ),
            );
        }
        Ok(())
    }

    /// The units a target names: itself, or its application's units.
    fn units_of(model: &Model, target: &str) -> Vec<String> {
        if target.contains('/') {
            vec![target.to_owned()]
        } else {
            model.units_of(target)
        }
    }

    /// What is wrong with the model by `e`: one message per problem.
    fn check(&self, model: &Model, e: &Expectation) -> Result<Vec<String>, ScenarioError> {
        let mut problems = Vec::new();
        match &e.check {
            Check::Status {
                target,
                workload,
                message,
                agent,
            } => {
                let units = Self::units_of(model, target);
                if units.is_empty() {
                    problems.push(format!("{target}: has no units"));
                }
                for name in units {
                    let Some(u) = model.units.get(&name) else {
                        problems.push(format!("{name}: no such unit"));
                        continue;
                    };
                    if let Some(w) = workload
                        && u.workload.state != *w
                    {
                        problems.push(format!(
                            "{name}: workload status is {} ({:?}), expected {w}",
                            u.workload.state, u.workload.message
                        ));
                    }
                    if let Some(m) = message
                        && !m.matches(&u.workload.message)
                    {
                        let (how, want) = match m {
                            TextMatch::Exact(t) => ("", t),
                            TextMatch::Prefix(p) => ("starting with ", p),
                        };
                        problems.push(format!(
                            "{name}: workload message is {:?}, expected {how}{want:?}",
                            u.workload.message
                        ));
                    }
                    if let Some(a) = agent {
                        let shown = u.agent.to_string();
                        let word = shown.split(':').next().unwrap_or("");
                        if word != a && shown != *a {
                            problems.push(format!("{name}: agent status is {shown}, expected {a}"));
                        }
                    }
                }
            }
            Check::Flags { target, set, unset } => {
                for name in Self::units_of(model, target) {
                    let Some(u) = model.units.get(&name) else {
                        problems.push(format!("{name}: no such unit"));
                        continue;
                    };
                    let flags =
                        read_flags(&u.charm_dir.join(".unit-state.db")).map_err(|reason| {
                            ScenarioError::State {
                                path: self.scenario.path.clone(),
                                at: e.at,
                                unit: name.clone(),
                                reason,
                            }
                        })?;
                    for f in set.iter().filter(|f| !flags.contains(*f)) {
                        problems.push(format!("{name}: flag {f} is not set"));
                    }
                    for f in unset.iter().filter(|f| flags.contains(*f)) {
                        problems.push(format!("{name}: flag {f} is set"));
                    }
                }
            }
            Check::Leader { app, unit } => {
                let leader = model.apps.get(app).and_then(|a| a.leader.clone());
                if leader.as_deref() != Some(unit.as_str()) {
                    problems.push(format!(
                        "{app}: the leader is {}, expected {unit}",
                        leader.as_deref().unwrap_or("nobody")
                    ));
                }
            }
            Check::Data {
                bag,
                app_bag,
                endpoint,
                values,
                present,
            } => {
                let app = app_of(bag);
                let relations: Vec<_> = model
                    .relations
                    .values()
                    .filter(|r| {
                        !r.dying && r.end_of(app).is_some_and(|end| end.endpoint == *endpoint)
                    })
                    .collect();
                if relations.is_empty() {
                    problems.push(format!("{app}: no relation on endpoint {endpoint}"));
                }
                let owners = if *app_bag {
                    vec![app.to_owned()]
                } else {
                    Self::units_of(model, bag)
                };
                for rel in relations {
                    let id = rel.id_for(app);
                    for owner in &owners {
                        let data = if *app_bag {
                            rel.app_data.get(owner)
                        } else {
                            rel.unit_data.get(owner)
                        };
                        let empty = Settings::new();
                        let data = data.unwrap_or(&empty);
                        for (k, want) in values {
                            let got = data.get(k);
                            if got != want.as_ref() {
                                problems.push(format!(
                                    "{owner} on {id}: {k} is {}, expected {}",
                                    shown(got),
                                    shown(want.as_ref())
                                ));
                            }
                        }
                        for k in present {
                            if data.get(k).is_none_or(|v| v.is_empty()) {
                                problems.push(format!("{owner} on {id}: {k} is not set"));
                            }
                        }
                    }
                }
            }
        }
        Ok(problems)
    }
}

fn shown(value: Option<&String>) -> String {
    match value {
        Some(v) => format!("{v:?}"),
        None => "absent".into(),
    }
}

/// The flags set in the unit state database at `path` (none if it does
/// not exist yet).
fn read_flags(path: &Path) -> Result<Vec<String>, String> {
    if !path.exists() {
        return Ok(Vec::new());
    }
    let conn = rusqlite::Connection::open_with_flags(
        path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| e.to_string())?;
    let prefix = "reactive.states.";
    let mut stmt = conn
        .prepare("select key from kv where key like 'reactive.states.%'")
        .map_err(|e| e.to_string())?;
    let keys = stmt
        .query_map([], |row| row.get::<_, String>(0))
        .map_err(|e| e.to_string())?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    Ok(keys
        .into_iter()
        .filter_map(|k| k.strip_prefix(prefix).map(str::to_owned))
        .collect())
}
