//! The `rabbitmq` interface, `requires` side: a client charm asks RabbitMQ
//! for a user and a virtual host, and receives the password, the broker
//! addresses and, when the broker offers TLS, its port and CA.
//!
//! Wire-compatible with the Python layer
//! [`charm-interface-rabbitmq`](https://opendev.org/openstack/charm-interface-rabbitmq)
//! (`requires.py`), a charms.reactive `RelationBase` layer with a global
//! scope: one conversation per endpoint
//! (`reactive.conversations.<endpoint>.global`), whose key the flags'
//! values list, and whose local data holds what this unit asked for
//! ([`conversation::GlobalConversation`](crate::conversation::GlobalConversation)).
//! Every value is a raw string on the wire.
//!
//! | key | published by | value |
//! | --- | --- | --- |
//! | `username`, `vhost` | this unit, [`RabbitMq::request_access`] | as given |
//! | `private-address` | this unit, [`RabbitMq::request_access`] | the host given, else the endpoint's primary address (`network-get --primary-address`) |
//! | `password` | each broker unit | the user's password |
//! | `private-address` | each broker unit | its address |
//! | `ssl_port`, `ssl_ca` | broker units offering TLS | port; base64 of the CA certificate (PEM) |
//! | `vip`, `clustered`, `ha_queues`, `ha-vip-only` | broker units | raw text |
//!
//! # Flags
//!
//! - `{endpoint_name}.connected`: set when a broker unit joins; cleared when
//!   no remaining broker unit publishes a `private-address`;
//! - `{endpoint_name}.available`: the broker's `private-address` and
//!   `password` and this unit's `username` and `vhost` are all known
//!   ([`RabbitMq::base_data_complete`]);
//! - `{endpoint_name}.available.ssl`: `available`, and the broker published
//!   `ssl_port` and `ssl_ca`.
//!
//! `available` and `available.ssl` are re-evaluated on every
//! `-relation-changed`, `-relation-departed` and `-relation-broken`.
//! Remote values are read from the units of the conversation, the first
//! non-empty one winning ([`RabbitMq::private_address`] and the other
//! accessors); a unit departing in the current hook no longer counts
//! (see `docs/differences.md`, Interface layers).
//!
//! # Example
//!
//! ```
//! use charm_interfaces::rabbitmq::{RabbitMq, RabbitMqError};
//! use charm_macros::when;
//!
//! #[when("amqp.connected")]
//! fn request(amqp: &RabbitMq) -> Result<(), RabbitMqError> {
//!     amqp.request_access("nova", "openstack", None)
//! }
//!
//! #[when("amqp.available")]
//! fn configure(amqp: &RabbitMq) -> Result<(), RabbitMqError> {
//!     let password = amqp.password()?.expect("available");
//!     let hosts = amqp.rabbitmq_hosts()?;
//!     // render the transport URL with hosts and password.expose()
//!     let _ = (hosts, password.expose());
//!     Ok(())
//! }
//! # fn main() {}
//! ```
//!
//! The password never reaches a log line or a trace event: [`Password`]
//! prints redacted, errors about remote data never quote a value, and the
//! runtime sends relation data to `relation-set` on its standard input.

use charm_macros::{hook, interface};
use charm_runtime::StateError;
use charm_runtime::backend::ToolError;
use charm_runtime::endpoint::Endpoint;
use charm_runtime::network::{NetworkError, is_host};
use charm_runtime::python_json;

use crate::conversation::GlobalConversation;
use crate::global_scope;
pub use crate::mysql_innodb_cluster::Password;

/// `{endpoint_name}.connected`.
pub const CONNECTED: &str = "{endpoint_name}.connected";
/// `{endpoint_name}.available`.
pub const AVAILABLE: &str = "{endpoint_name}.available";
/// `{endpoint_name}.available.ssl`.
pub const AVAILABLE_SSL: &str = "{endpoint_name}.available.ssl";

/// What went wrong in the rabbitmq interface.
#[derive(Debug, thiserror::Error)]
pub enum RabbitMqError {
    /// A hook tool failed.
    #[error("rabbitmq: {0}")]
    Tool(#[from] ToolError),
    /// The unit state could not be read or written.
    #[error("rabbitmq: {0}")]
    State(#[from] StateError),
    /// The endpoint's address could not be found (`network-get`), for
    /// [`RabbitMq::request_access`] without a host name.
    #[error("rabbitmq: {0}")]
    Network(#[from] NetworkError),
    /// An argument is unusable; the message never quotes a password.
    #[error("rabbitmq: invalid {what}: {reason}")]
    InvalidArgument {
        /// The argument (`username`, `vhost`, `hostname`).
        what: &'static str,
        /// Why it is refused.
        reason: String,
    },
    /// A value the broker published is unusable (the value is not quoted:
    /// it may be secret).
    #[error("rabbitmq: the broker's {key} is invalid: {reason}")]
    InvalidRemoteData {
        /// The relation-data key.
        key: &'static str,
        /// Why it is refused.
        reason: String,
    },
}

/// The `rabbitmq` endpoint of a client charm (`requires`).
///
/// A handler argument on its flags (`{endpoint_name}.connected`,
/// `.available`, `.available.ssl`):
///
/// ```
/// use charm_interfaces::rabbitmq::RabbitMq;
/// use charm_runtime::Registry;
/// use charm_runtime::harness::{Context, Event, Relation, State};
/// use charm_runtime::metadata::Metadata;
/// use charm_runtime::prelude::*;
///
/// #[when("amqp.connected")]
/// fn request_access(amqp: &RabbitMq) -> Result<(), Error> {
///     amqp.request_access("app", "openstack", None)?;
///     Ok(())
/// }
///
/// # fn main() {
/// let metadata = "name: app\nrequires:\n  amqp: {interface: rabbitmq}\n";
/// // The interface's handlers, then this charm's.
/// let registry = |meta: &Metadata| {
///     let mut registry = Registry::for_charm("charm_interfaces::rabbitmq", meta)?;
///     registry.add_charm_inventory(module_path!(), meta)?;
///     Ok(registry)
/// };
/// let ctx = Context::from_yaml(metadata, registry).unwrap();
/// let amqp = Relation::new("amqp", 1, "rabbitmq-server").with_unit("rabbitmq-server/0");
/// let state = State::new().with_relation(amqp.clone());
/// let out = ctx.run(Event::relation_joined(&amqp, "rabbitmq-server/0"), &state).unwrap().expect_ok();
/// assert!(out.has_flag("amqp.connected"));
/// // Raw strings, as the Python layer publishes them.
/// assert_eq!(out.relation(&amqp).local_unit_data["username"], "app");
/// assert_eq!(out.relation(&amqp).local_unit_data["vhost"], "openstack");
/// # }
/// ```
#[interface("rabbitmq", role = "requires")]
pub struct RabbitMq<'a>(Endpoint<'a>);

#[interface]
impl RabbitMq<'_> {
    /// A broker unit joined: it joins the conversation; `connected`.
    #[hook("{endpoint_name}-relation-joined")]
    fn joined(&self) -> Result<(), RabbitMqError> {
        self.join_remote()?;
        self.conv().set_flag(&self.expand_name(CONNECTED))?;
        Ok(())
    }

    /// The broker's data changed: re-evaluate the flags.
    #[hook("{endpoint_name}-relation-changed")]
    fn changed(&self) -> Result<(), RabbitMqError> {
        self.join_remote()?;
        self.update_state()
    }

    /// A broker unit left: re-evaluate the flags on the units that remain;
    /// the unit leaves the conversation.
    #[hook("{endpoint_name}-relation-departed")]
    fn departed(&self) -> Result<(), RabbitMqError> {
        self.update_state()?;
        if let Some(unit) = global_scope::remote_unit(self) {
            self.conv().depart(&unit)?;
        }
        Ok(())
    }

    /// The relation is gone: no broker remains.
    #[hook("{endpoint_name}-relation-broken")]
    fn broken(&self) -> Result<(), RabbitMqError> {
        self.update_state()
    }
}

impl RabbitMq<'_> {
    /// The endpoint's global conversation.
    pub fn conv(&self) -> GlobalConversation<'_> {
        GlobalConversation::new(self.ctx(), self.name())
    }

    fn join_remote(&self) -> Result<(), RabbitMqError> {
        if let Some(unit) = global_scope::remote_unit(self) {
            self.conv().join(&unit)?;
        }
        Ok(())
    }

    fn update_state(&self) -> Result<(), RabbitMqError> {
        let conv = self.conv();
        let available = self.expand_name(AVAILABLE);
        let ssl = self.expand_name(AVAILABLE_SSL);
        if self.base_data_complete()? {
            conv.set_flag(&available)?;
            conv.toggle_flag(&ssl, self.ssl_data_complete()?)?;
        } else {
            conv.remove_flag(&available)?;
            conv.remove_flag(&ssl)?;
        }
        if self.rabbitmq_connected_hosts()?.is_empty() {
            conv.remove_flag(&self.expand_name(CONNECTED))?;
        }
        Ok(())
    }

    fn remote(&self, key: &str) -> Result<Option<String>, RabbitMqError> {
        Ok(global_scope::get_remote(self, key)?)
    }

    /// Whether the broker's `private-address` and `password` and this
    /// unit's `username` and `vhost` are all known (the `available` flag).
    pub fn base_data_complete(&self) -> Result<bool, RabbitMqError> {
        Ok(self.private_address()?.is_some()
            && self.vhost()?.is_some()
            && self.username()?.is_some()
            && self.remote("password")?.is_some())
    }

    /// Whether the broker published `ssl_port` and `ssl_ca` (with
    /// `available`, the `available.ssl` flag).
    pub fn ssl_data_complete(&self) -> Result<bool, RabbitMqError> {
        Ok(self.remote("ssl_port")?.is_some() && self.remote("ssl_ca")?.is_some())
    }

    /// Ask for `username` on the virtual host `vhost`, saying this unit is
    /// reached at `hostname`; without it (or with an empty one), at the
    /// endpoint's primary address (the first address of its network-space
    /// binding). Published on every relation of the endpoint and kept as
    /// the conversation's local data, as the Python layer does.
    ///
    /// # Errors
    ///
    /// An empty username or vhost, a username, vhost or hostname with
    /// whitespace or control characters, a hostname that is neither an IP
    /// address nor a host name; `network-get` failing (no binding) or its
    /// binding having no address when no hostname is given.
    pub fn request_access(
        &self,
        username: &str,
        vhost: &str,
        hostname: Option<&str>,
    ) -> Result<(), RabbitMqError> {
        check_word("username", username)?;
        check_word("vhost", vhost)?;
        let hostname = match hostname.filter(|h| !h.is_empty()) {
            Some(h) if is_host(h) => h.to_owned(),
            Some(h) => {
                return Err(RabbitMqError::InvalidArgument {
                    what: "hostname",
                    reason: format!(
                        "{} is neither an IP address nor a host name",
                        python_json::dumps_str(h)
                    ),
                });
            }
            None => global_scope::primary_address(self)?.ok_or_else(|| {
                RabbitMqError::InvalidArgument {
                    what: "hostname",
                    reason: format!(
                        "none given, and the binding of {} has no address",
                        self.name()
                    ),
                }
            })?,
        };
        let data = [
            ("username", username),
            ("vhost", vhost),
            ("private-address", hostname.as_str()),
        ];
        let conv = self.conv();
        for (k, v) in data {
            conv.set_local(k, v)?;
        }
        global_scope::publish(self, &data)?;
        Ok(())
    }

    /// [`Self::request_access`] without a hostname (the Python layer's
    /// deprecated `configure(username, vhost)`).
    pub fn configure(&self, username: &str, vhost: &str) -> Result<(), RabbitMqError> {
        self.request_access(username, vhost, None)
    }

    fn local_text(&self, name: &str) -> Result<Option<String>, RabbitMqError> {
        Ok(self.conv().local::<String>(name)?.filter(|s| !s.is_empty()))
    }

    /// The virtual host asked for, `None` before [`Self::request_access`].
    pub fn vhost(&self) -> Result<Option<String>, RabbitMqError> {
        self.local_text("vhost")
    }

    /// The username asked for, `None` before [`Self::request_access`].
    pub fn username(&self) -> Result<Option<String>, RabbitMqError> {
        self.local_text("username")
    }

    /// The user's password, once the broker published it.
    pub fn password(&self) -> Result<Option<Password>, RabbitMqError> {
        Ok(self.remote("password")?.map(Password::new))
    }

    /// The broker's `private-address` (the first unit publishing one).
    pub fn private_address(&self) -> Result<Option<String>, RabbitMqError> {
        self.remote("private-address")
    }

    /// The broker's virtual IP, when clustered behind one.
    pub fn vip(&self) -> Result<Option<String>, RabbitMqError> {
        self.remote("vip")
    }

    /// The broker's `clustered`, raw.
    pub fn clustered(&self) -> Result<Option<String>, RabbitMqError> {
        self.remote("clustered")
    }

    /// The broker's `ha_queues`, raw.
    pub fn ha_queues(&self) -> Result<Option<String>, RabbitMqError> {
        self.remote("ha_queues")
    }

    /// The broker's `ha-vip-only`, raw.
    pub fn ha_vip_only(&self) -> Result<Option<String>, RabbitMqError> {
        self.remote("ha-vip-only")
    }

    /// The broker's TLS port.
    ///
    /// # Errors
    ///
    /// [`RabbitMqError::InvalidRemoteData`] when it is not a port number.
    pub fn ssl_port(&self) -> Result<Option<u16>, RabbitMqError> {
        self.remote("ssl_port")?
            .map(|p| {
                p.trim()
                    .parse::<u16>()
                    .ok()
                    .filter(|p| *p != 0)
                    .ok_or_else(|| RabbitMqError::InvalidRemoteData {
                        key: "ssl_port",
                        reason: "not a port number".into(),
                    })
            })
            .transpose()
    }

    /// The broker's CA certificate as published: base64 of the PEM text.
    pub fn ssl_ca(&self) -> Result<Option<String>, RabbitMqError> {
        self.remote("ssl_ca")
    }

    /// The broker's CA certificate, decoded (the PEM text; the Python
    /// layer's `get_ssl_cert`).
    ///
    /// # Errors
    ///
    /// [`RabbitMqError::InvalidRemoteData`] when `ssl_ca` is not base64 of
    /// UTF-8 text.
    pub fn ssl_cert(&self) -> Result<Option<String>, RabbitMqError> {
        let Some(ca) = self.ssl_ca()? else {
            return Ok(None);
        };
        let invalid = |reason: &str| RabbitMqError::InvalidRemoteData {
            key: "ssl_ca",
            reason: reason.to_owned(),
        };
        let bytes = b64decode(&ca).map_err(invalid)?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| invalid("the decoded certificate is not UTF-8 text"))
    }

    /// Every remote unit's `private-address`, each once, sorted: the
    /// broker units connected (whether or not they are ready).
    pub fn rabbitmq_connected_hosts(&self) -> Result<Vec<String>, RabbitMqError> {
        let mut hosts: Vec<String> = global_scope::remote_values(self, "private-address")?
            .into_iter()
            .filter_map(|(_, v)| v)
            .collect();
        hosts.sort();
        hosts.dedup();
        Ok(hosts)
    }

    /// The `private-address` of every remote unit that published a
    /// password too (ready for clients), sorted.
    pub fn rabbitmq_ready_hosts(&self) -> Result<Vec<String>, RabbitMqError> {
        let mut hosts = Vec::new();
        for unit in self.all_joined_units()? {
            let data = unit.received_raw()?;
            let set = |k: &str| data.get(k).filter(|v| !v.is_empty());
            if let (Some(_), Some(address)) = (set("password"), set("private-address")) {
                hosts.push(address.clone());
            }
        }
        hosts.sort();
        Ok(hosts)
    }

    /// The broker hosts to connect to: [`Self::rabbitmq_ready_hosts`]
    /// (as the Python layer's `rabbitmq_hosts`).
    pub fn rabbitmq_hosts(&self) -> Result<Vec<String>, RabbitMqError> {
        self.rabbitmq_ready_hosts()
    }
}

fn check_word(what: &'static str, value: &str) -> Result<(), RabbitMqError> {
    let reason = if value.is_empty() {
        "it is empty"
    } else if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        "it contains whitespace or control characters"
    } else {
        return Ok(());
    };
    Err(RabbitMqError::InvalidArgument {
        what,
        reason: reason.to_owned(),
    })
}

/// Decode standard base64 as Python's `base64.b64decode` does by default
/// (CPython's non-strict `binascii.a2b_base64`): characters outside the
/// alphabet are skipped, decoding stops at the padding that completes a
/// group, and a last group left incomplete is an error.
///
/// ```
/// use charm_interfaces::rabbitmq::b64decode;
/// assert_eq!(b64decode("aGVsbG8=").unwrap(), b"hello");
/// assert_eq!(b64decode("aGVs\nbG8=").unwrap(), b"hello");
/// assert!(b64decode("aGVsbG8").is_err());
/// ```
pub fn b64decode(text: &str) -> Result<Vec<u8>, &'static str> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut quad_pos = 0usize;
    let mut pads = 0usize;
    let mut acc: u32 = 0;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            b'=' => {
                if quad_pos >= 2 {
                    pads += 1;
                    if quad_pos + pads >= 4 {
                        return Ok(out);
                    }
                }
                continue;
            }
            _ => continue,
        };
        pads = 0;
        acc = (acc << 6) | u32::from(v);
        quad_pos += 1;
        match quad_pos {
            2 => out.push((acc >> 4) as u8),
            3 => out.push((acc >> 2) as u8),
            4 => {
                out.push(acc as u8);
                quad_pos = 0;
                acc = 0;
            }
            _ => {}
        }
    }
    match quad_pos {
        0 => Ok(out),
        1 => Err("one base64 character too many"),
        _ => Err("incorrect base64 padding"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_decodes_as_python() {
        assert_eq!(b64decode("").unwrap(), b"");
        assert_eq!(b64decode("YQ==").unwrap(), b"a");
        assert_eq!(b64decode("YWI=").unwrap(), b"ab");
        assert_eq!(b64decode("YWJj").unwrap(), b"abc");
        assert_eq!(b64decode("Y W\tJj!").unwrap(), b"abc");
        // The cases of CPython's non-strict decoder.
        assert_eq!(b64decode("YQ==YQ==").unwrap(), b"a");
        assert_eq!(b64decode("YQ===").unwrap(), b"a");
        assert_eq!(b64decode("YWJj====").unwrap(), b"abc");
        assert_eq!(b64decode("=YWJj").unwrap(), b"abc");
        assert_eq!(b64decode("YW=Jj").unwrap(), b"abc");
        assert!(b64decode("YQ").is_err());
        assert!(b64decode("YQ=").is_err());
        assert!(b64decode("Y").is_err());
    }

    #[test]
    fn words_are_checked() {
        assert!(check_word("username", "nova").is_ok());
        for bad in ["", "no va", "nova\n"] {
            assert!(check_word("username", bad).is_err(), "{bad:?}");
        }
    }
}
