//! Dispatch semantics a charm author relies on, checked through the
//! programmatic API (no macros). The expected orders follow from the rules
//! of charms.reactive 1.5.3 `bus.dispatch`, reasoned beside each case; the
//! generated conformance corpus checks the same rules against the real
//! reference at scale.

use std::cell::RefCell;
use std::rc::Rc;

use charm_runtime::log::MemorySink;
use charm_runtime::{
    Handler, HookContext, HookOptions, Level, MemoryStore, Registry, TraceEvent, TriggerAction,
    TriggerOn, run_hook,
};

fn setter(id: &str, set: &'static [&'static str], clear: &'static [&'static str]) -> Handler {
    Handler::new(id, move |ctx: &HookContext| {
        for f in set {
            ctx.flags().set(f);
        }
        for f in clear {
            ctx.flags().clear(f);
        }
    })
}

fn run(registry: &Registry, store: &mut MemoryStore, hook: &str) -> charm_runtime::HookOutcome {
    run_hook(
        registry,
        store,
        HookOptions::new(hook).sink(Rc::new(MemorySink::new())),
    )
}

#[test]
fn chains_run_in_later_iterations_in_registration_order() {
    // b's handler is registered first but b is only set during iteration 0,
    // so it runs in iteration 1, after everything eligible in iteration 0.
    let mut r = Registry::new();
    r.add(setter("b_to_c", &["c"], &[]).when(["b"]).when_not(["c"]))
        .unwrap()
        .add(setter("install", &["a"], &[]).hook(["install"]))
        .unwrap()
        .add(setter("a_to_b", &["b"], &[]).when(["a"]).when_not(["b"]))
        .unwrap();
    let mut store = MemoryStore::new();
    let out = run(&r, &mut store, "install");
    assert!(out.is_ok());
    assert_eq!(out.invoked, ["install", "a_to_b", "b_to_c"]);
    assert_eq!(store.flags(), ["a", "b", "c"]);
}

#[test]
fn a_clear_retests_the_rest_of_the_batch() {
    // Both handlers pass in iteration 0; the first clears `ready`, which
    // re-tests the batch, so the second (when ready) no longer runs.
    let mut r = Registry::new();
    r.add(setter("stop_ready", &[], &["ready"]).when(["ready"]))
        .unwrap()
        .add(setter("use_ready", &["used"], &[]).when(["ready"]))
        .unwrap();
    let mut store = MemoryStore::new();
    store
        .data
        .insert("reactive.states.ready".into(), "null".into());
    let out = run(&r, &mut store, "update-status");
    assert_eq!(out.invoked, ["stop_ready"]);
    assert_eq!(store.flags(), Vec::<String>::new());
}

#[test]
fn setting_a_flag_does_not_add_handlers_to_the_running_batch() {
    // `first` sets x during iteration 0; `second` (when x) was not in the
    // iteration-0 batch, so it waits for iteration 1, after `third`.
    let mut r = Registry::new();
    r.add(setter("first", &["x"], &[]).when(["go"]).when_not(["x"]))
        .unwrap()
        .add(setter("second", &["y"], &[]).when(["x"]).when_not(["y"]))
        .unwrap()
        .add(setter("third", &["z"], &[]).when(["go"]).when_not(["z"]))
        .unwrap();
    let mut store = MemoryStore::new();
    store
        .data
        .insert("reactive.states.go".into(), "null".into());
    let out = run(&r, &mut store, "config-changed");
    assert_eq!(out.invoked, ["first", "third", "second"]);
}

#[test]
fn handlers_rerun_only_when_a_watched_flag_changed() {
    // `watch_a` runs in iteration 0; in iteration 1 only flag `b` changed,
    // which it does not watch, so it does not run again even though its
    // condition still holds.
    let mut r = Registry::new();
    r.add(setter("watch_a", &[], &[]).when(["a"])).unwrap();
    r.add(setter("set_b", &["b"], &[]).when(["a"]).when_not(["b"]))
        .unwrap();
    r.add(setter("watch_ab", &[], &[]).when(["a", "b"]))
        .unwrap();
    let mut store = MemoryStore::new();
    store.data.insert("reactive.states.a".into(), "null".into());
    let out = run(&r, &mut store, "update-status");
    assert_eq!(out.invoked, ["watch_a", "set_b", "watch_ab"]);
}

#[test]
fn triggers_set_before_clear_and_cascade() {
    let mut r = Registry::new();
    // Registered clear first: charms.reactive still runs set targets first.
    r.trigger(
        TriggerOn::Set("config.changed".into()),
        TriggerAction::ClearFlag("app.configured".into()),
    );
    r.trigger(
        TriggerOn::Set("config.changed".into()),
        TriggerAction::SetFlag("app.dirty".into()),
    );
    r.trigger(
        TriggerOn::Set("app.dirty".into()),
        TriggerAction::SetFlag("app.restart-needed".into()),
    );
    let seen = Rc::new(RefCell::new(Vec::new()));
    let log = seen.clone();
    r.add(
        Handler::new("change", move |ctx: &HookContext| {
            ctx.flags().set("config.changed");
            // Triggers have fired before set() returned.
            log.borrow_mut().push(ctx.flags().list());
        })
        .hook(["config-changed"]),
    )
    .unwrap();
    let mut store = MemoryStore::new();
    store
        .data
        .insert("reactive.states.app.configured".into(), "null".into());
    let out = run(&r, &mut store, "config-changed");
    assert!(out.is_ok());
    assert_eq!(
        seen.borrow()[0],
        ["app.dirty", "app.restart-needed", "config.changed"]
    );
    let order: Vec<String> = out
        .trace
        .iter()
        .filter_map(|e| match e {
            TraceEvent::FlagSet { flag, .. } => Some(format!("+{flag}")),
            TraceEvent::FlagCleared { flag, .. } => Some(format!("-{flag}")),
            _ => None,
        })
        .collect();
    assert_eq!(
        order,
        [
            "+config.changed",
            "+app.dirty",
            "+app.restart-needed",
            "-app.configured"
        ]
    );
}

#[test]
fn trigger_fires_only_on_a_real_change() {
    let mut r = Registry::new();
    let count = Rc::new(RefCell::new(0));
    let c = count.clone();
    r.trigger_callback(TriggerOn::Set("a".into()), move |_: &HookContext| {
        *c.borrow_mut() += 1;
    });
    r.add(setter("twice", &["a", "a"], &[]).hook(["install"]))
        .unwrap();
    run(&r, &mut MemoryStore::new(), "install");
    assert_eq!(*count.borrow(), 1);
}

#[test]
fn a_failing_trigger_callback_fails_the_hook() {
    let mut r = Registry::new();
    r.trigger_callback(TriggerOn::Set("a".into()), |_: &HookContext| {
        Err::<(), _>("callback broke")
    });
    r.add(setter("set_a", &["a"], &[]).hook(["install"]))
        .unwrap();
    let mut store = MemoryStore::new();
    let out = run(&r, &mut store, "install");
    let err = out.error.expect("hook must fail").to_string();
    assert!(err.contains("callback broke"), "{err}");
    assert!(store.data.is_empty());
}

/// Two triggers undoing each other (set `a` clears it, clearing `a` sets
/// it) would fire forever. charms.reactive recurses until Python's
/// recursion limit and the hook fails with RecursionError; the runtime
/// stops at its depth limit (found by the `conformance` fuzz target, which
/// overflowed the stack) and fails the hook naming the flag.
#[test]
fn a_cycle_of_triggers_fails_the_hook_instead_of_recursing_forever() {
    let mut r = Registry::new();
    r.trigger(
        TriggerOn::Set("a".into()),
        TriggerAction::ClearFlag("a".into()),
    );
    r.trigger(
        TriggerOn::Cleared("a".into()),
        TriggerAction::SetFlag("a".into()),
    );
    r.add(setter("set_a", &["a"], &[]).hook(["install"]))
        .unwrap();
    let mut store = MemoryStore::new();
    let out = run(&r, &mut store, "install");
    let err = out.error.expect("hook must fail").to_string();
    assert!(err.contains("triggers fired 100 deep"), "{err}");
    assert!(err.contains("flag a"), "{err}");
    assert!(store.data.is_empty(), "a failed hook changes nothing");
}

#[test]
fn a_failed_hook_changes_nothing() {
    let mut r = Registry::new();
    r.add(
        Handler::new("writer", |ctx: &HookContext| {
            ctx.flags().set("new");
            ctx.flags().clear("old");
            ctx.kv().set("charm.key", &42).unwrap();
            ctx.data_changed("res", &[1, 2]).unwrap();
        })
        .hook(["config-changed"]),
    )
    .unwrap();
    r.add(Handler::new("breaks", |_: &HookContext| Err::<(), _>("disk full")).when(["new"]))
        .unwrap();
    let mut store = MemoryStore::new();
    store
        .data
        .insert("reactive.states.old".into(), "null".into());
    store.data.insert("charm.key".into(), "1".into());
    let before = store.clone();
    let out = run(&r, &mut store, "config-changed");
    assert_eq!(out.invoked, ["writer", "breaks"]);
    let err = out.error.expect("hook must fail");
    assert_eq!(err.to_string(), "handler breaks failed: disk full");
    assert_eq!(store, before, "a failed hook must not commit");
    assert_eq!(out.flags, ["old"]);
}

#[test]
fn a_panicking_handler_fails_the_hook_and_commits_nothing() {
    let mut r = Registry::new();
    r.add(
        Handler::new("panics", |ctx: &HookContext| {
            ctx.flags().set("half-done");
            let v: Vec<u8> = Vec::new();
            let _ = v[3];
        })
        .hook(["install"]),
    )
    .unwrap();
    let mut store = MemoryStore::new();
    let out = run(&r, &mut store, "install");
    let err = out.error.expect("hook must fail").to_string();
    assert!(
        err.starts_with("handler panics panicked: index out of bounds"),
        "{err}"
    );
    assert_eq!(store.commits, 0);
}

#[test]
fn only_once_runs_once_over_the_units_life_unless_its_hook_failed() {
    let mut r = Registry::new();
    r.add(setter("once", &["x"], &[]).only_once()).unwrap();
    r.add(
        Handler::new("fail_first", |ctx: &HookContext| {
            if ctx.hook_name() == "install" {
                Err("first hook fails")
            } else {
                Ok(())
            }
        })
        .when(["x"]),
    )
    .unwrap();
    let mut store = MemoryStore::new();
    // only_once has no flag condition, so it runs in the hook phase.
    let first = run(&r, &mut store, "install");
    assert_eq!(first.invoked, ["once", "fail_first"]);
    assert!(!first.is_ok());
    let second = run(&r, &mut store, "start");
    assert_eq!(second.invoked, ["once", "fail_first"]);
    assert!(second.is_ok());
    assert_eq!(
        store.data.get("reactive.invoked.once").map(String::as_str),
        Some("true")
    );
    let third = run(&r, &mut store, "config-changed");
    assert_eq!(third.invoked, ["fail_first"]);
}

#[test]
fn hook_patterns_expand_alternations() {
    let mut r = Registry::new();
    r.add(setter("rel", &[], &[]).hook(["cluster-relation-{joined,changed}"]))
        .unwrap();
    for (hook, runs) in [
        ("cluster-relation-joined", true),
        ("cluster-relation-changed", true),
        ("cluster-relation-departed", false),
    ] {
        let out = run(&r, &mut MemoryStore::new(), hook);
        assert_eq!(out.invoked.len() == 1, runs, "{hook}");
    }
}

#[test]
fn iteration_cap_stops_and_names_the_handlers_that_kept_running() {
    let mut r = Registry::new();
    r.add(setter("ping", &["pong"], &["ping"]).when(["ping"]))
        .unwrap();
    r.add(setter("pong", &["ping"], &["pong"]).when(["pong"]))
        .unwrap();
    let sink = Rc::new(MemorySink::new());
    let mut store = MemoryStore::new();
    store
        .data
        .insert("reactive.states.ping".into(), "null".into());
    let out = run_hook(
        &r,
        &mut store,
        HookOptions::new("update-status").sink(sink.clone()),
    );
    assert!(
        out.is_ok(),
        "charms.reactive stops silently; the hook succeeds"
    );
    assert_eq!(out.invoked.len(), 100);
    let warnings = sink.at(Level::Warning);
    assert_eq!(
        warnings,
        ["reactive dispatch stopped after 100 iterations; still re-running: pong"]
    );
}

#[test]
fn atexit_runs_deferred_callbacks_once_in_reverse_order() {
    let order = Rc::new(RefCell::new(Vec::new()));
    let mut r = Registry::new();
    let o = order.clone();
    r.atstart("first", move |_: &HookContext| {
        o.borrow_mut().push("atstart".to_owned())
    });
    let o = order.clone();
    r.atexit("registered", move |_: &HookContext| {
        o.borrow_mut().push("registered atexit".to_owned())
    });
    for id in ["h1", "h2"] {
        let o = order.clone();
        r.add(
            Handler::new(id, move |ctx: &HookContext| {
                o.borrow_mut().push(ctx.hook_name().to_owned());
                let o2 = o.clone();
                ctx.atexit_once("assess-status", move |ctx: &HookContext| {
                    o2.borrow_mut().push("assess_status".to_owned());
                    ctx.flags().set("status.assessed");
                });
                let o3 = o.clone();
                let id = id.to_owned();
                ctx.atexit(format!("cleanup-{id}"), move |_: &HookContext| {
                    o3.borrow_mut().push(format!("cleanup {id}"))
                });
            })
            .hook(["install"]),
        )
        .unwrap();
    }
    let mut store = MemoryStore::new();
    let out = run(&r, &mut store, "install");
    assert!(out.is_ok());
    assert_eq!(
        *order.borrow(),
        [
            "atstart",
            "install",
            "install",
            "cleanup h2",
            "cleanup h1",
            "assess_status",
            "registered atexit"
        ]
    );
    // Flags set in atexit callbacks persist.
    assert_eq!(store.flags(), ["status.assessed"]);
}

#[test]
fn restricted_hooks_run_only_their_handlers_and_no_callbacks() {
    let mut r = Registry::new();
    r.atstart("never", |_: &HookContext| {
        Err::<(), _>("atstart must not run")
    });
    r.add(
        setter("metrics", &[], &[]).condition(charm_runtime::Condition::RestrictedHook(
            "collect-metrics".into(),
        )),
    )
    .unwrap();
    r.add(setter("flagged", &[], &[]).when(["a"])).unwrap();
    r.add(setter("hooked", &[], &[]).hook(["collect-metrics"]))
        .unwrap();
    let mut store = MemoryStore::new();
    store.data.insert("reactive.states.a".into(), "null".into());
    let out = run(&r, &mut store, "collect-metrics");
    assert!(out.is_ok(), "{:?}", out.error);
    assert_eq!(out.invoked, ["metrics"]);
}

#[test]
fn series_upgrade_hooks_manage_their_flag() {
    let r = Registry::new();
    let mut store = MemoryStore::new();
    run(&r, &mut store, "pre-series-upgrade");
    assert_eq!(store.flags(), ["upgrade.series.in-progress"]);
    run(&r, &mut store, "post-series-upgrade");
    assert!(store.flags().is_empty());
}

#[test]
fn when_file_changed_compares_content_not_mtime() {
    let dir = std::env::temp_dir().join(format!("charm-rt-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("app.conf");
    let path = file.to_str().unwrap().to_owned();
    let mut r = Registry::new();
    r.add(setter("reload", &[], &[]).when_file_changed([path.clone()]))
        .unwrap();
    let mut store = MemoryStore::new();
    // Missing file, never seen: hash null == null, no change.
    assert!(run(&r, &mut store, "update-status").invoked.is_empty());
    std::fs::write(&file, "a=1\n").unwrap();
    assert_eq!(run(&r, &mut store, "update-status").invoked, ["reload"]);
    // Rewrite the same content: mtime changes, content does not.
    std::fs::write(&file, "a=1\n").unwrap();
    assert!(run(&r, &mut store, "update-status").invoked.is_empty());
    std::fs::write(&file, "a=2\n").unwrap();
    assert_eq!(run(&r, &mut store, "update-status").invoked, ["reload"]);
    // The stored hash is md5 of the content, as charmhelpers' file_hash.
    assert_eq!(
        store.data[&format!("reactive.files_changed.{path}")],
        format!("\"{:x}\"", md5::compute("a=2\n"))
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn not_unless_warns_but_runs() {
    let mut r = Registry::new();
    r.add(
        setter("early", &[], &[])
            .hook(["install"])
            .not_unless(["db.ready", "cfg"]),
    )
    .unwrap();
    let sink = Rc::new(MemorySink::new());
    let out = run_hook(
        &r,
        &mut MemoryStore::new(),
        HookOptions::new("install").sink(sink.clone()),
    );
    assert_eq!(out.invoked, ["early"]);
    assert_eq!(
        sink.at(Level::Warning),
        ["early called before flags: db.ready, cfg"]
    );
}

#[test]
fn the_trace_says_why_each_handler_ran() {
    let mut r = Registry::new();
    r.add(setter("install", &["a"], &[]).hook(["install"]))
        .unwrap();
    r.add(setter("next", &["b"], &[]).when(["a"]).when_not(["b"]))
        .unwrap();
    r.add(setter("last", &[], &[]).when_any(["b", "zz"]))
        .unwrap();
    let out = run(&r, &mut MemoryStore::new(), "install");
    let reasons: Vec<String> = out
        .trace
        .iter()
        .filter_map(|e| match e {
            TraceEvent::Invoked {
                handler, reason, ..
            } => Some(format!("{handler}: {reason}")),
            _ => None,
        })
        .collect();
    assert_eq!(
        reasons,
        [
            "install: hook install matched",
            "next: when_all(a) held; when_none(b) held",
            "last: when_any: b set; watched flags changed: b",
        ]
    );
    // Flag changes name the handler that made them.
    assert!(out.trace.contains(&TraceEvent::FlagSet {
        flag: "b".into(),
        by: Some("next".into())
    }));
}

#[test]
fn registration_errors_are_reported() {
    let mut r = Registry::new();
    r.add(setter("a", &[], &[]).hook(["install"])).unwrap();
    let dup = r.add(setter("a", &[], &[]).hook(["start"])).unwrap_err();
    assert_eq!(dup.to_string(), "handler id \"a\" is registered twice");
    let none = r.add(setter("b", &[], &[])).unwrap_err();
    assert!(none.to_string().contains("no condition"));
    let mixed = r
        .add(setter("c", &[], &[]).hook(["install"]).when(["x"]))
        .unwrap_err();
    assert!(mixed.to_string().contains("could never run"));
    let bad = r.add(setter("d", &[], &[]).hook(["x-{a,b"])).unwrap_err();
    assert!(bad.to_string().contains("`{` without `}`"), "{bad}");
}

#[test]
fn later_iterations_test_only_handlers_whose_watched_flags_changed() {
    // A 5-deep chain beside 1,000 handlers watching flags nobody sets.
    let mut r = Registry::new();
    r.add(setter("start", &["c0"], &[]).hook(["install"]))
        .unwrap();
    let chain: [&[&str]; 5] = [&["c1"], &["c2"], &["c3"], &["c4"], &["c5"]];
    for (d, set) in chain.into_iter().enumerate() {
        let watched = format!("c{d}");
        r.add(setter(&format!("chain{d}"), set, &[]).when([watched]))
            .unwrap();
    }
    for i in 0..1000 {
        r.add(setter(&format!("idle{i}"), &[], &[]).when([format!("idle-flag-{i}")]))
            .unwrap();
    }
    let out = run(&r, &mut MemoryStore::new(), "install");
    assert_eq!(
        out.invoked,
        ["start", "chain0", "chain1", "chain2", "chain3", "chain4"]
    );
    // The hook phase and iteration 0 test all 1,006 handlers (iteration 0
    // runs chain0, as `start` set c0 in the hook phase). Iterations 1-4 each
    // test only the one chain handler watching the flag set in the
    // iteration before; iteration 5 tests none (c5 has no watcher) and ends
    // dispatch. `start` has no flag condition, so (as in charms.reactive,
    // whose flag watch filters only handlers with flags) it is re-tested in
    // each of iterations 1-5. Later iterations cost 4 + 5 tests, not
    // 5 × 1,006.
    assert_eq!(out.stats.iterations, 6);
    assert_eq!(out.stats.tested, 2 * 1006 + 4 + 5);
}
