//! The hooks a charm's `hooks/` directory links to `dispatch`, for Juju
//! before 2.8, which runs `hooks/<name>` instead of `dispatch`.

use charm_names::hook::{HOOKS, RELATION_HOOK_SUFFIXES};

use super::metadata::CharmMeta;

/// Fixed-name hooks that Juju before 2.8 could run: every one of
/// [`HOOKS`] but `collect-metrics` (only with a `metrics.yaml`) and the
/// secret hooks (Juju 3, which always runs `dispatch`).
fn legacy_fixed_hooks() -> impl Iterator<Item = &'static str> {
    HOOKS
        .into_iter()
        .filter(|h| *h != "collect-metrics" && !h.starts_with("secret-"))
}

/// The hook names the metadata implies, sorted: the fixed ones, five
/// relation hooks per endpoint and two storage hooks per storage.
pub fn implied_hooks(meta: &CharmMeta) -> Vec<String> {
    let mut hooks: Vec<String> = legacy_fixed_hooks().map(str::to_owned).collect();
    for endpoint in &meta.endpoints {
        hooks.extend(
            RELATION_HOOK_SUFFIXES
                .iter()
                .map(|s| format!("{endpoint}{s}")),
        );
    }
    for storage in &meta.storage {
        for suffix in ["-storage-attached", "-storage-detaching"] {
            hooks.push(format!("{storage}{suffix}"));
        }
    }
    hooks.sort();
    hooks.dedup();
    hooks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relation_and_storage_hooks_come_from_the_metadata() {
        let meta = CharmMeta {
            name: "c".into(),
            endpoints: vec!["db".into()],
            storage: vec!["data".into()],
            series: Vec::new(),
        };
        let hooks = implied_hooks(&meta);
        for h in [
            "install",
            "start",
            "config-changed",
            "upgrade-charm",
            "update-status",
            "leader-elected",
            "leader-settings-changed",
            "stop",
            "remove",
            "db-relation-created",
            "db-relation-joined",
            "db-relation-changed",
            "db-relation-departed",
            "db-relation-broken",
            "data-storage-attached",
            "data-storage-detaching",
        ] {
            assert!(hooks.iter().any(|x| x == h), "{h} missing from {hooks:?}");
        }
        assert!(!hooks.iter().any(|h| h == "collect-metrics"));
        assert!(!hooks.iter().any(|h| h.starts_with("secret-")));
    }
}
