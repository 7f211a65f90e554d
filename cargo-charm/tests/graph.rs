//! `cargo charm graph` on the workspace's example charms (built and asked
//! for their registry, as for any charm) and on registry descriptions.

mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

use common::{run, stderr, stdout, workspace};

/// Node ids and labels of the DOT nodes of one kind (`handler`, `flag`).
fn dot_nodes(dot: &str, kind: &str) -> Vec<(String, String)> {
    let prefix = format!("  \"{kind}:");
    dot.lines()
        .filter(|l| l.starts_with(&prefix) && !l.contains(" -> "))
        .map(|l| {
            let rest = &l[prefix.len()..];
            let (name, rest) = rest.split_once('"').unwrap();
            let label = rest.split("label=\"").nth(1).unwrap();
            let label = label.split('"').next().unwrap();
            (name.to_owned(), label.to_owned())
        })
        .collect()
}

/// The example's binary, built here.
fn example_binary(example: &str) -> String {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "--quiet", "--message-format=json", "-p", example])
        .current_dir(workspace())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|m| m["target"]["name"] == example)
        .find_map(|m| m["executable"].as_str().map(str::to_owned))
        .expect("the example's binary")
}

/// The registry the example's own binary reports (asked directly), as
/// the source of truth for what the graph must show.
fn registry_of(example: &str) -> serde_json::Value {
    let binary = example_binary(example);
    let dir = workspace().join("examples").join(example);
    let out = Command::new(binary)
        .env("CHARM_INTROSPECT", "registry")
        .env("CHARM_DIR", &dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Texts of the SVG's `<text>` elements (edge labels included).
fn svg_texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.tag_name().name() == "text")
        .map(|n| {
            n.descendants()
                .filter(|d| d.is_text())
                .filter_map(|d| d.text())
                .collect::<String>()
                .trim()
                .to_owned()
        })
        .collect()
}

/// Run `graph` on the example and check the DOT and SVG against the
/// example's registry.
fn check_example(example: &str) -> String {
    let out_dir = tempfile::tempdir().unwrap();
    let charm_dir = workspace().join("examples").join(example);
    let out = run([
        Path::new("graph"),
        &charm_dir,
        Path::new("-o"),
        &out_dir.path().join("graphs"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dot_path = out_dir.path().join("graphs").join(format!("{example}.dot"));
    let svg_path = out_dir.path().join("graphs").join(format!("{example}.svg"));
    assert_eq!(
        stdout(&out),
        format!("{}\n{}\n", dot_path.display(), svg_path.display())
    );
    let dot = std::fs::read_to_string(&dot_path).unwrap();
    let svg = std::fs::read_to_string(&svg_path).unwrap();
    assert!(dot.starts_with(&format!("digraph \"{example}\" {{\n  rankdir=LR;")));

    let registry = registry_of(example);
    let handlers: BTreeSet<String> = registry["handlers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect();
    let flags: BTreeSet<String> = registry["handlers"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|h| h["conditions"].as_array().unwrap())
        .flat_map(|c| c["flags"].as_array().cloned().unwrap_or_default())
        .map(|f| f.as_str().unwrap().to_owned())
        .collect();
    assert!(!handlers.is_empty() && !flags.is_empty());

    let dot_handlers = dot_nodes(&dot, "handler");
    let names: BTreeSet<String> = dot_handlers.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(names, handlers, "the DOT names every handler once");
    let dot_flags: BTreeSet<String> = dot_nodes(&dot, "flag")
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert!(
        dot_flags.is_superset(&flags),
        "missing flags: {:?}",
        flags.difference(&dot_flags)
    );

    let texts = svg_texts(&svg);
    for (id, label) in &dot_handlers {
        let n = texts.iter().filter(|t| *t == label).count();
        assert_eq!(n, 1, "{id}: {n} text elements read {label:?}");
    }
    dot
}

#[test]
fn webapp_graph_shows_every_handler_flag_and_condition() {
    let dot = check_example("webapp");
    // What webapp's source declares, as an independent check.
    let handlers: Vec<String> = dot_nodes(&dot, "handler")
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    assert_eq!(
        handlers,
        [
            "webapp::install",
            "webapp::config_changed",
            "webapp::peers_changed",
            "webapp::choose_cluster_id",
            "webapp::configure",
            "webapp::start",
            "webapp::publish_to_peers",
            "webapp::publish_website",
            "webapp::assess_status",
        ]
    );
    for edge in [
        r#""hook:install" -> "handler:webapp::install" [label="hook"];"#,
        r#""flag:config.changed" -> "handler:webapp::config_changed" [label="when"];"#,
        r#""flag:endpoint.cluster.departed" -> "handler:webapp::peers_changed" [label="when_any"];"#,
        r#""flag:webapp.configured" -> "handler:webapp::configure" [label="when_not", style=dashed"#,
    ] {
        assert!(dot.contains(edge), "{edge} not in\n{dot}");
    }
    // Short labels: the crate prefix is dropped.
    assert!(dot.contains(r#""handler:webapp::install" [label="install", shape=box"#));
    assert!(dot.contains(r#""flag:webapp.installed" [label="webapp.installed", shape=ellipse"#));
}

#[test]
fn openstack_api_graph_shows_interface_handlers_and_actions() {
    let dot = check_example("openstack-api");
    // Interface handlers instantiated for the charm's endpoints.
    assert!(dot.contains(r#""handler:charm_interfaces::rabbitmq::RabbitMq::joined:amqp""#));
    assert!(dot.contains(
        r#""action:pause" -> "handler:charm_openstack::actions::pause" [label="action"];"#
    ));
}

const REGISTRY: &str = r#"{
  "introspect": "registry", "version": 1, "charm": "demo",
  "handlers": [
    {"id": "demo::install", "endpoint": null,
     "conditions": [{"kind": "hook", "patterns": ["install"]}, {"kind": "only_once"}]},
    {"id": "demo::render", "endpoint": null,
     "conditions": [{"kind": "when_all", "flags": ["demo.installed"]},
                    {"kind": "when_not_all", "flags": ["a", "b"]},
                    {"kind": "when_file_changed", "files": ["/etc/demo.conf"]}]},
    {"id": "other::render", "endpoint": null,
     "conditions": [{"kind": "action", "name": "refresh"}]}
  ],
  "triggers": [
    {"on": "set", "flag": "config.changed", "action": "clear_flag", "target": "demo.rendered"},
    {"on": "cleared", "flag": "demo.installed", "action": "callback", "target": null}
  ]
}"#;

#[test]
fn triggers_files_actions_and_only_once_from_a_registry_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("registry.json");
    std::fs::write(&file, REGISTRY).unwrap();
    let out = run([
        Path::new("graph"),
        Path::new("unused"),
        Path::new("--registry"),
        &file,
        Path::new("-o"),
        dir.path(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let dot = std::fs::read_to_string(dir.path().join("demo.dot")).unwrap();
    for line in [
        r#""handler:demo::install" [label="install (once)""#,
        // Labels keep as much of the path as tells handlers apart.
        r#""handler:demo::render" [label="demo::render""#,
        r#""handler:other::render" [label="other::render""#,
        r#""flag:a" -> "handler:demo::render" [label="when_not_all", style=dashed"#,
        r#""file:/etc/demo.conf" -> "handler:demo::render" [label="file_changed"];"#,
        r#""action:refresh" -> "handler:other::render" [label="action"];"#,
        r#""flag:config.changed" -> "flag:demo.rendered" [label="on set: clear", style=dashed"#,
        r#""flag:demo.installed" -> "callback:1" [label="on cleared: callback"];"#,
    ] {
        assert!(dot.contains(line), "{line} not in\n{dot}");
    }
    let svg = std::fs::read_to_string(dir.path().join("demo.svg")).unwrap();
    let texts = svg_texts(&svg);
    assert!(texts.iter().any(|t| t == "install (once)"), "{texts:?}");
}

#[test]
fn a_registry_file_that_is_not_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("registry.json");
    std::fs::write(&file, "{\"hello\": 1}").unwrap();
    let out = run([
        Path::new("graph"),
        dir.path(),
        Path::new("--registry"),
        &file,
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("registry.json"), "{err}");
    assert!(err.contains("not a charm registry description"), "{err}");
}

#[test]
fn a_directory_that_is_not_a_crate_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let out = run([Path::new("graph"), dir.path()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("no Cargo.toml"), "{err}");
}

#[test]
fn a_charm_binary_refuses_other_introspection_requests_and_bad_charm_dirs() {
    let binary = example_binary("webapp");
    let out = Command::new(&binary)
        .env("CHARM_INTROSPECT", "everything")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the only request is \"registry\""),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());

    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(&binary)
        .env("CHARM_INTROSPECT", "registry")
        .env("CHARM_DIR", empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("cannot describe the charm in"), "{err}");
    assert!(err.contains(&empty.path().display().to_string()), "{err}");
}

/// The observed edges of `dot` (drawn bold): (handler, label, flag).
fn observed_edges(dot: &str) -> BTreeSet<(String, String, String)> {
    dot.lines()
        .filter(|l| l.contains(" -> ") && l.contains("penwidth=2"))
        .map(|l| {
            let parts: Vec<&str> = l.split('"').collect();
            // `  "handler:H" -> "flag:F" [label="L", ...`
            let handler = parts[1].strip_prefix("handler:").unwrap().to_owned();
            let flag = parts[3].strip_prefix("flag:").unwrap().to_owned();
            (handler, parts[5].to_owned(), flag)
        })
        .collect()
}

#[test]
fn a_scenario_adds_what_the_handlers_really_set_and_cleared() {
    let out_dir = tempfile::tempdir().unwrap();
    let charm_dir = workspace().join("examples/webapp");
    let scenario = workspace().join("scenarios/webapp.yaml");
    let out = run([
        Path::new("graph"),
        &charm_dir,
        Path::new("--scenario"),
        &scenario,
        Path::new("-o"),
        out_dir.path(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("hooks of the charm ran, 9 handlers,"),
        "{}",
        stderr(&out)
    );
    let dot = std::fs::read_to_string(out_dir.path().join("webapp.dot")).unwrap();
    let svg = std::fs::read_to_string(out_dir.path().join("webapp.svg")).unwrap();
    let seen = observed_edges(&dot);
    let edge = |h: &str, l: &str, f: &str| (h.to_owned(), l.to_owned(), f.to_owned());
    for expected in [
        edge("webapp::install", "sets", "webapp.installed"),
        edge("webapp::configure", "sets", "webapp.configured"),
        edge("webapp::start", "sets", "webapp.started"),
        edge("webapp::config_changed", "clears", "webapp.configured"),
        edge(
            "webapp::choose_cluster_id",
            "sets",
            "leadership.set.cluster-id",
        ),
    ] {
        assert!(seen.contains(&expected), "{expected:?} not in {seen:#?}");
    }
    // The runtime's own changes after dispatch (config.changed cleared at
    // the end of the hook) belong to no handler.
    assert!(
        seen.iter().all(|(_, _, f)| !f.starts_with("config.")),
        "{seen:#?}"
    );
    // Observed edges are drawn apart from the registry's: sets green,
    // clears orange and dashed; each is listed once.
    assert!(dot.contains(
        r##""handler:webapp::install" -> "flag:webapp.installed" [label="sets", color="#15803d", penwidth=2];"##
    ));
    assert!(dot.contains(
        r##""handler:webapp::config_changed" -> "flag:webapp.configured" [label="clears", style=dashed, color="#c2410c", penwidth=2];"##
    ));
    assert_eq!(
        dot.lines().filter(|l| l.contains("penwidth=2")).count(),
        seen.len()
    );
    let texts = svg_texts(&svg);
    assert_eq!(
        texts.iter().filter(|t| *t == "sets").count(),
        seen.iter().filter(|(_, l, _)| l == "sets").count(),
        "{texts:?}"
    );
    assert!(texts.iter().any(|t| t == "clears"));
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let green = doc
        .descendants()
        .filter(|n| {
            n.attribute("stroke")
                .is_some_and(|s| s.starts_with("#15803d"))
        })
        .count();
    assert!(green > 0, "no green (observed) edge in the SVG");
}

#[test]
fn a_scenario_that_does_not_run_the_charm_is_an_error_naming_it() {
    let out_dir = tempfile::tempdir().unwrap();
    let out = run([
        Path::new("graph"),
        &workspace().join("examples/webapp"),
        Path::new("--scenario"),
        &workspace().join("scenarios/mysql-innodb-cluster.yaml"),
        Path::new("-o"),
        out_dir.path(),
    ]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("mysql-innodb-cluster.yaml: no application of the scenario runs the charm in"),
        "{err}"
    );
}
