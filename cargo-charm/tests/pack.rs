//! `cargo charm pack` on every example: the layout of the `.charm`, the
//! glibc its binary needs (none: static, with zigbuild) against the bases
//! it names, its `dispatch` and
//! `hooks/` links run under the simulator, and (with `CHARM_PACK_TOOLS`)
//! charmcraft's analysis and `charm proof` without errors or warnings.
//!
//! One test, so that no other test of this binary forks while a program
//! is being written (exec would fail with ETXTBSY).

mod packing;

use std::collections::BTreeMap;
use std::path::Path;

use packing::Entry;

/// The endpoints of the charm in `dir`, from its metadata.yaml.
fn endpoints(dir: &Path) -> Vec<String> {
    #[derive(serde::Deserialize)]
    struct Meta {
        #[serde(default)]
        provides: BTreeMap<String, serde::de::IgnoredAny>,
        #[serde(default)]
        requires: BTreeMap<String, serde::de::IgnoredAny>,
        #[serde(default)]
        peers: BTreeMap<String, serde::de::IgnoredAny>,
    }
    let text = std::fs::read_to_string(dir.join("metadata.yaml")).unwrap();
    let meta: Meta = serde_saphyr::from_str(&text).unwrap();
    meta.provides
        .into_keys()
        .chain(meta.requires.into_keys())
        .chain(meta.peers.into_keys())
        .collect()
}

/// The actions of the charm in `dir`, from its actions.yaml.
fn actions(dir: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(dir.join("actions.yaml")) else {
        return Vec::new();
    };
    let actions: BTreeMap<String, serde::de::IgnoredAny> = serde_saphyr::from_str(&text).unwrap();
    actions.into_keys().collect()
}

#[test]
fn every_example_packs_runs_and_passes_the_validators() {
    let tools = packing::pack_tools("every_example_packs_runs_and_passes_the_validators");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let mut names: Vec<_> = std::fs::read_dir(&examples)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("metadata.yaml").is_file())
        .collect();
    names.sort();
    assert!(names.len() >= 6, "the examples: {names:?}");
    let out = tempfile::tempdir().unwrap();
    let sim_tool = packing::sim_tool();
    let mut sizes = Vec::new();
    for dir in &names {
        let report = packing::pack(dir, out.path(), tools.as_deref());
        let name = report["name"].as_str().unwrap().to_owned();
        let charm = Path::new(report["charm"].as_str().unwrap()).to_owned();
        let endpoints = endpoints(dir);
        let endpoints: Vec<&str> = endpoints.iter().map(String::as_str).collect();
        packing::check_layout(&charm, dir, &name, &endpoints);

        let unpacked = out.path().join(&name);
        packing::unpack(&charm, &unpacked);
        let binary = unpacked.join("bin").join(&name);
        // The glibc the binary needs, as pack read it, against objdump
        // (none for the static binary zigbuild makes).
        let glibc = report["glibc"].as_str();
        let needed = glibc.map(|glibc| {
            let (major, minor) = glibc.split_once('.').unwrap();
            (major.parse::<u32>().unwrap(), minor.parse::<u32>().unwrap())
        });
        if let Some(seen) = packing::objdump_glibc(&binary) {
            assert_eq!(Some(seen), needed, "{name}: objdump -T and pack agree");
        }
        let bases: Vec<&str> = report["bases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_str().unwrap())
            .collect();
        if tools.is_some() {
            // zigbuild links statically against musl: no glibc at all, so
            // every release the metadata allows.
            assert_eq!(needed, None, "{name} needs glibc {glibc:?}");
            assert!(
                packing::is_static(&binary),
                "{name}: zigbuild made a dynamically linked binary"
            );
            let focal_allowed = !std::fs::read_to_string(dir.join("metadata.yaml"))
                .unwrap()
                .lines()
                .any(|l| l.starts_with("series:") || l.starts_with("series :"));
            if focal_allowed {
                assert!(bases.contains(&"ubuntu@20.04:amd64"), "{name}: {bases:?}");
            }
        }
        let actions = actions(dir);
        let actions: Vec<&str> = actions.iter().map(String::as_str).collect();
        for entry in [Entry::Dispatch, Entry::HookLinks] {
            packing::run_under_sim(&sim_tool, &unpacked, &name, entry, &actions);
        }
        if let Some(tools) = &tools {
            packing::proof(tools, &unpacked);
            packing::analyse(tools, &charm);
        }
        sizes.push(format!(
            "{name}: .charm {} bytes, binary {} bytes, glibc {}, {}",
            report["charm_bytes"],
            report["binary_bytes"],
            glibc.unwrap_or("none (static)"),
            bases.join(" ")
        ));
    }
    // The sizes BENCHMARKS.md reports; shown with --nocapture.
    for line in sizes {
        println!("{line}");
    }
}
