//! The default handlers an OpenStack charm opts into with
//! [`OpenStackCharms::use_defaults`](crate::OpenStackCharms::use_defaults)
//! (charms.openstack's `use_defaults` with layer-openstack's handlers),
//! and the operations they run, which a charm's own handlers may run too:
//! [`OpenStack::install`], [`OpenStack::upgrade_charm`],
//! [`OpenStack::request_render`], [`OpenStack::upgrade_if_available`].
//!
//! The handlers join the charm's registry through a registry extension:
//! when the charm's registry is built ([`Registry::for_charm`], hence
//! `main` and the harness's `Context::from_charm_dir`), the registered
//! charm's defaults are read and their handlers added after the charm's
//! own, so a charm's handler runs before the default one in the same
//! iteration.
//!
//! | default | runs | does |
//! |---|---|---|
//! | [`Install`](DefaultHandler::Install) | `charm.installed` unset | [`OpenStack::install`], sets [`INSTALLED_FLAG`], assesses |
//! | [`ConfigChanged`](DefaultHandler::ConfigChanged) | `config.changed` | [`OpenStack::request_render`], assesses |
//! | [`UpdateStatus`](DefaultHandler::UpdateStatus) | `update-status` hook | assesses |
//! | [`UpgradeCharm`](DefaultHandler::UpgradeCharm) | `upgrade-charm` hook | [`OpenStack::upgrade_charm`], assesses |
//! | [`OpenStackUpgrade`](DefaultHandler::OpenStackUpgrade) | `config.changed` and `charm.installed` | [`OpenStack::upgrade_if_available`], assesses after an upgrade |
//! | [`PauseResume`](DefaultHandler::PauseResume) | the `pause` and `resume` actions | see [`crate::actions`] |
//! | [`ConfigRendered`](DefaultHandler::ConfigRendered) | [`CONFIG_RENDERED`] unset, not paused | [`OpenStack::disable_services`], assesses |
//! | [`ConfigRendered`](DefaultHandler::ConfigRendered) | [`CONFIG_RENDERED`] set, not paused | [`OpenStack::enable_services`], assesses |
//! | [`SelectRelease`](DefaultHandler::SelectRelease) | each hook's instance | chooses the release, see [`OpenStack::of`] |
//!
//! "Assesses" is [`OpenStack::assess_status`]: once, at the end of the
//! hook.
//!
//! # Rendering
//!
//! The configuration files are rendered by the rendering code, not here.
//! The hook point between the two is the [`CONFIG_RENDERED`] flag:
//! whatever means the files must be rendered again (a configuration
//! change, a charm upgrade, an OpenStack upgrade) clears it with
//! [`OpenStack::request_render`]; the rendering handler runs while it is
//! unset (`when_not("config.rendered")`, with the flags of the data it
//! needs), writes the files, and sets it: in one call,
//! [`OpenStack::render_and_assess`].
//!
//! With [`DefaultHandler::ConfigRendered`], the services are kept
//! stopped and disabled while the flag is unset, and enabled and started
//! once it is set, so a service never runs on the packaged configuration.
//!
//! [`Registry::for_charm`]: charm_runtime::Registry::for_charm

use charm_runtime::backend::ToolError;
use charm_runtime::metadata::Metadata;
use charm_runtime::{Flag, Handler, HookContext, Level, Port, Registry, RegistryError, StateError};

use crate::charms::{DefaultHandler, Unsupported, registered};
use crate::host::{HostError, ServiceOp};
use crate::instance::{OpenStack, OpenStackError, RELEASE_KEY};
use crate::release::{Release, ReleaseError};
use crate::render::{Adapters, RenderError, RenderReport};
use crate::status::PAUSED_FLAG;

/// Set by the default install handler once the packages are installed
/// (`charm.installed`); charms wait for it before configuring.
pub const INSTALLED_FLAG: Flag = Flag::new("charm.installed");

/// Set by the rendering code once the configuration files are written for
/// the current configuration and relations; cleared by
/// [`OpenStack::request_render`] when they must be written again
/// (`config.rendered`).
pub const CONFIG_RENDERED: Flag = Flag::new("config.rendered");

/// The config option that leaves OpenStack upgrades to an action
/// (`action-managed-upgrade`): when true, a newer `openstack-origin` does
/// not upgrade the unit by itself.
pub const ACTION_MANAGED_UPGRADE: &str = "action-managed-upgrade";

/// The progress shown while packages install.
pub const INSTALLING_MESSAGE: &str = "Installing packages";

/// The progress shown once packages are installed, until the status is
/// assessed.
pub const INSTALLED_MESSAGE: &str = "Installation complete - awaiting next status";

/// The progress shown during an OpenStack upgrade.
pub const UPGRADING_MESSAGE: &str = "Running openstack upgrade";

/// The charm's packages could not be installed, or its ports opened.
#[derive(Debug, thiserror::Error)]
pub enum InstallError {
    /// The machine failed.
    #[error("installing: {0}")]
    Host(#[from] HostError),
    /// A hook tool failed (`status-set`, `opened-ports`).
    #[error("installing: {0}")]
    Tool(#[from] ToolError),
}

impl From<InstallError> for charm_runtime::Error {
    fn from(e: InstallError) -> Self {
        charm_runtime::Error::Interface(Box::new(e))
    }
}

/// An OpenStack upgrade could not be told or run.
#[derive(Debug, thiserror::Error)]
pub enum UpgradeError {
    /// The install source option could not be read.
    #[error("reading the install source: {0}")]
    Config(#[source] charm_runtime::Error),
    /// The install source names no release.
    #[error(transparent)]
    Release(#[from] ReleaseError),
    /// No definition serves the new release.
    #[error(transparent)]
    Unsupported(#[from] Unsupported),
    /// The instance for the new release cannot be made.
    #[error(transparent)]
    Instance(#[from] OpenStackError),
    /// The machine failed.
    #[error("upgrading OpenStack: {0}")]
    Host(#[from] HostError),
    /// A hook tool failed (`status-set`, `is-leader`).
    #[error("upgrading OpenStack: {0}")]
    Tool(#[from] ToolError),
    /// The unit's data could not be written.
    #[error("upgrading OpenStack: {0}")]
    State(#[from] StateError),
}

impl From<UpgradeError> for charm_runtime::Error {
    fn from(e: UpgradeError) -> Self {
        charm_runtime::Error::Interface(Box::new(e))
    }
}

impl<'a> OpenStack<'a> {
    /// The definition's packages not installed yet.
    pub fn missing_packages(&self) -> Result<Vec<String>, HostError> {
        let mut missing = Vec::new();
        for package in &self.definition().packages {
            if self.host().package_version(package)?.is_none() {
                missing.push(package.clone());
            }
        }
        Ok(missing)
    }

    /// Install the definition's packages not installed yet, showing
    /// [`INSTALLING_MESSAGE`] while they install and
    /// [`INSTALLED_MESSAGE`] after; set `{name}-installed`; open the API
    /// ports ([`OpenStack::update_api_ports`]). Returns the packages
    /// installed. The default install handler then sets
    /// [`INSTALLED_FLAG`].
    pub fn install(&self) -> Result<Vec<String>, InstallError> {
        let missing = self.missing_packages()?;
        if !missing.is_empty() {
            self.ctx().progress(INSTALLING_MESSAGE)?;
            self.host().install(&missing)?;
        }
        self.ctx()
            .flags()
            .set(format!("{}-installed", self.definition().name));
        self.update_api_ports()?;
        if !missing.is_empty() {
            self.ctx().progress(INSTALLED_MESSAGE)?;
        }
        Ok(missing)
    }

    /// Make the unit's opened TCP ports the API ports
    /// ([`OpenStack::ports_to_check`]): open those that are not, close the
    /// other single TCP ports.
    pub fn update_api_ports(&self) -> Result<(), ToolError> {
        let wanted = self.ports_to_check();
        let opened = self.ctx().juju().opened_ports()?;
        for port in &wanted {
            if !opened.contains(&Port::tcp(*port)) {
                self.ctx().open_port(Port::tcp(*port));
            }
        }
        for port in opened {
            if port.protocol == "tcp" && port.from == port.to && !wanted.contains(&port.from) {
                self.ctx().close_port(port);
            }
        }
        Ok(())
    }

    /// Ask for the configuration to be rendered again: clear
    /// [`CONFIG_RENDERED`], which the rendering code acts on.
    pub fn request_render(&self) {
        self.ctx().flags().clear(CONFIG_RENDERED);
    }

    /// Render every file of the `restart_map` with `adapters` (restarting
    /// the services of those that changed,
    /// [`OpenStack::render_all`]), set [`CONFIG_RENDERED`], and ask for
    /// the status assessment at the end of the hook
    /// ([`OpenStack::assess_status`]): the whole of a charm's rendering
    /// handler.
    ///
    /// ```standalone_crate
    /// use charm_interfaces::mysql_shared::MysqlShared;
    /// use charm_interfaces::rabbitmq::RabbitMq;
    /// use charm_openstack::render::{Adapters, DatabaseAdapter, RabbitMqAdapter};
    /// use charm_openstack::{Definition, OpenStack, OpenStackCharms, Release};
    /// use charm_runtime::prelude::*;
    ///
    /// fn charms() -> OpenStackCharms {
    ///     OpenStackCharms::new(
    ///         Definition::new("api", Release::CARACAL)
    ///             .restart_map("/etc/api/api.conf", ["api"])
    ///             .group("api"),
    ///     )
    /// }
    /// charm_openstack::register!(charms);
    ///
    /// #[when_all("shared-db.available", "amqp.available")]
    /// fn render(os: OpenStack, db: MysqlShared, amqp: RabbitMq) -> Result<(), Error> {
    ///     let adapters = Adapters::from_hook(os.ctx())?
    ///         .relation(DatabaseAdapter::new(&db)?)
    ///         .relation(RabbitMqAdapter::new(&amqp)?);
    ///     os.render_and_assess(&adapters)?;
    ///     Ok(())
    /// }
    /// # fn main() {}
    /// ```
    pub fn render_and_assess(&self, adapters: &Adapters) -> Result<RenderReport, RenderError> {
        let report = self.render_all(adapters)?;
        self.ctx().flags().set(CONFIG_RENDERED);
        self.assess_status();
        Ok(report)
    }

    /// Stop and disable every service of the definition, without marking
    /// the unit paused (charms.openstack's charm-managed
    /// `disable_services`, for a unit whose configuration is not rendered
    /// yet). Each service is tried; the first failure is returned.
    ///
    /// Unlike charmhelpers, the services are not masked, so that the
    /// first render's restart starts them.
    pub fn disable_services(&self) -> Result<(), HostError> {
        self.for_each_service(|service| {
            if self.host().is_running(service)? {
                self.host().service(ServiceOp::Stop, service)?;
            }
            self.host().service(ServiceOp::Disable, service)
        })
    }

    /// Enable every service of the definition and start those not
    /// running (charms.openstack's charm-managed `enable_services`). Each
    /// service is tried; the first failure is returned.
    pub fn enable_services(&self) -> Result<(), HostError> {
        self.for_each_service(|service| {
            self.host().service(ServiceOp::Enable, service)?;
            if !self.host().is_running(service)? {
                self.host().service(ServiceOp::Start, service)?;
            }
            Ok(())
        })
    }

    fn for_each_service(
        &self,
        mut op: impl FnMut(&str) -> Result<(), HostError>,
    ) -> Result<(), HostError> {
        let mut first = None;
        for service in &self.definition().services {
            if let Err(e) = op(service) {
                self.ctx().log(Level::Error, &e.to_string());
                first.get_or_insert(e);
            }
        }
        first.map_or(Ok(()), Err)
    }

    /// What the `upgrade-charm` hook does by default: render again (the
    /// new charm may render differently), install the packages the new
    /// charm adds, open the ports it declares.
    pub fn upgrade_charm(&self) -> Result<(), InstallError> {
        self.request_render();
        self.install()?;
        Ok(())
    }

    /// The release the install source (`openstack-origin`, or the
    /// definition's [`source_config_key`](crate::Definition::source_config_key))
    /// names, if it is newer than this instance's. `None` when the charm
    /// has no such option.
    pub fn upgrade_available(&self) -> Result<Option<Release>, UpgradeError> {
        let key = &self.definition().source_config_key;
        let source: Option<String> = self
            .ctx()
            .config_values()
            .map_err(|e| UpgradeError::Config(e.into()))?
            .get(key)
            .map_err(|e| UpgradeError::Config(e.into()))?;
        let Some(source) = source else {
            return Ok(None);
        };
        let target = Release::from_source(&source, &self.host().series()?)?;
        Ok((target > self.release()).then_some(target))
    }

    /// Upgrade OpenStack when the install source names a newer release,
    /// unless [`ACTION_MANAGED_UPGRADE`] is set (the upgrade is then left
    /// to an action, and logged). Returns the instance for the new
    /// release when it upgraded.
    ///
    /// ```standalone_crate
    /// use charm_openstack::{Definition, OpenStack, OpenStackCharms, Release};
    /// use charm_runtime::prelude::*;
    ///
    /// fn charms() -> OpenStackCharms {
    ///     OpenStackCharms::new(Definition::new("api", Release::YOGA).packages(["api"]))
    ///         .and(Definition::new("api", Release::BOBCAT).packages(["api", "api-extra"]))
    /// }
    /// charm_openstack::register!(charms);
    ///
    /// #[when("config.changed")]
    /// fn upgrade(os: OpenStack) -> Result<(), Error> {
    ///     if let Some(new) = os.upgrade_if_available()? {
    ///         new.assess_status();
    ///     }
    ///     Ok(())
    /// }
    /// # fn main() {
    /// # use charm_runtime::harness::{Context, Event, State};
    /// # use charm_runtime::Registry;
    /// # let ctx = Context::from_yaml("name: api\n", |m: &_| Registry::for_charm("", m)).unwrap()
    /// #     .with_config_yaml("options: {openstack-origin: {type: string, default: distro}}").unwrap();
    /// # let out = ctx.run(Event::config_changed(), &State::new()).unwrap().expect_ok();
    /// # // noble's distro release (caracal) is newer than bobcat.
    /// # assert_eq!(out.progress(), ["Running openstack upgrade"]);
    /// # }
    /// ```
    pub fn upgrade_if_available(&self) -> Result<Option<OpenStack<'a>>, UpgradeError> {
        let Some(target) = self.upgrade_available()? else {
            return Ok(None);
        };
        let action_managed: Option<bool> = self
            .ctx()
            .config_values()
            .map_err(|e| UpgradeError::Config(e.into()))?
            .get(ACTION_MANAGED_UPGRADE)
            .map_err(|e| UpgradeError::Config(e.into()))?;
        if action_managed.unwrap_or(false) {
            self.ctx().log(
                Level::Info,
                &format!("not upgrading OpenStack to {target}: {ACTION_MANAGED_UPGRADE} is set"),
            );
            return Ok(None);
        }
        self.run_upgrade(target).map(Some)
    }

    /// Upgrade OpenStack to `target`: show [`UPGRADING_MESSAGE`], cache
    /// the new release in the unit's data ([`RELEASE_KEY`], what the
    /// default release selector reads), make the definition serving it
    /// the hook's instance, install its packages through the host (the
    /// real host's `apt-get install` brings installed packages to the
    /// candidate version), ask for the configuration to be rendered again,
    /// and run the database migration on the leader. Returns the new
    /// instance.
    pub fn run_upgrade(&self, target: Release) -> Result<OpenStack<'a>, UpgradeError> {
        let ctx = self.ctx();
        ctx.progress(UPGRADING_MESSAGE)?;
        ctx.log(
            Level::Info,
            &format!("upgrading OpenStack from {} to {target}", self.release()),
        );
        ctx.kv().set(RELEASE_KEY, target.codename())?;
        let new = self.switch_release(target)?;
        new.host().install(&new.definition().packages)?;
        new.request_render();
        let sync = &new.definition().sync_command;
        if !sync.is_empty() {
            if ctx.is_leader()? {
                new.host().run(sync)?;
            } else {
                ctx.log(Level::Info, "leaving the database migration to the leader");
            }
        }
        Ok(new)
    }
}

/// The registry extension: the registered charm's default handlers.
/// A binary registering no OpenStack charm gets none; one registering
/// several gets none here, and each hook's instance says why.
fn extend(registry: &mut Registry, _metadata: &Metadata) -> Result<(), RegistryError> {
    let Ok(charms) = registered() else {
        return Ok(());
    };
    for default in charms.defaults() {
        match default {
            DefaultHandler::Install => {
                registry.add(
                    Handler::new("charm_openstack::defaults::install", default_install)
                        .when_not([INSTALLED_FLAG]),
                )?;
            }
            DefaultHandler::OpenStackUpgrade => {
                registry.add(
                    Handler::new(
                        "charm_openstack::defaults::openstack_upgrade",
                        default_openstack_upgrade,
                    )
                    .when(["config.changed", INSTALLED_FLAG.name()]),
                )?;
            }
            DefaultHandler::ConfigChanged => {
                registry.add(
                    Handler::new(
                        "charm_openstack::defaults::config_changed",
                        default_config_changed,
                    )
                    .when(["config.changed"]),
                )?;
            }
            DefaultHandler::UpdateStatus => {
                registry.add(
                    Handler::new(
                        "charm_openstack::defaults::update_status",
                        default_update_status,
                    )
                    .hook(["update-status"]),
                )?;
            }
            DefaultHandler::UpgradeCharm => {
                registry.add(
                    Handler::new(
                        "charm_openstack::defaults::upgrade_charm",
                        default_upgrade_charm,
                    )
                    .hook(["upgrade-charm"]),
                )?;
            }
            DefaultHandler::PauseResume => {
                for handler in crate::actions::handlers() {
                    registry.add(handler)?;
                }
            }
            DefaultHandler::ConfigRendered => {
                registry.add(
                    Handler::new(
                        "charm_openstack::defaults::config_not_rendered",
                        default_config_not_rendered,
                    )
                    .when_not([CONFIG_RENDERED, PAUSED_FLAG]),
                )?;
                registry.add(
                    Handler::new(
                        "charm_openstack::defaults::config_rendered",
                        default_config_rendered,
                    )
                    .when([CONFIG_RENDERED])
                    .when_not([PAUSED_FLAG]),
                )?;
            }
            // Honoured by the instance itself (`OpenStack::of`).
            DefaultHandler::SelectRelease => {}
        }
    }
    Ok(())
}

charm_runtime::extend_registry!("charm-openstack", extend);

fn default_install(ctx: &HookContext) -> Result<(), charm_runtime::Error> {
    let os = OpenStack::of(ctx)?;
    os.install()?;
    ctx.flags().set(INSTALLED_FLAG);
    os.assess_status();
    Ok(())
}

fn default_openstack_upgrade(ctx: &HookContext) -> Result<(), charm_runtime::Error> {
    if let Some(new) = OpenStack::of(ctx)?.upgrade_if_available()? {
        new.assess_status();
    }
    Ok(())
}

fn default_config_changed(ctx: &HookContext) -> Result<(), charm_runtime::Error> {
    let os = OpenStack::of(ctx)?;
    os.request_render();
    os.assess_status();
    Ok(())
}

fn default_config_not_rendered(ctx: &HookContext) -> Result<(), charm_runtime::Error> {
    // A rendering handler earlier in the same pass may have set the flag:
    // the services it just restarted are not to be stopped.
    if ctx.flags().is_set(CONFIG_RENDERED) {
        return Ok(());
    }
    let os = OpenStack::of(ctx)?;
    os.disable_services()
        .map_err(|e| charm_runtime::Error::Interface(Box::new(e)))?;
    os.assess_status();
    Ok(())
}

fn default_config_rendered(ctx: &HookContext) -> Result<(), charm_runtime::Error> {
    let os = OpenStack::of(ctx)?;
    os.enable_services()
        .map_err(|e| charm_runtime::Error::Interface(Box::new(e)))?;
    os.assess_status();
    Ok(())
}

fn default_update_status(ctx: &HookContext) -> Result<(), charm_runtime::Error> {
    OpenStack::of(ctx)?.assess_status();
    Ok(())
}

fn default_upgrade_charm(ctx: &HookContext) -> Result<(), charm_runtime::Error> {
    let os = OpenStack::of(ctx)?;
    os.upgrade_charm()?;
    os.assess_status();
    Ok(())
}
