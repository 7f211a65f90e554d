//! Whether a state and an event could happen under Juju for this charm.
//!
//! A test whose state Juju could never produce (a relation on an endpoint
//! the charm does not declare, a config option of the wrong type, a
//! `relation-joined` for a unit that is not in the relation) passes or
//! fails for reasons that say nothing about the charm. The harness refuses
//! to run it and lists every problem at once.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::{Map, Value};

use super::event::{Event, RelationHook};
use super::state::State;
use crate::charm::Charm;
use crate::config::{ConfigProblem, ConfigValues};
use crate::facts::{self, joins_in_scope};
use crate::metadata::{ActionsSchema, ConfigSchema, Metadata, Role, Scope, describe};
use crate::reactive::state::FLAG_PREFIX;

/// The state and event cannot happen under Juju for this charm: every
/// problem found, each in one sentence.
///
/// ```
/// use charm_runtime::{Handler, HookContext, Registry};
/// use charm_runtime::harness::{Context, Event, Relation, State};
///
/// let mut registry = Registry::new();
/// registry.add(Handler::new("web::install", |_: &HookContext| ()).hook(["install"])).unwrap();
/// let ctx = Context::from_yaml("name: web\nrequires: {db: mysql}\n", registry).unwrap();
/// let state = State::new().with_relation(Relation::new("cache", 1, "memcached"));
/// let err = ctx.run(Event::install(), &state).unwrap_err();
/// assert_eq!(
///     err.problems,
///     [r#"relation cache:1: endpoint "cache" is not declared in the charm's metadata (endpoints: db)"#]
/// );
/// ```
#[derive(Clone, PartialEq, Eq, thiserror::Error)]
pub struct Inconsistent {
    /// The event that was to run, in words.
    pub event: String,
    /// Every problem.
    pub problems: Vec<String>,
}

impl fmt::Display for Inconsistent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        write!(
            f,
            "cannot run {}: the state is inconsistent with the charm ({n} problem{}):",
            self.event,
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            write!(f, "\n  - {p}")?;
        }
        Ok(())
    }
}

/// Shown by `unwrap()`: the same readable list as `Display`.
impl fmt::Debug for Inconsistent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// What `actions.yaml` says beyond the parameters' schemas, which
/// [`crate::metadata::ActionsSchema`] does not keep.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ActionRules {
    /// `required:` parameter names.
    pub(crate) required: Vec<String>,
    /// `additionalProperties:`, true unless declared false (JSON schema's
    /// default).
    pub(crate) additional_properties: bool,
}

/// The rules of every action in `actions`, the mapping of action names to
/// declarations (`actions.yaml`'s top level, or `charmcraft.yaml`'s
/// `actions:`).
pub(crate) fn action_rules(actions: &Value) -> BTreeMap<String, ActionRules> {
    let Value::Object(actions) = actions else {
        return BTreeMap::new();
    };
    actions
        .iter()
        .map(|(name, decl)| {
            let required = decl
                .get("required")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            let additional_properties = decl
                .get("additionalProperties")
                .and_then(Value::as_bool)
                .unwrap_or(true);
            (
                name.clone(),
                ActionRules {
                    required,
                    additional_properties,
                },
            )
        })
        .collect()
}

/// Errors and warnings about a run.
#[derive(Debug, Default)]
pub(crate) struct Report {
    pub(crate) errors: Vec<String>,
    pub(crate) warnings: Vec<String>,
}

fn list(names: impl IntoIterator<Item = impl AsRef<str>>) -> String {
    let names: Vec<String> = names.into_iter().map(|n| n.as_ref().to_owned()).collect();
    if names.is_empty() {
        "none".to_owned()
    } else {
        names.join(", ")
    }
}

/// `app/number`, split.
fn split_unit(unit: &str) -> Option<(&str, &str)> {
    let (app, n) = unit.rsplit_once('/')?;
    (!app.is_empty() && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())).then_some((app, n))
}

/// The charm's description, as the checks read it.
struct CharmSpec<'a> {
    metadata: &'a Metadata,
    config: &'a ConfigSchema,
    actions: &'a ActionsSchema,
    action_rules: &'a BTreeMap<String, ActionRules>,
}

/// Check `event` on `state` against `charm`.
pub(crate) fn check(
    charm: &Charm,
    action_rules: &BTreeMap<String, ActionRules>,
    event: &Event,
    state: &State,
) -> Report {
    let spec = &CharmSpec {
        metadata: charm.metadata(),
        config: charm.config_schema(),
        actions: charm.actions(),
        action_rules,
    };
    let mut r = Report::default();
    let meta = spec.metadata;
    let unit = state.unit_name(&meta.name);
    let app = match split_unit(&unit) {
        Some((app, _)) => app.to_owned(),
        None => {
            r.errors.push(format!(
                "unit name {unit:?} is not of the form application/number"
            ));
            meta.name.clone()
        }
    };
    if app != meta.name {
        r.errors.push(format!(
            "unit {unit} belongs to application {app:?}, but the charm's metadata names the \
             charm {:?} (leave State::unit unset for {}/0)",
            meta.name, meta.name
        ));
    }
    check_config(spec, state, &mut r);
    check_relations(spec, state, &unit, &app, &mut r);
    check_networks(spec, state, &mut r);
    check_subordinate(spec, state, &unit, &app, &mut r);
    check_failing_tools(state, &mut r);
    for key in state.kv.keys().filter(|k| k.starts_with(FLAG_PREFIX)) {
        r.errors.push(format!(
            "unit state key {key:?} is a flag: set it with State::with_flag({:?})",
            &key[FLAG_PREFIX.len()..]
        ));
    }
    check_event(spec, event, state, &mut r);
    r
}

fn check_config(spec: &CharmSpec<'_>, state: &State, r: &mut Report) {
    for problem in ConfigValues::new(state.config.clone()).check(spec.config) {
        match &problem {
            ConfigProblem::Undeclared { .. } => r.errors.push(format!(
                "{problem} (options: {})",
                list(spec.config.names())
            )),
            ConfigProblem::WrongType { .. } => r.errors.push(problem.to_string()),
        }
    }
}

fn check_relations(spec: &CharmSpec<'_>, state: &State, unit: &str, app: &str, r: &mut Report) {
    let meta = &spec.metadata;
    let mut by_id: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    let mut per_endpoint: BTreeMap<&str, u32> = BTreeMap::new();
    for rel in &state.relations {
        let rid = rel.relation_id();
        by_id.entry(rel.id).or_default().push(rid.to_string());
        *per_endpoint.entry(&rel.endpoint).or_default() += 1;
        let Some(endpoint) = meta.endpoint(&rel.endpoint) else {
            r.errors.push(format!(
                "relation {rid}: endpoint {:?} is not declared in the charm's metadata (endpoints: {})",
                rel.endpoint,
                list(meta.relation_names())
            ));
            continue;
        };
        let peer = endpoint.role == Role::Peers;
        if rel.remote_app.is_empty() {
            r.errors
                .push(format!("relation {rid} has no remote application"));
        } else if peer && rel.remote_app != app {
            r.errors.push(format!(
                "relation {rid} is on the peer endpoint {:?}, so its remote application is the \
                 unit's own, {app:?}, not {:?} (use Relation::peer({:?}, {}, {app:?}))",
                rel.endpoint, rel.remote_app, rel.endpoint, rel.id
            ));
        } else if !peer && rel.remote_app == app {
            r.errors.push(format!(
                "relation {rid} is on the {} endpoint {:?} but its remote application is the \
                 unit's own, {app:?}: only a peer endpoint relates an application to itself",
                endpoint.role, rel.endpoint
            ));
        }
        for remote in rel.remote_units.keys() {
            match split_unit(remote) {
                None => r.errors.push(format!(
                    "relation {rid}: remote unit {remote:?} is not of the form application/number"
                )),
                Some((remote_app, _)) if remote_app != rel.remote_app => r.errors.push(format!(
                    "relation {rid}: remote unit {remote} does not belong to the remote \
                     application {:?}",
                    rel.remote_app
                )),
                Some(_) if remote == unit => r.errors.push(format!(
                    "relation {rid}: the unit under test, {unit}, is listed among the remote \
                     units; its own databag is local_unit_data"
                )),
                Some(_) => {}
            }
        }
        if peer && !rel.remote_app_data.is_empty() {
            r.errors.push(format!(
                "relation {rid} is a peer relation, whose one application databag is \
                 local_app_data: remote_app_data must be empty"
            ));
        }
        if !state.leader && !rel.local_app_data.is_empty() {
            r.warnings.push(format!(
                "relation {rid} has local_app_data but the unit is not the leader: it cannot \
                 write that databag{}",
                if peer {
                    ""
                } else {
                    " (and outside peer relations Juju does not let it read it)"
                }
            ));
        }
    }
    for (id, relations) in by_id.iter().filter(|(_, r)| r.len() > 1) {
        r.errors.push(format!(
            "relation id {id} is used by {} relations ({}): Juju numbers the relations of a \
             model uniquely",
            relations.len(),
            relations.join(", ")
        ));
    }
    for (endpoint, count) in per_endpoint {
        if let Some(limit) = meta.endpoint(endpoint).and_then(|e| e.limit)
            && count > limit
        {
            r.warnings.push(format!(
                "endpoint {endpoint:?} has {count} relations but declares limit: {limit}"
            ));
        }
    }
}

/// The hook tools the in-memory backend answers, which
/// [`State::with_failing_tool`] can make fail.
const TOOLS: [&str; 21] = [
    "action-fail",
    "action-get",
    "action-log",
    "action-set",
    "application-version-set",
    "close-port",
    "config-get",
    "is-leader",
    "leader-get",
    "leader-set",
    "network-get",
    "open-port",
    "opened-ports",
    "relation-get",
    "relation-ids",
    "relation-list",
    "relation-set",
    "status-get",
    "status-set",
    "unit-get",
    "juju-log",
];

fn check_failing_tools(state: &State, r: &mut Report) {
    for tool in state.failing_tools.keys() {
        if tool == "juju-log" {
            r.errors.push(
                "failing tool \"juju-log\": the charm's log sink has no one to report a \
                 failure to, so the harness cannot make it fail"
                    .to_owned(),
            );
        } else if !TOOLS.contains(&tool.as_str()) {
            r.errors.push(format!(
                "failing tool {tool:?} is not a hook tool the harness answers (tools: {})",
                list(TOOLS.iter().filter(|t| **t != "juju-log"))
            ));
        }
    }
}

/// A subordinate runs beside a principal unit, and a container-scoped
/// relation joins only the units on one machine.
fn check_subordinate(spec: &CharmSpec<'_>, state: &State, unit: &str, app: &str, r: &mut Report) {
    let meta = spec.metadata;
    let principal = state.principal.as_deref();
    match (meta.subordinate, principal) {
        (true, None) => r.errors.push(format!(
            "the charm is a subordinate (subordinate: true): Juju deploys {unit} beside a \
             principal unit and names it in JUJU_PRINCIPAL_UNIT (State::with_principal(\"web/0\"))"
        )),
        (false, Some(p)) => r.errors.push(format!(
            "the state names a principal unit, {p}, but the charm is not a subordinate: only \
             a subordinate has one"
        )),
        (true, Some(p)) => match split_unit(p) {
            None => r.errors.push(format!(
                "principal unit {p:?} is not of the form application/number"
            )),
            Some((papp, _)) if papp == app => r.errors.push(format!(
                "principal unit {p} belongs to the subordinate's own application {app:?}"
            )),
            Some(_) => {}
        },
        (false, None) => {}
    }
    for rel in &state.relations {
        let Some(endpoint) = meta.endpoint(&rel.endpoint) else {
            continue;
        };
        if endpoint.scope != Scope::Container || endpoint.role == Role::Peers {
            continue;
        }
        let rid = rel.relation_id();
        if rel.remote_units.len() > 1 {
            r.errors.push(format!(
                "relation {rid} is container-scoped: it joins only the units on this unit's \
                 machine, one remote unit at most, not {} ({})",
                rel.remote_units.len(),
                list(rel.remote_units.keys())
            ));
            continue;
        }
        for remote in rel.remote_units.keys() {
            // A remote unit of the principal's application is on this
            // machine only if it is the principal itself.
            let same_app_as_principal = principal
                .and_then(split_unit)
                .is_some_and(|(papp, _)| papp == rel.remote_app);
            if same_app_as_principal
                && !joins_in_scope(Scope::Container, unit, principal, remote, None)
            {
                r.errors.push(format!(
                    "relation {rid} is container-scoped: of {}, only the principal unit {} is \
                     on this unit's machine, not {remote}",
                    rel.remote_app,
                    principal.unwrap_or_default()
                ));
            }
        }
    }
}

fn check_networks(spec: &CharmSpec<'_>, state: &State, r: &mut Report) {
    let meta = &spec.metadata;
    for binding in state.networks.keys() {
        let known = binding == facts::IMPLICIT_ENDPOINT
            || meta.endpoint(binding).is_some()
            || meta.extra_bindings.contains(binding);
        if !known {
            r.errors.push(format!(
                "network binding {binding:?} is neither an endpoint nor an extra binding of the \
                 charm (bindings: {})",
                list(bindings(spec.metadata))
            ));
        }
    }
}

/// Every binding `network-get` answers for: the endpoints, the extra
/// bindings and Juju's implicit `juju-info`.
pub(crate) fn bindings(meta: &Metadata) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = meta.endpoints.keys().cloned().collect();
    out.extend(meta.extra_bindings.iter().cloned());
    out.insert(facts::IMPLICIT_ENDPOINT.to_owned());
    out
}

fn check_event(spec: &CharmSpec<'_>, event: &Event, state: &State, r: &mut Report) {
    let name = event.name();
    if let Some(re) = event.relation_event() {
        let rid = &re.relation;
        let Some(rel) = state.relation(rid.id) else {
            r.errors.push(format!(
                "{event}: relation {rid} is not in the state (add it with State::with_relation)"
            ));
            return;
        };
        if rel.endpoint != rid.endpoint {
            r.errors.push(format!(
                "{event}: relation {} of the state is on endpoint {:?}, not {:?}",
                rel.id, rel.endpoint, rid.endpoint
            ));
            return;
        }
        if rel.remote_app != re.remote_app {
            r.errors.push(format!(
                "{event}: the event names remote application {:?} but relation {rid} of the \
                 state is with {:?}",
                re.remote_app, rel.remote_app
            ));
        }
        if re.local_departs && re.hook != RelationHook::Departed {
            r.errors.push(format!(
                "{event}: only a -relation-departed hook names the unit under test as the \
                 departing unit"
            ));
        }
        if let Some(unit) = &re.remote_unit
            && !rel.remote_units.contains_key(unit)
        {
            let why = match re.hook {
                RelationHook::Departed => {
                    ": the departing unit is still in the relation when its departed hook runs"
                }
                _ => "",
            };
            r.errors.push(format!(
                "{event}: remote unit {unit} is not in relation {rid} (remote units: {}){why}",
                list(rel.remote_units.keys())
            ));
        }
        return;
    }
    if let Some(action) = event.action_name() {
        check_action(
            spec,
            action,
            event.action_params().unwrap_or(&Map::new()),
            r,
        );
        return;
    }
    // A plain hook.
    if let Some((endpoint, hook)) = RelationHook::ALL.iter().find_map(|h| {
        name.strip_suffix(&format!("-relation-{h}"))
            .map(|endpoint| (endpoint, *h))
    }) {
        let how = match hook {
            RelationHook::Created => "relation_created(&relation)",
            RelationHook::Joined => "relation_joined(&relation, unit)",
            RelationHook::Changed => "relation_changed(&relation, unit)",
            RelationHook::Departed => "relation_departed(&relation, unit)",
            RelationHook::Broken => "relation_broken(&relation)",
        };
        r.errors.push(format!(
            "hook {name} is a relation hook of endpoint {endpoint:?}: use Event::{how}, which \
             carries the relation context Juju sets"
        ));
    }
    if let Err(e) = facts::check_hook(spec.metadata, &name) {
        r.errors.push(e.to_string());
    }
    match name.as_str() {
        "leader-elected" if !state.leader => r.errors.push(
            "hook leader-elected runs only on the leader, and the state's unit is not the \
             leader (State::with_leader(true))"
                .to_owned(),
        ),
        "leader-settings-changed" if state.leader => r.errors.push(
            "hook leader-settings-changed runs only on units that are not the leader, and the \
             state's unit is the leader"
                .to_owned(),
        ),
        _ => {}
    }
}

fn check_action(spec: &CharmSpec<'_>, action: &str, params: &Map<String, Value>, r: &mut Report) {
    if let Err(e) = facts::check_action(spec.actions, action) {
        r.errors.push(e.to_string());
        return;
    }
    let Some(meta) = spec.actions.action(action) else {
        return;
    };
    let declared = meta.params.as_object().cloned().unwrap_or_default();
    let rules = spec
        .action_rules
        .get(action)
        .cloned()
        .unwrap_or(ActionRules {
            required: vec![],
            additional_properties: true,
        });
    for required in &rules.required {
        if !params.contains_key(required) {
            let default = declared.get(required).and_then(|p| p.get("default"));
            if default.is_none() {
                r.errors.push(format!(
                    "action {action}: required parameter {required:?} is missing"
                ));
            }
        }
    }
    for (param, value) in params {
        let Some(schema) = declared.get(param) else {
            if !rules.additional_properties {
                r.errors.push(format!(
                    "action {action}: parameter {param:?} is not declared, and the action \
                     forbids others (additionalProperties: false; parameters: {})",
                    list(declared.keys())
                ));
            }
            continue;
        };
        if let Some(expected) = schema.get("type")
            && !json_type_matches(expected, value)
        {
            r.errors.push(format!(
                "action {action}: parameter {param:?} is declared {} but is {}",
                match expected {
                    Value::String(t) => t.clone(),
                    other => other.to_string(),
                },
                describe(value)
            ));
        }
    }
}

/// Whether `value` has the JSON schema `type` `expected` (a name or a list
/// of names). An unknown type name accepts anything.
fn json_type_matches(expected: &Value, value: &Value) -> bool {
    let one = |t: &str| match t {
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        "null" => value.is_null(),
        _ => true,
    };
    match expected {
        Value::String(t) => one(t),
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).any(one),
        _ => true,
    }
}
