//! What an OpenStack charm does to its machine, behind a trait: install
//! packages, start, stop and restart services, ask whether a service runs
//! and a port listens, write configuration files, run a command.
//!
//! [`SystemHost`] does it for real (apt-get, systemctl, the kernel's socket
//! table; argv, never a shell). [`RecordingHost`] records and logs each
//! operation instead, and is what a hook uses when the machine must not be
//! touched: when [`HookEnv::simulated_host`](charm_runtime::env::HookEnv::simulated_host)
//! is set (`CHARM_HOST=simulated` in a simulated model, the harness, a hook
//! run without Juju). [`host`] gives the hook's host.

mod recording;
mod system;

use std::path::{Path, PathBuf};
use std::rc::Rc;

use charm_runtime::HookContext;

pub use recording::{Operation, RecordingHost};
pub use system::SystemHost;

/// A service operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceOp {
    /// `systemctl start`.
    Start,
    /// `systemctl stop`.
    Stop,
    /// `systemctl restart`.
    Restart,
    /// `systemctl reload`.
    Reload,
    /// `systemctl enable`: started at boot (charm-managed, see
    /// [`OpenStack::enable_services`](crate::OpenStack::enable_services)).
    Enable,
    /// `systemctl disable`: not started at boot.
    Disable,
}

impl ServiceOp {
    /// The `systemctl` verb.
    pub fn verb(self) -> &'static str {
        match self {
            ServiceOp::Start => "start",
            ServiceOp::Stop => "stop",
            ServiceOp::Restart => "restart",
            ServiceOp::Reload => "reload",
            ServiceOp::Enable => "enable",
            ServiceOp::Disable => "disable",
        }
    }
}

/// A file to write: its content, and who owns it with what mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSpec {
    /// Where.
    pub path: PathBuf,
    /// The bytes.
    pub content: Vec<u8>,
    /// The owning user (`root`, `keystone`).
    pub owner: String,
    /// The owning group.
    pub group: String,
    /// The permission bits (`0o640`).
    pub mode: u32,
}

/// An operation on the machine failed.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// A command could not be started.
    #[error("{command}: cannot run: {source}")]
    Spawn {
        /// The command, as run.
        command: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A command ran and failed.
    #[error("{command}: {status}{}", if stderr.is_empty() { String::new() } else { format!(": {stderr}") })]
    Failed {
        /// The command, as run.
        command: String,
        /// How it ended (`exit status 100`, `killed by signal 9`).
        status: String,
        /// The end of its standard error.
        stderr: String,
    },
    /// A file operation failed.
    #[error("{}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A user or group does not exist on the machine.
    #[error("no {kind} {name:?} on this machine")]
    NoSuchOwner {
        /// `user` or `group`.
        kind: &'static str,
        /// The name.
        name: String,
    },
    /// What the machine answered could not be read.
    #[error("{what}: {reason}")]
    Unreadable {
        /// What was read.
        what: String,
        /// Why it makes no sense.
        reason: String,
    },
}

/// The machine, as an OpenStack charm acts on it.
pub trait Host {
    /// Install `packages` (already installed ones are left as they are).
    fn install(&self, packages: &[String]) -> Result<(), HostError>;

    /// Start, stop, restart or reload `service`.
    fn service(&self, op: ServiceOp, service: &str) -> Result<(), HostError>;

    /// Whether `service` is running.
    fn is_running(&self, service: &str) -> Result<bool, HostError>;

    /// Whether something listens on TCP `port`.
    fn is_listening(&self, port: u16) -> Result<bool, HostError>;

    /// Write a file atomically (a reader sees the old content or the new,
    /// never a part), with its owner, group and mode.
    fn write_file(&self, file: &FileSpec) -> Result<(), HostError>;

    /// Run a command (a database migration), argv only.
    fn run(&self, argv: &[String]) -> Result<(), HostError>;

    /// The installed version of `package`, if it is installed.
    fn package_version(&self, package: &str) -> Result<Option<String>, HostError>;

    /// The machine's Ubuntu series (`noble`).
    fn series(&self) -> Result<String, HostError>;
}

/// The host of one hook, as attached to the context.
#[derive(Clone)]
pub struct HostHandle(pub Rc<dyn Host>);

/// The hook's host: the one attached to the context
/// (`ctx.extensions().insert(Rc::new(HostHandle(..)))`, how a test brings
/// its own), else a [`RecordingHost`] when the environment says the host is
/// simulated, else the [`SystemHost`].
///
/// ```
/// use charm_openstack::host::{self, Host};
/// # use charm_runtime::{Handler, HookContext, HookOptions, MemoryStore, Registry, run_hook};
/// # let mut r = Registry::new();
/// # r.add(Handler::new("h", |ctx: &HookContext| {
/// // Without Juju around the hook, the machine is never touched.
/// let host = host::host(ctx);
/// assert!(host.is_running("apache2").unwrap());
/// # }).hook(["install"])).unwrap();
/// # assert!(run_hook(&r, &mut MemoryStore::new(), HookOptions::new("install")).is_ok());
/// ```
pub fn host(ctx: &HookContext) -> Rc<dyn Host> {
    ctx.extensions()
        .get_or_insert_with(|| {
            let host: Rc<dyn Host> = if ctx.juju().env().simulated_host {
                Rc::new(RecordingHost::new())
            } else {
                Rc::new(SystemHost::new())
            };
            HostHandle(host)
        })
        .0
        .clone()
}

/// `path` as shown in messages.
fn shown(path: &Path) -> String {
    path.display().to_string()
}
