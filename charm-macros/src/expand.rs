//! Code generation: the handler function as written (without our
//! attributes), a wrapper that extracts its arguments and converts its
//! result, and one `HandlerDef` submitted to the inventory.

use proc_macro2::{TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::LitStr;
use syn::ext::IdentExt;

use crate::errors::Errors;
use crate::model::{Attr, HandlerModel, Kind, Passing};
use crate::parse::{self, Parsed};
use crate::validate;

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
    validate::handler(&model, &mut errors);
    match errors.finish() {
        Ok(()) => registration(&model),
        Err(e) => {
            let mut item = model.item;
            // In the body rather than in a `const _` beside it, which is
            // not allowed if the function is a method.
            for u in uses(&model.taken).into_iter().rev() {
                item.block.stmts.insert(0, syn::parse_quote!(#u));
            }
            let error = e.into_compile_error();
            // Not registered, so not called: no "never used" warning on top.
            quote!(#[allow(dead_code)] #item #error)
        }
    }
}

/// `use` declarations of the attributes taken off the item: the compiler
/// never resolves them, and would otherwise report their imports unused.
fn uses(paths: &[impl ToTokens]) -> Vec<TokenStream> {
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

/// The function and its registration.
fn registration(model: &HandlerModel) -> TokenStream {
    let item = &model.item;
    let ident = &item.sig.ident;
    let name = LitStr::new(&ident.unraw().to_string(), ident.span());
    let line = quote_spanned!(ident.span()=> ::core::line!());

    let mut extract = Vec::new();
    let mut pass = Vec::new();
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

    let conditions = model.conditions.iter().map(condition);
    let not_unless = model.not_unless.iter().flat_map(values);

    quote! {
        #item

        const _: () = {
            #(#uses)*

            fn __charm_call(
                __charm_inv: &::charm_runtime::Invocation<'_>,
            ) -> ::core::result::Result<(), ::charm_runtime::HandlerError> {
                #(#extract)*
                let __charm_ret = #ident(#(#pass),*);
                #result.map_err(|message| ::charm_runtime::HandlerError::Failed {
                    handler: ::core::clone::Clone::clone(&__charm_inv.handler.id),
                    message,
                })
            }

            ::charm_runtime::macro_support::inventory::submit! {
                ::charm_runtime::macro_support::HandlerDef {
                    module_path: ::core::module_path!(),
                    name: #name,
                    line: #line,
                    conditions: &[#(#conditions),*],
                    not_unless: &[#(#not_unless),*],
                    call: __charm_call,
                }
            }
        };
    }
}

/// The literals of `attr`, normalized (no suffix, no raw string).
fn values(attr: &Attr) -> Vec<LitStr> {
    attr.values
        .iter()
        .map(|v| LitStr::new(&v.value(), v.span()))
        .collect()
}

/// The `ConditionDef` of a condition attribute.
fn condition(attr: &Attr) -> TokenStream {
    let variant = match attr.kind {
        Kind::When | Kind::WhenAll => "WhenAll",
        Kind::WhenAny => "WhenAny",
        Kind::WhenNot | Kind::WhenNone => "WhenNone",
        Kind::WhenNotAll => "WhenNotAll",
        Kind::Hook => "Hook",
        Kind::WhenFileChanged => "FileChanged",
        Kind::OnlyOnce => return quote!(::charm_runtime::macro_support::ConditionDef::OnlyOnce),
        Kind::NotUnless => unreachable!("#[not_unless] is not a condition"),
    };
    let variant = format_ident!("{}", variant);
    let values = values(attr);
    quote!(::charm_runtime::macro_support::ConditionDef::#variant(&[#(#values),*]))
}
