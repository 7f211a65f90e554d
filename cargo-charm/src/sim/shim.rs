//! Seeing a hook's `juju-log` lines as it runs, for `--verbose`.
//!
//! The scenario runner reports each hook with its exit code and output,
//! but what the charm logs with `juju-log` (charms.reactive's `Invoking
//! reactive handler: ID (REASON)` lines, the `set flag`/`cleared flag`
//! lines at debug level) goes to the simulator's model, not to the
//! report. So with `--verbose` the hook tools are linked to a copy (a hard
//! link where possible) of this program in a directory of its own: run as
//! a tool, it appends `juju-log`'s arguments to a file in that directory,
//! then becomes the real `charm-sim-tool` (`exec`, same arguments and
//! standard input, the tool's name as `argv[0]`). After each hook,
//! [`LogShim::take_messages`] returns what the hook logged: one hook runs
//! at a time, so everything appended since the previous hook is this
//! hook's.

use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::error::{Error, Result};

/// The name of the copy of this program the tools link to.
const SHIM: &str = "charm-sim-tool";
/// The link to the real `charm-sim-tool`.
const REAL: &str = "real-charm-sim-tool";
/// The file `juju-log`'s arguments are appended to, one JSON array a line.
const LOG: &str = "juju-log.jsonl";

/// The shim's directory for one run; removed when dropped.
#[derive(Debug)]
pub struct LogShim {
    dir: PathBuf,
    offset: u64,
}

impl LogShim {
    /// Set up the shim in front of `real_tool`.
    pub fn new(real_tool: &Path) -> Result<Self> {
        let dir = std::env::temp_dir().join(format!("cargo-charm-sim-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).map_err(|e| Error::at(&dir, e))?;
        let shim = LogShim { dir, offset: 0 };
        let me =
            std::env::current_exe().map_err(|e| Error(format!("cannot find this program: {e}")))?;
        let copy = shim.dir.join(SHIM);
        if std::fs::hard_link(&me, &copy).is_err() {
            std::fs::copy(&me, &copy).map_err(|e| Error::at(&copy, e))?;
        }
        let real = real_tool
            .canonicalize()
            .map_err(|e| Error::at(real_tool, e))?;
        std::os::unix::fs::symlink(&real, shim.dir.join(REAL))
            .map_err(|e| Error::at(&shim.dir, e))?;
        std::fs::write(shim.dir.join(LOG), "").map_err(|e| Error::at(&shim.dir, e))?;
        Ok(shim)
    }

    /// The program to give the simulation as its tool program.
    pub fn tool_program(&self) -> PathBuf {
        self.dir.join(SHIM)
    }

    /// The messages logged since the last call (each `juju-log` call's
    /// message, which may hold several lines).
    pub fn take_messages(&mut self) -> Vec<String> {
        let mut text = String::new();
        let read = std::fs::File::open(self.dir.join(LOG)).and_then(|mut f| {
            f.seek(SeekFrom::Start(self.offset))?;
            f.read_to_string(&mut text)
        });
        let Ok(n) = read else { return Vec::new() };
        self.offset += n as u64;
        text.lines()
            .filter_map(|l| serde_json::from_str::<Vec<String>>(l).ok())
            .map(|args| log_message(&args))
            .collect()
    }
}

impl Drop for LogShim {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The message of `juju-log ARGS`: what follows `--`, else the arguments
/// that are not options.
pub fn log_message(args: &[String]) -> String {
    if let Some(i) = args.iter().position(|a| a == "--") {
        return args[i + 1..].join(" ");
    }
    let mut words = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-l" | "--log-level" | "--format" => {
                it.next();
            }
            a if a.starts_with('-') => {}
            a => words.push(a),
        }
    }
    words.join(" ")
}

/// If this program was run as a hook tool through the shim (`argv[0]`
/// names one of charm-sim's tools), do the tool's work and return its exit
/// code; otherwise `None`.
pub fn run_as_tool() -> Option<ExitCode> {
    let argv0 = std::env::args_os().next()?;
    let tool = Path::new(&argv0).file_name()?.to_str()?.to_owned();
    if !charm_sim::TOOLS.contains(&tool.as_str()) {
        return None;
    }
    let dir = std::env::current_exe().ok()?.parent()?.to_owned();
    let args: Vec<String> = std::env::args().skip(1).collect();
    if tool == "juju-log"
        && let Ok(line) = serde_json::to_string(&args)
        && let Ok(mut f) = std::fs::OpenOptions::new().append(true).open(dir.join(LOG))
    {
        let _ = f.write_all(format!("{line}\n").as_bytes());
    }
    let err = std::process::Command::new(dir.join(REAL))
        .arg0(&tool)
        .args(&args)
        .exec();
    eprintln!("ERROR {tool}: cannot run charm-sim-tool: {err}");
    Some(ExitCode::from(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(a: &[&str]) -> Vec<String> {
        a.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn the_message_is_what_follows_the_options() {
        assert_eq!(
            log_message(&strings(&["-l", "INFO", "--", "a -b", "c"])),
            "a -b c"
        );
        assert_eq!(
            log_message(&strings(&["--debug", "hello", "world"])),
            "hello world"
        );
        assert_eq!(
            log_message(&strings(&["-l", "WARNING", "careful"])),
            "careful"
        );
    }
}
