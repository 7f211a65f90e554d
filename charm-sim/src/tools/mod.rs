//! The hook tools, answered from the model for the hook that calls them.
//!
//! Each tool takes the real tool's arguments (gnuflag syntax), prints what
//! the real one prints (`--format=json`, `yaml` or the default `smart`),
//! and fails like it: `ERROR <message>` on stderr, exit 2 for bad
//! arguments and 1 for a failure while running.
//!
//! When writes take effect follows Juju's hook context: `relation-set` and
//! `open-port`/`close-port` are held in the hook's context and applied
//! only if the hook exits 0 (Juju flushes them at the end of a successful
//! hook); `status-set`, `leader-set`, `application-version-set`,
//! `juju-log` and the action tools act at once, as they are API calls of
//! the unit agent in Juju, kept even if the hook then fails.

pub mod flags;
mod secrets;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value, json};

use crate::model::{Port, Settings, app_of, network_json};
use crate::protocol::{ToolRequest, ToolResponse};
use crate::toolcall::ToolCall;
use crate::world::{ActiveHook, Bag, LogEntry, World};
use flags::*;

/// The tools `charm-sim-tool` plays (the names of its symlinks).
pub const TOOLS: &[&str] = &[
    "relation-ids",
    "relation-list",
    "relation-get",
    "relation-set",
    "config-get",
    "is-leader",
    "leader-get",
    "leader-set",
    "status-set",
    "status-get",
    "application-version-set",
    "unit-get",
    "network-get",
    "open-port",
    "close-port",
    "opened-ports",
    "juju-log",
    "action-get",
    "action-set",
    "action-fail",
    "action-log",
    "secret-add",
    "secret-get",
    "secret-set",
    "secret-grant",
    "secret-revoke",
    "secret-remove",
    "secret-ids",
    "secret-info-get",
];

type Out = Result<String, Fail>;

/// Answer one tool call.
pub(crate) fn handle(world: &mut World, request: &ToolRequest) -> ToolResponse {
    let Some(active) = world.active.as_ref().filter(|a| a.token == request.context) else {
        return ToolResponse::fail(
            1,
            &format!(
                "{}: no hook is running with context {:?}",
                request.tool, request.context
            ),
        );
    };
    let unit = active.unit.clone();
    world.tool_calls.push(ToolCall {
        unit: unit.clone(),
        hook: active.name.clone(),
        tool: request.tool.clone(),
        args: request.args.clone(),
        stdin: request.stdin.is_some(),
    });
    let key = (unit.clone(), request.tool.clone());
    if let Some(message) = world.fail_tools.get(&key) {
        return ToolResponse::fail(1, message);
    }
    if let Some(stdout) = world.tool_output.get(&key) {
        return ToolResponse::ok(stdout.clone());
    }
    let mut call = Call {
        world,
        unit,
        request,
    };
    match call.dispatch() {
        Ok(stdout) => ToolResponse::ok(stdout),
        Err(fail) => ToolResponse::fail(fail.code, &fail.message),
    }
}

struct Call<'a> {
    world: &'a mut World,
    unit: String,
    request: &'a ToolRequest,
}

impl Call<'_> {
    /// The settings of the file `path` names (`--file`), relative to the
    /// calling hook's working directory.
    fn settings_file_at(&self, path: &str) -> Result<BTreeMap<String, String>, Fail> {
        let path = match &self.request.cwd {
            Some(cwd) => Path::new(cwd).join(path),
            None => Path::new(path).to_path_buf(),
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| failed(format!("cannot read {}: {e}", path.display())))?;
        settings_file(&text)
    }

    fn args(&self) -> &[String] {
        &self.request.args
    }

    fn app(&self) -> String {
        app_of(&self.unit).to_owned()
    }

    fn active(&self) -> &ActiveHook {
        self.world.active.as_ref().expect("checked by handle")
    }

    fn active_mut(&mut self) -> &mut ActiveHook {
        self.world.active.as_mut().expect("checked by handle")
    }

    fn leader(&self) -> bool {
        self.world.model.is_leader(&self.unit)
    }

    fn dispatch(&mut self) -> Out {
        let tool = self.request.tool.clone();
        // A flag only before `--`: `juju-log -- --help` logs the text.
        if self
            .args()
            .iter()
            .take_while(|a| *a != "--")
            .any(|a| a == "--help" || a == "-h")
        {
            let file = if tool == "relation-set" {
                "\n--file (= )\n    file containing key-value pairs\n"
            } else {
                "\n"
            };
            return Ok(format!("Usage: {tool} [options]{file}"));
        }
        match tool.as_str() {
            "relation-ids" => self.relation_ids(),
            "relation-list" => self.relation_list(),
            "relation-get" => self.relation_get(),
            "relation-set" => self.relation_set(),
            "config-get" => self.config_get(),
            "is-leader" => self.is_leader(),
            "leader-get" => self.leader_get(),
            "leader-set" => self.leader_set(),
            "status-set" => self.status_set(),
            "status-get" => self.status_get(),
            "application-version-set" => self.application_version_set(),
            "unit-get" => self.unit_get(),
            "network-get" => self.network_get(),
            "open-port" => self.port(true),
            "close-port" => self.port(false),
            "opened-ports" => self.opened_ports(),
            "juju-log" => self.juju_log(),
            "action-get" => self.action_get(),
            "action-set" => self.action_set(),
            "action-fail" => self.action_fail(),
            "action-log" => self.action_log(),
            "secret-add" => self.secret_add(),
            "secret-get" => self.secret_get(),
            "secret-set" => self.secret_set(),
            "secret-grant" => self.secret_grant(true),
            "secret-revoke" => self.secret_grant(false),
            "secret-remove" => self.secret_remove(),
            "secret-ids" => self.secret_ids(),
            "secret-info-get" => self.secret_info_get(),
            other => Err(failed(format!("charm-sim does not implement {other:?}"))),
        }
    }

    // -----------------------------------------------------------------------
    // Relations.

    /// The relation `-r` names (`db:1`, or just `1`), else the hook's own;
    /// it must be in this unit's scope.
    fn relation(&self, parsed: &Parsed) -> Result<u32, Fail> {
        let (value, number) = match parsed.get("r") {
            Some(value) => {
                let number = value.rsplit(':').next().unwrap_or(value);
                let number: u32 = number.parse().map_err(|_| {
                    usage(format!(
                        "invalid value {value:?} for flag -r: invalid relation id"
                    ))
                })?;
                (value.to_owned(), number)
            }
            None => {
                let number = self
                    .active()
                    .hook
                    .relation()
                    .ok_or_else(|| usage("no relation id specified"))?;
                (number.to_string(), number)
            }
        };
        let in_scope = self.world.model.relations.contains_key(&number)
            && self
                .world
                .model
                .units
                .get(&self.unit)
                .is_some_and(|u| u.scopes.contains_key(&number));
        if !in_scope {
            return Err(usage(format!(
                "invalid value {value:?} for flag -r: relation not found"
            )));
        }
        Ok(number)
    }

    /// `relation-ids <endpoint>`: the relations in scope on it, by id.
    fn relation_ids(&mut self) -> Out {
        let p = parse(self.args(), &[FORMAT])?;
        let format = format_of(&p)?;
        let name = match p.args.split_first() {
            Some((name, rest)) => {
                check_empty(rest)?;
                name.clone()
            }
            None => match self.active().hook.relation() {
                // Without an argument, the hook's relation's endpoint.
                Some(id) => self.world.model.relations[&id]
                    .end_of(&self.app())
                    .map(|e| e.endpoint.clone())
                    .unwrap_or_default(),
                None => return Err(usage("no endpoint name specified")),
            },
        };
        let app = self.app();
        let scopes = self
            .world
            .model
            .units
            .get(&self.unit)
            .map(|u| u.scopes.keys().copied().collect::<Vec<_>>())
            .unwrap_or_default();
        let ids: Vec<String> = scopes
            .into_iter()
            .filter_map(|id| self.world.model.relations.get(&id))
            .filter(|r| r.end_of(&app).is_some_and(|e| e.endpoint == name))
            .map(|r| r.id_for(&app))
            .collect();
        Ok(render(&json!(ids), format))
    }

    /// `relation-list [-r <id>] [--app]`: the remote units this unit has
    /// seen join, or the remote application.
    fn relation_list(&mut self) -> Out {
        let p = parse(self.args(), &[FORMAT, RELATION, APP])?;
        let rid = self.relation(&p)?;
        check_empty(&p.args)?;
        let format = format_of(&p)?;
        if p.on("app") {
            let remote = self.world.model.relations[&rid]
                .remote_app(&self.app())
                .unwrap_or("")
                .to_owned();
            return Ok(render(&json!(remote), format));
        }
        let mut members: Vec<(u32, String)> = self.world.model.units[&self.unit].scopes[&rid]
            .iter()
            .map(|u| (crate::model::unit_number(u), u.clone()))
            .collect();
        members.sort();
        let names: Vec<String> = members.into_iter().map(|(_, u)| u).collect();
        Ok(render(&json!(names), format))
    }

    /// The settings of a bag as this hook sees them: committed, with this
    /// hook's own pending writes over them.
    fn bag_view(&self, rid: u32, bag: &Bag) -> Option<Settings> {
        let rel = self.world.model.relations.get(&rid)?;
        let committed = match bag {
            Bag::Unit(u) => rel.unit_data.get(u).cloned(),
            Bag::App(a) => rel.app_data.get(a).cloned(),
        };
        let pending = self.active().pending_data.get(&(rid, bag.clone()));
        if committed.is_none() && pending.is_none() {
            return None;
        }
        let mut view = committed.unwrap_or_default();
        for (k, v) in pending.into_iter().flatten() {
            if v.is_empty() {
                view.remove(k);
            } else {
                view.insert(k.clone(), v.clone());
            }
        }
        Some(view)
    }

    /// `relation-get [-r <id>] [--app] [<key>|-] [<unit or app>]`.
    fn relation_get(&mut self) -> Out {
        let p = parse(self.args(), &[FORMAT, RELATION, APP])?;
        let rid = self.relation(&p)?;
        let format = format_of(&p)?;
        let mut rest = p.args.iter();
        let key = rest.next().filter(|k| *k != "-").cloned();
        let app_flag = p.on("app");
        let name = match rest.next() {
            Some(name) => name.clone(),
            None => {
                let hook = &self.active().hook;
                let default = if app_flag {
                    self.world.model.relations[&rid]
                        .remote_app(&self.app())
                        .map(str::to_owned)
                } else {
                    hook.remote_unit().map(str::to_owned)
                };
                default.ok_or_else(|| usage("no unit or application specified"))?
            }
        };
        check_empty(rest.as_slice())?;
        let rel = &self.world.model.relations[&rid];
        let bag = if app_flag {
            // A unit name given with --app means its application.
            let app = app_of(&name).to_owned();
            if app == self.app() {
                if !rel.is_peer() && !self.leader() {
                    return Err(failed("permission denied"));
                }
            } else if rel.remote_app(&self.app()) != Some(app.as_str()) {
                return Err(failed(format!(
                    "cannot read settings for application {app:?} in relation {:?}: not found",
                    rel.id_for(&self.app())
                )));
            }
            self.bag_view(rid, &Bag::App(app)).unwrap_or_default()
        } else {
            if !name.contains('/') {
                return Err(failed(format!("{name:?} is not a valid unit name")));
            }
            match self.bag_view(rid, &Bag::Unit(name.clone())) {
                Some(bag) => bag,
                None => {
                    return Err(failed(format!(
                        "cannot read settings for unit {name:?} in relation {:?}: settings not found",
                        rel.id_for(&self.app())
                    )));
                }
            }
        };
        match key {
            None => Ok(render(&json!(bag), format)),
            Some(key) => Ok(render(
                &bag.get(&key).map(|v| json!(v)).unwrap_or(Value::Null),
                format,
            )),
        }
    }

    /// `relation-set [-r <id>] [--app] [--file <path>|-] [key=value ...]`:
    /// held until the hook succeeds.
    fn relation_set(&mut self) -> Out {
        const FILE: Flag = valued(&["file"]);
        let p = parse(self.args(), &[RELATION, APP, FILE, FORMAT])?;
        let rid = self.relation(&p)?;
        let overrides = key_values(&p.args)?;
        let mut settings = match p.get("file") {
            None => BTreeMap::new(),
            Some("-") => settings_file(self.request.stdin.as_deref().unwrap_or(""))?,
            Some(path) => self.settings_file_at(path)?,
        };
        settings.extend(overrides);
        let bag = if p.on("app") {
            if !self.leader() {
                // Juju's relation-set.go says just this.
                return Err(failed("cannot write relation settings"));
            }
            Bag::App(self.app())
        } else {
            Bag::Unit(self.unit.clone())
        };
        self.active_mut()
            .pending_data
            .entry((rid, bag))
            .or_default()
            .extend(settings);
        Ok(String::new())
    }

    // -----------------------------------------------------------------------
    // Config and leadership.

    /// `config-get [--all|-a] [<key>]`: without `--all`, unset (null)
    /// options are left out.
    fn config_get(&mut self) -> Out {
        let p = parse(self.args(), &[FORMAT, switch(&["a", "all"])])?;
        let format = format_of(&p)?;
        let key = p.args.first();
        if let Some(key) = key {
            if p.on("a") {
                return Err(usage(format!(
                    "cannot use argument --all together with key {key:?}"
                )));
            }
            check_empty(&p.args[1..])?;
        }
        let mut config = self
            .world
            .model
            .apps
            .get(&self.app())
            .map(|a| a.config())
            .unwrap_or_default();
        if let Some(key) = key {
            return Ok(render(config.get(key).unwrap_or(&Value::Null), format));
        }
        if !p.on("a") {
            config.retain(|_, v| !v.is_null());
        }
        Ok(render(&Value::Object(config), format))
    }

    fn is_leader(&mut self) -> Out {
        let p = parse(self.args(), &[FORMAT])?;
        check_empty(&p.args)?;
        Ok(render(&json!(self.leader()), format_of(&p)?))
    }

    /// `leader-get [<key>|-]`.
    fn leader_get(&mut self) -> Out {
        let p = parse(self.args(), &[FORMAT])?;
        let format = format_of(&p)?;
        let key = p.args.first().filter(|k| *k != "-");
        if let Some(key) = key.filter(|k| k.contains('=')) {
            return Err(usage(format!("invalid key {key:?}")));
        }
        check_empty(p.args.get(1..).unwrap_or_default())?;
        let settings = self
            .world
            .model
            .apps
            .get(&self.app())
            .map(|a| a.leader_settings.clone())
            .unwrap_or_default();
        match key {
            None => Ok(render(&json!(settings), format)),
            Some(key) => Ok(render(
                &settings.get(key).map(|v| json!(v)).unwrap_or(Value::Null),
                format,
            )),
        }
    }

    /// `leader-set key=value ...`: the leader only, written at once (as
    /// Juju does), leader-settings-changed queued on the other units.
    fn leader_set(&mut self) -> Out {
        let p = parse(self.args(), &[])?;
        let settings = key_values(&p.args)?;
        if !self.leader() {
            return Err(failed(
                "cannot write leadership settings: cannot write settings: not the leader",
            ));
        }
        let app = self.app();
        let Some(a) = self.world.model.apps.get_mut(&app) else {
            return Err(failed("no application"));
        };
        let before = a.leader_settings.clone();
        for (k, v) in settings {
            if v.is_empty() {
                a.leader_settings.remove(&k);
            } else {
                a.leader_settings.insert(k, v);
            }
        }
        if a.leader_settings != before {
            let unit = self.unit.clone();
            self.world.leader_settings_changed(&unit);
        }
        Ok(String::new())
    }

    // -----------------------------------------------------------------------
    // Status.

    /// `status-set [--application] <status> [<message>]`: at once.
    fn status_set(&mut self) -> Out {
        let p = parse(self.args(), &[switch(&["application"])])?;
        let (status, rest) = p
            .args
            .split_first()
            .ok_or_else(|| usage("invalid args, require <status> [message]"))?;
        if !["maintenance", "blocked", "waiting", "active"].contains(&status.as_str()) {
            return Err(usage(format!(
                "invalid status {status:?}, expected one of [maintenance blocked waiting active]"
            )));
        }
        let message = rest.first().cloned().unwrap_or_default();
        check_empty(rest.get(1..).unwrap_or_default())?;
        let new = crate::model::Status::new(status.clone(), message);
        if p.on("application") {
            if !self.leader() {
                return Err(failed("this unit is not the leader"));
            }
            let app = self.app();
            if let Some(a) = self.world.model.apps.get_mut(&app) {
                a.status = new;
            }
        } else if let Some(u) = self.world.model.units.get_mut(&self.unit) {
            u.workload = new;
        }
        Ok(String::new())
    }

    /// `status-get [--include-data] [--application]`.
    fn status_get(&mut self) -> Out {
        let p = parse(
            self.args(),
            &[FORMAT, switch(&["include-data"]), switch(&["application"])],
        )?;
        check_empty(&p.args)?;
        let format = format_of(&p)?;
        let with_data = p.on("include-data");
        let details = |s: &crate::model::Status| {
            let mut out = json!({"status": s.state});
            if with_data {
                out["message"] = json!(s.message);
                out["status-data"] = json!({});
            }
            out
        };
        let model = &self.world.model;
        if !p.on("application") {
            return Ok(render(&details(&model.units[&self.unit].workload), format));
        }
        if !self.leader() {
            return Err(failed(
                "finding application status: this unit is not the leader",
            ));
        }
        let app = self.app();
        let mut out = details(&model.apps[&app].status);
        let units: Map<String, Value> = model
            .units_of(&app)
            .iter()
            .map(|u| (u.clone(), details(&model.units[u].workload)))
            .collect();
        out["units"] = Value::Object(units);
        Ok(render(&json!({ "application-status": out }), format))
    }

    /// `application-version-set <version>`: at once.
    fn application_version_set(&mut self) -> Out {
        let p = parse(self.args(), &[])?;
        let (version, rest) = p
            .args
            .split_first()
            .ok_or_else(|| usage("no version specified"))?;
        check_empty(rest)?;
        if let Some(u) = self.world.model.units.get_mut(&self.unit) {
            u.workload_version = version.clone();
        }
        Ok(String::new())
    }

    // -----------------------------------------------------------------------
    // Network and ports.

    /// `unit-get private-address|public-address`: the unit's addresses.
    fn unit_get(&mut self) -> Out {
        let p = parse(self.args(), &[FORMAT])?;
        let (key, rest) = p
            .args
            .split_first()
            .ok_or_else(|| usage("no setting specified"))?;
        if key != "private-address" && key != "public-address" {
            return Err(usage(format!("unknown setting {key:?}")));
        }
        check_empty(rest)?;
        let unit = &self.world.model.units[&self.unit];
        let address = if key == "public-address" {
            &unit.public_address
        } else {
            &unit.address
        };
        Ok(render(&json!(address), format_of(&p)?))
    }

    /// `network-get <binding> [-r <id>] [--ingress-address]
    /// [--bind-address] [--egress-subnets] [--primary-address]`.
    fn network_get(&mut self) -> Out {
        let p = parse(
            self.args(),
            &[
                FORMAT,
                RELATION,
                switch(&["primary-address"]),
                switch(&["bind-address"]),
                switch(&["ingress-address"]),
                switch(&["egress-subnets"]),
            ],
        )?;
        if p.get("r").is_some() {
            self.relation(&p)?;
        }
        let format = format_of(&p)?;
        let (binding, rest) = p
            .args
            .split_first()
            .ok_or_else(|| usage("no arguments specified"))?;
        if binding.is_empty() {
            return Err(usage("no binding name specified"));
        }
        check_empty(rest)?;
        let charm = &self.world.model.apps[&self.app()].charm;
        if !charm.endpoints.contains_key(binding) && !charm.extra_bindings.contains(binding) {
            return Err(failed(format!(
                "no network config found for binding {binding:?}"
            )));
        }
        let address = self.world.model.units[&self.unit].address.clone();
        let info = network_json(&address);
        let mut picked = Map::new();
        if p.on("egress-subnets") {
            picked.insert("egress-subnets".into(), info["egress-subnets"].clone());
        }
        if p.on("ingress-address") {
            picked.insert("ingress-address".into(), json!(address));
        }
        if p.on("bind-address") {
            picked.insert("bind-address".into(), json!(address));
        }
        if p.on("primary-address") {
            return Ok(render(&json!(address), format));
        }
        Ok(match picked.len() {
            0 => render(&info, format),
            1 => render(picked.values().next().unwrap_or(&Value::Null), format),
            _ => render(&Value::Object(picked), format),
        })
    }

    /// `open-port <port>` / `close-port <port>`: held until the hook
    /// succeeds.
    fn port(&mut self, open: bool) -> Out {
        let p = parse(self.args(), &[FORMAT, valued(&["endpoints"])])?;
        let (text, rest) = p
            .args
            .split_first()
            .ok_or_else(|| usage("no port or range specified"))?;
        let port = Port::parse(text).map_err(usage)?;
        check_empty(rest)?;
        self.active_mut().pending_ports.push((open, port));
        Ok(String::new())
    }

    /// `opened-ports`: the committed ports with this hook's changes, sorted
    /// by protocol, then range.
    fn opened_ports(&mut self) -> Out {
        let p = parse(self.args(), &[FORMAT, switch(&["endpoints"])])?;
        check_empty(&p.args)?;
        let format = format_of(&p)?;
        let mut ports = self.world.model.units[&self.unit].ports.clone();
        for (open, port) in &self.active().pending_ports {
            if *open {
                ports.insert(port.clone());
            } else {
                ports.remove(port);
            }
        }
        let texts: Vec<String> = ports.iter().map(Port::to_string).collect();
        Ok(render(&json!(texts), format))
    }

    // -----------------------------------------------------------------------
    // Logs and actions.

    /// `juju-log [-l <level>] [--debug] <message...>`: recorded at once.
    fn juju_log(&mut self) -> Out {
        let p = parse(
            self.args(),
            &[switch(&["debug"]), valued(&["l", "log-level"]), FORMAT],
        )?;
        if p.args.is_empty() {
            return Err(usage("no message specified"));
        }
        let level = if p.on("debug") {
            "DEBUG".to_owned()
        } else {
            let asked = p.get("l").unwrap_or("INFO").to_uppercase();
            let known = ["TRACE", "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];
            match asked.as_str() {
                "WARN" => "WARNING".to_owned(),
                level if known.contains(&level) => asked,
                _ => "INFO".to_owned(),
            }
        };
        let entry = LogEntry {
            unit: self.unit.clone(),
            hook: self.active().name.clone(),
            level,
            message: p.args.join(" "),
        };
        self.world.logs.push(entry);
        Ok(String::new())
    }

    fn in_action(&self) -> Result<(), Fail> {
        match self.active().action {
            Some(_) => Ok(()),
            None => Err(failed("not running an action")),
        }
    }

    /// `action-get [<key>[.<key>...]]`.
    fn action_get(&mut self) -> Out {
        let p = parse(self.args(), &[FORMAT])?;
        check_empty(p.args.get(1..).unwrap_or_default())?;
        let format = format_of(&p)?;
        self.in_action()?;
        let params = Value::Object(
            self.active()
                .action
                .as_ref()
                .map(|a| a.params.clone())
                .unwrap_or_default(),
        );
        match p.args.first() {
            None => Ok(render(&params, format)),
            Some(path) => {
                let value = path
                    .split('.')
                    .try_fold(&params, |v, k| v.get(k))
                    .unwrap_or(&Value::Null);
                Ok(render(value, format))
            }
        }
    }

    /// `action-set key[.key...]=value ...`.
    fn action_set(&mut self) -> Out {
        let p = parse(self.args(), &[])?;
        let mut results = Vec::new();
        for arg in &p.args {
            let (key, value) = arg.split_once('=').ok_or_else(|| {
                usage(format!("argument {arg:?} must be of the form key...=value"))
            })?;
            let keys: Vec<String> = key.split('.').map(str::to_owned).collect();
            if let Some(bad) = keys.iter().find(|k| !valid_action_key(k)) {
                return Err(usage(format!(
                    "key {bad:?} must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric, hyphens and periods"
                )));
            }
            results.push((keys, value.to_owned()));
        }
        self.in_action()?;
        let action = self.active_mut().action.as_mut().expect("in an action");
        for (keys, value) in results {
            let mut node = &mut action.results;
            let (last, parents) = keys.split_last().expect("split yields a key");
            for key in parents {
                let entry = node.entry(key.clone()).or_insert_with(|| json!({}));
                if !entry.is_object() {
                    *entry = json!({});
                }
                node = entry.as_object_mut().expect("just made an object");
            }
            node.insert(last.clone(), json!(value));
        }
        Ok(String::new())
    }

    /// `action-fail [<message>]`.
    fn action_fail(&mut self) -> Out {
        let p = parse(self.args(), &[])?;
        let message = match p.args.split_first() {
            None => "action failed without reason given, check action for errors".to_owned(),
            Some((message, rest)) => {
                check_empty(rest)?;
                message.clone()
            }
        };
        self.in_action()?;
        if let Some(a) = self.active_mut().action.as_mut() {
            a.failure = Some(message);
        }
        Ok(String::new())
    }

    /// `action-log <message...>`.
    fn action_log(&mut self) -> Out {
        let p = parse(self.args(), &[])?;
        if p.args.is_empty() {
            return Err(usage("no message specified"));
        }
        self.in_action()?;
        let message = p.args.join(" ");
        if let Some(a) = self.active_mut().action.as_mut() {
            a.logs.push(message);
        }
        Ok(String::new())
    }
}

/// Juju's action result key rule: `^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$`.
fn valid_action_key(key: &str) -> bool {
    let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    key.chars().next().is_some_and(ok)
        && key.chars().last().is_some_and(ok)
        && key.chars().all(|c| ok(c) || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|a| (*a).to_owned()).collect()
    }

    #[test]
    fn gnuflag_parsing_takes_the_real_tools_syntax() {
        let p = parse(
            &strings(&["-rdb:1", "--app", "--", "-", "pg/0"]),
            &[FORMAT, RELATION, APP],
        )
        .unwrap();
        assert_eq!(p.get("r"), Some("db:1"));
        assert!(p.on("app"));
        assert_eq!(p.args, ["-", "pg/0"]);
        let err = parse(&strings(&["--nope"]), &[FORMAT]).err().unwrap();
        assert_eq!(err.code, 2);
    }

    #[test]
    fn smart_and_json_output() {
        assert_eq!(render(&json!(true), Format::Smart), "True\n");
        assert_eq!(render(&json!(true), Format::Json), "true\n");
        assert_eq!(render(&json!(["a", "b"]), Format::Smart), "a\nb\n");
        assert_eq!(render(&json!({"k": "v"}), Format::Yaml), "k: v\n");
    }

    #[test]
    fn settings_files_in_json_and_yaml() {
        let s = settings_file("{\"a\": \"1\", \"b\": \"\"}").unwrap();
        assert_eq!(s["a"], "1");
        let s = settings_file("a: 1\nb: null\n").unwrap();
        assert_eq!(s["a"], "1");
        assert_eq!(s["b"], "");
        assert!(settings_file("a: [1]").is_err());
        // A JSON number is a scalar, as in YAML; a raw control character
        // is refused (go-yaml would), escaped it is fine.
        assert_eq!(settings_file("{\"a\": 1}").unwrap()["a"], "1");
        assert!(settings_file("{\"a\": \"x\u{7}y\"}").is_err());
        assert_eq!(
            settings_file("{\"a\": \"x\\u0007y\"}").unwrap()["a"],
            "x\u{7}y"
        );
    }
}
