//! The reactive core's errors. Every message says what was wrong and where.

use std::any::Any;
use std::fmt;
use std::path::PathBuf;
use std::rc::Rc;

/// A failure reading or writing the unit state database.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// SQLite refused an operation.
    #[error("unit state database {path}: {source}")]
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// What SQLite said.
        #[source]
        source: rusqlite::Error,
    },
    /// A file-system operation on the database failed.
    #[error("unit state database {path}: {source}")]
    Io {
        /// The database file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A stored key or value is not text (a BLOB, say): charmhelpers and
    /// this runtime store JSON text only.
    #[error(
        "unit state database {path}: the value of key {key:?} is {found}, not text (the unit \
         state holds JSON text; something else wrote this row)"
    )]
    NotText {
        /// The database file.
        path: PathBuf,
        /// The key.
        key: String,
        /// What it is (`a BLOB`).
        found: &'static str,
    },
    /// The database's directory cannot be written (a read-only charm
    /// directory): SQLite needs to write its journal there.
    #[error(
        "unit state database {path}: its directory {dir} is not writable ({reason}); the unit \
         state (flags, handler marks, the charm's data) cannot be saved"
    )]
    NotWritable {
        /// The database file.
        path: PathBuf,
        /// Its directory.
        dir: PathBuf,
        /// Why (`Permission denied`, `Read-only file system`).
        reason: &'static str,
    },
    /// A stored value is not valid JSON or not of the requested type.
    #[error("unit state key {key:?} holds {text:?}, which does not decode: {source}")]
    Decode {
        /// The key.
        key: String,
        /// The stored text (truncated).
        text: String,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
    },
    /// A value could not be encoded as JSON.
    #[error("value for unit state key {key:?} cannot be encoded as JSON: {source}")]
    Encode {
        /// The key.
        key: String,
        /// The encoding error.
        #[source]
        source: serde_json::Error,
    },
    /// The operating system's random source failed.
    #[error("cannot generate the random salt for unit state key {key:?}: {reason}")]
    Random {
        /// The key the salt is for.
        key: String,
        /// What the random source said.
        reason: String,
    },
    /// The key belongs to the reactive framework.
    #[error(
        "unit state key {key:?} is managed by the reactive framework; use the flag API for `reactive.states.*`"
    )]
    ReservedKey {
        /// The key.
        key: String,
    },
}

/// Why a handler failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum HandlerError {
    /// The handler returned an error.
    #[error("handler {handler} failed: {error}")]
    Failed {
        /// The handler id.
        handler: String,
        /// What it returned.
        error: Failure,
    },
    /// The handler panicked.
    #[error("handler {handler} panicked: {message}")]
    Panicked {
        /// The handler id.
        handler: String,
        /// The panic payload, when it was a string.
        message: String,
    },
    /// One of the handler's arguments could not be provided.
    #[error("handler {handler}: cannot provide argument: {source}")]
    Extract {
        /// The handler id.
        handler: String,
        /// Why extraction failed.
        #[source]
        source: ExtractError,
    },
    /// A callback (trigger, atstart, atexit) failed.
    #[error("{what} failed: {error}")]
    Callback {
        /// Which callback.
        what: String,
        /// What it returned.
        error: Failure,
    },
}

/// A handler argument could not be extracted from the hook context.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{type_name}: {reason}")]
pub struct ExtractError {
    /// The argument type.
    pub type_name: &'static str,
    /// What was missing or wrong.
    pub reason: String,
}

impl ExtractError {
    /// An extraction error for `T`.
    pub fn new<T: ?Sized>(reason: impl Into<String>) -> Self {
        Self {
            type_name: std::any::type_name::<T>(),
            reason: reason.into(),
        }
    }
}

/// A handler definition that cannot be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegistryError {
    /// Two handlers share an id.
    #[error("handler id {0:?} is registered twice")]
    DuplicateId(String),
    /// A handler has no condition and would run in every iteration.
    #[error("handler {0} has no condition; it would run in every dispatch iteration")]
    NoCondition(String),
    /// A handler combines `hook` with flag conditions and could never run.
    #[error(
        "handler {0} combines a hook condition with flag conditions; it could never run (hooks match only in the hook phase, flags only after it)"
    )]
    HookWithFlags(String),
    /// A condition list is empty.
    #[error("handler {handler}: empty {condition} condition")]
    EmptyCondition {
        /// The handler id.
        handler: String,
        /// Which condition.
        condition: &'static str,
    },
    /// An action handler has other conditions, or two different actions.
    #[error(
        "handler {0} is an action handler and has other conditions; an action handler runs when Juju runs its action, and only then"
    )]
    ActionWithConditions(String),
    /// An action name Juju would not accept.
    #[error("handler {handler}: {reason}")]
    BadActionName {
        /// The handler id.
        handler: String,
        /// The name.
        action: String,
        /// What is wrong with it (naming it).
        reason: String,
    },
    /// A hook pattern is malformed.
    #[error("handler {handler}: hook pattern {pattern:?}: {reason}")]
    BadHookPattern {
        /// The handler id.
        handler: String,
        /// The pattern.
        pattern: String,
        /// What is wrong with it.
        reason: String,
    },
}

/// Why a hook failed. Nothing of a hook that failed before its commit is
/// committed; a hook whose sends failed after it ([`HookError::Send`]) has
/// committed its unit state and journal, and the next hook resends.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// A handler or callback failed.
    #[error(transparent)]
    Handler(#[from] HandlerError),
    /// The unit state could not be read or written.
    #[error(transparent)]
    State(#[from] StateError),
    /// Sending the hook's writes failed (under Juju: a hook tool).
    #[error("sending the hook's changes failed: {0}")]
    Send(#[source] Box<dyn std::error::Error + 'static>),
    /// Redoing what an earlier hook's journal says has not taken effect
    /// failed (under Juju: a hook tool); the journal is kept.
    #[error("resending the changes of an earlier hook failed: {0}")]
    Recover(#[source] Box<dyn std::error::Error + 'static>),
    /// Juju ran an action no handler is registered for.
    #[error("the charm has no handler for action {0:?}")]
    NoActionHandler(String),
}

impl HandlerError {
    /// The error value a handler or callback returned, if it is a `T`
    /// (the charm's own error type, [`crate::Error`], ...).
    pub fn downcast_ref<T: Any>(&self) -> Option<&T> {
        match self {
            HandlerError::Failed { error, .. } | HandlerError::Callback { error, .. } => {
                error.downcast_ref()
            }
            _ => None,
        }
    }
}

impl HookError {
    /// The error value a handler or callback returned, if the hook failed
    /// because one returned a `T`. Tests match on the charm's own errors
    /// through this:
    ///
    /// ```
    /// use charm_runtime::{Handler, HookContext, HookOptions, MemoryStore, Registry, run_hook};
    ///
    /// #[derive(Debug, PartialEq)]
    /// enum Refusal { NoDisk }
    /// impl std::fmt::Display for Refusal {
    ///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("no disk") }
    /// }
    ///
    /// let mut registry = Registry::new();
    /// registry.add(Handler::new("install", |_: &HookContext| Err::<(), _>(Refusal::NoDisk))
    ///     .hook(["install"])).unwrap();
    /// let out = run_hook(&registry, &mut MemoryStore::new(), HookOptions::new("install"));
    /// assert_eq!(out.error.unwrap().downcast_ref::<Refusal>(), Some(&Refusal::NoDisk));
    /// ```
    pub fn downcast_ref<T: Any>(&self) -> Option<&T> {
        match self {
            HookError::Handler(e) => e.downcast_ref(),
            _ => None,
        }
    }
}

/// What a handler or callback returned as its error: its message (the
/// error's alternate `Display`, `{:#}`) and the value itself, kept so that
/// tests can match on it ([`HookError::downcast_ref`]).
#[derive(Clone)]
pub struct Failure {
    message: String,
    value: Rc<dyn Any>,
}

impl Failure {
    /// A failure carrying `error`.
    pub fn new<E: fmt::Display + 'static>(error: E) -> Self {
        Self {
            message: format!("{error:#}"),
            value: Rc::new(error),
        }
    }

    /// The error's message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The error value, if it is a `T`.
    pub fn downcast_ref<T: Any>(&self) -> Option<&T> {
        self.value.downcast_ref()
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Failure").field(&self.message).finish()
    }
}
