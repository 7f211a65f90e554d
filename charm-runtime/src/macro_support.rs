//! Items the `charm-macros` expansions refer to. Not a stable API: use the
//! macros, or [`crate::Handler`] by hand.

use crate::conditions::Condition;
use crate::endpoint::TypedArg;
use crate::metadata::{Metadata, Role};
use crate::reactive::Handler;
use crate::reactive::HandlerError;
use crate::reactive::Invocation;

pub use inventory;

/// The endpoint an interface handler was instantiated for: what its
/// `self` is built from (`Interface::from_endpoint`).
pub fn instantiated_endpoint<'a>(
    inv: &Invocation<'a>,
) -> Result<crate::endpoint::Endpoint<'a>, crate::ExtractError> {
    match &inv.handler.endpoint {
        Some(name) => Ok(crate::endpoint::Endpoint::new(inv.ctx, name)),
        None => Err(crate::ExtractError::new::<crate::endpoint::Endpoint<'_>>(
            format!(
                "handler {} is an interface handler and was not instantiated for an endpoint: build the registry with `Registry::for_charm`",
                inv.handler.id
            ),
        )),
    }
}

/// A condition as written in an attribute.
#[derive(Debug, Clone, Copy)]
pub enum ConditionDef {
    /// `#[when]` / `#[when_all]`.
    WhenAll(&'static [&'static str]),
    /// `#[when_any]`.
    WhenAny(&'static [&'static str]),
    /// `#[when_not]` / `#[when_none]`.
    WhenNone(&'static [&'static str]),
    /// `#[when_not_all]`.
    WhenNotAll(&'static [&'static str]),
    /// `#[hook]`.
    Hook(&'static [&'static str]),
    /// `#[when_file_changed]`.
    FileChanged(&'static [&'static str]),
    /// `#[only_once]`.
    OnlyOnce,
    /// `#[action]`.
    Action(&'static str),
}

/// `{endpoint_name}` in the flags and hook patterns of interface handlers.
pub use charm_names::flag::ENDPOINT_NAME;

impl ConditionDef {
    /// The condition, with `{endpoint_name}` replaced by `endpoint` when
    /// the handler is instantiated for one.
    fn to_condition(self, endpoint: Option<&str>) -> Condition {
        let v = |x: &[&str]| {
            x.iter()
                .map(|s| match endpoint {
                    Some(e) => charm_names::flag::expand_endpoint_name(s, e),
                    None => (*s).to_owned(),
                })
                .collect()
        };
        match self {
            ConditionDef::WhenAll(x) => Condition::WhenAll(v(x)),
            ConditionDef::WhenAny(x) => Condition::WhenAny(v(x)),
            ConditionDef::WhenNone(x) => Condition::WhenNone(v(x)),
            ConditionDef::WhenNotAll(x) => Condition::WhenNotAll(v(x)),
            ConditionDef::Hook(x) => Condition::Hook(v(x)),
            ConditionDef::FileChanged(x) => Condition::FileChanged(v(x)),
            ConditionDef::OnlyOnce => Condition::OnlyOnce,
            ConditionDef::Action(name) => Condition::Action(name.to_owned()),
        }
    }
}

/// What the macros know of one argument of a handler: its type and, for a
/// typed endpoint, its interface (`<T as Extract>::INTERFACE`).
#[derive(Debug, Clone, Copy)]
pub struct ArgDef {
    /// The type as written, without the module path (`Hacluster`).
    pub type_name: &'static str,
    /// `<T as Extract>::INTERFACE`.
    pub interface: Option<&'static str>,
    /// `<T as Extract>::INTERFACE_ROLE`.
    pub role: Option<Role>,
}

/// A handler registered by the attribute macros.
#[derive(Debug)]
pub struct HandlerDef {
    /// `module_path!()` of the function.
    pub module_path: &'static str,
    /// The function name; `Type::method` for a method of an `#[interface]`
    /// impl.
    pub name: &'static str,
    /// The source line of the function.
    pub line: u32,
    /// Its conditions.
    pub conditions: &'static [ConditionDef],
    /// `#[not_unless]` flags.
    pub not_unless: &'static [&'static str],
    /// For a handler of an `#[interface]` impl: the interface of its type
    /// (`<Type as Interface>::NAME`). Such a handler is a template,
    /// instantiated once per endpoint of that interface by
    /// [`Registry::for_charm`](crate::Registry::for_charm).
    pub interface: Option<&'static str>,
    /// For a handler of an `#[interface]` impl: the role of its type
    /// (`<Type as Interface>::ROLE`).
    pub role: Option<Role>,
    /// The arguments, in order (not `self`).
    pub args: &'static [ArgDef],
    /// The generated wrapper that extracts arguments and calls the function.
    pub call: fn(&Invocation<'_>) -> Result<(), HandlerError>,
}

inventory::collect!(HandlerDef);

impl HandlerDef {
    /// The handler id: `module::path::function`.
    pub fn id(&self) -> String {
        format!("{}::{}", self.module_path, self.name)
    }

    /// Whether the handler lives in module `prefix` or below it.
    pub fn in_module(&self, prefix: &str) -> bool {
        prefix.is_empty()
            || self.module_path == prefix
            || self
                .module_path
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with("::"))
    }

    /// Whether this is an interface handler (a template).
    pub fn is_template(&self) -> bool {
        self.interface.is_some()
    }

    /// A runtime handler for this definition (of a template, the template
    /// itself, with `{endpoint_name}` left in place).
    pub fn handler(&self) -> Handler {
        self.build(None)
    }

    /// The handler instantiated for `endpoint`: `{endpoint_name}` replaced
    /// in flags and hook patterns, id `module::path::Type::method:endpoint`.
    pub fn handler_for(&self, endpoint: &str) -> Handler {
        self.build(Some(endpoint))
    }

    fn build(&self, endpoint: Option<&str>) -> Handler {
        let call = self.call;
        let id = match endpoint {
            Some(e) => format!("{}:{e}", self.id()),
            None => self.id(),
        };
        let mut h = Handler::from_raw(id, std::rc::Rc::new(call));
        for c in self.conditions {
            h = h.condition(c.to_condition(endpoint));
        }
        for a in self.args {
            if let Some(interface) = a.interface {
                h = h.typed_arg(TypedArg {
                    type_name: a.type_name,
                    interface,
                    role: a.role,
                });
            }
        }
        if let Some(e) = endpoint {
            h = h.for_endpoint(e);
        }
        h.not_unless(self.not_unless.iter().map(|f| match endpoint {
            Some(e) => charm_names::flag::expand_endpoint_name(f, e),
            None => (*f).to_owned(),
        }))
    }

    /// The endpoints of `metadata` this template is instantiated for: those
    /// of its interface (and role, if its type serves one side), by name.
    pub fn endpoints<'m>(&self, metadata: &'m Metadata) -> Vec<&'m str> {
        let Some(interface) = self.interface else {
            return Vec::new();
        };
        metadata
            .endpoints
            .values()
            .filter(|e| e.interface == interface && self.role.is_none_or(|r| r == e.role))
            .map(|e| e.name.as_str())
            .collect()
    }
}
