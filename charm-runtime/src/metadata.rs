//! What a charm declares about itself: its metadata (name, endpoints,
//! extra bindings), its config options and its actions.
//!
//! # Where each part is read from
//!
//! A charm directory has either the classic files, `metadata.yaml`,
//! `config.yaml` and `actions.yaml`, or one `charmcraft.yaml` that holds
//! the same content under its own keys:
//!
//! | part | classic file | in `charmcraft.yaml` |
//! |------|--------------|----------------------|
//! | [`Metadata`] | `metadata.yaml` (top level) | the same keys at top level |
//! | [`ConfigSchema`] | `config.yaml` (`options:`) | `config:` → `options:` |
//! | [`ActionsSchema`] | `actions.yaml` (top level) | `actions:` |
//!
//! Each part is looked up on its own: **the classic file wins** when it
//! exists, and `charmcraft.yaml` is read only when it is absent. A packed
//! charm built from a unified `charmcraft.yaml` carries generated classic
//! files, which are then the ones read; a charm with a build-only
//! `charmcraft.yaml` and a hand-written `metadata.yaml` gets its metadata
//! from `metadata.yaml`.
//!
//! Keys this module does not model (`series`, `tags`, `resources`,
//! `storage`, `containers`, `bases`, `parts`, ...) are ignored.
//!
//! YAML is read with the YAML 1.1 conventions Juju's own parser (go-yaml
//! v2) and PyYAML follow for untyped values: `yes`/`no`/`on`/`off` are
//! booleans and `0755` is octal (493). Duplicate keys are an error.
//! Documents nested deeper than 64 levels, and alias bombs, are refused.
//!
//! ```
//! use charm_runtime::metadata::{Metadata, Role};
//!
//! let meta = Metadata::parse(
//!     "name: wordpress\n\
//!      requires:\n  db: {interface: mysql, limit: 1}\n  cache: memcache\n\
//!      provides:\n  website: http\n",
//!     "metadata.yaml",
//! )
//! .unwrap();
//! assert_eq!(meta.name, "wordpress");
//! assert_eq!(meta.endpoints_for(Role::Requires, "mysql"), ["db"]);
//! assert_eq!(meta.role_and_interface("cache"), Some((Role::Requires, "memcache")));
//! assert_eq!(meta.relation_names(), ["cache", "db", "website"]);
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde_json::{Map, Value};

/// The classic metadata file.
pub const METADATA_FILE: &str = "metadata.yaml";
/// The classic config file.
pub const CONFIG_FILE: &str = "config.yaml";
/// The classic actions file.
pub const ACTIONS_FILE: &str = "actions.yaml";
/// The unified charmcraft file, read when a classic file is absent.
pub const CHARMCRAFT_FILE: &str = "charmcraft.yaml";

/// How deeply a YAML document may nest.
const MAX_DEPTH: usize = 64;
/// How many events aliases may replay in one document (an alias bomb's
/// defence; charm files use few aliases, if any).
const MAX_ALIAS_REPLAY: usize = 20_000;
/// Strings quoted in error messages are cut to this many characters.
const QUOTE_LIMIT: usize = 60;

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// A charm file that cannot be read or does not describe a valid charm.
/// Every message names the file and, where there is one, the key.
#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    /// Neither the classic file nor `charmcraft.yaml` is in the charm
    /// directory.
    #[error("{dir}: no {wanted} (nor {CHARMCRAFT_FILE}) in the charm directory", dir = dir.display())]
    NotFound {
        /// The charm directory.
        dir: PathBuf,
        /// The classic file that was looked for.
        wanted: &'static str,
    },
    /// The file exists but cannot be read.
    #[error("{path}: cannot read: {source}", path = path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The file is not UTF-8 text.
    #[error("{path}: not UTF-8 text (invalid byte at offset {offset})", path = path.display())]
    NotUtf8 {
        /// The file.
        path: PathBuf,
        /// Where the first invalid byte is.
        offset: usize,
    },
    /// The file is not valid YAML (or is too deeply nested).
    #[error("{}: invalid YAML: {message}", at(path, *line, *column))]
    Yaml {
        /// The file.
        path: PathBuf,
        /// The line of the problem (1-based), when known.
        line: Option<u64>,
        /// The column of the problem (1-based), when known.
        column: Option<u64>,
        /// What the parser said.
        message: String,
    },
    /// A key has a value of the wrong type or an invalid value.
    #[error("{path}: {key} {problem}", path = path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The key, as a dotted path (`requires.db.interface`).
        key: String,
        /// What is wrong with it (`must be a string, found a list`).
        problem: String,
    },
    /// An endpoint has no `interface`.
    #[error("{path}: endpoint {key} has no interface", path = path.display())]
    MissingInterface {
        /// The file.
        path: PathBuf,
        /// The endpoint's key (`requires.db`).
        key: String,
    },
    /// One endpoint name is declared under two roles.
    #[error(
        "{path}: endpoint {name:?} is declared twice, under {first} and under {second}",
        path = path.display()
    )]
    DuplicateEndpoint {
        /// The file.
        path: PathBuf,
        /// The endpoint name.
        name: String,
        /// The role it was first declared under.
        first: Role,
        /// The role it is declared under again.
        second: Role,
    },
}

fn at(path: &Path, line: Option<u64>, column: Option<u64>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!("{}:{l}:{c}", path.display()),
        (Some(l), None) => format!("{}:{l}", path.display()),
        _ => path.display().to_string(),
    }
}

fn invalid(path: &Path, key: &str, problem: impl Into<String>) -> MetadataError {
    MetadataError::Invalid {
        path: path.to_owned(),
        key: key.to_owned(),
        problem: problem.into(),
    }
}

fn wrong_type(path: &Path, key: &str, expected: &str, found: &Value) -> MetadataError {
    invalid(
        path,
        key,
        format!("must be {expected}, found {}", describe(found)),
    )
}

/// `value` in words, for error messages.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) if n.is_f64() => format!("the number {n}"),
        Value::Number(n) => format!("the integer {n}"),
        Value::String(s) => format!("the string {}", quote(s)),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "a mapping".to_owned(),
    }
}

/// `text` quoted, cut to a readable length.
fn quote(text: &str) -> String {
    if text.chars().count() <= QUOTE_LIMIT {
        format!("{text:?}")
    } else {
        let cut: String = text.chars().take(QUOTE_LIMIT).collect();
        format!("{cut:?}...")
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

// ---------------------------------------------------------------------------
// Reading files
// ---------------------------------------------------------------------------

/// The text of `path`, or `None` when it does not exist.
fn read_optional(path: &Path) -> Result<Option<String>, MetadataError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(MetadataError::Io {
                path: path.to_owned(),
                source,
            });
        }
    };
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|e| MetadataError::NotUtf8 {
            path: path.to_owned(),
            offset: e.utf8_error().valid_up_to(),
        })
}

/// Where a part of the charm's description comes from.
enum Layout {
    /// The classic file.
    Classic(PathBuf, String),
    /// `charmcraft.yaml`.
    Charmcraft(PathBuf, String),
    /// Neither exists.
    Absent,
}

fn find(dir: &Path, classic: &str) -> Result<Layout, MetadataError> {
    let path = dir.join(classic);
    if let Some(text) = read_optional(&path)? {
        return Ok(Layout::Classic(path, text));
    }
    let path = dir.join(CHARMCRAFT_FILE);
    if let Some(text) = read_optional(&path)? {
        return Ok(Layout::Charmcraft(path, text));
    }
    Ok(Layout::Absent)
}

/// Parse `text` into an untyped tree. An empty document is `null`.
fn parse_yaml(text: &str, path: &Path) -> Result<Value, MetadataError> {
    let mut options = serde_saphyr::Options::default();
    options.with_snippet = false;
    // YAML 1.1 octal, as go-yaml v2 (Juju) and PyYAML (layer-basic) read it.
    options.legacy_octal_numbers = true;
    // `.inf`/`.nan` become strings, so that a bad value is reported for its
    // key instead of failing the whole document.
    options.non_finite_float_policy = serde_saphyr::NonFiniteFloatPolicy::AsString;
    let mut budget = serde_saphyr::Budget::default();
    budget.max_depth = MAX_DEPTH;
    options.budget = Some(budget);
    options.alias_limits.max_total_replayed_events = MAX_ALIAS_REPLAY;
    serde_saphyr::from_str_with_options::<Value>(text, options).map_err(|e| {
        let location = e.location();
        let line = location.map(|l| l.line());
        let column = location.map(|l| l.column());
        let mut message = e.render_with_formatter(&serde_saphyr::UserMessageFormatter);
        // The location is reported by our own prefix.
        if let (Some(l), Some(c)) = (line, column) {
            let suffix = format!(" at line {l}, column {c}");
            if let Some(stripped) = message.strip_suffix(&suffix) {
                message = stripped.to_owned();
            }
        }
        MetadataError::Yaml {
            path: path.to_owned(),
            line,
            column,
            message,
        }
    })
}

/// `value` as a mapping; `null` (an empty YAML value) is an empty mapping.
fn mapping<'v>(
    value: &'v Value,
    path: &Path,
    key: &str,
) -> Result<Option<&'v Map<String, Value>>, MetadataError> {
    match value {
        Value::Null => Ok(None),
        Value::Object(map) => Ok(Some(map)),
        other => Err(wrong_type(path, key, "a mapping", other)),
    }
}

/// The document's top level as a mapping.
fn document<'v>(
    doc: &'v Value,
    path: &Path,
) -> Result<Option<&'v Map<String, Value>>, MetadataError> {
    match doc {
        Value::Null => Ok(None),
        Value::Object(map) => Ok(Some(map)),
        other => Err(invalid(
            path,
            "the document",
            format!("must be a mapping, found {}", describe(other)),
        )),
    }
}

fn optional_str<'v>(
    map: &'v Map<String, Value>,
    field: &str,
    path: &Path,
    prefix: &str,
) -> Result<Option<&'v str>, MetadataError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(wrong_type(path, &join(prefix, field), "a string", other)),
    }
}

fn optional_bool(
    map: &Map<String, Value>,
    field: &str,
    path: &Path,
    prefix: &str,
) -> Result<Option<bool>, MetadataError> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(wrong_type(
            path,
            &join(prefix, field),
            "a boolean (true or false)",
            other,
        )),
    }
}

// ---------------------------------------------------------------------------
// Metadata
// ---------------------------------------------------------------------------

/// The role of an endpoint: the metadata section it is declared in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// `provides:`
    Provides,
    /// `requires:`
    Requires,
    /// `peers:`
    Peers,
}

impl Role {
    /// Every role, in the order the sections are read.
    pub const ALL: [Role; 3] = [Role::Provides, Role::Requires, Role::Peers];

    /// The section name: `provides`, `requires` or `peers`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Provides => "provides",
            Role::Requires => "requires",
            Role::Peers => "peers",
        }
    }

    /// The role named by a section name, as in a `{requires:mysql}` hook
    /// pattern.
    ///
    /// ```
    /// use charm_runtime::metadata::Role;
    /// assert_eq!(Role::parse("peers"), Some(Role::Peers));
    /// assert_eq!(Role::parse("consumes"), None);
    /// ```
    pub fn parse(name: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == name)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a relation spans the model or one machine/pod (subordinates).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Scope {
    /// `scope: global`, the default.
    #[default]
    Global,
    /// `scope: container`: the relation between a subordinate and its
    /// principal.
    Container,
}

impl Scope {
    /// `global` or `container`.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Container => "container",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One endpoint (relation name) declared in the metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointMeta {
    /// The endpoint name (`db`).
    pub name: String,
    /// The section it is declared in.
    pub role: Role,
    /// The interface (`mysql`).
    pub interface: String,
    /// `scope:`, global unless declared.
    pub scope: Scope,
    /// `limit:`, the most relations the endpoint accepts, if declared.
    pub limit: Option<u32>,
    /// `optional:`, false unless declared.
    pub optional: bool,
}

/// The charm's metadata: its name, whether it is a subordinate, its
/// endpoints and its extra bindings.
///
/// Endpoints are read from `provides`, `requires` and `peers`, in either
/// the long form `db: {interface: mysql, scope: global, limit: 1,
/// optional: false}` or the short form `db: mysql`. Juju's implicit
/// `juju-info` endpoint is not added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// `name:`
    pub name: String,
    /// `subordinate:`, false unless declared.
    pub subordinate: bool,
    /// Every endpoint by name.
    pub endpoints: BTreeMap<String, EndpointMeta>,
    /// The names under `extra-bindings:`.
    pub extra_bindings: BTreeSet<String>,
}

impl Metadata {
    /// Parse metadata from `text`, the content of `metadata.yaml` or of a
    /// `charmcraft.yaml` (the keys are the same); `source` names the file
    /// in errors.
    ///
    /// ```
    /// use charm_runtime::metadata::Metadata;
    /// let err = Metadata::parse("name: x\nrequires:\n  db: {interface: 3}\n", "metadata.yaml")
    ///     .unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "metadata.yaml: requires.db.interface must be a string, found the integer 3"
    /// );
    /// ```
    pub fn parse(text: &str, source: impl AsRef<Path>) -> Result<Self, MetadataError> {
        let path = source.as_ref();
        let doc = parse_yaml(text, path)?;
        Self::from_document(&doc, path)
    }

    /// Read the metadata of the charm in `charm_dir`: `metadata.yaml`, or,
    /// when it does not exist, `charmcraft.yaml`. When both exist,
    /// `metadata.yaml` wins and `charmcraft.yaml` is not read.
    pub fn load(charm_dir: impl AsRef<Path>) -> Result<Self, MetadataError> {
        let dir = charm_dir.as_ref();
        match find(dir, METADATA_FILE)? {
            Layout::Classic(path, text) | Layout::Charmcraft(path, text) => {
                Self::parse(&text, path)
            }
            Layout::Absent => Err(MetadataError::NotFound {
                dir: dir.to_owned(),
                wanted: METADATA_FILE,
            }),
        }
    }

    fn from_document(doc: &Value, path: &Path) -> Result<Self, MetadataError> {
        let empty = Map::new();
        let top = document(doc, path)?.unwrap_or(&empty);
        let name = match top.get("name") {
            None | Some(Value::Null) => return Err(invalid(path, "name", "is required")),
            Some(Value::String(s)) if s.is_empty() => {
                return Err(invalid(path, "name", "must not be empty"));
            }
            Some(Value::String(s)) => s.clone(),
            Some(other) => return Err(wrong_type(path, "name", "a string", other)),
        };
        let subordinate = optional_bool(top, "subordinate", path, "")?.unwrap_or(false);

        let mut endpoints: BTreeMap<String, EndpointMeta> = BTreeMap::new();
        for role in Role::ALL {
            let section = match top.get(role.as_str()) {
                None => continue,
                Some(value) => match mapping(value, path, role.as_str())? {
                    None => continue,
                    Some(map) => map,
                },
            };
            for (name, decl) in section {
                let endpoint = endpoint(role, name, decl, path)?;
                if let Some(first) = endpoints.get(name) {
                    return Err(MetadataError::DuplicateEndpoint {
                        path: path.to_owned(),
                        name: name.clone(),
                        first: first.role,
                        second: role,
                    });
                }
                endpoints.insert(name.clone(), endpoint);
            }
        }

        let mut extra_bindings = BTreeSet::new();
        if let Some(value) = top.get("extra-bindings")
            && let Some(map) = mapping(value, path, "extra-bindings")?
        {
            for binding in map.keys() {
                if binding.is_empty() {
                    return Err(invalid(path, "extra-bindings", "has an empty binding name"));
                }
                if endpoints.contains_key(binding) {
                    return Err(invalid(
                        path,
                        &join("extra-bindings", binding),
                        "has the name of an endpoint; a binding name must differ from every endpoint name",
                    ));
                }
                extra_bindings.insert(binding.clone());
            }
        }

        if subordinate
            && !endpoints
                .values()
                .any(|e| e.role == Role::Requires && e.scope == Scope::Container)
        {
            return Err(invalid(
                path,
                "subordinate",
                "is true, but no requires endpoint has scope: container (Juju refuses such a subordinate)",
            ));
        }

        Ok(Metadata {
            name,
            subordinate,
            endpoints,
            extra_bindings,
        })
    }

    /// The endpoint called `name`.
    pub fn endpoint(&self, name: &str) -> Option<&EndpointMeta> {
        self.endpoints.get(name)
    }

    /// The endpoints of `role` with `interface`, sorted: what a
    /// `{requires:mysql}` hook pattern or an `#[interface(mysql)]` endpoint
    /// type stands for.
    pub fn endpoints_for(&self, role: Role, interface: &str) -> Vec<&str> {
        // BTreeMap iteration is already sorted by name.
        self.endpoints
            .values()
            .filter(|e| e.role == role && e.interface == interface)
            .map(|e| e.name.as_str())
            .collect()
    }

    /// The role and interface of `endpoint`.
    pub fn role_and_interface(&self, endpoint: &str) -> Option<(Role, &str)> {
        self.endpoints
            .get(endpoint)
            .map(|e| (e.role, e.interface.as_str()))
    }

    /// Every endpoint name, sorted.
    pub fn relation_names(&self) -> Vec<&str> {
        self.endpoints.keys().map(String::as_str).collect()
    }

    /// [`endpoints_for`](Self::endpoints_for) with the role given by its
    /// section name, as in a `{requires:mysql}` hook pattern; an unknown
    /// role has no endpoints.
    ///
    /// ```
    /// use charm_runtime::metadata::Metadata;
    /// let meta = Metadata::parse("name: x\nrequires: {db: mysql}", "metadata.yaml").unwrap();
    /// assert_eq!(meta.endpoints_for_role_name("requires", "mysql"), ["db"]);
    /// assert!(meta.endpoints_for_role_name("consumes", "mysql").is_empty());
    /// ```
    pub fn endpoints_for_role_name(&self, role: &str, interface: &str) -> Vec<String> {
        match Role::parse(role) {
            Some(role) => self
                .endpoints_for(role, interface)
                .into_iter()
                .map(str::to_owned)
                .collect(),
            None => Vec::new(),
        }
    }

    /// A resolver for `{role:interface}` hook patterns backed by this
    /// metadata (an unknown role resolves to nothing).
    ///
    /// ```
    /// use charm_runtime::metadata::Metadata;
    /// let meta = Metadata::parse("name: x\nrequires: {db: mysql, db2: mysql}", "metadata.yaml")
    ///     .unwrap();
    /// let resolve = meta.relation_resolver();
    /// assert_eq!(resolve("requires", "mysql"), ["db", "db2"]);
    /// assert!(resolve("provides", "mysql").is_empty());
    /// ```
    pub fn relation_resolver(&self) -> crate::RelationResolver {
        let meta = self.clone();
        Rc::new(move |role: &str, interface: &str| meta.endpoints_for_role_name(role, interface))
    }
}

fn endpoint(
    role: Role,
    name: &str,
    decl: &Value,
    path: &Path,
) -> Result<EndpointMeta, MetadataError> {
    let key = join(role.as_str(), name);
    if name.is_empty() {
        return Err(invalid(
            path,
            role.as_str(),
            "has an endpoint with an empty name",
        ));
    }
    let mut endpoint = EndpointMeta {
        name: name.to_owned(),
        role,
        interface: String::new(),
        scope: Scope::Global,
        limit: None,
        optional: false,
    };
    let map = match decl {
        // Short form: `db: mysql`.
        Value::String(interface) if interface.is_empty() => {
            return Err(MetadataError::MissingInterface {
                path: path.to_owned(),
                key,
            });
        }
        Value::String(interface) => {
            endpoint.interface = interface.clone();
            return Ok(endpoint);
        }
        Value::Null => {
            return Err(MetadataError::MissingInterface {
                path: path.to_owned(),
                key,
            });
        }
        Value::Object(map) => map,
        other => {
            return Err(wrong_type(
                path,
                &key,
                "a mapping with an interface, or an interface name",
                other,
            ));
        }
    };
    endpoint.interface = match optional_str(map, "interface", path, &key)? {
        Some(interface) if !interface.is_empty() => interface.to_owned(),
        _ => {
            return Err(MetadataError::MissingInterface {
                path: path.to_owned(),
                key,
            });
        }
    };
    endpoint.scope = match optional_str(map, "scope", path, &key)? {
        None | Some("global") => Scope::Global,
        Some("container") => Scope::Container,
        Some(other) => {
            return Err(invalid(
                path,
                &join(&key, "scope"),
                format!("must be global or container, found {}", quote(other)),
            ));
        }
    };
    endpoint.limit = match map.get("limit") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) if n.as_u64().is_some_and(|n| n <= u64::from(u32::MAX)) => {
            n.as_u64().and_then(|n| u32::try_from(n).ok())
        }
        Some(other) => {
            return Err(wrong_type(
                path,
                &join(&key, "limit"),
                "a non-negative integer",
                other,
            ));
        }
    };
    endpoint.optional = optional_bool(map, "optional", path, &key)?.unwrap_or(false);
    Ok(endpoint)
}

// ---------------------------------------------------------------------------
// Config schema
// ---------------------------------------------------------------------------

/// The type of a config option.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OptionType {
    /// `type: string` (also when `type` is missing, as Juju does).
    String,
    /// `type: int`: a 64-bit integer.
    Int,
    /// `type: float`.
    Float,
    /// `type: boolean`.
    Boolean,
    /// `type: secret`: a secret URI (`secret:...`).
    Secret,
}

impl OptionType {
    /// The name used in `config.yaml`.
    pub fn as_str(self) -> &'static str {
        match self {
            OptionType::String => "string",
            OptionType::Int => "int",
            OptionType::Float => "float",
            OptionType::Boolean => "boolean",
            OptionType::Secret => "secret",
        }
    }

    /// The type named `name` in `config.yaml`.
    pub fn parse(name: &str) -> Option<OptionType> {
        [
            OptionType::String,
            OptionType::Int,
            OptionType::Float,
            OptionType::Boolean,
            OptionType::Secret,
        ]
        .into_iter()
        .find(|t| t.as_str() == name)
    }

    /// Whether a value Juju sends for an option of this type (JSON, from
    /// `config-get --format=json`) has the right JSON type. `null` (unset)
    /// always matches; a `float` option accepts integers, which is how
    /// Juju encodes whole floats.
    pub fn matches(self, value: &Value) -> bool {
        match (self, value) {
            (_, Value::Null) => true,
            (OptionType::String | OptionType::Secret, Value::String(_)) => true,
            (OptionType::Int, Value::Number(n)) => n.is_i64() || n.is_u64(),
            (OptionType::Float, Value::Number(_)) => true,
            (OptionType::Boolean, Value::Bool(_)) => true,
            _ => false,
        }
    }
}

impl fmt::Display for OptionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One config option.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigOption {
    /// The option name.
    pub name: String,
    /// Its type.
    pub kind: OptionType,
    /// Its default, as Juju will report it: `None` when there is none.
    /// Coerced as Juju coerces it (an `int` default written `"42"` is 42).
    pub default: Option<Value>,
    /// `description:`, empty when missing.
    pub description: String,
}

/// The config options a charm declares.
///
/// Read from `config.yaml` (`options: {name: {type, default,
/// description}}`) or from `charmcraft.yaml`'s `config:` key. Defaults are
/// validated against their type with Juju's rules (`juju/charm`'s
/// `config.go` and `juju/schema`), so that a charm Juju would refuse to
/// deploy is refused here too:
///
/// | type | accepted default |
/// |------|------------------|
/// | `string` | a string |
/// | `secret` | the empty string or a `secret:` URI |
/// | `int` | an integer, or a string Go's `strconv.ParseInt(s, 0, 64)` reads (`"42"`, `"0x2a"`), stored as the integer |
/// | `float` | a float (`1.0`; Juju refuses `1`) |
/// | `boolean` | a boolean (YAML 1.1: also `yes`/`no`/`on`/`off`), or a string Go's `strconv.ParseBool` reads (`"true"`, `"1"`, `"f"`), stored as the boolean |
///
/// A missing `type` means `string`; a `null` default means no default.
///
/// ```
/// use charm_runtime::metadata::{ConfigSchema, OptionType};
/// let schema = ConfigSchema::parse(
///     "options:\n  port: {type: int, default: 80}\n  vip: {type: string, description: VIP}\n",
///     "config.yaml",
/// )
/// .unwrap();
/// assert_eq!(schema.option("port").unwrap().kind, OptionType::Int);
/// assert_eq!(schema.option("port").unwrap().default, Some(80.into()));
/// assert_eq!(schema.option("vip").unwrap().default, None);
///
/// let err = ConfigSchema::parse("options:\n  port: {type: int, default: abc}\n", "config.yaml")
///     .unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     r#"config.yaml: options.port.default must be an integer (type int), found the string "abc""#
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ConfigSchema {
    /// Every option by name.
    pub options: BTreeMap<String, ConfigOption>,
}

impl ConfigSchema {
    /// Parse `text`, the content of a `config.yaml`; `source` names the
    /// file in errors. Like Juju, a `config.yaml` without an `options` key
    /// is an error (`options: {}` declares none).
    pub fn parse(text: &str, source: impl AsRef<Path>) -> Result<Self, MetadataError> {
        let path = source.as_ref();
        let doc = parse_yaml(text, path)?;
        let top = document(&doc, path)?;
        match top.and_then(|top| top.get("options")) {
            None => Err(invalid(
                path,
                "options",
                "is missing (Juju refuses a config.yaml without it; write `options: {}` for no options)",
            )),
            Some(options) => Self::from_options(options, path, "options"),
        }
    }

    /// Parse the `config:` key of `text`, the content of a
    /// `charmcraft.yaml`; no `config` key (or no `options` under it) is an
    /// empty schema.
    pub fn parse_charmcraft(text: &str, source: impl AsRef<Path>) -> Result<Self, MetadataError> {
        let path = source.as_ref();
        let doc = parse_yaml(text, path)?;
        let Some(top) = document(&doc, path)? else {
            return Ok(Self::default());
        };
        let Some(config) = top.get("config") else {
            return Ok(Self::default());
        };
        match mapping(config, path, "config")?.and_then(|c| c.get("options")) {
            None => Ok(Self::default()),
            Some(options) => Self::from_options(options, path, "config.options"),
        }
    }

    /// Read the config schema of the charm in `charm_dir`: `config.yaml`,
    /// or, when it does not exist, the `config:` key of `charmcraft.yaml`.
    /// A charm with neither has no options.
    pub fn load(charm_dir: impl AsRef<Path>) -> Result<Self, MetadataError> {
        match find(charm_dir.as_ref(), CONFIG_FILE)? {
            Layout::Classic(path, text) => Self::parse(&text, path),
            Layout::Charmcraft(path, text) => Self::parse_charmcraft(&text, path),
            Layout::Absent => Ok(Self::default()),
        }
    }

    fn from_options(options: &Value, path: &Path, prefix: &str) -> Result<Self, MetadataError> {
        let mut schema = ConfigSchema::default();
        let Some(map) = mapping(options, path, prefix)? else {
            return Ok(schema);
        };
        for (name, decl) in map {
            let key = join(prefix, name);
            if name.is_empty() {
                return Err(invalid(path, prefix, "has an option with an empty name"));
            }
            let empty = Map::new();
            let decl = mapping(decl, path, &key)?.unwrap_or(&empty);
            let kind = match optional_str(decl, "type", path, &key)? {
                None => OptionType::String,
                Some(t) => OptionType::parse(t).ok_or_else(|| {
                    invalid(
                        path,
                        &join(&key, "type"),
                        format!(
                            "must be one of string, int, float, boolean, secret, found {}",
                            quote(t)
                        ),
                    )
                })?,
            };
            let description = optional_str(decl, "description", path, &key)?
                .unwrap_or_default()
                .to_owned();
            let default = match decl.get("default") {
                None | Some(Value::Null) => None,
                Some(value) => Some(coerce_default(kind, value).map_err(|expected| {
                    invalid(
                        path,
                        &join(&key, "default"),
                        format!(
                            "must be {expected} (type {kind}), found {}",
                            describe(value)
                        ),
                    )
                })?),
            };
            schema.options.insert(
                name.clone(),
                ConfigOption {
                    name: name.clone(),
                    kind,
                    default,
                    description,
                },
            );
        }
        Ok(schema)
    }

    /// The option called `name`.
    pub fn option(&self, name: &str) -> Option<&ConfigOption> {
        self.options.get(name)
    }

    /// Every option name, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.options.keys().map(String::as_str).collect()
    }

    /// The config of a fresh deployment: every option at its default,
    /// `null` when it has none.
    pub fn defaults(&self) -> Map<String, Value> {
        self.options
            .iter()
            .map(|(name, o)| (name.clone(), o.default.clone().unwrap_or(Value::Null)))
            .collect()
    }
}

/// The default `value` coerced to `kind` as Juju coerces it, or what was
/// expected.
fn coerce_default(kind: OptionType, value: &Value) -> Result<Value, &'static str> {
    match (kind, value) {
        (OptionType::String, Value::String(_)) => Ok(value.clone()),
        (OptionType::String, _) => Err("a string"),
        (OptionType::Secret, Value::String(s)) if s.is_empty() || s.starts_with("secret:") => {
            Ok(value.clone())
        }
        (OptionType::Secret, _) => Err("empty or a secret URI (secret:...)"),
        (OptionType::Int, Value::Number(n)) if n.is_i64() => Ok(value.clone()),
        (OptionType::Int, Value::Number(n)) if n.is_u64() => Err("a 64-bit signed integer"),
        (OptionType::Int, Value::String(s)) => go_parse_int(s).map(Value::from).ok_or("an integer"),
        (OptionType::Int, _) => Err("an integer"),
        (OptionType::Float, Value::Number(n)) if n.is_f64() => Ok(value.clone()),
        (OptionType::Float, Value::Number(_)) => Err("a float written with a decimal point"),
        (OptionType::Float, _) => Err("a float"),
        (OptionType::Boolean, Value::Bool(_)) => Ok(value.clone()),
        (OptionType::Boolean, Value::String(s)) => {
            go_parse_bool(s).map(Value::Bool).ok_or("a boolean")
        }
        (OptionType::Boolean, _) => Err("a boolean"),
    }
}

/// Go's `strconv.ParseBool`.
fn go_parse_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`: an optional sign, then `0x`, `0o`,
/// `0b` or a leading `0` (octal) prefix or decimal digits; underscores
/// only between digits or after a prefix.
fn go_parse_int(s: &str) -> Option<i64> {
    let (negative, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest, true)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest, true)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest, true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..], true)
    } else {
        (10, lower.as_str(), false)
    };
    // Underscores: each must follow a digit or the prefix and precede a digit.
    let bytes = digits.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'_' {
            let before_ok = if i == 0 {
                prefixed
            } else {
                bytes[i - 1] != b'_'
            };
            let after_ok = bytes.get(i + 1).is_some_and(|n| *n != b'_');
            if !before_ok || !after_ok {
                return None;
            }
        }
    }
    let clean: String = digits.chars().filter(|c| *c != '_').collect();
    if clean.is_empty() || clean.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = u64::from_str_radix(&clean, radix).ok()?;
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

// ---------------------------------------------------------------------------
// Actions
// ---------------------------------------------------------------------------

/// One action.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionMeta {
    /// The action name.
    pub name: String,
    /// `description:`, empty when missing.
    pub description: String,
    /// `params:`, the JSON-schema-like declaration of the parameters, as
    /// written: always a JSON object (empty when missing).
    pub params: Value,
}

/// The actions a charm declares, from `actions.yaml` (or `charmcraft.yaml`'s
/// `actions:` key): names, descriptions and parameter declarations. Other
/// keys of an action (`required`, `additionalProperties`,
/// `execution-group`, ...) are ignored.
///
/// ```
/// use charm_runtime::metadata::ActionsSchema;
/// let actions = ActionsSchema::parse(
///     "backup:\n  description: Back up.\n  params:\n    target: {type: string}\nrestart:\n",
///     "actions.yaml",
/// )
/// .unwrap();
/// assert_eq!(actions.names(), ["backup", "restart"]);
/// assert_eq!(actions.action("backup").unwrap().params["target"]["type"], "string");
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActionsSchema {
    /// Every action by name.
    pub actions: BTreeMap<String, ActionMeta>,
}

impl ActionsSchema {
    /// Parse `text`, the content of an `actions.yaml`; `source` names the
    /// file in errors. An empty file declares no actions.
    pub fn parse(text: &str, source: impl AsRef<Path>) -> Result<Self, MetadataError> {
        let path = source.as_ref();
        let doc = parse_yaml(text, path)?;
        match document(&doc, path)? {
            None => Ok(Self::default()),
            Some(top) => Self::from_actions(top, path, ""),
        }
    }

    /// Parse the `actions:` key of `text`, the content of a
    /// `charmcraft.yaml`; no `actions` key is no actions.
    pub fn parse_charmcraft(text: &str, source: impl AsRef<Path>) -> Result<Self, MetadataError> {
        let path = source.as_ref();
        let doc = parse_yaml(text, path)?;
        let Some(top) = document(&doc, path)? else {
            return Ok(Self::default());
        };
        match top.get("actions") {
            None => Ok(Self::default()),
            Some(actions) => match mapping(actions, path, "actions")? {
                None => Ok(Self::default()),
                Some(map) => Self::from_actions(map, path, "actions"),
            },
        }
    }

    /// Read the actions of the charm in `charm_dir`: `actions.yaml`, or,
    /// when it does not exist, the `actions:` key of `charmcraft.yaml`. A
    /// charm with neither has no actions.
    pub fn load(charm_dir: impl AsRef<Path>) -> Result<Self, MetadataError> {
        match find(charm_dir.as_ref(), ACTIONS_FILE)? {
            Layout::Classic(path, text) => Self::parse(&text, path),
            Layout::Charmcraft(path, text) => Self::parse_charmcraft(&text, path),
            Layout::Absent => Ok(Self::default()),
        }
    }

    fn from_actions(
        top: &Map<String, Value>,
        path: &Path,
        prefix: &str,
    ) -> Result<Self, MetadataError> {
        let mut schema = ActionsSchema::default();
        for (name, decl) in top {
            let key = join(prefix, name);
            if name.is_empty() {
                return Err(invalid(
                    path,
                    if prefix.is_empty() {
                        "the document"
                    } else {
                        prefix
                    },
                    "has an action with an empty name",
                ));
            }
            let empty = Map::new();
            let decl = mapping(decl, path, &key)?.unwrap_or(&empty);
            let description = optional_str(decl, "description", path, &key)?
                .unwrap_or_default()
                .to_owned();
            let params = match decl.get("params") {
                None | Some(Value::Null) => Value::Object(Map::new()),
                Some(p @ Value::Object(_)) => p.clone(),
                Some(other) => {
                    return Err(wrong_type(
                        path,
                        &join(&key, "params"),
                        "a mapping of parameter names to their schemas",
                        other,
                    ));
                }
            };
            schema.actions.insert(
                name.clone(),
                ActionMeta {
                    name: name.clone(),
                    description,
                    params,
                },
            );
        }
        Ok(schema)
    }

    /// The action called `name`.
    pub fn action(&self, name: &str) -> Option<&ActionMeta> {
        self.actions.get(name)
    }

    /// Every action name, sorted.
    pub fn names(&self) -> Vec<&str> {
        self.actions.keys().map(String::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_parse_int_follows_go() {
        assert_eq!(go_parse_int("42"), Some(42));
        assert_eq!(go_parse_int("-42"), Some(-42));
        assert_eq!(go_parse_int("+7"), Some(7));
        assert_eq!(go_parse_int("0x2A"), Some(42));
        assert_eq!(go_parse_int("0o17"), Some(15));
        assert_eq!(go_parse_int("017"), Some(15));
        assert_eq!(go_parse_int("0b101"), Some(5));
        assert_eq!(go_parse_int("1_000"), Some(1000));
        assert_eq!(go_parse_int("0x_1F"), Some(31));
        assert_eq!(go_parse_int("0"), Some(0));
        assert_eq!(go_parse_int("-9223372036854775808"), Some(i64::MIN));
        for bad in [
            "",
            "-",
            "abc",
            "1__0",
            "_1",
            "1_",
            "08",
            "0x",
            "1.0",
            "--1",
            "+-1",
            "9223372036854775808",
            " 1",
        ] {
            assert_eq!(go_parse_int(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn go_parse_bool_follows_go() {
        assert_eq!(go_parse_bool("True"), Some(true));
        assert_eq!(go_parse_bool("0"), Some(false));
        assert_eq!(go_parse_bool("yes"), None);
    }

    #[test]
    fn describe_cuts_long_strings() {
        let long = "x".repeat(200);
        let text = describe(&Value::String(long));
        assert!(text.len() < 90, "{text}");
        assert!(text.ends_with("..."));
    }
}
