//! The [`Crm`] builder: the Pacemaker configuration a charm asks the
//! hacluster subordinate to manage, in the sections the `ha` relation
//! carries (`json_resources`, `json_clones`, ...).

use std::collections::BTreeMap;
use std::fmt::Display;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::HaclusterError;

/// One value or many, for the options that take either (`params`, `meta`,
/// `op`, ...): `"a=1"`, `["a=1", "b=2"]`, `vec![..]` all convert.
///
/// Each value becomes `<option> <value>` in the resource's spec.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values(pub Vec<String>);

impl From<&str> for Values {
    fn from(v: &str) -> Self {
        Values(vec![v.to_owned()])
    }
}

impl From<String> for Values {
    fn from(v: String) -> Self {
        Values(vec![v])
    }
}

impl From<&String> for Values {
    fn from(v: &String) -> Self {
        Values(vec![v.clone()])
    }
}

impl From<Vec<String>> for Values {
    fn from(v: Vec<String>) -> Self {
        Values(v)
    }
}

impl From<Vec<&str>> for Values {
    fn from(v: Vec<&str>) -> Self {
        Values(v.into_iter().map(str::to_owned).collect())
    }
}

impl From<&[&str]> for Values {
    fn from(v: &[&str]) -> Self {
        Values(v.iter().map(|s| (*s).to_owned()).collect())
    }
}

impl<const N: usize> From<[&str; N]> for Values {
    fn from(v: [&str; N]) -> Self {
        Values(v.iter().map(|s| (*s).to_owned()).collect())
    }
}

impl Values {
    /// Whether there is no value at all or only one empty string (what
    /// Python treats as false).
    fn is_falsy(&self) -> bool {
        self.0.is_empty() || (self.0.len() == 1 && self.0[0].is_empty())
    }
}

/// Whether Python's `str.isspace` holds for `c` (what `rstrip` strips).
fn python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `" <prefix> <v1> <prefix> <v2>"`, trailing whitespace stripped; empty
/// for no value (the layer's `CRM._parse`).
fn parse(prefix: &str, data: &Values) -> String {
    let mut out = String::new();
    for (i, d) in data.0.iter().enumerate() {
        if i == 0 {
            out.push(' ');
        }
        out.push_str(prefix);
        out.push(' ');
        out.push_str(d);
        out.push(' ');
    }
    out.trim_end_matches(python_space).to_owned()
}

/// The options of a primitive, clone, master/slave or group resource.
///
/// Each option is emitted only when given; a clone skips empty `meta` and
/// `params`, the others emit them as the Python layer does.
///
/// ```
/// use charm_interfaces::hacluster::{Crm, Options};
/// let mut crm = Crm::new();
/// crm.primitive("r0", "ocf:linbit:drbd", Options::new()
///     .params("drbd_resource=r0")
///     .op(["monitor role=Master interval=60s", "monitor role=Slave interval=300s"]));
/// assert_eq!(
///     crm.resource_params["r0"],
///     "  params drbd_resource=r0  op monitor role=Master interval=60s op monitor role=Slave interval=300s"
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// A description (skipped when empty).
    pub description: Option<String>,
    /// Parameters for the resource agent.
    pub params: Option<Values>,
    /// Meta attributes.
    pub meta: Option<Values>,
    /// Utilization attributes (primitives only).
    pub utilization: Option<Values>,
    /// Operations in id-spec form, `$id-ref=...` (primitives only).
    pub operations: Option<Values>,
    /// Operations, `monitor interval=10s` (primitives only).
    pub op: Option<Values>,
}

impl Options {
    /// No option.
    pub fn new() -> Self {
        Self::default()
    }

    /// Set the description.
    pub fn description(mut self, v: impl Into<String>) -> Self {
        self.description = Some(v.into());
        self
    }

    /// Set `params`.
    pub fn params(mut self, v: impl Into<Values>) -> Self {
        self.params = Some(v.into());
        self
    }

    /// Set `meta`.
    pub fn meta(mut self, v: impl Into<Values>) -> Self {
        self.meta = Some(v.into());
        self
    }

    /// Set `utilization`.
    pub fn utilization(mut self, v: impl Into<Values>) -> Self {
        self.utilization = Some(v.into());
        self
    }

    /// Set `operations`.
    pub fn operations(mut self, v: impl Into<Values>) -> Self {
        self.operations = Some(v.into());
        self
    }

    /// Set `op`.
    pub fn op(mut self, v: impl Into<Values>) -> Self {
        self.op = Some(v.into());
        self
    }

    fn description_text(&self) -> Option<&str> {
        self.description.as_deref().filter(|d| !d.is_empty())
    }
}

/// Something that knows how to configure itself in a [`Crm`] (the layer's
/// `ResourceDescriptor`): [`VirtualIP`](super::VirtualIP),
/// [`DNSEntry`](super::DNSEntry), [`InitService`](super::InitService),
/// [`SystemdService`](super::SystemdService), or a charm's own.
///
/// ```
/// use charm_interfaces::hacluster::{Crm, HaclusterError, Options, ResourceDescriptor};
/// struct Haproxy;
/// impl ResourceDescriptor for Haproxy {
///     fn configure_resource(&self, crm: &mut Crm) -> Result<(), HaclusterError> {
///         crm.primitive("res_haproxy", "lsb:haproxy", Options::new().op("monitor interval=\"5s\""));
///         crm.clone("cl_haproxy", "res_haproxy", Options::new());
///         Ok(())
///     }
/// }
/// let mut crm = Crm::new();
/// crm.add(&Haproxy).unwrap();
/// assert_eq!(crm.clones["cl_haproxy"], "res_haproxy");
/// ```
pub trait ResourceDescriptor {
    /// Add this resource's definitions to `crm`.
    fn configure_resource(&self, crm: &mut Crm) -> Result<(), HaclusterError>;
}

/// The Pacemaker configuration sent to the hacluster charm (the layer's
/// `CRM`). Each field is one section of the relation data, published as
/// `json_<field>`.
///
/// ```
/// use charm_interfaces::hacluster::{Crm, Options};
/// let mut crm = Crm::new();
/// crm.primitive("res_vip", "ocf:IPAddr2", Options::new()
///     .params("ip=10.0.0.1 nic=eth0")
///     .op("monitor interval=\"10s\""));
/// crm.clone("cl_res_vip", "res_vip", Options::new());
/// let data = crm.relation_data();
/// assert_eq!(data["json_clones"], r#"{"cl_res_vip": "res_vip"}"#);
/// assert_eq!(data["json_init_services"], "[]");
/// ```
///
/// `Crm` is deliberately not `Clone`: its method [`Crm::clone`] (a
/// Pacemaker clone, named as in the Python layer) would otherwise be
/// shadowed by `Clone::clone` on a `Crm` value.
#[derive(Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Crm {
    /// Resource name to agent.
    pub resources: BTreeMap<String, String>,
    /// Resources to delete from the cluster.
    pub delete_resources: Vec<String>,
    /// Resource name to its spec (description, params, meta, ops).
    pub resource_params: BTreeMap<String, String>,
    /// Group name to its members and options.
    pub groups: BTreeMap<String, String>,
    /// Master/slave name to its resource and options.
    pub ms: BTreeMap<String, String>,
    /// Order constraint name to its spec.
    pub orders: BTreeMap<String, String>,
    /// Colocation constraint name to its spec.
    pub colocations: BTreeMap<String, String>,
    /// Clone name to its resource and options.
    pub clones: BTreeMap<String, String>,
    /// Location constraint name to its spec.
    pub locations: BTreeMap<String, String>,
    /// Init services handed over to Pacemaker.
    pub init_services: Vec<String>,
    /// Systemd services handed over to Pacemaker.
    pub systemd_services: Vec<String>,
}

impl Crm {
    /// Ordering kind: mandatory.
    pub const MANDATORY: &'static str = "Mandatory";
    /// Ordering kind: optional.
    pub const OPTIONAL: &'static str = "Optional";
    /// Ordering kind: serialize.
    pub const SERIALIZE: &'static str = "Serialize";
    /// Score: infinity.
    pub const INFINITY: &'static str = "inf";
    /// Score: negative infinity.
    pub const NEG_INFINITY: &'static str = "-inf";
    /// Score: always together (infinity).
    pub const ALWAYS: &'static str = Self::INFINITY;
    /// Score: never together (negative infinity).
    pub const NEVER: &'static str = Self::NEG_INFINITY;

    /// An empty configuration.
    pub fn new() -> Self {
        Self::default()
    }

    /// A primitive resource `name` run by `agent` (`ocf:heartbeat:IPaddr2`,
    /// `lsb:haproxy`, ...), with its description, params, meta,
    /// utilization, operations and op, in that order.
    pub fn primitive(&mut self, name: &str, agent: &str, options: Options) {
        self.resources.insert(name.to_owned(), agent.to_owned());
        let mut specs = String::new();
        if let Some(d) = options.description_text() {
            specs.push_str(&format!("description=\"{d}\""));
        }
        for (key, value) in [
            ("params", &options.params),
            ("meta", &options.meta),
            ("utilization", &options.utilization),
            ("operations", &options.operations),
            ("op", &options.op),
        ] {
            if let Some(v) = value {
                specs.push(' ');
                specs.push_str(&parse(key, v));
            }
        }
        if !specs.is_empty() {
            self.resource_params.insert(name.to_owned(), specs);
        }
    }

    /// A clone `name` of `resource`, running on every node (description,
    /// meta and params of `options`; empty meta or params are skipped).
    pub fn clone(&mut self, name: &str, resource: &str, options: Options) {
        let mut specs = resource.to_owned();
        if let Some(d) = options.description_text() {
            specs.push_str(&format!(" description=\"{d}\""));
        }
        for (key, value) in [("meta", &options.meta), ("params", &options.params)] {
            if let Some(v) = value.as_ref().filter(|v| !v.is_falsy()) {
                specs.push(' ');
                specs.push_str(&parse(key, v));
            }
        }
        self.clones.insert(name.to_owned(), specs);
    }

    /// A colocation constraint `name`: `resources` together (positive
    /// `score`, [`Crm::ALWAYS`]) or apart (negative, [`Crm::NEVER`]),
    /// optionally only on nodes sharing `node_attribute`.
    pub fn colocation<S: AsRef<str>>(
        &mut self,
        name: &str,
        score: impl Display,
        resources: &[S],
        node_attribute: Option<&str>,
    ) {
        let mut specs = format!("{score}: {}", join(resources));
        if let Some(attr) = node_attribute {
            specs.push_str(&format!(" node-attribute={attr}"));
        }
        self.colocations.insert(name.to_owned(), specs);
    }

    /// A group `name` of `resources` (description, meta and params of
    /// `options`).
    pub fn group<S: AsRef<str>>(&mut self, name: &str, resources: &[S], options: Options) {
        let mut specs = join(resources);
        if let Some(d) = options.description_text() {
            specs.push_str(&format!(" description=\"{d}\""));
        }
        for (key, value) in [("meta", &options.meta), ("params", &options.params)] {
            if let Some(v) = value {
                specs.push(' ');
                specs.push_str(&parse(key, v));
            }
        }
        self.groups.insert(name.to_owned(), specs);
    }

    /// A master/slave resource `name` of `resource` (description, meta and
    /// params of `options`).
    pub fn ms(&mut self, name: &str, resource: &str, options: Options) {
        let mut specs = resource.to_owned();
        if let Some(d) = options.description_text() {
            specs.push_str(&format!(" description=\"{d}\""));
        }
        for (key, value) in [("meta", &options.meta), ("params", &options.params)] {
            if let Some(v) = value {
                specs.push(' ');
                specs.push_str(&parse(key, v));
            }
        }
        self.ms.insert(name.to_owned(), specs);
    }

    /// A location constraint `name` on `resource`, with `attributes`
    /// (joined by spaces) and `rule`s.
    pub fn location(
        &mut self,
        name: &str,
        resource: &str,
        attributes: Option<Values>,
        rule: Option<Values>,
    ) {
        let mut specs = resource.to_owned();
        if let Some(a) = attributes {
            specs.push(' ');
            specs.push_str(&a.0.join(" "));
        }
        if let Some(r) = rule {
            specs.push(' ');
            specs.push_str(&parse("rule", &r));
        }
        self.locations.insert(name.to_owned(), specs);
    }

    /// An order constraint `name` over `resources` (`name[:action]`), of
    /// kind `score` ([`Crm::MANDATORY`], ...; none when `None` or empty),
    /// `symmetrical` when given (`symmetrical=true|false`).
    pub fn order<S: AsRef<str>>(
        &mut self,
        name: &str,
        score: Option<&str>,
        resources: &[S],
        symmetrical: Option<bool>,
    ) {
        let mut specs = match score.filter(|s| !s.is_empty()) {
            Some(s) => format!("{s}:"),
            None => String::new(),
        };
        specs.push(' ');
        specs.push_str(&join(resources));
        if let Some(sym) = symmetrical {
            specs.push_str(&format!(" symmetrical={sym}"));
        }
        self.orders.insert(name.to_owned(), specs);
    }

    /// Delete exactly `resources` from the cluster (replacing any earlier
    /// list), and remove them from every other section.
    pub fn delete_resource<S: AsRef<str>>(&mut self, resources: &[S]) {
        self.delete_resources = resources.iter().map(|r| r.as_ref().to_owned()).collect();
        self.remove_deleted_resources();
    }

    /// Add `resource` to the resources to delete (once), and remove every
    /// resource to delete from every other section.
    pub fn add_delete_resource(&mut self, resource: &str) {
        if !self.delete_resources.iter().any(|r| r == resource) {
            self.delete_resources.push(resource.to_owned());
            self.remove_deleted_resources();
        }
    }

    /// Remove every resource marked for deletion from the other sections.
    pub fn remove_deleted_resources(&mut self) {
        for res in self.delete_resources.clone() {
            for map in [
                &mut self.resources,
                &mut self.resource_params,
                &mut self.groups,
                &mut self.ms,
                &mut self.orders,
                &mut self.colocations,
                &mut self.clones,
                &mut self.locations,
            ] {
                map.remove(&res);
            }
            self.init_services.retain(|s| *s != res);
            self.systemd_services.retain(|s| *s != res);
        }
    }

    /// The init services Pacemaker takes over (replacing any earlier list).
    pub fn init_services<S: AsRef<str>>(&mut self, services: &[S]) {
        self.init_services = services.iter().map(|s| s.as_ref().to_owned()).collect();
    }

    /// The systemd services Pacemaker takes over (replacing any earlier
    /// list).
    pub fn systemd_services<S: AsRef<str>>(&mut self, services: &[S]) {
        self.systemd_services = services.iter().map(|s| s.as_ref().to_owned()).collect();
    }

    /// Let `descriptor` configure itself here.
    pub fn add(&mut self, descriptor: &dyn ResourceDescriptor) -> Result<(), HaclusterError> {
        descriptor.configure_resource(self)
    }

    /// The relation data for this configuration: `json_<section>` to the
    /// section as Python's `json.dumps(section, sort_keys=True)`.
    pub fn relation_data(&self) -> BTreeMap<String, String> {
        let value = serde_json::to_value(self).unwrap_or(Value::Null);
        let mut out = BTreeMap::new();
        if let Value::Object(map) = value {
            for (k, v) in map {
                out.insert(
                    format!("json_{k}"),
                    charm_runtime::python_json::dumps_sorted(&v),
                );
            }
        }
        out
    }
}

fn join<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|s| s.as_ref())
        .collect::<Vec<_>>()
        .join(" ")
}
