//! The real host's commands, run against stand-in tools in a directory:
//! argv only, apt-get retried while the dpkg lock is held and not
//! otherwise, failures naming the command and how it ended.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use charm_openstack::host::{Host, HostError, ServiceOp, SystemHost};

/// One test at a time: a test writes a stand-in tool and runs it; if
/// another thread forked between the write and the close, the child
/// would hold the file open for writing and running it would fail with
/// "text file busy" (ETXTBSY).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// A scratch directory holding stand-in tools, removed when dropped.
struct Tools(PathBuf, #[allow(dead_code)] MutexGuard<'static, ()>);

impl Tools {
    fn new(name: &str) -> Self {
        let guard = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let dir = std::env::temp_dir().join(format!("system-host-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir, guard)
    }

    /// A stand-in `name` running `body` (sh), which logs its arguments.
    fn tool(&self, name: &str, body: &str) {
        let path = self.0.join(name);
        let log = self.0.join("calls");
        std::fs::write(
            &path,
            format!(
                "#!/bin/sh\necho \"{name} $*\" >> '{}'\n{body}\n",
                log.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.0.join("calls"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn host(&self) -> SystemHost {
        SystemHost::new()
            .with_tools_dir(&self.0)
            .with_lock_retries(3, Duration::from_millis(1))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for Tools {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[test]
fn apt_get_is_retried_while_the_dpkg_lock_is_held() {
    let tools = Tools::new("lock");
    // Held for the first two calls, then free.
    let count = tools.path().join("count");
    tools.tool(
        "apt-get",
        &format!(
            "n=$(cat '{c}' 2>/dev/null || echo 0); echo $((n+1)) > '{c}'\n\
             if [ $n -lt 2 ]; then echo 'E: Could not get lock /var/lib/dpkg/lock-frontend' >&2; exit 100; fi",
            c = count.display()
        ),
    );
    tools
        .host()
        .install(&["keystone".to_owned(), "-rf".to_owned()])
        .unwrap();
    let calls = tools.calls();
    assert_eq!(calls.len(), 3, "{calls:?}");
    // The package names follow `--`: a name like `-rf` is no option.
    assert_eq!(
        calls[2],
        "apt-get --assume-yes --option=Dpkg::Options::=--force-confold install -- keystone -rf"
    );
}

#[test]
fn other_apt_get_failures_are_not_retried_and_name_the_command() {
    let tools = Tools::new("missing");
    tools.tool(
        "apt-get",
        "echo 'E: Unable to locate package nosuchpackage' >&2; exit 100",
    );
    let err = tools
        .host()
        .install(&["nosuchpackage".to_owned()])
        .unwrap_err();
    assert_eq!(tools.calls().len(), 1);
    match &err {
        HostError::Failed { status, stderr, .. } => {
            assert_eq!(status, "exit status 100");
            assert_eq!(stderr, "E: Unable to locate package nosuchpackage");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().starts_with("apt-get --assume-yes"), "{err}");
}

#[test]
fn a_lock_held_for_good_fails_after_the_retries() {
    let tools = Tools::new("held");
    tools.tool(
        "apt-get",
        "echo 'E: Could not get lock /var/lib/dpkg/lock' >&2; exit 100",
    );
    assert!(tools.host().install(&["keystone".to_owned()]).is_err());
    // The first try and three more.
    assert_eq!(tools.calls().len(), 4);
}

#[test]
fn services_through_systemctl() {
    let tools = Tools::new("systemctl");
    tools.tool(
        "systemctl",
        "if [ \"$1\" = is-active ] && [ \"$4\" = apache2 ]; then exit 0; fi\n\
         if [ \"$1\" = is-active ]; then exit 3; fi",
    );
    let host = tools.host();
    host.service(ServiceOp::Restart, "apache2").unwrap();
    assert!(host.is_running("apache2").unwrap());
    assert!(!host.is_running("haproxy").unwrap());
    assert_eq!(
        tools.calls(),
        [
            "systemctl restart -- apache2",
            "systemctl is-active --quiet -- apache2",
            "systemctl is-active --quiet -- haproxy",
        ]
    );
}

#[test]
fn a_missing_tool_is_an_error_naming_it() {
    let tools = Tools::new("none");
    let err = tools
        .host()
        .run(&["keystone-manage".to_owned(), "db_sync".to_owned()]);
    match err {
        Err(HostError::Spawn { command, .. }) => assert_eq!(command, "keystone-manage db_sync"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn files_are_written_whole_with_their_owner_group_and_mode() {
    use charm_openstack::host::FileSpec;
    use std::os::unix::fs::MetadataExt;

    let tools = Tools::new("files");
    let path = tools.path().join("etc/api/api.conf");
    let host = tools.host();
    let spec = |content: &str, mode| FileSpec {
        path: path.clone(),
        content: content.as_bytes().to_vec(),
        owner: "root".into(),
        group: "root".into(),
        mode,
    };
    host.write_file(&spec("[DEFAULT]\ndebug = True\n", 0o640))
        .unwrap();
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!(meta.mode() & 0o7777, 0o640);
    assert_eq!((meta.uid(), meta.gid()), (0, 0));
    // Replaced whole: no temporary file is left beside it.
    host.write_file(&spec("[DEFAULT]\n", 0o600)).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "[DEFAULT]\n");
    assert_eq!(std::fs::metadata(&path).unwrap().mode() & 0o7777, 0o600);
    let entries = std::fs::read_dir(path.parent().unwrap()).unwrap().count();
    assert_eq!(entries, 1);
    // An owner the machine does not have is named, and nothing is written.
    let mut bad = spec("x", 0o644);
    bad.owner = "no-such-user-here".into();
    match host.write_file(&bad) {
        Err(HostError::NoSuchOwner { kind, name }) => {
            assert_eq!((kind, name.as_str()), ("user", "no-such-user-here"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "[DEFAULT]\n");
}
