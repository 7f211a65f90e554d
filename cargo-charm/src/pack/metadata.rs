//! The parts of `metadata.yaml` packing needs: the charm's name, its
//! relation endpoints and storage.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::error::PackError;

/// The charm's metadata, as far as packing reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CharmMeta {
    /// The charm's name (`name:`).
    pub name: String,
    /// Relation endpoints of `provides`, `requires` and `peers`, sorted.
    pub endpoints: Vec<String>,
    /// Storage names (`storage:`), sorted.
    pub storage: Vec<String>,
    /// The Ubuntu series the author lists (`series:`), if any.
    pub series: Vec<String>,
}

#[derive(Deserialize)]
struct Raw {
    name: Option<String>,
    #[serde(default)]
    provides: BTreeMap<String, IgnoredAny>,
    #[serde(default)]
    requires: BTreeMap<String, IgnoredAny>,
    #[serde(default)]
    peers: BTreeMap<String, IgnoredAny>,
    #[serde(default)]
    storage: BTreeMap<String, IgnoredAny>,
    #[serde(default)]
    series: Vec<String>,
}

impl CharmMeta {
    /// Read `metadata.yaml` in the charm directory `dir`.
    pub fn read(dir: &Path) -> Result<Self, PackError> {
        let path = dir.join("metadata.yaml");
        let text = std::fs::read_to_string(&path).map_err(PackError::io(&path, "cannot read"))?;
        Self::parse(&text).map_err(|reason| PackError::Metadata { path, reason })
    }

    /// Parse the text of a `metadata.yaml`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let raw: Raw = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
        let name = raw
            .name
            .filter(|n| !n.is_empty())
            .ok_or_else(|| "no `name:`: Juju needs the charm's name".to_owned())?;
        let mut endpoints: Vec<String> = raw
            .provides
            .into_keys()
            .chain(raw.requires.into_keys())
            .chain(raw.peers.into_keys())
            .collect();
        endpoints.sort();
        endpoints.dedup();
        Ok(CharmMeta {
            name,
            endpoints,
            storage: raw.storage.into_keys().collect(),
            series: raw.series,
        })
    }
}

/// `metadata.yaml`'s text without its top-level `series:` key: a packed
/// charm names its bases in manifest.yaml, and Juju refuses a charm that
/// names them in both.
pub fn without_series(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut skipping = false;
    for line in text.split_inclusive('\n') {
        let top_level = !line.starts_with([' ', '\t', '-', '#', '\n', '\r']);
        if top_level {
            skipping = line.starts_with("series:") || line.starts_with("series :");
        }
        if !skipping {
            out.push_str(line);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_name_endpoints_and_storage() {
        let meta = CharmMeta::parse(
            "name: web\nprovides: {website: {interface: http}}\npeers:\n  cluster:\n    interface: p\nstorage: {data: {type: filesystem}}\n",
        )
        .unwrap();
        assert_eq!(meta.name, "web");
        assert_eq!(meta.endpoints, ["cluster", "website"]);
        assert_eq!(meta.storage, ["data"]);
        assert!(meta.series.is_empty());
    }

    #[test]
    fn series_are_read_and_dropped() {
        let text = "name: a\nseries:\n- jammy\n- noble\n\n# c\npeers: {}\nseries2: x\n";
        assert_eq!(CharmMeta::parse(text).unwrap().series, ["jammy", "noble"]);
        assert_eq!(without_series(text), "name: a\npeers: {}\nseries2: x\n");
        let flow = "name: a\nseries: [jammy]\nsummary: s\n";
        assert_eq!(without_series(flow), "name: a\nsummary: s\n");
    }

    #[test]
    fn a_missing_name_is_an_error() {
        let err = CharmMeta::parse("summary: x\n").unwrap_err();
        assert!(err.contains("name"), "{err}");
    }
}
