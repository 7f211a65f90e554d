//! What fits on a command line. Linux refuses to start a program when one
//! argument is longer than `MAX_ARG_STRLEN` (32 pages, 128 KiB, counting
//! its terminating NUL) or when all the arguments and the environment
//! together exceed `ARG_MAX` (a quarter of the stack limit, 2 MiB with
//! the usual 8 MiB): `execve` fails with `E2BIG`, "Argument list too
//! long", naming nothing. The tools are checked against these limits
//! before they run, so that the error names what is too large.

use std::borrow::Cow;

use crate::backend::ToolError;

/// The longest single argument, in bytes: `MAX_ARG_STRLEN` (131072) less
/// the terminating NUL.
pub const ARG_LIMIT: usize = 128 * 1024 - 1;

/// The most bytes all the arguments of one tool call may take together
/// (each with its NUL): 1 MiB, or half of `sysconf(_SC_ARG_MAX)` when that
/// is smaller, the other half being left to the environment.
pub const ARGV_LIMIT: usize = 1024 * 1024;

/// Status messages (`status-set`) longer than this many bytes are cut,
/// ending in `…`: a status is read by people in `juju status`, and a
/// message quoting a whole invalid config value must not turn a blocked
/// status into a failing hook.
pub const STATUS_MESSAGE_LIMIT: usize = 16 * 1024;

/// Log messages (one `juju-log` call, also `action-log` and
/// `action-fail`) longer than this many bytes are cut, ending in `…`.
pub const LOG_MESSAGE_LIMIT: usize = 64 * 1024;

/// The ellipsis a cut message ends in.
const ELLIPSIS: &str = "…";

/// `message`, cut to at most `limit` bytes (on a character boundary)
/// ending in `…` when it is longer.
pub(crate) fn truncate(message: &str, limit: usize) -> Cow<'_, str> {
    if message.len() <= limit {
        return Cow::Borrowed(message);
    }
    let mut end = limit.saturating_sub(ELLIPSIS.len());
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}{ELLIPSIS}", &message[..end]))
}

/// The limit on all arguments together on this machine.
pub(super) fn argv_limit() -> usize {
    let system = nix::unistd::sysconf(nix::unistd::SysconfVar::ARG_MAX)
        .ok()
        .flatten()
        .and_then(|n| usize::try_from(n).ok());
    match system {
        Some(max) => ARGV_LIMIT.min(max / 2),
        None => ARGV_LIMIT,
    }
}

/// Refuse `args` that `execve` would refuse. The callers that build
/// arguments from settings check them first with the settings' keys
/// ([`super::args::key_value_args`]); this is the check of last resort.
pub(super) fn check_argv(tool: &str, args: &[String]) -> Result<(), ToolError> {
    for (i, arg) in args.iter().enumerate() {
        if arg.len() > ARG_LIMIT {
            return Err(ToolError::TooLarge {
                tool: tool.to_owned(),
                what: format!("argument {}", i + 1),
                size: arg.len(),
                limit: ARG_LIMIT,
            });
        }
    }
    let total = total_size(args);
    let limit = argv_limit();
    if total > limit {
        return Err(ToolError::TooLarge {
            tool: tool.to_owned(),
            what: format!("the {} arguments together", args.len()),
            size: total,
            limit,
        });
    }
    Ok(())
}

/// The bytes `args` take on the command line, each with its NUL.
pub(super) fn total_size(args: &[String]) -> usize {
    args.iter().map(|a| a.len() + 1).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_messages_are_cut_with_an_ellipsis_on_a_char_boundary() {
        assert_eq!(truncate("short", 10), "short");
        let cut = truncate("abcdefghij", 6);
        assert_eq!(cut, "abc…");
        assert!(cut.len() <= 6);
        // 'é' is two bytes: never cut in the middle of one.
        let accented = "é".repeat(10);
        let cut = truncate(&accented, 8);
        assert!(cut.len() <= 8 && cut.ends_with('…'), "{cut}");
        assert_eq!(cut, "éé…");
    }

    #[test]
    fn oversized_arguments_are_refused_naming_their_position_and_size() {
        let ok = vec!["a".repeat(ARG_LIMIT)];
        assert!(check_argv("t", &ok).is_ok());
        let big = vec!["--".to_owned(), "a".repeat(ARG_LIMIT + 1)];
        let err = check_argv("status-set", &big).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "hook tool status-set: argument 2 is {} bytes, over the limit of {ARG_LIMIT} bytes \
                 a command-line argument can carry; nothing was sent",
                ARG_LIMIT + 1
            )
        );
        let many = vec!["a".repeat(ARG_LIMIT); 9];
        let err = check_argv("t", &many).unwrap_err();
        assert!(
            matches!(&err, ToolError::TooLarge { what, .. } if what == "the 9 arguments together"),
            "{err}"
        );
        assert!(argv_limit() <= ARGV_LIMIT && argv_limit() >= 64 * 1024);
    }
}
