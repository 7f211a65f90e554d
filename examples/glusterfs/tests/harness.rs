//! The glusterfs charm through the state-in/state-out harness: the same
//! dispatch path as production (interface handlers instantiated for the
//! `server` peer endpoint), over an in-memory Juju.

use charm_runtime::Status;
use charm_runtime::harness::{Context, Event, Level, Output, Peers, Relation, State};

const LEADER: &str = "glusterfs/0";
const LAYOUT: &str = "volume-bricks";

/// The charm as shipped (metadata.yaml, config.yaml), with the registry
/// `charm_runtime::main` builds: every macro handler of the binary, the
/// interface's instantiated for the charm's endpoints.
fn charm() -> Context {
    Context::from_charm_dir(env!("CARGO_MANIFEST_DIR")).unwrap()
}

/// A unit of glusterfs with its address and bricks.
fn unit(name: &str, address: &str, leader: bool) -> State {
    State::new()
        .with_unit(name)
        .with_leader(leader)
        .with_address("private-address", address)
        .with_config("brick-devices", "/srv/brick1 /srv/brick2")
}

fn server(state: &State) -> Relation {
    state.relation(1).unwrap().clone()
}

fn status(out: &Output) -> Status {
    out.state.unit_status.clone().expect("a status was set")
}

/// The interface's event flags are cleared by the charm once handled.
fn assert_events_cleared(out: &Output) {
    for flag in glusterfs::EVENT_FLAGS.map(|f| f.name()) {
        assert!(!out.has_flag(flag), "{flag} left set: {:?}", out.flags());
    }
}

fn layout(out: &Output) -> Option<&str> {
    out.state.leader_settings.get(LAYOUT).map(String::as_str)
}

/// The unit under test on the peer relation `server:1`, among scripted
/// peers whose databags the tests write: the harness's [`Peers`] runs the
/// hooks Juju would for each change.
struct Gluster {
    me: String,
    peers: Peers,
}

impl Gluster {
    fn new(state: State) -> Self {
        let mut peers = Peers::new(charm(), "server", 1).unwrap();
        let me = peers.add_unit(state).unwrap();
        Self { me, peers }
    }

    fn last(&self) -> &Output {
        self.peers.last(&self.me).unwrap()
    }

    /// Run `event` now.
    fn hook(&mut self, event: Event) -> &Output {
        let out = self.peers.run(&self.me, event).unwrap();
        assert!(out.is_ok(), "{:?}", out.error);
        out
    }

    /// Run the next hook Juju queued for this unit, which must be `hook`.
    fn next(&mut self, hook: &str) -> &Output {
        let out = self
            .peers
            .run_next(&self.me)
            .unwrap()
            .expect("a hook is queued");
        assert!(out.is_ok(), "{:?}", out.error);
        assert_eq!(out.hook, hook);
        out
    }

    /// `peer` joins at the `private-address` of `data`: relation-joined
    /// runs with what Juju put in its databag, then `data` is published
    /// (relation-changed is what comes next).
    fn joined(&mut self, peer: &str, data: &[(&str, &str)]) -> &Output {
        let address = data
            .iter()
            .find(|(k, _)| *k == "private-address")
            .map_or("10.0.0.99", |(_, v)| *v);
        self.peers.add_scripted_unit(peer, address).unwrap();
        self.next("server-relation-joined");
        self.peers
            .replace_unit_data(peer, data.iter().copied())
            .unwrap();
        self.last()
    }

    /// `peer` joins (see [`joined`](Self::joined)), and its data arrives:
    /// relation-changed.
    fn join(&mut self, peer: &str, data: &[(&str, &str)]) -> &Output {
        self.joined(peer, data);
        self.next("server-relation-changed")
    }

    /// `peer`'s databag becomes `data` (and Juju's keys): relation-changed.
    fn publish(&mut self, peer: &str, data: &[(&str, &str)]) -> &Output {
        self.peers
            .replace_unit_data(peer, data.iter().copied())
            .unwrap();
        self.next("server-relation-changed")
    }

    /// A relation-changed from `peer` with nothing changed.
    fn changed_again(&mut self, peer: &str) -> &Output {
        let rel = server(self.peers.state(&self.me).unwrap());
        self.hook(Event::relation_changed(&rel, peer))
    }

    /// `peer` goes away: relation-departed.
    fn depart(&mut self, peer: &str) -> &Output {
        self.peers.remove_unit(peer).unwrap();
        self.next("server-relation-departed")
    }

    /// The operator sets `option`: config-changed.
    fn configure(&mut self, option: &str, value: &str) -> &Output {
        self.peers
            .state_mut(&self.me)
            .unwrap()
            .config
            .insert(option.into(), value.into());
        self.hook(Event::config_changed())
    }

    /// The (scripted) leader sets `key`: leader-settings-changed.
    fn leader_sets(&mut self, key: &str, value: &str) -> &Output {
        self.peers.set_leader_setting(key, value);
        self.next("leader-settings-changed")
    }

    /// This unit becomes the leader: leader-elected.
    fn lead(&mut self) -> &Output {
        let me = self.me.clone();
        self.peers.set_leader(&me).unwrap();
        self.next("leader-elected")
    }
}

#[test]
fn the_leader_lays_out_the_volume_as_peers_come_change_and_go() {
    let mut g = Gluster::new(unit(LEADER, "10.0.0.10", true));

    // install: nothing joined yet.
    let out = g.hook(Event::install());
    assert!(out.has_flag("glusterfs.installed"));
    assert!(!out.has_flag("server.connected"));
    assert_eq!(status(out), Status::waiting("waiting for peers"));
    assert_eq!(out.calls("status-set"), 1);

    // glusterfs/1 joins: this unit publishes its address and bricks,
    // byte for byte as the Python layer does.
    let out = g.joined("glusterfs/1", &[("private-address", "10.0.0.11")]);
    assert!(out.has_flag("server.connected"));
    assert!(!out.has_flag("server.available"));
    let mine = &out.relation(1).local_unit_data;
    assert_eq!(mine["private-address"], "10.0.0.10");
    assert_eq!(mine["bricks"], r#"["/srv/brick1", "/srv/brick2"]"#);
    // Those two, besides what Juju put there.
    assert_eq!(
        mine.keys().collect::<Vec<_>>(),
        [
            "bricks",
            "egress-subnets",
            "ingress-address",
            "private-address"
        ]
    );
    assert_eq!(layout(out), None);
    assert_eq!(
        status(out),
        Status::waiting("waiting for peers: glusterfs/1")
    );

    // ... and sends its bricks: available; 3 bricks, replica 2 takes 2,
    // one on each unit.
    let out = g.publish(
        "glusterfs/1",
        &[
            ("private-address", "10.0.0.11"),
            ("bricks", r#"["/srv/brick1"]"#),
        ],
    );
    assert!(out.has_flag("server.available"));
    // The interface records the new bricks, then this unit publishes,
    // handles the event and lays out the volume; the status comes last.
    assert_eq!(
        out.invoked,
        [
            "charm_interfaces::gluster_peer::GlusterPeers::changed:server",
            "glusterfs::publish",
            "glusterfs::peers_changed",
            "glusterfs::lay_out_volume",
            "glusterfs::assess_status",
        ]
    );
    assert_events_cleared(out);
    assert_eq!(
        layout(out),
        Some(r#"["10.0.0.10:/srv/brick1", "10.0.0.11:/srv/brick1"]"#)
    );
    assert_eq!(
        status(out),
        Status::active("volume test: 2 bricks on 2 units")
    );
    assert_eq!(out.calls("leader-set"), 1);

    // glusterfs/2 joins: not available yet, the recorded layout stands.
    let out = g.joined("glusterfs/2", &[("private-address", "10.0.0.12")]);
    assert_eq!(out.calls("leader-set"), 0);
    assert_eq!(
        status(out),
        Status::active("volume test: 2 bricks on 2 units")
    );

    // ... with two bricks: 5 in all, 4 used, round-robin over the units
    // so that each replica pair spans two hosts.
    let out = g.publish(
        "glusterfs/2",
        &[
            ("private-address", "10.0.0.12"),
            ("bricks", r#"["/srv/brick1", "/srv/brick2"]"#),
        ],
    );
    assert_events_cleared(out);
    assert_eq!(
        layout(out),
        Some(
            r#"["10.0.0.10:/srv/brick1", "10.0.0.11:/srv/brick1", "10.0.0.12:/srv/brick1", "10.0.0.10:/srv/brick2"]"#
        )
    );
    assert_eq!(
        status(out),
        Status::active("volume test: 4 bricks on 3 units")
    );

    // A relation-changed that changes nothing sets nothing, nor does an
    // update-status.
    let out = g.changed_again("glusterfs/2");
    assert!(!out.invoked.contains(&"glusterfs::peers_changed".to_owned()));
    assert_eq!(out.calls("leader-set"), 0);
    let out = g.hook(Event::update_status());
    assert_eq!(out.calls("leader-set"), 0);
    assert_eq!(out.calls("relation-set"), 0, "{:?}", out.tool_calls);
    assert_eq!(
        status(out),
        Status::active("volume test: 4 bricks on 3 units")
    );

    // glusterfs/1 adds a brick: bricks.available, recomputed.
    let out = g.publish(
        "glusterfs/1",
        &[
            ("private-address", "10.0.0.11"),
            ("bricks", r#"["/srv/brick1", "/srv/brick2"]"#),
        ],
    );
    assert_events_cleared(out);
    assert_eq!(
        layout(out),
        Some(
            r#"["10.0.0.10:/srv/brick1", "10.0.0.11:/srv/brick1", "10.0.0.12:/srv/brick1", "10.0.0.10:/srv/brick2", "10.0.0.11:/srv/brick2", "10.0.0.12:/srv/brick2"]"#
        )
    );
    assert_eq!(
        status(out),
        Status::active("volume test: 6 bricks on 3 units")
    );

    // ... and removes one: bricks.removed, recomputed.
    let out = g.publish(
        "glusterfs/1",
        &[
            ("private-address", "10.0.0.11"),
            ("bricks", r#"["/srv/brick2"]"#),
        ],
    );
    assert!(
        out.logs_at(Level::Info)
            .iter()
            .any(|l| l.contains("server.bricks.removed")),
        "{:?}",
        out.logs
    );
    assert_events_cleared(out);
    assert_eq!(
        layout(out),
        Some(
            r#"["10.0.0.10:/srv/brick1", "10.0.0.11:/srv/brick2", "10.0.0.12:/srv/brick1", "10.0.0.10:/srv/brick2"]"#
        )
    );
    assert_eq!(
        status(out),
        Status::active("volume test: 4 bricks on 3 units")
    );

    // glusterfs/2 departs: its bricks leave the layout.
    let out = g.depart("glusterfs/2");
    assert_events_cleared(out);
    assert!(out.has_flag("server.available"));
    assert_eq!(
        layout(out),
        Some(r#"["10.0.0.10:/srv/brick1", "10.0.0.11:/srv/brick2"]"#)
    );
    assert_eq!(
        status(out),
        Status::active("volume test: 2 bricks on 2 units")
    );
    assert_eq!(server(&out.state).unit_names(), ["glusterfs/1"]);

    // glusterfs/1 departs too: no peer left; the volume's record stays.
    let out = g.depart("glusterfs/1");
    assert_events_cleared(out);
    assert!(!out.has_flag("server.connected"));
    assert!(!out.has_flag("server.available"));
    assert_eq!(out.calls("leader-set"), 0);
    assert!(layout(out).is_some());
    assert_eq!(status(out), Status::waiting("waiting for peers"));
}

#[test]
fn too_few_bricks_wait() {
    let mut g = Gluster::new(unit(LEADER, "10.0.0.10", true).with_config("brick-devices", ""));
    g.hook(Event::install());
    let out = g.join(
        "glusterfs/1",
        &[
            ("private-address", "10.0.0.11"),
            ("bricks", r#"["/srv/brick1"]"#),
        ],
    );
    // No brick of our own: published as an empty list.
    assert_eq!(server(&out.state).local_unit_data["bricks"], "[]");
    assert_eq!(layout(out), None);
    assert_eq!(
        status(out),
        Status::waiting("waiting for bricks: 1 of at least 2")
    );

    // The operator gives this unit a brick: published, laid out.
    let out = g.configure("brick-devices", "/data/gluster");
    assert_eq!(
        server(&out.state).local_unit_data["bricks"],
        r#"["/data/gluster"]"#
    );
    assert_eq!(
        layout(out),
        Some(r#"["10.0.0.10:/data/gluster", "10.0.0.11:/srv/brick1"]"#)
    );
    assert_eq!(
        status(out),
        Status::active("volume test: 2 bricks on 2 units")
    );
}

#[test]
fn a_follower_publishes_but_leaves_the_layout_to_the_leader() {
    let mut g = Gluster::new(
        unit("glusterfs/1", "10.0.0.11", false)
            .with_config("brick-devices", "/srv/brick1")
            .with_config("volume-name", "gv0"),
    );
    g.hook(Event::install());
    let out = g.join(
        LEADER,
        &[
            ("private-address", "10.0.0.10"),
            ("bricks", r#"["/srv/brick1", "/srv/brick2"]"#),
        ],
    );
    assert!(out.has_flag("server.available"));
    assert_events_cleared(out);
    let mine = &server(&out.state).local_unit_data;
    assert_eq!(mine["private-address"], "10.0.0.11");
    assert_eq!(mine["bricks"], r#"["/srv/brick1"]"#);
    // Every peer is ready, but only the leader lays out the volume.
    assert!(
        !out.invoked
            .contains(&"glusterfs::lay_out_volume".to_owned())
    );
    assert_eq!(out.calls("leader-set"), 0);
    assert!(out.state.leader_settings.is_empty());
    assert_eq!(
        status(out),
        Status::waiting("waiting for the leader to lay out volume gv0")
    );

    // A leadership setting that is not a list of bricks: reported, and
    // the follower keeps waiting.
    let out = g.leader_sets(LAYOUT, "garbage");
    let warnings = out.logs_at(Level::Warning).join("\n");
    assert!(
        warnings.contains(r#"leadership setting volume-bricks "garbage" is not a list of bricks"#),
        "{warnings}"
    );
    assert_eq!(
        status(out),
        Status::waiting("waiting for the leader to lay out volume gv0")
    );

    // The leader records it: leader-settings-changed on the follower.
    let out = g.leader_sets(
        LAYOUT,
        r#"["10.0.0.10:/srv/brick1", "10.0.0.11:/srv/brick1"]"#,
    );
    assert_eq!(out.calls("leader-set"), 0);
    assert_eq!(
        status(out),
        Status::active("volume gv0: 2 bricks on 2 units")
    );

    // Leadership moves here: the new leader lays the volume out from what
    // it knows (the leader's two bricks and its own one: three, two used)
    // and finds it unchanged.
    let out = g.lead();
    assert!(
        out.invoked
            .contains(&"glusterfs::lay_out_volume".to_owned())
    );
    assert_eq!(out.calls("leader-set"), 0);
    assert_eq!(
        status(out),
        Status::active("volume gv0: 2 bricks on 2 units")
    );
}

#[test]
fn a_new_leader_records_a_layout_the_old_one_had_not() {
    let mut g = Gluster::new(unit("glusterfs/2", "10.0.0.12", false));
    g.hook(Event::install());
    let out = g.join(
        "glusterfs/10",
        &[
            ("private-address", "10.0.0.20"),
            ("bricks", r#"["/srv/brick1"]"#),
        ],
    );
    assert!(out.state.leader_settings.is_empty());
    let out = g.lead();
    // Units in numeric order: glusterfs/2 before glusterfs/10.
    assert_eq!(
        layout(out),
        Some(r#"["10.0.0.12:/srv/brick1", "10.0.0.20:/srv/brick1"]"#)
    );
    assert!(out.has_flag("leadership.set.volume-bricks"));
    assert_eq!(
        status(out),
        Status::active("volume test: 2 bricks on 2 units")
    );
}

#[test]
fn an_invalid_brick_path_blocks_and_is_not_published() {
    let mut g = Gluster::new(
        unit(LEADER, "10.0.0.10", true).with_config("brick-devices", "/srv/brick1 brick2"),
    );
    let out = g.hook(Event::install());
    let blocked =
        Status::blocked(r#"invalid brick path "brick2" in brick-devices: not an absolute path"#);
    assert_eq!(status(out), blocked);

    // A peer joins: the address is published, no bricks.
    let out = g.join(
        "glusterfs/1",
        &[
            ("private-address", "10.0.0.11"),
            ("bricks", r#"["/srv/brick1", "/srv/brick2"]"#),
        ],
    );
    let mine = &server(&out.state).local_unit_data;
    assert_eq!(
        mine.get("private-address").map(String::as_str),
        Some("10.0.0.10")
    );
    assert!(!mine.contains_key("bricks"), "{mine:?}");
    assert_eq!(status(out), blocked);

    // Fixed: published and laid out.
    let out = g.configure("brick-devices", "/srv/brick1 /srv/brick2");
    assert_eq!(
        server(&out.state).local_unit_data["bricks"],
        r#"["/srv/brick1", "/srv/brick2"]"#
    );
    assert_eq!(
        layout(out),
        Some(
            r#"["10.0.0.10:/srv/brick1", "10.0.0.11:/srv/brick1", "10.0.0.10:/srv/brick2", "10.0.0.11:/srv/brick2"]"#
        )
    );
    assert_eq!(
        status(out),
        Status::active("volume test: 4 bricks on 2 units")
    );

    // Broken again: the peers keep the last valid bricks, the layout
    // stands, the status says what is wrong.
    let out = g.configure("brick-devices", "/srv/brick1 /srv/a:b");
    assert_eq!(
        server(&out.state).local_unit_data["bricks"],
        r#"["/srv/brick1", "/srv/brick2"]"#
    );
    assert_eq!(out.calls("leader-set"), 0);
    assert_eq!(
        status(out),
        Status::blocked(
            r#"invalid brick path "/srv/a:b" in brick-devices: contains ':', which separates host and brick"#
        )
    );
}

#[test]
fn an_invalid_volume_name_blocks() {
    let mut g =
        Gluster::new(unit(LEADER, "10.0.0.10", true).with_config("volume-name", "my volume"));
    let out = g.hook(Event::install());
    assert_eq!(
        status(out),
        Status::blocked(r#"invalid volume-name "my volume": use letters, digits, '-' and '_'"#)
    );
}

#[test]
fn bad_brick_data_from_peers_is_logged_not_fatal() {
    let mut g = Gluster::new(unit(LEADER, "10.0.0.10", true));
    g.hook(Event::install());

    // Not JSON: the interface ignores it with a warning; the peer is not
    // available and the hook succeeds.
    let out = g.join(
        "glusterfs/1",
        &[("private-address", "10.0.0.11"), ("bricks", "/srv/brick1")],
    );
    assert!(!out.has_flag("server.available"));
    let warnings = out.logs_at(Level::Warning).join("\n");
    assert!(
        warnings.contains(r#"published bricks "/srv/brick1": not JSON"#),
        "{warnings}"
    );
    assert_eq!(layout(out), None);
    assert_eq!(
        status(out),
        Status::waiting("waiting for peers: glusterfs/1")
    );

    // A list with a relative path: the peer is available, the charm
    // leaves that brick out with a warning and uses the other.
    let out = g.publish(
        "glusterfs/1",
        &[
            ("private-address", "10.0.0.11"),
            ("bricks", r#"["brick1", "/srv/brick2"]"#),
        ],
    );
    assert!(out.has_flag("server.available"));
    assert_events_cleared(out);
    let warnings = out.logs_at(Level::Warning).join("\n");
    assert!(
        warnings.contains(
            r#"glusterfs/1 offers brick "brick1": not an absolute path; left out of the volume"#
        ),
        "{warnings}"
    );
    assert_eq!(
        layout(out),
        Some(r#"["10.0.0.10:/srv/brick1", "10.0.0.11:/srv/brick2"]"#)
    );
    assert_eq!(
        status(out),
        Status::active("volume test: 2 bricks on 2 units")
    );

    // An address that is no address: that unit's bricks are left out.
    let out = g.join(
        "glusterfs/2",
        &[
            ("private-address", "not an address"),
            ("bricks", r#"["/srv/brick1", "/srv/brick2"]"#),
        ],
    );
    let warnings = out.logs_at(Level::Warning).join("\n");
    assert!(
        warnings.contains("glusterfs/2 has no valid address"),
        "{warnings}"
    );
    assert_eq!(
        layout(out),
        Some(r#"["10.0.0.10:/srv/brick1", "10.0.0.11:/srv/brick2"]"#)
    );

    // An option and a host:port pair where an address belongs: neither
    // reaches the layout (the arguments of `gluster volume create`).
    for (n, bad) in [(3, "-rf"), (4, "a:b")] {
        let peer = format!("glusterfs/{n}");
        let out = g.join(
            &peer,
            &[("private-address", bad), ("bricks", r#"["/srv/brick9"]"#)],
        );
        assert!(out.is_ok());
        let warnings = out.logs_at(Level::Warning).join("\n");
        let refused = format!(
            "peer {peer} published an invalid private-address {bad:?}: expected an IP address or a host name; ignored"
        );
        assert!(warnings.contains(&refused), "{warnings}");
        assert!(
            warnings.contains(&format!("{peer} has no valid address")),
            "{warnings}"
        );
        assert_eq!(
            layout(out),
            Some(r#"["10.0.0.10:/srv/brick1", "10.0.0.11:/srv/brick2"]"#)
        );
    }
}

#[test]
fn a_corrupt_recorded_layout_is_replaced_by_the_leader() {
    let mut g = Gluster::new(unit(LEADER, "10.0.0.10", true));
    g.peers.set_leader_setting(LAYOUT, "garbage");
    g.hook(Event::install());
    let out = g.join(
        "glusterfs/1",
        &[
            ("private-address", "10.0.0.11"),
            ("bricks", r#"["/srv/brick1"]"#),
        ],
    );
    assert_eq!(
        layout(out),
        Some(r#"["10.0.0.10:/srv/brick1", "10.0.0.11:/srv/brick1"]"#)
    );
    assert_eq!(
        status(out),
        Status::active("volume test: 2 bricks on 2 units")
    );
}

/// The conversations `flag` is pending for (its value lists them).
fn pending(out: &Output, flag: &str) -> Vec<String> {
    out.state
        .flags
        .get(flag)
        .and_then(|v| v["conversations"].as_array())
        .into_iter()
        .flatten()
        .filter_map(|k| k.as_str()?.rsplit_once('.').map(|(_, u)| u.to_owned()))
        .collect()
}

#[test]
fn brick_events_are_acknowledged_peer_by_peer() {
    let mut g = Gluster::new(unit(LEADER, "10.0.0.10", true));
    g.hook(Event::install());
    let out = g.join(
        "glusterfs/1",
        &[
            ("private-address", "10.0.0.11"),
            ("bricks", r#"["/srv/brick1"]"#),
        ],
    );
    assert_events_cleared(out);

    // glusterfs/2 offers a brick before its address: its event stays
    // pending, and the recorded layout stands. (Juju put an address in
    // its databag; it deleted it.)
    g.peers
        .add_scripted_unit("glusterfs/2", "10.0.0.12")
        .unwrap();
    g.peers
        .set_unit_data("glusterfs/2", "private-address", "")
        .unwrap();
    g.next("server-relation-joined");
    g.peers
        .set_unit_data("glusterfs/2", "bricks", r#"["/srv/brick1"]"#)
        .unwrap();
    let out = g.next("server-relation-changed");
    assert_eq!(pending(out, "server.bricks.available"), ["glusterfs/2"]);
    assert!(
        out.logs_at(Level::Info).iter().any(|l| l.contains(
            "glusterfs/2: server.bricks.available pending until it publishes its address and bricks"
        )),
        "{:?}",
        out.logs
    );
    assert_eq!(out.calls("leader-set"), 0);
    assert_eq!(
        status(out),
        Status::active("volume test: 2 bricks on 2 units")
    );

    // glusterfs/1 adds a brick in the meantime: its event is acknowledged,
    // glusterfs/2's is still pending; the layout waits for glusterfs/2.
    let out = g.publish(
        "glusterfs/1",
        &[
            ("private-address", "10.0.0.11"),
            ("bricks", r#"["/srv/brick1", "/srv/brick2"]"#),
        ],
    );
    assert_eq!(pending(out, "server.bricks.available"), ["glusterfs/2"]);
    assert!(
        out.logs_at(Level::Info)
            .contains(&"glusterfs/1: server.bricks.available (volume layout to be recomputed)"),
        "{:?}",
        out.logs
    );
    assert_eq!(out.calls("leader-set"), 0);

    // glusterfs/2 publishes its address: acknowledged, the event flag
    // cleared with its last holder, and the volume laid out over all
    // three units.
    let out = g.publish(
        "glusterfs/2",
        &[
            ("private-address", "10.0.0.12"),
            ("bricks", r#"["/srv/brick1"]"#),
        ],
    );
    assert_events_cleared(out);
    assert_eq!(
        layout(out),
        Some(
            r#"["10.0.0.10:/srv/brick1", "10.0.0.11:/srv/brick1", "10.0.0.12:/srv/brick1", "10.0.0.10:/srv/brick2"]"#
        )
    );
    assert_eq!(
        status(out),
        Status::active("volume test: 4 bricks on 3 units")
    );
}
