//! What the global-scope `RelationBase` layers (rabbitmq, mysql-shared)
//! share: reading the remote data of the units of the endpoint's global
//! conversation, and publishing on every relation of the endpoint.

use charm_runtime::backend::ToolError;
use charm_runtime::endpoint::Endpoint;

use crate::conversation::GlobalConversation;

/// The remote unit of the running relation hook of `endpoint`, if any.
pub(crate) fn remote_unit(endpoint: &Endpoint<'_>) -> Option<String> {
    let juju = endpoint.ctx().juju();
    let env = juju.env();
    let ours = env
        .relation_id
        .as_ref()
        .is_some_and(|r| r.endpoint == endpoint.name());
    if ours {
        env.remote_unit.clone().filter(|u| !u.is_empty())
    } else {
        None
    }
}

/// The first non-empty value of `key` published by a unit of the global
/// conversation, relation by relation, unit by unit (charms.reactive's
/// `Conversation.get_remote`). A unit departing in this hook is not read.
pub(crate) fn get_remote(endpoint: &Endpoint<'_>, key: &str) -> Result<Option<String>, ToolError> {
    let conv = GlobalConversation::new(endpoint.ctx(), endpoint.name());
    let members = conv.units();
    for relation in endpoint.relations()? {
        for unit in relation.joined_units()? {
            if !members.iter().any(|m| m == unit.name()) {
                continue;
            }
            if let Some(v) = unit.received_raw()?.get(key).filter(|v| !v.is_empty()) {
                return Ok(Some(v.clone()));
            }
        }
    }
    Ok(None)
}

/// Every remote unit's raw value of `key` (absent and empty left out), in
/// relation then unit order, whatever the conversation. A unit departing
/// in this hook is not read.
pub(crate) fn remote_values(
    endpoint: &Endpoint<'_>,
    key: &str,
) -> Result<Vec<(String, Option<String>)>, ToolError> {
    let mut out = Vec::new();
    for unit in endpoint.all_joined_units()? {
        let value = unit
            .received_raw()?
            .get(key)
            .filter(|v| !v.is_empty())
            .cloned();
        out.push((unit.name().to_owned(), value));
    }
    Ok(out)
}

/// Publish `data` (raw strings) on every relation of `endpoint`
/// (charms.reactive's `Conversation.set_remote` for a global scope).
pub(crate) fn publish(endpoint: &Endpoint<'_>, data: &[(&str, &str)]) -> Result<(), ToolError> {
    for relation in endpoint.relations()? {
        let bag = relation.to_publish_raw();
        for (k, v) in data {
            bag.set(k, v)?;
        }
    }
    Ok(())
}

/// The address `network-get --primary-address <endpoint>` gives: the first
/// bound address of the endpoint's binding; `Ok(None)` when the binding
/// has none.
pub(crate) fn primary_address(
    endpoint: &Endpoint<'_>,
) -> Result<Option<String>, charm_runtime::network::NetworkError> {
    let juju = endpoint.ctx().juju();
    let info = charm_runtime::network::network_info(&juju, endpoint.name(), None)?;
    Ok(info.bind_address().map(|a| a.to_string()))
}

/// Whether `text` can be a relation-data key part: not empty, no
/// whitespace, no `=`, no control character.
pub(crate) fn is_key_part(text: &str) -> bool {
    !text.is_empty()
        && !text
            .chars()
            .any(|c| c.is_whitespace() || c == '=' || c.is_control())
}
