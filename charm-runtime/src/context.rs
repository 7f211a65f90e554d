//! The world of one hook: flags, unit data, the flag watch of the current
//! dispatch, deferred callbacks and the trace. Handlers reach it through
//! cheap handles ([`Ctx`], [`Flags`], [`Kv`]).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashSet};
use std::ops::Deref;
use std::rc::Rc;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::dispatch::{DispatchStats, Phase};
use crate::error::{HandlerError, StateError};
use crate::extract::IntoHandlerResult;
use crate::flags::{FlagId, FlagTable};
use crate::handler::callback_result;
use crate::log::{Level, LogSink};
use crate::python_json;
use crate::registry::Registry;
use crate::state::{DATA_CHANGED_PREFIX, FLAG_PREFIX, Snapshot};
use crate::trace::TraceEvent;
use crate::triggers::{Fired, Triggers};

/// Resolves `{role:interface}` hook patterns to relation names.
pub type RelationResolver = Rc<dyn Fn(&str, &str) -> Vec<String>>;

type Deferred = Box<dyn FnOnce(&HookContext) -> Result<(), HandlerError>>;

/// The changes of the flag watch (charms.reactive's `FlagWatch`).
#[derive(Debug, Default)]
pub(crate) struct FlagWatch {
    pub(crate) iteration: usize,
    /// Flags changed by the previous batch, sorted.
    pub(crate) changes: Vec<FlagId>,
    pub(crate) pending: Vec<FlagId>,
}

impl FlagWatch {
    pub(crate) fn commit(&mut self) {
        self.changes = std::mem::take(&mut self.pending);
        self.changes.sort_unstable();
        self.changes.dedup();
    }
}

pub(crate) struct HookState {
    pub(crate) flags: FlagTable,
    pub(crate) kv: Snapshot,
    pub(crate) watch: FlagWatch,
    pub(crate) phase: Phase,
    pub(crate) removed_state: bool,
    pub(crate) current_handler: Option<Rc<str>>,
    pub(crate) atexit: Vec<(String, Deferred)>,
    pub(crate) atexit_keys: HashSet<String>,
    pub(crate) errors: Vec<HandlerError>,
    pub(crate) trace: Vec<TraceEvent>,
    pub(crate) stats: DispatchStats,
}

/// The state of one hook invocation.
pub struct HookContext {
    hook: String,
    juju: Option<Rc<crate::juju::Juju>>,
    triggers: Rc<Triggers>,
    sink: Rc<dyn LogSink>,
    relations: Option<RelationResolver>,
    pub(crate) state: RefCell<HookState>,
}

impl std::fmt::Debug for HookContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HookContext")
            .field("hook", &self.hook)
            .field("flags", &self.flags().list())
            .finish_non_exhaustive()
    }
}

impl HookContext {
    /// A context for `hook` over the unit state `snapshot`; `juju` is the
    /// Juju side of the hook, absent when dispatching without Juju (tests,
    /// the conformance runner).
    pub fn new(
        registry: &Registry,
        snapshot: &Snapshot,
        hook: impl Into<String>,
        sink: Rc<dyn LogSink>,
        relations: Option<RelationResolver>,
        juju: Option<Rc<crate::juju::Juju>>,
    ) -> Self {
        let mut flags = FlagTable::new(registry.names.clone());
        let mut kv = Snapshot::new();
        for (key, value) in snapshot {
            match key.strip_prefix(FLAG_PREFIX) {
                Some(flag) => {
                    let id = flags.id(flag);
                    flags.set(id, Rc::from(value.as_str()));
                }
                None => {
                    kv.insert(key.clone(), value.clone());
                }
            }
        }
        HookContext {
            hook: hook.into(),
            juju,
            triggers: registry.triggers.clone(),
            sink,
            relations,
            state: RefCell::new(HookState {
                flags,
                kv,
                watch: FlagWatch::default(),
                phase: Phase::Hooks,
                removed_state: false,
                current_handler: None,
                atexit: Vec::new(),
                atexit_keys: HashSet::new(),
                errors: Vec::new(),
                trace: Vec::new(),
                stats: DispatchStats::default(),
            }),
        }
    }

    /// The hook being run (`install`, `db-relation-changed`, ...).
    pub fn hook_name(&self) -> &str {
        &self.hook
    }

    /// The Juju side of the hook, when running under Juju (or the harness).
    pub fn juju(&self) -> Option<&crate::juju::Juju> {
        self.juju.as_deref()
    }

    /// The Juju side of the hook, or an error naming `what` needed it.
    pub fn require_juju(
        &self,
        what: &str,
    ) -> Result<&crate::juju::Juju, crate::backend::ToolError> {
        self.juju()
            .ok_or_else(|| crate::backend::ToolError::Refused {
                tool: what.to_owned(),
                reason: "this hook runs without a Juju context".to_owned(),
            })
    }

    /// The charm's configuration (`config-get --all`, read once per hook).
    pub fn config_values(&self) -> Result<crate::config::Config, crate::backend::ToolError> {
        let values = self.require_juju("config-get")?.config_values()?;
        Ok(crate::config::Config::new((*values).clone()))
    }

    /// The charm's configuration as `T`, through serde: an error names
    /// the option and the expected type.
    ///
    /// ```
    /// #[derive(serde::Deserialize)]
    /// #[serde(rename_all = "kebab-case")]
    /// struct MyConfig {
    ///     port: u16,
    ///     vip: Option<String>,
    /// }
    ///
    /// fn configure(ctx: &charm_runtime::HookContext) -> Result<(), charm_runtime::Error> {
    ///     let config: MyConfig = ctx.config()?;
    ///     println!("listening on {} (vip {:?})", config.port, config.vip);
    ///     Ok(())
    /// }
    /// ```
    pub fn config<T: DeserializeOwned>(&self) -> Result<T, crate::Error> {
        Ok(self.config_values()?.typed()?)
    }

    /// The flag API.
    pub fn flags(&self) -> Flags<'_> {
        Flags(self)
    }

    /// The charm's key/value store in the unit state.
    pub fn kv(&self) -> Kv<'_> {
        Kv(self)
    }

    /// Log `message` at `level` through the hook's sink (`juju-log`).
    pub fn log(&self, level: Level, message: &str) {
        self.sink.log(level, message);
    }

    /// The dispatch phase now running.
    pub fn phase(&self) -> Phase {
        self.state.borrow().phase
    }

    /// Dispatch counters so far.
    pub fn stats(&self) -> DispatchStats {
        self.state.borrow().stats
    }

    /// What has happened in this hook so far.
    pub fn trace(&self) -> Vec<TraceEvent> {
        self.state.borrow().trace.clone()
    }

    pub(crate) fn relations(&self) -> &dyn Fn(&str, &str) -> Vec<String> {
        match &self.relations {
            Some(r) => r.as_ref(),
            None => &|_, _| Vec::new(),
        }
    }

    /// Whether `value` differs from what was last recorded under `key`, and
    /// record it (`data_changed`). The hash is the md5 of Python's
    /// `json.dumps(value, sort_keys=True)`, so Rust and Python agree.
    pub fn data_changed<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<bool, StateError> {
        self.check_data_changed(key, value, true)
    }

    /// Whether `value` differs from what was last recorded under `key`,
    /// without recording it (`is_data_changed`).
    pub fn is_data_changed<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
    ) -> Result<bool, StateError> {
        self.check_data_changed(key, value, false)
    }

    fn check_data_changed<T: Serialize + ?Sized>(
        &self,
        key: &str,
        value: &T,
        update: bool,
    ) -> Result<bool, StateError> {
        let full_key = format!("{DATA_CHANGED_PREFIX}{key}");
        let value = serde_json::to_value(value).map_err(|source| StateError::Encode {
            key: full_key.clone(),
            source,
        })?;
        let hash = format!("{:x}", md5::compute(python_json::dumps_sorted(&value)));
        let stored = python_json::dumps_str(&hash);
        let mut st = self.state.borrow_mut();
        let changed = st.kv.get(&full_key) != Some(&stored);
        if update && changed {
            st.kv.insert(full_key, stored);
        }
        Ok(changed)
    }

    /// Run `callback` after dispatch, if the hook gets that far
    /// (`hookenv.atexit`). Callbacks run in reverse order of addition.
    pub fn atexit<F, R>(&self, name: impl Into<String>, callback: F)
    where
        F: FnOnce(&HookContext) -> R + 'static,
        R: IntoHandlerResult,
    {
        let name = name.into();
        let what = format!("atexit {name}");
        self.state.borrow_mut().atexit.push((
            name,
            Box::new(move |ctx| callback_result(&what, callback(ctx))),
        ));
    }

    /// Like [`HookContext::atexit`], but only the first call with a given
    /// `key` in a hook schedules anything: the deferred `assess_status()`
    /// pattern, where many handlers ask and the work runs once at the end.
    pub fn atexit_once<F, R>(&self, key: &str, callback: F) -> bool
    where
        F: FnOnce(&HookContext) -> R + 'static,
        R: IntoHandlerResult,
    {
        if !self.state.borrow_mut().atexit_keys.insert(key.to_owned()) {
            return false;
        }
        self.atexit(key, callback);
        true
    }

    pub(crate) fn take_atexit(&self) -> Vec<(String, Deferred)> {
        std::mem::take(&mut self.state.borrow_mut().atexit)
    }

    /// The unit state as it now stands: unit data plus flags.
    pub(crate) fn snapshot(&self) -> Snapshot {
        let st = self.state.borrow();
        let mut out = st.kv.clone();
        for (name, value) in st.flags.iter_set() {
            out.insert(format!("{FLAG_PREFIX}{name}"), value.to_owned());
        }
        out
    }

    // ---- flags ----

    fn set_flag_text(&self, name: &str, value: Rc<str>) {
        let fired = {
            let mut st = self.state.borrow_mut();
            let id = st.flags.id(name);
            if !st.flags.set(id, value) {
                return;
            }
            st.watch.pending.push(id);
            let by = st.current_handler.clone();
            st.trace.push(TraceEvent::FlagSet {
                flag: name.to_owned(),
                by: by.map(|b| b.to_string()),
            });
            self.triggers.on_set(id)
        };
        self.sink.log(Level::Debug, &format!("set flag {name}"));
        if let Some(fired) = fired {
            self.fire(&fired);
        }
    }

    pub(crate) fn set_flag_id(&self, id: FlagId) {
        let name = self.state.borrow().flags.names.name(id).to_owned();
        self.set_flag_text(&name, Rc::from("null"));
    }

    fn clear_flag(&self, name: &str) {
        let fired = {
            let mut st = self.state.borrow_mut();
            // Any clear re-tests the current batch, even of an unset flag.
            st.removed_state = true;
            let Some(id) = st.flags.names.get(name) else {
                return;
            };
            if !st.flags.clear(id) {
                return;
            }
            st.watch.pending.push(id);
            let by = st.current_handler.clone();
            st.trace.push(TraceEvent::FlagCleared {
                flag: name.to_owned(),
                by: by.map(|b| b.to_string()),
            });
            self.triggers.on_clear(id)
        };
        self.sink.log(Level::Debug, &format!("cleared flag {name}"));
        if let Some(fired) = fired {
            self.fire(&fired);
        }
    }

    fn fire(&self, fired: &Fired) {
        for id in &fired.set {
            self.set_flag_id(*id);
        }
        for id in &fired.clear {
            let name = self.state.borrow().flags.names.name(*id).to_owned();
            self.clear_flag(&name);
        }
        for cb in &fired.callbacks {
            if let Err(e) = cb(self) {
                // Surfaced by the dispatcher once the running handler returns.
                self.state.borrow_mut().errors.push(e);
            }
        }
    }
}

/// A handle on the hook context: a handler argument giving access to
/// everything (`fn h(ctx: Ctx)`).
#[derive(Clone, Copy)]
pub struct Ctx<'a>(pub &'a HookContext);

impl<'a> Deref for Ctx<'a> {
    type Target = HookContext;
    fn deref(&self) -> &HookContext {
        self.0
    }
}

impl std::fmt::Debug for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

/// The flag API of charms.reactive: `set_flag`, `clear_flag`, ...
///
/// Changes take effect at once (triggers fire before the call returns) and
/// persist only if the hook succeeds.
#[derive(Clone, Copy)]
pub struct Flags<'a>(&'a HookContext);

impl std::fmt::Debug for Flags<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.list()).finish()
    }
}

impl<'a> Flags<'a> {
    /// Set `flag` (no value).
    pub fn set(&self, flag: &str) {
        self.0.set_flag_text(flag, Rc::from("null"));
    }

    /// Set `flag` with a value (`set_flag(flag, value)`). Setting an already
    /// set flag replaces its value without firing triggers.
    pub fn set_value<T: Serialize + ?Sized>(
        &self,
        flag: &str,
        value: &T,
    ) -> Result<(), StateError> {
        let value = serde_json::to_value(value).map_err(|source| StateError::Encode {
            key: format!("{FLAG_PREFIX}{flag}"),
            source,
        })?;
        self.0
            .set_flag_text(flag, Rc::from(python_json::dumps_sorted(&value)));
        Ok(())
    }

    /// Clear `flag`.
    pub fn clear(&self, flag: &str) {
        self.0.clear_flag(flag);
    }

    /// Set `flag` if `should_set`, else clear it.
    pub fn toggle(&self, flag: &str, should_set: bool) {
        if should_set {
            self.set(flag)
        } else {
            self.clear(flag)
        }
    }

    /// Whether `flag` is set.
    pub fn is_set(&self, flag: &str) -> bool {
        self.0.state.borrow().flags.is_set_name(flag)
    }

    /// Whether every one of `flags` is set.
    pub fn all_set(&self, flags: &[&str]) -> bool {
        let st = self.0.state.borrow();
        flags.iter().all(|f| st.flags.is_set_name(f))
    }

    /// Whether at least one of `flags` is set.
    pub fn any_set(&self, flags: &[&str]) -> bool {
        let st = self.0.state.borrow();
        flags.iter().any(|f| st.flags.is_set_name(f))
    }

    /// Every set flag, sorted (`get_flags`).
    pub fn list(&self) -> Vec<String> {
        self.0.state.borrow().flags.sorted()
    }

    /// Those of `flags` that are unset, sorted and without duplicates
    /// (`get_unset_flags`).
    pub fn unset_of(&self, flags: &[&str]) -> Vec<String> {
        let st = self.0.state.borrow();
        let mut out: Vec<String> = flags
            .iter()
            .filter(|f| !st.flags.is_set_name(f))
            .map(|f| (*f).to_owned())
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The value `flag` was set with, if it is set with one that decodes as
    /// `T`. `Ok(None)` when the flag is unset.
    pub fn value<T: DeserializeOwned>(&self, flag: &str) -> Result<Option<T>, StateError> {
        let st = self.0.state.borrow();
        let Some(text) = st.flags.value(flag) else {
            return Ok(None);
        };
        decode(&format!("{FLAG_PREFIX}{flag}"), text).map(Some)
    }
}

fn decode<T: DeserializeOwned>(key: &str, text: &str) -> Result<T, StateError> {
    serde_json::from_str(text).map_err(|source| StateError::Decode {
        key: key.to_owned(),
        text: text.chars().take(200).collect(),
        source,
    })
}

fn check_key(key: &str) -> Result<(), StateError> {
    if key.starts_with(FLAG_PREFIX) {
        return Err(StateError::ReservedKey {
            key: key.to_owned(),
        });
    }
    Ok(())
}

/// The charm's key/value data in the unit state (charmhelpers'
/// `unitdata.kv()`): values are JSON, writes persist only if the hook
/// succeeds. Keys under `reactive.states.` belong to the flag API.
#[derive(Clone, Copy)]
pub struct Kv<'a>(&'a HookContext);

impl std::fmt::Debug for Kv<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.0.state.borrow().kv.iter())
            .finish()
    }
}

impl<'a> Kv<'a> {
    /// The value under `key`, decoded as `T`; `Ok(None)` when absent.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, StateError> {
        let st = self.0.state.borrow();
        match st.kv.get(key) {
            None => Ok(None),
            Some(text) => decode(key, text).map(Some),
        }
    }

    /// Store `value` under `key`.
    pub fn set<T: Serialize + ?Sized>(&self, key: &str, value: &T) -> Result<(), StateError> {
        check_key(key)?;
        let value = serde_json::to_value(value).map_err(|source| StateError::Encode {
            key: key.to_owned(),
            source,
        })?;
        self.0
            .state
            .borrow_mut()
            .kv
            .insert(key.to_owned(), python_json::dumps_sorted(&value));
        Ok(())
    }

    /// Remove `key`.
    pub fn unset(&self, key: &str) -> Result<(), StateError> {
        check_key(key)?;
        self.0.state.borrow_mut().kv.remove(key);
        Ok(())
    }

    /// Every key starting with `prefix` (exactly, unlike the SQL `LIKE` of
    /// charmhelpers), with the prefix stripped if `strip`.
    pub fn getrange(
        &self,
        prefix: &str,
        strip: bool,
    ) -> Result<BTreeMap<String, Value>, StateError> {
        let st = self.0.state.borrow();
        let mut out = BTreeMap::new();
        for (key, text) in st.kv.range(prefix.to_owned()..) {
            let Some(rest) = key.strip_prefix(prefix) else {
                break;
            };
            let name = if strip { rest } else { key.as_str() };
            out.insert(name.to_owned(), decode(key, text)?);
        }
        Ok(out)
    }

    /// Remove every key starting with `prefix`.
    pub fn unsetrange(&self, prefix: &str) -> Result<(), StateError> {
        check_key(prefix)?;
        if FLAG_PREFIX.starts_with(prefix) {
            return Err(StateError::ReservedKey {
                key: prefix.to_owned(),
            });
        }
        self.0
            .state
            .borrow_mut()
            .kv
            .retain(|k, _| !k.starts_with(prefix));
        Ok(())
    }
}
