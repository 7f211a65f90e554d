//! Which names `cargo charm new` accepts: a charm name that is also a
//! Cargo package name.

/// Why `name` cannot name a charm: Juju's charm names are lowercase
/// letters and digits in dash-separated words starting with a letter.
pub fn check(name: &str) -> Result<(), String> {
    let words_ok = name.split('-').all(|w| {
        !w.is_empty()
            && w.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    let starts_ok = name.bytes().next().is_some_and(|b| b.is_ascii_lowercase());
    if name.is_empty() {
        Err("a charm needs a name".into())
    } else if !(words_ok && starts_ok) {
        Err(format!(
            "{name:?} is not a charm name: lowercase letters and digits in words joined by single dashes, starting with a letter"
        ))
    } else {
        Ok(())
    }
}

/// The Rust crate name of package `name`: dashes become underscores.
pub fn crate_ident(name: &str) -> String {
    name.replace('-', "_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charm_names() {
        assert!(check("hello").is_ok());
        assert!(check("my-charm2").is_ok());
        for bad in ["", "Hello", "2x", "a--b", "a-", "-a", "a_b", "a.b"] {
            assert!(check(bad).is_err(), "{bad:?}");
        }
        assert_eq!(crate_ident("my-charm"), "my_charm");
    }
}
