//! The real hook tools, run as child processes.
//!
//! Every call goes through [`ProcessBackend::run`]: the tool is started with
//! [`Command`] (argv only, never a shell), inherits the hook's environment
//! (`JUJU_CONTEXT_ID`, `JUJU_AGENT_SOCKET_ADDRESS`, ... which the tools need
//! to reach the unit agent), gets `/dev/null` or our bytes on stdin, and
//! has its stdout and stderr captured. Every read passes `--format=json`
//! and its output is decoded by one of the pure `decode_*` functions below.
//!
//! Juju's tools parse their arguments with gnuflag, which accepts flags
//! anywhere on the command line ("interspersed"): an argument such as a
//! message that starts with `-` would be taken for a flag. Every argument
//! that comes from the caller therefore follows a `--`, which ends flag
//! parsing in gnuflag.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;

use serde_json::{Map, Value};

use super::{Backend, DataBag, Port, RelationId, Status, StatusState, ToolError};
use crate::log::Level;

/// How much of a failed tool's stderr a [`ToolError::Failed`] keeps.
const STDERR_LIMIT: usize = 4096;

/// A [`Backend`] that runs Juju's hook tools (`relation-get`, `status-set`,
/// ...) as child processes.
///
/// Under Juju the tools are on `PATH` ([`ProcessBackend::new`]); tests point
/// [`ProcessBackend::with_tools_dir`] at a directory of fakes.
///
/// * Reads pass `--format=json` and decode the JSON into the trait's types;
///   output that does not decode is a [`ToolError::BadOutput`] (which never
///   quotes the output itself: it may hold secrets).
/// * Relation data is written with `relation-set --file -`, the settings
///   going on stdin, so values never appear in argv (where any user of the
///   machine can read them in `/proc`).
/// * A tool that exits non-zero is a [`ToolError::Failed`] with its exit
///   code and (trimmed, capped) stderr; one that cannot be started is a
///   [`ToolError::Spawn`]; a request the tool's syntax cannot express is a
///   [`ToolError::Refused`], and then no tool runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProcessBackend {
    tools_dir: Option<PathBuf>,
}

impl ProcessBackend {
    /// Run the tools found on `PATH`, as Juju sets it up for a hook.
    pub fn new() -> Self {
        Self { tools_dir: None }
    }

    /// Run `<dir>/<tool>` instead of looking the tools up on `PATH`.
    pub fn with_tools_dir(dir: impl Into<PathBuf>) -> Self {
        Self {
            tools_dir: Some(dir.into()),
        }
    }

    /// The directory the tools are run from, if not `PATH`.
    pub fn tools_dir(&self) -> Option<&Path> {
        self.tools_dir.as_deref()
    }

    fn program(&self, tool: &str) -> PathBuf {
        match &self.tools_dir {
            Some(dir) => dir.join(tool),
            None => PathBuf::from(tool),
        }
    }

    /// Run `tool` with `args`, `input` on its stdin (or `/dev/null`), and
    /// return its stdout if it exits 0. The one place a process is started.
    fn run(&self, tool: &str, args: &[String], input: Option<&[u8]>) -> Result<Vec<u8>, ToolError> {
        let program = self.program(tool);
        let mut child = Command::new(&program)
            .args(args)
            .stdin(if input.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| ToolError::Spawn {
                tool: tool.to_owned(),
                reason: format!("{}: {e}", program.display()),
            })?;
        let (output, written) = match (child.stdin.take(), input) {
            // Feed stdin from another thread while this one drains stdout
            // and stderr: with a large input and a chatty tool, doing one
            // after the other can fill both pipes and deadlock.
            (Some(mut pipe), Some(bytes)) => thread::scope(|scope| {
                // The pipe is dropped at the end, closing it: the tool
                // sees EOF.
                let writer = scope.spawn(move || pipe.write_all(bytes));
                let output = child.wait_with_output();
                let written = writer
                    .join()
                    .unwrap_or_else(|_| Err(io::Error::other("stdin writer panicked")));
                (output, written)
            }),
            _ => (child.wait_with_output(), Ok(())),
        };
        let output = output.map_err(|e| ToolError::Spawn {
            tool: tool.to_owned(),
            reason: format!("cannot collect the output of {}: {e}", program.display()),
        })?;
        if !output.status.success() {
            return Err(ToolError::Failed {
                tool: tool.to_owned(),
                code: output.status.code(),
                stderr: stderr_text(&output.stderr),
            });
        }
        // A tool that succeeded without reading all its input did not get
        // what we asked for.
        written.map_err(|e| ToolError::Spawn {
            tool: tool.to_owned(),
            reason: format!("cannot send input on stdin: {e}"),
        })?;
        Ok(output.stdout)
    }

    /// Run a read tool and parse its stdout as JSON.
    fn read(&self, tool: &str, args: &[String]) -> Result<Value, ToolError> {
        let stdout = self.run(tool, args, None)?;
        parse_json(tool, &stdout)
    }

    /// Run a write tool, ignoring what it prints on success.
    fn write(&self, tool: &str, args: &[String]) -> Result<(), ToolError> {
        self.run(tool, args, None).map(drop)
    }
}

impl Backend for ProcessBackend {
    /// `relation-ids --format=json -- <endpoint>`.
    fn relation_ids(&self, endpoint: &str) -> Result<Vec<RelationId>, ToolError> {
        let tool = "relation-ids";
        decode_relation_ids(tool, self.read(tool, &relation_ids_args(endpoint))?)
    }

    /// `relation-list --format=json -r <id>`.
    fn relation_units(&self, relation: &RelationId) -> Result<Vec<String>, ToolError> {
        let tool = "relation-list";
        decode_string_list(tool, self.read(tool, &relation_list_args(relation, false))?)
    }

    /// `relation-list --format=json -r <id> --app`; Juju prints `""` when it
    /// does not know the remote application yet.
    fn relation_remote_app(&self, relation: &RelationId) -> Result<Option<String>, ToolError> {
        let tool = "relation-list";
        decode_remote_app(tool, self.read(tool, &relation_list_args(relation, true))?)
    }

    /// `relation-get --format=json -r <id> [--app] -- - <unit or app>`; no
    /// data (`null` or `{}`) is an empty map.
    fn relation_get(
        &self,
        relation: &RelationId,
        bag: &DataBag,
    ) -> Result<BTreeMap<String, String>, ToolError> {
        let tool = "relation-get";
        decode_string_map(tool, self.read(tool, &relation_get_args(relation, bag))?)
    }

    /// `relation-set -r <id> [--app] --file -`, the settings on stdin as a
    /// YAML (JSON) map; a deletion is an empty value, as Juju wants it.
    /// Nothing runs when `changes` is empty.
    fn relation_set(
        &self,
        relation: &RelationId,
        app: bool,
        changes: &BTreeMap<String, Option<String>>,
    ) -> Result<(), ToolError> {
        if changes.is_empty() {
            return Ok(());
        }
        let tool = "relation-set";
        let settings = settings_document(changes)?;
        self.run(tool, &relation_set_args(relation, app), Some(&settings))
            .map(drop)
    }

    /// `config-get --all --format=json`.
    fn config_get(&self) -> Result<Map<String, Value>, ToolError> {
        let tool = "config-get";
        decode_object(tool, self.read(tool, &strings(["--all", "--format=json"]))?)
    }

    /// `is-leader --format=json`.
    fn is_leader(&self) -> Result<bool, ToolError> {
        let tool = "is-leader";
        match self.read(tool, &strings(["--format=json"]))? {
            Value::Bool(b) => Ok(b),
            other => Err(bad_output(
                tool,
                format!("expected true or false, got {}", kind(&other)),
            )),
        }
    }

    /// `leader-get --format=json`; no settings (`null` or `{}`) is an empty
    /// map.
    fn leader_get(&self) -> Result<BTreeMap<String, String>, ToolError> {
        let tool = "leader-get";
        decode_string_map(tool, self.read(tool, &strings(["--format=json"]))?)
    }

    /// `leader-set -- key=value ... key=` (an empty value deletes).
    ///
    /// **Warning: the values travel in argv.** Juju's `leader-set` takes
    /// its settings only as `key=value` arguments (it has no `--file` or
    /// stdin option), so every user on the machine can read them in
    /// `/proc/<pid>/cmdline` while the tool runs. Never put secrets in
    /// leader settings; share them with Juju secrets or a peer relation's
    /// application databag (which [`Backend::relation_set`] writes through
    /// stdin).
    ///
    /// Juju trims whitespace around each key and value (so `" x\n"` is
    /// stored as `"x"`, and an all-whitespace value deletes the key), and
    /// Linux caps one argument at 128 KiB. Keys that are empty, contain `=`
    /// or have surrounding whitespace are [`ToolError::Refused`]. Nothing
    /// runs when `changes` is empty (Juju's `leader-set` wants arguments).
    fn leader_set(&self, changes: &BTreeMap<String, Option<String>>) -> Result<(), ToolError> {
        if changes.is_empty() {
            return Ok(());
        }
        let tool = "leader-set";
        let pairs = changes
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_deref().unwrap_or("")));
        self.write(tool, &key_value_args(tool, pairs)?)
    }

    /// `status-set [--application] -- <state> <message>`. Juju lets a charm
    /// set only `maintenance`, `blocked`, `waiting` and `active`: the other
    /// states are [`ToolError::Refused`] without running the tool.
    fn status_set(&self, application: bool, status: &Status) -> Result<(), ToolError> {
        let tool = "status-set";
        self.write(tool, &status_set_args(application, status)?)
    }

    /// `status-get --format=json --include-data [--application]`.
    fn status_get(&self, application: bool) -> Result<Status, ToolError> {
        let tool = "status-get";
        let mut args = strings(["--format=json", "--include-data"]);
        if application {
            args.push("--application".into());
        }
        decode_status(tool, self.read(tool, &args)?, application)
    }

    /// `application-version-set -- <version>`.
    fn application_version_set(&self, version: &str) -> Result<(), ToolError> {
        self.write("application-version-set", &strings(["--", version]))
    }

    /// `unit-get --format=json -- <key>`.
    fn unit_get(&self, key: &str) -> Result<String, ToolError> {
        let tool = "unit-get";
        decode_string(
            tool,
            self.read(tool, &strings(["--format=json", "--", key]))?,
        )
    }

    /// `network-get --format=json [-r <id>] -- <binding>`: the JSON as Juju
    /// prints it (`bind-addresses`, `egress-subnets`, `ingress-addresses`).
    fn network_get(
        &self,
        binding: &str,
        relation: Option<&RelationId>,
    ) -> Result<Value, ToolError> {
        self.read("network-get", &network_get_args(binding, relation))
    }

    /// `open-port <port>` (`80/tcp`, `8000-8100/udp`, `icmp`).
    fn open_port(&self, port: &Port) -> Result<(), ToolError> {
        self.write("open-port", &[port.to_string()])
    }

    /// `close-port <port>`.
    fn close_port(&self, port: &Port) -> Result<(), ToolError> {
        self.write("close-port", &[port.to_string()])
    }

    /// `opened-ports --format=json`.
    fn opened_ports(&self) -> Result<Vec<Port>, ToolError> {
        let tool = "opened-ports";
        decode_ports(tool, self.read(tool, &strings(["--format=json"]))?)
    }

    /// `juju-log -l <LEVEL> -- <message>`; the `--` lets a message start
    /// with `-`.
    fn juju_log(&self, level: Level, message: &str) -> Result<(), ToolError> {
        self.write("juju-log", &juju_log_args(level, message))
    }

    /// `action-get --format=json`.
    fn action_get(&self) -> Result<Map<String, Value>, ToolError> {
        let tool = "action-get";
        decode_object(tool, self.read(tool, &strings(["--format=json"]))?)
    }

    /// `action-set -- key=value ...`. Juju's `action-set` has no file
    /// option either, so results travel in argv: do not return secrets as
    /// action results. Keys that are empty or contain `=` are
    /// [`ToolError::Refused`]; Juju itself rejects keys that are not
    /// lowercase alphanumerics and hyphens (dots nest). Nothing runs when
    /// `results` is empty.
    fn action_set(&self, results: &BTreeMap<String, String>) -> Result<(), ToolError> {
        if results.is_empty() {
            return Ok(());
        }
        let tool = "action-set";
        let pairs = results.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        self.write(tool, &key_value_args(tool, pairs)?)
    }

    /// `action-fail -- <message>`.
    fn action_fail(&self, message: &str) -> Result<(), ToolError> {
        self.write("action-fail", &strings(["--", message]))
    }

    /// `action-log -- <message>`.
    fn action_log(&self, message: &str) -> Result<(), ToolError> {
        self.write("action-log", &strings(["--", message]))
    }
}

// ---------------------------------------------------------------------------
// Arguments.

fn strings<const N: usize>(args: [&str; N]) -> Vec<String> {
    args.iter().map(|a| (*a).to_owned()).collect()
}

fn relation_ids_args(endpoint: &str) -> Vec<String> {
    strings(["--format=json", "--", endpoint])
}

fn relation_list_args(relation: &RelationId, app: bool) -> Vec<String> {
    let mut args = strings(["--format=json", "-r", &relation.to_string()]);
    if app {
        args.push("--app".into());
    }
    args
}

fn relation_get_args(relation: &RelationId, bag: &DataBag) -> Vec<String> {
    let rid = relation.to_string();
    match bag {
        DataBag::Unit(unit) => strings(["--format=json", "-r", &rid, "--", "-", unit]),
        DataBag::App(app) => strings(["--format=json", "-r", &rid, "--app", "--", "-", app]),
    }
}

fn relation_set_args(relation: &RelationId, app: bool) -> Vec<String> {
    let mut args = strings(["-r", &relation.to_string()]);
    if app {
        args.push("--app".into());
    }
    args.extend(strings(["--file", "-"]));
    args
}

fn status_set_args(application: bool, status: &Status) -> Result<Vec<String>, ToolError> {
    match status.state {
        StatusState::Active
        | StatusState::Blocked
        | StatusState::Maintenance
        | StatusState::Waiting => {}
        StatusState::Unknown | StatusState::Error | StatusState::Terminated => {
            return Err(ToolError::Refused {
                tool: "status-set".into(),
                reason: format!(
                    "a charm cannot set the status {:?}: only maintenance, blocked, waiting and active",
                    status.state.as_str()
                ),
            });
        }
    }
    let mut args = Vec::new();
    if application {
        args.push("--application".to_owned());
    }
    args.extend(strings(["--", status.state.as_str(), &status.message]));
    Ok(args)
}

fn network_get_args(binding: &str, relation: Option<&RelationId>) -> Vec<String> {
    let mut args = strings(["--format=json"]);
    if let Some(relation) = relation {
        args.extend(strings(["-r", &relation.to_string()]));
    }
    args.extend(strings(["--", binding]));
    args
}

fn juju_log_args(level: Level, message: &str) -> Vec<String> {
    strings(["-l", level.as_str(), "--", message])
}

/// `-- key=value ...` for `leader-set` and `action-set`, which split each
/// argument on its first `=`.
fn key_value_args<'a>(
    tool: &str,
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<Vec<String>, ToolError> {
    let mut args = vec!["--".to_owned()];
    for (key, value) in pairs {
        if key.is_empty() || key.contains('=') || key.trim() != key {
            return Err(ToolError::Refused {
                tool: tool.to_owned(),
                reason: format!(
                    "key {key:?} cannot be passed as key=value (empty, contains '=' or surrounding whitespace)"
                ),
            });
        }
        args.push(format!("{key}={value}"));
    }
    Ok(args)
}

/// The settings for `relation-set --file -`: a YAML map, written as a JSON
/// object of strings (JSON is YAML to Juju's go-yaml), a deletion being an
/// empty value.
///
/// serde_json leaves some characters raw that YAML does not accept raw, or
/// reads as line breaks inside a quoted scalar (DEL, the C1 controls with
/// NEL, U+2028, U+2029, a BOM, U+FFFE, U+FFFF); [`YamlSafeJson`] writes them
/// as `\uXXXX` escapes, which both JSON and YAML decode to the same
/// character. `": "` and `", "` separators keep it valid YAML 1.1 too.
fn settings_document(changes: &BTreeMap<String, Option<String>>) -> Result<Vec<u8>, ToolError> {
    use serde::Serialize;

    let map: BTreeMap<&str, &str> = changes
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_deref().unwrap_or("")))
        .collect();
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, YamlSafeJson);
    // Cannot fail (strings into a Vec), but never send half a document.
    map.serialize(&mut serializer)
        .map_err(|e| ToolError::Refused {
            tool: "relation-set".into(),
            reason: format!("cannot encode the settings: {e}"),
        })?;
    out.push(b'\n');
    Ok(out)
}

/// A serde_json formatter whose output is also valid, equivalent YAML.
struct YamlSafeJson;

impl serde_json::ser::Formatter for YamlSafeJson {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if yaml_escapes(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                // Every such character is in the Basic Multilingual Plane.
                write!(writer, "\\u{:04X}", u32::from(c))?;
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }
}

/// Characters serde_json writes raw that must be escaped for YAML: not
/// printable in YAML, or a line break YAML would fold in a quoted scalar.
fn yaml_escapes(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1F}'
            | '\u{7F}'..='\u{9F}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{FEFF}'
            | '\u{FFFE}'
            | '\u{FFFF}'
    )
}

// ---------------------------------------------------------------------------
// Output.

fn bad_output(tool: &str, reason: impl Into<String>) -> ToolError {
    ToolError::BadOutput {
        tool: tool.to_owned(),
        reason: reason.into(),
    }
}

/// A failed tool's stderr: lossy UTF-8, trimmed, at most [`STDERR_LIMIT`]
/// bytes.
fn stderr_text(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let text = text.trim();
    if text.len() <= STDERR_LIMIT {
        return text.to_owned();
    }
    let mut end = STDERR_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} more bytes)", &text[..end], text.len() - end)
}

/// Stdout as JSON. The error names the problem, never the content.
fn parse_json(tool: &str, stdout: &[u8]) -> Result<Value, ToolError> {
    serde_json::from_slice(stdout).map_err(|e| {
        bad_output(
            tool,
            format!(
                "expected JSON, got {} bytes that are not: {e}",
                stdout.len()
            ),
        )
    })
}

/// What a JSON value is, for error messages (never the value itself).
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn decode_string(tool: &str, value: Value) -> Result<String, ToolError> {
    match value {
        Value::String(s) => Ok(s),
        other => Err(bad_output(
            tool,
            format!("expected a string, got {}", kind(&other)),
        )),
    }
}

/// A JSON list of strings; `null` is empty.
fn decode_string_list(tool: &str, value: Value) -> Result<Vec<String>, ToolError> {
    let items = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        other => {
            return Err(bad_output(
                tool,
                format!("expected a list of strings, got {}", kind(&other)),
            ));
        }
    };
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| match item {
            Value::String(s) => Ok(s),
            other => Err(bad_output(
                tool,
                format!("item {i} of the list is {}, not a string", kind(&other)),
            )),
        })
        .collect()
}

/// A JSON object; `null` is empty.
fn decode_object(tool: &str, value: Value) -> Result<Map<String, Value>, ToolError> {
    match value {
        Value::Null => Ok(Map::new()),
        Value::Object(map) => Ok(map),
        other => Err(bad_output(
            tool,
            format!("expected an object, got {}", kind(&other)),
        )),
    }
}

/// A JSON object of strings (relation and leader settings); `null` is
/// empty.
fn decode_string_map(tool: &str, value: Value) -> Result<BTreeMap<String, String>, ToolError> {
    decode_object(tool, value)?
        .into_iter()
        .map(|(key, value)| match value {
            Value::String(s) => Ok((key, s)),
            other => Err(bad_output(
                tool,
                format!("the value of {key:?} is {}, not a string", kind(&other)),
            )),
        })
        .collect()
}

fn decode_relation_ids(tool: &str, value: Value) -> Result<Vec<RelationId>, ToolError> {
    decode_string_list(tool, value)?
        .iter()
        .map(|id| id.parse().map_err(|e: String| bad_output(tool, e)))
        .collect()
}

/// `relation-list --app`: the application name, `""` (or `null`) when Juju
/// does not know it yet.
fn decode_remote_app(tool: &str, value: Value) -> Result<Option<String>, ToolError> {
    match value {
        Value::Null => Ok(None),
        other => {
            let app = decode_string(tool, other)?;
            Ok(Some(app).filter(|a| !a.is_empty()))
        }
    }
}

/// `opened-ports`: `80/tcp`, `8000-8100/udp`, `icmp`. [`Port::from_str`]
/// takes any protocol text, so the protocol and range are checked here.
///
/// [`Port::from_str`]: std::str::FromStr::from_str
fn decode_ports(tool: &str, value: Value) -> Result<Vec<Port>, ToolError> {
    decode_string_list(tool, value)?
        .iter()
        .map(|text| {
            let port: Port = text.parse().map_err(|e: String| bad_output(tool, e))?;
            if !matches!(port.protocol.as_str(), "tcp" | "udp" | "icmp") || port.from > port.to {
                return Err(bad_output(
                    tool,
                    format!("port {text:?} is not a valid port range"),
                ));
            }
            Ok(port)
        })
        .collect()
}

/// `status-get --format=json --include-data [--application]`:
///
/// * unit: `{"status": "active", "message": "...", "status-data": {...}}`;
/// * application: `{"application-status": {"status": ..., "message": ...,
///   "status-data": {...}, "units": {"app/0": {...}}}}`;
/// * a bare `"unknown"` when the agent cannot tell (Juju prints the state
///   alone then).
fn decode_status(tool: &str, value: Value, application: bool) -> Result<Status, ToolError> {
    let details = match value {
        Value::String(state) => return status_from(tool, &state, String::new()),
        Value::Object(mut top) if application => match top.remove("application-status") {
            Some(Value::Object(details)) => details,
            Some(other) => {
                return Err(bad_output(
                    tool,
                    format!("\"application-status\" is {}, not an object", kind(&other)),
                ));
            }
            None => return Err(bad_output(tool, "no \"application-status\" in the output")),
        },
        Value::Object(details) => details,
        other => {
            return Err(bad_output(
                tool,
                format!("expected an object, got {}", kind(&other)),
            ));
        }
    };
    let state = match details.get("status") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(bad_output(
                tool,
                format!("\"status\" is {}, not a string", kind(other)),
            ));
        }
        None => return Err(bad_output(tool, "no \"status\" in the output")),
    };
    let message = match details.get("message") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(m)) => m.clone(),
        Some(other) => {
            return Err(bad_output(
                tool,
                format!("\"message\" is {}, not a string", kind(other)),
            ));
        }
    };
    status_from(tool, &state, message)
}

fn status_from(tool: &str, state: &str, message: String) -> Result<Status, ToolError> {
    let state = state.parse().map_err(|e: String| bad_output(tool, e))?;
    Ok(Status::new(state, message))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, Option<&str>)]) -> BTreeMap<String, Option<String>> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned)))
            .collect()
    }

    #[test]
    fn relation_get_args_put_the_bag_after_a_double_dash() {
        let rid = RelationId::new("db", 3);
        assert_eq!(
            relation_get_args(&rid, &DataBag::Unit("pg/0".into())),
            ["--format=json", "-r", "db:3", "--", "-", "pg/0"]
        );
        assert_eq!(
            relation_get_args(&rid, &DataBag::App("pg".into())),
            ["--format=json", "-r", "db:3", "--app", "--", "-", "pg"]
        );
    }

    #[test]
    fn relation_set_args_never_carry_values() {
        let rid = RelationId::new("db", 3);
        assert_eq!(
            relation_set_args(&rid, false),
            ["-r", "db:3", "--file", "-"]
        );
        assert_eq!(
            relation_set_args(&rid, true),
            ["-r", "db:3", "--app", "--file", "-"]
        );
    }

    #[test]
    fn status_set_args_protect_a_dash_message_and_refuse_unsettable_states() {
        let status = Status::new(StatusState::Blocked, "-x needs a relation");
        assert_eq!(
            status_set_args(true, &status).unwrap(),
            ["--application", "--", "blocked", "-x needs a relation"]
        );
        assert_eq!(
            status_set_args(false, &Status::new(StatusState::Active, "")).unwrap(),
            ["--", "active", ""]
        );
        for state in [StatusState::Unknown, StatusState::Error] {
            let err = status_set_args(false, &Status::new(state, "")).unwrap_err();
            assert!(matches!(err, ToolError::Refused { .. }), "{err:?}");
        }
    }

    #[test]
    fn other_args() {
        assert_eq!(
            juju_log_args(Level::Warning, "-v"),
            ["-l", "WARNING", "--", "-v"]
        );
        assert_eq!(
            network_get_args("db", Some(&RelationId::new("db", 1))),
            ["--format=json", "-r", "db:1", "--", "db"]
        );
        assert_eq!(
            network_get_args("web", None),
            ["--format=json", "--", "web"]
        );
        assert_eq!(relation_ids_args("db"), ["--format=json", "--", "db"]);
        assert_eq!(
            relation_list_args(&RelationId::new("db", 1), true),
            ["--format=json", "-r", "db:1", "--app"]
        );
    }

    #[test]
    fn key_value_args_split_on_the_first_equals_only() {
        let args = key_value_args("leader-set", [("a", "x=y"), ("b", ""), ("-c", "-")]).unwrap();
        assert_eq!(args, ["--", "a=x=y", "b=", "-c=-"]);
        for key in ["", "a=b", " a", "a\n"] {
            let err = key_value_args("leader-set", [(key, "v")]).unwrap_err();
            assert!(matches!(err, ToolError::Refused { .. }), "{key:?}: {err:?}");
        }
    }

    #[test]
    fn settings_document_is_json_with_yaml_safe_escapes() {
        let changes = map(&[
            ("plain", Some("a b=c")),
            ("gone", None),
            (
                "ctl",
                Some("\u{7F}\u{85}\u{2028}\u{2029}\u{FEFF}\u{FFFF}\t\n"),
            ),
            ("uni", Some("é 中文 🦀")),
        ]);
        let doc = settings_document(&changes).unwrap();
        let text = std::str::from_utf8(&doc).unwrap();
        assert_eq!(
            text,
            "{\"ctl\": \"\\u007F\\u0085\\u2028\\u2029\\uFEFF\\uFFFF\\t\\n\", \"gone\": \"\", \
             \"plain\": \"a b=c\", \"uni\": \"é 中文 🦀\"}\n"
        );
        let back: BTreeMap<String, String> = serde_json::from_slice(&doc).unwrap();
        assert_eq!(
            back["ctl"],
            "\u{7F}\u{85}\u{2028}\u{2029}\u{FEFF}\u{FFFF}\t\n"
        );
        assert_eq!(back["gone"], "");
        assert_eq!(back["uni"], "é 中文 🦀");
        assert_eq!(settings_document(&BTreeMap::new()).unwrap(), b"{}\n");
    }

    #[test]
    fn stderr_is_trimmed_and_capped_on_a_char_boundary() {
        assert_eq!(stderr_text(b"  ERROR boom\n"), "ERROR boom");
        assert_eq!(stderr_text(b"\xffERROR"), "\u{FFFD}ERROR");
        let long = "é".repeat(STDERR_LIMIT);
        let capped = stderr_text(long.as_bytes());
        assert!(capped.len() < STDERR_LIMIT + 40, "{}", capped.len());
        assert!(capped.ends_with(&format!("… ({} more bytes)", STDERR_LIMIT)));
    }

    #[test]
    fn json_errors_do_not_quote_the_output() {
        let err = parse_json("relation-get", b"password=hunter2").unwrap_err();
        let ToolError::BadOutput { tool, reason } = err else {
            panic!("{err:?}")
        };
        assert_eq!(tool, "relation-get");
        assert!(!reason.contains("hunter2"), "{reason}");
        assert!(parse_json("x", b"").is_err());
        assert_eq!(parse_json("x", b" null\n").unwrap(), Value::Null);
    }

    #[test]
    fn string_maps() {
        let m = decode_string_map("t", serde_json::json!({"a": "1", "b": ""})).unwrap();
        assert_eq!(m.len(), 2);
        assert!(decode_string_map("t", Value::Null).unwrap().is_empty());
        assert!(
            decode_string_map("t", serde_json::json!({}))
                .unwrap()
                .is_empty()
        );
        for bad in [
            serde_json::json!({"a": 1}),
            serde_json::json!([]),
            serde_json::json!("x"),
        ] {
            let err = decode_string_map("t", bad).unwrap_err();
            assert!(matches!(err, ToolError::BadOutput { .. }), "{err:?}");
        }
    }

    #[test]
    fn lists_ids_ports_and_apps() {
        let ids = decode_relation_ids("t", serde_json::json!(["db:1", "db:10"])).unwrap();
        assert_eq!(ids, [RelationId::new("db", 1), RelationId::new("db", 10)]);
        assert!(decode_relation_ids("t", serde_json::json!(["db"])).is_err());
        assert!(decode_relation_ids("t", serde_json::json!([1])).is_err());
        assert!(decode_string_list("t", Value::Null).unwrap().is_empty());

        let ports = decode_ports("t", serde_json::json!(["80/tcp", "1-9/udp", "icmp"])).unwrap();
        assert_eq!(ports[0], Port::tcp(80));
        assert_eq!(ports[1].to, 9);
        assert_eq!(ports[2].protocol, "icmp");
        for bad in ["80/tcp (*)", "80/sctp", "9-1/tcp", "80", "x/tcp"] {
            assert!(
                decode_ports("t", serde_json::json!([bad])).is_err(),
                "{bad}"
            );
        }

        assert_eq!(
            decode_remote_app("t", serde_json::json!("pg")).unwrap(),
            Some("pg".into())
        );
        assert_eq!(decode_remote_app("t", serde_json::json!("")).unwrap(), None);
        assert_eq!(decode_remote_app("t", Value::Null).unwrap(), None);
        assert!(decode_remote_app("t", serde_json::json!(["pg"])).is_err());
    }

    #[test]
    fn statuses() {
        let unit = serde_json::json!({"status": "blocked", "message": "m", "status-data": {}});
        assert_eq!(
            decode_status("t", unit, false).unwrap(),
            Status::new(StatusState::Blocked, "m")
        );
        let app = serde_json::json!({"application-status": {
            "status": "active", "message": "", "status-data": {},
            "units": {"a/0": {"status": "waiting", "message": "w", "status-data": {}}}
        }});
        assert_eq!(
            decode_status("t", app, true).unwrap(),
            Status::new(StatusState::Active, "")
        );
        assert_eq!(
            decode_status("t", serde_json::json!("unknown"), true).unwrap(),
            Status::new(StatusState::Unknown, "")
        );
        assert_eq!(
            decode_status("t", serde_json::json!({"status": "waiting"}), false).unwrap(),
            Status::new(StatusState::Waiting, "")
        );
        // Juju reports `terminated` while a unit is being removed.
        assert_eq!(
            decode_status("t", serde_json::json!({"status": "terminated"}), false).unwrap(),
            Status::new(StatusState::Terminated, "")
        );
        for (bad, application) in [
            (serde_json::json!({"message": "m"}), false),
            (serde_json::json!({"status": 1}), false),
            (serde_json::json!({"status": "active", "message": 1}), false),
            (serde_json::json!({"status": "active"}), true),
            (serde_json::json!({"application-status": []}), true),
            (serde_json::json!(true), false),
        ] {
            let err = decode_status("t", bad, application).unwrap_err();
            assert!(matches!(err, ToolError::BadOutput { .. }), "{err:?}");
        }
    }
}
