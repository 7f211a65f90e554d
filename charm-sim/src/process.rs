//! Running one hook's process with a time limit: the process gets its own
//! process group, and when the limit passes the whole group is killed, so
//! a hook that never exits (or left a child holding its output open)
//! cannot hang the simulation.

use std::io::Read;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

use crate::interrupt::RunningHook;

/// How a hook's process ended.
#[derive(Debug)]
pub(crate) struct Finished {
    /// Its exit status.
    pub status: ExitStatus,
    /// What it printed on stdout.
    pub stdout: Vec<u8>,
    /// What it printed on stderr.
    pub stderr: Vec<u8>,
    /// Whether it was killed because the time limit passed.
    pub timed_out: bool,
}

/// What the helper threads report.
enum Done {
    Exited(std::io::Result<ExitStatus>),
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
}

/// Run `command` (its stdin null, stdout and stderr captured) in a new
/// process group; kill the group when `limit` passes before the process
/// exits and its output is closed.
pub(crate) fn run(command: &mut Command, limit: Duration) -> std::io::Result<Finished> {
    use std::os::unix::process::CommandExt;
    let start = Instant::now();
    let mut child: Child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .spawn()?;
    let group = Pid::from_raw(child.id() as i32);
    // Known to `interrupt::stop_everything` until its exit is collected
    // (the group id could only be reused after that, by a new process
    // leading a group of its own, in the moment before this is dropped).
    let _running = RunningHook::new(group.as_raw());
    let (tx, rx) = mpsc::channel();
    let mut readers = 0;
    if let Some(mut out) = child.stdout.take() {
        let tx = tx.clone();
        readers += 1;
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = out.read_to_end(&mut buf);
            let _ = tx.send(Done::Stdout(buf));
        });
    }
    if let Some(mut err) = child.stderr.take() {
        let tx = tx.clone();
        readers += 1;
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = err.read_to_end(&mut buf);
            let _ = tx.send(Done::Stderr(buf));
        });
    }
    std::thread::spawn(move || {
        let _ = tx.send(Done::Exited(child.wait()));
    });
    let (mut status, mut stdout, mut stderr) = (None, Vec::new(), Vec::new());
    let mut pending = readers + 1;
    let mut killed = false;
    let mut timed_out = false;
    while pending > 0 {
        let next = if killed {
            rx.recv().map_err(|_| ())
        } else {
            let left = limit.saturating_sub(start.elapsed());
            rx.recv_timeout(left).map_err(|_| ())
        };
        match next {
            Ok(Done::Exited(s)) => status = Some(s?),
            Ok(Done::Stdout(b)) => stdout = b,
            Ok(Done::Stderr(b)) => stderr = b,
            Err(()) if killed => break, // every sender gone
            Err(()) => {
                // The limit passed: the hook (or a child of it still
                // holding its output) is killed with its whole group.
                timed_out = status.is_none();
                let _ = killpg(group, Signal::SIGKILL);
                killed = true;
                continue;
            }
        }
        pending -= 1;
    }
    let status =
        status.ok_or_else(|| std::io::Error::other("the hook's process was not reaped"))?;
    Ok(Finished {
        status,
        stdout,
        stderr,
        timed_out,
    })
}
