//! metadata.yaml, charmcraft.yaml, config.yaml and actions.yaml: every
//! parser on the same text. None may panic; each answers a value or a
//! typed `MetadataError`.
#![no_main]

use charm_runtime::metadata::{ActionsSchema, ConfigSchema, Metadata};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(meta) = Metadata::parse(text, "metadata.yaml") {
        // The queries a charm makes of its metadata at start.
        for name in meta.relation_names() {
            if let Some((role, interface)) = meta.role_and_interface(name) {
                let _ = meta.endpoints_for(role, interface);
            }
        }
        let _ = meta.relation_resolver();
    }
    let _ = ActionsSchema::parse(text, "actions.yaml").map(|a| a.names().len());
    let _ = ActionsSchema::parse_charmcraft(text, "charmcraft.yaml");
    if let Ok(schema) = ConfigSchema::parse(text, "config.yaml") {
        let _ = schema.defaults();
    }
    if let Ok(schema) = ConfigSchema::parse_charmcraft(text, "charmcraft.yaml") {
        let _ = schema.defaults();
    }
});
