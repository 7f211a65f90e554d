//! One tool process, waited for with a deadline, on the calling thread.
//!
//! The child's stdout and stderr are drained and its stdin fed in one
//! `poll(2)` loop (so a chatty tool never blocks on a full pipe, and a
//! tool that never reads its input never blocks us), each wait bounded by
//! what is left of the deadline. Once both output pipes are closed the
//! child is almost always exiting: its exit is collected at once, or
//! waited for by polling a pidfd of it (or, on a kernel older than 5.3,
//! with `try_wait` at short, growing intervals), still within the
//! deadline. No thread is started: a hook makes a dozen tool
//! calls, and starting and joining reader threads for each cost more
//! than the calls' own work in the runtime (BENCHMARKS.md). No SIGCHLD
//! handler is installed either (which `wait-timeout` would do
//! process-wide).
//!
//! On expiry the child is killed and reaped. It is only ever reaped by
//! [`Child`] itself, so the kill can never hit a reused process id. A pipe
//! still held open by a process the tool started is simply closed on our
//! side.

use std::io::{self, Read, Write};
use std::os::fd::AsFd;
use std::process::{Child, ExitStatus};
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::fcntl::{FcntlArg, OFlag, fcntl};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

/// How much of stdout is kept: tool output is JSON of the model's data
/// (relation settings, config), which Juju itself keeps well under this.
pub(super) const STDOUT_LIMIT: usize = 64 * 1024 * 1024;
/// How much of stderr is kept (the error shows at most 4 KiB of it).
pub(super) const STDERR_KEEP: usize = 64 * 1024;

/// Bytes read from a pipe at a time. A tool's output is mostly well under
/// this (larger output takes more reads). The buffer is zeroed at every
/// read: at the pipe's 64 KiB, that was the largest user-space cost of a
/// hook's tool calls in a profile of the webapp's hooks.
const READ_CHUNK: usize = 8 * 1024;

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
    /// A pipe could not be polled or read, or the exit status collected.
    Io(String),
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
    let mut pipes = Pipes::take(&mut child, input);
    let result = pipes
        .drain(deadline)
        .and_then(|()| wait_exit(&mut child, deadline));
    let status = match result {
        Ok(status) => status,
        Err(e) => {
            kill(&mut child);
            return Err(e);
        }
    };
    Ok(Finished {
        status,
        stdout: (pipes.stdout.kept, pipes.stdout.more),
        stderr: pipes.stderr.kept,
        written: pipes.stdin.map_or(Ok(()), |s| s.result),
    })
}

/// An output pipe being read, keeping at most `limit` bytes.
struct Output<R> {
    pipe: Option<R>,
    kept: Vec<u8>,
    limit: usize,
    /// Whether more than `limit` bytes came (the rest is read and dropped,
    /// so the writer never blocks).
    more: bool,
}

impl<R: Read> Output<R> {
    fn new(pipe: Option<R>, limit: usize) -> Self {
        Self {
            pipe,
            kept: Vec::new(),
            limit,
            more: false,
        }
    }

    /// Read what the pipe holds now (it polled readable, so this does not
    /// block); at end of file the pipe is closed.
    fn read_ready(&mut self, what: &str) -> Result<(), Unfinished> {
        let Some(pipe) = self.pipe.as_mut() else {
            return Ok(());
        };
        let mut chunk = [0u8; READ_CHUNK];
        let n = loop {
            match pipe.read(&mut chunk) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Unfinished::Io(format!("cannot read {what}: {e}"))),
            }
        };
        if n == 0 {
            self.pipe = None;
        }
        self.keep(&chunk[..n]);
        Ok(())
    }

    fn keep(&mut self, bytes: &[u8]) {
        let room = self.limit.saturating_sub(self.kept.len());
        let (kept, dropped) = bytes.split_at(room.min(bytes.len()));
        self.kept.extend_from_slice(kept);
        self.more |= !dropped.is_empty();
    }
}

/// The child's stdin being fed.
struct Input<W> {
    pipe: Option<W>,
    bytes: Vec<u8>,
    written: usize,
    result: io::Result<()>,
}

impl<W: Write> Input<W> {
    /// Write what the pipe takes now (it is non-blocking); once all is
    /// written, or the tool closed its end, the pipe is closed: the tool
    /// sees end of file.
    fn write_ready(&mut self) {
        let Some(pipe) = self.pipe.as_mut() else {
            return;
        };
        while self.written < self.bytes.len() {
            match pipe.write(&self.bytes[self.written..]) {
                Ok(n) => self.written += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return,
                Err(e) => {
                    self.result = Err(e);
                    break;
                }
            }
        }
        self.pipe = None;
    }

    /// The tool closed its end before reading everything.
    fn hung_up(&mut self) {
        if self.pipe.take().is_some() && self.written < self.bytes.len() {
            self.result = Err(io::Error::from(io::ErrorKind::BrokenPipe));
        }
    }
}

struct Pipes {
    stdout: Output<std::process::ChildStdout>,
    stderr: Output<std::process::ChildStderr>,
    stdin: Option<Input<std::process::ChildStdin>>,
}

impl Pipes {
    fn take(child: &mut Child, input: Option<Vec<u8>>) -> Self {
        let stdin = child.stdin.take();
        let stdin = input.map(|bytes| {
            let pipe = stdin.filter(|pipe| {
                // A blocking pipe would stall the loop on a tool that reads
                // slowly; the flag is on our end only.
                fcntl(pipe.as_fd(), FcntlArg::F_SETFL(OFlag::O_NONBLOCK)).is_ok()
            });
            let result = match pipe {
                Some(_) => Ok(()),
                None => Err(io::Error::other("stdin is not a non-blocking pipe")),
            };
            Input {
                pipe,
                bytes,
                written: 0,
                result,
            }
        });
        Self {
            stdout: Output::new(child.stdout.take(), STDOUT_LIMIT),
            stderr: Output::new(child.stderr.take(), STDERR_KEEP),
            stdin,
        }
    }

    /// Read and write until both output pipes are closed, or the deadline.
    fn drain(&mut self, deadline: Option<Instant>) -> Result<(), Unfinished> {
        while self.stdout.pipe.is_some() || self.stderr.pipe.is_some() {
            let (out, err, input) = self.poll(deadline)?;
            if out {
                self.stdout.read_ready("stdout")?;
            }
            if err {
                self.stderr.read_ready("stderr")?;
            }
            if let Some(stdin) = self.stdin.as_mut() {
                match input {
                    Ready::Writable => stdin.write_ready(),
                    Ready::HungUp => stdin.hung_up(),
                    Ready::No => {}
                }
            }
        }
        // Output closed first: the tool exits without reading the rest.
        if let Some(stdin) = self.stdin.as_mut() {
            stdin.hung_up();
        }
        Ok(())
    }

    /// Which pipes are ready: stdout, stderr (readable or closed), stdin.
    fn poll(&self, deadline: Option<Instant>) -> Result<(bool, bool, Ready), Unfinished> {
        let mut fds = Vec::with_capacity(3);
        let mut slots = [None; 3];
        if let Some(pipe) = &self.stdout.pipe {
            slots[0] = Some(fds.len());
            fds.push(PollFd::new(pipe.as_fd(), PollFlags::POLLIN));
        }
        if let Some(pipe) = &self.stderr.pipe {
            slots[1] = Some(fds.len());
            fds.push(PollFd::new(pipe.as_fd(), PollFlags::POLLIN));
        }
        if let Some(pipe) = self.stdin.as_ref().and_then(|s| s.pipe.as_ref()) {
            slots[2] = Some(fds.len());
            fds.push(PollFd::new(pipe.as_fd(), PollFlags::POLLOUT));
        }
        loop {
            match poll(&mut fds, time_left(deadline)?) {
                Ok(_) => break,
                Err(Errno::EINTR) => continue,
                Err(e) => return Err(Unfinished::Io(format!("cannot poll the tool's pipes: {e}"))),
            }
        }
        let events = |slot: Option<usize>| {
            slot.and_then(|i| fds[i].revents())
                .unwrap_or(PollFlags::empty())
        };
        let stdin = events(slots[2]);
        let stdin = if stdin.contains(PollFlags::POLLOUT) {
            Ready::Writable
        } else if stdin.intersects(PollFlags::POLLERR | PollFlags::POLLHUP) {
            Ready::HungUp
        } else {
            Ready::No
        };
        Ok((
            !events(slots[0]).is_empty(),
            !events(slots[1]).is_empty(),
            stdin,
        ))
    }
}

/// What `poll` said of the stdin pipe.
#[derive(Clone, Copy)]
enum Ready {
    No,
    Writable,
    HungUp,
}

/// What is left of `deadline` as a `poll` timeout (none without a
/// deadline), or [`Unfinished::TimedOut`] once it has passed.
fn time_left(deadline: Option<Instant>) -> Result<PollTimeout, Unfinished> {
    match deadline {
        None => Ok(PollTimeout::NONE),
        Some(deadline) => {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Unfinished::TimedOut);
            }
            Ok(poll_timeout(left))
        }
    }
}

/// `left` in whole milliseconds, rounded up so the loop never spins on a
/// sub-millisecond remainder; at most `poll`'s largest timeout.
fn poll_timeout(left: Duration) -> PollTimeout {
    let ms = left.as_nanos().div_ceil(1_000_000);
    PollTimeout::try_from(ms).unwrap_or(PollTimeout::MAX)
}

/// Collect the exit status of a child whose output pipes are closed.
///
/// Almost always it has exited already. When not, wait on a pidfd (Linux
/// 5.3 and later): `poll(2)` on it returns the moment the child exits, with
/// the deadline as its timeout. Where the kernel has no pidfd, poll the
/// exit at short, growing intervals instead.
fn wait_exit(child: &mut Child, deadline: Option<Instant>) -> Result<ExitStatus, Unfinished> {
    if let Some(status) = try_wait(child)? {
        return Ok(status);
    }
    let pid = rustix::process::Pid::from_child(child);
    match rustix::process::pidfd_open(pid, rustix::process::PidfdFlags::empty()) {
        Ok(pidfd) => wait_pidfd(child, &pidfd, deadline),
        Err(_) => wait_polling(child, deadline),
    }
}

fn try_wait(child: &mut Child) -> Result<Option<ExitStatus>, Unfinished> {
    child
        .try_wait()
        .map_err(|e| Unfinished::Io(format!("cannot collect the exit status: {e}")))
}

/// Wait until `pidfd` (the child's) is readable, that is the child exited.
fn wait_pidfd(
    child: &mut Child,
    pidfd: &std::os::fd::OwnedFd,
    deadline: Option<Instant>,
) -> Result<ExitStatus, Unfinished> {
    loop {
        if let Some(status) = try_wait(child)? {
            return Ok(status);
        }
        let mut fds = [PollFd::new(pidfd.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, time_left(deadline)?) {
            Ok(_) | Err(Errno::EINTR) => {}
            Err(e) => return Err(Unfinished::Io(format!("cannot wait for the tool: {e}"))),
        }
    }
}

/// Without a pidfd: `try_wait` at 20 µs doubling to 5 ms, within the
/// deadline.
fn wait_polling(child: &mut Child, deadline: Option<Instant>) -> Result<ExitStatus, Unfinished> {
    let mut pause = Duration::from_micros(20);
    loop {
        if let Some(status) = try_wait(child)? {
            return Ok(status);
        }
        if let Some(deadline) = deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(Unfinished::TimedOut);
            }
            pause = pause.min(left);
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(5));
    }
}

fn kill(child: &mut Child) {
    // Already gone is fine; either way, reap it so no zombie stays.
    let _ = child.kill();
    let _ = child.wait();
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn output_keeps_the_limit_and_notes_the_rest() {
        let mut out = Output::new(Some(&b"abcdef"[..]), 4);
        while out.pipe.is_some() {
            out.read_ready("stdout").ok().unwrap();
        }
        assert_eq!((out.kept.as_slice(), out.more), (&b"abcd"[..], true));
        let mut out = Output::new(Some(&b"abc"[..]), 4);
        while out.pipe.is_some() {
            out.read_ready("stdout").ok().unwrap();
        }
        assert_eq!((out.kept.as_slice(), out.more), (&b"abc"[..], false));
    }

    #[test]
    fn poll_timeouts_round_up_to_a_millisecond() {
        assert_eq!(i32::from(poll_timeout(Duration::from_micros(1))), 1);
        assert_eq!(i32::from(poll_timeout(Duration::from_millis(7))), 7);
        assert_eq!(
            i32::from(poll_timeout(Duration::from_secs(u64::MAX))),
            i32::MAX
        );
    }

    #[test]
    fn a_tool_that_reads_nothing_leaves_input_unwritten_not_blocked() {
        // A 1 MiB input is far beyond a pipe's buffer: with a blocking
        // write this would hang; the tool exits without reading.
        let child = std::process::Command::new("sh")
            .args(["-c", "echo out; exit 3"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let Ok(done) =
            wait_with_deadline(child, Some(vec![b'x'; 1 << 20]), Duration::from_secs(60))
        else {
            panic!("the tool should have finished");
        };
        assert_eq!(done.status.code(), Some(3));
        assert_eq!(done.stdout.0, b"out\n");
        assert_eq!(done.written.unwrap_err().kind(), io::ErrorKind::BrokenPipe);
    }

    /// A tool that closes its output and goes on running `script`.
    fn closes_output_then(script: &str) -> Child {
        std::process::Command::new("sh")
            .args(["-c", &format!("exec >&- 2>&-; {script}")])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    }

    #[test]
    fn the_exit_of_a_tool_that_closed_its_output_early_is_awaited() {
        // On kernels with pidfd (5.3 and later) through the pidfd.
        let child = closes_output_then("sleep 0.2; exit 4");
        let Ok(done) = wait_with_deadline(child, None, Duration::from_secs(60)) else {
            panic!("the tool should have finished");
        };
        assert_eq!(done.status.code(), Some(4));
        let mut child = closes_output_then("sleep 0.2; exit 4");
        let status = wait_polling(&mut child, None).ok().unwrap();
        assert_eq!(status.code(), Some(4));
    }

    #[test]
    fn a_tool_that_closed_its_output_but_never_exits_times_out() {
        let child = closes_output_then("exec sleep 600");
        let pid = child.id();
        let started = Instant::now();
        let result = wait_with_deadline(child, None, Duration::from_millis(300));
        assert!(matches!(result, Err(Unfinished::TimedOut)));
        // Killed and reaped: the process is gone, no zombie left.
        assert!(!Path::new(&format!("/proc/{pid}")).exists());
        assert!(started.elapsed() >= Duration::from_millis(300));
        let mut child = closes_output_then("exec sleep 600");
        let deadline = Instant::now() + Duration::from_millis(100);
        assert!(matches!(
            wait_polling(&mut child, Some(deadline)),
            Err(Unfinished::TimedOut)
        ));
        kill(&mut child);
    }
}
