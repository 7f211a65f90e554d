//! What can go wrong reading config values: [`ConfigError`] when a value
//! does not deserialize, [`ConfigProblem`] when a value does not fit the
//! charm's config schema.

use super::schema::OptionType;

/// A config value that cannot be read as the requested type.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// One option does not deserialize.
    #[error("config option {option:?}: {message}")]
    Option {
        /// The option (with a path inside it for nested values:
        /// `ports[1]`).
        option: String,
        /// What serde said, naming the expected type.
        message: String,
    },
    /// The config as a whole does not fit the requested type.
    #[error("config: {message}")]
    Whole {
        /// What serde said.
        message: String,
    },
    /// `config-get` output that is not a JSON object.
    #[error("config-get output is not a JSON object: {message}")]
    NotJson {
        /// Why.
        message: String,
    },
}

/// A config value that does not fit the charm's config schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigProblem {
    /// The schema does not declare the option.
    #[error("config option {option:?} is not declared in the charm's config")]
    Undeclared {
        /// The option.
        option: String,
    },
    /// The value's JSON type is not the declared type.
    #[error("config option {option:?} is declared {declared} but holds {found}")]
    WrongType {
        /// The option.
        option: String,
        /// Its declared type.
        declared: OptionType,
        /// The value, in words.
        found: String,
    },
}
