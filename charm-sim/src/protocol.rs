//! The protocol between `charm-sim-tool` and the simulator: one JSON line
//! each way over the simulation's Unix socket.

use serde::{Deserialize, Serialize};

/// The environment variable naming the simulation's socket.
pub const SOCKET_ENV: &str = "CHARM_SIM_SOCKET";

/// The environment variable naming the hook a tool runs for (Juju's own
/// name for it).
pub const CONTEXT_ENV: &str = "JUJU_CONTEXT_ID";

/// A tool's call: what it was invoked as, with what, from which hook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolRequest {
    /// `JUJU_CONTEXT_ID` of the hook.
    pub context: String,
    /// The tool (`relation-get`).
    pub tool: String,
    /// Its arguments.
    pub args: Vec<String>,
    /// Its standard input, when the arguments say it is read
    /// (`relation-set --file -`).
    #[serde(default)]
    pub stdin: Option<String>,
    /// The tool's working directory (relative `--file` paths).
    #[serde(default)]
    pub cwd: Option<String>,
}

/// The answer: what the tool prints and its exit code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolResponse {
    /// Exit code: 0, 1 (failed while running) or 2 (bad arguments).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error (`ERROR <message>` on failure).
    pub stderr: String,
}

impl ToolResponse {
    /// Success printing `stdout`.
    pub fn ok(stdout: impl Into<String>) -> Self {
        Self {
            code: 0,
            stdout: stdout.into(),
            stderr: String::new(),
        }
    }

    /// Failure with `code`, `ERROR <message>` on stderr as juju/cmd does.
    pub fn fail(code: i32, message: &str) -> Self {
        Self {
            code,
            stdout: String::new(),
            stderr: format!("ERROR {message}\n"),
        }
    }
}

/// Whether a tool reads its standard input given these arguments:
/// `relation-set --file -` (or `--file=-`).
pub fn reads_stdin(tool: &str, args: &[String]) -> bool {
    if tool != "relation-set" {
        return false;
    }
    let mut it = args.iter().take_while(|a| *a != "--");
    while let Some(arg) = it.next() {
        if arg == "--file=-" {
            return true;
        }
        if arg == "--file" && it.next().map(String::as_str) == Some("-") {
            return true;
        }
    }
    false
}
