//! The internal model of one handler: the function, its conditions as
//! written, and its arguments. Built by `parse`, checked by `validate`,
//! turned into code by `expand`.

use proc_macro2::Span;
use syn::{ItemFn, LitStr, Path, Type};

use crate::errors::Range;

/// Which of our attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    When,
    WhenAll,
    WhenAny,
    WhenNot,
    WhenNone,
    WhenNotAll,
    Hook,
    WhenFileChanged,
    OnlyOnce,
    NotUnless,
    Action,
}

/// What an attribute's string literals are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Values {
    /// Flag names.
    Flags,
    /// Hook patterns.
    HookPatterns,
    /// File paths.
    Paths,
    /// One action name.
    ActionName,
    /// The attribute takes no argument.
    Nothing,
}

impl Kind {
    /// Every attribute, in the order the docs list them.
    pub const ALL: [Kind; 11] = [
        Kind::When,
        Kind::WhenAll,
        Kind::WhenAny,
        Kind::WhenNot,
        Kind::WhenNone,
        Kind::WhenNotAll,
        Kind::Hook,
        Kind::WhenFileChanged,
        Kind::OnlyOnce,
        Kind::NotUnless,
        Kind::Action,
    ];

    /// The attribute's name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::When => "when",
            Kind::WhenAll => "when_all",
            Kind::WhenAny => "when_any",
            Kind::WhenNot => "when_not",
            Kind::WhenNone => "when_none",
            Kind::WhenNotAll => "when_not_all",
            Kind::Hook => "hook",
            Kind::WhenFileChanged => "when_file_changed",
            Kind::OnlyOnce => "only_once",
            Kind::NotUnless => "not_unless",
            Kind::Action => "action",
        }
    }

    /// The attribute named `name`, if it is one of ours.
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// What the attribute's arguments are.
    pub fn values(self) -> Values {
        match self {
            Kind::When
            | Kind::WhenAll
            | Kind::WhenAny
            | Kind::WhenNot
            | Kind::WhenNone
            | Kind::WhenNotAll
            | Kind::NotUnless => Values::Flags,
            Kind::Hook => Values::HookPatterns,
            Kind::WhenFileChanged => Values::Paths,
            Kind::OnlyOnce => Values::Nothing,
            Kind::Action => Values::ActionName,
        }
    }

    /// Whether the attribute is a flag condition (`when*`).
    pub fn is_flag_condition(self) -> bool {
        self.values() == Values::Flags && self != Kind::NotUnless
    }

    /// The set the flags of a flag condition must be in, if the condition
    /// constrains each flag alone (`when`/`when_all`: set;
    /// `when_not`/`when_none`: unset).
    pub fn each_flag(self) -> Option<bool> {
        match self {
            Kind::When | Kind::WhenAll => Some(true),
            Kind::WhenNot | Kind::WhenNone => Some(false),
            _ => None,
        }
    }
}

/// One argument of an attribute.
#[derive(Debug, Clone)]
pub enum Value {
    /// A string literal, checked by the macro.
    Lit(LitStr),
    /// A path to a `charm_runtime::Flag` constant (flag attributes only),
    /// checked by the compiler.
    Const(Path),
}

impl Value {
    /// The literal, if the argument is one.
    pub fn lit(&self) -> Option<&LitStr> {
        match self {
            Value::Lit(lit) => Some(lit),
            Value::Const(_) => None,
        }
    }

    /// Where the argument is written.
    pub fn range(&self) -> Range {
        match self {
            Value::Lit(lit) => Range::from(lit.span()),
            Value::Const(path) => Range::of(path, Span::call_site()),
        }
    }
}

/// One of our attributes on the handler, as written.
#[derive(Debug, Clone)]
pub struct Attr {
    pub kind: Kind,
    /// The whole attribute (`#[when("a")]`).
    pub range: Range,
    /// Its arguments, in the order written.
    pub values: Vec<Value>,
    /// Whether it was written without arguments (`#[when]`, `#[when()]`).
    pub empty: bool,
}

/// Where the handler is defined. `{endpoint_name}` is only meaningful in
/// handlers of an `#[interface]` impl, which may also take `self`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    /// A free function (or a method outside an `#[interface]` impl).
    FreeFn,
    /// A method of an `#[interface]` impl.
    Interface,
}

/// The `self` of a method.
#[derive(Debug, Clone, Copy)]
pub struct Receiver {
    pub range: Range,
    /// `self`, `&self` or `&mut self`.
    pub passing: Passing,
    /// Written with a type (`self: Box<Self>`), which is not supported.
    pub typed: bool,
}

/// How an extracted argument is passed to the handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passing {
    /// `T`: moved in.
    Value,
    /// `&T`.
    Ref,
    /// `&mut T`.
    RefMut,
}

/// One argument of the handler.
#[derive(Debug, Clone)]
pub struct Arg {
    /// The type extracted: the declared type without its outer reference,
    /// with named lifetimes replaced by `'_`.
    pub extracted: Type,
    /// The span of the extracted type as written, for errors.
    pub span: Span,
    pub passing: Passing,
}

/// A handler function and everything the macros were told about it.
#[derive(Debug, Clone)]
pub struct HandlerModel {
    /// The function without our attributes.
    pub item: ItemFn,
    /// The paths of our attributes taken off the function (`when_not`,
    /// `charm_macros::when_not`).
    pub taken: Vec<Path>,
    pub site: Site,
    /// Conditions, in source order (the attribute that expands first is
    /// the outermost, so it comes first).
    pub conditions: Vec<Attr>,
    /// `#[not_unless]` attributes, in source order.
    pub not_unless: Vec<Attr>,
    /// Arguments other than a `self` receiver.
    pub args: Vec<Arg>,
    /// A `self` receiver, if there is one (an error outside an
    /// `#[interface]` impl).
    pub receiver: Option<Receiver>,
    /// The declared return type, with named lifetimes replaced by `'_`.
    pub ret: Option<Type>,
    /// Where errors about the return type point.
    pub ret_span: Span,
}

impl HandlerModel {
    /// Every attribute, conditions first.
    pub fn attrs(&self) -> impl Iterator<Item = &Attr> {
        self.conditions.iter().chain(&self.not_unless)
    }
}
