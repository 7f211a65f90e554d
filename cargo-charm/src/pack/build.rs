//! The release build of the charm binary: with cargo, linked against this
//! machine's glibc, or with cargo-zigbuild, a static binary linked against
//! musl, which runs on every Ubuntu release.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;

use super::error::PackError;

/// The target `zigbuild` builds for: `<arch>-unknown-linux-musl`, a
/// statically linked binary (the Rust target must be installed: `rustup
/// target add x86_64-unknown-linux-musl`).
pub fn static_target() -> String {
    format!("{}-unknown-linux-musl", std::env::consts::ARCH)
}

/// How the binary is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Builder {
    /// `cargo build --release`: the binary needs this machine's glibc.
    Cargo,
    /// `cargo-zigbuild zigbuild --release --target <arch>-unknown-linux-musl`:
    /// zig links it statically against musl, so it needs no glibc and runs
    /// on every Ubuntu release. It also starts faster and maps less memory
    /// than a dynamically linked binary (no dynamic loader, no shared
    /// libraries; BENCHMARKS.md).
    Zigbuild,
}

impl Builder {
    /// `zigbuild` when `cargo-zigbuild` is on PATH, else `cargo`.
    pub fn detect() -> Builder {
        let found = std::env::var_os("PATH").is_some_and(|paths| {
            std::env::split_paths(&paths).any(|d| d.join("cargo-zigbuild").is_file())
        });
        if found {
            Builder::Zigbuild
        } else {
            Builder::Cargo
        }
    }
}

#[derive(Deserialize)]
struct Artifact {
    reason: String,
    #[serde(default)]
    executable: Option<PathBuf>,
    #[serde(default)]
    target: Option<Target>,
}

#[derive(Deserialize)]
struct Target {
    name: String,
}

/// Build binary `bin` of `package` in `manifest` in release mode with
/// `builder` and return its path.
pub fn release_binary(
    manifest: &Path,
    package: &str,
    bin: &str,
    builder: Builder,
) -> Result<PathBuf, PackError> {
    let mut command = match builder {
        Builder::Cargo => {
            let mut c = crate::introspect::cargo();
            c.arg("build");
            c
        }
        Builder::Zigbuild => {
            let mut c = Command::new("cargo-zigbuild");
            c.arg("zigbuild").arg("--target").arg(static_target());
            c
        }
    };
    command
        .args(["--release", "--message-format=json-render-diagnostics"])
        .arg("--manifest-path")
        .arg(manifest)
        .args(["--package", package, "--bin", bin])
        .stderr(Stdio::inherit());
    let shown = format!(
        "{} --release --manifest-path {} --package {package} --bin {bin}",
        match builder {
            Builder::Cargo => "cargo build".to_owned(),
            Builder::Zigbuild => format!("cargo-zigbuild zigbuild --target {}", static_target()),
        },
        manifest.display()
    );
    let fail = |reason: String| PackError::Build {
        command: shown.clone(),
        reason,
    };
    let out = command
        .output()
        .map_err(|e| fail(format!("cannot start: {e}")))?;
    if !out.status.success() {
        let hint = match builder {
            Builder::Zigbuild => format!(
                "; a missing Rust target is added with `rustup target add {}`",
                static_target()
            ),
            Builder::Cargo => String::new(),
        };
        return Err(fail(format!(
            "failed ({}; its errors are above{hint})",
            out.status
        )));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Artifact>(l).ok())
        .filter(|a| a.reason == "compiler-artifact")
        .filter(|a| a.target.as_ref().is_some_and(|t| t.name == bin))
        .find_map(|a| a.executable)
        .ok_or_else(|| fail(format!("made no binary {bin}")))
}
