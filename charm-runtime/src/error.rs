//! The error type of charm handlers.

use crate::reactive::error::StateError;

/// Any error of the runtime, for handlers that mix them:
/// `fn h(...) -> Result<(), charm_runtime::Error>` and `?` on each call.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Unit state.
    #[error(transparent)]
    State(#[from] StateError),
    /// A file or process operation of the charm (`std::fs::write`, ...).
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A hook tool.
    #[error(transparent)]
    Tool(#[from] crate::backend::ToolError),
    /// Charm configuration.
    #[error(transparent)]
    Config(#[from] crate::config::ConfigError),
    /// `network-get`'s answer.
    #[error(transparent)]
    Network(#[from] crate::network::NetworkError),
    /// A Juju secret's id, key or content.
    #[error(transparent)]
    Secret(#[from] crate::backend::SecretError),
    /// A password could not be generated.
    #[error(transparent)]
    Password(#[from] crate::password::PasswordError),
    /// A relation or action name the charm does not declare.
    #[error(transparent)]
    Undeclared(#[from] UndeclaredName),
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

/// A name the charm's files do not declare (a relation, an action): the
/// message names the closest declared name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the charm's metadata declares no {kind} {name:?}{hint}")]
pub struct UndeclaredName {
    /// What kind of name (`relation`, `action`).
    pub kind: &'static str,
    /// The name asked for.
    pub name: String,
    hint: String,
}

impl UndeclaredName {
    /// `name`, a `kind` not among `declared`.
    pub fn new(kind: &'static str, name: &str, declared: &[&str]) -> Self {
        Self {
            kind,
            name: name.to_owned(),
            hint: did_you_mean(name, declared),
        }
    }
}

/// How an error suggests a declared name in place of `name`: the closest
/// one when one is close, else the list.
pub(crate) fn did_you_mean(name: &str, declared: &[&str]) -> String {
    match charm_names::closest(name, declared.iter().copied()) {
        Some(d) => format!(" (did you mean {d:?}?)"),
        None if declared.is_empty() => " (it declares none)".to_owned(),
        None => format!(" (declared: {})", declared.join(", ")),
    }
}
