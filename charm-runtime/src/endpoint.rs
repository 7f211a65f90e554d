//! charms.reactive's `Endpoint`: the relations of one endpoint, their
//! units and data, and the automatic `endpoint.<name>.*` flags.
//!
//! Data received is JSON-decoded, falling back to the raw string when a
//! value is not JSON (as charms.reactive's `JSONUnitDataView`); data
//! published is encoded with Python's `json.dumps(value, sort_keys=True)`,
//! so a Python unit on the other side reads exactly what it would from a
//! Python charm. Writes are sent when the hook succeeds.

use std::collections::BTreeMap;
use std::rc::Rc;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::backend::{DataBag, RelationId, ToolError};
use crate::context::HookContext;
use crate::error::{Error, StateError};
use crate::juju::Juju;
use crate::metadata::{Metadata, Role};
use crate::python_json;

/// One endpoint (a relation name in metadata) of the charm.
#[derive(Clone)]
pub struct Endpoint<'a> {
    ctx: &'a HookContext,
    name: Rc<str>,
}

impl std::fmt::Debug for Endpoint<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Endpoint").field(&self.name).finish()
    }
}

fn juju<'a>(ctx: &'a HookContext, what: &str) -> Result<&'a Juju, ToolError> {
    ctx.require_juju(what)
}

impl<'a> Endpoint<'a> {
    /// The endpoint `name` in the hook `ctx`.
    pub fn new(ctx: &'a HookContext, name: &str) -> Self {
        Self {
            ctx,
            name: Rc::from(name),
        }
    }

    /// The endpoint's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The hook context.
    pub fn ctx(&self) -> &'a HookContext {
        self.ctx
    }

    /// Complete a flag for this endpoint: `{endpoint_name}` is replaced by
    /// the name, and a flag without it is prefixed `endpoint.<name>.`
    /// (`expand_name("joined")` is `endpoint.db.joined`).
    pub fn expand_name(&self, flag: &str) -> String {
        if flag.contains("{endpoint_name}") {
            flag.replace("{endpoint_name}", &self.name)
        } else {
            format!("endpoint.{}.{flag}", self.name)
        }
    }

    /// Set the flag `expand_name(flag)`.
    pub fn set_flag(&self, flag: &str) {
        self.ctx.flags().set(&self.expand_name(flag));
    }

    /// Clear the flag `expand_name(flag)`.
    pub fn clear_flag(&self, flag: &str) {
        self.ctx.flags().clear(&self.expand_name(flag));
    }

    /// Set or clear the flag `expand_name(flag)`.
    pub fn toggle_flag(&self, flag: &str, set: bool) {
        self.ctx.flags().toggle(&self.expand_name(flag), set);
    }

    /// Whether the flag `expand_name(flag)` is set.
    pub fn is_flag_set(&self, flag: &str) -> bool {
        self.ctx.flags().is_set(&self.expand_name(flag))
    }

    /// The relations established on this endpoint, by id.
    pub fn relations(&self) -> Result<Vec<Relation<'a>>, ToolError> {
        let j = juju(self.ctx, "relation-ids")?;
        Ok(j.relation_ids(&self.name)?
            .iter()
            .map(|id| Relation {
                ctx: self.ctx,
                id: id.clone(),
            })
            .collect())
    }

    /// The relation `id` of this endpoint, if established.
    pub fn relation(&self, id: &RelationId) -> Result<Option<Relation<'a>>, ToolError> {
        Ok(self.relations()?.into_iter().find(|r| &r.id == id))
    }

    /// Every remote unit of every relation, by relation id then unit.
    /// A unit that is departing in this hook is not included.
    pub fn all_joined_units(&self) -> Result<Vec<RelatedUnit<'a>>, ToolError> {
        let mut out = Vec::new();
        for r in self.relations()? {
            out.extend(r.joined_units()?);
        }
        Ok(out)
    }

    /// Whether any remote unit is joined.
    pub fn is_joined(&self) -> Result<bool, ToolError> {
        Ok(!self.all_joined_units()?.is_empty())
    }

    fn departed_key(&self) -> String {
        format!("reactive.endpoints.departed.{}", self.name)
    }

    /// Units that departed, kept across hooks until cleared (the key and
    /// shape charms.reactive persists them in).
    pub fn all_departed_units(&self) -> Result<Vec<DepartedUnit>, StateError> {
        Ok(self
            .ctx
            .kv()
            .get::<Vec<DepartedUnit>>(&self.departed_key())?
            .unwrap_or_default())
    }

    /// Forget departed units (charms.reactive: `all_departed_units.clear()`).
    pub fn clear_departed_units(&self) -> Result<(), StateError> {
        self.ctx.kv().unset(&self.departed_key())
    }

    fn push_departed(&self, unit: DepartedUnit) -> Result<(), StateError> {
        let mut all = self.all_departed_units()?;
        all.retain(|u| u.unit_name != unit.unit_name);
        all.push(unit);
        self.ctx.kv().set(&self.departed_key(), &all)
    }
}

/// A unit that left the relation, with the data it had.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartedUnit {
    /// The relation it was in (`db:3`).
    pub relation: String,
    /// The unit.
    pub unit_name: String,
    /// Its last data, raw.
    #[serde(default)]
    pub data: BTreeMap<String, String>,
}

/// One relation of an endpoint.
#[derive(Clone)]
pub struct Relation<'a> {
    ctx: &'a HookContext,
    id: RelationId,
}

impl std::fmt::Debug for Relation<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Relation")
            .field(&self.id.to_string())
            .finish()
    }
}

impl<'a> Relation<'a> {
    /// The relation id.
    pub fn id(&self) -> &RelationId {
        &self.id
    }

    /// The endpoint name.
    pub fn endpoint_name(&self) -> &str {
        &self.id.endpoint
    }

    /// The remote application; this unit's own application on a peer
    /// relation with no other unit yet.
    pub fn application_name(&self) -> Result<String, ToolError> {
        let j = juju(self.ctx, "relation-list")?;
        Ok(j.remote_app(&self.id)?
            .unwrap_or_else(|| j.env().app().to_owned()))
    }

    /// The remote units, by unit number. In a `-relation-departed` hook of
    /// this relation the departing unit is not included.
    pub fn joined_units(&self) -> Result<Vec<RelatedUnit<'a>>, ToolError> {
        let j = juju(self.ctx, "relation-list")?;
        let env = j.env();
        let departing = (env.relation_id.as_ref() == Some(&self.id)
            && env.name().ends_with("-relation-departed"))
        .then_some(env.remote_unit.as_deref())
        .flatten();
        Ok(j.relation_units(&self.id)?
            .iter()
            .filter(|u| Some(u.as_str()) != departing)
            .map(|u| RelatedUnit {
                ctx: self.ctx,
                relation: self.id.clone(),
                name: u.clone(),
            })
            .collect())
    }

    /// What the remote application published, JSON-decoded.
    pub fn received_app(&self) -> Result<Received, ToolError> {
        let app = self.application_name()?;
        let j = juju(self.ctx, "relation-get")?;
        Ok(Received(j.relation_data(&self.id, &DataBag::App(app))?))
    }

    /// What this unit publishes: values JSON-encoded with sorted keys.
    pub fn to_publish(&self) -> Publish<'a> {
        Publish {
            ctx: self.ctx,
            relation: self.id.clone(),
            app: false,
        }
    }

    /// What this application publishes (leader only), JSON-encoded.
    pub fn to_publish_app(&self) -> Publish<'a> {
        Publish {
            ctx: self.ctx,
            relation: self.id.clone(),
            app: true,
        }
    }

    /// What this unit publishes, as raw strings (for interfaces that do
    /// not JSON-encode).
    pub fn to_publish_raw(&self) -> PublishRaw<'a> {
        PublishRaw(self.to_publish())
    }

    /// What this application publishes, as raw strings (leader only).
    pub fn to_publish_app_raw(&self) -> PublishRaw<'a> {
        PublishRaw(self.to_publish_app())
    }
}

/// A remote unit in a relation.
#[derive(Clone)]
pub struct RelatedUnit<'a> {
    ctx: &'a HookContext,
    relation: RelationId,
    name: String,
}

impl std::fmt::Debug for RelatedUnit<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RelatedUnit")
            .field("relation", &self.relation.to_string())
            .field("name", &self.name)
            .finish()
    }
}

impl<'a> RelatedUnit<'a> {
    /// The unit name (`mysql/0`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Its application.
    pub fn application_name(&self) -> &str {
        self.name.split('/').next().unwrap_or(&self.name)
    }

    /// Its relation.
    pub fn relation_id(&self) -> &RelationId {
        &self.relation
    }

    /// What it published, JSON-decoded.
    pub fn received(&self) -> Result<Received, ToolError> {
        let j = juju(self.ctx, "relation-get")?;
        Ok(Received(j.relation_data(
            &self.relation,
            &DataBag::Unit(self.name.clone()),
        )?))
    }

    /// What it published, raw.
    pub fn received_raw(&self) -> Result<Rc<BTreeMap<String, String>>, ToolError> {
        Ok(self.received()?.0)
    }
}

/// Data received on a relation. `get` decodes JSON and falls back to the
/// raw string for a value that is not JSON (an empty value stays `""`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received(Rc<BTreeMap<String, String>>);

impl Received {
    /// Data from raw key/values.
    pub fn from_raw(raw: BTreeMap<String, String>) -> Self {
        Self(Rc::new(raw))
    }

    /// The decoded value of `key`.
    pub fn get(&self, key: &str) -> Option<Value> {
        self.0.get(key).map(|raw| decode(raw))
    }

    /// The value of `key` decoded as `T`; an error names the key, the
    /// value and the expected type.
    pub fn get_as<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, Error> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => serde_json::from_value(v.clone()).map(Some).map_err(|e| {
                Error::msg(format!(
                    "relation data {key:?} = {}: {e}",
                    python_json::dumps_sorted(&v)
                ))
            }),
        }
    }

    /// The raw value of `key`.
    pub fn raw(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }

    /// Every key with its decoded value.
    pub fn iter(&self) -> impl Iterator<Item = (&str, Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), decode(v)))
    }

    /// The raw data.
    pub fn raw_data(&self) -> &BTreeMap<String, String> {
        &self.0
    }

    /// Whether nothing was received.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

fn decode(raw: &str) -> Value {
    if raw.is_empty() {
        return Value::String(String::new());
    }
    serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_owned()))
}

/// This unit's (or application's) databag on a relation, JSON view.
#[derive(Clone)]
pub struct Publish<'a> {
    ctx: &'a HookContext,
    relation: RelationId,
    app: bool,
}

impl std::fmt::Debug for Publish<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Publish")
            .field("relation", &self.relation.to_string())
            .field("app", &self.app)
            .finish()
    }
}

impl<'a> Publish<'a> {
    fn juju(&self) -> Result<&'a Juju, ToolError> {
        let j = juju(self.ctx, "relation-set")?;
        if self.app && !j.is_leader()? {
            return Err(ToolError::Refused {
                tool: "relation-set".into(),
                reason: format!(
                    "only the leader can publish application data on {}",
                    self.relation
                ),
            });
        }
        Ok(j)
    }

    fn bag(&self, j: &Juju) -> DataBag {
        if self.app {
            DataBag::App(j.env().app().to_owned())
        } else {
            DataBag::Unit(j.env().unit.clone())
        }
    }

    /// Publish `value` under `key`, encoded as Python's
    /// `json.dumps(value, sort_keys=True)`.
    pub fn set<T: Serialize + ?Sized>(&self, key: &str, value: &T) -> Result<(), Error> {
        let value = serde_json::to_value(value)
            .map_err(|e| Error::msg(format!("relation data {key:?} cannot be encoded: {e}")))?;
        self.set_raw(key, &python_json::dumps_sorted(&value))?;
        Ok(())
    }

    /// Publish the raw string `value` under `key` (empty deletes).
    pub fn set_raw(&self, key: &str, value: &str) -> Result<(), ToolError> {
        let j = self.juju()?;
        let value = (!value.is_empty()).then(|| value.to_owned());
        j.relation_set(&self.relation, self.app, key, value);
        Ok(())
    }

    /// Stop publishing `key`.
    pub fn remove(&self, key: &str) -> Result<(), ToolError> {
        let j = self.juju()?;
        j.relation_set(&self.relation, self.app, key, None);
        Ok(())
    }

    /// The decoded value that will be published under `key`.
    pub fn get(&self, key: &str) -> Result<Option<Value>, ToolError> {
        Ok(self.get_raw(key)?.map(|raw| decode(&raw)))
    }

    /// The raw value that will be published under `key`.
    pub fn get_raw(&self, key: &str) -> Result<Option<String>, ToolError> {
        let j = juju(self.ctx, "relation-get")?;
        Ok(j.relation_data_pending(&self.relation, &self.bag(j))?
            .get(key)
            .cloned())
    }
}

/// This unit's (or application's) databag on a relation, raw strings.
#[derive(Debug, Clone)]
pub struct PublishRaw<'a>(Publish<'a>);

impl PublishRaw<'_> {
    /// Publish `value` under `key` as is (empty deletes).
    pub fn set(&self, key: &str, value: &str) -> Result<(), ToolError> {
        self.0.set_raw(key, value)
    }

    /// Stop publishing `key`.
    pub fn remove(&self, key: &str) -> Result<(), ToolError> {
        self.0.remove(key)
    }

    /// The value that will be published under `key`.
    pub fn get(&self, key: &str) -> Result<Option<String>, ToolError> {
        self.0.get_raw(key)
    }
}

/// The automatic flags of charms.reactive's `Endpoint._startup` for one
/// endpoint (an atstart step):
///
/// - in a `<name>-relation-departed` hook the departing unit is recorded
///   in the persistent departed list;
/// - `endpoint.<name>.joined` follows whether any remote unit is joined;
/// - `endpoint.<name>.departed` is set in a departed hook of the endpoint,
///   and cleared while units are joined;
/// - in hooks of this endpoint (or the first time `joined` is set), each
///   remote unit's data is compared with what was seen before (a
///   `data_changed` under `endpoint.<name>.<relation>.<unit>.<key>`, the
///   same key and hash as charms.reactive) and a change sets
///   `endpoint.<name>.changed` and `endpoint.<name>.changed.<key>`. Those
///   are never cleared automatically.
pub(crate) fn manage_flags(ctx: &HookContext, name: &str) -> Result<(), Error> {
    let j = ctx.require_juju("endpoint flags")?;
    let ep = Endpoint::new(ctx, name);
    let hook = j.env().name().to_owned();
    let rel_hook = hook.starts_with(&format!("{name}-relation-"));
    let departed_hook = rel_hook && hook.ends_with("-departed");
    if departed_hook && let (Some(rel), Some(unit)) = (&j.env().relation_id, &j.env().remote_unit) {
        let data = j
            .relation_data(rel, &DataBag::Unit(unit.clone()))
            .map(|d| (*d).clone())
            .unwrap_or_default();
        ep.push_departed(DepartedUnit {
            relation: rel.to_string(),
            unit_name: unit.clone(),
            data,
        })?;
    }
    let already_joined = ep.is_flag_set("joined");
    let units = ep.all_joined_units()?;
    let joined = !units.is_empty();
    ep.toggle_flag("joined", joined);
    if departed_hook {
        ep.set_flag("departed");
    } else if joined {
        ep.clear_flag("departed");
    }
    if already_joined && !rel_hook {
        return Ok(());
    }
    for unit in &units {
        for (key, value) in unit.received()?.iter() {
            let data_key = format!("endpoint.{name}.{}.{}.{key}", unit.relation, unit.name);
            if ctx.data_changed(&data_key, &value)? {
                ep.set_flag("changed");
                ep.set_flag(&format!("changed.{key}"));
            }
        }
    }
    Ok(())
}

impl<'a> crate::Extract<'a> for Endpoint<'a> {
    /// The endpoint the handler was instantiated for, else the one its
    /// first `endpoint.<name>.*` flag names.
    fn extract(inv: &crate::Invocation<'a>) -> Result<Self, crate::ExtractError> {
        let name = inv
            .handler
            .endpoint
            .clone()
            .or_else(|| {
                inv.handler.flags.iter().find_map(|f| {
                    f.strip_prefix("endpoint.")?
                        .split('.')
                        .next()
                        .map(str::to_owned)
                })
            })
            .ok_or_else(|| {
                crate::ExtractError::new::<Self>(
                    "the handler names no endpoint: use an `endpoint.<name>.*` flag",
                )
            })?;
        Ok(Endpoint::new(inv.ctx, &name))
    }
}

// ---------------------------------------------------------------------------
// Typed endpoints
// ---------------------------------------------------------------------------

/// An endpoint type of one interface: the Rust form of a charms.reactive
/// interface layer's `Endpoint` subclass.
///
/// Implement it with `#[charm_macros::interface("name")]` on a struct whose
/// only field is an [`Endpoint`]; the macro also makes the type a handler
/// argument ([`crate::Extract`]) and derefs it to its [`Endpoint`].
/// `#[interface]` on an `impl` block of the type turns the methods that
/// carry handler attributes into *interface handlers*, instantiated by
/// [`crate::Registry::for_charm`] once per endpoint of the charm's
/// metadata with this interface (and role, when [`Interface::ROLE`] is
/// set), with `{endpoint_name}` in their flags and hook patterns replaced by
/// the endpoint's name, as charms.reactive instantiates the handlers of an
/// interface layer.
///
/// ```
/// use charm_runtime::endpoint::{Endpoint, Interface};
///
/// /// The `hacluster` interface, written by hand.
/// struct Hacluster<'a>(Endpoint<'a>);
///
/// impl<'a> Interface<'a> for Hacluster<'a> {
///     const NAME: &'static str = "hacluster";
///     fn from_endpoint(endpoint: Endpoint<'a>) -> Self {
///         Hacluster(endpoint)
///     }
///     fn endpoint(&self) -> &Endpoint<'a> {
///         &self.0
///     }
/// }
/// assert_eq!(Hacluster::NAME, "hacluster");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an interface type",
    label = "not an `#[interface]` type",
    note = "put `#[interface(\"<interface name>\")]` on a struct whose only field is an `Endpoint<'a>`, then `#[interface]` on its impl block"
)]
pub trait Interface<'a>: Sized {
    /// The interface name, as in `metadata.yaml` (`interface: hacluster`).
    const NAME: &'static str;
    /// The side of the interface the type implements, when it implements
    /// only one (as an interface layer's `provides.py` or `requires.py`):
    /// its handlers are then instantiated only for endpoints declared in
    /// that section of the metadata. `None` (the default) accepts any role.
    const ROLE: Option<Role> = None;
    /// The typed endpoint over `endpoint`.
    fn from_endpoint(endpoint: Endpoint<'a>) -> Self;
    /// The underlying endpoint.
    fn endpoint(&self) -> &Endpoint<'a>;
}

/// A handler argument that is a typed endpoint: its type, interface and
/// role, known without running (from [`crate::Extract::INTERFACE`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypedArg {
    /// The argument's type, as written (`Hacluster`).
    pub type_name: &'static str,
    /// Its interface.
    pub interface: &'static str,
    /// Its role, if it serves one side only.
    pub role: Option<Role>,
}

/// The endpoint of the charm's metadata that `flag` names, as
/// charms.reactive's `endpoint_from_flag`: `endpoint.<name>.*` names
/// `<name>`; otherwise `<name>.<anything>` names `<name>` if the metadata
/// declares a relation `<name>`.
///
/// ```
/// use charm_runtime::endpoint::endpoint_named_by_flag;
/// use charm_runtime::metadata::Metadata;
/// let meta = Metadata::parse("name: x\nrequires: {db: mysql}", "metadata.yaml").unwrap();
/// assert_eq!(endpoint_named_by_flag("endpoint.db.joined", &meta), Some("db"));
/// assert_eq!(endpoint_named_by_flag("db.available", &meta), Some("db"));
/// assert_eq!(endpoint_named_by_flag("app.installed", &meta), None);
/// assert_eq!(endpoint_named_by_flag("db", &meta), None);
/// ```
pub fn endpoint_named_by_flag<'m>(flag: &str, metadata: &'m Metadata) -> Option<&'m str> {
    let name = match flag.strip_prefix("endpoint.") {
        Some(rest) => rest.split('.').next()?,
        None => flag.split_once('.')?.0,
    };
    metadata.endpoint(name).map(|e| e.name.as_str())
}

/// How a typed endpoint argument of a handler resolves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resolution {
    /// To this endpoint.
    Found(String),
    /// The first endpoint the handler names has another interface or role.
    Mismatch {
        /// The flag that named it; `None` when it is the endpoint the
        /// handler was instantiated for.
        flag: Option<String>,
        /// The endpoint.
        endpoint: String,
        /// Its role in metadata.
        role: Role,
        /// Its interface in metadata.
        interface: String,
    },
    /// The handler names no endpoint of the metadata.
    NoEndpoint,
}

/// Resolve a typed endpoint argument of `info` with `interface` (and
/// `role`): the endpoint the handler was instantiated for, else the first
/// of its flags that names an endpoint of `metadata`
/// ([`endpoint_named_by_flag`]), whose interface (and role) match.
pub(crate) fn resolve(
    info: &crate::HandlerInfo,
    metadata: &Metadata,
    interface: &str,
    role: Option<Role>,
) -> Resolution {
    let candidates = info.endpoint.iter().map(|e| (None, e.as_str())).chain(
        info.flags
            .iter()
            .filter_map(|f| Some((Some(f), endpoint_named_by_flag(f, metadata)?))),
    );
    let mut first = None;
    for (flag, name) in candidates {
        let Some(meta) = metadata.endpoint(name) else {
            continue;
        };
        if meta.interface == interface && role.is_none_or(|r| r == meta.role) {
            return Resolution::Found(name.to_owned());
        }
        first.get_or_insert_with(|| Resolution::Mismatch {
            flag: flag.cloned(),
            endpoint: name.to_owned(),
            role: meta.role,
            interface: meta.interface.clone(),
        });
    }
    first.unwrap_or(Resolution::NoEndpoint)
}

/// `interface`, or `role interface` when the role matters.
fn side(interface: &str, role: Option<Role>) -> String {
    match role {
        Some(r) => format!("the {r} side of interface {interface:?}"),
        None => format!("interface {interface:?}"),
    }
}

/// Why a typed endpoint argument does not resolve, naming the handler, the
/// flag (or the endpoint it was instantiated for), the relation and both
/// interfaces.
pub(crate) fn unresolved_message(
    handler: &str,
    arg: &TypedArg,
    resolution: &Resolution,
    metadata: &Metadata,
) -> String {
    let wanted = side(arg.interface, arg.role);
    match resolution {
        Resolution::Found(_) => String::new(),
        Resolution::Mismatch {
            flag,
            endpoint,
            role,
            interface,
        } => {
            let via = match flag {
                Some(flag) => format!("flag {flag:?} names relation {endpoint:?}"),
                None => format!("it is instantiated for relation {endpoint:?}"),
            };
            let found = if arg.role.is_some() {
                format!("a {role} endpoint of interface {interface:?} in the charm's metadata")
            } else {
                format!("of interface {interface:?} in the charm's metadata")
            };
            format!(
                "handler {handler} takes {}, an endpoint of {wanted}, but {via}, which is {found}",
                arg.type_name
            )
        }
        Resolution::NoEndpoint => {
            let matching: Vec<&str> = metadata
                .endpoints
                .values()
                .filter(|e| e.interface == arg.interface && arg.role.is_none_or(|r| r == e.role))
                .map(|e| e.name.as_str())
                .collect();
            let hint = match matching.first() {
                Some(name) => format!(
                    "; relations of that interface: {} (name one in a flag, e.g. `endpoint.{name}.joined`)",
                    matching.join(", ")
                ),
                None => "; the charm's metadata declares no relation of that interface".to_owned(),
            };
            format!(
                "handler {handler} takes {}, an endpoint of {wanted}, but none of its flags names a relation of the charm's metadata{hint}",
                arg.type_name
            )
        }
    }
}

/// `std::any::type_name` without the module path (`Hacluster<'_>`).
fn short_type_name<T: ?Sized>() -> &'static str {
    let full = std::any::type_name::<T>();
    let end = full.find('<').unwrap_or(full.len());
    match full[..end].rfind("::") {
        Some(i) => &full[i + 2..end],
        None => &full[..end],
    }
}

/// Extract the typed endpoint `T` for `inv`: the endpoint the handler was
/// instantiated for, else the first of its flags naming an endpoint of the
/// charm's metadata of `T`'s interface (see [`endpoint_named_by_flag`]).
/// What `#[interface("...")]` types use as [`crate::Extract::extract`].
pub fn extract_interface<'a, T: Interface<'a>>(
    inv: &crate::Invocation<'a>,
) -> Result<T, crate::ExtractError> {
    let Some(juju) = inv.ctx.juju() else {
        // Without metadata, only an instantiated handler names its endpoint.
        return match &inv.handler.endpoint {
            Some(name) => Ok(T::from_endpoint(Endpoint::new(inv.ctx, name))),
            None => Err(crate::ExtractError::new::<T>(format!(
                "handler {}: a typed endpoint is resolved through the charm's metadata, and this hook runs without a Juju context",
                inv.handler.id
            ))),
        };
    };
    let metadata = juju.metadata();
    match resolve(inv.handler, metadata, T::NAME, T::ROLE) {
        Resolution::Found(name) => Ok(T::from_endpoint(Endpoint::new(inv.ctx, &name))),
        other => {
            let arg = TypedArg {
                type_name: short_type_name::<T>(),
                interface: T::NAME,
                role: T::ROLE,
            };
            Err(crate::ExtractError::new::<T>(unresolved_message(
                &inv.handler.id,
                &arg,
                &other,
                metadata,
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn received_decodes_json_and_falls_back_to_the_raw_string() {
        let raw: BTreeMap<String, String> = [
            ("json", r#"{"a": [1, 2]}"#),
            ("number", "3306"),
            ("quoted", "\"10.0.0.5\""),
            ("bare", "10.0.0.5"),
            ("broken", "{not json"),
            ("empty", ""),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        let r = Received::from_raw(raw);
        assert_eq!(r.get("json"), Some(json!({"a": [1, 2]})));
        assert_eq!(r.get("number"), Some(json!(3306)));
        assert_eq!(r.get("quoted"), Some(json!("10.0.0.5")));
        // Not JSON: the raw string, as charms.reactive's JSONUnitDataView.
        assert_eq!(r.get("bare"), Some(json!("10.0.0.5")));
        assert_eq!(r.get("broken"), Some(json!("{not json")));
        assert_eq!(r.get("empty"), Some(json!("")));
        assert_eq!(r.get("missing"), None);
        assert_eq!(r.raw("quoted"), Some("\"10.0.0.5\""));
        assert_eq!(r.get_as::<u16>("number").unwrap(), Some(3306));
        let err = r.get_as::<u16>("bare").unwrap_err().to_string();
        assert!(err.contains("\"bare\""), "{err}");
    }
}
