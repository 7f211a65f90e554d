//! The Ubuntu bases a binary runs on, from the glibc it needs, and the
//! `charmcraft.yaml` and `manifest.yaml` that name them.

use super::elf::{Glibc, Needs};

/// An Ubuntu release a charm can be deployed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ubuntu {
    /// The release (`channel` in charmcraft.yaml): `22.04`.
    pub channel: &'static str,
    /// Its series name (metadata.yaml's `series:`): `jammy`.
    pub series: &'static str,
    /// The glibc it ships.
    pub glibc: Glibc,
}

const fn ubuntu(channel: &'static str, series: &'static str, minor: u32) -> Ubuntu {
    Ubuntu {
        channel,
        series,
        glibc: Glibc { major: 2, minor },
    }
}

/// The supported Ubuntu LTS releases and their glibc, oldest first.
pub const UBUNTU: [Ubuntu; 3] = [
    ubuntu("20.04", "focal", 31),
    ubuntu("22.04", "jammy", 35),
    ubuntu("24.04", "noble", 39),
];

/// The bases a binary with `needs` runs on: every release whose glibc is
/// at least the one it needs, on its architecture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bases {
    /// The releases, oldest first.
    pub releases: Vec<Ubuntu>,
    /// The architecture (amd64, ...).
    pub arch: &'static str,
}

impl Bases {
    /// The bases for `needs`, among the releases of `series` when the
    /// metadata lists some; `None` when no such release has its glibc.
    pub fn for_needs(needs: &Needs, series: &[String]) -> Option<Bases> {
        let releases: Vec<Ubuntu> = UBUNTU
            .into_iter()
            .filter(|u| needs.glibc.is_none_or(|g| g <= u.glibc))
            .filter(|u| series.is_empty() || series.iter().any(|s| s == u.series))
            .collect();
        (!releases.is_empty()).then_some(Bases {
            releases,
            arch: needs.arch,
        })
    }

    /// The part of the `.charm` file name after the charm's name, as
    /// charm files are named: `ubuntu-20.04-amd64_ubuntu-22.04-amd64`.
    pub fn file_suffix(&self) -> String {
        self.releases
            .iter()
            .map(|u| format!("ubuntu-{}-{}", u.channel, self.arch))
            .collect::<Vec<_>>()
            .join("_")
    }

    /// The `bases:` list, as both charmcraft.yaml and manifest.yaml write
    /// it (a base to build on and run on is the same here).
    fn yaml_list(&self, indent: &str) -> String {
        let mut out = String::new();
        for u in &self.releases {
            out.push_str(&format!(
                "{indent}- name: ubuntu\n{indent}  channel: \"{}\"\n{indent}  architectures: [{}]\n",
                u.channel, self.arch
            ));
        }
        out
    }

    /// `charmcraft.yaml` of the packed charm: a charm of type `charm`
    /// whose bases are built and run on alike.
    pub fn charmcraft_yaml(&self) -> String {
        let mut out = String::from(
            "# Written by `cargo charm pack`: the binary in this charm was built\n\
             # once, outside charmcraft, for every base below.\n\
             type: charm\nbases:\n",
        );
        for u in &self.releases {
            out.push_str(&format!(
                "  - build-on:\n      - name: ubuntu\n        channel: \"{c}\"\n        architectures: [{a}]\n    run-on:\n      - name: ubuntu\n        channel: \"{c}\"\n        architectures: [{a}]\n",
                c = u.channel,
                a = self.arch
            ));
        }
        out
    }

    /// `manifest.yaml`: what Juju reads for the bases of a packed charm.
    /// `tool` names the packer and its version, `started_at` when it ran
    /// (RFC 3339, UTC).
    pub fn manifest_yaml(&self, tool: &str, started_at: &str) -> String {
        format!(
            "charmcraft-version: \"{tool}\"\ncharmcraft-started-at: \"{started_at}\"\nbases:\n{}",
            self.yaml_list("")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn needs(minor: u32) -> Needs {
        Needs {
            arch: "amd64",
            glibc: Some(Glibc { major: 2, minor }),
        }
    }

    #[test]
    fn glibc_2_31_runs_on_focal_and_later() {
        let bases = Bases::for_needs(&needs(31), &[]).unwrap();
        assert_eq!(
            bases.file_suffix(),
            "ubuntu-20.04-amd64_ubuntu-22.04-amd64_ubuntu-24.04-amd64"
        );
    }

    #[test]
    fn glibc_2_34_needs_jammy() {
        let bases = Bases::for_needs(&needs(34), &[]).unwrap();
        assert_eq!(bases.releases[0].channel, "22.04");
        assert_eq!(bases.releases.len(), 2);
    }

    #[test]
    fn the_metadata_series_narrow_the_bases() {
        let series = ["noble".to_owned(), "jammy".to_owned(), "bionic".to_owned()];
        let bases = Bases::for_needs(&needs(31), &series).unwrap();
        assert_eq!(bases.file_suffix(), "ubuntu-22.04-amd64_ubuntu-24.04-amd64");
        assert_eq!(Bases::for_needs(&needs(31), &["bionic".to_owned()]), None);
    }

    #[test]
    fn too_new_a_glibc_has_no_base() {
        assert_eq!(Bases::for_needs(&needs(40), &[]), None);
    }

    #[test]
    fn no_glibc_runs_everywhere() {
        let bases = Bases::for_needs(
            &Needs {
                arch: "arm64",
                glibc: None,
            },
            &[],
        )
        .unwrap();
        assert_eq!(bases.releases.len(), UBUNTU.len());
        assert!(
            bases
                .manifest_yaml("x", "t")
                .contains("architectures: [arm64]")
        );
    }
}
