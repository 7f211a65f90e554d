//! Byte-for-byte agreement with Jinja2 as charmhelpers sets it up: every
//! template under `tests/templates/`, and every template of the
//! `openstack-api` example charm, rendered by the Rust engine and by
//! Python's Jinja2 (`tools/reference/render_jinja2.py`) on the same JSON
//! context gives the same bytes.
//!
//! The comparison runs when `CHARM_REFERENCE_PYTHON` names a Python with
//! `tools/reference/requirements.txt` installed (`.ci/run` sets it; a
//! missing Jinja2 then fails the test); otherwise it prints a skip, after
//! checking that every template renders.

use std::path::{Path, PathBuf};
use std::process::Command;

use charm_openstack::render::{TemplateSearch, Templates};

fn tests_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests")
}

/// Every file under `dir`, as names relative to `root` with `/`.
fn template_names(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            template_names(root, &path, out);
        } else {
            let relative = path.strip_prefix(root).unwrap();
            let parts: Vec<_> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            out.push(parts.join("/"));
        }
    }
}

/// The reference interpreter, or `None` (with a printed skip).
fn reference_python() -> Option<PathBuf> {
    let Some(python) = std::env::var_os("CHARM_REFERENCE_PYTHON") else {
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "skipped the Jinja2 comparison: CHARM_REFERENCE_PYTHON is not set (.ci/run sets it)"
        );
        return None;
    };
    let python = PathBuf::from(python);
    let probe = Command::new(&python)
        .args(["-c", "import jinja2; assert jinja2.__version__ == '3.1.6'"])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "CHARM_REFERENCE_PYTHON={}: cannot run: {e}",
                python.display()
            )
        });
    assert!(
        probe.status.success(),
        "CHARM_REFERENCE_PYTHON={} does not have Jinja2 3.1.6 (tools/reference/requirements.txt): {}",
        python.display(),
        String::from_utf8_lossy(&probe.stderr)
    );
    Some(python)
}

/// Where two renderings first differ, for the failure message.
fn first_difference(ours: &str, theirs: &str) -> String {
    for (n, (a, b)) in ours.split('\n').zip(theirs.split('\n')).enumerate() {
        if a != b {
            return format!("line {}: ours {a:?}, Jinja2 {b:?}", n + 1);
        }
    }
    format!(
        "lengths: ours {} lines ({} bytes), Jinja2 {} lines ({} bytes)",
        ours.split('\n').count(),
        ours.len(),
        theirs.split('\n').count(),
        theirs.len()
    )
}

#[test]
fn every_template_renders_as_jinja2_renders_it() {
    compare(
        &tests_dir().join("templates"),
        &tests_dir().join("render-context.json"),
        8,
    );
}

#[test]
fn the_example_charms_templates_render_as_jinja2_renders_them() {
    let example = tests_dir().join("../../examples/openstack-api");
    compare(
        &example.join("templates"),
        &example.join("tests/render-context.json"),
        6,
    );
}

/// Render every template under `templates_dir` with the context in
/// `context_path` (at least `at_least` of them), and compare with Jinja2.
fn compare(templates_dir: &Path, context_path: &Path, at_least: usize) {
    let templates_dir = templates_dir.to_owned();
    let context: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(context_path).unwrap()).unwrap();
    let templates = Templates::new(TemplateSearch::from_dirs(vec![templates_dir.clone()]));

    let mut names = Vec::new();
    template_names(&templates_dir, &templates_dir, &mut names);
    assert!(names.len() >= at_least, "only {names:?}");
    let rendered: Vec<(String, String)> = names
        .iter()
        .map(|name| {
            let text = templates
                .render(name, &context)
                .unwrap_or_else(|e| panic!("{e}"));
            (name.clone(), text)
        })
        .collect();

    let Some(python) = reference_python() else {
        return;
    };
    let script = tests_dir().join("../../tools/reference/render_jinja2.py");
    let mut differences = Vec::new();
    for (name, ours) in &rendered {
        let out = Command::new(&python)
            .arg(&script)
            .arg(&templates_dir)
            .arg(name)
            .arg(context_path)
            .output()
            .unwrap_or_else(|e| panic!("cannot run render_jinja2.py: {e}"));
        assert!(
            out.status.success(),
            "render_jinja2.py {name} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let theirs = String::from_utf8(out.stdout).unwrap();
        if *ours != theirs {
            differences.push(format!("{name}: {}", first_difference(ours, &theirs)));
        }
    }
    assert!(
        differences.is_empty(),
        "{} of {} templates differ from Jinja2:\n{}",
        differences.len(),
        rendered.len(),
        differences.join("\n")
    );
}
