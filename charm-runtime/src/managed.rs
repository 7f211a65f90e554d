//! The flags the base layers maintain before any handler runs (an atstart
//! step when running under Juju): endpoints (charms.reactive), config
//! (layer-basic) and leadership (layer-leadership).

use std::collections::BTreeSet;

use crate::context::HookContext;
use crate::error::Error;
use crate::registry::Registry;

/// Endpoints whose automatic flags are maintained: those of the charm's
/// metadata that a handler watches (`endpoint.<name>.*`), that a handler
/// was instantiated for (interface handlers), or that a typed endpoint
/// argument resolves to.
pub(crate) fn managed_endpoints(registry: &Registry, ctx: &HookContext) -> BTreeSet<String> {
    let Some(juju) = ctx.juju() else {
        return BTreeSet::new();
    };
    let meta = juju.metadata();
    let mut out = BTreeSet::new();
    for h in &registry.handlers {
        if let Some(ep) = &h.info.endpoint {
            out.insert(ep.clone());
        }
        for flag in &h.info.flags {
            if let Some(name) = flag
                .strip_prefix("endpoint.")
                .and_then(|r| r.split('.').next())
                && meta.endpoint(name).is_some()
            {
                out.insert(name.to_owned());
            }
        }
        for arg in &h.info.typed_args {
            if let crate::endpoint::Resolution::Found(name) =
                crate::endpoint::resolve(&h.info, meta, arg.interface, arg.role)
            {
                out.insert(name);
            }
        }
    }
    out
}

/// Refresh every managed flag.
pub(crate) fn manage(registry: &Registry, ctx: &HookContext) -> Result<(), Error> {
    if ctx.juju().is_none() {
        return Ok(());
    }
    for name in managed_endpoints(registry, ctx) {
        crate::endpoint::manage_flags(ctx, &name)?;
    }
    crate::config::manage_flags(ctx)?;
    crate::leadership::manage_flags(ctx)?;
    Ok(())
}
