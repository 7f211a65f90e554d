//! `cargo charm pack`: build a charm crate in release mode and write the
//! `.charm` Juju deploys.
//!
//! One module per concept: [`metadata`] (what metadata.yaml says),
//! [`build`] (the release build), [`elf`] (what the binary needs),
//! [`bases`] (the Ubuntu releases that have it), [`hooks`] and
//! [`actions`] (the names linked to `dispatch`), [`layout`] (the charm's entries), [`archive`] (the zip).

mod actions;
mod archive;
mod bases;
mod build;
mod clock;
mod elf;
mod error;
mod hooks;
mod layout;
mod metadata;

use std::path::{Path, PathBuf};

use serde::Serialize;

pub use build::Builder;
pub use error::PackError;

/// Arguments of `cargo charm pack`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The charm crate's directory (metadata.yaml and Cargo.toml);
    /// default: the current directory
    dir: Option<PathBuf>,
    /// Where to write the .charm; default: the current directory
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// How to build the binary; default: zigbuild when cargo-zigbuild is on
    /// PATH (a static musl binary: every Ubuntu release), else cargo (this
    /// machine's glibc decides the bases)
    #[arg(long, value_enum, value_name = "BUILDER")]
    build_with: Option<Builder>,
    /// Print what was packed as JSON
    #[arg(long)]
    json: bool,
}

/// What `pack` made.
#[derive(Debug, Serialize)]
pub struct Packed {
    /// The charm's name.
    pub name: String,
    /// The `.charm` file.
    pub charm: PathBuf,
    /// Its size in bytes.
    pub charm_bytes: u64,
    /// The binary's path inside the charm.
    pub binary: String,
    /// The binary's size in bytes.
    pub binary_bytes: u64,
    /// The newest glibc version the binary needs, if it links glibc.
    pub glibc: Option<String>,
    /// The bases, as `ubuntu@20.04:amd64`.
    pub bases: Vec<String>,
    /// Every entry of the archive, sorted.
    pub entries: Vec<String>,
}

/// Run `cargo charm pack`.
pub fn run(args: &Args) -> crate::error::Result<()> {
    let dir = args.dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let out_dir = args.out_dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let builder = args.build_with.unwrap_or_else(Builder::detect);
    let packed = pack(&dir, &out_dir, builder).map_err(|e| crate::Error(e.to_string()))?;
    if args.json {
        let text = serde_json::to_string_pretty(&packed)
            .map_err(|e| crate::Error(format!("cannot write the report: {e}")))?;
        println!("{text}");
    } else {
        println!(
            "packed {} ({} bytes; binary {} bytes, glibc {}; bases {})",
            packed.charm.display(),
            packed.charm_bytes,
            packed.binary_bytes,
            packed.glibc.as_deref().unwrap_or("none"),
            packed.bases.join(", ")
        );
    }
    Ok(())
}

/// Build the charm crate in `dir` with `builder` and write its `.charm`
/// into `out_dir`.
pub fn pack(dir: &Path, out_dir: &Path, builder: Builder) -> Result<Packed, PackError> {
    let meta = metadata::CharmMeta::read(dir)?;
    // Read before the (long) build, so that a mistake shows at once.
    let actions = actions::read(dir)?;
    let manifest = dir.join("Cargo.toml");
    let (package, bin) =
        crate::introspect::charm_binary(&manifest).map_err(|e| PackError::Build {
            command: "cargo metadata".into(),
            reason: e.to_string(),
        })?;
    let binary = build::release_binary(&manifest, &package, &bin, builder)?;
    let needs = elf::needs(&binary)?;
    let bases = bases::Bases::for_needs(&needs, &meta.series).ok_or_else(|| PackError::NoBase {
        path: binary.clone(),
        needs: needs
            .glibc
            .map(|g| g.to_string())
            .unwrap_or_else(|| "none".into()),
        known: bases::UBUNTU
            .iter()
            .map(|u| format!("{} ({}, glibc {})", u.channel, u.series, u.glibc))
            .collect::<Vec<_>>()
            .join(", "),
        series: if meta.series.is_empty() {
            String::new()
        } else {
            format!("; metadata.yaml lists series {}", meta.series.join(", "))
        },
    })?;
    let tool = format!("cargo-charm {}", env!("CARGO_PKG_VERSION"));
    let manifest_text = bases.manifest_yaml(&tool, &clock::now_rfc3339());
    let entries = layout::entries(dir, &meta, &actions, &binary, &bases, manifest_text)?;
    std::fs::create_dir_all(out_dir).map_err(PackError::io(out_dir, "cannot create"))?;
    let charm = out_dir.join(format!("{}_{}.charm", meta.name, bases.file_suffix()));
    archive::write(&charm, &entries)?;
    let size = |p: &Path| {
        std::fs::metadata(p)
            .map(|m| m.len())
            .map_err(PackError::io(p, "cannot stat"))
    };
    Ok(Packed {
        charm_bytes: size(&charm)?,
        binary_bytes: size(&binary)?,
        binary: layout::binary_path(&meta),
        name: meta.name,
        charm,
        glibc: needs.glibc.map(|g| g.to_string()),
        bases: bases
            .releases
            .iter()
            .map(|u| format!("ubuntu@{}:{}", u.channel, bases.arch))
            .collect(),
        entries: entries.into_iter().map(|e| e.path).collect(),
    })
}
