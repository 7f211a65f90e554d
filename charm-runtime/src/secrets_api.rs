//! Juju secrets from a handler: `ctx.secrets()`.
//!
//! Unlike the other writes of a hook, which the runtime holds until the
//! hook has succeeded and then sends ([`crate::juju`]), the `secret-*`
//! tools run at once: `secret-add` answers with the new secret's id, which
//! the hook needs to grant it and publish it. Juju itself holds them as it
//! holds `relation-set`: it creates, updates, grants and removes the
//! secrets when the hook succeeds, and forgets them when it fails (the
//! id `secret-add` answered then names nothing).

use crate::backend::{
    RelationId, SecretContent, SecretId, SecretInfo, SecretOptions, SecretRef, SecretRevision,
    ToolError,
};
use crate::env::SecretEvent;
use crate::reactive::HookContext;

impl HookContext {
    /// Juju secrets: add, read, update, grant, revoke, remove.
    pub fn secrets(&self) -> Secrets<'_> {
        Secrets(self)
    }
}

/// Juju secrets through the hook tools (`secret-add`, `secret-get`, ...),
/// typed. A secret's content never reaches a tool's argv (it goes in a
/// private file), a log line or a `Debug` print ([`SecretContent`]
/// redacts its values).
///
/// ```
/// use charm_runtime::backend::{SecretContent, SecretOptions, SecretOwner, SecretRevision};
/// use charm_runtime::harness::{Context, Event, State};
/// use charm_runtime::{Handler, HookContext, Registry};
///
/// let mut registry = Registry::new();
/// registry
///     .add(Handler::new("pw", |ctx: &HookContext| -> Result<(), charm_runtime::Error> {
///         let secrets = ctx.secrets();
///         let content = SecretContent::with("password", "s3cret-pw")?;
///         let options = SecretOptions { label: Some("admin".into()), ..Default::default() };
///         let id = secrets.add(&content, &options)?;
///         let read = secrets.get_by_label("admin", SecretRevision::Tracked)?;
///         assert_eq!(read.get("password"), Some("s3cret-pw"));
///         assert_eq!(secrets.ids()?, [id]);
///         Ok(())
///     }).hook(["install"]))
///     .unwrap();
/// let ctx = Context::from_yaml("name: db\n", registry).unwrap();
/// let out = ctx.run(Event::install(), &State::new().with_leader(true)).unwrap();
/// assert!(out.is_ok(), "{:?}", out.error);
/// assert_eq!(out.state.secrets.secrets.len(), 1);
/// // The calls name the secret, never its content.
/// assert!(!format!("{:?}", out.tool_calls).contains("s3cret-pw"));
/// ```
#[derive(Clone, Copy)]
pub struct Secrets<'a>(&'a HookContext);

impl std::fmt::Debug for Secrets<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets")
    }
}

impl Secrets<'_> {
    /// `secret-add`: a new secret holding `content`; its id at once.
    pub fn add(
        &self,
        content: &SecretContent,
        options: &SecretOptions,
    ) -> Result<SecretId, ToolError> {
        self.0.juju().backend().secret_add(content, options)
    }

    /// `secret-get <id>`: the content of a secret this unit owns or was
    /// granted, at `revision`.
    pub fn get(&self, id: &SecretId, revision: SecretRevision) -> Result<SecretContent, ToolError> {
        self.0
            .juju()
            .backend()
            .secret_get(&SecretRef::Id(id.clone()), revision)
    }

    /// `secret-get --label <label>`: as [`Secrets::get`], by label.
    pub fn get_by_label(
        &self,
        label: &str,
        revision: SecretRevision,
    ) -> Result<SecretContent, ToolError> {
        self.0
            .juju()
            .backend()
            .secret_get(&SecretRef::Label(label.to_owned()), revision)
    }

    /// `secret-set`: a new revision of a secret this unit manages.
    pub fn set(&self, id: &SecretId, content: &SecretContent) -> Result<(), ToolError> {
        self.0.juju().backend().secret_set(id, content)
    }

    /// `secret-grant`: the remote side of `relation` (or only `unit` of
    /// it) may read the secret.
    pub fn grant(
        &self,
        id: &SecretId,
        relation: &RelationId,
        unit: Option<&str>,
    ) -> Result<(), ToolError> {
        self.0.juju().backend().secret_grant(id, relation, unit)
    }

    /// `secret-revoke`: undo [`Secrets::grant`].
    pub fn revoke(
        &self,
        id: &SecretId,
        relation: &RelationId,
        unit: Option<&str>,
    ) -> Result<(), ToolError> {
        self.0.juju().backend().secret_revoke(id, relation, unit)
    }

    /// `secret-remove`: the secret and every revision of it.
    pub fn remove(&self, id: &SecretId) -> Result<(), ToolError> {
        self.0.juju().backend().secret_remove(id)
    }

    /// The secret this hook is about: in `secret-changed` (a secret this
    /// unit reads has a new revision: `get` it with
    /// [`SecretRevision::Refresh`] to follow), `secret-rotate` (time to
    /// `set` a new revision), `secret-expired` and `secret-remove` (with
    /// the revision concerned); `None` in any other hook.
    pub fn event(&self) -> Option<SecretEvent> {
        self.0.juju().env().secret.clone()
    }

    /// `secret-info-get <id>`: the metadata of a secret this unit owns
    /// (latest revision, owner, label, description, expiry, rotation).
    pub fn info(&self, id: &SecretId) -> Result<SecretInfo, ToolError> {
        self.0
            .juju()
            .backend()
            .secret_info(&SecretRef::Id(id.clone()))
    }

    /// `secret-info-get --label <label>`: as [`Secrets::info`], by label.
    pub fn info_by_label(&self, label: &str) -> Result<SecretInfo, ToolError> {
        self.0
            .juju()
            .backend()
            .secret_info(&SecretRef::Label(label.to_owned()))
    }

    /// `secret-ids`: the secrets this unit manages.
    pub fn ids(&self) -> Result<Vec<SecretId>, ToolError> {
        self.0.juju().backend().secret_ids()
    }
}
