//! An example charm modelled on Magpie, the charm that checks the network
//! between the units of an application, over the `magpie` peer interface
//! ([`charm_interfaces::magpie`]):
//!
//! - when peers join (`magpie.joined`) the unit advertises its own
//!   addresses to them (`iperf_addresses`, from `network-get`, else
//!   `unit-get private-address`), then checks each peer at the address
//!   chosen by the `cidr` option ([`MagpiePeers::get_nodes_by_cidr`]) or
//!   at its private address ([`MagpiePeers::get_nodes`]);
//! - the checks are *planned*, not run, so that the charm is
//!   deterministic: for each peer it records in the unit's key/value data
//!   ([`PEER_PREFIX`]) the address, the commands Magpie would run
//!   (`ping`, `host`, `iperf`) and their outcome, which follows from the
//!   address alone ([`check_node`]);
//! - with `check_iperf`, the units other than the leader "listen" as
//!   iperf servers (the command is recorded under [`IPERF_SERVER_KEY`])
//!   and say so ([`MagpiePeers::set_iperf_server_ready`]); the leader,
//!   once every peer listens, records the client run against each and
//!   publishes its marks ([`MagpiePeers::set_iperf_checked`]); a server
//!   sets `iperf.checked` when a peer's marks name it;
//! - `magpie.joined` is dismissed once the joined peers are handled (with
//!   `check_iperf`, once the iperf exchange is complete for this unit),
//!   `magpie.departed` once the records of the departed peers are gone;
//! - the status, set once at the end of each hook, reads like Magpie's:
//!   `icmp ok, dns ok: 2 peers reachable`, `icmp failed: magpie/2`,
//!   `Waiting for peers...`, or blocked on an invalid `cidr` naming it.
//!
//! Because `magpie.joined` is dismissed, the interface's methods see only
//! the peers that joined since the last dismissal: the records of earlier
//! peers are kept as they were checked, and a change of `cidr` or
//! `check_iperf` applies to the peers checked from then on.

use std::collections::BTreeMap;
use std::net::IpAddr;

use charm_interfaces::magpie::{Cidr, MagpieError, MagpiePeers, Node};
use charm_runtime::prelude::*;
use serde::{Deserialize, Serialize};

/// The charm's options (config.yaml).
#[derive(Debug, Deserialize)]
pub struct Options {
    /// The network to check the peers on; empty for their private address.
    pub cidr: String,
    /// Take part in iperf checks.
    pub check_iperf: bool,
}

impl Options {
    /// The network the `cidr` option names: `Ok(None)` when it is empty,
    /// an error naming it when it is not a network.
    pub fn network(&self) -> Result<Option<Cidr>, MagpieError> {
        let cidr = self.cidr.trim();
        if cidr.is_empty() {
            Ok(None)
        } else {
            Cidr::parse(cidr).map(Some)
        }
    }

    /// The blocked status message for an invalid `cidr` option.
    fn invalid_cidr_message(&self, error: &MagpieError) -> String {
        let reason = match error {
            MagpieError::InvalidCidr { reason, .. } => reason.clone(),
            other => other.to_string(),
        };
        format!("invalid cidr option {:?}: {reason}", self.cidr)
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
/// The key of the `iperf_addresses` value this unit last advertised.
pub const ADVERTISED_KEY: &str = "magpie.advertised";
/// The key of the iperf server command this unit would run (not on the
/// leader).
pub const IPERF_SERVER_KEY: &str = "magpie.iperf.server";

/// Set once the charm is installed.
pub const INSTALLED: Flag = Flag::new("magpie.installed");
/// Set once this unit's iperf server listens (not on the leader).
pub const IPERF_LISTENING: Flag = Flag::new("iperf.listening");
/// Set once a peer's `iperf.checked` marks name this unit.
pub const IPERF_CHECKED: Flag = Flag::new("iperf.checked");

/// The outcome of one check.
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
    /// The commands Magpie would run for these checks, in order.
    pub commands: Vec<String>,
    /// The iperf client command the leader ran against the peer, once
    /// every peer's server listened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iperf: Option<String>,
}

impl PeerCheck {
    /// Whether both checks passed.
    pub fn is_ok(&self) -> bool {
        self.icmp == OK && self.dns == OK
    }
}

/// The checks of `node`, deterministically: a peer that published an IP
/// address is pinged (`ping -c 1 -W 1`) and looked up (`host`), and both
/// pass; a peer without an address, or whose address is not an IP
/// address, cannot be checked and both fail.
///
/// ```
/// use charm_interfaces::magpie::Node;
/// let node = Node { unit: "magpie/1".into(), address: Some("10.0.0.11".into()) };
/// let check = magpie::check_node(&node);
/// assert!(check.is_ok());
/// assert_eq!(check.commands, ["ping -c 1 -W 1 10.0.0.11", "host 10.0.0.11"]);
/// ```
pub fn check_node(node: &Node) -> PeerCheck {
    let address = node.address.clone();
    let (icmp, dns, commands) = match address.as_deref().map(str::parse::<IpAddr>) {
        Some(Ok(ip)) => (
            OK,
            OK,
            vec![format!("ping -c 1 -W 1 {ip}"), format!("host {ip}")],
        ),
        _ => (FAILED, FAILED, Vec::new()),
    };
    PeerCheck {
        address,
        icmp: icmp.to_owned(),
        dns: dns.to_owned(),
        commands,
        iperf: None,
    }
}

/// The iperf client command run against a peer listening at `address`.
pub fn iperf_client_command(address: &str) -> String {
    format!("iperf -t 1 -fm -c {address}")
}

/// The iperf server command this unit runs, bound to `address`.
pub fn iperf_server_command(address: &str) -> String {
    format!("iperf -s -m -fm -B {address}")
}

/// The key of `unit`'s record in the unit's key/value data.
fn peer_key(unit: &str) -> String {
    format!("{PEER_PREFIX}{unit}")
}

/// The per-peer results recorded so far, by unit name; an unreadable
/// record is logged and left out.
pub fn recorded_peers(ctx: &HookContext) -> Result<BTreeMap<String, PeerCheck>, Error> {
    let mut out = BTreeMap::new();
    for (unit, value) in ctx.kv().getrange(PEER_PREFIX, true)? {
        match serde_json::from_value::<PeerCheck>(value) {
            Ok(check) => {
                out.insert(unit, check);
            }
            Err(e) => ctx.log(
                Level::Warning,
                &format!("record {} is unreadable, ignored: {e}", peer_key(&unit)),
            ),
        }
    }
    Ok(out)
}

/// The checks of `node`, keeping the iperf run of an earlier check at the
/// same address.
fn check_again(ctx: &HookContext, node: &Node) -> PeerCheck {
    let mut check = check_node(node);
    if let Ok(Some(old)) = ctx.kv().get::<PeerCheck>(&peer_key(&node.unit))
        && old.address == check.address
    {
        check.iperf = old.iperf;
    }
    check
}

/// The address this unit's iperf server binds to: the first advertised
/// address inside `network`, else the first advertised one.
fn bind_address(advertised: &str, network: Option<&Cidr>) -> Option<String> {
    let addresses: Vec<String> = serde_json::from_str(advertised).unwrap_or_default();
    addresses
        .iter()
        .find(|a| network.is_some_and(|n| Cidr::parse(a).is_ok_and(|addr| n.contains(&addr))))
        .or_else(|| addresses.first())
        .cloned()
}

// ---- handlers ----

#[hook("install")]
fn install(flags: Flags) {
    flags.set(INSTALLED);
}

/// Advertise this unit's addresses, check the joined peers, take part in
/// the iperf checks, and dismiss `magpie.joined` once all that is done.
#[when("magpie.joined")]
fn check_peers(magpie: &MagpiePeers, config: Config<Options>, ctx: Ctx) -> Result<(), Error> {
    let advertised = magpie.advertise_juju_addresses()?;
    ctx.kv().set(ADVERTISED_KEY, &advertised)?;

    let network = match config.network() {
        Ok(network) => network,
        Err(e) => {
            // Keep magpie.joined: the peers are checked once it is fixed.
            let message = config.invalid_cidr_message(&e);
            ctx.log(Level::Error, &format!("{message}; peers not checked"));
            return Ok(());
        }
    };
    let nodes = match &network {
        Some(_) => magpie.get_nodes_by_cidr(config.cidr.trim())?,
        None => magpie.get_nodes()?,
    };
    let mut checks: Vec<(Node, PeerCheck)> = nodes
        .into_iter()
        .map(|node| {
            let check = check_again(&ctx, &node);
            (node, check)
        })
        .collect();

    let handled = if !config.check_iperf {
        true
    } else if ctx.is_leader()? {
        run_iperf_client(magpie, &ctx, &mut checks)?
    } else {
        serve_iperf(magpie, &ctx, &advertised, network.as_ref())?
    };

    for (node, check) in &checks {
        ctx.log(
            Level::Info,
            &format!(
                "checked {} at {}: icmp {}, dns {}",
                node.unit,
                check.address.as_deref().unwrap_or("(no address)"),
                check.icmp,
                check.dns
            ),
        );
        ctx.kv().set(&peer_key(&node.unit), check)?;
    }
    if handled {
        magpie.dismiss_joined()?;
    }
    Ok(())
}

/// The leader is the iperf client: once every peer of `checks` listens,
/// it records the client run against each and publishes its marks.
/// Returns whether it did.
fn run_iperf_client(
    magpie: &MagpiePeers,
    ctx: &HookContext,
    checks: &mut [(Node, PeerCheck)],
) -> Result<bool, Error> {
    let ready: Vec<String> = magpie
        .check_ready_iperf_servers()?
        .into_iter()
        .map(|n| n.unit)
        .collect();
    let waiting: Vec<&str> = checks
        .iter()
        .map(|(node, _)| node.unit.as_str())
        .filter(|unit| !ready.iter().any(|r| r == unit))
        .collect();
    if !waiting.is_empty() {
        let waiting = waiting.join(", ");
        ctx.log(
            Level::Info,
            &format!("iperf: waiting for the servers of {waiting}"),
        );
        return Ok(false);
    }
    for (node, check) in checks.iter_mut() {
        if let Some(address) = &node.address {
            check.iperf = Some(iperf_client_command(address));
        }
    }
    magpie.set_iperf_checked()?;
    Ok(true)
}

/// The other units are iperf servers: listen once, on this unit's address
/// in `network`, say so to the peers, and note when a peer's marks name
/// this unit. Returns whether they do.
fn serve_iperf(
    magpie: &MagpiePeers,
    ctx: &HookContext,
    advertised: &str,
    network: Option<&Cidr>,
) -> Result<bool, Error> {
    let flags = ctx.flags();
    if !flags.is_set(IPERF_LISTENING) {
        let bind = bind_address(advertised, network).unwrap_or_else(|| "0.0.0.0".to_owned());
        ctx.kv()
            .set(IPERF_SERVER_KEY, &iperf_server_command(&bind))?;
        flags.set(IPERF_LISTENING);
    }
    magpie.set_iperf_server_ready()?;
    if magpie.is_iperf_checked(&ctx.unit_name())? {
        flags.set(IPERF_CHECKED);
    }
    Ok(flags.is_set(IPERF_CHECKED))
}

/// Forget the results of the peers that left, then dismiss
/// `magpie.departed`.
#[when("magpie.departed")]
fn peers_departed(magpie: &MagpiePeers, ctx: Ctx) -> Result<(), Error> {
    let present: Vec<String> = magpie
        .all_joined_units()?
        .iter()
        .map(|u| u.name().to_owned())
        .collect();
    for unit in recorded_peers(&ctx)?.into_keys() {
        if !present.contains(&unit) {
            ctx.kv().unset(&peer_key(&unit))?;
            ctx.log(
                Level::Info,
                &format!("{unit} departed, its results dropped"),
            );
        }
    }
    magpie.dismiss_departed()?;
    Ok(())
}

/// Status once, at the end of every hook, however many handlers ran.
#[when(INSTALLED)]
fn assess_status(ctx: Ctx) {
    ctx.status_at_exit(assess);
}

/// `1 peer` / `2 peers`.
fn peers(n: usize) -> String {
    if n == 1 {
        "1 peer".to_owned()
    } else {
        format!("{n} peers")
    }
}

/// The unit's status from the options and the recorded results.
fn assess(ctx: &HookContext) -> Result<Status, Error> {
    let config = Config::<Options>::of(ctx)?;
    if let Err(e) = config.network() {
        return Ok(Status::blocked(config.invalid_cidr_message(&e)));
    }
    let records = recorded_peers(ctx)?;
    if records.is_empty() {
        return Ok(Status::waiting("Waiting for peers..."));
    }
    let failed = |which: fn(&PeerCheck) -> &str| -> Vec<&str> {
        records
            .iter()
            .filter(|(_, c)| which(c) != OK)
            .map(|(u, _)| u.as_str())
            .collect()
    };
    let mut problems = Vec::new();
    for (check, units) in [("icmp", failed(|c| &c.icmp)), ("dns", failed(|c| &c.dns))] {
        if !units.is_empty() {
            problems.push(format!("{check} failed: {}", units.join(", ")));
        }
    }
    if !problems.is_empty() {
        return Ok(Status::blocked(problems.join("; ")));
    }
    let mut message = format!("icmp ok, dns ok: {} reachable", peers(records.len()));
    if config.check_iperf {
        message = format!("{message}; {}", iperf_status(ctx, &records)?);
    }
    Ok(Status::active(message))
}

/// Where the iperf checks stand: on the leader, how many peers were
/// checked; on a server, whether it listens and was checked.
fn iperf_status(ctx: &HookContext, records: &BTreeMap<String, PeerCheck>) -> Result<String, Error> {
    Ok(if ctx.is_leader()? {
        let done = records.values().filter(|c| c.iperf.is_some()).count();
        if done == records.len() {
            format!("iperf ok: {} checked", peers(done))
        } else {
            format!(
                "iperf: waiting for {} to listen",
                peers(records.len() - done)
            )
        }
    } else if ctx.flags().is_set(IPERF_CHECKED) {
        "iperf checked".to_owned()
    } else if ctx.flags().is_set(IPERF_LISTENING) {
        "iperf listening".to_owned()
    } else {
        "iperf not listening".to_owned()
    })
}
