//! The hooks Juju fires, as the engine queues them.

use std::fmt;

/// A hook queued for a unit. Relation hooks carry the relation's id number
/// and, where Juju sets one, the remote unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Hook {
    /// `install`.
    Install,
    /// `leader-elected`: this unit became the leader.
    LeaderElected,
    /// `leader-settings-changed`: the leader settings changed (non-leaders).
    LeaderSettingsChanged,
    /// `config-changed`.
    ConfigChanged,
    /// `start`.
    Start,
    /// `update-status`.
    UpdateStatus,
    /// `upgrade-charm`: the application's charm was replaced.
    UpgradeCharm,
    /// `stop`: the unit is being removed.
    Stop,
    /// `remove`: the last hook of a removed unit.
    Remove,
    /// `<endpoint>-relation-created`: the unit enters the relation.
    RelationCreated {
        /// The relation.
        relation: u32,
    },
    /// `<endpoint>-relation-joined`: `unit` joined.
    RelationJoined {
        /// The relation.
        relation: u32,
        /// The remote unit.
        unit: String,
    },
    /// `<endpoint>-relation-changed`: the databag of `unit` (or, with no
    /// unit, the remote application's) changed.
    RelationChanged {
        /// The relation.
        relation: u32,
        /// The remote unit, `None` for an application databag change.
        unit: Option<String>,
    },
    /// `<endpoint>-relation-departed`: `unit` left; `departing` is
    /// `JUJU_DEPARTING_UNIT`.
    RelationDeparted {
        /// The relation.
        relation: u32,
        /// The remote unit that left.
        unit: String,
        /// The unit that is going away (the remote one, or this one when
        /// this unit is removed).
        departing: String,
    },
    /// `<endpoint>-relation-broken`: the relation is gone for this unit.
    RelationBroken {
        /// The relation.
        relation: u32,
    },
    /// `secret-changed`: a secret this unit reads has a revision newer
    /// than the one it tracks.
    SecretChanged {
        /// The secret (`JUJU_SECRET_ID`).
        id: String,
    },
    /// An action (`actions/<name>`), run at once by
    /// [`crate::Simulation::run_action`], never queued.
    Action {
        /// The action's name.
        name: String,
    },
}

impl Hook {
    /// The relation of a relation hook.
    pub fn relation(&self) -> Option<u32> {
        match self {
            Hook::RelationCreated { relation }
            | Hook::RelationJoined { relation, .. }
            | Hook::RelationChanged { relation, .. }
            | Hook::RelationDeparted { relation, .. }
            | Hook::RelationBroken { relation } => Some(*relation),
            _ => None,
        }
    }

    /// The remote unit (`JUJU_REMOTE_UNIT`) of a relation hook.
    pub fn remote_unit(&self) -> Option<&str> {
        match self {
            Hook::RelationJoined { unit, .. } | Hook::RelationDeparted { unit, .. } => Some(unit),
            Hook::RelationChanged { unit, .. } => unit.as_deref(),
            _ => None,
        }
    }

    /// The kind, as the suffix of the hook's name (`install`,
    /// `relation-joined`).
    pub fn kind(&self) -> &str {
        match self {
            Hook::Install => "install",
            Hook::LeaderElected => "leader-elected",
            Hook::LeaderSettingsChanged => "leader-settings-changed",
            Hook::ConfigChanged => "config-changed",
            Hook::Start => "start",
            Hook::UpdateStatus => "update-status",
            Hook::UpgradeCharm => "upgrade-charm",
            Hook::Stop => "stop",
            Hook::Remove => "remove",
            Hook::RelationCreated { .. } => "relation-created",
            Hook::RelationJoined { .. } => "relation-joined",
            Hook::RelationChanged { .. } => "relation-changed",
            Hook::RelationDeparted { .. } => "relation-departed",
            Hook::RelationBroken { .. } => "relation-broken",
            Hook::SecretChanged { .. } => "secret-changed",
            Hook::Action { name } => name,
        }
    }
}

impl fmt::Display for Hook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.relation() {
            Some(id) => write!(f, "{} (relation {id})", self.kind()),
            None => f.write_str(self.kind()),
        }
    }
}
