//! What goes into a `.charm`: the files of the charm crate Juju reads,
//! the written `charmcraft.yaml`, `manifest.yaml` and `dispatch`, the
//! `hooks/` and `actions/` links and the binary.

use std::path::{Path, PathBuf};

use super::bases::Bases;
use super::error::PackError;
use super::hooks::implied_hooks;
use super::metadata::{CharmMeta, without_series};

/// Where the binary goes in the charm: `bin/<charm name>`.
pub fn binary_path(meta: &CharmMeta) -> String {
    format!("bin/{}", meta.name)
}

/// The contents of one entry of the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// A file copied from disk.
    File(PathBuf),
    /// A file written by the packer.
    Text(String),
    /// A symbolic link to this (relative) target.
    Symlink(String),
}

/// One entry of the archive: its path in the charm, its content and
/// whether it is executable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The path inside the charm, with `/`.
    pub path: String,
    /// What it holds.
    pub content: Content,
    /// Mode 0755 rather than 0644.
    pub executable: bool,
}

impl Entry {
    fn file(path: impl Into<String>, from: PathBuf) -> Self {
        Entry {
            path: path.into(),
            content: Content::File(from),
            executable: false,
        }
    }
}

/// Files of the charm crate's directory that go into the charm as they
/// are, when present; `metadata.yaml`, which must be, goes without its
/// `series:` ([`without_series`]).
pub const COPIED: [&str; 6] = [
    "config.yaml",
    "actions.yaml",
    "README.md",
    "LICENSE",
    "copyright",
    "icon.svg",
];

/// Directories copied whole, when present.
pub const COPIED_DIRS: [&str; 1] = ["templates"];

/// The `dispatch` script for a charm whose binary is at `binary` (a path
/// inside the charm): it runs the binary for every hook and action with
/// `JUJU_DISPATCH_PATH` as Juju (2.8 and later) sets it, or as a hook
/// link's path gives it when an older Juju runs `hooks/<name>` or
/// `actions/<name>`.
pub fn dispatch_script(binary: &str) -> String {
    format!(
        "#!/bin/sh\n\
         # Juju 2.8 and later run this file for every hook and action, with\n\
         # JUJU_DISPATCH_PATH set to hooks/<hook> or actions/<action>; older\n\
         # Juju runs hooks/<hook> or actions/<action>, links to it. Either way\n\
         # the charm binary runs, in the charm directory, and reads the hook\n\
         # or action from that path.\n\
         if [ -z \"$JUJU_DISPATCH_PATH\" ]; then\n\
         \tJUJU_DISPATCH_PATH=\"$(basename \"$(dirname \"$0\")\")/$(basename \"$0\")\"\n\
         \texport JUJU_DISPATCH_PATH\n\
         fi\n\
         cd \"${{JUJU_CHARM_DIR:-.}}\" || exit 1\n\
         # The last word is the entrypoint, relative to the charm directory,\n\
         # where charm linters look for it.\n\
         exec {binary}\n"
    )
}

/// Lay out the charm of the crate in `dir` with metadata `meta`, actions
/// `actions` (names), the release binary `binary` and `bases`; `manifest` is the text of
/// `manifest.yaml`. Entries are sorted by path.
pub fn entries(
    dir: &Path,
    meta: &CharmMeta,
    actions: &[String],
    binary: &Path,
    bases: &Bases,
    manifest: String,
) -> Result<Vec<Entry>, PackError> {
    let metadata = dir.join("metadata.yaml");
    let text =
        std::fs::read_to_string(&metadata).map_err(PackError::io(&metadata, "cannot read"))?;
    let mut out = vec![Entry {
        path: "metadata.yaml".into(),
        content: Content::Text(without_series(&text)),
        executable: false,
    }];
    for name in COPIED {
        let path = dir.join(name);
        if path.is_file() {
            out.push(Entry::file(name, path));
        }
    }
    for name in COPIED_DIRS {
        let path = dir.join(name);
        if path.is_dir() {
            copy_tree(&path, name, &mut out)?;
        }
    }
    out.push(Entry {
        path: "charmcraft.yaml".into(),
        content: Content::Text(bases.charmcraft_yaml()),
        executable: false,
    });
    out.push(Entry {
        path: "manifest.yaml".into(),
        content: Content::Text(manifest),
        executable: false,
    });
    let bin = binary_path(meta);
    out.push(Entry {
        path: "dispatch".into(),
        content: Content::Text(dispatch_script(&bin)),
        executable: true,
    });
    for hook in implied_hooks(meta) {
        out.push(Entry {
            path: format!("hooks/{hook}"),
            content: Content::Symlink("../dispatch".into()),
            executable: true,
        });
    }
    for action in actions {
        out.push(Entry {
            path: format!("actions/{action}"),
            content: Content::Symlink("../dispatch".into()),
            executable: true,
        });
    }
    out.push(Entry {
        path: bin,
        content: Content::File(binary.to_owned()),
        executable: true,
    });
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

/// Add the files under `dir` (as `prefix/...`), skipping hidden ones.
fn copy_tree(dir: &Path, prefix: &str, out: &mut Vec<Entry>) -> Result<(), PackError> {
    let read = std::fs::read_dir(dir).map_err(PackError::io(dir, "cannot list"))?;
    for entry in read {
        let entry = entry.map_err(PackError::io(dir, "cannot list"))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let inside = format!("{prefix}/{name}");
        if path.is_dir() {
            copy_tree(&path, &inside, out)?;
        } else if path.is_file() {
            out.push(Entry::file(inside, path));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dispatch_runs_the_binary_from_the_charm_directory() {
        let script = dispatch_script("bin/web");
        assert!(script.starts_with("#!/bin/sh\n"));
        assert!(script.contains("cd \"${JUJU_CHARM_DIR:-.}\" || exit 1\n"));
        assert!(script.ends_with("\nexec bin/web\n"));
        assert!(script.contains(
            "JUJU_DISPATCH_PATH=\"$(basename \"$(dirname \"$0\")\")/$(basename \"$0\")\""
        ));
    }
}
