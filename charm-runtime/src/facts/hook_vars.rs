//! The environment Juju gives a hook.

use crate::backend::RelationId;
use crate::env::Invoked;

/// The relation context of a relation hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RelationVars {
    /// The relation (`JUJU_RELATION` is its endpoint, `JUJU_RELATION_ID`
    /// its `endpoint:number`).
    pub relation: RelationId,
    /// `JUJU_REMOTE_APP`.
    pub remote_app: String,
    /// `JUJU_REMOTE_UNIT`, for the hooks about one unit.
    pub remote_unit: Option<String>,
    /// The unit leaving, in a `-relation-departed` hook: `None` is the
    /// remote unit (it leaves); this unit's name when it is the one being
    /// removed.
    pub departing_unit: Option<String>,
}

/// The secret of a `secret-*` hook: `JUJU_SECRET_ID`, and
/// `JUJU_SECRET_LABEL` and `JUJU_SECRET_REVISION` when Juju sets them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretVars {
    /// The secret's id.
    pub id: String,
    /// The label the unit gave it.
    pub label: Option<String>,
    /// The revision concerned (`secret-expired`, `secret-remove`).
    pub revision: Option<u32>,
}

/// The Juju-specific variables of a hook's environment: what Juju sets
/// from the unit, the hook or action, the relation context and the
/// principal of a subordinate. The harness reads them back into a
/// [`HookEnv`](crate::env::HookEnv) with the same parser a charm uses
/// under Juju; the simulator sets them on the charm's process.
///
/// ```
/// use charm_runtime::backend::RelationId;
/// use charm_runtime::facts::HookVars;
///
/// let vars = HookVars::hook("nrpe/0", "monitors-relation-departed")
///     .with_relation(RelationId::new("monitors", 4), "web", Some("web/1"))
///     .with_principal(Some("web/0"));
/// let vars = vars.vars();
/// let get = |k: &str| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str());
/// assert_eq!(get("JUJU_DISPATCH_PATH"), Some("hooks/monitors-relation-departed"));
/// assert_eq!(get("JUJU_RELATION_ID"), Some("monitors:4"));
/// // By default the remote unit is the one departing.
/// assert_eq!(get("JUJU_DEPARTING_UNIT"), Some("web/1"));
/// assert_eq!(get("JUJU_PRINCIPAL_UNIT"), Some("web/0"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookVars {
    /// `JUJU_UNIT_NAME`.
    pub unit: String,
    /// The hook or action (`JUJU_DISPATCH_PATH`, `JUJU_HOOK_NAME` or
    /// `JUJU_ACTION_NAME`).
    pub invoked: Invoked,
    /// The relation context of a relation hook.
    pub relation: Option<RelationVars>,
    /// `JUJU_PRINCIPAL_UNIT`: the principal of a subordinate unit (Juju
    /// sets it empty for a principal).
    pub principal_unit: Option<String>,
    /// The secret of a `secret-*` hook.
    pub secret: Option<SecretVars>,
}

impl HookVars {
    /// The hook `name` on `unit`.
    pub fn hook(unit: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            unit: unit.into(),
            invoked: Invoked::Hook(name.into()),
            relation: None,
            principal_unit: None,
            secret: None,
        }
    }

    /// The action `name` on `unit`.
    pub fn action(unit: impl Into<String>, name: impl Into<String>) -> Self {
        Self {
            invoked: Invoked::Action(name.into()),
            ..Self::hook(unit, String::new())
        }
    }

    /// With the relation context of a relation hook.
    pub fn with_relation(
        mut self,
        relation: RelationId,
        remote_app: impl Into<String>,
        remote_unit: Option<&str>,
    ) -> Self {
        self.relation = Some(RelationVars {
            relation,
            remote_app: remote_app.into(),
            remote_unit: remote_unit.map(str::to_owned),
            departing_unit: None,
        });
        self
    }

    /// In a `-relation-departed` hook, name the unit leaving: `unit`
    /// itself when the unit running the hook is the one being removed.
    /// Without a relation context this does nothing.
    pub fn with_departing(mut self, departing: impl Into<String>) -> Self {
        if let Some(r) = &mut self.relation {
            r.departing_unit = Some(departing.into());
        }
        self
    }

    /// With the principal unit of a subordinate (`None` for a principal).
    pub fn with_principal(mut self, principal: Option<&str>) -> Self {
        self.principal_unit = principal.map(str::to_owned);
        self
    }

    /// The secret a `secret-*` hook is about.
    pub fn with_secret(mut self, secret: SecretVars) -> Self {
        self.secret = Some(secret);
        self
    }

    /// Whether the hook is a `-relation-departed` hook.
    pub fn is_departed(&self) -> bool {
        matches!(&self.invoked, Invoked::Hook(h) if h.ends_with("-relation-departed"))
    }

    /// `JUJU_DEPARTING_UNIT`: in a `-relation-departed` hook the unit
    /// named with [`with_departing`](Self::with_departing), else the
    /// remote unit; `None` in every other hook.
    pub fn departing_unit(&self) -> Option<&str> {
        if !self.is_departed() {
            return None;
        }
        let r = self.relation.as_ref()?;
        r.departing_unit.as_deref().or(r.remote_unit.as_deref())
    }

    /// The variables, in a fixed order. `JUJU_PRINCIPAL_UNIT` is always
    /// present (empty for a principal), as Juju sets it; the relation
    /// variables only in relation hooks.
    pub fn vars(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![("JUJU_UNIT_NAME", self.unit.clone())];
        match &self.invoked {
            Invoked::Hook(name) => {
                out.push(("JUJU_DISPATCH_PATH", format!("hooks/{name}")));
                out.push(("JUJU_HOOK_NAME", name.clone()));
            }
            Invoked::Action(name) => {
                out.push(("JUJU_DISPATCH_PATH", format!("actions/{name}")));
                out.push(("JUJU_ACTION_NAME", name.clone()));
            }
        }
        if let Some(r) = &self.relation {
            out.push(("JUJU_RELATION", r.relation.endpoint.clone()));
            out.push(("JUJU_RELATION_ID", r.relation.to_string()));
            out.push(("JUJU_REMOTE_APP", r.remote_app.clone()));
            if let Some(remote) = &r.remote_unit {
                out.push(("JUJU_REMOTE_UNIT", remote.clone()));
            }
        }
        if let Some(departing) = self.departing_unit() {
            out.push(("JUJU_DEPARTING_UNIT", departing.to_owned()));
        }
        if let Some(secret) = &self.secret {
            out.push(("JUJU_SECRET_ID", secret.id.clone()));
            if let Some(label) = &secret.label {
                out.push(("JUJU_SECRET_LABEL", label.clone()));
            }
            if let Some(revision) = secret.revision {
                out.push(("JUJU_SECRET_REVISION", revision.to_string()));
            }
        }
        out.push((
            "JUJU_PRINCIPAL_UNIT",
            self.principal_unit.clone().unwrap_or_default(),
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::HookEnv;

    fn read(vars: &HookVars) -> HookEnv {
        let mut all = vars.vars();
        all.push(("JUJU_CHARM_DIR", "/charm".to_owned()));
        HookEnv::from_vars(
            |k| all.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()),
            None,
        )
        .unwrap()
    }

    #[test]
    fn the_departing_unit_is_the_remote_one_unless_this_one_leaves() {
        let rel = RelationId::new("cluster", 1);
        let remote_leaves = HookVars::hook("db/0", "cluster-relation-departed").with_relation(
            rel.clone(),
            "db",
            Some("db/1"),
        );
        assert_eq!(read(&remote_leaves).departing_unit.as_deref(), Some("db/1"));
        let this_leaves = remote_leaves.clone().with_departing("db/0");
        let env = read(&this_leaves);
        assert_eq!(env.departing_unit.as_deref(), Some("db/0"));
        assert_eq!(env.remote_unit.as_deref(), Some("db/1"));
        // Only -departed hooks carry it.
        let changed = HookVars::hook("db/0", "cluster-relation-changed")
            .with_relation(rel, "db", Some("db/1"))
            .with_departing("db/0");
        assert_eq!(read(&changed).departing_unit, None);
    }

    #[test]
    fn a_principal_gets_an_empty_principal_unit_a_subordinate_its_principal() {
        let principal = HookVars::hook("web/0", "install");
        assert!(
            principal
                .vars()
                .contains(&("JUJU_PRINCIPAL_UNIT", String::new()))
        );
        assert_eq!(read(&principal).principal_unit, None);
        let sub = HookVars::hook("nrpe/0", "install").with_principal(Some("web/0"));
        assert_eq!(read(&sub).principal_unit.as_deref(), Some("web/0"));
    }

    #[test]
    fn actions_dispatch_under_actions() {
        let env = read(&HookVars::action("web/0", "backup"));
        assert_eq!(env.invoked, Invoked::Action("backup".into()));
        assert_eq!(env.unit, "web/0");
    }
}
