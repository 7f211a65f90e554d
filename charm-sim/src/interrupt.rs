//! Stopping every simulation of the process at once, for a program that is
//! interrupted (Ctrl-C).
//!
//! Each hook process runs in a process group of its own (so that a hook
//! that times out is killed with the children it started), which also
//! means the terminal's Ctrl-C, sent to the foreground group, never
//! reaches it: interrupted, `cargo charm sim` would exit and leave the
//! running hook behind, and the model's temporary directory with it. The
//! simulator therefore keeps, for the whole process, the process groups of
//! the hooks running now and the model directories it is to remove;
//! [`stop_everything`] kills the former and removes the latter.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

/// What is running or lying around now.
struct Live {
    /// The process group (the hook process's id) of each hook running.
    hook_groups: BTreeSet<i32>,
    /// The temporary directory of each simulation that removes its own.
    model_dirs: BTreeSet<PathBuf>,
}

/// Set by [`stop_everything`] before it kills anything.
static STOPPED: AtomicBool = AtomicBool::new(false);

/// Whether [`stop_everything`] has been called in this process. A
/// simulation whose hooks it killed fails; the program that called it
/// exits with its own status, so the thread that ran the simulation must
/// not report that failure and exit first:
///
/// ```no_run
/// # fn run_scenario() -> Result<(), String> { Ok(()) }
/// let result = run_scenario();
/// if charm_sim::interrupt::stopped() {
///     // The interrupt handler is removing the model and will exit.
///     loop {
///         std::thread::park();
///     }
/// }
/// ```
pub fn stopped() -> bool {
    STOPPED.load(Ordering::SeqCst)
}

static LIVE: Mutex<Live> = Mutex::new(Live {
    hook_groups: BTreeSet::new(),
    model_dirs: BTreeSet::new(),
});

fn live() -> MutexGuard<'static, Live> {
    // A panic while holding the lock leaves the sets as they were: usable.
    LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Kill every hook process running now, in any simulation of this
/// process, with its whole process group (SIGKILL), and remove the
/// temporary directory of every simulation not asked to keep it. Returns
/// how many hooks were killed.
///
/// For a program about to exit because it was interrupted: the
/// simulations themselves are left unusable (their hooks fail as killed,
/// their directories are gone).
///
/// ```no_run
/// // cargo charm sim does this on Ctrl-C (with the `ctrlc` crate).
/// let killed = charm_sim::interrupt::stop_everything();
/// eprintln!("interrupted: {killed} hook(s) killed");
/// std::process::exit(130);
/// ```
pub fn stop_everything() -> usize {
    STOPPED.store(true, Ordering::SeqCst);
    let mut live = live();
    let groups = std::mem::take(&mut live.hook_groups);
    for group in &groups {
        // Already gone is fine.
        let _ = killpg(Pid::from_raw(*group), Signal::SIGKILL);
    }
    for dir in std::mem::take(&mut live.model_dirs) {
        let _ = std::fs::remove_dir_all(dir);
    }
    groups.len()
}

/// A hook process running in its own group, known to [`stop_everything`]
/// until dropped (once its exit is collected).
pub(crate) struct RunningHook(i32);

impl RunningHook {
    pub(crate) fn new(group: i32) -> Self {
        live().hook_groups.insert(group);
        Self(group)
    }
}

impl Drop for RunningHook {
    fn drop(&mut self) {
        live().hook_groups.remove(&self.0);
    }
}

/// A simulation's temporary directory, removed by [`stop_everything`].
pub(crate) fn model_opened(dir: &Path) {
    live().model_dirs.insert(dir.to_path_buf());
}

/// The simulation removed its directory itself (or is keeping it).
pub(crate) fn model_closed(dir: &Path) {
    live().model_dirs.remove(dir);
}
