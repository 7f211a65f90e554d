//! A charm as the simulator needs it: its directory, its binary, the
//! endpoints of `metadata.yaml` and the options of `config.yaml`.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::error::SimError;

/// The role of an endpoint in `metadata.yaml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Role {
    /// Under `provides`.
    Provides,
    /// Under `requires`.
    Requires,
    /// Under `peers`.
    Peers,
}

/// An endpoint of a charm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Its name (`db`, `cluster`).
    pub name: String,
    /// Its interface (`mysql`, `http`).
    pub interface: String,
    /// Provides, requires or peers.
    pub role: Role,
    /// `scope: container`: relations of this endpoint join only the units
    /// of one machine (a subordinate and its principal).
    pub container: bool,
}

/// A config option of `config.yaml`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigOption {
    /// `string`, `int`, `float`, `boolean` (or `secret`).
    pub kind: String,
    /// The default, `null` when the option has none.
    pub default: Value,
}

/// A charm: where it is, its binary, and what its YAML declares.
#[derive(Debug, Clone)]
pub struct Charm {
    /// The charm's source directory (holding `metadata.yaml`).
    pub dir: PathBuf,
    /// The charm's compiled binary, run for every hook.
    pub binary: PathBuf,
    /// `name` of `metadata.yaml`.
    pub name: String,
    /// `subordinate: true`: its units are deployed beside the units of the
    /// principal it is related to over a container-scoped relation.
    pub subordinate: bool,
    /// The endpoints, by name.
    pub endpoints: BTreeMap<String, Endpoint>,
    /// `extra-bindings` names (valid for `network-get`).
    pub extra_bindings: Vec<String>,
    /// The options of `config.yaml`, by name.
    pub options: BTreeMap<String, ConfigOption>,
}

impl Charm {
    /// Read the charm in `dir` (`metadata.yaml`, else `charmcraft.yaml`;
    /// `config.yaml` if present, else the `config` of `charmcraft.yaml`),
    /// run with `binary`.
    pub fn load(dir: impl Into<PathBuf>, binary: impl Into<PathBuf>) -> Result<Self, SimError> {
        let dir = dir.into();
        let binary = binary.into();
        let bad = |reason: String| SimError::Charm {
            dir: dir.clone(),
            reason,
        };
        if !binary.is_file() {
            return Err(bad(format!("no charm binary at {}", binary.display())));
        }
        let metadata = read_yaml(&dir, "metadata.yaml")
            .map_err(bad)?
            .or(read_yaml(&dir, "charmcraft.yaml").map_err(bad)?)
            .ok_or_else(|| bad("neither metadata.yaml nor charmcraft.yaml".into()))?;
        let name = metadata
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("metadata.yaml has no name".into()))?
            .to_owned();
        let mut endpoints = BTreeMap::new();
        for (key, role) in [
            ("provides", Role::Provides),
            ("requires", Role::Requires),
            ("peers", Role::Peers),
        ] {
            let Some(section) = metadata.get(key).and_then(Value::as_object) else {
                continue;
            };
            for (endpoint, spec) in section {
                let interface = spec
                    .get("interface")
                    .and_then(Value::as_str)
                    .ok_or_else(|| bad(format!("endpoint {endpoint:?} has no interface")))?;
                let container = spec.get("scope").and_then(Value::as_str) == Some("container");
                endpoints.insert(
                    endpoint.clone(),
                    Endpoint {
                        name: endpoint.clone(),
                        interface: interface.to_owned(),
                        role,
                        container,
                    },
                );
            }
        }
        let extra_bindings = metadata
            .get("extra-bindings")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        let config = match read_yaml(&dir, "config.yaml").map_err(bad)? {
            Some(config) => config,
            None => metadata.get("config").cloned().unwrap_or(Value::Null),
        };
        let mut options = BTreeMap::new();
        if let Some(section) = config.get("options").and_then(Value::as_object) {
            for (option, spec) in section {
                let kind = spec
                    .get("type")
                    .and_then(Value::as_str)
                    .unwrap_or("string")
                    .to_owned();
                let default = spec.get("default").cloned().unwrap_or(Value::Null);
                options.insert(option.clone(), ConfigOption { kind, default });
            }
        }
        let subordinate = metadata.get("subordinate").and_then(Value::as_bool) == Some(true);
        Ok(Charm {
            dir,
            binary,
            name,
            subordinate,
            endpoints,
            extra_bindings,
            options,
        })
    }

    /// The defaults of every option (`null` for those without one).
    pub fn default_config(&self) -> Map<String, Value> {
        self.options
            .iter()
            .map(|(k, o)| (k.clone(), o.default.clone()))
            .collect()
    }

    /// The peer endpoints.
    pub fn peers(&self) -> impl Iterator<Item = &Endpoint> {
        self.endpoints.values().filter(|e| e.role == Role::Peers)
    }
}

/// `dir/name` parsed as YAML into JSON values, `None` if absent.
fn read_yaml(dir: &Path, name: &str) -> Result<Option<Value>, String> {
    let path = dir.join(name);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read {name}: {e}")),
    };
    if text.trim().is_empty() {
        return Ok(Some(Value::Object(Map::new())));
    }
    serde_saphyr::from_str(&text)
        .map(Some)
        .map_err(|e| format!("{name} is not valid YAML: {e}"))
}

/// Copy the charm directory `from` into `to`, leaving out `target` and
/// hidden entries (build output and VCS data are not part of a charm).
pub(crate) fn copy_charm_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let text = name.to_string_lossy();
        if text.starts_with('.') || text == "target" {
            continue;
        }
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_charm_dir(&entry.path(), &to.join(&name))?;
        } else if kind.is_file() {
            fs::copy(entry.path(), to.join(&name))?;
        }
    }
    Ok(())
}

/// Replace the charm files in the unit's charm directory `unit_dir`: the
/// entries of the old charm (`old`, as [`copy_charm_dir`] copies them) are
/// removed, then `new`'s are copied in. What the charm wrote there itself
/// (its hidden `.unit-state.db`, files of its own) stays, as Juju keeps a
/// charm's own files across an upgrade.
pub(crate) fn replace_charm_dir(old: &Path, new: &Path, unit_dir: &Path) -> std::io::Result<()> {
    for entry in fs::read_dir(old)? {
        let entry = entry?;
        let name = entry.file_name();
        let text = name.to_string_lossy();
        if text.starts_with('.') || text == "target" {
            continue;
        }
        let there = unit_dir.join(&name);
        match fs::symlink_metadata(&there) {
            Ok(m) if m.is_dir() => fs::remove_dir_all(&there)?,
            Ok(_) => fs::remove_file(&there)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    copy_charm_dir(new, unit_dir)
}

/// Check and convert a config value given for `option` as Juju does for
/// `juju config`: the value must have the option's type (text for a
/// string, whole numbers for an int, ...); `null` resets to the default.
pub(crate) fn check_option(option: &ConfigOption, value: &Value) -> Result<Value, String> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let ok = match option.kind.as_str() {
        "int" => value.is_i64() || value.is_u64(),
        "float" => value.is_number(),
        "boolean" => value.is_boolean(),
        _ => value.is_string(),
    };
    if ok {
        Ok(value.clone())
    } else {
        Err(format!(
            "expected a value of type {}, got {value}",
            option.kind
        ))
    }
}
