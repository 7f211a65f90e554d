//! A fake of Juju's hook tools, for the workspace tests only (not part of
//! the product).
//!
//! One program plays every tool: it acts as the tool its own file name
//! names, so a test makes a directory of symlinks (`relation-get`,
//! `status-set`, ...) pointing at it. Each tool takes the real tool's
//! arguments (gnuflag syntax: flags anywhere, `--` ends them, `-r x`,
//! `-rx`, `--flag=value`, `--flag value`), prints what the real one prints
//! with `--format=json`, and fails like it: `ERROR <message>` on stderr,
//! exit 2 for bad arguments and 1 for a failure while running.
//!
//! The unit's world is a JSON file, named by `FAKE_JUJU_STATE` or else
//! `fake-juju-state.json` beside the tool (tests run in parallel threads of
//! one process, which share one environment, so they use the directory):
//!
//! ```json
//! {
//!   "unit": "myapp/0",
//!   "leader": true,
//!   "relations": {
//!     "db:1": {
//!       "app": "pg",                       // "" when not known yet
//!       "units": ["pg/0"],
//!       "unit_data": {"pg/0": {"host": "10.0.0.9"}, "myapp/0": {}},
//!       "app_data": {"pg": {}, "myapp": {}}
//!     }
//!   },
//!   "config": {"port": 80},
//!   "leader_settings": {"k": "v"},
//!   "unit_status": {"status": "active", "message": ""},
//!   "app_status": {"status": "active", "message": ""},
//!   "app_version": "1.0",
//!   "unit_get": {"private-address": "10.0.0.1"},
//!   "networks": {"db": {"bind-addresses": [], "ingress-addresses": []}},
//!   "ports": ["80/tcp"],
//!   "action_params": {"x": 1},             // absent: not in an action
//!   "action_results": {}, "action_failure": "msg", "action_logs": [],
//!   "logs": [{"level": "INFO", "message": "..."}],
//!   "stdout_override": {"is-leader": "garbage"}, // print this instead
//!   "fail": {"leader-get": "boom"}         // exit 1 with ERROR boom
//! }
//! ```
//!
//! Every run appends one JSON line `{"tool", "args", "stdin"}` (`stdin`:
//! whether the tool read its standard input) to `FAKE_JUJU_CALLS`, or else
//! `fake-juju-calls.jsonl` beside the tool. Values read from stdin are not
//! logged.

use std::collections::BTreeMap;
use std::fs::{self, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use charm_sim::toolargs::{
    APP, FORMAT, Fail, Flag, Parsed, RELATION, check_empty, failed, key_values, parse,
    settings_file, usage,
};
use serde_json::{Map, Value, json};

fn main() -> ExitCode {
    let mut argv = std::env::args_os();
    let argv0 = PathBuf::from(argv.next().unwrap_or_default());
    let tool = argv0
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let args: Vec<String> = argv.map(|a| a.to_string_lossy().into_owned()).collect();
    let files = Files::locate(&argv0);

    let mut call = Call {
        world: Value::Null,
        stdin_used: false,
        changed: false,
    };
    let result = files
        .load()
        .and_then(|world| {
            call.world = world;
            call.dispatch(&tool, &args)
        })
        .and_then(|output| {
            if call.changed {
                files.save(&call.world)?;
            }
            Ok(output)
        });
    files.log_call(&tool, &args, call.stdin_used);
    match result {
        Ok(output) => {
            if let Some(text) = output {
                print!("{text}");
            }
            ExitCode::SUCCESS
        }
        Err(fail) => {
            eprintln!("ERROR {}", fail.message);
            ExitCode::from(u8::try_from(fail.code).unwrap_or(1))
        }
    }
}

// ---------------------------------------------------------------------------
// Files.

/// Where the state and the call log are.
struct Files {
    state: PathBuf,
    calls: PathBuf,
}

impl Files {
    fn locate(argv0: &Path) -> Self {
        let dir = argv0.parent().unwrap_or(Path::new("."));
        let pick = |var: &str, name: &str| {
            std::env::var_os(var)
                .map(PathBuf::from)
                .unwrap_or_else(|| dir.join(name))
        };
        Self {
            state: pick("FAKE_JUJU_STATE", "fake-juju-state.json"),
            calls: pick("FAKE_JUJU_CALLS", "fake-juju-calls.jsonl"),
        }
    }

    fn load(&self) -> Result<Value, Fail> {
        let text = match fs::read_to_string(&self.state) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(json!({})),
            Err(e) => return Err(failed(format!("fake: cannot read the state file: {e}"))),
        };
        match serde_json::from_str(&text) {
            Ok(world @ Value::Object(_)) => Ok(world),
            Ok(_) => Err(failed("fake: the state file is not a JSON object")),
            Err(e) => Err(failed(format!("fake: the state file is not JSON: {e}"))),
        }
    }

    fn save(&self, world: &Value) -> Result<(), Fail> {
        let text = serde_json::to_string_pretty(world).unwrap_or_default();
        fs::write(&self.state, text)
            .map_err(|e| failed(format!("fake: cannot write the state file: {e}")))
    }

    fn log_call(&self, tool: &str, args: &[String], stdin_used: bool) {
        let line = json!({"tool": tool, "args": args, "stdin": stdin_used});
        if let Ok(mut log) = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.calls)
        {
            let _ = writeln!(log, "{line}");
        }
    }
}

// ---------------------------------------------------------------------------
// Failures, as juju/cmd reports them.

// ---------------------------------------------------------------------------
// gnuflag: the simulator's parser (`charm_sim::toolargs`), one for both.

/// `--format`: the fake prints JSON only.
fn check_format(parsed: &Parsed) -> Result<(), Fail> {
    match parsed.get("format") {
        Some("json") => Ok(()),
        Some(f @ ("smart" | "yaml")) => Err(usage(format!(
            "fake-hook-tool prints only --format=json, not {f:?}"
        ))),
        Some(f) => Err(usage(format!(
            "invalid value {f:?} for flag --format: unknown format {f:?}"
        ))),
        None => Err(usage("fake-hook-tool prints only --format=json")),
    }
}

// ---------------------------------------------------------------------------
// The world.

/// The value at `path`, if any.
fn get<'a>(world: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(world, |v, key| v.get(key))
}

/// The object at `path`, made (replacing whatever was there) if need be.
fn object_at<'a>(world: &'a mut Value, path: &[&str]) -> &'a mut Map<String, Value> {
    let mut node = world;
    for key in path {
        if !node.is_object() {
            *node = json!({});
        }
        node = node
            .as_object_mut()
            .expect("just made an object")
            .entry(*key)
            .or_insert_with(|| json!({}));
    }
    if !node.is_object() {
        *node = json!({});
    }
    node.as_object_mut().expect("just made an object")
}

/// Set or (with an empty value) delete settings, as Juju does.
fn apply(bag: &mut Map<String, Value>, changes: BTreeMap<String, String>) {
    for (key, value) in changes {
        if value.is_empty() {
            bag.remove(&key);
        } else {
            bag.insert(key, Value::String(value));
        }
    }
}

fn json_line(value: &Value) -> Option<String> {
    Some(format!("{value}\n"))
}

/// One run of one tool.
struct Call {
    world: Value,
    stdin_used: bool,
    changed: bool,
}

impl Call {
    fn unit(&self) -> String {
        get(&self.world, &["unit"])
            .and_then(Value::as_str)
            .unwrap_or("myapp/0")
            .to_owned()
    }

    fn app(&self) -> String {
        let unit = self.unit();
        unit.split('/').next().unwrap_or_default().to_owned()
    }

    fn leader(&self) -> bool {
        get(&self.world, &["leader"]).and_then(Value::as_bool) == Some(true)
    }

    fn in_action(&self) -> Result<(), Fail> {
        match get(&self.world, &["action_params"]) {
            Some(_) => Ok(()),
            None => Err(failed("not running an action")),
        }
    }

    /// The key of the relation `-r` names (`db:1`, or just `1`), as Juju's
    /// relation id flag checks it.
    fn relation(&self, parsed: &Parsed) -> Result<String, Fail> {
        let value = parsed
            .get("r")
            .ok_or_else(|| usage("no relation id specified"))?;
        let number = value.rsplit(':').next().unwrap_or(value);
        let number: u32 = number.parse().map_err(|_| {
            usage(format!(
                "invalid value {value:?} for flag -r: invalid relation id"
            ))
        })?;
        let relations = get(&self.world, &["relations"]).and_then(Value::as_object);
        relations
            .into_iter()
            .flat_map(|r| r.keys())
            .find(|key| key.rsplit(':').next() == Some(&number.to_string()))
            .cloned()
            .ok_or_else(|| {
                usage(format!(
                    "invalid value {value:?} for flag -r: relation not found"
                ))
            })
    }

    /// Run `tool`; `Ok(Some(text))` is what it prints.
    fn dispatch(&mut self, tool: &str, args: &[String]) -> Result<Option<String>, Fail> {
        if let Some(message) = get(&self.world, &["fail", tool]).and_then(Value::as_str) {
            return Err(failed(message));
        }
        if let Some(text) = get(&self.world, &["stdout_override", tool]).and_then(Value::as_str) {
            return Ok(Some(text.to_owned()));
        }
        // A flag only before `--`: `juju-log -- --help` logs the text.
        if args
            .iter()
            .take_while(|a| *a != "--")
            .any(|a| a == "--help" || a == "-h")
        {
            // charmhelpers probes `relation-set --help` for `--file`.
            let file = if tool == "relation-set" {
                "\n--file (= )\n    file containing key-value pairs\n"
            } else {
                "\n"
            };
            return Ok(Some(format!("Usage: {tool} [options]{file}")));
        }
        match tool {
            "relation-ids" => self.relation_ids(args),
            "relation-list" => self.relation_list(args),
            "relation-get" => self.relation_get(args),
            "relation-set" => self.relation_set(args),
            "config-get" => self.config_get(args),
            "is-leader" => self.is_leader(args),
            "leader-get" => self.leader_get(args),
            "leader-set" => self.leader_set(args),
            "status-set" => self.status_set(args),
            "status-get" => self.status_get(args),
            "application-version-set" => self.application_version_set(args),
            "unit-get" => self.unit_get(args),
            "network-get" => self.network_get(args),
            "open-port" => self.port(args, true),
            "close-port" => self.port(args, false),
            "opened-ports" => self.opened_ports(args),
            "juju-log" => self.juju_log(args),
            "action-get" => self.action_get(args),
            "action-set" => self.action_set(args),
            "action-fail" => self.action_fail(args),
            "action-log" => self.action_log(args),
            other => Err(usage(format!("fake-hook-tool does not play {other:?}"))),
        }
    }

    // -----------------------------------------------------------------------
    // Relations.

    /// `relation-ids [--format] <endpoint>`: sorted `endpoint:N` strings.
    fn relation_ids(&mut self, args: &[String]) -> Result<Option<String>, Fail> {
        let p = parse(args, &[FORMAT])?;
        check_format(&p)?;
        let (name, rest) = p
            .args
            .split_first()
            .ok_or_else(|| usage("no relation name specified"))?;
        check_empty(rest)?;
        let mut ids: Vec<&String> = get(&self.world, &["relations"])
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|r| r.keys())
            .filter(|key| key.rsplit_once(':').map(|(e, _)| e) == Some(name.as_str()))
            .collect();
        ids.sort();
        Ok(json_line(&json!(ids)))
    }

    /// `relation-list -r <id> [--app]`: unit names, or the remote
    /// application (`""` when unknown).
    fn relation_list(&mut self, args: &[String]) -> Result<Option<String>, Fail> {
        let p = parse(args, &[FORMAT, RELATION, APP])?;
        let rid = self.relation(&p)?;
        check_empty(&p.args)?;
        check_format(&p)?;
        let relation = get(&self.world, &["relations", &rid])
            .cloned()
            .unwrap_or_default();
        if p.on("app") {
            let app = relation.get("app").cloned().unwrap_or(json!(""));
            return Ok(json_line(&app));
        }
        let units = relation.get("units").cloned().unwrap_or(json!([]));
        Ok(json_line(&units))
    }

    /// `relation-get -r <id> [--app] [<key>|-] <unit or app>`.
    fn relation_get(&mut self, args: &[String]) -> Result<Option<String>, Fail> {
        let p = parse(args, &[FORMAT, RELATION, APP])?;
        let rid = self.relation(&p)?;
        let mut rest = p.args.iter();
        let key = rest.next().filter(|k| *k != "-").cloned();
        let name = rest
            .next()
            .ok_or_else(|| usage("no unit or application specified"))?;
        check_empty(rest.as_slice())?;
        check_format(&p)?;
        let app = p.on("app");
        let relation = get(&self.world, &["relations", &rid])
            .cloned()
            .unwrap_or_default();

        let bag = if app {
            // A unit name given with --app means its application.
            let name = name.split('/').next().unwrap_or_default();
            if name == self.app() {
                if !self.leader() {
                    return Err(failed("permission denied"));
                }
            } else if relation.get("app").and_then(Value::as_str) != Some(name) {
                return Err(failed(format!(
                    "cannot read settings for application {name:?} in relation {rid:?}: not found"
                )));
            }
            relation.get("app_data").and_then(|d| d.get(name)).cloned()
        } else {
            if !name.contains('/') {
                return Err(failed(format!("{name:?} is not a valid unit name")));
            }
            let bag = relation.get("unit_data").and_then(|d| d.get(name)).cloned();
            if bag.is_none() && *name != self.unit() {
                return Err(failed(format!(
                    "cannot read settings for unit {name:?} in relation {rid:?}: settings not found"
                )));
            }
            bag
        };
        let bag = bag.unwrap_or(json!({}));
        match key {
            None => Ok(json_line(&bag)),
            Some(key) => Ok(json_line(bag.get(&key).unwrap_or(&Value::Null))),
        }
    }

    /// `relation-set -r <id> [--app] [--file <path>|-] [key=value ...]`.
    fn relation_set(&mut self, args: &[String]) -> Result<Option<String>, Fail> {
        let file = Flag {
            names: &["file"],
            value: true,
        };
        let p = parse(args, &[RELATION, APP, file, FORMAT])?;
        let rid = self.relation(&p)?;
        let overrides = key_values(&p.args)?;
        if p.get("format").is_some() {
            eprint!("--format flag deprecated for command \"relation-set\"");
        }

        let mut settings = match p.get("file") {
            None => BTreeMap::new(),
            Some(path) => {
                let mut text = String::new();
                let read = if path == "-" {
                    self.stdin_used = true;
                    std::io::stdin().read_to_string(&mut text).map(drop)
                } else {
                    fs::read_to_string(path).map(|t| text = t)
                };
                read.map_err(|e| failed(format!("cannot read {path:?}: {e}")))?;
                settings_file(&text)?
            }
        };
        settings.extend(overrides);

        let bag = if p.on("app") {
            if !self.leader() {
                return Err(failed("cannot write relation settings"));
            }
            ["app_data".to_owned(), self.app()]
        } else {
            ["unit_data".to_owned(), self.unit()]
        };
        apply(
            object_at(&mut self.world, &["relations", &rid, &bag[0], &bag[1]]),
            settings,
        );
        self.changed = true;
        Ok(None)
    }

    // -----------------------------------------------------------------------
    // Config and leadership.

    /// `config-get [--all|-a] [<key>]`: without `--all`, unset (null)
    /// options are left out.
    fn config_get(&mut self, args: &[String]) -> Result<Option<String>, Fail> {
        let all = Flag {
            names: &["a", "all"],
            value: false,
        };
        let p = parse(args, &[FORMAT, all])?;
        let key = p.args.first();
        if let Some(key) = key {
            if p.on("a") {
                return Err(usage(format!(
                    "cannot use argument --all together with key {key:?}"
                )));
            }
            check_empty(&p.args[1..])?;
        }
        check_format(&p)?;
        let mut config = get(&self.world, &["config"])
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        if let Some(key) = key {
            return Ok(json_line(config.get(key).unwrap_or(&Value::Null)));
        }
        if !p.on("a") {
            config.retain(|_, v| !v.is_null());
        }
        Ok(json_line(&Value::Object(config)))
    }

    /// `is-leader`.
    fn is_leader(&mut self, args: &[String]) -> Result<Option<String>, Fail> {
        let p = parse(args, &[FORMAT])?;
        check_empty(&p.args)?;
        check_format(&p)?;
        Ok(json_line(&json!(self.leader())))
    }

    /// `leader-get [<key>|-]`: all settings (`null` when the state says so).
    fn leader_get(&mut self, args: &[String]) -> Result<Option<String>, Fail> {
        let p = parse(args, &[FORMAT])?;
        let key = p.args.first().filter(|k| *k != "-");
        if let Some(key) = key.filter(|k| k.contains('=')) {
            return Err(usage(format!("invalid key {key:?}")));
        }
        check_empty(p.args.get(1..).unwrap_or_default())?;
        check_format(&p)?;
        let settings = match get(&self.world, &["leader_settings"]) {
            Some(settings) => settings.clone(),
            None => json!({}),
        };
        match key {
            None => Ok(json_line(&settings)),
            Some(key) => Ok(json_line(settings.get(key).unwrap_or(&Value::Null))),
        }
    }

    /// `leader-set key=value ...`: the leader only.
    fn leader_set(&mut self, args: &[String]) -> Result<Option<String>, Fail> {
        let p = parse(args, &[])?;
        let settings = key_values(&p.args)?;
        if !self.leader() {
            return Err(failed(
                "cannot write leadership settings: cannot write settings: not the leader",
            ));
        }
        apply(object_at(&mut self.world, &["leader_settings"]), settings);
        self.changed = true;
        Ok(None)
    }

    // -----------------------------------------------------------------------
    // Status.

    /// `status-set [--application] <status> [<message>]`.
    fn status_set(&mut self, args: &[String]) -> Result<Option<String>, Fail> {
        let application = Flag {
            names: &["application"],
            value: false,
        };
        let p = parse(args, &[application])?;
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
        let target = if p.on("application") {
            if !self.leader() {
                return Err(failed("this unit is not the leader"));
            }
            "app_status"
        } else {
            "unit_status"
        };
        let record = object_at(&mut self.world, &[target]);
        record.insert("status".into(), json!(status));
        record.insert("message".into(), json!(message));
        self.changed = true;
        Ok(None)
    }

    /// `status-get [--include-data] [--application]`, the JSON of Juju's
    /// status-get.go.
    fn status_get(&mut self, args: &[String]) -> Result<Option<String>, Fail> {
        let include_data = Flag {
            names: &["include-data"],
            value: false,
        };
        let application = Flag {
            names: &["application"],
            value: false,
        };
        let p = parse(args, &[FORMAT, include_data, application])?;
        check_empty(&p.args)?;
        check_format(&p)?;
        let with_data = p.on("include-data");
        let details = |record: Option<&Value>| {
            let status = record.and_then(|r| r.get("status")).cloned();
            let mut out = json!({"status": status.unwrap_or(json!("unknown"))});
            if with_data {
                let message = record.and_then(|r| r.get("message")).cloned();
                out["message"] = message.unwrap_or(json!(""));
                out["status-data"] = json!({});
            }
            out
        };
        if !p.on("application") {
            return Ok(json_line(&details(get(&self.world, &["unit_status"]))));
        }
        if !self.leader() {
            return Err(failed(
                "finding application status: this unit is not the leader",
            ));
        }
        let mut app = details(get(&self.world, &["app_status"]));
        app["units"] = json!({ self.unit(): details(get(&self.world, &["unit_status"])) });
        Ok(json_line(&json!({ "application-status": app })))
    }

    /// `application-version-set <version>`.
    fn application_version_set(&mut self, args: &[String]) -> Result<Option<String>, Fail> {
        let p = parse(args, &[])?;
        let (version, rest) = p
            .args
            .split_first()
            .ok_or_else(|| usage("no version specified"))?;
        check_empty(rest)?;
        self.world["app_version"] = json!(version);
        self.changed = true;
        Ok(None)
    }

    // -----------------------------------------------------------------------
    // Network and ports.

    /// `unit-get private-address|public-address`.
    fn unit_get(&mut self, args: &[String]) -> Result<Option<String>, Fail> {
        let p = parse(args, &[FORMAT])?;
        let (key, rest) = p
            .args
            .split_first()
            .ok_or_else(|| usage("no setting specified"))?;
        if key != "private-address" && key != "public-address" {
            return Err(usage(format!("unknown setting {key:?}")));
        }
        check_empty(rest)?;
        check_format(&p)?;
        match get(&self.world, &["unit_get", key]) {
            Some(value) => Ok(json_line(value)),
            None => Err(failed(format!("{key} not found"))),
        }
    }

    /// `network-get <binding> [-r <id>] [--ingress-address]
    /// [--bind-address] [--egress-subnets]`.
    fn network_get(&mut self, args: &[String]) -> Result<Option<String>, Fail> {
        let flag = |name: &'static [&'static str]| Flag {
            names: name,
            value: false,
        };
        let p = parse(
            args,
            &[
                FORMAT,
                RELATION,
                flag(&["primary-address"]),
                flag(&["bind-address"]),
                flag(&["ingress-address"]),
                flag(&["egress-subnets"]),
            ],
        )?;
        if p.get("r").is_some() {
            self.relation(&p)?;
        }
        let (binding, rest) = p
            .args
            .split_first()
            .ok_or_else(|| usage("no arguments specified"))?;
        if binding.is_empty() {
            return Err(usage("no binding name specified"));
        }
        check_empty(rest)?;
        check_format(&p)?;
        let info = get(&self.world, &["networks", binding])
            .cloned()
            .ok_or_else(|| failed(format!("no network config found for binding {binding:?}")))?;
        let first_address = info
            .pointer("/bind-addresses/0/addresses/0/value")
            .cloned()
            .unwrap_or(Value::Null);
        let mut picked = Map::new();
        if p.on("egress-subnets") {
            let subnets = info.get("egress-subnets").cloned().unwrap_or(json!([]));
            picked.insert("egress-subnets".into(), subnets);
        }
        if p.on("ingress-address") {
            let ingress = info.pointer("/ingress-addresses/0").cloned();
            picked.insert(
                "ingress-address".into(),
                ingress.unwrap_or(first_address.clone()),
            );
        }
        if p.on("bind-address") {
            picked.insert("bind-address".into(), first_address.clone());
        }
        if p.on("primary-address") {
            return Ok(json_line(&first_address));
        }
        match picked.len() {
            0 => Ok(json_line(&info)),
            1 => Ok(json_line(picked.values().next().unwrap_or(&Value::Null))),
            _ => Ok(json_line(&Value::Object(picked))),
        }
    }

    /// `open-port <port>` / `close-port <port>`: `80`, `80/tcp`,
    /// `8000-8100/udp`, `icmp`.
    fn port(&mut self, args: &[String], open: bool) -> Result<Option<String>, Fail> {
        let endpoints = Flag {
            names: &["endpoints"],
            value: true,
        };
        let p = parse(args, &[FORMAT, endpoints])?;
        let (text, rest) = p
            .args
            .split_first()
            .ok_or_else(|| usage("no port or range specified"))?;
        let port = parse_port(text)?;
        check_empty(rest)?;
        let ports = self
            .world
            .get("ports")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut ports: Vec<String> = ports
            .iter()
            .filter_map(|p| p.as_str().map(str::to_owned))
            .filter(|p| *p != port)
            .collect();
        if open {
            ports.push(port);
        }
        self.world["ports"] = json!(ports);
        self.changed = true;
        Ok(None)
    }

    /// `opened-ports`: sorted by protocol, then range.
    fn opened_ports(&mut self, args: &[String]) -> Result<Option<String>, Fail> {
        let endpoints = Flag {
            names: &["endpoints"],
            value: false,
        };
        let p = parse(args, &[FORMAT, endpoints])?;
        check_empty(&p.args)?;
        check_format(&p)?;
        let mut ports: Vec<(String, i64, i64, String)> = get(&self.world, &["ports"])
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|text| {
                let (range, protocol) = text.split_once('/').unwrap_or(("-1", text));
                let (from, to) = range.split_once('-').unwrap_or((range, range));
                let number = |n: &str| n.parse().unwrap_or(-1);
                (
                    protocol.to_owned(),
                    number(from),
                    number(to),
                    text.to_owned(),
                )
            })
            .collect();
        ports.sort();
        ports.dedup();
        let texts: Vec<&String> = ports.iter().map(|p| &p.3).collect();
        Ok(json_line(&json!(texts)))
    }

    // -----------------------------------------------------------------------
    // Logs and actions.

    /// `juju-log [-l <level>] [--debug] <message...>`.
    fn juju_log(&mut self, args: &[String]) -> Result<Option<String>, Fail> {
        let p = parse(
            args,
            &[
                Flag {
                    names: &["debug"],
                    value: false,
                },
                Flag {
                    names: &["l", "log-level"],
                    value: true,
                },
                FORMAT,
            ],
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
        let message = p.args.join(" ");
        push(
            &mut self.world,
            "logs",
            json!({"level": level, "message": message}),
        );
        self.changed = true;
        Ok(None)
    }

    /// `action-get [<key>[.<key>...]]`.
    fn action_get(&mut self, args: &[String]) -> Result<Option<String>, Fail> {
        let p = parse(args, &[FORMAT])?;
        check_empty(p.args.get(1..).unwrap_or_default())?;
        check_format(&p)?;
        self.in_action()?;
        let params = match get(&self.world, &["action_params"]) {
            Some(Value::Null) | None => json!({}),
            Some(params) => params.clone(),
        };
        match p.args.first() {
            None => Ok(json_line(&params)),
            Some(path) => {
                let keys: Vec<&str> = path.split('.').collect();
                Ok(json_line(get(&params, &keys).unwrap_or(&Value::Null)))
            }
        }
    }

    /// `action-set key[.key...]=value ...`: keys are lowercase alphanumerics
    /// and hyphens; dots nest.
    fn action_set(&mut self, args: &[String]) -> Result<Option<String>, Fail> {
        let p = parse(args, &[])?;
        let mut results = Vec::new();
        for arg in &p.args {
            let (key, value) = arg.split_once('=').ok_or_else(|| {
                usage(format!("argument {arg:?} must be of the form key...=value"))
            })?;
            let keys: Vec<&str> = key.split('.').collect();
            if let Some(bad) = keys.iter().find(|k| !valid_action_key(k)) {
                return Err(usage(format!(
                    "key {bad:?} must start and end with lowercase alphanumeric, and contain only lowercase alphanumeric, hyphens and periods"
                )));
            }
            results.push((keys, value));
        }
        self.in_action()?;
        for (keys, value) in results {
            let (last, parents) = keys.split_last().expect("split always yields a key");
            let mut path = vec!["action_results"];
            path.extend(parents);
            object_at(&mut self.world, &path).insert((*last).to_owned(), json!(value));
        }
        self.changed = true;
        Ok(None)
    }

    /// `action-fail [<message>]`.
    fn action_fail(&mut self, args: &[String]) -> Result<Option<String>, Fail> {
        let p = parse(args, &[])?;
        let message = match p.args.split_first() {
            None => "action failed without reason given, check action for errors".to_owned(),
            Some((message, rest)) => {
                check_empty(rest)?;
                message.clone()
            }
        };
        self.in_action()?;
        self.world["action_failure"] = json!(message);
        self.changed = true;
        Ok(None)
    }

    /// `action-log <message...>`.
    fn action_log(&mut self, args: &[String]) -> Result<Option<String>, Fail> {
        let p = parse(args, &[])?;
        if p.args.is_empty() {
            return Err(usage("no message specified"));
        }
        self.in_action()?;
        push(&mut self.world, "action_logs", json!(p.args.join(" ")));
        self.changed = true;
        Ok(None)
    }
}

fn push(world: &mut Value, list: &str, item: Value) {
    match world.get_mut(list).and_then(Value::as_array_mut) {
        Some(items) => items.push(item),
        None => world[list] = json!([item]),
    }
}

/// Juju's action result key rule: `^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$`.
fn valid_action_key(key: &str) -> bool {
    let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit();
    key.chars().next().is_some_and(ok)
        && key.chars().last().is_some_and(ok)
        && key.chars().all(|c| ok(c) || c == '-')
}

/// A port argument as Juju's ports.go reads it, in canonical form.
fn parse_port(text: &str) -> Result<String, Fail> {
    let bad = || {
        usage(format!(
            "expected <port>[/<protocol>] or <from>-<to>[/<protocol>] or icmp; got {text:?}"
        ))
    };
    let lower = text.to_lowercase();
    if lower == "icmp" {
        return Ok(lower);
    }
    let (range, protocol) = lower.split_once('/').unwrap_or((&lower, "tcp"));
    let (from, to) = range.split_once('-').unwrap_or((range, range));
    let number = |n: &str| -> Result<u32, Fail> {
        if n.is_empty() || !n.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        n.parse().map_err(|_| bad())
    };
    let (from, to) = (number(from)?, number(to)?);
    if !["tcp", "udp"].contains(&protocol) {
        return Err(usage(format!(
            "protocol must be \"tcp\", \"udp\", or \"icmp\"; got {protocol:?}"
        )));
    }
    if from > to {
        return Err(usage(format!(
            "invalid port range {from}-{to}/{protocol}; expected fromPort <= toPort"
        )));
    }
    if from < 1 || to > 65535 {
        return Err(usage(format!(
            "port must be in the range [1, 65535]; got \"{from}\""
        )));
    }
    Ok(if from == to {
        format!("{from}/{protocol}")
    } else {
        format!("{from}-{to}/{protocol}")
    })
}
