//! OpenStack releases in their order, and how a unit's release is told from
//! its `openstack-origin` (an install source) and its Ubuntu series.

use std::fmt;
use std::str::FromStr;

/// Every OpenStack release from Diablo on, oldest first: codename and the
/// version number OpenStack gives it (`yyyy.n`, the n-th release of year
/// yyyy; the numbers before 2023 are the ones charmhelpers uses).
const RELEASES: [(&str, &str); 30] = [
    ("diablo", "2011.2"),
    ("essex", "2012.1"),
    ("folsom", "2012.2"),
    ("grizzly", "2013.1"),
    ("havana", "2013.2"),
    ("icehouse", "2014.1"),
    ("juno", "2014.2"),
    ("kilo", "2015.1"),
    ("liberty", "2015.2"),
    ("mitaka", "2016.1"),
    ("newton", "2016.2"),
    ("ocata", "2017.1"),
    ("pike", "2017.2"),
    ("queens", "2018.1"),
    ("rocky", "2018.2"),
    ("stein", "2019.1"),
    ("train", "2019.2"),
    ("ussuri", "2020.1"),
    ("victoria", "2020.2"),
    ("wallaby", "2021.1"),
    ("xena", "2021.2"),
    ("yoga", "2022.1"),
    ("zed", "2022.2"),
    ("antelope", "2023.1"),
    ("bobcat", "2023.2"),
    ("caracal", "2024.1"),
    ("dalmatian", "2024.2"),
    ("epoxy", "2025.1"),
    ("flamingo", "2025.2"),
    ("gazpacho", "2026.1"),
];

/// The OpenStack release Ubuntu ships in each series' own archive
/// (`distro` as an install source).
const SERIES: [(&str, &str); 25] = [
    ("oneiric", "diablo"),
    ("precise", "essex"),
    ("quantal", "folsom"),
    ("raring", "grizzly"),
    ("saucy", "havana"),
    ("trusty", "icehouse"),
    ("utopic", "juno"),
    ("vivid", "kilo"),
    ("wily", "liberty"),
    ("xenial", "mitaka"),
    ("yakkety", "newton"),
    ("zesty", "ocata"),
    ("artful", "pike"),
    ("bionic", "queens"),
    ("cosmic", "rocky"),
    ("disco", "stein"),
    ("eoan", "train"),
    ("focal", "ussuri"),
    ("groovy", "victoria"),
    ("hirsute", "wallaby"),
    ("impish", "xena"),
    ("jammy", "yoga"),
    ("kinetic", "zed"),
    ("lunar", "antelope"),
    ("noble", "caracal"),
];

/// One OpenStack release. Releases compare in OpenStack's order
/// (`Release::MITAKA < Release::QUEENS`).
///
/// ```
/// use charm_openstack::Release;
/// let caracal: Release = "caracal".parse().unwrap();
/// assert_eq!(caracal, "2024.1".parse().unwrap());
/// assert!(caracal > Release::YOGA);
/// assert_eq!(caracal.to_string(), "caracal");
/// assert_eq!(caracal.version(), "2024.1");
/// assert_eq!(caracal.previous(), Some(Release::BOBCAT));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Release(u8);

impl Release {
    /// Mitaka (2016.1), Ubuntu 16.04's.
    pub const MITAKA: Release = Release(9);
    /// Queens (2018.1), Ubuntu 18.04's.
    pub const QUEENS: Release = Release(13);
    /// Stein (2019.1): from it on, OpenStack's database URIs use the
    /// `mysql+pymysql` driver.
    pub const STEIN: Release = Release(15);
    /// Ussuri (2020.1), Ubuntu 20.04's.
    pub const USSURI: Release = Release(17);
    /// Yoga (2022.1), Ubuntu 22.04's.
    pub const YOGA: Release = Release(21);
    /// Bobcat (2023.2).
    pub const BOBCAT: Release = Release(24);
    /// Caracal (2024.1), Ubuntu 24.04's.
    pub const CARACAL: Release = Release(25);

    /// Every release, oldest first.
    pub fn all() -> impl DoubleEndedIterator<Item = Release> {
        (0..RELEASES.len() as u8).map(Release)
    }

    /// The codename (`caracal`).
    pub fn codename(self) -> &'static str {
        RELEASES[usize::from(self.0)].0
    }

    /// The version number (`2024.1`).
    pub fn version(self) -> &'static str {
        RELEASES[usize::from(self.0)].1
    }

    /// The release before this one.
    pub fn previous(self) -> Option<Release> {
        self.0.checked_sub(1).map(Release)
    }

    /// This release, then every older one, newest first: the order in
    /// which release-specific things (templates) are looked for.
    pub fn and_older(self) -> impl Iterator<Item = Release> {
        (0..=self.0).rev().map(Release)
    }

    /// The release Ubuntu's own archive ships in `series` (`noble`).
    pub fn of_series(series: &str) -> Option<Release> {
        let (_, codename) = SERIES.iter().find(|(s, _)| *s == series)?;
        codename.parse().ok()
    }

    /// The release an install source (`openstack-origin`) installs on a
    /// unit of Ubuntu `series`, as charmhelpers tells it:
    /// `distro`, `distro-proposed` and `proposed` are the series' own;
    /// `cloud:<series>-<release>[/pocket]` is the Cloud Archive's pocket;
    /// a bare codename is itself; a `deb`, `ppa` or `snap` source is the
    /// release whose codename it mentions.
    ///
    /// ```
    /// use charm_openstack::Release;
    /// assert_eq!(Release::from_source("distro", "jammy").unwrap(), Release::YOGA);
    /// assert_eq!(
    ///     Release::from_source("cloud:jammy-bobcat/proposed", "jammy").unwrap(),
    ///     Release::BOBCAT
    /// );
    /// assert!(Release::from_source("cloud:jammy-nonsense", "jammy").is_err());
    /// ```
    pub fn from_source(source: &str, series: &str) -> Result<Release, ReleaseError> {
        let source = source.trim();
        let unknown = || ReleaseError::Source {
            origin: source.to_owned(),
            series: series.to_owned(),
        };
        if let Ok(release) = source.parse() {
            return Ok(release);
        }
        match source {
            "" | "distro" | "distro-proposed" | "proposed" => {
                return Release::of_series(series).ok_or_else(unknown);
            }
            _ => {}
        }
        if let Some(pocket) = source.strip_prefix("cloud:") {
            let pocket = pocket.split('/').next().unwrap_or_default();
            let codename = pocket.split_once('-').map_or(pocket, |(_, r)| r);
            return codename.parse().map_err(|_| unknown());
        }
        if ["deb", "ppa", "snap"].iter().any(|p| source.starts_with(p)) {
            return Release::all()
                .rev()
                .find(|r| source.contains(r.codename()))
                .ok_or_else(unknown);
        }
        Err(unknown())
    }
}

impl fmt::Display for Release {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.codename())
    }
}

impl FromStr for Release {
    type Err = ReleaseError;

    /// A codename (`caracal`) or a version number (`2024.1`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RELEASES
            .iter()
            .position(|(codename, version)| *codename == s || *version == s)
            .map(|i| Release(i as u8))
            .ok_or_else(|| ReleaseError::Unknown(s.to_owned()))
    }
}

impl serde::Serialize for Release {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.codename())
    }
}

impl<'de> serde::Deserialize<'de> for Release {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A release cannot be told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReleaseError {
    /// Not an OpenStack codename or version number.
    #[error("{0:?} is not an OpenStack release (a codename such as \"caracal\", or \"2024.1\")")]
    Unknown(String),
    /// An install source that names no release this crate knows.
    #[error(
        "install source {origin:?} on Ubuntu {series}: no OpenStack release can be told from it"
    )]
    Source {
        /// The source (`openstack-origin`).
        origin: String,
        /// The unit's Ubuntu series.
        series: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_are_ordered_and_every_series_names_a_known_release() {
        let all: Vec<Release> = Release::all().collect();
        assert!(all.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(all.len(), RELEASES.len());
        for (series, codename) in SERIES {
            assert_eq!(
                Release::of_series(series).map(Release::codename),
                Some(codename),
                "{series}"
            );
        }
        assert_eq!(Release::MITAKA.codename(), "mitaka");
        assert_eq!(Release::QUEENS.codename(), "queens");
        assert_eq!(Release::USSURI.codename(), "ussuri");
        assert_eq!(Release::YOGA.codename(), "yoga");
        assert_eq!(Release::BOBCAT.codename(), "bobcat");
        assert_eq!(Release::CARACAL.codename(), "caracal");
    }

    #[test]
    fn install_sources_as_charmhelpers_reads_them() {
        let cases = [
            ("distro", "focal", "ussuri"),
            ("distro-proposed", "noble", "caracal"),
            ("cloud:focal-victoria", "focal", "victoria"),
            ("cloud:jammy-antelope/updates", "jammy", "antelope"),
            ("zed", "jammy", "zed"),
            ("ppa:openstack-ubuntu-testing/yoga", "focal", "yoga"),
            (
                "deb http://example.com/ubuntu jammy-updates/bobcat main",
                "jammy",
                "bobcat",
            ),
        ];
        for (source, series, want) in cases {
            assert_eq!(
                Release::from_source(source, series).map(Release::codename),
                Ok(want),
                "{source}"
            );
        }
        assert!(Release::from_source("distro", "warty").is_err());
        assert!(Release::from_source("cloud:noble", "noble").is_err());
        assert!(Release::from_source("http://mirror", "noble").is_err());
    }

    #[test]
    fn older_releases_are_walked_newest_first() {
        let walk: Vec<&str> = Release::QUEENS
            .and_older()
            .take(3)
            .map(Release::codename)
            .collect();
        assert_eq!(walk, ["queens", "pike", "ocata"]);
        assert_eq!("diablo".parse::<Release>().unwrap().previous(), None);
    }
}
