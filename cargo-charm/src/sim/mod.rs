//! `cargo charm sim`: run a scenario in a simulated Juju model.
//!
//! The scenario (a YAML file of `charm_sim::scenario`) names the charm
//! directories it deploys; each is built with cargo, the simulator's
//! `charm-sim-tool` too, then the scenario runs its steps on the real
//! charm binaries. While hooks run, a spinner (or, with `--verbose`, one
//! line per hook: unit, hook, handlers invoked and why, flags changed) goes
//! to standard error; at the end the units are printed as `juju status`
//! lists them, or the report as JSON with `--json`. The command fails when
//! an expectation of the scenario fails or a unit ends in error, saying
//! which.

pub mod build;
pub mod progress;
pub mod status;

use std::path::PathBuf;

use charm_sim::scenario::{AppSource, Binaries, Event, Report, RunOptions, Scenario, StepKind};

use crate::error::{Error, Result};
use progress::{HookSummary, Progress};

/// Arguments of `cargo charm sim`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The scenario file (YAML).
    #[arg(value_name = "SCENARIO")]
    pub scenario: PathBuf,
    /// Print one line per hook as it runs: unit, hook, the handlers it
    /// invoked and why, the flags it set (+) and cleared (-).
    #[arg(short, long)]
    pub verbose: bool,
    /// Print the report as JSON (units, hooks_run, failed_expectations)
    /// instead of the status table.
    #[arg(long)]
    pub json: bool,
    /// The seed of the units' interleaving, instead of the scenario's.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Kill a hook (its process and children) that runs longer than SECS
    /// seconds and put its unit in error, instead of the scenario's
    /// `hook-timeout` (default 300).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    pub hook_timeout: Option<u64>,
}

/// Print `report` (the status table, or JSON with `json`) and fail if an
/// expectation failed or a unit is in error.
pub fn finish(args: &Args, report: &Report) -> Result<()> {
    if args.json {
        let json = serde_json::to_string_pretty(report)
            .map_err(|e| Error(format!("cannot write the report as JSON: {e}")))?;
        println!("{json}");
    } else {
        print!("{}", status::table(&report.units));
        println!();
        println!("{} hooks run", report.hooks_run);
    }
    let problems = status::problems(report);
    if problems.is_empty() {
        return Ok(());
    }
    Err(Error(format!(
        "the scenario {} failed:\n  {}",
        args.scenario.display(),
        problems.join("\n  ")
    )))
}

/// The charms `scenario` runs, as (binary name, crate directory): its
/// applications' and those its `upgrade` steps move to.
pub fn charms_of(scenario: &Scenario) -> Vec<(&str, &PathBuf)> {
    let apps = scenario
        .applications
        .iter()
        .filter_map(|a| match &a.source {
            AppSource::Charm { dir, binary } => Some((binary.as_str(), dir)),
            AppSource::Stub(_) => None,
        });
    let upgrades = scenario.steps.iter().filter_map(|s| match &s.kind {
        StepKind::Upgrade { dir, binary, .. } => Some((binary.as_str(), dir)),
        _ => None,
    });
    apps.chain(upgrades).collect()
}

/// Build the charms `scenario` runs and the hook-tool program: the options
/// to run it with (the progress display is closed on failure).
pub fn prepare(scenario: &Scenario, progress: &Progress) -> Result<RunOptions> {
    stop_on_interrupt();
    let built =
        build::charms(&charms_of(scenario), progress).and_then(|b| Ok((b, build::tool_program()?)));
    match built {
        Ok((binaries, tool)) => Ok(RunOptions::new(tool, Binaries::Map(binaries))),
        Err(e) => {
            progress.finish();
            Err(e)
        }
    }
}

/// On Ctrl-C (or SIGTERM, SIGHUP): kill the hook running now with what it
/// started and remove the model's directory (see
/// `charm_sim::interrupt`), then exit 130 as a shell reports SIGINT.
/// Cargo builds started meanwhile get the terminal's signal themselves.
fn stop_on_interrupt() {
    // Installed once per process; a second call changes nothing.
    let _ = ctrlc::set_handler(|| {
        let killed = charm_sim::interrupt::stop_everything();
        eprintln!("\ninterrupted: {killed} running hook(s) killed, the model removed");
        std::process::exit(130);
    });
}

/// Run `cargo charm sim`.
pub fn run(args: &Args) -> Result<()> {
    let scenario = Scenario::load(&args.scenario).map_err(|e| Error(e.to_string()))?;
    let mut progress = Progress::new(args.verbose);
    let mut options = prepare(&scenario, &progress)?;
    options.seed = args.seed;
    options.hook_timeout = args.hook_timeout.map(std::time::Duration::from_secs);
    let result = scenario.run_with_events(&options, &mut |event| match event {
        Event::Step { at, step, .. } => progress.step(at.line, &step.kind.describe()),
        Event::Hook(record) => {
            let summary = HookSummary::from_log(record.logs.iter().map(|(_, m)| m.as_str()));
            progress.hook(
                record.seq,
                &record.unit,
                &record.name,
                record.code,
                &summary,
            );
        }
        // Listed again at the end; as it happens only with --verbose.
        Event::Failed(message) if args.verbose => {
            progress.note(&format!("expectation failed: {message}"));
        }
        Event::Failed(_) => {}
    });
    // Interrupted: the hooks failed because the handler killed them, and
    // the handler, still removing the model, exits 130 itself.
    if charm_sim::interrupt::stopped() {
        loop {
            std::thread::park();
        }
    }
    progress.finish();
    let report = result.map_err(|e| Error(e.to_string()))?;
    finish(args, &report)
}
