//! Registry extensions: what a library adds to every charm registry built
//! from the handlers linked into a binary ([`Registry::for_charm`],
//! therefore [`crate::main`] and [`crate::Charm::load`]), as a
//! charms.reactive layer's handlers join every charm built with the layer.
//!
//! A library whose handlers depend on the charm (charm-openstack adds the
//! default handlers a charm opted into) submits an extension once; when a
//! registry is built, each extension is called, in name order, after the
//! macro-registered handlers, with the charm's metadata.
//!
//! ```standalone_crate
//! use charm_runtime::metadata::Metadata;
//! use charm_runtime::{Handler, HookContext, Registry, RegistryError};
//!
//! /// Every charm linking this library records its installation.
//! fn extend(registry: &mut Registry, _: &Metadata) -> Result<(), RegistryError> {
//!     registry.add(
//!         Handler::new("mylib::installed", |ctx: &HookContext| ctx.flags().set("mylib.installed"))
//!             .hook(["install"]),
//!     )?;
//!     Ok(())
//! }
//! charm_runtime::extend_registry!("mylib", extend);
//!
//! let metadata = Metadata::parse("name: web\n", "metadata.yaml").unwrap();
//! let registry = Registry::for_charm("", &metadata).unwrap();
//! assert!(registry.handler_ids().contains(&"mylib::installed"));
//! ```

use crate::metadata::Metadata;
use crate::reactive::{Registry, RegistryError};

/// One library's contribution to charm registries; submit it with
/// [`extend_registry!`](crate::extend_registry).
#[derive(Debug)]
pub struct RegistryExtension {
    /// Names the library in errors and orders the extensions.
    pub name: &'static str,
    /// Adds the library's handlers, triggers and callbacks for the charm
    /// described by the metadata.
    pub extend: fn(&mut Registry, &Metadata) -> Result<(), RegistryError>,
}

inventory::collect!(RegistryExtension);

/// Submit a [`RegistryExtension`]: `extend_registry!("name", function)`.
#[macro_export]
macro_rules! extend_registry {
    ($name:expr, $extend:path) => {
        $crate::macro_support::inventory::submit! {
            $crate::RegistryExtension { name: $name, extend: $extend }
        }
    };
}

/// Call every submitted extension on `registry`, in name order.
pub(crate) fn apply(registry: &mut Registry, metadata: &Metadata) -> Result<(), RegistryError> {
    let mut extensions: Vec<&RegistryExtension> =
        inventory::iter::<RegistryExtension>.into_iter().collect();
    extensions.sort_by_key(|e| e.name);
    for extension in extensions {
        (extension.extend)(registry, metadata)?;
    }
    Ok(())
}
