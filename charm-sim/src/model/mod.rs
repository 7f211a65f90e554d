//! The simulated model: applications, units, relations, their databags,
//! leadership, statuses and ports. Plain data; the engine changes it.

mod charm;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::PathBuf;

use charm_runtime::facts::{Network, joins_in_scope};
use charm_runtime::metadata::Scope;
use serde_json::{Map, Value};

pub use charm::{Charm, ConfigOption, Endpoint, Role};
pub(crate) use charm::{check_option, copy_charm_dir, replace_charm_dir};

/// String settings: a databag or the leader settings.
pub type Settings = BTreeMap<String, String>;

/// A workload status (`status-set`), of a unit or an application.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Status {
    /// `unknown`, `maintenance`, `blocked`, `waiting`, `active`.
    pub state: String,
    /// The message.
    pub message: String,
}

impl Status {
    /// A status of `state` with `message`.
    pub fn new(state: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            state: state.into(),
            message: message.into(),
        }
    }

    /// `unknown`, as a new unit starts.
    pub fn unknown() -> Self {
        Self::new("unknown", "")
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.message.is_empty() {
            f.write_str(&self.state)
        } else {
            write!(f, "{}: {}", self.state, self.message)
        }
    }
}

/// What the unit agent is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentStatus {
    /// Deployed, no hook run yet.
    Allocating,
    /// Running the named hook.
    Executing(String),
    /// Waiting for something to do.
    Idle,
    /// The named hook failed; nothing runs on the unit until it is resolved.
    Error(String),
}

impl fmt::Display for AgentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AgentStatus::Allocating => f.write_str("allocating"),
            AgentStatus::Executing(h) => write!(f, "executing: running {h} hook"),
            AgentStatus::Idle => f.write_str("idle"),
            AgentStatus::Error(h) => write!(f, "error: hook failed: {h:?}"),
        }
    }
}

/// An opened port or range: `80/tcp`, `8000-8100/udp`, `icmp`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Port {
    /// `tcp`, `udp` or `icmp`.
    pub protocol: String,
    /// First port (0 for icmp).
    pub from: u16,
    /// Last port (0 for icmp).
    pub to: u16,
}

impl Port {
    /// One TCP port.
    pub fn tcp(port: u16) -> Self {
        Self {
            protocol: "tcp".into(),
            from: port,
            to: port,
        }
    }

    /// Parse a port as `open-port` reads it: `80` (tcp), `80/udp`,
    /// `8000-8100/tcp`, `icmp`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || {
            format!(
                "expected <port>[/<protocol>] or <from>-<to>[/<protocol>] or icmp; got {text:?}"
            )
        };
        let lower = text.to_lowercase();
        if lower == "icmp" {
            return Ok(Self {
                protocol: lower,
                from: 0,
                to: 0,
            });
        }
        let (range, protocol) = lower.split_once('/').unwrap_or((&lower, "tcp"));
        let (from, to) = range.split_once('-').unwrap_or((range, range));
        let number = |n: &str| -> Result<u32, String> {
            if n.is_empty() || !n.bytes().all(|c| c.is_ascii_digit()) || n.len() > 6 {
                return Err(bad());
            }
            n.parse().map_err(|_| bad())
        };
        let (from, to) = (number(from)?, number(to)?);
        if !["tcp", "udp"].contains(&protocol) {
            return Err(format!(
                "protocol must be \"tcp\", \"udp\", or \"icmp\"; got {protocol:?}"
            ));
        }
        if from > to {
            return Err(format!(
                "invalid port range {from}-{to}/{protocol}; expected fromPort <= toPort"
            ));
        }
        if from < 1 || to > 65535 {
            return Err(format!(
                "port must be in the range [1, 65535]; got \"{from}\""
            ));
        }
        Ok(Self {
            protocol: protocol.to_owned(),
            from: from as u16,
            to: to as u16,
        })
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.protocol == "icmp" {
            f.write_str("icmp")
        } else if self.from == self.to {
            write!(f, "{}/{}", self.from, self.protocol)
        } else {
            write!(f, "{}-{}/{}", self.from, self.to, self.protocol)
        }
    }
}

/// An application: its charm, config, leadership and leader settings.
#[derive(Debug, Clone)]
pub struct Application {
    /// Its name.
    pub name: String,
    /// The charm it runs.
    pub charm: Charm,
    /// Options set with [`crate::Simulation::config_set`] (over the charm's
    /// defaults).
    pub config_overrides: Map<String, Value>,
    /// The leader unit, if any.
    pub leader: Option<String>,
    /// The leader settings (`leader-set`).
    pub leader_settings: Settings,
    /// The application status (`status-set --application`).
    pub status: Status,
    /// The number the next unit gets.
    pub next_unit: u32,
    /// The order of deployment (0 for the first application), which places
    /// the units' addresses.
    pub index: u32,
}

impl Application {
    /// The effective config: defaults, then overrides.
    pub fn config(&self) -> Map<String, Value> {
        let mut config = self.charm.default_config();
        for (k, v) in &self.config_overrides {
            config.insert(k.clone(), v.clone());
        }
        config
    }
}

/// A unit: its charm directory, address, statuses, ports, and which
/// relations (and remote units) it sees.
#[derive(Debug, Clone)]
pub struct Unit {
    /// `app/N`.
    pub name: String,
    /// Its application.
    pub app: String,
    /// Its own copy of the charm directory (holding `.unit-state.db`).
    pub charm_dir: PathBuf,
    /// Its address (`10.x.y.z`): private and ingress address.
    pub address: String,
    /// Its public address (`unit-get public-address`): the address unless
    /// set otherwise ([`crate::Simulation::set_public_address`]), as on a
    /// machine with one interface.
    pub public_address: String,
    /// Its workload status.
    pub workload: Status,
    /// Its agent status.
    pub agent: AgentStatus,
    /// Its opened ports.
    pub ports: BTreeSet<Port>,
    /// Its workload version (`application-version-set`).
    pub workload_version: String,
    /// The relations in scope (relation-created run), each with the remote
    /// units this unit has seen join (and not depart).
    pub scopes: BTreeMap<u32, BTreeSet<String>>,
    /// Being removed.
    pub dying: bool,
    /// The principal unit of a subordinate unit (`JUJU_PRINCIPAL_UNIT`),
    /// on whose machine it runs.
    pub principal: Option<String>,
}

/// One end of a relation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationEnd {
    /// The application.
    pub app: String,
    /// Its endpoint.
    pub endpoint: String,
    /// The interface.
    pub interface: String,
}

/// A relation between two applications, or a peer relation (one end).
#[derive(Debug, Clone)]
pub struct Relation {
    /// The number of its id (`db:3` is 3 whatever the endpoint).
    pub id: u32,
    /// Its ends: one for a peer relation, two otherwise.
    pub ends: Vec<RelationEnd>,
    /// The unit databags.
    pub unit_data: BTreeMap<String, Settings>,
    /// The application databags.
    pub app_data: BTreeMap<String, Settings>,
    /// Container-scoped (either end declares `scope: container`): it
    /// joins only the units of one machine.
    pub container: bool,
    /// Being removed.
    pub dying: bool,
}

impl Relation {
    /// Whether it is a peer relation.
    pub fn is_peer(&self) -> bool {
        self.ends.len() == 1
    }

    /// The end of `app`.
    pub fn end_of(&self, app: &str) -> Option<&RelationEnd> {
        self.ends.iter().find(|e| e.app == app)
    }

    /// The application on the other side from `app` (itself for peers).
    pub fn remote_app(&self, app: &str) -> Option<&str> {
        if self.is_peer() {
            return self.end_of(app).map(|e| e.app.as_str());
        }
        self.end_of(app)?;
        self.ends
            .iter()
            .find(|e| e.app != app)
            .map(|e| e.app.as_str())
    }

    /// The id as `app` sees it: `<its endpoint>:<id>`.
    pub fn id_for(&self, app: &str) -> String {
        let endpoint = self.end_of(app).map(|e| e.endpoint.as_str()).unwrap_or("");
        format!("{endpoint}:{}", self.id)
    }
}

/// The whole model.
#[derive(Debug, Clone, Default)]
pub struct Model {
    /// The model's name (`JUJU_MODEL_NAME`).
    pub name: String,
    /// Applications by name.
    pub apps: BTreeMap<String, Application>,
    /// Units by name.
    pub units: BTreeMap<String, Unit>,
    /// Relations by id.
    pub relations: BTreeMap<u32, Relation>,
    /// The id the next relation gets.
    pub next_relation: u32,
}

impl Model {
    /// The units of `app`, ordered by number.
    pub fn units_of(&self, app: &str) -> Vec<String> {
        let mut units: Vec<(u32, String)> = self
            .units
            .values()
            .filter(|u| u.app == app)
            .map(|u| (unit_number(&u.name), u.name.clone()))
            .collect();
        units.sort();
        units.into_iter().map(|(_, n)| n).collect()
    }

    /// The subordinate applications related to `app` over a
    /// container-scoped relation: each has a unit beside each of `app`'s.
    pub fn subordinates_of(&self, app: &str) -> Vec<String> {
        let mut subs: Vec<String> = self
            .relations
            .values()
            .filter(|r| r.container && !r.dying && r.end_of(app).is_some())
            .filter_map(|r| r.remote_app(app))
            .filter(|other| self.apps.get(*other).is_some_and(|a| a.charm.subordinate))
            .map(str::to_owned)
            .collect();
        subs.sort();
        subs.dedup();
        subs
    }

    /// Whether `unit` is its application's leader.
    pub fn is_leader(&self, unit: &str) -> bool {
        let app = app_of(unit);
        self.apps.get(app).and_then(|a| a.leader.as_deref()) == Some(unit)
    }

    /// The units that see `unit` as a remote unit of `relation`: units of
    /// the other application (or the other peers) that have the relation in
    /// scope.
    pub fn remote_side(&self, relation: u32, unit: &str) -> Vec<String> {
        let Some(rel) = self.relations.get(&relation) else {
            return Vec::new();
        };
        let app = app_of(unit);
        let Some(remote_app) = rel.remote_app(app) else {
            return Vec::new();
        };
        let scope = if rel.container {
            Scope::Container
        } else {
            Scope::Global
        };
        let principal = self.units.get(unit).and_then(|u| u.principal.as_deref());
        self.units
            .values()
            .filter(|u| u.app == remote_app && u.name != unit && u.scopes.contains_key(&relation))
            .filter(|u| joins_in_scope(scope, unit, principal, &u.name, u.principal.as_deref()))
            .map(|u| u.name.clone())
            .collect()
    }
}

/// The application of a unit name.
pub fn app_of(unit: &str) -> &str {
    unit.split('/').next().unwrap_or(unit)
}

/// The number of a unit name (0 if it has none).
pub fn unit_number(unit: &str) -> u32 {
    unit.rsplit('/')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The deterministic address of unit `number` of the application deployed
/// `index`-th: `10.<index + 1>.<number / 250>.<number % 250 + 2>`.
pub fn unit_address(index: u32, number: u32) -> String {
    format!(
        "10.{}.{}.{}",
        (index % 254) + 1,
        (number / 250) % 256,
        number % 250 + 2
    )
}

/// The JSON `network-get --format=json` prints for a unit at `address`:
/// the harness's answer too ([`Network::from_address`]).
pub fn network_json(address: &str) -> Value {
    Network::from_address(address).to_json()
}
