//! The workload status of an OpenStack unit, assessed as charms.openstack
//! does, and set once per hook.
//!
//! # Deferred assessment
//!
//! [`OpenStack::assess_status`] asks for an assessment at the end of the
//! hook: however many handlers ask, the assessment runs once, after every
//! handler has run (and after the callbacks they deferred), and sets the
//! unit's status then. A hook in which nothing asks assesses nothing; a
//! hook that fails sends no status. [`OpenStack::assess_status_now`]
//! assesses and sets the status at once, for a handler that needs the
//! answer (the pause and resume actions use it: actions run no deferred
//! callback).
//!
//! # The assessment
//!
//! The checks run in this order; the first that finds something sets the
//! status:
//!
//! 1. **paused** ([`OpenStack::is_paused`], the mark the `pause` action
//!    sets): `maintenance` [`PAUSED_MESSAGE`] when the services are indeed
//!    stopped and the API ports closed, else `blocked`
//!    "Services should be paused but these services running: …, these
//!    ports which should be closed, but are open: …";
//! 2. **required relations** ([`Definition::required_relations`], in
//!    order): for each relation, the first unset of `{relation}.connected`
//!    (`blocked` "'{relation}' missing"), `{relation}.available`
//!    (`waiting` "'{relation}' incomplete") and its
//!    [`extra`](crate::RequiredRelation::extra) flags (their own status).
//!    Every relation found wanting is named, joined with `, `, and the
//!    status is the most severe of theirs (`blocked` over `waiting` over
//!    `maintenance`);
//! 3. the definition's [`custom_check`](crate::Definition::custom_check);
//! 4. **services and ports**: `blocked` "Services not running that should
//!    be: …" for services [`Host::is_running`] says are stopped, and
//!    "Ports which should be open, but are not: …" for API ports nothing
//!    listens on ([`Host::is_listening`]), joined with `; `;
//! 5. else `active` [`READY_MESSAGE`].
//!
//! Setting the status also sets the workload version: the upstream
//! version of the first package when it is installed, else the release's
//! codename.
//!
//! [`Definition::required_relations`]: crate::Definition::required_relations
//! [`Host::is_running`]: crate::host::Host::is_running
//! [`Host::is_listening`]: crate::host::Host::is_listening

use std::collections::BTreeSet;

use charm_runtime::{Flag, HookContext, Level, StateError, Status, StatusState};

use crate::host::HostError;
use crate::instance::{OpenStack, OpenStackError};

/// The unit-data key the `pause` action sets to `true` and `resume`
/// clears (charmhelpers' `unit-paused`).
pub const PAUSED_KEY: &str = "unit-paused";

/// The flag set while the unit is paused (`charm.paused`).
pub const PAUSED_FLAG: Flag = Flag::new("charm.paused");

/// The message of a paused unit whose services are stopped.
pub const PAUSED_MESSAGE: &str = "Paused. Use 'resume' action to resume normal service.";

/// The message of an active unit.
pub const READY_MESSAGE: &str = "Unit is ready";

/// The key the deferred assessment is scheduled under.
const ASSESS_KEY: &str = "charm_openstack::assess_status";
/// The key of its second stage, which runs after the callbacks the
/// handlers deferred.
const ASSESS_RUN_KEY: &str = "charm_openstack::assess_status::run";

/// The status cannot be assessed.
#[derive(Debug, thiserror::Error)]
pub enum StatusError {
    /// The machine could not be asked whether a service runs or a port
    /// listens.
    #[error("assessing the status: {0}")]
    Host(#[from] HostError),
    /// The unit's data could not be read.
    #[error("assessing the status: {0}")]
    State(#[from] StateError),
    /// The charm's own check failed.
    #[error("the charm's status check failed: {0}")]
    Custom(#[source] charm_runtime::Error),
    /// The hook's OpenStack charm cannot be made (in the deferred
    /// assessment).
    #[error(transparent)]
    Instance(#[from] OpenStackError),
}

impl From<StatusError> for charm_runtime::Error {
    fn from(e: StatusError) -> Self {
        charm_runtime::Error::Interface(Box::new(e))
    }
}

/// How severe a state is when several relations are wanting
/// (charmhelpers' `workload_state_compare`).
fn severity(state: StatusState) -> i8 {
    match state {
        StatusState::Active => 0,
        StatusState::Maintenance => 1,
        StatusState::Waiting => 2,
        StatusState::Blocked => 3,
        _ => -1,
    }
}

impl<'a> OpenStack<'a> {
    /// Assess the unit's status at the end of this hook, once, after every
    /// handler: call it from any handler after which the status may have
    /// changed. Returns whether this call scheduled the assessment (the
    /// first call of the hook does).
    ///
    /// In an action, where no deferred callback runs, the assessment runs
    /// at once instead, at each call (an error is then logged; call
    /// [`OpenStack::assess_status_now`] to handle it). Restricted hooks (`collect-metrics`,
    /// `meter-status-changed`) run no deferred callback, so nothing is
    /// assessed there.
    ///
    /// ```standalone_crate
    /// use charm_openstack::{Definition, OpenStack, OpenStackCharms, Release};
    /// use charm_runtime::prelude::*;
    ///
    /// fn charms() -> OpenStackCharms {
    ///     OpenStackCharms::new(Definition::new("api", Release::YOGA).services(["api"]))
    /// }
    /// charm_openstack::register!(charms);
    ///
    /// #[hook("install")]
    /// fn first(os: OpenStack) {
    ///     assert!(os.assess_status());
    /// }
    ///
    /// #[hook("install")]
    /// fn second(os: OpenStack) {
    ///     // Already scheduled: still one assessment.
    ///     assert!(!os.assess_status());
    /// }
    ///
    /// # fn main() {
    /// use charm_runtime::harness::{Context, Event, State};
    /// use charm_runtime::{Registry, Status};
    /// let ctx = Context::from_yaml("name: api\n", |m: &_| Registry::for_charm("", m)).unwrap();
    /// let out = ctx.run(Event::install(), &State::new()).unwrap().expect_ok();
    /// assert_eq!(out.final_status(), Some(&Status::active("Unit is ready")));
    /// # }
    /// ```
    pub fn assess_status(&self) -> bool {
        let ctx = self.ctx();
        if ctx.action_name().is_some() {
            if let Err(e) = self.assess_status_now() {
                ctx.log(Level::Error, &e.to_string());
            }
            return false;
        }
        ctx.defer_once(ASSESS_KEY, |ctx| {
            // Deferred once more, the assessment runs after the callbacks
            // the handlers deferred (a restart, ...), not before those
            // deferred after the first call.
            ctx.defer_once(ASSESS_RUN_KEY, |ctx: &HookContext| {
                ctx.log(Level::Debug, "assessing the status");
                OpenStack::of(ctx)
                    .map_err(StatusError::from)?
                    .assess_status_now()?;
                Ok(())
            });
            Ok(())
        })
    }

    /// Assess the unit's status and set it now (sent when the hook
    /// succeeds; the last status set wins), with the workload version.
    /// Returns the status set.
    pub fn assess_status_now(&self) -> Result<Status, StatusError> {
        let status = self.workload_status()?;
        self.ctx().status_set(status.clone());
        self.ctx()
            .application_version_set(self.application_version()?);
        Ok(status)
    }

    /// The status the assessment finds, without setting it.
    pub fn workload_status(&self) -> Result<Status, StatusError> {
        if let Some(status) = self.check_paused()? {
            return Ok(status);
        }
        if let Some(status) = self.check_relations() {
            return Ok(status);
        }
        if let Some(check) = self.definition().custom_check
            && let Some(status) = check(self.ctx()).map_err(StatusError::Custom)?
        {
            return Ok(status);
        }
        if let Some(status) = self.check_services()? {
            return Ok(status);
        }
        Ok(Status::active(READY_MESSAGE))
    }

    /// Whether the unit is paused (the `pause` action's mark in the unit's
    /// data).
    pub fn is_paused(&self) -> Result<bool, StateError> {
        Ok(self.ctx().kv().get::<bool>(PAUSED_KEY)?.unwrap_or(false))
    }

    /// The API ports the assessment checks: every port of every API
    /// service, sorted, each once.
    pub fn ports_to_check(&self) -> Vec<u16> {
        let ports: BTreeSet<u16> = self
            .definition()
            .api_ports
            .values()
            .flat_map(|p| [p.public, p.internal, p.admin])
            .collect();
        ports.into_iter().collect()
    }

    /// The paused check: `None` when the unit is not paused.
    pub fn check_paused(&self) -> Result<Option<Status>, StatusError> {
        if !self.is_paused()? {
            return Ok(None);
        }
        let mut problems = Vec::new();
        let running = self.services_where(true)?;
        if !running.is_empty() {
            problems.push(format!("these services running: {}", running.join(", ")));
        }
        let open = self.ports_where(true)?;
        if !open.is_empty() {
            problems.push(format!(
                "these ports which should be closed, but are open: {}",
                joined(&open)
            ));
        }
        Ok(Some(if problems.is_empty() {
            Status::maintenance(PAUSED_MESSAGE)
        } else {
            Status::blocked(format!(
                "Services should be paused but {}",
                problems.join(", ")
            ))
        }))
    }

    /// The required relations' check: `None` when every required relation
    /// is connected and available and its extra flags are set.
    pub fn check_relations(&self) -> Option<Status> {
        let flags = self.ctx().flags();
        let mut state: Option<StatusState> = None;
        let mut messages = Vec::new();
        for relation in &self.definition().required_relations {
            let name = &relation.name;
            let checks = [
                (
                    format!("{name}.connected"),
                    Status::blocked(format!("'{name}' missing")),
                ),
                (
                    format!("{name}.available"),
                    Status::waiting(format!("'{name}' incomplete")),
                ),
            ]
            .into_iter()
            .chain(relation.extra.iter().cloned());
            // The first unset flag of a relation is the one reported.
            if let Some((_, status)) = checks.into_iter().find(|(flag, _)| !flags.is_set(flag)) {
                state = Some(match state {
                    Some(s) if severity(s) > severity(status.state) => s,
                    _ => status.state,
                });
                messages.push(status.message);
            }
        }
        state.map(|state| Status::new(state, messages.join(", ")))
    }

    /// The services' and ports' check: `None` when every service runs and
    /// something listens on every API port.
    pub fn check_services(&self) -> Result<Option<Status>, StatusError> {
        let mut problems = Vec::new();
        let stopped = self.services_where(false)?;
        if !stopped.is_empty() {
            problems.push(format!(
                "Services not running that should be: {}",
                stopped.join(", ")
            ));
        }
        let closed = self.ports_where(false)?;
        if !closed.is_empty() {
            problems.push(format!(
                "Ports which should be open, but are not: {}",
                joined(&closed)
            ));
        }
        Ok((!problems.is_empty()).then(|| Status::blocked(problems.join("; "))))
    }

    /// The workload version: the upstream version of the first package
    /// when it is installed, else the release's codename.
    pub fn application_version(&self) -> Result<String, HostError> {
        let installed = match self.definition().packages.first() {
            Some(package) => self.host().package_version(package)?,
            None => None,
        };
        Ok(installed
            .as_deref()
            .map(upstream_version)
            .filter(|v| !v.is_empty())
            .map_or_else(|| self.release().codename().to_owned(), str::to_owned))
    }

    /// The definition's services whose running state is `running`.
    fn services_where(&self, running: bool) -> Result<Vec<String>, HostError> {
        let mut out = Vec::new();
        for service in &self.definition().services {
            if self.host().is_running(service)? == running {
                out.push(service.clone());
            }
        }
        Ok(out)
    }

    /// The API ports whose listening state is `listening`.
    fn ports_where(&self, listening: bool) -> Result<Vec<u16>, HostError> {
        let mut out = Vec::new();
        for port in self.ports_to_check() {
            if self.host().is_listening(port)? == listening {
                out.push(port);
            }
        }
        Ok(out)
    }
}

fn joined(ports: &[u16]) -> String {
    ports
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The upstream part of a Debian package version: without the epoch and
/// the Debian revision (`2:25.0.0-0ubuntu1` is `25.0.0`).
fn upstream_version(version: &str) -> &str {
    let without_epoch = version.split_once(':').map_or(version, |(_, v)| v);
    without_epoch
        .rsplit_once('-')
        .map_or(without_epoch, |(upstream, _)| upstream)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upstream_versions() {
        assert_eq!(upstream_version("2:25.0.0-0ubuntu1"), "25.0.0");
        assert_eq!(upstream_version("17.1.0-0ubuntu1~cloud0"), "17.1.0");
        assert_eq!(upstream_version("1.2"), "1.2");
    }

    #[test]
    fn severities_order_as_charmhelpers() {
        assert!(severity(StatusState::Blocked) > severity(StatusState::Waiting));
        assert!(severity(StatusState::Waiting) > severity(StatusState::Maintenance));
        assert!(severity(StatusState::Maintenance) > severity(StatusState::Active));
        assert!(severity(StatusState::Active) > severity(StatusState::Unknown));
    }
}
