//! Template lookup by release, the configuration adapter's names, and
//! restarting on change through a recording host.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use charm_openstack::Release;
use charm_openstack::host::{Operation, RecordingHost, ServiceOp};
use charm_openstack::render::{
    Adapters, ConfigAdapter, ConfigFiles, HASH_KEY_PREFIX, RelationValues, RenderError,
    RenderReport, TemplateSearch, Templates, render_files,
};
use charm_runtime::{Handler, HookContext, HookOptions, MemoryStore, Registry, run_hook};
use serde_json::json;

/// A charm directory with `files` (relative path, content) under
/// `templates/`.
fn charm_dir(test: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("render-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, content) in files {
        let path = dir.join("templates").join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

#[test]
fn a_template_is_found_in_the_release_then_older_releases_then_templates() {
    let dir = charm_dir(
        "lookup",
        &[
            ("api.conf", "base"),
            ("paste.ini", "base"),
            ("policy.json", "base"),
            ("mitaka/api.conf", "mitaka"),
            ("mitaka/paste.ini", "mitaka"),
            ("queens/api.conf", "queens"),
            ("epoxy/api.conf", "epoxy"),
        ],
    );
    let render = |release: Release, name: &str| {
        Templates::new(TemplateSearch::new(&dir, release))
            .render(name, &json!({}))
            .unwrap()
    };
    // The release's own directory first.
    assert_eq!(render(Release::QUEENS, "api.conf"), "queens");
    // Then the newest older release's: caracal has no directory, queens does.
    assert_eq!(render(Release::CARACAL, "api.conf"), "queens");
    assert_eq!(render(Release::CARACAL, "paste.ini"), "mitaka");
    // Newer releases' directories are never searched.
    assert_eq!(
        render("pike".parse::<Release>().unwrap(), "api.conf"),
        "mitaka"
    );
    // Then templates/ itself.
    assert_eq!(render(Release::CARACAL, "policy.json"), "base");
    let liberty: Release = "liberty".parse().unwrap();
    assert_eq!(render(liberty, "api.conf"), "base");
    assert_eq!(
        TemplateSearch::new(&dir, Release::CARACAL).dirs(),
        [
            dir.join("templates/queens"),
            dir.join("templates/mitaka"),
            dir.join("templates")
        ]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_missing_template_names_itself_and_the_directories_tried() {
    let dir = charm_dir("missing", &[("queens/api.conf", "x"), ("other", "")]);
    let templates = Templates::new(TemplateSearch::new(&dir, Release::CARACAL));
    let err = templates.render("nova.conf", &json!({})).unwrap_err();
    assert!(matches!(err, RenderError::NotFound { .. }));
    let message = err.to_string();
    assert!(message.contains("nova.conf"), "{message}");
    assert!(
        message.contains(&dir.join("templates/queens").display().to_string()),
        "{message}"
    );
    assert!(
        message.ends_with(&format!("{}", dir.join("templates").display())),
        "{message}"
    );

    // An include that is missing is named with the including template.
    std::fs::write(
        dir.join("templates/queens/api.conf"),
        "{% include \"parts/section-nothing\" %}",
    )
    .unwrap();
    let templates = Templates::new(TemplateSearch::new(&dir, Release::CARACAL));
    let message = templates
        .render("api.conf", &json!({}))
        .unwrap_err()
        .to_string();
    assert!(message.contains("template api.conf"), "{message}");
    assert!(message.contains("parts/section-nothing"), "{message}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_config_adapter_names_options_with_underscores() {
    let values = json!({
        "openstack-origin": "cloud:noble-epoxy",
        "debug": true,
        "worker-multiplier": null,
        "config-flags": "a=1,b=2",
    });
    let options = ConfigAdapter::from_values(values.as_object().unwrap().clone()).property(
        "user-config-flags",
        |o| {
            let flags = o.get("config-flags").and_then(|v| v.as_str()).unwrap_or("");
            Ok(flags
                .split(',')
                .filter_map(|pair| pair.split_once('='))
                .map(|(k, v)| (k.trim().to_owned(), json!(v.trim())))
                .collect())
        },
    );
    assert_eq!(
        options.names(),
        [
            "config_flags",
            "debug",
            "openstack_origin",
            "user_config_flags",
            "worker_multiplier"
        ]
    );
    assert_eq!(
        options.get("openstack-origin"),
        Some(&json!("cloud:noble-epoxy"))
    );
    let adapters = Adapters::new(options);
    let value = adapters.to_value().unwrap();
    assert_eq!(
        value["options"]["user_config_flags"],
        json!({"a": "1", "b": "2"})
    );
    assert_eq!(value["options"]["worker_multiplier"], json!(null));

    let failing = ConfigAdapter::default().property("broken", |_| Err("no flags".to_owned()));
    assert_eq!(
        failing.to_value().unwrap_err().to_string(),
        "config property broken: no flags"
    );
}

/// Run one hook that renders `files` with `adapters` into `host`.
fn render_hook(
    store: &mut MemoryStore,
    host: &Rc<RecordingHost>,
    templates_dir: &Path,
    files: &ConfigFiles,
    adapters: &Adapters,
) -> RenderReport {
    let report: Rc<RefCell<Option<RenderReport>>> = Rc::default();
    let mut registry = Registry::new();
    let (out, host, files, adapters) = (
        report.clone(),
        host.clone(),
        files.clone(),
        adapters.clone(),
    );
    let templates_dir = templates_dir.to_owned();
    registry
        .add(
            Handler::new(
                "render",
                move |ctx: &HookContext| -> Result<(), charm_runtime::Error> {
                    let templates =
                        Templates::new(TemplateSearch::from_dirs(vec![templates_dir.clone()]));
                    let report = render_files(ctx, &*host, &templates, &files, &adapters)?;
                    *out.borrow_mut() = Some(report);
                    Ok(())
                },
            )
            .hook(["config-changed"]),
        )
        .unwrap();
    let outcome = run_hook(&registry, store, HookOptions::new("config-changed"));
    assert!(outcome.is_ok(), "{:?}", outcome.error);
    report.borrow_mut().take().unwrap()
}

fn restarts(host: &RecordingHost) -> Vec<String> {
    host.operations()
        .into_iter()
        .filter_map(|op| match op {
            Operation::Service(ServiceOp::Restart, service) => Some(service),
            _ => None,
        })
        .collect()
}

#[test]
fn services_restart_only_when_their_files_bytes_change() {
    let dir = charm_dir(
        "restart",
        &[
            ("keystone.conf", "[DEFAULT]\ndebug = {{ options.debug }}\n"),
            (
                "ports.conf",
                "Listen {{ options.port }}\n{% if db %}db = {{ db.host }}{% endif %}\n",
            ),
            ("etc_haproxy_haproxy.cfg", "{{ options.port }}"),
        ],
    );
    let templates_dir = dir.join("templates");
    let files = ConfigFiles::new()
        .file("/etc/keystone/keystone.conf", ["apache2"])
        .file("/etc/apache2/ports.conf", ["apache2", "memcached"])
        .file("/etc/haproxy/haproxy.cfg", ["haproxy"])
        .ownership("/etc/keystone/keystone.conf", "root", "keystone", 0o600)
        .mode("/etc/haproxy/haproxy.cfg", 0o644);
    let adapters = |debug: bool, port: u16| {
        Adapters::new(
            ConfigAdapter::default()
                .set("debug", json!(debug))
                .set("port", json!(port)),
        )
    };
    let mut store = MemoryStore::new();

    // The first render is a change: every file's services restart, once.
    let host = Rc::new(RecordingHost::new());
    let report = render_hook(
        &mut store,
        &host,
        &templates_dir,
        &files,
        &adapters(false, 5000),
    );
    assert_eq!(report.changed.len(), 3);
    assert_eq!(report.restarted, ["apache2", "memcached", "haproxy"]);
    assert_eq!(restarts(&host), ["apache2", "memcached", "haproxy"]);
    let keystone = host.file("/etc/keystone/keystone.conf".as_ref()).unwrap();
    assert_eq!(keystone.content, b"[DEFAULT]\ndebug = False");
    assert_eq!(
        (
            keystone.owner.as_str(),
            keystone.group.as_str(),
            keystone.mode
        ),
        ("root", "keystone", 0o600)
    );
    // By default root:root 0640, as charms.openstack writes them.
    let ports = host.file("/etc/apache2/ports.conf".as_ref()).unwrap();
    assert_eq!(
        (ports.owner.as_str(), ports.group.as_str(), ports.mode),
        ("root", "root", 0o640)
    );
    let haproxy = host.file("/etc/haproxy/haproxy.cfg".as_ref()).unwrap();
    assert_eq!(
        (haproxy.owner.as_str(), haproxy.group.as_str(), haproxy.mode),
        ("root", "root", 0o644)
    );
    // The path with `/` as `_` when no template has the base name.
    assert_eq!(
        host.file("/etc/haproxy/haproxy.cfg".as_ref())
            .unwrap()
            .content,
        b"5000"
    );

    // The same bytes again: written, nothing restarted.
    let host = Rc::new(RecordingHost::new());
    let report = render_hook(
        &mut store,
        &host,
        &templates_dir,
        &files,
        &adapters(false, 5000),
    );
    assert_eq!(report.written.len(), 3);
    assert!(!report.any_changed());
    assert!(report.restarted.is_empty());
    assert!(restarts(&host).is_empty());

    // Only keystone.conf changes: only apache2 restarts.
    let host = Rc::new(RecordingHost::new());
    let report = render_hook(
        &mut store,
        &host,
        &templates_dir,
        &files,
        &adapters(true, 5000),
    );
    assert_eq!(
        report.changed,
        [PathBuf::from("/etc/keystone/keystone.conf")]
    );
    assert_eq!(restarts(&host), ["apache2"]);

    // A relation appearing changes ports.conf only.
    let host = Rc::new(RecordingHost::new());
    let with_db =
        adapters(true, 5000).relation(RelationValues::new("db").with("host", "10.0.0.30"));
    let report = render_hook(&mut store, &host, &templates_dir, &files, &with_db);
    assert_eq!(report.changed, [PathBuf::from("/etc/apache2/ports.conf")]);
    assert_eq!(restarts(&host), ["apache2", "memcached"]);
    assert_eq!(
        host.file("/etc/apache2/ports.conf".as_ref())
            .unwrap()
            .content,
        b"Listen 5000\ndb = 10.0.0.30"
    );

    // The port changes two files; apache2 restarts once.
    let host = Rc::new(RecordingHost::new());
    let with_db =
        adapters(true, 8080).relation(RelationValues::new("db").with("host", "10.0.0.30"));
    let report = render_hook(&mut store, &host, &templates_dir, &files, &with_db);
    assert_eq!(report.changed.len(), 2);
    assert_eq!(restarts(&host), ["apache2", "memcached", "haproxy"]);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_file_without_a_template_names_both_names_tried() {
    let dir = charm_dir("notemplate", &[("other.conf", "")]);
    let templates = Templates::new(TemplateSearch::from_dirs(vec![dir.join("templates")]));
    let files = ConfigFiles::new().file("/etc/nova/nova.conf", ["nova-api"]);
    let error: Rc<RefCell<String>> = Rc::default();
    let seen = error.clone();
    let mut registry = Registry::new();
    registry
        .add(
            Handler::new("render", move |ctx: &HookContext| {
                let host = RecordingHost::new();
                let adapters = Adapters::new(ConfigAdapter::default());
                let err = render_files(ctx, &host, &templates, &files, &adapters).unwrap_err();
                *seen.borrow_mut() = err.to_string();
                assert!(host.operations().is_empty());
            })
            .hook(["install"]),
        )
        .unwrap();
    assert!(
        run_hook(
            &registry,
            &mut MemoryStore::new(),
            HookOptions::new("install")
        )
        .is_ok()
    );
    let message = error.borrow().clone();
    assert!(
        message.starts_with(
            "no template nova.conf or etc_nova_nova.conf for /etc/nova/nova.conf; looked in "
        ),
        "{message}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_paused_unit_gets_its_files_but_no_restart() {
    let dir = charm_dir(
        "paused",
        &[("keystone.conf", "debug = {{ options.debug }}\n")],
    );
    let files = ConfigFiles::new().file("/etc/keystone/keystone.conf", ["apache2"]);
    let adapters = Adapters::new(ConfigAdapter::default().set("debug", json!(true)));
    // The pause action's mark in the unit's data.
    let mut store = MemoryStore::new();
    store.data.insert(
        charm_openstack::status::PAUSED_KEY.to_owned(),
        "true".to_owned(),
    );
    let host = Rc::new(RecordingHost::new());
    let report = render_hook(&mut store, &host, &dir.join("templates"), &files, &adapters);
    assert_eq!(report.changed.len(), 1);
    assert!(report.restarted.is_empty());
    assert!(restarts(&host).is_empty());
    assert!(host.file("/etc/keystone/keystone.conf".as_ref()).is_some());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_rendered_password_leaves_no_plain_digest_in_the_unit_state() {
    let dir = charm_dir(
        "digest",
        &[(
            "nova.conf",
            "connection = mysql://nova:{{ db.password }}@db\n",
        )],
    );
    let files = ConfigFiles::new().file("/etc/nova/nova.conf", ["nova-api"]);
    let password = charm_runtime::password::generate(24).unwrap();
    let adapters = Adapters::new(ConfigAdapter::default())
        .relation(RelationValues::new("db").with("password", password.as_str()));
    let mut store = MemoryStore::new();
    // What an earlier version kept: the file's md5 under the key itself.
    let key = format!("{HASH_KEY_PREFIX}/etc/nova/nova.conf");
    store
        .data
        .insert(key.clone(), "\"0123456789abcdef\"".into());
    let host = Rc::new(RecordingHost::new());
    let report = render_hook(&mut store, &host, &dir.join("templates"), &files, &adapters);
    assert_eq!(report.restarted, ["nova-api"]);
    let content = host.file("/etc/nova/nova.conf".as_ref()).unwrap().content;
    let md5 = format!("{:x}", md5_of(&content));
    let kept = format!("{:?}", store.data);
    assert!(!kept.contains(&md5) && !kept.contains(&password), "{kept}");
    assert!(!store.data.contains_key(&key), "the old md5 is gone");
    assert!(
        store
            .data
            .contains_key(&format!("reactive.data_changed_secret.{key}"))
    );
    // Unchanged: nothing restarts.
    let host = Rc::new(RecordingHost::new());
    let report = render_hook(&mut store, &host, &dir.join("templates"), &files, &adapters);
    assert!(report.restarted.is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The md5 of `bytes`, as the unit state held it before.
fn md5_of(bytes: &[u8]) -> md5::Digest {
    md5::compute(bytes)
}
