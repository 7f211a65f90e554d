//! Byte-for-byte reproduction of Python's `json.dumps` for JSON values.
//!
//! charms.reactive hashes `json.dumps(value, sort_keys=True)` to detect data
//! changes, and interface layers publish `json.dumps(..., sort_keys=True)`
//! text on relations. To agree with a Python peer on the same data we must
//! produce the same bytes: `", "` and `": "` separators, ASCII-only output
//! with `\uXXXX` escapes (surrogate pairs above the BMP), and floats written
//! the way Python's `repr(float)` writes them.

use serde_json::{Map, Number, Value};

/// Python's `json.dumps(value, sort_keys=True)`.
///
/// ```
/// use serde_json::json;
/// let text = charm_runtime::python_json::dumps_sorted(&json!({"b": [1, 2.5], "a": "é"}));
/// assert_eq!(text, r#"{"a": "\u00e9", "b": [1, 2.5]}"#);
/// ```
pub fn dumps_sorted(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

/// Python's `json.dumps(text)` for one string: quoted, escaped, ASCII only.
pub fn dumps_str(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    write_str(&mut out, text);
    out
}

/// Python's `json.dumps(list_of_strings)`.
pub fn dumps_str_list<S: AsRef<str>>(items: &[S]) -> String {
    let mut out = String::from("[");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_str(&mut out, item.as_ref());
    }
    out.push(']');
    out
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(out, n),
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => write_object(out, map),
    }
}

fn write_object(out: &mut String, map: &Map<String, Value>) {
    // Python sorts str keys by code point; UTF-8 byte order is the same order.
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    out.push('{');
    for (i, (key, value)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_str(out, key);
        out.push_str(": ");
        write_value(out, value);
    }
    out.push('}');
}

fn write_number(out: &mut String, n: &Number) {
    if let Some(i) = n.as_i64() {
        out.push_str(&i.to_string());
    } else if let Some(u) = n.as_u64() {
        out.push_str(&u.to_string());
    } else if let Some(f) = n.as_f64() {
        out.push_str(&python_float_repr(f));
    }
}

/// Python's `repr(float)`: the shortest round-tripping digits, positional
/// notation for decimal exponents in `-4 < e <= 16`, scientific otherwise
/// (`1e-05`, `1e+16`), and a trailing `.0` on integral positional values.
pub fn python_float_repr(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_owned();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    // Rust's `{:e}` gives the shortest round-tripping digits as d.ddde±x.
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let sign = if f.is_sign_negative() { "-" } else { "" };
    // Position of the decimal point relative to the digit string.
    let decpt = exp + 1;
    let n = digits.len() as i32;
    if decpt <= -4 || decpt > 16 {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        format!("{sign}{first}{frac}e{esign}{:02}", exp.abs())
    } else if decpt <= 0 {
        format!("{sign}0.{}{digits}", "0".repeat((-decpt) as usize))
    } else if decpt < n {
        let (int, frac) = digits.split_at(decpt as usize);
        format!("{sign}{int}.{frac}")
    } else {
        format!("{sign}{digits}{}.0", "0".repeat((decpt - n) as usize))
    }
}

fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    // Expected strings below are what CPython 3.11 prints for repr(x).
    #[test]
    fn floats_follow_python_repr() {
        let cases = [
            (0.1, "0.1"),
            (1.0, "1.0"),
            (2.5, "2.5"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (1e-5, "1e-05"),
            (1e-4, "0.0001"),
            (1.5e-7, "1.5e-07"),
            (123456789012345680.0, "1.2345678901234568e+17"),
            (-0.0, "-0.0"),
            (1e300, "1e+300"),
            (-12.75, "-12.75"),
        ];
        for (value, expected) in cases {
            assert_eq!(python_float_repr(value), expected, "repr({value:?})");
        }
    }

    #[test]
    fn strings_are_ascii_escaped_like_python() {
        assert_eq!(dumps_str("a\"b\\c/d"), r#""a\"b\\c/d""#);
        assert_eq!(dumps_str("é中"), r#""\u00e9\u4e2d""#);
        assert_eq!(dumps_str("😀"), r#""\ud83d\ude00""#);
        assert_eq!(dumps_str("\u{1}\n\u{7f}"), r#""\u0001\n\u007f""#);
    }

    #[test]
    fn objects_sort_keys_and_use_python_separators() {
        let v = json!({"z": {"b": null, "a": [true, false]}, "a": [], "m": {}});
        assert_eq!(
            dumps_sorted(&v),
            r#"{"a": [], "m": {}, "z": {"a": [true, false], "b": null}}"#
        );
    }
}
