use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::memory_secrets::{MemorySecrets, SecretAsker};
use super::secret_args::{
    secret_add_args, secret_get_args, secret_grant_args, secret_id_args, secret_info_args,
    secret_set_args,
};
use super::{Backend, DataBag, Port, RelationId, Status, StatusState, ToolError};
use super::{SecretContent, SecretId, SecretInfo, SecretOptions, SecretRef, SecretRevision};
use crate::log::Level;

/// What stands for the content file in a recorded `secret-*` argv.
const FILE: &str = "<file>";

/// One call made to a [`MemoryBackend`]: the tool and what it was asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ToolCall {
    /// The hook tool (`relation-get`, `status-set`, ...).
    pub tool: &'static str,
    /// Its arguments, as the process backend would pass them (values sent
    /// on stdin are not included).
    pub args: Vec<String>,
}

/// One relation as a [`MemoryBackend`] holds it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryRelation {
    /// The remote application.
    pub remote_app: Option<String>,
    /// Remote units currently in the relation.
    pub units: Vec<String>,
    /// Every databag: the local unit's and application's, the remote ones.
    pub data: BTreeMap<DataBag, BTreeMap<String, String>>,
}

/// What a unit sees of Juju, in memory.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MemoryWorld {
    /// This unit (`app/0`).
    pub unit: String,
    /// Relations by id.
    pub relations: BTreeMap<RelationId, MemoryRelation>,
    /// Config options (unset ones as `null`).
    pub config: Map<String, Value>,
    /// Whether this unit is the leader.
    pub leader: bool,
    /// Leadership settings.
    pub leader_settings: BTreeMap<String, String>,
    /// Unit status.
    pub unit_status: Option<Status>,
    /// Application status.
    pub app_status: Option<Status>,
    /// Every status set, in order (`(application, status)`).
    pub status_history: Vec<(bool, Status)>,
    /// The workload version.
    pub app_version: Option<String>,
    /// `unit-get` answers.
    pub unit_data: BTreeMap<String, String>,
    /// `network-get` answers by binding.
    pub networks: BTreeMap<String, Value>,
    /// Opened ports.
    pub ports: BTreeSet<Port>,
    /// Action parameters.
    pub action_params: Map<String, Value>,
    /// Action results.
    pub action_results: BTreeMap<String, String>,
    /// The action's failure message.
    pub action_failure: Option<String>,
    /// Action progress messages.
    pub action_logs: Vec<String>,
    /// `juju-log` messages.
    pub logs: Vec<(Level, String)>,
    /// The model's secrets (shared by the units of a model: the harness's
    /// `Peers` hands the same store to each unit).
    pub secrets: MemorySecrets,
    /// Hook tools that fail, by name (`relation-get`), each with the
    /// message it prints: a call is recorded, then fails as the tool would
    /// under Juju (exit 1, `ERROR <message>` on stderr).
    pub failing_tools: BTreeMap<String, String>,
}

impl MemoryWorld {
    /// The application name of this unit.
    pub fn app(&self) -> &str {
        self.unit.split('/').next().unwrap_or(&self.unit)
    }
}

/// A [`Backend`] over a [`MemoryWorld`], recording every call.
#[derive(Debug, Default)]
pub struct MemoryBackend {
    world: RefCell<MemoryWorld>,
    calls: RefCell<Vec<ToolCall>>,
}

impl MemoryBackend {
    /// A backend over `world`.
    pub fn new(world: MemoryWorld) -> Self {
        Self {
            world: RefCell::new(world),
            calls: RefCell::new(Vec::new()),
        }
    }

    /// The world as it now is.
    pub fn world(&self) -> MemoryWorld {
        self.world.borrow().clone()
    }

    /// Consume the backend and return its world.
    pub fn into_world(self) -> MemoryWorld {
        self.world.into_inner()
    }

    /// Every call so far.
    pub fn calls(&self) -> Vec<ToolCall> {
        self.calls.borrow().clone()
    }

    /// [`Self::call`] with owned arguments.
    fn call_owned(&self, tool: &'static str, args: &[String]) -> Result<(), ToolError> {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.call(tool, &args)
    }

    /// Record a call of `tool`; fail it if the world says the tool fails.
    fn call(&self, tool: &'static str, args: &[&str]) -> Result<(), ToolError> {
        self.calls.borrow_mut().push(ToolCall {
            tool,
            args: args.iter().map(|a| (*a).to_owned()).collect(),
        });
        match self.world.borrow().failing_tools.get(tool) {
            Some(message) => Err(ToolError::Failed {
                tool: tool.to_owned(),
                code: Some(1),
                signal: None,
                stderr: format!("ERROR {message}"),
            }),
            None => Ok(()),
        }
    }

    /// Run `f` on the secrets as this unit asks for them.
    fn with_secrets<T>(
        &self,
        f: impl FnOnce(&mut MemorySecrets, &SecretAsker) -> Result<T, ToolError>,
    ) -> Result<T, ToolError> {
        let mut world = self.world.borrow_mut();
        let world = &mut *world;
        let asker = SecretAsker {
            unit: &world.unit,
            leader: world.leader,
            relations: world.relations.keys().collect(),
        };
        f(&mut world.secrets, &asker)
    }

    fn relation<'w>(
        world: &'w MemoryWorld,
        tool: &str,
        id: &RelationId,
    ) -> Result<&'w MemoryRelation, ToolError> {
        world.relations.get(id).ok_or_else(|| ToolError::Failed {
            tool: tool.to_owned(),
            code: Some(2),
            signal: None,
            stderr: format!("ERROR invalid value \"{id}\" for option -r: relation not found"),
        })
    }
}

/// The arguments of `secret-grant` and `secret-revoke`, as the process
/// backend passes them.
fn apply(target: &mut BTreeMap<String, String>, changes: &BTreeMap<String, Option<String>>) {
    for (k, v) in changes {
        match v {
            Some(v) if !v.is_empty() => {
                target.insert(k.clone(), v.clone());
            }
            _ => {
                target.remove(k);
            }
        }
    }
}

impl Backend for MemoryBackend {
    fn relation_ids(&self, endpoint: &str) -> Result<Vec<RelationId>, ToolError> {
        self.call("relation-ids", &[endpoint])?;
        Ok(self
            .world
            .borrow()
            .relations
            .keys()
            .filter(|r| r.endpoint == endpoint)
            .cloned()
            .collect())
    }

    fn relation_units(&self, relation: &RelationId) -> Result<Vec<String>, ToolError> {
        let rid = relation.to_string();
        self.call("relation-list", &["-r", &rid])?;
        let world = self.world.borrow();
        Ok(Self::relation(&world, "relation-list", relation)?
            .units
            .clone())
    }

    fn relation_remote_app(&self, relation: &RelationId) -> Result<Option<String>, ToolError> {
        let rid = relation.to_string();
        self.call("relation-list", &["-r", &rid, "--app"])?;
        let world = self.world.borrow();
        Ok(Self::relation(&world, "relation-list", relation)?
            .remote_app
            .clone())
    }

    fn relation_get(
        &self,
        relation: &RelationId,
        bag: &DataBag,
    ) -> Result<BTreeMap<String, String>, ToolError> {
        let rid = relation.to_string();
        match bag {
            DataBag::Unit(u) => self.call("relation-get", &["-r", &rid, "-", u]),
            DataBag::App(a) => self.call("relation-get", &["-r", &rid, "--app", "-", a]),
        }?;
        let world = self.world.borrow();
        let rel = Self::relation(&world, "relation-get", relation)?;
        Ok(rel.data.get(bag).cloned().unwrap_or_default())
    }

    fn relation_set(
        &self,
        relation: &RelationId,
        app: bool,
        changes: &BTreeMap<String, Option<String>>,
    ) -> Result<(), ToolError> {
        let rid = relation.to_string();
        let mut args = vec!["-r", rid.as_str()];
        if app {
            args.push("--app");
        }
        args.extend(["--file", "-"]);
        self.call("relation-set", &args)?;
        let mut world = self.world.borrow_mut();
        if app && !world.leader {
            return Err(ToolError::Failed {
                tool: "relation-set".into(),
                code: Some(1),
                signal: None,
                // What Juju's relation-set.go says.
                stderr: "ERROR cannot write relation settings".into(),
            });
        }
        let bag = if app {
            DataBag::App(world.app().to_owned())
        } else {
            DataBag::Unit(world.unit.clone())
        };
        Self::relation(&world, "relation-set", relation)?;
        if let Some(rel) = world.relations.get_mut(relation) {
            apply(rel.data.entry(bag).or_default(), changes);
        }
        Ok(())
    }

    fn config_get(&self) -> Result<Map<String, Value>, ToolError> {
        self.call("config-get", &["--all"])?;
        Ok(self.world.borrow().config.clone())
    }

    fn is_leader(&self) -> Result<bool, ToolError> {
        self.call("is-leader", &[])?;
        Ok(self.world.borrow().leader)
    }

    fn leader_get(&self) -> Result<BTreeMap<String, String>, ToolError> {
        self.call("leader-get", &[])?;
        Ok(self.world.borrow().leader_settings.clone())
    }

    fn leader_set(&self, changes: &BTreeMap<String, Option<String>>) -> Result<(), ToolError> {
        let keys: Vec<String> = changes.keys().map(|k| format!("{k}=…")).collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        self.call("leader-set", &keys)?;
        let mut world = self.world.borrow_mut();
        if !world.leader {
            return Err(ToolError::Failed {
                tool: "leader-set".into(),
                code: Some(1),
                signal: None,
                stderr: "ERROR cannot write leadership settings: not the leader".into(),
            });
        }
        apply(&mut world.leader_settings, changes);
        Ok(())
    }

    fn status_set(&self, application: bool, status: &Status) -> Result<(), ToolError> {
        let mut args = Vec::new();
        if application {
            args.push("--application");
        }
        args.extend([status.state.as_str(), status.message.as_str()]);
        self.call("status-set", &args)?;
        let mut world = self.world.borrow_mut();
        if application && !world.leader {
            return Err(ToolError::Failed {
                tool: "status-set".into(),
                code: Some(1),
                signal: None,
                stderr: "ERROR this unit is not the leader".into(),
            });
        }
        if application {
            world.app_status = Some(status.clone());
        } else {
            world.unit_status = Some(status.clone());
        }
        world.status_history.push((application, status.clone()));
        Ok(())
    }

    fn status_get(&self, application: bool) -> Result<Status, ToolError> {
        self.call(
            "status-get",
            if application { &["--application"] } else { &[] },
        )?;
        let world = self.world.borrow();
        let s = if application {
            &world.app_status
        } else {
            &world.unit_status
        };
        Ok(s.clone()
            .unwrap_or_else(|| Status::new(StatusState::Unknown, "")))
    }

    fn application_version_set(&self, version: &str) -> Result<(), ToolError> {
        self.call("application-version-set", &[version])?;
        self.world.borrow_mut().app_version = Some(version.to_owned());
        Ok(())
    }

    fn unit_get(&self, key: &str) -> Result<String, ToolError> {
        self.call("unit-get", &[key])?;
        self.world
            .borrow()
            .unit_data
            .get(key)
            .cloned()
            .ok_or_else(|| ToolError::Failed {
                tool: "unit-get".into(),
                code: Some(2),
                signal: None,
                stderr: format!("ERROR unknown setting {key:?}"),
            })
    }

    fn network_get(
        &self,
        binding: &str,
        relation: Option<&RelationId>,
    ) -> Result<Value, ToolError> {
        let rid = relation.map(ToString::to_string);
        let mut args = vec![binding];
        if let Some(r) = &rid {
            args.extend(["-r", r.as_str()]);
        }
        self.call("network-get", &args)?;
        self.world
            .borrow()
            .networks
            .get(binding)
            .cloned()
            .ok_or_else(|| ToolError::Failed {
                tool: "network-get".into(),
                code: Some(1),
                signal: None,
                stderr: format!("ERROR no network config found for binding {binding:?}"),
            })
    }

    fn open_port(&self, port: &Port) -> Result<(), ToolError> {
        self.call("open-port", &[&port.to_string()])?;
        self.world.borrow_mut().ports.insert(port.clone());
        Ok(())
    }

    fn close_port(&self, port: &Port) -> Result<(), ToolError> {
        self.call("close-port", &[&port.to_string()])?;
        self.world.borrow_mut().ports.remove(port);
        Ok(())
    }

    fn opened_ports(&self) -> Result<Vec<Port>, ToolError> {
        self.call("opened-ports", &[])?;
        Ok(self.world.borrow().ports.iter().cloned().collect())
    }

    fn juju_log(&self, level: Level, message: &str) -> Result<(), ToolError> {
        // Not recorded as a call: logs are not part of a hook's minimum;
        // never failing, as the log sink has no one to report to.
        self.world
            .borrow_mut()
            .logs
            .push((level, message.to_owned()));
        Ok(())
    }

    fn action_get(&self) -> Result<Map<String, Value>, ToolError> {
        self.call("action-get", &[])?;
        Ok(self.world.borrow().action_params.clone())
    }

    fn action_set(&self, results: &BTreeMap<String, String>) -> Result<(), ToolError> {
        let keys: Vec<String> = results.keys().map(|k| format!("{k}=…")).collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        self.call("action-set", &keys)?;
        self.world
            .borrow_mut()
            .action_results
            .extend(results.iter().map(|(k, v)| (k.clone(), v.clone())));
        Ok(())
    }

    fn action_fail(&self, message: &str) -> Result<(), ToolError> {
        self.call("action-fail", &[message])?;
        self.world.borrow_mut().action_failure = Some(message.to_owned());
        Ok(())
    }

    fn action_log(&self, message: &str) -> Result<(), ToolError> {
        self.call("action-log", &[message])?;
        self.world.borrow_mut().action_logs.push(message.to_owned());
        Ok(())
    }

    fn secret_add(
        &self,
        content: &SecretContent,
        options: &SecretOptions,
    ) -> Result<SecretId, ToolError> {
        let args = secret_add_args(options, FILE);
        self.call_owned("secret-add", &args)?;
        self.with_secrets(|secrets, asker| secrets.add(asker, content, options))
    }

    fn secret_get(
        &self,
        secret: &SecretRef,
        revision: SecretRevision,
    ) -> Result<SecretContent, ToolError> {
        let args = secret_get_args(secret, revision);
        self.call_owned("secret-get", &args)?;
        self.with_secrets(|secrets, asker| secrets.get(asker, secret, revision))
    }

    fn secret_set(&self, id: &SecretId, content: &SecretContent) -> Result<(), ToolError> {
        self.call_owned("secret-set", &secret_set_args(id, FILE))?;
        self.with_secrets(|secrets, asker| secrets.set(asker, id, content))
    }

    fn secret_grant(
        &self,
        id: &SecretId,
        relation: &RelationId,
        unit: Option<&str>,
    ) -> Result<(), ToolError> {
        self.call_owned("secret-grant", &secret_grant_args(id, relation, unit))?;
        self.with_secrets(|secrets, asker| secrets.grant(asker, id, relation, unit, true))
    }

    fn secret_revoke(
        &self,
        id: &SecretId,
        relation: &RelationId,
        unit: Option<&str>,
    ) -> Result<(), ToolError> {
        self.call_owned("secret-revoke", &secret_grant_args(id, relation, unit))?;
        self.with_secrets(|secrets, asker| secrets.grant(asker, id, relation, unit, false))
    }

    fn secret_remove(&self, id: &SecretId) -> Result<(), ToolError> {
        self.call_owned("secret-remove", &secret_id_args(id))?;
        self.with_secrets(|secrets, asker| secrets.remove(asker, id))
    }

    fn secret_ids(&self) -> Result<Vec<SecretId>, ToolError> {
        self.call("secret-ids", &["--format=json"])?;
        self.with_secrets(|secrets, asker| Ok(secrets.ids(asker)))
    }

    fn secret_info(&self, secret: &SecretRef) -> Result<SecretInfo, ToolError> {
        self.call_owned("secret-info-get", &secret_info_args(secret))?;
        self.with_secrets(|secrets, asker| secrets.info(asker, secret))
    }
}
