//! The state-in, state-out harness: a charm reacting to config, leadership
//! and relations, run through sequences of events; consistency checks; a
//! failed hook changing nothing; tool calls counted.

use std::path::PathBuf;

use charm_runtime::harness::{
    Context, ContextError, Event, Level, Network, Port, Relation, State, Status, StatusState,
};
use charm_runtime::metadata::Metadata;
use charm_runtime::{Charm, CharmError, Error, Handler, HookContext, Registry};
use serde_json::json;

const METADATA: &str = "
name: web
provides:
  website: {interface: http}
requires:
  db: {interface: mysql, limit: 1}
peers:
  cluster: {interface: web-peers}
extra-bindings:
  public:
";

const CONFIG: &str = "
options:
  port: {type: int, default: 8080}
  title: {type: string, default: My site}
";

const ACTIONS: &str = "
backup:
  params:
    target: {type: string}
    compress: {type: boolean, default: true}
  required: [target]
  additionalProperties: false
restart:
";

fn port_of(ctx: &HookContext) -> Result<u16, Error> {
    Ok(ctx.config_values()?.get("port")?.unwrap_or(80))
}

/// The charm under test.
fn registry() -> Registry {
    let mut r = Registry::new();
    r.add(
        Handler::new("web::install", |ctx: &HookContext| -> Result<(), Error> {
            ctx.application_version_set("2.4.1");
            // Shown at once; the hook's final status comes at its end.
            ctx.progress("installing")?;
            ctx.flags().set("web.installed");
            Ok(())
        })
        .hook(["install"]),
    )
    .unwrap()
    .add(
        Handler::new("web::configure", |ctx: &HookContext| -> Result<(), Error> {
            let port = port_of(ctx)?;
            let juju = ctx.juju();
            if let Some(old) = ctx.kv().get::<u16>("web.port")?
                && old != port
            {
                juju.close_port(Port::tcp(old));
            }
            juju.open_port(Port::tcp(port));
            ctx.kv().set("web.port", &port)?;
            ctx.flags().set("web.configured");
            // Validated last, so that the writes above are queued when it
            // fails: none of them may reach Juju or the unit state.
            if port < 1024 {
                return Err(Error::msg(format!("port {port} is privileged")));
            }
            Ok(())
        })
        .when(["config.changed"]),
    )
    .unwrap()
    .add(
        Handler::new("web::elect", |ctx: &HookContext| {
            ctx.leader_set("cluster-secret", Some("s3cret"))
        })
        .when(["leadership.is_leader"])
        .when_not(["leadership.set.cluster-secret"]),
    )
    .unwrap()
    .add(
        Handler::new("web::publish", |ctx: &HookContext| -> Result<(), Error> {
            let port = port_of(ctx)?;
            let juju = ctx.juju();
            let address = juju.unit_get("private-address")?;
            let leader = juju.is_leader()?;
            let title: String = ctx.config_values()?.get("title")?.unwrap_or_default();
            for rel in ctx.endpoint("website")?.relations()? {
                rel.to_publish().set("port", &port)?;
                rel.to_publish_raw().set("hostname", &address)?;
                if leader {
                    rel.to_publish_app().set("title", &title)?;
                }
            }
            Ok(())
        })
        .when(["endpoint.website.joined", "web.configured"]),
    )
    .unwrap()
    .add(
        Handler::new("web::backends", |ctx: &HookContext| -> Result<(), Error> {
            let units: Vec<String> = ctx
                .endpoint("website")?
                .all_joined_units()?
                .iter()
                .map(|u| u.name().to_owned())
                .collect();
            ctx.kv().set("web.backends", &units)?;
            Ok(())
        })
        .hook(["website-relation-{joined,changed,departed}"]),
    )
    .unwrap()
    .add(
        Handler::new("web::peers", |ctx: &HookContext| -> Result<(), Error> {
            let net = ctx.network("cluster")?;
            let address = net
                .ingress_address()
                .ok_or_else(|| Error::msg("no ingress address on cluster"))?
                .to_string();
            for rel in ctx.endpoint("cluster")?.relations()? {
                rel.to_publish_raw().set("address", &address)?;
            }
            Ok(())
        })
        .when(["endpoint.cluster.joined"]),
    )
    .unwrap()
    .add(
        Handler::new("web::status", |ctx: &HookContext| -> Result<(), Error> {
            let port = port_of(ctx)?;
            let backends = ctx.endpoint("website")?.all_joined_units()?.len();
            ctx.juju().status_set(Status::new(
                StatusState::Active,
                format!("serving on {port} for {backends} proxies"),
            ));
            Ok(())
        })
        .when(["web.installed", "web.configured"]),
    )
    .unwrap()
    .add(
        Handler::new("web::backup", |ctx: &HookContext| -> Result<(), Error> {
            let params = ctx.action_params()?;
            let target: String = params.get("target")?.unwrap_or_default();
            let compress: bool = params.get("compress")?.unwrap_or(false);
            ctx.action_log(&format!("backing up to {target}"))?;
            ctx.action_set("path", format!("{target}/web.tar"))?;
            ctx.action_set("compressed", compress)?;
            ctx.flags().set("web.backed-up");
            Ok(())
        })
        .action("backup"),
    )
    .unwrap();
    r
}

fn ctx() -> Context {
    Context::from_yaml(METADATA, registry())
        .unwrap()
        .with_config_yaml(CONFIG)
        .unwrap()
        .with_actions_yaml(ACTIONS)
        .unwrap()
}

fn active(message: &str) -> Option<Status> {
    Some(Status::new(StatusState::Active, message))
}

#[test]
fn a_sequence_of_hooks_threads_the_state() {
    let ctx = ctx();

    // install, on the leader.
    let state = State::new().with_leader(true);
    let out = ctx.run(Event::install(), &state).unwrap().expect_ok();
    assert_eq!(
        out.invoked,
        [
            "web::install",
            "web::configure",
            "web::elect",
            "web::status"
        ]
    );
    assert_eq!(out.state.workload_version.as_deref(), Some("2.4.1"));
    assert_eq!(
        out.state.unit_status,
        active("serving on 8080 for 0 proxies")
    );
    // Progress is shown at once; the statuses set with status_set are
    // held until the hook succeeds, and only the last is sent.
    assert_eq!(out.progress(), ["installing"]);
    assert_eq!(
        out.final_status(),
        active("serving on 8080 for 0 proxies").as_ref()
    );
    assert_eq!(out.calls("status-set"), 2);
    assert_eq!(out.final_app_status(), None);
    assert_eq!(
        out.state.opened_ports.iter().collect::<Vec<_>>(),
        [&Port::tcp(8080)]
    );
    assert_eq!(out.state.leader_settings["cluster-secret"], "s3cret");
    assert_eq!(
        out.flags(),
        [
            "leadership.changed",
            "leadership.changed.cluster-secret",
            "leadership.is_leader",
            "leadership.set.cluster-secret",
            "web.configured",
            "web.installed",
        ]
    );
    assert_eq!(out.state.kv["web.port"], json!(8080));

    // start: nothing changed, the config flags are not set again.
    let out = ctx.run(Event::start(), &out.state).unwrap().expect_ok();
    assert_eq!(out.invoked, ["web::status"]);
    assert_eq!(out.calls("open-port"), 0);
    assert_eq!(out.calls("status-set"), 1);
    assert!(out.progress().is_empty());
    assert_eq!(
        out.final_status(),
        active("serving on 8080 for 0 proxies").as_ref()
    );

    // A proxy relates: created, then its unit joins.
    let website = Relation::new("website", 4, "haproxy");
    let state = out.state.with_relation(website.clone());
    let out = ctx
        .run(Event::relation_created(&website), &state)
        .unwrap()
        .expect_ok();
    assert!(!out.has_flag("endpoint.website.joined"));
    let state = out.state.with_remote_unit(&website, "haproxy/0");
    let out = ctx
        .run(Event::relation_joined(&website, "haproxy/0"), &state)
        .unwrap()
        .expect_ok();
    assert!(out.has_flag("endpoint.website.joined"));
    let rel = out.relation(4);
    assert_eq!(rel.local_unit_data["port"], "8080");
    assert_eq!(rel.local_unit_value("port"), Some(json!(8080)));
    assert_eq!(rel.local_unit_data["hostname"], "192.0.2.10");
    assert_eq!(rel.local_app_data["title"], "\"My site\"");
    assert_eq!(
        out.state.unit_status,
        active("serving on 8080 for 1 proxies")
    );
    assert_eq!(out.state.kv["web.backends"], json!(["haproxy/0"]));

    // The operator moves the port: the old one closes, the new one is
    // published.
    let state = out.state.with_config("port", 9090);
    let out = ctx
        .run(Event::config_changed(), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(
        out.state.opened_ports.iter().collect::<Vec<_>>(),
        [&Port::tcp(9090)]
    );
    assert_eq!(out.relation(4).local_unit_value("port"), Some(json!(9090)));
    assert_eq!(out.calls("relation-set"), 1, "only the changed unit bag");

    // A second proxy joins, then the first departs.
    let state = out.state.with_remote_unit(4, "haproxy/1");
    let out = ctx
        .run(Event::relation_joined(&website, "haproxy/1"), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(
        out.state.kv["web.backends"],
        json!(["haproxy/0", "haproxy/1"])
    );
    let out = ctx
        .run(Event::relation_departed(&website, "haproxy/0"), &out.state)
        .unwrap()
        .expect_ok();
    // Juju still listed haproxy/0 during the hook...
    let listed = out
        .tool_calls
        .iter()
        .any(|c| c.tool == "relation-list" && c.args == ["-r", "website:4"]);
    assert!(listed);
    // ...but the endpoint left it out, and it is gone afterwards.
    assert_eq!(out.state.kv["web.backends"], json!(["haproxy/1"]));
    assert_eq!(out.relation(&website).unit_names(), ["haproxy/1"]);
    assert!(out.has_flag("endpoint.website.departed"));
    assert_eq!(
        out.state.unit_status,
        active("serving on 9090 for 1 proxies")
    );

    // The last one departs and the relation breaks.
    let out = ctx
        .run(Event::relation_departed(&website, "haproxy/1"), &out.state)
        .unwrap()
        .expect_ok();
    assert!(!out.has_flag("endpoint.website.joined"));
    let out = ctx
        .run(Event::relation_broken(&website), &out.state)
        .unwrap()
        .expect_ok();
    assert!(out.state.relation(4).is_none());
    assert_eq!(
        out.state.unit_status,
        active("serving on 9090 for 0 proxies")
    );

    // And the unit keeps going.
    let out = ctx
        .run(Event::update_status(), &out.state)
        .unwrap()
        .expect_ok();
    assert_eq!(out.invoked, ["web::status"]);
}

#[test]
fn a_failed_hook_changes_nothing() {
    let ctx = ctx();
    let website = Relation::new("website", 1, "haproxy").with_unit("haproxy/0");
    let installed = ctx
        .run(
            Event::install(),
            &State::new()
                .with_leader(true)
                .with_relation(website.clone()),
        )
        .unwrap()
        .expect_ok();
    let state = installed.state.with_config("port", 80);
    let out = ctx.run(Event::config_changed(), &state).unwrap();

    assert!(!out.is_ok());
    let error = out.error.as_ref().unwrap().to_string();
    assert!(error.contains("port 80 is privileged"), "{error}");
    assert_eq!(out.state, state, "nothing written");
    assert!(out.committed.is_empty());
    for tool in [
        "open-port",
        "close-port",
        "relation-set",
        "status-set",
        "leader-set",
    ] {
        assert_eq!(out.calls(tool), 0, "{tool} sent by a failed hook");
    }
    // What happened is still visible.
    assert_eq!(out.invoked, ["web::configure"]);
    assert!(
        out.logs_at(Level::Error)
            .iter()
            .any(|l| l.contains("port 80 is privileged"))
    );

    // Fixing the config retries from the same state.
    let fixed = state.with_config("port", 8443);
    let out = ctx
        .run(Event::config_changed(), &fixed)
        .unwrap()
        .expect_ok();
    assert!(out.state.opened_ports.contains(&Port::tcp(8443)));
    assert!(!out.state.opened_ports.contains(&Port::tcp(8080)));
}

#[test]
fn reads_are_cached_and_writes_sent_once_per_hook() {
    let ctx = ctx();
    let website = Relation::new("website", 1, "haproxy")
        .with_unit("haproxy/0")
        .with_unit("haproxy/1");
    let state = State::new().with_leader(true).with_relation(website);
    let out = ctx.run(Event::install(), &state).unwrap().expect_ok();
    // Several handlers read the config, leadership, addresses and
    // relations: each read reaches Juju once per hook.
    let mut seen = std::collections::BTreeSet::new();
    for call in &out.tool_calls {
        if !call.tool.ends_with("-set") && !call.tool.ends_with("-port") {
            assert!(
                seen.insert((call.tool, call.args.clone())),
                "read twice: {call:?}"
            );
        }
    }
    assert_eq!(out.calls("config-get"), 1);
    assert_eq!(
        out.calls("relation-set"),
        2,
        "unit and app bags, one call each"
    );
    assert_eq!(out.calls("open-port"), 1);
    assert_eq!(out.calls("leader-set"), 1);
    assert_eq!(out.calls("application-version-set"), 1);
}

#[test]
fn peer_relations_and_network_bindings() {
    let ctx = ctx();
    let cluster =
        Relation::peer("cluster", 2, "web").with_unit_data("web/1", [("address", "192.0.2.11")]);
    let state = State::new()
        .with_leader(true)
        .with_relation(cluster.clone())
        .with_flag("web.installed");
    let out = ctx
        .run(Event::relation_joined(&cluster, "web/1"), &state)
        .unwrap()
        .expect_ok();
    // The default binding answers with the unit's private address.
    assert_eq!(
        out.relation(&cluster).local_unit_data["address"],
        "192.0.2.10"
    );
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);

    // A binding set in the state wins.
    let state = state
        .with_unit("web/3")
        .with_network("cluster", Network::from_address("10.20.0.3"));
    let out = ctx
        .run(Event::relation_changed(&cluster, "web/1"), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(
        out.relation(&cluster).local_unit_data["address"],
        "10.20.0.3"
    );
    assert!(
        out.tool_calls
            .iter()
            .any(|c| c.tool == "network-get" && c.args == ["cluster"])
    );
}

#[test]
fn app_data_on_a_follower_is_allowed_but_noted() {
    let ctx = ctx();
    let website = Relation::new("website", 1, "haproxy")
        .with_unit("haproxy/0")
        .with_local_app_data([("title", "\"Old\"")]);
    let state = State::new().with_relation(website.clone());
    let out = ctx
        .run(Event::relation_changed(&website, "haproxy/0"), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    assert!(
        out.warnings[0].contains("not the leader"),
        "{}",
        out.warnings[0]
    );
    // A follower publishes no app data.
    assert_eq!(out.relation(&website).local_app_data["title"], "\"Old\"");
}

#[test]
fn remote_app_data_changes_come_without_a_remote_unit() {
    let ctx = ctx();
    let website = Relation::new("website", 1, "haproxy")
        .with_unit("haproxy/0")
        .with_remote_app_json(json!({"mode": "http"}));
    let state = State::new().with_relation(website.clone());
    let event = Event::relation_changed_app(&website);
    assert_eq!(event.remote_unit(), None);
    let out = ctx.run(event, &state).unwrap().expect_ok();
    assert_eq!(out.relation(&website).remote_app_data["mode"], "\"http\"");
}

#[test]
fn flags_and_unit_data_round_trip() {
    let mut r = Registry::new();
    r.add(Handler::new("web::noop", |_: &HookContext| {}).hook(["install"]))
        .unwrap();
    let ctx = Context::from_yaml("name: web\n", r).unwrap();
    let state = State::new()
        .with_flag("a")
        .with_flag_value("b", json!({"x": [1, 2.5, "é"]}))
        .with_kv("charm.data", json!({"nested": {"k": true}}));
    let out = ctx.run(Event::update_status(), &state).unwrap().expect_ok();
    assert_eq!(out.state.flags, state.flags);
    assert_eq!(out.state.kv["charm.data"], state.kv["charm.data"]);
    // The framework's own record of the config joins the unit data.
    assert!(out.state.kv.contains_key("charm_runtime.config.previous"));
    // Running again from the output changes nothing.
    let again = ctx
        .run(Event::update_status(), &out.state)
        .unwrap()
        .expect_ok();
    assert_eq!(again.state, out.state);
    assert!(again.committed.is_empty());
}

#[test]
fn an_action_runs_with_its_parameters_and_defaults() {
    let ctx = ctx();
    let state = State::new();
    let out = ctx
        .run(Event::action("backup", json!({"target": "/srv"})), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(out.invoked, ["web::backup"]);
    assert_eq!(out.action_results["path"], "/srv/web.tar");
    // compress was filled in from its default.
    assert_eq!(out.action_results["compressed"], "true");
    assert_eq!(out.action_logs, ["backing up to /srv"]);
    assert_eq!(out.action_failure, None);
    assert!(out.has_flag("web.backed-up"));
    assert_eq!(out.calls("action-get"), 1);
}

#[test]
fn every_inconsistency_is_reported() {
    let ctx = ctx();
    let state = State::new()
        .with_unit("db/0")
        .with_config("colour", "blue")
        .with_config("port", "eighty")
        .with_relation(Relation::new("cache", 1, "memcached"))
        .with_relation(Relation::peer("cluster", 2, "other"))
        .with_relation(Relation::new("db", 3, "web"))
        .with_relation(Relation::new("website", 3, "haproxy").with_unit("nginx/0"))
        .with_network("nowhere", Network::from_address("10.0.0.1"))
        .with_kv("reactive.states.x", json!(null));
    let err = ctx.run(Event::install(), &state).unwrap_err();
    let expected = [
        r#"unit db/0 belongs to application "db", but the charm's metadata names the charm "web""#,
        r#"config option "colour" is not declared in the charm's config (options: port, title)"#,
        r#"config option "port" is declared int but holds the string "eighty""#,
        r#"relation cache:1: endpoint "cache" is not declared in the charm's metadata"#,
        r#"relation cluster:2 is on the peer endpoint "cluster", so its remote application is the unit's own, "db", not "other""#,
        r#"relation website:3: remote unit nginx/0 does not belong to the remote application "haproxy""#,
        "relation id 3 is used by 2 relations (db:3, website:3)",
        r#"network binding "nowhere" is neither an endpoint nor an extra binding"#,
        r#"unit state key "reactive.states.x" is a flag"#,
    ];
    for e in expected {
        assert!(
            err.problems.iter().any(|p| p.starts_with(e)),
            "missing {e:?} in\n{err}"
        );
    }
    assert_eq!(err.problems.len(), expected.len(), "{err}");
    assert!(err.to_string().starts_with(
        "cannot run hook install: the state is inconsistent with the charm (9 problems):\n  - "
    ));

    // The unit's own app on a non-peer endpoint, its own unit among peers,
    // app data on the remote side of a peer relation.
    let state = State::new()
        .with_relation(Relation::new("db", 3, "web"))
        .with_relation(
            Relation::peer("cluster", 4, "web")
                .with_unit("web/0")
                .with_remote_app_data([("k", "v")]),
        );
    let err = ctx.run(Event::install(), &state).unwrap_err();
    assert_eq!(
        err.problems,
        [
            r#"relation db:3 is on the requires endpoint "db" but its remote application is the unit's own, "web": only a peer endpoint relates an application to itself"#,
            "relation cluster:4: the unit under test, web/0, is listed among the remote units; its own databag is local_unit_data",
            "relation cluster:4 is a peer relation, whose one application databag is local_app_data: remote_app_data must be empty",
        ]
    );
}

#[test]
fn inconsistent_events_are_refused() {
    let ctx = ctx();
    let db = Relation::new("db", 3, "mysql").with_unit("mysql/0");
    let absent = Relation::new("website", 9, "haproxy");
    let state = State::new().with_relation(db.clone());
    let problems = |event: Event, state: &State| ctx.run(event, state).unwrap_err().problems;

    assert_eq!(
        problems(Event::relation_changed(&absent, "haproxy/0"), &state),
        [
            "hook website-relation-changed (website:9, remote unit haproxy/0): relation website:9 is not in the state (add it with State::with_relation)"
        ]
    );
    assert_eq!(
        problems(Event::relation_joined(&db, "mysql/1"), &state),
        [
            "hook db-relation-joined (db:3, remote unit mysql/1): remote unit mysql/1 is not in relation db:3 (remote units: mysql/0)"
        ]
    );
    assert!(
        problems(Event::relation_departed(&db, "mysql/7"), &state)[0]
            .ends_with("the departing unit is still in the relation when its departed hook runs")
    );
    assert!(
        problems(Event::hook("db-relation-changed"), &state)[0]
            .contains("use Event::relation_changed(&relation, unit)")
    );
    assert!(problems(Event::leader_elected(), &state)[0].contains("runs only on the leader"));
    assert!(
        problems(
            Event::leader_settings_changed(),
            &state.clone().with_leader(true)
        )[0]
        .contains("not the leader")
    );
    assert_eq!(
        problems(Event::action("deploy", json!(null)), &state),
        [
            "action deploy is not declared in the charm's actions, so Juju refuses to run it (actions: backup, restart)"
        ]
    );
    assert_eq!(
        problems(
            Event::action("backup", json!({"compress": "yes", "level": 9})),
            &state
        ),
        [
            r#"action backup: required parameter "target" is missing"#,
            r#"action backup: parameter "compress" is declared boolean but is the string "yes""#,
            r#"action backup: parameter "level" is not declared, and the action forbids others (additionalProperties: false; parameters: compress, target)"#,
        ]
    );
    // check() says the same without running.
    assert!(ctx.check(&Event::install(), &state).unwrap().is_empty());
}

#[test]
fn a_charm_directory_is_read_as_juju_reads_it() {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut r = Registry::new();
    r.add(
        Handler::new("wp::config", |ctx: &HookContext| -> Result<(), Error> {
            let values = ctx.config_values()?;
            ctx.kv().set("seen", values.values())?;
            Ok(())
        })
        .hook(["install"]),
    )
    .unwrap();
    let ctx = Context::from_charm(Charm::load_with(fixtures.join("classic"), |_| Ok(r)).unwrap());
    let out = ctx
        .run(Event::install(), &State::new())
        .unwrap()
        .expect_ok();
    // Defaults as Juju coerces them, unset options as null.
    let seen = &out.state.kv["seen"];
    assert_eq!(seen["port"], 80);
    assert_eq!(seen["file-mode"], 420);
    assert_eq!(seen["vip"], json!(null));
    // The unit is named after the charm; actions.yaml's rules apply.
    assert_eq!(State::new().unit_name(&ctx.metadata().name), "wordpress/0");
    let err = ctx
        .run(Event::action("backup", json!({})), &State::new())
        .unwrap_err();
    assert_eq!(
        err.problems,
        [r#"action backup: required parameter "target" is missing"#]
    );

    // charmcraft.yaml alone, with a registry built from the metadata.
    let charm = Charm::load_with(fixtures.join("charmcraft"), |meta: &Metadata| {
        assert_eq!(meta.name, "memcached-proxy");
        let mut r = Registry::new();
        r.add(Handler::new("proxy::flush", |_: &HookContext| ()).action("flush"))?;
        Ok(r)
    })
    .unwrap();
    let ctx = Context::from_charm(charm);
    assert_eq!(ctx.actions().names(), ["flush", "stats"]);
    assert_eq!(ctx.config_schema().names(), ["listen-port", "verbose"]);
}

#[test]
fn handlers_that_do_not_fit_the_metadata_are_refused() {
    let mut r = Registry::new();
    r.add(Handler::new("watch", |_: &HookContext| {}).when(["endpoint.nope.joined"]))
        .unwrap();
    let err = Context::from_yaml(METADATA, r).unwrap_err();
    assert!(
        matches!(err, ContextError::Charm(CharmError::Names { .. })),
        "{err}"
    );
    assert!(err.to_string().contains(r#"no relation "nope""#), "{err}");
}

#[test]
fn a_failed_action_reports_its_error_and_changes_nothing() {
    let mut r = registry();
    r.add(
        Handler::new("web::restart", |ctx: &HookContext| -> Result<(), Error> {
            ctx.flags().set("web.restarting");
            ctx.action_set("started", "yes")?;
            Err(Error::msg("the server did not stop"))
        })
        .action("restart"),
    )
    .unwrap();
    let ctx = Context::from_yaml(METADATA, r)
        .unwrap()
        .with_actions_yaml(ACTIONS)
        .unwrap();
    let state = State::new().with_flag("web.installed");
    let out = ctx
        .run(Event::action("restart", json!(null)), &state)
        .unwrap();
    assert!(!out.is_ok());
    assert_eq!(out.state, state);
    assert!(out.action_results.is_empty(), "{:?}", out.action_results);
    let failure = out.action_failure.as_deref().unwrap_or_default();
    assert!(failure.contains("the server did not stop"), "{failure}");
}

#[test]
fn the_departing_unit_is_listed_by_juju_but_not_joined() {
    let mut r = Registry::new();
    r.add(
        Handler::new("seen", |ctx: &HookContext| -> Result<(), Error> {
            let juju = ctx.juju();
            let rid = juju.env().relation_id.clone().unwrap();
            let listed = juju.relation_units(&rid)?;
            let joined: Vec<String> = ctx
                .endpoint("db")?
                .all_joined_units()?
                .iter()
                .map(|u| u.name().to_owned())
                .collect();
            ctx.kv().set("listed", &*listed)?;
            ctx.kv().set("joined", &joined)?;
            Ok(())
        })
        .when(["endpoint.db.departed"]),
    )
    .unwrap();
    let ctx = Context::from_yaml(METADATA, r).unwrap();
    let db = Relation::new("db", 3, "mysql")
        .with_unit("mysql/0")
        .with_unit_data("mysql/1", [("host", "\"10.0.0.6\"")]);
    let state = State::new().with_relation(db.clone());
    let out = ctx
        .run(Event::relation_departed(&db, "mysql/1"), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(out.state.kv["listed"], json!(["mysql/0", "mysql/1"]));
    assert_eq!(out.state.kv["joined"], json!(["mysql/0"]));
    assert_eq!(out.relation(&db).unit_names(), ["mysql/0"]);
    // The runtime kept what the departed unit had published.
    assert_eq!(
        out.state.kv["reactive.endpoints.departed.db"][0]["unit_name"],
        "mysql/1"
    );
}

#[test]
fn log_lines_are_kept_with_their_levels() {
    let mut r = Registry::new();
    r.add(
        Handler::new("talk", |ctx: &HookContext| {
            ctx.log(Level::Info, "through the context");
            log::warn!("through the log crate");
            ctx.flags().set("talked");
        })
        .hook(["install"]),
    )
    .unwrap();
    let ctx = Context::from_yaml("name: web\n", r).unwrap();
    let out = ctx
        .run(Event::install(), &State::new())
        .unwrap()
        .expect_ok();
    assert!(out.logs_at(Level::Info).contains(&"through the context"));
    assert_eq!(out.logs_at(Level::Warning), ["through the log crate"]);
    // Flag changes are logged at DEBUG.
    assert!(out.logs_at(Level::Debug).contains(&"set flag talked"));
}

#[test]
fn handlers_of_undeclared_actions_are_refused_naming_the_closest_action() {
    let mut r = Registry::new();
    r.add(Handler::new("snap", |_: &HookContext| {}).action("bakup"))
        .unwrap();
    let err = Context::from_yaml(METADATA, r)
        .unwrap()
        .with_actions_yaml(ACTIONS)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains(r#"handler snap serves action "bakup", which the charm's actions.yaml does not declare (did you mean "backup"?)"#),
        "{err}"
    );
}
