//! The automatic `endpoint.<name>.*` flags.

use super::view::{DepartedUnit, Endpoint};
use crate::backend::DataBag;
use crate::error::Error;
use crate::reactive::HookContext;

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
    let j = ctx.juju();
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
