//! `/dev/null`, opened once per backend and duplicated for each tool that
//! reads nothing, instead of opened again for every call (a path lookup
//! and an open each time, 14 times in a typical hook).

use std::fs::File;
use std::process::Stdio;
use std::sync::OnceLock;

/// The backend's `/dev/null`, opened at its first use.
#[derive(Default)]
pub(super) struct DevNull(OnceLock<Option<File>>);

impl DevNull {
    /// A tool's standard input reading nothing: a duplicate of the open
    /// `/dev/null`, or the standard library's own when that fails.
    pub(super) fn stdio(&self) -> Stdio {
        self.0
            .get_or_init(|| File::open("/dev/null").ok())
            .as_ref()
            .and_then(|file| file.try_clone().ok())
            .map_or_else(Stdio::null, Stdio::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::process::Command;

    #[test]
    fn a_tool_reads_nothing_from_it_every_time() {
        let null = DevNull::default();
        for _ in 0..3 {
            let out = Command::new("wc")
                .arg("-c")
                .stdin(null.stdio())
                .output()
                .unwrap();
            assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0");
        }
        // Still open, and still /dev/null.
        let mut file = null.0.get().unwrap().as_ref().unwrap().try_clone().unwrap();
        let mut text = String::new();
        assert_eq!(file.read_to_string(&mut text).unwrap(), 0);
    }
}
