//! The secret hooks in the harness, as Juju runs them: `secret-rotate` on
//! the owner, which sets a new revision; `secret-changed` on a reader,
//! which follows it; `secret-expired` naming the revision concerned. The
//! handler learns which secret from `ctx.secrets().event()`.

use std::collections::{BTreeMap, BTreeSet};

use charm_runtime::backend::{MemorySecret, RelationId, SecretContent, SecretId, SecretRevision};
use charm_runtime::harness::{Context, Event, Relation, State};
use charm_runtime::{Error, Handler, HookContext, Registry};
use serde_json::{Value, json};

const METADATA: &str = "
name: db
requires:
  creds: {interface: vault-kv}
";

fn content(password: &str) -> SecretContent {
    SecretContent::with("password", password).unwrap()
}

/// A charm that rotates its own secret on `secret-rotate`, follows a
/// secret it reads on `secret-changed`, and records what every secret
/// hook was about.
fn charm() -> Context {
    let mut r = Registry::new();
    r.add(
        Handler::new("db::record", |ctx: &HookContext| -> Result<(), Error> {
            let event = ctx.secrets().event();
            ctx.kv()
                .set("id", &event.as_ref().map(|e| e.id.to_string()))?;
            ctx.kv()
                .set("label", &event.as_ref().and_then(|e| e.label.clone()))?;
            ctx.kv()
                .set("revision", &event.as_ref().and_then(|e| e.revision))?;
            Ok(())
        })
        .hook(["secret-{changed,rotate,expired,remove}", "update-status"]),
    )
    .unwrap();
    r.add(
        Handler::new("db::rotate", |ctx: &HookContext| -> Result<(), Error> {
            let event = ctx.secrets().event().expect("secret-rotate names a secret");
            ctx.secrets().set(&event.id, &content("rotated"))?;
            let info = ctx.secrets().info(&event.id)?;
            ctx.kv().set("info.revision", &info.revision)?;
            ctx.kv().set("info.owner", info.owner.as_str())?;
            let by_label = ctx.secrets().info_by_label("admin-password")?;
            ctx.kv().set("info.by-label", by_label.id.as_str())?;
            Ok(())
        })
        .hook(["secret-rotate"]),
    )
    .unwrap();
    r.add(
        Handler::new("db::follow", |ctx: &HookContext| -> Result<(), Error> {
            let event = ctx
                .secrets()
                .event()
                .expect("secret-changed names a secret");
            let now = ctx.secrets().get(&event.id, SecretRevision::Refresh)?;
            ctx.kv().set("password", &now.get("password"))?;
            Ok(())
        })
        .hook(["secret-changed"]),
    )
    .unwrap();
    Context::from_yaml(METADATA, r).unwrap()
}

fn kv(state: &State, key: &str) -> Value {
    state.kv.get(key).cloned().unwrap_or(Value::Null)
}

fn secret(owner: &str, label: &str, revisions: &[&str]) -> MemorySecret {
    MemorySecret {
        owner: owner.to_owned(),
        label: Some(label.to_owned()),
        description: None,
        revisions: revisions.iter().map(|p| content(p)).collect(),
        grants: BTreeSet::new(),
        tracked: BTreeMap::new(),
    }
}

#[test]
fn the_owner_rotates_the_secret_its_rotate_hook_names() {
    let id: SecretId = "secret:cjd1pemj3e0q3u0sp4ag".parse().unwrap();
    let mut state = State::new().with_leader(true);
    state
        .secrets
        .secrets
        .insert(id.clone(), secret("db", "admin-password", &["first"]));

    let out = charm()
        .run(Event::secret_rotate(&id, Some("admin-password")), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(kv(&out.state, "id"), json!(id.to_string()));
    assert_eq!(kv(&out.state, "label"), json!("admin-password"));
    assert_eq!(kv(&out.state, "revision"), Value::Null);
    let revisions = &out.state.secrets.secrets[&id].revisions;
    assert_eq!(revisions.len(), 2);
    assert_eq!(revisions[1].get("password"), Some("rotated"));
    // secret-info-get sees the new revision within the hook.
    assert_eq!(kv(&out.state, "info.revision"), json!(2));
    assert_eq!(kv(&out.state, "info.owner"), json!("application"));
    assert_eq!(kv(&out.state, "info.by-label"), json!(id.to_string()));
}

#[test]
fn only_the_owner_reads_a_secrets_metadata() {
    let id: SecretId = "secret:cjd1pemj3e0q3u0sp4b0".parse().unwrap();
    let creds = Relation::new("creds", 4, "vault").with_units(["vault/0"]);
    let mut state = State::new().with_relation(creds);
    let mut vault = secret("vault", "db-creds", &["one"]);
    vault.grants.insert((RelationId::new("secrets", 4), None));
    state.secrets.secrets.insert(id.clone(), vault);
    let mut r = Registry::new();
    r.add(
        Handler::new("db::info", |ctx: &HookContext| -> Result<(), Error> {
            let id: SecretId = "secret:cjd1pemj3e0q3u0sp4b0".parse().unwrap();
            // Granted: the content, yes; the metadata, no.
            ctx.secrets().get(&id, SecretRevision::Peek)?;
            ctx.secrets().info(&id)?;
            Ok(())
        })
        .hook(["update-status"]),
    )
    .unwrap();
    let out = Context::from_yaml(METADATA, r)
        .unwrap()
        .run(Event::update_status(), &state)
        .unwrap();
    let error = out.error.expect("secret-info-get is refused").to_string();
    assert!(error.contains("secret-info-get"), "{error}");
    assert!(error.contains("permission denied"), "{error}");
}

#[test]
fn a_reader_follows_the_new_revision_its_changed_hook_announces() {
    let id: SecretId = "secret:cjd1pemj3e0q3u0sp4b0".parse().unwrap();
    let creds = Relation::new("creds", 4, "vault").with_units(["vault/0"]);
    let mut state = State::new().with_relation(creds);
    let mut vault = secret("vault", "db-creds", &["old", "new"]);
    vault.grants.insert((RelationId::new("secrets", 4), None));
    // db/0 read revision 1 before the owner set revision 2.
    vault.tracked.insert("db/0".to_owned(), 1);
    state.secrets.secrets.insert(id.clone(), vault);

    let out = charm()
        .run(Event::secret_changed(&id, None), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(kv(&out.state, "password"), json!("new"));
    assert_eq!(kv(&out.state, "label"), Value::Null);
    assert_eq!(out.state.secrets.secrets[&id].tracked["db/0"], 2);

    // Juju names the revision in secret-expired and secret-remove.
    let out = charm()
        .run(Event::secret_expired(&id, Some("db-creds"), 2), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(kv(&out.state, "revision"), json!(2));

    // Any other hook has no secret.
    let out = charm()
        .run(Event::update_status(), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(kv(&out.state, "id"), Value::Null);
}
