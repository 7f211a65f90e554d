//! An example charm modelled on Magpie, the charm that checks the network
//! between the units of an application, over the `magpie` peer interface
//! ([`charm_interfaces::magpie`]):
//!
//! - when peers join (`magpie.joined`) the unit advertises its own
//!   addresses to them ([`MagpiePeers::advertise_juju_addresses`]), then
//!   checks each peer at the address chosen by the `cidr` option
//!   ([`MagpiePeers::get_nodes_by_cidr`]) or at its private address
//!   ([`MagpiePeers::get_nodes`]);
//! - the checks are *planned*, not run, so that the charm is
//!   deterministic: for each peer it records in the unit's key/value data
//!   ([`PEER_PREFIX`]) the address, the commands Magpie would run
//!   (`ping`, `host`, `iperf`) as argument vectors (never shell text) and
//!   their outcome, which follows from the address alone
//!   ([`check_node`]); a command is only ever built from an address that
//!   parsed as an IP address, and the interface drops a peer's address
//!   that is neither an IP address nor a host name (with a warning naming
//!   the peer and the key);
//! - with `check-iperf`, the units other than the leader "listen" as
//!   iperf servers (the command is recorded under [`IPERF_SERVER_KEY`])
//!   and say so ([`MagpiePeers::set_iperf_server_ready`]); the leader,
//!   once every peer listens, records the client run against each and
//!   publishes its marks ([`MagpiePeers::set_iperf_checked`]); a server
//!   sets `iperf.checked` when a peer's marks name it;
//! - `magpie.joined` is dismissed once the joined peers are handled (with
//!   `check-iperf`, once the iperf exchange is complete for this unit),
//!   `magpie.departed` once the records of the departed peers are gone;
//! - the status, set once at the end of each hook, reads like Magpie's:
//!   `icmp ok, dns ok: 2 peers reachable`, `icmp failed: magpie/2`,
//!   `Waiting for peers...`, or blocked on an invalid `cidr` naming it.
//!
//! Because `magpie.joined` is dismissed, the interface's methods see only
//! the peers that joined since the last dismissal: the records of earlier
//! peers are kept as they were checked, until a change of `cidr` or
//! `check-iperf` puts every present peer back in `magpie.joined`
//! ([`MagpiePeers::rejoin_all`]) to be checked again the new way.

use std::collections::BTreeMap;
use std::net::IpAddr;

use charm_interfaces::magpie::{Cidr, MagpieError, MagpiePeers, Node};
use charm_runtime::prelude::*;
use serde::{Deserialize, Serialize};

/// The charm's options (config.yaml).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct Options {
    cidr: String,
    check_iperf: bool,
}

impl Options {
    /// The network the `cidr` option names, if any; else the blocked
    /// status message naming the option.
    fn network(&self) -> Result<Option<Cidr>, String> {
        let cidr = self.cidr.trim();
        let parsed = (!cidr.is_empty()).then(|| Cidr::parse(cidr)).transpose();
        parsed.map_err(|e| {
            let reason = match e {
                MagpieError::InvalidCidr { reason, .. } => reason,
                other => other.to_string(),
            };
            format!("invalid cidr option {:?}: {reason}", self.cidr)
        })
    }
}

/// Run the hook Juju invoked: the binary's `main` calls this, which also
/// links these handlers into it.
pub fn main() -> std::process::ExitCode {
    charm_runtime::main()
}

/// The key prefix of the per-peer results in the unit's key/value data
/// (`magpie.peer.magpie/1`), each a [`PeerCheck`].
pub const PEER_PREFIX: &str = "magpie.peer.";
/// The key of the iperf server command this unit would run (not on the
/// leader), as an argument vector.
pub const IPERF_SERVER_KEY: &str = "magpie.iperf.server";

/// Set once the charm is installed.
pub const INSTALLED: Flag = Flag::new("magpie.installed");
/// Set once this unit's iperf server listens (not on the leader).
pub const IPERF_LISTENING: Flag = Flag::new("iperf.listening");
/// Set once a peer's `iperf.checked` marks name this unit.
pub const IPERF_CHECKED: Flag = Flag::new("iperf.checked");

/// The outcome of a check that passed.
pub const OK: &str = "ok";
/// The outcome of a check that could not succeed.
pub const FAILED: &str = "failed";

/// What the unit found out about one peer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeerCheck {
    /// The address the peer was checked at, if it published one.
    pub address: Option<String>,
    /// The ICMP check: [`OK`] or [`FAILED`].
    pub icmp: String,
    /// The reverse DNS check: [`OK`] or [`FAILED`].
    pub dns: String,
    /// The commands Magpie would run for these checks, in order, each an
    /// argument vector (program first) built from the parsed address.
    pub commands: Vec<Vec<String>>,
    /// The iperf client command the leader ran against the peer, once
    /// every peer's server listened, as an argument vector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iperf: Option<Vec<String>>,
}

impl PeerCheck {
    /// Whether both checks passed.
    pub fn is_ok(&self) -> bool {
        self.icmp == OK && self.dns == OK
    }
}

/// An argument vector: `program` then `args`.
fn argv(program: &str, args: &[&str], last: IpAddr) -> Vec<String> {
    let mut v = vec![program.to_owned()];
    v.extend(args.iter().map(|a| (*a).to_owned()));
    v.push(last.to_string());
    v
}

/// The address of `check` as an IP address, if it is one.
fn ip_of(check: &PeerCheck) -> Option<IpAddr> {
    check.address.as_deref().and_then(|a| a.parse().ok())
}

/// The checks of `node`, deterministically: a peer that published an IP
/// address is pinged and looked up, and both pass; a peer without one
/// cannot be checked and both fail. The commands are argument vectors
/// built from the parsed address, so no peer text reaches them.
///
/// ```
/// use charm_interfaces::magpie::Node;
/// let node = Node { unit: "magpie/1".into(), address: Some("10.0.0.11".into()) };
/// let check = magpie::check_node(&node);
/// assert!(check.is_ok());
/// assert_eq!(check.commands, [vec!["ping", "-c", "1", "-W", "1", "10.0.0.11"], vec!["host", "10.0.0.11"]]);
///
/// let node = Node { unit: "magpie/2".into(), address: Some("-rf".into()) };
/// let check = magpie::check_node(&node);
/// assert!(!check.is_ok() && check.commands.is_empty());
/// ```
pub fn check_node(node: &Node) -> PeerCheck {
    let ip = node
        .address
        .as_deref()
        .and_then(|a| a.parse::<IpAddr>().ok());
    let outcome = if ip.is_some() { OK } else { FAILED };
    PeerCheck {
        address: node.address.clone(),
        icmp: outcome.to_owned(),
        dns: outcome.to_owned(),
        commands: ip.map_or_else(Vec::new, |ip| {
            vec![
                argv("ping", &["-c", "1", "-W", "1"], ip),
                argv("host", &[], ip),
            ]
        }),
        iperf: None,
    }
}

#[hook("install")]
fn install(flags: Flags) {
    flags.set(INSTALLED);
}

/// Advertise this unit's addresses, check the joined peers, take part in
/// the iperf checks, and dismiss `magpie.joined` once all that is done.
#[when("magpie.joined")]
fn check_peers(magpie: &MagpiePeers, config: Config<Options>, ctx: Ctx) -> Result<(), Error> {
    let advertised = magpie.advertise_juju_addresses()?;
    ctx.kv().set("magpie.advertised", &advertised)?;
    let network = match config.network() {
        Ok(network) => network,
        Err(message) => {
            // Keep magpie.joined: the peers are checked once it is fixed.
            ctx.log(Level::Error, &format!("{message}; peers not checked"));
            return Ok(());
        }
    };
    let nodes = match network {
        Some(_) => magpie.get_nodes_by_cidr(config.cidr.trim())?,
        None => magpie.get_nodes()?,
    };
    let mut checks: Vec<(String, PeerCheck)> = Vec::new();
    for node in nodes {
        let key = format!("{PEER_PREFIX}{}", node.unit);
        let mut check = check_node(&node);
        // An earlier iperf run at the same address still stands.
        if let Some(old) = ctx.kv().get::<PeerCheck>(&key).ok().flatten()
            && old.address == check.address
        {
            check.iperf = old.iperf;
        }
        checks.push((node.unit, check));
    }

    let handled = if !config.check_iperf {
        true
    } else if ctx.is_leader()? {
        // The client: once every joined peer listens, run against each.
        let ready = magpie.check_ready_iperf_servers()?;
        let waiting: Vec<&str> = checks
            .iter()
            .map(|(unit, _)| unit.as_str())
            .filter(|unit| !ready.iter().any(|node| node.unit == *unit))
            .collect();
        if waiting.is_empty() {
            for (_, check) in &mut checks {
                // Only from an address that parsed as an IP address.
                if let Some(ip) = ip_of(check) {
                    check.iperf = Some(argv("iperf", &["-t", "1", "-fm", "-c"], ip));
                }
            }
            magpie.set_iperf_checked()?;
            true
        } else {
            let waiting = waiting.join(", ");
            ctx.log(
                Level::Info,
                &format!("iperf: waiting for the servers of {waiting}"),
            );
            false
        }
    } else {
        // A server: listen once, on this unit's first advertised address
        // in the network (else its first one), until a peer marks it.
        let flags = ctx.flags();
        if !flags.is_set(IPERF_LISTENING) {
            let addresses: Vec<String> = serde_json::from_str(&advertised).unwrap_or_default();
            let addresses: Vec<IpAddr> = addresses.iter().filter_map(|a| a.parse().ok()).collect();
            let bind = addresses
                .iter()
                .find(|a| network.is_some_and(|n| n.net().contains(*a)))
                .or(addresses.first())
                .copied()
                .unwrap_or(IpAddr::from([0, 0, 0, 0]));
            ctx.kv().set(
                IPERF_SERVER_KEY,
                &argv("iperf", &["-s", "-m", "-fm", "-B"], bind),
            )?;
            flags.set(IPERF_LISTENING);
        }
        magpie.set_iperf_server_ready()?;
        if magpie.is_iperf_checked(&ctx.unit_name())? {
            flags.set(IPERF_CHECKED);
        }
        flags.is_set(IPERF_CHECKED)
    };

    for (unit, check) in &checks {
        let address = check.address.as_deref().unwrap_or("(no address)");
        let (icmp, dns) = (&check.icmp, &check.dns);
        ctx.log(
            Level::Info,
            &format!("checked {unit} at {address}: icmp {icmp}, dns {dns}"),
        );
        ctx.kv().set(&format!("{PEER_PREFIX}{unit}"), check)?;
    }
    if handled {
        magpie.dismiss_joined()?;
    }
    Ok(())
}

/// A change of `cidr` or `check-iperf` changes how peers are checked:
/// check every present peer again (else, with `check-iperf` turned on
/// after the peers were checked, the leader would wait forever for servers
/// that were never asked to listen).
#[when(INSTALLED)]
#[when_any("config.changed.cidr", "config.changed.check-iperf")]
fn recheck_peers(magpie: &MagpiePeers, ctx: Ctx) -> Result<(), Error> {
    let rejoined = magpie.rejoin_all()?;
    if rejoined > 0 {
        ctx.log(
            Level::Info,
            &format!("the way peers are checked changed: checking {rejoined} again"),
        );
    }
    Ok(())
}

/// Forget the results of the peers that left, then dismiss
/// `magpie.departed`.
#[when("magpie.departed")]
fn peers_departed(magpie: &MagpiePeers, ctx: Ctx) -> Result<(), Error> {
    let present = magpie.all_joined_units()?;
    for unit in ctx.kv().getrange(PEER_PREFIX, true)?.into_keys() {
        if !present.iter().any(|u| u.name() == unit) {
            ctx.kv().unset(&format!("{PEER_PREFIX}{unit}"))?;
            ctx.log(
                Level::Info,
                &format!("{unit} departed, its results dropped"),
            );
        }
    }
    magpie.dismiss_departed()?;
    Ok(())
}

#[when(INSTALLED)]
fn assess_status(ctx: Ctx) {
    ctx.status_at_exit(assess);
}

fn assess(ctx: &HookContext) -> Result<Status, Error> {
    let config = Config::<Options>::of(ctx)?;
    if let Err(message) = config.network() {
        return Ok(Status::blocked(message));
    }
    let mut records = BTreeMap::new();
    for (unit, value) in ctx.kv().getrange(PEER_PREFIX, true)? {
        match serde_json::from_value::<PeerCheck>(value) {
            Ok(check) => {
                records.insert(unit, check);
            }
            Err(e) => ctx.log(
                Level::Warning,
                &format!("record {PEER_PREFIX}{unit} is unreadable, ignored: {e}"),
            ),
        }
    }
    if records.is_empty() {
        return Ok(Status::waiting("Waiting for peers..."));
    }
    let failed = |check: &str, outcome: fn(&PeerCheck) -> &str| {
        let units: Vec<&str> = records
            .iter()
            .filter(|(_, c)| outcome(c) != OK)
            .map(|(unit, _)| unit.as_str())
            .collect();
        (!units.is_empty()).then(|| format!("{check} failed: {}", units.join(", ")))
    };
    let problems: Vec<String> = [failed("icmp", |c| &c.icmp), failed("dns", |c| &c.dns)]
        .into_iter()
        .flatten()
        .collect();
    if !problems.is_empty() {
        return Ok(Status::blocked(problems.join("; ")));
    }
    let peers = |n: usize| format!("{n} peer{}", if n == 1 { "" } else { "s" });
    let mut message = format!("icmp ok, dns ok: {} reachable", peers(records.len()));
    if config.check_iperf {
        let flags = ctx.flags();
        message += &if ctx.is_leader()? {
            let done = records.values().filter(|c| c.iperf.is_some()).count();
            if done == records.len() {
                format!("; iperf ok: {} checked", peers(done))
            } else {
                format!(
                    "; iperf: waiting for {} to listen",
                    peers(records.len() - done)
                )
            }
        } else if flags.is_set(IPERF_CHECKED) {
            "; iperf checked".to_owned()
        } else if flags.is_set(IPERF_LISTENING) {
            "; iperf listening".to_owned()
        } else {
            "; iperf not listening".to_owned()
        };
    }
    Ok(Status::active(message))
}
