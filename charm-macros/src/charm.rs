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
fn read<T: for<'de> Deserialize<'de>>(path: &Path, files: &mut Vec<PathBuf>) -> Option<T> {
    let text = std::fs::read_to_string(path).ok()?;
    files.push(path.to_owned());
    // An empty document is no keys.
    serde_saphyr::from_str::<Option<T>>(&text).ok()?
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
        let mut charm = Charm::default();
        let Some(dir) = charm_dir() else {
            return charm;
        };
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
