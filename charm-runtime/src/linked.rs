//! Registries of what is linked into the binary: the handlers the
//! attribute macros registered ([`HandlerDef`]), interface handlers
//! instantiated per endpoint of the charm's metadata, then the registry
//! extensions of the libraries linked in.

use crate::macro_support::HandlerDef;
use crate::metadata::Metadata;
use crate::reactive::{Registry, RegistryError};

impl Registry {
    /// A registry of the macro-registered handlers whose module path is
    /// `prefix` or below it (`""` for all), ordered by module path, then
    /// source line.
    ///
    /// Interface handlers (the handlers of `#[interface]` impls) need the
    /// charm's metadata to be instantiated and are left out: use
    /// [`Registry::for_charm`].
    pub fn from_inventory(prefix: &str) -> Result<Registry, RegistryError> {
        let mut registry = Registry::new();
        registry.add_inventory(prefix)?;
        Ok(registry)
    }

    /// Add the macro-registered handlers under `prefix`, ordered by module
    /// path, then source line, after those already registered. Interface
    /// handlers are left out (see [`Registry::add_charm_inventory`]).
    pub fn add_inventory(&mut self, prefix: &str) -> Result<&mut Self, RegistryError> {
        let mut defs: Vec<&HandlerDef> = inventory::iter::<HandlerDef>
            .into_iter()
            .filter(|d| d.in_module(prefix) && !d.is_template())
            .collect();
        defs.sort_by(|a, b| (a.module_path, a.line, a.name).cmp(&(b.module_path, b.line, b.name)));
        for d in defs {
            self.add(d.handler())?;
        }
        Ok(self)
    }

    /// The registry of a charm with `metadata`: the macro-registered
    /// handlers under `prefix` (`""` for all), with each interface handler
    /// instantiated once per endpoint of the metadata whose interface (and
    /// role, when the type serves one side) is the handler's, as
    /// charms.reactive instantiates the handlers of an interface layer:
    /// `{endpoint_name}` replaced by the endpoint's name in flags and hook
    /// patterns, id `module::path::Type::method:endpoint`, and the handler
    /// marked as instantiated for the endpoint ([`Handler::for_endpoint`](crate::Handler::for_endpoint)).
    /// An interface handler without an endpoint of its interface is not
    /// registered.
    ///
    /// Ordered by module path, then source line, then endpoint name. This is
    /// what [`crate::main`] runs with, with `""`.
    ///
    /// The prefix applies to interface handlers too, which live in their
    /// interface's module (`charm_interfaces::hacluster`): a test of a charm
    /// using interfaces selects with `""` (everything linked into the test
    /// binary, as in production), and a test binary holding several charms
    /// keeps each in a module of its own. A test must also use something
    /// from the charm's library (calling a `registry` function it exports
    /// does), or the linker may leave the library's handlers out.
    ///
    /// Then every [`crate::RegistryExtension`] linked into the binary adds
    /// its handlers.
    pub fn for_charm(prefix: &str, metadata: &Metadata) -> Result<Registry, RegistryError> {
        let mut registry = Registry::new();
        registry.add_charm_inventory(prefix, metadata)?;
        crate::extension::apply(&mut registry, metadata)?;
        Ok(registry)
    }

    /// Add the handlers [`Registry::for_charm`] would register, after those
    /// already registered.
    pub fn add_charm_inventory(
        &mut self,
        prefix: &str,
        metadata: &Metadata,
    ) -> Result<&mut Self, RegistryError> {
        let mut handlers: Vec<(&HandlerDef, Option<&str>)> = Vec::new();
        for d in inventory::iter::<HandlerDef>
            .into_iter()
            .filter(|d| d.in_module(prefix))
        {
            if d.is_template() {
                handlers.extend(d.endpoints(metadata).into_iter().map(|e| (d, Some(e))));
            } else {
                handlers.push((d, None));
            }
        }
        handlers.sort_by(|(a, ea), (b, eb)| {
            (a.module_path, a.line, a.name, ea).cmp(&(b.module_path, b.line, b.name, eb))
        });
        for (d, endpoint) in handlers {
            self.add(match endpoint {
                Some(e) => d.handler_for(e),
                None => d.handler(),
            })?;
        }
        Ok(self)
    }
}
