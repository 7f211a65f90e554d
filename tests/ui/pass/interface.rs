//! Typed endpoints and interface handlers in every supported form, with
//! action handlers beside them. `missing_docs` is denied: the doc comments
//! must stay on the types and handlers.
#![deny(missing_docs)]

use std::rc::Rc;

use charm_macros::{action, hook, interface, not_unless, when, when_not};
use charm_runtime::action::ActionParams;
use charm_runtime::endpoint::{Endpoint, Interface};
use charm_runtime::log::NullSink;
use charm_runtime::metadata::{Metadata, Role};
use charm_runtime::{Ctx, Error, Extract, Flags, HookOptions, Kv, MemoryStore, Registry, run_hook};

/// A newtype interface type.
#[interface("hacluster")]
pub struct Hacluster<'a>(Endpoint<'a>);

/// With a named field, another lifetime name, and a role.
#[interface("http", role = "provides")]
pub struct Website<'x> {
    endpoint: Endpoint<'x>,
}

/// Handlers of every receiver form, `{endpoint_name}` everywhere it may be.
#[interface]
impl<'a> Hacluster<'a> {
    /// By reference.
    #[when("endpoint.{endpoint_name}.joined")]
    #[when_not("{endpoint_name}.ready")]
    #[not_unless("{endpoint_name}.configured")]
    pub fn joined(&self, flags: Flags) {
        flags.set(&format!("{}.ready", self.name()));
    }

    /// By mutable reference, in a hook of the endpoint.
    #[hook("{endpoint_name}-relation-{joined,changed}")]
    fn changed(&mut self, kv: &Kv) -> Result<(), Error> {
        kv.set("changed", self.name())?;
        Ok(())
    }

    /// By value, written with paths.
    #[charm_macros::when("{endpoint_name}.ready")]
    fn ready(self) {
        let _: &Endpoint<'a> = self.endpoint();
    }

    /// Without `self`, taking `Self` as an argument.
    #[when("{endpoint_name}.ready", "app.started")]
    fn r#static(other: &Self, ctx: Ctx) {
        ctx.flags().set(&format!("{}.seen", other.name()));
    }

    /// Not a handler.
    pub fn vip(&self) -> &'static str {
        "10.0.0.1"
    }
}

#[interface]
impl Website<'_> {
    /// In an impl with an elided lifetime.
    #[when("endpoint.{endpoint_name}.joined")]
    fn serve(&self) {
        self.set_flag("{endpoint_name}.serving");
    }
}

/// A charm handler taking typed endpoints resolved from its flags.
#[when("ha.ready", "endpoint.website.joined")]
fn configure(ha: &Hacluster, mut web: Website, flags: Flags) {
    assert_eq!(ha.vip(), "10.0.0.1");
    let _ = &mut web;
    flags.set("app.configured");
}

/// An action handler.
#[action("set-vip")]
fn set_vip(ctx: Ctx, params: ActionParams) -> Result<(), Error> {
    let vip: Option<String> = params.get("vip")?;
    ctx.action_set("vip", vip.unwrap_or_default())?;
    Ok(())
}

/// An action with digits in its name and `#[not_unless]`.
#[action("backup-v2")]
#[not_unless("app.configured")]
fn backup_v2(flags: Flags) {
    flags.set("app.backed-up");
}

fn main() {
    assert_eq!(<Hacluster as Interface>::NAME, "hacluster");
    assert_eq!(<Website as Interface>::ROLE, Some(Role::Provides));
    assert_eq!(<Website as Extract>::INTERFACE, Some("http"));
    assert_eq!(<Flags as Extract>::INTERFACE, None);

    let meta = Metadata::parse(
        "name: app\nrequires: {ha: hacluster, backend: http}\nprovides: {website: http}\n",
        "metadata.yaml",
    )
    .unwrap();
    let registry = Registry::for_charm(module_path!(), &meta).unwrap();
    let ids: Vec<&str> = registry
        .handler_ids()
        .into_iter()
        .map(|id| id.rsplit("::").next().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "joined:ha",
            "changed:ha",
            "ready:ha",
            "static:ha",
            "serve:website",
            "configure",
            "set_vip",
            "backup_v2"
        ]
    );
    assert_eq!(registry.action_names(), ["backup-v2", "set-vip"]);
    let charm = charm_runtime::Charm::new(
        meta,
        charm_runtime::metadata::ConfigSchema::default(),
        None,
        registry.clone(),
    );
    assert!(charm.is_ok(), "{:?}", charm.err());

    let mut store = MemoryStore::with_flags(&["app.configured"]);
    let outcome = run_hook(
        &registry,
        &mut store,
        HookOptions::new("backup-v2")
            .sink(Rc::new(NullSink))
            .action("backup-v2"),
    );
    assert!(outcome.is_ok(), "{:?}", outcome.error);
    assert_eq!(store.flags(), ["app.backed-up", "app.configured"]);
}
