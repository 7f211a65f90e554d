//! `secret-changed` in the simulated model: when the owner of a secret
//! sets a new revision, each unit that reads an older one runs
//! `secret-changed` with `JUJU_SECRET_ID`, and once it has refreshed, no
//! more. The owner sees the new revision with `secret-info-get`.

mod common;

use common::*;

/// `vault` publishes a secret to `db` over `creds`, and sets a new
/// revision in update-status when asked (a `rotate` file in its charm
/// directory); `db` reads it on relation-changed and refreshes it on
/// secret-changed, logging what it read.
const SCRIPT: &str = r#"#!/bin/sh
hook="${JUJU_DISPATCH_PATH#hooks/}"
case "${JUJU_UNIT_NAME%/*}:$hook" in
  vault:creds-relation-joined)
    id=$(secret-add --label creds password=one) || exit 3
    echo "$id" > "$JUJU_CHARM_DIR/secret.id"
    secret-grant "$id" -r "$JUJU_RELATION_ID" || exit 3
    relation-set "secret-id=$id" || exit 3
    ;;
  vault:update-status)
    if [ -e "$JUJU_CHARM_DIR/rotate" ]; then
      secret-set "$(cat "$JUJU_CHARM_DIR/secret.id")" password=two || exit 3
      secret-info-get --label creds --format=json > "$JUJU_CHARM_DIR/info.json" || exit 3
      rm "$JUJU_CHARM_DIR/rotate"
    fi
    ;;
  db:creds-relation-changed)
    id=$(relation-get secret-id "$JUJU_REMOTE_UNIT") || exit 3
    if [ -n "$id" ]; then
      echo "read $(secret-get "$id" password)" >> "$LOG" || exit 3
    fi
    ;;
  db:secret-changed)
    echo "changed $JUJU_SECRET_ID $(secret-get "$JUJU_SECRET_ID" password --refresh)" >> "$LOG" || exit 3
    ;;
esac
exit 0
"#;

#[test]
fn a_new_revision_sends_secret_changed_to_its_readers_once() {
    let _one = one_at_a_time();
    let mut sim = sim(9);
    let dir = sim.dir().to_path_buf();
    let log = dir.join("db.log");
    let vault = script_charm(
        &dir.join("vault-src"),
        "name: vault\nsummary: s\ndescription: d\nprovides:\n  creds: {interface: creds}\n",
        SCRIPT,
        &log,
    );
    let db = script_charm(
        &dir.join("db-src"),
        "name: db\nsummary: s\ndescription: d\nrequires:\n  creds: {interface: creds}\n",
        SCRIPT,
        &log,
    );
    sim.deploy("vault", dir.join("vault-src"), &vault, 1)
        .unwrap();
    sim.deploy("db", dir.join("db-src"), &db, 1).unwrap();
    sim.relate("vault:creds", "db:creds").unwrap();
    let report = sim.settle(100).unwrap();
    assert!(report.failed.is_empty(), "{:?}", sim.history());
    let read = std::fs::read_to_string(&log).unwrap();
    assert_eq!(read.lines().collect::<Vec<_>>(), ["read one"], "{read}");

    // The owner sets revision 2: the reader, tracking 1, is told.
    let vault_dir = sim.model().units["vault/0"].charm_dir.clone();
    std::fs::write(vault_dir.join("rotate"), "").unwrap();
    let id = std::fs::read_to_string(vault_dir.join("secret.id")).unwrap();
    sim.update_status();
    let report = sim.settle(100).unwrap();
    assert!(report.failed.is_empty(), "{:?}", sim.history());
    let changed: Vec<_> = sim
        .history()
        .iter()
        .filter(|h| h.name == "secret-changed")
        .map(|h| h.unit.clone())
        .collect();
    assert_eq!(changed, ["db/0"]);
    // secret-info-get, in the hook that set revision 2, keyed by the
    // short id as Juju prints it.
    let info: serde_json::Value =
        serde_json::from_slice(&std::fs::read(vault_dir.join("info.json")).unwrap()).unwrap();
    let short = id.trim().trim_start_matches("secret:");
    assert_eq!(info[short]["revision"], 2, "{info}");
    assert_eq!(info[short]["owner"], "application", "{info}");
    assert_eq!(info[short]["label"], "creds", "{info}");
    let read = std::fs::read_to_string(&log).unwrap();
    assert_eq!(
        read.lines().collect::<Vec<_>>(),
        ["read one", &format!("changed {} two", id.trim())],
        "{read}"
    );

    // It refreshed to the latest: nothing more to tell.
    sim.update_status();
    sim.settle(100).unwrap();
    let changed = sim
        .history()
        .iter()
        .filter(|h| h.name == "secret-changed")
        .count();
    assert_eq!(changed, 1);
}
