//! The files of a new charm crate: templates with `{{key}}` holes.

/// One file of the new crate: its path and its template.
pub struct File {
    /// Where it goes, relative to the crate.
    pub path: &'static str,
    /// The template text.
    pub template: &'static str,
}

/// The crate's files.
pub const FILES: [File; 10] = [
    File {
        path: "Cargo.toml",
        template: include_str!("files/Cargo.toml.in"),
    },
    File {
        path: "metadata.yaml",
        template: include_str!("files/metadata.yaml.in"),
    },
    File {
        path: "config.yaml",
        template: include_str!("files/config.yaml.in"),
    },
    File {
        path: "src/lib.rs",
        template: include_str!("files/lib.rs.in"),
    },
    File {
        path: "src/main.rs",
        template: include_str!("files/main.rs.in"),
    },
    File {
        path: "tests/harness.rs",
        template: include_str!("files/harness.rs.in"),
    },
    File {
        path: "scenarios/smoke.yaml",
        template: include_str!("files/scenario.yaml.in"),
    },
    File {
        path: "README.md",
        template: include_str!("files/README.md.in"),
    },
    File {
        path: "copyright",
        template: include_str!("files/copyright.in"),
    },
    File {
        path: ".gitignore",
        template: include_str!("files/gitignore.in"),
    },
];

/// The end of `Cargo.toml` for a crate that is its own workspace: its
/// release profile and an empty `[workspace]` (left out with `--member`).
pub const STANDALONE: &str = include_str!("files/standalone.toml.in");

/// `.cargo/config.toml` of a crate that is its own workspace: how its
/// SQLite is compiled (the same as this repository's `.cargo/config.toml`;
/// left out with `--member`, where the workspace's own applies).
pub const CARGO_CONFIG: &str = include_str!("files/cargo_config.toml.in");

/// `template` with every `{{key}}` of `values` replaced by its value.
pub fn render(template: &str, values: &[(&str, &str)]) -> String {
    values
        .iter()
        .fold(template.to_owned(), |text, (key, value)| {
            text.replace(&format!("{{{{{key}}}}}"), value)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The line of `config` that sets `LIBSQLITE3_FLAGS`.
    fn sqlite_flags(config: &str) -> Option<&str> {
        config.lines().find(|l| l.starts_with("LIBSQLITE3_FLAGS"))
    }

    #[test]
    fn a_new_charm_compiles_sqlite_as_this_repository_does() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../.cargo/config.toml");
        let ours = std::fs::read_to_string(path).unwrap();
        let theirs = sqlite_flags(CARGO_CONFIG);
        assert!(theirs.is_some(), "the template sets no LIBSQLITE3_FLAGS");
        assert_eq!(
            theirs,
            sqlite_flags(&ours),
            "{path} and the template differ"
        );
    }

    #[test]
    fn holes_are_filled() {
        assert_eq!(render("a {{x}} {{{x}}: 1}", &[("x", "b")]), "a b {b: 1}");
    }

    #[test]
    fn every_hole_of_every_file_has_a_value() {
        let values = [
            ("name", "n"),
            ("crate", "n"),
            ("summary", "s"),
            ("maintainer", "m"),
            ("runtime", "r"),
            ("standalone", STANDALONE),
        ];
        for file in &FILES {
            let text = render(file.template, &values);
            assert!(!text.contains("{{"), "{}: {text}", file.path);
        }
    }
}
