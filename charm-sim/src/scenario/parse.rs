//! From the node tree to a [`Scenario`], checking every name against what
//! the steps before it deployed and added.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::{Map, Value};

use super::node::{Fields, Loc, Node, Res, bad, list};
use super::{
    AppSource, AppSpec, Check, DEFAULT_SETTLE_LIMIT, Expectation, Scenario, Step, StepKind,
    TextMatch,
};
use crate::model::{Role, Settings, app_of};
use crate::stub::{Stub, StubEndpoint, StubRule};

/// The step names, for messages.
pub(crate) const STEPS: &[&str] = &[
    "deploy",
    "relate",
    "config",
    "add-unit",
    "remove-unit",
    "leader",
    "upgrade",
    "action",
    "update-status",
    "settle",
    "resolve",
    "stub-data",
    "expect",
];

/// Which units exist at a step, as the steps before it made them.
#[derive(Default)]
struct Units {
    /// Application → (next unit number, live unit numbers).
    apps: BTreeMap<String, (u32, BTreeSet<u32>)>,
}

impl Units {
    fn deployed(&self, app: &str) -> bool {
        self.apps.contains_key(app)
    }

    fn add(&mut self, app: &str, n: u32) {
        let entry = self.apps.entry(app.to_owned()).or_default();
        for _ in 0..n {
            entry.1.insert(entry.0);
            entry.0 += 1;
        }
    }

    fn live(&self, unit: &str) -> bool {
        let number = unit
            .rsplit_once('/')
            .and_then(|(_, n)| n.parse::<u32>().ok());
        match (self.apps.get(app_of(unit)), number) {
            (Some((_, live)), Some(n)) => live.contains(&n),
            _ => false,
        }
    }

    fn names(&self, app: &str) -> String {
        self.apps
            .get(app)
            .map(|(_, live)| {
                live.iter()
                    .map(|n| format!("{app}/{n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    }
}

struct Parser<'a> {
    apps: &'a [AppSpec],
    units: Units,
    /// The scenario file's directory (charm directories are relative to
    /// it).
    base: &'a Path,
}

impl Parser<'_> {
    fn known_app(&self, name: &str, at: Loc, context: &str) -> Res<()> {
        if self.apps.iter().any(|a| a.name == name) {
            Ok(())
        } else {
            let names: Vec<&str> = self.apps.iter().map(|a| a.name.as_str()).collect();
            bad(
                at,
                format!(
                    "{context}: unknown application `{name}`, expected one of {}",
                    list(&names)
                ),
            )
        }
    }

    /// `name` is an application deployed by now.
    fn app(&self, name: &str, at: Loc, context: &str) -> Res<String> {
        self.known_app(name, at, context)?;
        if !self.units.deployed(name) {
            return bad(
                at,
                format!("{context}: application `{name}` is not deployed at this step"),
            );
        }
        Ok(name.to_owned())
    }

    /// `name` is a unit alive at this step.
    fn unit(&self, name: &str, at: Loc, context: &str) -> Res<String> {
        if !name.contains('/') {
            return bad(
                at,
                format!("{context}: expected a unit (`app/N`), found `{name}`"),
            );
        }
        self.app(app_of(name), at, context)?;
        if !self.units.live(name) {
            return bad(
                at,
                format!(
                    "{context}: unknown unit `{name}` at this step (there are: {})",
                    self.units.names(app_of(name))
                ),
            );
        }
        Ok(name.to_owned())
    }

    /// A unit, or an application standing for each of its units.
    fn target(&self, name: &str, at: Loc, context: &str) -> Res<String> {
        if name.contains('/') {
            self.unit(name, at, context)
        } else {
            self.app(name, at, context)
        }
    }

    fn is_stub(&self, app: &str) -> bool {
        self.apps
            .iter()
            .any(|a| a.name == app && matches!(a.source, AppSource::Stub(_)))
    }

    fn step(&mut self, node: &Node) -> Res<Step> {
        let (name, name_at, arg) = match &node.kind {
            super::node::Kind::Str(s) => (s.as_str(), node.at, None),
            super::node::Kind::Map(_) => {
                let entries = node.map("a step")?;
                if entries.len() != 1 {
                    return bad(
                        node.at,
                        format!(
                            "a step: expected one step name as the only key, found {} keys",
                            entries.len()
                        ),
                    );
                }
                let (k, at, v) = entries[0];
                (k, at, Some(v))
            }
            _ => {
                return bad(
                    node.at,
                    format!(
                        "a step: expected a step name or a mapping of one step name to its arguments, found {}",
                        node.what()
                    ),
                );
            }
        };
        let arg = arg.filter(|a| !matches!(a.kind, super::node::Kind::Null));
        let need = |context: &str| -> Res<&Node> {
            arg.map_or_else(
                || bad(name_at, format!("{context}: missing its argument")),
                Ok,
            )
        };
        let kind = match name {
            "deploy" => {
                let names: Vec<(String, Loc)> = match arg {
                    None => self
                        .apps
                        .iter()
                        .filter(|a| !self.units.deployed(&a.name))
                        .map(|a| (a.name.clone(), name_at))
                        .collect(),
                    Some(
                        n @ Node {
                            kind: super::node::Kind::Str(s),
                            ..
                        },
                    ) => vec![(s.clone(), n.at)],
                    Some(n) => n
                        .seq("deploy")?
                        .iter()
                        .map(|x| Ok((x.str("deploy")?.to_owned(), x.at)))
                        .collect::<Res<_>>()?,
                };
                for (app, at) in &names {
                    self.known_app(app, *at, "deploy")?;
                    if self.units.deployed(app) {
                        return bad(*at, format!("deploy: `{app}` is deployed already"));
                    }
                    let units = self
                        .apps
                        .iter()
                        .find(|a| a.name == *app)
                        .map_or(0, |a| a.units);
                    self.units.add(app, units);
                }
                StepKind::Deploy(names.into_iter().map(|(a, _)| a).collect())
            }
            "relate" => {
                let n = need("relate")?;
                let ends = n.seq("relate")?;
                if ends.len() != 2 {
                    return bad(
                        n.at,
                        format!(
                            "relate: expected two endpoints (`[app:endpoint, app:endpoint]`), found {}",
                            ends.len()
                        ),
                    );
                }
                let mut out = Vec::new();
                for end in ends {
                    let text = end.str("relate")?;
                    let app = text.split(':').next().unwrap_or(text);
                    self.app(app, end.at, "relate")?;
                    out.push(text.to_owned());
                }
                StepKind::Relate(out[0].clone(), out[1].clone())
            }
            "config" => {
                let n = need("config")?;
                let mut out = Vec::new();
                for (app, at, values) in n.map("config")? {
                    let app = self.app(app, at, "config")?;
                    if self.is_stub(&app) {
                        return bad(at, format!("config: `{app}` is a stub and has no config"));
                    }
                    out.push((app, options(values, "config")?));
                }
                StepKind::Config(out)
            }
            "add-unit" => {
                let n = need("add-unit")?;
                let (app, at, count) = match &n.kind {
                    super::node::Kind::Str(s) => (s.clone(), n.at, 1),
                    _ => {
                        let f = n.fields("add-unit", &["app", "units"])?;
                        let app = f.req("app")?;
                        let count = match f.opt("units") {
                            Some(c) => c.uint("add-unit: units")? as u32,
                            None => 1,
                        };
                        (app.str("add-unit: app")?.to_owned(), app.at, count)
                    }
                };
                let app = self.app(&app, at, "add-unit")?;
                self.units.add(&app, count);
                StepKind::AddUnit { app, count }
            }
            "remove-unit" => {
                let n = need("remove-unit")?;
                let unit = self.unit(n.str("remove-unit")?, n.at, "remove-unit")?;
                let number = unit
                    .rsplit_once('/')
                    .and_then(|(_, n)| n.parse().ok())
                    .unwrap_or(0);
                if let Some((_, live)) = self.units.apps.get_mut(app_of(&unit)) {
                    live.remove(&number);
                }
                StepKind::RemoveUnit(unit)
            }
            "leader" => {
                let n = need("leader")?;
                StepKind::Leader(self.unit(n.str("leader")?, n.at, "leader")?)
            }
            "upgrade" => self.upgrade(need("upgrade")?)?,
            "resolve" => {
                let n = need("resolve")?;
                StepKind::Resolve(self.unit(n.str("resolve")?, n.at, "resolve")?)
            }
            "action" => {
                let n = need("action")?;
                let f = n.fields("action", &["unit", "name", "params", "expect"])?;
                let u = f.req("unit")?;
                let unit = self.unit(u.str("action: unit")?, u.at, "action")?;
                if self.is_stub(app_of(&unit)) {
                    return bad(u.at, format!("action: `{unit}` is a stub's unit"));
                }
                let name = f.req("name")?.str("action: name")?.to_owned();
                let params = match f.opt("params") {
                    Some(p) => options(p, "action: params")?,
                    None => Map::new(),
                };
                let completes = match f.opt("expect") {
                    None => true,
                    Some(e) => match e.str("action: expect")? {
                        "completed" => true,
                        "failed" => false,
                        other => {
                            return bad(
                                e.at,
                                format!(
                                    "action: expect: expected `completed` or `failed`, found `{other}`"
                                ),
                            );
                        }
                    },
                };
                StepKind::Action {
                    unit,
                    name,
                    params,
                    completes,
                }
            }
            "update-status" => {
                if let Some(a) = arg {
                    return bad(a.at, "update-status: takes no argument");
                }
                StepKind::UpdateStatus
            }
            "settle" => match arg {
                None => StepKind::Settle(DEFAULT_SETTLE_LIMIT),
                Some(n) => StepKind::Settle(n.uint("settle: the bound on hooks")? as usize),
            },
            "stub-data" => {
                let n = need("stub-data")?;
                let f = n.fields("stub-data", &["app", "endpoint", "data"])?;
                let a = f.req("app")?;
                let target = self.target(a.str("stub-data: app")?, a.at, "stub-data")?;
                if !self.is_stub(app_of(&target)) {
                    return bad(a.at, format!("stub-data: `{target}` is not a stub"));
                }
                let endpoint = f.req("endpoint")?.str("stub-data: endpoint")?.to_owned();
                let data = settings(f.req("data")?, "stub-data: data")?;
                StepKind::StubData {
                    target,
                    endpoint,
                    data,
                }
            }
            "expect" => StepKind::Expect(self.expect(need("expect")?)?),
            other => {
                let hint = strsim_hint(other, STEPS);
                return bad(
                    name_at,
                    format!(
                        "unknown step `{other}`{hint}, expected one of {}",
                        list(STEPS)
                    ),
                );
            }
        };
        Ok(Step { at: node.at, kind })
    }

    /// `upgrade: APP` (its charm rebuilt) or `upgrade: {app, charm,
    /// binary}`.
    fn upgrade(&self, n: &Node) -> Res<StepKind> {
        let (app, at, charm, binary) = match &n.kind {
            super::node::Kind::Str(s) => (s.clone(), n.at, None, None),
            _ => {
                let f = n.fields("upgrade", &["app", "charm", "binary"])?;
                let app = f.req("app")?;
                let charm = match f.opt("charm") {
                    Some(c) => Some(self.base.join(c.str("upgrade: charm")?)),
                    None => None,
                };
                let binary = match f.opt("binary") {
                    Some(b) => Some(b.str("upgrade: binary")?.to_owned()),
                    None => None,
                };
                (app.str("upgrade: app")?.to_owned(), app.at, charm, binary)
            }
        };
        let app = self.app(&app, at, "upgrade")?;
        let Some(AppSource::Charm {
            dir: old_dir,
            binary: old_binary,
        }) = self.apps.iter().find(|a| a.name == app).map(|a| &a.source)
        else {
            return bad(at, format!("upgrade: `{app}` is a stub and has no charm"));
        };
        let binary = match (binary, &charm) {
            (Some(b), _) => b,
            (None, Some(dir)) => dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| old_binary.clone()),
            (None, None) => old_binary.clone(),
        };
        Ok(StepKind::Upgrade {
            app,
            dir: charm.unwrap_or_else(|| old_dir.clone()),
            binary,
        })
    }

    fn expect(&self, node: &Node) -> Res<Vec<Expectation>> {
        let f = node.fields("expect", &["status", "flags", "leader", "data"])?;
        let mut out = Vec::new();
        if let Some(status) = f.opt("status") {
            for (target, at, spec) in status.map("expect: status")? {
                let target = self.target(target, at, "expect: status")?;
                let context = format!("expect: status of {target}");
                let s = spec.fields(
                    &context,
                    &["workload", "message", "message-prefix", "agent"],
                )?;
                let text = |k: &str| -> Res<Option<String>> {
                    s.opt(k)
                        .map(|n| n.text(&format!("{context}: {k}")))
                        .transpose()
                };
                let message = match (text("message")?, text("message-prefix")?) {
                    (Some(_), Some(_)) => {
                        return bad(
                            spec.at,
                            format!("{context}: give `message` or `message-prefix`, not both"),
                        );
                    }
                    (Some(m), None) => Some(TextMatch::Exact(m)),
                    (None, Some(p)) => Some(TextMatch::Prefix(p)),
                    (None, None) => None,
                };
                out.push(Expectation {
                    at,
                    check: Check::Status {
                        target,
                        workload: text("workload")?,
                        message,
                        agent: text("agent")?,
                    },
                });
            }
        }
        if let Some(flags) = f.opt("flags") {
            for (target, at, spec) in flags.map("expect: flags")? {
                let target = self.target(target, at, "expect: flags")?;
                let context = format!("expect: flags of {target}");
                let s = spec.fields(&context, &["set", "unset"])?;
                let names = |k: &str| -> Res<Vec<String>> {
                    match s.opt(k) {
                        None => Ok(Vec::new()),
                        Some(n) => n
                            .seq(&format!("{context}: {k}"))?
                            .iter()
                            .map(|x| Ok(x.str(&format!("{context}: {k}"))?.to_owned()))
                            .collect(),
                    }
                };
                out.push(Expectation {
                    at,
                    check: Check::Flags {
                        target,
                        set: names("set")?,
                        unset: names("unset")?,
                    },
                });
            }
        }
        if let Some(leaders) = f.opt("leader") {
            for (app, at, unit) in leaders.map("expect: leader")? {
                let app = self.app(app, at, "expect: leader")?;
                let unit = self.unit(unit.str("expect: leader")?, unit.at, "expect: leader")?;
                if app_of(&unit) != app {
                    return bad(
                        at,
                        format!("expect: leader: `{unit}` is not a unit of `{app}`"),
                    );
                }
                out.push(Expectation {
                    at,
                    check: Check::Leader { app, unit },
                });
            }
        }
        if let Some(data) = f.opt("data") {
            for item in data.seq("expect: data")? {
                let context = "expect: data";
                let d = item.fields(context, &["unit", "app", "endpoint", "values", "present"])?;
                let (bag, app_bag) = match (d.opt("unit"), d.opt("app")) {
                    (Some(u), None) => (self.target(u.str(context)?, u.at, context)?, false),
                    (None, Some(a)) => (self.app(a.str(context)?, a.at, context)?, true),
                    _ => {
                        return bad(
                            item.at,
                            format!(
                                "{context}: expected one of `unit` (a unit's databag) or `app` (the application's)"
                            ),
                        );
                    }
                };
                let endpoint = d.req("endpoint")?.str("expect: data: endpoint")?.to_owned();
                let mut values = BTreeMap::new();
                if let Some(v) = d.opt("values") {
                    for (k, _, v) in v.map("expect: data: values")? {
                        let value = match v.kind {
                            super::node::Kind::Null => None,
                            _ => Some(v.text("expect: data: values")?),
                        };
                        values.insert(k.to_owned(), value);
                    }
                }
                let present = match d.opt("present") {
                    None => Vec::new(),
                    Some(p) => p
                        .seq("expect: data: present")?
                        .iter()
                        .map(|x| Ok(x.str("expect: data: present")?.to_owned()))
                        .collect::<Res<_>>()?,
                };
                out.push(Expectation {
                    at: item.at,
                    check: Check::Data {
                        bag,
                        app_bag,
                        endpoint,
                        values,
                        present,
                    },
                });
            }
        }
        // Checked (and reported) in the order of the file.
        out.sort_by_key(|e| e.at);
        Ok(out)
    }
}

/// ` (did you mean `x`?)` when a known name is close.
fn strsim_hint(name: &str, known: &[&str]) -> String {
    let close = known
        .iter()
        .map(|k| (edit_distance(name, k), *k))
        .min()
        .filter(|(d, _)| *d <= 2);
    match close {
        Some((_, k)) => format!(" (did you mean `{k}`?)"),
        None => String::new(),
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// A mapping of option names to values.
fn options(node: &Node, context: &str) -> Res<Map<String, Value>> {
    node.map(context)?
        .into_iter()
        .map(|(k, _, v)| Ok((k.to_owned(), v.json()?)))
        .collect()
}

/// A mapping of keys to string values (scalars are written as text).
fn settings(node: &Node, context: &str) -> Res<Settings> {
    node.map(context)?
        .into_iter()
        .map(|(k, _, v)| Ok((k.to_owned(), v.text(&format!("{context}: {k}"))?)))
        .collect()
}

/// A list of strings, or one string.
fn strings(node: &Node, context: &str) -> Res<Vec<String>> {
    match &node.kind {
        super::node::Kind::Str(s) => Ok(vec![s.clone()]),
        _ => node
            .seq(context)?
            .iter()
            .map(|x| Ok(x.str(context)?.to_owned()))
            .collect(),
    }
}

fn stub(node: &Node, app: &str) -> Res<Stub> {
    let context = format!("stub {app}");
    let f = node.fields(&context, &["endpoints", "rules", "message"])?;
    let mut stub = Stub::default();
    if let Some(m) = f.opt("message") {
        stub.message = m.text(&format!("{context}: message"))?;
    }
    for (name, _, spec) in f.req("endpoints")?.map(&format!("{context}: endpoints"))? {
        let context = format!("{context}: endpoint {name}");
        let e = spec.fields(&context, &["interface", "role", "publish"])?;
        let role = match e.opt("role") {
            None => Role::Provides,
            Some(r) => match r.str(&format!("{context}: role"))? {
                "provides" => Role::Provides,
                "requires" => Role::Requires,
                "peers" => Role::Peers,
                other => {
                    return bad(
                        r.at,
                        format!(
                            "{context}: role: expected `provides`, `requires` or `peers`, found `{other}`"
                        ),
                    );
                }
            },
        };
        let publish = match e.opt("publish") {
            Some(p) => settings(p, &format!("{context}: publish"))?,
            None => Settings::new(),
        };
        stub.endpoints.insert(
            name.to_owned(),
            StubEndpoint {
                interface: e
                    .req("interface")?
                    .str(&format!("{context}: interface"))?
                    .to_owned(),
                role,
                publish,
            },
        );
    }
    if let Some(rules) = f.opt("rules") {
        for rule in rules.seq(&format!("{context}: rules"))? {
            let context = format!("{context}: a rule");
            let r = rule.fields(&context, &["endpoint", "received", "publish"])?;
            let ep = r.req("endpoint")?;
            let endpoint = ep.str(&format!("{context}: endpoint"))?.to_owned();
            if !stub.endpoints.contains_key(&endpoint) {
                let names: Vec<&str> = stub.endpoints.keys().map(String::as_str).collect();
                return bad(
                    ep.at,
                    format!(
                        "{context}: unknown endpoint `{endpoint}`, expected one of {}",
                        list(&names)
                    ),
                );
            }
            let received = strings(r.req("received")?, &format!("{context}: received"))?;
            for key in &received {
                if key.matches('*').count() > 1 {
                    return bad(
                        rule.at,
                        format!("{context}: received: `{key}` has more than one `*`"),
                    );
                }
            }
            stub.rules.push(StubRule {
                endpoint,
                received,
                publish: settings(r.req("publish")?, &format!("{context}: publish"))?,
            });
        }
    }
    Ok(stub)
}

fn application(node: &Node, base: &Path) -> Res<AppSpec> {
    let f = node.fields(
        "an application",
        &["name", "charm", "binary", "units", "config", "stub"],
    )?;
    let name_node = f.req("name")?;
    let name = name_node.str("an application: name")?.to_owned();
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !valid {
        return bad(
            name_node.at,
            format!(
                "an application: name: expected lowercase letters, digits and `-`, found `{name}`"
            ),
        );
    }
    let context = format!("application {name}");
    let units = match f.opt("units") {
        Some(u) => u.uint(&format!("{context}: units"))? as u32,
        None => 1,
    };
    let config = match f.opt("config") {
        Some(c) => options(c, &format!("{context}: config"))?,
        None => Map::new(),
    };
    let source = match (f.opt("charm"), f.opt("stub")) {
        (Some(c), None) => {
            let dir = base.join(c.str(&format!("{context}: charm"))?);
            let binary = match f.opt("binary") {
                Some(b) => b.str(&format!("{context}: binary"))?.to_owned(),
                None => dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| name.clone()),
            };
            AppSource::Charm { dir, binary }
        }
        (None, Some(s)) => {
            if let Some(b) = f.opt("binary").or(f.opt("config")) {
                return bad(
                    b.at,
                    format!("{context}: a stub has neither binary nor config"),
                );
            }
            AppSource::Stub(stub(s, &name)?)
        }
        (Some(_), Some(_)) => {
            return bad(
                f.at,
                format!("{context}: expected one of `charm` or `stub`, found both"),
            );
        }
        (None, None) => {
            return bad(
                f.at,
                format!(
                    "{context}: missing field `charm` (the charm directory) or `stub` (a stub application)"
                ),
            );
        }
    };
    Ok(AppSpec {
        name,
        at: node.at,
        source,
        units,
        config,
    })
}

/// The scenario in `text`, read from `path`.
pub(crate) fn scenario(text: &str, path: &Path) -> Res<Scenario> {
    let root = super::node::parse(text)?;
    let top: Fields<'_> = root.fields(
        "the scenario",
        &[
            "name",
            "description",
            "seed",
            "hook-timeout",
            "applications",
            "steps",
        ],
    )?;
    let base = path.parent().unwrap_or(Path::new("."));
    let seed = match top.opt("seed") {
        Some(s) => s.uint("seed")?,
        None => 0,
    };
    let hook_timeout = match top.opt("hook-timeout") {
        Some(t) => {
            let secs = t.uint("hook-timeout (seconds)")?;
            if secs == 0 {
                return bad(
                    t.at,
                    "hook-timeout: expected a number of seconds above 0, found 0".to_owned(),
                );
            }
            Some(std::time::Duration::from_secs(secs))
        }
        None => None,
    };
    let mut applications: Vec<AppSpec> = Vec::new();
    for node in top.req("applications")?.seq("applications")? {
        let app = application(node, base)?;
        if applications.iter().any(|a| a.name == app.name) {
            return bad(
                node.at,
                format!("application `{}` is declared twice", app.name),
            );
        }
        applications.push(app);
    }
    let mut parser = Parser {
        apps: &applications,
        units: Units::default(),
        base,
    };
    let steps = top
        .req("steps")?
        .seq("steps")?
        .iter()
        .map(|s| parser.step(s))
        .collect::<Res<Vec<_>>>()?;
    let name = match top.opt("name") {
        Some(n) => n.str("name")?.to_owned(),
        None => path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    Ok(Scenario {
        path: path.to_owned(),
        name,
        seed,
        hook_timeout,
        applications,
        steps,
    })
}
