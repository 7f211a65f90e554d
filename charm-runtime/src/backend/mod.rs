//! Juju's hook tools behind a trait.
//!
//! [`ProcessBackend`] runs the real tools (`relation-get`, `config-get`, ...)
//! as child processes, argv only, never through a shell; [`MemoryBackend`]
//! keeps a unit's world in memory for tests and the harness. The hook
//! context caches reads for the length of a hook and sends writes once, at
//! the end of a successful hook.

mod begun;
mod exit;
mod memory;
mod memory_secrets;
mod process;
mod secret;
mod secret_args;
mod secret_info;

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

pub use begun::Begun;
pub use memory::{MemoryBackend, MemoryRelation, MemoryWorld, ToolCall};
pub use memory_secrets::{MemorySecret, MemorySecrets, SecretAsker};
pub(crate) use process::check_setting;
pub use process::{
    ARG_LIMIT, ARGV_LIMIT, DEFAULT_TOOL_TIMEOUT, LOG_MESSAGE_LIMIT, ProcessBackend,
    STATUS_MESSAGE_LIMIT,
};
pub use secret::{
    SecretContent, SecretError, SecretId, SecretOptions, SecretOwner, SecretRef, SecretRevision,
    valid_secret_key,
};
pub use secret_info::SecretInfo;

pub use crate::status::{Status, StatusState};

use crate::log::Level;

/// A Juju relation id, `endpoint:number` (`db:5`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RelationId {
    /// The endpoint (relation name in metadata).
    pub endpoint: String,
    /// The number Juju gave the relation.
    pub id: u32,
}

impl RelationId {
    /// `endpoint:id`.
    pub fn new(endpoint: impl Into<String>, id: u32) -> Self {
        Self {
            endpoint: endpoint.into(),
            id,
        }
    }
}

impl fmt::Display for RelationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.endpoint, self.id)
    }
}

impl FromStr for RelationId {
    type Err = String;

    /// Parse `endpoint:number` as Juju prints it.
    fn from_str(s: &str) -> Result<Self, String> {
        let (endpoint, id) = s
            .rsplit_once(':')
            .ok_or_else(|| format!("relation id {s:?} is not of the form endpoint:number"))?;
        let id = id
            .parse()
            .map_err(|_| format!("relation id {s:?} does not end in a number"))?;
        if endpoint.is_empty() {
            return Err(format!("relation id {s:?} has no endpoint name"));
        }
        Ok(Self::new(endpoint, id))
    }
}

/// Whose data in a relation.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DataBag {
    /// A unit's databag (`relation-get - unit/0`).
    Unit(String),
    /// An application's databag (`relation-get --app - app`).
    App(String),
}

/// A port or range with its protocol, as `open-port` takes it.
///
/// ```
/// use charm_runtime::Port;
///
/// let https = Port::tcp(443);
/// assert_ne!(https, Port::udp(443));
/// // As `open-port` takes it and `opened-ports` prints it.
/// assert_eq!(https.to_string(), "443/tcp");
/// assert_eq!("8000-8100/udp".parse::<Port>().unwrap().to, 8100);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Port {
    /// First port of the range (0 with ICMP).
    pub from: u16,
    /// Last port of the range (same as `from` for one port).
    pub to: u16,
    /// `tcp`, `udp` or `icmp`.
    pub protocol: String,
}

impl Port {
    /// One TCP port.
    pub fn tcp(port: u16) -> Self {
        Self {
            from: port,
            to: port,
            protocol: "tcp".into(),
        }
    }

    /// One UDP port.
    pub fn udp(port: u16) -> Self {
        Self {
            from: port,
            to: port,
            protocol: "udp".into(),
        }
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.protocol == "icmp" {
            f.write_str("icmp")
        } else if self.from == self.to {
            write!(f, "{}/{}", self.from, self.protocol)
        } else {
            write!(f, "{}-{}/{}", self.from, self.to, self.protocol)
        }
    }
}

impl FromStr for Port {
    type Err = String;
    /// Parse `80/tcp`, `8000-8100/udp`, `icmp` (what `opened-ports` prints).
    fn from_str(s: &str) -> Result<Self, String> {
        if s == "icmp" {
            return Ok(Port {
                from: 0,
                to: 0,
                protocol: "icmp".into(),
            });
        }
        let (range, protocol) = s
            .split_once('/')
            .ok_or_else(|| format!("port {s:?} is not of the form port/protocol"))?;
        if protocol != "tcp" && protocol != "udp" {
            return Err(format!("port {s:?}: protocol must be tcp or udp"));
        }
        let bad = || format!("port {s:?} has an invalid number");
        let (from, to): (u16, u16) = match range.split_once('-') {
            Some((a, b)) => (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?),
            None => {
                let p = range.parse().map_err(|_| bad())?;
                (p, p)
            }
        };
        if from == 0 || from > to {
            return Err(format!(
                "port {s:?}: the range must be 1-65535 and ascending"
            ));
        }
        Ok(Port {
            from,
            to,
            protocol: protocol.to_owned(),
        })
    }
}

/// A hook tool failed or answered something unreadable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ToolError {
    /// The tool could not be started.
    #[error("cannot run hook tool {tool}: {reason}")]
    Spawn {
        /// The tool.
        tool: String,
        /// Why.
        reason: String,
    },
    /// The tool exited non-zero or was killed by a signal.
    #[error(
        "hook tool {tool} failed ({}): {}",
        exit::describe(*code, *signal),
        exit::stderr_or_none(stderr)
    )]
    Failed {
        /// The tool.
        tool: String,
        /// Its exit code, `None` when killed by a signal.
        code: Option<i32>,
        /// The signal that killed it, if one did.
        signal: Option<i32>,
        /// What it printed on stderr (trimmed).
        stderr: String,
    },
    /// The tool did not finish within the timeout and was killed
    /// (`CHARM_TOOL_TIMEOUT`, see [`ProcessBackend::with_timeout`]).
    #[error(
        "hook tool {tool} did not finish within {seconds} s and was killed \
         (the limit is set in seconds by CHARM_TOOL_TIMEOUT)"
    )]
    Timeout {
        /// The tool.
        tool: String,
        /// The timeout, in seconds.
        seconds: u64,
    },
    /// An argument is too large for the command line: Linux refuses one
    /// argument over 128 KiB (`MAX_ARG_STRLEN`) and a whole command line
    /// over `ARG_MAX`. Nothing was run. The value itself is never quoted.
    #[error(
        "hook tool {tool}: {what} is {size} bytes, over the limit of {limit} bytes \
         a command-line argument can carry; nothing was sent"
    )]
    TooLarge {
        /// The tool.
        tool: String,
        /// What is too large: the setting's key and where it came from
        /// (`leader setting "key"`), or the arguments together.
        what: String,
        /// Its size in bytes.
        size: usize,
        /// The limit in bytes.
        limit: usize,
    },
    /// The tool's output was not what its documented format promises.
    #[error("hook tool {tool} printed output that does not parse: {reason}")]
    BadOutput {
        /// The tool.
        tool: String,
        /// What did not parse.
        reason: String,
    },
    /// The request cannot be expressed to the tool.
    #[error("hook tool {tool}: {reason}")]
    Refused {
        /// The tool.
        tool: String,
        /// Why.
        reason: String,
    },
}

/// Juju's hook tools. Reads return decoded values; writes take whole
/// batches so an implementation can make one call per relation.
pub trait Backend {
    /// `relation-ids <endpoint>`.
    fn relation_ids(&self, endpoint: &str) -> Result<Vec<RelationId>, ToolError>;
    /// `relation-list -r <id>`: the remote units in the relation.
    fn relation_units(&self, relation: &RelationId) -> Result<Vec<String>, ToolError>;
    /// `relation-list -r <id> --app`: the remote application, if known.
    fn relation_remote_app(&self, relation: &RelationId) -> Result<Option<String>, ToolError>;
    /// `relation-get -r <id> - <unit>` or `relation-get -r <id> --app - <app>`.
    fn relation_get(
        &self,
        relation: &RelationId,
        bag: &DataBag,
    ) -> Result<BTreeMap<String, String>, ToolError>;
    /// `relation-set -r <id> [--app] --file -`: `Some(v)` sets, `None`
    /// deletes. Values travel on stdin, never in argv.
    fn relation_set(
        &self,
        relation: &RelationId,
        app: bool,
        changes: &BTreeMap<String, Option<String>>,
    ) -> Result<(), ToolError>;
    /// `config-get --all`: every option, unset ones as `null`.
    fn config_get(&self) -> Result<Map<String, Value>, ToolError>;
    /// `is-leader`.
    fn is_leader(&self) -> Result<bool, ToolError>;
    /// `leader-get`: all leadership settings.
    fn leader_get(&self) -> Result<BTreeMap<String, String>, ToolError>;
    /// `leader-set`: `Some(v)` sets, `None` deletes.
    fn leader_set(&self, changes: &BTreeMap<String, Option<String>>) -> Result<(), ToolError>;
    /// `status-set [--application] <state> <message>`.
    fn status_set(&self, application: bool, status: &Status) -> Result<(), ToolError>;
    /// `status-get [--application]`.
    fn status_get(&self, application: bool) -> Result<Status, ToolError>;
    /// `application-version-set <version>`.
    fn application_version_set(&self, version: &str) -> Result<(), ToolError>;
    /// `unit-get <key>` (`private-address`, `public-address`).
    fn unit_get(&self, key: &str) -> Result<String, ToolError>;
    /// `network-get <binding> [-r <id>]`: the binding's addresses.
    fn network_get(&self, binding: &str, relation: Option<&RelationId>)
    -> Result<Value, ToolError>;
    /// `open-port <port>`.
    fn open_port(&self, port: &Port) -> Result<(), ToolError>;
    /// `close-port <port>`.
    fn close_port(&self, port: &Port) -> Result<(), ToolError>;
    /// `opened-ports`.
    fn opened_ports(&self) -> Result<Vec<Port>, ToolError>;
    /// `juju-log -l <level> <message>`.
    fn juju_log(&self, level: Level, message: &str) -> Result<(), ToolError>;
    /// [`Backend::juju_log`] started without waiting for the tool to end:
    /// the hook goes on (commits its unit state, say) while the line
    /// travels, and [`Begun::wait`] collects the result. The default makes
    /// the call at once.
    fn juju_log_begin(&self, level: Level, message: &str) -> Begun {
        Begun::done(self.juju_log(level, message))
    }
    /// `action-get`: the action's parameters.
    fn action_get(&self) -> Result<Map<String, Value>, ToolError>;
    /// `action-set key=value...`: results (dotted keys nest).
    fn action_set(&self, results: &BTreeMap<String, String>) -> Result<(), ToolError>;
    /// `action-fail <message>`.
    fn action_fail(&self, message: &str) -> Result<(), ToolError>;
    /// `action-log <message>`.
    fn action_log(&self, message: &str) -> Result<(), ToolError>;
    /// `secret-add [--owner] [--label] [--description] --file <yaml>`: a
    /// new secret, its id returned at once. The content never travels in
    /// argv. Juju creates the secret when the hook succeeds (a failed hook
    /// leaves none) but the id is usable (granted, published) at once.
    fn secret_add(
        &self,
        content: &SecretContent,
        options: &SecretOptions,
    ) -> Result<SecretId, ToolError>;
    /// `secret-get <id> | --label <label> [--peek | --refresh]`: the
    /// content of a secret this unit owns or was granted.
    fn secret_get(
        &self,
        secret: &SecretRef,
        revision: SecretRevision,
    ) -> Result<SecretContent, ToolError>;
    /// `secret-set <id> --file <yaml>`: a new revision of a secret this
    /// unit (or, as leader, its application) owns.
    fn secret_set(&self, id: &SecretId, content: &SecretContent) -> Result<(), ToolError>;
    /// `secret-grant <id> -r <relation> [--unit <unit>]`: the remote side of
    /// `relation` (one of its units, if given) may read the secret.
    fn secret_grant(
        &self,
        id: &SecretId,
        relation: &RelationId,
        unit: Option<&str>,
    ) -> Result<(), ToolError>;
    /// `secret-revoke <id> -r <relation> [--unit <unit>]`: undo a grant.
    fn secret_revoke(
        &self,
        id: &SecretId,
        relation: &RelationId,
        unit: Option<&str>,
    ) -> Result<(), ToolError>;
    /// `secret-remove <id>`: remove the secret, every revision.
    fn secret_remove(&self, id: &SecretId) -> Result<(), ToolError>;
    /// `secret-ids`: the secrets this unit (and, as leader, its
    /// application) owns.
    fn secret_ids(&self) -> Result<Vec<SecretId>, ToolError>;

    /// `secret-info-get`: the metadata of a secret this unit owns (its
    /// latest revision, owner, label, description, expiry and rotation).
    fn secret_info(&self, secret: &SecretRef) -> Result<SecretInfo, ToolError>;
}

/// What a JSON value is, for error messages that must not quote the value
/// itself (it may hold a secret).
pub(crate) fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_parse_as_opened_ports_prints_them() {
        assert_eq!("80/tcp".parse::<Port>().unwrap(), Port::tcp(80));
        let range: Port = "8000-8100/udp".parse().unwrap();
        assert_eq!(
            (range.from, range.to, range.protocol.as_str()),
            (8000, 8100, "udp")
        );
        assert_eq!(range.to_string(), "8000-8100/udp");
        assert_eq!("icmp".parse::<Port>().unwrap().to_string(), "icmp");
        for bad in ["80", "80/sctp", "90-80/tcp", "0/tcp", "x/tcp", "80/tcp (*)"] {
            assert!(bad.parse::<Port>().is_err(), "{bad}");
        }
    }

    #[test]
    fn relation_ids_parse_as_juju_prints_them() {
        assert_eq!(
            "db:5".parse::<RelationId>().unwrap(),
            RelationId::new("db", 5)
        );
        assert_eq!(
            "my-db:12".parse::<RelationId>().unwrap().to_string(),
            "my-db:12"
        );
        for bad in ["db", ":5", "db:x", "db:-1"] {
            assert!(bad.parse::<RelationId>().is_err(), "{bad}");
        }
    }
}
