//! `helm_release` `set` entries: value paths written as strvals names, values escaped and typed.
//!
//! Helm parses every entry as the single expression `NAME=VALUE` with its `strvals` parser:
//! `.`, `[`, `=` and `,` are structure in names, `,` and a leading `{` are structure in values,
//! and a backslash makes the next character literal. Typed values (`type = "auto"`) are
//! re-interpreted (`"123"` becomes a number), so every string is sent with `type = "string"`.

use crate::chart::path::Segment;
use serde::Serialize;

/// A scalar value placed in the chart values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scalar {
    /// A string, always sent with `type = "string"`.
    Str(String),
    /// An integer, sent with `type = "auto"`.
    Int(i64),
    /// A boolean, sent with `type = "auto"`.
    Bool(bool),
}

/// One value to place at a path: the intent that the `set` entries and the values YAML express.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    /// Path from the values root (prefix included).
    pub path: Vec<Segment>,
    /// The value.
    pub value: Scalar,
}

/// One rendered `set` entry, shaped like helm_release's `{name, value, type}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetEntry {
    /// The strvals name, escaped.
    pub name: String,
    /// The value, escaped for strvals.
    pub value: String,
    /// `"string"` or `"auto"`.
    #[serde(rename = "type")]
    pub kind: &'static str,
}

impl From<&Assignment> for SetEntry {
    fn from(assignment: &Assignment) -> Self {
        let (value, kind) = match &assignment.value {
            Scalar::Str(text) => (escape_value(text), "string"),
            Scalar::Int(number) => (number.to_string(), "auto"),
            Scalar::Bool(flag) => (flag.to_string(), "auto"),
        };
        SetEntry {
            name: name_of(&assignment.path),
            value,
            kind,
        }
    }
}

/// The `set` entries for assignments, one per assignment except where an empty string is.
///
/// Helm stores an empty value that ends its expression (`list[0].value=`) only on a list element
/// that already exists; on a new element the change is dropped. terraform-provider-helm 2.x
/// keeps `set` blocks as a set and applies them in no fixed order, so such an entry is kept or
/// lost by chance. An empty string therefore never ends its entry: when the next assignment is a
/// string in the same map, the entry goes on with it (`list[0].value=,list[0].key=team`), and
/// whatever the order, the entry makes the element itself.
pub fn set_entries(assignments: &[Assignment]) -> Vec<SetEntry> {
    let mut entries = Vec::with_capacity(assignments.len());
    let mut rest = assignments.iter().peekable();
    while let Some(assignment) = rest.next() {
        let empty = assignment.value == Scalar::Str(String::new());
        let follower = rest.next_if(|next| {
            empty
                && matches!(next.value, Scalar::Str(_))
                && same_parent(&assignment.path, &next.path)
        });
        entries.push(match follower {
            Some(next) => SetEntry {
                name: name_of(&assignment.path),
                value: format!(",{}", SetEntry::from(next).expression()),
                kind: "string",
            },
            None => SetEntry::from(assignment),
        });
    }
    entries
}

fn same_parent(a: &[Segment], b: &[Segment]) -> bool {
    a.split_last().map(|(_, parent)| parent) == b.split_last().map(|(_, parent)| parent)
}

impl SetEntry {
    /// The strvals expression Helm parses for this entry: `NAME=VALUE`.
    pub fn expression(&self) -> String {
        format!("{}={}", self.name, self.value)
    }
}

/// The strvals name of a path: keys joined by `.`, indices as `[N]`, special characters escaped.
pub fn name_of(path: &[Segment]) -> String {
    let mut name = String::new();
    for segment in path {
        match segment {
            Segment::Key(key) => {
                if !name.is_empty() {
                    name.push('.');
                }
                escape_into(&mut name, key, |c| {
                    matches!(c, '\\' | '.' | '=' | '[' | ']' | ',')
                });
            }
            Segment::Index(index) => {
                name.push('[');
                name.push_str(&index.to_string());
                name.push(']');
            }
        }
    }
    name
}

/// Escapes a string value so strvals reads it back unchanged: `\` and `,` anywhere, `{` first.
pub fn escape_value(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    if text.starts_with('{') {
        out.push('\\');
    }
    escape_into(&mut out, text, |c| matches!(c, '\\' | ','));
    out
}

fn escape_into(out: &mut String, text: &str, special: impl Fn(char) -> bool) {
    for c in text.chars() {
        if special(c) {
            out.push('\\');
        }
        out.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> Segment {
        Segment::Key(text.into())
    }

    #[test]
    fn names_join_keys_and_indices() {
        let path = [key("a"), key("list"), Segment::Index(2), key("key")];
        assert_eq!(name_of(&path), "a.list[2].key");
    }

    #[test]
    fn names_escape_structure_characters() {
        assert_eq!(name_of(&[key("a.b=c[d],e\\f]")]), r"a\.b\=c\[d\]\,e\\f\]");
    }

    #[test]
    fn values_escape_commas_backslashes_and_a_leading_brace() {
        assert_eq!(escape_value("a,b"), r"a\,b");
        assert_eq!(escape_value(r"c:\x"), r"c:\\x");
        assert_eq!(escape_value("{x}"), r"\{x}");
        assert_eq!(escape_value("x{y}"), "x{y}");
        assert_eq!(escape_value(""), "");
    }

    #[test]
    fn an_empty_string_carries_the_next_string_of_its_element() {
        let item = |field: &str| vec![key("l"), Segment::Index(0), key(field)];
        let put = |path: Vec<Segment>, value: Scalar| Assignment { path, value };
        let entries = set_entries(&[
            put(item("value"), Scalar::Str(String::new())),
            put(item("key"), Scalar::Str("a,b".into())),
            put(item("limit"), Scalar::Int(1)),
        ]);
        let shown: Vec<_> = entries
            .iter()
            .map(|e| (e.name.as_str(), e.value.as_str(), e.kind))
            .collect();
        assert_eq!(
            shown,
            [
                ("l[0].value", r",l[0].key=a\,b", "string"),
                ("l[0].limit", "1", "auto")
            ]
        );
        // Alone, or before a number, an empty string stays its own entry.
        let alone = set_entries(&[
            put(item("value"), Scalar::Str(String::new())),
            put(item("limit"), Scalar::Int(1)),
        ]);
        assert_eq!(alone[0].value, "");
    }

    #[test]
    fn strings_are_typed_string_and_numbers_auto() {
        let entry = SetEntry::from(&Assignment {
            path: vec![key("v")],
            value: Scalar::Str("123".into()),
        });
        assert_eq!((entry.value.as_str(), entry.kind), ("123", "string"));
        let entry = SetEntry::from(&Assignment {
            path: vec![key("v")],
            value: Scalar::Int(-1),
        });
        assert_eq!((entry.value.as_str(), entry.kind), ("-1", "auto"));
        let entry = SetEntry::from(&Assignment {
            path: vec![key("v")],
            value: Scalar::Bool(true),
        });
        assert_eq!((entry.value.as_str(), entry.kind), ("true", "auto"));
    }
}
