//! `cargo charm new`: lay out a new charm crate that builds, passes its
//! harness test, runs in the simulator and packs.
//!
//! [`name`] checks the charm's name; [`template`] holds the files;
//! [`error`] says what went wrong.

mod error;
mod name;
mod template;

use std::path::{Path, PathBuf};

pub use error::NewError;

/// Arguments of `cargo charm new`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The charm's name (lowercase words joined by dashes); the crate's
    /// package and binary are named after it
    name: String,
    /// The directory to create; default: NAME in the current directory
    #[arg(long, value_name = "DIR")]
    path: Option<PathBuf>,
    /// The charm-runtime crate to depend on (a path dependency); default:
    /// the charm-runtime of the checkout this cargo-charm was built from
    #[arg(long, value_name = "DIR")]
    runtime: Option<PathBuf>,
    /// Make the crate a member of the workspace it is created in (the
    /// workspace's members must include it, and its release profile and
    /// `.cargo/config.toml` apply) instead of a workspace of its own
    #[arg(long)]
    member: bool,
    /// metadata.yaml's maintainer, as `Name <email>`
    #[arg(long, default_value = "Charm Author <charm-author@example.com>")]
    maintainer: String,
}

/// The charm-runtime of the checkout cargo-charm was built from.
fn default_runtime() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../charm-runtime")
}

/// Run `cargo charm new`.
pub fn run(args: &Args) -> crate::error::Result<()> {
    let dir = create(args).map_err(|e| crate::Error(e.to_string()))?;
    println!("created charm {} in {}", args.name, dir.display());
    Ok(())
}

/// Lay out the crate `args` describe; returns its directory.
pub fn create(args: &Args) -> Result<PathBuf, NewError> {
    name::check(&args.name).map_err(NewError::Name)?;
    if args
        .maintainer
        .chars()
        .any(|c| c == '"' || c == '\\' || c.is_control())
    {
        return Err(NewError::Maintainer(args.maintainer.clone()));
    }
    let dir = args
        .path
        .clone()
        .unwrap_or_else(|| PathBuf::from(&args.name));
    let runtime = args.runtime.clone().unwrap_or_else(default_runtime);
    let runtime = runtime.canonicalize().map_err(|e| NewError::Runtime {
        path: runtime.clone(),
        reason: e.to_string(),
    })?;
    if !runtime.join("Cargo.toml").is_file() {
        return Err(NewError::Runtime {
            path: runtime,
            reason: "no Cargo.toml".into(),
        });
    }
    let runtime_text = runtime.to_string_lossy().into_owned();
    if runtime_text.contains('"') || runtime_text.contains('\\') {
        return Err(NewError::Runtime {
            path: runtime,
            reason: "a path with a quote or backslash cannot go into Cargo.toml".into(),
        });
    }
    if dir.exists() {
        let mut entries = std::fs::read_dir(&dir).map_err(NewError::io(&dir, "cannot list"))?;
        if entries.next().is_some() {
            return Err(NewError::NotEmpty(dir));
        }
    }
    let ident = name::crate_ident(&args.name);
    let summary = format!("{} greets in its status", args.name);
    let values = [
        ("name", args.name.as_str()),
        ("crate", ident.as_str()),
        ("summary", summary.as_str()),
        ("maintainer", args.maintainer.as_str()),
        ("runtime", runtime_text.as_str()),
        (
            "standalone",
            if args.member {
                ""
            } else {
                template::STANDALONE
            },
        ),
    ];
    for file in &template::FILES {
        let path = dir.join(file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(NewError::io(parent, "cannot create"))?;
        }
        std::fs::write(&path, template::render(file.template, &values))
            .map_err(NewError::io(&path, "cannot write"))?;
    }
    if !args.member {
        let cargo = dir.join(".cargo");
        std::fs::create_dir_all(&cargo).map_err(NewError::io(&cargo, "cannot create"))?;
        let path = cargo.join("config.toml");
        std::fs::write(&path, template::CARGO_CONFIG)
            .map_err(NewError::io(&path, "cannot write"))?;
    }
    Ok(dir)
}
