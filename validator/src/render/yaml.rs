//! A YAML writer for values trees that quotes every string a YAML 1.1 reader could misread.
//!
//! Written by hand on purpose: Helm reads values with Go's YAML 1.1 rules and Dagster reads
//! `dagster.yaml` with PyYAML (also YAML 1.1), where unquoted `1e3`, `0x1F`, `007`, `1_000`,
//! `yes`, `on` or `null` change type, and the maintained serde YAML crates only quote what
//! YAML 1.2 would misread. Here a key or string is written plain only when it starts with a
//! letter, holds nothing but letters, digits and `_ . / -`, and is not one of YAML 1.1's
//! boolean or null words (`dagster/backfill`, `max_concurrent_runs`); everything else is
//! double-quoted, with every character YAML cannot carry raw (controls, line separators, BOM)
//! escaped.

use serde_json::Value;
use std::fmt::Write;

/// Writes a values tree as one block-style YAML document.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_map(&mut out, map, 0),
        Value::Array(items) if !items.is_empty() => write_list(&mut out, items, 0),
        other => {
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
    out
}

fn write_map(out: &mut String, map: &serde_json::Map<String, Value>, indent: usize) {
    for (i, (key, value)) in map.iter().enumerate() {
        // The first key of a list item continues the "- " line.
        if i > 0 || !out.ends_with("- ") {
            push_indent(out, indent);
        }
        out.push_str(&string(key));
        out.push(':');
        write_child(out, value, indent);
    }
}

fn write_list(out: &mut String, items: &[Value], indent: usize) {
    for item in items {
        push_indent(out, indent);
        out.push_str("- ");
        match item {
            Value::Object(map) if !map.is_empty() => write_map(out, map, indent + 2),
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                write_list(out, inner, indent + 2);
            }
            other => {
                out.push_str(&scalar(other));
                out.push('\n');
            }
        }
    }
}

fn write_child(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            write_map(out, map, indent + 2);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            write_list(out, items, indent + 2);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other));
            out.push('\n');
        }
    }
}

fn push_indent(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

fn scalar(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(flag) => flag.to_string(),
        Value::Number(number) => number.to_string(),
        Value::String(text) => string(text),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

/// YAML 1.1 words that read as a boolean or null when plain (compared case-insensitively, which
/// covers every spelling PyYAML and Go's YAML 1.1 reader accept, and a few more).
const RESERVED_WORDS: [&str; 9] = ["y", "n", "yes", "no", "on", "off", "true", "false", "null"];

/// Whether `text` reads back as the same string when written plain, in YAML 1.1 and 1.2 alike:
/// a letter first rules out numbers, timestamps, `~`, `.inf`, `<<` and every indicator, and the
/// rest holds no character that is structure in a plain scalar.
fn plain_is_safe(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | '-'))
        && !RESERVED_WORDS
            .iter()
            .any(|word| word.eq_ignore_ascii_case(text))
}

/// A key or string value: plain when that reads back unchanged, else double-quoted.
pub fn string(text: &str) -> String {
    if plain_is_safe(text) {
        text.to_owned()
    } else {
        quote(text)
    }
}

/// Double-quotes a string for YAML 1.1 and 1.2 alike.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if needs_escape(c) => {
                let code = u32::from(c);
                if code <= 0xFFFF {
                    let _ = write!(out, "\\u{code:04X}");
                } else {
                    let _ = write!(out, "\\U{code:08X}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Characters outside YAML's printable set, or that YAML 1.1 treats as line breaks.
fn needs_escape(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1F}' | '\u{7F}'..='\u{9F}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_nested_maps_and_lists() {
        let tree = json!({"a": {"b": 5, "list": [{"key": "dagster/backfill", "limit": 3}, {"key": "x", "value": {"u": true}}]}});
        assert_eq!(
            to_yaml(&tree),
            "a:\n  b: 5\n  list:\n    - key: dagster/backfill\n      limit: 3\n    - key: x\n      value:\n        u: true\n"
        );
    }

    #[test]
    fn quotes_strings_yaml_would_retype() {
        for text in [
            "true",
            "True",
            "null",
            "NULL",
            "1e3",
            "0x1F",
            "007",
            "1_000",
            "yes",
            "Y",
            "n",
            "on",
            "Off",
            "~",
            "",
            ".inf",
            "-1",
            "<<",
            "a b",
            "a:b",
            "a#b",
            "2001-12-14",
            "1:20",
            "é",
        ] {
            assert_eq!(string(text), quote(text), "{text}");
        }
    }

    #[test]
    fn writes_plain_what_reads_back_unchanged() {
        for text in [
            "max_concurrent_runs",
            "dagster/backfill",
            "dagster.core.run_coordinator",
            "QueuedRunCoordinator",
            "team-a",
            "yesterday",
            "nullable",
            "e10",
        ] {
            assert_eq!(string(text), text);
        }
    }

    #[test]
    fn escapes_line_breaks_and_controls() {
        assert_eq!(
            quote("a\u{2028}b\u{85}c\"\\"),
            "\"a\\u2028b\\u0085c\\\"\\\\\""
        );
        assert_eq!(quote("\u{1}\n"), "\"\\u0001\\n\"");
    }

    #[test]
    fn empty_tree_is_an_empty_map() {
        assert_eq!(to_yaml(&json!({})), "{}\n");
    }
}
