//! The adapter of a `rabbitmq` relation (charms.openstack's
//! `RabbitMQRelationAdapter`): the broker's address, the credentials, the
//! TLS port and CA, and the oslo.messaging transport URL.

use std::fmt;
use std::net::Ipv6Addr;

use charm_interfaces::rabbitmq::{RabbitMq, RabbitMqError};
use serde_json::{Map, Value, json};

use super::error::RenderError;
use super::relation_adapter::RelationAdapter;

/// The AMQP port without TLS.
pub const DEFAULT_AMQP_PORT: u16 = 5672;

/// What templates see of a `rabbitmq` relation, read once from the
/// interface when built, under the endpoint's name (`amqp`).
///
/// | key | value |
/// |---|---|
/// | `host` | the broker's VIP if it published one, else its `private_address` |
/// | `hosts` | the ready hosts ([`RabbitMq::rabbitmq_hosts`]) joined with `,` when there are more than one, else none |
/// | `vhost`, `username` | as asked for |
/// | `password` | the broker's |
/// | `port` | `ssl_port` if published, else `5672` (text, as in charms.openstack) |
/// | `ssl_port`, `ssl_ca` | as published (`ssl_ca` is base64) |
/// | `ssl_data_complete` | whether both are |
/// | `ssl_ca_file` | `/var/lib/charm/<application>/rabbit-client-ca.pem`, where charms conventionally write the CA |
/// | `transport_url` | `rabbit://user:password@host:port,user:password@host2:port/vhost`, over the ready hosts, IPv6 addresses in brackets; none until the user, password, vhost and a ready host are known |
/// | `private_address`, `vip`, `clustered`, `ha_queues`, `ha_vip_only` | as published |
///
/// A value not known yet is none (`None` to templates, false to `{% if %}`).
/// The `Debug` output redacts the password and the transport URL.
#[derive(Clone, PartialEq)]
pub struct RabbitMqAdapter {
    name: String,
    values: Map<String, Value>,
}

impl fmt::Debug for RabbitMqAdapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut shown = self.values.clone();
        for secret in ["password", "transport_url"] {
            if let Some(v) = shown.get_mut(secret)
                && !v.is_null()
            {
                *v = Value::from("<redacted>");
            }
        }
        f.debug_struct("RabbitMqAdapter")
            .field("name", &self.name)
            .field("values", &shown)
            .finish()
    }
}

/// `host` as it goes in a URL: an IPv6 address in brackets, anything else
/// as it is (charmhelpers' `format_ipv6_addr`).
pub fn url_host(host: &str) -> String {
    if host.parse::<Ipv6Addr>().is_ok() {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

impl RabbitMqAdapter {
    /// Read the relation's values from `amqp`.
    ///
    /// # Errors
    ///
    /// [`RenderError::Adapter`] naming the endpoint when the interface
    /// cannot be read (a hook tool failed, the broker's `ssl_port` is not
    /// a port number).
    pub fn new(amqp: &RabbitMq<'_>) -> Result<Self, RenderError> {
        let name = amqp.name().to_owned();
        let failed = |e: RabbitMqError| RenderError::Adapter {
            relation: name.clone(),
            reason: e.to_string(),
        };
        let vhost = amqp.vhost().map_err(failed)?;
        let username = amqp.username().map_err(failed)?;
        let password = amqp.password().map_err(failed)?;
        let private_address = amqp.private_address().map_err(failed)?;
        let vip = amqp.vip().map_err(failed)?;
        let ssl_port = amqp.ssl_port().map_err(failed)?;
        let hosts = amqp.rabbitmq_hosts().map_err(failed)?;
        let port = ssl_port.unwrap_or(DEFAULT_AMQP_PORT);
        let host = vip.clone().or_else(|| private_address.clone());
        let transport_url = match (&username, &password, &vhost) {
            (Some(user), Some(password), Some(vhost)) if !hosts.is_empty() => {
                let each: Vec<String> = hosts
                    .iter()
                    .map(|h| format!("{user}:{}@{}:{port}", password.expose(), url_host(h)))
                    .collect();
                Some(format!("rabbit://{}/{vhost}", each.join(",")))
            }
            _ => None,
        };
        let juju = amqp.ctx().juju();
        let application = juju.env().unit.split('/').next().unwrap_or_default();
        let values = json!({
            "host": host,
            "hosts": (hosts.len() > 1).then(|| hosts.join(",")),
            "vhost": vhost,
            "username": username,
            "password": password.as_ref().map(|p| p.expose().to_owned()),
            "port": port.to_string(),
            "ssl_port": ssl_port.map(|p| p.to_string()),
            "ssl_ca": amqp.ssl_ca().map_err(failed)?,
            "ssl_data_complete": amqp.ssl_data_complete().map_err(failed)?,
            "ssl_ca_file": format!("/var/lib/charm/{application}/rabbit-client-ca.pem"),
            "transport_url": transport_url,
            "private_address": private_address,
            "vip": vip,
            "clustered": amqp.clustered().map_err(failed)?,
            "ha_queues": amqp.ha_queues().map_err(failed)?,
            "ha_vip_only": amqp.ha_vip_only().map_err(failed)?,
        });
        let Value::Object(values) = values else {
            unreachable!("json! of an object literal is an object")
        };
        Ok(Self { name, values })
    }

    /// The value templates see as `key` (`None` when absent or not known).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.values.get(key).filter(|v| !v.is_null())
    }

    fn text(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(Value::as_str)
    }

    /// The broker's address: its VIP, else its private address.
    pub fn host(&self) -> Option<&str> {
        self.text("host")
    }

    /// The ready hosts joined with `,`, when there are more than one.
    pub fn hosts(&self) -> Option<&str> {
        self.text("hosts")
    }

    /// The port to connect to: the TLS port if published, else 5672.
    pub fn port(&self) -> u16 {
        self.text("port")
            .and_then(|p| p.parse().ok())
            .unwrap_or(DEFAULT_AMQP_PORT)
    }

    /// The oslo.messaging transport URL, once complete.
    pub fn transport_url(&self) -> Option<&str> {
        self.text("transport_url")
    }
}

impl RelationAdapter for RabbitMqAdapter {
    fn name(&self) -> &str {
        &self.name
    }

    fn to_value(&self) -> Result<Value, RenderError> {
        Ok(Value::Object(self.values.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::url_host;

    #[test]
    fn ipv6_hosts_are_bracketed() {
        assert_eq!(url_host("10.0.0.1"), "10.0.0.1");
        assert_eq!(url_host("2001:db8::1"), "[2001:db8::1]");
        assert_eq!(url_host("rabbit.example"), "rabbit.example");
    }
}
