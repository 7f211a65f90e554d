//! What Juju runs: a hook, with its relation context, or an action.

use std::fmt;

use serde_json::{Map, Value};

use super::state::Relation;
use crate::backend::{RelationId, SecretId};
use crate::facts::SecretVars;

/// The five relation hooks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelationHook {
    /// `<endpoint>-relation-created`: the relation exists, no unit has
    /// joined yet.
    Created,
    /// `<endpoint>-relation-joined`: a remote unit joined.
    Joined,
    /// `<endpoint>-relation-changed`: a remote unit's (or, without one, the
    /// remote application's) data changed.
    Changed,
    /// `<endpoint>-relation-departed`: a remote unit is leaving.
    Departed,
    /// `<endpoint>-relation-broken`: the relation is gone.
    Broken,
}

impl RelationHook {
    /// Every relation hook.
    pub const ALL: [RelationHook; 5] = [
        RelationHook::Created,
        RelationHook::Joined,
        RelationHook::Changed,
        RelationHook::Departed,
        RelationHook::Broken,
    ];

    /// The hook name's suffix: `created`, `joined`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            RelationHook::Created => "created",
            RelationHook::Joined => "joined",
            RelationHook::Changed => "changed",
            RelationHook::Departed => "departed",
            RelationHook::Broken => "broken",
        }
    }
}

impl fmt::Display for RelationHook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The relation context of a relation hook, as Juju sets it in
/// `JUJU_RELATION`, `JUJU_RELATION_ID`, `JUJU_REMOTE_UNIT` and
/// `JUJU_REMOTE_APP`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationEvent {
    /// Which relation hook.
    pub hook: RelationHook,
    /// The relation (`JUJU_RELATION` is its endpoint).
    pub relation: RelationId,
    /// `JUJU_REMOTE_APP`.
    pub remote_app: String,
    /// `JUJU_REMOTE_UNIT`, for the hooks about one unit.
    pub remote_unit: Option<String>,
    /// In a `-relation-departed` hook, whether the unit under test is the
    /// one leaving (`JUJU_DEPARTING_UNIT` is then its own name, else the
    /// remote unit's).
    pub local_departs: bool,
}

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Hook(String),
    Relation(RelationEvent),
    Secret {
        hook: &'static str,
        secret: SecretVars,
    },
    Action {
        name: String,
        params: Map<String, Value>,
    },
}

/// A hook or action for [`Context::run`](super::Context::run).
///
/// ```
/// use charm_runtime::harness::{Event, Relation};
///
/// assert_eq!(Event::config_changed().name(), "config-changed");
/// let db = Relation::new("db", 3, "mysql").with_unit_data("mysql/0", [("host", "db")]);
/// let joined = Event::relation_joined(&db, "mysql/0");
/// assert_eq!(joined.name(), "db-relation-joined");
/// assert_eq!(joined.remote_unit(), Some("mysql/0"));
/// let backup = Event::action("backup", serde_json::json!({"target": "/srv"}));
/// assert_eq!(backup.action_name(), Some("backup"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    kind: Kind,
}

impl Event {
    /// The hook `name` (`pre-series-upgrade`, `collect-metrics`, ...). Use
    /// the relation constructors for relation hooks: they carry the
    /// relation context Juju sets.
    pub fn hook(name: impl Into<String>) -> Self {
        Self {
            kind: Kind::Hook(name.into()),
        }
    }

    /// `install`.
    pub fn install() -> Self {
        Self::hook("install")
    }

    /// `start`.
    pub fn start() -> Self {
        Self::hook("start")
    }

    /// `config-changed`.
    pub fn config_changed() -> Self {
        Self::hook("config-changed")
    }

    /// `update-status`.
    pub fn update_status() -> Self {
        Self::hook("update-status")
    }

    /// `upgrade-charm`.
    pub fn upgrade_charm() -> Self {
        Self::hook("upgrade-charm")
    }

    /// `leader-elected` (run only on the new leader).
    pub fn leader_elected() -> Self {
        Self::hook("leader-elected")
    }

    /// `leader-settings-changed` (run only on non-leaders).
    pub fn leader_settings_changed() -> Self {
        Self::hook("leader-settings-changed")
    }

    /// `stop`.
    pub fn stop() -> Self {
        Self::hook("stop")
    }

    /// `remove`.
    pub fn remove() -> Self {
        Self::hook("remove")
    }

    fn secret(
        hook: &'static str,
        id: &SecretId,
        label: Option<&str>,
        revision: Option<u32>,
    ) -> Self {
        Self {
            kind: Kind::Secret {
                hook,
                secret: SecretVars {
                    id: id.to_string(),
                    label: label.map(str::to_owned),
                    revision,
                },
            },
        }
    }

    /// `secret-changed`: a secret this unit reads (`label`, if it gave
    /// one) has a new revision.
    pub fn secret_changed(id: &SecretId, label: Option<&str>) -> Self {
        Self::secret("secret-changed", id, label, None)
    }

    /// `secret-rotate`: a secret this unit owns is due for rotation.
    pub fn secret_rotate(id: &SecretId, label: Option<&str>) -> Self {
        Self::secret("secret-rotate", id, label, None)
    }

    /// `secret-expired`: `revision` of a secret this unit owns expired.
    pub fn secret_expired(id: &SecretId, label: Option<&str>, revision: u32) -> Self {
        Self::secret("secret-expired", id, label, Some(revision))
    }

    /// `secret-remove`: nobody reads `revision` of a secret this unit owns
    /// any more.
    pub fn secret_remove(id: &SecretId, label: Option<&str>, revision: u32) -> Self {
        Self::secret("secret-remove", id, label, Some(revision))
    }

    fn relation(hook: RelationHook, relation: &Relation, remote_unit: Option<&str>) -> Self {
        Self {
            kind: Kind::Relation(RelationEvent {
                hook,
                relation: relation.relation_id(),
                remote_app: relation.remote_app.clone(),
                remote_unit: remote_unit.map(str::to_owned),
                local_departs: false,
            }),
        }
    }

    /// `<endpoint>-relation-created` of `relation` (no remote unit).
    pub fn relation_created(relation: &Relation) -> Self {
        Self::relation(RelationHook::Created, relation, None)
    }

    /// `<endpoint>-relation-joined`: `unit` joined `relation` (it must be
    /// one of the relation's remote units in the state).
    pub fn relation_joined(relation: &Relation, unit: &str) -> Self {
        Self::relation(RelationHook::Joined, relation, Some(unit))
    }

    /// `<endpoint>-relation-changed`: the data of `unit` changed.
    pub fn relation_changed(relation: &Relation, unit: &str) -> Self {
        Self::relation(RelationHook::Changed, relation, Some(unit))
    }

    /// `<endpoint>-relation-changed` for a change of the remote
    /// application's data: Juju sets no remote unit.
    pub fn relation_changed_app(relation: &Relation) -> Self {
        Self::relation(RelationHook::Changed, relation, None)
    }

    /// `<endpoint>-relation-departed`: `unit` (one of the relation's remote
    /// units in the state) is leaving. Juju still lists it during the hook;
    /// after a successful hook the output state no longer has it.
    pub fn relation_departed(relation: &Relation, unit: &str) -> Self {
        Self::relation(RelationHook::Departed, relation, Some(unit))
    }

    /// `<endpoint>-relation-departed` run because the unit under test is
    /// being removed: Juju runs it once for each remote unit (`unit`),
    /// with `JUJU_DEPARTING_UNIT` naming the unit under test rather than
    /// the remote one. Like [`relation_departed`](Self::relation_departed)
    /// the output state no longer has `unit`.
    ///
    /// ```
    /// use charm_runtime::harness::{Event, Relation};
    /// let cluster = Relation::peer("cluster", 1, "db").with_unit("db/1");
    /// let event = Event::relation_departed_self(&cluster, "db/1");
    /// assert!(event.relation_event().unwrap().local_departs);
    /// ```
    pub fn relation_departed_self(relation: &Relation, unit: &str) -> Self {
        let mut event = Self::relation(RelationHook::Departed, relation, Some(unit));
        if let Kind::Relation(r) = &mut event.kind {
            r.local_departs = true;
        }
        event
    }

    /// `<endpoint>-relation-broken`: `relation` is gone. Every remote unit
    /// has departed by then, so the hook sees none; after a successful
    /// hook the output state no longer has the relation.
    pub fn relation_broken(relation: &Relation) -> Self {
        Self::relation(RelationHook::Broken, relation, None)
    }

    /// The action `name` with `params` (a JSON object; `null` for none).
    /// Parameters the action declares with a default and `params` lacks
    /// get their default, as Juju fills them in.
    ///
    /// # Panics
    ///
    /// When `params` is neither a JSON object nor `null`.
    pub fn action(name: impl Into<String>, params: Value) -> Self {
        let params = match params {
            Value::Object(map) => map,
            Value::Null => Map::new(),
            other => panic!("action parameters must be a JSON object, not {other}"),
        };
        Self {
            kind: Kind::Action {
                name: name.into(),
                params,
            },
        }
    }

    /// The hook name (`db-relation-joined`), or the action name.
    pub fn name(&self) -> String {
        match &self.kind {
            Kind::Hook(name) | Kind::Action { name, .. } => name.clone(),
            Kind::Secret { hook, .. } => (*hook).to_owned(),
            Kind::Relation(r) => format!("{}-relation-{}", r.relation.endpoint, r.hook),
        }
    }

    /// The relation context, for a relation hook.
    pub fn relation_event(&self) -> Option<&RelationEvent> {
        match &self.kind {
            Kind::Relation(r) => Some(r),
            _ => None,
        }
    }

    /// The relation of a relation hook.
    pub fn relation_id(&self) -> Option<&RelationId> {
        self.relation_event().map(|r| &r.relation)
    }

    /// `JUJU_REMOTE_UNIT`, if Juju sets one for this hook.
    pub fn remote_unit(&self) -> Option<&str> {
        self.relation_event()?.remote_unit.as_deref()
    }

    /// The secret of a `secret-*` hook (`JUJU_SECRET_*`).
    pub fn secret_vars(&self) -> Option<&SecretVars> {
        match &self.kind {
            Kind::Secret { secret, .. } => Some(secret),
            _ => None,
        }
    }

    /// The action's name, for an action.
    pub fn action_name(&self) -> Option<&str> {
        match &self.kind {
            Kind::Action { name, .. } => Some(name),
            _ => None,
        }
    }

    /// The parameters given to an action (before defaults are filled in).
    pub fn action_params(&self) -> Option<&Map<String, Value>> {
        match &self.kind {
            Kind::Action { params, .. } => Some(params),
            _ => None,
        }
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Hook(name) => write!(f, "hook {name}"),
            Kind::Relation(r) => {
                write!(
                    f,
                    "hook {}-relation-{} ({}",
                    r.relation.endpoint, r.hook, r.relation
                )?;
                if let Some(unit) = &r.remote_unit {
                    write!(f, ", remote unit {unit}")?;
                }
                f.write_str(")")
            }
            Kind::Secret { hook, secret } => {
                write!(f, "hook {hook} ({}", secret.id)?;
                if let Some(revision) = secret.revision {
                    write!(f, ", revision {revision}")?;
                }
                f.write_str(")")
            }
            Kind::Action { name, .. } => write!(f, "action {name}"),
        }
    }
}
