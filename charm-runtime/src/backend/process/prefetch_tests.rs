//! The early `config-get` over real processes: scripts standing in for
//! the tools, in a directory of their own.

use std::path::{Path, PathBuf};

use super::ProcessBackend;
use super::tests::script_tools;
use crate::backend::{Backend, ToolError};

/// A `config-get` that waits (at most five seconds) for a file `go` the
/// test creates, records whether it saw it, and prints `{"a": 1}`; an
/// `is-leader` that records its call; a `config-get` exits 1 instead when
/// `fail` exists.
fn tools(name: &str) -> PathBuf {
    script_tools(
        &format!("prefetch-{name}"),
        &[
            (
                "config-get",
                r#"d=$(dirname "$0")
i=0
while [ ! -e "$d/go" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
if [ -e "$d/go" ]; then seen=after-go; else seen=gave-up; fi
echo "config-get $seen $*" >> "$d/log"
if [ -e "$d/fail" ]; then echo 'ERROR no config' >&2; exit 1; fi
echo '{"a": 1}'"#,
            ),
            (
                "is-leader",
                r#"echo "is-leader $*" >> "$(dirname "$0")/log"; echo true"#,
            ),
        ],
    )
}

fn log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("log")).unwrap_or_default()
}

fn have_sh() -> bool {
    let ok = Path::new("/bin/sh").is_file();
    if !ok {
        eprintln!("skipped: no /bin/sh");
    }
    ok
}

/// A backend over [`tools`] whose early `config-get` was started before
/// the file it waits for existed: `prefetch_config` returned while the
/// tool waited. `None` (a printed skip) without a shell.
fn prefetched(name: &str) -> Option<(PathBuf, ProcessBackend)> {
    if !have_sh() {
        return None;
    }
    let dir = tools(name);
    let backend = ProcessBackend::with_tools_dir(&dir);
    backend.prefetch_config();
    std::fs::write(dir.join("go"), "").unwrap();
    Some((dir, backend))
}

#[test]
fn the_early_config_get_runs_while_the_hook_goes_on_and_serves_the_config_read() {
    let Some((dir, backend)) = prefetched("serves") else {
        return;
    };
    let config = backend.config_get().unwrap();
    assert_eq!(config["a"], 1);
    // The read took the early call's answer: config-get ran once.
    assert_eq!(log(&dir), "config-get after-go --all --format=json\n");
    // Later reads run the tool again, as without a prefetch.
    backend.config_get().unwrap();
    assert_eq!(log(&dir).lines().count(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn another_tool_waits_for_the_early_config_get_first() {
    let Some((dir, backend)) = prefetched("order") else {
        return;
    };
    assert!(backend.is_leader().unwrap());
    // config-get had ended (and logged) before is-leader started.
    assert_eq!(
        log(&dir),
        "config-get after-go --all --format=json\nis-leader --format=json\n"
    );
    // Its answer is still the config read's.
    assert_eq!(backend.config_get().unwrap()["a"], 1);
    assert_eq!(log(&dir).lines().count(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_failed_early_config_get_is_the_config_reads_error() {
    if !have_sh() {
        return;
    }
    let dir = tools("fails");
    std::fs::write(dir.join("fail"), "").unwrap();
    std::fs::write(dir.join("go"), "").unwrap();
    let backend = ProcessBackend::with_tools_dir(&dir);
    backend.prefetch_config();
    let err = backend.config_get().unwrap_err();
    assert!(matches!(err, ToolError::Failed { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        "hook tool config-get failed (exit code 1): ERROR no config"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_backend_stays_shareable_between_threads_with_a_prefetch_field() {
    // A hook shares one backend with the threads it starts, and the fuzz
    // target keeps one in a `static`: the early call must not take `Sync`
    // away (a compile error here if it does).
    fn shareable<T: Send + Sync>(_: &T) {}
    let backend = ProcessBackend::new();
    shareable(&backend);
    assert!(backend.config.is_idle());
}
