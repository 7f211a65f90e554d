//! Log levels and sinks. The dispatch trace and charm logs go through a
//! [`LogSink`]; under Juju the sink is `juju-log`, in tests it is memory.

use std::cell::RefCell;
use std::fmt;

/// A log level, with the names `juju-log --log-level` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Very verbose detail (`TRACE`).
    Trace,
    /// Developer detail (`DEBUG`).
    Debug,
    /// Normal operation (`INFO`).
    Info,
    /// Something is off but the hook goes on (`WARNING`).
    Warning,
    /// The hook fails (`ERROR`).
    Error,
}

impl Level {
    /// The name Juju uses for this level.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warning => "WARNING",
            Level::Error => "ERROR",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where log lines go.
pub trait LogSink {
    /// Record one message at `level`.
    fn log(&self, level: Level, message: &str);

    /// The hook's handlers are done and it is about to wait for its unit
    /// state to reach the disk: a sink that holds lines back may start
    /// delivering them now without waiting for the delivery, as long as
    /// [`LogSink::flush`] waits for it. The default does nothing.
    fn begin_flush(&self) {}

    /// Deliver every line held back, waiting for any delivery
    /// [`LogSink::begin_flush`] started, so that lines keep their order.
    /// The default does nothing.
    fn flush(&self) {}
}

/// Writes `LEVEL message` lines to standard error.
#[derive(Debug, Default, Clone, Copy)]
pub struct StderrSink;

impl LogSink for StderrSink {
    fn log(&self, level: Level, message: &str) {
        eprintln!("{level} {message}");
    }
}

/// Discards everything.
#[derive(Debug, Default, Clone, Copy)]
pub struct NullSink;

impl LogSink for NullSink {
    fn log(&self, _level: Level, _message: &str) {}
}

/// Keeps every message in memory, for tests and the harness.
#[derive(Debug, Default)]
pub struct MemorySink {
    lines: RefCell<Vec<(Level, String)>>,
}

impl MemorySink {
    /// An empty sink.
    pub fn new() -> Self {
        Self::default()
    }

    /// Everything logged so far.
    pub fn lines(&self) -> Vec<(Level, String)> {
        self.lines.borrow().clone()
    }

    /// Messages logged at `level`.
    pub fn at(&self, level: Level) -> Vec<String> {
        self.lines
            .borrow()
            .iter()
            .filter(|(l, _)| *l == level)
            .map(|(_, m)| m.clone())
            .collect()
    }
}

impl LogSink for MemorySink {
    fn log(&self, level: Level, message: &str) {
        self.lines.borrow_mut().push((level, message.to_owned()));
    }
}

impl<S: LogSink + ?Sized> LogSink for std::rc::Rc<S> {
    fn log(&self, level: Level, message: &str) {
        (**self).log(level, message)
    }

    fn begin_flush(&self) {
        (**self).begin_flush()
    }

    fn flush(&self) {
        (**self).flush()
    }
}

/// Routes the `log` crate's macros (`log::info!`, ... used by the charm
/// and the libraries it calls) to the current hook's sink while the
/// returned guard lives; outside a hook they go to stderr.
///
/// ```
/// use std::rc::Rc;
/// use charm_runtime::log::{route_log_facade, Level, MemorySink};
/// let sink = Rc::new(MemorySink::new());
/// {
///     let _route = route_log_facade(sink.clone());
///     log::warn!("disk almost full");
/// }
/// assert_eq!(sink.at(Level::Warning), ["disk almost full"]);
/// ```
pub fn route_log_facade(sink: std::rc::Rc<dyn LogSink>) -> LogRoute {
    static BRIDGE: Bridge = Bridge;
    // Only the first logger set wins; a charm that installed its own keeps it.
    if ::log::set_logger(&BRIDGE).is_ok() {
        ::log::set_max_level(::log::LevelFilter::Trace);
    }
    let previous = CURRENT.with(|c| c.replace(Some(sink)));
    LogRoute { previous }
}

/// Restores the previous route when dropped.
pub struct LogRoute {
    previous: Option<std::rc::Rc<dyn LogSink>>,
}

impl std::fmt::Debug for LogRoute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LogRoute")
    }
}

impl Drop for LogRoute {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|c| *c.borrow_mut() = previous);
    }
}

thread_local! {
    static CURRENT: RefCell<Option<std::rc::Rc<dyn LogSink>>> = const { RefCell::new(None) };
}

struct Bridge;

impl ::log::Log for Bridge {
    fn enabled(&self, _: &::log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &::log::Record<'_>) {
        let level = match record.level() {
            ::log::Level::Error => Level::Error,
            ::log::Level::Warn => Level::Warning,
            ::log::Level::Info => Level::Info,
            ::log::Level::Debug => Level::Debug,
            ::log::Level::Trace => Level::Trace,
        };
        let message = record.args().to_string();
        let routed = CURRENT.with(|c| match &*c.borrow() {
            Some(sink) => {
                sink.log(level, &message);
                true
            }
            None => false,
        });
        if !routed {
            eprintln!("{level} {message}");
        }
    }

    fn flush(&self) {}
}
