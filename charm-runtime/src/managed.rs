//! The flags the base layers maintain before any handler runs: endpoints
//! (charms.reactive), config (layer-basic) and leadership
//! (layer-leadership). See `docs/flags.md` for every automatic flag.

use std::collections::BTreeSet;

use crate::error::Error;
use crate::metadata::Metadata;
use crate::reactive::{HookContext, Registry};

/// Endpoints whose automatic flags are maintained: those of the charm's
/// metadata that a handler watches (`endpoint.<name>.*`), that a handler
/// was instantiated for (interface handlers), or that a typed endpoint
/// argument resolves to. Computed once, when the charm is built.
pub(crate) fn managed_endpoints(registry: &Registry, meta: &Metadata) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for h in registry.handlers() {
        if let Some(ep) = &h.endpoint {
            out.insert(ep.clone());
        }
        for flag in &h.flags {
            if let Some(name) = charm_names::endpoint_of_flag(flag)
                && meta.endpoint(name).is_some()
            {
                out.insert(name.to_owned());
            }
        }
        for arg in &h.typed_args {
            if let crate::endpoint::Resolution::Found(name) =
                crate::endpoint::resolve(h, meta, arg.interface, arg.role)
            {
                out.insert(name);
            }
        }
    }
    out
}

/// Refresh every managed flag.
pub(crate) fn manage(ctx: &HookContext, endpoints: &BTreeSet<String>) -> Result<(), Error> {
    for name in endpoints {
        crate::endpoint::manage_flags(ctx, name)?;
    }
    crate::config::manage_flags(ctx)?;
    crate::leadership::manage_flags(ctx)?;
    Ok(())
}
