//! What a backend holds while it runs without it being part of what the
//! backend is: a call in flight, a file kept open.

use std::ops::Deref;

/// `T`, held by a [`super::ProcessBackend`] as working state rather than
/// configuration: a clone starts with a fresh `T::default()`, and two
/// backends compare equal whatever their `T`.
#[derive(Default)]
pub(super) struct Transient<T>(T);

impl<T: Default> Clone for Transient<T> {
    fn clone(&self) -> Self {
        Self::default()
    }
}

impl<T> PartialEq for Transient<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> Eq for Transient<T> {}

impl<T> Deref for Transient<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}
