//! Juju's rule for action names.

use std::fmt;

/// Why a string cannot be a Juju action name. The message quotes the name
/// and, when lowercasing it and turning `_`, `.` and spaces into hyphens
/// gives a valid name, suggests that.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionNameError {
    /// The name is empty.
    Empty,
    /// The name does not start with a lowercase ASCII letter.
    BadStart {
        /// The name.
        name: String,
    },
    /// The name contains `found`, which is not a lowercase ASCII letter, a
    /// digit or a hyphen.
    BadChar {
        /// The name.
        name: String,
        /// The first character not allowed.
        found: char,
    },
    /// The name ends with a hyphen.
    TrailingHyphen {
        /// The name.
        name: String,
    },
    /// The name starts with `juju-`, which Juju reserves.
    ReservedPrefix {
        /// The name.
        name: String,
    },
}

impl ActionNameError {
    /// The valid name this one likely means: lowercased, with `_`, `.` and
    /// spaces turned into hyphens, if that is valid and differs.
    ///
    /// ```
    /// use charm_names::check_action_name;
    /// let e = check_action_name("Take_Backup").unwrap_err();
    /// assert_eq!(e.suggestion().as_deref(), Some("take-backup"));
    /// ```
    pub fn suggestion(&self) -> Option<String> {
        let name = match self {
            ActionNameError::BadStart { name } | ActionNameError::BadChar { name, .. } => name,
            _ => return None,
        };
        let fixed = name.to_ascii_lowercase().replace(['_', ' ', '.'], "-");
        (fixed != *name && check_action_name(&fixed).is_ok()).then_some(fixed)
    }
}

impl fmt::Display for ActionNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActionNameError::Empty => f.write_str("empty action name"),
            ActionNameError::BadStart { name } => {
                write!(
                    f,
                    "action name {name:?} does not start with a lowercase letter"
                )?;
                if let Some(s) = self.suggestion() {
                    write!(f, ": Juju action names are lowercase, as in `{s}`")?;
                }
                Ok(())
            }
            ActionNameError::BadChar { name, found } => {
                write!(
                    f,
                    "action name {name:?} contains {found:?}: Juju action names have lowercase letters, digits and hyphens"
                )?;
                if let Some(s) = self.suggestion() {
                    write!(f, ", as in `{s}`")?;
                }
                Ok(())
            }
            ActionNameError::TrailingHyphen { name } => {
                write!(f, "action name {name:?} ends with a hyphen")
            }
            ActionNameError::ReservedPrefix { name } => {
                write!(
                    f,
                    "action name {name:?}: the `juju-` prefix is reserved by Juju"
                )
            }
        }
    }
}

impl std::error::Error for ActionNameError {}

/// Check `name` against Juju's rule for action names: lowercase ASCII
/// letters, digits and hyphens, starting with a letter and not ending with
/// a hyphen; the `juju-` prefix is reserved.
///
/// ```
/// use charm_names::{ActionNameError, check_action_name};
/// assert!(check_action_name("backup-v2").is_ok());
/// assert!(matches!(check_action_name("Backup"), Err(ActionNameError::BadStart { .. })));
/// assert!(matches!(check_action_name("juju-run"), Err(ActionNameError::ReservedPrefix { .. })));
/// ```
pub fn check_action_name(name: &str) -> Result<(), ActionNameError> {
    let owned = || name.to_owned();
    if name.is_empty() {
        Err(ActionNameError::Empty)
    } else if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        Err(ActionNameError::BadStart { name: owned() })
    } else if let Some(found) = name
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
    {
        Err(ActionNameError::BadChar {
            name: owned(),
            found,
        })
    } else if name.ends_with('-') {
        Err(ActionNameError::TrailingHyphen { name: owned() })
    } else if name.starts_with("juju-") {
        Err(ActionNameError::ReservedPrefix { name: owned() })
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_names() {
        for name in ["backup", "backup-v2", "a", "a1", "juju", "jujux-run"] {
            assert_eq!(check_action_name(name), Ok(()), "{name}");
        }
    }

    #[test]
    fn invalid_names() {
        assert_eq!(check_action_name(""), Err(ActionNameError::Empty));
        assert!(matches!(
            check_action_name("1backup"),
            Err(ActionNameError::BadStart { .. })
        ));
        assert!(matches!(
            check_action_name("-backup"),
            Err(ActionNameError::BadStart { .. })
        ));
        assert_eq!(
            check_action_name("back_up"),
            Err(ActionNameError::BadChar {
                name: "back_up".into(),
                found: '_'
            })
        );
        assert!(matches!(
            check_action_name("backup-"),
            Err(ActionNameError::TrailingHyphen { .. })
        ));
        assert!(matches!(
            check_action_name("juju-run"),
            Err(ActionNameError::ReservedPrefix { .. })
        ));
    }

    #[test]
    fn messages_and_suggestions() {
        let e = check_action_name("Backup").unwrap_err();
        assert_eq!(
            e.to_string(),
            "action name \"Backup\" does not start with a lowercase letter: Juju action names are lowercase, as in `backup`"
        );
        let e = check_action_name("take_backup").unwrap_err();
        assert_eq!(
            e.to_string(),
            "action name \"take_backup\" contains '_': Juju action names have lowercase letters, digits and hyphens, as in `take-backup`"
        );
        // No suggestion when the fixed name is still invalid.
        let e = check_action_name("back/up").unwrap_err();
        assert_eq!(e.suggestion(), None);
        assert!(!e.to_string().contains("as in"));
        let e = check_action_name("1x").unwrap_err();
        assert_eq!(e.suggestion(), None);
        assert_eq!(
            check_action_name("x-").unwrap_err().to_string(),
            "action name \"x-\" ends with a hyphen"
        );
    }
}
