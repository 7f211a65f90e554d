//! Unit state benchmark: what the SQLite unit state costs one hook.
//!
//! `cargo bench -p charm-runtime --bench unit_state`
//!
//! Every hook is a new process that opens `.unit-state.db`, reads the
//! journal and every key, and closes it; a hook that changed something also
//! commits its changes with the journal of the writes it owes Juju (one
//! synced transaction) and, once they are sent, trims the journal. This
//! bench repeats exactly that sequence with [`SqliteStore`] on a database in
//! the system's temporary directory holding 40 keys (about what the webapp
//! example keeps), so the database work of a hook can be compared between
//! builds without the noise of process creation and hook tools; for a
//! committing hook in a new process it also gives each step's median. The
//! committing case includes the sync to disk, so it depends on the disk.

use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

use charm_runtime::state::Change;
use charm_runtime::{SqliteStore, StateStore};

/// Median time, in µs, of `runs` runs of `hook` after 20 unmeasured ones.
fn median_us(runs: usize, mut hook: impl FnMut()) -> f64 {
    for _ in 0..20 {
        hook();
    }
    let mut samples: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            hook();
            t.elapsed().as_nanos() as f64 / 1_000.0
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[runs / 2]
}

fn change(key: &str, value: &str) -> Change {
    Change {
        key: key.to_owned(),
        value: Some(value.to_owned()),
    }
}

/// What a hook that changes nothing does with its unit state.
fn unchanged_hook(path: &Path) {
    let mut store = SqliteStore::open(path).expect("open");
    black_box(store.journal().expect("journal"));
    black_box(store.load().expect("load"));
}

/// The steps of a committing hook, as [`committing_hook`] times them.
const STEPS: [&str; 5] = [
    "open",
    "read the journal and the keys",
    "commit (synced)",
    "trim the journal",
    "close",
];

/// What a hook that sets two flags and owes Juju one relation write does;
/// how long each of [`STEPS`] took, in µs.
fn committing_hook(path: &Path, n: usize) -> [f64; 5] {
    let mut times = [0.0; 5];
    let mut last = Instant::now();
    let mut mark = |step: usize| {
        let now = Instant::now();
        times[step] = (now - last).as_nanos() as f64 / 1_000.0;
        last = now;
    };
    let mut store = SqliteStore::open(path).expect("open");
    mark(0);
    black_box(store.journal().expect("journal"));
    black_box(store.load().expect("load"));
    mark(1);
    let changes = [
        change("reactive.states.bench.configured", "null"),
        change("reactive.states.bench.started", "null"),
        change(
            "reactive.data_changed.bench.config",
            &format!("\"{n:064}\""),
        ),
    ];
    let journal = format!(r#"{{"writes":[{{"relation-set":{{"serial":{n}}}}}]}}"#);
    store
        .commit_journaled(&changes, Some(&journal))
        .expect("commit");
    mark(2);
    store.trim_journal(None).expect("trim");
    mark(3);
    drop(store);
    mark(4);
    times
}

/// What one child process does: `nothing`, `unchanged` or `committing`
/// (with its serial number) on the database at `path`. A committing one
/// prints the time of each step on stdout.
fn child(what: &str, path: &Path, n: usize) {
    match what {
        "unchanged" => unchanged_hook(path),
        "committing" => {
            let times = committing_hook(path, n).map(|t| t.to_string());
            println!("{}", times.join(" "));
        }
        _ => {}
    }
}

/// Median time, in µs, of a new process (this program) doing `what`, and
/// the median of each number the processes printed.
fn process_median_us(runs: usize, what: &str, path: &Path) -> (f64, Vec<f64>) {
    let exe = std::env::current_exe().expect("own path");
    let mut n = 0;
    let mut printed: Vec<Vec<f64>> = Vec::new();
    let total = median_us(runs, || {
        n += 1;
        let out = std::process::Command::new(&exe)
            .args(["--child", what])
            .arg(path)
            .arg(n.to_string())
            .output()
            .expect("run child");
        assert!(out.status.success(), "child {what} failed");
        let numbers = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(|t| t.parse().expect("a time"))
            .collect::<Vec<f64>>();
        for (i, t) in numbers.into_iter().enumerate() {
            if printed.len() <= i {
                printed.push(Vec::new());
            }
            printed[i].push(t);
        }
    });
    let medians = printed
        .into_iter()
        .map(|mut samples| {
            samples.sort_by(f64::total_cmp);
            samples[samples.len() / 2]
        })
        .collect();
    (total, medians)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, what, path, n] = args.as_slice()
        && flag == "--child"
    {
        child(what, Path::new(path), n.parse().expect("serial"));
        return;
    }
    // Otherwise `cargo bench` passed `--bench`: run everything.
    let dir = std::env::temp_dir().join(format!("charm-unit-state-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");
    let path = dir.join(".unit-state.db");
    {
        let mut store = SqliteStore::open(&path).expect("open");
        let keys: Vec<Change> = (0..40)
            .map(|i| change(&format!("reactive.states.bench.flag{i}"), "null"))
            .collect();
        store.commit(&keys).expect("seed");
    }
    let runs = 1_000;
    let unchanged = median_us(runs, || unchanged_hook(&path));
    let mut n = 0;
    let committing = median_us(runs, || {
        n += 1;
        black_box(committing_hook(&path, n));
    });
    let (empty, _) = process_median_us(runs, "nothing", &path);
    let unchanged_cold = process_median_us(runs, "unchanged", &path).0 - empty;
    let (committing_total, steps) = process_median_us(runs, "committing", &path);
    let committing_cold = committing_total - empty;
    println!(
        "unit state, median of {runs} hooks (40 keys, {}):",
        dir.display()
    );
    println!("                              in one process   each in a new process");
    println!("  hook that changes nothing: {unchanged:8.1} µs      {unchanged_cold:8.1} µs");
    println!("  hook that commits:         {committing:8.1} µs      {committing_cold:8.1} µs");
    println!(
        "(a new process: its median minus that of a process of this program doing nothing, {empty:.1} µs)"
    );
    println!("a hook that commits, in a new process, median of each step:");
    for (step, median) in STEPS.iter().zip(steps) {
        println!("  {step:<30} {median:8.1} µs");
    }
    std::fs::remove_dir_all(&dir).expect("remove temporary directory");
}
