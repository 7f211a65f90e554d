//! What can go wrong while rendering, each error naming the file,
//! template, option or relation concerned.

use std::path::PathBuf;

use crate::host::HostError;

/// Rendering a charm's configuration failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// No template of any of the names was found in the directories.
    #[error(
        "no template {} for {}; looked in {}",
        names.join(" or "),
        file.display(),
        shown_dirs(tried)
    )]
    NotFound {
        /// The file being rendered.
        file: PathBuf,
        /// The template names tried, in order (base name, then the path
        /// with `/` as `_`).
        names: Vec<String>,
        /// The directories searched, in order.
        tried: Vec<PathBuf>,
    },
    /// A template failed to load, parse or render (an included template
    /// is missing, a filter got the wrong type, a syntax error).
    #[error("template {template} ({}): {source:#}", path.display())]
    Template {
        /// The template's name.
        template: String,
        /// Where it was found.
        path: PathBuf,
        /// What the engine said.
        #[source]
        source: minijinja::Error,
    },
    /// The charm's configuration could not be read.
    #[error("reading the charm config: {0}")]
    Config(String),
    /// A computed property of the configuration adapter failed.
    #[error("config property {property}: {reason}")]
    Property {
        /// The property's name.
        property: String,
        /// Why.
        reason: String,
    },
    /// A relation adapter could not give its values.
    #[error("relation adapter {relation}: {reason}")]
    Adapter {
        /// The relation's name.
        relation: String,
        /// Why.
        reason: String,
    },
    /// The rendered file could not be written.
    #[error("writing {}: {source}", file.display())]
    Write {
        /// The file.
        file: PathBuf,
        /// What the host said.
        #[source]
        source: HostError,
    },
    /// A service could not be restarted.
    #[error("restarting {service} (changed: {}): {source}", shown_dirs(files))]
    Restart {
        /// The service.
        service: String,
        /// The changed files that restart it.
        files: Vec<PathBuf>,
        /// What the host said.
        #[source]
        source: HostError,
    },
    /// The hash of a rendered file could not be read or kept in the
    /// unit's data.
    #[error("unit data {key}: {reason}")]
    State {
        /// The key.
        key: String,
        /// Why.
        reason: String,
    },
}

fn shown_dirs(dirs: &[PathBuf]) -> String {
    if dirs.is_empty() {
        return "(no directory)".to_owned();
    }
    dirs.iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl From<RenderError> for charm_runtime::Error {
    fn from(e: RenderError) -> Self {
        charm_runtime::Error::Interface(Box::new(e))
    }
}
