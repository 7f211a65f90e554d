//! Whole-hook benchmark: `examples/webapp` (this project) against the same
//! charm written for Python charms.reactive (`bench/charms/webapp-reactive`),
//! both run as hook processes in one `charm-sim` model, under the same
//! compiled hook tools (`charm-sim-tool`).
//!
//! ```text
//! charm-bench --bin-dir DIR [--python PY] [--runs N] [--scenario NAME,...]
//!             [--compare DIR2]
//! ```
//!
//! `DIR` holds the release builds of `webapp`, `charm-sim-tool` and this
//! program (`bench/run.sh` builds them and passes the directory). `PY` is
//! the interpreter of a venv with `tools/reference/requirements.txt`
//! (default: `CHARM_REFERENCE_PYTHON`); without one, only the Rust side
//! and the floors are measured.
//!
//! For each scenario (a hook on `webapp/0`, the leader of two units whose
//! `website` endpoint is related to a stub proxy), each of these runs N
//! times, interleaved (the order rotated by one every round), each run in
//! a freshly opened hook of the same kind, prepared the same way:
//!
//! - `rust`: the webapp binary;
//! - `charms.reactive`: the Python charm's hook (`hooks/dispatch.py` under
//!   the venv's python: imports, base layers, `charms.reactive.main()`
//!   with its usual `LogTracer`);
//! - `floor: empty process`: `/bin/true`;
//! - `floor: rust's tool calls`: a minimal process (this program's
//!   `replay` mode) making exactly the tool calls the Rust hook made in
//!   its warm-up run, one after the other, reading each one's stdout
//!   through a pipe: the process and tool calls the hook cannot avoid,
//!   with no framework around them;
//! - `python's tool calls`: the same for the Python hook's calls.
//!
//! With `--compare DIR2`, another build of the webapp (`DIR2/webapp`)
//! runs in every round too, on the same unit as `rust`, and a last table
//! sets the two builds side by side: their quartiles, and the median over
//! the rounds of the other build's wall and CPU time minus this one's.
//! This is how a change to the runtime is measured: two builds, one run,
//! the same rounds.
//!
//! Each run is started by a small measuring process (this program's
//! `meter` mode) that times the child from spawn to exit and reads its
//! peak RSS from `getrusage(RUSAGE_CHILDREN)` (the largest of the process
//! and what it waited for: its tool processes). The table gives the
//! median wall time, the largest peak RSS and the median tool calls per
//! hook; a side's own cost is its median minus the median of the replay
//! of its own calls.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use charm_sim::{Hook, OpenHook, SimConfig, Simulation};
use nix::sys::resource::{UsageWho, getrusage};
use serde_json::{Map, Value, json};

/// The Rust charm's application.
const RUST_APP: &str = "webapp";
/// The Python charm's application.
const PY_APP: &str = "webapp-py";

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    match args.first().and_then(|a| a.to_str()) {
        Some("meter") => meter(&args[1..]),
        Some("replay") => replay(&args[1..]),
        _ => match Options::parse(&args).and_then(|o| run(&o)) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("charm-bench: {e}");
                ExitCode::FAILURE
            }
        },
    }
}

// ---------------------------------------------------------------------------
// The measuring process and the replaying process.

/// `meter PROGRAM [ARGS...]`: run PROGRAM (stdin empty, its output to our
/// stderr) and print `NANOS CHILD_MAXRSS_KB OWN_MAXRSS_KB CHILD_CPU_NANOS
/// EXIT_CODE`, where the child's figures include the processes it waited
/// for (a hook's tool processes).
fn meter(args: &[OsString]) -> ExitCode {
    let Some((program, rest)) = args.split_first() else {
        eprintln!("usage: charm-bench meter PROGRAM [ARGS...]");
        return ExitCode::from(2);
    };
    // The hook's stdout goes to our stderr: our stdout is the result line.
    let stdout = {
        use std::os::fd::AsFd;
        match std::io::stderr().as_fd().try_clone_to_owned() {
            Ok(fd) => Stdio::from(fd),
            Err(_) => Stdio::null(),
        }
    };
    let start = Instant::now();
    let status = Command::new(program)
        .args(rest)
        .stdin(Stdio::null())
        .stdout(stdout)
        .status();
    let elapsed = start.elapsed();
    let status = match status {
        Ok(status) => status,
        Err(e) => {
            eprintln!("charm-bench meter: cannot run {}: {e}", program.display());
            return ExitCode::from(2);
        }
    };
    let rss = |who| getrusage(who).map(|u| u.max_rss()).unwrap_or(0);
    let cpu = getrusage(UsageWho::RUSAGE_CHILDREN)
        .map(|u| {
            use nix::sys::time::{TimeVal, TimeValLike};
            let nanos = |t: TimeVal| t.num_microseconds() * 1_000;
            nanos(u.user_time()) + nanos(u.system_time())
        })
        .unwrap_or(0);
    println!(
        "{} {} {} {} {}",
        elapsed.as_nanos(),
        rss(UsageWho::RUSAGE_CHILDREN),
        rss(UsageWho::RUSAGE_SELF),
        cpu,
        status.code().unwrap_or(-1)
    );
    ExitCode::SUCCESS
}

/// `replay CALLS.json`: make the tool calls listed (`[{"tool", "args",
/// "stdin"}]`) one after the other, as a hook process would: each tool's
/// stdout read through a pipe to its end (a hook learns what a read tool
/// returned no other way), its stderr left to ours; a call that
/// read standard input gets an empty YAML mapping, and so does one that
/// named a settings file (`relation-set --file PATH`: charmhelpers writes a
/// temporary file, gone by now). Exits 1 if one failed.
fn replay(args: &[OsString]) -> ExitCode {
    let Some(file) = args.first() else {
        eprintln!("usage: charm-bench replay CALLS.json");
        return ExitCode::from(2);
    };
    let calls: Vec<Value> = match std::fs::read(file)
        .map_err(|e| e.to_string())
        .and_then(|b| serde_json::from_slice(&b).map_err(|e| e.to_string()))
    {
        Ok(calls) => calls,
        Err(e) => {
            eprintln!("charm-bench replay: {}: {e}", Path::new(file).display());
            return ExitCode::from(2);
        }
    };
    let settings = std::env::temp_dir().join(format!("charm-bench-{}.yaml", std::process::id()));
    if let Err(e) = std::fs::write(&settings, "{}\n") {
        eprintln!("charm-bench replay: {}: {e}", settings.display());
        return ExitCode::from(2);
    }
    let settings = settings.to_string_lossy().into_owned();
    let mut failed = false;
    for call in &calls {
        let tool = call["tool"].as_str().unwrap_or_default();
        let mut args: Vec<&str> = call["args"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for i in 1..args.len() {
            if args[i - 1] == "--file" && args[i] != "-" {
                args[i] = &settings;
            }
        }
        let stdin = call["stdin"].as_bool().unwrap_or(false);
        let child = Command::new(tool)
            .args(&args)
            .stdin(if stdin { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .spawn();
        let ok = child.and_then(|mut child| {
            if let Some(mut input) = child.stdin.take() {
                input.write_all(b"{}\n")?;
            }
            child.wait_with_output()
        });
        match ok.map(|output| output.status) {
            Ok(status) if status.success() => {}
            Ok(status) => {
                eprintln!("charm-bench replay: {tool} {args:?}: {status}");
                failed = true;
            }
            Err(e) => {
                eprintln!("charm-bench replay: {tool}: {e}");
                failed = true;
            }
        }
    }
    let _ = std::fs::remove_file(&settings);
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

// ---------------------------------------------------------------------------
// Options.

struct Options {
    bin_dir: PathBuf,
    /// A directory holding another build of the webapp, run alongside.
    compare: Option<PathBuf>,
    python: Option<PathBuf>,
    runs: usize,
    scenarios: Vec<Scenario>,
}

impl Options {
    fn parse(args: &[OsString]) -> Result<Self, String> {
        let usage = "usage: charm-bench --bin-dir DIR [--python PY] [--runs N] \
                     [--scenario update-status,config-changed,cluster-relation-changed] \
                     [--compare DIR2]";
        let mut options = Options {
            bin_dir: PathBuf::new(),
            compare: None,
            python: std::env::var_os("CHARM_REFERENCE_PYTHON").map(PathBuf::from),
            runs: 30,
            scenarios: Scenario::ALL.to_vec(),
        };
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            let mut value = || it.next().cloned().ok_or_else(|| usage.to_owned());
            match arg.to_str() {
                Some("--bin-dir") => options.bin_dir = PathBuf::from(value()?),
                Some("--compare") => options.compare = Some(PathBuf::from(value()?)),
                Some("--python") => options.python = Some(PathBuf::from(value()?)),
                Some("--no-python") => options.python = None,
                Some("--runs") => {
                    options.runs = value()?
                        .to_str()
                        .and_then(|s| s.parse().ok())
                        .filter(|n| *n >= 1)
                        .ok_or_else(|| usage.to_owned())?;
                }
                Some("--scenario") => {
                    let value = value()?;
                    options.scenarios = value
                        .to_str()
                        .unwrap_or_default()
                        .split(',')
                        .map(|name| {
                            Scenario::ALL
                                .into_iter()
                                .find(|s| s.name() == name.trim())
                                .ok_or_else(|| format!("no scenario {name:?}; {usage}"))
                        })
                        .collect::<Result<_, _>>()?;
                }
                _ => return Err(usage.to_owned()),
            }
        }
        if options.bin_dir.as_os_str().is_empty() {
            return Err(usage.to_owned());
        }
        Ok(options)
    }
}

// ---------------------------------------------------------------------------
// Scenarios.

/// A hook measured on the leader of each application, prepared the same
/// way before every run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    /// `update-status`: nothing changed.
    UpdateStatus,
    /// `config-changed` after `site-title` changed: the configuration is
    /// rendered again (leader-get, the peers' data).
    ConfigChanged,
    /// `cluster-relation-changed` after the peer's `address` changed: the
    /// peer interface reads its data and the configuration is rendered.
    PeerChanged,
}

impl Scenario {
    const ALL: [Scenario; 3] = [
        Scenario::UpdateStatus,
        Scenario::ConfigChanged,
        Scenario::PeerChanged,
    ];

    fn name(self) -> &'static str {
        match self {
            Scenario::UpdateStatus => "update-status",
            Scenario::ConfigChanged => "config-changed",
            Scenario::PeerChanged => "cluster-relation-changed",
        }
    }

    /// Make the change the hook reacts to (run `i`) and return the hook.
    fn prepare(self, bench: &mut Bench, app: &str, i: usize) -> Result<Hook, String> {
        match self {
            Scenario::UpdateStatus => Ok(Hook::UpdateStatus),
            Scenario::ConfigChanged => {
                let mut values = Map::new();
                values.insert("site-title".into(), json!(format!("title {}", i % 2)));
                bench
                    .sim
                    .config_set(app, values)
                    .map_err(|e| e.to_string())?;
                Ok(Hook::ConfigChanged)
            }
            Scenario::PeerChanged => {
                // The peer publishes a new address in a hook of its own.
                let peer = format!("{app}/1");
                let relation = bench.peer_relation(app)?;
                let open = bench
                    .sim
                    .open_hook(&peer, Hook::UpdateStatus)
                    .map_err(|e| e.to_string())?;
                let address = format!("address=\"10.9.9.{}\"", i % 2);
                let rid = format!("cluster:{relation}");
                let status = Command::new(open.tools_dir().join("relation-set"))
                    .args(["-r", &rid, &address])
                    .env_clear()
                    .envs(open.env().iter().map(|(k, v)| (k, v)))
                    .status()
                    .map_err(|e| e.to_string())?;
                bench
                    .sim
                    .finish_hook(open, status.success())
                    .map_err(|e| e.to_string())?;
                if !status.success() {
                    return Err(format!("relation-set on {peer} failed"));
                }
                Ok(Hook::RelationChanged {
                    relation,
                    unit: Some(peer),
                })
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The model and one measured run.

/// What is run as the hook's process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Side {
    Rust,
    /// The other build of `--compare`.
    Compare,
    Python,
    Empty,
    ReplayRust,
    ReplayPython,
}

impl Side {
    fn label(self, calls: &BTreeMap<Side, usize>) -> String {
        match self {
            Side::Rust => "this project (webapp)".into(),
            Side::Compare => "the other build (--compare)".into(),
            Side::Python => "charms.reactive 1.5.3".into(),
            Side::Empty => "floor: empty process (/bin/true)".into(),
            Side::ReplayRust => format!(
                "floor: minimal process + the Rust hook's {} tool calls",
                calls.get(&Side::Rust).copied().unwrap_or(0)
            ),
            Side::ReplayPython => format!(
                "minimal process + the Python hook's {} tool calls",
                calls.get(&Side::Python).copied().unwrap_or(0)
            ),
        }
    }

    /// The application whose unit runs it.
    fn app(self) -> &'static str {
        match self {
            Side::Python | Side::ReplayPython => PY_APP,
            _ => RUST_APP,
        }
    }
}

/// One run: wall time, peak RSS (KiB), CPU time (user + system, the
/// tool processes included), tool calls.
#[derive(Debug, Clone)]
struct Sample {
    wall: Duration,
    cpu: Duration,
    rss_kib: u64,
    calls: Vec<Value>,
}

struct Bench {
    sim: Simulation,
    me: PathBuf,
    rust_binary: PathBuf,
    /// `--compare`'s build of the webapp.
    compare_binary: Option<PathBuf>,
    python_hook: Option<PathBuf>,
    work: PathBuf,
}

impl Bench {
    /// Two units of each charm, each `website` related to a stub proxy,
    /// settled.
    fn new(options: &Options) -> Result<Self, String> {
        let tool = options.bin_dir.join("charm-sim-tool");
        let rust_binary = options.bin_dir.join("webapp");
        let compare_binary = options.compare.as_ref().map(|d| d.join("webapp"));
        for file in [&tool, &rust_binary].into_iter().chain(&compare_binary) {
            if !file.is_file() {
                return Err(format!("{} is not built", file.display()));
            }
        }
        let me = std::env::current_exe().map_err(|e| e.to_string())?;
        let sim = Simulation::new(SimConfig::new(&tool).with_seed(5)).map_err(|e| e.to_string())?;
        let work = sim.dir().join("bench");
        std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
        let mut bench = Bench {
            sim,
            me,
            rust_binary,
            compare_binary,
            python_hook: None,
            work,
        };
        let root = workspace();
        let webapp = root.join("examples/webapp");
        bench.deploy(RUST_APP, &webapp, &bench.rust_binary.clone(), "proxy")?;
        if let Some(python) = &options.python {
            let charm = bench.python_charm(&root, &webapp)?;
            let hook = bench.work.join("webapp-reactive-hook");
            let body = std::fs::read_to_string(
                root.join("bench/charms/webapp-reactive/hooks/dispatch.py"),
            )
            .map_err(|e| e.to_string())?;
            std::fs::write(&hook, format!("#!{}\n{body}", python.display()))
                .map_err(|e| e.to_string())?;
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755))
                .map_err(|e| e.to_string())?;
            bench.deploy(PY_APP, &charm, &hook, "proxy-py")?;
            bench.python_hook = Some(hook);
        }
        let report = bench.sim.settle(1000).map_err(|e| e.to_string())?;
        if !report.in_error.is_empty() || !report.failed.is_empty() {
            let logs: Vec<String> = bench
                .sim
                .history()
                .iter()
                .filter(|r| !r.ok())
                .map(|r| format!("{} {}: {}", r.unit, r.name, r.stderr))
                .collect();
            return Err(format!(
                "the model did not settle cleanly: {:?}\n{}",
                report.failed,
                logs.join("\n")
            ));
        }
        if options.python.is_some() {
            bench.same_behaviour()?;
        }
        Ok(bench)
    }

    /// Both charms did the same thing: each unit's workload status, open
    /// ports and rendered `webapp.conf` (title, port, maintenance, number
    /// of peers) match its counterpart's in the other application.
    fn same_behaviour(&self) -> Result<(), String> {
        let model = self.sim.model();
        for n in 0..2 {
            let rust = &model.units[&format!("{RUST_APP}/{n}")];
            let py = &model.units[&format!("{PY_APP}/{n}")];
            let conf = |dir: &Path| {
                let text = std::fs::read_to_string(dir.join("webapp.conf")).unwrap_or_default();
                text.lines()
                    .map(|l| match l.split_once(" = ") {
                        // The cluster id (a digest of the leader's name)
                        // and the addresses differ between applications.
                        Some(("cluster", v)) => format!("cluster: {} chars", v.len()),
                        Some(("peers", v)) => format!("peers: {}", v.matches('"').count() / 2),
                        _ => l.to_owned(),
                    })
                    .collect::<Vec<_>>()
            };
            let (a, b) = (conf(&rust.charm_dir), conf(&py.charm_dir));
            if rust.workload != py.workload || rust.ports != py.ports || a != b || a.is_empty() {
                return Err(format!(
                    "the two charms differ on unit {n}: {:?} {:?} {a:?} against {:?} {:?} {b:?}",
                    rust.workload, rust.ports, py.workload, py.ports
                ));
            }
        }
        Ok(())
    }

    fn deploy(
        &mut self,
        app: &str,
        charm: &Path,
        binary: &Path,
        proxy: &str,
    ) -> Result<(), String> {
        use charm_sim::model::Role;
        use charm_sim::stub::{Stub, StubEndpoint};
        self.sim
            .deploy(app, charm, binary, 2)
            .map_err(|e| e.to_string())?;
        let stub = Stub {
            endpoints: BTreeMap::from([(
                "website".to_owned(),
                StubEndpoint {
                    role: Role::Requires,
                    ..StubEndpoint::provides("http")
                },
            )]),
            ..Stub::default()
        };
        self.sim
            .deploy_stub(proxy, stub, 1)
            .map_err(|e| e.to_string())?;
        self.sim.relate(app, proxy).map_err(|e| e.to_string())?;
        Ok(())
    }

    /// The Python charm's directory: `bench/charms/webapp-reactive` with
    /// the webapp's own metadata.yaml and config.yaml.
    fn python_charm(&self, root: &Path, webapp: &Path) -> Result<PathBuf, String> {
        let dir = self.work.join("webapp-reactive");
        copy_tree(&root.join("bench/charms/webapp-reactive"), &dir).map_err(|e| e.to_string())?;
        for file in ["metadata.yaml", "config.yaml"] {
            std::fs::copy(webapp.join(file), dir.join(file)).map_err(|e| e.to_string())?;
        }
        Ok(dir)
    }

    fn peer_relation(&self, app: &str) -> Result<u32, String> {
        self.sim
            .model()
            .relations
            .values()
            .find(|r| r.is_peer() && r.ends.iter().any(|e| e.app == app))
            .map(|r| r.id)
            .ok_or_else(|| format!("{app} has no peer relation"))
    }

    /// Prepare `scenario`, run `side` as the hook of `app/0`, end the hook,
    /// settle what it queued.
    fn run(
        &mut self,
        scenario: Scenario,
        side: Side,
        i: usize,
        replays: &BTreeMap<Side, PathBuf>,
    ) -> Result<Sample, String> {
        let app = side.app();
        let unit = format!("{app}/0");
        let hook = scenario.prepare(self, app, i)?;
        self.sim.clear_tool_calls();
        let open = self.sim.open_hook(&unit, hook).map_err(|e| e.to_string())?;
        let program: Vec<OsString> = match side {
            Side::Rust => vec![self.rust_binary.clone().into()],
            Side::Compare => vec![self.compare_binary.clone().ok_or("no other build")?.into()],
            Side::Python => vec![self.python_hook.clone().ok_or("no python side")?.into()],
            Side::Empty => vec!["/bin/true".into()],
            Side::ReplayRust | Side::ReplayPython => vec![
                self.me.clone().into(),
                "replay".into(),
                replays.get(&side).ok_or("no calls to replay")?.into(),
            ],
        };
        let result = self.measure(&open, &program);
        let ok = matches!(&result, Ok(m) if m.code == 0);
        let name = open.name().to_owned();
        self.sim.finish_hook(open, ok).map_err(|e| e.to_string())?;
        let Measured {
            wall,
            cpu,
            rss_kib,
            code,
        } = result?;
        if code != 0 {
            return Err(format!("{side:?} failed in {name} on {unit} (exit {code})"));
        }
        let calls = self
            .sim
            .tool_calls()
            .into_iter()
            .filter(|c| c.unit == unit)
            .map(|c| json!({"tool": c.tool, "args": c.args, "stdin": c.stdin}))
            .collect();
        let report = self.sim.settle(100).map_err(|e| e.to_string())?;
        if !report.in_error.is_empty() {
            return Err(format!(
                "after {name}: units in error {:?}",
                report.in_error
            ));
        }
        Ok(Sample {
            wall,
            cpu,
            rss_kib,
            calls,
        })
    }

    /// Run `program` under the meter in `open`'s environment, in the
    /// unit's charm directory, as the simulator runs a hook process.
    fn measure(&self, open: &OpenHook, program: &[OsString]) -> Result<Measured, String> {
        let charm_dir = self
            .sim
            .model()
            .units
            .get(open.unit())
            .map(|u| u.charm_dir.clone())
            .ok_or("no unit")?;
        let mut command = Command::new(&self.me);
        command
            .arg("meter")
            .args(program)
            .current_dir(charm_dir)
            .env_clear()
            .stdin(Stdio::null());
        for var in ["HOME", "TMPDIR", "LANG"] {
            if let Some(v) = std::env::var_os(var) {
                command.env(var, v);
            }
        }
        command.envs(open.env().iter().map(|(k, v)| (k, v)));
        let out = command.output().map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&out.stdout);
        let fields: Vec<i64> = text
            .split_whitespace()
            .filter_map(|f| f.parse().ok())
            .collect();
        let [nanos, child_kib, _own_kib, cpu, code] = fields[..] else {
            return Err(format!(
                "the meter failed: {}{}",
                text,
                String::from_utf8_lossy(&out.stderr)
            ));
        };
        if code != 0 {
            eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        }
        Ok(Measured {
            wall: Duration::from_nanos(nanos.max(0) as u64),
            cpu: Duration::from_nanos(cpu.max(0) as u64),
            rss_kib: child_kib.max(0) as u64,
            code: code as i32,
        })
    }
}

/// What the meter reported.
struct Measured {
    wall: Duration,
    cpu: Duration,
    rss_kib: u64,
    code: i32,
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if name == "__pycache__" {
            continue;
        }
        if entry.file_type()?.is_dir() {
            copy_tree(&entry.path(), &to.join(&name))?;
        } else {
            std::fs::copy(entry.path(), to.join(&name))?;
        }
    }
    Ok(())
}

/// The workspace root.
fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("bench/ is in the workspace")
        .to_path_buf()
}

// ---------------------------------------------------------------------------
// The run and the tables.

/// Medians and peaks of one side in one scenario.
#[derive(Debug, Clone, Copy)]
struct Summary {
    median: Duration,
    cpu: Duration,
    rss_kib: u64,
    calls: usize,
    /// The first and third quartiles of the wall time.
    quartiles: (Duration, Duration),
    /// For a charm: the median over rounds of its wall time minus that of
    /// the replay of its calls in the same round, in seconds.
    paired_own: Option<f64>,
    /// For the other build: the medians over rounds of its wall and CPU
    /// time minus this project's in the same round, in seconds.
    paired_vs_rust: Option<(f64, f64)>,
}

/// The median of `of(hooks[i]) - of(replays[i])` (seconds) over the
/// rounds: both ran in the same round, so what slowed a whole round
/// cancels out.
fn paired_median(hooks: &[Sample], replays: &[Sample], of: fn(&Sample) -> Duration) -> f64 {
    let mut diffs: Vec<f64> = hooks
        .iter()
        .zip(replays)
        .map(|(h, r)| of(h).as_secs_f64() - of(r).as_secs_f64())
        .collect();
    diffs.sort_by(f64::total_cmp);
    median_secs(&diffs)
}

fn summarize(samples: &[Sample]) -> Summary {
    let mut walls: Vec<Duration> = samples.iter().map(|s| s.wall).collect();
    walls.sort();
    let mut calls: Vec<usize> = samples.iter().map(|s| s.calls.len()).collect();
    calls.sort();
    let mut cpu: Vec<Duration> = samples.iter().map(|s| s.cpu).collect();
    cpu.sort();
    Summary {
        median: median(&walls),
        quartiles: (walls[walls.len() / 4], walls[walls.len() * 3 / 4]),
        cpu: median(&cpu),
        rss_kib: samples.iter().map(|s| s.rss_kib).max().unwrap_or(0),
        calls: calls[calls.len() / 2],
        paired_own: None,
        paired_vs_rust: None,
    }
}

fn median(sorted: &[Duration]) -> Duration {
    let secs: Vec<f64> = sorted.iter().map(Duration::as_secs_f64).collect();
    Duration::from_secs_f64(median_secs(&secs))
}

/// The median of `sorted` (0 when empty): the middle value, or the mean of
/// the two middle ones.
fn median_secs(sorted: &[f64]) -> f64 {
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[n / 2],
        n => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

fn run(options: &Options) -> Result<(), String> {
    let python = options.python.is_some();
    if !python {
        eprintln!(
            "charm-bench: no Python reference (--python or CHARM_REFERENCE_PYTHON): Rust side and floors only"
        );
    }
    let started = Instant::now();
    let mut bench = Bench::new(options)?;
    eprintln!("model settled in {:.1} s", started.elapsed().as_secs_f64());
    let mut results = Vec::new();
    for &scenario in &options.scenarios {
        // Warm-up: one run of each charm (not counted) records the tool
        // calls the replays make.
        let mut replays = BTreeMap::new();
        let mut sides = vec![Side::Rust];
        if python {
            sides.push(Side::Python);
        }
        for side in sides.clone() {
            let sample = bench.run(scenario, side, 0, &replays)?;
            let file = bench
                .work
                .join(format!("{}-{side:?}.json", scenario.name()));
            std::fs::write(&file, Value::Array(sample.calls).to_string())
                .map_err(|e| e.to_string())?;
            let replay = if side == Side::Rust {
                Side::ReplayRust
            } else {
                Side::ReplayPython
            };
            replays.insert(replay, file);
        }
        sides.push(Side::Empty);
        if options.compare.is_some() {
            sides.push(Side::Compare);
        }
        sides.push(Side::ReplayRust);
        if python {
            sides.push(Side::ReplayPython);
        }
        let mut samples: BTreeMap<Side, Vec<Sample>> = BTreeMap::new();
        for i in 1..=options.runs {
            // Each round starts one side later, so that every process
            // follows every other one equally often: what ran before
            // (a Python hook evicts the caches) weighs on all alike.
            sides.rotate_left(1);
            for &side in &sides {
                let sample = bench.run(scenario, side, i, &replays)?;
                samples.entry(side).or_default().push(sample);
            }
            eprint!(
                "\r{}: {i}/{} runs ({:.0} s)",
                scenario.name(),
                options.runs,
                started.elapsed().as_secs_f64()
            );
        }
        eprintln!();
        if python {
            bench.same_behaviour()?;
        }
        let mut summaries: BTreeMap<Side, Summary> = samples
            .iter()
            .map(|(side, s)| (*side, summarize(s)))
            .collect();
        for (side, replay) in [
            (Side::Rust, Side::ReplayRust),
            (Side::Python, Side::ReplayPython),
        ] {
            if let (Some(hooks), Some(replays), Some(summary)) = (
                samples.get(&side),
                samples.get(&replay),
                summaries.get_mut(&side),
            ) {
                summary.paired_own = Some(paired_median(hooks, replays, |s| s.wall));
            }
        }
        if let (Some(ours), Some(other), Some(summary)) = (
            samples.get(&Side::Rust),
            samples.get(&Side::Compare),
            summaries.get_mut(&Side::Compare),
        ) {
            summary.paired_vs_rust = Some((
                paired_median(other, ours, |s| s.wall),
                paired_median(other, ours, |s| s.cpu),
            ));
        }
        let calls_of = |side| {
            let s: &Vec<Sample> = &samples[&side];
            s.last()
                .map(|s| s.calls.iter().map(command_line).collect::<Vec<_>>())
                .unwrap_or_default()
        };
        let rust_calls = calls_of(Side::Rust);
        let py_calls = if python {
            calls_of(Side::Python)
        } else {
            Vec::new()
        };
        results.push((scenario, summaries, rust_calls, py_calls));
    }
    print_tables(options, &results);
    Ok(())
}

/// A recorded tool call as a short command line on one line: each
/// argument cut to 32 characters (juju-log messages, file names).
fn command_line(call: &Value) -> String {
    let mut line = call["tool"].as_str().unwrap_or("?").to_owned();
    for arg in call["args"].as_array().into_iter().flatten() {
        let arg = arg.as_str().unwrap_or_default();
        line.push(' ');
        if arg.chars().count() > 32 {
            line.extend(arg.chars().take(31));
            line.push('…');
        } else {
            line.push_str(arg);
        }
    }
    if call["stdin"].as_bool() == Some(true) {
        line.push_str(" < stdin");
    }
    format!("`{}`", line.replace('`', "'").replace('\n', " "))
}

type Results = [(Scenario, BTreeMap<Side, Summary>, Vec<String>, Vec<String>)];

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1e3)
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

/// An own cost in seconds as milliseconds, `-` when not measured.
fn own_ms(seconds: Option<f64>) -> String {
    seconds.map_or("-".into(), |v| format!("{:.2} ms", v * 1e3))
}

/// charms.reactive's own cost over this project's, when both were
/// measured; an own cost at or below zero (the hook overlapped its work
/// with its tool calls and beat their replay) has no ratio.
fn ratio(rust: Option<f64>, python: Option<f64>) -> String {
    match (rust, python) {
        (Some(r), Some(p)) if r > 0.0 => format!("{:.0}×", p / r),
        (Some(_), Some(_)) => "(below zero)".into(),
        _ => "-".into(),
    }
}

fn print_tables(options: &Options, results: &Results) {
    println!(
        "### Whole hooks: median of {} runs each, interleaved\n",
        options.runs
    );
    println!(
        "| hook | process | wall (median) | CPU, user + system (median) | peak RSS | tool calls |"
    );
    println!("| --- | --- | ---: | ---: | ---: | ---: |");
    for (scenario, summaries, _, _) in results {
        let calls: BTreeMap<Side, usize> = summaries.iter().map(|(k, v)| (*k, v.calls)).collect();
        for (side, s) in summaries {
            println!(
                "| {} | {} | {} | {} | {} | {} |",
                scenario.name(),
                side.label(&calls),
                ms(s.median),
                ms(s.cpu),
                mib(s.rss_kib),
                if matches!(side, Side::Rust | Side::Python) {
                    s.calls.to_string()
                } else {
                    "-".into()
                }
            );
        }
    }
    println!("\n### Against the goals\n");
    println!(
        "Own cost = the side's median minus the median of a minimal process \
         replaying its own tool calls; whole / floor = this project's hook \
         against the minimal process making the same tool calls.\n"
    );
    println!(
        "| hook | own wall: this project | own wall: charms.reactive | ratio | own CPU: this project | own CPU: charms.reactive | ratio | whole / floor | peak RSS | tool calls (this project / charms.reactive) |"
    );
    println!("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (scenario, s, _, _) in results {
        let own = |side: Side, replay: Side, f: fn(&Summary) -> Duration| match (
            s.get(&side),
            s.get(&replay),
        ) {
            (Some(a), Some(b)) => Some(f(a).as_secs_f64() - f(b).as_secs_f64()),
            _ => None,
        };
        let wall = |x: &Summary| x.median;
        let cpu = |x: &Summary| x.cpu;
        let (rust_wall, py_wall) = (
            own(Side::Rust, Side::ReplayRust, wall),
            own(Side::Python, Side::ReplayPython, wall),
        );
        let (rust_cpu, py_cpu) = (
            own(Side::Rust, Side::ReplayRust, cpu),
            own(Side::Python, Side::ReplayPython, cpu),
        );
        let rust = s[&Side::Rust];
        let floor = s[&Side::ReplayRust].median.as_secs_f64();
        println!(
            "| {} | {} | {} | {} | {} | {} | {} | {:.2} | {} | {} / {} |",
            scenario.name(),
            own_ms(rust_wall),
            own_ms(py_wall),
            ratio(rust_wall, py_wall),
            own_ms(rust_cpu),
            own_ms(py_cpu),
            ratio(rust_cpu, py_cpu),
            rust.median.as_secs_f64() / floor,
            mib(rust.rss_kib),
            rust.calls,
            s.get(&Side::Python)
                .map_or("-".into(), |p| p.calls.to_string()),
        );
    }
    println!(
        "\nThe same own cost estimated round by round: the median over the runs of \
         the hook's wall time minus that of the replay of its calls in the same \
         round (each round runs every process once), which cancels what slowed \
         a whole round.\n"
    );
    println!(
        "| hook | own wall, paired: this project | own wall, paired: charms.reactive | ratio |"
    );
    println!("| --- | ---: | ---: | ---: |");
    for (scenario, s, _, _) in results {
        let paired = |side: Side| s.get(&side).and_then(|x| x.paired_own);
        let (rust, py) = (paired(Side::Rust), paired(Side::Python));
        println!(
            "| {} | {} | {} | {} |",
            scenario.name(),
            own_ms(rust),
            own_ms(py),
            ratio(rust, py),
        );
    }
    if options.compare.is_some() {
        print_comparison(results);
    }
    println!("\n### Tool calls per hook (last run)");
    for (scenario, _, rust, py) in results {
        println!("\n{}, this project:\n", scenario.name());
        for (i, call) in rust.iter().enumerate() {
            println!("{}. {call}", i + 1);
        }
        if !py.is_empty() {
            println!("\n{}, charms.reactive:\n", scenario.name());
            for (i, call) in py.iter().enumerate() {
                println!("{}. {call}", i + 1);
            }
        }
    }
}

/// The `--compare` table: this build and the other, run in the same
/// rounds.
fn print_comparison(results: &Results) {
    println!("\n### This build against the other (--compare)\n");
    println!(
        "Wall time quartiles of each build, and the median over the rounds of \
         the other build's time minus this one's (both ran in every round): \
         below zero, the other build is faster.\n"
    );
    println!(
        "| hook | this build: p25 / median / p75 | other build: p25 / median / p75 | \
         other - this, wall (paired) | other - this, CPU (paired) |"
    );
    println!("| --- | ---: | ---: | ---: | ---: |");
    let quartiles = |s: &Summary| {
        format!(
            "{:.2} / {:.2} / {:.2} ms",
            s.quartiles.0.as_secs_f64() * 1e3,
            s.median.as_secs_f64() * 1e3,
            s.quartiles.1.as_secs_f64() * 1e3
        )
    };
    for (scenario, summaries, _, _) in results {
        let (Some(this), Some(other)) = (summaries.get(&Side::Rust), summaries.get(&Side::Compare))
        else {
            continue;
        };
        let (wall, cpu) = other.paired_vs_rust.unwrap_or_default();
        println!(
            "| {} | {} | {} | {:+.2} ms | {:+.2} ms |",
            scenario.name(),
            quartiles(this),
            quartiles(other),
            wall * 1e3,
            cpu * 1e3
        );
    }
}
