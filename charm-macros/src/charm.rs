//! What the macros can see of the charm being compiled: the relation names
//! of its metadata and the names of its actions, read at compile time from
//! the charm directory.
//!
//! The charm directory is the directory named by the `CHARM_DIR`
//! environment variable when the crate is compiled (relative to the
//! crate's directory when relative), else the crate's directory
//! (`CARGO_MANIFEST_DIR`). As at run time, the metadata is read from
//! `metadata.yaml`, or when it is absent from `charmcraft.yaml` if that
//! has the metadata keys (a `name`); the actions from `actions.yaml`, or
//! when it is absent from the `actions` key of `charmcraft.yaml`. Without
//! these files (library and interface crates), or when they cannot be
//! parsed (the runtime reports that when the charm runs), nothing is
//! checked.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;
use quote::quote;
use serde::Deserialize;
use serde::de::IgnoredAny;

/// The environment variable naming the charm directory.
pub const CHARM_DIR: &str = "CHARM_DIR";

/// The charm's names the macros check against.
#[derive(Debug, Default)]
pub struct Charm {
    /// The relation (endpoint) names of its metadata, when it has metadata.
    pub relations: Option<Vec<String>>,
    /// The file the relations come from.
    pub metadata_file: &'static str,
    /// Its action names, when it declares its actions.
    pub actions: Option<Vec<String>>,
    /// The file the actions come from.
    pub actions_file: &'static str,
    /// Every file read, so that the crate is recompiled when one changes.
    files: Vec<PathBuf>,
}

/// The metadata keys read: the relation sections (any value: only the
/// names are checked) and `name`, which tells a `charmcraft.yaml` with
/// metadata from a build-only one.
#[derive(Deserialize, Default)]
struct MetadataDoc {
    #[serde(default)]
    name: Option<IgnoredAny>,
    #[serde(default)]
    provides: Option<BTreeMap<String, IgnoredAny>>,
    #[serde(default)]
    requires: Option<BTreeMap<String, IgnoredAny>>,
    #[serde(default)]
    peers: Option<BTreeMap<String, IgnoredAny>>,
    #[serde(default)]
    actions: Option<BTreeMap<String, IgnoredAny>>,
}

impl MetadataDoc {
    /// The relation names, sorted.
    fn relations(self) -> Vec<String> {
        let mut names: Vec<String> = [self.provides, self.requires, self.peers]
            .into_iter()
            .flatten()
            .flat_map(BTreeMap::into_keys)
            .collect();
        names.sort();
        names
    }
}

/// A YAML document of the charm directory; `None` when it is absent or
/// cannot be read or parsed as `T`.
fn read<T: for<'de> Deserialize<'de> + Default>(
    path: &Path,
    files: &mut Vec<PathBuf>,
) -> Option<T> {
    let text = std::fs::read_to_string(path).ok()?;
    files.push(path.to_owned());
    // An empty document is no keys.
    Some(
        serde_saphyr::from_str::<Option<T>>(&text)
            .ok()?
            .unwrap_or_default(),
    )
}

/// The charm directory, if the crate has one.
fn charm_dir() -> Option<PathBuf> {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    match std::env::var_os(CHARM_DIR) {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            Some(match manifest {
                Some(m) if dir.is_relative() => m.join(dir),
                _ => dir,
            })
        }
        _ => manifest,
    }
}

impl Charm {
    /// What the charm directory of the crate being compiled declares.
    pub fn load() -> Charm {
        match charm_dir() {
            Some(dir) => Charm::load_dir(&dir),
            None => Charm::default(),
        }
    }

    /// What the charm directory `dir` declares.
    fn load_dir(dir: &Path) -> Charm {
        let mut charm = Charm::default();
        let mut files = Vec::new();
        let charmcraft = || read::<MetadataDoc>(&dir.join("charmcraft.yaml"), &mut Vec::new());
        if let Some(doc) = read::<MetadataDoc>(&dir.join("metadata.yaml"), &mut files) {
            charm.relations = Some(doc.relations());
            charm.metadata_file = "metadata.yaml";
        } else if let Some(doc) = charmcraft().filter(|d| d.name.is_some()) {
            charm.relations = Some(doc.relations());
            charm.metadata_file = "charmcraft.yaml";
        }
        if let Some(actions) =
            read::<BTreeMap<String, IgnoredAny>>(&dir.join("actions.yaml"), &mut files)
        {
            charm.actions = Some(actions.into_keys().collect());
            charm.actions_file = "actions.yaml";
        } else if let Some(actions) = charmcraft().and_then(|d| d.actions) {
            charm.actions = Some(actions.into_keys().collect());
            charm.actions_file = "charmcraft.yaml";
        }
        if charm.metadata_file == "charmcraft.yaml" || charm.actions_file == "charmcraft.yaml" {
            files.push(dir.join("charmcraft.yaml"));
        }
        charm.files = files;
        charm
    }

    /// Items that make the compiler track the files read and `CHARM_DIR`:
    /// the crate is compiled again when one of them changes.
    pub fn tracking(&self) -> TokenStream {
        let files = self.files.iter().filter_map(|f| f.to_str());
        quote! {
            const _: ::core::option::Option<&str> = ::core::option_env!("CHARM_DIR");
            #(const _: &[u8] = ::core::include_bytes!(#files);)*
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory with `files`.
    fn charm_dir(name: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("charm-macros-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (file, text) in files {
            std::fs::write(dir.join(file), text).unwrap();
        }
        dir
    }

    #[test]
    fn classic_files() {
        let dir = charm_dir(
            "classic",
            &[
                (
                    "metadata.yaml",
                    "name: x\nrequires: {db: mysql}\npeers:\n  cluster: {interface: p}\n",
                ),
                ("actions.yaml", "backup: {description: b}\n"),
                (
                    "charmcraft.yaml",
                    "name: y\nprovides: {other: http}\nactions: {other: {}}\n",
                ),
            ],
        );
        let charm = Charm::load_dir(&dir);
        assert_eq!(
            charm.relations.as_deref(),
            Some(&["cluster".to_owned(), "db".to_owned()][..])
        );
        assert_eq!(charm.metadata_file, "metadata.yaml");
        assert_eq!(charm.actions.as_deref(), Some(&["backup".to_owned()][..]));
        assert_eq!(
            charm.files.len(),
            2,
            "charmcraft.yaml is not read: {:?}",
            charm.files
        );
        let tracking = charm.tracking().to_string();
        assert!(tracking.contains("metadata.yaml") && tracking.contains("CHARM_DIR"));
    }

    #[test]
    fn charmcraft_only() {
        let dir = charm_dir(
            "charmcraft",
            &[(
                "charmcraft.yaml",
                "name: y\ntype: charm\nprovides: {web: http}\nactions:\n  snap: {}\n",
            )],
        );
        let charm = Charm::load_dir(&dir);
        assert_eq!(charm.relations.as_deref(), Some(&["web".to_owned()][..]));
        assert_eq!(charm.metadata_file, "charmcraft.yaml");
        assert_eq!(charm.actions.as_deref(), Some(&["snap".to_owned()][..]));
        assert_eq!(charm.actions_file, "charmcraft.yaml");
    }

    #[test]
    fn build_only_charmcraft_and_absent_files_check_nothing() {
        let dir = charm_dir(
            "build-only",
            &[("charmcraft.yaml", "type: charm\nparts: {}\n")],
        );
        let charm = Charm::load_dir(&dir);
        assert_eq!(charm.relations, None);
        assert_eq!(charm.actions, None);
        let dir = charm_dir("empty", &[]);
        let charm = Charm::load_dir(&dir);
        assert_eq!(charm.relations, None);
        assert!(charm.files.is_empty());
    }

    #[test]
    fn unparsable_files_check_nothing() {
        let dir = charm_dir(
            "bad",
            &[
                ("metadata.yaml", "name: [unclosed\n"),
                ("actions.yaml", "- a list\n"),
            ],
        );
        let charm = Charm::load_dir(&dir);
        assert_eq!(charm.relations, None);
        assert_eq!(charm.actions, None);
    }

    #[test]
    fn empty_documents_declare_nothing() {
        let dir = charm_dir("empty-docs", &[("metadata.yaml", ""), ("actions.yaml", "")]);
        let charm = Charm::load_dir(&dir);
        assert_eq!(charm.relations.as_deref(), Some(&[][..]));
        assert_eq!(charm.actions.as_deref(), Some(&[][..]));
    }
}
