//! The real machine: apt-get, systemctl, dpkg-query and the kernel's socket
//! table, each command run with an argument vector, never a shell.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use super::{FileSpec, Host, HostError, ServiceOp, shown};

/// apt-get's exit status when it could not take the dpkg lock (and for
/// other errors: the lock is told by its message).
const APT_NO_LOCK: i32 = 100;

/// The machine the charm runs on.
///
/// `apt-get` is retried while another process holds the dpkg lock (an
/// unattended upgrade, another charm on the machine), as charmhelpers
/// does: up to 10 more times, 10 seconds apart by default.
#[derive(Debug, Clone)]
pub struct SystemHost {
    tools_dir: Option<PathBuf>,
    lock_retries: u32,
    lock_delay: Duration,
}

impl Default for SystemHost {
    fn default() -> Self {
        Self {
            tools_dir: None,
            lock_retries: 10,
            lock_delay: Duration::from_secs(10),
        }
    }
}

impl SystemHost {
    /// The machine, its commands found on `PATH`.
    pub fn new() -> Self {
        Self::default()
    }

    /// The same, running commands from `dir` (tests use stand-ins).
    pub fn with_tools_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.tools_dir = Some(dir.into());
        self
    }

    /// Retry `apt-get` up to `retries` more times, `delay` apart, while
    /// the dpkg lock is held.
    pub fn with_lock_retries(mut self, retries: u32, delay: Duration) -> Self {
        self.lock_retries = retries;
        self.lock_delay = delay;
        self
    }

    fn program(&self, name: &str) -> PathBuf {
        match &self.tools_dir {
            Some(dir) => dir.join(name),
            None => PathBuf::from(name),
        }
    }

    /// Run `argv` with `env` added; its output whatever its exit status.
    fn output(&self, argv: &[&str], env: &[(&str, &str)]) -> Result<Output, HostError> {
        let Some((program, args)) = argv.split_first() else {
            return Err(HostError::Spawn {
                command: String::new(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "empty command"),
            });
        };
        Command::new(self.program(program))
            .args(args)
            .envs(env.iter().copied())
            .output()
            .map_err(|source| HostError::Spawn {
                command: command_line(argv),
                source,
            })
    }

    /// Run `argv`; an error unless it exits 0.
    fn run(&self, argv: &[&str], env: &[(&str, &str)]) -> Result<Output, HostError> {
        let out = self.output(argv, env)?;
        if out.status.success() {
            return Ok(out);
        }
        Err(failure(argv, &out))
    }

    /// Run `apt-get`, again while the dpkg lock is held.
    fn apt(&self, argv: &[&str]) -> Result<(), HostError> {
        let env = [("DEBIAN_FRONTEND", "noninteractive")];
        let mut tries = 0;
        loop {
            let out = self.output(argv, &env)?;
            if out.status.success() {
                return Ok(());
            }
            if tries == self.lock_retries || !lock_held(&out) {
                return Err(failure(argv, &out));
            }
            tries += 1;
            log::warn!(
                "{}: the dpkg lock is held; trying again in {} s ({tries} of {})",
                command_line(argv),
                self.lock_delay.as_secs(),
                self.lock_retries
            );
            std::thread::sleep(self.lock_delay);
        }
    }
}

/// Whether a failed apt-get failed because another process holds the
/// dpkg lock.
fn lock_held(out: &Output) -> bool {
    let stderr = String::from_utf8_lossy(&out.stderr);
    out.status.code() == Some(APT_NO_LOCK)
        && (stderr.contains("Could not get lock") || stderr.contains("Unable to acquire the dpkg"))
}

/// `argv` as shown in messages.
fn command_line(argv: &[&str]) -> String {
    argv.join(" ")
}

/// The error of a command that ran and failed: how it ended and the end
/// of its standard error.
fn failure(argv: &[&str], out: &Output) -> HostError {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stderr = stderr.trim();
    let start = stderr.char_indices().rev().nth(499).map_or(0, |(i, _)| i);
    HostError::Failed {
        command: command_line(argv),
        status: describe(&out.status),
        stderr: stderr[start..].to_owned(),
    }
}

fn describe(status: &std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit status {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        (None, None) => "ended without an exit status".to_owned(),
    }
}

/// Whether the socket table `table` (`/proc/net/tcp` or `tcp6`) has a
/// socket listening on `port`.
fn listens(table: &str, port: u16) -> bool {
    table.lines().skip(1).any(|line| {
        let mut fields = line.split_whitespace();
        let local = fields.nth(1).unwrap_or_default();
        let state = fields.nth(1).unwrap_or_default();
        // State 0A is TCP_LISTEN; the local address ends in :PORT in hex.
        state == "0A"
            && local
                .rsplit_once(':')
                .and_then(|(_, p)| u16::from_str_radix(p, 16).ok())
                == Some(port)
    })
}

impl Host for SystemHost {
    fn install(&self, packages: &[String]) -> Result<(), HostError> {
        if packages.is_empty() {
            return Ok(());
        }
        let mut argv = vec![
            "apt-get",
            "--assume-yes",
            "--option=Dpkg::Options::=--force-confold",
            "install",
            "--",
        ];
        argv.extend(packages.iter().map(String::as_str));
        self.apt(&argv)
    }

    fn service(&self, op: ServiceOp, service: &str) -> Result<(), HostError> {
        self.run(&["systemctl", op.verb(), "--", service], &[])
            .map(drop)
    }

    fn is_running(&self, service: &str) -> Result<bool, HostError> {
        Ok(self
            .output(&["systemctl", "is-active", "--quiet", "--", service], &[])?
            .status
            .success())
    }

    fn is_listening(&self, port: u16) -> Result<bool, HostError> {
        for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
            match std::fs::read_to_string(table) {
                Ok(text) if listens(&text, port) => return Ok(true),
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => {
                    return Err(HostError::File {
                        path: table.into(),
                        source,
                    });
                }
            }
        }
        Ok(false)
    }

    fn write_file(&self, file: &FileSpec) -> Result<(), HostError> {
        let uid = nix::unistd::User::from_name(&file.owner)
            .ok()
            .flatten()
            .ok_or_else(|| HostError::NoSuchOwner {
                kind: "user",
                name: file.owner.clone(),
            })?
            .uid;
        let gid = nix::unistd::Group::from_name(&file.group)
            .ok()
            .flatten()
            .ok_or_else(|| HostError::NoSuchOwner {
                kind: "group",
                name: file.group.clone(),
            })?
            .gid;
        let io = |source| HostError::File {
            path: file.path.clone(),
            source,
        };
        let dir = file.path.parent().unwrap_or(Path::new("/"));
        std::fs::create_dir_all(dir).map_err(io)?;
        let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(io)?;
        temp.write_all(&file.content).map_err(io)?;
        temp.as_file().sync_all().map_err(io)?;
        std::os::unix::fs::fchown(temp.as_file(), Some(uid.as_raw()), Some(gid.as_raw()))
            .map_err(io)?;
        {
            use std::os::unix::fs::PermissionsExt;
            temp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(file.mode))
                .map_err(io)?;
        }
        temp.persist(&file.path).map_err(|e| io(e.error))?;
        Ok(())
    }

    fn run(&self, argv: &[String]) -> Result<(), HostError> {
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        if argv.is_empty() {
            return Ok(());
        }
        self.run(&argv, &[]).map(drop)
    }

    fn package_version(&self, package: &str) -> Result<Option<String>, HostError> {
        let out = self.output(
            &[
                "dpkg-query",
                "--show",
                "--showformat=${Version}",
                "--",
                package,
            ],
            &[],
        )?;
        let version = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        Ok((out.status.success() && !version.is_empty()).then_some(version))
    }

    fn series(&self) -> Result<String, HostError> {
        let path = Path::new("/etc/os-release");
        let text = std::fs::read_to_string(path).map_err(|source| HostError::File {
            path: path.into(),
            source,
        })?;
        text.lines()
            .find_map(|l| l.strip_prefix("VERSION_CODENAME="))
            .map(|v| v.trim_matches('"').to_owned())
            .filter(|v| !v.is_empty())
            .ok_or_else(|| HostError::Unreadable {
                what: shown(path),
                reason: "no VERSION_CODENAME".to_owned(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_socket_table_is_read_for_listening_ports() {
        // From /proc/net/tcp: 0x1388 = 5000 listening, 0x0016 = 22
        // established.
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:1388 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0
   1: 0100007F:0016 0100007F:A2B4 01 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1";
        assert!(listens(table, 5000));
        assert!(!listens(table, 22));
        assert!(!listens(table, 35357));
    }
}
