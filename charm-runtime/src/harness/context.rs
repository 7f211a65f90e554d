//! The charm under test, and running one event on a state.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde_json::Value;

use super::consistency::{self, ActionRules, Inconsistent};
use super::event::{Event, RelationHook};
use super::output::{Output, StatusChange};
use super::state::{DEFAULT_PRIVATE_ADDRESS, State};
use crate::backend::{Backend, DataBag, MemoryBackend, MemoryRelation, MemoryWorld, RelationId};
use crate::charm::{Charm, CharmError};
use crate::env::HookEnv;
use crate::facts::{HookVars, Network, fill_unit_databag_defaults, unit_databag_defaults};
use crate::metadata::{
    ACTIONS_FILE, ActionsSchema, CHARMCRAFT_FILE, ConfigSchema, Metadata, MetadataError,
};
use crate::reactive::state::{FLAG_PREFIX, MemoryStore, Snapshot};
use crate::reactive::{
    HandlerError, HookContext, HookError, HookLayer, Registry, RegistryError, run_hook,
};
use crate::reactive::{Level, LogSink};

/// The charm cannot be set up for testing.
#[derive(Debug, thiserror::Error)]
pub enum ContextError {
    /// A charm file is missing or invalid.
    #[error(transparent)]
    Metadata(#[from] MetadataError),
    /// The handlers cannot be registered.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// The charm would refuse to start under Juju: no handler, or handlers
    /// naming relations or actions it does not declare.
    #[error("the charm would not start: {0}")]
    Charm(#[from] CharmError),
}

/// What [`Context`] takes as the charm's handlers: a [`Registry`], the
/// result of building one (`Registry::from_inventory("my_charm")`), or a
/// function building it from the charm's metadata, as
/// [`main_with`](crate::main_with) takes
/// (`|meta: &Metadata| Registry::for_charm("my_charm", meta)`, which
/// instantiates interface handlers for the charm's endpoints).
pub trait IntoRegistry {
    /// The registry for the charm described by `metadata`, or why it could
    /// not be built.
    fn into_registry(self, metadata: &Metadata) -> Result<Registry, RegistryError>;
}

impl IntoRegistry for Registry {
    fn into_registry(self, _: &Metadata) -> Result<Registry, RegistryError> {
        Ok(self)
    }
}

impl IntoRegistry for Result<Registry, RegistryError> {
    fn into_registry(self, _: &Metadata) -> Result<Registry, RegistryError> {
        self
    }
}

impl<F> IntoRegistry for F
where
    F: FnOnce(&Metadata) -> Result<Registry, RegistryError>,
{
    fn into_registry(self, metadata: &Metadata) -> Result<Registry, RegistryError> {
        self(metadata)
    }
}

/// The charm under test: its metadata, config and actions, and its
/// handlers. [`run`](Self::run) runs one event on a [`State`] and returns
/// the new state.
///
/// A hook runs exactly as under Juju: [`Charm::run`] with a [`Juju`](crate::juju::Juju) over a
/// [`MemoryBackend`] holding the state's world and a [`MemoryStore`]
/// holding its flags and data, so the automatic endpoint, config and
/// leadership flags, the read cache and the write outbox all take part.
///
/// ```
/// use charm_runtime::harness::{Context, Event, State};
/// use charm_runtime::{Handler, HookContext, Registry};
///
/// let mut registry = Registry::new();
/// registry
///     .add(Handler::new("charm::install", |ctx: &HookContext| ctx.flags().set("installed"))
///         .hook(["install"]))
///     .unwrap();
/// let ctx = Context::from_yaml("name: web\n", registry)
///     .unwrap()
///     .with_config_yaml("options: {port: {type: int, default: 80}}")
///     .unwrap();
/// let out = ctx.run(Event::install(), &State::new()).unwrap();
/// assert!(out.has_flag("installed"));
/// ```
pub struct Context {
    charm: Charm,
    action_rules: BTreeMap<String, ActionRules>,
    charm_dir: Option<PathBuf>,
    model: String,
    juju_version: String,
}

impl std::fmt::Debug for Context {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Context")
            .field("charm", &self.charm)
            .finish_non_exhaustive()
    }
}

fn parse_raw(text: &str) -> Value {
    serde_saphyr::from_str::<Value>(text).unwrap_or(Value::Null)
}

impl Context {
    fn new(
        metadata: Metadata,
        config: ConfigSchema,
        actions: Option<ActionsSchema>,
        registry: impl IntoRegistry,
    ) -> Result<Self, ContextError> {
        let registry = registry.into_registry(&metadata)?;
        Ok(Self::from_charm(Charm::new(
            metadata, config, actions, registry,
        )?))
    }

    /// The charm `charm`, as `main` would run it.
    pub fn from_charm(charm: Charm) -> Self {
        let charm_dir = charm.dir().map(Path::to_owned);
        let action_rules = charm_dir
            .as_deref()
            .map(|dir| consistency::action_rules(&raw_actions(dir)))
            .unwrap_or_default();
        Self {
            charm,
            action_rules,
            charm_dir,
            model: "test-model".to_owned(),
            juju_version: "3.6.0".to_owned(),
        }
    }

    /// The charm in `charm_dir` with every macro-registered handler
    /// linked into the test binary, exactly as its `main` runs it
    /// ([`Charm::load`]): `metadata.yaml`, `config.yaml` and `actions.yaml`,
    /// each falling back to `charmcraft.yaml` (see [`crate::metadata`]).
    /// Hooks run with `charm_dir` as the charm directory.
    ///
    /// ```standalone_crate
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use charm_runtime::harness::Context;
    /// // No handler is linked into this doc test: the error says why.
    /// let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/classic");
    /// let err = Context::from_charm_dir(dir).unwrap_err();
    /// assert!(err.to_string().contains("no handler is registered"));
    /// # Ok(()) }
    /// ```
    pub fn from_charm_dir(charm_dir: impl AsRef<Path>) -> Result<Self, ContextError> {
        Ok(Self::from_charm(Charm::load(charm_dir)?))
    }

    /// The charm described by `metadata`, the text of a `metadata.yaml`;
    /// no config options and no actions until
    /// [`with_config_yaml`](Self::with_config_yaml) and
    /// [`with_actions_yaml`](Self::with_actions_yaml).
    pub fn from_yaml(metadata: &str, registry: impl IntoRegistry) -> Result<Self, ContextError> {
        Self::new(
            Metadata::parse(metadata, "metadata.yaml")?,
            ConfigSchema::default(),
            None,
            registry,
        )
    }

    /// The charm described by one `charmcraft.yaml`: metadata at the top
    /// level, `config:` and `actions:`.
    pub fn from_charmcraft_yaml(
        charmcraft: &str,
        registry: impl IntoRegistry,
    ) -> Result<Self, ContextError> {
        let mut ctx = Self::new(
            Metadata::parse(charmcraft, CHARMCRAFT_FILE)?,
            ConfigSchema::parse_charmcraft(charmcraft, CHARMCRAFT_FILE)?,
            Some(ActionsSchema::parse_charmcraft(
                charmcraft,
                CHARMCRAFT_FILE,
            )?),
            registry,
        )?;
        let raw = parse_raw(charmcraft)
            .get("actions")
            .cloned()
            .unwrap_or(Value::Null);
        ctx.action_rules = consistency::action_rules(&raw);
        Ok(ctx)
    }

    /// Use `config`, the text of a `config.yaml`, as the charm's options.
    pub fn with_config_yaml(mut self, config: &str) -> Result<Self, ContextError> {
        self.charm
            .set_config(ConfigSchema::parse(config, "config.yaml")?);
        Ok(self)
    }

    /// Use `actions`, the text of an `actions.yaml`, as the charm's
    /// actions. Besides each action's `params`, the consistency checks read
    /// its `required` list and `additionalProperties: false`.
    pub fn with_actions_yaml(mut self, actions: &str) -> Result<Self, ContextError> {
        self.charm
            .set_actions(ActionsSchema::parse(actions, ACTIONS_FILE)?)?;
        self.action_rules = consistency::action_rules(&parse_raw(actions));
        Ok(self)
    }

    /// Run hooks with `dir` as the charm directory (`JUJU_CHARM_DIR`).
    /// Without it, a [`Context::from_charm_dir`] uses its directory and
    /// the others a path that does not exist,
    /// `/var/lib/juju/agents/unit-<app>-<n>/charm`.
    pub fn with_charm_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.charm_dir = Some(dir.into());
        self
    }

    /// Set the model name hooks see (`JUJU_MODEL_NAME`, default
    /// `test-model`).
    pub fn with_model(mut self, model: impl Into<String>) -> Self {
        self.model = model.into();
        self
    }

    /// Set the Juju version hooks see (`JUJU_VERSION`, default `3.6.0`).
    pub fn with_juju_version(mut self, version: impl Into<String>) -> Self {
        self.juju_version = version.into();
        self
    }

    /// The charm under test.
    pub fn charm(&self) -> &Charm {
        &self.charm
    }

    /// The charm's metadata.
    pub fn metadata(&self) -> &Metadata {
        self.charm.metadata()
    }

    /// The charm's config options.
    pub fn config_schema(&self) -> &ConfigSchema {
        self.charm.config_schema()
    }

    /// The charm's actions.
    pub fn actions(&self) -> &ActionsSchema {
        self.charm.actions()
    }

    /// The charm's handlers.
    pub fn registry(&self) -> &Registry {
        self.charm.registry()
    }

    /// Check that `event` on `state` could happen under Juju for this
    /// charm, without running anything: the warnings, or every problem.
    pub fn check(&self, event: &Event, state: &State) -> Result<Vec<String>, Inconsistent> {
        let report = consistency::check(&self.charm, &self.action_rules, event, state);
        if report.errors.is_empty() {
            Ok(report.warnings)
        } else {
            Err(Inconsistent {
                event: event.to_string(),
                problems: report.errors,
            })
        }
    }

    /// Run `event` on `state`: the new state and what the hook did, or, if
    /// the state and event could not happen under Juju, every problem
    /// (nothing runs then).
    ///
    /// A failed hook is an `Ok` [`Output`] whose `error` is set and whose
    /// state equals `state`.
    pub fn run(&self, event: Event, state: &State) -> Result<Output, Inconsistent> {
        let warnings = self.check(&event, state)?;
        let unit = state.unit_name(&self.metadata().name);
        let app = unit
            .rsplit_once('/')
            .map_or(unit.as_str(), |(a, _)| a)
            .to_owned();
        let env = self
            .env(&event, state, &unit, &app)
            .map_err(|e| Inconsistent {
                event: event.to_string(),
                problems: vec![format!("the hook environment does not parse: {e}")],
            })?;
        let backend = Rc::new(MemoryBackend::new(self.world(&event, state, &unit, &app)));
        let mut store = MemoryStore::new();
        store.data = unit_state(state);
        let sink: Rc<dyn LogSink> = Rc::new(JujuLog(backend.clone()));
        // What `Charm::run` does, with the Juju layer wrapped to note
        // which statuses it sends at the end of the hook.
        let mut options = self.charm.hook_options(env, backend.clone(), sink);
        let sent_from = Rc::new(Cell::new(None));
        let published = Rc::new(RefCell::new(BTreeMap::new()));
        options.layer = options.layer.take().map(|inner| {
            Rc::new(NoteSend {
                inner,
                backend: backend.clone(),
                statuses_before: sent_from.clone(),
                published: published.clone(),
            }) as Rc<dyn HookLayer>
        });
        let outcome = run_hook(self.charm.registry(), &mut store, options);
        // Statuses from this index on were sent with the hook's writes.
        let sent_from = sent_from.get().unwrap_or(usize::MAX);

        let world = backend.world();
        let new_state = if outcome.is_ok() {
            after(
                state,
                &event,
                &world,
                &store.data,
                &published.borrow(),
                &unit,
                &app,
            )
        } else {
            state.clone()
        };
        Ok(Output {
            hook: outcome.hook,
            state: new_state,
            invoked: outcome.invoked,
            trace: outcome.trace,
            stats: outcome.stats,
            status_history: world
                .status_history
                .iter()
                .enumerate()
                .map(|(i, (application, status))| StatusChange {
                    application: *application,
                    status: status.clone(),
                    at_end: i >= sent_from,
                })
                .collect(),
            logs: world.logs.clone(),
            tool_calls: backend.calls(),
            committed: outcome.committed,
            action_results: world.action_results.clone(),
            action_failure: world.action_failure.clone(),
            action_logs: world.action_logs.clone(),
            warnings,
            error: outcome.error,
        })
    }

    /// The hook environment Juju would set: the variables of
    /// [`HookVars`], read back by the parser a charm uses under Juju.
    fn env(
        &self,
        event: &Event,
        state: &State,
        unit: &str,
        app: &str,
    ) -> Result<HookEnv, crate::env::EnvError> {
        let mut vars = match event.action_name() {
            Some(action) => HookVars::action(unit, action),
            None => HookVars::hook(unit, event.name()),
        }
        .with_principal(state.principal.as_deref());
        if let Some(r) = event.relation_event() {
            vars = vars.with_relation(
                r.relation.clone(),
                r.remote_app.clone(),
                r.remote_unit.as_deref(),
            );
            if r.local_departs {
                vars = vars.with_departing(unit);
            }
        }
        if let Some(secret) = event.secret_vars() {
            vars = vars.with_secret(secret.clone());
        }
        let number = unit.rsplit_once('/').map_or("0", |(_, n)| n);
        let charm_dir = self.charm_dir.clone().unwrap_or_else(|| {
            PathBuf::from(format!("/var/lib/juju/agents/unit-{app}-{number}/charm"))
        });
        let mut all: Vec<(&str, String)> = vars.vars();
        all.extend([
            ("JUJU_CHARM_DIR", charm_dir.to_string_lossy().into_owned()),
            ("JUJU_MODEL_NAME", self.model.clone()),
            ("JUJU_VERSION", self.juju_version.clone()),
            ("CHARM_HOST", "simulated".to_owned()),
        ]);
        let mut env = HookEnv::from_vars(
            |k| all.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()),
            None,
        )?;
        // Not through text: a charm directory need not be UTF-8.
        env.charm_dir = charm_dir;
        Ok(env)
    }

    /// What the unit sees of Juju during the hook.
    fn world(&self, event: &Event, state: &State, unit: &str, app: &str) -> MemoryWorld {
        let mut config = self.config_schema().defaults();
        config.extend(state.config.iter().map(|(k, v)| (k.clone(), v.clone())));
        let broken = event
            .relation_event()
            .filter(|r| r.hook == RelationHook::Broken)
            .map(|r| r.relation.id);
        let address = state
            .addresses
            .get("private-address")
            .map_or(DEFAULT_PRIVATE_ADDRESS, String::as_str);
        let relations = state
            .relations
            .iter()
            .map(|r| {
                let mut data = BTreeMap::new();
                for (u, bag) in &r.remote_units {
                    // A remote unit's address is the test's to give: with
                    // one, the bag gets the rest of Juju's keys.
                    let mut bag = bag.clone();
                    if let Some(remote_address) = bag.get("private-address").cloned() {
                        juju_keys(&mut bag, &remote_address);
                    }
                    data.insert(DataBag::Unit(u.clone()), bag);
                }
                // On a peer relation the remote application is this one:
                // its one databag is local_app_data, inserted last.
                data.insert(
                    DataBag::App(r.remote_app.clone()),
                    r.remote_app_data.clone(),
                );
                let mut local = r.local_unit_data.clone();
                juju_keys(&mut local, address);
                data.insert(DataBag::Unit(unit.to_owned()), local);
                data.insert(DataBag::App(app.to_owned()), r.local_app_data.clone());
                // By relation-broken every remote unit has departed.
                let units = if broken == Some(r.id) {
                    Vec::new()
                } else {
                    r.remote_units.keys().cloned().collect()
                };
                (
                    r.relation_id(),
                    MemoryRelation {
                        remote_app: Some(r.remote_app.clone()),
                        units,
                        data,
                    },
                )
            })
            .collect();
        let networks = consistency::bindings(self.metadata())
            .into_iter()
            .map(|binding| {
                let net = state
                    .networks
                    .get(&binding)
                    .cloned()
                    .unwrap_or_else(|| Network::from_address(address));
                (binding, net.to_json())
            })
            .collect();
        let mut action_params = event.action_params().cloned().unwrap_or_default();
        if let Some(action) = event.action_name().and_then(|a| self.actions().action(a))
            && let Some(declared) = action.params.as_object()
        {
            for (param, schema) in declared {
                if let Some(default) = schema.get("default")
                    && !action_params.contains_key(param)
                {
                    action_params.insert(param.clone(), default.clone());
                }
            }
        }
        MemoryWorld {
            unit: unit.to_owned(),
            relations,
            config,
            leader: state.leader,
            leader_settings: state.leader_settings.clone(),
            unit_status: state.unit_status.clone(),
            app_status: state.app_status.clone(),
            status_history: Vec::new(),
            app_version: state.workload_version.clone(),
            unit_data: state.addresses.clone(),
            networks,
            ports: state.opened_ports.clone(),
            action_params,
            action_results: BTreeMap::new(),
            action_failure: None,
            action_logs: Vec::new(),
            logs: Vec::new(),
            failing_tools: state.failing_tools.clone(),
            secrets: state.secrets.clone(),
        }
    }
}

/// Give `bag` the keys Juju put in it when its unit entered the relation
/// ([`unit_databag_defaults`] of `address`, `private-address` kept when
/// the test set it), unless it has `ingress-address` or
/// `egress-subnets` already: then Juju wrote them, and a key missing is
/// one the unit deleted since.
fn juju_keys(bag: &mut crate::harness::Bag, address: &str) {
    let written = unit_databag_defaults(address)
        .keys()
        .any(|k| k != "private-address" && bag.contains_key(k));
    if !written {
        fill_unit_databag_defaults(bag, address);
    }
}

/// The unit state table of `state`: flags under `reactive.states.`, the
/// rest as is, values JSON-encoded as the runtime writes them.
fn unit_state(state: &State) -> Snapshot {
    let mut out = Snapshot::new();
    for (flag, value) in &state.flags {
        out.insert(
            format!("{FLAG_PREFIX}{flag}"),
            crate::reactive::python_json::dumps_sorted(value),
        );
    }
    for (key, value) in &state.kv {
        out.insert(
            key.clone(),
            crate::reactive::python_json::dumps_sorted(value),
        );
    }
    out
}

/// The state after a successful hook.
fn after(
    before: &State,
    event: &Event,
    world: &MemoryWorld,
    unit_state: &Snapshot,
    published: &BTreeMap<RelationId, BTreeSet<String>>,
    unit: &str,
    app: &str,
) -> State {
    let mut s = before.clone();
    let address = before
        .addresses
        .get("private-address")
        .map_or(DEFAULT_PRIVATE_ADDRESS, String::as_str);
    for rel in &mut s.relations {
        if let Some(w) = world.relations.get(&rel.relation_id()) {
            let bag = |b: DataBag| w.data.get(&b).cloned().unwrap_or_default();
            let mut local = bag(DataBag::Unit(unit.to_owned()));
            // The keys the harness added for the hook stay out of the
            // output unless the hook changed them: the output is what the
            // state had and what the hook wrote.
            let written = published.get(&rel.relation_id());
            let mut added = rel.local_unit_data.clone();
            juju_keys(&mut added, address);
            for key in added.keys() {
                let by_hook = written.is_some_and(|w| w.contains(key));
                if !rel.local_unit_data.contains_key(key) && !by_hook {
                    local.remove(key);
                }
            }
            rel.local_unit_data = local;
            rel.local_app_data = bag(DataBag::App(app.to_owned()));
        }
    }
    s.leader_settings = world.leader_settings.clone();
    s.secrets = world.secrets.clone();
    s.unit_status = world.unit_status.clone();
    s.app_status = world.app_status.clone();
    s.opened_ports = world.ports.clone();
    s.workload_version = world.app_version.clone();
    s.flags.clear();
    s.kv.clear();
    for (key, text) in unit_state {
        let value = serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone()));
        match key.strip_prefix(FLAG_PREFIX) {
            Some(flag) => s.flags.insert(flag.to_owned(), value),
            None => s.kv.insert(key.clone(), value),
        };
    }
    if let Some(re) = event.relation_event() {
        match re.hook {
            RelationHook::Departed => {
                if let (Some(rel), Some(gone)) = (
                    s.relations.iter_mut().find(|r| r.id == re.relation.id),
                    &re.remote_unit,
                ) {
                    rel.remote_units.remove(gone);
                }
            }
            RelationHook::Broken => s.relations.retain(|r| r.id != re.relation.id),
            _ => {}
        }
    }
    s
}

/// The Juju layer, noting how many statuses had been sent when it sends
/// the hook's held writes: the statuses after those are the hook's final
/// ones, the earlier ones were sent at once (`HookContext::progress`).
struct NoteSend {
    inner: Rc<dyn HookLayer>,
    backend: Rc<MemoryBackend>,
    statuses_before: Rc<Cell<Option<usize>>>,
    /// The unit databag keys the hook published, by relation.
    published: Rc<RefCell<BTreeMap<RelationId, BTreeSet<String>>>>,
}

impl HookLayer for NoteSend {
    fn attach(&self, ctx: &HookContext) {
        self.inner.attach(ctx);
    }

    fn before_dispatch(&self, ctx: &HookContext) -> Result<(), HandlerError> {
        self.inner.before_dispatch(ctx)
    }

    fn recover(
        &self,
        ctx: &HookContext,
        journal: &str,
    ) -> Result<Option<String>, Box<dyn std::error::Error>> {
        self.inner.recover(ctx, journal)
    }

    fn journal(
        &self,
        ctx: &HookContext,
        kept: Option<&str>,
    ) -> Result<Option<String>, Box<dyn std::error::Error>> {
        self.inner.journal(ctx, kept)
    }

    fn send(&self, ctx: &HookContext) -> Result<(), Box<dyn std::error::Error>> {
        self.statuses_before
            .set(Some(self.backend.world().status_history.len()));
        *self.published.borrow_mut() = ctx.juju().pending_unit_keys();
        self.inner.send(ctx)
    }

    fn after_send(
        &self,
        ctx: &HookContext,
        journal: Option<&str>,
    ) -> Result<Option<String>, Box<dyn std::error::Error>> {
        self.inner.after_send(ctx, journal)
    }

    fn failed(&self, ctx: &HookContext, error: &HookError) {
        self.inner.failed(ctx, error);
    }
}

/// The hook's log sink: `juju-log` on the memory backend, one call per
/// line, every level.
struct JujuLog(Rc<MemoryBackend>);

impl LogSink for JujuLog {
    fn log(&self, level: Level, message: &str) {
        // The memory backend's juju-log cannot fail.
        let _ = self.0.juju_log(level, message);
    }
}

/// The raw `actions` of a charm directory (`actions.yaml`, else
/// `charmcraft.yaml`'s `actions:`), for the consistency rules serde does
/// not keep.
fn raw_actions(dir: &Path) -> Value {
    match std::fs::read_to_string(dir.join(ACTIONS_FILE)) {
        Ok(text) => parse_raw(&text),
        Err(_) => match std::fs::read_to_string(dir.join(CHARMCRAFT_FILE)) {
            Ok(text) => parse_raw(&text)
                .get("actions")
                .cloned()
                .unwrap_or(Value::Null),
            Err(_) => Value::Null,
        },
    }
}
