//! Fault injection at every handler position, for a charm's tests: run
//! an event through the [harness](crate::harness) once cleanly, then once
//! for each handler invocation of that run with an error, and once with a
//! panic, injected right after that invocation's body ran; each failed
//! run must leave the unit as it was (flags, unit state, relation data,
//! leadership settings, ports, version and status), and its retry must
//! end where the clean run ended. This is "a hook that fails changes
//! nothing" checked at every point a handler can fail
//! (`docs/failures.md`).
//!
//! ```no_run
//! use charm_runtime::handler_faults::check_events;
//! use charm_runtime::harness::{Event, State};
//!
//! let report = check_events(
//!     env!("CARGO_MANIFEST_DIR"),
//!     std::env::temp_dir().join("my-charm-faults"),
//!     State::new().with_leader(true),
//!     &[Event::install(), Event::config_changed(), Event::start()],
//! )
//! .unwrap();
//! assert!(report.failures_injected > 0);
//! ```
//!
//! Status shown at once while a hook runs ([`crate::HookContext::progress`])
//! is kept when the hook then fails, as Juju keeps a `status-set`; a run
//! that showed progress is not checked for its status.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde_json::Value;

use crate::backend::{Port, Status};
use crate::charm::{Charm, CharmError};
use crate::harness::{Context, Event, Inconsistent, Output, Relation, State};
use crate::reactive::{Failure, HandlerError, HandlerFn, Invocation, Registry};

/// How an injected failure fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Injected {
    /// The handler returns an error.
    Error,
    /// The handler panics.
    Panic,
}

/// The error an injected failure returns.
#[derive(Debug, thiserror::Error)]
#[error("failure injected after handler {handler} (invocation {position} of the hook)")]
pub struct InjectedFailure {
    /// The handler.
    pub handler: String,
    /// Its invocation's place in the hook, from 0.
    pub position: usize,
}

/// A charm failed the check: which event, where the failure was injected
/// and what went wrong.
#[derive(Debug, thiserror::Error)]
pub enum HandlerFaultError {
    /// The scratch directory the hooks run in cannot be made.
    #[error("cannot make the scratch directory {dir}: {source}")]
    Scratch {
        /// The directory.
        dir: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The charm cannot be loaded.
    #[error("cannot load the charm in {dir}: {source}")]
    Charm {
        /// The charm directory.
        dir: PathBuf,
        /// Why.
        source: CharmError,
    },
    /// The harness refused the event and state.
    #[error("event {event}: {source}")]
    Inconsistent {
        /// The event.
        event: String,
        /// Why.
        source: Inconsistent,
    },
    /// The run without injected failures failed.
    #[error("event {event} fails without an injected failure: {error}")]
    Reference {
        /// The event.
        event: String,
        /// The hook's error.
        error: String,
    },
    /// A run with an injected failure succeeded.
    #[error(
        "event {event}: the hook succeeded although {mode:?} was injected at invocation {position}"
    )]
    NotFailed {
        /// The event.
        event: String,
        /// The injected failure.
        mode: Injected,
        /// Where.
        position: usize,
    },
    /// A failed run changed the unit, or its retry did not converge.
    #[error("event {event}, {mode:?} injected after {handler} (invocation {position}): {what}")]
    Diverged {
        /// The event.
        event: String,
        /// The injected failure.
        mode: Injected,
        /// Where.
        position: usize,
        /// The handler.
        handler: String,
        /// What differs, and from what.
        what: String,
    },
}

/// What [`check_events`] ran.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HandlerFaultReport {
    /// Events checked.
    pub events: usize,
    /// Failed runs checked (each followed by a retry).
    pub failures_injected: usize,
}

type Bag = BTreeMap<String, String>;

/// What a hook leaves of a unit, for comparison.
#[derive(Debug, PartialEq)]
struct Persisted {
    flags: BTreeMap<String, Value>,
    kv: BTreeMap<String, Value>,
    leader_settings: BTreeMap<String, String>,
    ports: Vec<Port>,
    version: Option<String>,
    app_status: Option<Status>,
    unit_status: Option<Status>,
    /// Per relation id: this unit's and this application's databags.
    relations: BTreeMap<u32, (Bag, Bag)>,
}

/// `bag` with the values of `generated` keys replaced by a mark.
fn masked<V: Clone>(
    bag: &BTreeMap<String, V>,
    generated: &[&str],
    mark: &V,
) -> BTreeMap<String, V> {
    bag.iter()
        .map(|(k, v)| {
            let v = if generated.iter().any(|g| k.ends_with(g)) {
                mark.clone()
            } else {
                v.clone()
            };
            (k.clone(), v)
        })
        .collect()
}

impl Persisted {
    fn of(state: &State, with_status: bool, generated: &[&str]) -> Self {
        let mark = "<generated>".to_owned();
        Self {
            flags: state.flags.clone(),
            kv: masked(&state.kv, generated, &Value::String(mark.clone())),
            leader_settings: masked(&state.leader_settings, generated, &mark),
            ports: state.opened_ports.iter().cloned().collect(),
            version: state.workload_version.clone(),
            app_status: state.app_status.clone(),
            unit_status: state.unit_status.clone().filter(|_| with_status),
            relations: state
                .relations
                .iter()
                .map(|r| {
                    (
                        r.id,
                        (
                            masked(&r.local_unit_data, generated, &mark),
                            masked(&r.local_app_data, generated, &mark),
                        ),
                    )
                })
                .collect(),
        }
    }

    /// What differs from `expected`, field by field.
    fn differences(&self, expected: &Self) -> Option<String> {
        let mut out = Vec::new();
        let mut field = |name: &str, a: String, b: String| {
            if a != b {
                out.push(format!("{name} is {a} instead of {b}"));
            }
        };
        field(
            "flags",
            format!("{:?}", self.flags.keys()),
            format!("{:?}", expected.flags.keys()),
        );
        field(
            "unit state",
            format!("{:?}", self.kv),
            format!("{:?}", expected.kv),
        );
        field(
            "leadership settings",
            format!("{:?}", self.leader_settings),
            format!("{:?}", expected.leader_settings),
        );
        field(
            "ports",
            format!("{:?}", self.ports),
            format!("{:?}", expected.ports),
        );
        field(
            "version",
            format!("{:?}", self.version),
            format!("{:?}", expected.version),
        );
        field(
            "application status",
            format!("{:?}", self.app_status),
            format!("{:?}", expected.app_status),
        );
        field(
            "unit status",
            format!("{:?}", self.unit_status),
            format!("{:?}", expected.unit_status),
        );
        // Relations Juju removed (a broken hook's) are not the charm's doing.
        let common = |a: &Self, b: &Self| -> String {
            let both: Vec<_> = a
                .relations
                .iter()
                .filter(|(id, _)| b.relations.contains_key(id))
                .collect();
            format!("{both:?}")
        };
        field(
            "relation data",
            common(self, expected),
            common(expected, self),
        );
        (!out.is_empty()).then(|| out.join("; "))
    }
}

/// Where to inject: the invocation and how, or nothing.
#[derive(Default)]
struct Plan {
    target: Cell<Option<(usize, Injected)>>,
    seen: Cell<usize>,
}

/// The charm in `charm_dir` (its handlers linked into the test binary),
/// with a failure injected as `plan` says.
fn load(charm_dir: &Path, scratch: &Path, plan: &Rc<Plan>) -> Result<Context, HandlerFaultError> {
    let plan = plan.clone();
    let charm = Charm::load_with(charm_dir, move |metadata| {
        let mut registry = Registry::for_charm("", metadata)?;
        registry.wrap_handlers(|info, body| {
            let plan = plan.clone();
            let id = info.id.clone();
            let wrapped: HandlerFn = Rc::new(move |inv: &Invocation<'_>| {
                let result = body(inv);
                let position = plan.seen.get();
                plan.seen.set(position + 1);
                match plan.target.get() {
                    Some((at, Injected::Error)) if at == position => Err(HandlerError::Failed {
                        handler: id.clone(),
                        error: Failure::new(InjectedFailure {
                            handler: id.clone(),
                            position,
                        }),
                    }),
                    Some((at, Injected::Panic)) if at == position => std::panic::panic_any(
                        InjectedFailure {
                            handler: id.clone(),
                            position,
                        }
                        .to_string(),
                    ),
                    _ => result,
                }
            });
            wrapped
        });
        Ok(registry)
    })
    .map_err(|source| HandlerFaultError::Charm {
        dir: charm_dir.to_owned(),
        source,
    })?;
    Ok(Context::from_charm(charm).with_charm_dir(scratch))
}

/// The first hooks of a leader unit with one relation, in the order Juju
/// runs them: install, leader-elected, config-changed, start, then
/// `relation`'s created, joined and changed for its first remote unit (if
/// it has one), and update-status.
pub fn lifecycle_events(relation: &Relation) -> Vec<Event> {
    let mut events = vec![
        Event::install(),
        Event::leader_elected(),
        Event::config_changed(),
        Event::start(),
        Event::relation_created(relation),
    ];
    if let Some(remote) = relation.unit_names().first() {
        events.push(Event::relation_joined(relation, remote));
        events.push(Event::relation_changed(relation, remote));
    }
    events.push(Event::update_status());
    events
}

/// [`check_events_generating`] over [`lifecycle_events`] of `relation`
/// (which `state` holds), the hooks running in a scratch directory of
/// their own that is removed afterwards: what a charm's test of its first
/// hooks needs to say is its state, its relation and what it generates.
pub fn check_lifecycle(
    charm_dir: impl AsRef<Path>,
    state: State,
    relation: &Relation,
    generated: &[&str],
) -> Result<HandlerFaultReport, HandlerFaultError> {
    static SCRATCH: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = SCRATCH.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let scratch = std::env::temp_dir().join(format!("charm-faults-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&scratch).map_err(|source| HandlerFaultError::Scratch {
        dir: scratch.clone(),
        source,
    })?;
    let report = check_events_generating(
        charm_dir,
        &scratch,
        state,
        &lifecycle_events(relation),
        generated,
    );
    let _ = std::fs::remove_dir_all(&scratch);
    report
}

/// Run `events` in order from `state` (each from the state the previous
/// one left), checking each at every handler position with an error and
/// a panic injected (see the module documentation). The charm is the one
/// in `charm_dir`, with the handlers linked into the test binary; hooks
/// run with `scratch` as their charm directory (files they write go
/// there).
pub fn check_events(
    charm_dir: impl AsRef<Path>,
    scratch: impl AsRef<Path>,
    state: State,
    events: &[Event],
) -> Result<HandlerFaultReport, HandlerFaultError> {
    check_events_generating(charm_dir, scratch, state, events, &[])
}

/// [`check_events`] for a charm that generates values (passwords, ids):
/// a retry generates them anew, so the values of keys ending with one of
/// `generated` (in databags, leadership settings and unit state) are
/// compared for presence only.
pub fn check_events_generating(
    charm_dir: impl AsRef<Path>,
    scratch: impl AsRef<Path>,
    state: State,
    events: &[Event],
    generated: &[&str],
) -> Result<HandlerFaultReport, HandlerFaultError> {
    let (charm_dir, scratch) = (charm_dir.as_ref(), scratch.as_ref());
    let plan = Rc::new(Plan::default());
    let ctx = load(charm_dir, scratch, &plan)?;
    let run = |event: &Event, state: &State, target| -> Result<Output, HandlerFaultError> {
        plan.target.set(target);
        plan.seen.set(0);
        ctx.run(event.clone(), state)
            .map_err(|source| HandlerFaultError::Inconsistent {
                event: event.name(),
                source,
            })
    };
    let mut report = HandlerFaultReport::default();
    let mut state = state;
    for event in events {
        let name = event.name();
        let clean = run(event, &state, None)?;
        if let Some(e) = &clean.error {
            return Err(HandlerFaultError::Reference {
                event: name,
                error: e.to_string(),
            });
        }
        let expected = Persisted::of(&clean.state, true, generated);
        for (position, handler) in clean.invoked.iter().enumerate() {
            for mode in [Injected::Error, Injected::Panic] {
                let diverged = |what| HandlerFaultError::Diverged {
                    event: name.clone(),
                    mode,
                    position,
                    handler: handler.clone(),
                    what,
                };
                let failed = run(event, &state, Some((position, mode)))?;
                if failed.error.is_none() {
                    return Err(HandlerFaultError::NotFailed {
                        event: name,
                        mode,
                        position,
                    });
                }
                let with_status = failed.progress().is_empty();
                let before = Persisted::of(&state, with_status, generated);
                if let Some(what) =
                    Persisted::of(&failed.state, with_status, generated).differences(&before)
                {
                    return Err(diverged(format!(
                        "the failed hook changed the unit: {what}"
                    )));
                }
                let retry = run(event, &failed.state, None)?;
                if let Some(e) = &retry.error {
                    return Err(diverged(format!("the retry failed: {e}")));
                }
                if let Some(what) =
                    Persisted::of(&retry.state, true, generated).differences(&expected)
                {
                    return Err(diverged(format!("the retry did not converge: {what}")));
                }
                report.failures_injected += 1;
            }
        }
        report.events += 1;
        state = clean.state;
    }
    Ok(report)
}
