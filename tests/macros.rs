//! Handlers registered by the `charm-macros` attributes run with the
//! semantics of charms.reactive.
//!
//! Each scenario keeps its handlers in a module of its own and builds its
//! registry with `Registry::from_inventory("macros::<module>")`, so that the
//! scenarios do not see each other's handlers.

use std::rc::Rc;

use charm_runtime::log::{MemorySink, NullSink};
use charm_runtime::{
    HandlerError, HookError, HookOptions, HookOutcome, Level, MemoryStore, Registry, run_hook,
};

/// Run `hook` with the handlers of module `macros::<module>`.
fn run(module: &str, hook: &str, store: &mut MemoryStore) -> HookOutcome {
    let registry = Registry::from_inventory(&format!("macros::{module}")).unwrap();
    run_hook(
        &registry,
        store,
        HookOptions::new(hook).sink(Rc::new(NullSink)),
    )
}

fn handler_error(outcome: &HookOutcome) -> &HandlerError {
    match &outcome.error {
        Some(HookError::Handler(e)) => e,
        other => panic!("expected a handler error, got {other:?}"),
    }
}

mod order {
    use charm_macros::hook;
    use charm_runtime::Kv;

    fn record(kv: &Kv, name: &str) {
        let mut seen: Vec<String> = kv.get("seen").unwrap().unwrap_or_default();
        seen.push(name.to_owned());
        kv.set("seen", &seen).unwrap();
    }

    pub mod b {
        use charm_macros::hook;
        use charm_runtime::Kv;

        #[hook("install")]
        fn in_b(kv: Kv) {
            super::record(&kv, "b::in_b");
        }
    }

    #[hook("install")]
    fn zeta(kv: Kv) {
        record(&kv, "zeta");
    }

    pub mod a {
        use charm_macros::hook;
        use charm_runtime::Kv;

        #[hook("install")]
        fn in_a(kv: Kv) {
            super::record(&kv, "a::in_a");
        }
    }

    #[hook("install")]
    fn alpha(kv: Kv) {
        record(&kv, "alpha");
    }
}

#[test]
fn handlers_run_in_module_path_then_source_line_order() {
    let registry = Registry::from_inventory("macros::order").unwrap();
    assert_eq!(
        registry.handler_ids(),
        [
            "macros::order::zeta",
            "macros::order::alpha",
            "macros::order::a::in_a",
            "macros::order::b::in_b",
        ]
    );
    let mut store = MemoryStore::new();
    let outcome = run("order", "install", &mut store);
    assert!(outcome.is_ok(), "{:?}", outcome.error);
    assert_eq!(outcome.invoked, registry.handler_ids());
    assert_eq!(
        store.data["seen"],
        r#"["zeta", "alpha", "a::in_a", "b::in_b"]"#
    );
}

mod stacking {
    use charm_macros::{when, when_not};
    use charm_runtime::Flags;

    #[when("a")]
    #[when("b")]
    #[when_not("c")]
    fn all_of_them(flags: Flags) {
        flags.set("ran");
    }
}

#[test]
fn stacked_conditions_combine_with_and() {
    for (flags, runs) in [
        (&["a"][..], false),
        (&["b"][..], false),
        (&["a", "b"][..], true),
        (&["a", "b", "c"][..], false),
        (&["a", "c"][..], false),
    ] {
        let mut store = MemoryStore::with_flags(flags);
        let outcome = run("stacking", "update-status", &mut store);
        assert!(outcome.is_ok());
        assert_eq!(
            outcome.invoked.len(),
            usize::from(runs),
            "with flags {flags:?}"
        );
        assert_eq!(store.flags().contains(&"ran".to_owned()), runs);
    }
}

mod groups {
    use charm_macros::{when_all, when_any, when_none, when_not_all};
    use charm_runtime::Flags;

    #[when_any("x", "y")]
    fn any(flags: Flags) {
        flags.set("any");
    }

    #[when_not_all("x", "y")]
    fn not_all(flags: Flags) {
        flags.set("not_all");
    }

    #[when_all("x", "y")]
    fn all(flags: Flags) {
        flags.set("all");
    }

    #[when_none("x", "y")]
    fn none(flags: Flags) {
        flags.set("none");
    }
}

#[test]
fn each_flag_condition_maps_to_its_predicate() {
    let ran = |flags: &[&str]| {
        let mut store = MemoryStore::with_flags(flags);
        let outcome = run("groups", "update-status", &mut store);
        assert!(outcome.is_ok());
        let mut names: Vec<String> = outcome
            .invoked
            .iter()
            .map(|id| id.rsplit("::").next().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(ran(&[]), ["none", "not_all"]);
    assert_eq!(ran(&["x"]), ["any", "not_all"]);
    assert_eq!(ran(&["y"]), ["any", "not_all"]);
    assert_eq!(ran(&["x", "y"]), ["all", "any"]);
}

mod extraction {
    use charm_macros::hook;
    use charm_runtime::{Extract, ExtractError, Flags, Invocation, Kv};

    /// A counter loaded from unit data; handlers change it in place.
    pub struct Counter(pub u32);

    impl<'a> Extract<'a> for Counter {
        fn extract(inv: &Invocation<'a>) -> Result<Self, ExtractError> {
            let n = inv
                .ctx
                .kv()
                .get("count")
                .map_err(|e| ExtractError::new::<Self>(e.to_string()))?;
            Ok(Counter(n.unwrap_or(0)))
        }
    }

    /// Always fails to extract.
    pub struct Unavailable;

    impl<'a> Extract<'a> for Unavailable {
        fn extract(_: &Invocation<'a>) -> Result<Self, ExtractError> {
            Err(ExtractError::new::<Self>("no such thing in this hook"))
        }
    }

    #[hook("install")]
    fn by_mut_ref(counter: &mut Counter, kv: &Kv, flags: Flags) {
        counter.0 += 41;
        bump(counter);
        kv.set("count", &counter.0).unwrap();
        flags.set("counted");
    }

    fn bump(counter: &mut Counter) {
        counter.0 += 1;
    }

    #[hook("start")]
    fn by_value_and_ref(counter: Counter, again: &Counter, _: Kv, flags: &Flags) {
        assert_eq!(counter.0, again.0);
        flags.set(format!("count.{}", counter.0));
    }

    #[hook("stop")]
    fn cannot_extract(flags: Flags, _: Unavailable) {
        flags.set("never");
    }
}

#[test]
fn arguments_are_extracted_by_value_by_ref_and_by_mut_ref() {
    let mut store = MemoryStore::new();
    let outcome = run("extraction", "install", &mut store);
    assert!(outcome.is_ok(), "{:?}", outcome.error);
    assert_eq!(store.data["count"], "42");
    let outcome = run("extraction", "start", &mut store);
    assert!(outcome.is_ok(), "{:?}", outcome.error);
    assert_eq!(store.flags(), ["count.42", "counted"]);
}

#[test]
fn an_argument_that_cannot_be_extracted_fails_the_hook() {
    let mut store = MemoryStore::new();
    let outcome = run("extraction", "stop", &mut store);
    match handler_error(&outcome) {
        HandlerError::Extract { handler, source } => {
            assert_eq!(handler, "macros::extraction::cannot_extract");
            assert_eq!(source.reason, "no such thing in this hook");
            assert!(source.type_name.ends_with("Unavailable"));
        }
        other => panic!("{other:?}"),
    }
    assert!(store.data.is_empty());
}

mod failing {
    use std::fmt;

    use charm_macros::{hook, when};
    use charm_runtime::{Flags, Kv};

    #[derive(Debug)]
    pub struct DiskFull {
        pub path: &'static str,
    }

    impl fmt::Display for DiskFull {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "disk full writing {}", self.path)
        }
    }

    #[hook("install")]
    fn install(flags: Flags, kv: Kv) {
        flags.set("app.installed");
        kv.set("installed", &true).unwrap();
    }

    #[when("app.installed")]
    fn write_config(flags: Flags) -> Result<(), DiskFull> {
        flags.set("app.half-configured");
        Err(DiskFull {
            path: "/etc/app.conf",
        })
    }

    #[hook("start")]
    fn panics(flags: Flags) {
        flags.set("app.starting");
        panic!("workload binary missing");
    }
}

#[test]
fn a_handler_returning_err_fails_the_hook_and_commits_nothing() {
    let mut store = MemoryStore::with_flags(&["before"]);
    let before = store.clone();
    let outcome = run("failing", "install", &mut store);
    match handler_error(&outcome) {
        HandlerError::Failed { handler, error } => {
            assert_eq!(handler, "macros::failing::write_config");
            assert_eq!(error.message(), "disk full writing /etc/app.conf");
            // The charm's own error type survives the boundary.
            let disk_full = error.downcast_ref::<failing::DiskFull>().unwrap();
            assert_eq!(disk_full.path, "/etc/app.conf");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        outcome.invoked,
        ["macros::failing::install", "macros::failing::write_config"]
    );
    assert_eq!(store, before);
    assert_eq!(outcome.flags, ["before"]);
}

#[test]
fn a_panicking_handler_fails_the_hook_and_commits_nothing() {
    let mut store = MemoryStore::with_flags(&["before"]);
    let before = store.clone();
    let outcome = run("failing", "start", &mut store);
    match handler_error(&outcome) {
        HandlerError::Panicked { handler, message } => {
            assert_eq!(handler, "macros::failing::panics");
            assert_eq!(message, "workload binary missing");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(store, before);
}

mod once {
    use charm_macros::{hook, only_once, when};
    use charm_runtime::{Flags, Kv};

    #[hook("{install,upgrade-charm,config-changed}")]
    #[only_once]
    fn first_setup(kv: Kv) {
        let runs: u32 = kv.get("setup-runs").unwrap().unwrap_or(0);
        kv.set("setup-runs", &(runs + 1)).unwrap();
    }

    #[when("ready")]
    #[only_once()]
    fn announce(flags: Flags) {
        flags.set("announced");
        flags.clear("ready");
    }
}

#[test]
fn only_once_runs_once_across_hooks() {
    let mut store = MemoryStore::with_flags(&["ready"]);
    let outcome = run("once", "install", &mut store);
    assert_eq!(
        outcome.invoked,
        ["macros::once::first_setup", "macros::once::announce"]
    );
    assert_eq!(store.data["setup-runs"], "1");
    store
        .data
        .insert("reactive.states.ready".to_owned(), "null".to_owned());
    for hook in ["upgrade-charm", "config-changed", "install"] {
        let outcome = run("once", hook, &mut store);
        assert!(outcome.is_ok());
        assert!(outcome.invoked.is_empty(), "{hook}: {:?}", outcome.invoked);
    }
    assert_eq!(store.data["setup-runs"], "1");
}

mod warn {
    use charm_macros::{hook, not_unless};
    use charm_runtime::Flags;

    #[hook("config-changed")]
    #[not_unless("app.installed", "app.configured")]
    fn reconfigure(flags: Flags) {
        flags.set("app.reconfigured");
    }
}

#[test]
fn not_unless_warns_but_still_runs() {
    let registry = Registry::from_inventory("macros::warn").unwrap();
    let sink = Rc::new(MemorySink::new());
    let mut store = MemoryStore::with_flags(&["app.installed"]);
    let outcome = run_hook(
        &registry,
        &mut store,
        HookOptions::new("config-changed").sink(sink.clone()),
    );
    assert!(outcome.is_ok());
    assert_eq!(outcome.invoked, ["macros::warn::reconfigure"]);
    assert_eq!(
        sink.at(Level::Warning),
        ["macros::warn::reconfigure called before flag: app.configured"]
    );
    assert!(store.flags().contains(&"app.reconfigured".to_owned()));

    // With every flag set, no warning.
    let sink = Rc::new(MemorySink::new());
    let mut store = MemoryStore::with_flags(&["app.installed", "app.configured"]);
    run_hook(
        &registry,
        &mut store,
        HookOptions::new("config-changed").sink(sink.clone()),
    );
    assert!(sink.at(Level::Warning).is_empty());
}

mod alternation {
    use charm_macros::hook;
    use charm_runtime::Flags;

    #[hook("{install,start}")]
    fn install_or_start(flags: Flags) {
        flags.set("ran");
    }

    #[hook("db-relation-{joined,changed}", "cache-relation-broken")]
    fn relations(flags: Flags) {
        flags.set("relation");
    }
}

#[test]
fn hook_patterns_expand_alternations() {
    for (hook, ran, relation) in [
        ("install", true, false),
        ("start", true, false),
        ("stop", false, false),
        ("db-relation-joined", false, true),
        ("db-relation-changed", false, true),
        ("db-relation-departed", false, false),
        ("cache-relation-broken", false, true),
    ] {
        let mut store = MemoryStore::new();
        let outcome = run("alternation", hook, &mut store);
        assert!(outcome.is_ok());
        let flags = store.flags();
        assert_eq!(flags.contains(&"ran".to_owned()), ran, "{hook}");
        assert_eq!(flags.contains(&"relation".to_owned()), relation, "{hook}");
    }
}

mod relation_groups {
    use charm_macros::hook;
    use charm_runtime::Flags;

    #[hook("{requires:mysql}-relation-{joined,changed}")]
    fn database(flags: Flags) {
        flags.set("db.changed");
    }
}

#[test]
fn relation_groups_resolve_through_metadata() {
    let registry = Registry::from_inventory("macros::relation_groups").unwrap();
    let relations: charm_runtime::reactive::RelationResolver =
        Rc::new(|role: &str, interface: &str| {
            if (role, interface) == ("requires", "mysql") {
                vec!["db".to_owned()]
            } else {
                Vec::new()
            }
        });
    for (hook, runs) in [
        ("db-relation-joined", true),
        ("db-relation-changed", true),
        ("db-relation-broken", false),
        ("cache-relation-joined", false),
    ] {
        let mut store = MemoryStore::new();
        let options = HookOptions::new(hook)
            .sink(Rc::new(NullSink))
            .relations(relations.clone());
        let outcome = run_hook(&registry, &mut store, options);
        assert_eq!(outcome.invoked.len(), usize::from(runs), "{hook}");
    }
}

mod files {
    use charm_macros::when_file_changed;
    use charm_runtime::Kv;

    #[when_file_changed("/tmp/charm-macros-tests/when_file_changed.conf")]
    fn reload(kv: Kv) {
        let n: u32 = kv.get("reloads").unwrap().unwrap_or(0);
        kv.set("reloads", &(n + 1)).unwrap();
    }
}

#[test]
fn when_file_changed_runs_when_the_content_changes() {
    let dir = std::path::Path::new("/tmp/charm-macros-tests");
    let path = dir.join("when_file_changed.conf");
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(&path, "port = 80\n").unwrap();
    let mut store = MemoryStore::new();
    let reloads = |store: &mut MemoryStore| {
        let outcome = run("files", "update-status", store);
        assert!(outcome.is_ok(), "{:?}", outcome.error);
        store.data["reloads"].clone()
    };
    assert_eq!(reloads(&mut store), "1");
    assert_eq!(reloads(&mut store), "1");
    std::fs::write(&path, "port = 8080\n").unwrap();
    assert_eq!(reloads(&mut store), "2");
    std::fs::remove_file(&path).unwrap();
}
