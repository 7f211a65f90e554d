//! `juju-log` as a [`LogSink`]: the hook's log lines, batched.
//!
//! # What reaches Juju when the hook dies
//!
//! Lines are sent in batches, so that a hook costs a few `juju-log` calls
//! rather than one per line. A batch is sent
//!
//! * when the hook ends ([`JujuLogSink::flush`], also on drop, which an
//!   unwinding panic runs);
//! * when a line at `WARNING` or above is logged: the lines before it and
//!   it go at once, so the warning or error that precedes a crash is never
//!   held back;
//! * when the pending lines reach [`LOG_MESSAGE_LIMIT`] bytes (which also
//!   bounds the memory they take and keeps each call within the
//!   command-line limits);
//! * when the process panics, even with `panic = "abort"`: a panic hook,
//!   installed with the first sink, sends the pending lines of the
//!   panicking thread's sinks before the panic is reported.
//!
//! The batch of a hook that commits its unit state is started just before
//! the commit ([`LogSink::begin_flush`]) and waited for just after it, so
//! that the `juju-log` process runs while the commit waits for the disk
//! instead of after it; lines logged meanwhile follow it, in order, and
//! the hook's writes (`status-set`, `relation-set`, ...) are only sent once
//! it has ended.
//!
//! A hook killed by a signal (`SIGKILL`, or `SIGTERM` which the runtime
//! does not handle) runs no code after it, so the `INFO` and `DEBUG` lines
//! of the batch not yet sent are lost: at most [`LOG_MESSAGE_LIMIT`] bytes,
//! and never a warning or an error. Writing every line to stderr as well
//! would keep them, at the price of every line appearing twice in the
//! unit's log (Juju logs a hook's stderr too, at `WARNING`).
//!
//! If `juju-log` fails the lines go to stderr, so a message is never lost.

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::sync::Once;

use crate::backend::{Backend, Begun, LOG_MESSAGE_LIMIT};
use crate::reactive::log::{Level, LogSink};

/// Sends log lines to Juju with `juju-log`, in batches (see the module
/// documentation for when a batch is sent, and what a panic or a kill
/// does to it): consecutive lines of one level go in one call, each call
/// at most [`LOG_MESSAGE_LIMIT`] bytes. If `juju-log` fails the lines go
/// to stderr, so a message is never lost.
pub struct JujuLogSink {
    inner: Rc<Pending>,
    min: Level,
}

/// The lines not yet sent, and where to send them.
struct Pending {
    backend: Rc<dyn Backend>,
    lines: RefCell<Vec<(Level, String)>>,
    bytes: RefCell<usize>,
    /// The batch [`Pending::begin`] started and nobody has waited for yet.
    in_flight: RefCell<Option<(Level, String, Begun)>>,
}

thread_local! {
    /// The sinks of this thread, for the panic hook.
    static SINKS: RefCell<Vec<Weak<Pending>>> = const { RefCell::new(Vec::new()) };
}

impl JujuLogSink {
    /// Log through `backend` at `min` and above.
    pub fn new(backend: Rc<dyn Backend>, min: Level) -> Self {
        install_panic_hook();
        let inner = Rc::new(Pending {
            backend,
            lines: RefCell::new(Vec::new()),
            bytes: RefCell::new(0),
            in_flight: RefCell::new(None),
        });
        SINKS.with(|sinks| {
            let mut sinks = sinks.borrow_mut();
            sinks.retain(|s| s.strong_count() > 0);
            sinks.push(Rc::downgrade(&inner));
        });
        Self { inner, min }
    }

    /// Send the buffered lines.
    pub fn flush(&self) {
        self.inner.flush();
    }
}

impl Pending {
    /// Send every held line, after the batch in flight.
    fn flush(&self) {
        self.land();
        for (level, text) in self.take_batches() {
            self.send(level, &text);
        }
    }

    /// Send the held lines, the last batch without waiting for it.
    fn begin(&self) {
        self.land();
        let mut batches = self.take_batches();
        let Some((level, text)) = batches.pop() else {
            return;
        };
        for (level, text) in batches {
            self.send(level, &text);
        }
        let begun = self.backend.juju_log_begin(level, &text);
        match self.in_flight.try_borrow_mut() {
            Ok(mut slot) => *slot = Some((level, text, begun)),
            // Only a panic while the slot was borrowed gets here.
            Err(_) => report(level, &text, begun.wait()),
        }
    }

    /// Wait for the batch in flight, if any.
    fn land(&self) {
        let in_flight = match self.in_flight.try_borrow_mut() {
            Ok(mut slot) => slot.take(),
            Err(_) => None,
        };
        if let Some((level, text, begun)) = in_flight {
            report(level, &text, begun.wait());
        }
    }

    /// The held lines as batches, no longer held. Nothing while the lines
    /// are borrowed (a panic in the middle of logging).
    fn take_batches(&self) -> Vec<(Level, String)> {
        let Ok(mut lines) = self.lines.try_borrow_mut() else {
            return Vec::new();
        };
        let lines = std::mem::take(&mut *lines);
        if let Ok(mut bytes) = self.bytes.try_borrow_mut() {
            *bytes = 0;
        }
        batches(&lines)
    }

    fn send(&self, level: Level, text: &str) {
        report(level, text, self.backend.juju_log(level, text));
    }
}

/// A batch `juju-log` could not take goes to stderr.
fn report(level: Level, text: &str, sent: Result<(), crate::backend::ToolError>) {
    if let Err(e) = sent {
        eprintln!("{level} {text} (juju-log failed: {e})");
    }
}

/// Consecutive lines of one level joined by newlines, each batch at most
/// [`LOG_MESSAGE_LIMIT`] bytes (a longer line alone, cut by the backend).
fn batches(lines: &[(Level, String)]) -> Vec<(Level, String)> {
    let mut out: Vec<(Level, String)> = Vec::new();
    for (level, line) in lines {
        match out.last_mut() {
            Some((last, text))
                if last == level && text.len() + 1 + line.len() <= LOG_MESSAGE_LIMIT =>
            {
                text.push('\n');
                text.push_str(line);
            }
            _ => out.push((*level, line.clone())),
        }
    }
    out
}

/// Chain a panic hook that sends the panicking thread's pending lines,
/// once per process.
fn install_panic_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            flush_this_thread();
            previous(info);
        }));
    });
}

/// Send what the sinks of this thread hold.
fn flush_this_thread() {
    let sinks: Vec<Rc<Pending>> = SINKS
        .try_with(|sinks| match sinks.try_borrow() {
            Ok(sinks) => sinks.iter().filter_map(Weak::upgrade).collect(),
            Err(_) => Vec::new(),
        })
        .unwrap_or_default();
    for sink in sinks {
        sink.flush();
    }
}

impl Drop for JujuLogSink {
    fn drop(&mut self) {
        self.flush();
    }
}

impl std::fmt::Debug for JujuLogSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JujuLogSink")
            .field("min", &self.min)
            .finish()
    }
}

impl LogSink for JujuLogSink {
    fn log(&self, level: Level, message: &str) {
        if level < self.min {
            return;
        }
        let pending = {
            let Ok(mut lines) = self.inner.lines.try_borrow_mut() else {
                eprintln!("{level} {message}");
                return;
            };
            lines.push((level, message.to_owned()));
            let Ok(mut bytes) = self.inner.bytes.try_borrow_mut() else {
                return;
            };
            *bytes += message.len() + 1;
            *bytes
        };
        if level >= Level::Warning || pending >= LOG_MESSAGE_LIMIT {
            self.flush();
        }
    }

    fn begin_flush(&self) {
        self.inner.begin();
    }

    fn flush(&self) {
        self.inner.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{MemoryBackend, MemoryWorld};

    #[test]
    fn juju_log_batches_consecutive_lines_of_one_level() {
        let backend = Rc::new(MemoryBackend::new(MemoryWorld::default()));
        let sink = JujuLogSink::new(backend.clone(), Level::Debug);
        sink.log(Level::Info, "Invoking reactive handler: a");
        sink.log(Level::Info, "Invoking reactive handler: b");
        sink.log(Level::Debug, "set flag x");
        sink.log(Level::Trace, "below the minimum");
        sink.log(Level::Info, "Invoking reactive handler: c");
        // Nothing is sent before the end of the hook.
        assert!(backend.world().logs.is_empty());
        drop(sink);
        assert_eq!(
            backend.world().logs,
            [
                (
                    Level::Info,
                    "Invoking reactive handler: a\nInvoking reactive handler: b".to_owned()
                ),
                (Level::Debug, "set flag x".to_owned()),
                (Level::Info, "Invoking reactive handler: c".to_owned()),
            ]
        );
    }

    #[test]
    fn a_warning_sends_the_batch_at_once() {
        let backend = Rc::new(MemoryBackend::new(MemoryWorld::default()));
        let sink = JujuLogSink::new(backend.clone(), Level::Info);
        sink.log(Level::Info, "before");
        sink.log(Level::Warning, "disk almost full");
        assert_eq!(
            backend.world().logs,
            [
                (Level::Info, "before".to_owned()),
                (Level::Warning, "disk almost full".to_owned())
            ]
        );
        sink.log(Level::Info, "after");
        assert_eq!(backend.world().logs.len(), 2);
        drop(sink);
        assert_eq!(backend.world().logs.len(), 3);
    }

    #[test]
    fn batches_stay_within_the_log_message_limit() {
        let backend = Rc::new(MemoryBackend::new(MemoryWorld::default()));
        let sink = JujuLogSink::new(backend.clone(), Level::Info);
        let line = "x".repeat(1000);
        for _ in 0..200 {
            sink.log(Level::Info, &line);
        }
        // Sent as the pending lines reached the limit, not all at the end.
        assert!(!backend.world().logs.is_empty());
        drop(sink);
        let logs = backend.world().logs;
        assert!(logs.iter().all(|(_, m)| m.len() <= LOG_MESSAGE_LIMIT));
        let sent: usize = logs.iter().map(|(_, m)| m.matches('x').count()).sum();
        assert_eq!(sent, 200 * 1000);
    }

    #[test]
    fn begin_flush_sends_what_is_held_and_flush_what_came_after() {
        let backend = Rc::new(MemoryBackend::new(MemoryWorld::default()));
        let sink = JujuLogSink::new(backend.clone(), Level::Info);
        sink.log(Level::Info, "handler a");
        sink.log(Level::Info, "handler b");
        LogSink::begin_flush(&sink);
        // The memory backend has no background: the batch is sent at once.
        assert_eq!(
            backend.world().logs,
            [(Level::Info, "handler a\nhandler b".to_owned())]
        );
        sink.log(Level::Info, "after the commit");
        assert_eq!(backend.world().logs.len(), 1);
        LogSink::flush(&sink);
        assert_eq!(
            backend.world().logs[1],
            (Level::Info, "after the commit".to_owned())
        );
        // Nothing is sent twice.
        drop(sink);
        assert_eq!(backend.world().logs.len(), 2);
    }

    #[test]
    fn the_panic_hook_sends_the_pending_lines_of_this_thread() {
        let backend = Rc::new(MemoryBackend::new(MemoryWorld::default()));
        let sink = JujuLogSink::new(backend.clone(), Level::Info);
        sink.log(Level::Info, "logged before");
        flush_this_thread();
        assert_eq!(
            backend.world().logs,
            [(Level::Info, "logged before".to_owned())]
        );
    }
}
