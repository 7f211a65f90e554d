//! The glusterfs charm through the state-in/state-out harness: the same
//! dispatch path as production (interface handlers instantiated for the
//! `server` peer endpoint), over an in-memory Juju.

use charm_runtime::Status;
use charm_runtime::harness::{Context, Event, Level, Output, Relation, State};

const LEADER: &str = "glusterfs/0";
const LAYOUT: &str = "volume-bricks";

/// The charm as shipped (metadata.yaml, config.yaml), with the registry
/// `charm_runtime::main` builds: every macro handler of the binary, the
/// interface's instantiated for the charm's endpoints.
fn charm() -> Context {
    Context::from_charm_dir(env!("CARGO_MANIFEST_DIR")).unwrap()
}

/// A unit of glusterfs with its address and bricks, the peer relation
/// `server:1` present with no other unit yet.
fn unit(name: &str, address: &str, leader: bool) -> State {
    State::new()
        .with_unit(name)
        .with_leader(leader)
        .with_address("private-address", address)
        .with_config("brick-devices", "/srv/brick1 /srv/brick2")
        .with_relation(Relation::peer("server", 1, "glusterfs"))
}

/// `state` with `unit`'s databag on `server:1` replaced by `data`; the
/// relation as it now stands.
fn with_peer(mut state: State, unit: &str, data: &[(&str, &str)]) -> (State, Relation) {
    let rel = state.relations.iter_mut().find(|r| r.id == 1).unwrap();
    rel.remote_units.insert(
        unit.to_owned(),
        data.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    );
    let rel = rel.clone();
    (state, rel)
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

/// Install, then joined and changed from `peer`: the common start.
fn join(ctx: &Context, state: State, peer: &str, data: &[(&str, &str)]) -> Output {
    let (state, rel) = with_peer(state, peer, &[("private-address", data[0].1)]);
    let out = ctx
        .run(Event::relation_joined(&rel, peer), &state)
        .unwrap()
        .expect_ok();
    let (state, rel) = with_peer(out.state, peer, data);
    ctx.run(Event::relation_changed(&rel, peer), &state)
        .unwrap()
        .expect_ok()
}

#[test]
fn the_leader_lays_out_the_volume_as_peers_come_change_and_go() {
    let ctx = charm();

    // install: nothing joined yet.
    let out = ctx
        .run(Event::install(), &unit(LEADER, "10.0.0.10", true))
        .unwrap()
        .expect_ok();
    assert!(out.has_flag("glusterfs.installed"));
    assert!(!out.has_flag("server.connected"));
    assert_eq!(status(&out), Status::waiting("waiting for peers"));
    assert_eq!(out.calls("status-set"), 1);

    // glusterfs/1 joins: this unit publishes its address and bricks,
    // byte for byte as the Python layer does.
    let (state, rel) = with_peer(
        out.state,
        "glusterfs/1",
        &[("private-address", "10.0.0.11")],
    );
    let out = ctx
        .run(Event::relation_joined(&rel, "glusterfs/1"), &state)
        .unwrap()
        .expect_ok();
    assert!(out.has_flag("server.connected"));
    assert!(!out.has_flag("server.available"));
    let mine = &out.relation(&rel).local_unit_data;
    assert_eq!(mine["private-address"], "10.0.0.10");
    assert_eq!(mine["bricks"], r#"["/srv/brick1", "/srv/brick2"]"#);
    assert_eq!(mine.len(), 2, "{mine:?}");
    assert_eq!(layout(&out), None);
    assert_eq!(
        status(&out),
        Status::waiting("waiting for peers: glusterfs/1")
    );

    // ... and sends its bricks: available; 3 bricks, replica 2 takes 2,
    // one on each unit.
    let (state, rel) = with_peer(
        out.state,
        "glusterfs/1",
        &[
            ("private-address", "10.0.0.11"),
            ("bricks", r#"["/srv/brick1"]"#),
        ],
    );
    let out = ctx
        .run(Event::relation_changed(&rel, "glusterfs/1"), &state)
        .unwrap()
        .expect_ok();
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
    assert_events_cleared(&out);
    assert_eq!(
        layout(&out),
        Some(r#"["10.0.0.10:/srv/brick1", "10.0.0.11:/srv/brick1"]"#)
    );
    assert_eq!(
        status(&out),
        Status::active("volume test: 2 bricks on 2 units")
    );
    assert_eq!(out.calls("leader-set"), 1);

    // glusterfs/2 joins: not available yet, the recorded layout stands.
    let (state, rel) = with_peer(
        out.state,
        "glusterfs/2",
        &[("private-address", "10.0.0.12")],
    );
    let out = ctx
        .run(Event::relation_joined(&rel, "glusterfs/2"), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(out.calls("leader-set"), 0);
    assert_eq!(
        status(&out),
        Status::active("volume test: 2 bricks on 2 units")
    );

    // ... with two bricks: 5 in all, 4 used, round-robin over the units
    // so that each replica pair spans two hosts.
    let (state, rel) = with_peer(
        out.state,
        "glusterfs/2",
        &[
            ("private-address", "10.0.0.12"),
            ("bricks", r#"["/srv/brick1", "/srv/brick2"]"#),
        ],
    );
    let out = ctx
        .run(Event::relation_changed(&rel, "glusterfs/2"), &state)
        .unwrap()
        .expect_ok();
    assert_events_cleared(&out);
    assert_eq!(
        layout(&out),
        Some(
            r#"["10.0.0.10:/srv/brick1", "10.0.0.11:/srv/brick1", "10.0.0.12:/srv/brick1", "10.0.0.10:/srv/brick2"]"#
        )
    );
    assert_eq!(
        status(&out),
        Status::active("volume test: 4 bricks on 3 units")
    );

    // A relation-changed that changes nothing sets nothing, nor does an
    // update-status.
    let out = ctx
        .run(Event::relation_changed(&rel, "glusterfs/2"), &out.state)
        .unwrap()
        .expect_ok();
    assert!(!out.invoked.contains(&"glusterfs::peers_changed".to_owned()));
    assert_eq!(out.calls("leader-set"), 0);
    let out = ctx
        .run(Event::update_status(), &out.state)
        .unwrap()
        .expect_ok();
    assert_eq!(out.calls("leader-set"), 0);
    assert_eq!(out.calls("relation-set"), 0, "{:?}", out.tool_calls);
    assert_eq!(
        status(&out),
        Status::active("volume test: 4 bricks on 3 units")
    );

    // glusterfs/1 adds a brick: bricks.available, recomputed.
    let (state, rel) = with_peer(
        out.state,
        "glusterfs/1",
        &[
            ("private-address", "10.0.0.11"),
            ("bricks", r#"["/srv/brick1", "/srv/brick2"]"#),
        ],
    );
    let out = ctx
        .run(Event::relation_changed(&rel, "glusterfs/1"), &state)
        .unwrap()
        .expect_ok();
    assert_events_cleared(&out);
    assert_eq!(
        layout(&out),
        Some(
            r#"["10.0.0.10:/srv/brick1", "10.0.0.11:/srv/brick1", "10.0.0.12:/srv/brick1", "10.0.0.10:/srv/brick2", "10.0.0.11:/srv/brick2", "10.0.0.12:/srv/brick2"]"#
        )
    );
    assert_eq!(
        status(&out),
        Status::active("volume test: 6 bricks on 3 units")
    );

    // ... and removes one: bricks.removed, recomputed.
    let (state, rel) = with_peer(
        out.state,
        "glusterfs/1",
        &[
            ("private-address", "10.0.0.11"),
            ("bricks", r#"["/srv/brick2"]"#),
        ],
    );
    let out = ctx
        .run(Event::relation_changed(&rel, "glusterfs/1"), &state)
        .unwrap()
        .expect_ok();
    assert!(
        out.logs_at(Level::Info)
            .iter()
            .any(|l| l.contains("server.bricks.removed")),
        "{:?}",
        out.logs
    );
    assert_events_cleared(&out);
    assert_eq!(
        layout(&out),
        Some(
            r#"["10.0.0.10:/srv/brick1", "10.0.0.11:/srv/brick2", "10.0.0.12:/srv/brick1", "10.0.0.10:/srv/brick2"]"#
        )
    );
    assert_eq!(
        status(&out),
        Status::active("volume test: 4 bricks on 3 units")
    );

    // glusterfs/2 departs: its bricks leave the layout.
    let rel = server(&out.state);
    let out = ctx
        .run(Event::relation_departed(&rel, "glusterfs/2"), &out.state)
        .unwrap()
        .expect_ok();
    assert_events_cleared(&out);
    assert!(out.has_flag("server.available"));
    assert_eq!(
        layout(&out),
        Some(r#"["10.0.0.10:/srv/brick1", "10.0.0.11:/srv/brick2"]"#)
    );
    assert_eq!(
        status(&out),
        Status::active("volume test: 2 bricks on 2 units")
    );
    assert_eq!(server(&out.state).unit_names(), ["glusterfs/1"]);

    // glusterfs/1 departs too: no peer left; the volume's record stays.
    let rel = server(&out.state);
    let out = ctx
        .run(Event::relation_departed(&rel, "glusterfs/1"), &out.state)
        .unwrap()
        .expect_ok();
    assert_events_cleared(&out);
    assert!(!out.has_flag("server.connected"));
    assert!(!out.has_flag("server.available"));
    assert_eq!(out.calls("leader-set"), 0);
    assert!(layout(&out).is_some());
    assert_eq!(status(&out), Status::waiting("waiting for peers"));
}

#[test]
fn too_few_bricks_wait() {
    let ctx = charm();
    let state = unit(LEADER, "10.0.0.10", true).with_config("brick-devices", "");
    let out = ctx.run(Event::install(), &state).unwrap().expect_ok();
    let out = join(
        &ctx,
        out.state,
        "glusterfs/1",
        &[
            ("private-address", "10.0.0.11"),
            ("bricks", r#"["/srv/brick1"]"#),
        ],
    );
    // No brick of our own: published as an empty list.
    assert_eq!(server(&out.state).local_unit_data["bricks"], "[]");
    assert_eq!(layout(&out), None);
    assert_eq!(
        status(&out),
        Status::waiting("waiting for bricks: 1 of at least 2")
    );

    // The operator gives this unit a brick: published, laid out.
    let state = out.state.with_config("brick-devices", "/data/gluster");
    let out = ctx
        .run(Event::config_changed(), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(
        server(&out.state).local_unit_data["bricks"],
        r#"["/data/gluster"]"#
    );
    assert_eq!(
        layout(&out),
        Some(r#"["10.0.0.10:/data/gluster", "10.0.0.11:/srv/brick1"]"#)
    );
    assert_eq!(
        status(&out),
        Status::active("volume test: 2 bricks on 2 units")
    );
}

#[test]
fn a_follower_publishes_but_leaves_the_layout_to_the_leader() {
    let ctx = charm();
    let state = unit("glusterfs/1", "10.0.0.11", false)
        .with_config("brick-devices", "/srv/brick1")
        .with_config("volume-name", "gv0");
    let out = ctx.run(Event::install(), &state).unwrap().expect_ok();
    let out = join(
        &ctx,
        out.state,
        LEADER,
        &[
            ("private-address", "10.0.0.10"),
            ("bricks", r#"["/srv/brick1", "/srv/brick2"]"#),
        ],
    );
    assert!(out.has_flag("server.available"));
    assert_events_cleared(&out);
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
        status(&out),
        Status::waiting("waiting for the leader to lay out volume gv0")
    );

    // A leadership setting that is not a list of bricks: reported, and
    // the follower keeps waiting.
    let state = out.state.with_leader_setting(LAYOUT, "garbage");
    let out = ctx
        .run(Event::leader_settings_changed(), &state)
        .unwrap()
        .expect_ok();
    let warnings = out.logs_at(Level::Warning).join("\n");
    assert!(
        warnings.contains(r#"leadership setting volume-bricks "garbage" is not a list of bricks"#),
        "{warnings}"
    );
    assert_eq!(
        status(&out),
        Status::waiting("waiting for the leader to lay out volume gv0")
    );

    // The leader records it: leader-settings-changed on the follower.
    let state = out.state.with_leader_setting(
        LAYOUT,
        r#"["10.0.0.10:/srv/brick1", "10.0.0.11:/srv/brick1"]"#,
    );
    let out = ctx
        .run(Event::leader_settings_changed(), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(out.calls("leader-set"), 0);
    assert_eq!(
        status(&out),
        Status::active("volume gv0: 2 bricks on 2 units")
    );

    // Leadership moves here: the new leader lays the volume out from what
    // it knows (the leader's two bricks and its own one: three, two used)
    // and finds it unchanged.
    let state = out.state.with_leader(true);
    let out = ctx
        .run(Event::leader_elected(), &state)
        .unwrap()
        .expect_ok();
    assert!(
        out.invoked
            .contains(&"glusterfs::lay_out_volume".to_owned())
    );
    assert_eq!(out.calls("leader-set"), 0);
    assert_eq!(
        status(&out),
        Status::active("volume gv0: 2 bricks on 2 units")
    );
}

#[test]
fn a_new_leader_records_a_layout_the_old_one_had_not() {
    let ctx = charm();
    let state = unit("glusterfs/2", "10.0.0.12", false);
    let out = ctx.run(Event::install(), &state).unwrap().expect_ok();
    let out = join(
        &ctx,
        out.state,
        "glusterfs/10",
        &[
            ("private-address", "10.0.0.20"),
            ("bricks", r#"["/srv/brick1"]"#),
        ],
    );
    assert!(out.state.leader_settings.is_empty());
    let out = ctx
        .run(Event::leader_elected(), &out.state.with_leader(true))
        .unwrap()
        .expect_ok();
    // Units in numeric order: glusterfs/2 before glusterfs/10.
    assert_eq!(
        layout(&out),
        Some(r#"["10.0.0.12:/srv/brick1", "10.0.0.20:/srv/brick1"]"#)
    );
    assert!(out.has_flag("leadership.set.volume-bricks"));
    assert_eq!(
        status(&out),
        Status::active("volume test: 2 bricks on 2 units")
    );
}

#[test]
fn an_invalid_brick_path_blocks_and_is_not_published() {
    let ctx = charm();
    let state = unit(LEADER, "10.0.0.10", true).with_config("brick-devices", "/srv/brick1 brick2");
    let out = ctx.run(Event::install(), &state).unwrap().expect_ok();
    let blocked =
        Status::blocked(r#"invalid brick path "brick2" in brick-devices: not an absolute path"#);
    assert_eq!(status(&out), blocked);

    // A peer joins: the address is published, no bricks.
    let out = join(
        &ctx,
        out.state,
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
    assert_eq!(status(&out), blocked);

    // Fixed: published and laid out.
    let state = out
        .state
        .with_config("brick-devices", "/srv/brick1 /srv/brick2");
    let out = ctx
        .run(Event::config_changed(), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(
        server(&out.state).local_unit_data["bricks"],
        r#"["/srv/brick1", "/srv/brick2"]"#
    );
    assert_eq!(
        layout(&out),
        Some(
            r#"["10.0.0.10:/srv/brick1", "10.0.0.11:/srv/brick1", "10.0.0.10:/srv/brick2", "10.0.0.11:/srv/brick2"]"#
        )
    );
    assert_eq!(
        status(&out),
        Status::active("volume test: 4 bricks on 2 units")
    );

    // Broken again: the peers keep the last valid bricks, the layout
    // stands, the status says what is wrong.
    let state = out
        .state
        .with_config("brick-devices", "/srv/brick1 /srv/a:b");
    let out = ctx
        .run(Event::config_changed(), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(
        server(&out.state).local_unit_data["bricks"],
        r#"["/srv/brick1", "/srv/brick2"]"#
    );
    assert_eq!(out.calls("leader-set"), 0);
    assert_eq!(
        status(&out),
        Status::blocked(
            r#"invalid brick path "/srv/a:b" in brick-devices: contains ':', which separates host and brick"#
        )
    );
}

#[test]
fn an_invalid_volume_name_blocks() {
    let ctx = charm();
    let state = unit(LEADER, "10.0.0.10", true).with_config("volume-name", "my volume");
    let out = ctx.run(Event::install(), &state).unwrap().expect_ok();
    assert_eq!(
        status(&out),
        Status::blocked(r#"invalid volume-name "my volume": use letters, digits, '-' and '_'"#)
    );
}

#[test]
fn bad_brick_data_from_peers_is_logged_not_fatal() {
    let ctx = charm();
    let out = ctx
        .run(Event::install(), &unit(LEADER, "10.0.0.10", true))
        .unwrap()
        .expect_ok();

    // Not JSON: the interface ignores it with a warning; the peer is not
    // available and the hook succeeds.
    let out = join(
        &ctx,
        out.state,
        "glusterfs/1",
        &[("private-address", "10.0.0.11"), ("bricks", "/srv/brick1")],
    );
    assert!(!out.has_flag("server.available"));
    let warnings = out.logs_at(Level::Warning).join("\n");
    assert!(
        warnings.contains(r#"published bricks "/srv/brick1": not JSON"#),
        "{warnings}"
    );
    assert_eq!(layout(&out), None);
    assert_eq!(
        status(&out),
        Status::waiting("waiting for peers: glusterfs/1")
    );

    // A list with a relative path: the peer is available, the charm
    // leaves that brick out with a warning and uses the other.
    let (state, rel) = with_peer(
        out.state,
        "glusterfs/1",
        &[
            ("private-address", "10.0.0.11"),
            ("bricks", r#"["brick1", "/srv/brick2"]"#),
        ],
    );
    let out = ctx
        .run(Event::relation_changed(&rel, "glusterfs/1"), &state)
        .unwrap()
        .expect_ok();
    assert!(out.has_flag("server.available"));
    assert_events_cleared(&out);
    let warnings = out.logs_at(Level::Warning).join("\n");
    assert!(
        warnings.contains(
            r#"glusterfs/1 offers brick "brick1": not an absolute path; left out of the volume"#
        ),
        "{warnings}"
    );
    assert_eq!(
        layout(&out),
        Some(r#"["10.0.0.10:/srv/brick1", "10.0.0.11:/srv/brick2"]"#)
    );
    assert_eq!(
        status(&out),
        Status::active("volume test: 2 bricks on 2 units")
    );

    // An address that is no address: that unit's bricks are left out.
    let (state, rel) = with_peer(
        out.state,
        "glusterfs/2",
        &[
            ("private-address", "not an address"),
            ("bricks", r#"["/srv/brick1", "/srv/brick2"]"#),
        ],
    );
    let out = ctx
        .run(Event::relation_joined(&rel, "glusterfs/2"), &state)
        .unwrap()
        .expect_ok();
    let out = ctx
        .run(Event::relation_changed(&rel, "glusterfs/2"), &out.state)
        .unwrap()
        .expect_ok();
    let warnings = out.logs_at(Level::Warning).join("\n");
    assert!(
        warnings.contains("glusterfs/2 has no valid address"),
        "{warnings}"
    );
    assert_eq!(
        layout(&out),
        Some(r#"["10.0.0.10:/srv/brick1", "10.0.0.11:/srv/brick2"]"#)
    );
}

#[test]
fn a_corrupt_recorded_layout_is_replaced_by_the_leader() {
    let ctx = charm();
    let state = unit(LEADER, "10.0.0.10", true).with_leader_setting(LAYOUT, "garbage");
    let out = ctx.run(Event::install(), &state).unwrap().expect_ok();
    let out = join(
        &ctx,
        out.state,
        "glusterfs/1",
        &[
            ("private-address", "10.0.0.11"),
            ("bricks", r#"["/srv/brick1"]"#),
        ],
    );
    assert_eq!(
        layout(&out),
        Some(r#"["10.0.0.10:/srv/brick1", "10.0.0.11:/srv/brick1"]"#)
    );
    assert_eq!(
        status(&out),
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
    let ctx = charm();
    let out = ctx
        .run(Event::install(), &unit(LEADER, "10.0.0.10", true))
        .unwrap()
        .expect_ok();
    let out = join(
        &ctx,
        out.state,
        "glusterfs/1",
        &[
            ("private-address", "10.0.0.11"),
            ("bricks", r#"["/srv/brick1"]"#),
        ],
    );
    assert_events_cleared(&out);

    // glusterfs/2 offers a brick before its address: its event stays
    // pending, and the recorded layout stands.
    let (state, rel) = with_peer(out.state, "glusterfs/2", &[]);
    let out = ctx
        .run(Event::relation_joined(&rel, "glusterfs/2"), &state)
        .unwrap()
        .expect_ok();
    let (state, rel) = with_peer(
        out.state,
        "glusterfs/2",
        &[("bricks", r#"["/srv/brick1"]"#)],
    );
    let out = ctx
        .run(Event::relation_changed(&rel, "glusterfs/2"), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(pending(&out, "server.bricks.available"), ["glusterfs/2"]);
    assert!(
        out.logs_at(Level::Info).iter().any(|l| l.contains(
            "glusterfs/2: server.bricks.available pending until it publishes its address and bricks"
        )),
        "{:?}",
        out.logs
    );
    assert_eq!(out.calls("leader-set"), 0);
    assert_eq!(
        status(&out),
        Status::active("volume test: 2 bricks on 2 units")
    );

    // glusterfs/1 adds a brick in the meantime: its event is acknowledged,
    // glusterfs/2's is still pending; the layout waits for glusterfs/2.
    let (state, rel) = with_peer(
        out.state,
        "glusterfs/1",
        &[
            ("private-address", "10.0.0.11"),
            ("bricks", r#"["/srv/brick1", "/srv/brick2"]"#),
        ],
    );
    let out = ctx
        .run(Event::relation_changed(&rel, "glusterfs/1"), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(pending(&out, "server.bricks.available"), ["glusterfs/2"]);
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
    let (state, rel) = with_peer(
        out.state,
        "glusterfs/2",
        &[
            ("private-address", "10.0.0.12"),
            ("bricks", r#"["/srv/brick1"]"#),
        ],
    );
    let out = ctx
        .run(Event::relation_changed(&rel, "glusterfs/2"), &state)
        .unwrap()
        .expect_ok();
    assert_events_cleared(&out);
    assert_eq!(
        layout(&out),
        Some(
            r#"["10.0.0.10:/srv/brick1", "10.0.0.11:/srv/brick1", "10.0.0.12:/srv/brick1", "10.0.0.10:/srv/brick2"]"#
        )
    );
    assert_eq!(
        status(&out),
        Status::active("volume test: 4 bricks on 3 units")
    );
}
