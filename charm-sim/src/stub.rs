//! Stub applications: the far side of a relation without a charm.
//!
//! A stub is deployed with [`crate::Simulation::deploy_stub`]. Its units
//! get the hooks Juju fires like any unit's, in the same order and
//! interleaving, but no process runs them: the simulator answers each one
//! at once, by the stub's rules, and the hook always succeeds. What a stub
//! unit publishes is applied as a hook's `relation-set` is, so the units
//! on the other side run `relation-changed` for it.
//!
//! On every hook of a relation (created, joined, changed) a stub unit
//! publishes into its own unit databag:
//!
//! - its endpoint's static data ([`StubEndpoint::publish`]);
//! - for each [`StubRule`] of the endpoint, its `publish` settings once a
//!   remote unit's databag has received every key of `received`.
//!
//! A received key may hold one `*`, matching any text (a prefix such as
//! `nova_` in `nova_database`); every `*` of a rule matches the same text,
//! and the rule fires once per text so matched. Published keys and values
//! are templates:
//!
//! | placeholder | what it becomes |
//! | --- | --- |
//! | `{*}` | the text the rule's `*` matched (empty without `*`) |
//! | `{units}` | the remote units that have received the keys, space-separated, by number |
//! | `{unit}` | the stub unit (`mysql/0`) |
//! | `{app}` | the stub application |
//! | `{remote-app}` | the application on the other side |
//! | `{address}` | the stub unit's address |
//!
//! A stub never removes what it published. Everything it does follows
//! from the model, so a run stays reproducible.

use std::collections::BTreeMap;

use crate::hook::Hook;
use crate::model::{Model, Role, Settings, app_of, unit_number};

/// A stub application: its endpoints and the rules its units answer by.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stub {
    /// The endpoints, by name.
    pub endpoints: BTreeMap<String, StubEndpoint>,
    /// The rules, in order (a later rule's key overrides an earlier one's).
    pub rules: Vec<StubRule>,
    /// The workload status message of its units (their status is
    /// `active`).
    pub message: String,
}

/// An endpoint of a stub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StubEndpoint {
    /// The interface (`mysql-shared`).
    pub interface: String,
    /// Provides (the usual far side of a `requires`), requires or peers.
    pub role: Role,
    /// Published on joining a relation of the endpoint (templates).
    pub publish: Settings,
}

impl StubEndpoint {
    /// A `provides` endpoint of `interface` publishing nothing on join.
    pub fn provides(interface: impl Into<String>) -> Self {
        Self {
            interface: interface.into(),
            role: Role::Provides,
            publish: Settings::new(),
        }
    }
}

/// "When my relation on `endpoint` has received `received`, publish
/// `publish`."
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StubRule {
    /// The stub's endpoint.
    pub endpoint: String,
    /// Keys a remote unit's databag must hold (non-empty); each may hold
    /// one `*`.
    pub received: Vec<String>,
    /// What to publish then (templates).
    pub publish: Settings,
}

/// The text a `*` pattern matched in `key`, if it matches.
fn match_pattern<'k>(pattern: &str, key: &'k str) -> Option<&'k str> {
    match pattern.split_once('*') {
        None => (pattern == key).then_some(""),
        Some((prefix, suffix)) => {
            if key.len() >= prefix.len() + suffix.len()
                && key.starts_with(prefix)
                && key.ends_with(suffix)
            {
                Some(&key[prefix.len()..key.len() - suffix.len()])
            } else {
                None
            }
        }
    }
}

/// The texts `*` can stand for so that every pattern of `received` is a
/// key of `bag` with a value.
fn bindings(received: &[String], bag: &Settings) -> Vec<String> {
    let present = |k: &str| bag.get(k).is_some_and(|v| !v.is_empty());
    let Some(first) = received.iter().find(|p| p.contains('*')) else {
        return if received.iter().all(|k| present(k)) {
            vec![String::new()]
        } else {
            Vec::new()
        };
    };
    let mut out: Vec<String> = bag
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .filter_map(|(k, _)| match_pattern(first, k).map(str::to_owned))
        .filter(|b| received.iter().all(|p| present(&p.replacen('*', b, 1))))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Expand the placeholders of `template`.
fn expand(template: &str, vars: &[(&str, &str)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in vars {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// What stub unit `unit` publishes when `hook` fires: its databag changes
/// on the hook's relation (none for other hooks).
pub(crate) fn answer(model: &Model, stub: &Stub, unit: &str, hook: &Hook) -> Option<Settings> {
    let relation = hook.relation()?;
    if matches!(
        hook,
        Hook::RelationDeparted { .. } | Hook::RelationBroken { .. }
    ) {
        return None;
    }
    let rel = model.relations.get(&relation)?;
    let app = app_of(unit);
    let end = rel.end_of(app)?;
    let endpoint = stub.endpoints.get(&end.endpoint)?;
    let u = model.units.get(unit)?;
    let mut members: Vec<&String> = u
        .scopes
        .get(&relation)
        .map(|m| m.iter().collect())
        .unwrap_or_default();
    members.sort_by_key(|m| (app_of(m).to_owned(), unit_number(m)));
    let remote_app = rel.remote_app(app).unwrap_or("");
    let base = |star: &str, units: &str, out: &mut Settings, publish: &Settings| {
        let vars = [
            ("*", star),
            ("units", units),
            ("unit", unit),
            ("app", app),
            ("remote-app", remote_app),
            ("address", u.address.as_str()),
        ];
        for (k, v) in publish {
            out.insert(expand(k, &vars), expand(v, &vars));
        }
    };
    let mut out = Settings::new();
    let all: Vec<&str> = members.iter().map(|m| m.as_str()).collect();
    base("", &all.join(" "), &mut out, &endpoint.publish);
    for rule in stub.rules.iter().filter(|r| r.endpoint == end.endpoint) {
        let mut fired: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for member in &members {
            let Some(bag) = rel.unit_data.get(member.as_str()) else {
                continue;
            };
            for b in bindings(&rule.received, bag) {
                fired.entry(b).or_default().push(member);
            }
        }
        for (star, units) in fired {
            base(&star, &units.join(" "), &mut out, &rule.publish);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bag(pairs: &[(&str, &str)]) -> Settings {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_star_matches_a_prefix_shared_by_every_key() {
        let received = vec!["*database".to_owned(), "*username".to_owned()];
        let b = bag(&[
            ("nova_database", "nova"),
            ("nova_username", "nova"),
            ("novaapi_database", "nova_api"),
            ("database", "x"),
        ]);
        assert_eq!(bindings(&received, &b), ["nova_"]);
        let b = bag(&[("database", "api"), ("username", "api")]);
        assert_eq!(bindings(&received, &b), [""]);
    }

    #[test]
    fn exact_keys_need_values() {
        let received = vec!["json_resources".to_owned()];
        assert!(bindings(&received, &bag(&[("json_resources", "")])).is_empty());
        assert_eq!(bindings(&received, &bag(&[("json_resources", "{}")])), [""]);
    }
}
