//! The release build of the charm binary: with cargo, linked against this
//! machine's glibc, or with cargo-zigbuild, linked against an older one.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;

use super::error::PackError;

/// The glibc `zigbuild` links against: Ubuntu 20.04's.
pub const ZIG_GLIBC: &str = "2.31";

/// How the binary is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Builder {
    /// `cargo build --release`: the binary needs this machine's glibc.
    Cargo,
    /// `cargo-zigbuild zigbuild --release --target <arch>-unknown-linux-gnu.2.31`:
    /// zig links it against glibc 2.31 (Ubuntu 20.04 and later).
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
            c.arg("zigbuild").arg("--target").arg(format!(
                "{}-unknown-linux-gnu.{ZIG_GLIBC}",
                std::env::consts::ARCH
            ));
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
            Builder::Cargo => "cargo build",
            Builder::Zigbuild => "cargo-zigbuild zigbuild",
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
        return Err(fail(format!(
            "failed ({}; its errors are above)",
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
