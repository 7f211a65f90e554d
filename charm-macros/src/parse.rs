//! From tokens to the model: the attribute arguments, the sibling
//! attributes of ours still on the item, and the function signature.
//!
//! Parsing only reports what cannot be read at all (a non-string
//! argument, `#[when = "x"]`); whether what was read makes sense is
//! `validate`'s job.

use proc_macro2::{Span, TokenStream};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{
    Attribute, Expr, FnArg, Item, ItemFn, Lifetime, Lit, Meta, Path, ReturnType, Token, Type,
};

use crate::errors::{Errors, Range};
use crate::model::{Arg, Attr, HandlerModel, Kind, Passing, Receiver, Site, Value, Values};

/// What the attribute was put on.
pub enum Parsed {
    /// A function: the handler.
    Handler(Box<HandlerModel>),
    /// Anything else.
    NotAFunction {
        /// The item without our attributes.
        item: TokenStream,
        /// What it is ("a struct"), for the error.
        what: &'static str,
        /// The paths of our attributes taken off it.
        paths: Vec<Path>,
    },
}

/// Parse the item an attribute `kind` with arguments `args` was put on.
pub fn item(kind: Kind, args: TokenStream, input: TokenStream, errors: &mut Errors) -> Parsed {
    match syn::parse2::<Item>(input.clone()) {
        Ok(Item::Fn(item)) => Parsed::Handler(Box::new(handler(kind, args, item, errors))),
        Ok(mut item) => {
            let what = item_kind(&item);
            let paths = match item_attrs(&mut item) {
                Some(attrs) => take_ours(attrs)
                    .into_iter()
                    .map(|a| a.path().clone())
                    .collect(),
                None => Vec::new(),
            };
            Parsed::NotAFunction {
                item: quote::quote!(#item),
                what,
                paths,
            }
        }
        Err(_) => Parsed::NotAFunction {
            item: input,
            what: "this item",
            paths: Vec::new(),
        },
    }
}

/// Parse a handler function whose outermost attribute of ours is `kind`
/// with arguments `args`.
pub fn handler(
    kind: Kind,
    args: TokenStream,
    mut item: ItemFn,
    errors: &mut Errors,
) -> HandlerModel {
    let own = Range::from(Span::call_site());
    let mut attrs = vec![attr_from_args(kind, own, args, errors)];
    let taken = take_attrs(&mut item.attrs, &mut attrs, errors);
    build(item, attrs, taken, Site::FreeFn)
}

/// Parse a method of an `#[interface]` impl: `None` when it carries none
/// of our attributes (it is not a handler).
pub fn method(item: &syn::ImplItemFn, errors: &mut Errors) -> Option<HandlerModel> {
    if !item
        .attrs
        .iter()
        .any(|a| matches!(a.style, syn::AttrStyle::Outer) && kind_of(a).is_some())
    {
        return None;
    }
    let mut item = ItemFn {
        attrs: item.attrs.clone(),
        vis: item.vis.clone(),
        sig: item.sig.clone(),
        block: Box::new(item.block.clone()),
    };
    let mut attrs = Vec::new();
    let taken = take_attrs(&mut item.attrs, &mut attrs, errors);
    Some(build(item, attrs, taken, Site::Interface))
}

/// Take our attributes off `item_attrs`, appending them to `attrs`;
/// returns their paths.
fn take_attrs(
    item_attrs: &mut Vec<Attribute>,
    attrs: &mut Vec<Attr>,
    errors: &mut Errors,
) -> Vec<Path> {
    let mut taken = Vec::new();
    for attribute in take_ours(item_attrs) {
        if let Some(attr) = attr_from_attribute(&attribute, errors) {
            attrs.push(attr);
        }
        taken.push(attribute.path().clone());
    }
    taken
}

fn build(item: ItemFn, attrs: Vec<Attr>, taken: Vec<Path>, site: Site) -> HandlerModel {
    let (not_unless, conditions) = attrs.into_iter().partition(|a| a.kind == Kind::NotUnless);

    let mut args = Vec::new();
    let mut receiver = None;
    for input in &item.sig.inputs {
        match input {
            FnArg::Receiver(r) => {
                receiver = Some(Receiver {
                    range: Range::of(r, r.self_token.span),
                    passing: match &r.reference {
                        None => Passing::Value,
                        Some(_) if r.mutability.is_some() => Passing::RefMut,
                        Some(_) => Passing::Ref,
                    },
                    typed: r.colon_token.is_some(),
                })
            }
            FnArg::Typed(pat) => args.push(arg(&pat.ty)),
        }
    }
    let (ret, ret_span) = match &item.sig.output {
        ReturnType::Default => (None, item.sig.ident.span()),
        ReturnType::Type(_, declared) => {
            let mut ty = ungroup(declared).clone();
            EraseLifetimes.visit_type_mut(&mut ty);
            (Some(ty), declared.span())
        }
    };
    HandlerModel {
        item,
        taken,
        site,
        conditions,
        not_unless,
        args,
        receiver,
        ret,
        ret_span,
    }
}

/// Remove our attributes from `attrs` (those of methods of an
/// `#[interface]` impl), returning their paths.
pub fn strip_ours(attrs: &mut Vec<Attribute>) -> Vec<Path> {
    take_ours(attrs)
        .into_iter()
        .map(|a| a.path().clone())
        .collect()
}

/// Whether `attribute` is one of ours: matched by the last segment of its
/// path, so that `#[charm_macros::when]` counts too.
fn kind_of(attribute: &Attribute) -> Option<Kind> {
    let last = attribute.path().segments.last()?;
    Kind::from_name(&last.ident.to_string())
}

/// Remove our attributes from `attrs`, returning them in order.
fn take_ours(attrs: &mut Vec<Attribute>) -> Vec<Attribute> {
    let (ours, others) = std::mem::take(attrs)
        .into_iter()
        .partition(|a| matches!(a.style, syn::AttrStyle::Outer) && kind_of(a).is_some());
    *attrs = others;
    ours
}

/// A sibling attribute of ours.
fn attr_from_attribute(attribute: &Attribute, errors: &mut Errors) -> Option<Attr> {
    let kind = kind_of(attribute)?;
    let range = Range::of(attribute, attribute.pound_token.span);
    match &attribute.meta {
        Meta::Path(_) => Some(attr_from_args(kind, range, TokenStream::new(), errors)),
        Meta::List(list) => {
            if !matches!(list.delimiter, syn::MacroDelimiter::Paren(_)) {
                errors.at(
                    range,
                    format!("write `#[{}(...)]` with parentheses", kind.name()),
                );
                return None;
            }
            Some(attr_from_args(kind, range, list.tokens.clone(), errors))
        }
        Meta::NameValue(_) => {
            let example = example(kind);
            errors.at(
                range,
                format!(
                    "`#[{0} = ...]` is not supported: write `#[{0}({example})]`",
                    kind.name()
                ),
            );
            None
        }
    }
}

/// An example argument list, for messages.
pub fn example(kind: Kind) -> &'static str {
    match kind.values() {
        Values::Flags => "\"db.available\"",
        Values::HookPatterns => "\"config-changed\"",
        Values::Paths => "\"/etc/app/app.conf\"",
        Values::ActionName => "\"backup\"",
        Values::Nothing => "",
    }
}

/// The attribute `kind` at `span` with arguments `args`. Arguments that are
/// not string literals are reported and left out.
fn attr_from_args(kind: Kind, range: Range, args: TokenStream, errors: &mut Errors) -> Attr {
    let mut attr = Attr {
        kind,
        range,
        values: Vec::new(),
        empty: args.is_empty(),
    };
    if kind.values() == Values::Nothing {
        if !args.is_empty() {
            errors.at(
                Range::of(&args, range.first),
                format!("`#[{}]` takes no arguments", kind.name()),
            );
        }
        return attr;
    }
    let exprs = match Punctuated::<Expr, Token![,]>::parse_terminated.parse2(args) {
        Ok(exprs) => exprs,
        Err(e) => {
            errors.push(e);
            return attr;
        }
    };
    for expr in exprs {
        match expr {
            Expr::Lit(syn::ExprLit {
                lit: Lit::Str(s), ..
            }) => attr.values.push(Value::Lit(s)),
            Expr::Path(p)
                if kind.values() == Values::Flags && p.qself.is_none() && p.attrs.is_empty() =>
            {
                attr.values.push(Value::Const(p.path));
            }
            other => errors.at(Range::of(&other, range.first), not_a_string(kind, &other)),
        }
    }
    attr
}

fn not_a_string(kind: Kind, expr: &Expr) -> String {
    let what = match kind.values() {
        Values::Flags => "flag names",
        Values::HookPatterns => "hook patterns",
        Values::Paths => "file paths",
        Values::ActionName => "the action name",
        Values::Nothing => unreachable!("checked by the caller"),
    };
    let hint = match (kind.values(), expr) {
        (Values::Flags, _) => {
            ", or paths to `charm_runtime::Flag` constants (`#[when(INSTALLED)]` with \
             `const INSTALLED: Flag = Flag::new(\"app.installed\");`)"
        }
        (_, Expr::Path(_) | Expr::Macro(_)) => {
            " (constants and macros cannot be used: the names are checked when the handler compiles)"
        }
        _ => "",
    };
    let form = if kind.values() == Values::ActionName {
        "a string literal"
    } else {
        "string literals"
    };
    format!(
        "`#[{}]` takes {what} as {form}, e.g. `#[{}({})]`{hint}",
        kind.name(),
        kind.name(),
        example(kind)
    )
}

/// The argument declared with type `ty`.
fn arg(ty: &Type) -> Arg {
    let ty = ungroup(ty);
    let (inner, passing) = match ty {
        Type::Reference(r) => (
            ungroup(&r.elem),
            if r.mutability.is_some() {
                Passing::RefMut
            } else {
                Passing::Ref
            },
        ),
        other => (other, Passing::Value),
    };
    let mut extracted = inner.clone();
    EraseLifetimes.visit_type_mut(&mut extracted);
    Arg {
        extracted,
        span: inner.span(),
        passing,
    }
}

/// `ty` without the invisible groups of `macro_rules!` substitutions or
/// parentheses.
fn ungroup(ty: &Type) -> &Type {
    match ty {
        Type::Group(g) => ungroup(&g.elem),
        Type::Paren(p) => ungroup(&p.elem),
        other => other,
    }
}

/// Replaces named lifetimes (`Flags<'a>`) with `'_`: the generated wrapper
/// has no lifetime parameters, and `'_` lets the compiler infer them.
pub struct EraseLifetimes;

impl VisitMut for EraseLifetimes {
    fn visit_lifetime_mut(&mut self, lifetime: &mut Lifetime) {
        if lifetime.ident != "static" {
            *lifetime = Lifetime::new("'_", lifetime.span());
        }
    }
}

/// What `item` is, for "... cannot be a handler".
pub fn item_kind(item: &Item) -> &'static str {
    match item {
        Item::Const(_) => "a const",
        Item::Enum(_) => "an enum",
        Item::ExternCrate(_) => "an extern crate",
        Item::Fn(_) => "a function",
        Item::ForeignMod(_) => "an extern block",
        Item::Impl(_) => "an impl block",
        Item::Macro(_) => "a macro invocation",
        Item::Mod(_) => "a module",
        Item::Static(_) => "a static",
        Item::Struct(_) => "a struct",
        Item::Trait(_) => "a trait",
        Item::TraitAlias(_) => "a trait alias",
        Item::Type(_) => "a type alias",
        Item::Union(_) => "a union",
        Item::Use(_) => "a use declaration",
        _ => "this item",
    }
}

fn item_attrs(item: &mut Item) -> Option<&mut Vec<Attribute>> {
    Some(match item {
        Item::Const(i) => &mut i.attrs,
        Item::Enum(i) => &mut i.attrs,
        Item::ExternCrate(i) => &mut i.attrs,
        Item::Fn(i) => &mut i.attrs,
        Item::ForeignMod(i) => &mut i.attrs,
        Item::Impl(i) => &mut i.attrs,
        Item::Macro(i) => &mut i.attrs,
        Item::Mod(i) => &mut i.attrs,
        Item::Static(i) => &mut i.attrs,
        Item::Struct(i) => &mut i.attrs,
        Item::Trait(i) => &mut i.attrs,
        Item::TraitAlias(i) => &mut i.attrs,
        Item::Type(i) => &mut i.attrs,
        Item::Union(i) => &mut i.attrs,
        Item::Use(i) => &mut i.attrs,
        _ => return None,
    })
}
