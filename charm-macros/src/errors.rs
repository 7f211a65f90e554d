//! Collects every error of one expansion, so that the user sees all of
//! them at once rather than one per build.

use std::fmt::Display;

use proc_macro2::{Ident, Span, TokenStream};
use quote::ToTokens;

/// Where an error points: from the start of one token to the end of
/// another. (A single `Span` of several tokens cannot be made on stable
/// Rust; `syn::Error::new_spanned` spans an error from its first token to
/// its last.)
#[derive(Debug, Clone, Copy)]
pub struct Range {
    pub first: Span,
    pub last: Span,
}

impl Range {
    /// The range of `tokens`, or `fallback` if there are none.
    pub fn of(tokens: &impl ToTokens, fallback: Span) -> Self {
        let mut iter = tokens.to_token_stream().into_iter();
        let Some(first) = iter.next() else {
            return fallback.into();
        };
        let last = iter.last().unwrap_or_else(|| first.clone());
        Range {
            first: first.span(),
            last: last.span(),
        }
    }
}

impl From<Span> for Range {
    fn from(span: Span) -> Self {
        Range {
            first: span,
            last: span,
        }
    }
}

/// The errors found so far.
#[derive(Debug, Default)]
pub struct Errors {
    list: Vec<syn::Error>,
}

impl Errors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether no error was recorded.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Record `error`.
    pub fn push(&mut self, error: syn::Error) {
        self.list.push(error);
    }

    /// Record `message` at `range`.
    pub fn at(&mut self, range: impl Into<Range>, message: impl Display) {
        self.push(error(range.into(), message));
    }

    /// All the errors combined, if there is any.
    pub fn finish(self) -> Result<(), syn::Error> {
        let mut list = self.list.into_iter();
        match list.next() {
            None => Ok(()),
            Some(mut first) => {
                for e in list {
                    first.combine(e);
                }
                Err(first)
            }
        }
    }
}

/// An error spanning `range`.
pub fn error(range: Range, message: impl Display) -> syn::Error {
    let mut tokens = TokenStream::new();
    tokens.extend([
        Ident::new("first", range.first).into_token_stream(),
        Ident::new("last", range.last).into_token_stream(),
    ]);
    syn::Error::new_spanned(tokens, message)
}
