//! Which files a charm renders, who owns them, and what each restarts.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One file to render: the services its change restarts, its owner,
/// group and mode (root:root 0640 unless the charm says otherwise, as
/// charms.openstack renders: owned by root, readable by the group).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigFile {
    /// The services restarted when its rendered bytes change.
    pub services: Vec<String>,
    /// The owning user.
    pub owner: String,
    /// The owning group.
    pub group: String,
    /// The permission bits.
    pub mode: u32,
}

impl Default for ConfigFile {
    fn default() -> Self {
        Self {
            services: Vec::new(),
            owner: "root".to_owned(),
            group: "root".to_owned(),
            mode: DEFAULT_MODE,
        }
    }
}

/// The mode of a rendered file unless the charm says otherwise (as
/// charms.openstack's `render_configs` without a
/// `permission_override_map` entry): read-write for root, readable by the
/// group, nothing for others.
pub const DEFAULT_MODE: u32 = 0o640;

/// The files to render, in path order.
///
/// ```
/// use std::collections::BTreeMap;
/// use std::path::PathBuf;
/// use charm_openstack::render::ConfigFiles;
///
/// let restart_map = BTreeMap::from([(
///     PathBuf::from("/etc/keystone/keystone.conf"),
///     vec!["apache2".to_owned()],
/// )]);
/// let files = ConfigFiles::from_restart_map(&restart_map)
///     .ownership("/etc/keystone/keystone.conf", "root", "keystone", 0o640)
///     .file("/etc/keystone/logging.conf", ["apache2"])
///     .mode("/etc/keystone/logging.conf", 0o644);
/// let conf = files.get("/etc/keystone/keystone.conf".as_ref()).unwrap();
/// assert_eq!((conf.group.as_str(), conf.mode), ("keystone", 0o640));
/// let logging = files.get("/etc/keystone/logging.conf".as_ref()).unwrap();
/// assert_eq!((logging.group.as_str(), logging.mode), ("root", 0o644));
/// assert_eq!(files.paths().count(), 2);
///
/// // The group given for the files of the map, and those added after.
/// let files = ConfigFiles::from_restart_map_with_group(&restart_map, "keystone")
///     .file("/etc/keystone/logging.conf", ["apache2"]);
/// for (_, file) in files.iter() {
///     assert_eq!((file.owner.as_str(), file.group.as_str(), file.mode), ("root", "keystone", 0o640));
/// }
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigFiles {
    files: BTreeMap<PathBuf, ConfigFile>,
    /// The ownership and mode of a file added without any.
    defaults: ConfigFile,
}

impl ConfigFiles {
    /// No file.
    pub fn new() -> Self {
        Self::default()
    }

    /// Each file of a definition's `restart_map`, root:root 0640.
    pub fn from_restart_map(restart_map: &BTreeMap<PathBuf, Vec<String>>) -> Self {
        Self::from_restart_map_with_group(restart_map, "root")
    }

    /// Each file of a definition's `restart_map`, owned by root and
    /// `group`, mode 0640; files added later get the same
    /// (charms.openstack renders with the charm's `group`).
    pub fn from_restart_map_with_group(
        restart_map: &BTreeMap<PathBuf, Vec<String>>,
        group: &str,
    ) -> Self {
        let defaults = ConfigFile {
            group: group.to_owned(),
            ..ConfigFile::default()
        };
        Self {
            files: restart_map
                .iter()
                .map(|(path, services)| {
                    let file = ConfigFile {
                        services: services.clone(),
                        ..defaults.clone()
                    };
                    (path.clone(), file)
                })
                .collect(),
            defaults,
        }
    }

    fn entry(&mut self, path: PathBuf) -> &mut ConfigFile {
        let defaults = &self.defaults;
        self.files.entry(path).or_insert_with(|| defaults.clone())
    }

    /// The same with `path` rendered too, restarting `services` (an extra
    /// file, or new services for one already there).
    pub fn file<I, S>(mut self, path: impl Into<PathBuf>, services: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.entry(path.into()).services = services.into_iter().map(Into::into).collect();
        self
    }

    /// The same with `path` (added if missing) owned by `owner:group`
    /// with `mode`.
    pub fn ownership(
        mut self,
        path: impl Into<PathBuf>,
        owner: &str,
        group: &str,
        mode: u32,
    ) -> Self {
        let file = self.entry(path.into());
        owner.clone_into(&mut file.owner);
        group.clone_into(&mut file.group);
        file.mode = mode;
        self
    }

    /// The same with `path` (added if missing) written with `mode`, its
    /// owner and group unchanged (charms.openstack's
    /// `permission_override_map`).
    pub fn mode(mut self, path: impl Into<PathBuf>, mode: u32) -> Self {
        self.entry(path.into()).mode = mode;
        self
    }

    /// Only the files among `paths` (charms.openstack's
    /// `render_configs(configs)`).
    pub fn only<I, P>(mut self, paths: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: AsRef<Path>,
    {
        let keep: Vec<PathBuf> = paths.into_iter().map(|p| p.as_ref().to_owned()).collect();
        self.files.retain(|path, _| keep.contains(path));
        self
    }

    /// The file at `path`.
    pub fn get(&self, path: &Path) -> Option<&ConfigFile> {
        self.files.get(path)
    }

    /// The paths, in order.
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.files.keys().map(PathBuf::as_path)
    }

    /// Each file, in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&Path, &ConfigFile)> {
        self.files.iter().map(|(p, f)| (p.as_path(), f))
    }
}
