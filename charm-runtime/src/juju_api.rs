//! What a handler asks of Juju through the hook context: the unit, its
//! config, status, ports, addresses. Every context has a Juju side: the
//! real hook tools under Juju, an in-memory model in the harness, and an
//! empty in-memory model when the reactive core runs alone.

use std::path::PathBuf;
use std::rc::Rc;

use serde::de::DeserializeOwned;

use crate::backend::{MemoryBackend, MemoryWorld, Port, Status, ToolError};
use crate::env::HookEnv;
use crate::error::Error;
use crate::juju::Juju;
use crate::metadata::Metadata;
use crate::network::{NetworkError, NetworkInfo};
use crate::reactive::HookContext;

/// The Juju side of a hook run with no Juju around it.
fn detached(ctx: &HookContext) -> Juju {
    let metadata = Metadata {
        name: "charm".to_owned(),
        subordinate: false,
        endpoints: Default::default(),
        extra_bindings: Default::default(),
    };
    Juju::new(
        HookEnv::detached(ctx.hook_name(), ctx.action_name()),
        Rc::new(metadata),
        Rc::new(MemoryBackend::new(MemoryWorld::default())),
    )
}

impl HookContext {
    /// The Juju side of the hook: the hook environment, the charm's
    /// metadata, the hook tools behind a read cache and a write outbox.
    pub fn juju(&self) -> Rc<Juju> {
        self.extensions().get_or_insert_with(|| detached(self))
    }

    /// This unit's name (`app/0`).
    pub fn unit_name(&self) -> String {
        self.juju().env().unit.clone()
    }

    /// The charm directory (where `metadata.yaml` and `templates/` are).
    pub fn charm_dir(&self) -> PathBuf {
        self.juju().env().charm_dir.clone()
    }

    /// The charm's configuration (`config-get --all`, read once per hook).
    pub fn config_values(&self) -> Result<crate::config::ConfigValues, ToolError> {
        let values = self.juju().config_values()?;
        Ok(crate::config::ConfigValues::new((*values).clone()))
    }

    /// The charm's configuration as `T`, through serde: an error names
    /// the option and the expected type. A handler can take
    /// [`crate::Config<T>`] as an argument instead.
    pub fn config<T: DeserializeOwned>(&self) -> Result<T, Error> {
        Ok(self.config_values()?.typed()?)
    }

    /// Whether this unit is the leader (`is-leader`, once per hook).
    pub fn is_leader(&self) -> Result<bool, ToolError> {
        self.juju().is_leader()
    }

    /// What `network-get <binding>` says of this unit's addresses on
    /// `binding` (an endpoint or extra binding), typed; read once per hook.
    pub fn network(&self, binding: &str) -> Result<NetworkInfo, NetworkError> {
        crate::network::network_info(&self.juju(), binding, None)
    }

    /// This unit's private address (`unit-get private-address`).
    pub fn private_address(&self) -> Result<String, ToolError> {
        self.juju().unit_get("private-address")
    }

    /// Set this unit's workload status, sent once at the end of the hook
    /// if it succeeds (the last call wins).
    pub fn status_set(&self, status: Status) {
        self.juju().status_set(status);
    }

    /// Run `callback` once at the end of the hook, after every handler,
    /// however many times a handler asks with `key`; its error fails the
    /// hook (nothing is committed). The form of
    /// [`HookContext::atexit_once`] with [`Error`] as the error type, so
    /// that `?` works in the closure without a type annotation.
    ///
    /// ```
    /// use charm_runtime::prelude::*;
    ///
    /// #[when("app.configured")]
    /// fn restart_later(ctx: Ctx) {
    ///     ctx.defer_once("restart", |ctx| {
    ///         let marker = ctx.charm_dir().join(".restarted");
    ///         std::fs::write(marker, "yes")?;
    ///         Ok(())
    ///     });
    /// }
    /// # fn main() {}
    /// ```
    pub fn defer_once<F>(&self, key: &str, callback: F) -> bool
    where
        F: FnOnce(&HookContext) -> Result<(), Error> + 'static,
    {
        self.atexit_once(key, callback)
    }

    /// Set this unit's status at the end of the hook from `assess`, run
    /// once after every handler and deferred callback, however many
    /// handlers ask (the first one's `assess` is kept): charms.openstack's
    /// deferred `assess_status()`. Returns whether this call scheduled it.
    ///
    /// ```
    /// use charm_runtime::prelude::*;
    ///
    /// fn assess(ctx: &HookContext) -> Result<Status, Error> {
    ///     Ok(if ctx.flags().is_set("app.started") {
    ///         Status::active("ready")
    ///     } else {
    ///         Status::waiting("starting")
    ///     })
    /// }
    ///
    /// #[when("app.installed")]
    /// fn status(ctx: Ctx) {
    ///     ctx.status_at_exit(assess);
    /// }
    /// # fn main() {}
    /// ```
    pub fn status_at_exit<F>(&self, assess: F) -> bool
    where
        F: FnOnce(&HookContext) -> Result<Status, Error> + 'static,
    {
        self.defer_once("charm_runtime::status_at_exit", move |ctx| {
            ctx.status_set(assess(ctx)?);
            Ok(())
        })
    }

    /// Show `message` as `maintenance` status now, while the hook goes on
    /// (installing packages, waiting for a service): the operator sees
    /// progress during a long hook. The status given with
    /// [`HookContext::status_set`] is still sent once at the end.
    pub fn progress(&self, message: impl Into<String>) -> Result<(), ToolError> {
        self.juju().status_set_now(Status::maintenance(message))
    }

    /// Open `port` when the hook succeeds.
    pub fn open_port(&self, port: Port) {
        self.juju().open_port(port);
    }

    /// Close `port` when the hook succeeds.
    pub fn close_port(&self, port: Port) {
        self.juju().close_port(port);
    }

    /// Set the workload version when the hook succeeds.
    pub fn application_version_set(&self, version: impl Into<String>) {
        self.juju().application_version_set(version);
    }
}
