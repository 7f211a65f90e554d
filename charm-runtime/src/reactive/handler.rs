//! Handlers: their definition ([`Handler`], built by hand or by the
//! macros), what a handler body sees of itself ([`HandlerInfo`]) and one
//! call of it ([`Invocation`]).

use std::rc::Rc;

use crate::conditions::Condition;
use crate::reactive::context::HookContext;
use crate::reactive::error::HandlerError;
use crate::reactive::outcome::IntoHandlerResult;

/// The erased body of a handler.
pub type HandlerFn = Rc<dyn Fn(&Invocation<'_>) -> Result<(), HandlerError>>;

/// What a handler body sees of its own definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandlerInfo {
    /// Unique id: `module::path::function` for macro handlers, with
    /// `:endpoint` appended for interface handlers.
    pub id: String,
    /// Every flag named in the handler's `when*` conditions, in the order
    /// written (used to resolve endpoints from flags).
    pub flags: Vec<String>,
    /// Every hook pattern of the handler's `hook` conditions, as written.
    pub hooks: Vec<String>,
    /// The endpoint an interface handler was instantiated for.
    pub endpoint: Option<String>,
    /// The handler's arguments that are typed endpoints, in the order
    /// declared (checked against the charm's metadata when the charm is
    /// built, see [`crate::Charm`]).
    pub typed_args: Vec<TypedArg>,
}

/// A handler argument that is a typed endpoint (an `#[interface]` type):
/// its interface and role, known without running (from
/// [`crate::Extract::INTERFACE`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypedArg {
    /// The type as written, without the module path (`Hacluster`).
    pub type_name: &'static str,
    /// The interface (`hacluster`).
    pub interface: &'static str,
    /// The role the type serves, when it serves one side only.
    pub role: Option<charm_names::Role>,
}

/// One call of a handler: the hook context and the handler's definition.
#[derive(Clone, Copy)]
pub struct Invocation<'a> {
    /// The hook being run.
    pub ctx: &'a HookContext,
    /// The handler being invoked.
    pub handler: &'a HandlerInfo,
}

impl std::fmt::Debug for Invocation<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Invocation")
            .field("handler", &self.handler.id)
            .finish_non_exhaustive()
    }
}

/// A handler: an id, its conditions and its body.
///
/// ```
/// use charm_runtime::{Handler, HookContext};
/// let h = Handler::new("charm::configure", |ctx: &HookContext| ctx.flags().set("configured"))
///     .when(["db.available"])
///     .when_not(["configured"]);
/// assert_eq!(h.id(), "charm::configure");
/// ```
pub struct Handler {
    pub(crate) info: HandlerInfo,
    pub(crate) conditions: Vec<Condition>,
    pub(crate) not_unless: Vec<String>,
    pub(crate) func: HandlerFn,
}

impl std::fmt::Debug for Handler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Handler")
            .field("info", &self.info)
            .field("conditions", &self.conditions)
            .field("not_unless", &self.not_unless)
            .finish_non_exhaustive()
    }
}

fn strings<I, S>(flags: I) -> Vec<String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    flags.into_iter().map(Into::into).collect()
}

impl Handler {
    /// A handler whose body takes the hook context and returns `()` or
    /// `Result<(), E: Display>`.
    pub fn new<F, R>(id: impl Into<String>, body: F) -> Self
    where
        F: Fn(&HookContext) -> R + 'static,
        R: IntoHandlerResult,
    {
        Self::with_invocation(id, move |inv: &Invocation<'_>| body(inv.ctx))
    }

    /// A handler whose body takes the full [`Invocation`] (context plus its
    /// own definition), as macro-generated handlers do to extract arguments.
    pub fn with_invocation<F, R>(id: impl Into<String>, body: F) -> Self
    where
        F: Fn(&Invocation<'_>) -> R + 'static,
        R: IntoHandlerResult,
    {
        let func: HandlerFn = Rc::new(move |inv: &Invocation<'_>| {
            body(inv)
                .into_handler_result()
                .map_err(|error| HandlerError::Failed {
                    handler: inv.handler.id.clone(),
                    error,
                })
        });
        Self::from_raw(id, func)
    }

    /// A handler from an already erased body.
    pub fn from_raw(id: impl Into<String>, func: HandlerFn) -> Self {
        Handler {
            info: HandlerInfo {
                id: id.into(),
                flags: Vec::new(),
                hooks: Vec::new(),
                endpoint: None,
                typed_args: Vec::new(),
            },
            conditions: Vec::new(),
            not_unless: Vec::new(),
            func,
        }
    }

    /// The handler id.
    pub fn id(&self) -> &str {
        &self.info.id
    }

    /// Add a condition.
    pub fn condition(mut self, condition: Condition) -> Self {
        if let Condition::WhenAll(f)
        | Condition::WhenAny(f)
        | Condition::WhenNone(f)
        | Condition::WhenNotAll(f) = &condition
        {
            for flag in f {
                if !self.info.flags.contains(flag) {
                    self.info.flags.push(flag.clone());
                }
            }
        }
        if let Condition::Hook(patterns) = &condition {
            self.info.hooks.extend(patterns.iter().cloned());
        }
        self.conditions.push(condition);
        self
    }

    /// Run when all `flags` are set (`@when`).
    pub fn when<I: IntoIterator<Item = S>, S: Into<String>>(self, flags: I) -> Self {
        self.condition(Condition::WhenAll(strings(flags)))
    }

    /// Same as [`Handler::when`] (`@when_all`).
    pub fn when_all<I: IntoIterator<Item = S>, S: Into<String>>(self, flags: I) -> Self {
        self.when(flags)
    }

    /// Run when at least one of `flags` is set (`@when_any`).
    pub fn when_any<I: IntoIterator<Item = S>, S: Into<String>>(self, flags: I) -> Self {
        self.condition(Condition::WhenAny(strings(flags)))
    }

    /// Run when none of `flags` is set (`@when_not`).
    pub fn when_not<I: IntoIterator<Item = S>, S: Into<String>>(self, flags: I) -> Self {
        self.condition(Condition::WhenNone(strings(flags)))
    }

    /// Same as [`Handler::when_not`] (`@when_none`).
    pub fn when_none<I: IntoIterator<Item = S>, S: Into<String>>(self, flags: I) -> Self {
        self.when_not(flags)
    }

    /// Run when at least one of `flags` is unset (`@when_not_all`).
    pub fn when_not_all<I: IntoIterator<Item = S>, S: Into<String>>(self, flags: I) -> Self {
        self.condition(Condition::WhenNotAll(strings(flags)))
    }

    /// Run in the hook phase when the hook matches a pattern (`@hook`).
    pub fn hook<I: IntoIterator<Item = S>, S: Into<String>>(self, patterns: I) -> Self {
        self.condition(Condition::Hook(strings(patterns)))
    }

    /// Run when a file's content changed (`@when_file_changed`).
    pub fn when_file_changed<I: IntoIterator<Item = S>, S: Into<String>>(self, paths: I) -> Self {
        self.condition(Condition::FileChanged(strings(paths)))
    }

    /// Run at most once over the unit's life (`@only_once`).
    pub fn only_once(self) -> Self {
        self.condition(Condition::OnlyOnce)
    }

    /// Log a warning when invoked while one of `flags` is unset
    /// (`@not_unless`). Not a condition: the handler still runs.
    pub fn not_unless<I: IntoIterator<Item = S>, S: Into<String>>(mut self, flags: I) -> Self {
        self.not_unless.extend(strings(flags));
        self
    }

    /// Run when Juju runs the action `name` (`#[action]`); an action
    /// handler has no other condition.
    pub fn action(self, name: impl Into<String>) -> Self {
        self.condition(Condition::Action(name.into()))
    }

    /// Mark this handler as instantiated for `endpoint`.
    pub fn for_endpoint(mut self, endpoint: impl Into<String>) -> Self {
        self.info.endpoint = Some(endpoint.into());
        self
    }

    /// Declare that the handler takes the typed endpoint `arg`, so that
    /// building the charm checks its flags resolve to a relation of that
    /// interface (the macros declare their arguments).
    pub fn typed_arg(mut self, arg: TypedArg) -> Self {
        self.info.typed_args.push(arg);
        self
    }
}
