//! The hook context Juju passes in the environment.

use std::ffi::{OsStr, OsString};
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use crate::backend::{RelationId, SecretId};

/// The variable that sets the timeout of one hook tool call, in seconds
/// (default [`crate::backend::DEFAULT_TOOL_TIMEOUT`]).
pub const TOOL_TIMEOUT_VAR: &str = "CHARM_TOOL_TIMEOUT";

/// What Juju is running: a hook or an action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invoked {
    /// A hook (`install`, `db-relation-changed`, ...).
    Hook(String),
    /// An action, by name.
    Action(String),
}

/// The hook environment: who we are and what Juju is running.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HookEnv {
    /// The hook or action being run.
    pub invoked: Invoked,
    /// This unit (`JUJU_UNIT_NAME`, `app/0`).
    pub unit: String,
    /// The charm directory (`JUJU_CHARM_DIR`, else `CHARM_DIR`).
    pub charm_dir: PathBuf,
    /// The relation of a relation hook (`JUJU_RELATION`).
    pub relation: Option<String>,
    /// Its id (`JUJU_RELATION_ID`).
    pub relation_id: Option<RelationId>,
    /// The remote unit of a relation hook (`JUJU_REMOTE_UNIT`).
    pub remote_unit: Option<String>,
    /// The remote application (`JUJU_REMOTE_APP`).
    pub remote_app: Option<String>,
    /// The unit leaving the relation in a `-relation-departed` hook
    /// (`JUJU_DEPARTING_UNIT`): the remote unit, or this one when it is
    /// the unit being removed.
    pub departing_unit: Option<String>,
    /// The principal unit of a subordinate (`JUJU_PRINCIPAL_UNIT`, empty
    /// for a principal, as Juju sets it).
    pub principal_unit: Option<String>,
    /// The model (`JUJU_MODEL_NAME`).
    pub model: Option<String>,
    /// Juju's version (`JUJU_VERSION`).
    pub juju_version: Option<String>,
    /// The secret a `secret-changed`, `secret-rotate`, `secret-expired` or
    /// `secret-remove` hook is about (`JUJU_SECRET_*`).
    pub secret: Option<SecretEvent>,
    /// Whether operations on the machine (installing packages, restarting
    /// services, writing system files) are to be recorded rather than
    /// performed: `CHARM_HOST=simulated` (a simulated model sets it), the
    /// harness, and a hook run with no Juju around it. Libraries that act
    /// on the machine (charm-openstack's host operations) honour it.
    pub simulated_host: bool,
}

/// The secret a secret hook is about, as Juju names it in the hook's
/// environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretEvent {
    /// The secret (`JUJU_SECRET_ID`).
    pub id: SecretId,
    /// The label this unit gave it, if any (`JUJU_SECRET_LABEL`).
    pub label: Option<String>,
    /// The revision the hook is about (`JUJU_SECRET_REVISION`): set in
    /// `secret-expired` and `secret-remove`.
    pub revision: Option<u32>,
}

/// The environment is not a Juju hook's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvError {
    /// Variables Juju always sets are missing.
    #[error(
        "not running under Juju: {} not set (Juju runs a charm with its hook context in the environment)",
        .0.join(", ")
    )]
    Missing(Vec<&'static str>),
    /// A variable's value is not UTF-8 text.
    #[error("{var}={value:?}: not UTF-8 text (shown with invalid bytes replaced by U+FFFD)")]
    NotUtf8 {
        /// The variable.
        var: String,
        /// Its value, invalid bytes replaced.
        value: String,
    },
    /// A variable holds something unusable.
    #[error("{var}={value:?}: {reason}")]
    Invalid {
        /// The variable.
        var: &'static str,
        /// Its value.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// `value` for an error message: whole up to 64 bytes, else its first
/// 64 bytes (on a character boundary) and its size.
fn shown(value: &str) -> String {
    if value.len() <= 64 {
        return value.to_owned();
    }
    let mut end = 64;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes)", &value[..end], value.len())
}

/// The `JUJU_SECRET_*` variables, read through `nonempty`: none at all
/// outside secret hooks; a label or revision without an id, an id that is
/// not a secret's or a revision that is not a positive number is refused.
fn secret_event(
    nonempty: &dyn Fn(&'static str) -> Result<Option<String>, EnvError>,
) -> Result<Option<SecretEvent>, EnvError> {
    let label = nonempty("JUJU_SECRET_LABEL")?;
    let revision = match nonempty("JUJU_SECRET_REVISION")? {
        None => None,
        Some(value) => match value.parse::<u32>() {
            Ok(n) if n > 0 => Some(n),
            _ => {
                return Err(EnvError::Invalid {
                    var: "JUJU_SECRET_REVISION",
                    value: shown(&value),
                    reason: "a secret revision is a number from 1".into(),
                });
            }
        },
    };
    let Some(id) = nonempty("JUJU_SECRET_ID")? else {
        let set = match (&label, revision) {
            (Some(label), _) => Some(("JUJU_SECRET_LABEL", shown(label))),
            (None, Some(revision)) => Some(("JUJU_SECRET_REVISION", revision.to_string())),
            (None, None) => None,
        };
        return match set {
            None => Ok(None),
            Some((var, value)) => Err(EnvError::Invalid {
                var,
                value,
                reason: "set without JUJU_SECRET_ID, the secret it belongs to".into(),
            }),
        };
    };
    let id = id
        .parse()
        .map_err(|e: crate::backend::SecretError| EnvError::Invalid {
            var: "JUJU_SECRET_ID",
            value: shown(&id),
            reason: e.to_string(),
        })?;
    Ok(Some(SecretEvent {
        id,
        label,
        revision,
    }))
}

impl HookEnv {
    /// Read the process environment; `argv0` is how the binary was
    /// invoked (a `hooks/install` symlink names the hook).
    pub fn from_env() -> Result<Self, EnvError> {
        let argv0 = std::env::args_os().next().map(PathBuf::from);
        Self::from_os_vars(|k| std::env::var_os(k), argv0.as_deref())
    }

    /// [`HookEnv::from_vars`] from raw values, as the process environment
    /// holds them: a value that is not UTF-8 is an [`EnvError::NotUtf8`]
    /// naming the variable, never taken for unset.
    pub fn from_os_vars(
        var: impl Fn(&str) -> Option<OsString>,
        argv0: Option<&Path>,
    ) -> Result<Self, EnvError> {
        Self::build(&|k| utf8(k, var(k)), argv0)
    }

    /// Read the hook context from `var` (a lookup of environment
    /// variables) and `argv0`.
    ///
    /// The hook name comes from `JUJU_DISPATCH_PATH` (Juju >= 2.8
    /// `dispatch`: `hooks/<hook>` or `actions/<action>`), else
    /// `JUJU_ACTION_NAME`, else `JUJU_HOOK_NAME`, else the name the binary
    /// was invoked as when that is `hooks/<hook>` or `actions/<action>`.
    ///
    /// ```
    /// use charm_runtime::env::{HookEnv, Invoked};
    /// let vars = [("JUJU_UNIT_NAME", "web/0"), ("JUJU_CHARM_DIR", "/var/lib/juju/agents/unit-web-0/charm"),
    ///             ("JUJU_DISPATCH_PATH", "hooks/db-relation-changed"), ("JUJU_RELATION_ID", "db:3")];
    /// let env = HookEnv::from_vars(|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string()), None).unwrap();
    /// assert_eq!(env.invoked, Invoked::Hook("db-relation-changed".into()));
    /// assert_eq!(env.relation_id.unwrap().to_string(), "db:3");
    /// ```
    ///
    /// A `JUJU_DISPATCH_PATH` that is set but not `hooks/<hook>` or
    /// `actions/<action>` (`hooks/../install`, `hooks/`, `foo/install`) is
    /// an [`EnvError::Invalid`] naming it, not taken for unset.
    pub fn from_vars(
        var: impl Fn(&str) -> Option<String>,
        argv0: Option<&Path>,
    ) -> Result<Self, EnvError> {
        Self::build(&|k| Ok(var(k)), argv0)
    }

    fn build(
        var: &dyn Fn(&str) -> Result<Option<String>, EnvError>,
        argv0: Option<&Path>,
    ) -> Result<Self, EnvError> {
        let nonempty = |k: &str| var(k).map(|v| v.filter(|v| !v.is_empty()));
        let invoked = match nonempty("JUJU_DISPATCH_PATH")? {
            Some(path) => Some(dispatch_target(&path).map_err(|reason| EnvError::Invalid {
                var: "JUJU_DISPATCH_PATH",
                value: path.clone(),
                reason,
            })?),
            None => None,
        };
        let invoked = match invoked {
            Some(invoked) => Some(invoked),
            None => match nonempty("JUJU_ACTION_NAME")? {
                Some(action) => Some(Invoked::Action(action)),
                None => nonempty("JUJU_HOOK_NAME")?
                    .map(Invoked::Hook)
                    .or_else(|| argv0.and_then(from_path)),
            },
        };
        let unit = nonempty("JUJU_UNIT_NAME")?;
        let charm_dir = match nonempty("JUJU_CHARM_DIR")? {
            Some(dir) => Some(dir),
            None => nonempty("CHARM_DIR")?,
        };
        let mut missing = Vec::new();
        if unit.is_none() {
            missing.push("JUJU_UNIT_NAME");
        }
        if charm_dir.is_none() {
            missing.push("JUJU_CHARM_DIR");
        }
        if invoked.is_none() {
            missing.push("JUJU_DISPATCH_PATH (or JUJU_HOOK_NAME)");
        }
        let (Some(invoked), Some(unit), Some(charm_dir)) = (invoked, unit, charm_dir) else {
            return Err(EnvError::Missing(missing));
        };
        if !unit.contains('/') {
            return Err(EnvError::Invalid {
                var: "JUJU_UNIT_NAME",
                value: unit,
                reason: "a unit name is application/number".into(),
            });
        }
        let relation_id = match nonempty("JUJU_RELATION_ID")? {
            None => None,
            Some(v) => Some(v.parse().map_err(|reason| EnvError::Invalid {
                var: "JUJU_RELATION_ID",
                value: v.clone(),
                reason,
            })?),
        };
        // The units Juju names: `<application>/<number>`, the remote unit
        // of JUJU_REMOTE_APP. Juju never sets anything else; a value that
        // is not one is refused here, before any handler keys state on it.
        let unit_var = |name: &'static str| -> Result<Option<String>, EnvError> {
            let Some(value) = nonempty(name)? else {
                return Ok(None);
            };
            match charm_names::UnitName::parse(&value) {
                Ok(_) => Ok(Some(value)),
                Err(e) => Err(EnvError::Invalid {
                    var: name,
                    value: shown(&value),
                    reason: e.to_string(),
                }),
            }
        };
        let remote_unit = unit_var("JUJU_REMOTE_UNIT")?;
        let remote_app = nonempty("JUJU_REMOTE_APP")?;
        if let (Some(unit), Some(app)) = (&remote_unit, &remote_app)
            && unit.split('/').next() != Some(app.as_str())
        {
            return Err(EnvError::Invalid {
                var: "JUJU_REMOTE_UNIT",
                value: unit.clone(),
                reason: format!("it is not a unit of JUJU_REMOTE_APP={app:?}"),
            });
        }
        let departing_unit = unit_var("JUJU_DEPARTING_UNIT")?;
        let secret = secret_event(&nonempty)?;
        Ok(HookEnv {
            invoked,
            unit,
            charm_dir: PathBuf::from(charm_dir),
            relation: nonempty("JUJU_RELATION")?,
            relation_id,
            remote_unit,
            remote_app,
            departing_unit,
            principal_unit: nonempty("JUJU_PRINCIPAL_UNIT")?,
            model: nonempty("JUJU_MODEL_NAME")?,
            juju_version: nonempty("JUJU_VERSION")?,
            secret,
            simulated_host: var("CHARM_HOST")?.as_deref() == Some("simulated"),
        })
    }

    /// The environment of a hook run with no Juju around it (a test of the
    /// reactive core, the conformance runner): unit `charm/0`, the
    /// current directory as the charm directory, nothing else.
    pub fn detached(hook: &str, action: Option<&str>) -> Self {
        HookEnv {
            invoked: match action {
                Some(a) => Invoked::Action(a.to_owned()),
                None => Invoked::Hook(hook.to_owned()),
            },
            unit: "charm/0".to_owned(),
            charm_dir: PathBuf::from("."),
            relation: None,
            relation_id: None,
            remote_unit: None,
            remote_app: None,
            departing_unit: None,
            principal_unit: None,
            model: None,
            juju_version: None,
            secret: None,
            simulated_host: true,
        }
    }

    /// The hook name; for an action, the action's name.
    pub fn name(&self) -> &str {
        match &self.invoked {
            Invoked::Hook(h) | Invoked::Action(h) => h,
        }
    }

    /// The action being run, if this is an action.
    pub fn action(&self) -> Option<&str> {
        match &self.invoked {
            Invoked::Action(a) => Some(a),
            Invoked::Hook(_) => None,
        }
    }

    /// This unit's application.
    pub fn app(&self) -> &str {
        self.unit.split('/').next().unwrap_or(&self.unit)
    }

    /// Where the unit state lives: `UNIT_STATE_DB` if set (as charmhelpers
    /// honours it), else `<charm dir>/.unit-state.db`.
    pub fn unit_state_path(&self, var: impl Fn(&str) -> Option<String>) -> PathBuf {
        var("UNIT_STATE_DB")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .unwrap_or_else(|| self.charm_dir.join(".unit-state.db"))
    }
}

/// `value` as text, or an error naming `var`.
fn utf8(var: &str, value: Option<OsString>) -> Result<Option<String>, EnvError> {
    value
        .map(|v| {
            v.into_string().map_err(|v| EnvError::NotUtf8 {
                var: var.to_owned(),
                value: v.to_string_lossy().into_owned(),
            })
        })
        .transpose()
}

/// The timeout of one hook tool call from the value of
/// [`TOOL_TIMEOUT_VAR`] (`CHARM_TOOL_TIMEOUT`): `None` when unset or
/// empty, else a whole number of seconds, at least 1.
///
/// ```
/// use std::ffi::OsStr;
/// use std::time::Duration;
/// use charm_runtime::env::tool_timeout;
///
/// assert_eq!(tool_timeout(Some(OsStr::new("60"))).unwrap(), Some(Duration::from_secs(60)));
/// assert_eq!(tool_timeout(None).unwrap(), None);
/// let err = tool_timeout(Some(OsStr::new("5m"))).unwrap_err();
/// assert!(err.to_string().starts_with("CHARM_TOOL_TIMEOUT=\"5m\""), "{err}");
/// ```
pub fn tool_timeout(value: Option<&OsStr>) -> Result<Option<Duration>, EnvError> {
    let Some(text) = utf8(TOOL_TIMEOUT_VAR, value.map(OsStr::to_owned))? else {
        return Ok(None);
    };
    if text.is_empty() {
        return Ok(None);
    }
    match text.trim().parse::<u64>() {
        Ok(seconds) if seconds > 0 => Ok(Some(Duration::from_secs(seconds))),
        _ => Err(EnvError::Invalid {
            var: TOOL_TIMEOUT_VAR,
            value: text,
            reason: "the timeout of a hook tool call must be a whole number of seconds, at least 1"
                .into(),
        }),
    }
}

/// What `JUJU_DISPATCH_PATH` names: exactly `hooks/<hook>` or
/// `actions/<action>`.
fn dispatch_target(path: &str) -> Result<Invoked, String> {
    let parts: Vec<Component<'_>> = Path::new(path).components().collect();
    let expected = "Juju sets it to hooks/<hook> or actions/<action>";
    let [Component::Normal(kind), Component::Normal(name)] = parts.as_slice() else {
        return Err(format!("not a dispatch path: {expected}"));
    };
    let name = name
        .to_str()
        .filter(|n| !n.is_empty())
        .ok_or_else(|| format!("no hook or action name: {expected}"))?
        .to_owned();
    match kind.to_str() {
        Some("hooks") => Ok(Invoked::Hook(name)),
        Some("actions") => Ok(Invoked::Action(name)),
        _ => Err(format!("not under hooks/ or actions/: {expected}")),
    }
}

fn from_path(path: &Path) -> Option<Invoked> {
    let name = path.file_name()?.to_str()?.to_owned();
    match path.parent()?.file_name()?.to_str()? {
        "hooks" => Some(Invoked::Hook(name)),
        "actions" => Some(Invoked::Action(name)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &[(&str, &str)], argv0: Option<&str>) -> Result<HookEnv, EnvError> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        HookEnv::from_vars(
            |k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()),
            argv0.map(Path::new),
        )
    }

    const BASE: [(&str, &str); 2] = [("JUJU_UNIT_NAME", "web/0"), ("JUJU_CHARM_DIR", "/charm")];

    /// The environment of a secret hook with `extra` variables.
    fn secret_env(extra: &[(&'static str, &'static str)]) -> Result<HookEnv, EnvError> {
        let mut v = BASE.to_vec();
        v.push(("JUJU_DISPATCH_PATH", "hooks/secret-expired"));
        v.extend_from_slice(extra);
        env(&v, None)
    }

    #[test]
    fn a_secret_hook_names_its_secret_label_and_revision() {
        let env = secret_env(&[
            ("JUJU_SECRET_ID", "secret:cjd1pemj3e0q3u0sp4ag"),
            ("JUJU_SECRET_LABEL", "db-password"),
            ("JUJU_SECRET_REVISION", "3"),
        ])
        .unwrap();
        let secret = env.secret.unwrap();
        assert_eq!(secret.id.as_str(), "secret:cjd1pemj3e0q3u0sp4ag");
        assert_eq!(secret.label.as_deref(), Some("db-password"));
        assert_eq!(secret.revision, Some(3));
        // Juju sets no label for a secret the unit did not label, and no
        // revision in secret-changed or secret-rotate.
        let bare = secret_env(&[("JUJU_SECRET_ID", "secret:cjd1pemj3e0q3u0sp4ag")]).unwrap();
        assert_eq!(bare.secret.unwrap().label, None);
        assert_eq!(secret_env(&[]).unwrap().secret, None);
    }

    #[test]
    fn bad_secret_variables_are_refused_by_name() {
        let cases: [(&[(&'static str, &'static str)], &str); 5] = [
            (&[("JUJU_SECRET_ID", "-rf")], "JUJU_SECRET_ID=\"-rf\": "),
            (
                &[
                    ("JUJU_SECRET_ID", "secret:cjd1pemj3e0q3u0sp4ag"),
                    ("JUJU_SECRET_REVISION", "0"),
                ],
                "JUJU_SECRET_REVISION=\"0\": a secret revision is a number from 1",
            ),
            (
                &[
                    ("JUJU_SECRET_ID", "secret:cjd1pemj3e0q3u0sp4ag"),
                    ("JUJU_SECRET_REVISION", "two"),
                ],
                "JUJU_SECRET_REVISION=\"two\": a secret revision is a number from 1",
            ),
            (
                &[("JUJU_SECRET_LABEL", "db-password")],
                "JUJU_SECRET_LABEL=\"db-password\": set without JUJU_SECRET_ID",
            ),
            (
                &[("JUJU_SECRET_REVISION", "2")],
                "JUJU_SECRET_REVISION=\"2\": set without JUJU_SECRET_ID",
            ),
        ];
        for (vars, message) in cases {
            let err = secret_env(vars).unwrap_err().to_string();
            assert!(err.starts_with(message), "{vars:?}: {err}");
        }
    }

    #[test]
    fn the_host_is_simulated_only_when_charm_host_says_so() {
        let with = |value: Option<&str>| {
            let mut v = BASE.to_vec();
            v.push(("JUJU_HOOK_NAME", "install"));
            if let Some(value) = value {
                v.push(("CHARM_HOST", value));
            }
            env(&v, None).unwrap().simulated_host
        };
        assert!(with(Some("simulated")));
        for real in [None, Some(""), Some("real"), Some("Simulated")] {
            assert!(!with(real), "{real:?}");
        }
        // No Juju at all: nothing on the machine is touched.
        assert!(HookEnv::detached("install", None).simulated_host);
    }

    #[test]
    fn dispatch_path_wins_then_action_then_hook_name_then_argv0() {
        let with = |extra: &[(&str, &str)], argv0| {
            let mut v = BASE.to_vec();
            v.extend_from_slice(extra);
            env(&v, argv0).unwrap().invoked
        };
        assert_eq!(
            with(
                &[
                    ("JUJU_DISPATCH_PATH", "actions/backup"),
                    ("JUJU_HOOK_NAME", "install")
                ],
                None
            ),
            Invoked::Action("backup".into())
        );
        assert_eq!(
            with(
                &[("JUJU_ACTION_NAME", "backup"), ("JUJU_HOOK_NAME", "x")],
                None
            ),
            Invoked::Action("backup".into())
        );
        assert_eq!(
            with(&[("JUJU_HOOK_NAME", "start")], Some("hooks/install")),
            Invoked::Hook("start".into())
        );
        assert_eq!(
            with(&[], Some("/var/lib/juju/charm/hooks/config-changed")),
            Invoked::Hook("config-changed".into())
        );
    }

    #[test]
    fn outside_juju_everything_missing_is_named() {
        let err = env(&[], Some("target/debug/my-charm")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "not running under Juju: JUJU_UNIT_NAME, JUJU_CHARM_DIR, JUJU_DISPATCH_PATH (or JUJU_HOOK_NAME) not set (Juju runs a charm with its hook context in the environment)"
        );
    }

    #[test]
    fn bad_values_are_reported() {
        let mut v = BASE.to_vec();
        v.push(("JUJU_HOOK_NAME", "db-relation-joined"));
        v.push(("JUJU_RELATION_ID", "db"));
        let err = env(&v, None).unwrap_err();
        assert!(
            err.to_string().starts_with("JUJU_RELATION_ID=\"db\""),
            "{err}"
        );
        let err = env(
            &[
                ("JUJU_UNIT_NAME", "web"),
                ("JUJU_CHARM_DIR", "/c"),
                ("JUJU_HOOK_NAME", "install"),
            ],
            None,
        )
        .unwrap_err();
        assert!(err.to_string().contains("application/number"), "{err}");
    }

    #[test]
    fn relation_context_is_read() {
        let mut v = BASE.to_vec();
        v.extend([
            ("JUJU_HOOK_NAME", "db-relation-changed"),
            ("JUJU_RELATION", "db"),
            ("JUJU_RELATION_ID", "db:7"),
            ("JUJU_REMOTE_UNIT", "mysql/1"),
            ("JUJU_REMOTE_APP", "mysql"),
            ("JUJU_MODEL_NAME", "prod"),
            ("JUJU_VERSION", "3.6.1"),
            ("JUJU_PRINCIPAL_UNIT", ""),
        ]);
        let e = env(&v, None).unwrap();
        assert_eq!(e.principal_unit, None);
        assert_eq!(e.departing_unit, None);
        assert_eq!(e.relation_id, Some(RelationId::new("db", 7)));
        assert_eq!(e.remote_unit.as_deref(), Some("mysql/1"));
        assert_eq!(e.app(), "web");
        assert_eq!(
            e.unit_state_path(|_| None),
            PathBuf::from("/charm/.unit-state.db")
        );
        assert_eq!(
            e.unit_state_path(|k| (k == "UNIT_STATE_DB").then(|| "/tmp/x.db".to_owned())),
            PathBuf::from("/tmp/x.db")
        );
    }

    #[test]
    fn malformed_or_foreign_remote_units_are_refused_naming_the_variable() {
        let huge = format!("mysql/{}", "1".repeat(100_000));
        for (var, value, app, reason) in [
            (
                "JUJU_REMOTE_UNIT",
                "mysql",
                "mysql",
                "<application>/<number>",
            ),
            ("JUJU_REMOTE_UNIT", "mysql/01", "mysql", "leading zero"),
            (
                "JUJU_REMOTE_UNIT",
                "../x/0",
                "mysql",
                "bad application part",
            ),
            (
                "JUJU_REMOTE_UNIT",
                "wordpress/1",
                "mysql",
                "not a unit of JUJU_REMOTE_APP",
            ),
            ("JUJU_REMOTE_UNIT", huge.as_str(), "mysql", "leading zero"),
            ("JUJU_DEPARTING_UNIT", "mysql/-1", "mysql", "leading zero"),
        ] {
            let mut v = BASE.to_vec();
            v.extend([
                ("JUJU_HOOK_NAME", "db-relation-departed"),
                ("JUJU_RELATION", "db"),
                ("JUJU_RELATION_ID", "db:7"),
                ("JUJU_REMOTE_APP", app),
                (var, value),
            ]);
            let text = env(&v, None).unwrap_err().to_string();
            assert!(text.starts_with(&format!("{var}=")), "{text}");
            assert!(text.contains(reason), "{value}: {text}");
            assert!(text.len() < 300, "{} bytes", text.len());
        }
    }

    #[test]
    fn a_malformed_dispatch_path_is_named_not_taken_for_unset() {
        for bad in [
            "hooks/../install",
            "hooks/",
            "foo/install",
            "hooks",
            "/hooks/install",
            "hooks/a/b",
        ] {
            let mut v = BASE.to_vec();
            v.push(("JUJU_DISPATCH_PATH", bad));
            let err = env(&v, None).unwrap_err();
            let text = err.to_string();
            assert!(
                text.starts_with(&format!("JUJU_DISPATCH_PATH={bad:?}: ")),
                "{bad}: {text}"
            );
            assert!(text.contains("hooks/<hook> or actions/<action>"), "{text}");
            assert!(!text.contains("not set"), "{text}");
        }
        let mut v = BASE.to_vec();
        v.push(("JUJU_DISPATCH_PATH", "./hooks/install"));
        assert!(env(&v, None).is_err());
    }

    #[test]
    fn a_value_that_is_not_utf8_is_named_not_dropped() {
        use std::os::unix::ffi::OsStringExt;
        for name in ["JUJU_RELATION_ID", "JUJU_REMOTE_UNIT", "JUJU_UNIT_NAME"] {
            let lookup = |k: &str| -> Option<OsString> {
                if k == name {
                    return Some(OsString::from_vec(b"mysql/\xff1".to_vec()));
                }
                let found = match k {
                    "JUJU_UNIT_NAME" => "web/0",
                    "JUJU_CHARM_DIR" => "/charm",
                    "JUJU_DISPATCH_PATH" => "hooks/db-relation-changed",
                    _ => return None,
                };
                Some(found.into())
            };
            let err = HookEnv::from_os_vars(lookup, None).unwrap_err();
            assert_eq!(
                err,
                EnvError::NotUtf8 {
                    var: name.to_owned(),
                    value: "mysql/\u{fffd}1".to_owned()
                }
            );
            assert!(err.to_string().starts_with(&format!("{name}=")), "{err}");
        }
    }

    #[test]
    fn the_tool_timeout_is_whole_seconds() {
        use std::os::unix::ffi::OsStrExt;
        let t = |v: &str| tool_timeout(Some(OsStr::new(v)));
        assert_eq!(t("1").unwrap(), Some(Duration::from_secs(1)));
        assert_eq!(t(" 600 ").unwrap(), Some(Duration::from_secs(600)));
        assert_eq!(t("").unwrap(), None);
        for bad in ["0", "-5", "1.5", "5m", "forever"] {
            let err = t(bad).unwrap_err();
            assert!(
                err.to_string()
                    .starts_with(&format!("CHARM_TOOL_TIMEOUT={bad:?}: the timeout")),
                "{err}"
            );
        }
        let err = tool_timeout(Some(OsStr::from_bytes(b"\xff"))).unwrap_err();
        assert!(matches!(err, EnvError::NotUtf8 { var, .. } if var == TOOL_TIMEOUT_VAR));
    }
}
