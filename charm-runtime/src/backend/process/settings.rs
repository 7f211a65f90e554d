//! The settings document `relation-set --file -` reads on stdin: JSON (valid YAML) with YAML-safe escapes.

use std::collections::BTreeMap;
use std::io::{self, Write};

use crate::backend::ToolError;

/// The settings for `relation-set --file -`: a YAML map, written as a JSON
/// object of strings (JSON is YAML to Juju's go-yaml), a deletion being an
/// empty value.
///
/// serde_json leaves some characters raw that YAML does not accept raw, or
/// reads as line breaks inside a quoted scalar (DEL, the C1 controls with
/// NEL, U+2028, U+2029, a BOM, U+FFFE, U+FFFF); [`YamlSafeJson`] writes them
/// as `\uXXXX` escapes, which both JSON and YAML decode to the same
/// character. `": "` and `", "` separators keep it valid YAML 1.1 too.
pub(super) fn settings_document(
    changes: &BTreeMap<String, Option<String>>,
) -> Result<Vec<u8>, ToolError> {
    use serde::Serialize;

    let map: BTreeMap<&str, &str> = changes
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_deref().unwrap_or("")))
        .collect();
    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, YamlSafeJson);
    // Cannot fail (strings into a Vec), but never send half a document.
    map.serialize(&mut serializer)
        .map_err(|e| ToolError::Refused {
            tool: "relation-set".into(),
            reason: format!("cannot encode the settings: {e}"),
        })?;
    out.push(b'\n');
    Ok(out)
}

/// The content of a secret for `secret-add --file` and `secret-set
/// --file`: a YAML map of strings, written as [`settings_document`] writes
/// relation settings.
pub(super) fn secret_document(
    tool: &str,
    content: &BTreeMap<String, String>,
) -> Result<Vec<u8>, ToolError> {
    use serde::Serialize;

    let mut out = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, YamlSafeJson);
    content
        .serialize(&mut serializer)
        .map_err(|e| ToolError::Refused {
            tool: tool.to_owned(),
            reason: format!("cannot encode the secret's content: {e}"),
        })?;
    out.push(b'\n');
    Ok(out)
}

/// A serde_json formatter whose output is also valid, equivalent YAML.
struct YamlSafeJson;

impl serde_json::ser::Formatter for YamlSafeJson {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if yaml_escapes(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                // Every such character is in the Basic Multilingual Plane.
                write!(writer, "\\u{:04X}", u32::from(c))?;
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_object_key<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            writer.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + Write>(&mut self, writer: &mut W) -> io::Result<()> {
        writer.write_all(b": ")
    }
}

/// Characters serde_json writes raw that must be escaped for YAML: not
/// printable in YAML, or a line break YAML would fold in a quoted scalar.
fn yaml_escapes(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1F}'
            | '\u{7F}'..='\u{9F}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{FEFF}'
            | '\u{FFFE}'
            | '\u{FFFF}'
    )
}

// ---------------------------------------------------------------------------
// Output.

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, Option<&str>)]) -> BTreeMap<String, Option<String>> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.map(str::to_owned)))
            .collect()
    }

    #[test]
    fn settings_document_is_json_with_yaml_safe_escapes() {
        let changes = map(&[
            ("plain", Some("a b=c")),
            ("gone", None),
            (
                "ctl",
                Some("\u{7F}\u{85}\u{2028}\u{2029}\u{FEFF}\u{FFFF}\t\n"),
            ),
            ("uni", Some("é 中文 🦀")),
        ]);
        let doc = settings_document(&changes).unwrap();
        let text = std::str::from_utf8(&doc).unwrap();
        assert_eq!(
            text,
            "{\"ctl\": \"\\u007F\\u0085\\u2028\\u2029\\uFEFF\\uFFFF\\t\\n\", \"gone\": \"\", \
             \"plain\": \"a b=c\", \"uni\": \"é 中文 🦀\"}\n"
        );
        let back: BTreeMap<String, String> = serde_json::from_slice(&doc).unwrap();
        assert_eq!(
            back["ctl"],
            "\u{7F}\u{85}\u{2028}\u{2029}\u{FEFF}\u{FFFF}\t\n"
        );
        assert_eq!(back["gone"], "");
        assert_eq!(back["uni"], "é 中文 🦀");
        assert_eq!(settings_document(&BTreeMap::new()).unwrap(), b"{}\n");
    }
}
