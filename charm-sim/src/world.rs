//! The simulator's state behind its lock: the model, each unit's hook
//! queue, the hook being run and its held writes, injected tool failures
//! and the logs. The Juju rules of which hook follows what live here.

use std::collections::{BTreeMap, VecDeque};

use charm_runtime::backend::MemorySecrets;
use charm_runtime::facts::fill_unit_databag_defaults;
use serde_json::{Map, Value};

use crate::hook::Hook;
use crate::model::{AgentStatus, Model, Port, Settings, app_of, unit_number};

/// A databag of a relation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Bag {
    /// A unit's.
    Unit(String),
    /// An application's.
    App(String),
}

/// A line the charm logged (`juju-log`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEntry {
    /// The unit.
    pub unit: String,
    /// The hook it ran.
    pub hook: String,
    /// `DEBUG`, `INFO`, `WARNING`, `ERROR`, ...
    pub level: String,
    /// The message.
    pub message: String,
}

/// What an action run produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActionOutcome {
    /// Its parameters (`action-get`).
    pub params: Map<String, Value>,
    /// `action-set` results, nested at the dots of their keys.
    pub results: Map<String, Value>,
    /// `action-fail` message.
    pub failure: Option<String>,
    /// `action-log` messages.
    pub logs: Vec<String>,
}

/// The hook being run.
#[derive(Debug, Clone)]
pub(crate) struct ActiveHook {
    /// `JUJU_CONTEXT_ID`: the tools name their hook with it.
    pub token: String,
    pub unit: String,
    pub hook: Hook,
    /// The hook's full name (`cluster-relation-changed`).
    pub name: String,
    /// Relation writes, held until the hook succeeds (`""` deletes).
    pub pending_data: BTreeMap<(u32, Bag), Settings>,
    /// Port openings (true) and closings, held likewise.
    pub pending_ports: Vec<(bool, Port)>,
    /// The action's state, when running an action.
    pub action: Option<ActionOutcome>,
}

/// Everything behind the simulator's lock.
#[derive(Debug, Default)]
pub(crate) struct World {
    pub model: Model,
    pub queues: BTreeMap<String, VecDeque<Hook>>,
    pub active: Option<ActiveHook>,
    /// (unit, tool) → the message the tool fails with.
    pub fail_tools: BTreeMap<(String, String), String>,
    /// (unit, tool) → what the tool prints instead of its answer.
    pub tool_output: BTreeMap<(String, String), String>,
    /// Every tool call a hook made, in order.
    pub tool_calls: Vec<crate::toolcall::ToolCall>,
    pub logs: Vec<LogEntry>,
    /// The stub applications, by name: their hooks are answered here.
    pub stubs: BTreeMap<String, crate::stub::Stub>,
    /// The hook tools the running hook has called, by tool: how many
    /// times (moved into its [`crate::HookRecord`] when it ends).
    pub hook_tool_counts: BTreeMap<String, u32>,
    /// The model's Juju secrets.
    pub secrets: MemorySecrets,
    /// The running hook's working copy of [`World::secrets`], with its
    /// token: made by its first secret tool, made the model's by
    /// [`World::commit`], dropped if the hook fails.
    pub hook_secrets: Option<(String, MemorySecrets)>,
}

impl World {
    /// Queue `hook` on `unit`, unless the same hook is already waiting
    /// (Juju's uniter reconciles to the latest state, so a pending
    /// `config-changed` or `relation-changed` covers a newer change).
    pub fn enqueue(&mut self, unit: &str, hook: Hook) {
        let queue = self.queues.entry(unit.to_owned()).or_default();
        if !queue.contains(&hook) {
            queue.push_back(hook);
        }
    }

    /// After a hook changed the model's secrets (they were `before`): a
    /// secret that gained a revision queues `secret-changed` on each
    /// unit still in the model that tracks an older one, as Juju tells
    /// the readers of a secret (its owners read the latest always).
    fn queue_secret_changed(&mut self, before: &MemorySecrets) {
        let mut queue = Vec::new();
        for (id, secret) in &self.secrets.secrets {
            let was = before.secrets.get(id).map_or(0, |s| s.revisions.len());
            let latest = secret.revisions.len();
            if latest <= was {
                continue;
            }
            for (reader, &tracked) in &secret.tracked {
                if tracked < latest && self.model.units.contains_key(reader) {
                    queue.push((reader.clone(), id.to_string()));
                }
            }
        }
        for (unit, id) in queue {
            self.enqueue(&unit, Hook::SecretChanged { id });
        }
    }

    /// The hook's full name as the unit runs it.
    pub fn hook_name(&self, unit: &str, hook: &Hook) -> String {
        match hook.relation() {
            Some(id) => {
                let endpoint = self
                    .model
                    .relations
                    .get(&id)
                    .and_then(|r| r.end_of(app_of(unit)))
                    .map(|e| e.endpoint.as_str())
                    .unwrap_or("unknown");
                format!("{endpoint}-{}", hook.kind())
            }
            None => hook.kind().to_owned(),
        }
    }

    /// The hooks a new unit runs, in Juju's order: install, then
    /// relation-created for every relation of its application, then
    /// leader-elected (leader) or leader-settings-changed, config-changed
    /// and start.
    pub fn queue_new_unit(&mut self, unit: &str) {
        let app = app_of(unit).to_owned();
        self.enqueue(unit, Hook::Install);
        let relations: Vec<u32> = self
            .model
            .relations
            .values()
            .filter(|r| !r.dying && r.end_of(&app).is_some())
            .map(|r| r.id)
            .collect();
        for relation in relations {
            self.enqueue(unit, Hook::RelationCreated { relation });
        }
        if self.model.is_leader(unit) {
            self.enqueue(unit, Hook::LeaderElected);
        } else {
            self.enqueue(unit, Hook::LeaderSettingsChanged);
        }
        self.enqueue(unit, Hook::ConfigChanged);
        self.enqueue(unit, Hook::Start);
    }

    /// Make the lowest-numbered live unit of `app` its leader if it has
    /// none, queueing leader-elected on it (unless it is still to run its
    /// first hooks, which include leader-elected or get it then).
    pub fn elect_leader(&mut self, app: &str) {
        let has_leader = self.model.apps.get(app).is_some_and(|a| a.leader.is_some());
        if has_leader {
            return;
        }
        let candidate = self
            .model
            .units_of(app)
            .into_iter()
            .find(|u| self.model.units.get(u).is_some_and(|u| !u.dying));
        let Some(candidate) = candidate else { return };
        if let Some(a) = self.model.apps.get_mut(app) {
            a.leader = Some(candidate.clone());
        }
        self.give_leadership(&candidate);
    }

    /// Queue leader-elected on `unit`, the new leader; if its first hooks
    /// are still queued, its pending leader-settings-changed becomes
    /// leader-elected instead.
    pub fn give_leadership(&mut self, unit: &str) {
        let queue = self.queues.entry(unit.to_owned()).or_default();
        if let Some(pos) = queue.iter().position(|h| *h == Hook::LeaderSettingsChanged)
            && (queue.contains(&Hook::Install) || queue.contains(&Hook::Start))
        {
            queue[pos] = Hook::LeaderElected;
            return;
        }
        self.enqueue(unit, Hook::LeaderElected);
    }

    /// What changes just before `hook` runs on `unit`: entering a
    /// relation's scope, a remote unit joining or departing. `false` when
    /// the hook no longer applies (its relation or remote unit is gone),
    /// and is then skipped.
    pub fn prepare(&mut self, unit: &str, hook: &Hook) -> bool {
        let Some(u) = self.model.units.get(unit) else {
            return false;
        };
        match hook {
            Hook::RelationCreated { relation } => {
                let live = self.model.relations.get(relation).is_some_and(|r| !r.dying);
                if !live || u.dying {
                    return false;
                }
                // A retried relation-created (after an error) is in already.
                if !u.scopes.contains_key(relation) {
                    self.enter_scope(unit, *relation);
                }
                true
            }
            Hook::RelationJoined {
                relation,
                unit: remote,
            } => {
                let remote_in_scope = self
                    .model
                    .units
                    .get(remote)
                    .is_some_and(|r| r.scopes.contains_key(relation));
                match self
                    .model
                    .units
                    .get_mut(unit)
                    .and_then(|u| u.scopes.get_mut(relation))
                {
                    Some(members) if remote_in_scope => {
                        members.insert(remote.clone());
                        true
                    }
                    _ => false,
                }
            }
            Hook::RelationChanged {
                relation,
                unit: remote,
            } => match (u.scopes.get(relation), remote) {
                (Some(members), Some(remote)) => members.contains(remote),
                (Some(_), None) => true,
                (None, _) => false,
            },
            // The departing unit is still listed by relation-list while
            // relation-departed runs, as Juju lists it; it leaves the
            // unit's view when the hook succeeds.
            Hook::RelationDeparted { relation, .. } => u.scopes.contains_key(relation),
            Hook::RelationBroken { relation } => u.scopes.contains_key(relation),
            _ => true,
        }
    }

    /// `unit` enters the scope of `relation`: its databag gets the keys
    /// Juju puts in every unit's databag, and every unit already in scope
    /// on the other side and this one each queue relation-joined then
    /// relation-changed for the other.
    fn enter_scope(&mut self, unit: &str, relation: u32) {
        let Some(u) = self.model.units.get_mut(unit) else {
            return;
        };
        u.scopes.entry(relation).or_default();
        let address = u.address.clone();
        if let Some(rel) = self.model.relations.get_mut(&relation) {
            let bag = rel.unit_data.entry(unit.to_owned()).or_default();
            fill_unit_databag_defaults(bag, &address);
        }
        for remote in self.model.remote_side(relation, unit) {
            if self.model.units.get(&remote).is_some_and(|r| r.dying) {
                continue;
            }
            for (a, b) in [(remote.as_str(), unit), (unit, remote.as_str())] {
                self.enqueue(
                    a,
                    Hook::RelationJoined {
                        relation,
                        unit: b.to_owned(),
                    },
                );
                self.enqueue(
                    a,
                    Hook::RelationChanged {
                        relation,
                        unit: Some(b.to_owned()),
                    },
                );
            }
        }
    }

    /// After `hook` succeeded on `unit`: apply its held writes, queue
    /// relation-changed on every unit that sees a changed databag, and do
    /// what the end of the hook means (a broken relation leaves the scope,
    /// a removed unit goes).
    pub fn commit(&mut self, active: ActiveHook) {
        let unit = active.unit.clone();
        if let Some((token, secrets)) = self.hook_secrets.take()
            && token == active.token
        {
            let before = std::mem::replace(&mut self.secrets, secrets);
            self.queue_secret_changed(&before);
        }
        for ((relation, bag), changes) in active.pending_data {
            let Some(rel) = self.model.relations.get_mut(&relation) else {
                continue;
            };
            let target = match &bag {
                Bag::Unit(u) => rel.unit_data.entry(u.clone()).or_default(),
                Bag::App(a) => rel.app_data.entry(a.clone()).or_default(),
            };
            let before = target.clone();
            for (k, v) in changes {
                if v.is_empty() {
                    target.remove(&k);
                } else {
                    target.insert(k, v);
                }
            }
            if *target == before {
                continue;
            }
            match bag {
                Bag::Unit(writer) => {
                    for remote in self.model.remote_side(relation, &writer) {
                        let sees = self.model.units.get(&remote).is_some_and(|r| {
                            r.scopes.get(&relation).is_some_and(|m| m.contains(&writer))
                        });
                        if sees {
                            self.enqueue(
                                &remote,
                                Hook::RelationChanged {
                                    relation,
                                    unit: Some(writer.clone()),
                                },
                            );
                        }
                    }
                }
                Bag::App(_) => {
                    for remote in self.model.remote_side(relation, &unit) {
                        self.enqueue(
                            &remote,
                            Hook::RelationChanged {
                                relation,
                                unit: None,
                            },
                        );
                    }
                }
            }
        }
        if let Some(u) = self.model.units.get_mut(&unit) {
            for (open, port) in active.pending_ports {
                if open {
                    u.ports.insert(port);
                } else {
                    u.ports.remove(&port);
                }
            }
        }
        match active.hook {
            Hook::RelationDeparted {
                relation,
                unit: remote,
                ..
            } => {
                if let Some(members) = self
                    .model
                    .units
                    .get_mut(&unit)
                    .and_then(|u| u.scopes.get_mut(&relation))
                {
                    members.remove(&remote);
                }
            }
            Hook::RelationBroken { relation } => {
                if let Some(u) = self.model.units.get_mut(&unit) {
                    u.scopes.remove(&relation);
                }
                self.forget_relation_if_done(relation);
            }
            Hook::Remove => self.forget_unit(&unit),
            _ => {}
        }
    }

    /// The end of `hook` (named `name`) on `unit`, as Juju's agent ends
    /// it: when it succeeded its held writes are committed and the unit is
    /// idle; a failed action only fails; a failed hook's writes are
    /// discarded, the unit goes into error naming it, and it is queued
    /// first again for when the unit is resolved.
    pub fn conclude(
        &mut self,
        unit: &str,
        hook: Hook,
        name: &str,
        active: Option<ActiveHook>,
        ok: bool,
    ) {
        let is_action = matches!(hook, Hook::Action { .. });
        if ok && let Some(active) = active {
            self.commit(active);
        }
        let agent = if ok || is_action {
            AgentStatus::Idle
        } else {
            AgentStatus::Error(name.to_owned())
        };
        if let Some(u) = self.model.units.get_mut(unit) {
            u.agent = agent;
        }
        if !ok && !is_action {
            self.queues
                .entry(unit.to_owned())
                .or_default()
                .push_front(hook);
        }
    }

    /// A dying relation no unit has in scope any more is deleted.
    fn forget_relation_if_done(&mut self, relation: u32) {
        let dying = self.model.relations.get(&relation).is_some_and(|r| r.dying);
        let in_scope = self
            .model
            .units
            .values()
            .any(|u| u.scopes.contains_key(&relation));
        if dying && !in_scope {
            self.model.relations.remove(&relation);
        }
    }

    /// The removed unit goes: its queue, its databags.
    fn forget_unit(&mut self, unit: &str) {
        let scopes: Vec<u32> = self
            .model
            .units
            .get(unit)
            .map(|u| u.scopes.keys().copied().collect())
            .unwrap_or_default();
        self.model.units.remove(unit);
        self.queues.remove(unit);
        for rel in self.model.relations.values_mut() {
            rel.unit_data.remove(unit);
        }
        for relation in scopes {
            self.forget_relation_if_done(relation);
        }
    }

    /// `leader-set` took effect: leader-settings-changed on the other
    /// units of the application.
    pub fn leader_settings_changed(&mut self, leader: &str) {
        let app = app_of(leader);
        for unit in self.model.units_of(app) {
            let dying = self.model.units.get(&unit).is_some_and(|u| u.dying);
            if unit != leader && !dying {
                self.enqueue(&unit, Hook::LeaderSettingsChanged);
            }
        }
    }

    /// `unit` is removed: the hooks it has yet to enter relations are
    /// dropped; every unit that sees it runs relation-departed; it runs
    /// relation-departed for each unit it sees, relation-broken for each
    /// relation, stop and remove. If it led, another unit is elected.
    pub fn remove_unit(&mut self, unit: &str) {
        let Some(u) = self.model.units.get_mut(unit) else {
            return;
        };
        u.dying = true;
        let scopes = u.scopes.clone();
        if let Some(queue) = self.queues.get_mut(unit) {
            queue.retain(|h| {
                !matches!(
                    h,
                    Hook::RelationCreated { .. }
                        | Hook::RelationJoined { .. }
                        | Hook::RelationChanged { .. }
                        | Hook::LeaderElected
                )
            });
        }
        for (&relation, members) in &scopes {
            for remote in self.model.remote_side(relation, unit) {
                self.depart(&remote, relation, unit, unit);
            }
            for member in members {
                self.enqueue(
                    unit,
                    Hook::RelationDeparted {
                        relation,
                        unit: member.clone(),
                        departing: unit.to_owned(),
                    },
                );
            }
            self.enqueue(unit, Hook::RelationBroken { relation });
        }
        self.enqueue(unit, Hook::Stop);
        self.enqueue(unit, Hook::Remove);
        let app = app_of(unit).to_owned();
        if self.model.is_leader(unit) {
            if let Some(a) = self.model.apps.get_mut(&app) {
                a.leader = None;
            }
            self.elect_leader(&app);
        }
    }

    /// `observer` learns that `gone` left `relation`: relation-departed,
    /// unless it had not yet run relation-joined for it (then neither
    /// runs).
    fn depart(&mut self, observer: &str, relation: u32, gone: &str, departing: &str) {
        let joined = Hook::RelationJoined {
            relation,
            unit: gone.to_owned(),
        };
        let queue = self.queues.entry(observer.to_owned()).or_default();
        if queue.contains(&joined) {
            queue.retain(|h| {
                *h != joined
                    && *h
                        != Hook::RelationChanged {
                            relation,
                            unit: Some(gone.to_owned()),
                        }
            });
            return;
        }
        queue.retain(|h| {
            *h != Hook::RelationChanged {
                relation,
                unit: Some(gone.to_owned()),
            }
        });
        self.enqueue(
            observer,
            Hook::RelationDeparted {
                relation,
                unit: gone.to_owned(),
                departing: departing.to_owned(),
            },
        );
    }

    /// The relation is removed: every unit in scope runs relation-departed
    /// for each unit it sees, then relation-broken.
    pub fn remove_relation(&mut self, relation: u32) {
        let Some(rel) = self.model.relations.get_mut(&relation) else {
            return;
        };
        rel.dying = true;
        let units: Vec<String> = self.model.units.keys().cloned().collect();
        for unit in units {
            if let Some(queue) = self.queues.get_mut(&unit) {
                queue.retain(|h| {
                    !matches!(h, Hook::RelationCreated { .. } | Hook::RelationJoined { .. } | Hook::RelationChanged { .. } if h.relation() == Some(relation))
                });
            }
            let members = match self
                .model
                .units
                .get(&unit)
                .and_then(|u| u.scopes.get(&relation))
            {
                Some(m) => m.clone(),
                None => continue,
            };
            for member in members {
                self.enqueue(
                    &unit,
                    Hook::RelationDeparted {
                        relation,
                        unit: member.clone(),
                        departing: member,
                    },
                );
            }
            self.enqueue(&unit, Hook::RelationBroken { relation });
        }
        self.forget_relation_if_done(relation);
    }

    /// The units that have a hook to run (not in error), by name.
    pub fn runnable(&self) -> Vec<String> {
        let mut units: Vec<(String, u32, String)> = self
            .queues
            .iter()
            .filter(|(_, q)| !q.is_empty())
            .filter(|(u, _)| {
                self.model
                    .units
                    .get(*u)
                    .is_some_and(|u| !matches!(u.agent, crate::model::AgentStatus::Error(_)))
            })
            .map(|(u, _)| (app_of(u).to_owned(), unit_number(u), u.clone()))
            .collect();
        units.sort();
        units.into_iter().map(|(_, _, u)| u).collect()
    }
}
