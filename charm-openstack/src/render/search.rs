//! Where a template is looked for, as charmhelpers' OpenStack template
//! loader does: the release's own directory under `templates/`, then each
//! older release's, newest first, then `templates/` itself. Only the
//! directories that exist are searched.

use std::path::{Path, PathBuf};

use crate::release::Release;

/// The directories searched for templates, in order.
///
/// ```
/// use charm_openstack::Release;
/// use charm_openstack::render::TemplateSearch;
///
/// let dir = std::env::temp_dir().join(format!("search-doc-{}", std::process::id()));
/// std::fs::create_dir_all(dir.join("templates/mitaka")).unwrap();
/// std::fs::create_dir_all(dir.join("templates/queens")).unwrap();
/// let search = TemplateSearch::new(&dir, Release::CARACAL);
/// assert_eq!(
///     search.dirs(),
///     [dir.join("templates/queens"), dir.join("templates/mitaka"), dir.join("templates")]
/// );
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateSearch {
    dirs: Vec<PathBuf>,
}

impl TemplateSearch {
    /// The search path of a charm at `charm_dir` for `release`.
    pub fn new(charm_dir: &Path, release: Release) -> Self {
        let base = charm_dir.join("templates");
        let mut dirs: Vec<PathBuf> = release
            .and_older()
            .map(|r| base.join(r.codename()))
            .filter(|d| d.is_dir())
            .collect();
        if base.is_dir() {
            dirs.push(base);
        }
        Self { dirs }
    }

    /// A search path of exactly `dirs`, in order.
    pub fn from_dirs(dirs: Vec<PathBuf>) -> Self {
        Self { dirs }
    }

    /// The directories, in the order they are searched.
    pub fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    /// The first file named `name` (a relative path with `/`, as in
    /// `{% include "parts/section-database" %}`) in the directories.
    /// Names with a part starting with `.` (`..`, hidden files) or with a
    /// backslash are never found.
    pub fn find(&self, name: &str) -> Option<PathBuf> {
        if name.is_empty()
            || name
                .split('/')
                .any(|part| part.is_empty() || part.starts_with('.') || part.contains('\\'))
        {
            return None;
        }
        self.dirs
            .iter()
            .map(|dir| dir.join(name))
            .find(|path| path.is_file())
    }
}

/// The template names for the file `path`, in the order they are tried:
/// its base name, then (charms.openstack's convention for base names that
/// clash) the path without its leading `/` and with `/` as `_`
/// (`/etc/apache2/ports.conf`: `ports.conf`, then `etc_apache2_ports.conf`).
pub fn template_names(path: &Path) -> Vec<String> {
    let mut names = Vec::new();
    if let Some(base) = path.file_name() {
        names.push(base.to_string_lossy().into_owned());
    }
    let text = path.to_string_lossy();
    let munged = text.trim_start_matches('/').replace('/', "_");
    if !munged.is_empty() && !names.contains(&munged) {
        names.push(munged);
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_of_a_file() {
        assert_eq!(
            template_names(Path::new("/etc/apache2/ports.conf")),
            ["ports.conf", "etc_apache2_ports.conf"]
        );
        assert_eq!(template_names(Path::new("haproxy.cfg")), ["haproxy.cfg"]);
    }

    #[test]
    fn unsafe_names_are_never_found() {
        let search = TemplateSearch::from_dirs(vec![PathBuf::from("/etc")]);
        assert_eq!(search.find("../etc/passwd"), None);
        assert_eq!(search.find("/passwd"), None);
        assert_eq!(search.find(".hidden"), None);
        assert_eq!(search.find(""), None);
    }
}
