//! Values a layer above the core attaches to one hook: the Juju side of
//! the hook, a charm instance chosen for the hook, ... One value per type,
//! created when first asked for and dropped with the hook, so nothing
//! leaks from one hook (or one harness run) into the next.

use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// A map from type to one value of that type, for the length of a hook.
///
/// ```
/// use charm_runtime::reactive::Extensions;
/// let ext = Extensions::default();
/// assert!(ext.get::<u32>().is_none());
/// assert_eq!(*ext.get_or_insert_with(|| 7u32), 7);
/// assert_eq!(*ext.get_or_insert_with(|| 8u32), 7);
/// ```
#[derive(Default)]
pub struct Extensions {
    values: RefCell<HashMap<TypeId, Rc<dyn Any>>>,
}

impl std::fmt::Debug for Extensions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Extensions")
            .field("len", &self.values.borrow().len())
            .finish()
    }
}

impl Extensions {
    /// The value of type `T`, if one was attached.
    pub fn get<T: Any>(&self) -> Option<Rc<T>> {
        let value = self.values.borrow().get(&TypeId::of::<T>())?.clone();
        value.downcast().ok()
    }

    /// Attach `value`, replacing the value of its type.
    pub fn insert<T: Any>(&self, value: Rc<T>) {
        self.values.borrow_mut().insert(TypeId::of::<T>(), value);
    }

    /// The value of type `T`, made by `make` if none is attached yet.
    /// `make` may itself use the extensions.
    pub fn get_or_insert_with<T: Any>(&self, make: impl FnOnce() -> T) -> Rc<T> {
        if let Some(value) = self.get::<T>() {
            return value;
        }
        let value = Rc::new(make());
        self.insert(value.clone());
        value
    }
}
