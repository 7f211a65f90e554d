//! `#[interface("name")]` on a struct (a typed endpoint) and `#[interface]`
//! on its impl block (the interface's handlers).
//!
//! The attributes of the methods of an `#[interface]` impl are processed
//! here rather than by their own macros, which run later and could not
//! emit the registrations: an impl block cannot hold `const _` items. The
//! impl is emitted as written, without our attributes, and one
//! registration per handler method follows it.

use proc_macro2::{Span, TokenStream};
use quote::quote;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{Expr, Fields, GenericParam, ImplItem, Item, ItemImpl, ItemStruct, Lit, LitStr, Token};

use crate::charm::Charm;
use crate::errors::{Errors, Range};
use crate::expand::{self, Owner};
use crate::parse::{self, EraseLifetimes};
use crate::validate;

/// Expand `#[interface(args)]` on `input`.
pub fn expand(args: TokenStream, input: TokenStream) -> TokenStream {
    match syn::parse2::<Item>(input.clone()) {
        Ok(Item::Struct(item)) => on_struct(args, item),
        Ok(Item::Impl(item)) => on_impl(args, item),
        Ok(item) => {
            let error = syn::Error::new(
                Span::call_site(),
                format!(
                    "`#[interface(\"name\")]` goes on a struct whose only field is an \
                     `Endpoint<'a>`, and `#[interface]` on its impl block; not on {}",
                    parse::item_kind(&item)
                ),
            )
            .into_compile_error();
            quote!(#item #error)
        }
        Err(e) => {
            let error = e.into_compile_error();
            quote!(#input #error)
        }
    }
}

// ---- the struct ----

/// The arguments of `#[interface("name", role = "requires")]`.
struct Args {
    name: LitStr,
    role: Option<(LitStr, charm_names::Role)>,
}

fn struct_args(args: TokenStream, errors: &mut Errors) -> Option<Args> {
    let example =
        "e.g. `#[interface(\"hacluster\")]` or `#[interface(\"http\", role = \"provides\")]`";
    if args.is_empty() {
        errors.at(
            Span::call_site(),
            format!(
                "`#[interface]` on a struct needs the name of the interface, as in metadata.yaml: {example}"
            ),
        );
        return None;
    }
    let exprs = match Punctuated::<Expr, Token![,]>::parse_terminated.parse2(args) {
        Ok(exprs) => exprs,
        Err(e) => {
            errors.push(e);
            return None;
        }
    };
    let mut name = None;
    let mut role = None;
    for (i, expr) in exprs.into_iter().enumerate() {
        match expr {
            Expr::Lit(syn::ExprLit {
                lit: Lit::Str(s), ..
            }) if i == 0 => name = Some(s),
            Expr::Assign(a) if i > 0 && is_ident(&a.left, "role") => match *a.right {
                Expr::Lit(syn::ExprLit {
                    lit: Lit::Str(s), ..
                }) => {
                    let value = s.value();
                    match value.parse::<charm_names::Role>() {
                        Ok(r) => role = Some((s, r)),
                        Err(unknown) => {
                            let mut message = format!(
                                "unknown role `{value}`: expected `provides`, `requires` or `peers`, \
                                 the metadata section of the endpoints this type serves"
                            );
                            if let Some(s) = unknown.suggestion() {
                                message += &format!("; did you mean `{s}`?");
                            }
                            errors.at(s.span(), message);
                        }
                    }
                }
                other => errors.at(
                    Range::of(&other, Span::call_site()),
                    "the role is a string literal: `role = \"provides\"`, `\"requires\"` or `\"peers\"`",
                ),
            },
            other => errors.at(
                Range::of(&other, Span::call_site()),
                format!(
                    "`#[interface]` takes the interface name as a string literal, then optionally \
                     `role = \"...\"`: {example}"
                ),
            ),
        }
    }
    let name = name?;
    let value = name.value();
    if charm_names::check_interface_name(&value).is_err() {
        errors.at(
            name.span(),
            format!(
                "{value:?} is not an interface name: write the interface as in metadata.yaml \
                 (lowercase letters, digits and hyphens, starting with a letter), e.g. `hacluster`"
            ),
        );
    }
    Some(Args { name, role })
}

fn is_ident(expr: &Expr, name: &str) -> bool {
    matches!(expr, Expr::Path(p) if p.qself.is_none() && p.path.is_ident(name))
}

fn on_struct(args: TokenStream, item: ItemStruct) -> TokenStream {
    let mut errors = Errors::new();
    let args = struct_args(args, &mut errors);
    let ident = &item.ident;

    let mut lifetime = None;
    for param in &item.generics.params {
        match param {
            GenericParam::Lifetime(l) if lifetime.is_none() => lifetime = Some(l.lifetime.clone()),
            GenericParam::Lifetime(l) => errors.at(
                Range::of(l, l.lifetime.apostrophe),
                "an interface type has one lifetime parameter, that of its `Endpoint<'a>`",
            ),
            GenericParam::Type(t) => errors.at(
                Range::of(t, t.ident.span()),
                "an interface type cannot be generic: it is built from an `Endpoint<'a>` alone",
            ),
            GenericParam::Const(c) => errors.at(
                Range::of(c, c.ident.span()),
                "an interface type cannot have const parameters: it is built from an `Endpoint<'a>` alone",
            ),
        }
    }
    if lifetime.is_none() && item.fields.len() == 1 {
        errors.at(
            ident.span(),
            format!(
                "an interface type borrows the hook through its endpoint: declare it \
                 `struct {ident}<'a>(Endpoint<'a>);`"
            ),
        );
    }

    let fields: Vec<&syn::Field> = item.fields.iter().collect();
    let field = match fields.as_slice() {
        [field] => {
            if expand::type_name(&field.ty) != "Endpoint" {
                errors.at(
                    Range::of(&field.ty, field.ty.span()),
                    format!(
                        "the field of an interface type is its endpoint, of type \
                         `charm_runtime::endpoint::Endpoint<'a>`, not `{}`",
                        expand::pretty(&field.ty)
                    ),
                );
            }
            Some(field.ident.clone())
        }
        _ => {
            let range = match &item.fields {
                Fields::Unit => Range::from(ident.span()),
                fields => Range::of(fields, ident.span()),
            };
            errors.at(
                range,
                format!(
                    "an interface type wraps its endpoint and nothing else: give `{ident}` exactly \
                     one field, of type `Endpoint<'a>` (`struct {ident}<'a>(Endpoint<'a>);`); keep \
                     other state in unit data or relation data"
                ),
            );
            None
        }
    };

    let (Some(args), Some(field), Some(lt), true) = (args, field, lifetime, errors.is_empty())
    else {
        let error = errors.finish().err().map(syn::Error::into_compile_error);
        return quote!(#item #error);
    };

    let name = &args.name;
    let role = match &args.role {
        Some((lit, r)) => {
            let variant = syn::Ident::new(
                match r {
                    charm_names::Role::Provides => "Provides",
                    charm_names::Role::Requires => "Requires",
                    charm_names::Role::Peers => "Peers",
                },
                lit.span(),
            );
            quote!(::core::option::Option::Some(::charm_runtime::metadata::Role::#variant))
        }
        None => quote!(::core::option::Option::None),
    };
    let (access, build) = match &field {
        Some(f) => (quote!(#f), quote!(Self { #f: endpoint })),
        None => (quote!(0), quote!(Self(endpoint))),
    };
    let (impl_generics, ty_generics, where_clause) = item.generics.split_for_impl();
    quote! {
        #item

        impl #impl_generics ::charm_runtime::endpoint::Interface<#lt> for #ident #ty_generics #where_clause {
            const NAME: &'static str = #name;
            const ROLE: ::core::option::Option<::charm_runtime::metadata::Role> = #role;
            fn from_endpoint(endpoint: ::charm_runtime::endpoint::Endpoint<#lt>) -> Self {
                #build
            }
            fn endpoint(&self) -> &::charm_runtime::endpoint::Endpoint<#lt> {
                &self.#access
            }
        }

        impl #impl_generics ::charm_runtime::Extract<#lt> for #ident #ty_generics #where_clause {
            const INTERFACE: ::core::option::Option<&'static str> =
                ::core::option::Option::Some(#name);
            const INTERFACE_ROLE: ::core::option::Option<::charm_runtime::metadata::Role> = #role;
            fn extract(
                inv: &::charm_runtime::Invocation<#lt>,
            ) -> ::core::result::Result<Self, ::charm_runtime::ExtractError> {
                ::charm_runtime::endpoint::extract_interface::<Self>(inv)
            }
        }

        impl #impl_generics ::core::ops::Deref for #ident #ty_generics #where_clause {
            type Target = ::charm_runtime::endpoint::Endpoint<#lt>;
            fn deref(&self) -> &::charm_runtime::endpoint::Endpoint<#lt> {
                &self.#access
            }
        }
    }
}

// ---- the impl block ----

/// Replaces `Self` in argument and return types by the impl's self type:
/// the registration lives outside the impl.
struct ReplaceSelf<'a>(&'a syn::Type);

impl VisitMut for ReplaceSelf<'_> {
    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        if let syn::Type::Path(p) = ty
            && p.qself.is_none()
            && p.path.is_ident("Self")
        {
            *ty = self.0.clone();
            return;
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }
}

fn on_impl(args: TokenStream, mut item: ItemImpl) -> TokenStream {
    let mut errors = Errors::new();
    if !args.is_empty() {
        errors.at(
            Range::of(&args, Span::call_site()),
            "on an impl block, `#[interface]` takes no arguments: the interface name goes on the \
             struct (`#[interface(\"hacluster\")]`)",
        );
    }
    if let Some((_, path, for_token)) = &item.trait_ {
        errors.at(
            Range {
                first: path.span(),
                last: for_token.span,
            },
            "`#[interface]` goes on the inherent impl block of an interface type, not on a trait impl",
        );
    }
    for param in &item.generics.params {
        match param {
            GenericParam::Lifetime(_) => {}
            GenericParam::Type(t) => errors.at(
                Range::of(t, t.ident.span()),
                "an `#[interface]` impl cannot be generic: its handlers are registered for one type",
            ),
            GenericParam::Const(c) => errors.at(
                Range::of(c, c.ident.span()),
                "an `#[interface]` impl cannot have const parameters: its handlers are registered for one type",
            ),
        }
    }
    let self_ty = ungroup(&item.self_ty).clone();
    let typed = matches!(&self_ty, syn::Type::Path(p) if p.qself.is_none());
    if !typed {
        errors.at(
            Range::of(&self_ty, item.impl_token.span),
            format!(
                "`#[interface]` goes on the impl block of an interface type (a struct with \
                 `#[interface(\"name\")]`), not on an impl for `{}`",
                expand::pretty(&self_ty)
            ),
        );
    }
    let mut erased = self_ty.clone();
    EraseLifetimes.visit_type_mut(&mut erased);
    let owner = Owner {
        type_name: expand::type_name(&erased),
        span: self_ty.span(),
        self_ty: erased,
    };

    let charm = Charm::load();
    let tracking = charm.tracking();
    let mut models = Vec::new();
    let mut taken = Vec::new();
    for impl_item in &mut item.items {
        let ImplItem::Fn(method) = impl_item else {
            continue;
        };
        let Some(mut model) = parse::method(method, &mut errors) else {
            continue;
        };
        for arg in &mut model.args {
            ReplaceSelf(&owner.self_ty).visit_type_mut(&mut arg.extracted);
        }
        if let Some(ret) = &mut model.ret {
            ReplaceSelf(&owner.self_ty).visit_type_mut(ret);
        }
        validate::handler(&model, &charm, &mut errors);
        taken.extend(parse::strip_ours(&mut method.attrs));
        models.push(model);
    }

    match errors.finish() {
        Ok(()) => {
            let registrations = models.iter().map(|m| expand::registration(m, Some(&owner)));
            quote! {
                #item
                #(#registrations)*
                const _: () = { #tracking };
            }
        }
        Err(e) => {
            // Not registered, so not called: no "never used" warning on top.
            for impl_item in &mut item.items {
                if let ImplItem::Fn(method) = impl_item
                    && models.iter().any(|m| m.item.sig.ident == method.sig.ident)
                {
                    method.attrs.push(syn::parse_quote!(#[allow(dead_code)]));
                }
            }
            let uses = expand::uses(&taken);
            let error = e.into_compile_error();
            quote! {
                #item
                const _: () = { #(#uses)* #tracking };
                #error
            }
        }
    }
}

fn ungroup(ty: &syn::Type) -> &syn::Type {
    match ty {
        syn::Type::Group(g) => ungroup(&g.elem),
        syn::Type::Paren(p) => ungroup(&p.elem),
        other => other,
    }
}
