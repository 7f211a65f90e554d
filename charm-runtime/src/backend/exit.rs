//! How a finished tool's exit is worded in [`ToolError::Failed`]:
//! `exit code 1`, `killed by signal 9 (SIGKILL)`.
//!
//! [`ToolError::Failed`]: super::ToolError::Failed

/// `exit code N`, `killed by signal N (SIGNAME)`, or, when the status
/// holds neither, `no exit status`.
pub(crate) fn describe(code: Option<i32>, signal: Option<i32>) -> String {
    match (code, signal) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(signal)) => match signal_name(signal) {
            Some(name) => format!("killed by signal {signal} ({name})"),
            None => format!("killed by signal {signal}"),
        },
        (None, None) => "no exit status".to_owned(),
    }
}

/// The tool's stderr, or a note that it printed none.
pub(crate) fn stderr_or_none(stderr: &str) -> &str {
    if stderr.is_empty() {
        "nothing on stderr"
    } else {
        stderr
    }
}

/// The name of signal `number` (`SIGKILL`), from nix's table of the
/// platform's signals.
fn signal_name(number: i32) -> Option<&'static str> {
    nix::sys::signal::Signal::try_from(number)
        .ok()
        .map(|s| s.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exits_are_worded_for_people() {
        assert_eq!(describe(Some(1), None), "exit code 1");
        assert_eq!(describe(None, Some(9)), "killed by signal 9 (SIGKILL)");
        assert_eq!(describe(None, Some(15)), "killed by signal 15 (SIGTERM)");
        assert_eq!(describe(None, Some(1000)), "killed by signal 1000");
        assert_eq!(describe(None, None), "no exit status");
        assert_eq!(stderr_or_none(""), "nothing on stderr");
        assert_eq!(stderr_or_none("ERROR x"), "ERROR x");
    }
}
