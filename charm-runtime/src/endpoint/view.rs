//! One endpoint of the charm, its relations and their remote units.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::data::{Publish, PublishRaw, Received};
use crate::backend::{DataBag, RelationId, ToolError};
use crate::error::UndeclaredName;
use crate::reactive::{HookContext, StateError};
use serde::{Deserialize, Serialize};

/// One endpoint (a relation name in metadata) of the charm: charms.reactive's
/// `Endpoint`. Get one with [`HookContext::endpoint`], which checks the name
/// against the charm's metadata, or as a handler argument.
///
/// ```
/// use charm_runtime::harness::{Context, Event, Relation, State};
/// use charm_runtime::{Error, Handler, HookContext, Registry};
///
/// // Tell every related database which host the remote units published.
/// fn greet(ctx: &HookContext) -> Result<(), Error> {
///     let db = ctx.endpoint("db")?;
///     for unit in db.all_joined_units()? {
///         if let Some(host) = unit.received()?.get_as::<String>("host")? {
///             for relation in db.relations()? {
///                 relation.to_publish_raw().set("seen", &host)?;
///             }
///         }
///     }
///     Ok(())
/// }
///
/// let mut registry = Registry::new();
/// registry.add(Handler::new("app::greet", greet).when(["endpoint.db.joined"])).unwrap();
/// let ctx = Context::from_yaml("name: app\nrequires:\n  db: {interface: pgsql}\n", registry).unwrap();
/// let db = Relation::new("db", 3, "postgresql").with_unit_data("postgresql/0", [("host", "\"10.0.0.5\"")]);
/// let out = ctx
///     .run(Event::relation_changed(&db, "postgresql/0"), &State::new().with_relation(db.clone()))
///     .unwrap()
///     .expect_ok();
/// assert!(out.has_flag("endpoint.db.joined"));
/// assert_eq!(out.relation(&db).local_unit_data["seen"], "10.0.0.5");
/// ```
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

impl HookContext {
    /// The endpoint `name` of the charm. A name the charm's metadata does
    /// not declare is an error naming the closest declared one.
    ///
    /// ```
    /// use charm_runtime::{Handler, HookContext};
    /// use charm_runtime::harness::{Context, Event, State};
    ///
    /// let mut registry = charm_runtime::Registry::new();
    /// registry.add(Handler::new("cache::install", |ctx: &HookContext| {
    ///     ctx.endpoint("caches").map(|_| ())
    /// }).hook(["install"])).unwrap();
    /// let ctx = Context::from_yaml("name: cache\nprovides: {cache: {interface: memcache}}\n", registry).unwrap();
    /// let out = ctx.run(Event::install(), &State::new()).unwrap();
    /// let err = out.error.unwrap().to_string();
    /// assert!(err.contains("declares no relation \"caches\" (did you mean \"cache\"?)"), "{err}");
    /// ```
    pub fn endpoint(&self, name: &str) -> Result<Endpoint<'_>, UndeclaredName> {
        let juju = self.juju();
        let metadata = juju.metadata();
        if metadata.endpoint(name).is_none() {
            return Err(UndeclaredName::new(
                "relation",
                name,
                &metadata.relation_names(),
            ));
        }
        Ok(Endpoint::new(self, name))
    }
}

impl<'a> Endpoint<'a> {
    /// The endpoint `name` in the hook `ctx`, unchecked: charms get theirs
    /// from [`HookContext::endpoint`] (checked against the metadata), a
    /// handler argument or a typed endpoint.
    pub(crate) fn new(ctx: &'a HookContext, name: &str) -> Self {
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
        charm_names::flag::complete_endpoint_flag(flag, &self.name)
    }

    /// Set the flag `expand_name(flag)`.
    pub fn set_flag(&self, flag: &str) {
        self.ctx.flags().set(self.expand_name(flag));
    }

    /// Clear the flag `expand_name(flag)`.
    pub fn clear_flag(&self, flag: &str) {
        self.ctx.flags().clear(self.expand_name(flag));
    }

    /// Set or clear the flag `expand_name(flag)`.
    pub fn toggle_flag(&self, flag: &str, set: bool) {
        self.ctx.flags().toggle(self.expand_name(flag), set);
    }

    /// Whether the flag `expand_name(flag)` is set.
    pub fn is_flag_set(&self, flag: &str) -> bool {
        self.ctx.flags().is_set(self.expand_name(flag))
    }

    /// The relations established on this endpoint, by id.
    pub fn relations(&self) -> Result<Vec<Relation<'a>>, ToolError> {
        let j = self.ctx.juju();
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

    pub(super) fn push_departed(&self, unit: DepartedUnit) -> Result<(), StateError> {
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
        let j = self.ctx.juju();
        Ok(j.remote_app(&self.id)?
            .unwrap_or_else(|| j.env().app().to_owned()))
    }

    /// The remote units, by unit number. In a `-relation-departed` hook of
    /// this relation the departing unit is not included.
    pub fn joined_units(&self) -> Result<Vec<RelatedUnit<'a>>, ToolError> {
        let j = self.ctx.juju();
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
        let j = self.ctx.juju();
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
    pub(super) ctx: &'a HookContext,
    pub(super) relation: RelationId,
    pub(super) name: String,
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
        let j = self.ctx.juju();
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

impl<'a> crate::Extract<'a> for Endpoint<'a> {
    /// The endpoint the handler was instantiated for, else the one its
    /// first `endpoint.<name>.*` flag names.
    fn extract(inv: &crate::Invocation<'a>) -> Result<Self, crate::ExtractError> {
        let name = inv
            .handler
            .endpoint
            .clone()
            .or_else(|| {
                inv.handler
                    .flags
                    .iter()
                    .find_map(|f| charm_names::endpoint_of_flag(f).map(str::to_owned))
            })
            .ok_or_else(|| {
                crate::ExtractError::new::<Self>(
                    "the handler names no endpoint: use an `endpoint.<name>.*` flag",
                )
            })?;
        Ok(Endpoint::new(inv.ctx, &name))
    }
}
