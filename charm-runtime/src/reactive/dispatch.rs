//! The reactive bus: charms.reactive 1.5.3 `bus.dispatch`.
//!
//! 1. Hook phase: every handler whose predicates pass is invoked in order.
//! 2. "Other" phase, iterations 0..100: in iteration 0 every handler is
//!    tested; later only handlers that watch a flag changed by the previous
//!    iteration's invocations (plus handlers without flag conditions).
//! 3. Flags set during an iteration do not add handlers to it; any clear
//!    re-tests the rest of the current batch.
//! 4. Dispatch ends on an iteration with nothing to invoke, or after
//!    iteration 99 (logged with the handlers that kept re-running).
//!
//! Handlers are indexed by the flags they watch, so the cost of an
//! iteration grows with the handlers whose flags changed, not with all.
//!
//! Actions are dispatched apart, by [`dispatch_action`]: only the handlers
//! of the action run.

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::reactive::context::HookContext;
use crate::reactive::error::HandlerError;
use crate::reactive::flags::FlagId;
use crate::reactive::handler::Invocation;
use crate::reactive::log::Level;
use crate::reactive::phase::Phase;
use crate::reactive::python_json;
use crate::reactive::registry::{Compiled, Registry};
use crate::reactive::state::{FILES_CHANGED_PREFIX, INVOKED_PREFIX};

/// The DEBUG line logged when a handler returns, before its id.
const FINISHED: &str = "Finished reactive handler: ";
use crate::reactive::trace::TraceEvent;

/// The iteration cap of the "other" phase.
pub const MAX_ITERATIONS: usize = 100;

/// Counters of one dispatch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DispatchStats {
    /// Iterations of the "other" phase that ran (0 to 100).
    pub iterations: usize,
    /// Handler predicate tests, over all phases and re-tests.
    pub tested: usize,
}

/// Run the handlers of `registry` for the hook of `ctx`. The counters are
/// returned whether dispatch succeeded or not.
pub fn dispatch(
    registry: &Registry,
    ctx: &HookContext,
) -> (DispatchStats, Result<(), HandlerError>) {
    let mut bus = Bus::new(registry, ctx, Phase::Hooks);
    let result = bus.run();
    (bus.stats, result)
}

/// Run the handlers of the action `action` (`#[action("...")]`), in
/// registration order, each once; no other handler is tested.
///
/// charms.reactive 1.5.3 has no action decorator: a reactive charm's
/// action is a script of its own under `actions/`, which calls the flag API
/// and `action-get`/`action-set`/`action-fail` itself, without the reactive
/// bus (no `@hook` or `@when` handler runs, no `atstart`/`atexit`, no
/// automatic flags); the flags it sets are acted upon by the handlers of
/// the next hook. This is that, with the script split into handlers.
pub fn dispatch_action(
    registry: &Registry,
    ctx: &HookContext,
    action: &str,
) -> (DispatchStats, Result<(), HandlerError>) {
    let mut bus = Bus::new(registry, ctx, Phase::Action);
    let result = bus.run_action(action);
    (bus.stats, result)
}

/// The changes of the flag watch (charms.reactive's `FlagWatch`).
#[derive(Debug, Default)]
struct FlagWatch {
    iteration: usize,
    /// Flags changed by the previous batch, sorted.
    changes: Vec<FlagId>,
    /// Flags changed by the batch running now.
    pending: Vec<FlagId>,
}

impl FlagWatch {
    fn commit(&mut self) {
        self.changes = std::mem::take(&mut self.pending);
        self.changes.sort_unstable();
        self.changes.dedup();
    }
}

/// The dispatcher's working state: its phase, the flag watch, whether the
/// running batch must be re-tested, the counters.
struct Bus<'r> {
    registry: &'r Registry,
    ctx: &'r HookContext,
    phase: Phase,
    watch: FlagWatch,
    /// Set when a handler of the running batch asked for any clear.
    removed: bool,
    stats: DispatchStats,
    /// Scratch marks for collecting eligible handlers.
    seen: Vec<bool>,
}

impl<'r> Bus<'r> {
    fn new(registry: &'r Registry, ctx: &'r HookContext, phase: Phase) -> Self {
        // Flag changes made before dispatch (the automatic flags, atstart
        // callbacks) do not count as changes of a batch.
        ctx.drain_journal(&mut Vec::new());
        Self {
            registry,
            ctx,
            phase,
            watch: FlagWatch::default(),
            removed: false,
            stats: DispatchStats::default(),
            seen: vec![false; registry.handlers.len()],
        }
    }

    fn run_action(&mut self, action: &str) -> Result<(), HandlerError> {
        let registry = self.registry;
        for &h in &registry.actions {
            let handler = &registry.handlers[h as usize];
            if handler.action.as_deref() == Some(action) {
                self.stats.tested += 1;
                self.invoke_one(handler)?;
            }
        }
        Ok(())
    }

    fn run(&mut self) -> Result<(), HandlerError> {
        let restricted = charm_names::hook::is_restricted(self.ctx.hook_name());
        if restricted {
            self.phase = Phase::Restricted;
        }
        let all: Vec<u32> = (0..self.registry.handlers.len() as u32).collect();
        let batch = self.test(&all)?;
        self.invoke(batch)?;
        if restricted {
            return Ok(());
        }
        self.phase = Phase::Other;
        let mut last = Vec::new();
        for i in 0..MAX_ITERATIONS {
            self.watch.iteration = i;
            self.stats.iterations = i + 1;
            let batch = if i == 0 {
                self.test(&all)?
            } else {
                let eligible = self.eligible();
                self.test(&eligible)?
            };
            if batch.is_empty() {
                return Ok(());
            }
            last.clone_from(&batch);
            self.invoke(batch)?;
        }
        let handlers: Vec<String> = last
            .iter()
            .map(|&h| self.registry.handlers[h as usize].info.id.clone())
            .collect();
        self.ctx.log(
            Level::Warning,
            &format!(
                "reactive dispatch stopped after {MAX_ITERATIONS} iterations; still re-running: {}",
                handlers.join(", ")
            ),
        );
        self.ctx.push_trace(TraceEvent::IterationCap { handlers });
        Ok(())
    }

    /// Handlers watching a flag changed by the previous batch, plus those
    /// without flag conditions, in registration order.
    fn eligible(&mut self) -> Vec<u32> {
        let mut out: Vec<u32> = self.registry.unwatched.clone();
        for &h in &out {
            self.seen[h as usize] = true;
        }
        for flag in &self.watch.changes {
            if let Some(ws) = self.registry.watchers.get(flag.index()) {
                for &h in ws {
                    if !std::mem::replace(&mut self.seen[h as usize], true) {
                        out.push(h);
                    }
                }
            }
        }
        for &h in &out {
            self.seen[h as usize] = false;
        }
        out.sort_unstable();
        out
    }

    fn test(&mut self, candidates: &[u32]) -> Result<Vec<u32>, HandlerError> {
        self.stats.tested += candidates.len();
        let mut out = Vec::new();
        for &h in candidates {
            if self.passes(&self.registry.handlers[h as usize])? {
                out.push(h);
            }
        }
        Ok(out)
    }

    /// The handler's predicates, cheap and side-effect free first; the file
    /// check, which records new hashes, last.
    fn passes(&self, h: &Compiled) -> Result<bool, HandlerError> {
        {
            let data = self.ctx.data();
            if h.action.is_some() {
                // Run by `dispatch_action` only.
                return Ok(false);
            }
            if h.has_flags() {
                if self.phase != Phase::Other {
                    return Ok(false);
                }
                let f = &data.flags;
                let held = h.when_all.iter().all(|&x| f.is_set(x))
                    && h.when_any.iter().all(|g| g.iter().any(|&x| f.is_set(x)))
                    && !h.when_none.iter().any(|&x| f.is_set(x))
                    && h.when_not_all
                        .iter()
                        .all(|g| g.iter().any(|&x| !f.is_set(x)));
                if !held {
                    return Ok(false);
                }
            }
            if let Some(m) = &h.hook
                && (self.phase != Phase::Hooks
                    || !m.matches(self.ctx.hook_name(), self.ctx.relations()))
            {
                return Ok(false);
            }
            if let Some(r) = &h.restricted_hook
                && (self.phase != Phase::Restricted || r != self.ctx.hook_name())
            {
                return Ok(false);
            }
            if h.only_once && data.kv.contains_key(&invoked_key(&h.info.id)) {
                return Ok(false);
            }
        }
        if !h.files.is_empty() {
            return self.any_file_changed(h);
        }
        Ok(true)
    }

    /// charms.reactive's `any_file_changed`: md5 of each file's content
    /// (null when missing) against the recorded one; every hash is updated.
    fn any_file_changed(&self, h: &Compiled) -> Result<bool, HandlerError> {
        let mut changed = false;
        for path in &h.files {
            let new = match std::fs::read(path) {
                Ok(bytes) => python_json::dumps_str(&format!("{:x}", md5::compute(bytes))),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => "null".to_owned(),
                Err(e) => {
                    return Err(HandlerError::Callback {
                        what: format!("when_file_changed check of {path} for {}", h.info.id),
                        error: crate::reactive::error::Failure::new(e),
                    });
                }
            };
            let key = format!("{FILES_CHANGED_PREFIX}{path}");
            let mut data = self.ctx.data_mut();
            let old = data.kv.get(&key).map(String::as_str).unwrap_or("null");
            if old != new {
                data.kv.insert(key, new);
                changed = true;
            }
        }
        Ok(changed)
    }

    fn invoke(&mut self, mut batch: Vec<u32>) -> Result<(), HandlerError> {
        let registry = self.registry;
        while !batch.is_empty() {
            self.removed = false;
            let mut next = 0;
            let mut retest = false;
            while next < batch.len() {
                let h = batch[next];
                next += 1;
                self.invoke_one(&registry.handlers[h as usize])?;
                if self.removed {
                    retest = true;
                    break;
                }
            }
            batch = if retest {
                self.test(&batch[next..])?
            } else {
                Vec::new()
            };
        }
        self.watch.commit();
        Ok(())
    }

    fn invoke_one(&mut self, h: &Compiled) -> Result<(), HandlerError> {
        let id = &h.info.id;
        let reason = self.reason(h);
        self.ctx.push_trace(TraceEvent::Invoked {
            handler: id.clone(),
            phase: self.phase,
            iteration: self.watch.iteration,
            reason: reason.clone(),
        });
        self.ctx.set_running(Some(h.rc_id.clone()));
        self.ctx.log(
            Level::Info,
            &format!("Invoking reactive handler: {id} ({reason})"),
        );
        if !h.not_unless.is_empty() {
            let flags = self.ctx.flags();
            let missing: Vec<&str> = h
                .not_unless
                .iter()
                .map(String::as_str)
                .filter(|f| !flags.is_set(f))
                .collect();
            if !missing.is_empty() {
                self.ctx.log(
                    Level::Warning,
                    &format!(
                        "{id} called before flag{}: {}",
                        if missing.len() > 1 { "s" } else { "" },
                        missing.join(", ")
                    ),
                );
            }
        }
        let inv = Invocation {
            ctx: self.ctx,
            handler: &h.info,
        };
        let result = catch_unwind(AssertUnwindSafe(|| (h.func)(&inv))).unwrap_or_else(|payload| {
            Err(HandlerError::Panicked {
                handler: id.clone(),
                message: panic_message(payload.as_ref()),
            })
        });
        self.ctx.set_running(None);
        // With the `set flag` lines (DEBUG too), tells which flag changes
        // were the handler's and which the runtime's own after it
        // (`cargo charm graph --scenario` reads both).
        self.ctx.log(Level::Debug, &format!("{FINISHED}{id}"));
        self.removed |= self.ctx.drain_journal(&mut self.watch.pending);
        result?;
        if let Some(e) = self.ctx.take_errors().into_iter().next() {
            return Err(e);
        }
        if h.only_once {
            self.ctx
                .data_mut()
                .kv
                .insert(invoked_key(id), "true".to_owned());
        }
        Ok(())
    }

    /// Why `h` is about to run, for the trace.
    fn reason(&self, h: &Compiled) -> String {
        let data = self.ctx.data();
        let names = &data.flags.names;
        let list = |ids: &[FlagId]| {
            ids.iter()
                .map(|&f| names.name(f))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut parts: Vec<String> = Vec::new();
        if let Some(a) = &h.action {
            parts.push(format!("action {a}"));
        }
        if h.hook.is_some() {
            parts.push(format!("hook {} matched", self.ctx.hook_name()));
        }
        if let Some(r) = &h.restricted_hook {
            parts.push(format!("restricted hook {r}"));
        }
        if !h.when_all.is_empty() {
            parts.push(format!("when_all({}) held", list(&h.when_all)));
        }
        for g in &h.when_any {
            let set: Vec<FlagId> = g
                .iter()
                .copied()
                .filter(|&f| data.flags.is_set(f))
                .collect();
            parts.push(format!("when_any: {} set", list(&set)));
        }
        if !h.when_none.is_empty() {
            parts.push(format!("when_none({}) held", list(&h.when_none)));
        }
        for g in &h.when_not_all {
            let unset: Vec<FlagId> = g
                .iter()
                .copied()
                .filter(|&f| !data.flags.is_set(f))
                .collect();
            parts.push(format!("when_not_all: {} unset", list(&unset)));
        }
        if h.only_once {
            parts.push("only_once: first run".to_owned());
        }
        if !h.files.is_empty() {
            parts.push(format!("file changed among {}", h.files.join(", ")));
        }
        if self.phase == Phase::Other && self.watch.iteration > 0 {
            let changed: Vec<FlagId> = h
                .watched
                .iter()
                .copied()
                .filter(|f| self.watch.changes.binary_search(f).is_ok())
                .collect();
            parts.push(format!("watched flags changed: {}", list(&changed)));
        }
        parts.join("; ")
    }
}

fn invoked_key(id: &str) -> String {
    format!("{INVOKED_PREFIX}{id}")
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "non-string panic payload".to_owned()
    }
}
