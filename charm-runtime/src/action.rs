//! Juju actions: `#[action("backup")]` handlers, their parameters
//! ([`ActionParams`]) and results ([`HookContext::action_set`],
//! [`HookContext::action_log`], [`HookContext::action_fail`]).
//!
//! # How an action runs
//!
//! charms.reactive 1.5.3 has no action decorator (its `dispatch` docstring
//! mentions `@action` handlers, but no such decorator exists): a reactive
//! charm's action is a script of its own under `actions/` that calls the
//! flag API and `action-get`/`action-set`/`action-fail` itself, outside the
//! reactive bus. No `@hook` or `@when` handler runs during an action, no
//! `atstart`/`atexit` callback, and the automatic flags (endpoints, config,
//! leadership) are not refreshed; the flags the script sets are acted upon
//! by the handlers of the next hook. This runtime does the same, with the
//! script split into handlers:
//!
//! - when Juju runs action `backup` ([`crate::env::Invoked::Action`]), the
//!   handlers registered with `#[action("backup")]` run, in registration
//!   order, each once; nothing else runs: no hook or flag handler, no
//!   iteration, no registered `atstart`/`atexit` callback and no automatic
//!   flags. Callbacks a handler defers with [`HookContext::atexit`] do not
//!   run either (as in restricted hooks): a warning names them. Triggers
//!   do fire;
//! - in hooks, action handlers never run;
//! - when every handler succeeds, the flag changes and unit data written
//!   persist (the charm's next hook acts on them), the Juju writes (relation
//!   data, status, ...) are sent, then the results set with
//!   [`HookContext::action_set`], then the failure marked with
//!   [`HookContext::action_fail`], if any: a *soft* failure, as
//!   charmhelpers' `action_fail`, after which the process exits 0 and Juju
//!   reports the action failed with that message;
//! - when a handler fails (returns `Err`, panics, or an argument cannot be
//!   extracted), nothing of the action is committed or sent, its results
//!   included; `action-fail` is called with the error message and the
//!   process exits 1;
//! - Juju running an action no handler serves is a failure of the same kind
//!   ([`crate::HookError::NoActionHandler`]).
//!
//! ```
//! use charm_macros::action;
//! use charm_runtime::action::ActionParams;
//! use charm_runtime::{Ctx, Error};
//!
//! #[derive(serde::Deserialize)]
//! struct BackupParams {
//!     target: String,
//!     #[serde(default)]
//!     compress: bool,
//! }
//!
//! /// `juju run app/0 backup target=/srv/backup`
//! #[action("backup")]
//! fn backup(ctx: Ctx, params: ActionParams) -> Result<(), Error> {
//!     let params: BackupParams = params.typed()?;
//!     ctx.action_log(&format!("backing up to {}", params.target))?;
//!     ctx.action_set("backup.path", format!("{}/backup.tar", params.target))?;
//!     ctx.action_set("backup.compressed", params.compress)?;
//!     ctx.flags().set("app.backed-up");
//!     Ok(())
//! }
//! # fn main() {}
//! ```

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::backend::ToolError;
use crate::reactive::HookContext;

use crate::error::Error;
use crate::juju::Juju;
use crate::reactive::ExtractError;
use crate::reactive::{Extract, Invocation};
use std::rc::Rc;

/// Why `name` cannot be a Juju action name: Juju accepts lowercase
/// letters, digits and hyphens, starting with a letter and not ending with
/// a hyphen, and reserves the `juju-` prefix. The rule lives in
/// `charm-names`, shared with the `#[action]` macro.
///
/// ```
/// use charm_runtime::action::check_action_name;
/// assert!(check_action_name("backup-v2").is_ok());
/// assert!(check_action_name("Backup").is_err());
/// assert!(check_action_name("juju-run").is_err());
/// ```
pub use charm_names::check_action_name;

/// Keys `action-set` refuses at the top level: Juju reports the output of
/// the action's process under them.
pub const RESERVED_RESULT_KEYS: [&str; 4] =
    ["stdout", "stdout-encoding", "stderr", "stderr-encoding"];

/// Why `key` cannot be an `action-set` key: dot-separated parts of
/// lowercase letters, digits and hyphens, each starting and ending with a
/// letter or digit; not one of [`RESERVED_RESULT_KEYS`].
///
/// ```
/// use charm_runtime::action::check_result_key;
/// assert!(check_result_key("backup.size-mb").is_ok());
/// assert!(check_result_key("Size").is_err());
/// assert!(check_result_key("stdout").is_err());
/// ```
pub fn check_result_key(key: &str) -> Result<(), String> {
    if key.is_empty() {
        return Err("empty result key".to_owned());
    }
    for part in key.split('.') {
        let ok = !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !part.starts_with('-')
            && !part.ends_with('-');
        if !ok {
            return Err(format!(
                "result key {key:?}: each dot-separated part has lowercase letters, digits and \
                 hyphens, and starts and ends with a letter or digit"
            ));
        }
    }
    if RESERVED_RESULT_KEYS.contains(&key) {
        return Err(format!(
            "result key {key:?} is reserved by Juju for the action's output"
        ));
    }
    Ok(())
}

/// An action parameter that cannot be read as the requested type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamError {
    /// One parameter does not deserialize.
    #[error("action parameter {param:?}: {message}")]
    Param {
        /// The parameter (with a path inside it for nested values:
        /// `targets[1]`).
        param: String,
        /// What serde said, naming the expected type.
        message: String,
    },
    /// The parameters as a whole do not fit the requested type.
    #[error("action parameters: {message}")]
    Whole {
        /// What serde said.
        message: String,
    },
}

impl From<ParamError> for Error {
    fn from(e: ParamError) -> Self {
        Error::Other(e.to_string())
    }
}

/// The parameters of the action being run (`action-get`), a handler
/// argument: typed through serde as the config is.
///
/// ```
/// use charm_runtime::action::ActionParams;
///
/// #[derive(Debug, serde::Deserialize)]
/// #[serde(rename_all = "kebab-case")]
/// struct Snapshot {
///     volume: String,
///     keep_days: Option<u32>,
/// }
///
/// let params = ActionParams::new(serde_json::json!({"volume": "data", "keep-days": 7})
///     .as_object().unwrap().clone());
/// let p: Snapshot = params.typed().unwrap();
/// assert_eq!((p.volume.as_str(), p.keep_days), ("data", Some(7)));
///
/// let bad = ActionParams::new(serde_json::json!({"volume": 3}).as_object().unwrap().clone());
/// assert_eq!(
///     bad.typed::<Snapshot>().unwrap_err().to_string(),
///     r#"action parameter "volume": invalid type: integer `3`, expected a string"#
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ActionParams {
    values: Map<String, Value>,
}

impl ActionParams {
    /// Parameters with `values`, as `action-get` returns them.
    pub fn new(values: Map<String, Value>) -> Self {
        Self { values }
    }

    /// Every parameter.
    pub fn values(&self) -> &Map<String, Value> {
        &self.values
    }

    /// The raw value of `param`; `None` when absent or `null`.
    pub fn value(&self, param: &str) -> Option<&Value> {
        self.values.get(param).filter(|v| !v.is_null())
    }

    /// `param` as a `T`; `Ok(None)` when absent or `null`.
    pub fn get<T: DeserializeOwned>(&self, param: &str) -> Result<Option<T>, ParamError> {
        crate::named_values::get(&self.values, param).map_err(param_error)
    }

    /// Every parameter deserialized into `T`, usually a struct with one
    /// field per parameter (`#[serde(rename_all = "kebab-case")]` maps
    /// `keep-days` to `keep_days`). Juju fills in the defaults declared in
    /// `actions.yaml`; a parameter without default that the operator did
    /// not give is absent, so give it an `Option` field or
    /// `#[serde(default)]`. The error names the parameter at fault.
    pub fn typed<T: DeserializeOwned>(&self) -> Result<T, ParamError> {
        crate::named_values::typed(
            &self.values,
            "missing: the action was run without it (make the field an Option, \
             give it #[serde(default)], or a default in actions.yaml)",
        )
        .map_err(param_error)
    }
}

fn param_error(fault: crate::named_values::Fault) -> ParamError {
    match fault.key {
        Some(param) => ParamError::Param {
            param,
            message: fault.message,
        },
        None => ParamError::Whole {
            message: fault.message,
        },
    }
}

impl<'a> Extract<'a> for ActionParams {
    fn extract(inv: &Invocation<'a>) -> Result<Self, ExtractError> {
        inv.ctx
            .action_params()
            .map_err(|e| ExtractError::new::<Self>(e.to_string()))
    }
}

impl HookContext {
    fn action_juju(&self, tool: &str) -> Result<Rc<Juju>, ToolError> {
        if self.action_name().is_none() {
            return Err(ToolError::Refused {
                tool: tool.to_owned(),
                reason: format!(
                    "{} is a hook, not an action: only action handlers can use {tool}",
                    self.hook_name()
                ),
            });
        }
        Ok(self.juju())
    }

    /// The parameters of the action being run (`action-get`, read once).
    pub fn action_params(&self) -> Result<ActionParams, ToolError> {
        let j = self.action_juju("action-get")?;
        Ok(ActionParams::new((*j.action_params()?).clone()))
    }

    /// Return `value` under `key` as a result of the action (dotted keys
    /// nest: `backup.path`). Results are sent with `action-set` at the end
    /// of the action, if its handlers succeed; setting a key again replaces
    /// its value.
    ///
    /// Juju's `action-set` takes results only as `key=value` arguments, so
    /// they are visible to every process on the machine while it runs, and
    /// Juju stores them with the action: a secret (a password, a key) must
    /// not be returned as a result. Put it in a Juju secret and return the
    /// secret's id, or have the operator read it where it lives. A result
    /// too large for one argument ([`crate::backend::ARG_LIMIT`]) is a
    /// [`ToolError::TooLarge`] naming the key and the size.
    pub fn action_set(&self, key: &str, value: impl std::fmt::Display) -> Result<(), Error> {
        let j = self.action_juju("action-set")?;
        check_result_key(key).map_err(|reason| ToolError::Refused {
            tool: "action-set".to_owned(),
            reason,
        })?;
        let value = value.to_string();
        crate::backend::check_setting(
            "action-set",
            key,
            &value,
            " (set with action_set in this action)",
        )?;
        j.action_set(key, value);
        Ok(())
    }

    /// Log `message` to the operator running the action (`action-log`), at
    /// once: it is shown while the action runs, and kept even if the action
    /// fails.
    pub fn action_log(&self, message: &str) -> Result<(), Error> {
        Ok(self.action_juju("action-log")?.action_log(message)?)
    }

    /// Mark the action failed with `message`: the handlers go on, the
    /// action's flag changes, unit data and results are kept, and
    /// `action-fail` is sent at the end (the last message wins); the
    /// process exits 0, as a charmhelpers action calling `action_fail`. To
    /// fail the action and discard its changes, return `Err` instead.
    pub fn action_fail(&self, message: &str) -> Result<(), Error> {
        self.action_juju("action-fail")?.action_fail(message);
        Ok(())
    }
}
