//! Dispatch benchmark.
//!
//! `cargo bench -p charm-runtime --bench dispatch [-- --json]`
//!
//! Times whole hooks (atstart, dispatch, atexit, commit to an in-memory
//! unit state) on:
//! - the conformance spec with the most handlers in `tests/conformance/corpus`;
//! - `benches/data/synthetic-1000.json`: 1,000 handlers over 300 flags with
//!   chains 20 deep;
//! - chains 20 and 40 deep beside 100, 1,000 and 10,000 idle handlers, to
//!   show that the cost of a later iteration does not grow with the number
//!   of handlers (the marginal cost per iteration is (t40 - t20) / 20).
//!
//! `tools/bench/compare.py` runs the same specs through charms.reactive.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant};

use charm_runtime::conformance::Spec;
use charm_runtime::log::NullSink;
use charm_runtime::{Handler, HookContext, HookOptions, MemoryStore, Registry, run_hook};

struct Result {
    name: String,
    hooks: usize,
    handlers: usize,
    ns_per_hook: f64,
    reps: u64,
}

/// Median over 5 batches of ~`budget`/5 each, in ns per hook.
fn measure(hooks_per_rep: usize, budget: Duration, mut rep: impl FnMut()) -> (f64, u64) {
    rep(); // warm up
    let start = Instant::now();
    rep();
    let one = start.elapsed().max(Duration::from_nanos(1));
    let per_batch = ((budget / 5).as_nanos() / one.as_nanos()).max(1) as u64;
    let mut samples = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        for _ in 0..per_batch {
            rep();
        }
        samples.push(t.elapsed().as_nanos() as f64 / (per_batch as f64 * hooks_per_rep as f64));
    }
    samples.sort_by(f64::total_cmp);
    (samples[2], per_batch * 5)
}

fn bench_spec(name: &str, spec: &Spec) -> Result {
    let registries: Vec<Registry> = (0..spec.hooks.len())
        .map(|i| spec.registry(i).expect("bench spec registers"))
        .collect();
    let initial = MemoryStore::with_flags(&spec.initial_flags);
    let sink: Rc<dyn charm_runtime::LogSink> = Rc::new(NullSink);
    let (ns, reps) = measure(spec.hooks.len(), Duration::from_secs(2), || {
        let mut store = initial.clone();
        for (registry, hook) in registries.iter().zip(&spec.hooks) {
            let out = run_hook(
                registry,
                &mut store,
                HookOptions::new(hook.as_str()).sink(sink.clone()),
            );
            black_box(&out);
        }
    });
    Result {
        name: name.to_owned(),
        hooks: spec.hooks.len(),
        handlers: spec.handlers.len(),
        ns_per_hook: ns,
        reps,
    }
}

/// A chain `depth` deep beside `idle` handlers watching flags never set.
fn chain_registry(depth: usize, idle: usize) -> Registry {
    let mut r = Registry::new();
    r.add(Handler::new("start", |ctx: &HookContext| ctx.flags().set("c0")).hook(["install"]))
        .unwrap();
    for d in 0..depth {
        let next = format!("c{}", d + 1);
        r.add(
            Handler::new(format!("chain{d}"), move |ctx: &HookContext| {
                ctx.flags().set(&next)
            })
            .when([format!("c{d}")]),
        )
        .unwrap();
    }
    for i in 0..idle {
        r.add(Handler::new(format!("idle{i}"), |_: &HookContext| {}).when([format!("idle{i}")]))
            .unwrap();
    }
    r
}

fn bench_chain(depth: usize, idle: usize) -> Result {
    let registry = chain_registry(depth, idle);
    let sink: Rc<dyn charm_runtime::LogSink> = Rc::new(NullSink);
    let (ns, reps) = measure(1, Duration::from_secs(1), || {
        let mut store = MemoryStore::new();
        let out = run_hook(
            &registry,
            &mut store,
            HookOptions::new("install").sink(sink.clone()),
        );
        assert_eq!(out.invoked.len(), depth + 1);
    });
    Result {
        name: format!("chain{depth}+idle{idle}"),
        hooks: 1,
        handlers: registry.len(),
        ns_per_hook: ns,
        reps,
    }
}

fn largest_corpus_spec(dir: &Path) -> Option<(String, Spec)> {
    let mut best: Option<(String, Spec)> = None;
    for entry in std::fs::read_dir(dir).ok()? {
        let path = entry.ok()?.path();
        if path.extension().is_some_and(|e| e == "json") {
            let spec = Spec::parse(&std::fs::read_to_string(&path).ok()?).ok()?;
            let size = spec.handlers.len() * spec.hooks.len();
            if best
                .as_ref()
                .is_none_or(|(_, b)| size > b.handlers.len() * b.hooks.len())
            {
                let name = path.file_name()?.to_string_lossy().into_owned();
                best = Some((name, spec));
            }
        }
    }
    best
}

fn main() {
    let json = std::env::args().any(|a| a == "--json");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut results = Vec::new();
    if let Some((name, spec)) = largest_corpus_spec(&root.join("../tests/conformance/corpus")) {
        results.push(bench_spec(&format!("corpus/{name}"), &spec));
    }
    let synthetic = root.join("benches/data/synthetic-1000.json");
    if let Ok(text) = std::fs::read_to_string(&synthetic) {
        let spec = Spec::parse(&text).expect("synthetic spec parses");
        results.push(bench_spec("synthetic-1000.json", &spec));
    }
    for idle in [100, 1_000, 10_000] {
        for depth in [20, 40] {
            results.push(bench_chain(depth, idle));
        }
    }
    for r in &results {
        if json {
            println!(
                "{{\"bench\": \"{}\", \"hooks\": {}, \"handlers\": {}, \"ns_per_hook\": {:.0}, \"repetitions\": {}}}",
                r.name, r.hooks, r.handlers, r.ns_per_hook, r.reps
            );
        } else {
            println!(
                "{:<28} {:>6} handlers {:>12.0} ns/hook  ({} reps)",
                r.name, r.handlers, r.ns_per_hook, r.reps
            );
        }
    }
    if !json {
        for idle in [100, 1_000, 10_000] {
            let t = |d| {
                results
                    .iter()
                    .find(|r| r.name == format!("chain{d}+idle{idle}"))
                    .map(|r| r.ns_per_hook)
                    .unwrap_or(f64::NAN)
            };
            println!(
                "marginal cost of one later iteration beside {idle:>6} idle handlers: {:.0} ns",
                (t(40) - t(20)) / 20.0
            );
        }
    }
}
