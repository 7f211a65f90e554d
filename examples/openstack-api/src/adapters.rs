//! Relation adapters for the database and RabbitMQ, kept here until
//! `charm_openstack::render` has its own (`DatabaseAdapter`,
//! `RabbitMqAdapter`): what templates see as `shared_db` and `amqp`.

use charm_interfaces::mysql_shared::MysqlShared;
use charm_interfaces::rabbitmq::RabbitMq;
use charm_openstack::RelationAdapter;
use charm_openstack::render::RenderError;
use serde_json::{Map, Value, json};

/// The MySQL port when the database does not publish one.
const MYSQL_PORT: u16 = 3306;
/// The AMQP port when the broker offers no TLS.
const AMQP_PORT: u16 = 5672;

fn failed(relation: &str, e: impl std::fmt::Display) -> RenderError {
    RenderError::Adapter {
        relation: relation.to_owned(),
        reason: e.to_string(),
    }
}

fn text(value: Option<String>) -> Value {
    value.map_or(Value::Null, Value::from)
}

/// `shared_db`: `host`, `port`, `database`, `username`, `password`, `uri`
/// (charms.openstack's `DatabaseRelationAdapter`).
#[derive(Debug, Clone)]
pub struct DatabaseAdapter {
    name: String,
    values: Map<String, Value>,
}

impl DatabaseAdapter {
    /// The values of `db` as this hook sees them.
    pub fn new(db: &MysqlShared<'_>) -> Result<Self, RenderError> {
        let name = db.name().to_owned();
        let err = |e| failed(&name, e);
        let host = db.db_host().map_err(err)?;
        let port = db.db_port().map_err(err)?.unwrap_or(MYSQL_PORT);
        let database = db.database().map_err(err)?;
        let username = db.username().map_err(err)?;
        let password = db.password().map_err(err)?;
        let uri = match (&host, &database, &username, &password) {
            (Some(h), Some(d), Some(u), Some(p)) => {
                Value::from(format!("mysql+pymysql://{u}:{}@{h}:{port}/{d}", p.expose()))
            }
            _ => Value::Null,
        };
        let values = json!({
            "host": text(host),
            "port": port,
            "database": text(database),
            "username": text(username),
            "password": text(password.map(|p| p.expose().to_owned())),
            "uri": uri,
        });
        let Value::Object(values) = values else {
            unreachable!("an object")
        };
        Ok(Self { name, values })
    }
}

impl RelationAdapter for DatabaseAdapter {
    fn name(&self) -> &str {
        &self.name
    }

    fn to_value(&self) -> Result<Value, RenderError> {
        Ok(Value::Object(self.values.clone()))
    }
}

/// `amqp`: `host`, `hosts`, `vhost`, `username`, `password`, `port`,
/// `transport_url` (charms.openstack's `RabbitMQRelationAdapter`).
#[derive(Debug, Clone)]
pub struct RabbitMqAdapter {
    name: String,
    values: Map<String, Value>,
}

impl RabbitMqAdapter {
    /// The values of `amqp` as this hook sees them.
    pub fn new(amqp: &RabbitMq<'_>) -> Result<Self, RenderError> {
        let name = amqp.name().to_owned();
        let err = |e| failed(&name, e);
        let hosts = match amqp.vip().map_err(err)? {
            Some(vip) => vec![vip],
            None => amqp.rabbitmq_hosts().map_err(err)?,
        };
        let port = amqp.ssl_port().map_err(err)?.unwrap_or(AMQP_PORT);
        let username = amqp.username().map_err(err)?;
        let vhost = amqp.vhost().map_err(err)?;
        let password = amqp.password().map_err(err)?;
        let transport_url = match (&username, &vhost, &password) {
            (Some(u), Some(v), Some(p)) if !hosts.is_empty() => {
                let each: Vec<String> = hosts
                    .iter()
                    .map(|h| format!("{u}:{}@{h}:{port}", p.expose()))
                    .collect();
                Value::from(format!("rabbit://{}/{v}", each.join(",")))
            }
            _ => Value::Null,
        };
        let values = json!({
            "host": text(hosts.first().cloned()),
            "hosts": hosts.join(","),
            "port": port,
            "vhost": text(vhost),
            "username": text(username),
            "password": text(password.map(|p| p.expose().to_owned())),
            "transport_url": transport_url,
        });
        let Value::Object(values) = values else {
            unreachable!("an object")
        };
        Ok(Self { name, values })
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
