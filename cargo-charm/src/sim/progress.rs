//! Progress while a scenario's hooks run: with `--verbose` one line per
//! hook (unit, hook, the handlers it invoked and why, the flags it
//! changed), otherwise a spinner naming the hook running.

use std::fmt::Write as _;

use indicatif::{ProgressBar, ProgressStyle};

/// The log prefix of charm-runtime's dispatch (charms.reactive's own).
const INVOKING: &str = "Invoking reactive handler: ";

/// What one hook did, read from its log lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HookSummary {
    /// Handlers invoked, in order, each with why (`when app.installed`),
    /// empty when the log gives no reason.
    pub handlers: Vec<(String, String)>,
    /// Flags the hook set (net of those it cleared again).
    pub set: Vec<String>,
    /// Flags the hook cleared (net of those it set again).
    pub cleared: Vec<String>,
}

impl HookSummary {
    /// Read the hook's log messages (`juju-log` calls; a message may hold
    /// several lines). Handlers come from `Invoking reactive handler: ID
    /// (REASON)`, flag changes from the `set flag F` / `cleared flag F`
    /// lines charm-runtime logs at debug level (`CHARM_LOG_LEVEL=debug`).
    pub fn from_log<'a>(messages: impl IntoIterator<Item = &'a str>) -> Self {
        let mut summary = HookSummary::default();
        // Each flag's last change, in the order first changed.
        let mut changes: Vec<(String, bool)> = Vec::new();
        let mut change = |flag: &str, set: bool| match changes.iter_mut().find(|(f, _)| f == flag) {
            Some(c) => c.1 = set,
            None => changes.push((flag.to_owned(), set)),
        };
        for line in messages.into_iter().flat_map(str::lines) {
            let line = line.trim();
            if let Some(rest) = line.strip_prefix(INVOKING) {
                let (id, reason) = match rest.split_once(" (") {
                    Some((id, reason)) if reason.ends_with(')') => {
                        (id, &reason[..reason.len() - 1])
                    }
                    _ => (rest, ""),
                };
                summary.handlers.push((id.to_owned(), reason.to_owned()));
            } else if let Some(flag) = line.strip_prefix("set flag ") {
                change(flag, true);
            } else if let Some(flag) = line.strip_prefix("cleared flag ") {
                change(flag, false);
            }
        }
        for (flag, set) in changes {
            if set {
                summary.set.push(flag);
            } else {
                summary.cleared.push(flag);
            }
        }
        summary
    }
}

/// The `--verbose` line of one hook: `#SEQ UNIT HOOK`, `FAILED` if it
/// failed, the handlers it invoked (`: id (why), ...`) and the flags it
/// changed (`| flags +set -cleared`). A failed hook changed no flag (its
/// unit state is not written), so none is listed.
pub fn hook_line(
    seq: u64,
    unit: &str,
    hook: &str,
    code: Option<i32>,
    summary: &HookSummary,
) -> String {
    let mut line = format!("#{seq:<3} {unit} {hook}");
    match code {
        Some(0) => {}
        Some(c) => {
            let _ = write!(line, " FAILED (exit {c})");
        }
        None => line.push_str(" FAILED (killed)"),
    }
    if !summary.handlers.is_empty() {
        let handlers: Vec<String> = summary
            .handlers
            .iter()
            .map(|(id, why)| {
                if why.is_empty() {
                    id.clone()
                } else {
                    format!("{id} ({why})")
                }
            })
            .collect();
        let _ = write!(line, ": {}", handlers.join(", "));
    }
    if code == Some(0) && !(summary.set.is_empty() && summary.cleared.is_empty()) {
        let flags: Vec<String> = summary
            .set
            .iter()
            .map(|f| format!("+{f}"))
            .chain(summary.cleared.iter().map(|f| format!("-{f}")))
            .collect();
        let _ = write!(line, " | flags {}", flags.join(" "));
    }
    line
}

/// How hooks are reported while they run, on standard error (standard
/// output is kept for the status table or the JSON).
#[derive(Debug)]
pub enum Progress {
    /// One line per hook.
    Verbose,
    /// A spinner; drawn only when standard error is a terminal.
    Spinner(ProgressBar),
}

impl Progress {
    /// One line per hook if `verbose`, otherwise a spinner.
    pub fn new(verbose: bool) -> Self {
        if verbose {
            return Progress::Verbose;
        }
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix}  {pos} hooks  {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(100));
        Progress::Spinner(bar)
    }

    /// Report a hook that ran.
    pub fn hook(
        &mut self,
        seq: u64,
        unit: &str,
        hook: &str,
        code: Option<i32>,
        summary: &HookSummary,
    ) {
        match self {
            Progress::Verbose => eprintln!("{}", hook_line(seq, unit, hook, code, summary)),
            Progress::Spinner(bar) => {
                bar.inc(1);
                bar.set_message(format!("{unit} {hook}"));
            }
        }
    }

    /// A step of the scenario begins: its line in the file and what it
    /// does.
    pub fn step(&self, line: u64, what: &str) {
        match self {
            Progress::Verbose => eprintln!("-- line {line}: {what}"),
            Progress::Spinner(bar) => bar.set_prefix(what.to_owned()),
        }
    }

    /// Say something between hooks (building, ...), above the spinner.
    pub fn note(&self, text: &str) {
        match self {
            Progress::Verbose => eprintln!("{text}"),
            Progress::Spinner(bar) => bar.println(text),
        }
    }

    /// Remove the spinner.
    pub fn finish(&self) {
        if let Progress::Spinner(bar) = self {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handlers_and_their_reasons_come_from_the_dispatch_log() {
        let s = HookSummary::from_log([
            "Invoking reactive handler: webapp::install (hook install)\n\
             Invoking reactive handler: webapp::status (when webapp.installed)",
            "listening",
            "Invoking reactive handler: webapp::odd",
        ]);
        assert_eq!(
            s.handlers,
            [
                ("webapp::install".into(), "hook install".into()),
                ("webapp::status".into(), "when webapp.installed".into()),
                ("webapp::odd".into(), String::new()),
            ]
        );
    }

    #[test]
    fn flags_are_the_net_change_of_the_hook() {
        let s = HookSummary::from_log([
            "set flag a",
            "set flag b\ncleared flag c",
            "cleared flag b",
            "set flag c",
            "cleared flag d",
        ]);
        assert_eq!(s.set, ["a", "c"]);
        assert_eq!(s.cleared, ["b", "d"]);
    }

    #[test]
    fn the_verbose_line_names_unit_hook_handlers_and_flags() {
        let s = HookSummary::from_log([
            "Invoking reactive handler: w::install (hook install)",
            "set flag w.installed",
        ]);
        assert_eq!(
            hook_line(0, "w/0", "install", Some(0), &s),
            "#0   w/0 install: w::install (hook install) | flags +w.installed"
        );
        assert_eq!(
            hook_line(12, "w/1", "start", Some(1), &s),
            "#12  w/1 start FAILED (exit 1): w::install (hook install)"
        );
        assert_eq!(
            hook_line(3, "w/1", "stop", Some(0), &HookSummary::default()),
            "#3   w/1 stop"
        );
    }
}
