//! Several units of one application in-process, on a peer relation: what
//! one unit writes the others see, with the hooks Juju would run for it.

use std::collections::{BTreeMap, VecDeque};

mod error;
mod pending;

pub use error::PeersError;
use pending::Pending;

use super::context::Context;
use super::event::Event;
use super::output::Output;
use super::state::{Bag, DEFAULT_PRIVATE_ADDRESS, Relation, State};
use crate::backend::MemorySecrets;
use crate::facts::fill_unit_databag_defaults;
use crate::metadata::Role;

struct Member {
    state: State,
    scripted: bool,
    leaving: bool,
}

/// Units of one application running in-process on its peer relation, as
/// Juju would run them: the unit under test is no longer alone with
/// hand-written peer databags.
///
/// Each unit has its own [`State`] and runs the charm through the same
/// [`Context`]. What one unit writes reaches the others with the hooks
/// Juju runs for it: a unit entering the relation is joined (then
/// changed) by every unit and joins each of them; a change of its
/// databag queues `-relation-changed` on the units that joined it; the
/// leader's writes to the application databag queue an application
/// `-relation-changed`, to the leadership settings
/// `leader-settings-changed` on the others; a removed unit departs
/// (`JUJU_DEPARTING_UNIT` naming it on both sides) and its relation
/// breaks; when the leader goes, the first remaining unit is elected.
/// Every unit's databag starts with the keys Juju puts there
/// (`private-address`, `ingress-address`, `egress-subnets`, from its
/// `private-address`, see [`crate::facts::unit_databag_defaults`]).
///
/// A *scripted* unit ([`add_scripted_unit`](Self::add_scripted_unit))
/// runs no hooks: the test writes its databag
/// ([`set_unit_data`](Self::set_unit_data)), and the other units see the
/// change as from a real one.
///
/// ```
/// use charm_runtime::harness::{Context, Event, Peers, State};
/// use charm_runtime::{Handler, HookContext, Registry};
///
/// let mut registry = Registry::new();
/// registry
///     .add(Handler::new("db::publish", |ctx: &HookContext| -> Result<(), charm_runtime::Error> {
///         for relation in ctx.endpoint("cluster")?.relations()? {
///             relation.to_publish().set("ready", &true)?;
///         }
///         Ok(())
///     })
///     .when(["endpoint.cluster.joined"]))
///     .unwrap();
/// let ctx = Context::from_yaml("name: db\npeers: {cluster: {interface: db-peers}}\n", registry).unwrap();
/// let mut peers = Peers::new(ctx, "cluster", 1).unwrap();
/// peers.add_unit(State::new().with_unit("db/0").with_leader(true).with_address("private-address", "10.0.0.1")).unwrap();
/// peers.add_unit(State::new().with_unit("db/1").with_address("private-address", "10.0.0.2")).unwrap();
/// assert_eq!(peers.queued("db/0"), ["cluster-relation-joined (db/1)", "cluster-relation-changed (db/1)"]);
/// peers.settle().unwrap();
/// // Each sees the other's write, and the keys Juju put in its databag.
/// let seen = peers.state("db/1").unwrap().relation(1).unwrap();
/// assert_eq!(seen.remote_unit_value("db/0", "ready"), Some(true.into()));
/// assert_eq!(seen.remote_unit_data("db/0").unwrap()["ingress-address"], "10.0.0.1");
/// ```
pub struct Peers {
    ctx: Context,
    endpoint: String,
    relation: u32,
    app: String,
    units: BTreeMap<String, Member>,
    gone: BTreeMap<String, State>,
    queue: VecDeque<(String, Pending)>,
    app_data: Bag,
    leader_settings: Bag,
    /// The model's secrets, shared by the units.
    secrets: MemorySecrets,
    history: Vec<(String, Output)>,
}

impl std::fmt::Debug for Peers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Peers")
            .field("endpoint", &self.endpoint)
            .field("relation", &self.relation)
            .field("units", &self.units.keys().collect::<Vec<_>>())
            .field("queue", &self.queue)
            .finish_non_exhaustive()
    }
}

/// The most hooks [`Peers::settle`] runs before giving up.
const SETTLE_LIMIT: usize = 10_000;

impl Peers {
    /// No units yet of the charm of `ctx`, whose peer endpoint `endpoint`
    /// is the relation numbered `relation`.
    pub fn new(ctx: Context, endpoint: &str, relation: u32) -> Result<Self, PeersError> {
        let meta = ctx.metadata();
        if meta.endpoint(endpoint).map(|e| e.role) != Some(Role::Peers) {
            let peers: Vec<&str> = meta
                .endpoints
                .values()
                .filter(|e| e.role == Role::Peers)
                .map(|e| e.name.as_str())
                .collect();
            return Err(PeersError::NotPeer {
                endpoint: endpoint.to_owned(),
                charm: meta.name.clone(),
                peers: if peers.is_empty() {
                    "none".to_owned()
                } else {
                    peers.join(", ")
                },
            });
        }
        let app = meta.name.clone();
        Ok(Self {
            ctx,
            endpoint: endpoint.to_owned(),
            relation,
            app,
            units: BTreeMap::new(),
            gone: BTreeMap::new(),
            queue: VecDeque::new(),
            app_data: Bag::new(),
            leader_settings: Bag::new(),
            secrets: MemorySecrets::default(),
            history: Vec::new(),
        })
    }

    /// Add the unit `state` names (`State::with_unit`), which runs the
    /// charm's hooks: it enters the peer relation (see the type's
    /// documentation for the hooks queued). Its install and other
    /// lifecycle hooks are the test's to run ([`run`](Self::run)).
    pub fn add_unit(&mut self, state: State) -> Result<String, PeersError> {
        self.enter(state, false)
    }

    /// Add the unit `unit` at `address`, whose hooks do not run: a peer
    /// whose databag the test writes with
    /// [`set_unit_data`](Self::set_unit_data).
    pub fn add_scripted_unit(&mut self, unit: &str, address: &str) -> Result<String, PeersError> {
        let state = State::new()
            .with_unit(unit)
            .with_address("private-address", address);
        self.enter(state, true)
    }

    fn enter(&mut self, mut state: State, scripted: bool) -> Result<String, PeersError> {
        let unit = state.unit.clone().unwrap_or_default();
        let ours = unit
            .rsplit_once('/')
            .is_some_and(|(app, n)| app == self.app && n.parse::<u32>().is_ok());
        if !ours {
            return Err(PeersError::WrongApp {
                unit,
                app: self.app.clone(),
            });
        }
        if self.units.contains_key(&unit) || self.gone.contains_key(&unit) {
            return Err(PeersError::Duplicate(unit));
        }
        if state.leader
            && let Some(current) = self.leader()
        {
            return Err(PeersError::TwoLeaders {
                new: unit,
                current: current.to_owned(),
            });
        }
        let address = state
            .addresses
            .get("private-address")
            .cloned()
            .unwrap_or_else(|| DEFAULT_PRIVATE_ADDRESS.to_owned());
        let mut local = state
            .relation(self.relation)
            .map(|r| r.local_unit_data.clone())
            .unwrap_or_default();
        fill_unit_databag_defaults(&mut local, &address);
        state.relations.retain(|r| r.id != self.relation);
        state.relations.push(
            Relation::peer(self.endpoint.clone(), self.relation, self.app.clone())
                .with_local_unit_data(local)
                .with_local_app_data(self.app_data.clone()),
        );
        state.leader_settings = self.leader_settings.clone();
        state.secrets = self.secrets.clone();
        let others: Vec<String> = self
            .units
            .iter()
            .filter(|(_, m)| !m.leaving)
            .map(|(u, _)| u.clone())
            .collect();
        self.units.insert(
            unit.clone(),
            Member {
                state,
                scripted,
                leaving: false,
            },
        );
        for other in others {
            self.enqueue(&other, Pending::Joined(unit.clone()));
            self.enqueue(&other, Pending::Changed(unit.clone()));
            self.enqueue(&unit, Pending::Joined(other.clone()));
            self.enqueue(&unit, Pending::Changed(other));
        }
        Ok(unit)
    }

    /// Remove `unit`: every unit that joined it runs `-relation-departed`
    /// for it, and it runs `-relation-departed` for each of them (with
    /// itself as `JUJU_DEPARTING_UNIT`), then `-relation-broken`, after
    /// which it is gone ([`removed`](Self::removed) keeps its last state).
    pub fn remove_unit(&mut self, unit: &str) -> Result<(), PeersError> {
        let scripted = self.member(unit)?.scripted;
        // What was queued about the unit, or for it, will not run.
        self.queue.retain(|(u, p)| {
            u != unit && !matches!(p, Pending::Joined(r) | Pending::Changed(r) if r == unit)
        });
        let others: Vec<String> = self.units.keys().filter(|u| *u != unit).cloned().collect();
        for other in &others {
            if self.joined(other, unit) {
                self.enqueue(other, Pending::Departed(unit.to_owned()));
            }
        }
        if scripted {
            if let Some(m) = self.units.remove(unit) {
                let led = m.state.leader;
                self.gone.insert(unit.to_owned(), m.state);
                if led {
                    self.elect_another();
                }
            }
            return Ok(());
        }
        let joined: Vec<String> = self
            .member(unit)?
            .state
            .relation(self.relation)
            .map(|r| r.remote_units.keys().cloned().collect())
            .unwrap_or_default();
        for remote in joined {
            self.enqueue(unit, Pending::DepartedSelf(remote));
        }
        self.enqueue(unit, Pending::Broken);
        if let Some(m) = self.units.get_mut(unit) {
            m.leaving = true;
        }
        Ok(())
    }

    /// The leader has gone: Juju elects another unit, here the first
    /// remaining one in name order, which runs `leader-elected`.
    fn elect_another(&mut self) {
        let next = self
            .units
            .iter()
            .find(|(_, m)| !m.leaving)
            .map(|(u, _)| u.clone());
        if let Some(next) = next {
            // The unit exists: set_leader cannot fail here.
            let _ = self.set_leader(&next);
        }
    }

    /// Make `unit` the leader: it runs `leader-elected`; the former
    /// leader, if any, is one no longer.
    pub fn set_leader(&mut self, unit: &str) -> Result<(), PeersError> {
        self.member(unit)?;
        for (name, m) in &mut self.units {
            m.state.leader = name == unit;
        }
        self.enqueue(unit, Pending::LeaderElected);
        Ok(())
    }

    /// The scripted unit `unit` sets `key` to the raw `value` in its
    /// databag (an empty value deletes it, as `relation-set` does): the
    /// units that joined it run `-relation-changed`.
    pub fn set_unit_data(
        &mut self,
        unit: &str,
        key: &str,
        value: impl Into<String>,
    ) -> Result<(), PeersError> {
        let m = self.member(unit)?;
        if !m.scripted {
            return Err(PeersError::NotScripted(unit.to_owned()));
        }
        let before = local_bag(&m.state, self.relation);
        let mut bag = before.clone();
        let value = value.into();
        if value.is_empty() {
            bag.remove(key);
        } else {
            bag.insert(key.to_owned(), value);
        }
        self.publish(unit, before, bag);
        Ok(())
    }

    /// The scripted unit `unit`'s databag becomes `data` with the keys
    /// Juju put there kept (see [`set_unit_data`](Self::set_unit_data)).
    pub fn replace_unit_data<K: Into<String>, V: Into<String>>(
        &mut self,
        unit: &str,
        data: impl IntoIterator<Item = (K, V)>,
    ) -> Result<(), PeersError> {
        let m = self.member(unit)?;
        if !m.scripted {
            return Err(PeersError::NotScripted(unit.to_owned()));
        }
        let before = local_bag(&m.state, self.relation);
        let address = m
            .state
            .addresses
            .get("private-address")
            .cloned()
            .unwrap_or_else(|| DEFAULT_PRIVATE_ADDRESS.to_owned());
        let mut bag: Bag = data
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        fill_unit_databag_defaults(&mut bag, &address);
        self.publish(unit, before, bag);
        Ok(())
    }

    /// Replace the databag of `unit` and queue `-relation-changed` on the
    /// units that joined it, if it changed.
    fn publish(&mut self, unit: &str, before: Bag, after: Bag) {
        if before == after {
            return;
        }
        if let Some(m) = self.units.get_mut(unit)
            && let Some(rel) = m.state.relations.iter_mut().find(|r| r.id == self.relation)
        {
            rel.local_unit_data = after.clone();
        }
        self.publish_from(unit, before, after);
    }

    /// Whether `unit` joined `remote` already, or will (its joined hook is
    /// queued).
    fn joined(&self, unit: &str, remote: &str) -> bool {
        let in_state = self.units.get(unit).is_some_and(|m| {
            m.state
                .relation(self.relation)
                .is_some_and(|r| r.remote_units.contains_key(remote))
        });
        in_state
            || self
                .queue
                .iter()
                .any(|(u, p)| u == unit && *p == Pending::Joined(remote.to_owned()))
    }

    /// Queue `pending` for `unit`, unless it runs no hooks or the same hook
    /// is already waiting (Juju runs one hook for several changes).
    fn enqueue(&mut self, unit: &str, pending: Pending) {
        if self.units.get(unit).is_none_or(|m| m.scripted) {
            return;
        }
        let dup = matches!(
            pending,
            Pending::Changed(_) | Pending::AppChanged | Pending::LeaderSettingsChanged
        ) && self.queue.iter().any(|(u, p)| u == unit && *p == pending);
        if !dup {
            self.queue.push_back((unit.to_owned(), pending));
        }
    }

    fn no_unit(&self, unit: &str) -> PeersError {
        PeersError::NoUnit {
            unit: unit.to_owned(),
            units: self.units.keys().cloned().collect::<Vec<_>>().join(", "),
        }
    }

    fn member(&self, unit: &str) -> Result<&Member, PeersError> {
        self.units.get(unit).ok_or_else(|| self.no_unit(unit))
    }

    fn member_mut(&mut self, unit: &str) -> Result<&mut Member, PeersError> {
        if !self.units.contains_key(unit) {
            return Err(self.no_unit(unit));
        }
        self.units.get_mut(unit).ok_or_else(|| PeersError::NoUnit {
            unit: unit.to_owned(),
            units: String::new(),
        })
    }

    /// Change the state of `unit` between hooks, as the operator or Juju
    /// would (its config, its address). Its peer relation, leadership
    /// settings and application databag are the application's: they are
    /// set again from the other units when its next hook runs.
    pub fn state_mut(&mut self, unit: &str) -> Result<&mut State, PeersError> {
        Ok(&mut self.member_mut(unit)?.state)
    }

    /// A scripted leader sets the leadership setting `key` to `value` (an
    /// empty value deletes it): the units that are not the leader run
    /// `leader-settings-changed`.
    pub fn set_leader_setting(&mut self, key: &str, value: impl Into<String>) {
        let value = value.into();
        let before = self.leader_settings.clone();
        if value.is_empty() {
            self.leader_settings.remove(key);
        } else {
            self.leader_settings.insert(key.to_owned(), value);
        }
        if before == self.leader_settings {
            return;
        }
        let followers: Vec<String> = self
            .units
            .iter()
            .filter(|(_, m)| !m.state.leader)
            .map(|(u, _)| u.clone())
            .collect();
        for unit in followers {
            self.enqueue(&unit, Pending::LeaderSettingsChanged);
        }
    }

    /// The charm under test.
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// The model's Juju secrets, which every unit shares (what their
    /// successful hooks added, set, granted or removed).
    pub fn secrets(&self) -> &MemorySecrets {
        &self.secrets
    }

    /// The leader, if a unit is.
    pub fn leader(&self) -> Option<&str> {
        self.units
            .iter()
            .find(|(_, m)| m.state.leader)
            .map(|(u, _)| u.as_str())
    }

    /// The units, in name order (leaving ones included until their
    /// relation-broken ran).
    pub fn units(&self) -> Vec<&str> {
        self.units.keys().map(String::as_str).collect()
    }

    /// The state of `unit` as of its last hook.
    pub fn state(&self, unit: &str) -> Option<&State> {
        self.units.get(unit).map(|m| &m.state)
    }

    /// The last state of a removed unit.
    pub fn removed(&self, unit: &str) -> Option<&State> {
        self.gone.get(unit)
    }

    /// The hooks queued for `unit`, in order (`cluster-relation-joined
    /// (db/1)`).
    pub fn queued(&self, unit: &str) -> Vec<String> {
        self.queue
            .iter()
            .filter(|(u, _)| u == unit)
            .map(|(_, p)| p.name(&self.endpoint))
            .collect()
    }

    /// Every hook run so far, with its unit.
    pub fn history(&self) -> &[(String, Output)] {
        &self.history
    }

    /// The output of the last hook `unit` ran.
    pub fn last(&self, unit: &str) -> Option<&Output> {
        self.history
            .iter()
            .rev()
            .find(|(u, _)| u == unit)
            .map(|(_, o)| o)
    }

    /// Run `event` on `unit` now, outside the queue: its install, config
    /// change, action, or a relation hook the test builds itself. The
    /// unit sees its peers' databags as they now stand; what it writes
    /// reaches them. A failed hook changes nothing (see
    /// [`Output::error`]).
    pub fn run(&mut self, unit: &str, event: Event) -> Result<&Output, PeersError> {
        self.run_on(unit, event, None)
    }

    /// Run the first hook queued for `unit`, if any.
    pub fn run_next(&mut self, unit: &str) -> Result<Option<&Output>, PeersError> {
        if self.member(unit)?.scripted {
            return Err(PeersError::Scripted(unit.to_owned()));
        }
        let Some(i) = self.queue.iter().position(|(u, _)| u == unit) else {
            return Ok(None);
        };
        let Some((_, pending)) = self.queue.remove(i) else {
            return Ok(None);
        };
        self.run_pending(unit, pending)
    }

    /// Run queued hooks, first queued first, until none is left: the
    /// number run. Stops at the first hook that fails.
    pub fn settle(&mut self) -> Result<usize, PeersError> {
        let mut ran = 0;
        while let Some((unit, pending)) = self.queue.pop_front() {
            if ran == SETTLE_LIMIT {
                return Err(PeersError::Unsettled(ran));
            }
            let Some(out) = self.run_pending(&unit, pending)? else {
                continue;
            };
            ran += 1;
            if let Some(error) = &out.error {
                return Err(PeersError::HookFailed {
                    unit,
                    hook: out.hook.clone(),
                    error: error.to_string(),
                });
            }
        }
        Ok(ran)
    }

    /// Turn `pending` into the event it is for `unit` now, and run it;
    /// `None` when it no longer applies (its remote unit has gone).
    fn run_pending(&mut self, unit: &str, pending: Pending) -> Result<Option<&Output>, PeersError> {
        let relation = self.relation;
        let m = self.member_mut(unit)?;
        let Some(rel) = m.state.relations.iter_mut().find(|r| r.id == relation) else {
            return Ok(None);
        };
        if let Pending::Joined(remote) = &pending {
            rel.remote_units.entry(remote.clone()).or_default();
        }
        if let Some(remote) = pending.about()
            && !rel.remote_units.contains_key(remote)
        {
            return Ok(None);
        }
        let rel = rel.clone();
        let event = match &pending {
            Pending::Joined(r) => Event::relation_joined(&rel, r),
            Pending::Changed(r) => Event::relation_changed(&rel, r),
            Pending::AppChanged => Event::relation_changed_app(&rel),
            Pending::Departed(r) => Event::relation_departed(&rel, r),
            Pending::DepartedSelf(r) => {
                if !rel.remote_units.contains_key(r) {
                    return Ok(None);
                }
                Event::relation_departed_self(&rel, r)
            }
            Pending::Broken => Event::relation_broken(&rel),
            Pending::LeaderElected if !m.state.leader => return Ok(None),
            Pending::LeaderElected => Event::leader_elected(),
            Pending::LeaderSettingsChanged if m.state.leader => return Ok(None),
            Pending::LeaderSettingsChanged => Event::leader_settings_changed(),
        };
        let broken = pending == Pending::Broken;
        self.run_on(unit, event, Some(broken)).map(Some)
    }

    fn run_on(
        &mut self,
        unit: &str,
        event: Event,
        broken: Option<bool>,
    ) -> Result<&Output, PeersError> {
        if self.member(unit)?.scripted {
            return Err(PeersError::Scripted(unit.to_owned()));
        }
        // The unit sees the relation as it now stands.
        let bags: BTreeMap<String, Bag> = self
            .units
            .iter()
            .map(|(u, m)| (u.clone(), local_bag(&m.state, self.relation)))
            .collect();
        let relation = self.relation;
        let app_data = self.app_data.clone();
        let settings = self.leader_settings.clone();
        let relation_units = &mut self.units;
        let m = relation_units
            .get_mut(unit)
            .ok_or_else(|| PeersError::NoUnit {
                unit: unit.to_owned(),
                units: String::new(),
            })?;
        let ctx = &self.ctx;
        m.state.leader_settings = settings.clone();
        m.state.secrets = self.secrets.clone();
        if let Some(rel) = m.state.relations.iter_mut().find(|r| r.id == relation) {
            for (remote, bag) in &mut rel.remote_units {
                if let Some(now) = bags.get(remote) {
                    bag.clone_from(now);
                }
            }
            rel.local_app_data = app_data.clone();
        }
        let before = local_bag(&m.state, relation);
        let out = ctx.run(event, &m.state)?;
        if out.is_ok() {
            let mut new_state = out.state.clone();
            let after = local_bag(&new_state, relation);
            let new_app = new_state
                .relation(relation)
                .map(|r| r.local_app_data.clone())
                .unwrap_or(app_data.clone());
            let new_settings = new_state.leader_settings.clone();
            self.secrets = new_state.secrets.clone();
            if broken == Some(true) {
                // The relation is gone for this unit, and the unit with it.
                new_state.relations.retain(|r| r.id != relation);
                self.units.remove(unit);
                let led = new_state.leader;
                self.gone.insert(unit.to_owned(), new_state);
                if led {
                    self.elect_another();
                }
            } else {
                self.member_mut(unit)?.state = new_state;
                self.publish_from(unit, before, after);
            }
            if new_app != app_data {
                self.app_data = new_app;
                let others: Vec<String> =
                    self.units.keys().filter(|u| *u != unit).cloned().collect();
                for other in others {
                    self.enqueue(&other, Pending::AppChanged);
                }
            }
            if new_settings != settings {
                self.leader_settings = new_settings;
                let others: Vec<String> = self
                    .units
                    .iter()
                    .filter(|(u, m)| *u != unit && !m.state.leader)
                    .map(|(u, _)| u.clone())
                    .collect();
                for other in others {
                    self.enqueue(&other, Pending::LeaderSettingsChanged);
                }
            }
        }
        let at = self.history.len();
        self.history.push((unit.to_owned(), out));
        Ok(&self.history[at].1)
    }

    /// Queue `-relation-changed` for `unit`'s watchers when its databag
    /// went from `before` to `after` in its own hook.
    fn publish_from(&mut self, unit: &str, before: Bag, after: Bag) {
        if before == after {
            return;
        }
        let watchers: Vec<String> = self
            .units
            .keys()
            .filter(|u| *u != unit && self.joined(u, unit))
            .cloned()
            .collect();
        for w in watchers {
            self.enqueue(&w, Pending::Changed(unit.to_owned()));
        }
    }
}

/// The databag of the unit of `state` on `relation`.
fn local_bag(state: &State, relation: u32) -> Bag {
    state
        .relation(relation)
        .map(|r| r.local_unit_data.clone())
        .unwrap_or_default()
}
