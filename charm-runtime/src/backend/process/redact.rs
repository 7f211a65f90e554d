//! What a tool was sent, kept out of its stderr.
//!
//! A failing tool's stderr goes into [`ToolError::Failed`], and from there
//! into the hook's `ERROR` log line. A tool that was sent values (the
//! settings `relation-set --file -` reads on stdin, the content of a Juju
//! secret in the file `secret-add --file` reads) may echo them back in
//! its error ("cannot parse settings: ..."), so every value it was sent
//! is replaced by [`REDACTED`] before its stderr is kept: as sent, and as
//! JSON or YAML would quote it.
//!
//! [`ToolError::Failed`]: crate::backend::ToolError::Failed

/// What stands for a value in a tool's stderr.
pub(crate) const REDACTED: &str = "«redacted»";

/// Values shorter than this are not redacted: they cannot hide a secret
/// worth the name, and replacing them (`1`, `no`) would garble the message
/// around them.
pub(crate) const MIN_REDACTED_LEN: usize = 4;

/// `stderr` with every value of `sent` (of at least [`MIN_REDACTED_LEN`]
/// bytes) replaced by [`REDACTED`], longest first, so a value that
/// contains another is replaced whole.
pub(super) fn redact(stderr: &str, sent: &[&str]) -> String {
    let mut forms: Vec<String> = Vec::new();
    for value in sent.iter().filter(|v| v.len() >= MIN_REDACTED_LEN) {
        forms.push((*value).to_owned());
        // As JSON (and YAML's double-quoted style) escapes it, without the
        // quotes.
        let json = serde_json::Value::from(*value).to_string();
        let json = &json[1..json.len() - 1];
        if json != *value {
            forms.push(json.to_owned());
        }
        // Each line of a multi-line value, as a YAML block shows it.
        forms.extend(
            value
                .lines()
                .map(str::trim)
                .filter(|l| l.len() >= MIN_REDACTED_LEN && *l != *value)
                .map(str::to_owned),
        );
    }
    forms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    forms.dedup();
    let mut text = stderr.to_owned();
    for form in &forms {
        if text.contains(form.as_str()) {
            text = text.replace(form.as_str(), REDACTED);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sent_values_are_replaced_in_every_quoting() {
        let password = "s3cr3t-Pa55";
        let stderr = format!("ERROR cannot parse settings: {{\"password\": \"{password}\"}}");
        assert_eq!(
            redact(&stderr, &[password]),
            "ERROR cannot parse settings: {\"password\": \"«redacted»\"}"
        );
        let quoted = "a\"b\\c\nline-two";
        let json = serde_json::Value::from(quoted).to_string();
        let out = redact(&format!("ERROR bad value {json}"), &[quoted]);
        assert_eq!(out, "ERROR bad value \"«redacted»\"");
        assert_eq!(
            redact("ERROR at line-two", &[quoted]),
            "ERROR at «redacted»"
        );
    }

    #[test]
    fn short_values_and_other_text_are_kept() {
        assert_eq!(
            redact("ERROR no relation 1 yes", &["1", "yes"]),
            "ERROR no relation 1 yes"
        );
        // Longest first: a value containing another goes whole.
        assert_eq!(
            redact("x abcdefgh y", &["abcd", "abcdefgh"]),
            "x «redacted» y"
        );
    }
}
