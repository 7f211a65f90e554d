//! The mysql-innodb-cluster charm through the state-in/state-out harness:
//! three units' worth of peer data (the unit under test and two peers),
//! seen from the leader and from a follower, plus a late joiner, a
//! departure, a leadership change and bad input. The cluster passwords
//! must reach nothing but the published relation data.

use std::collections::BTreeMap;

use charm_runtime::Status;
use charm_runtime::backend::{RelationId, SecretId};
use charm_runtime::harness::{Context, Event, Level, Output, Peers, State};
use mysql_innodb_cluster_charm::{
    AddedInstance, ClusterRecord, ClusterUser, KV_ADDED_INSTANCES, KV_CLUSTER, KV_CLUSTER_USERS,
    KV_INSTALLED, KV_PASSWORD_SECRET, PASSWORD_LEN, PASSWORD_SECRET_KEY, PASSWORD_SECRET_LABEL,
    VERSION,
};
use serde_json::{Value, json};

const APP: &str = "mysql-innodb-cluster";

fn unit(n: u32) -> String {
    format!("{APP}/{n}")
}

fn address(n: u32) -> String {
    format!("10.5.0.{}", 10 + n)
}

/// The password peer `n` publishes in these tests.
fn peer_password(n: u32) -> String {
    format!("Peer{n}-S3cret-Pa55word")
}

/// The charm as shipped (metadata.yaml, config.yaml), with the registry
/// its `main` runs with.
fn context() -> Context {
    Context::from_charm_dir(env!("CARGO_MANIFEST_DIR")).unwrap()
}

/// What a peer's databag holds at each stage.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Stage {
    /// Published its cluster connection information.
    Info,
    /// Created its peers' users.
    ConfigureReady,
    /// Joined the cluster.
    Clustered,
}

fn peer_data(n: u32, stage: Stage) -> BTreeMap<String, String> {
    let mut data = BTreeMap::new();
    data.insert("ingress-address".to_owned(), address(n));
    data.insert("private-address".to_owned(), address(n));
    let s = |v: String| Value::String(v).to_string();
    data.insert("cluster-address".to_owned(), s(address(n)));
    data.insert("cluster-user".to_owned(), s("clusteruser".to_owned()));
    data.insert("cluster-password".to_owned(), s(peer_password(n)));
    if matches!(stage, Stage::ConfigureReady | Stage::Clustered) {
        data.insert("unit-configure-ready".to_owned(), "true".to_owned());
    }
    if stage == Stage::Clustered {
        data.insert("unit-clustered".to_owned(), "true".to_owned());
    }
    data
}

/// Everything of a hook run that is not relation data: logs, trace
/// events, tool calls with their arguments, handler ids, error, warnings.
fn visible(out: &Output) -> Vec<String> {
    let mut lines: Vec<String> = out.logs.iter().map(|(_, m)| m.clone()).collect();
    lines.extend(out.trace.iter().map(|e| format!("{e:?}")));
    lines.extend(out.tool_calls.iter().map(|c| format!("{c:?}")));
    lines.extend(out.tool_calls.iter().flat_map(|c| c.args.clone()));
    lines.extend(out.invoked.iter().cloned());
    lines.extend(out.error.iter().map(ToString::to_string));
    lines.extend(out.warnings.iter().cloned());
    lines
}

/// One unit of the application through a sequence of hooks, among
/// scripted peers whose databags the tests write at each stage: the
/// harness's [`Peers`] delivers their changes with the hooks Juju runs.
struct Unit {
    me: String,
    peers: Peers,
    /// Where this unit's own outputs start in the history of `peers`.
    outputs: Vec<usize>,
}

impl Unit {
    fn new(n: u32, leader: bool) -> Self {
        Self::with_state(n, leader, |s| s)
    }

    fn with_state(n: u32, leader: bool, change: impl FnOnce(State) -> State) -> Self {
        let mut peers = Peers::new(context(), "cluster", 1).unwrap();
        let me = peers
            .add_unit(change(
                State::new()
                    .with_unit(unit(n))
                    .with_leader(leader)
                    .with_address("private-address", address(n)),
            ))
            .unwrap();
        Self {
            me,
            peers,
            outputs: Vec::new(),
        }
    }

    fn state(&self) -> &State {
        self.peers.state(&self.me).unwrap()
    }

    /// The output of this unit's `i`-th hook.
    fn output(&self, i: usize) -> &Output {
        let out = &self.peers.history()[self.outputs[i]].1;
        assert!(out.is_ok(), "{:?}", out.error);
        out
    }

    fn last(&self) -> &Output {
        self.output(self.outputs.len() - 1)
    }

    /// Run the next hook Juju queued for this unit: its output.
    fn next(&mut self) -> &Output {
        self.peers
            .run_next(&self.me)
            .unwrap()
            .expect("a hook is queued");
        self.outputs.push(self.peers.history().len() - 1);
        self.last()
    }

    /// Change this unit's state as the operator would, then run `event`.
    fn run(&mut self, event: Event, change: impl FnOnce(&mut State)) -> &Output {
        change(self.peers.state_mut(&self.me).unwrap());
        self.peers.run(&self.me, event).unwrap();
        self.outputs.push(self.peers.history().len() - 1);
        self.last()
    }

    fn hook(&mut self, event: Event) -> &Output {
        self.run(event, |_| {})
    }

    /// Peer `n` joins with what Juju puts in its databag: this unit runs
    /// relation-joined (the output returned), then relation-changed.
    fn join(&mut self, n: u32) -> &Output {
        self.peers.add_scripted_unit(&unit(n), &address(n)).unwrap();
        let joined = self.outputs.len();
        assert_eq!(self.next().hook, "cluster-relation-joined");
        assert_eq!(self.next().hook, "cluster-relation-changed");
        self.output(joined)
    }

    /// Peer `n` publishes its data at `stage`: relation-changed.
    fn change(&mut self, n: u32, stage: Stage) -> &Output {
        self.peers
            .replace_unit_data(&unit(n), peer_data(n, stage))
            .unwrap();
        self.next()
    }

    /// Peer `n` goes away: relation-departed.
    fn depart(&mut self, n: u32) -> &Output {
        self.peers.remove_unit(&unit(n)).unwrap();
        self.next()
    }

    /// This unit's databag on the peer relation.
    fn published(&self) -> BTreeMap<String, String> {
        self.state().relation(1).unwrap().local_unit_data.clone()
    }

    /// The id of the secret this unit published under `cluster-password`.
    fn secret_id(&self) -> SecretId {
        let id: String = serde_json::from_str(&self.published()["cluster-password"]).unwrap();
        id.parse().unwrap()
    }

    /// This unit's password: the content of the secret it published.
    fn password(&self) -> String {
        secret_password(self.state(), &self.secret_id())
    }

    /// No password, its own or a peer's, in anything but relation data:
    /// not in a log line, a trace event, a tool's arguments, nor in the
    /// unit's key/value store or leadership settings.
    fn assert_passwords_confined(&self) {
        let mut secrets = vec![self.password()];
        secrets.extend((0..5).map(peer_password));
        let outputs: Vec<&Output> = (0..self.outputs.len()).map(|i| self.output(i)).collect();
        assert!(outputs.iter().map(|o| o.logs.len()).sum::<usize>() > 0);
        for out in outputs {
            for line in visible(out) {
                for s in &secrets {
                    assert!(!line.contains(s.as_str()), "a password leaked in {line:?}");
                }
            }
            let kept = format!("{:?} {:?}", out.state.kv, out.state.leader_settings);
            for s in &secrets {
                assert!(!kept.contains(s.as_str()), "a password is kept in {kept}");
            }
        }
    }
}

/// The password in the latest revision of secret `id` of the model.
fn secret_password(state: &State, id: &SecretId) -> String {
    let secret = &state.secrets.secrets[id];
    secret
        .revisions
        .last()
        .unwrap()
        .get(PASSWORD_SECRET_KEY)
        .unwrap()
        .to_owned()
}

/// The unit's databag on the peer relation after `out`.
fn published(out: &Output) -> BTreeMap<String, String> {
    out.state.relation(1).unwrap().local_unit_data.clone()
}

/// The statuses `out` showed, in order: progress, then the final one.
fn shown(out: &Output) -> Vec<Status> {
    out.status_history
        .iter()
        .map(|c| c.status.clone())
        .collect()
}

fn json_str(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

#[test]
fn the_leader_publishes_creates_the_users_then_the_cluster() {
    let mut leader = Unit::new(0, true);

    let out = leader.hook(Event::install());
    assert!(out.has_flag("mysql-innodb-cluster.installed"));
    // The install shows its progress at once; one final status follows.
    assert_eq!(
        shown(out),
        [
            Status::maintenance("installing MySQL"),
            Status::waiting("waiting for 2 more peers")
        ]
    );
    assert_eq!(out.state.kv[KV_INSTALLED], json!(VERSION));
    assert_eq!(out.state.workload_version.as_deref(), Some(VERSION));
    assert_eq!(
        out.state.unit_status,
        Some(Status::waiting("waiting for 2 more peers"))
    );

    // A first peer joins: this unit publishes how to reach it.
    let out = leader.join(1);
    assert!(out.has_flag("cluster.connected"));
    assert!(!out.has_flag("cluster.available"));
    assert_eq!(
        out.state.unit_status,
        Some(Status::waiting("waiting for 1 more peer"))
    );
    // The password is in a secret this unit owns, granted to its peers;
    // the databag holds the secret's id.
    let password = leader.password();
    assert_eq!(password.len(), PASSWORD_LEN);
    assert!(password.chars().all(|c| c.is_ascii_alphanumeric()));
    let id = leader.secret_id();
    let secret = &leader.state().secrets.secrets[&id];
    assert_eq!(secret.owner, unit(0));
    assert_eq!(secret.label.as_deref(), Some(PASSWORD_SECRET_LABEL));
    assert!(
        secret
            .grants
            .contains(&(RelationId::new("cluster", 1), None))
    );
    let added: usize = (0..leader.outputs.len())
        .map(|i| leader.output(i).calls("secret-add"))
        .sum();
    assert_eq!(added, 1);
    assert_eq!(
        leader.state().kv[KV_PASSWORD_SECRET],
        json!(id.as_str()),
        "the id, never the password, is kept"
    );
    let expected: BTreeMap<String, String> = [
        ("cluster-address", "\"10.5.0.10\"".to_owned()),
        ("cluster-password", json_str(id.as_str())),
        ("cluster-user", "\"clusteruser\"".to_owned()),
        ("egress-subnets", "10.5.0.10/32".to_owned()),
        ("ingress-address", "10.5.0.10".to_owned()),
        ("private-address", "10.5.0.10".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    assert_eq!(leader.published(), expected);

    // The second peer joins: enough peers, but no connection info yet.
    let out = leader.join(2);
    assert!(!out.has_flag("cluster.available"));
    assert_eq!(
        out.state.unit_status,
        Some(Status::waiting("cluster not yet created"))
    );

    // The peers publish theirs, one after the other.
    let out = leader.change(1, Stage::Info);
    assert!(!out.has_flag("cluster.available"));
    assert!(!out.state.kv.contains_key(KV_CLUSTER_USERS));
    let out = leader.change(2, Stage::Info);
    assert!(out.has_flag("cluster.available"));
    let users: BTreeMap<String, ClusterUser> =
        serde_json::from_value(out.state.kv[KV_CLUSTER_USERS].clone()).unwrap();
    assert_eq!(
        users,
        [1, 2]
            .into_iter()
            .map(|n| (
                unit(n),
                ClusterUser {
                    address: address(n),
                    user: "clusteruser".into()
                }
            ))
            .collect()
    );
    assert!(
        out.logs_at(Level::Info)
            .contains(&"created cluster user 'clusteruser'@'10.5.0.12' for mysql-innodb-cluster/2")
    );
    assert_eq!(published(out)["unit-configure-ready"], "true");
    // The password is generated once: the same secret, one revision.
    assert_eq!(published(out)["cluster-password"], json_str(id.as_str()));
    assert_eq!(out.calls("secret-add"), 0);
    assert_eq!(out.state.secrets.secrets.len(), 1);
    assert_eq!(out.state.secrets.secrets[&id].revisions.len(), 1);
    // The peers are not ready yet: no cluster.
    assert!(!out.state.kv.contains_key(KV_CLUSTER));
    assert!(out.state.leader_settings.is_empty());
    assert_eq!(
        out.state.unit_status,
        Some(Status::waiting("cluster not yet created"))
    );

    let out = leader.change(1, Stage::ConfigureReady);
    assert!(!out.has_flag("leadership.set.cluster-created"));
    assert_eq!(out.calls("leader-set"), 0);

    // The last peer is ready: the leader creates the cluster and joins it.
    let out = leader.change(2, Stage::ConfigureReady);
    assert!(out.has_flag("leadership.set.cluster-created"));
    assert!(out.has_flag("mysql-innodb-cluster.clustered"));
    let record: ClusterRecord = serde_json::from_value(out.state.kv[KV_CLUSTER].clone()).unwrap();
    assert_eq!(
        record,
        ClusterRecord {
            name: "jujuCluster".into(),
            seed: "10.5.0.10".into(),
            user: "clusteruser".into(),
            instances: vec!["10.5.0.10".into(), "10.5.0.11".into(), "10.5.0.12".into()],
        }
    );
    let settings: BTreeMap<&str, &str> = out
        .state
        .leader_settings
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        settings,
        BTreeMap::from([
            ("cluster-created", "true"),
            ("cluster-instance-clustered-10.5.0.10", "true"),
            ("cluster-instance-clustered-10.5.0.11", "true"),
            ("cluster-instance-clustered-10.5.0.12", "true"),
        ])
    );
    assert_eq!(
        shown(out),
        [
            Status::maintenance("creating cluster jujuCluster"),
            Status::active("unit is clustered")
        ]
    );
    // One leader-set for the hook, one relation-set.
    assert_eq!(out.calls("leader-set"), 1);
    assert_eq!(out.calls("relation-set"), 1);
    assert_eq!(leader.published()["unit-clustered"], "true");
    assert_eq!(
        leader.last().state.unit_status,
        Some(Status::active("unit is clustered"))
    );

    // Nothing more to do in a quiet hook.
    let out = leader.hook(Event::update_status());
    assert_eq!(out.calls("leader-set"), 0);
    assert_eq!(out.calls("relation-set"), 0);
    assert_eq!(
        out.state.unit_status,
        Some(Status::active("unit is clustered"))
    );

    leader.assert_passwords_confined();
}

/// A follower through the same sequence, up to the cluster.
fn follower_configure_ready() -> Unit {
    let mut follower = Unit::new(1, false);
    follower.hook(Event::install());
    follower.join(0);
    follower.join(2);
    follower.change(0, Stage::Info);
    let out = follower.change(2, Stage::Info);
    assert!(out.has_flag("cluster.available"));
    follower.change(0, Stage::ConfigureReady);
    follower.change(2, Stage::ConfigureReady);
    follower
}

#[test]
fn a_follower_waits_for_the_leader_to_create_the_cluster() {
    let mut follower = follower_configure_ready();
    let out = follower.last();
    assert_eq!(follower.published()["unit-configure-ready"], "true");
    assert_eq!(
        follower.published()["cluster-address"],
        json_str(&address(1))
    );
    // Not the leader: no cluster, no leadership setting.
    assert!(!out.state.kv.contains_key(KV_CLUSTER));
    assert_eq!(out.calls("leader-set"), 0);
    assert!(out.state.leader_settings.is_empty());
    assert_eq!(
        out.state.unit_status,
        Some(Status::waiting("cluster not yet created"))
    );
    let users: BTreeMap<String, ClusterUser> =
        serde_json::from_value(out.state.kv[KV_CLUSTER_USERS].clone()).unwrap();
    assert_eq!(
        users.keys().cloned().collect::<Vec<_>>(),
        [unit(0), unit(2)]
    );

    // The leader created the cluster without this unit's instance (yet).
    for key in [
        "cluster-created",
        "cluster-instance-clustered-10.5.0.10",
        "cluster-instance-clustered-10.5.0.12",
    ] {
        follower.peers.set_leader_setting(key, "true");
    }
    let out = follower.next();
    assert_eq!(out.hook, "leader-settings-changed");
    assert!(out.has_flag("leadership.set.cluster-created"));
    assert!(!out.has_flag("mysql-innodb-cluster.clustered"));
    assert_eq!(
        out.state.unit_status,
        Some(Status::waiting(
            "waiting for the leader to add this unit to the cluster"
        ))
    );
    assert!(!follower.published().contains_key("unit-clustered"));

    // Then added it.
    follower
        .peers
        .set_leader_setting("cluster-instance-clustered-10.5.0.11", "true");
    let out = follower.next();
    assert_eq!(out.hook, "leader-settings-changed");
    assert!(out.has_flag("mysql-innodb-cluster.clustered"));
    assert_eq!(
        out.state.unit_status,
        Some(Status::active("unit is clustered"))
    );
    assert_eq!(follower.published()["unit-clustered"], "true");
    assert_eq!(
        follower.published().keys().collect::<Vec<_>>(),
        [
            "cluster-address",
            "cluster-password",
            "cluster-user",
            "egress-subnets",
            "ingress-address",
            "private-address",
            "unit-clustered",
            "unit-configure-ready",
        ]
    );

    // The follower becomes leader: the cluster exists, nothing is redone.
    follower.peers.set_leader(&unit(1)).unwrap();
    let out = follower.next();
    assert_eq!(out.hook, "leader-elected");
    assert_eq!(out.calls("leader-set"), 0);
    assert!(!out.state.kv.contains_key(KV_CLUSTER));
    assert!(!out.state.kv.contains_key(KV_ADDED_INSTANCES));
    assert_eq!(
        out.state.unit_status,
        Some(Status::active("unit is clustered"))
    );

    follower.assert_passwords_confined();
}

/// The leader of a clustered three-unit application.
fn clustered_leader() -> Unit {
    let mut leader = Unit::new(0, true);
    leader.hook(Event::install());
    for n in [1, 2] {
        leader.join(n);
    }
    for stage in [Stage::Info, Stage::ConfigureReady] {
        for n in [1, 2] {
            leader.change(n, stage);
        }
    }
    for n in [1, 2] {
        leader.change(n, Stage::Clustered);
    }
    assert!(leader.last().has_flag("cluster.clustered"));
    assert!(leader.last().has_flag("mysql-innodb-cluster.clustered"));
    leader
}

#[test]
fn the_leader_adds_a_late_unit_and_survives_a_departure() {
    let mut leader = clustered_leader();

    // A fourth unit joins, publishes, creates its users.
    let out = leader.join(3);
    assert!(!out.has_flag("cluster.available"));
    assert_eq!(
        out.state.unit_status,
        Some(Status::active("unit is clustered"))
    );
    let out = leader.change(3, Stage::Info);
    assert!(out.has_flag("cluster.available"));
    let users: BTreeMap<String, ClusterUser> =
        serde_json::from_value(out.state.kv[KV_CLUSTER_USERS].clone()).unwrap();
    assert_eq!(users.len(), 3);
    // Not configure-ready yet: not added.
    assert_eq!(out.calls("leader-set"), 0);
    assert!(
        out.logs_at(Level::Info)
            .iter()
            .all(|l| !l.contains("created cluster user 'clusteruser'@'10.5.0.11'")),
        "users already created are not created again"
    );

    let out = leader.change(3, Stage::ConfigureReady);
    assert_eq!(
        out.state.leader_settings["cluster-instance-clustered-10.5.0.13"],
        "true"
    );
    let added: Vec<AddedInstance> =
        serde_json::from_value(out.state.kv[KV_ADDED_INSTANCES].clone()).unwrap();
    assert_eq!(
        added,
        [AddedInstance {
            unit: unit(3),
            address: address(3)
        }]
    );
    // Added once only.
    let out = leader.change(3, Stage::Clustered);
    assert_eq!(out.calls("leader-set"), 0);

    // Two units go away: their users are dropped, their last data
    // (passwords included) forgotten; the cluster is short of a member.
    let out = leader.depart(3);
    assert!(
        out.logs_at(Level::Info)
            .contains(&"dropped cluster user 'clusteruser'@'10.5.0.13' of mysql-innodb-cluster/3")
    );
    assert!(!out.has_flag("endpoint.cluster.departed"));
    assert!(
        !out.state
            .kv
            .contains_key("reactive.endpoints.departed.cluster")
    );
    let users: BTreeMap<String, ClusterUser> =
        serde_json::from_value(out.state.kv[KV_CLUSTER_USERS].clone()).unwrap();
    assert_eq!(
        users.keys().cloned().collect::<Vec<_>>(),
        [unit(1), unit(2)]
    );
    // Three units remain: still available.
    assert!(out.has_flag("cluster.available"));
    let out = leader.depart(2);
    assert!(!out.has_flag("cluster.available"));
    assert!(out.has_flag("cluster.connected"));
    assert_eq!(
        out.state.unit_status,
        Some(Status::active("unit is clustered; 1 peer missing"))
    );

    leader.assert_passwords_confined();
}

#[test]
fn a_bad_cluster_user_blocks_until_fixed() {
    let mut unit0 = Unit::with_state(0, true, |s| s.with_config("cluster-user", "bad user"));
    let out = unit0.hook(Event::install());
    let blocked = Some(Status::blocked(
        "invalid cluster-user \"bad user\": ' ' is not allowed (letters, digits, \"_\", \"-\" and \".\" only)",
    ));
    assert_eq!(out.state.unit_status, blocked);
    let out = unit0.join(1);
    assert_eq!(out.state.unit_status, blocked);
    // Only what the interface publishes on joining.
    assert_eq!(
        unit0.published().keys().collect::<Vec<_>>(),
        ["egress-subnets", "ingress-address", "private-address"]
    );

    let too_long = "u".repeat(33);
    let out = unit0.run(Event::config_changed(), |s| {
        s.config.insert("cluster-user".into(), too_long.into());
    });
    assert_eq!(
        out.state.unit_status,
        Some(Status::blocked(format!(
            "invalid cluster-user \"{}\": it is longer than 32 characters",
            "u".repeat(33)
        )))
    );

    // Fixed: published at once.
    let out = unit0.run(Event::config_changed(), |s| {
        s.config.insert("cluster-user".into(), "mycluster".into());
    });
    assert_eq!(
        out.state.unit_status,
        Some(Status::waiting("waiting for 1 more peer"))
    );
    assert_eq!(unit0.published()["cluster-user"], "\"mycluster\"");
    unit0.assert_passwords_confined();
}

#[test]
fn the_cluster_user_cannot_change_under_a_running_cluster() {
    let mut leader = clustered_leader();
    let before = leader.published();
    let out = leader.run(Event::config_changed(), |s| {
        s.config.insert("cluster-user".into(), "other".into());
    });
    assert_eq!(
        out.state.unit_status,
        Some(Status::blocked(
            "cluster-user cannot change once the cluster is created (it is \"clusteruser\")"
        ))
    );
    assert_eq!(out.calls("relation-set"), 0);
    assert_eq!(leader.published(), before);
}

#[test]
fn bad_peer_data_does_not_fail_the_hook() {
    let mut leader = Unit::new(0, true);
    leader.hook(Event::install());
    leader.join(1);
    leader.join(2);
    leader.change(1, Stage::Info);
    // Peer 2 publishes garbage: an address that is no host, a password
    // that is no string.
    leader
        .peers
        .replace_unit_data(
            &unit(2),
            [
                ("cluster-address", "\"not a host!\""),
                ("cluster-user", "\"clusteruser\""),
                ("cluster-password", "{\"nested\": \"hunter2-secret\"}"),
                ("unit-configure-ready", "maybe"),
            ],
        )
        .unwrap();
    let out = leader.next();
    assert_eq!(out.hook, "cluster-relation-changed");
    assert!(out.is_ok());
    assert!(!out.has_flag("cluster.available"));
    let warnings = out.logs_at(Level::Warning);
    for needle in [
        "mysql-innodb-cluster/2 published an invalid cluster-address",
        "mysql-innodb-cluster/2 published an invalid cluster-password",
        "mysql-innodb-cluster/2 published an invalid unit-configure-ready",
    ] {
        assert!(
            warnings.iter().any(|w| w.contains(needle)),
            "{needle}: {warnings:?}"
        );
    }
    for line in visible(out) {
        assert!(!line.contains("hunter2-secret"), "{line}");
    }
    assert_eq!(
        out.state.unit_status,
        Some(Status::waiting("cluster not yet created"))
    );
    assert!(!out.state.kv.contains_key(KV_CLUSTER_USERS));
    leader.assert_passwords_confined();
}

#[test]
fn the_interface_handlers_run_before_the_charms() {
    let ctx = context();
    let ids = ctx.registry().handler_ids();
    let first_charm = ids
        .iter()
        .position(|id| id.starts_with("mysql_innodb_cluster_charm::"))
        .unwrap();
    assert!(first_charm > 0);
    assert!(
        ids[..first_charm].iter().all(|id| id
            .starts_with("charm_interfaces::mysql_innodb_cluster::")
            && id.ends_with(":cluster")),
        "{ids:?}"
    );
    assert!(
        ids[first_charm..]
            .iter()
            .all(|id| id.starts_with("mysql_innodb_cluster_charm::")),
        "{ids:?}"
    );
}

/// The leader's peers published their complete connection information
/// before it could publish its own: its relation hooks ran (joined and
/// changed for both peers) before its install, so `cluster.available` was
/// already set when it first could. It must still publish its own
/// connection information (the peers wait for it to become configure
/// ready) and go on to create the cluster, rather than stay at "cluster
/// not yet created" with `unit-configure-ready` published and nothing for
/// the peers to create its user with.
#[test]
fn a_leader_whose_peers_published_first_still_creates_the_cluster() {
    let mut peers = Peers::new(context(), "cluster", 1).unwrap();
    for n in [1, 2] {
        peers.add_scripted_unit(&unit(n), &address(n)).unwrap();
        peers
            .replace_unit_data(&unit(n), peer_data(n, Stage::Info))
            .unwrap();
    }
    let me = peers
        .add_unit(
            State::new()
                .with_unit(unit(0))
                .with_leader(true)
                .with_address("private-address", address(0)),
        )
        .unwrap();
    let mut leader = Unit {
        me,
        peers,
        outputs: Vec::new(),
    };
    for _ in 0..4 {
        let out = leader.next();
        assert!(out.hook.starts_with("cluster-relation-"), "{}", out.hook);
    }
    assert!(leader.last().has_flag("cluster.available"));
    assert!(!leader.published().contains_key("unit-configure-ready"));
    let out = leader.hook(Event::install());
    assert!(out.has_flag("cluster.available"));
    // Its own connection information is out, then it created its peers'
    // users and said so.
    let published = leader.published();
    assert_eq!(published["cluster-address"], json_str(&address(0)));
    assert_eq!(published["cluster-user"], json_str("clusteruser"));
    assert_eq!(leader.password().len(), PASSWORD_LEN);
    assert_eq!(published["unit-configure-ready"], "true");
    // The peers, seeing it, become configure-ready: the cluster follows.
    for n in [1, 2] {
        leader.change(n, Stage::ConfigureReady);
    }
    let out = leader.last();
    assert!(
        out.has_flag("leadership.set.cluster-created"),
        "{:?}",
        out.state.unit_status
    );
    let record: ClusterRecord = serde_json::from_value(out.state.kv[KV_CLUSTER].clone()).unwrap();
    assert_eq!(record.instances, [address(0), address(1), address(2)]);
    assert_eq!(
        out.state.unit_status,
        Some(Status::active("unit is clustered"))
    );
    // Quiet afterwards: the information is not published again.
    let out = leader.hook(Event::update_status());
    assert_eq!(out.calls("relation-set"), 0);
    leader.assert_passwords_confined();
}

/// A peer's `cluster-user` with a quote, a NUL or a size no MySQL user
/// name has: refused with a warning naming the peer and the key (a huge
/// value by its size, never whole), the peer counts as not having
/// published its connection information, and no user is created for it.
#[test]
fn a_bad_peer_cluster_user_is_refused() {
    let huge = "u".repeat(1 << 20);
    for (user, expected) in [
        ("o'brien", "the character '\\'' is not allowed".to_owned()),
        ("a\0b", "the character '\\0' is not allowed".to_owned()),
        (
            huge.as_str(),
            "a value of 1048576 bytes: 1048576 characters, more than the 32 allowed".to_owned(),
        ),
    ] {
        let mut leader = Unit::new(0, true);
        leader.hook(Event::install());
        leader.join(1);
        leader.join(2);
        leader.change(1, Stage::Info);
        let mut data = peer_data(2, Stage::ConfigureReady);
        data.insert("cluster-user".to_owned(), json_str(user));
        leader.peers.replace_unit_data(&unit(2), data).unwrap();
        let out = leader.next();
        assert!(out.is_ok());
        let warnings = out.logs_at(Level::Warning);
        let refused = warnings
            .iter()
            .find(|w| w.contains("peer mysql-innodb-cluster/2 published an invalid cluster-user"))
            .unwrap_or_else(|| panic!("{warnings:?}"));
        assert!(refused.contains(&expected), "{refused}");
        assert!(refused.len() < 300, "{} bytes", refused.len());
        assert!(!out.has_flag("cluster.available"));
        assert!(!out.state.kv.contains_key(KV_CLUSTER_USERS));
        assert!(!published(out).contains_key("unit-configure-ready"));
        for line in visible(out) {
            assert!(!line.contains(&huge[..1000]), "the huge value was shown");
        }
    }
}

/// Three units that all run the charm: each keeps its password in a
/// secret it owns and grants to the peer relation, and each reads its
/// peers' passwords with `secret-get`. No password reaches a log line, a
/// trace event, a tool's arguments, the unit state or the leadership
/// settings of any unit.
#[test]
fn three_units_share_their_passwords_through_juju_secrets() {
    let mut peers = Peers::new(context(), "cluster", 1).unwrap();
    for n in 0..3 {
        peers
            .add_unit(
                State::new()
                    .with_unit(unit(n))
                    .with_leader(n == 0)
                    .with_address("private-address", address(n)),
            )
            .unwrap();
    }
    for n in 0..3 {
        peers.run(&unit(n), Event::install()).unwrap();
    }
    peers.settle().unwrap();
    let mut passwords = Vec::new();
    for n in 0..3 {
        let state = peers.state(&unit(n)).unwrap();
        assert_eq!(
            state.unit_status,
            Some(Status::active("unit is clustered")),
            "{}",
            unit(n)
        );
        let published = &state.relation(1).unwrap().local_unit_data;
        let id: String = serde_json::from_str(&published["cluster-password"]).unwrap();
        let id: SecretId = id.parse().unwrap();
        assert_eq!(state.secrets.secrets[&id].owner, unit(n));
        passwords.push(secret_password(state, &id));
    }
    assert_eq!(
        passwords
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            .len(),
        3
    );
    let mut reads = 0;
    for (_, out) in peers.history() {
        reads += out.calls("secret-get");
        for line in visible(out) {
            for p in &passwords {
                assert!(!line.contains(p.as_str()), "a password leaked in {line:?}");
            }
        }
        let kept = format!("{:?} {:?}", out.state.kv, out.state.leader_settings);
        let status = format!("{:?}", out.status_history);
        for p in &passwords {
            assert!(!kept.contains(p.as_str()), "a password is kept in {kept}");
            assert!(!status.contains(p.as_str()), "a password is in a status");
        }
    }
    // Each unit read its two peers' secrets.
    assert!(reads >= 6, "{reads} secret-get calls");
}
