//! `juju refresh` (upgrade-charm): an application moves to another charm,
//! or to the same charm rebuilt.

use std::path::Path;

use crate::Simulation;
use crate::engine::{load_charm, new_relation};
use crate::error::SimError;
use crate::hook::Hook;
use crate::model::{RelationEnd, replace_charm_dir};

impl Simulation {
    /// Upgrade `app` to the charm in `charm_dir` run with `binary` (the same
    /// directory and binary, rebuilt, or another charm), as `juju refresh`
    /// does: each unit's charm directory gets the new charm's files in
    /// place of the old one's, keeping what the charm wrote there itself
    /// (its `.unit-state.db` among them), and queues `upgrade-charm` then
    /// `config-changed`. A peer endpoint new in the charm gets its relation
    /// (`relation-created` on each unit after those). Refused for a stub, or
    /// when a relation of the application uses an endpoint the new charm
    /// lacks (Juju refuses that upgrade too).
    pub fn upgrade_charm(
        &mut self,
        app: &str,
        charm_dir: impl AsRef<Path>,
        binary: impl AsRef<Path>,
    ) -> Result<(), SimError> {
        let charm = load_charm(charm_dir.as_ref(), binary.as_ref())?;
        let mut w = self.world();
        if w.stubs.contains_key(app) {
            return Err(SimError::Upgrade {
                app: app.to_owned(),
                reason: "a stub application has no charm".into(),
            });
        }
        let old = w
            .model
            .apps
            .get(app)
            .map(|a| a.charm.dir.clone())
            .ok_or_else(|| SimError::NoApp(app.to_owned()))?;
        for relation in w.model.relations.values().filter(|r| !r.dying) {
            if let Some(end) = relation.end_of(app)
                && !charm.endpoints.contains_key(&end.endpoint)
            {
                return Err(SimError::Upgrade {
                    app: app.to_owned(),
                    reason: format!(
                        "relation {} uses endpoint {:?}, which the new charm does not have",
                        relation.id, end.endpoint
                    ),
                });
            }
        }
        let units: Vec<String> = w
            .model
            .units_of(app)
            .into_iter()
            .filter(|u| w.model.units.get(u).is_some_and(|u| !u.dying))
            .collect();
        for unit in &units {
            let dir = w.model.units[unit].charm_dir.clone();
            replace_charm_dir(&old, &charm.dir, &dir).map_err(SimError::io(format!(
                "replacing the charm of {unit} in {}",
                dir.display()
            )))?;
        }
        let new_peers: Vec<RelationEnd> = charm
            .peers()
            .filter(|e| {
                !w.model
                    .relations
                    .values()
                    .any(|r| !r.dying && r.end_of(app).is_some_and(|x| x.endpoint == e.name))
            })
            .map(|e| RelationEnd {
                app: app.to_owned(),
                endpoint: e.name.clone(),
                interface: e.interface.clone(),
            })
            .collect();
        if let Some(a) = w.model.apps.get_mut(app) {
            // Options the new charm no longer has are dropped with it.
            a.config_overrides
                .retain(|k, _| charm.options.contains_key(k));
            a.charm = charm;
        }
        for unit in &units {
            // config-changed runs after upgrade-charm even when one was
            // already waiting: it moves behind it.
            if let Some(queue) = w.queues.get_mut(unit) {
                queue.retain(|h| *h != Hook::ConfigChanged);
            }
            w.enqueue(unit, Hook::UpgradeCharm);
            w.enqueue(unit, Hook::ConfigChanged);
        }
        for end in new_peers {
            let relation = new_relation(&mut w.model, vec![end], false);
            for unit in &units {
                w.enqueue(unit, Hook::RelationCreated { relation });
            }
        }
        Ok(())
    }
}
