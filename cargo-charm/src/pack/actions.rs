//! The actions of `actions.yaml`, which a charm's `actions/` directory
//! links to `dispatch` for Juju before 2.8 (it runs `actions/<name>`).

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::IgnoredAny;

use super::error::PackError;

/// The action names of `actions.yaml` in `dir`, sorted; none without the
/// file.
pub fn read(dir: &Path) -> Result<Vec<String>, PackError> {
    let path = dir.join("actions.yaml");
    if !path.is_file() {
        return Ok(Vec::new());
    }
    let text = std::fs::read_to_string(&path).map_err(PackError::io(&path, "cannot read"))?;
    parse(&text).map_err(|reason| PackError::Metadata { path, reason })
}

/// The action names of the text of an `actions.yaml`.
pub fn parse(text: &str) -> Result<Vec<String>, String> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let actions: Option<BTreeMap<String, IgnoredAny>> =
        serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
    let names: Vec<String> = actions.unwrap_or_default().into_keys().collect();
    if let Some(bad) = names.iter().find(|n| n.contains('/') || n.starts_with('.')) {
        return Err(format!(
            "{bad:?} cannot name an action (nor a file under actions/)"
        ));
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names() {
        assert_eq!(
            parse("resume: {description: r}\npause:\n  description: p\n").unwrap(),
            ["pause", "resume"]
        );
        assert!(parse("").unwrap().is_empty());
        assert!(parse("../x: {}\n").is_err());
        assert!(parse("- a\n").is_err());
    }
}
