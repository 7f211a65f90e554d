//! Error types. Every message says what was wrong and where.

use std::path::PathBuf;

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
    #[error("handler {handler} failed: {message}")]
    Failed {
        /// The handler id.
        handler: String,
        /// The error's `Display`.
        message: String,
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
    #[error("{what} failed: {message}")]
    Callback {
        /// Which callback.
        what: String,
        /// What it said.
        message: String,
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
    #[error("handler {handler}: action name {action:?}: {reason}")]
    BadActionName {
        /// The handler id.
        handler: String,
        /// The name.
        action: String,
        /// What is wrong with it.
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

/// Why a hook failed. Nothing of a failed hook is committed.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// A handler or callback failed.
    #[error(transparent)]
    Handler(#[from] HandlerError),
    /// The unit state could not be read or written.
    #[error(transparent)]
    State(#[from] StateError),
    /// Sending the hook's writes to Juju failed.
    #[error("sending the hook's changes to Juju failed: {0}")]
    Tool(#[from] crate::backend::ToolError),
    /// Juju ran an action no handler is registered for.
    #[error("the charm has no handler for action {0:?}")]
    NoActionHandler(String),
}

/// Any error of the runtime, for handlers that mix them:
/// `fn h(...) -> Result<(), charm_runtime::Error>` and `?` on each call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Unit state.
    #[error(transparent)]
    State(#[from] StateError),
    /// A hook tool.
    #[error(transparent)]
    Tool(#[from] crate::backend::ToolError),
    /// Charm configuration.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// An error of a typed endpoint (an interface crate's own error type,
    /// converted with `From` so `?` works in charm handlers).
    #[error(transparent)]
    Interface(Box<dyn std::error::Error + 'static>),
    /// Something the handler itself found wrong.
    #[error("{0}")]
    Other(String),
}

impl Error {
    /// An error with `message`.
    pub fn msg(message: impl Into<String>) -> Self {
        Error::Other(message.into())
    }
}
