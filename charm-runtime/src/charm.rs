//! A charm: its files (metadata, config options, actions) and its
//! handlers, read and checked once. `main`, the harness and the
//! conformance runner all start hooks from a [`Charm`].
//!
//! Building a charm checks every name its handlers use against its
//! metadata, so a misspelt relation or action is an error before any hook
//! runs, naming the closest declared name.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::backend::Backend;
use crate::env::HookEnv;
use crate::error::did_you_mean;
use crate::juju::Juju;
use crate::layer::JujuLayer;
use crate::metadata::{ActionsSchema, ConfigSchema, Metadata, MetadataError};
use crate::reactive::{
    HandlerInfo, HookOptions, HookOutcome, LogSink, Registry, RegistryError, StateStore, run_hook,
};

/// A charm cannot be built: its files are missing or invalid, or its
/// handlers do not fit them.
#[derive(Debug, thiserror::Error)]
pub enum CharmError {
    /// A charm file is missing or invalid.
    #[error(transparent)]
    Metadata(#[from] MetadataError),
    /// The handlers cannot be registered.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// No handler is registered: the charm would do nothing in every hook.
    #[error(
        "charm {charm}: no handler is registered, so every hook would do nothing. The handlers \
         are most likely not linked into this binary: keep them in the charm's library and have \
         `src/main.rs` call the library's `main()` (`fn main() -> ExitCode {{ my_charm::main() }}`), \
         not `charm_runtime::main()` directly; a test must use something of the library too"
    )]
    NoHandlers {
        /// The charm's name.
        charm: String,
    },
    /// Handlers name relations, endpoints or actions the charm does not
    /// declare: one message each.
    #[error("charm {charm}: {}", problems.join("; "))]
    Names {
        /// The charm's name.
        charm: String,
        /// What is wrong, one message a mistake.
        problems: Vec<String>,
    },
}

/// A charm: metadata, config options, actions and handlers, checked
/// against each other.
///
/// ```
/// use charm_runtime::metadata::{ConfigSchema, Metadata};
/// use charm_runtime::{Charm, Handler, HookContext, Registry};
///
/// let mut registry = Registry::new();
/// registry
///     .add(Handler::new("cache::joined", |_: &HookContext| ()).hook(["cach-relation-joined"]))
///     .unwrap();
/// let metadata = Metadata::parse("name: cache\nprovides: {cache: {interface: memcache}}\n", "metadata.yaml").unwrap();
/// let err = Charm::new(metadata, ConfigSchema::default(), None, registry).unwrap_err();
/// assert!(err.to_string().contains("no relation \"cach\" (did you mean \"cache\"?)"), "{err}");
/// ```
pub struct Charm {
    dir: Option<PathBuf>,
    metadata: Rc<Metadata>,
    config: Rc<ConfigSchema>,
    actions: ActionsSchema,
    registry: Registry,
    endpoints: Rc<BTreeSet<String>>,
}

impl std::fmt::Debug for Charm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Charm")
            .field("name", &self.metadata.name)
            .field("dir", &self.dir)
            .field("registry", &self.registry)
            .finish_non_exhaustive()
    }
}

impl Charm {
    /// The charm in `dir` (`metadata.yaml`, `config.yaml`, `actions.yaml`,
    /// each falling back to `charmcraft.yaml`) with every macro-registered
    /// handler linked into this binary, interface handlers instantiated for
    /// the charm's endpoints ([`Registry::for_charm`]).
    pub fn load(dir: impl AsRef<Path>) -> Result<Self, CharmError> {
        Self::load_with(dir, |metadata| Registry::for_charm("", metadata))
    }

    /// The charm in `dir` with the registry `registry` builds from its
    /// metadata (for handlers registered by hand, or a module prefix).
    pub fn load_with(
        dir: impl AsRef<Path>,
        registry: impl FnOnce(&Metadata) -> Result<Registry, RegistryError>,
    ) -> Result<Self, CharmError> {
        let dir = dir.as_ref();
        let metadata = Metadata::load(dir)?;
        let config = ConfigSchema::load(dir)?;
        let actions = ActionsSchema::load(dir)?;
        let registry = registry(&metadata)?;
        let mut charm = Self::new(metadata, config, Some(actions), registry)?;
        charm.dir = Some(dir.to_owned());
        Ok(charm)
    }

    /// A charm from its parts. `actions` is `None` when the actions are
    /// not known (action handlers are then not checked); a charm directory
    /// without `actions.yaml` declares none.
    pub fn new(
        metadata: Metadata,
        config: ConfigSchema,
        actions: Option<ActionsSchema>,
        registry: Registry,
    ) -> Result<Self, CharmError> {
        if registry.is_empty() {
            return Err(CharmError::NoHandlers {
                charm: metadata.name.clone(),
            });
        }
        let mut problems = name_problems(&registry, &metadata);
        if let Some(actions) = &actions {
            problems.extend(action_problems(&registry, actions));
        }
        if !problems.is_empty() {
            return Err(CharmError::Names {
                charm: metadata.name.clone(),
                problems,
            });
        }
        let endpoints = Rc::new(crate::managed::managed_endpoints(&registry, &metadata));
        Ok(Self {
            dir: None,
            metadata: Rc::new(metadata),
            config: Rc::new(config),
            actions: actions.unwrap_or_default(),
            registry,
            endpoints,
        })
    }

    /// Use `config` as the charm's options.
    pub(crate) fn set_config(&mut self, config: ConfigSchema) {
        self.config = Rc::new(config);
    }

    /// Use `actions` as the charm's actions, checking the action handlers
    /// against them.
    pub(crate) fn set_actions(&mut self, actions: ActionsSchema) -> Result<(), CharmError> {
        let problems = action_problems(&self.registry, &actions);
        if !problems.is_empty() {
            return Err(CharmError::Names {
                charm: self.metadata.name.clone(),
                problems,
            });
        }
        self.actions = actions;
        Ok(())
    }

    /// The charm directory it was loaded from.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The charm's metadata.
    pub fn metadata(&self) -> &Metadata {
        &self.metadata
    }

    /// The charm's config options.
    pub fn config_schema(&self) -> &ConfigSchema {
        &self.config
    }

    /// The charm's actions.
    pub fn actions(&self) -> &ActionsSchema {
        &self.actions
    }

    /// The charm's handlers.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The options of one hook run in `env` over `backend`, logging to
    /// `sink`.
    pub fn hook_options(
        &self,
        env: HookEnv,
        backend: Rc<dyn Backend>,
        sink: Rc<dyn LogSink>,
    ) -> HookOptions {
        let hook = env.name().to_owned();
        let action = env.action().map(str::to_owned);
        let juju =
            Juju::new(env, self.metadata.clone(), backend).with_config_schema(self.config.clone());
        let layer = JujuLayer {
            juju: Rc::new(juju),
            endpoints: self.endpoints.clone(),
        };
        let mut options = HookOptions::new(hook)
            .sink(sink)
            .relations(self.metadata.relation_resolver())
            .layer(Rc::new(layer));
        options.action = action;
        options
    }

    /// Run the hook of `env` over `backend` and the unit state `store`.
    pub fn run(
        &self,
        env: HookEnv,
        backend: Rc<dyn Backend>,
        store: &mut dyn StateStore,
        sink: Rc<dyn LogSink>,
    ) -> HookOutcome {
        run_hook(&self.registry, store, self.hook_options(env, backend, sink))
    }
}

/// The relation a hook is about, if it is a relation hook of a named
/// relation (`{role:interface}` groups are resolved at run time).
fn relation_of_hook(hook: &str) -> Option<&str> {
    match charm_names::hook::named_after(hook)? {
        (name, charm_names::hook::Named::Relation) if !name.starts_with('{') => Some(name),
        _ => None,
    }
}

fn name_problems(registry: &Registry, metadata: &Metadata) -> Vec<String> {
    let relations = metadata.relation_names();
    let mut problems = Vec::new();
    for h in registry.handlers() {
        for flag in &h.flags {
            let Some(name) = charm_names::endpoint_of_flag(flag) else {
                continue;
            };
            if metadata.endpoint(name).is_none() {
                problems.push(format!(
                    "handler {} watches flag {flag:?}, but the charm's metadata declares no relation {name:?}{}",
                    h.id,
                    did_you_mean(name, &relations)
                ));
            }
        }
        for pattern in &h.hooks {
            // A malformed pattern is refused when the handler is registered.
            for hook in charm_names::hook::expand_alternation(pattern).unwrap_or_default() {
                if let Some(name) = relation_of_hook(&hook)
                    && metadata.endpoint(name).is_none()
                {
                    problems.push(format!(
                        "handler {} runs on hook {hook:?}, but the charm's metadata declares no relation {name:?}{}",
                        h.id,
                        did_you_mean(name, &relations)
                    ));
                }
            }
        }
        problems.extend(typed_arg_problems(h, metadata));
    }
    problems
}

fn typed_arg_problems(h: &HandlerInfo, metadata: &Metadata) -> Vec<String> {
    h.typed_args
        .iter()
        .filter_map(|arg| {
            let resolution = crate::endpoint::resolve(h, metadata, arg.interface, arg.role);
            (!matches!(resolution, crate::endpoint::Resolution::Found(_)))
                .then(|| crate::endpoint::unresolved_message(&h.id, arg, &resolution, metadata))
        })
        .collect()
}

fn action_problems(registry: &Registry, actions: &ActionsSchema) -> Vec<String> {
    let declared = actions.names();
    registry
        .action_handlers()
        .filter(|(name, _)| actions.action(name).is_none())
        .map(|(name, h)| {
            format!(
                "handler {} serves action {name:?}, which the charm's actions.yaml does not declare{}",
                h.id,
                did_you_mean(name, &declared)
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relation_hooks_are_recognised() {
        assert_eq!(relation_of_hook("db-relation-joined"), Some("db"));
        assert_eq!(relation_of_hook("my-db-relation-broken"), Some("my-db"));
        assert_eq!(relation_of_hook("install"), None);
        assert_eq!(relation_of_hook("data-storage-attached"), None);
        assert_eq!(relation_of_hook("{requires:mysql}-relation-joined"), None);
    }

    #[test]
    fn suggestions_name_the_closest_declared_name() {
        assert_eq!(
            did_you_mean("cach", &["cache", "db"]),
            " (did you mean \"cache\"?)"
        );
        assert_eq!(
            did_you_mean("flsh", &["flush"]),
            " (did you mean \"flush\"?)"
        );
        assert_eq!(did_you_mean("zzzzzz", &["db"]), " (declared: db)");
        assert_eq!(did_you_mean("x", &[]), " (it declares none)");
    }
}
