//! What a charm binary needs of the machine it runs on: its architecture
//! and the newest glibc symbol version it links against.

use std::fmt;
use std::path::Path;

use object::{Architecture, Object, ObjectSection};

use super::error::PackError;

/// A glibc version (`GLIBC_2.31` is 2.31).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Glibc {
    /// The major version (2).
    pub major: u32,
    /// The minor version.
    pub minor: u32,
}

impl fmt::Display for Glibc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

impl Glibc {
    /// Parse a symbol version name: `GLIBC_2.31`, `GLIBC_2.2.5` (2.2);
    /// `None` for `GLIBC_PRIVATE` or any other name.
    pub fn from_version_name(name: &str) -> Option<Glibc> {
        let mut parts = name.strip_prefix("GLIBC_")?.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        Some(Glibc { major, minor })
    }
}

/// What the binary needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Needs {
    /// The Debian/Ubuntu architecture name (amd64, arm64, ...).
    pub arch: &'static str,
    /// The newest glibc symbol version; `None` for a binary that links no
    /// glibc (static, or musl).
    pub glibc: Option<Glibc>,
}

/// Read what the ELF binary at `path` needs.
pub fn needs(path: &Path) -> Result<Needs, PackError> {
    let data = std::fs::read(path).map_err(PackError::io(path, "cannot read the binary"))?;
    let bad = |reason: String| PackError::Binary {
        path: path.to_owned(),
        reason,
    };
    let file = object::File::parse(&*data).map_err(|e| bad(e.to_string()))?;
    if file.format() != object::BinaryFormat::Elf {
        return Err(bad(format!("a {:?} file", file.format())));
    }
    let arch = match file.architecture() {
        Architecture::X86_64 => "amd64",
        Architecture::Aarch64 => "arm64",
        Architecture::PowerPc64 => "ppc64el",
        Architecture::S390x => "s390x",
        Architecture::Riscv64 => "riscv64",
        other => return Err(bad(format!("no Ubuntu architecture for {other:?}"))),
    };
    // The names of needed versions are strings of .dynstr, which
    // .gnu.version_r refers to; a static binary has neither.
    let glibc = match file.section_by_name(".dynstr") {
        Some(section) => {
            let strings = section.data().map_err(|e| bad(e.to_string()))?;
            newest_glibc(strings)
        }
        None => None,
    };
    Ok(Needs { arch, glibc })
}

/// The newest `GLIBC_x.y` among the NUL-separated strings of a string
/// table.
pub fn newest_glibc(strings: &[u8]) -> Option<Glibc> {
    strings
        .split(|b| *b == 0)
        .filter_map(|s| std::str::from_utf8(s).ok())
        .filter_map(Glibc::from_version_name)
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_names() {
        assert_eq!(
            Glibc::from_version_name("GLIBC_2.2.5"),
            Some(Glibc { major: 2, minor: 2 })
        );
        assert_eq!(Glibc::from_version_name("GLIBC_PRIVATE"), None);
        assert_eq!(Glibc::from_version_name("GCC_3.0"), None);
    }

    #[test]
    fn the_newest_version_of_a_string_table() {
        let table = b"\0libc.so.6\0GLIBC_2.2.5\0GLIBC_2.34\0GLIBC_2.9\0GLIBC_PRIVATE\0";
        assert_eq!(
            newest_glibc(table),
            Some(Glibc {
                major: 2,
                minor: 34
            })
        );
        assert_eq!(newest_glibc(b"\0libm.so\0"), None);
    }

    #[test]
    fn this_test_binary_is_read() {
        let exe = std::env::current_exe().unwrap();
        let needs = needs(&exe).unwrap();
        assert!(!needs.arch.is_empty());
    }

    #[test]
    fn a_text_file_is_an_error_not_a_panic() {
        let err = needs(Path::new(file!())).unwrap_err();
        assert!(matches!(
            err,
            PackError::Binary { .. } | PackError::Io { .. }
        ));
    }
}
