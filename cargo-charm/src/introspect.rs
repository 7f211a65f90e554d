//! Learning a charm's registry without linking its handlers: build the
//! charm crate with cargo, run its binary with `CHARM_INTROSPECT=registry`
//! (answered by `charm_runtime::main`, which prints the handlers, their
//! conditions and the triggers as JSON) and parse the document.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::Deserialize;

use crate::error::{Error, Result};

/// The environment variable the charm binary answers.
pub const INTROSPECT_VAR: &str = "CHARM_INTROSPECT";

/// The newest document version this tool reads.
pub const VERSION: u32 = 1;

/// The charm binary's description of its registry.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Registry {
    /// Always `registry`.
    pub introspect: String,
    /// The document's version.
    pub version: u32,
    /// The charm's name (metadata.yaml).
    pub charm: String,
    /// Handlers in dispatch order.
    pub handlers: Vec<Handler>,
    /// Triggers in registration order.
    #[serde(default)]
    pub triggers: Vec<Trigger>,
}

/// One handler and its conditions.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Handler {
    /// Its id, `module::path::function[:endpoint]`.
    pub id: String,
    /// The endpoint an interface handler was instantiated for.
    #[serde(default)]
    pub endpoint: Option<String>,
    /// Its conditions (all must hold).
    pub conditions: Vec<Condition>,
}

/// One condition: `kind` is the decorator (`when_all`, `when_any`,
/// `when_none`, `when_not_all`, `hook`, `restricted_hook`,
/// `when_file_changed`, `only_once`, `action`), with the field of its kind.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Condition {
    /// The decorator name.
    pub kind: String,
    /// Flags of `when*` conditions.
    #[serde(default)]
    pub flags: Vec<String>,
    /// Hook patterns of `hook`.
    #[serde(default)]
    pub patterns: Vec<String>,
    /// Files of `when_file_changed`.
    #[serde(default)]
    pub files: Vec<String>,
    /// The action or restricted hook.
    #[serde(default)]
    pub name: Option<String>,
}

/// One trigger: when `flag` becomes `on` (`set`/`cleared`), do `action`
/// (`set_flag`/`clear_flag` on `target`, or `callback`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Trigger {
    /// `set` or `cleared`.
    pub on: String,
    /// The flag watched.
    pub flag: String,
    /// `set_flag`, `clear_flag` or `callback`.
    pub action: String,
    /// The flag set or cleared.
    #[serde(default)]
    pub target: Option<String>,
}

/// Parse an introspection document; `source` names where it came from.
pub fn parse(json: &str, source: &str) -> Result<Registry> {
    let doc: Registry = serde_json::from_str(json).map_err(|e| {
        Error(format!(
            "{source}: not a charm registry description ({e}); is the charm built \
             with a charm-runtime that answers {INTROSPECT_VAR}=registry?"
        ))
    })?;
    if doc.introspect != "registry" {
        return Err(Error(format!(
            "{source}: describes {:?}, not a registry",
            doc.introspect
        )));
    }
    if doc.version > VERSION {
        return Err(Error(format!(
            "{source}: registry description version {} is newer than this cargo-charm \
             reads ({VERSION}); update cargo-charm",
            doc.version
        )));
    }
    Ok(doc)
}

/// The cargo that runs us (`$CARGO` under `cargo charm`), else `cargo`.
pub(crate) fn cargo() -> Command {
    Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
}

#[derive(Deserialize)]
struct Metadata {
    packages: Vec<Package>,
}

#[derive(Deserialize)]
struct Package {
    name: String,
    manifest_path: PathBuf,
    targets: Vec<Target>,
}

#[derive(Deserialize)]
struct Target {
    name: String,
    kind: Vec<String>,
}

/// The package of `manifest` and the name of its charm binary: its only
/// binary, or the one named after the package.
pub(crate) fn charm_binary(manifest: &Path) -> Result<(String, String)> {
    let out = cargo()
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--manifest-path",
        ])
        .arg(manifest)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Error(format!("cannot run cargo metadata: {e}")))?;
    if !out.status.success() {
        return Err(Error::at(manifest, "cargo metadata failed (see above)"));
    }
    let meta: Metadata = serde_json::from_slice(&out.stdout)
        .map_err(|e| Error::at(manifest, format!("unexpected cargo metadata output: {e}")))?;
    let canonical = manifest.canonicalize().unwrap_or_else(|_| manifest.into());
    let package = meta
        .packages
        .iter()
        .find(|p| p.manifest_path == canonical)
        .ok_or_else(|| {
            Error::at(
                manifest,
                "no package here (a workspace root? give the charm crate's directory)",
            )
        })?;
    let bins: Vec<&str> = package
        .targets
        .iter()
        .filter(|t| t.kind.iter().any(|k| k == "bin"))
        .map(|t| t.name.as_str())
        .collect();
    let bin = match bins.as_slice() {
        [one] => one.to_string(),
        [] => {
            return Err(Error::at(
                manifest,
                format!("package {} has no binary: a charm is one", package.name),
            ));
        }
        many => match many.iter().find(|b| **b == package.name) {
            Some(b) => b.to_string(),
            None => {
                return Err(Error::at(
                    manifest,
                    format!(
                        "package {} has several binaries ({}) and none is named after it",
                        package.name,
                        many.join(", ")
                    ),
                ));
            }
        },
    };
    Ok((package.name.clone(), bin))
}

#[derive(Deserialize)]
struct Artifact {
    reason: String,
    #[serde(default)]
    executable: Option<PathBuf>,
    #[serde(default)]
    target: Option<Target>,
}

/// Build the charm crate in `charm_dir` and return its binary.
pub fn build(charm_dir: &Path) -> Result<PathBuf> {
    build_charm(charm_dir, false)
}

/// Build the charm crate in `charm_dir` (`--quiet` if `quiet`) and return
/// its binary.
pub fn build_charm(charm_dir: &Path, quiet: bool) -> Result<PathBuf> {
    let manifest = charm_dir.join("Cargo.toml");
    if !manifest.is_file() {
        return Err(Error::at(
            charm_dir,
            "no Cargo.toml: not a charm crate's directory",
        ));
    }
    let (package, bin) = charm_binary(&manifest)?;
    build_binary(&manifest, &package, &bin, quiet)
}

/// Build binary `bin` of `package` of the crate or workspace `manifest`
/// (cargo's own output on our standard error) and return its path, as
/// cargo's JSON messages give it. `quiet` passes `--quiet`: cargo then
/// prints only warnings and errors.
pub fn build_binary(manifest: &Path, package: &str, bin: &str, quiet: bool) -> Result<PathBuf> {
    let mut command = cargo();
    command.args(["build", "--message-format=json-render-diagnostics"]);
    if quiet {
        command.arg("--quiet");
    }
    let out = command
        .arg("--manifest-path")
        .arg(manifest)
        .args(["--package", package, "--bin", bin])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| Error(format!("cannot run cargo build: {e}")))?;
    if !out.status.success() {
        return Err(Error::at(manifest, "cargo build failed (see above)"));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<Artifact>(l).ok())
        .filter(|a| a.reason == "compiler-artifact")
        .filter(|a| a.target.as_ref().is_some_and(|t| t.name == bin))
        .find_map(|a| a.executable)
        .ok_or_else(|| Error::at(manifest, format!("cargo build made no binary {bin}")))
}

/// Ask the charm binary `binary` for the registry of the charm in
/// `charm_dir`.
pub fn ask(binary: &Path, charm_dir: &Path) -> Result<Registry> {
    let out = Command::new(binary)
        .env(INTROSPECT_VAR, "registry")
        .env("CHARM_DIR", charm_dir)
        .current_dir(charm_dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Error::at(binary, format!("cannot run: {e}")))?;
    if !out.status.success() {
        // A charm-runtime older than introspection runs a hook instead,
        // and exits 2 outside Juju.
        let hint = if out.status.code() == Some(2) {
            " (a charm-runtime without introspection? it needs one that answers \
             CHARM_INTROSPECT=registry)"
        } else {
            ""
        };
        return Err(Error::at(
            binary,
            format!(
                "{INTROSPECT_VAR}=registry failed ({}): {}{hint}",
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            ),
        ));
    }
    parse(
        &String::from_utf8_lossy(&out.stdout),
        &binary.display().to_string(),
    )
}
