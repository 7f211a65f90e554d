//! The harness's builders and accessors: relations built without casts,
//! remote data changed between runs through `State`, relations read back
//! through `Output`, the final status apart from progress, the charm's own
//! error matched by type.

use charm_runtime::harness::{Context, Event, Relation, RelationRef, State, Status};
use charm_runtime::{Error, Handler, HookContext, Registry};
use serde_json::{Value, json};

const METADATA: &str = "
name: web
requires:
  db: {interface: mysql}
provides:
  website: {interface: http}
";

/// A charm keeping what every remote unit and application of `db`
/// published, as charms.reactive reads it, in its unit data.
fn recorder() -> Context {
    let mut r = Registry::new();
    r.add(
        Handler::new("web::record", |ctx: &HookContext| -> Result<(), Error> {
            let mut seen = serde_json::Map::new();
            for rel in ctx.endpoint("db")?.relations()? {
                for unit in rel.joined_units()? {
                    let host = unit.received()?.get("host");
                    seen.insert(unit.name().to_owned(), host.unwrap_or(Value::Null));
                }
                let mode = rel.received_app()?.get("mode");
                seen.insert("app".to_owned(), mode.unwrap_or(Value::Null));
            }
            ctx.kv().set("seen", &seen)?;
            Ok(())
        })
        .hook(["db-relation-{joined,changed,departed}"]),
    )
    .unwrap();
    Context::from_yaml(METADATA, r).unwrap()
}

#[test]
fn relation_builders_need_no_cast() {
    let db = Relation::new("db", 3, "mysql")
        .with_unit("mysql/0")
        .with_units(["mysql/2", "mysql/1"])
        .with_unit_data("mysql/3", [("host", "\"10.0.0.3\"")])
        .with_unit_json("mysql/4", json!({"host": "10.0.0.4", "port": 3306}));
    assert_eq!(
        db.unit_names(),
        ["mysql/0", "mysql/1", "mysql/2", "mysql/3", "mysql/4"]
    );
    assert!(db.remote_unit_data("mysql/0").unwrap().is_empty());
    assert_eq!(
        db.remote_unit_value("mysql/3", "host"),
        Some(json!("10.0.0.3"))
    );
    assert_eq!(db.remote_unit_data("mysql/4").unwrap()["port"], "3306");
    assert_eq!(db.remote_unit_value("mysql/9", "host"), None);

    // with_unit keeps the data of a unit already there; the data
    // builders replace it.
    let db = db.with_unit("mysql/3");
    assert_eq!(
        db.remote_unit_value("mysql/3", "host"),
        Some(json!("10.0.0.3"))
    );
    let db = db.with_unit_data("mysql/3", [("port", "1")]);
    assert_eq!(db.remote_unit_value("mysql/3", "host"), None);
    assert_eq!(db.remote_unit_value("mysql/3", "port"), Some(json!(1)));

    // Owned and borrowed names alike.
    let names: Vec<String> = vec!["mysql/5".into()];
    let db = db.with_units(names).with_unit(String::from("mysql/6"));
    assert!(db.unit_names().contains(&"mysql/5"));
    assert!(db.unit_names().contains(&"mysql/6"));
}

#[test]
fn remote_data_changes_between_runs_through_the_state() {
    let ctx = recorder();
    let db = Relation::new("db", 3, "mysql").with_unit("mysql/0");
    let state = State::new().with_relation(db.clone());
    let out = ctx
        .run(Event::relation_joined(&db, "mysql/0"), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(out.state.kv["seen"], json!({"mysql/0": null, "app": null}));

    // A unit publishes a raw value, then JSON values.
    let state = out
        .state
        .with_remote_unit_data(3, "mysql/0", "host", "\"10.0.0.5\"");
    let out = ctx
        .run(Event::relation_changed(&db, "mysql/0"), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(out.state.kv["seen"]["mysql/0"], "10.0.0.5");

    let state = out
        .state
        .with_remote_unit(&db, "mysql/1")
        .with_remote_unit_json(&db, "mysql/1", json!({"host": "10.0.0.6"}));
    let out = ctx
        .run(Event::relation_joined(&db, "mysql/1"), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(
        out.state.kv["seen"],
        json!({"mysql/0": "10.0.0.5", "mysql/1": "10.0.0.6", "app": null})
    );
    assert_eq!(
        out.relation(3).remote_unit_value("mysql/1", "host"),
        Some(json!("10.0.0.6"))
    );

    // The remote application publishes.
    let state = out
        .state
        .with_remote_app_data(db.relation_id(), "mode", "\"primary\"");
    let out = ctx
        .run(Event::relation_changed_app(&db), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(out.state.kv["seen"]["app"], "primary");
    let state = out
        .state
        .with_remote_app_json(3, json!({"mode": "replica", "members": 2}));
    assert_eq!(
        state.relation(3).unwrap().remote_app_value("members"),
        Some(json!(2))
    );
    let out = ctx
        .run(Event::relation_changed_app(&db), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(out.state.kv["seen"]["app"], "replica");

    // An empty value deletes the key, as relation-set does.
    let state = out.state.with_remote_unit_data(3, "mysql/0", "host", "");
    assert!(
        state
            .relation(3)
            .unwrap()
            .remote_unit_data("mysql/0")
            .unwrap()
            .is_empty()
    );
    let out = ctx
        .run(Event::relation_changed(&db, "mysql/0"), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(out.state.kv["seen"]["mysql/0"], Value::Null);

    // A departure: the hook sees the unit listed, the output lacks it.
    let out = ctx
        .run(Event::relation_departed(&db, "mysql/1"), &out.state)
        .unwrap()
        .expect_ok();
    assert_eq!(out.relation(&db).unit_names(), ["mysql/0"]);
    // A state the unit already left.
    let gone = out.state.clone().without_remote_unit(3, "mysql/0");
    assert!(gone.relation(3).unwrap().unit_names().is_empty());

    // Anything else through update_relation.
    let state = out.state.update_relation(3, |r| {
        r.local_unit_data.insert("note".into(), "\"kept\"".into());
    });
    assert_eq!(
        state.relation(3).unwrap().local_unit_value("note"),
        Some(json!("kept"))
    );
}

#[test]
fn relations_are_named_by_number_relation_or_id() {
    fn number(r: impl RelationRef) -> u32 {
        r.relation_number()
    }
    let db = Relation::new("db", 3, "mysql");
    assert_eq!(number(3), 3);
    assert_eq!(number(&db), 3);
    assert_eq!(number(db.clone()), 3);
    let id = db.relation_id();
    assert_eq!(number(&id), 3);
    assert_eq!(number(id), 3);

    let state = State::new().with_relation(db.clone());
    assert_eq!(state.relation(&db), Some(&db));
    assert_eq!(state.relation(db.relation_id()), Some(&db));
    assert_eq!(state.relation(4), None);
}

#[test]
#[should_panic(
    expected = "remote unit mysql/1 is not in relation db:3 (remote units: mysql/0); join it first with State::with_remote_unit"
)]
fn changing_the_data_of_an_absent_unit_is_refused() {
    let _ = State::new()
        .with_relation(Relation::new("db", 3, "mysql").with_unit("mysql/0"))
        .with_remote_unit_data(3, "mysql/1", "host", "x");
}

#[test]
#[should_panic(expected = "the state has no relation 4 (relations: [\"db:3\"])")]
fn changing_an_absent_relation_is_refused() {
    let _ = State::new()
        .with_relation(Relation::new("db", 3, "mysql"))
        .with_remote_unit(4, "mysql/0");
}

#[test]
#[should_panic(expected = "remote unit mysql/1 is not in relation db:3")]
fn removing_an_absent_unit_is_refused() {
    let _ = State::new()
        .with_relation(Relation::new("db", 3, "mysql").with_unit("mysql/0"))
        .without_remote_unit(3, "mysql/1");
}

#[test]
#[should_panic(expected = "relation 5 is not in the output state (relations: [\"db:3\"])")]
fn reading_an_absent_relation_of_the_output_panics() {
    let ctx = recorder();
    let out = ctx
        .run(
            Event::update_status(),
            &State::new().with_relation(Relation::new("db", 3, "mysql")),
        )
        .unwrap()
        .expect_ok();
    let _ = out.relation(5);
}

/// A charm showing progress, setting statuses, and failing on request.
fn progressing() -> Context {
    let mut r = Registry::new();
    r.add(
        Handler::new("web::install", |ctx: &HookContext| -> Result<(), Error> {
            ctx.progress("fetching")?;
            ctx.status_set(Status::waiting("unpacked"));
            ctx.progress("configuring")?;
            if ctx.juju().is_leader()? {
                ctx.juju().app_status_set(Status::active("2 units"));
            }
            ctx.status_set(Status::active("ready"));
            Ok(())
        })
        .hook(["install"]),
    )
    .unwrap()
    .add(
        Handler::new("web::upgrade", |ctx: &HookContext| -> Result<(), Error> {
            ctx.progress("upgrading")?;
            Ok(())
        })
        .hook(["upgrade-charm"]),
    )
    .unwrap()
    .add(
        Handler::new("web::stop", |ctx: &HookContext| -> Result<(), Error> {
            ctx.progress("stopping")?;
            ctx.status_set(Status::active("never sent"));
            Err(Error::msg("cannot stop"))
        })
        .hook(["stop"]),
    )
    .unwrap();
    Context::from_yaml(METADATA, r).unwrap()
}

#[test]
fn one_final_status_per_hook_apart_from_progress() {
    let ctx = progressing();
    let out = ctx
        .run(Event::install(), &State::new().with_leader(true))
        .unwrap()
        .expect_ok();
    assert_eq!(out.progress(), ["fetching", "configuring"]);
    assert_eq!(out.final_status(), Some(&Status::active("ready")));
    assert_eq!(out.final_app_status(), Some(&Status::active("2 units")));
    let at_end: Vec<_> = out.status_history.iter().filter(|c| c.at_end).collect();
    assert_eq!(at_end.len(), 2, "{at_end:?}");
    assert_eq!(out.calls("status-set"), 4);
    assert_eq!(out.state.unit_status, Some(Status::active("ready")));

    // Progress only: no final status; Juju shows the last progress.
    let out = ctx
        .run(Event::upgrade_charm(), &out.state)
        .unwrap()
        .expect_ok();
    assert_eq!(out.progress(), ["upgrading"]);
    assert_eq!(out.final_status(), None);
    assert_eq!(out.final_app_status(), None);
    assert_eq!(
        out.state.unit_status,
        Some(Status::maintenance("upgrading"))
    );

    // A failed hook sends no final status; its progress was shown.
    let out = ctx.run(Event::stop(), &State::new()).unwrap();
    assert!(!out.is_ok());
    assert_eq!(out.progress(), ["stopping"]);
    assert_eq!(out.final_status(), None);
}

#[derive(Debug, PartialEq, thiserror::Error)]
enum WebError {
    #[error("no certificate for {0}")]
    NoCertificate(String),
    #[error("port {0} is privileged")]
    Privileged(u16),
}

fn failing() -> Context {
    let mut r = Registry::new();
    r.add(
        Handler::new("web::install", |_: &HookContext| -> Result<(), WebError> {
            Err(WebError::NoCertificate("web.example".into()))
        })
        .hook(["install"]),
    )
    .unwrap()
    .add(
        Handler::new("web::config", |_: &HookContext| -> Result<(), Error> {
            Err(Error::Interface(Box::new(WebError::Privileged(80))))
        })
        .hook(["config-changed"]),
    )
    .unwrap()
    .add(
        Handler::new("web::start", |_: &HookContext| -> Result<(), Error> {
            let io = std::fs::read("/nonexistent/charm-runtime/harness")?;
            drop(io);
            Ok(())
        })
        .hook(["start"]),
    )
    .unwrap()
    .add(
        Handler::new("web::status", |_: &HookContext| -> Result<(), Error> {
            panic!("boom")
        })
        .hook(["update-status"]),
    )
    .unwrap()
    .add(Handler::new("web::noop", |_: &HookContext| ()).hook(["stop"]))
    .unwrap();
    Context::from_yaml(METADATA, r).unwrap()
}

#[test]
fn a_failed_hook_gives_the_charms_own_error() {
    let ctx = failing();
    let state = State::new();

    // Returned as is.
    let out = ctx.run(Event::install(), &state).unwrap();
    assert_eq!(
        out.error_as::<WebError>(),
        Some(&WebError::NoCertificate("web.example".into()))
    );
    assert!(out.error_as::<Error>().is_none());

    // Inside charm_runtime::Error: the charm's type and the wrapper.
    let out = ctx.run(Event::config_changed(), &state).unwrap();
    assert_eq!(out.error_as::<WebError>(), Some(&WebError::Privileged(80)));
    assert!(matches!(out.error_as::<Error>(), Some(Error::Interface(_))));
    match out.error_as::<WebError>() {
        Some(WebError::Privileged(port)) => assert_eq!(*port, 80),
        other => panic!("{other:?}"),
    }

    // A std error converted with `?`.
    let out = ctx.run(Event::start(), &state).unwrap();
    let io = out.error_as::<std::io::Error>().expect("an io::Error");
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
    assert!(out.error_as::<WebError>().is_none());

    // A panic carries no value; a success no error.
    let out = ctx.run(Event::update_status(), &state).unwrap();
    assert!(!out.is_ok());
    assert!(out.error_as::<WebError>().is_none());
    let out = ctx.run(Event::stop(), &state).unwrap().expect_ok();
    assert!(out.error_as::<WebError>().is_none());
}
