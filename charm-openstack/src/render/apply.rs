//! Rendering files and restarting what their change concerns
//! (charms.openstack's `render_configs` inside `restart_on_change`): a
//! digest of each file's rendered text is kept in the unit's data, so the
//! first render counts as a change and an identical re-render restarts
//! nothing. The files hold passwords (the database's, RabbitMQ's), so the
//! digest is the salted one of `HookContext::data_changed_secret`, never a
//! plain md5 against which a password could be guessed offline.

use std::path::PathBuf;

use charm_runtime::HookContext;

use super::adapters::Adapters;
use super::error::RenderError;
use super::files::ConfigFiles;
use super::search::template_names;
use super::templates::Templates;
use crate::host::{FileSpec, Host, ServiceOp};

/// The `data_changed_secret` key of each rendered file: this prefix, then
/// the file's path (its salted digest is kept under
/// `reactive.data_changed_secret.<key>`). Earlier versions kept an md5
/// under the key itself; it is removed at the next render.
pub const HASH_KEY_PREFIX: &str = "charm-openstack.rendered.";

/// What a render did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RenderReport {
    /// Every file written, in order.
    pub written: Vec<PathBuf>,
    /// The files whose bytes changed (or that were rendered for the first
    /// time).
    pub changed: Vec<PathBuf>,
    /// The services restarted, each once, in the order of the files.
    pub restarted: Vec<String>,
}

impl RenderReport {
    /// Whether any file changed.
    pub fn any_changed(&self) -> bool {
        !self.changed.is_empty()
    }
}

/// Render each of `files` from its template (the file's base name, else
/// its path with `/` as `_`) with `adapters`, write it through `host`
/// with its owner, group and mode, then restart through `host` the
/// services of the files whose bytes changed since the last render this
/// unit recorded.
pub fn render_files(
    ctx: &HookContext,
    host: &dyn Host,
    templates: &Templates,
    files: &ConfigFiles,
    adapters: &Adapters,
) -> Result<RenderReport, RenderError> {
    let context = adapters.to_value()?;
    let mut report = RenderReport::default();
    let mut texts = Vec::new();
    for (path, file) in files.iter() {
        let names = template_names(path);
        let Some(name) = names.iter().find(|n| templates.find(n).is_some()) else {
            return Err(RenderError::NotFound {
                file: path.to_owned(),
                names,
                tried: templates.search().dirs().to_vec(),
            });
        };
        let text = templates.render(name, &context)?;
        let key = format!("{HASH_KEY_PREFIX}{}", path.display());
        let state_error = |e: charm_runtime::reactive::error::StateError| RenderError::State {
            key: key.clone(),
            reason: e.to_string(),
        };
        let changed = ctx
            .is_data_changed_secret(&key, &text)
            .map_err(state_error)?;
        // An md5 an earlier version kept under the key itself goes.
        if ctx.kv().get::<String>(&key).map_err(state_error)?.is_some() {
            ctx.kv().unset(&key).map_err(state_error)?;
        }
        host.write_file(&FileSpec {
            path: path.to_owned(),
            content: text.clone().into_bytes(),
            owner: file.owner.clone(),
            group: file.group.clone(),
            mode: file.mode,
        })
        .map_err(|source| RenderError::Write {
            file: path.to_owned(),
            source,
        })?;
        report.written.push(path.to_owned());
        if changed {
            report.changed.push(path.to_owned());
            texts.push((key, text));
        }
    }
    for (key, text) in &texts {
        ctx.data_changed_secret(key, text)
            .map_err(|e| RenderError::State {
                key: key.clone(),
                reason: e.to_string(),
            })?;
    }
    for path in &report.changed {
        let services = files
            .get(path)
            .map(|f| f.services.as_slice())
            .unwrap_or_default();
        for service in services {
            if !report.restarted.contains(service) {
                report.restarted.push(service.clone());
            }
        }
    }
    // A paused unit keeps its services stopped: the files are written,
    // nothing restarts (charmhelpers' restart_on_change does the same).
    let paused = ctx
        .kv()
        .get::<bool>(crate::status::PAUSED_KEY)
        .map_err(|e| RenderError::State {
            key: crate::status::PAUSED_KEY.to_owned(),
            reason: e.to_string(),
        })?
        .unwrap_or(false);
    if paused {
        if !report.restarted.is_empty() {
            ctx.log(
                charm_runtime::Level::Info,
                &format!(
                    "the unit is paused: not restarting {}",
                    report.restarted.join(", ")
                ),
            );
        }
        report.restarted.clear();
    }
    for service in &report.restarted {
        host.service(ServiceOp::Restart, service)
            .map_err(|source| RenderError::Restart {
                service: service.clone(),
                files: report
                    .changed
                    .iter()
                    .filter(|p| files.get(p).is_some_and(|f| f.services.contains(service)))
                    .cloned()
                    .collect(),
                source,
            })?;
    }
    Ok(report)
}
