//! Hook-tool output as the process backend decodes it: `relation-get`,
//! `config-get`, `status-get`, `network-get`, `secret-info-get`... run
//! for real, each a
//! script that prints the fuzz input (on stdout, or on stderr with a
//! failing exit). The decoders are private to the backend; this is the
//! path a charm's output takes, through `Backend`.
//!
//! The first input byte picks the tool (low 4 bits) and whether it fails
//! (bit 7); the rest is what it prints.
//!
//! Properties: no panic; every refusal is a `ToolError`; a failed tool's
//! error keeps at most 4 KiB of its stderr.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use charm_runtime::backend::{Backend, DataBag, ProcessBackend, RelationId, SecretRef, ToolError};
use libfuzzer_sys::fuzz_target;

const TOOLS: &[&str] = &[
    "relation-ids",
    "relation-list",
    "relation-get",
    "config-get",
    "is-leader",
    "leader-get",
    "status-get",
    "unit-get",
    "network-get",
    "opened-ports",
    "action-get",
    "secret-info-get",
];

/// A directory with every tool as a symlink to one script, and the
/// backend that runs them.
fn setup() -> &'static (PathBuf, ProcessBackend) {
    static SETUP: OnceLock<(PathBuf, ProcessBackend)> = OnceLock::new();
    SETUP.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("charm-fuzz-tools-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("tools directory");
        let script = dir.join("tool.sh");
        std::fs::write(
            &script,
            "#!/bin/sh\nif [ -e \"$FUZZ_DIR/fail\" ]; then cat \"$FUZZ_DIR/out\" >&2; exit 3; fi\nexec cat \"$FUZZ_DIR/out\"\n",
        )
        .expect("tool script");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
            .expect("tool script mode");
        for tool in TOOLS {
            let link = dir.join(tool);
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(&script, &link).expect("tool symlink");
        }
        let backend = ProcessBackend::with_tools_dir(&dir).with_env([("FUZZ_DIR", &dir)]);
        (dir, backend)
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, output)) = data.split_first() else {
        return;
    };
    let (dir, backend) = setup();
    std::fs::write(dir.join("out"), output).expect("tool output");
    let fail = dir.join("fail");
    if selector & 0x80 != 0 {
        std::fs::write(&fail, b"").expect("fail marker");
    } else {
        let _ = std::fs::remove_file(&fail);
    }
    let relation = RelationId::new("db", 1);
    let result: Result<(), ToolError> = match selector & 0x0f {
        0 => backend.relation_ids("db").map(drop),
        1 => backend.relation_units(&relation).map(drop),
        2 => backend.relation_remote_app(&relation).map(drop),
        3 => backend
            .relation_get(&relation, &DataBag::Unit("app/0".into()))
            .map(drop),
        4 => backend.config_get().map(drop),
        5 => backend.is_leader().map(drop),
        6 => backend.leader_get().map(drop),
        7 => backend.status_get(false).map(drop),
        8 => backend.status_get(true).map(drop),
        9 => backend.unit_get("private-address").map(drop),
        10 => backend.network_get("db", Some(&relation)).map(drop),
        11 => backend.opened_ports().map(drop),
        12 => backend.action_get().map(drop),
        13 => backend
            .relation_get(&relation, &DataBag::App("app".into()))
            .map(drop),
        14 => backend
            .secret_info(&SecretRef::Label("db-password".into()))
            .map(drop),
        _ => backend.network_get("db", None).map(drop),
    };
    if let Err(e) = result {
        let message = e.to_string();
        if let ToolError::Failed { stderr, .. } = &e {
            // The cap, plus the "… (N more bytes)" note.
            assert!(
                stderr.len() <= 4096 + 64,
                "stderr kept whole: {} bytes",
                stderr.len()
            );
        }
        let _ = message;
    }
});
