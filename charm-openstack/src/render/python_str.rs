//! Values as Python's `str()` shows them, which is what Jinja2 prints:
//! `True`, `False`, `None`, lists and dicts as their `repr()` (`['a', 1]`,
//! `{'k': None}`). MiniJinja prints `true`, `none`, `["a", 1]`, so the
//! environment prints through this instead, and `join` and `string` use it.

use std::fmt::Write;

use minijinja::value::{Value, ValueKind};

/// `value` as Python's `str()`; `None` for kinds printed as MiniJinja
/// does (strings, numbers, undefined and the rest).
pub(crate) fn python_str(value: &Value) -> Option<String> {
    match value.kind() {
        ValueKind::None | ValueKind::Bool | ValueKind::Seq | ValueKind::Map => {
            let mut out = String::new();
            repr(value, &mut out);
            Some(out)
        }
        _ => None,
    }
}

/// `value` as Python's `str()`, every kind.
pub(crate) fn python_str_or_display(value: &Value) -> String {
    if value.is_undefined() {
        return String::new();
    }
    python_str(value).unwrap_or_else(|| value.to_string())
}

/// `value` as Python's `repr()`.
fn repr(value: &Value, out: &mut String) {
    match value.kind() {
        ValueKind::None | ValueKind::Undefined => out.push_str("None"),
        ValueKind::Bool => out.push_str(if value.is_true() { "True" } else { "False" }),
        ValueKind::String => repr_str(value.as_str().unwrap_or_default(), out),
        ValueKind::Seq => {
            out.push('[');
            for (n, item) in value.try_iter().into_iter().flatten().enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                repr(&item, out);
            }
            out.push(']');
        }
        ValueKind::Map => {
            out.push('{');
            for (n, key) in value.try_iter().into_iter().flatten().enumerate() {
                if n > 0 {
                    out.push_str(", ");
                }
                repr(&key, out);
                out.push_str(": ");
                repr(&value.get_item(&key).unwrap_or_default(), out);
            }
            out.push('}');
        }
        _ => {
            let _ = write!(out, "{value}");
        }
    }
}

/// A string as Python quotes it: single quotes unless it holds a single
/// quote and no double quote.
fn repr_str(s: &str, out: &mut String) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c == '\x7f' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Value {
        Value::from(minijinja::value::Serde(
            serde_json::from_str::<serde_json::Value>(text).unwrap(),
        ))
    }

    #[test]
    fn as_python_prints_them() {
        assert_eq!(python_str(&json("true")).unwrap(), "True");
        assert_eq!(python_str(&json("null")).unwrap(), "None");
        assert_eq!(
            python_str(&json(r#"[1, "a", false, null, 1.5]"#)).unwrap(),
            "[1, 'a', False, None, 1.5]"
        );
        assert_eq!(
            python_str(&json(r#"{"a": "say \"hi\"\n", "b": ["it's"]}"#)).unwrap(),
            r#"{'a': 'say "hi"\n', 'b': ["it's"]}"#
        );
        assert_eq!(python_str(&json(r#""plain""#)), None);
        assert_eq!(python_str_or_display(&Value::UNDEFINED), "");
    }
}
