//! Scale benchmark: a `mysql-innodb-cluster` peer application of N units
//! settled in the simulator.
//!
//! `cargo bench -p charm-sim --bench scale [-- --units N] [-- --smoke]`
//!
//! Builds the example charm in release mode (`cargo build --release -p
//! mysql-innodb-cluster`, into the same target directory), deploys N units
//! (default 100), runs hooks until none is queued and prints a table: total
//! wall time, hooks run, hooks per second, and per hook the charm process's
//! time ([`charm_sim::HookRecord::elapsed`]) next to the simulator's own
//! overhead (the wall time of the step minus the process time: picking the
//! unit, preparing the hook context, serving nothing, recording the
//! result). Hook-tool calls are answered by the simulator's socket server
//! while the process runs, so they count as process time.
//!
//! Every unit joins every other over the peer relation, so the number of
//! relation hooks grows as n². `--units` takes a comma-separated list to
//! run several sizes in turn (`--units 10,25,50`).
//!
//! `--smoke` runs 3 units only (the charm's minimum cluster), to check that
//! the benchmark works. Run without `--bench` (as `cargo test
//! --all-targets` does), it takes the smoke path too. Nothing here asserts
//! on time; it exits non-zero only if a hook fails or the units do not end
//! clustered.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};

use charm_sim::model::AgentStatus;
use charm_sim::{SimConfig, Simulation};

const APP: &str = "mysql-innodb-cluster";

struct Options {
    units: Vec<u32>,
    seed: u64,
    limit: usize,
    progress: bool,
}

fn usage() -> ! {
    eprintln!(
        "usage: cargo bench -p charm-sim --bench scale -- [--units N[,N...]] [--smoke] \
         [--seed S] [--limit HOOKS] [--quiet]"
    );
    std::process::exit(2)
}

fn parse_args() -> Options {
    let mut args = std::env::args().skip(1);
    let mut options = Options {
        units: vec![100],
        seed: 11,
        limit: 5_000_000,
        progress: true,
    };
    let mut bench = false;
    let mut smoke = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            // `cargo bench` passes `--bench`; `cargo test` does not.
            "--bench" => bench = true,
            "--smoke" => smoke = true,
            "--quiet" => options.progress = false,
            "--units" => {
                let value = args.next().unwrap_or_else(|| usage());
                options.units = value
                    .split(',')
                    .map(|n| match n.trim().parse() {
                        Ok(n) if n >= 1 => n,
                        _ => usage(),
                    })
                    .collect();
            }
            "--seed" => {
                options.seed = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or_else(|| usage());
            }
            "--limit" => {
                options.limit = args
                    .next()
                    .and_then(|s| s.parse().ok())
                    .unwrap_or_else(|| usage());
            }
            "-h" | "--help" => usage(),
            // Anything else cargo's harness protocol passes (a filter).
            _ => {}
        }
    }
    if smoke || !bench {
        options.units = vec![3];
    }
    options
}

/// The workspace root.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("charm-sim is in the workspace")
        .to_path_buf()
}

/// `cargo build --release -p mysql-innodb-cluster` into the same target
/// directory; the release binary.
fn build_charm() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace().join("target"));
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--quiet", "-p", APP])
        .current_dir(workspace())
        .env("CARGO_TARGET_DIR", &target)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building {APP} in release mode failed");
    target.join("release").join(APP)
}

/// What one settled deployment measured.
struct Run {
    units: u32,
    hooks: usize,
    failed: usize,
    clustered: usize,
    wall: Duration,
    process: Duration,
    /// Per-hook simulator overhead (step wall time minus process time).
    overheads: Vec<Duration>,
    /// Hooks run, by kind (`relation-changed`, ...), in first-seen order.
    by_kind: Vec<Kind>,
}

/// The hooks of one kind: how many, their process time, the hook tools
/// they called.
struct Kind {
    kind: String,
    hooks: usize,
    process: Duration,
    tools: BTreeMap<String, u64>,
}

fn run(charm: &Path, units: u32, options: &Options) -> Result<Run, charm_sim::SimError> {
    let config = SimConfig::new(env!("CARGO_BIN_EXE_charm-sim-tool")).with_seed(options.seed);
    let mut sim = Simulation::new(config)?;
    let start = Instant::now();
    sim.deploy(APP, workspace().join("examples").join(APP), charm, units)?;
    let mut overheads = Vec::new();
    let mut process = Duration::ZERO;
    let mut failed = 0;
    let mut by_kind: Vec<Kind> = Vec::new();
    let mut last_report = Instant::now();
    loop {
        if overheads.len() >= options.limit {
            eprintln!("  stopped at the limit of {} hooks", options.limit);
            break;
        }
        let step = Instant::now();
        let Some(record) = sim.step()? else { break };
        let wall = step.elapsed();
        overheads.push(wall.saturating_sub(record.elapsed));
        process += record.elapsed;
        if !record.ok() {
            failed += 1;
            eprintln!(
                "--- {} {} exit {:?}\n{}",
                record.unit, record.name, record.code, record.stderr
            );
        }
        let kind = record.hook.kind();
        let i = match by_kind.iter().position(|k| k.kind == kind) {
            Some(i) => i,
            None => {
                by_kind.push(Kind {
                    kind: kind.to_owned(),
                    hooks: 0,
                    process: Duration::ZERO,
                    tools: BTreeMap::new(),
                });
                by_kind.len() - 1
            }
        };
        let k = &mut by_kind[i];
        k.hooks += 1;
        k.process += record.elapsed;
        for (tool, n) in &record.tool_calls {
            *k.tools.entry(tool.clone()).or_default() += u64::from(*n);
        }
        if options.progress && last_report.elapsed() >= Duration::from_secs(10) {
            last_report = Instant::now();
            let hooks = overheads.len().max(1) as u32;
            let wall = start.elapsed();
            let calls: u64 = by_kind.iter().flat_map(|k| k.tools.values()).sum();
            eprintln!(
                "  {units} units: {} hooks after {:.0} s ({:.1} hooks/s; per hook: process {}, sim overhead {}, {:.1} tool calls)",
                overheads.len(),
                wall.as_secs_f64(),
                overheads.len() as f64 / wall.as_secs_f64().max(1e-9),
                ms(process / hooks),
                ms(wall.saturating_sub(process) / hooks),
                calls as f64 / f64::from(hooks),
            );
        }
    }
    let wall = start.elapsed();
    let clustered = sim
        .model()
        .units
        .values()
        .filter(|u| {
            u.agent == AgentStatus::Idle
                && u.workload.state == "active"
                && u.workload.message == "unit is clustered"
        })
        .count();
    Ok(Run {
        units,
        hooks: overheads.len(),
        failed,
        clustered,
        wall,
        process,
        overheads,
        by_kind,
    })
}

fn ms(d: Duration) -> String {
    format!("{:.3} ms", d.as_secs_f64() * 1e3)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn main() -> ExitCode {
    let options = parse_args();
    eprintln!("building {APP} (release) ...");
    let charm = build_charm();
    let mut runs = Vec::new();
    for &units in &options.units {
        eprintln!(
            "settling {units} units of {APP} (seed {}) ...",
            options.seed
        );
        match run(&charm, units, &options) {
            Ok(r) => runs.push(r),
            Err(e) => {
                eprintln!("{units} units: {e}");
                return ExitCode::FAILURE;
            }
        }
    }

    println!();
    println!(
        "| units | hooks | hooks / n² | wall | hooks/s | process / hook | sim overhead / hook | overhead p50 | overhead p99 | overhead share | clustered |"
    );
    println!("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for r in &runs {
        let hooks = r.hooks.max(1) as u32;
        let overhead = r.wall.saturating_sub(r.process);
        let mut sorted = r.overheads.clone();
        sorted.sort();
        println!(
            "| {} | {} | {:.2} | {:.2} s | {:.1} | {} | {} | {} | {} | {:.1}% | {}/{} |",
            r.units,
            r.hooks,
            r.hooks as f64 / f64::from(r.units * r.units),
            r.wall.as_secs_f64(),
            r.hooks as f64 / r.wall.as_secs_f64().max(1e-9),
            ms(r.process / hooks),
            ms(overhead / hooks),
            ms(percentile(&sorted, 0.5)),
            ms(percentile(&sorted, 0.99)),
            100.0 * overhead.as_secs_f64() / r.wall.as_secs_f64().max(1e-9),
            r.clustered,
            r.units,
        );
    }
    for r in &runs {
        println!();
        println!("{} units, hooks by kind:", r.units);
        println!();
        println!("| hook | count | process / hook | tool calls / hook | by tool, per hook |");
        println!("| --- | ---: | ---: | ---: | --- |");
        for k in &r.by_kind {
            let n = k.hooks.max(1) as f64;
            let total: u64 = k.tools.values().sum();
            let mut tools: Vec<(&String, &u64)> = k.tools.iter().collect();
            tools.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
            let tools: Vec<String> = tools
                .iter()
                .map(|(t, c)| format!("{t} {:.1}", **c as f64 / n))
                .collect();
            println!(
                "| {} | {} | {} | {:.1} | {} |",
                k.kind,
                k.hooks,
                ms(k.process / k.hooks.max(1) as u32),
                total as f64 / n,
                tools.join(", ")
            );
        }
    }

    let bad = runs
        .iter()
        .any(|r| r.failed > 0 || r.clustered != r.units as usize);
    if bad {
        eprintln!("some hooks failed or some units did not end clustered");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
