//! Collects every error of one expansion, so that the user sees all of
//! them at once rather than one per build.

use std::fmt::Display;

use proc_macro2::Span;

/// The errors found so far.
#[derive(Debug, Default)]
pub struct Errors {
    list: Vec<syn::Error>,
}

impl Errors {
    pub fn new() -> Self {
        Self::default()
    }

    /// Record `error`.
    pub fn push(&mut self, error: syn::Error) {
        self.list.push(error);
    }

    /// Record `message` at `span`.
    pub fn at(&mut self, span: Span, message: impl Display) {
        self.push(syn::Error::new(span, message));
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
