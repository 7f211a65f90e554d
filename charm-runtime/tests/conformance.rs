//! Conformance with charms.reactive 1.5.3: every spec of the committed
//! corpus (generated and run through the real reference by
//! `tools/reference/build_corpus.py`) must print exactly the reference's
//! lines. With `CHARM_REFERENCE_PYTHON` set, a fresh batch is generated and
//! run through the reference now, so drift shows.

mod support;

use std::path::Path;

use charm_runtime::conformance::run_spec_text;

/// Compare every `spec-*.json` in `dir` with its `.expected`; returns how
/// many were checked and the failures.
fn check_dir(dir: &Path) -> (usize, Vec<String>) {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    let mut failures = Vec::new();
    for spec in &names {
        let text = std::fs::read_to_string(spec).unwrap();
        let expected = std::fs::read_to_string(spec.with_extension("expected"))
            .unwrap_or_else(|e| panic!("{}: no .expected: {e}", spec.display()));
        let expected: Vec<&str> = expected.lines().collect();
        match run_spec_text(&text) {
            Ok(lines) if lines == expected => {}
            Ok(lines) => {
                let first = lines
                    .iter()
                    .zip(&expected)
                    .position(|(a, b)| a != b)
                    .unwrap_or(lines.len().min(expected.len()));
                failures.push(format!(
                    "{}: hook #{first}\n  reference: {}\n  runtime:   {}",
                    spec.display(),
                    expected.get(first).unwrap_or(&"<none>"),
                    lines.get(first).map(String::as_str).unwrap_or("<none>"),
                ));
            }
            Err(e) => failures.push(format!("{}: {e}", spec.display())),
        }
    }
    (names.len(), failures)
}

#[test]
fn the_committed_corpus_matches_charms_reactive() {
    let dir = support::repo_root().join("tests/conformance/corpus");
    let (checked, failures) = check_dir(&dir);
    assert!(checked >= 200, "corpus has only {checked} specs");
    assert!(
        failures.is_empty(),
        "{} of {checked} specs differ from charms.reactive:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn a_fresh_batch_matches_charms_reactive_now() {
    let Some(python) = support::reference_python("a_fresh_batch_matches_charms_reactive_now")
    else {
        return;
    };
    let seed = std::env::var("CONFORMANCE_SEED").unwrap_or_else(|_| {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap();
        (t.as_secs() % 1_000_000_000).to_string()
    });
    let out = std::env::temp_dir().join(format!("charm-conformance-{seed}-{}", std::process::id()));
    let py = python.to_str().unwrap();
    support::run_reference(
        &python,
        "build_corpus.py",
        &[
            "--seed",
            &seed,
            "--count",
            "20",
            "--out",
            out.to_str().unwrap(),
            "--python",
            py,
            "--no-readme",
        ],
    );
    let (checked, failures) = check_dir(&out);
    println!("fresh conformance batch: seed {seed}, {checked} specs");
    assert_eq!(checked, 20);
    assert!(
        failures.is_empty(),
        "seed {seed} (rerun with CONFORMANCE_SEED={seed}):\n{}",
        failures.join("\n")
    );
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn the_synthetic_benchmark_spec_matches_charms_reactive() {
    // 1,000 handlers over 300 flags, chains 20 deep; its .expected was
    // produced by tools/reference/oracle.py (see gen_synthetic.py).
    let dir = support::repo_root().join("charm-runtime/benches/data");
    let spec = std::fs::read_to_string(dir.join("synthetic-1000.json")).unwrap();
    let expected = std::fs::read_to_string(dir.join("synthetic-1000.expected")).unwrap();
    let lines = run_spec_text(&spec).unwrap();
    assert_eq!(lines, expected.lines().collect::<Vec<_>>());
}
