//! `juju-log` as a [`LogSink`]: the hook's log lines, batched.

use std::cell::RefCell;
use std::rc::Rc;

use crate::backend::Backend;
use crate::reactive::log::{Level, LogSink};

/// Sends log lines to Juju with `juju-log`. Lines are buffered and sent
/// when the hook ends ([`JujuLogSink::flush`], also on drop), consecutive
/// lines of one level in one call, so a hook costs a few `juju-log` calls
/// rather than one per line. If `juju-log` fails the lines go to stderr, so
/// a message is never lost.
pub struct JujuLogSink {
    backend: Rc<dyn Backend>,
    min: Level,
    buffer: RefCell<Vec<(Level, String)>>,
}

impl JujuLogSink {
    /// Log through `backend` at `min` and above.
    pub fn new(backend: Rc<dyn Backend>, min: Level) -> Self {
        Self {
            backend,
            min,
            buffer: RefCell::new(Vec::new()),
        }
    }

    /// Send the buffered lines.
    pub fn flush(&self) {
        let lines = std::mem::take(&mut *self.buffer.borrow_mut());
        let mut i = 0;
        while i < lines.len() {
            let level = lines[i].0;
            let mut j = i;
            while j < lines.len() && lines[j].0 == level {
                j += 1;
            }
            let text: Vec<&str> = lines[i..j].iter().map(|(_, m)| m.as_str()).collect();
            let text = text.join("\n");
            if let Err(e) = self.backend.juju_log(level, &text) {
                eprintln!("{level} {text} (juju-log failed: {e})");
            }
            i = j;
        }
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
        if level >= self.min {
            self.buffer.borrow_mut().push((level, message.to_owned()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::{MemoryBackend, MemoryWorld};

    #[test]
    fn juju_log_batches_consecutive_lines_of_one_level() {
        let backend = Rc::new(MemoryBackend::new(MemoryWorld::default()));
        let sink = JujuLogSink::new(backend.clone(), Level::Info);
        sink.log(Level::Info, "Invoking reactive handler: a");
        sink.log(Level::Info, "Invoking reactive handler: b");
        sink.log(Level::Debug, "set flag x");
        sink.log(Level::Warning, "disk almost full");
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
                (Level::Warning, "disk almost full".to_owned()),
                (Level::Info, "Invoking reactive handler: c".to_owned()),
            ]
        );
    }
}
