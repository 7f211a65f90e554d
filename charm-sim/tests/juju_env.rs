//! What the simulator knows of Juju's environment, as the harness does
//! (both from `charm_runtime::facts`). Subordinate applications: related
//! to a principal over a container-scoped relation, a subordinate gets
//! one unit beside each principal unit (its address,
//! `JUJU_PRINCIPAL_UNIT` naming it), and the relation joins each
//! subordinate unit with its own principal only. Actions the charm does
//! not declare are refused.

mod common;

use charm_sim::SimError;
use common::*;

const SCRIPT: &str = r#"#!/bin/sh
hook="${JUJU_DISPATCH_PATH#hooks/}"
list=""
if [ -n "$JUJU_RELATION_ID" ]; then
  list=$(relation-list --format=json | tr -d '\n')
fi
echo "$JUJU_UNIT_NAME $hook principal=$JUJU_PRINCIPAL_UNIT remote=$JUJU_REMOTE_UNIT departing=$JUJU_DEPARTING_UNIT list=$list address=$(unit-get private-address)" >> "$LOG"
exit 0
"#;

const PRINCIPAL: &str = "name: web\nsummary: s\ndescription: d\nprovides:\n  \
    monitors:\n    interface: nrpe-external-master\n    scope: container\n";

const SUBORDINATE: &str = "name: nrpe\nsummary: s\ndescription: d\nsubordinate: true\n\
    requires:\n  host:\n    interface: nrpe-external-master\n    scope: container\n";

#[test]
fn a_subordinate_unit_runs_beside_each_principal_unit_and_joins_it_only() {
    let _one = one_at_a_time();
    let mut sim = sim(31);
    let log = sim.dir().join("hooks.log");
    let web = script_charm(&sim.dir().join("web-src"), PRINCIPAL, SCRIPT, &log);
    let nrpe = script_charm(&sim.dir().join("nrpe-src"), SUBORDINATE, SCRIPT, &log);
    sim.deploy("web", web.parent().unwrap(), &web, 2).unwrap();
    // A subordinate's units come with its principal's.
    assert_eq!(
        sim.deploy("nrpe", nrpe.parent().unwrap(), &nrpe, 0)
            .unwrap(),
        Vec::<String>::new()
    );
    assert!(matches!(
        sim.add_unit("nrpe"),
        Err(SimError::Subordinate { .. })
    ));
    sim.relate("nrpe", "web").unwrap();
    let report = sim.settle(200).unwrap();
    assert!(report.failed.is_empty(), "{:?}", sim.history());

    let model = sim.model();
    for (sub, principal) in [("nrpe/0", "web/0"), ("nrpe/1", "web/1")] {
        let u = &model.units[sub];
        assert_eq!(u.principal.as_deref(), Some(principal));
        assert_eq!(u.address, model.units[principal].address, "{sub}");
    }
    assert_eq!(model.units["web/0"].principal, None);

    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let only = |prefix: &str| -> Vec<String> {
        lines
            .iter()
            .filter(|l| l.starts_with(prefix))
            .map(|l| (*l).to_owned())
            .collect()
    };
    let a0 = &model.units["web/0"].address;
    let a1 = &model.units["web/1"].address;
    assert_eq!(
        only("nrpe/0 install"),
        [format!(
            "nrpe/0 install principal=web/0 remote= departing= list= address={a0}"
        )]
    );
    // Each subordinate joins its own principal, and each principal its own
    // subordinate: never the other machine's.
    assert_eq!(
        only("nrpe/1 host-relation-joined"),
        [format!(
            "nrpe/1 host-relation-joined principal=web/1 remote=web/1 departing= list=[\"web/1\"] address={a1}"
        )]
    );
    assert_eq!(
        only("web/0 monitors-relation-joined"),
        [format!(
            "web/0 monitors-relation-joined principal= remote=nrpe/0 departing= list=[\"nrpe/0\"] address={a0}"
        )]
    );

    // A new principal unit brings a subordinate unit with it.
    let new = sim.add_unit("web").unwrap();
    sim.settle(200).unwrap();
    let model = sim.model();
    assert_eq!(
        model.units["nrpe/2"].principal.as_deref(),
        Some(new.as_str())
    );
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.contains("web/2 monitors-relation-joined principal= remote=nrpe/2"),
        "{text}"
    );

    // Removing a principal unit removes its subordinate, which departs
    // from its principal only.
    sim.remove_unit("web/1").unwrap();
    sim.settle(200).unwrap();
    let model = sim.model();
    assert!(!model.units.contains_key("web/1"));
    assert!(!model.units.contains_key("nrpe/1"));
    assert!(model.units.contains_key("nrpe/0"));
    let text = std::fs::read_to_string(&log).unwrap();
    let departed: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("-relation-departed"))
        .collect();
    assert!(!departed.is_empty());
    for line in &departed {
        assert!(
            line.starts_with("nrpe/1 ") || line.starts_with("web/1 "),
            "{line}"
        );
    }
}

#[test]
fn a_container_scoped_relation_needs_exactly_one_subordinate() {
    let _one = one_at_a_time();
    let mut sim = sim(32);
    let log = sim.dir().join("hooks.log");
    let web = script_charm(&sim.dir().join("web-src"), PRINCIPAL, SCRIPT, &log);
    let other = script_charm(
        &sim.dir().join("other-src"),
        "name: other\nsummary: s\ndescription: d\nrequires:\n  host:\n    interface: nrpe-external-master\n    scope: container\n",
        SCRIPT,
        &log,
    );
    sim.deploy("web", web.parent().unwrap(), &web, 1).unwrap();
    sim.deploy("other", other.parent().unwrap(), &other, 1)
        .unwrap();
    let err = sim.relate("other", "web").unwrap_err();
    assert!(
        err.to_string().contains("needs a subordinate at one end"),
        "{err}"
    );
}

#[test]
fn an_action_the_charm_does_not_declare_is_refused() {
    let _one = one_at_a_time();
    let mut sim = sim(33);
    let log = sim.dir().join("hooks.log");
    let src = sim.dir().join("web-src");
    let web = script_charm(&src, PRINCIPAL, SCRIPT, &log);
    std::fs::write(src.join("actions.yaml"), "greet:\n  description: d\n").unwrap();
    sim.deploy("web", &src, &web, 1).unwrap();
    sim.settle(100).unwrap();
    let result = sim
        .run_action("web/0", "greet", serde_json::Map::new())
        .unwrap();
    assert!(result.completed(), "{result:?}");
    let err = sim
        .run_action("web/0", "deploy", serde_json::Map::new())
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("action deploy is not declared in the charm's actions"),
        "{err}"
    );
    assert!(err.to_string().contains("(actions: greet)"), "{err}");
}
