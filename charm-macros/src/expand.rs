//! Code generation: the handler function as written (without our
//! attributes), a wrapper that extracts its arguments and converts its
//! result, and one `HandlerDef` submitted to the inventory.

use proc_macro2::{TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::LitStr;
use syn::ext::IdentExt;

use crate::charm::Charm;
use crate::errors::Errors;
use crate::model::{Attr, HandlerModel, Kind, Passing, Site, Value};
use crate::parse::{self, Parsed};
use crate::validate;

/// The `#[interface]` impl a handler is a method of.
pub struct Owner {
    /// The impl's self type, with named lifetimes replaced by `'_`.
    pub self_ty: syn::Type,
    /// Its name (the last segment of its path), for handler ids.
    pub type_name: String,
    /// Where it is written, for errors.
    pub span: proc_macro2::Span,
}

/// Expand the outermost of our attributes, `kind` with arguments `args`,
/// on `input`.
///
/// On errors the item is still emitted (without our attributes), so that
/// the only errors are ours and not "cannot find function" elsewhere.
pub fn handler(kind: Kind, args: TokenStream, input: TokenStream) -> TokenStream {
    let mut errors = Errors::new();
    let model = match parse::item(kind, args, input, &mut errors) {
        Parsed::Handler(model) => *model,
        Parsed::NotAFunction { item, what, paths } => {
            let error = validate::not_a_function(kind, what).into_compile_error();
            if paths.is_empty() {
                return quote!(#item #error);
            }
            let uses = uses(&paths);
            return quote!(#item #error const _: () = { #(#uses)* };);
        }
    };
    let charm = Charm::load();
    validate::handler(&model, &charm, &mut errors);
    let tracking = charm.tracking();
    match errors.finish() {
        Ok(()) => {
            let item = &model.item;
            let registration = registration(&model, None);
            quote!(#item #registration const _: () = { #tracking };)
        }
        Err(e) => {
            let mut item = model.item;
            // In the body rather than in a `const _` beside it, which is
            // not allowed if the function is a method.
            for u in uses(&model.taken).into_iter().rev() {
                item.block.stmts.insert(0, syn::parse_quote!(#u));
            }
            item.block
                .stmts
                .insert(0, syn::parse_quote!(const _: () = { #tracking };));
            let error = e.into_compile_error();
            // Not registered, so not called: no "never used" warning on top.
            quote!(#[allow(dead_code)] #item #error)
        }
    }
}

/// `use` declarations of the attributes taken off the item: the compiler
/// never resolves them, and would otherwise report their imports unused.
pub fn uses(paths: &[impl ToTokens]) -> Vec<TokenStream> {
    paths
        .iter()
        .map(|p| quote!(#[allow(unused_imports)] use #p as _;))
        .collect()
}

/// Whether `tokens` contain `impl` (`impl Trait` cannot be the self type
/// of a qualified path).
fn mentions_impl(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|t| match t {
        TokenTree::Ident(i) => i == "impl",
        TokenTree::Group(g) => mentions_impl(g.stream()),
        _ => false,
    })
}

/// The name of `ty` for messages and ids: the last segment of its path
/// (`Hacluster`), else the type as written.
pub fn type_name(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() => p
            .path
            .segments
            .last()
            .map(|s| s.ident.unraw().to_string())
            .unwrap_or_default(),
        syn::Type::Group(g) => type_name(&g.elem),
        syn::Type::Paren(p) => type_name(&p.elem),
        other => pretty(other),
    }
}

/// `tokens` as a person would write them: `&'a str`, `Vec<u8>`, not
/// `& 'a str`, `Vec < u8 >`.
pub fn pretty(tokens: &impl ToTokens) -> String {
    let mut out = tokens.to_token_stream().to_string();
    for (from, to) in [
        ("& '", "&'"),
        (" <", "<"),
        ("< ", "<"),
        (" >", ">"),
        (" ,", ","),
        (":: ", "::"),
        (" ::", "::"),
        ("& ", "&"),
        ("( ", "("),
        (" )", ")"),
        ("[ ", "["),
        (" ]", "]"),
    ] {
        out = out.replace(from, to);
    }
    out
}

/// The registration of a handler (not the function itself): a wrapper that
/// extracts the arguments (and for a method of an `#[interface]` impl,
/// builds `self` for the endpoint) and calls it, and one `HandlerDef`.
pub fn registration(model: &HandlerModel, owner: Option<&Owner>) -> TokenStream {
    let item = &model.item;
    let ident = &item.sig.ident;
    let name = match owner {
        Some(o) => format!("{}::{}", o.type_name, ident.unraw()),
        None => ident.unraw().to_string(),
    };
    let name = LitStr::new(&name, ident.span());
    let line = quote_spanned!(ident.span()=> ::core::line!());

    let mut extract = Vec::new();
    let mut pass = Vec::new();
    let mut arg_defs = Vec::new();
    if let (Some(o), Some(r)) = (owner, &model.receiver) {
        let ty = &o.self_ty;
        let binding = match r.passing {
            Passing::RefMut => quote!(mut __charm_self),
            Passing::Value | Passing::Ref => quote!(__charm_self),
        };
        // Spanned at the self type: one that is not an interface type is
        // reported there, once (the same error for every use).
        let from = quote_spanned! {o.span=>
            <#ty as ::charm_runtime::endpoint::Interface<'_>>::from_endpoint
        };
        extract.push(quote! {
            let #binding = #from(
                ::charm_runtime::macro_support::instantiated_endpoint(__charm_inv).map_err(
                    |source| ::charm_runtime::HandlerError::Extract {
                        handler: ::core::clone::Clone::clone(&__charm_inv.handler.id),
                        source,
                    },
                )?,
            );
        });
        pass.push(match r.passing {
            Passing::Value => quote!(__charm_self),
            Passing::Ref => quote!(&__charm_self),
            Passing::RefMut => quote!(&mut __charm_self),
        });
    }
    for (i, arg) in model.args.iter().enumerate() {
        let var = format_ident!("__charm_arg{}", i);
        let ty = &arg.extracted;
        // Spanned at the type: a type that does not implement `Extract`
        // is reported there, with the trait's own message.
        let value = quote_spanned! {arg.span=>
            <#ty as ::charm_runtime::Extract<'_>>::extract(__charm_inv)
        };
        let binding = match arg.passing {
            Passing::RefMut => quote!(mut #var),
            Passing::Value | Passing::Ref => quote!(#var),
        };
        extract.push(quote! {
            let #binding = #value.map_err(|source| ::charm_runtime::HandlerError::Extract {
                handler: ::core::clone::Clone::clone(&__charm_inv.handler.id),
                source,
            })?;
        });
        pass.push(match arg.passing {
            Passing::Value => quote!(#var),
            Passing::Ref => quote!(&#var),
            Passing::RefMut => quote!(&mut #var),
        });
        let type_name = LitStr::new(&type_name(ty), arg.span);
        arg_defs.push(quote_spanned! {arg.span=>
            ::charm_runtime::macro_support::ArgDef {
                type_name: #type_name,
                interface: <#ty as ::charm_runtime::Extract<'_>>::INTERFACE,
                role: <#ty as ::charm_runtime::Extract<'_>>::INTERFACE_ROLE,
            }
        });
    }
    // Spanned at the return type, for the same reason.
    let result = match &model.ret {
        Some(ty) if !mentions_impl(ty.to_token_stream()) => quote_spanned! {model.ret_span=>
            <#ty as ::charm_runtime::IntoHandlerResult>::into_handler_result(__charm_ret)
        },
        _ => quote_spanned! {model.ret_span=>
            ::charm_runtime::IntoHandlerResult::into_handler_result(__charm_ret)
        },
    };
    let uses = uses(&model.taken);

    let conditions = model.conditions.iter().map(|a| condition(a, model.site));
    let not_unless = model.not_unless.iter().flat_map(|a| values(a, model.site));
    let (call, interface, role) = match owner {
        Some(o) => {
            let ty = &o.self_ty;
            let of = quote_spanned! {o.span=>
                <#ty as ::charm_runtime::endpoint::Interface<'_>>
            };
            (
                quote!(<#ty>::#ident),
                quote!(::core::option::Option::Some(#of::NAME)),
                quote!(#of::ROLE),
            )
        }
        None => (
            quote!(#ident),
            quote!(::core::option::Option::None),
            quote!(::core::option::Option::None),
        ),
    };

    quote! {
        const _: () = {
            #(#uses)*

            fn __charm_call(
                __charm_inv: &::charm_runtime::Invocation<'_>,
            ) -> ::core::result::Result<(), ::charm_runtime::HandlerError> {
                #(#extract)*
                let __charm_ret = #call(#(#pass),*);
                #result.map_err(|error| ::charm_runtime::HandlerError::Failed {
                    handler: ::core::clone::Clone::clone(&__charm_inv.handler.id),
                    error,
                })
            }

            ::charm_runtime::macro_support::inventory::submit! {
                ::charm_runtime::macro_support::HandlerDef {
                    module_path: ::core::module_path!(),
                    name: #name,
                    line: #line,
                    conditions: &[#(#conditions),*],
                    not_unless: &[#(#not_unless),*],
                    interface: #interface,
                    role: #role,
                    args: &[#(#arg_defs),*],
                    call: __charm_call,
                }
            }
        };
    }
}

/// The names of `attr`'s arguments, as constant expressions: each literal
/// normalized (no suffix, no raw string); for a constant, its name, after
/// checking (with the user's span) that it is a `charm_runtime::Flag`,
/// and outside an `#[interface]` impl that it has no `{endpoint_name}`.
fn values(attr: &Attr, site: Site) -> Vec<TokenStream> {
    attr.values
        .iter()
        .map(|v| match v {
            Value::Lit(lit) => LitStr::new(&lit.value(), lit.span()).into_token_stream(),
            Value::Const(path) => {
                let span = v.range().first;
                let placeholder = match site {
                    Site::Interface => quote!(),
                    Site::FreeFn => quote_spanned! {span=>
                        const _: () = ::core::assert!(
                            !__CHARM_FLAG.is_template(),
                            "`{{endpoint_name}}` in a flag constant: the placeholder is only \
                             allowed in handlers inside an `#[interface]` impl",
                        );
                    },
                };
                quote_spanned! {span=>
                    {
                        const __CHARM_FLAG: ::charm_runtime::Flag = #path;
                        #placeholder
                        __CHARM_FLAG.name()
                    }
                }
            }
        })
        .collect()
}

/// The `ConditionDef` of a condition attribute.
fn condition(attr: &Attr, site: Site) -> TokenStream {
    let variant = match attr.kind {
        Kind::When | Kind::WhenAll => "WhenAll",
        Kind::WhenAny => "WhenAny",
        Kind::WhenNot | Kind::WhenNone => "WhenNone",
        Kind::WhenNotAll => "WhenNotAll",
        Kind::Hook => "Hook",
        Kind::WhenFileChanged => "FileChanged",
        Kind::OnlyOnce => return quote!(::charm_runtime::macro_support::ConditionDef::OnlyOnce),
        Kind::Action => {
            let name = values(attr, site).into_iter().next();
            return quote!(::charm_runtime::macro_support::ConditionDef::Action(#name));
        }
        Kind::NotUnless => unreachable!("#[not_unless] is not a condition"),
    };
    let variant = format_ident!("{}", variant);
    let values = values(attr, site);
    quote!(::charm_runtime::macro_support::ConditionDef::#variant(&[#(#values),*]))
}
