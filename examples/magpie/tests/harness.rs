//! The magpie charm through the state-in/state-out harness: peers joining
//! one by one and leaving, the network chosen by `cidr`, bad options and
//! bad peer data, and the iperf exchange between the leader and a server.

use charm_runtime::Status;
use charm_runtime::harness::{Context, Event, Level, Network, Output, Relation, State};
use serde_json::{Value, json};

/// The charm as shipped (metadata.yaml, config.yaml).
fn charm() -> Context {
    Context::from_charm_dir(env!("CARGO_MANIFEST_DIR")).unwrap()
}

fn active(message: &str) -> Option<Status> {
    Some(Status::active(message))
}

/// `state` after install (the config flags are set on the first hook).
fn installed(ctx: &Context, state: State) -> State {
    let out = ctx.run(Event::install(), &state).unwrap().expect_ok();
    assert!(out.has_flag("magpie.installed"));
    out.state
}

/// `state` with `unit` (and its raw data) added to the peer relation 1,
/// this unit's data and the other peers kept.
fn with_peer(mut state: State, unit: &str, data: &[(&str, &str)]) -> (State, Relation) {
    let rel = state
        .relation(1)
        .cloned()
        .unwrap_or_else(|| Relation::peer("magpie", 1, "magpie"))
        .with_unit_data(unit, data.to_vec());
    state.relations.retain(|r| r.id != 1);
    (state.with_relation(rel.clone()), rel)
}

/// A peer joins with `data`: the hook must succeed.
fn join(ctx: &Context, state: State, unit: &str, data: &[(&str, &str)]) -> (Output, Relation) {
    let (state, rel) = with_peer(state, unit, data);
    let out = ctx
        .run(Event::relation_joined(&rel, unit), &state)
        .unwrap()
        .expect_ok();
    (out, rel)
}

fn record<'a>(out: &'a Output, unit: &str) -> &'a Value {
    out.state
        .kv
        .get(&format!("{}{unit}", magpie::PEER_PREFIX))
        .unwrap_or_else(|| panic!("no record for {unit}: {:?}", out.state.kv))
}

fn ok_record(address: &str) -> Value {
    json!({
        "address": address,
        "icmp": "ok",
        "dns": "ok",
        "commands": [["ping", "-c", "1", "-W", "1", address], ["host", address]],
    })
}

fn records(out: &Output) -> Vec<&str> {
    out.state
        .kv
        .keys()
        .filter_map(|k| k.strip_prefix(magpie::PEER_PREFIX))
        .collect()
}

#[test]
fn peers_joining_one_by_one_are_checked_and_dismissed() {
    let ctx = charm();
    let state = installed(&ctx, State::new());
    assert_eq!(
        state.unit_status,
        Some(Status::waiting("Waiting for peers..."))
    );

    let (out, rel) = join(&ctx, state, "magpie/1", &[("private-address", "10.0.0.11")]);
    assert_eq!(
        out.invoked,
        [
            "charm_interfaces::magpie::MagpiePeers::joined:magpie",
            "magpie::check_peers",
            "magpie::assess_status"
        ]
    );
    assert_eq!(record(&out, "magpie/1"), &ok_record("10.0.0.11"));
    // This unit's addresses, from the binding (the harness answers with
    // the private address), as the Python layer writes them.
    assert_eq!(
        out.relation(&rel).local_unit_data["iperf_addresses"],
        r#"["192.0.2.10"]"#
    );
    assert_eq!(
        out.state.kv["magpie.advertised"],
        json!(r#"["192.0.2.10"]"#)
    );
    // Handled: the joined flag is dismissed, the conversation kept.
    assert!(!out.has_flag("magpie.joined"));
    assert!(
        out.state
            .kv
            .contains_key("reactive.conversations.magpie:1.magpie/1")
    );
    assert_eq!(
        out.state.unit_status,
        active("icmp ok, dns ok: 1 peer reachable")
    );
    // One status for the hook, sent at its end.
    assert_eq!(out.calls("status-set"), 1);
    assert_eq!(out.status_history.len(), 1);
    // No iperf unless asked for.
    assert!(
        !out.relation(&rel)
            .local_unit_data
            .contains_key("iperf.server")
    );
    assert!(!out.has_flag("iperf.listening"));

    let (out, _) = join(
        &ctx,
        out.state,
        "magpie/2",
        &[("private-address", "10.0.0.12")],
    );
    assert_eq!(record(&out, "magpie/1"), &ok_record("10.0.0.11"));
    assert_eq!(record(&out, "magpie/2"), &ok_record("10.0.0.12"));
    assert!(!out.has_flag("magpie.joined"));
    assert_eq!(
        out.state.unit_status,
        active("icmp ok, dns ok: 2 peers reachable")
    );
    // Only the newly joined peer was checked in that hook.
    assert!(
        out.logs_at(Level::Info)
            .iter()
            .all(|l| !l.contains("checked magpie/1")),
        "{:?}",
        out.logs
    );

    let (out, rel) = join(
        &ctx,
        out.state,
        "magpie/3",
        &[("private-address", "10.0.0.13")],
    );
    assert_eq!(records(&out), ["magpie/1", "magpie/2", "magpie/3"]);
    assert_eq!(record(&out, "magpie/3"), &ok_record("10.0.0.13"));
    assert_eq!(
        out.state.unit_status,
        active("icmp ok, dns ok: 3 peers reachable")
    );

    // A relation-changed with nothing joined since: nothing re-checked.
    let out = ctx
        .run(Event::relation_changed(&rel, "magpie/2"), &out.state)
        .unwrap()
        .expect_ok();
    assert!(!out.invoked.iter().any(|h| h == "magpie::check_peers"));
    assert_eq!(
        out.state.unit_status,
        active("icmp ok, dns ok: 3 peers reachable")
    );

    // magpie/2 leaves: its results go, the departed flag is dismissed.
    let out = ctx
        .run(Event::relation_departed(&rel, "magpie/2"), &out.state)
        .unwrap()
        .expect_ok();
    assert!(out.invoked.iter().any(|h| h == "magpie::peers_departed"));
    assert_eq!(records(&out), ["magpie/1", "magpie/3"]);
    assert!(!out.has_flag("magpie.departed"));
    assert!(!out.has_flag("magpie.joined"));
    assert!(
        !out.state
            .kv
            .contains_key("reactive.conversations.magpie:1.magpie/2")
    );
    assert_eq!(
        out.state.unit_status,
        active("icmp ok, dns ok: 2 peers reachable")
    );
    assert_eq!(out.relation(&rel).unit_names(), ["magpie/1", "magpie/3"]);

    // The others leave, the relation goes: back to waiting.
    let rel = out.relation(&rel).clone();
    let out = ctx
        .run(Event::relation_departed(&rel, "magpie/1"), &out.state)
        .unwrap()
        .expect_ok();
    let rel = out.relation(&rel).clone();
    let out = ctx
        .run(Event::relation_departed(&rel, "magpie/3"), &out.state)
        .unwrap()
        .expect_ok();
    assert!(records(&out).is_empty());
    let rel = out.relation(&rel).clone();
    let out = ctx
        .run(Event::relation_broken(&rel), &out.state)
        .unwrap()
        .expect_ok();
    assert_eq!(
        out.state.unit_status,
        Some(Status::waiting("Waiting for peers..."))
    );
}

/// A unit bound to a network with an IPv4 and an IPv6 address.
fn dual_stack(state: State) -> State {
    let mut net = Network::from_address("10.0.0.10");
    net.bind_addresses.push("2001:db8::10".into());
    state.with_network("magpie", net)
}

#[test]
fn the_cidr_option_chooses_the_address_checked() {
    let ctx = charm();
    let state = installed(
        &ctx,
        dual_stack(State::new().with_config("cidr", "2001:db8::/64")),
    );
    let (out, rel) = join(
        &ctx,
        state,
        "magpie/1",
        &[
            ("private-address", "10.0.0.11"),
            ("iperf_addresses", r#"["10.0.0.11", "2001:db8::11"]"#),
        ],
    );
    // Both of this unit's addresses advertised, sorted as strings.
    assert_eq!(
        out.relation(&rel).local_unit_data["iperf_addresses"],
        r#"["10.0.0.10", "2001:db8::10"]"#
    );
    assert_eq!(record(&out, "magpie/1"), &ok_record("2001:db8::11"));

    // A peer advertising IPv4 only is checked at its private address.
    let (out, _) = join(
        &ctx,
        out.state,
        "magpie/2",
        &[
            ("private-address", "10.0.0.12"),
            ("iperf_addresses", r#"["10.0.0.12"]"#),
        ],
    );
    assert_eq!(record(&out, "magpie/2"), &ok_record("10.0.0.12"));
    assert_eq!(
        out.state.unit_status,
        active("icmp ok, dns ok: 2 peers reachable")
    );

    // On an IPv4 network: the advertised address inside it.
    let state = installed(
        &ctx,
        dual_stack(State::new().with_config("cidr", "192.168.5.0/24")),
    );
    let (out, _) = join(
        &ctx,
        state,
        "magpie/1",
        &[
            ("private-address", "10.0.0.11"),
            (
                "iperf_addresses",
                r#"["10.0.0.11", "192.168.5.11", "2001:db8::11"]"#,
            ),
        ],
    );
    assert_eq!(record(&out, "magpie/1"), &ok_record("192.168.5.11"));
}

#[test]
fn an_invalid_cidr_blocks_naming_it_until_fixed() {
    let ctx = charm();
    let state = installed(&ctx, State::new().with_config("cidr", "10.0.0.0/33"));
    let blocked = Some(Status::blocked(
        r#"invalid cidr option "10.0.0.0/33": prefix length above 32"#,
    ));
    assert_eq!(state.unit_status, blocked);
    let (out, _) = join(&ctx, state, "magpie/1", &[("private-address", "10.0.0.11")]);
    assert_eq!(out.state.unit_status, blocked);
    assert!(records(&out).is_empty());
    // Not handled: the peer stays joined for when the option is fixed.
    assert!(out.has_flag("magpie.joined"));
    assert!(
        out.logs_at(Level::Error)
            .iter()
            .any(|l| l.contains(r#""10.0.0.0/33""#)),
        "{:?}",
        out.logs
    );
    let state = out.state.with_config("cidr", "garbage");
    let out = ctx
        .run(Event::config_changed(), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(
        out.state.unit_status,
        Some(Status::blocked(
            r#"invalid cidr option "garbage": not an IPv4 or IPv6 address"#
        ))
    );

    // Fixed: the waiting peer is checked.
    let state = out.state.with_config("cidr", "10.0.0.0/24");
    let out = ctx
        .run(Event::config_changed(), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(record(&out, "magpie/1"), &ok_record("10.0.0.11"));
    assert!(!out.has_flag("magpie.joined"));
    assert_eq!(
        out.state.unit_status,
        active("icmp ok, dns ok: 1 peer reachable")
    );
}

#[test]
fn bad_peer_data_does_not_fail_the_hook() {
    let ctx = charm();
    let state = installed(&ctx, State::new().with_config("cidr", "10.0.0.0/24"));
    // Advertised addresses that are not a JSON list: a warning, and the
    // private address.
    let (out, _) = join(
        &ctx,
        state,
        "magpie/1",
        &[
            ("private-address", "10.0.0.11"),
            ("iperf_addresses", "10.0.0.11, bogus"),
        ],
    );
    assert!(
        out.logs_at(Level::Warning)
            .iter()
            .any(|l| l.contains("magpie/1") && l.contains("iperf_addresses")),
        "{:?}",
        out.logs
    );
    assert_eq!(record(&out, "magpie/1"), &ok_record("10.0.0.11"));

    // A list with junk entries: those skipped with a warning.
    let (out, _) = join(
        &ctx,
        out.state,
        "magpie/2",
        &[
            ("private-address", "192.0.2.12"),
            ("iperf_addresses", r#"[1, "10.0.0.300", "10.0.0.12"]"#),
        ],
    );
    assert!(
        out.logs_at(Level::Warning)
            .iter()
            .any(|l| l.contains("magpie/2") && l.contains("10.0.0.300")),
        "{:?}",
        out.logs
    );
    assert_eq!(record(&out, "magpie/2"), &ok_record("10.0.0.12"));
    assert_eq!(
        out.state.unit_status,
        active("icmp ok, dns ok: 2 peers reachable")
    );

    // A peer with no usable address at all: recorded as failing, blocked.
    let (out, _) = join(
        &ctx,
        out.state,
        "magpie/3",
        &[("private-address", "not-an-address")],
    );
    assert_eq!(
        record(&out, "magpie/3"),
        &json!({"address": "not-an-address", "icmp": "failed", "dns": "failed", "commands": []})
    );
    let (out, _) = join(&ctx, out.state, "magpie/4", &[]);
    assert_eq!(record(&out, "magpie/4")["address"], Value::Null);
    assert_eq!(
        out.state.unit_status,
        Some(Status::blocked(
            "icmp failed: magpie/3, magpie/4; dns failed: magpie/3, magpie/4"
        ))
    );
}

#[test]
fn the_leader_runs_iperf_once_every_peer_listens() {
    let ctx = charm();
    let state = installed(
        &ctx,
        State::new()
            .with_leader(true)
            .with_config("check-iperf", true),
    );
    let (out, _) = join(
        &ctx,
        state,
        "magpie/1",
        &[("private-address", "10.0.0.11"), ("iperf.server", "True")],
    );
    // One peer, listening: checked at once.
    let mut want = ok_record("10.0.0.11");
    want["iperf"] = json!(["iperf", "-t", "1", "-fm", "-c", "10.0.0.11"]);
    assert_eq!(record(&out, "magpie/1"), &want);
    let rel = out.state.relation(1).unwrap().clone();
    assert_eq!(rel.local_unit_data["iperf.checked"], "['None magpie/1']");
    assert!(!out.has_flag("magpie.joined"));
    // The leader is the client: it does not listen.
    assert!(!rel.local_unit_data.contains_key("iperf.server"));
    assert!(!out.state.kv.contains_key("magpie.iperf.server"));
    assert_eq!(
        out.state.unit_status,
        active("icmp ok, dns ok: 1 peer reachable; iperf ok: 1 peer checked")
    );

    // Two more join, the first not listening yet: the leader waits for it.
    let (out, _) = join(
        &ctx,
        out.state,
        "magpie/2",
        &[("private-address", "10.0.0.12")],
    );
    assert!(out.has_flag("magpie.joined"));
    let (out, rel) = join(
        &ctx,
        out.state,
        "magpie/3",
        &[
            ("private-address", "10.0.0.13"),
            ("iperf.server", "True"),
            ("iperf.checked", "['None magpie/0']"),
        ],
    );
    assert!(out.has_flag("magpie.joined"));
    assert_eq!(record(&out, "magpie/2")["iperf"], Value::Null);
    assert_eq!(record(&out, "magpie/3")["iperf"], Value::Null);
    assert!(
        out.logs_at(Level::Info)
            .iter()
            .any(|l| l.contains("waiting for the servers of magpie/2")),
        "{:?}",
        out.logs
    );
    // The marks published for magpie/1 stand meanwhile.
    assert_eq!(
        out.relation(&rel).local_unit_data["iperf.checked"],
        "['None magpie/1']"
    );
    assert_eq!(
        out.state.unit_status,
        active("icmp ok, dns ok: 3 peers reachable; iperf: waiting for 2 peers to listen")
    );

    // magpie/2 listens: both checked, marks published (after what each
    // peer published under the same key), joined dismissed.
    let mut rel = out.relation(&rel).clone();
    rel.remote_units
        .get_mut("magpie/2")
        .unwrap()
        .insert("iperf.server".into(), "True".into());
    let mut state = out.state.clone();
    state.relations.retain(|r| r.id != 1);
    let state = state.with_relation(rel.clone());
    let out = ctx
        .run(Event::relation_changed(&rel, "magpie/2"), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(
        out.relation(&rel).local_unit_data["iperf.checked"],
        r#"['None magpie/2', "['None magpie/0'] magpie/3"]"#
    );
    assert_eq!(
        record(&out, "magpie/2")["iperf"],
        json!(["iperf", "-t", "1", "-fm", "-c", "10.0.0.12"])
    );
    assert_eq!(
        record(&out, "magpie/3")["iperf"],
        json!(["iperf", "-t", "1", "-fm", "-c", "10.0.0.13"])
    );
    assert!(!out.has_flag("magpie.joined"));
    assert_eq!(
        out.state.unit_status,
        active("icmp ok, dns ok: 3 peers reachable; iperf ok: 3 peers checked")
    );
}

#[test]
fn a_server_listens_until_the_leader_marks_it() {
    let ctx = charm();
    let state = installed(
        &ctx,
        dual_stack(
            State::new()
                .with_unit("magpie/1")
                .with_config("check-iperf", true)
                .with_config("cidr", "2001:db8::/64"),
        ),
    );
    let (out, rel) = join(
        &ctx,
        state,
        "magpie/0",
        &[
            ("private-address", "10.0.0.10"),
            ("iperf_addresses", r#"["10.0.0.9", "2001:db8::9"]"#),
        ],
    );
    let published = &out.relation(&rel).local_unit_data;
    assert_eq!(published["iperf.server"], "True");
    assert_eq!(
        published["iperf_addresses"],
        r#"["10.0.0.10", "2001:db8::10"]"#
    );
    assert!(!published.contains_key("iperf.checked"));
    // Bound to this unit's address on the chosen network.
    assert_eq!(
        out.state.kv["magpie.iperf.server"],
        json!(["iperf", "-s", "-m", "-fm", "-B", "2001:db8::10"])
    );
    assert!(out.has_flag("iperf.listening"));
    assert!(!out.has_flag("iperf.checked"));
    // Not marked yet: the peer stays joined.
    assert!(out.has_flag("magpie.joined"));
    assert_eq!(
        out.state.unit_status,
        active("icmp ok, dns ok: 1 peer reachable; iperf listening")
    );

    // The leader publishes its marks, naming this unit.
    let mut rel = out.relation(&rel).clone();
    rel.remote_units
        .get_mut("magpie/0")
        .unwrap()
        .insert("iperf.checked".into(), "['None magpie/1']".into());
    let mut state = out.state.clone();
    state.relations.retain(|r| r.id != 1);
    let state = state.with_relation(rel.clone());
    let out = ctx
        .run(Event::relation_changed(&rel, "magpie/0"), &state)
        .unwrap()
        .expect_ok();
    assert!(out.has_flag("iperf.checked"));
    assert!(!out.has_flag("magpie.joined"));
    assert_eq!(record(&out, "magpie/0"), &ok_record("2001:db8::9"));
    assert_eq!(
        out.state.unit_status,
        active("icmp ok, dns ok: 1 peer reachable; iperf checked")
    );
}

#[test]
fn a_server_elected_leader_becomes_the_client() {
    let ctx = charm();
    let state = installed(
        &ctx,
        State::new()
            .with_unit("magpie/1")
            .with_config("check-iperf", true),
    );
    let (out, rel) = join(&ctx, state, "magpie/0", &[("private-address", "10.0.0.10")]);
    assert!(out.has_flag("iperf.listening"));
    assert!(out.has_flag("magpie.joined"));

    // magpie/0 goes away before marking it; magpie/1 is elected leader
    // and waits, as the client, for magpie/2 to listen.
    let out = ctx
        .run(Event::relation_departed(&rel, "magpie/0"), &out.state)
        .unwrap()
        .expect_ok();
    assert!(!out.has_flag("magpie.joined"));
    assert_eq!(
        out.state.unit_status,
        Some(Status::waiting("Waiting for peers..."))
    );
    let (out, rel) = join(
        &ctx,
        out.state.with_leader(true),
        "magpie/2",
        &[("private-address", "10.0.0.12")],
    );
    assert!(out.has_flag("magpie.joined"));
    assert_eq!(
        out.state.unit_status,
        active("icmp ok, dns ok: 1 peer reachable; iperf: waiting for 1 peer to listen")
    );
    let mut rel = out.relation(&rel).clone();
    rel.remote_units
        .get_mut("magpie/2")
        .unwrap()
        .insert("iperf.server".into(), "True".into());
    let mut state = out.state.clone();
    state.relations.retain(|r| r.id != 1);
    let state = state.with_relation(rel.clone());
    let out = ctx
        .run(Event::relation_changed(&rel, "magpie/2"), &state)
        .unwrap()
        .expect_ok();
    assert_eq!(
        out.relation(&rel).local_unit_data["iperf.checked"],
        "['None magpie/2']"
    );
    assert_eq!(
        out.state.unit_status,
        active("icmp ok, dns ok: 1 peer reachable; iperf ok: 1 peer checked")
    );
}

/// A peer whose `private-address` is shell text, and one whose
/// `iperf_addresses` hold a network and an option: none of it reaches a
/// recorded command; each is logged naming the peer and the key; the
/// leader's iperf client runs only against the valid peer.
#[test]
fn hostile_peer_addresses_reach_no_command() {
    let ctx = charm();
    let state = installed(
        &ctx,
        State::new()
            .with_leader(true)
            .with_config("check-iperf", true)
            .with_config("cidr", "10.0.0.0/24"),
    );
    let hostile = "10.0.0.11; rm -rf / #";
    let (out, _) = join(
        &ctx,
        state,
        "magpie/1",
        &[("private-address", hostile), ("iperf.server", "True")],
    );
    let warnings = out.logs_at(Level::Warning).join("\n");
    let refused = format!(
        "peer magpie/1 published an invalid private-address {hostile:?}: expected an IP address or a host name; ignored"
    );
    assert!(warnings.contains(&refused), "{warnings}");
    let first_calls = out.tool_calls.clone();
    let (out, _) = join(
        &ctx,
        out.state,
        "magpie/2",
        &[
            ("private-address", "10.0.0.12"),
            ("iperf_addresses", r#"["10.0.0.99/8", "-rf", "10.0.0.12"]"#),
            ("iperf.server", "True"),
        ],
    );
    let warnings = out.logs_at(Level::Warning).join("\n");
    for entry in ["10.0.0.99/8", "-rf"] {
        let skipped = format!("entry {entry:?} is not an IP address, skipped");
        assert!(warnings.contains(&skipped), "{warnings}");
    }
    assert_eq!(
        record(&out, "magpie/1"),
        &json!({"address": null, "icmp": "failed", "dns": "failed", "commands": []})
    );
    let mut want = ok_record("10.0.0.12");
    want["iperf"] = json!(["iperf", "-t", "1", "-fm", "-c", "10.0.0.12"]);
    assert_eq!(record(&out, "magpie/2"), &want);
    // Nothing recorded or logged carries the hostile text.
    let kept = serde_json::to_string(&out.state.kv).unwrap();
    assert!(!kept.contains("rm -rf"), "{kept}");
    assert!(!kept.contains("-rf\""), "{kept}");
    for call in first_calls.iter().chain(&out.tool_calls) {
        assert!(call.args.iter().all(|a| !a.contains("rm -rf")), "{call:?}");
    }
    assert_eq!(
        out.state.unit_status,
        Some(Status::blocked(
            "icmp failed: magpie/1; dns failed: magpie/1"
        ))
    );
}
