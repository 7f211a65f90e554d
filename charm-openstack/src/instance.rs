//! The charm instance of one hook (charms.openstack's
//! `provide_charm_instance`): the registered charm's definition for the
//! hook's release, with the hook's host. Made once per hook, when first
//! asked for, and kept in the hook's context, so nothing leaks from one
//! hook (or harness run) into the next.

use std::ops::Deref;
use std::rc::Rc;

use charm_runtime::{Extract, ExtractError, HookContext, Invocation};

use crate::charms::{DefaultHandler, OpenStackCharms, Registered, Unsupported, registered};
use crate::definition::Definition;
use crate::host::{self, Host, HostError};
use crate::release::{Release, ReleaseError};

/// Where the default release selector caches the release it found, as
/// charms.openstack does (`OPENSTACK_RELEASE_KEY`).
pub const RELEASE_KEY: &str = "charmers.openstack-release-version";

/// What one hook's instance holds.
#[derive(Debug)]
struct Instance {
    charms: OpenStackCharms,
    definition: Definition,
    release: Release,
}

/// The OpenStack charm in this hook: its definition for the hook's
/// release, the release itself, the machine. A handler argument; any code
/// of the hook gets the same one with [`OpenStack::of`].
///
/// ```standalone_crate
/// use charm_openstack::{Definition, OpenStack, OpenStackCharms, Release};
/// use charm_runtime::prelude::*;
///
/// fn charms() -> OpenStackCharms {
///     OpenStackCharms::new(Definition::new("api", Release::YOGA).services(["api"]))
/// }
/// charm_openstack::register!(charms);
///
/// #[hook("install")]
/// fn show(os: OpenStack, flags: Flags) {
///     flags.set(format!("{}.{}", os.name, os.release()));
/// }
///
/// # fn main() {
/// use charm_runtime::{HookOptions, MemoryStore, Registry, run_hook};
/// let registry = Registry::from_inventory("").unwrap();
/// let mut store = MemoryStore::new();
/// assert!(run_hook(&registry, &mut store, HookOptions::new("install")).is_ok());
/// assert_eq!(store.flags(), ["api.yoga"]);
/// # }
/// ```
#[derive(Clone)]
pub struct OpenStack<'a> {
    ctx: &'a HookContext,
    instance: Rc<Instance>,
    host: Rc<dyn Host>,
}

impl std::fmt::Debug for OpenStack<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenStack")
            .field("name", &self.instance.definition.name)
            .field("release", &self.instance.release)
            .finish_non_exhaustive()
    }
}

impl<'a> OpenStack<'a> {
    /// The instance of the hook `ctx`, made on first use: the release
    /// chosen (by the registered selector, else the default selector if
    /// the charm uses it, else the newest definition's), then the
    /// definition serving it.
    pub fn of(ctx: &'a HookContext) -> Result<Self, OpenStackError> {
        let host = host::host(ctx);
        if let Some(instance) = ctx.extensions().get::<Instance>() {
            return Ok(Self {
                ctx,
                instance,
                host,
            });
        }
        let charms = registered()?;
        let release = match charms.selector() {
            Some(selector) => selector(ctx).map_err(|e| OpenStackError::Selector(e.to_string()))?,
            None if charms.defaults().contains(&DefaultHandler::SelectRelease) => {
                default_release(ctx, &charms, &*host)?
            }
            None => charms
                .definitions()
                .last()
                .map(|d| d.release)
                .ok_or(Registered::None)?,
        };
        let definition = charms.for_release(release)?.clone();
        let instance = Rc::new(Instance {
            charms,
            definition,
            release,
        });
        ctx.extensions().insert(instance.clone());
        Ok(Self {
            ctx,
            instance,
            host,
        })
    }

    /// The release of this hook.
    pub fn release(&self) -> Release {
        self.instance.release
    }

    /// The definition serving it.
    pub fn definition(&self) -> &Definition {
        &self.instance.definition
    }

    /// The charm's registration (every definition, the defaults in use).
    pub fn charms(&self) -> &OpenStackCharms {
        &self.instance.charms
    }

    /// The machine.
    pub fn host(&self) -> &dyn Host {
        &*self.host
    }

    /// The hook context.
    pub fn ctx(&self) -> &'a HookContext {
        self.ctx
    }

    /// The instance for `release` (after an OpenStack upgrade): the
    /// definition serving it, made the hook's instance, so that the rest
    /// of the hook ([`OpenStack::of`], every handler argument) sees it.
    pub(crate) fn switch_release(&self, release: Release) -> Result<Self, OpenStackError> {
        let charms = self.instance.charms.clone();
        let definition = charms.for_release(release)?.clone();
        let instance = Rc::new(Instance {
            charms,
            definition,
            release,
        });
        self.ctx.extensions().insert(instance.clone());
        Ok(Self {
            ctx: self.ctx,
            instance,
            host: self.host.clone(),
        })
    }
}

impl Deref for OpenStack<'_> {
    type Target = Definition;

    fn deref(&self) -> &Definition {
        &self.instance.definition
    }
}

impl<'a> Extract<'a> for OpenStack<'a> {
    fn extract(inv: &Invocation<'a>) -> Result<Self, ExtractError> {
        OpenStack::of(inv.ctx).map_err(|e| ExtractError::new::<Self>(e.to_string()))
    }
}

/// charms.openstack's default release selector: the release cached in the
/// unit's data, else the one the installed release package's major version
/// names, else the one the install source names on the machine's series;
/// cached for the next hooks (except on a subordinate, whose principal may
/// move on without it).
fn default_release(
    ctx: &HookContext,
    charms: &OpenStackCharms,
    host: &dyn Host,
) -> Result<Release, OpenStackError> {
    let subordinate = ctx.juju().metadata().subordinate;
    if !subordinate && let Some(cached) = ctx.kv().get::<String>(RELEASE_KEY).map_err(state)? {
        return Ok(cached.parse()?);
    }
    let newest = charms.definitions().last().ok_or(Registered::None)?;
    let from_package = match &newest.release_package {
        Some(package) => host
            .package_version(package)?
            .and_then(|v| major(&v))
            .and_then(|m| newest.package_codenames.get(&m).copied()),
        None => None,
    };
    let release = match from_package {
        Some(release) => release,
        None => {
            let source: Option<String> = ctx
                .config_values()
                .map_err(|e| OpenStackError::Selector(e.to_string()))?
                .get(&newest.source_config_key)
                .map_err(|e| OpenStackError::Selector(e.to_string()))?;
            Release::from_source(source.as_deref().unwrap_or("distro"), &host.series()?)?
        }
    };
    if !subordinate {
        ctx.kv()
            .set(RELEASE_KEY, release.codename())
            .map_err(state)?;
    }
    Ok(release)
}

/// The major version of a Debian package version (`2:25.0.0-0ubuntu1` is
/// 25).
fn major(version: &str) -> Option<u32> {
    let upstream = version.split_once(':').map_or(version, |(_, v)| v);
    upstream.split(['.', '-', '~', '+']).next()?.parse().ok()
}

fn state(e: charm_runtime::StateError) -> OpenStackError {
    OpenStackError::Selector(e.to_string())
}

/// The hook's OpenStack charm cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum OpenStackError {
    /// The binary does not register exactly one charm.
    #[error(transparent)]
    Registered(#[from] Registered),
    /// No definition serves the chosen release.
    #[error(transparent)]
    Unsupported(#[from] Unsupported),
    /// The release cannot be told.
    #[error(transparent)]
    Release(#[from] ReleaseError),
    /// The release selector failed.
    #[error("choosing the OpenStack release: {0}")]
    Selector(String),
    /// The machine could not be asked.
    #[error(transparent)]
    Host(#[from] HostError),
}

impl From<OpenStackError> for charm_runtime::Error {
    fn from(e: OpenStackError) -> Self {
        charm_runtime::Error::Interface(Box::new(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn major_versions_of_debian_package_versions() {
        assert_eq!(major("2:25.0.0-0ubuntu1"), Some(25));
        assert_eq!(major("17.1.0-0ubuntu1~cloud0"), Some(17));
        assert_eq!(major("25~b1"), Some(25));
        assert_eq!(major("epoch:x"), None);
    }
}
