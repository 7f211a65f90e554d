//! The environment a hook runs with: the `JUJU_*` variables Juju's unit
//! agent sets, and the two that lead `charm-sim-tool` to the simulation
//! (`CHARM_SIM_SOCKET`, `JUJU_CONTEXT_ID`). One function for the hooks the
//! engine runs as processes and for the contexts opened in-process
//! ([`crate::Simulation::open_hook`]), so both see the same hook.

use std::path::Path;

use charm_runtime::backend::RelationId;
use charm_runtime::facts::{HookVars, SecretVars};

use crate::hook::Hook;
use crate::model::Model;
use crate::protocol::{CONTEXT_ENV, SOCKET_ENV};

/// What names the hook: its unit, hook, full name and context token.
pub(crate) struct HookIdentity<'a> {
    /// The unit running it.
    pub unit: &'a str,
    /// The hook (or action).
    pub hook: &'a Hook,
    /// Its full name (`db-relation-changed`, or the action's name).
    pub name: &'a str,
    /// `JUJU_CONTEXT_ID`.
    pub token: &'a str,
    /// The run's sequence number (`JUJU_ACTION_UUID` of an action).
    pub seq: u64,
}

/// The variables of the hook `id` on its unit in `model`, with the
/// simulation's `socket` and `juju_version`; `None` if the unit is not in
/// the model. `PATH` and the inherited variables are the caller's.
pub(crate) fn hook_env(
    model: &Model,
    socket: &Path,
    juju_version: &str,
    id: &HookIdentity<'_>,
) -> Option<Vec<(&'static str, String)>> {
    let u = model.units.get(id.unit)?;
    let is_action = matches!(id.hook, Hook::Action { .. });
    let charm_dir = u.charm_dir.to_string_lossy().into_owned();
    // The JUJU_* variables of the hook context, as the harness sets them
    // too (charm_runtime::facts).
    let mut vars = if is_action {
        HookVars::action(id.unit, id.name)
    } else {
        HookVars::hook(id.unit, id.name)
    }
    .with_principal(u.principal.as_deref());
    if let Some(relation) = id.hook.relation()
        && let Some(rel) = model.relations.get(&relation)
    {
        let end = rel
            .end_of(&u.app)
            .map(|e| e.endpoint.clone())
            .unwrap_or_default();
        vars = vars.with_relation(
            RelationId::new(end, relation),
            rel.remote_app(&u.app).unwrap_or(""),
            id.hook.remote_unit(),
        );
    }
    if let Hook::RelationDeparted { departing, .. } = id.hook {
        vars = vars.with_departing(departing);
    }
    if let Hook::SecretChanged { id: secret } = id.hook {
        // Juju sets JUJU_SECRET_LABEL to the reader's own label for the
        // secret; the simulated model keeps only the owner's.
        vars = vars.with_secret(SecretVars {
            id: secret.clone(),
            label: None,
            revision: None,
        });
    }
    let mut env = vec![
        ("CHARM_HOST", "simulated".to_owned()),
        (SOCKET_ENV, socket.to_string_lossy().into_owned()),
        (CONTEXT_ENV, id.token.to_owned()),
        ("JUJU_CHARM_DIR", charm_dir.clone()),
        ("CHARM_DIR", charm_dir),
        ("JUJU_MODEL_NAME", model.name.clone()),
        ("JUJU_MODEL_UUID", model_uuid(&model.name)),
        ("JUJU_VERSION", juju_version.to_owned()),
        (
            "JUJU_MACHINE_ID",
            u.address.rsplit('.').next().unwrap_or("0").to_owned(),
        ),
        ("JUJU_AVAILABILITY_ZONE", "sim".to_owned()),
    ];
    env.extend(vars.vars());
    if is_action {
        env.push(("JUJU_ACTION_UUID", id.seq.to_string()));
    }
    Some(env)
}

/// A stable UUID-shaped id for the model's name.
fn model_uuid(name: &str) -> String {
    let h = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let s = format!("{h:016x}{:016x}", h.rotate_left(17));
    format!(
        "{}-{}-{}-{}-{}",
        &s[0..8],
        &s[8..12],
        &s[12..16],
        &s[16..20],
        &s[20..32]
    )
}
