//! The real machine: apt-get, systemctl, dpkg-query and the kernel's socket
//! table, each command run with an argument vector, never a shell.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};

use super::{FileSpec, Host, HostError, ServiceOp, shown};

/// The machine the charm runs on.
#[derive(Debug, Default, Clone)]
pub struct SystemHost;

impl SystemHost {
    /// The machine.
    pub fn new() -> Self {
        Self
    }
}

/// `argv` as shown in messages.
fn command_line(argv: &[&str]) -> String {
    argv.join(" ")
}

/// Run `argv` with `env` added; its output whatever its exit status.
fn output(argv: &[&str], env: &[(&str, &str)]) -> Result<Output, HostError> {
    let Some((program, args)) = argv.split_first() else {
        return Err(HostError::Spawn {
            command: String::new(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, "empty command"),
        });
    };
    Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .map_err(|source| HostError::Spawn {
            command: command_line(argv),
            source,
        })
}

/// Run `argv`; an error unless it exits 0.
fn run(argv: &[&str], env: &[(&str, &str)]) -> Result<Output, HostError> {
    let out = output(argv, env)?;
    if out.status.success() {
        return Ok(out);
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: String = stderr
        .trim()
        .chars()
        .rev()
        .take(500)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    Err(HostError::Failed {
        command: command_line(argv),
        status: describe(&out.status),
        stderr: tail,
    })
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
        run(&argv, &[("DEBIAN_FRONTEND", "noninteractive")]).map(drop)
    }

    fn service(&self, op: ServiceOp, service: &str) -> Result<(), HostError> {
        run(&["systemctl", op.verb(), "--", service], &[]).map(drop)
    }

    fn is_running(&self, service: &str) -> Result<bool, HostError> {
        Ok(
            output(&["systemctl", "is-active", "--quiet", "--", service], &[])?
                .status
                .success(),
        )
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
        run(&argv, &[]).map(drop)
    }

    fn package_version(&self, package: &str) -> Result<Option<String>, HostError> {
        let out = output(
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
