//! Fault points: a testing hook that aborts the process at a chosen step
//! of a hook's commit and sends, to prove that a hook killed anywhere is
//! repaired by the next one (see `docs/failures.md`).
//!
//! With `CHARM_FAULT_AT=<n>` (a number from 1) the process aborts
//! ([`std::process::abort`], as `kill -9` would end it, no destructor or
//! `atexit` runs) at the `n`-th fault point it reaches; with
//! `CHARM_FAULT_AT=<name>` at the first point of that name. Before
//! aborting it prints one line to standard error naming the point. Unset,
//! a fault point costs one load of an initialised cell and a branch.
//!
//! The points, in the order a hook reaches them: `recover` (before the
//! writes of an earlier hook are checked and resent), one point before
//! each write tool call (`relation-set`, `leader-set`, `close-port`,
//! `open-port`, `application-version-set`, `status-set`, `action-set`,
//! `action-fail`, resent or not), `commit` (before the unit state's
//! transaction), `sqlite-commit` (inside it, every statement run, before
//! `COMMIT`), `committed` (after it, before the sends), `sent` (after the
//! last send) and `sqlite-commit` again when the journal is trimmed after
//! the sends.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable naming the fault point to abort at.
pub const FAULT_VAR: &str = "CHARM_FAULT_AT";

enum Target {
    Nth(u64),
    Named(String),
}

fn target() -> Option<&'static Target> {
    static TARGET: OnceLock<Option<Target>> = OnceLock::new();
    TARGET
        .get_or_init(|| {
            let value = std::env::var(FAULT_VAR).ok()?;
            let value = value.trim();
            if value.is_empty() {
                return None;
            }
            Some(match value.parse() {
                Ok(n) => Target::Nth(n),
                Err(_) => Target::Named(value.to_owned()),
            })
        })
        .as_ref()
}

/// Pass the fault point `name`: abort here if `CHARM_FAULT_AT` says so.
pub(crate) fn point(name: &str) {
    static PASSED: AtomicU64 = AtomicU64::new(0);
    let Some(target) = target() else {
        return;
    };
    let n = PASSED.fetch_add(1, Ordering::Relaxed) + 1;
    let hit = match target {
        Target::Nth(at) => *at == n,
        Target::Named(at) => at == name,
    };
    if hit {
        eprintln!("{FAULT_VAR}: aborting at fault point {n} ({name})");
        std::process::abort();
    }
}
