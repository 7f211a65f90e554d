//! Flag names interned to dense ids, and the table of flags set in a hook.

use std::collections::HashMap;
use std::rc::Rc;

/// A flag name interned by a [`FlagNames`] table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FlagId(pub(crate) u32);

impl FlagId {
    pub(crate) fn index(self) -> usize {
        self.0 as usize
    }
}

/// Interns flag names. The registry interns the flags its handlers name; a
/// hook extends a copy with the flags it meets at run time.
#[derive(Debug, Clone, Default)]
pub struct FlagNames {
    names: Vec<Rc<str>>,
    ids: HashMap<Rc<str>, FlagId>,
}

impl FlagNames {
    /// The id of `name`, interning it if new.
    pub fn intern(&mut self, name: &str) -> FlagId {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = FlagId(self.names.len() as u32);
        let name: Rc<str> = Rc::from(name);
        self.names.push(name.clone());
        self.ids.insert(name, id);
        id
    }

    /// The id of `name`, if interned.
    pub fn get(&self, name: &str) -> Option<FlagId> {
        self.ids.get(name).copied()
    }

    /// The name of `id`.
    pub fn name(&self, id: FlagId) -> &str {
        &self.names[id.index()]
    }

    /// How many names are interned.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether no name is interned.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// The names a hook knows: the registry's, shared and never copied, and
/// those the hook meets at run time, numbered after them.
#[derive(Debug, Clone, Default)]
pub(crate) struct HookNames {
    base: Rc<FlagNames>,
    extra: FlagNames,
}

impl HookNames {
    pub(crate) fn new(base: Rc<FlagNames>) -> Self {
        Self {
            base,
            extra: FlagNames::default(),
        }
    }

    fn offset(&self) -> u32 {
        self.base.len() as u32
    }

    /// The id of `name`, if known.
    pub(crate) fn get(&self, name: &str) -> Option<FlagId> {
        self.base
            .get(name)
            .or_else(|| self.extra.get(name).map(|id| FlagId(id.0 + self.offset())))
    }

    /// The id of `name`, numbering it if new.
    fn intern(&mut self, name: &str) -> FlagId {
        match self.get(name) {
            Some(id) => id,
            None => FlagId(self.extra.intern(name).0 + self.offset()),
        }
    }

    /// The name of `id`.
    pub(crate) fn name(&self, id: FlagId) -> &str {
        match id.0.checked_sub(self.offset()) {
            Some(extra) => self.extra.name(FlagId(extra)),
            None => self.base.name(id),
        }
    }

    fn len(&self) -> usize {
        self.base.len() + self.extra.len()
    }
}

/// The flags set during one hook, with their values (JSON text; `null` for
/// the usual flag without a value).
#[derive(Debug, Clone, Default)]
pub(crate) struct FlagTable {
    pub(crate) names: HookNames,
    values: Vec<Option<Rc<str>>>,
}

impl FlagTable {
    pub(crate) fn new(names: Rc<FlagNames>) -> Self {
        let names = HookNames::new(names);
        let values = vec![None; names.len()];
        Self { names, values }
    }

    pub(crate) fn id(&mut self, name: &str) -> FlagId {
        let id = self.names.intern(name);
        if self.values.len() <= id.index() {
            self.values.resize(id.index() + 1, None);
        }
        id
    }

    pub(crate) fn is_set(&self, id: FlagId) -> bool {
        matches!(self.values.get(id.index()), Some(Some(_)))
    }

    pub(crate) fn is_set_name(&self, name: &str) -> bool {
        self.names.get(name).is_some_and(|id| self.is_set(id))
    }

    pub(crate) fn value(&self, name: &str) -> Option<&str> {
        let id = self.names.get(name)?;
        self.values.get(id.index())?.as_deref()
    }

    /// Set `id` to `value`; returns whether the flag was unset before.
    pub(crate) fn set(&mut self, id: FlagId, value: Rc<str>) -> bool {
        let slot = &mut self.values[id.index()];
        let was_unset = slot.is_none();
        *slot = Some(value);
        was_unset
    }

    /// Clear `id`; returns whether it was set before.
    pub(crate) fn clear(&mut self, id: FlagId) -> bool {
        self.values
            .get_mut(id.index())
            .and_then(Option::take)
            .is_some()
    }

    /// Every set flag with its value, unordered.
    pub(crate) fn iter_set(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.as_deref().map(|v| (self.names.name(FlagId(i as u32)), v)))
    }

    /// The names of set flags, sorted.
    pub(crate) fn sorted(&self) -> Vec<String> {
        let mut out: Vec<String> = self.iter_set().map(|(n, _)| n.to_owned()).collect();
        out.sort();
        out
    }
}
