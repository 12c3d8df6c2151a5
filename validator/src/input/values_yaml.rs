//! Helm values YAML: parsed with `saphyr-parser` (which reports where each node starts) and
//! typed the way Helm reads values (Go's YAML 1.1 rules, checked with Helm 4.2.3): `yes`/`on`
//! are booleans, `0x1F` and `007` integers, `1e3` the number 1000, and quoted scalars strings.

use super::tree::{Node, Value};
use super::values::values_target;
use super::{Position, ReadOptions, SyntaxError, Target};
use saphyr_parser::{Event, Marker, Parser, ScalarStyle, Span};
use std::collections::HashMap;

/// Reads a values file into one target, or none when it holds no Dagster run-coordinator or
/// `concurrency` values.
pub fn read(text: &str, options: &ReadOptions) -> Result<Vec<Target>, SyntaxError> {
    let root = parse(text, Position::START)?;
    let Some(root) = root else {
        return Ok(Vec::new());
    };
    Ok(values_target("values", &root, options, None)
        .into_iter()
        .collect())
}

/// One collection being built from parser events.
enum Frame {
    Map {
        entries: Vec<(String, Node)>,
        key: Option<(String, Position)>,
        anchor: usize,
        position: Position,
    },
    List {
        items: Vec<Node>,
        anchor: usize,
        position: Position,
    },
}

fn position(marker: &Marker, origin: Position) -> Position {
    // saphyr-parser counts lines from 1 and columns from 0; `origin` is where the text starts
    // in its file, and every line of the text is indented by as much (a heredoc inside a `.tf`
    // file, whose common indentation Terraform strips).
    Position {
        line: origin.line + marker.line() - 1,
        column: origin.column + marker.col(),
    }
}

/// Parses the first YAML document of `text` into a values tree; positions are shifted so that
/// the text's first character is at `origin` and every line starts at `origin`'s column. `None` for an empty document.
pub fn parse(text: &str, origin: Position) -> Result<Option<Node>, SyntaxError> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, Node> = HashMap::new();
    let mut root = None;
    for event in Parser::new_from_str(text) {
        let (event, span): (Event, Span) = event.map_err(|error| SyntaxError {
            position: position(error.marker(), origin),
            message: format!("invalid yaml: {}", error.info()),
        })?;
        let at = position(&span.start, origin);
        let (node, anchor) = match event {
            Event::DocumentEnd if root.is_some() => break,
            Event::MappingStart(anchor, _) => {
                stack.push(Frame::Map {
                    entries: Vec::new(),
                    key: None,
                    anchor,
                    position: at,
                });
                continue;
            }
            Event::SequenceStart(anchor, _) => {
                stack.push(Frame::List {
                    items: Vec::new(),
                    anchor,
                    position: at,
                });
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => match stack.pop() {
                Some(Frame::Map {
                    entries,
                    anchor,
                    position,
                    ..
                }) => (Node::new(Value::Map(entries), position), anchor),
                Some(Frame::List {
                    items,
                    anchor,
                    position,
                }) => (Node::new(Value::List(items), position), anchor),
                None => continue,
            },
            Event::Scalar(text, style, anchor, tag) => {
                let tag = tag.map(|tag| tag.suffix.clone());
                (Node::new(scalar(&text, style, tag.as_deref()), at), anchor)
            }
            Event::Alias(id) => match anchors.get(&id) {
                Some(node) => (Node::new(node.value.clone(), at), 0),
                None => {
                    return Err(SyntaxError {
                        position: at,
                        message: "invalid yaml: alias to an unknown anchor".into(),
                    })
                }
            },
            _ => continue,
        };
        if anchor > 0 {
            anchors.insert(anchor, node.clone());
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::List { items, .. }) => items.push(node),
            Some(Frame::Map { entries, key, .. }) => match key.take() {
                None => *key = Some((key_text(&node), node.position)),
                Some((name, key_at)) => insert(entries, name, key_at, node),
            },
        }
    }
    Ok(root.filter(|node| node.value != Value::Null))
}

/// Puts a map entry in place; collections are placed at their key (the line a reader looks
/// at), and a `<<` merge key copies the entries the map does not have yet.
fn insert(entries: &mut Vec<(String, Node)>, name: String, key_at: Position, mut node: Node) {
    if name == "<<" {
        let sources = match node.value {
            Value::List(items) => items,
            _ => vec![node],
        };
        for source in sources {
            for (key, value) in source.entries() {
                if !entries.iter().any(|(k, _)| k == key) {
                    entries.push((key.clone(), value.clone()));
                }
            }
        }
        return;
    }
    if matches!(node.value, Value::Map(_) | Value::List(_)) {
        node.position = key_at;
    }
    match entries.iter_mut().find(|(k, _)| *k == name) {
        Some((_, existing)) => *existing = node,
        None => entries.push((name, node)),
    }
}

fn key_text(node: &Node) -> String {
    match &node.value {
        Value::Str(text) | Value::Float(text) => text.clone(),
        Value::Int(number) => number.to_string(),
        Value::Bool(flag) => flag.to_string(),
        Value::Null => "null".into(),
        _ => String::new(),
    }
}

/// Types a scalar as Go's YAML 1.1 resolver does for Helm.
fn scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Value {
    if style != ScalarStyle::Plain || tag == Some("str") {
        return Value::Str(text.to_owned());
    }
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            return Value::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Value::Bool(false)
        }
        _ => {}
    }
    if let Some(number) = go_int(text) {
        return Value::Int(number);
    }
    let plain = text.replace('_', "");
    let looks_numeric = plain
        .trim_start_matches(['-', '+'])
        .starts_with(|c: char| c.is_ascii_digit() || c == '.');
    match plain.parse::<f64>() {
        Ok(float) if looks_numeric && float.is_finite() => {
            if float.fract() == 0.0 && float.abs() < 9.2e18 {
                Value::Int(float as i64)
            } else {
                Value::Float(text.to_owned())
            }
        }
        _ => Value::Str(text.to_owned()),
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)` after removing `_`: decimal, `0x`, `0o`, `0b`, and a
/// leading `0` for octal.
fn go_int(text: &str) -> Option<i64> {
    let plain = text.replace('_', "");
    let (negative, digits) = match plain.as_bytes().first()? {
        b'-' => (true, &plain[1..]),
        b'+' => (false, &plain[1..]),
        _ => (false, plain.as_str()),
    };
    let lower = digits.to_ascii_lowercase();
    let (radix, body) = if let Some(rest) = lower.strip_prefix("0x") {
        (16, rest)
    } else if let Some(rest) = lower.strip_prefix("0o") {
        (8, rest)
    } else if let Some(rest) = lower.strip_prefix("0b") {
        (2, rest)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i128::from_str_radix(body, radix).ok()?;
    i64::try_from(if negative { -magnitude } else { magnitude }).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Node {
        parse(text, Position::START)
            .expect("parses")
            .expect("not empty")
    }

    #[test]
    fn scalars_are_typed_like_helm() {
        let root = parsed(
            "a: 5\nb: \"5\"\nc: yes\nd: 0x1F\ne: 007\nf: 1e3\ng: 1_000\nh: ~\ni: 2.5\nj: abc\nk: !!str 7\nl: 010\n",
        );
        let value = |key: &str| root.get(key).map(|n| n.value.clone());
        assert_eq!(value("a"), Some(Value::Int(5)));
        assert_eq!(value("b"), Some(Value::Str("5".into())));
        assert_eq!(value("c"), Some(Value::Bool(true)));
        assert_eq!(value("d"), Some(Value::Int(31)));
        assert_eq!(value("e"), Some(Value::Int(7)));
        assert_eq!(value("f"), Some(Value::Int(1000)));
        assert_eq!(value("g"), Some(Value::Int(1000)));
        assert_eq!(value("h"), Some(Value::Null));
        assert_eq!(value("i"), Some(Value::Float("2.5".into())));
        assert_eq!(value("j"), Some(Value::Str("abc".into())));
        assert_eq!(value("k"), Some(Value::Str("7".into())));
        assert_eq!(value("l"), Some(Value::Int(8)));
    }

    #[test]
    fn positions_point_at_keys_and_values() {
        let root = parsed("top:\n  inner:\n    - x: 1\n");
        assert_eq!(
            root.get("top").map(|n| n.position),
            Some(Position { line: 1, column: 1 })
        );
        let inner = root.at(&["top", "inner"]).expect("inner");
        assert_eq!(inner.position, Position { line: 2, column: 3 });
        let shifted = parse(
            "a: 1\nb: 2\n",
            Position {
                line: 10,
                column: 5,
            },
        )
        .expect("parses")
        .expect("not empty");
        assert_eq!(
            shifted.get("a").map(|n| n.position),
            Some(Position {
                line: 10,
                column: 8
            })
        );
        assert_eq!(
            shifted.get("b").map(|n| n.position),
            Some(Position {
                line: 11,
                column: 8
            })
        );
    }

    #[test]
    fn anchors_and_merge_keys() {
        let root = parsed("base: &b\n  x: 1\nuse:\n  <<: *b\n  y: 2\ncopy: *b\n");
        assert_eq!(
            root.at(&["use", "x"]).map(|n| &n.value),
            Some(&Value::Int(1))
        );
        assert_eq!(
            root.at(&["copy", "x"]).map(|n| &n.value),
            Some(&Value::Int(1))
        );
    }

    #[test]
    fn syntax_errors_carry_their_line() {
        let error = parse("a: 1\nb: [1, 2\n", Position::START).expect_err("invalid");
        assert!(error.position.line >= 2, "{error}");
        assert!(error.message.starts_with("invalid yaml"), "{error}");
        assert_eq!(parse("", Position::START), Ok(None));
    }
}
