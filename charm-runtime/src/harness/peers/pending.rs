//! The hooks Juju queues for a unit of [`Peers`](super::Peers).

/// A hook Juju queued for a unit, turned into an
/// [`Event`](crate::harness::Event) when it runs (the relation as it then
/// stands).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Pending {
    /// The unit joined.
    Joined(String),
    /// The unit's databag changed.
    Changed(String),
    /// The application databag changed.
    AppChanged,
    /// The unit departs.
    Departed(String),
    /// This unit departs from the unit (it is being removed).
    DepartedSelf(String),
    /// The relation is gone for this unit.
    Broken,
    /// This unit became the leader.
    LeaderElected,
    /// The leadership settings changed.
    LeaderSettingsChanged,
}

impl Pending {
    pub(super) fn name(&self, endpoint: &str) -> String {
        match self {
            Pending::Joined(u) => format!("{endpoint}-relation-joined ({u})"),
            Pending::Changed(u) => format!("{endpoint}-relation-changed ({u})"),
            Pending::AppChanged => format!("{endpoint}-relation-changed"),
            Pending::Departed(u) | Pending::DepartedSelf(u) => {
                format!("{endpoint}-relation-departed ({u})")
            }
            Pending::Broken => format!("{endpoint}-relation-broken"),
            Pending::LeaderElected => "leader-elected".to_owned(),
            Pending::LeaderSettingsChanged => "leader-settings-changed".to_owned(),
        }
    }

    /// The remote unit the hook is about, if any.
    pub(super) fn about(&self) -> Option<&str> {
        match self {
            Pending::Joined(u) | Pending::Changed(u) | Pending::Departed(u) => Some(u),
            _ => None,
        }
    }
}
