//! One tool process, waited for with a deadline.
//!
//! The child's stdout and stderr are drained by two threads (so a chatty
//! tool never blocks on a full pipe), its stdin is fed by a third, and a
//! fourth waits for it to exit with `waitid(WEXITED | WNOWAIT)`, which
//! does not reap it: the child stays ours until [`Child::wait`], so
//! killing it on expiry can never hit a reused process id. This thread
//! waits in the kernel (no polling) and needs no runtime and no SIGCHLD
//! handler (which `wait-timeout` would install process-wide).
//!
//! Everything the threads produce comes back on one channel, received
//! with the deadline. On expiry the child is killed and reaped; a thread
//! still blocked on a pipe that a process started by the tool holds open
//! is left to end when that process closes it, never waited for.

use std::io::{self, Read, Write};
use std::process::{Child, ExitStatus};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use nix::sys::wait::{Id, WaitPidFlag, waitid};
use nix::unistd::Pid;

/// How much of stdout is kept: tool output is JSON of the model's data
/// (relation settings, config), which Juju itself keeps well under this.
pub(super) const STDOUT_LIMIT: usize = 64 * 1024 * 1024;
/// How much of stderr is kept (the error shows at most 4 KiB of it).
pub(super) const STDERR_KEEP: usize = 64 * 1024;

/// What a tool did, once it exited in time.
pub(super) struct Finished {
    pub(super) status: ExitStatus,
    /// Its stdout, and whether it printed more than [`STDOUT_LIMIT`].
    pub(super) stdout: (Vec<u8>, bool),
    pub(super) stderr: Vec<u8>,
    /// Whether all of stdin was written.
    pub(super) written: io::Result<()>,
}

/// Why no [`Finished`].
pub(super) enum Unfinished {
    /// The deadline passed; the child was killed.
    TimedOut,
    /// A thread or pipe could not be set up or read.
    Io(String),
}

enum Piece {
    Stdout(io::Result<(Vec<u8>, bool)>),
    Stderr(io::Result<(Vec<u8>, bool)>),
    Stdin(io::Result<()>),
    Exited,
}

/// Wait for `child` (spawned with piped stdout and stderr, and piped stdin
/// when `input` is given) for at most `timeout`.
pub(super) fn wait_with_deadline(
    mut child: Child,
    input: Option<Vec<u8>>,
    timeout: Duration,
) -> Result<Finished, Unfinished> {
    // No deadline at all when it is beyond what `Instant` can hold.
    let deadline = Instant::now().checked_add(timeout);
    let (tx, rx) = mpsc::channel();
    let mut expected = 0;
    let result = start_threads(&mut child, input, &tx, &mut expected);
    drop(tx);
    if let Err(e) = result {
        kill(&mut child);
        return Err(Unfinished::Io(e));
    }
    let (mut stdout, mut stderr, mut written, mut exited) = (None, None, Ok(()), false);
    while expected > 0 {
        let received = match deadline {
            Some(deadline) => rx.recv_timeout(deadline.saturating_duration_since(Instant::now())),
            None => rx.recv().map_err(|_| mpsc::RecvTimeoutError::Disconnected),
        };
        match received {
            Ok(piece) => {
                expected -= 1;
                match piece {
                    Piece::Stdout(r) => stdout = Some(r),
                    Piece::Stderr(r) => stderr = Some(r),
                    Piece::Stdin(r) => written = r,
                    Piece::Exited => exited = true,
                }
            }
            // Expired, or every thread is gone without reporting.
            Err(_) => {
                kill(&mut child);
                return Err(Unfinished::TimedOut);
            }
        }
    }
    debug_assert!(exited);
    let status = child
        .wait()
        .map_err(|e| Unfinished::Io(format!("cannot collect the exit status: {e}")))?;
    let read = |r: Option<io::Result<(Vec<u8>, bool)>>, what: &str| match r {
        Some(Ok(out)) => Ok(out),
        Some(Err(e)) => Err(Unfinished::Io(format!("cannot read {what}: {e}"))),
        None => Err(Unfinished::Io(format!("{what} was not read"))),
    };
    Ok(Finished {
        status,
        stdout: read(stdout, "stdout")?,
        stderr: read(stderr, "stderr")?.0,
        written,
    })
}

fn start_threads(
    child: &mut Child,
    input: Option<Vec<u8>>,
    tx: &mpsc::Sender<Piece>,
    expected: &mut usize,
) -> Result<(), String> {
    let spawn = |name: &str, job: Box<dyn FnOnce() -> Piece + Send>| {
        let tx = tx.clone();
        thread::Builder::new()
            .name(name.to_owned())
            .spawn(move || {
                let _ = tx.send(job());
            })
            .map(drop)
            .map_err(|e| format!("cannot start a thread to {name}: {e}"))
    };
    if let Some(pipe) = child.stdout.take() {
        spawn(
            "read tool stdout",
            Box::new(move || Piece::Stdout(read_capped(pipe, STDOUT_LIMIT))),
        )?;
        *expected += 1;
    }
    if let Some(pipe) = child.stderr.take() {
        spawn(
            "read tool stderr",
            Box::new(move || Piece::Stderr(read_capped(pipe, STDERR_KEEP))),
        )?;
        *expected += 1;
    }
    if let (Some(mut pipe), Some(bytes)) = (child.stdin.take(), input) {
        // The pipe is dropped at the end, closing it: the tool sees EOF.
        spawn(
            "write tool stdin",
            Box::new(move || Piece::Stdin(pipe.write_all(&bytes))),
        )?;
        *expected += 1;
    }
    let pid = i32::try_from(child.id())
        .map(Pid::from_raw)
        .map_err(|_| format!("process id {} out of range", child.id()))?;
    spawn(
        "wait for tool",
        Box::new(move || {
            // WNOWAIT: the child is left for `Child::wait` to reap.
            loop {
                match waitid(Id::Pid(pid), WaitPidFlag::WEXITED | WaitPidFlag::WNOWAIT) {
                    Err(nix::errno::Errno::EINTR) => continue,
                    // Exited, or cannot be waited for here (then the
                    // reaping `Child::wait` tells).
                    _ => return Piece::Exited,
                }
            }
        }),
    )?;
    *expected += 1;
    Ok(())
}

/// Read `pipe` to its end, keeping at most `limit` bytes (and whether
/// there were more): the rest is drained so the writer never blocks.
fn read_capped(pipe: impl Read, limit: usize) -> io::Result<(Vec<u8>, bool)> {
    let mut kept = Vec::new();
    let mut pipe = pipe;
    (&mut pipe).take(limit as u64).read_to_end(&mut kept)?;
    let more = io::copy(&mut pipe, &mut io::sink())?;
    Ok((kept, more > 0))
}

fn kill(child: &mut Child) {
    // Already gone is fine; either way, reap it so no zombie stays.
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_capped_keeps_the_limit_and_drains_the_rest() {
        let (kept, more) = read_capped(&b"abcdef"[..], 4).unwrap();
        assert_eq!((kept.as_slice(), more), (&b"abcd"[..], true));
        let (kept, more) = read_capped(&b"abc"[..], 4).unwrap();
        assert_eq!((kept.as_slice(), more), (&b"abc"[..], false));
    }
}
