//! The real hook tools, run as child processes.
//!
//! Every tool is started by `ProcessBackend::start` and waited for by
//! `finish`, one at a time: the `config-get` begun by
//! [`ProcessBackend::prefetch_config`] is waited for before the next tool
//! starts, and a `juju-log` begun by [`Backend::juju_log_begin`] by its
//! caller (the log sink, before the hook's writes are sent). The tool is
//! started with
//! [`Command`] (argv only, never a shell), inherits the hook's environment
//! (`JUJU_CONTEXT_ID`, `JUJU_AGENT_SOCKET_ADDRESS`, ... which the tools need
//! to reach the unit agent) plus any variables given with
//! [`ProcessBackend::with_env`], gets `/dev/null` or our bytes on stdin, and
//! has its stdout and stderr captured. Every read passes `--format=json`
//! and its output is decoded by one of the pure `decode_*` functions below.
//!
//! Juju's tools parse their arguments with gnuflag, which accepts flags
//! anywhere on the command line ("interspersed"): an argument such as a
//! message that starts with `-` would be taken for a flag. Every argument
//! that comes from the caller therefore follows a `--`, which ends flag
//! parsing in gnuflag.
//!
//! - `args.rs`: the argv of each tool;
//! - `prefetch.rs`: the `config-get` started with the hook;
//! - `settings.rs`: the settings document `relation-set --file -` reads;
//! - `decode.rs`: the tools' JSON output, decoded.

mod args;
mod child;
mod decode;
mod dev_null;
mod limits;
mod prefetch;
#[cfg(test)]
mod prefetch_tests;
mod redact;
mod secret_file;
mod settings;
mod timeout;
mod transient;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Map, Value};

use super::{Backend, Begun, DataBag, Port, RelationId, Status, ToolError};
use super::{SecretContent, SecretId, SecretInfo, SecretOptions, SecretRef, SecretRevision};
use crate::log::Level;

use super::secret_args::*;
pub(crate) use args::check_setting;
use args::*;
use child::{STDOUT_LIMIT, Unfinished, wait_with_deadline};
use decode::*;
use limits::check_argv;
pub use limits::{ARG_LIMIT, ARGV_LIMIT, LOG_MESSAGE_LIMIT, STATUS_MESSAGE_LIMIT};
use redact::redact;
use secret_file::SecretFile;
use settings::{secret_document, settings_document};
pub use timeout::DEFAULT_TOOL_TIMEOUT;

/// A [`Backend`] that runs Juju's hook tools (`relation-get`, `status-set`,
/// ...) as child processes.
///
/// Under Juju the tools are on `PATH` ([`ProcessBackend::new`]); tests point
/// [`ProcessBackend::with_tools_dir`] at another directory of tools (the
/// simulator's, `charm-sim`), and give them the hook's environment with
/// [`ProcessBackend::with_env`] rather than through the process's own
/// environment, which parallel test threads share.
///
/// * Reads pass `--format=json` and decode the JSON into the trait's types;
///   output that does not decode is a [`ToolError::BadOutput`] (which never
///   quotes the output itself: it may hold secrets).
/// * Relation data is written with `relation-set --file -`, the settings
///   going on stdin, so values never appear in argv (where any user of the
///   machine can read them in `/proc`).
/// * A tool that exits non-zero is a [`ToolError::Failed`] with its exit
///   code or signal and (trimmed, capped) stderr; one that cannot be
///   started is a [`ToolError::Spawn`]; a request the tool's syntax cannot
///   express is a [`ToolError::Refused`], and then no tool runs.
/// * Every call has a timeout ([`ProcessBackend::with_timeout`], default
///   [`DEFAULT_TOOL_TIMEOUT`]): a tool that never exits is killed and the
///   call is a [`ToolError::Timeout`] naming it.
/// * Arguments stay within what Linux accepts ([`ARG_LIMIT`] for one,
///   [`ARGV_LIMIT`] for all): a larger setting is a
///   [`ToolError::TooLarge`] naming its key and size, and no tool runs;
///   status and log messages are cut to [`STATUS_MESSAGE_LIMIT`] and
///   [`LOG_MESSAGE_LIMIT`] with an ellipsis.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProcessBackend {
    tools_dir: Option<PathBuf>,
    env: Vec<(OsString, OsString)>,
    timeout: Option<Duration>,
    /// `config-get --all` started early ([`ProcessBackend::prefetch_config`]).
    config: transient::Transient<prefetch::Prefetch>,
    /// What a tool that reads nothing gets on stdin.
    null: transient::Transient<dev_null::DevNull>,
}

/// Names the extra variables without their values (they are the hook's
/// environment, not something to print).
impl std::fmt::Debug for ProcessBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<_> = self.env.iter().map(|(k, _)| k).collect();
        f.debug_struct("ProcessBackend")
            .field("tools_dir", &self.tools_dir)
            .field("env", &names)
            .field("timeout", &self.timeout())
            .finish()
    }
}

impl ProcessBackend {
    /// Run the tools found on `PATH`, as Juju sets it up for a hook.
    pub fn new() -> Self {
        Self::default()
    }

    /// Run `<dir>/<tool>` instead of looking the tools up on `PATH`.
    pub fn with_tools_dir(dir: impl Into<PathBuf>) -> Self {
        Self {
            tools_dir: Some(dir.into()),
            ..Self::default()
        }
    }

    /// The same backend, every tool call limited to `timeout`: a tool still
    /// running then is killed and the call is a [`ToolError::Timeout`].
    /// The default is [`DEFAULT_TOOL_TIMEOUT`]; under Juju, [`crate::main`]
    /// takes it from `CHARM_TOOL_TIMEOUT` (seconds).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How long a tool call may take.
    pub fn timeout(&self) -> Duration {
        self.timeout.unwrap_or(DEFAULT_TOOL_TIMEOUT)
    }

    /// The same backend, every tool it runs also getting the variables
    /// `vars` (over the inherited environment; a later value of a name
    /// wins). This is how a hook context that is not the process's own
    /// reaches the tools: a simulator's `JUJU_CONTEXT_ID` and socket, say,
    /// in a test whose threads share one process environment. The values
    /// are passed to the tools' environment only, never to argv or logs.
    pub fn with_env<K, V>(mut self, vars: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<OsString>,
        V: Into<OsString>,
    {
        self.env
            .extend(vars.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// The directory the tools are run from, if not `PATH`.
    pub fn tools_dir(&self) -> Option<&Path> {
        self.tools_dir.as_deref()
    }

    /// The variables every tool gets besides the inherited environment
    /// ([`ProcessBackend::with_env`]), in the order given.
    pub fn extra_env(&self) -> &[(OsString, OsString)] {
        &self.env
    }

    fn program(&self, tool: &str) -> PathBuf {
        match &self.tools_dir {
            Some(dir) => dir.join(tool),
            None => PathBuf::from(tool),
        }
    }

    /// Run `tool` with `args`, `input` on its stdin (or `/dev/null`), and
    /// return its stdout if it exits 0 within the timeout.
    fn run(&self, tool: &str, args: &[String], input: Option<&[u8]>) -> Result<Vec<u8>, ToolError> {
        self.run_sending(tool, args, input, &[])
    }

    /// [`ProcessBackend::run`] for a tool that was sent the values `sent`
    /// (on stdin, or in a file it reads): a failure's stderr has them
    /// redacted ([`redact`]), as it ends up in the hook's logs.
    fn run_sending(
        &self,
        tool: &str,
        args: &[String],
        input: Option<&[u8]>,
        sent: &[&str],
    ) -> Result<Vec<u8>, ToolError> {
        let child = self.start(tool, args, input.is_some())?;
        finish(
            tool,
            &self.program(tool),
            child,
            input.map(<[u8]>::to_vec),
            sent,
            self.timeout(),
        )
    }

    /// Start `config-get --all --format=json` now and return at once: the
    /// next tool call, or [`Backend::config_get`], waits for it first, so
    /// tools still run one at a time and in order. [`crate::main`] does
    /// this at the start of every hook that maintains the config flags
    /// (not actions, not restricted hooks), so that the tool runs while
    /// the charm's files are read and its unit state opened. A call
    /// nobody collects is killed when the backend is dropped. Does nothing
    /// when an early call is already in flight or not yet collected.
    pub fn prefetch_config(&self) {
        if !self.config.is_idle() {
            return;
        }
        // A tool that cannot start is reported when the config is read, by
        // the call made then.
        if let Ok(child) = self.start(prefetch::TOOL, &config_get_args(), false) {
            self.config
                .started(child, self.program(prefetch::TOOL), self.timeout());
        }
    }

    /// Start `tool` with `args`, stdout and stderr piped, stdin piped when
    /// `input` (else `/dev/null`), after the early `config-get` if one is
    /// in flight. The one place a process is started.
    fn start(&self, tool: &str, args: &[String], input: bool) -> Result<Child, ToolError> {
        self.config.land();
        check_argv(tool, args)?;
        let program = self.program(tool);
        Command::new(&program)
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(if input {
                Stdio::piped()
            } else {
                self.null.stdio()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| ToolError::Spawn {
                tool: tool.to_owned(),
                reason: format!("{}: {e}", program.display()),
            })
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

/// `config-get --all --format=json`.
fn config_get_args() -> Vec<String> {
    strings(["--all", "--format=json"])
}

/// Wait for `child`, started by [`ProcessBackend::start`] as `program`
/// (`tool`), feeding it `input`, for at most `timeout`; its stdout if it
/// exited 0.
fn finish(
    tool: &str,
    program: &Path,
    child: Child,
    input: Option<Vec<u8>>,
    sent: &[&str],
    timeout: Duration,
) -> Result<Vec<u8>, ToolError> {
    let output =
        wait_with_deadline(child, input, timeout).map_err(|unfinished| match unfinished {
            Unfinished::TimedOut => ToolError::Timeout {
                tool: tool.to_owned(),
                seconds: timeout.as_secs(),
            },
            Unfinished::Io(reason) => ToolError::Spawn {
                tool: tool.to_owned(),
                reason: format!("{}: {reason}", program.display()),
            },
        })?;
    if !output.status.success() {
        return Err(ToolError::Failed {
            tool: tool.to_owned(),
            code: output.status.code(),
            signal: output.status.signal(),
            stderr: stderr_text(redact(&String::from_utf8_lossy(&output.stderr), sent).as_bytes()),
        });
    }
    // A tool that succeeded without reading all its input did not get
    // what we asked for.
    output.written.map_err(|e| ToolError::Spawn {
        tool: tool.to_owned(),
        reason: format!("cannot send input on stdin: {e}"),
    })?;
    let (stdout, more) = output.stdout;
    if more {
        return Err(bad_output(
            tool,
            format!("more than {STDOUT_LIMIT} bytes on stdout"),
        ));
    }
    Ok(stdout)
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
        let sent: Vec<&str> = changes.values().flatten().map(String::as_str).collect();
        self.run_sending(
            tool,
            &relation_set_args(relation, app),
            Some(&settings),
            &sent,
        )
        .map(drop)
    }

    /// `config-get --all --format=json`.
    fn config_get(&self) -> Result<Map<String, Value>, ToolError> {
        let tool = prefetch::TOOL;
        let value = match self.config.take() {
            Some(stdout) => parse_json(tool, &stdout?)?,
            None => self.read(tool, &config_get_args())?,
        };
        decode_object(tool, value)
    }

    /// `is-leader --format=json`.
    fn is_leader(&self) -> Result<bool, ToolError> {
        let tool = "is-leader";
        match self.read(tool, &strings(["--format=json"]))? {
            Value::Bool(b) => Ok(b),
            other => Err(bad_output(
                tool,
                format!("expected true or false, got {}", super::json_kind(&other)),
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
    /// leader settings; share them with Juju secrets
    /// ([`Backend::secret_add`], `ctx.secrets()`, the content in a private
    /// file) or a peer relation's application databag (which
    /// [`Backend::relation_set`] writes through stdin).
    ///
    /// Juju trims whitespace around each key and value (so `" x\n"` is
    /// stored as `"x"`, and an all-whitespace value deletes the key), and
    /// Linux caps one argument at 128 KiB: a larger value (or settings
    /// over [`ARGV_LIMIT`] together) is a [`ToolError::TooLarge`] naming the
    /// key and its size (never the value), and nothing runs. Keys that are empty, contain `=`
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
        let sent: Vec<&str> = changes.values().flatten().map(String::as_str).collect();
        self.run_sending(tool, &key_value_args(tool, pairs)?, None, &sent)
            .map(drop)
    }

    /// `status-set [--application] -- <state> <message>`, the message cut
    /// to [`STATUS_MESSAGE_LIMIT`] bytes with an ellipsis. Juju lets a charm
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
    /// with `-`. The message is cut to [`LOG_MESSAGE_LIMIT`] bytes.
    fn juju_log(&self, level: Level, message: &str) -> Result<(), ToolError> {
        self.write("juju-log", &juju_log_args(level, message))
    }

    /// Starts `juju-log` and returns at once; the wait, its timeout and its
    /// errors are those of [`Backend::juju_log`]. `juju-log` prints nothing
    /// on success, so its pipes cannot fill before the wait drains them.
    fn juju_log_begin(&self, level: Level, message: &str) -> Begun {
        let tool = "juju-log";
        let child = match self.start(tool, &juju_log_args(level, message), false) {
            Ok(child) => child,
            Err(e) => return Begun::done(Err(e)),
        };
        let program = self.program(tool);
        let timeout = self.timeout();
        Begun::new(move || finish(tool, &program, child, None, &[], timeout).map(drop))
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
        let sent: Vec<&str> = results.values().map(String::as_str).collect();
        self.run_sending(tool, &key_value_args(tool, pairs)?, None, &sent)
            .map(drop)
    }

    /// `action-fail -- <message>`, cut to [`LOG_MESSAGE_LIMIT`].
    fn action_fail(&self, message: &str) -> Result<(), ToolError> {
        self.write("action-fail", &message_args(message))
    }

    /// `action-log -- <message>`, cut to [`LOG_MESSAGE_LIMIT`].
    fn action_log(&self, message: &str) -> Result<(), ToolError> {
        self.write("action-log", &message_args(message))
    }

    /// `secret-add --owner=<owner> [--label=..] [--description=..]
    /// --file=<file>`, the content in a private temporary file (mode 0600,
    /// removed once the tool ran): never in argv. Prints the new id.
    fn secret_add(
        &self,
        content: &SecretContent,
        options: &SecretOptions,
    ) -> Result<SecretId, ToolError> {
        let tool = "secret-add";
        if content.is_empty() {
            return Err(ToolError::Refused {
                tool: tool.to_owned(),
                reason: super::SecretError::Empty.to_string(),
            });
        }
        let file = SecretFile::new(tool, &secret_document(tool, content.expose())?)?;
        let stdout = self.run_sending(
            tool,
            &secret_add_args(options, &file.path()),
            None,
            &sent_values(content),
        )?;
        drop(file);
        decode_secret_id(tool, &stdout)
    }

    /// `secret-get --format=json [--peek | --refresh] (-- <id> |
    /// --label=<label>)`.
    fn secret_get(
        &self,
        secret: &SecretRef,
        revision: SecretRevision,
    ) -> Result<SecretContent, ToolError> {
        let tool = "secret-get";
        let map = decode_string_map(tool, self.read(tool, &secret_get_args(secret, revision))?)?;
        SecretContent::from_map(map).map_err(|e| bad_output(tool, e.to_string()))
    }

    /// `secret-set --file=<file> -- <id>`, the content as for
    /// [`Backend::secret_add`].
    fn secret_set(&self, id: &SecretId, content: &SecretContent) -> Result<(), ToolError> {
        let tool = "secret-set";
        let file = SecretFile::new(tool, &secret_document(tool, content.expose())?)?;
        self.run_sending(
            tool,
            &secret_set_args(id, &file.path()),
            None,
            &sent_values(content),
        )
        .map(drop)
    }

    /// `secret-grant -r <relation> [--unit=<unit>] -- <id>`.
    fn secret_grant(
        &self,
        id: &SecretId,
        relation: &RelationId,
        unit: Option<&str>,
    ) -> Result<(), ToolError> {
        self.write("secret-grant", &secret_grant_args(id, relation, unit))
    }

    /// `secret-revoke -r <relation> [--unit=<unit>] -- <id>`.
    fn secret_revoke(
        &self,
        id: &SecretId,
        relation: &RelationId,
        unit: Option<&str>,
    ) -> Result<(), ToolError> {
        self.write("secret-revoke", &secret_grant_args(id, relation, unit))
    }

    /// `secret-remove -- <id>`.
    fn secret_remove(&self, id: &SecretId) -> Result<(), ToolError> {
        self.write("secret-remove", &secret_id_args(id))
    }

    /// `secret-ids --format=json`.
    fn secret_ids(&self) -> Result<Vec<SecretId>, ToolError> {
        let tool = "secret-ids";
        decode_string_list(tool, self.read(tool, &strings(["--format=json"]))?)?
            .iter()
            .map(|id| decode_secret_id(tool, id.as_bytes()))
            .collect()
    }

    /// `secret-info-get --format=json (-- <id> | --label=<label>)`.
    fn secret_info(&self, secret: &SecretRef) -> Result<SecretInfo, ToolError> {
        let tool = "secret-info-get";
        let output = decode_object(tool, self.read(tool, &secret_info_args(secret))?)?;
        SecretInfo::from_json(output).map_err(|reason| bad_output(tool, reason))
    }
}

/// The values of a secret, to redact from its tool's stderr.
fn sent_values(content: &SecretContent) -> Vec<&str> {
    content.expose().values().map(String::as_str).collect()
}

/// A secret id the tool printed (trimmed).
fn decode_secret_id(tool: &str, stdout: &[u8]) -> Result<SecretId, ToolError> {
    let text = String::from_utf8_lossy(stdout);
    text.trim()
        .parse()
        .map_err(|e: super::SecretError| bad_output(tool, e.to_string()))
}

// ---------------------------------------------------------------------------
// Arguments.

#[cfg(test)]
mod tests {
    use super::*;

    /// `env` (coreutils) as the "tool": it prints the environment it got.
    #[test]
    fn extra_variables_reach_the_tool_and_not_debug_output() {
        let Some(dir) = ["/usr/bin", "/bin"]
            .into_iter()
            .find(|d| Path::new(d).join("env").is_file())
        else {
            return;
        };
        let backend = ProcessBackend::with_tools_dir(dir)
            .with_env([("CHARM_TEST_VAR", "first")])
            .with_env([("CHARM_TEST_VAR", "second"), ("CHARM_TEST_OTHER", "x")]);
        let out = String::from_utf8(backend.run("env", &[], None).unwrap()).unwrap();
        assert!(out.lines().any(|l| l == "CHARM_TEST_VAR=second"), "{out}");
        assert!(out.lines().any(|l| l == "CHARM_TEST_OTHER=x"), "{out}");
        assert_eq!(backend.extra_env().len(), 3);
        let debug = format!("{backend:?}");
        assert!(debug.contains("CHARM_TEST_VAR") && !debug.contains("second"));
    }

    /// A tool from `/usr/bin` or `/bin`, for the tests below.
    fn system_tools() -> Option<ProcessBackend> {
        ["/usr/bin", "/bin"]
            .into_iter()
            .find(|d| Path::new(d).join("sh").is_file() && Path::new(d).join("sleep").is_file())
            .map(ProcessBackend::with_tools_dir)
    }

    #[test]
    fn a_tool_that_never_exits_is_killed_at_the_timeout() {
        let Some(backend) = system_tools() else {
            return;
        };
        let backend = backend.with_timeout(Duration::from_secs(1));
        let start = std::time::Instant::now();
        let err = backend.run("sleep", &["60".into()], None).unwrap_err();
        assert!(start.elapsed() < Duration::from_secs(30), "{err}");
        assert_eq!(
            err,
            ToolError::Timeout {
                tool: "sleep".into(),
                seconds: 1
            }
        );
        assert_eq!(
            err.to_string(),
            "hook tool sleep did not finish within 1 s and was killed (the limit is set in \
             seconds by CHARM_TOOL_TIMEOUT)"
        );
        // Stdin being fed changes nothing.
        let err = backend
            .run("sleep", &["60".into()], Some(&[b'x'; 1 << 20]))
            .unwrap_err();
        assert!(matches!(err, ToolError::Timeout { .. }), "{err}");
    }

    #[test]
    fn a_tool_whose_child_holds_its_pipes_does_not_hang_the_hook() {
        let Some(backend) = system_tools() else {
            return;
        };
        let backend = backend.with_timeout(Duration::from_secs(1));
        let start = std::time::Instant::now();
        // The shell exits at once; the sleep it left keeps stdout open.
        let err = backend
            .run("sh", &["-c".into(), "sleep 60 & exit 0".into()], None)
            .unwrap_err();
        assert!(start.elapsed() < Duration::from_secs(30), "{err}");
        assert!(matches!(err, ToolError::Timeout { .. }), "{err}");
    }

    #[test]
    fn a_tool_killed_by_a_signal_is_reported_with_its_name_and_stderr() {
        let Some(backend) = system_tools() else {
            return;
        };
        let script = "echo 'ERROR about to die' >&2; kill -9 $$";
        let err = backend
            .run("sh", &["-c".into(), script.into()], None)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "hook tool sh failed (killed by signal 9 (SIGKILL)): ERROR about to die"
        );
        let err = backend
            .run("sh", &["-c".into(), "exit 3".into()], None)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "hook tool sh failed (exit code 3): nothing on stderr"
        );
        assert!(backend.timeout() == DEFAULT_TOOL_TIMEOUT);
    }

    /// A directory holding one executable shell script named `tool`.
    fn script_tool(tool: &str, script: &str) -> PathBuf {
        script_tools(tool, &[(tool, script)])
    }

    /// A new directory (named after `name`, this process and thread)
    /// holding an executable shell script for each `(tool, script)`.
    pub(super) fn script_tools(name: &str, scripts: &[(&str, &str)]) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let dir = std::env::temp_dir().join(format!(
            "{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (tool, script) in scripts {
            let path = dir.join(tool);
            std::fs::write(&path, format!("#!/bin/sh\n{script}\n")).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        dir
    }

    #[test]
    fn a_failing_relation_set_that_echoes_its_input_does_not_leak_it() {
        if !Path::new("/bin/sh").is_file() {
            return;
        }
        // The tool prints what it read on stdin to stderr, then fails.
        let dir = script_tool(
            "relation-set",
            "echo \"ERROR cannot set: $(cat)\" >&2; exit 1",
        );
        let backend = ProcessBackend::with_tools_dir(&dir);
        let password = crate::password::generate(32).unwrap();
        let changes = BTreeMap::from([
            ("password".to_owned(), Some(password.clone())),
            (
                "quoted".to_owned(),
                Some("tab\there and \"quotes\"".to_owned()),
            ),
            ("gone".to_owned(), None),
        ]);
        let err = backend
            .relation_set(&RelationId::new("db", 1), false, &changes)
            .unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("hook tool relation-set failed (exit code 1): ERROR cannot set:"),
            "{text}"
        );
        assert!(!text.contains(&password), "{text}");
        assert!(!text.contains("there and"), "{text}");
        assert!(text.contains("\"password\": \"«redacted»\""), "{text}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn secret_content_goes_in_a_private_file_never_argv_nor_the_error() {
        if !Path::new("/bin/sh").is_file() {
            return;
        }
        // The tool prints its arguments and the file it was given, with
        // the file's mode, to stderr, then fails.
        let script = "for a; do case $a in --file=*) f=${a#--file=}; \
                      stat -c 'mode %a' \"$f\" >&2; cat \"$f\" >&2; echo \"$f\" > \"$0.file\";; esac; done; \
                      echo \"ERROR args: $*\" >&2; exit 1";
        let dir = script_tool("secret-add", script);
        let backend = ProcessBackend::with_tools_dir(&dir);
        let password = crate::password::generate(32).unwrap();
        let content = SecretContent::with("password", password.clone()).unwrap();
        let options = SecretOptions {
            label: Some("db".into()),
            ..SecretOptions::default()
        };
        let err = backend.secret_add(&content, &options).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("mode 600"), "{text}");
        assert!(text.contains("\"password\": \"«redacted»\""), "{text}");
        assert!(
            text.contains("--owner=application --label=db --file="),
            "{text}"
        );
        assert!(!text.contains(&password), "{text}");
        // The file is gone once the tool ran.
        let file = std::fs::read_to_string(dir.join("secret-add.file")).unwrap();
        assert!(!Path::new(file.trim()).exists(), "{file}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn secret_info_reads_jujus_output_keyed_by_the_short_id() {
        if !Path::new("/bin/sh").is_file() {
            return;
        }
        // The tool records its arguments and prints what Juju prints.
        let script = "echo \"$*\" > \"$0.args\"; \
                      echo '{\"cjd1pemj3e0q3u0sp4ag\": {\"revision\": 3, \"owner\": \"application\", \
                      \"label\": \"db-password\", \"description\": \"the root password\"}}'";
        let dir = script_tool("secret-info-get", script);
        let backend = ProcessBackend::with_tools_dir(&dir);
        let info = backend
            .secret_info(&SecretRef::Label("db-password".into()))
            .unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.join("secret-info-get.args")).unwrap(),
            "--format=json --label=db-password\n"
        );
        assert_eq!(info.id.as_str(), "secret:cjd1pemj3e0q3u0sp4ag");
        assert_eq!(info.revision, 3);
        assert_eq!(info.owner, crate::backend::SecretOwner::Application);
        assert_eq!(info.description.as_deref(), Some("the root password"));
        std::fs::remove_dir_all(&dir).unwrap();

        // Output that is not one secret is an error naming the tool.
        let dir = script_tool("secret-info-get", "echo '{}'");
        let backend = ProcessBackend::with_tools_dir(&dir);
        let id: SecretId = "secret:cjd1pemj3e0q3u0sp4ag".parse().unwrap();
        let err = backend
            .secret_info(&SecretRef::Id(id))
            .unwrap_err()
            .to_string();
        assert!(err.contains("secret-info-get"), "{err}");
        assert!(err.contains("no secret in the output"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn output_is_bounded() {
        let Some(backend) = system_tools() else {
            return;
        };
        // `head -c` of /dev/zero: more than STDOUT_LIMIT on stdout.
        let script = format!("head -c {} /dev/zero", STDOUT_LIMIT + 1);
        let err = backend.run("sh", &["-c".into(), script], None).unwrap_err();
        assert!(
            matches!(&err, ToolError::BadOutput { reason, .. } if reason.contains("more than")),
            "{err}"
        );
    }

    #[test]
    fn a_huge_status_message_is_cut_and_a_huge_setting_is_refused_before_running() {
        let Some(true_bin) = ["/usr/bin/true", "/bin/true"]
            .into_iter()
            .find(|p| Path::new(p).is_file())
        else {
            return;
        };
        let dir = std::env::temp_dir().join(format!("argv-limits-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        // `status-set` is `true`: it succeeds whatever its arguments, if
        // execve accepts them.
        std::os::unix::fs::symlink(true_bin, dir.join("status-set")).unwrap();
        let backend = ProcessBackend::with_tools_dir(&dir);
        // A blocked status quoting a huge invalid config value.
        let message = format!("invalid config value: {}", "v".repeat(4 * 1024 * 1024));
        backend
            .status_set(
                false,
                &Status::new(super::super::StatusState::Blocked, message),
            )
            .unwrap();
        // No leader-set in the directory: refused before anything runs.
        let huge = BTreeMap::from([("peers".to_owned(), Some("p".repeat(ARG_LIMIT)))]);
        let err = backend.leader_set(&huge).unwrap_err();
        assert!(
            matches!(&err, ToolError::TooLarge { what, size, .. }
                if what == "the value of leader setting \"peers\"" && *size == ARG_LIMIT),
            "{err:?}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
