//! The OpenStack charm a binary is: its definitions by release, how the
//! release of a hook is chosen, and which default handlers it uses.
//! Registered once with [`register!`](crate::register).

use std::collections::BTreeSet;

use charm_runtime::{Error, HookContext};

use crate::definition::Definition;
use crate::release::Release;

/// Chooses the release of a hook (charms.openstack's
/// `register_os_release_selector`).
pub type Selector = fn(&HookContext) -> Result<Release, Error>;

/// A default handler a charm opts into by name, as charms.openstack's
/// `use_defaults('charm.installed', ...)`.
///
/// ```
/// use charm_openstack::{DefaultHandler, Definition, OpenStackCharms, Release};
///
/// let charms = OpenStackCharms::new(Definition::new("api", Release::YOGA))
///     .use_defaults([DefaultHandler::Install, DefaultHandler::UpdateStatus]);
/// assert!(charms.defaults().contains(&DefaultHandler::Install));
/// assert!(!charms.defaults().contains(&DefaultHandler::UpgradeCharm));
/// // The names charms.openstack's `use_defaults` takes.
/// assert_eq!(DefaultHandler::Install.name(), "charm.installed");
/// assert_eq!(DefaultHandler::SelectRelease.name(), "charm.default-select-release");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DefaultHandler {
    /// `charm.installed`: install the packages (showing maintenance status
    /// while they install), then set `charm.installed` and assess the
    /// status.
    Install,
    /// `config.changed`: ask for the configuration to be rendered again
    /// (clears `config.rendered`, see [`crate::defaults`]) and assess the
    /// status.
    ConfigChanged,
    /// `update-status`: assess the status.
    UpdateStatus,
    /// `upgrade-charm`: render again, install the packages the new charm
    /// adds, assess the status.
    UpgradeCharm,
    /// `openstack-upgrade`: on `config.changed` once installed, upgrade
    /// OpenStack when the install source names a newer release than the
    /// instance's ([`OpenStack::upgrade_if_available`](crate::OpenStack::upgrade_if_available)).
    OpenStackUpgrade,
    /// `pause-resume`: layer-openstack's `pause` and `resume` actions
    /// (see [`crate::actions`]); the charm declares both in
    /// `actions.yaml`.
    PauseResume,
    /// `config.rendered`: keep the services stopped and disabled until
    /// the configuration has been rendered ([`CONFIG_RENDERED`] unset, the
    /// unit not paused: [`OpenStack::disable_services`]); once it is set
    /// (and the unit not paused), enable and start them
    /// ([`OpenStack::enable_services`]); assess the status either way.
    ///
    /// [`CONFIG_RENDERED`]: crate::defaults::CONFIG_RENDERED
    /// [`OpenStack::disable_services`]: crate::OpenStack::disable_services
    /// [`OpenStack::enable_services`]: crate::OpenStack::enable_services
    ConfigRendered,
    /// `charm.default-select-release`: choose the release from the
    /// installed release package, else the install source, cached in the
    /// unit's data.
    SelectRelease,
}

impl DefaultHandler {
    /// The name charms.openstack gives it.
    pub fn name(self) -> &'static str {
        match self {
            DefaultHandler::Install => "charm.installed",
            DefaultHandler::ConfigChanged => "config.changed",
            DefaultHandler::UpdateStatus => "update-status",
            DefaultHandler::UpgradeCharm => "upgrade-charm",
            DefaultHandler::SelectRelease => "charm.default-select-release",
            DefaultHandler::OpenStackUpgrade => "openstack-upgrade",
            DefaultHandler::PauseResume => "pause-resume",
            DefaultHandler::ConfigRendered => "config.rendered",
        }
    }
}

/// The OpenStack charm of a binary.
///
/// ```
/// use charm_openstack::{DefaultHandler, Definition, OpenStackCharms, Release};
///
/// fn charms() -> OpenStackCharms {
///     OpenStackCharms::new(Definition::new("api", Release::QUEENS))
///         .and(Definition::new("api", Release::USSURI).packages(["api", "python3-api"]))
///         .use_defaults([DefaultHandler::Install, DefaultHandler::UpdateStatus])
/// }
/// let charms = charms();
/// assert_eq!(charms.for_release(Release::YOGA).unwrap().release, Release::USSURI);
/// assert_eq!(charms.for_release(Release::QUEENS).unwrap().release, Release::QUEENS);
/// assert!(charms.for_release(Release::MITAKA).is_err());
/// ```
#[derive(Debug, Clone)]
pub struct OpenStackCharms {
    definitions: Vec<Definition>,
    selector: Option<Selector>,
    defaults: BTreeSet<DefaultHandler>,
}

impl OpenStackCharms {
    /// A charm with one definition (which may serve every release).
    pub fn new(definition: Definition) -> Self {
        Self {
            definitions: vec![definition],
            selector: None,
            defaults: BTreeSet::new(),
        }
    }

    /// The same, with `definition` for its release onwards.
    pub fn and(mut self, definition: Definition) -> Self {
        self.definitions.push(definition);
        self.definitions.sort_by_key(|d| d.release);
        self
    }

    /// Choose each hook's release with `selector`. Without one (and without
    /// [`DefaultHandler::SelectRelease`]) the release is the newest
    /// definition's.
    pub fn release_selector(mut self, selector: Selector) -> Self {
        self.selector = Some(selector);
        self
    }

    /// Use these default handlers.
    pub fn use_defaults<I: IntoIterator<Item = DefaultHandler>>(mut self, defaults: I) -> Self {
        self.defaults.extend(defaults);
        self
    }

    /// The default handlers in use.
    pub fn defaults(&self) -> &BTreeSet<DefaultHandler> {
        &self.defaults
    }

    /// The registered selector, if any.
    pub fn selector(&self) -> Option<Selector> {
        self.selector
    }

    /// Every definition, oldest release first.
    pub fn definitions(&self) -> &[Definition] {
        &self.definitions
    }

    /// The definition serving `release`: the newest one whose release is
    /// not after it (charms.openstack's `get_charm_instance`).
    pub fn for_release(&self, release: Release) -> Result<&Definition, Unsupported> {
        self.definitions
            .iter()
            .rev()
            .find(|d| d.release <= release)
            .ok_or_else(|| Unsupported {
                release,
                oldest: self.definitions[0].release,
            })
    }
}

/// The chosen release is older than every definition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("OpenStack {release} is not supported: this charm starts at {oldest}")]
pub struct Unsupported {
    /// The release chosen for the hook.
    pub release: Release,
    /// The oldest release a definition serves.
    pub oldest: Release,
}

/// One registered charm: what [`register!`](crate::register) submits.
#[doc(hidden)]
pub struct Registration {
    /// Builds the charm's definitions.
    pub charms: fn() -> OpenStackCharms,
}

charm_runtime::macro_support::inventory::collect!(Registration);

/// Register the binary's OpenStack charm: `register!(charms)` where
/// `fn charms() -> OpenStackCharms`. Exactly one per binary.
#[macro_export]
macro_rules! register {
    ($charms:path) => {
        ::charm_runtime::macro_support::inventory::submit! {
            $crate::Registration { charms: $charms }
        }
    };
}

/// The registered charm of this binary, if exactly one is.
pub(crate) fn registered() -> Result<OpenStackCharms, Registered> {
    let mut all = charm_runtime::macro_support::inventory::iter::<Registration>.into_iter();
    match (all.next(), all.next()) {
        (Some(one), None) => Ok((one.charms)()),
        (None, _) => Err(Registered::None),
        (Some(_), Some(_)) => Err(Registered::Several),
    }
}

/// The binary does not register exactly one OpenStack charm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Registered {
    /// None is registered.
    #[error(
        "no OpenStack charm is registered in this binary: call `charm_openstack::register!(charms)` in the charm's library, with `fn charms() -> OpenStackCharms`"
    )]
    None,
    /// Several are.
    #[error("several OpenStack charms are registered in this binary; a charm registers one")]
    Several,
}
