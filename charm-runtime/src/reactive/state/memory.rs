use super::{Change, Snapshot, StateStore};
use crate::reactive::error::StateError;

/// A unit state that lives in memory: for tests, the harness and benchmarks.
///
/// ```
/// use charm_runtime::{Handler, HookContext, HookOptions, MemoryStore, Registry, run_hook};
///
/// let mut registry = Registry::new();
/// registry
///     .add(Handler::new("app::start", |ctx: &HookContext| ctx.flags().set("app.started"))
///         .when(["app.installed"]))
///     .unwrap();
/// // A unit whose earlier hooks set `app.installed`.
/// let mut store = MemoryStore::with_flags(&["app.installed"]);
/// assert!(run_hook(&registry, &mut store, HookOptions::new("start")).is_ok());
/// assert_eq!(store.flags(), ["app.installed", "app.started"]);
/// assert_eq!(store.data["reactive.states.app.started"], "null");
/// ```
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct MemoryStore {
    /// The committed table.
    pub data: Snapshot,
    /// How many commits were applied.
    pub commits: usize,
    /// The journal of the last [`StateStore::commit_journaled`].
    pub journal: Option<String>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// A store in which `flags` are set (without values), as if by earlier
    /// hooks.
    pub fn with_flags<S: AsRef<str>>(flags: &[S]) -> Self {
        let mut store = Self::new();
        for flag in flags {
            store.data.insert(
                format!("{}{}", super::FLAG_PREFIX, flag.as_ref()),
                "null".to_owned(),
            );
        }
        store
    }

    /// Flags currently committed, sorted.
    pub fn flags(&self) -> Vec<String> {
        self.data
            .keys()
            .filter_map(|k| k.strip_prefix(super::FLAG_PREFIX))
            .map(str::to_owned)
            .collect()
    }
}

impl StateStore for MemoryStore {
    fn load(&mut self) -> Result<Snapshot, StateError> {
        Ok(self.data.clone())
    }

    fn commit(&mut self, changes: &[Change]) -> Result<(), StateError> {
        for change in changes {
            match &change.value {
                Some(v) => {
                    self.data.insert(change.key.clone(), v.clone());
                }
                None => {
                    self.data.remove(&change.key);
                }
            }
        }
        self.commits += 1;
        Ok(())
    }

    fn journal(&mut self) -> Result<Option<String>, StateError> {
        Ok(self.journal.clone())
    }

    fn commit_journaled(
        &mut self,
        changes: &[Change],
        journal: Option<&str>,
    ) -> Result<(), StateError> {
        self.commit(changes)?;
        self.journal = journal.map(str::to_owned);
        Ok(())
    }
}
