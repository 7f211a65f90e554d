//! Typed endpoints and interface handlers (`#[interface]`): handlers
//! instantiated once per endpoint of their interface, `{endpoint_name}`
//! expanded per endpoint, typed endpoints resolved from flags, and the
//! mismatches building the charm reports before any hook runs.
//!
//! Each scenario keeps its handlers in a module of its own and builds its
//! registry with `Registry::for_charm("interfaces::<module>", &metadata)`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::rc::Rc;

use charm_runtime::backend::{
    Backend, DataBag, MemoryBackend, MemoryRelation, MemoryWorld, RelationId,
};
use charm_runtime::env::{HookEnv, Invoked};
use charm_runtime::juju::Juju;
use charm_runtime::log::NullSink;
use charm_runtime::metadata::{ConfigSchema, Metadata};
use charm_runtime::{
    Charm, CharmError, HandlerError, HookError, HookOptions, HookOutcome, MemoryStore, Registry,
    run_hook,
};

const METADATA: &str = "
name: web
requires:
  ha:
    interface: hacluster
  ha-backup:
    interface: hacluster
  db:
    interface: mysql
  backend:
    interface: http
provides:
  website:
    interface: http
peers:
  cluster:
    interface: web-peers
";

fn metadata() -> Metadata {
    Metadata::parse(METADATA, "metadata.yaml").unwrap()
}

fn registry(module: &str) -> Registry {
    Registry::for_charm(&format!("interfaces::{module}"), &metadata()).unwrap()
}

/// What building the charm reports of `registry`'s names, one message a
/// mistake.
fn problems(registry: Registry) -> Vec<String> {
    match Charm::new(metadata(), ConfigSchema::default(), None, registry) {
        Ok(_) => Vec::new(),
        Err(CharmError::Names { problems, .. }) => problems,
        Err(other) => panic!("{other}"),
    }
}

fn env(hook: &str, relation: Option<(&str, &str)>) -> HookEnv {
    HookEnv {
        invoked: Invoked::Hook(hook.to_owned()),
        unit: "web/0".into(),
        charm_dir: PathBuf::from("/nonexistent"),
        relation: relation.map(|(r, _)| r.split(':').next().unwrap().to_owned()),
        relation_id: relation.map(|(r, _)| r.parse().unwrap()),
        remote_unit: relation.map(|(_, u)| u.to_owned()),
        remote_app: relation.map(|(_, u)| u.split('/').next().unwrap().to_owned()),
        departing_unit: None,
        principal_unit: None,
        model: None,
        juju_version: None,
        secret: None,
        simulated_host: true,
    }
}

/// A unit over a memory backend, keeping its unit state across hooks.
struct Unit {
    backend: Rc<MemoryBackend>,
    store: MemoryStore,
}

impl Unit {
    fn new(world: MemoryWorld) -> Self {
        Self {
            backend: Rc::new(MemoryBackend::new(world)),
            store: MemoryStore::new(),
        }
    }

    /// Run `hook` as `main` does: the charm built from `registry`.
    fn run(
        &mut self,
        registry: Registry,
        hook: &str,
        relation: Option<(&str, &str)>,
    ) -> HookOutcome {
        let charm = Charm::new(metadata(), ConfigSchema::default(), None, registry).unwrap();
        let backend: Rc<dyn Backend> = self.backend.clone();
        charm.run(
            env(hook, relation),
            backend,
            &mut self.store,
            Rc::new(NullSink),
        )
    }

    /// Run `hook` with handlers a charm would refuse to start with, the
    /// Juju side attached by hand: what a handler meets at run time.
    fn run_unchecked(&mut self, mut registry: Registry, hook: &str) -> HookOutcome {
        let backend: Rc<dyn Backend> = self.backend.clone();
        let juju = Rc::new(Juju::new(env(hook, None), Rc::new(metadata()), backend));
        registry.atstart("attach juju", move |ctx: &charm_runtime::HookContext| {
            ctx.extensions().insert(juju.clone())
        });
        run_hook(
            &registry,
            &mut self.store,
            HookOptions::new(hook).sink(Rc::new(NullSink)),
        )
    }
}

/// A world where `relations` (`(endpoint, id, remote unit)`) are joined.
fn world(relations: &[(&str, u32, &str)]) -> MemoryWorld {
    let mut w = MemoryWorld {
        unit: "web/0".into(),
        ..Default::default()
    };
    for (endpoint, id, unit) in relations {
        w.relations.insert(
            RelationId::new(*endpoint, *id),
            MemoryRelation {
                remote_app: Some(unit.split('/').next().unwrap().to_owned()),
                units: vec![(*unit).to_owned()],
                data: BTreeMap::new(),
            },
        );
    }
    w
}

fn short(ids: &[String]) -> Vec<String> {
    ids.iter()
        .map(|id| id.rsplit("::").next().unwrap().to_owned())
        .collect()
}

// ---------------------------------------------------------------------------

mod ha {
    use charm_macros::{hook, interface, when, when_not};
    use charm_runtime::endpoint::Endpoint;
    use charm_runtime::{Error, Flags, Kv};

    /// The `hacluster` interface.
    #[interface("hacluster")]
    pub struct Hacluster<'a>(Endpoint<'a>);

    #[interface]
    impl<'a> Hacluster<'a> {
        /// Connected once a unit joins.
        #[when("endpoint.{endpoint_name}.joined")]
        #[when_not("{endpoint_name}.connected")]
        fn joined(&self, flags: Flags) {
            assert!(flags.is_set(format!("endpoint.{}.joined", self.name())));
            self.set_flag("{endpoint_name}.connected");
        }

        /// A hook of this endpoint's relations.
        #[hook("{endpoint_name}-relation-changed")]
        fn changed(&mut self, kv: &Kv) {
            let mut seen: Vec<String> = kv.get("changed").unwrap().unwrap_or_default();
            seen.push(self.name().to_owned());
            kv.set("changed", &seen).unwrap();
        }

        /// Publish once connected.
        #[when("{endpoint_name}.connected")]
        #[when_not("{endpoint_name}.published")]
        fn publish(self) -> Result<(), Error> {
            for relation in self.relations()? {
                relation.to_publish().set("resources", &["vip"])?;
            }
            self.set_flag("{endpoint_name}.published");
            Ok(())
        }

        /// Not a handler: a method like any other.
        pub fn resources(&self) -> &'static [&'static str] {
            &["vip"]
        }

        /// Takes `Self` again: the same endpoint.
        #[when("{endpoint_name}.published")]
        #[when_not("{endpoint_name}.checked")]
        fn check(&self, again: &Self) {
            assert_eq!(self.name(), again.name());
            self.set_flag("{endpoint_name}.checked");
        }
    }

    /// A charm handler taking the typed endpoint its flag names.
    #[when("ha.connected")]
    #[when_not("app.clustered")]
    fn configure(ha: &mut Hacluster, flags: Flags) {
        assert_eq!(ha.resources(), ["vip"]);
        flags.set(format!("app.clustered.{}", ha.name()));
        flags.set("app.clustered");
    }
}

#[test]
fn interface_handlers_are_instantiated_per_endpoint_in_order() {
    let r = registry("ha");
    assert_eq!(
        short(
            &r.handler_ids()
                .iter()
                .map(|s| (*s).to_owned())
                .collect::<Vec<_>>()
        ),
        [
            "joined:ha",
            "joined:ha-backup",
            "changed:ha",
            "changed:ha-backup",
            "publish:ha",
            "publish:ha-backup",
            "check:ha",
            "check:ha-backup",
            "configure",
        ]
    );
    assert_eq!(
        r.handler_ids()[0],
        "interfaces::ha::Hacluster::joined:ha",
        "id: module path, type, method, endpoint"
    );
    assert_eq!(problems(registry("ha")), Vec::<String>::new());
    // Without the metadata, interface handlers are not registered at all.
    assert_eq!(
        Registry::from_inventory("interfaces::ha")
            .unwrap()
            .handler_ids(),
        ["interfaces::ha::configure"]
    );
}

#[test]
fn flags_are_expanded_per_endpoint() {
    let r = registry("ha");
    let mut unit = Unit::new(world(&[("ha", 1, "hacluster/0")]));
    let out = unit.run(r, "ha-relation-joined", Some(("ha:1", "hacluster/0")));
    assert!(out.is_ok(), "{:?}", out.error);
    assert_eq!(
        short(&out.invoked),
        ["joined:ha", "publish:ha", "configure", "check:ha"]
    );
    assert_eq!(
        unit.store.flags(),
        [
            "app.clustered",
            "app.clustered.ha",
            "endpoint.ha.joined",
            "ha.checked",
            "ha.connected",
            "ha.published",
        ]
    );
    let w = unit.backend.world();
    assert_eq!(
        w.relations[&RelationId::new("ha", 1)].data[&DataBag::Unit("web/0".into())]["resources"],
        r#"["vip"]"#
    );

    // The second endpoint of the interface joins: its own instances run.
    let mut w = unit.backend.world();
    w.relations.insert(
        RelationId::new("ha-backup", 2),
        MemoryRelation {
            remote_app: Some("hacluster-b".into()),
            units: vec!["hacluster-b/0".into()],
            data: BTreeMap::new(),
        },
    );
    unit.backend = Rc::new(MemoryBackend::new(w));
    let out = unit.run(
        registry("ha"),
        "ha-backup-relation-joined",
        Some(("ha-backup:2", "hacluster-b/0")),
    );
    assert!(out.is_ok(), "{:?}", out.error);
    assert_eq!(
        short(&out.invoked),
        ["joined:ha-backup", "publish:ha-backup", "check:ha-backup"]
    );
    assert!(unit.store.flags().contains(&"ha-backup.checked".to_owned()));
}

#[test]
fn hook_patterns_are_expanded_per_endpoint() {
    let mut unit = Unit::new(world(&[("ha", 1, "hacluster/0"), ("ha-backup", 2, "b/0")]));
    for (hook, relation, expected) in [
        ("ha-relation-changed", ("ha:1", "hacluster/0"), "changed:ha"),
        (
            "ha-backup-relation-changed",
            ("ha-backup:2", "b/0"),
            "changed:ha-backup",
        ),
    ] {
        let out = unit.run(registry("ha"), hook, Some(relation));
        assert!(out.is_ok(), "{:?}", out.error);
        assert_eq!(short(&out.invoked)[0], expected, "{hook}");
        assert!(
            !short(&out.invoked)
                .iter()
                .skip(1)
                .any(|h| h.starts_with("changed"))
        );
    }
    assert_eq!(unit.store.data["changed"], r#"["ha", "ha-backup"]"#);
}

// ---------------------------------------------------------------------------

mod roles {
    use charm_macros::{interface, when};
    use charm_runtime::Flags;
    use charm_runtime::endpoint::Endpoint;

    /// The provides side of `http` only.
    #[interface("http", role = "provides")]
    pub struct HttpProvides<'a> {
        endpoint: Endpoint<'a>,
    }

    #[interface]
    impl HttpProvides<'_> {
        #[when("endpoint.{endpoint_name}.joined")]
        fn serve(&self, flags: Flags) {
            flags.set(format!("served.{}", self.endpoint.name()));
        }
    }

    /// Both sides of `http`.
    #[interface("http")]
    pub struct Http<'a>(Endpoint<'a>);

    #[interface]
    impl Http<'_> {
        #[when("endpoint.{endpoint_name}.joined")]
        fn any_side(&self) {}
    }

    /// Takes the provides side, named by a flag of the requires side: a
    /// mismatch of role.
    #[when("endpoint.backend.joined")]
    fn wrong_side(_: HttpProvides) {}
}

#[test]
fn a_role_limits_instantiation_to_its_metadata_section() {
    let r = registry("roles");
    assert_eq!(
        short(
            &r.handler_ids()
                .iter()
                .map(|s| (*s).to_owned())
                .collect::<Vec<_>>()
        ),
        [
            "serve:website",
            "any_side:backend",
            "any_side:website",
            "wrong_side"
        ]
    );
    assert_eq!(
        problems(r),
        [
            "handler interfaces::roles::wrong_side takes HttpProvides, an endpoint of the provides side of interface \"http\", but flag \"endpoint.backend.joined\" names relation \"backend\", which is a requires endpoint of interface \"http\" in the charm's metadata"
        ]
    );
}

// ---------------------------------------------------------------------------

mod unused {
    use charm_macros::{interface, when};
    use charm_runtime::endpoint::Endpoint;

    /// No endpoint of the charm has this interface.
    #[interface("memcache")]
    pub struct Memcache<'a>(Endpoint<'a>);

    #[interface]
    impl Memcache<'_> {
        #[when("endpoint.{endpoint_name}.joined")]
        fn joined(&self) {}
    }
}

#[test]
fn a_template_without_an_endpoint_of_its_interface_is_not_registered() {
    assert!(registry("unused").is_empty());
}

// ---------------------------------------------------------------------------

mod mismatch {
    use charm_macros::{interface, when};
    use charm_runtime::Flags;
    use charm_runtime::endpoint::Endpoint;

    #[interface("pgsql")]
    pub struct Pgsql<'a>(Endpoint<'a>);

    #[interface("mysql")]
    pub struct Mysql<'a>(Endpoint<'a>);

    #[interface("http")]
    pub struct Http<'a>(Endpoint<'a>);

    /// `db` is a mysql endpoint.
    #[when("db.ready")]
    fn wrong_interface(_: &Pgsql, flags: Flags) {
        flags.set("never");
    }

    /// Names no endpoint at all.
    #[when("app.ready")]
    fn no_endpoint(_: Mysql) {}

    /// Two typed endpoints, each resolved among the flags by interface.
    #[when("endpoint.website.joined", "db.available")]
    fn two_interfaces(db: Mysql, web: &Http, flags: Flags) {
        flags.set(format!("{}+{}", db.name(), web.name()));
    }
}

#[test]
fn check_against_reports_typed_endpoints_that_do_not_resolve() {
    let r = registry("mismatch");
    assert_eq!(
        problems(r),
        [
            "handler interfaces::mismatch::wrong_interface takes Pgsql, an endpoint of interface \"pgsql\", but flag \"db.ready\" names relation \"db\", which is of interface \"mysql\" in the charm's metadata",
            "handler interfaces::mismatch::no_endpoint takes Mysql, an endpoint of interface \"mysql\", but none of its flags names a relation of the charm's metadata; relations of that interface: db (name one in a flag, e.g. `endpoint.db.joined`)",
        ]
    );
}

#[test]
fn a_typed_endpoint_that_does_not_resolve_fails_the_hook_naming_both_interfaces() {
    let r = registry("mismatch");
    let mut unit = Unit::new(world(&[]));
    unit.store = MemoryStore::with_flags(&["db.ready"]);
    let out = unit.run_unchecked(r, "update-status");
    match &out.error {
        Some(HookError::Handler(HandlerError::Extract { handler, source })) => {
            assert_eq!(handler, "interfaces::mismatch::wrong_interface");
            assert_eq!(
                source.reason,
                "handler interfaces::mismatch::wrong_interface takes Pgsql, an endpoint of interface \"pgsql\", but flag \"db.ready\" names relation \"db\", which is of interface \"mysql\" in the charm's metadata"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(unit.store.flags(), ["db.ready"]);
}

#[test]
fn typed_endpoints_of_different_interfaces_resolve_from_their_own_flags() {
    let r = registry("mismatch");
    let mut unit = Unit::new(world(&[("website", 4, "client/0")]));
    unit.store = MemoryStore::with_flags(&["endpoint.website.joined", "db.available"]);
    let out = unit.run_unchecked(r, "update-status");
    assert!(out.is_ok(), "{:?}", out.error);
    assert_eq!(short(&out.invoked), ["two_interfaces"]);
    assert!(unit.store.flags().contains(&"db+website".to_owned()));
}

// ---------------------------------------------------------------------------
// Typed endpoints from any code of the hook
// ---------------------------------------------------------------------------

mod from_anywhere {
    use charm_macros::hook;
    use charm_runtime::endpoint::InterfaceLookupError;
    use charm_runtime::{Ctx, Error, HookContext};

    use super::mismatch::Mysql;
    use super::roles::{Http, HttpProvides};

    /// What each lookup gives, recorded as flags: the endpoint found, or
    /// the error's message in the unit data.
    fn record<'a, T: charm_runtime::endpoint::Interface<'a>>(
        ctx: &'a HookContext,
        what: &str,
        found: Result<T, InterfaceLookupError>,
    ) -> Result<(), Error> {
        match found {
            Ok(t) => ctx.flags().set(format!("{what}={}", t.endpoint().name())),
            Err(e) => ctx.kv().set(what, &e.to_string())?,
        }
        Ok(())
    }

    #[hook("install")]
    fn look_up(ctx: Ctx) -> Result<(), Error> {
        // A deferred callback has no handler arguments: it looks its
        // typed endpoints up.
        ctx.defer_once("look up", |ctx| {
            record(ctx, "mysql", ctx.interface::<Mysql>())?;
            record(ctx, "provides", ctx.interface::<HttpProvides>())?;
            record(ctx, "http", ctx.interface::<Http>())?;
            record(ctx, "on-backend", ctx.interface_on::<Http>("backend"))?;
            record(ctx, "on-db", ctx.interface_on::<Http>("db"))?;
            record(ctx, "on-bakend", ctx.interface_on::<Http>("bakend"))?;
            Ok(())
        });
        Ok(())
    }
}

#[test]
fn typed_endpoints_are_reachable_from_any_code_with_the_handlers_checks() {
    let mut unit = Unit::new(world(&[]));
    let out = unit.run(registry("from_anywhere"), "install", None);
    assert!(out.is_ok(), "{:?}", out.error);
    let flags = unit.store.flags();
    // One endpoint of the interface (and role): found.
    assert!(flags.contains(&"mysql=db".to_owned()), "{flags:?}");
    assert!(flags.contains(&"provides=website".to_owned()), "{flags:?}");
    assert!(
        flags.contains(&"on-backend=backend".to_owned()),
        "{flags:?}"
    );
    let said = |key: &str| unit.store.data[key].clone();
    // Two endpoints of `http` (website provides, backend requires): name one.
    assert_eq!(
        said("http"),
        "\"the charm's metadata declares several relations of interface \\\"http\\\" (backend, website): name one with `ctx.interface_on::<T>(name)`\""
    );
    assert_eq!(
        said("on-db"),
        "\"relation \\\"db\\\": declared as requires of interface \\\"mysql\\\", not \\\"http\\\"\""
    );
    assert_eq!(
        said("on-bakend"),
        "\"relation \\\"bakend\\\": the charm's metadata declares no relation \\\"bakend\\\" (did you mean \\\"backend\\\"?)\""
    );
}

mod optional {
    use charm_macros::when;
    use charm_runtime::Flags;

    use super::mismatch::{Mysql, Pgsql};

    /// `Option` of a typed endpoint: `Some` where the flags resolve to an
    /// endpoint of its interface, `None` where they do not; never an error,
    /// and not refused when the charm is built.
    #[when("db.ready")]
    fn optional_endpoints(db: Option<Mysql>, pg: Option<Pgsql>, flags: Flags) {
        let name = |n: Option<&str>| n.unwrap_or("none").to_owned();
        flags.set(format!("mysql:{}", name(db.as_ref().map(|d| d.name()))));
        flags.set(format!("pgsql:{}", name(pg.as_ref().map(|p| p.name()))));
    }
}

#[test]
fn optional_typed_endpoints_are_none_where_they_do_not_resolve() {
    let mut unit = Unit::new(world(&[]));
    unit.store = MemoryStore::with_flags(&["db.ready"]);
    let out = unit.run(registry("optional"), "update-status", None);
    assert!(out.is_ok(), "{:?}", out.error);
    let flags = unit.store.flags();
    assert!(flags.contains(&"mysql:db".to_owned()), "{flags:?}");
    assert!(flags.contains(&"pgsql:none".to_owned()), "{flags:?}");
}
