//! A host that records what it is asked to do, logs it, and reports a
//! machine where everything works.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use super::{FileSpec, Host, HostError, ServiceOp, shown};

/// One operation a [`RecordingHost`] was asked to perform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Operation {
    /// `install`.
    Install(Vec<String>),
    /// A service operation.
    Service(ServiceOp, String),
    /// A file written.
    WriteFile {
        /// Where.
        path: PathBuf,
        /// Owner, group and mode as `root:keystone 0640`.
        ownership: String,
    },
    /// A command run.
    Run(Vec<String>),
}

/// Records each operation and logs it as `would ...` (through the `log`
/// facade, so under Juju it reaches `juju-log`) instead of touching the
/// machine. It answers as a machine where everything works: every service
/// runs, every port listens, no package is installed yet; a test can say
/// otherwise with [`RecordingHost::stopped`] and [`RecordingHost::closed`].
#[derive(Debug, Default)]
pub struct RecordingHost {
    operations: RefCell<Vec<Operation>>,
    files: RefCell<BTreeMap<PathBuf, FileSpec>>,
    stopped: RefCell<BTreeSet<String>>,
    closed: BTreeSet<u16>,
    series: Option<String>,
}

impl RecordingHost {
    /// A host where everything works, on Ubuntu 24.04 (`noble`).
    pub fn new() -> Self {
        Self::default()
    }

    /// The same, with `service` not running until something starts it.
    pub fn stopped(self, service: &str) -> Self {
        self.stopped.borrow_mut().insert(service.to_owned());
        self
    }

    /// The same, with nothing listening on `port`.
    pub fn closed(mut self, port: u16) -> Self {
        self.closed.insert(port);
        self
    }

    /// The same, on Ubuntu `series`.
    pub fn on_series(mut self, series: &str) -> Self {
        self.series = Some(series.to_owned());
        self
    }

    /// Every operation so far, in order.
    pub fn operations(&self) -> Vec<Operation> {
        self.operations.borrow().clone()
    }

    /// The last content written to `path`.
    pub fn file(&self, path: &std::path::Path) -> Option<FileSpec> {
        self.files.borrow().get(path).cloned()
    }

    fn record(&self, operation: Operation, message: String) {
        log::info!("would {message}");
        self.operations.borrow_mut().push(operation);
    }
}

impl Host for RecordingHost {
    fn install(&self, packages: &[String]) -> Result<(), HostError> {
        self.record(
            Operation::Install(packages.to_vec()),
            format!("install {}", packages.join(" ")),
        );
        Ok(())
    }

    fn service(&self, op: ServiceOp, service: &str) -> Result<(), HostError> {
        match op {
            ServiceOp::Stop => self.stopped.borrow_mut().insert(service.to_owned()),
            ServiceOp::Start | ServiceOp::Restart | ServiceOp::Reload => {
                self.stopped.borrow_mut().remove(service)
            }
            // Enabling or disabling at boot changes nothing now.
            ServiceOp::Enable | ServiceOp::Disable => false,
        };
        self.record(
            Operation::Service(op, service.to_owned()),
            format!("{} {service}", op.verb()),
        );
        Ok(())
    }

    fn is_running(&self, service: &str) -> Result<bool, HostError> {
        Ok(!self.stopped.borrow().contains(service))
    }

    fn is_listening(&self, port: u16) -> Result<bool, HostError> {
        Ok(!self.closed.contains(&port))
    }

    fn write_file(&self, file: &FileSpec) -> Result<(), HostError> {
        let ownership = format!("{}:{} {:04o}", file.owner, file.group, file.mode);
        self.record(
            Operation::WriteFile {
                path: file.path.clone(),
                ownership: ownership.clone(),
            },
            format!(
                "write {} ({} bytes, {ownership})",
                shown(&file.path),
                file.content.len()
            ),
        );
        self.files
            .borrow_mut()
            .insert(file.path.clone(), file.clone());
        Ok(())
    }

    fn run(&self, argv: &[String]) -> Result<(), HostError> {
        self.record(
            Operation::Run(argv.to_vec()),
            format!("run {}", argv.join(" ")),
        );
        Ok(())
    }

    fn package_version(&self, _package: &str) -> Result<Option<String>, HostError> {
        Ok(None)
    }

    fn series(&self) -> Result<String, HostError> {
        Ok(self.series.clone().unwrap_or_else(|| "noble".to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operations_are_recorded_and_services_follow_them() {
        let host = RecordingHost::new().stopped("haproxy").closed(5000);
        assert!(!host.is_running("haproxy").unwrap());
        assert!(host.is_running("apache2").unwrap());
        assert!(!host.is_listening(5000).unwrap());
        assert!(host.is_listening(35357).unwrap());
        host.service(ServiceOp::Restart, "haproxy").unwrap();
        assert!(host.is_running("haproxy").unwrap());
        host.service(ServiceOp::Stop, "apache2").unwrap();
        assert!(!host.is_running("apache2").unwrap());
        host.write_file(&FileSpec {
            path: "/etc/keystone/keystone.conf".into(),
            content: b"[DEFAULT]\n".to_vec(),
            owner: "root".into(),
            group: "keystone".into(),
            mode: 0o640,
        })
        .unwrap();
        assert_eq!(
            host.operations(),
            [
                Operation::Service(ServiceOp::Restart, "haproxy".into()),
                Operation::Service(ServiceOp::Stop, "apache2".into()),
                Operation::WriteFile {
                    path: "/etc/keystone/keystone.conf".into(),
                    ownership: "root:keystone 0640".into()
                },
            ]
        );
        assert_eq!(
            host.file("/etc/keystone/keystone.conf".as_ref())
                .unwrap()
                .content,
            b"[DEFAULT]\n"
        );
        assert_eq!(host.series().unwrap(), "noble");
    }
}
