//! `cargo charm graph`: a charm's handler/flag graph as Graphviz DOT and
//! SVG.
//!
//! The charm's registry comes from the charm binary itself (see
//! [`crate::introspect`]), so the graph is exactly what dispatch sees:
//! interface handlers instantiated for the charm's endpoints included.
//! Handlers are boxes, flags blue ellipses, hook patterns (green),
//! actions (pink) and watched files (grey) labelled `hook NAME`, `action
//! NAME`, `file PATH` (with their Graphviz shapes in the DOT); an edge from a flag to a handler is one of the
//! handler's conditions, labelled with its kind (`when`, `when_not`,
//! `when_any`, `when_not_all`); an edge from a flag to a flag is a
//! trigger (`on set: clear`). Which flags a handler sets or clears is only
//! known by running it: with `--scenario FILE` the scenario is run in the
//! simulator and each flag a handler set or cleared in a successful hook
//! (from the hook's log, see [`crate::observed`]) is an edge from the
//! handler to the flag, labelled `sets` (green) or `clears` (orange,
//! dashed), drawn bold to tell it from the registry's edges.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::introspect::{self, Registry};
use crate::observed;

/// Arguments of `cargo charm graph`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The charm crate's directory (Cargo.toml and metadata.yaml).
    #[arg(value_name = "CHARM_DIR")]
    pub charm_dir: PathBuf,
    /// Directory to write CHARM.dot and CHARM.svg into (created if
    /// missing); the current directory by default.
    #[arg(short, long, value_name = "DIR", default_value = ".")]
    pub output: PathBuf,
    /// Read the registry description from FILE (what the charm binary
    /// prints with CHARM_INTROSPECT=registry) instead of building and
    /// running the charm.
    #[arg(long, value_name = "FILE")]
    pub registry: Option<PathBuf>,
    /// Also run the scenario FILE in the simulator and draw, from what
    /// ran, which flags each handler set and cleared (bold edges).
    #[arg(long, value_name = "FILE")]
    pub scenario: Option<PathBuf>,
}

/// Run `cargo charm graph`.
pub fn run(args: &Args) -> Result<()> {
    let registry = match &args.registry {
        Some(file) => {
            let json = std::fs::read_to_string(file).map_err(|e| Error::at(file, e))?;
            introspect::parse(&json, &file.display().to_string())?
        }
        None => {
            let dir = args
                .charm_dir
                .canonicalize()
                .map_err(|e| Error::at(&args.charm_dir, e))?;
            let binary = introspect::build(&dir)?;
            introspect::ask(&binary, &dir)?
        }
    };
    let mut graph = Graph::from_registry(&registry);
    if let Some(scenario) = &args.scenario {
        let seen = observed::run_scenario(&args.charm_dir, scenario)?;
        for c in &seen.changes {
            graph.add_observed(&c.handler, &c.flag, c.set);
        }
        eprintln!(
            "{}: {} hooks of the charm ran, {} handlers, {} flag changes observed",
            scenario.display(),
            seen.hooks,
            seen.handlers.len(),
            seen.changes.len()
        );
        for failed in &seen.failed_expectations {
            eprintln!("note: expectation failed: {failed}");
        }
    }
    let dot = graph.to_dot();
    let svg = render_svg(&dot).map_err(|e| Error(format!("cannot lay out the graph: {e}")))?;
    std::fs::create_dir_all(&args.output).map_err(|e| Error::at(&args.output, e))?;
    let (dot_path, svg_path) = output_paths(&args.output, &registry.charm);
    for (path, text) in [(dot_path, &dot), (svg_path, &svg)] {
        std::fs::write(&path, text).map_err(|e| Error::at(&path, e))?;
        println!("{}", path.display());
    }
    Ok(())
}

/// What a node stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NodeKind {
    /// A handler (box).
    Handler,
    /// A flag (ellipse).
    Flag,
    /// A hook pattern of `@hook` or a restricted hook.
    Hook,
    /// An action.
    Action,
    /// A file of `when_file_changed`.
    File,
    /// A trigger's callback.
    Callback,
}

impl NodeKind {
    fn prefix(self) -> &'static str {
        match self {
            NodeKind::Handler => "handler",
            NodeKind::Flag => "flag",
            NodeKind::Hook => "hook",
            NodeKind::Action => "action",
            NodeKind::File => "file",
            NodeKind::Callback => "callback",
        }
    }

    fn attributes(self) -> &'static str {
        match self {
            NodeKind::Handler => "shape=box, style=filled, fillcolor=\"#fff3c4\"",
            NodeKind::Flag => "shape=ellipse, style=filled, fillcolor=\"#dbeafe\"",
            // layout-rs draws shapes it does not know as ellipses;
            // Graphviz draws these.
            NodeKind::Hook => "shape=hexagon, style=filled, fillcolor=\"#dcfce7\"",
            NodeKind::Action => "shape=cds, style=filled, fillcolor=\"#fce7f3\"",
            NodeKind::File => "shape=note, style=filled, fillcolor=\"#f3f4f6\"",
            NodeKind::Callback => "shape=component, style=filled, fillcolor=\"#f3f4f6\"",
        }
    }
}

/// A node: its kind and name (unique per kind) and the label shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// What it stands for.
    pub kind: NodeKind,
    /// The handler id, flag, hook pattern, action, file or trigger.
    pub name: String,
    /// The text drawn in it.
    pub label: String,
}

impl Node {
    /// The DOT node id: `kind:name`.
    pub fn dot_id(&self) -> String {
        format!("{}:{}", self.kind.prefix(), self.name)
    }
}

/// An edge, by node index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    /// The source node.
    pub from: usize,
    /// The target node.
    pub to: usize,
    /// The condition kind or trigger.
    pub label: String,
    /// Drawn dashed: a negative condition (`when_not`, `when_not_all`) or
    /// a trigger that clears.
    pub dashed: bool,
    /// Seen in a run (a handler setting or clearing a flag), not declared
    /// in the registry: drawn bold, green or orange.
    pub observed: bool,
}

/// A charm's handler/flag graph.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Graph {
    /// The charm's name.
    pub name: String,
    /// Every node, each handler after the nodes it waits on.
    pub nodes: Vec<Node>,
    /// Edges.
    pub edges: Vec<Edge>,
}

/// The label of a condition kind on an edge: the decorator as charm
/// authors write it most (`when`, `when_not`).
fn edge_label(kind: &str) -> (&str, bool) {
    match kind {
        "when_all" => ("when", false),
        "when_none" => ("when_not", true),
        "when_not_all" => ("when_not_all", true),
        "when_file_changed" => ("file_changed", false),
        other => (other, false),
    }
}

/// For each handler id, the shortest tail of its `::` path that no other
/// handler's tail of the same length equals (`webapp::install` →
/// `install`).
pub fn short_labels(ids: &[&str]) -> Vec<String> {
    let segments: Vec<Vec<&str>> = ids.iter().map(|id| id.split("::").collect()).collect();
    let tail = |s: &[&str], n: usize| s[s.len().saturating_sub(n)..].join("::");
    segments
        .iter()
        .map(|s| {
            (1..=s.len())
                .map(|n| tail(s, n))
                .find(|t| {
                    segments
                        .iter()
                        .filter(|o| tail(o, t.matches("::").count() + 1) == *t)
                        .count()
                        == 1
                })
                .unwrap_or_else(|| s.join("::"))
        })
        .collect()
}

impl Graph {
    /// The graph of `registry`'s handlers, conditions and triggers.
    ///
    /// Nodes are listed in dispatch order, each handler after the flags,
    /// hooks, actions and files it waits on that no earlier handler waits
    /// on: the layout starts from that order, which keeps most edges
    /// short. Trigger-only flags and callbacks come last.
    pub fn from_registry(registry: &Registry) -> Self {
        let ids: Vec<&str> = registry.handlers.iter().map(|h| h.id.as_str()).collect();
        let labels = short_labels(&ids);
        let mut graph = Graph {
            name: registry.charm.clone(),
            ..Graph::default()
        };
        let mut index: BTreeMap<(NodeKind, String), usize> = BTreeMap::new();
        for (h, label) in registry.handlers.iter().zip(labels) {
            let mut sources = Vec::new();
            for c in &h.conditions {
                let (edge, dashed) = edge_label(&c.kind);
                let (kind, names) = match c.kind.as_str() {
                    "hook" => (NodeKind::Hook, c.patterns.clone()),
                    "restricted_hook" => (NodeKind::Hook, c.name.iter().cloned().collect()),
                    "action" => (NodeKind::Action, c.name.iter().cloned().collect()),
                    "when_file_changed" => (NodeKind::File, c.files.clone()),
                    _ => (NodeKind::Flag, c.flags.clone()),
                };
                for name in names {
                    let node = graph.node(&mut index, kind, &name);
                    sources.push((node, edge.to_owned(), dashed));
                }
            }
            let once = h.conditions.iter().any(|c| c.kind == "only_once");
            let to = graph.node(&mut index, NodeKind::Handler, &h.id);
            if once {
                graph.nodes[to].label = format!("{label} (once)");
            } else {
                graph.nodes[to].label = label;
            }
            for (from, label, dashed) in sources {
                graph.edges.push(Edge {
                    from,
                    to,
                    label,
                    dashed,
                    observed: false,
                });
            }
        }
        for (n, t) in registry.triggers.iter().enumerate() {
            let from = graph.node(&mut index, NodeKind::Flag, &t.flag);
            let verb = match t.action.as_str() {
                "set_flag" => "set",
                "clear_flag" => "clear",
                other => other,
            };
            let to = match &t.target {
                Some(target) => graph.node(&mut index, NodeKind::Flag, target),
                None => graph.node(&mut index, NodeKind::Callback, &n.to_string()),
            };
            graph.edges.push(Edge {
                from,
                to,
                label: format!("on {}: {verb}", t.on),
                dashed: verb == "clear",
                observed: false,
            });
        }
        graph
    }

    /// Add what a run showed `handler` doing to `flag` (from a trace:
    /// `set` or `cleared`): an edge from the handler to the flag labelled
    /// `sets` or `clears`, added once. The registry cannot say this; a
    /// scenario's runs (`cargo charm sim`) can.
    pub fn add_observed(&mut self, handler: &str, flag: &str, set: bool) {
        let mut index: BTreeMap<(NodeKind, String), usize> = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| ((n.kind, n.name.clone()), i))
            .collect();
        let from = self.node(&mut index, NodeKind::Handler, handler);
        let to = self.node(&mut index, NodeKind::Flag, flag);
        let label = if set { "sets" } else { "clears" };
        let edge = Edge {
            from,
            to,
            label: label.to_owned(),
            dashed: !set,
            observed: true,
        };
        if !self.edges.contains(&edge) {
            self.edges.push(edge);
        }
    }

    /// The index of the node `kind` `name`, added if new.
    fn node(
        &mut self,
        index: &mut BTreeMap<(NodeKind, String), usize>,
        kind: NodeKind,
        name: &str,
    ) -> usize {
        *index.entry((kind, name.to_owned())).or_insert_with(|| {
            let label = match kind {
                NodeKind::Hook => format!("hook {name}"),
                NodeKind::Action => format!("action {name}"),
                NodeKind::File => format!("file {name}"),
                NodeKind::Callback => "trigger callback".to_owned(),
                NodeKind::Handler | NodeKind::Flag => name.to_owned(),
            };
            self.nodes.push(Node {
                kind,
                name: name.to_owned(),
                label,
            });
            self.nodes.len() - 1
        })
    }

    /// The graph in Graphviz DOT, laid out left to right.
    pub fn to_dot(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "digraph {} {{", quote(&self.name));
        let _ = writeln!(out, "  rankdir=LR;");
        let _ = writeln!(out, "  node [fontsize=12];");
        let _ = writeln!(out, "  edge [fontsize=10];");
        for node in &self.nodes {
            let _ = writeln!(
                out,
                "  {} [label={}, {}];",
                quote(&node.dot_id()),
                quote(&node.label),
                node.kind.attributes()
            );
        }
        for edge in &self.edges {
            let style = match (edge.observed, edge.dashed) {
                (true, false) => ", color=\"#15803d\", penwidth=2",
                (true, true) => ", style=dashed, color=\"#c2410c\", penwidth=2",
                (false, true) => ", style=dashed, color=\"#b91c1c\"",
                (false, false) => "",
            };
            let _ = writeln!(
                out,
                "  {} -> {} [label={}{style}];",
                quote(&self.nodes[edge.from].dot_id()),
                quote(&self.nodes[edge.to].dot_id()),
                quote(&edge.label),
            );
        }
        out.push_str("}\n");
        out
    }
}

/// A DOT string literal.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Lay out and draw `dot` as SVG with layout-rs.
pub fn render_svg(dot: &str) -> std::result::Result<String, String> {
    use layout::backends::svg::SVGWriter;
    use layout::gv::{DotParser, GraphBuilder};
    let ast = DotParser::new(dot).process()?;
    // layout-rs asserts on graphs it cannot lay out: report that as an
    // error rather than a crash.
    std::panic::catch_unwind(|| {
        let mut builder = GraphBuilder::new();
        builder.visit_graph(&ast);
        let mut graph = builder.get();
        let mut svg = SVGWriter::new();
        graph.do_it(false, false, false, &mut svg);
        svg.finalize()
    })
    .map_err(|_| "the layout engine failed".to_owned())
}

/// Where `run` writes: `DIR/CHARM.dot` and `DIR/CHARM.svg`.
pub fn output_paths(dir: &Path, charm: &str) -> (PathBuf, PathBuf) {
    (
        dir.join(format!("{charm}.dot")),
        dir.join(format!("{charm}.svg")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry() -> Registry {
        introspect::parse(
            r#"{"introspect": "registry", "version": 1, "charm": "c", "handlers": [
                {"id": "c::install", "conditions": [{"kind": "hook", "patterns": ["install"]}]},
                {"id": "c::start", "conditions": [{"kind": "when_all", "flags": ["c.installed"]},
                                                   {"kind": "when_none", "flags": ["c.started"]}]}]}"#,
            "test",
        )
        .unwrap()
    }

    #[test]
    fn short_labels_keep_what_tells_handlers_apart() {
        assert_eq!(
            short_labels(&["a::x::run", "b::x::run", "a::stop", "c::y::go:ep"]),
            ["a::x::run", "b::x::run", "stop", "go:ep"]
        );
    }

    #[test]
    fn observed_sets_and_clears_close_the_loop_and_still_lay_out() {
        let mut g = Graph::from_registry(&registry());
        g.add_observed("c::install", "c.installed", true);
        g.add_observed("c::start", "c.started", true);
        g.add_observed("c::start", "c.started", true);
        g.add_observed("c::start", "c.stale", false);
        let dot = g.to_dot();
        assert!(
            dot.contains(
                r##""handler:c::install" -> "flag:c.installed" [label="sets", color="#15803d", penwidth=2];"##
            ),
            "{dot}"
        );
        assert_eq!(
            dot.matches(r#"-> "flag:c.started" [label="sets","#).count(),
            1,
            "{dot}"
        );
        assert!(
            dot.contains(
                r##""handler:c::start" -> "flag:c.stale" [label="clears", style=dashed, color="#c2410c""##
            ),
            "{dot}"
        );
        // A cycle (flag -> handler -> flag) still renders.
        let svg = render_svg(&dot).unwrap();
        assert!(svg.contains("<svg"));
    }
}
