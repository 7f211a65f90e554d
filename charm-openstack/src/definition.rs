//! What an OpenStack charm is, for one release onwards: the charms.openstack
//! `OpenStackCharm` class attributes as a value.

use std::collections::BTreeMap;
use std::path::PathBuf;

use charm_runtime::{Error, HookContext, Status};

use crate::release::Release;

/// The ports of one API service, per endpoint type.
///
/// ```
/// use charm_openstack::{ApiPorts, Definition, Release};
///
/// // keystone's: the admin API on its own port.
/// let keystone = ApiPorts { public: 5000, internal: 5000, admin: 35357 };
/// let nova = ApiPorts::all(8774);
/// assert_eq!(nova.admin, 8774);
/// let definition = Definition::new("api", Release::YOGA)
///     .api_port("keystone", keystone)
///     .api_port("nova-api", nova);
/// assert_eq!(definition.api_ports["keystone"].admin, 35357);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ApiPorts {
    /// Public (`os-public-hostname`, the public network).
    pub public: u16,
    /// Internal.
    pub internal: u16,
    /// Admin.
    pub admin: u16,
}

impl ApiPorts {
    /// The same port on every endpoint type.
    pub fn all(port: u16) -> Self {
        Self {
            public: port,
            internal: port,
            admin: port,
        }
    }
}

/// A relation the charm needs before it can be active, as
/// charms.openstack's `required_relations`: missing (`{name}.connected`
/// unset) blocks the unit, incomplete (`{name}.available` unset) makes it
/// wait; `extra` flags add conditions of the charm's own, each with the
/// status shown while it is unset.
///
/// ```
/// use charm_openstack::{Definition, Release, RequiredRelation};
/// use charm_runtime::Status;
///
/// let definition = Definition::new("api", Release::YOGA)
///     .required_relation(RequiredRelation::new("shared-db"))
///     .required_relation(
///         RequiredRelation::new("identity-service")
///             .also("identity-service.ready", Status::waiting("waiting for the catalogue")),
///     );
/// assert_eq!(definition.required_relations.len(), 2);
/// assert_eq!(definition.required_relations[1].extra[0].0, "identity-service.ready");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequiredRelation {
    /// The relation (endpoint) name: `shared-db`, `amqp`.
    pub name: String,
    /// Further flags, each with the status while it is unset.
    pub extra: Vec<(String, Status)>,
}

impl RequiredRelation {
    /// A relation with the usual `.connected` / `.available` flags.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            extra: Vec::new(),
        }
    }

    /// The same, also waiting for `flag` with `status` while it is unset.
    pub fn also(mut self, flag: impl Into<String>, status: Status) -> Self {
        self.extra.push((flag.into(), status));
        self
    }
}

/// A check of the charm's own in the status assessment, after the
/// relations and before the services: `Some(status)` stops the assessment
/// there (`custom_assess_status_check`). It gets the hook context; the
/// hook's instance is `OpenStack::of(ctx)`.
pub type CustomCheck = fn(&HookContext) -> Result<Option<Status>, Error>;

/// An OpenStack charm for one release onwards: the packages it installs,
/// the services it runs, its API ports, the files it renders and the
/// services each restarts, the relations it needs. Built with its
/// setters; registered with [`crate::OpenStackCharms`].
///
/// ```
/// use charm_openstack::{ApiPorts, Definition, Release, RequiredRelation};
///
/// let keystone = Definition::new("keystone", Release::QUEENS)
///     .packages(["keystone", "apache2", "haproxy"])
///     .services(["apache2", "haproxy"])
///     .api_port("keystone-public", ApiPorts::all(5000))
///     .service_type("identity")
///     .restart_map("/etc/keystone/keystone.conf", ["apache2"])
///     .required_relation(RequiredRelation::new("shared-db"))
///     .sync_command(["keystone-manage", "db_sync"])
///     .user("keystone")
///     .group("keystone");
/// assert_eq!(keystone.release, Release::QUEENS);
/// assert_eq!((keystone.user.as_str(), keystone.group.as_str()), ("keystone", "keystone"));
/// assert_eq!(keystone.services, ["apache2", "haproxy"]);
/// ```
#[derive(Debug, Clone)]
pub struct Definition {
    /// The charm's name.
    pub name: String,
    /// The first release this definition serves.
    pub release: Release,
    /// The packages to install.
    pub packages: Vec<String>,
    /// The services the charm runs (checked running by the assessment).
    pub services: Vec<String>,
    /// The ports of each API service.
    pub api_ports: BTreeMap<String, ApiPorts>,
    /// The Keystone service type (`identity`).
    pub service_type: Option<String>,
    /// The service the charm is mainly about.
    pub default_service: Option<String>,
    /// Which services each rendered file restarts when its bytes change.
    pub restart_map: BTreeMap<PathBuf, Vec<String>>,
    /// The relations needed before the charm is active.
    pub required_relations: Vec<RequiredRelation>,
    /// The database migration command; empty for none.
    pub sync_command: Vec<String>,
    /// The package whose installed version tells the release.
    pub release_package: Option<String>,
    /// The release of each major version of the release package.
    pub package_codenames: BTreeMap<u32, Release>,
    /// The config option holding the install source.
    pub source_config_key: String,
    /// A check of the charm's own in the status assessment.
    pub custom_check: Option<CustomCheck>,
    /// The user the services run as (default `root`). Rendered files stay
    /// owned by `root`, as charms.openstack writes them.
    pub user: String,
    /// The group the services run as (default `root`): the group of the
    /// rendered files (readable by it, mode `0640`) and of the files
    /// adapters write (a database's TLS material).
    pub group: String,
}

fn strings<I: IntoIterator<Item = S>, S: Into<String>>(items: I) -> Vec<String> {
    items.into_iter().map(Into::into).collect()
}

impl Definition {
    /// The charm `name` for `release` onwards.
    pub fn new(name: impl Into<String>, release: Release) -> Self {
        Self {
            name: name.into(),
            release,
            packages: Vec::new(),
            services: Vec::new(),
            api_ports: BTreeMap::new(),
            service_type: None,
            default_service: None,
            restart_map: BTreeMap::new(),
            required_relations: Vec::new(),
            sync_command: Vec::new(),
            release_package: None,
            package_codenames: BTreeMap::new(),
            source_config_key: "openstack-origin".to_owned(),
            custom_check: None,
            user: "root".to_owned(),
            group: "root".to_owned(),
        }
    }

    /// The packages to install.
    pub fn packages<I: IntoIterator<Item = S>, S: Into<String>>(mut self, packages: I) -> Self {
        self.packages = strings(packages);
        self
    }

    /// The services the charm runs (checked running by the assessment).
    pub fn services<I: IntoIterator<Item = S>, S: Into<String>>(mut self, services: I) -> Self {
        self.services = strings(services);
        self
    }

    /// The ports of the API service `service`.
    pub fn api_port(mut self, service: impl Into<String>, ports: ApiPorts) -> Self {
        self.api_ports.insert(service.into(), ports);
        self
    }

    /// The Keystone service type (`identity`, `image`).
    pub fn service_type(mut self, service_type: impl Into<String>) -> Self {
        self.service_type = Some(service_type.into());
        self
    }

    /// The service the charm is mainly about (its version is the workload
    /// version).
    pub fn default_service(mut self, service: impl Into<String>) -> Self {
        self.default_service = Some(service.into());
        self
    }

    /// Restart `services` when the rendered bytes of `file` change.
    pub fn restart_map<I: IntoIterator<Item = S>, S: Into<String>>(
        mut self,
        file: impl Into<PathBuf>,
        services: I,
    ) -> Self {
        self.restart_map.insert(file.into(), strings(services));
        self
    }

    /// A relation the charm needs before it is active.
    pub fn required_relation(mut self, relation: RequiredRelation) -> Self {
        self.required_relations.push(relation);
        self
    }

    /// The command that migrates the database schema (`keystone-manage
    /// db_sync`), run by the leader once the database is available.
    pub fn sync_command<I: IntoIterator<Item = S>, S: Into<String>>(mut self, argv: I) -> Self {
        self.sync_command = strings(argv);
        self
    }

    /// The package whose installed version tells the release, with the
    /// release of each of its major versions (`keystone` 25 is caracal).
    pub fn release_package<I>(mut self, package: impl Into<String>, codenames: I) -> Self
    where
        I: IntoIterator<Item = (u32, Release)>,
    {
        self.package_codenames = codenames.into_iter().collect();
        self.release_package = Some(package.into());
        self
    }

    /// The config option holding the install source (default
    /// `openstack-origin`).
    pub fn source_config_key(mut self, key: impl Into<String>) -> Self {
        self.source_config_key = key.into();
        self
    }

    /// The user the services run as (charms.openstack's `user`).
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = user.into();
        self
    }

    /// The group the services run as, which owns the rendered files
    /// (charms.openstack's `group`).
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.group = group.into();
        self
    }

    /// A check of the charm's own in the status assessment.
    pub fn custom_check(mut self, check: CustomCheck) -> Self {
        self.custom_check = Some(check);
        self
    }
}
