//! The unit's world before and after a hook: plain data.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::backend::{MemorySecrets, Port, RelationId, Status};
use crate::facts::Network;

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
#[track_caller]
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

/// What names a relation of a [`State`] or an [`Output`](super::Output):
/// its number (`4`), the [`Relation`] itself (`&website`) or its
/// [`RelationId`] (`website:4`). Relation numbers are unique in a model,
/// so the number alone finds it.
///
/// ```
/// use charm_runtime::harness::{Relation, State};
///
/// let website = Relation::new("website", 4, "haproxy");
/// let state = State::new().with_relation(website.clone());
/// assert!(state.relation(4).is_some());
/// assert!(state.relation(&website).is_some());
/// assert!(state.relation(website.relation_id()).is_some());
/// assert!(state.relation(5).is_none());
/// ```
pub trait RelationRef {
    /// The relation's number.
    fn relation_number(&self) -> u32;
}

impl RelationRef for u32 {
    fn relation_number(&self) -> u32 {
        *self
    }
}

impl RelationRef for Relation {
    fn relation_number(&self) -> u32 {
        self.id
    }
}

impl RelationRef for RelationId {
    fn relation_number(&self) -> u32 {
        self.id
    }
}

impl<T: RelationRef + ?Sized> RelationRef for &T {
    fn relation_number(&self) -> u32 {
        (**self).relation_number()
    }
}

/// Set `key` to `value` in `bag` as `relation-set` does: an empty value
/// deletes the key.
fn set_raw(bag: &mut Bag, key: String, value: String) {
    if value.is_empty() {
        bag.remove(&key);
    } else {
        bag.insert(key, value);
    }
}

/// One relation of the unit, as Juju holds it.
///
/// Remote units are named in full (`mysql/0`) and must belong to
/// [`remote_app`](Self::remote_app). On a peer endpoint the remote
/// application is the unit's own, the remote units are the other units of
/// that application, and the one application databag is
/// [`local_app_data`](Self::local_app_data).
///
/// Build it with the `with_*` methods: a unit joined without data
/// ([`with_unit`](Self::with_unit)), with a raw databag
/// ([`with_unit_data`](Self::with_unit_data)) or with values encoded as
/// a charms.reactive unit publishes them
/// ([`with_unit_json`](Self::with_unit_json)); read it with the
/// accessors. The fields stay public, but the builders and accessors are
/// the way: between two runs, change a relation of a [`State`] with
/// [`State::with_remote_unit_data`] and its siblings.
///
/// ```
/// use charm_runtime::harness::Relation;
/// use serde_json::json;
///
/// let db = Relation::new("db", 3, "mysql")
///     .with_unit("mysql/0")
///     .with_unit_data("mysql/1", [("host", "\"10.0.0.5\"")])
///     .with_unit_json("mysql/2", json!({"host": "10.0.0.6", "port": 3306}));
/// assert_eq!(db.unit_names(), ["mysql/0", "mysql/1", "mysql/2"]);
/// assert_eq!(db.remote_unit_value("mysql/2", "port"), Some(json!(3306)));
/// assert_eq!(db.relation_id().to_string(), "db:3");
///
/// let cluster = Relation::peer("cluster", 1, "web").with_unit_data("web/1", [("ready", "true")]);
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

    /// Add the remote unit `unit`, joined without data yet. A unit already
    /// in the relation keeps its databag.
    ///
    /// ```
    /// use charm_runtime::harness::Relation;
    ///
    /// let website = Relation::new("website", 1, "haproxy").with_unit("haproxy/0");
    /// assert_eq!(website.unit_names(), ["haproxy/0"]);
    /// assert_eq!(website.remote_unit_data("haproxy/0").map(|bag| bag.len()), Some(0));
    /// ```
    pub fn with_unit(mut self, unit: impl Into<String>) -> Self {
        self.remote_units.entry(unit.into()).or_default();
        self
    }

    /// Add the remote units `units`, each joined without data (see
    /// [`with_unit`](Self::with_unit)).
    ///
    /// ```
    /// use charm_runtime::harness::Relation;
    ///
    /// let website = Relation::new("website", 1, "haproxy").with_units(["haproxy/1", "haproxy/0"]);
    /// assert_eq!(website.unit_names(), ["haproxy/0", "haproxy/1"]);
    /// ```
    pub fn with_units<U: Into<String>>(self, units: impl IntoIterator<Item = U>) -> Self {
        units.into_iter().fold(self, Self::with_unit)
    }

    /// Add the remote unit `unit` with its raw databag, values as
    /// `relation-get` returns them (a charms.reactive unit publishes JSON:
    /// `"\"10.0.0.5\""`, `"3306"`). Replaces the databag of a unit already
    /// in the relation.
    ///
    /// ```
    /// use charm_runtime::harness::Relation;
    ///
    /// let db = Relation::new("db", 3, "mysql")
    ///     .with_unit_data("mysql/0", [("host", "\"10.0.0.5\""), ("port", "3306")]);
    /// assert_eq!(db.remote_unit_data("mysql/0").unwrap()["port"], "3306");
    /// assert_eq!(db.remote_unit_value("mysql/0", "host"), Some("10.0.0.5".into()));
    /// ```
    pub fn with_unit_data<K: Into<String>, V: Into<String>>(
        mut self,
        unit: impl Into<String>,
        data: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        self.remote_units.insert(unit.into(), bag(data));
        self
    }

    /// Add the remote unit `unit` with a databag given as a JSON object,
    /// each value encoded as a charms.reactive unit publishes it
    /// (`json.dumps(value, sort_keys=True)`). Replaces the databag of a
    /// unit already in the relation.
    ///
    /// ```
    /// use charm_runtime::harness::Relation;
    /// use serde_json::json;
    ///
    /// let db = Relation::new("db", 3, "mysql")
    ///     .with_unit_json("mysql/0", json!({"host": "10.0.0.5", "port": 3306, "tls": {"on": true}}));
    /// let bag = db.remote_unit_data("mysql/0").unwrap();
    /// assert_eq!(bag["host"], "\"10.0.0.5\"");
    /// assert_eq!(bag["port"], "3306");
    /// assert_eq!(bag["tls"], r#"{"on": true}"#);
    /// ```
    ///
    /// # Panics
    ///
    /// When `data` is not a JSON object.
    #[track_caller]
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
    #[track_caller]
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

    /// The raw databag of the remote unit `unit`, if it is in the
    /// relation.
    pub fn remote_unit_data(&self, unit: &str) -> Option<&Bag> {
        self.remote_units.get(unit)
    }

    /// A value of the remote unit `unit`'s databag decoded as
    /// charms.reactive reads it (JSON, else the raw string); `None` when
    /// the unit or the key is absent.
    ///
    /// ```
    /// use charm_runtime::harness::Relation;
    /// use serde_json::json;
    ///
    /// let db = Relation::new("db", 3, "mysql").with_unit_json("mysql/0", json!({"port": 3306}));
    /// assert_eq!(db.remote_unit_value("mysql/0", "port"), Some(json!(3306)));
    /// assert_eq!(db.remote_unit_value("mysql/0", "host"), None);
    /// assert_eq!(db.remote_unit_value("mysql/1", "port"), None);
    /// ```
    pub fn remote_unit_value(&self, unit: &str, key: &str) -> Option<Value> {
        self.remote_units.get(unit)?.get(key).map(|v| decode(v))
    }

    /// A value of the remote application's databag, decoded.
    pub fn remote_app_value(&self, key: &str) -> Option<Value> {
        self.remote_app_data.get(key).map(|v| decode(v))
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
///     .with_relation(Relation::new("db", 3, "mysql").with_unit_data("mysql/0", [("host", "db")]))
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
    /// The principal unit of a subordinate unit (`JUJU_PRINCIPAL_UNIT`):
    /// required for a charm declaring `subordinate: true`, refused for
    /// any other.
    pub principal: Option<String>,
    /// Hook tools that fail during the run, by name, each with its error
    /// message: under Juju a tool sometimes fails (a relation gone
    /// meanwhile, a controller unreachable), and the charm sees the
    /// tool's error.
    pub failing_tools: BTreeMap<String, String>,
    /// The model's Juju secrets (`secret-add`, `secret-get`, ...), with
    /// their owners, revisions and grants: what the hook adds, sets,
    /// grants or removes is here after a successful hook. [`Peers`] shares
    /// one store between its units.
    ///
    /// [`Peers`]: crate::harness::Peers
    pub secrets: MemorySecrets,
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
            principal: None,
            failing_tools: BTreeMap::new(),
            secrets: MemorySecrets::default(),
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

    /// Make the unit a subordinate of `principal` (`web/0`), the unit it
    /// is deployed beside: Juju sets `JUJU_PRINCIPAL_UNIT`, and on a
    /// container-scoped relation with the principal's application the
    /// only remote unit is the principal.
    ///
    /// ```
    /// use charm_runtime::harness::State;
    /// let state = State::new().with_unit("nrpe/3").with_principal("web/0");
    /// assert_eq!(state.principal.as_deref(), Some("web/0"));
    /// ```
    pub fn with_principal(mut self, principal: impl Into<String>) -> Self {
        self.principal = Some(principal.into());
        self
    }

    /// Make the hook tool `tool` (`relation-get`, `network-get`, ...)
    /// fail during the run with `message`, as under Juju a tool sometimes
    /// does: the charm sees a tool error (exit 1, `ERROR <message>`).
    /// The call is still recorded in [`Output::tool_calls`](super::Output::tool_calls).
    ///
    /// ```
    /// use charm_runtime::harness::State;
    /// let state = State::new().with_failing_tool("network-get", "no network space");
    /// assert_eq!(state.failing_tools["network-get"], "no network space");
    /// ```
    pub fn with_failing_tool(
        mut self,
        tool: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        self.failing_tools.insert(tool.into(), message.into());
        self
    }

    /// Set the workload version.
    pub fn with_workload_version(mut self, version: impl Into<String>) -> Self {
        self.workload_version = Some(version.into());
        self
    }

    /// The relation `relation` (a number, a [`Relation`] or a
    /// [`RelationId`], see [`RelationRef`]), if the state has it.
    pub fn relation(&self, relation: impl RelationRef) -> Option<&Relation> {
        let id = relation.relation_number();
        self.relations.iter().find(|r| r.id == id)
    }

    /// The relations' names (`website:4`), for messages.
    pub(crate) fn relation_names(&self) -> Vec<String> {
        self.relations
            .iter()
            .map(|r| r.relation_id().to_string())
            .collect()
    }

    /// Change the relation `relation` with `change`, for the next run:
    /// the general form of [`with_remote_unit_data`](Self::with_remote_unit_data)
    /// and its siblings.
    ///
    /// ```
    /// use charm_runtime::harness::{Relation, State};
    ///
    /// let state = State::new()
    ///     .with_relation(Relation::new("db", 3, "mysql").with_unit("mysql/0"))
    ///     .update_relation(3, |db| {
    ///         *db = db.clone().with_unit_data("mysql/1", [("host", "\"10.0.0.6\"")]);
    ///     });
    /// assert_eq!(state.relation(3).unwrap().unit_names(), ["mysql/0", "mysql/1"]);
    /// ```
    ///
    /// # Panics
    ///
    /// When the state has no such relation.
    #[track_caller]
    pub fn update_relation(
        mut self,
        relation: impl RelationRef,
        change: impl FnOnce(&mut Relation),
    ) -> Self {
        let id = relation.relation_number();
        let names = self.relation_names();
        match self.relations.iter_mut().find(|r| r.id == id) {
            Some(r) => change(r),
            None => panic!("the state has no relation {id} (relations: {names:?})"),
        }
        self
    }

    /// The remote unit `unit` of `relation`, for changing its databag.
    #[track_caller]
    fn remote_unit_mut(&mut self, relation: impl RelationRef, unit: &str) -> &mut Bag {
        let id = relation.relation_number();
        let names = self.relation_names();
        let Some(r) = self.relations.iter_mut().find(|r| r.id == id) else {
            panic!("the state has no relation {id} (relations: {names:?})");
        };
        let rid = r.relation_id();
        let units = r.unit_names().join(", ");
        match r.remote_units.get_mut(unit) {
            Some(bag) => bag,
            None => panic!(
                "remote unit {unit} is not in relation {rid} (remote units: {units}); \
                 join it first with State::with_remote_unit"
            ),
        }
    }

    /// The remote unit `unit` joins `relation` without data (the state of
    /// its `relation-joined` hook). A unit already in the relation keeps
    /// its databag.
    ///
    /// ```
    /// use charm_runtime::harness::{Relation, State};
    ///
    /// let state = State::new()
    ///     .with_relation(Relation::new("website", 4, "haproxy"))
    ///     .with_remote_unit(4, "haproxy/0");
    /// assert_eq!(state.relation(4).unwrap().unit_names(), ["haproxy/0"]);
    /// ```
    ///
    /// # Panics
    ///
    /// When the state has no such relation.
    #[track_caller]
    pub fn with_remote_unit(self, relation: impl RelationRef, unit: impl Into<String>) -> Self {
        self.update_relation(relation, |r| {
            r.remote_units.entry(unit.into()).or_default();
        })
    }

    /// The remote unit `unit` has left `relation`: the state without it.
    /// For the departure itself run
    /// [`Event::relation_departed`](super::Event::relation_departed), which needs the unit still in
    /// the state and removes it from the output; this builds a state the
    /// unit already left.
    ///
    /// ```
    /// use charm_runtime::harness::{Relation, State};
    ///
    /// let state = State::new()
    ///     .with_relation(Relation::new("website", 4, "haproxy").with_units(["haproxy/0", "haproxy/1"]))
    ///     .without_remote_unit(4, "haproxy/0");
    /// assert_eq!(state.relation(4).unwrap().unit_names(), ["haproxy/1"]);
    /// ```
    ///
    /// # Panics
    ///
    /// When the state has no such relation, or `unit` is not in it.
    #[track_caller]
    pub fn without_remote_unit(mut self, relation: impl RelationRef, unit: &str) -> Self {
        self.remote_unit_mut(relation.relation_number(), unit);
        self.update_relation(relation, |r| {
            r.remote_units.remove(unit);
        })
    }

    /// The remote unit `unit` of `relation` set `key` to the raw `value`
    /// (as `relation-get` returns it: a charms.reactive unit publishes
    /// JSON, `"\"10.0.0.5\""`); an empty value deletes the key, as
    /// `relation-set` does. Run
    /// [`Event::relation_changed`](super::Event::relation_changed) next.
    ///
    /// ```
    /// use charm_runtime::harness::{Relation, State};
    /// use serde_json::json;
    ///
    /// let state = State::new()
    ///     .with_relation(Relation::new("db", 3, "mysql").with_unit("mysql/0"))
    ///     .with_remote_unit_data(3, "mysql/0", "port", "3306")
    ///     .with_remote_unit_data(3, "mysql/0", "host", "\"10.0.0.5\"");
    /// let db = state.relation(3).unwrap();
    /// assert_eq!(db.remote_unit_value("mysql/0", "port"), Some(json!(3306)));
    ///
    /// let state = state.with_remote_unit_data(3, "mysql/0", "port", "");
    /// assert_eq!(state.relation(3).unwrap().remote_unit_value("mysql/0", "port"), None);
    /// ```
    ///
    /// # Panics
    ///
    /// When the state has no such relation, or `unit` is not in it (join
    /// it first with [`with_remote_unit`](Self::with_remote_unit)).
    #[track_caller]
    pub fn with_remote_unit_data(
        mut self,
        relation: impl RelationRef,
        unit: &str,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        set_raw(
            self.remote_unit_mut(relation, unit),
            key.into(),
            value.into(),
        );
        self
    }

    /// The remote unit `unit` of `relation` published the top-level
    /// values of `data` (a JSON object), each encoded as a
    /// charms.reactive unit publishes it (`null` too, as `"null"`); other
    /// keys keep their values. Delete a key with
    /// [`with_remote_unit_data`](Self::with_remote_unit_data) and an empty
    /// value.
    ///
    /// ```
    /// use charm_runtime::harness::{Relation, State};
    /// use serde_json::json;
    ///
    /// let state = State::new()
    ///     .with_relation(Relation::new("db", 3, "mysql").with_unit_json("mysql/0", json!({"port": 3306})))
    ///     .with_remote_unit_json(3, "mysql/0", json!({"host": "10.0.0.5", "tls": null}));
    /// let db = state.relation(3).unwrap();
    /// assert_eq!(db.remote_unit_value("mysql/0", "port"), Some(json!(3306)));
    /// assert_eq!(db.remote_unit_value("mysql/0", "host"), Some(json!("10.0.0.5")));
    /// assert_eq!(db.remote_unit_data("mysql/0").unwrap()["tls"], "null");
    /// ```
    ///
    /// # Panics
    ///
    /// When the state has no such relation, `unit` is not in it, or `data`
    /// is not a JSON object.
    #[track_caller]
    pub fn with_remote_unit_json(
        mut self,
        relation: impl RelationRef,
        unit: &str,
        data: Value,
    ) -> Self {
        let changes = json_bag(data);
        self.remote_unit_mut(relation, unit).extend(changes);
        self
    }

    /// The remote application of `relation` set `key` to the raw `value`
    /// in its databag; an empty value deletes the key. Run
    /// [`Event::relation_changed_app`](super::Event::relation_changed_app)
    /// next.
    ///
    /// ```
    /// use charm_runtime::harness::{Relation, State};
    ///
    /// let state = State::new()
    ///     .with_relation(Relation::new("db", 3, "mysql"))
    ///     .with_remote_app_data(3, "mode", "\"primary\"");
    /// assert_eq!(state.relation(3).unwrap().remote_app_value("mode"), Some("primary".into()));
    /// ```
    ///
    /// # Panics
    ///
    /// When the state has no such relation.
    #[track_caller]
    pub fn with_remote_app_data(
        self,
        relation: impl RelationRef,
        key: impl Into<String>,
        value: impl Into<String>,
    ) -> Self {
        self.update_relation(relation, |r| {
            set_raw(&mut r.remote_app_data, key.into(), value.into());
        })
    }

    /// The remote application of `relation` published the top-level
    /// values of `data` (a JSON object), encoded as charms.reactive
    /// publishes them; other keys keep their values.
    ///
    /// ```
    /// use charm_runtime::harness::{Relation, State};
    /// use serde_json::json;
    ///
    /// let state = State::new()
    ///     .with_relation(Relation::new("db", 3, "mysql"))
    ///     .with_remote_app_json(3, json!({"mode": "primary", "members": 3}));
    /// assert_eq!(state.relation(3).unwrap().remote_app_value("members"), Some(json!(3)));
    /// ```
    ///
    /// # Panics
    ///
    /// When the state has no such relation, or `data` is not a JSON
    /// object.
    #[track_caller]
    pub fn with_remote_app_json(self, relation: impl RelationRef, data: Value) -> Self {
        let changes = json_bag(data);
        self.update_relation(relation, |r| r.remote_app_data.extend(changes))
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
