//! A YAML document as a tree of nodes that each know their line and
//! column, so that every complaint about a scenario can point at its place.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_saphyr::Spanned;

/// A place in the scenario file (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
pub struct Loc {
    /// The line.
    pub line: u64,
    /// The column.
    pub column: u64,
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A node's value.
#[derive(Debug, Clone)]
pub(crate) enum Kind {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// A YAML node and where it is.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub kind: Kind,
    pub at: Loc,
}

/// A problem at a place, before the file's name is added.
#[derive(Debug, Clone)]
pub(crate) struct Bad {
    pub at: Loc,
    pub message: String,
}

pub(crate) type Res<T> = Result<T, Bad>;

pub(crate) fn bad<T>(at: Loc, message: impl Into<String>) -> Res<T> {
    Err(Bad {
        at,
        message: message.into(),
    })
}

impl Node {
    /// What the node is, for messages.
    pub fn what(&self) -> &'static str {
        match self.kind {
            Kind::Null => "nothing (null)",
            Kind::Bool(_) => "a boolean",
            Kind::Int(_) => "an integer",
            Kind::Float(_) => "a number",
            Kind::Str(_) => "a string",
            Kind::Seq(_) => "a list",
            Kind::Map(_) => "a mapping",
        }
    }

    fn expected<T>(&self, what: &str, context: &str) -> Res<T> {
        bad(
            self.at,
            format!("{context}: expected {what}, found {}", self.what()),
        )
    }

    /// A string (a scalar number or boolean is not one).
    pub fn str(&self, context: &str) -> Res<&str> {
        match &self.kind {
            Kind::Str(s) => Ok(s),
            _ => self.expected("a string", context),
        }
    }

    /// A scalar as text: databag values are strings, a number or boolean is
    /// written as YAML shows it.
    pub fn text(&self, context: &str) -> Res<String> {
        match &self.kind {
            Kind::Str(s) => Ok(s.clone()),
            Kind::Bool(b) => Ok(b.to_string()),
            Kind::Int(i) => Ok(i.to_string()),
            Kind::Float(f) => Ok(f.to_string()),
            _ => self.expected("a string", context),
        }
    }

    /// A non-negative integer.
    pub fn uint(&self, context: &str) -> Res<u64> {
        match self.kind {
            Kind::Int(i) if i >= 0 => Ok(i as u64),
            _ => self.expected("a non-negative integer", context),
        }
    }

    /// A list.
    pub fn seq(&self, context: &str) -> Res<&[Node]> {
        match &self.kind {
            Kind::Seq(items) => Ok(items),
            _ => self.expected("a list", context),
        }
    }

    /// A mapping with string keys, as (key, key's place, value).
    pub fn map(&self, context: &str) -> Res<Vec<(&str, Loc, &Node)>> {
        match &self.kind {
            Kind::Map(entries) => entries
                .iter()
                .map(|(k, v)| Ok((k.str(&format!("{context}: a key"))?, k.at, v)))
                .collect(),
            _ => self.expected("a mapping", context),
        }
    }

    /// A mapping whose keys are among `known`: a [`Fields`] to take them
    /// from.
    pub fn fields<'n>(&'n self, context: &str, known: &[&str]) -> Res<Fields<'n>> {
        let entries = self.map(context)?;
        for (key, at, _) in &entries {
            if !known.contains(key) {
                return bad(
                    *at,
                    format!(
                        "{context}: unknown field `{key}`, expected one of {}",
                        list(known)
                    ),
                );
            }
        }
        Ok(Fields {
            at: self.at,
            context: context.to_owned(),
            entries,
        })
    }

    /// The node as a JSON value (config values, action parameters).
    pub fn json(&self) -> Res<Value> {
        Ok(match &self.kind {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Int(i) => Value::from(*i),
            Kind::Float(f) => Value::from(*f),
            Kind::Str(s) => Value::String(s.clone()),
            Kind::Seq(items) => Value::Array(items.iter().map(Node::json).collect::<Res<_>>()?),
            Kind::Map(_) => Value::Object(
                self.map("a value")?
                    .into_iter()
                    .map(|(k, _, v)| Ok((k.to_owned(), v.json()?)))
                    .collect::<Res<_>>()?,
            ),
        })
    }
}

/// `a`, `b` or `c` as a list of names in backquotes.
pub(crate) fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The fields of a mapping, taken by name.
pub(crate) struct Fields<'n> {
    pub at: Loc,
    context: String,
    entries: Vec<(&'n str, Loc, &'n Node)>,
}

impl<'n> Fields<'n> {
    /// The field `name`, if present.
    pub fn opt(&self, name: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _, _)| *k == name)
            .map(|(_, _, v)| *v)
    }

    /// The field `name`, which must be present.
    pub fn req(&self, name: &str) -> Res<&'n Node> {
        self.opt(name).map_or_else(
            || bad(self.at, format!("{}: missing field `{name}`", self.context)),
            Ok,
        )
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Kind>::deserialize(deserializer)?;
        Ok(Node {
            kind: spanned.value,
            at: Loc {
                line: spanned.referenced.line(),
                column: spanned.referenced.column(),
            },
        })
    }
}

impl<'de> Deserialize<'de> for Kind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(KindVisitor)
    }
}

struct KindVisitor;

impl<'de> Visitor<'de> for KindVisitor {
    type Value = Kind;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_unit<E>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }

    fn visit_none<E>(self) -> Result<Kind, E> {
        Ok(Kind::Null)
    }

    fn visit_bool<E>(self, v: bool) -> Result<Kind, E> {
        Ok(Kind::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Kind, E> {
        Ok(Kind::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Kind, E> {
        i64::try_from(v)
            .map(Kind::Int)
            .map_err(|_| E::custom(format!("integer {v} is too large")))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Kind, E> {
        Ok(Kind::Float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Kind, E> {
        Ok(Kind::Str(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Kind, E> {
        Ok(Kind::Str(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Kind, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Kind::Seq(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Kind, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let value = map.next_value::<Node>()?;
            entries.push((key, value));
        }
        Ok(Kind::Map(entries))
    }
}

/// How many events aliases may replay in one scenario: an alias bomb's
/// defence. serde-saphyr's default (a million) lets a few hundred bytes
/// of nested anchors expand to hundreds of MB of nodes; scenarios use few
/// aliases, if any (the limit charm-runtime puts on charm YAML).
const MAX_ALIAS_REPLAY: usize = 20_000;

/// Parse `text` into a node tree; a YAML error with its place.
pub(crate) fn parse(text: &str) -> Res<Node> {
    let mut options = serde_saphyr::Options::default();
    options.alias_limits.max_total_replayed_events = MAX_ALIAS_REPLAY;
    serde_saphyr::from_str_with_options::<Node>(text, options).map_err(|e| {
        let at = e
            .location()
            .map(|l| Loc {
                line: l.line(),
                column: l.column(),
            })
            .unwrap_or_default();
        Bad {
            at,
            message: format!("not valid YAML: {}", first_line(&e.to_string())),
        }
    })
}

fn first_line(text: &str) -> String {
    text.lines().next().unwrap_or("").trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_know_their_place() {
        let node = parse("a: 1\nb:\n  - x\n  - {c: yes}\n").unwrap();
        let entries = node.map("top").unwrap();
        assert_eq!(entries[0].0, "a");
        assert_eq!(entries[0].1, Loc { line: 1, column: 1 });
        let b = entries[1].2.seq("b").unwrap();
        assert_eq!(b[0].at.line, 3);
        assert_eq!(b[1].at.line, 4);
        let c = b[1].map("c").unwrap();
        assert_eq!(c[0].2.text("c").unwrap(), "true");
    }

    /// Found while fuzzing (fuzz/README.md), a hand-made input run through
    /// the `scenario` target: nested anchors of nine aliases each expand
    /// nine-fold a level; under serde-saphyr's default limit of a million
    /// replayed events a 400-byte file took seconds and 400 MB. Five
    /// levels (60 000 nodes) are now refused.
    #[test]
    fn alias_bombs_are_refused_early() {
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (prev, name) in ('a'..='d').zip('b'..='e') {
            let aliases = vec![format!("*{prev}"); 9].join(", ");
            text.push_str(&format!("{name}: &{name} [{aliases}]\n"));
        }
        let err = parse(&text).unwrap_err();
        assert!(
            err.message.starts_with("not valid YAML: "),
            "{}",
            err.message
        );
        // A few aliases are fine.
        let node = parse("a: &a [1, 2]\nb: *a\nc: *a\n").unwrap();
        assert_eq!(node.map("top").unwrap().len(), 3);
    }
}
