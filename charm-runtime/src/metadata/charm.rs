//! The charm's metadata proper: its name, endpoints and extra bindings,
//! and the `{role:interface}` resolver built from them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::rc::Rc;

use serde_json::{Map, Value};

use super::error::{MetadataError, invalid, join, quote, wrong_type};
use super::files::METADATA_FILE;
use super::role::{Role, Scope};
use super::yaml::{Layout, document, find, mapping, optional_bool, optional_str, parse_yaml};

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
    pub fn relation_resolver(&self) -> crate::reactive::RelationResolver {
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
