//! Typed endpoints: the [`Interface`] trait `#[interface]` types
//! implement, and how the endpoint of a typed argument is found in the
//! charm's metadata.

use super::view::Endpoint;
use crate::metadata::{Metadata, Role};

// ---------------------------------------------------------------------------
// Typed endpoints
// ---------------------------------------------------------------------------

/// An endpoint type of one interface: the Rust form of a charms.reactive
/// interface layer's `Endpoint` subclass.
///
/// Implement it with `#[charm_macros::interface("name")]` on a struct whose
/// only field is an [`Endpoint`]; the macro also makes the type a handler
/// argument ([`crate::Extract`]) and derefs it to its [`Endpoint`].
/// `#[interface]` on an `impl` block of the type turns the methods that
/// carry handler attributes into *interface handlers*, instantiated by
/// [`crate::Registry::for_charm`] once per endpoint of the charm's
/// metadata with this interface (and role, when [`Interface::ROLE`] is
/// set), with `{endpoint_name}` in their flags and hook patterns replaced by
/// the endpoint's name, as charms.reactive instantiates the handlers of an
/// interface layer.
///
/// ```
/// use charm_runtime::endpoint::{Endpoint, Interface};
///
/// /// The `hacluster` interface, written by hand.
/// struct Hacluster<'a>(Endpoint<'a>);
///
/// impl<'a> Interface<'a> for Hacluster<'a> {
///     const NAME: &'static str = "hacluster";
///     fn from_endpoint(endpoint: Endpoint<'a>) -> Self {
///         Hacluster(endpoint)
///     }
///     fn endpoint(&self) -> &Endpoint<'a> {
///         &self.0
///     }
/// }
/// assert_eq!(Hacluster::NAME, "hacluster");
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an interface type",
    label = "not an `#[interface]` type",
    note = "put `#[interface(\"<interface name>\")]` on a struct whose only field is an `Endpoint<'a>`, then `#[interface]` on its impl block"
)]
pub trait Interface<'a>: Sized {
    /// The interface name, as in `metadata.yaml` (`interface: hacluster`).
    const NAME: &'static str;
    /// The side of the interface the type implements, when it implements
    /// only one (as an interface layer's `provides.py` or `requires.py`):
    /// its handlers are then instantiated only for endpoints declared in
    /// that section of the metadata. `None` (the default) accepts any role.
    const ROLE: Option<Role> = None;
    /// The typed endpoint over `endpoint`.
    fn from_endpoint(endpoint: Endpoint<'a>) -> Self;
    /// The underlying endpoint.
    fn endpoint(&self) -> &Endpoint<'a>;
}

pub use crate::reactive::TypedArg;

/// The endpoint of the charm's metadata that `flag` names, as
/// charms.reactive's `endpoint_from_flag`: `endpoint.<name>.*` names
/// `<name>`; otherwise `<name>.<anything>` names `<name>` if the metadata
/// declares a relation `<name>`.
///
/// ```
/// use charm_runtime::endpoint::endpoint_named_by_flag;
/// use charm_runtime::metadata::Metadata;
/// let meta = Metadata::parse("name: x\nrequires: {db: mysql}", "metadata.yaml").unwrap();
/// assert_eq!(endpoint_named_by_flag("endpoint.db.joined", &meta), Some("db"));
/// assert_eq!(endpoint_named_by_flag("db.available", &meta), Some("db"));
/// assert_eq!(endpoint_named_by_flag("app.installed", &meta), None);
/// assert_eq!(endpoint_named_by_flag("db", &meta), None);
/// ```
pub fn endpoint_named_by_flag<'m>(flag: &str, metadata: &'m Metadata) -> Option<&'m str> {
    let name = match charm_names::endpoint_of_flag(flag) {
        Some(name) => name,
        None => flag.split_once('.')?.0,
    };
    metadata.endpoint(name).map(|e| e.name.as_str())
}

/// How a typed endpoint argument of a handler resolves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resolution {
    /// To this endpoint.
    Found(String),
    /// The first endpoint the handler names has another interface or role.
    Mismatch {
        /// The flag that named it; `None` when it is the endpoint the
        /// handler was instantiated for.
        flag: Option<String>,
        /// The endpoint.
        endpoint: String,
        /// Its role in metadata.
        role: Role,
        /// Its interface in metadata.
        interface: String,
    },
    /// The handler names no endpoint of the metadata.
    NoEndpoint,
}

/// Resolve a typed endpoint argument of `info` with `interface` (and
/// `role`): the endpoint the handler was instantiated for, else the first
/// of its flags that names an endpoint of `metadata`
/// ([`endpoint_named_by_flag`]), whose interface (and role) match.
pub(crate) fn resolve(
    info: &crate::HandlerInfo,
    metadata: &Metadata,
    interface: &str,
    role: Option<Role>,
) -> Resolution {
    let candidates = info.endpoint.iter().map(|e| (None, e.as_str())).chain(
        info.flags
            .iter()
            .filter_map(|f| Some((Some(f), endpoint_named_by_flag(f, metadata)?))),
    );
    let mut first = None;
    for (flag, name) in candidates {
        let Some(meta) = metadata.endpoint(name) else {
            continue;
        };
        if meta.interface == interface && role.is_none_or(|r| r == meta.role) {
            return Resolution::Found(name.to_owned());
        }
        first.get_or_insert_with(|| Resolution::Mismatch {
            flag: flag.cloned(),
            endpoint: name.to_owned(),
            role: meta.role,
            interface: meta.interface.clone(),
        });
    }
    first.unwrap_or(Resolution::NoEndpoint)
}

/// `interface`, or `role interface` when the role matters.
fn side(interface: &str, role: Option<Role>) -> String {
    match role {
        Some(r) => format!("the {r} side of interface {interface:?}"),
        None => format!("interface {interface:?}"),
    }
}

/// Why a typed endpoint argument does not resolve, naming the handler, the
/// flag (or the endpoint it was instantiated for), the relation and both
/// interfaces.
pub(crate) fn unresolved_message(
    handler: &str,
    arg: &TypedArg,
    resolution: &Resolution,
    metadata: &Metadata,
) -> String {
    let wanted = side(arg.interface, arg.role);
    match resolution {
        Resolution::Found(_) => String::new(),
        Resolution::Mismatch {
            flag,
            endpoint,
            role,
            interface,
        } => {
            let via = match flag {
                Some(flag) => format!("flag {flag:?} names relation {endpoint:?}"),
                None => format!("it is instantiated for relation {endpoint:?}"),
            };
            let found = if arg.role.is_some() {
                format!("a {role} endpoint of interface {interface:?} in the charm's metadata")
            } else {
                format!("of interface {interface:?} in the charm's metadata")
            };
            format!(
                "handler {handler} takes {}, an endpoint of {wanted}, but {via}, which is {found}",
                arg.type_name
            )
        }
        Resolution::NoEndpoint => {
            let matching: Vec<&str> = metadata
                .endpoints
                .values()
                .filter(|e| e.interface == arg.interface && arg.role.is_none_or(|r| r == e.role))
                .map(|e| e.name.as_str())
                .collect();
            let hint = match matching.first() {
                Some(name) => format!(
                    "; relations of that interface: {} (name one in a flag, e.g. `endpoint.{name}.joined`)",
                    matching.join(", ")
                ),
                None => "; the charm's metadata declares no relation of that interface".to_owned(),
            };
            format!(
                "handler {handler} takes {}, an endpoint of {wanted}, but none of its flags names a relation of the charm's metadata{hint}",
                arg.type_name
            )
        }
    }
}

/// `std::any::type_name` without the module path (`Hacluster<'_>`).
fn short_type_name<T: ?Sized>() -> &'static str {
    let full = std::any::type_name::<T>();
    let end = full.find('<').unwrap_or(full.len());
    match full[..end].rfind("::") {
        Some(i) => &full[i + 2..end],
        None => &full[..end],
    }
}

/// Extract the typed endpoint `T` for `inv`: the endpoint the handler was
/// instantiated for, else the first of its flags naming an endpoint of the
/// charm's metadata of `T`'s interface (see [`endpoint_named_by_flag`]).
/// What `#[interface("...")]` types use as [`crate::Extract::extract`].
pub fn extract_interface<'a, T: Interface<'a>>(
    inv: &crate::Invocation<'a>,
) -> Result<T, crate::ExtractError> {
    if let Some(name) = &inv.handler.endpoint {
        return Ok(T::from_endpoint(Endpoint::new(inv.ctx, name)));
    }
    let juju = inv.ctx.juju();
    let metadata = juju.metadata();
    match resolve(inv.handler, metadata, T::NAME, T::ROLE) {
        Resolution::Found(name) => Ok(T::from_endpoint(Endpoint::new(inv.ctx, &name))),
        other => {
            let arg = TypedArg {
                type_name: short_type_name::<T>(),
                interface: T::NAME,
                role: T::ROLE,
            };
            Err(crate::ExtractError::new::<T>(unresolved_message(
                &inv.handler.id,
                &arg,
                &other,
                metadata,
            )))
        }
    }
}

/// A typed endpoint asked for outside a handler's arguments cannot be
/// found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InterfaceLookupError {
    /// No endpoint of the charm has the type's interface (and role).
    #[error("the charm's metadata declares no relation of interface {interface:?}{role}")]
    None {
        /// The interface.
        interface: &'static str,
        /// ` as <role>` when the type serves one side.
        role: String,
    },
    /// Several endpoints have it: name one.
    #[error(
        "the charm's metadata declares several relations of interface {interface:?} ({}): name one with `ctx.interface_on::<T>(name)`",
        endpoints.join(", ")
    )]
    Several {
        /// The interface.
        interface: &'static str,
        /// The endpoints, sorted.
        endpoints: Vec<String>,
    },
    /// The named endpoint is not declared, or has another interface or role.
    #[error("relation {endpoint:?}: {reason}")]
    Mismatch {
        /// The endpoint asked for.
        endpoint: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl From<InterfaceLookupError> for crate::Error {
    fn from(e: InterfaceLookupError) -> Self {
        crate::Error::Interface(Box::new(e))
    }
}

fn role_suffix(role: Option<Role>) -> String {
    role.map(|r| format!(" as {}", r.as_str()))
        .unwrap_or_default()
}

impl crate::HookContext {
    /// The typed endpoint `T` from any code of the hook (an atexit
    /// callback, a helper function): the one endpoint of the charm's
    /// metadata with `T`'s interface (and role), as a handler argument of
    /// type `T` would be resolved. When several endpoints have that
    /// interface, name one with [`HookContext::interface_on`](crate::HookContext::interface_on).
    pub fn interface<'a, T: Interface<'a>>(&'a self) -> Result<T, InterfaceLookupError> {
        let juju = self.juju();
        let endpoints: Vec<String> = juju
            .metadata()
            .endpoints
            .values()
            .filter(|e| e.interface == T::NAME && T::ROLE.is_none_or(|r| r == e.role))
            .map(|e| e.name.clone())
            .collect();
        match endpoints.as_slice() {
            [one] => Ok(T::from_endpoint(Endpoint::new(self, one))),
            [] => Err(InterfaceLookupError::None {
                interface: T::NAME,
                role: role_suffix(T::ROLE),
            }),
            _ => Err(InterfaceLookupError::Several {
                interface: T::NAME,
                endpoints,
            }),
        }
    }

    /// The typed endpoint `T` on the endpoint `name`, checked to be
    /// declared with `T`'s interface (and role).
    pub fn interface_on<'a, T: Interface<'a>>(
        &'a self,
        name: &str,
    ) -> Result<T, InterfaceLookupError> {
        let juju = self.juju();
        let metadata = juju.metadata();
        let reason = match metadata.endpoint(name) {
            None => crate::error::UndeclaredName::new("relation", name, &metadata.relation_names())
                .to_string(),
            Some(e) if e.interface != T::NAME || T::ROLE.is_some_and(|r| r != e.role) => format!(
                "declared as {} of interface {:?}, not {:?}{}",
                e.role.as_str(),
                e.interface,
                T::NAME,
                role_suffix(T::ROLE)
            ),
            Some(_) => return Ok(T::from_endpoint(Endpoint::new(self, name))),
        };
        Err(InterfaceLookupError::Mismatch {
            endpoint: name.to_owned(),
            reason,
        })
    }
}
