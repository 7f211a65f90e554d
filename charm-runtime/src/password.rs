//! Generated passwords, for the credentials a charm creates for its
//! workload (a database user, a cluster secret).

/// The characters of a generated password: ASCII letters and digits, safe
/// in shell words, URLs, SQL strings and configuration files alike.
const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/// The operating system's random source failed.
#[derive(Debug, thiserror::Error)]
#[error("cannot generate a password: the system's random source failed: {0}")]
pub struct PasswordError(getrandom::Error);

/// A password of `len` ASCII letters and digits drawn uniformly from the
/// operating system's random source (`getrandom(2)`): about 5.95 bits per
/// character, so 32 characters carry about 190 bits.
///
/// Keep it out of logs and of any hook tool's argv: publish it in relation
/// data (sent on stdin) or a Juju secret.
///
/// ```
/// let password = charm_runtime::password::generate(32).unwrap();
/// assert_eq!(password.len(), 32);
/// assert!(password.bytes().all(|b| b.is_ascii_alphanumeric()));
/// assert_ne!(password, charm_runtime::password::generate(32).unwrap());
/// ```
pub fn generate(len: usize) -> Result<String, PasswordError> {
    // Rejection sampling: bytes at or above the largest multiple of the
    // alphabet's size are drawn again, so every character is equally likely.
    let limit = (256 / ALPHABET.len() * ALPHABET.len()) as u8;
    let mut out = String::with_capacity(len);
    let mut buf = [0u8; 64];
    while out.len() < len {
        getrandom::fill(&mut buf).map_err(PasswordError)?;
        for &b in buf.iter().filter(|&&b| b < limit) {
            if out.len() == len {
                break;
            }
            out.push(char::from(ALPHABET[usize::from(b) % ALPHABET.len()]));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_character_of_the_alphabet_appears_and_no_other() {
        let text = generate(20_000).unwrap();
        for &c in ALPHABET {
            assert!(text.as_bytes().contains(&c), "{}", char::from(c));
        }
        assert!(text.bytes().all(|b| ALPHABET.contains(&b)));
    }

    #[test]
    fn lengths_are_exact() {
        for len in [0, 1, 63, 64, 65, 200] {
            assert_eq!(generate(len).unwrap().len(), len);
        }
    }
}
