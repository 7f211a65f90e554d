//! Hook contexts opened in-process: [`Simulation::open_hook`] makes a unit
//! run a hook whose "process" is the caller, which calls the tools with the
//! environment the context gives (a `ProcessBackend` in a test, say), then
//! ends it with [`Simulation::finish_hook`] as a hook process would by
//! exiting. Preparation (entering a relation, a remote unit joining) and
//! the end of the hook (held writes committed or discarded, the unit put
//! in error) are the engine's own, so the model follows Juju's rules
//! whichever way a hook runs.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{Map, Value};

use super::{ActionResult, HookRecord, Simulation, lock};
use crate::error::SimError;
use crate::hook::Hook;
use crate::hookenv::{HookIdentity, hook_env};
use crate::model::AgentStatus;
use crate::world::{ActionOutcome, ActiveHook};

/// A hook (or action) running on a unit with no charm process: the
/// environment a hook process would get, for the tools the caller runs.
/// Only one hook runs at a time in a simulation; while this one is open,
/// [`Simulation::step`] and [`Simulation::settle`] refuse to run another.
#[derive(Debug, Clone)]
pub struct OpenHook {
    unit: String,
    hook: Hook,
    name: String,
    token: String,
    seq: u64,
    env: Vec<(String, String)>,
    tools_dir: PathBuf,
    logs_from: usize,
    started: Instant,
}

impl OpenHook {
    /// The unit running the hook.
    pub fn unit(&self) -> &str {
        &self.unit
    }

    /// The hook.
    pub fn hook(&self) -> &Hook {
        &self.hook
    }

    /// The hook's full name (`db-relation-joined`), or the action's.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The hook's environment as Juju's agent sets it (`JUJU_UNIT_NAME`,
    /// `JUJU_RELATION_ID`, ...), with `CHARM_SIM_SOCKET` and
    /// `JUJU_CONTEXT_ID`, which the tools need, and `PATH` with the tools
    /// directory first. Give it to the tools' processes only (the
    /// process's own environment is shared by every thread).
    pub fn env(&self) -> &[(String, String)] {
        &self.env
    }

    /// The directory of the simulation's tools (`relation-get`, ...).
    pub fn tools_dir(&self) -> &Path {
        &self.tools_dir
    }
}

impl Simulation {
    /// Start `hook` on `unit` without running its charm: the unit's
    /// context is set up as for a hook process (the hook taken from the
    /// unit's queue if it is there; entering the relation, or the remote
    /// unit joining, done as just before the hook runs) and its
    /// environment returned. End it with [`Simulation::finish_hook`].
    ///
    /// Fails if another hook is running ([`SimError::Busy`]), the unit is
    /// not in the model or in error, `hook` is an action (see
    /// [`Simulation::open_action`]) or no longer applies (its relation or
    /// remote unit is gone).
    pub fn open_hook(&mut self, unit: &str, hook: Hook) -> Result<OpenHook, SimError> {
        if matches!(hook, Hook::Action { .. }) {
            return Err(SimError::Hook {
                unit: unit.to_owned(),
                hook: hook.to_string(),
                reason: "an action is opened with open_action".into(),
            });
        }
        self.open(unit, hook, None)
    }

    /// Start action `name` on `unit` with `params` (`action-get`), as
    /// [`Simulation::open_hook`] starts a hook. End it with
    /// [`Simulation::finish_action`].
    pub fn open_action(
        &mut self,
        unit: &str,
        name: &str,
        params: Map<String, Value>,
    ) -> Result<OpenHook, SimError> {
        let hook = Hook::Action {
            name: name.to_owned(),
        };
        let outcome = ActionOutcome {
            params,
            ..ActionOutcome::default()
        };
        self.open(unit, hook, Some(outcome))
    }

    /// End the open hook `open` as its process would by exiting, 0 when
    /// `ok`: held writes (`relation-set`, `open-port`, ...) are committed
    /// and the units that see a changed databag queue `relation-changed`;
    /// or they are discarded and the unit goes into error, the hook queued
    /// to run again once resolved. The run is added to the history.
    pub fn finish_hook(&mut self, open: OpenHook, ok: bool) -> Result<HookRecord, SimError> {
        self.finish(open, ok).map(|(record, _)| record)
    }

    /// End the open action `open` as [`Simulation::finish_hook`] ends a
    /// hook (a failed action leaves the unit out of error), with what the
    /// action set, failed with and logged.
    pub fn finish_action(&mut self, open: OpenHook, ok: bool) -> Result<ActionResult, SimError> {
        let (record, outcome) = self.finish(open, ok)?;
        Ok(ActionResult {
            record,
            outcome: outcome.unwrap_or_default(),
        })
    }

    fn open(
        &mut self,
        unit: &str,
        hook: Hook,
        action: Option<ActionOutcome>,
    ) -> Result<OpenHook, SimError> {
        let refuse = |reason: String| SimError::Hook {
            unit: unit.to_owned(),
            hook: hook.to_string(),
            reason,
        };
        let mut w = lock(&self.world);
        if let Some(running) = &w.active {
            return Err(SimError::Busy {
                unit: unit.to_owned(),
                hook: hook.to_string(),
                running: format!("{} on {}", running.name, running.unit),
            });
        }
        let u = w
            .model
            .units
            .get(unit)
            .ok_or_else(|| SimError::NoUnit(unit.to_owned()))?;
        if let AgentStatus::Error(failed) = &u.agent {
            return Err(refuse(format!(
                "the unit is in error (hook {failed:?} failed); resolve it first"
            )));
        }
        if let Some(queue) = w.queues.get_mut(unit)
            && let Some(pos) = queue.iter().position(|h| *h == hook)
        {
            queue.remove(pos);
        }
        if action.is_none() && !w.prepare(unit, &hook) {
            return Err(refuse(
                "it does not apply (its relation or remote unit is gone)".into(),
            ));
        }
        let seq = self.seq;
        self.seq += 1;
        let name = w.hook_name(unit, &hook);
        let token = format!("{unit}-{name}-{seq}");
        let id = HookIdentity {
            unit,
            hook: &hook,
            name: &name,
            token: &token,
            seq,
        };
        let vars = hook_env(&w.model, &self.socket, &self.config.juju_version, &id)
            .ok_or_else(|| SimError::NoUnit(unit.to_owned()))?;
        let mut path = OsString::from(&self.tools_dir);
        if let Some(old) = std::env::var_os("PATH") {
            path.push(":");
            path.push(old);
        }
        let env = std::iter::once(("PATH".to_owned(), path.to_string_lossy().into_owned()))
            .chain(vars.into_iter().map(|(k, v)| (k.to_owned(), v)))
            .collect();
        if let Some(u) = w.model.units.get_mut(unit) {
            u.agent = AgentStatus::Executing(name.clone());
        }
        let logs_from = w.logs.len();
        w.hook_tool_counts.clear();
        w.active = Some(ActiveHook {
            token: token.clone(),
            unit: unit.to_owned(),
            hook: hook.clone(),
            name: name.clone(),
            pending_data: BTreeMap::new(),
            pending_ports: Vec::new(),
            action,
        });
        Ok(OpenHook {
            unit: unit.to_owned(),
            hook,
            name,
            token,
            seq,
            env,
            tools_dir: self.tools_dir.clone(),
            logs_from,
            started: Instant::now(),
        })
    }

    fn finish(
        &mut self,
        open: OpenHook,
        ok: bool,
    ) -> Result<(HookRecord, Option<ActionOutcome>), SimError> {
        let mut w = lock(&self.world);
        if w.active.as_ref().is_none_or(|a| a.token != open.token) {
            return Err(SimError::Hook {
                unit: open.unit,
                hook: open.name,
                reason: "this hook is not running (finished already?)".into(),
            });
        }
        let active = w.active.take();
        let tool_calls = std::mem::take(&mut w.hook_tool_counts);
        let outcome = active.as_ref().and_then(|a| a.action.clone());
        let logs = w
            .logs
            .get(open.logs_from..)
            .unwrap_or_default()
            .iter()
            .filter(|l| l.unit == open.unit && l.hook == open.name)
            .map(|l| (l.level.clone(), l.message.clone()))
            .collect();
        w.conclude(&open.unit, open.hook.clone(), &open.name, active, ok);
        drop(w);
        let record = HookRecord {
            seq: open.seq,
            unit: open.unit,
            name: open.name,
            hook: open.hook,
            code: Some(if ok { 0 } else { 1 }),
            stdout: String::new(),
            stderr: String::new(),
            elapsed: open.started.elapsed(),
            logs,
            tool_calls,
        };
        self.history.push(record.clone());
        Ok((record, outcome))
    }
}
