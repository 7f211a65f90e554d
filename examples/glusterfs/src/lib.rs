//! An example charm: a GlusterFS server on the `gluster-peer` interface
//! ([`charm_interfaces::gluster_peer`]) of its peer relation `server`.
//!
//! - Each unit publishes its private address (`private-address`, through
//!   [`GlusterPeers::set_address`]) and the bricks of its `brick-devices`
//!   option ([`GlusterPeers::set_bricks`]) to its peers.
//! - The leader, once every joined peer is available (has published its
//!   address and bricks) and the cluster has at least [`REPLICA`] bricks,
//!   lays the volume out ([`volume_layout`]) and records the `host:brick`
//!   list in the leadership setting [`LAYOUT_KEY`]. It does so again
//!   whenever a peer's bricks change (`server.bricks.available`,
//!   `server.bricks.removed`), a peer departs or this unit's bricks
//!   change, setting the value only when it differs. No `gluster` command
//!   runs: the layout is what `gluster volume create <name> replica 2
//!   <bricks...>` would be given.
//! - The interface's event flags (`server.bricks.available`,
//!   `server.bricks.removed`, `server.departed`) are acknowledged peer by
//!   peer once the layout can reflect them: a departure at once, a brick
//!   change once the peer is available; until then the event stays
//!   pending for that peer alone.
//! - The status is assessed once at the end of every hook: blocked on bad
//!   config, waiting for peers, bricks or the leader, active with the
//!   volume's size.

use std::collections::BTreeSet;

use charm_interfaces::gluster_peer::{GlusterPeers, PeerEvent};
use charm_runtime::prelude::*;
use serde::Deserialize;

/// Run the hook Juju invoked: the binary's `main` calls this, which also
/// links these handlers into it.
pub fn main() -> std::process::ExitCode {
    charm_runtime::main()
}

/// The leadership setting holding the volume layout: the `host:brick`
/// list as a JSON list of strings (Python's `json.dumps(list)`).
pub const LAYOUT_KEY: &str = "volume-bricks";

/// The replica count of the volume: bricks are grouped in sets of this
/// many, and the volume needs at least one full set.
pub const REPLICA: usize = 2;

/// Set once the charm is installed.
pub const INSTALLED: Flag = Flag::new("glusterfs.installed");
/// A peer joined the `server` relation (set by the interface).
pub const CONNECTED: Flag = Flag::new("server.connected");
/// A peer advertises a brick it did not before (an interface event).
pub const BRICKS_AVAILABLE: Flag = Flag::new("server.bricks.available");
/// A peer no longer advertises a brick it did (an interface event).
pub const BRICKS_REMOVED: Flag = Flag::new("server.bricks.removed");
/// A peer left (an interface event).
pub const DEPARTED: Flag = Flag::new("server.departed");

/// The flags the interface sets as events, which the charm acknowledges
/// peer by peer once it has handled them.
pub const EVENT_FLAGS: [Flag; 3] = [BRICKS_AVAILABLE, BRICKS_REMOVED, DEPARTED];

/// The charm's options (config.yaml).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Options {
    /// Space-separated absolute paths of this unit's bricks.
    #[serde(default)]
    pub brick_devices: String,
    /// The name of the volume.
    pub volume_name: String,
}

/// Why a brick path cannot be used, or `Ok` if it can: it must be
/// absolute, and free of `:` (which separates host and brick in the
/// volume layout), whitespace and control characters.
///
/// ```
/// use glusterfs::check_brick_path;
/// assert!(check_brick_path("/srv/brick1").is_ok());
/// assert_eq!(check_brick_path("srv/brick1").unwrap_err(), "not an absolute path");
/// assert!(check_brick_path("/srv/a:b").is_err());
/// ```
pub fn check_brick_path(path: &str) -> Result<(), &'static str> {
    if !path.starts_with('/') {
        Err("not an absolute path")
    } else if path.contains(':') {
        Err("contains ':', which separates host and brick")
    } else if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        Err("contains whitespace or control characters")
    } else {
        Ok(())
    }
}

/// The bricks of the `brick-devices` option: the space-separated paths,
/// duplicates dropped, in order. The first invalid path is an error
/// naming it.
///
/// ```
/// use glusterfs::parse_brick_devices;
/// assert_eq!(
///     parse_brick_devices(" /srv/brick1  /srv/brick2 /srv/brick1").unwrap(),
///     ["/srv/brick1", "/srv/brick2"]
/// );
/// assert!(parse_brick_devices("").unwrap().is_empty());
/// assert_eq!(
///     parse_brick_devices("/srv/brick1 brick2").unwrap_err(),
///     r#"invalid brick path "brick2" in brick-devices: not an absolute path"#
/// );
/// ```
pub fn parse_brick_devices(value: &str) -> Result<Vec<String>, String> {
    let mut seen = BTreeSet::new();
    let mut bricks = Vec::new();
    for path in value.split_whitespace() {
        check_brick_path(path)
            .map_err(|why| format!("invalid brick path {path:?} in brick-devices: {why}"))?;
        if seen.insert(path) {
            bricks.push(path.to_owned());
        }
    }
    Ok(bricks)
}

/// Whether `name` is a volume name GlusterFS accepts: not empty, ASCII
/// letters, digits, `-` and `_` only.
pub fn valid_volume_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// This unit's bricks from its config, the volume name checked too, or
/// why the config is not usable (the blocked status message).
pub fn check_config(config: &Options) -> Result<Vec<String>, String> {
    if !valid_volume_name(&config.volume_name) {
        return Err(format!(
            "invalid volume-name {:?}: use letters, digits, '-' and '_'",
            config.volume_name
        ));
    }
    parse_brick_devices(&config.brick_devices)
}

/// A unit name's sort key: application, then unit number as a number
/// (`glusterfs/2` before `glusterfs/10`).
fn unit_order(unit: &str) -> (&str, u64, &str) {
    match unit.rsplit_once('/') {
        Some((app, n)) => (app, n.parse().unwrap_or(u64::MAX), n),
        None => (unit, u64::MAX, ""),
    }
}

/// The volume layout of `units` (each unit's host and bricks): the
/// `host:brick` list, taken round-robin over the units in unit order (the
/// first brick of every unit, then the second, ...), so that the bricks
/// of each replica set of [`REPLICA`] consecutive bricks sit on different
/// units wherever the brick counts allow. Cut to a multiple of
/// [`REPLICA`]; bricks left over wait for a partner.
///
/// ```
/// use glusterfs::volume_layout;
/// let units = [
///     ("glusterfs/10", "10.0.0.20", vec!["/srv/b1"]),
///     ("glusterfs/0", "10.0.0.10", vec!["/srv/b1", "/srv/b2"]),
///     ("glusterfs/2", "10.0.0.12", vec!["/srv/b1"]),
/// ];
/// assert_eq!(
///     volume_layout(&units),
///     ["10.0.0.10:/srv/b1", "10.0.0.12:/srv/b1", "10.0.0.20:/srv/b1", "10.0.0.10:/srv/b2"]
/// );
/// ```
pub fn volume_layout<U, H, B>(units: &[(U, H, Vec<B>)]) -> Vec<String>
where
    U: AsRef<str>,
    H: AsRef<str>,
    B: AsRef<str>,
{
    let mut ordered: Vec<&(U, H, Vec<B>)> = units.iter().collect();
    ordered.sort_by(|a, b| unit_order(a.0.as_ref()).cmp(&unit_order(b.0.as_ref())));
    let depth = ordered.iter().map(|u| u.2.len()).max().unwrap_or(0);
    let mut layout = Vec::new();
    for i in 0..depth {
        for (_, host, bricks) in &ordered {
            if let Some(brick) = bricks.get(i) {
                layout.push(format!("{}:{}", host.as_ref(), brick.as_ref()));
            }
        }
    }
    layout.truncate(layout.len() - layout.len() % REPLICA);
    layout
}

/// The number of distinct hosts in a `host:brick` layout.
pub fn layout_hosts<S: AsRef<str>>(layout: &[S]) -> usize {
    layout
        .iter()
        .filter_map(|b| b.as_ref().rsplit_once(':').map(|(host, _)| host))
        .collect::<BTreeSet<_>>()
        .len()
}

/// Where the cluster stands, as far as laying out the volume goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// No peer has joined.
    NoPeers,
    /// These peers have joined but not yet published their address and
    /// bricks.
    PeersNotReady(Vec<String>),
    /// Every peer is available, but the cluster has fewer usable bricks
    /// than [`REPLICA`].
    TooFewBricks(usize),
    /// The layout ([`volume_layout`]).
    Ready(Vec<String>),
}

/// The joined peers that have not yet published their address and
/// bricks, in unit order.
fn peers_not_ready(peers: &GlusterPeers) -> Result<Vec<String>, Error> {
    let available = peers.available_units();
    let mut waiting: Vec<String> = peers
        .all_joined_units()?
        .iter()
        .map(|u| u.name().to_owned())
        .filter(|u| !available.contains(u))
        .collect();
    waiting.sort_by(|a, b| unit_order(a).cmp(&unit_order(b)));
    Ok(waiting)
}

/// Work out the layout from what the peers published. With `log`, bricks
/// and units left out are logged as warnings.
pub fn plan(ctx: &HookContext, peers: &GlusterPeers, log: bool) -> Result<Plan, Error> {
    if peers.all_joined_units()?.is_empty() {
        return Ok(Plan::NoPeers);
    }
    let waiting = peers_not_ready(peers)?;
    if !waiting.is_empty() {
        return Ok(Plan::PeersNotReady(waiting));
    }
    let warn = |message: String| {
        if log {
            ctx.log(Level::Warning, &message);
        }
    };
    let hosts = peers.ip_map("private-address")?;
    let mut units = Vec::new();
    for (unit, bricks) in peers.brick_map()? {
        let Some(host) = hosts.get(&unit) else {
            if !bricks.is_empty() {
                warn(format!(
                    "{unit} has no valid address; its bricks {bricks:?} are left out of the volume"
                ));
            }
            continue;
        };
        let mut seen = BTreeSet::new();
        let usable: Vec<String> = bricks
            .into_iter()
            .filter(|brick| match check_brick_path(brick) {
                Ok(()) => seen.insert(brick.clone()),
                Err(why) => {
                    warn(format!(
                        "{unit} offers brick {brick:?}: {why}; left out of the volume"
                    ));
                    false
                }
            })
            .collect();
        units.push((unit, host.clone(), usable));
    }
    let total: usize = units.iter().map(|u| u.2.len()).sum();
    if total < REPLICA {
        return Ok(Plan::TooFewBricks(total));
    }
    let layout = volume_layout(&units);
    if log && layout.len() < total {
        ctx.log(
            Level::Info,
            &format!(
                "{} brick(s) wait for a replica partner: the volume takes bricks in sets of {REPLICA}",
                total - layout.len()
            ),
        );
    }
    Ok(Plan::Ready(layout))
}

/// The layout recorded in leadership settings, if any; a value that is
/// not a list of bricks is logged and taken as none.
pub fn recorded_layout(ctx: &HookContext) -> Result<Option<Vec<String>>, Error> {
    let Some(raw) = ctx.leader_get(LAYOUT_KEY)? else {
        return Ok(None);
    };
    match serde_json::from_str::<Vec<String>>(&raw) {
        Ok(list) => Ok(Some(list)),
        Err(e) => {
            ctx.log(
                Level::Warning,
                &format!("leadership setting {LAYOUT_KEY} {raw:?} is not a list of bricks ({e})"),
            );
            Ok(None)
        }
    }
}

// ---- handlers ----

/// Nothing to install in this example: the GlusterFS server is assumed
/// present. Marks the unit installed.
#[hook("install")]
fn install(flags: Flags) {
    flags.set(INSTALLED);
}

/// Tell the peers where this unit is and which bricks it offers. A bad
/// `brick-devices` value publishes nothing new (the peers keep the last
/// valid bricks; the status says what is wrong).
#[when(CONNECTED)]
fn publish(peers: &GlusterPeers, ctx: Ctx, config: Config<Options>) -> Result<(), Error> {
    peers.set_address("private", &ctx.private_address()?)?;
    if let Ok(bricks) = check_config(&config) {
        peers.set_bricks(&bricks)?;
    }
    Ok(())
}

/// A peer's bricks changed or a peer departed: the leader's layout
/// handler (which runs after this one) recomputes the volume. Each peer's
/// event is acknowledged on its own once the layout can reflect it: a
/// departure at once, a brick change once the peer is available. The
/// brick change of a peer still to publish its address stays pending.
#[when_any(BRICKS_AVAILABLE, BRICKS_REMOVED, DEPARTED)]
fn peers_changed(peers: &GlusterPeers, ctx: Ctx) -> Result<(), Error> {
    let not_ready = peers_not_ready(peers)?;
    for event in [
        PeerEvent::BricksAvailable,
        PeerEvent::BricksRemoved,
        PeerEvent::Departed,
    ] {
        let flag = event.flag(peers.name());
        for unit in peers.pending(event) {
            if event != PeerEvent::Departed && not_ready.contains(&unit) {
                ctx.log(
                    Level::Info,
                    &format!("{unit}: {flag} pending until it publishes its address and bricks"),
                );
            } else {
                ctx.log(
                    Level::Info,
                    &format!("{unit}: {flag} (volume layout to be recomputed)"),
                );
                peers.acknowledge(event, &unit)?;
            }
        }
    }
    Ok(())
}

/// The leader lays the volume out once every peer is available and there
/// are enough bricks, and records it when it differs from the recorded
/// one.
#[when(INSTALLED, "leadership.is_leader", CONNECTED)]
fn lay_out_volume(peers: &GlusterPeers, ctx: Ctx, config: Config<Options>) -> Result<(), Error> {
    let Plan::Ready(layout) = plan(&ctx, peers, true)? else {
        return Ok(());
    };
    let value = charm_runtime::python_json::dumps_str_list(&layout);
    if ctx.leader_get(LAYOUT_KEY)?.as_deref() != Some(value.as_str()) {
        ctx.log(
            Level::Info,
            &format!(
                "volume {}: {} bricks on {} units: {value}",
                config.volume_name,
                layout.len(),
                layout_hosts(&layout)
            ),
        );
        ctx.leader_set(LAYOUT_KEY, Some(&value))?;
    }
    Ok(())
}

/// Status once, at the end of every hook, however many handlers ran.
#[when(INSTALLED)]
fn assess_status(ctx: Ctx) {
    ctx.status_at_exit(assess);
}

/// The unit's status, from its config, its peers and the recorded layout.
fn assess(ctx: &HookContext) -> Result<Status, Error> {
    let config = Config::<Options>::of(ctx)?;
    if let Err(why) = check_config(&config) {
        return Ok(Status::blocked(why));
    }
    let peers: GlusterPeers = ctx.interface()?;
    let plan = plan(ctx, &peers, false)?;
    if plan == Plan::NoPeers {
        return Ok(Status::waiting("waiting for peers"));
    }
    let volume = &config.volume_name;
    if let Some(layout) = recorded_layout(ctx)? {
        let (bricks, units) = (layout.len(), layout_hosts(&layout));
        return Ok(Status::active(format!(
            "volume {volume}: {bricks} bricks on {units} units"
        )));
    }
    Ok(Status::waiting(match plan {
        Plan::PeersNotReady(units) => format!("waiting for peers: {}", units.join(", ")),
        Plan::TooFewBricks(n) => format!("waiting for bricks: {n} of at least {REPLICA}"),
        Plan::NoPeers | Plan::Ready(_) => {
            format!("waiting for the leader to lay out volume {volume}")
        }
    }))
}
