//! The unit's world before and after a hook: plain data.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use serde_json::{Map, Value, json};

use crate::backend::{Port, RelationId, Status};

/// A databag: what Juju holds for a unit or an application in one
/// relation, raw strings as `relation-get` returns them.
pub type Bag = BTreeMap<String, String>;

/// The private address a [`State`] starts with (`unit-get
/// private-address`), from the documentation range of RFC 5737.
pub const DEFAULT_PRIVATE_ADDRESS: &str = "192.0.2.10";

/// The public address a [`State`] starts with (`unit-get public-address`),
/// from the documentation range of RFC 5737.
pub const DEFAULT_PUBLIC_ADDRESS: &str = "198.51.100.10";

fn bag<K: Into<String>, V: Into<String>>(data: impl IntoIterator<Item = (K, V)>) -> Bag {
    data.into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect()
}

/// Each top-level value of `data` (a JSON object) encoded as charms.reactive
/// publishes it: Python's `json.dumps(value, sort_keys=True)`.
///
/// # Panics
///
/// When `data` is not a JSON object: a test written wrongly.
fn json_bag(data: Value) -> Bag {
    match data {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| (k.clone(), crate::reactive::python_json::dumps_sorted(v)))
            .collect(),
        other => panic!("relation data must be a JSON object of keys to values, not {other}"),
    }
}

/// A raw relation value decoded as charms.reactive reads it: JSON, else the
/// string itself.
pub(crate) fn decode(raw: &str) -> Value {
    if raw.is_empty() {
        return Value::String(String::new());
    }
    serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned()))
}

/// One relation of the unit, as Juju holds it.
///
/// Remote units are named in full (`mysql/0`) and must belong to
/// [`remote_app`](Self::remote_app). On a peer endpoint the remote
/// application is the unit's own, the remote units are the other units of
/// that application, and the one application databag is
/// [`local_app_data`](Self::local_app_data).
///
/// ```
/// use charm_runtime::harness::Relation;
/// use serde_json::json;
///
/// let db = Relation::new("db", 3, "mysql")
///     .with_unit("mysql/0", [("host", "\"10.0.0.5\"")])
///     .with_unit_json("mysql/1", json!({"host": "10.0.0.6", "port": 3306}));
/// assert_eq!(db.remote_units["mysql/1"]["port"], "3306");
/// assert_eq!(db.relation_id().to_string(), "db:3");
///
/// let cluster = Relation::peer("cluster", 1, "web").with_unit("web/1", [("ready", "true")]);
/// assert_eq!(cluster.remote_app, "web");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    /// The endpoint (relation name in metadata).
    pub endpoint: String,
    /// The number Juju gave the relation, unique in the model.
    pub id: u32,
    /// The application at the other end (the unit's own on a peer
    /// endpoint).
    pub remote_app: String,
    /// The remote units in the relation, each with its databag.
    pub remote_units: BTreeMap<String, Bag>,
    /// The remote application's databag (empty on a peer endpoint, whose
    /// one application databag is `local_app_data`).
    pub remote_app_data: Bag,
    /// This unit's databag.
    pub local_unit_data: Bag,
    /// This application's databag (written only by the leader).
    pub local_app_data: Bag,
}

impl Relation {
    /// The relation `id` on `endpoint` with `remote_app`, no units yet.
    pub fn new(endpoint: impl Into<String>, id: u32, remote_app: impl Into<String>) -> Self {
        Self {
            endpoint: endpoint.into(),
            id,
            remote_app: remote_app.into(),
            remote_units: BTreeMap::new(),
            remote_app_data: Bag::new(),
            local_unit_data: Bag::new(),
            local_app_data: Bag::new(),
        }
    }

    /// The peer relation `id` on `endpoint` of the application `app` (the
    /// unit's own): add the other units of `app` with
    /// [`with_unit`](Self::with_unit).
    pub fn peer(endpoint: impl Into<String>, id: u32, app: impl Into<String>) -> Self {
        Self::new(endpoint, id, app)
    }

    /// Add the remote unit `unit` with its raw databag.
    pub fn with_unit<K: Into<String>, V: Into<String>>(
        mut self,
        unit: impl Into<String>,
        data: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.remote_units.insert(unit.into(), bag(data));
        self
    }

    /// Add the remote unit `unit` with a databag given as a JSON object,
    /// each value encoded as a charms.reactive unit publishes it
    /// (`json.dumps(value, sort_keys=True)`).
    ///
    /// # Panics
    ///
    /// When `data` is not a JSON object.
    pub fn with_unit_json(mut self, unit: impl Into<String>, data: Value) -> Self {
        self.remote_units.insert(unit.into(), json_bag(data));
        self
    }

    /// Set the remote application's raw databag.
    pub fn with_remote_app_data<K: Into<String>, V: Into<String>>(
        mut self,
        data: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.remote_app_data = bag(data);
        self
    }

    /// Set the remote application's databag from a JSON object, values
    /// encoded as charms.reactive publishes them.
    ///
    /// # Panics
    ///
    /// When `data` is not a JSON object.
    pub fn with_remote_app_json(mut self, data: Value) -> Self {
        self.remote_app_data = json_bag(data);
        self
    }

    /// Set this unit's raw databag (what earlier hooks published).
    pub fn with_local_unit_data<K: Into<String>, V: Into<String>>(
        mut self,
        data: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.local_unit_data = bag(data);
        self
    }

    /// Set this application's raw databag.
    pub fn with_local_app_data<K: Into<String>, V: Into<String>>(
        mut self,
        data: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.local_app_data = bag(data);
        self
    }

    /// `endpoint:id`, as the runtime names the relation.
    pub fn relation_id(&self) -> RelationId {
        RelationId::new(self.endpoint.clone(), self.id)
    }

    /// The remote unit names, in name order.
    pub fn unit_names(&self) -> Vec<&str> {
        self.remote_units.keys().map(String::as_str).collect()
    }

    /// A value of this unit's databag decoded as charms.reactive reads it
    /// (JSON, else the raw string).
    ///
    /// ```
    /// use charm_runtime::harness::Relation;
    /// let r = Relation::new("db", 1, "mysql").with_local_unit_data([("port", "8080"), ("host", "web")]);
    /// assert_eq!(r.local_unit_value("port"), Some(8080.into()));
    /// assert_eq!(r.local_unit_value("host"), Some("web".into()));
    /// ```
    pub fn local_unit_value(&self, key: &str) -> Option<Value> {
        self.local_unit_data.get(key).map(|v| decode(v))
    }

    /// A value of this application's databag, decoded.
    pub fn local_app_value(&self, key: &str) -> Option<Value> {
        self.local_app_data.get(key).map(|v| decode(v))
    }
}

/// A `network-get` answer for one binding, as Juju prints it with
/// `--format=json`.
///
/// ```
/// use charm_runtime::harness::Network;
/// let net = Network::from_address("10.1.2.3");
/// let json = net.to_json();
/// assert_eq!(json["ingress-addresses"][0], "10.1.2.3");
/// assert_eq!(json["bind-addresses"][0]["addresses"][0]["cidr"], "10.1.2.0/24");
/// assert_eq!(json["egress-subnets"][0], "10.1.2.3/32");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// The network interface of the bind addresses.
    pub interface: String,
    /// The addresses the unit binds to.
    pub bind_addresses: Vec<String>,
    /// The subnet of the bind addresses (`10.0.0.0/24`), empty if unknown.
    pub cidr: String,
    /// The addresses other units reach this one at.
    pub ingress_addresses: Vec<String>,
    /// The subnets this unit's traffic leaves from.
    pub egress_subnets: Vec<String>,
}

impl Network {
    /// A binding on `eth0` with `address` as its only bind and ingress
    /// address: a /24 (IPv4) or /64 (IPv6) subnet, the address alone as
    /// egress subnet. What the harness answers for every binding the state
    /// does not set, from the unit's `private-address`.
    pub fn from_address(address: impl Into<String>) -> Self {
        let address = address.into();
        let (cidr, egress) = match address.parse::<IpAddr>() {
            Ok(IpAddr::V4(v4)) => {
                let [a, b, c, _] = v4.octets();
                (format!("{a}.{b}.{c}.0/24"), format!("{address}/32"))
            }
            Ok(IpAddr::V6(v6)) => {
                let s = v6.segments();
                let net = std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0);
                (format!("{net}/64"), format!("{address}/128"))
            }
            Err(_) => (String::new(), String::new()),
        };
        Self {
            interface: "eth0".to_owned(),
            bind_addresses: vec![address.clone()],
            cidr,
            ingress_addresses: vec![address],
            egress_subnets: if egress.is_empty() {
                vec![]
            } else {
                vec![egress]
            },
        }
    }

    /// The JSON `network-get --format=json` prints for this binding.
    pub fn to_json(&self) -> Value {
        let addresses: Vec<Value> = self
            .bind_addresses
            .iter()
            .map(|a| json!({"hostname": "", "address": a, "value": a, "cidr": self.cidr}))
            .collect();
        json!({
            "bind-addresses": [{
                "mac-address": "",
                "interface-name": self.interface,
                "addresses": addresses,
                "macaddress": "",
                "interfacename": self.interface,
            }],
            "egress-subnets": self.egress_subnets,
            "ingress-addresses": self.ingress_addresses,
        })
    }
}

/// What one unit sees of Juju, plus its unit state: the input of a hook
/// and, in [`Output::state`](super::Output::state), its result.
///
/// Plain data: build it with the `with_*` methods or set the fields. A
/// `State::new()` is a fresh unit: not the leader, config at the charm's
/// defaults, no relations, no flags, the addresses
/// [`DEFAULT_PRIVATE_ADDRESS`] and [`DEFAULT_PUBLIC_ADDRESS`].
///
/// ```
/// use charm_runtime::harness::{Relation, State};
/// use charm_runtime::backend::{Port, Status, StatusState};
/// use serde_json::json;
///
/// let state = State::new()
///     .with_leader(true)
///     .with_config("port", 8080)
///     .with_relation(Relation::new("db", 3, "mysql").with_unit("mysql/0", [("host", "db")]))
///     .with_flag("web.installed")
///     .with_kv("web.port", json!(80))
///     .with_unit_status(Status::new(StatusState::Active, "ready"))
///     .with_opened_port(Port::tcp(80));
/// assert!(state.has_flag("web.installed"));
/// assert_eq!(state.relation(3).unwrap().remote_app, "mysql");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    /// The unit's name (`web/0`); `None` is `<metadata name>/0`.
    pub unit: Option<String>,
    /// Whether the unit is the leader.
    pub leader: bool,
    /// Config values set by the operator; options not here have the
    /// charm's default (`null` when it has none).
    pub config: Map<String, Value>,
    /// The unit's relations, peer relations included.
    pub relations: Vec<Relation>,
    /// Leadership settings (`leader-get`).
    pub leader_settings: Bag,
    /// The unit's workload status, if set.
    pub unit_status: Option<Status>,
    /// The application's status, if set.
    pub app_status: Option<Status>,
    /// The ports opened by the unit.
    pub opened_ports: BTreeSet<Port>,
    /// `unit-get` answers by key (`private-address`, `public-address`).
    pub addresses: Bag,
    /// `network-get` answers by binding; a binding not here gets
    /// [`Network::from_address`] of the `private-address`.
    pub networks: BTreeMap<String, Network>,
    /// Flags set in the unit state, each with its value (`null` for a flag
    /// set without one).
    pub flags: BTreeMap<String, Value>,
    /// The rest of the unit state: the charm's key/value data and the
    /// framework's own records (`reactive.data_changed.*`, the previous
    /// config, the leadership settings last seen), JSON values.
    pub kv: BTreeMap<String, Value>,
    /// The workload version (`application-version-set`).
    pub workload_version: Option<String>,
}

impl Default for State {
    fn default() -> Self {
        Self::new()
    }
}

impl State {
    /// A fresh unit (see the type's documentation).
    pub fn new() -> Self {
        Self {
            unit: None,
            leader: false,
            config: Map::new(),
            relations: Vec::new(),
            leader_settings: Bag::new(),
            unit_status: None,
            app_status: None,
            opened_ports: BTreeSet::new(),
            addresses: bag([
                ("private-address", DEFAULT_PRIVATE_ADDRESS),
                ("public-address", DEFAULT_PUBLIC_ADDRESS),
            ]),
            networks: BTreeMap::new(),
            flags: BTreeMap::new(),
            kv: BTreeMap::new(),
            workload_version: None,
        }
    }

    /// Name the unit (`web/1`).
    pub fn with_unit(mut self, unit: impl Into<String>) -> Self {
        self.unit = Some(unit.into());
        self
    }

    /// Make the unit the leader or not.
    pub fn with_leader(mut self, leader: bool) -> Self {
        self.leader = leader;
        self
    }

    /// Set the config option `option` to `value`.
    pub fn with_config(mut self, option: impl Into<String>, value: impl Into<Value>) -> Self {
        self.config.insert(option.into(), value.into());
        self
    }

    /// Add `relation`.
    pub fn with_relation(mut self, relation: Relation) -> Self {
        self.relations.push(relation);
        self
    }

    /// Set the leadership setting `key`.
    pub fn with_leader_setting(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.leader_settings.insert(key.into(), value.into());
        self
    }

    /// Set the unit's workload status.
    pub fn with_unit_status(mut self, status: Status) -> Self {
        self.unit_status = Some(status);
        self
    }

    /// Set the application's status.
    pub fn with_app_status(mut self, status: Status) -> Self {
        self.app_status = Some(status);
        self
    }

    /// Mark `port` open.
    pub fn with_opened_port(mut self, port: Port) -> Self {
        self.opened_ports.insert(port);
        self
    }

    /// Set the `unit-get` answer for `key` (`private-address`,
    /// `public-address`).
    pub fn with_address(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.addresses.insert(key.into(), value.into());
        self
    }

    /// Set the `network-get` answer for `binding`.
    pub fn with_network(mut self, binding: impl Into<String>, network: Network) -> Self {
        self.networks.insert(binding.into(), network);
        self
    }

    /// Set `flag` (without a value), as if by an earlier hook.
    pub fn with_flag(mut self, flag: impl Into<String>) -> Self {
        self.flags.insert(flag.into(), Value::Null);
        self
    }

    /// Set `flag` with `value`.
    pub fn with_flag_value(mut self, flag: impl Into<String>, value: impl Into<Value>) -> Self {
        self.flags.insert(flag.into(), value.into());
        self
    }

    /// Store `value` under `key` in the unit's key/value data.
    pub fn with_kv(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.kv.insert(key.into(), value.into());
        self
    }

    /// Set the workload version.
    pub fn with_workload_version(mut self, version: impl Into<String>) -> Self {
        self.workload_version = Some(version.into());
        self
    }

    /// The relation numbered `id`.
    pub fn relation(&self, id: u32) -> Option<&Relation> {
        self.relations.iter().find(|r| r.id == id)
    }

    /// The relations of `endpoint`, in state order.
    pub fn relations_of(&self, endpoint: &str) -> Vec<&Relation> {
        self.relations
            .iter()
            .filter(|r| r.endpoint == endpoint)
            .collect()
    }

    /// The set flags, sorted.
    pub fn flag_names(&self) -> Vec<&str> {
        self.flags.keys().map(String::as_str).collect()
    }

    /// Whether `flag` is set.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.contains_key(flag)
    }

    /// The unit's name, `<app>/0` when the state does not name it.
    pub fn unit_name(&self, app: &str) -> String {
        self.unit.clone().unwrap_or_else(|| format!("{app}/0"))
    }
}
