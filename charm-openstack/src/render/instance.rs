//! Rendering on the hook's OpenStack instance: its release's templates,
//! its definition's files, its host.

use super::adapters::Adapters;
use super::apply::{RenderReport, render_files};
use super::error::RenderError;
use super::files::ConfigFiles;
use super::search::TemplateSearch;
use super::templates::Templates;
use crate::host::FileSpec;
use crate::instance::OpenStack;

impl OpenStack<'_> {
    /// The charm's templates for this hook's release:
    /// `<charm_dir>/templates/<release>/`, then each older release's, then
    /// `<charm_dir>/templates/`.
    pub fn templates(&self) -> Templates {
        Templates::new(TemplateSearch::new(&self.ctx().charm_dir(), self.release()))
    }

    /// The files of the definition's `restart_map`, owned by root and the
    /// definition's [`group`](crate::Definition::group), mode 0640 (as
    /// charms.openstack renders), for a charm to adjust (ownership, modes,
    /// extra files) before [`render_files`](Self::render_files).
    pub fn config_files(&self) -> ConfigFiles {
        ConfigFiles::from_restart_map_with_group(
            &self.definition().restart_map,
            &self.definition().group,
        )
    }

    /// Render every file of the `restart_map` with `adapters` and restart
    /// the services of those that changed (`render_all_configs`).
    pub fn render_all(&self, adapters: &Adapters) -> Result<RenderReport, RenderError> {
        self.render_files(&self.config_files(), adapters)
    }

    /// Render the `restart_map` files among `paths` (`render_configs`).
    pub fn render_configs<I, P>(
        &self,
        paths: I,
        adapters: &Adapters,
    ) -> Result<RenderReport, RenderError>
    where
        I: IntoIterator<Item = P>,
        P: AsRef<std::path::Path>,
    {
        self.render_files(&self.config_files().only(paths), adapters)
    }

    /// Render exactly `files`, with their owners, modes and services,
    /// after writing the files the relation adapters need
    /// ([`Adapters::files`]: owned by root and the definition's group,
    /// each with its own mode; they restart nothing).
    pub fn render_files(
        &self,
        files: &ConfigFiles,
        adapters: &Adapters,
    ) -> Result<RenderReport, RenderError> {
        for file in adapters.files() {
            self.host()
                .write_file(&FileSpec {
                    path: file.path.clone(),
                    content: file.content,
                    owner: "root".to_owned(),
                    group: self.definition().group.clone(),
                    mode: file.mode,
                })
                .map_err(|source| RenderError::Write {
                    file: file.path,
                    source,
                })?;
        }
        render_files(self.ctx(), self.host(), &self.templates(), files, adapters)
    }
}
