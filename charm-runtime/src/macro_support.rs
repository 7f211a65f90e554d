//! Items the `charm-macros` expansions refer to. Not a stable API: use the
//! macros, or [`crate::Handler`] by hand.

use crate::conditions::Condition;
use crate::error::{HandlerError, RegistryError};
use crate::extract::Invocation;
use crate::handler::Handler;
use crate::registry::Registry;

pub use inventory;

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
}

impl ConditionDef {
    fn to_condition(self) -> Condition {
        let v = |x: &[&str]| x.iter().map(|s| (*s).to_owned()).collect();
        match self {
            ConditionDef::WhenAll(x) => Condition::WhenAll(v(x)),
            ConditionDef::WhenAny(x) => Condition::WhenAny(v(x)),
            ConditionDef::WhenNone(x) => Condition::WhenNone(v(x)),
            ConditionDef::WhenNotAll(x) => Condition::WhenNotAll(v(x)),
            ConditionDef::Hook(x) => Condition::Hook(v(x)),
            ConditionDef::FileChanged(x) => Condition::FileChanged(v(x)),
            ConditionDef::OnlyOnce => Condition::OnlyOnce,
        }
    }
}

/// A handler registered by the attribute macros.
#[derive(Debug)]
pub struct HandlerDef {
    /// `module_path!()` of the function.
    pub module_path: &'static str,
    /// The function name.
    pub name: &'static str,
    /// The source line of the function.
    pub line: u32,
    /// Its conditions.
    pub conditions: &'static [ConditionDef],
    /// `#[not_unless]` flags.
    pub not_unless: &'static [&'static str],
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

    /// A runtime handler for this definition.
    pub fn handler(&self) -> Handler {
        let call = self.call;
        let mut h = Handler::from_raw(self.id(), std::rc::Rc::new(call));
        for c in self.conditions {
            h = h.condition(c.to_condition());
        }
        h.not_unless(self.not_unless.iter().copied())
    }
}

impl Registry {
    /// A registry of the macro-registered handlers whose module path is
    /// `prefix` or below it (`""` for all), ordered by module path, then
    /// source line.
    pub fn from_inventory(prefix: &str) -> Result<Registry, RegistryError> {
        let mut registry = Registry::new();
        registry.add_inventory(prefix)?;
        Ok(registry)
    }

    /// Add the macro-registered handlers under `prefix`, ordered by module
    /// path, then source line, after those already registered.
    pub fn add_inventory(&mut self, prefix: &str) -> Result<&mut Self, RegistryError> {
        let mut defs: Vec<&HandlerDef> = inventory::iter::<HandlerDef>
            .into_iter()
            .filter(|d| d.in_module(prefix))
            .collect();
        defs.sort_by(|a, b| (a.module_path, a.line, a.name).cmp(&(b.module_path, b.line, b.name)));
        for d in defs {
            self.add(d.handler())?;
        }
        Ok(self)
    }
}
