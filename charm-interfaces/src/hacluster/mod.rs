//! The `hacluster` interface, `requires` side: a principal charm asking
//! the hacluster subordinate to manage its Pacemaker resources, wire
//! compatible with the Python layer `charm-interface-hacluster`.
//!
//! Flags, for an endpoint `ha`:
//!
//! - `ha.connected`: set when a hacluster unit joins; configure the
//!   resources then ([`Hacluster::manage_resources`],
//!   [`Hacluster::bind_on`], or the `add_*` helpers and
//!   [`Hacluster::bind_resources`]);
//! - `ha.available`: set on `relation-changed` when the remote says
//!   `clustered` (`yes` or `true`, in any case); cleared otherwise.
//!
//! Both are cleared when a unit departs or the relation is broken.
//!
//! ```
//! use charm_interfaces::hacluster::{Crm, Hacluster, HaclusterError, Options};
//! use charm_macros::when;
//!
//! #[when("ha.connected")]
//! fn cluster_connected(ha: &Hacluster) -> Result<(), HaclusterError> {
//!     let mut crm = Crm::new();
//!     crm.primitive("res_vip", "ocf:IPAddr2", Options::new()
//!         .params("ip=10.0.0.1 nic=eth0")
//!         .op("monitor interval=\"10s\""));
//!     crm.clone("cl_res_vip", "res_vip", Options::new());
//!     ha.bind_on(Some("eth0"), Some(4430))?;
//!     ha.manage_resources(&crm)?;
//!     Ok(())
//! }
//! # fn main() {}
//! ```

mod crm;
mod descriptors;

use std::collections::BTreeMap;

use charm_macros::{hook, interface};
use charm_runtime::backend::ToolError;
use charm_runtime::endpoint::Endpoint;
use charm_runtime::{Level, StateError};
use serde_json::{Map, Value};

pub use crm::{Crm, Options, ResourceDescriptor, Values};
pub use descriptors::{DNSEntry, InitService, SystemdService, VirtualIP};

/// The default corosync multicast port of [`Hacluster::bind_resources`].
pub const DEFAULT_MCASTPORT: u16 = 4440;

/// What went wrong configuring the cluster.
#[derive(Debug, thiserror::Error)]
pub enum HaclusterError {
    /// A virtual IP or DNS address is not an IP address.
    #[error("hacluster: {address:?} (service {service:?}) is not an IP address")]
    InvalidAddress {
        /// The service it was given for.
        service: String,
        /// The address.
        address: String,
    },
    /// Reading or writing relation data failed.
    #[error("hacluster: relation data: {0}")]
    Tool(#[from] ToolError),
    /// Reading or writing the unit's local state failed.
    #[error("hacluster: local state: {0}")]
    State(#[from] StateError),
}

/// The `hacluster` endpoint of a principal charm (`requires`).
///
/// A handler argument on its flags (`{endpoint_name}.connected`,
/// `.available`); what the `add_*` helpers accumulate is sent when it
/// changed:
///
/// ```
/// use charm_interfaces::hacluster::Hacluster;
/// use charm_runtime::Registry;
/// use charm_runtime::harness::{Context, Event, Relation, State};
/// use charm_runtime::metadata::Metadata;
/// use charm_runtime::prelude::*;
///
/// #[when("ha.connected")]
/// fn configure_ha(ha: &Hacluster) -> Result<(), Error> {
///     ha.add_vip("app", "10.0.0.100", None, None)?;
///     ha.bind_resources(Some("eth0"), None)?;
///     Ok(())
/// }
///
/// # fn main() {
/// let metadata = "name: app\nrequires:\n  ha: {interface: hacluster, scope: container}\n";
/// // The interface's handlers, then this charm's.
/// let registry = |meta: &Metadata| {
///     let mut registry = Registry::for_charm("charm_interfaces::hacluster", meta)?;
///     registry.add_charm_inventory(module_path!(), meta)?;
///     Ok(registry)
/// };
/// let ctx = Context::from_yaml(metadata, registry).unwrap();
/// let ha = Relation::new("ha", 4, "hacluster").with_unit("hacluster/0");
/// let state = State::new().with_relation(ha.clone());
/// let out = ctx.run(Event::relation_joined(&ha, "hacluster/0"), &state).unwrap().expect_ok();
/// assert!(out.has_flag("ha.connected"));
/// let published = &out.relation(&ha).local_unit_data;
/// assert_eq!(published["corosync_bindiface"], "eth0");
/// assert!(published["json_resources"].contains("ocf:heartbeat:IPaddr2"), "{published:?}");
/// # }
/// ```
#[interface("hacluster", role = "requires")]
pub struct Hacluster<'a>(Endpoint<'a>);

#[interface]
impl Hacluster<'_> {
    #[hook("{endpoint_name}-relation-joined")]
    fn joined(&self) {
        self.set_flag("{endpoint_name}.connected");
    }

    #[hook("{endpoint_name}-relation-changed")]
    fn changed(&self) -> Result<(), HaclusterError> {
        let clustered = self.is_clustered()?;
        self.toggle_flag("{endpoint_name}.available", clustered);
        Ok(())
    }

    #[hook("{endpoint_name}-relation-{broken,departed}")]
    fn departed(&self) {
        self.clear_flag("{endpoint_name}.available");
        self.clear_flag("{endpoint_name}.connected");
    }
}

impl Hacluster<'_> {
    fn local_key(&self) -> String {
        format!("hacluster.{}.resources", self.name())
    }

    /// The configuration accumulated by the `add_*`, `remove_*` and
    /// [`Hacluster::delete_resource`] helpers (kept in the unit's state);
    /// `None` when nothing was stored.
    ///
    /// # Errors
    ///
    /// [`HaclusterError::State`] when the unit state cannot be read or the
    /// stored value is not a configuration (the error names the key). The
    /// helpers themselves recover from an unreadable configuration: they log
    /// a warning and start again from an empty one, which their next calls
    /// rebuild.
    pub fn stored_resources(&self) -> Result<Option<Crm>, HaclusterError> {
        Ok(self.ctx().kv().get::<Crm>(&self.local_key())?)
    }

    /// [`Self::stored_resources`], an unreadable configuration logged and
    /// taken as none.
    fn stored_or_warn(&self) -> Option<Crm> {
        match self.stored_resources() {
            Ok(v) => v,
            Err(e) => {
                self.ctx().log(
                    Level::Warning,
                    &format!("hacluster: ignoring unreadable stored resources: {e}"),
                );
                None
            }
        }
    }

    fn store_resources(&self, crm: &Crm) -> Result<(), HaclusterError> {
        self.ctx().kv().set(&self.local_key(), crm)?;
        Ok(())
    }

    fn publish(&self, data: &BTreeMap<String, String>) -> Result<(), HaclusterError> {
        for relation in self.relations()? {
            let bag = relation.to_publish_raw();
            for (k, v) in data {
                bag.set(k, v)?;
            }
        }
        Ok(())
    }

    /// Every distinct value the remote units publish under `key` (in the
    /// order first seen), `default` standing for a missing or empty one.
    pub fn get_remote_all(
        &self,
        key: &str,
        default: Option<&str>,
    ) -> Result<Vec<String>, HaclusterError> {
        let mut out: Vec<String> = Vec::new();
        for unit in self.all_joined_units()? {
            let received = unit.received_raw()?;
            let value = received
                .get(key)
                .map(String::as_str)
                .filter(|v| !v.is_empty())
                .or(default)
                .filter(|v| !v.is_empty());
            if let Some(v) = value
                && !out.iter().any(|o| o == v)
            {
                out.push(v.to_owned());
            }
        }
        Ok(out)
    }

    /// Whether the hacluster unit says the cluster is up: its `clustered`
    /// is `yes` or `true` in any case (JSON `true` included). An
    /// unrecognised value is logged and taken as not clustered.
    pub fn is_clustered(&self) -> Result<bool, HaclusterError> {
        let values = self.get_remote_all("clustered", None)?;
        let Some(first) = values.first() else {
            return Ok(false);
        };
        Ok(match first.trim().to_lowercase().as_str() {
            "true" | "yes" => true,
            "false" | "no" => false,
            _ => {
                self.ctx().log(
                    Level::Warning,
                    &format!("hacluster: unrecognised clustered value {first:?}, taken as false"),
                );
                false
            }
        })
    }

    /// Ask corosync to bind on `iface` and use the multicast port
    /// `mcastport` (each sent only when given and not empty or zero; sent
    /// again only when they change).
    pub fn bind_on(
        &self,
        iface: Option<&str>,
        mcastport: Option<u16>,
    ) -> Result<(), HaclusterError> {
        let mut hashed = Map::new();
        let mut data = BTreeMap::new();
        if let Some(i) = iface.filter(|i| !i.is_empty()) {
            hashed.insert("corosync_bindiface".into(), Value::from(i));
            data.insert("corosync_bindiface".to_owned(), i.to_owned());
        }
        if let Some(p) = mcastport.filter(|p| *p != 0) {
            hashed.insert("corosync_mcastport".into(), Value::from(p));
            data.insert("corosync_mcastport".to_owned(), p.to_string());
        }
        if !data.is_empty() && self.ctx().data_changed("hacluster-bind_on", &hashed)? {
            self.publish(&data)?;
        }
        Ok(())
    }

    /// Ask the hacluster charm to manage the resources of `crm` (sent
    /// again only when they change).
    pub fn manage_resources(&self, crm: &Crm) -> Result<(), HaclusterError> {
        let data = crm.relation_data();
        if self
            .ctx()
            .data_changed("hacluster-manage_resources", &data)?
        {
            self.publish(&data)?;
        }
        Ok(())
    }

    /// [`Hacluster::bind_on`] (`mcastport` defaulting to
    /// [`DEFAULT_MCASTPORT`]), then [`Hacluster::manage_resources`] with
    /// the configuration the helpers accumulated, if any.
    pub fn bind_resources(
        &self,
        iface: Option<&str>,
        mcastport: Option<u16>,
    ) -> Result<(), HaclusterError> {
        self.bind_on(iface, Some(mcastport.unwrap_or(DEFAULT_MCASTPORT)))?;
        if let Some(crm) = self.stored_or_warn() {
            self.manage_resources(&crm)?;
        }
        Ok(())
    }

    fn update(
        &self,
        f: impl FnOnce(&mut Crm, bool) -> Result<(), HaclusterError>,
    ) -> Result<(), HaclusterError> {
        let stored = self.stored_or_warn();
        let had = stored.is_some();
        let mut crm = stored.unwrap_or_default();
        f(&mut crm, had)?;
        self.store_resources(&crm)
    }

    /// Mark `resource_name` for deletion in the accumulated configuration.
    pub fn delete_resource(&self, resource_name: &str) -> Result<(), HaclusterError> {
        self.update(|crm, _| {
            crm.add_delete_resource(resource_name);
            Ok(())
        })
    }

    /// Add a [`VirtualIP`] and, when a configuration was already stored,
    /// the group `grp_<name>_vips` of every resource whose name contains
    /// `vip`.
    pub fn add_vip(
        &self,
        name: &str,
        vip: &str,
        iface: Option<&str>,
        netmask: Option<&str>,
    ) -> Result<(), HaclusterError> {
        let mut desc = VirtualIP::new(name, vip);
        desc.nic = iface.map(str::to_owned);
        desc.cidr = netmask.map(str::to_owned);
        self.update(|crm, had| {
            crm.add(&desc)?;
            if had {
                add_group(crm, &format!("grp_{name}_vips"), "vip");
            }
            Ok(())
        })
    }

    /// Mark the virtual IP `vip` of `name` for deletion (IPv4 naming:
    /// `res_<name>_<iface or sha1>_vip`).
    pub fn remove_vip(
        &self,
        name: &str,
        vip: &str,
        iface: Option<&str>,
    ) -> Result<(), HaclusterError> {
        let nic = match iface.filter(|i| !i.is_empty()) {
            Some(i) => i.to_owned(),
            None => descriptors::short_sha1(vip),
        };
        self.delete_resource(&format!("res_{name}_{nic}_vip"))
    }

    /// Add an [`InitService`].
    pub fn add_init_service(
        &self,
        name: &str,
        service: &str,
        clone: bool,
    ) -> Result<(), HaclusterError> {
        self.update(|crm, _| crm.add(&InitService::new(name, service, clone)))
    }

    /// Mark the init service `service` of `name` for deletion.
    pub fn remove_init_service(&self, name: &str, service: &str) -> Result<(), HaclusterError> {
        self.delete_resource(&InitService::new(name, service, true).resource_name())
    }

    /// Add a [`SystemdService`].
    pub fn add_systemd_service(
        &self,
        name: &str,
        service: &str,
        clone: bool,
    ) -> Result<(), HaclusterError> {
        self.update(|crm, _| crm.add(&SystemdService::new(name, service, clone)))
    }

    /// Mark the systemd service `service` of `name` for deletion.
    pub fn remove_systemd_service(&self, name: &str, service: &str) -> Result<(), HaclusterError> {
        self.delete_resource(&SystemdService::new(name, service, true).resource_name())
    }

    /// Add a [`DNSEntry`] and, when a configuration was already stored,
    /// the group `grp_<name>_hostnames` of every resource whose name
    /// contains `hostname`.
    pub fn add_dnsha(
        &self,
        name: &str,
        ip: &str,
        fqdn: &str,
        endpoint_type: &str,
    ) -> Result<(), HaclusterError> {
        self.update(|crm, had| {
            crm.add(&DNSEntry::new(name, ip, fqdn, endpoint_type))?;
            if had {
                add_group(crm, &format!("grp_{name}_hostnames"), "hostname");
            }
            Ok(())
        })
    }

    /// Mark the DNS entry of `name`'s `endpoint_type` for deletion.
    pub fn remove_dnsha(&self, name: &str, endpoint_type: &str) -> Result<(), HaclusterError> {
        self.delete_resource(&DNSEntry::new(name, "", "", endpoint_type).resource_name())
    }

    /// Add the colocation constraint `name` (see [`Crm::colocation`]).
    pub fn add_colocation<S: AsRef<str>>(
        &self,
        name: &str,
        score: &str,
        colo_resources: &[S],
        node_attribute: Option<&str>,
    ) -> Result<(), HaclusterError> {
        self.update(|crm, _| {
            crm.colocation(
                name,
                score,
                colo_resources,
                node_attribute.filter(|a| !a.is_empty()),
            );
            Ok(())
        })
    }

    /// Mark the colocation constraint `name` for deletion.
    pub fn remove_colocation(&self, name: &str) -> Result<(), HaclusterError> {
        self.delete_resource(name)
    }
}

/// The group `group` of every resource whose name contains `needle`,
/// sorted.
fn add_group(crm: &mut Crm, group: &str, needle: &str) {
    let members: Vec<String> = crm
        .resources
        .keys()
        .filter(|k| k.contains(needle))
        .cloned()
        .collect();
    crm.group(group, &members, Options::new());
}
