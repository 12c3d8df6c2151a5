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

/// One collection being built from parser events, and the expansion counts when it started.
enum Frame {
    Map {
        entries: Vec<(String, Node)>,
        /// Where each key sits in `entries`, so that a map of many keys is built in linear time
        /// (a linear search per key made a 1 MB map of 100,000 keys take tens of seconds).
        index: HashMap<String, usize>,
        key: Option<(String, Position)>,
        anchor: usize,
        position: Position,
        started: Size,
    },
    List {
        items: Vec<Node>,
        anchor: usize,
        position: Position,
        started: Size,
    },
}

/// Nodes built and aliases expanded, in a whole document or under one anchor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Size {
    nodes: usize,
    aliases: usize,
}

/// The most nodes that aliases may add to a document: far beyond any real values file, and
/// small enough that a few hundred bytes of nested aliases cannot expand into gigabytes.
const MAX_ALIAS_NODES: usize = 100_000;

/// Counts what aliases expand into and refuses excessive expansion. Aliases are expanded by
/// copying what their anchor holds, so nested anchors grow exponentially (a "billion laughs"
/// document). Helm's YAML library (go-yaml v2, through sigs.k8s.io/yaml) refuses a document
/// when aliases make up too large a share of the nodes it decodes (over 100 aliases and 1,000
/// nodes, more than 99% aliases, a share falling to 10% at 4,000,000 nodes); the same rule
/// applies here, with a ceiling on the nodes aliases add, which that ratio alone does not
/// bound. The counting is written here because `saphyr-parser` only reports alias events and
/// leaves expansion, and so its limits, to the caller.
#[derive(Debug, Default)]
struct Expansion {
    total: Size,
    added: usize,
}

impl Expansion {
    /// Counts one node written in the document.
    fn node(&mut self) {
        self.total.nodes += 1;
    }

    /// Counts an alias to an anchor of `size`; `Err` when expansion becomes excessive.
    fn alias(&mut self, size: Size) -> Result<(), String> {
        self.total.nodes += size.nodes;
        self.total.aliases += 1 + size.aliases;
        self.added += size.nodes;
        let Size { nodes, aliases } = self.total;
        let share = aliases as f64 / nodes as f64;
        if self.added > MAX_ALIAS_NODES
            || (aliases > 100 && nodes > 1000 && share > allowed_alias_share(nodes))
        {
            return Err(format!(
                "invalid yaml: document contains excessive aliasing ({aliases} aliases expand to {} nodes): refused, as Helm refuses it",
                self.added
            ));
        }
        Ok(())
    }
}

/// The share of aliases among decoded nodes that go-yaml allows at `nodes` decoded nodes.
fn allowed_alias_share(nodes: usize) -> f64 {
    const LOW: f64 = 400_000.0;
    const HIGH: f64 = 4_000_000.0;
    let nodes = nodes as f64;
    if nodes <= LOW {
        0.99
    } else if nodes >= HIGH {
        0.10
    } else {
        0.99 - 0.89 * (nodes - LOW) / (HIGH - LOW)
    }
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

/// How plain (unquoted) scalars are typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scalars {
    /// As Helm reads values: Go's YAML 1.1 rules.
    Helm,
    /// As PyYAML's `yaml.dump` writes them (the YAML Dagster reports): a plain `null`, `~` or
    /// empty scalar is null and any other is [`Value::Str`] of its text, which the reader
    /// converts. `yaml.dump` quotes every string that its own YAML 1.1 resolver would read as
    /// something else, so a plain scalar is a string unless it is a number or a boolean the
    /// reader expects; Helm's rules would read Dagster's plain strings `y`, `n` and `1e3` as a
    /// boolean or a number, and lose their text.
    AsText,
}

/// Parses the first YAML document of `text` into a values tree; positions are shifted so that
/// the text's first character is at `origin` and every line starts at `origin`'s column. `None` for an empty document.
pub fn parse(text: &str, origin: Position) -> Result<Option<Node>, SyntaxError> {
    parse_with(text, origin, Scalars::Helm)
}

/// [`parse`], with plain scalars typed as `scalars` says.
pub fn parse_with(
    text: &str,
    origin: Position,
    scalars: Scalars,
) -> Result<Option<Node>, SyntaxError> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchors: HashMap<usize, (Node, Size)> = HashMap::new();
    let mut expansion = Expansion::default();
    let mut root = None;
    for event in Parser::new_from_str(text) {
        let (event, span): (Event, Span) = event.map_err(|error| SyntaxError {
            position: position(error.marker(), origin),
            message: format!("invalid yaml: {}", error.info()),
        })?;
        let at = position(&span.start, origin);
        let (node, anchor, size) = match event {
            Event::DocumentEnd if root.is_some() => break,
            Event::MappingStart(anchor, _) => {
                expansion.node();
                stack.push(Frame::Map {
                    entries: Vec::new(),
                    index: HashMap::new(),
                    key: None,
                    anchor,
                    position: at,
                    started: expansion.total,
                });
                continue;
            }
            Event::SequenceStart(anchor, _) => {
                expansion.node();
                stack.push(Frame::List {
                    items: Vec::new(),
                    anchor,
                    position: at,
                    started: expansion.total,
                });
                continue;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                let (value, anchor, position, started) = match stack.pop() {
                    Some(Frame::Map {
                        entries,
                        anchor,
                        position,
                        started,
                        ..
                    }) => (Value::Map(entries), anchor, position, started),
                    Some(Frame::List {
                        items,
                        anchor,
                        position,
                        started,
                    }) => (Value::List(items), anchor, position, started),
                    None => continue,
                };
                let size = Size {
                    nodes: expansion.total.nodes - started.nodes + 1,
                    aliases: expansion.total.aliases - started.aliases,
                };
                (Node::new(value, position), anchor, size)
            }
            Event::Scalar(text, style, anchor, tag) => {
                expansion.node();
                let tag = tag.map(|tag| tag.suffix.clone());
                let value = match scalars {
                    Scalars::Helm => scalar(&text, style, tag.as_deref()),
                    Scalars::AsText => text_scalar(&text, style),
                };
                let node = Node::new(value, at);
                (
                    node,
                    anchor,
                    Size {
                        nodes: 1,
                        aliases: 0,
                    },
                )
            }
            Event::Alias(id) => match anchors.get(&id) {
                Some((node, size)) => {
                    expansion.alias(*size).map_err(|message| SyntaxError {
                        position: at,
                        message,
                    })?;
                    (Node::new(node.value.clone(), at), 0, *size)
                }
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
            anchors.insert(anchor, (node.clone(), size));
        }
        match stack.last_mut() {
            None => root = Some(node),
            Some(Frame::List { items, .. }) => items.push(node),
            Some(Frame::Map {
                entries,
                index,
                key,
                ..
            }) => match key.take() {
                None => *key = Some((key_text(&node), node.position)),
                Some((name, key_at)) => insert(entries, index, name, key_at, node),
            },
        }
    }
    Ok(root.filter(|node| node.value != Value::Null))
}

/// Puts a map entry in place; collections are placed at their key (the line a reader looks
/// at), and a `<<` merge key copies the entries the map does not have yet. `index` says where
/// each key of `entries` is.
fn insert(
    entries: &mut Vec<(String, Node)>,
    index: &mut HashMap<String, usize>,
    name: String,
    key_at: Position,
    mut node: Node,
) {
    if name == "<<" {
        let sources = match node.value {
            Value::List(items) => items,
            _ => vec![node],
        };
        for source in sources {
            for (key, value) in source.entries() {
                if !index.contains_key(key) {
                    index.insert(key.clone(), entries.len());
                    entries.push((key.clone(), value.clone()));
                }
            }
        }
        return;
    }
    if matches!(node.value, Value::Map(_) | Value::List(_)) {
        node.position = key_at;
    }
    match index.get(&name) {
        Some(&at) => entries[at].1 = node,
        None => {
            index.insert(name.clone(), entries.len());
            entries.push((name, node));
        }
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

/// Types a scalar as [`Scalars::AsText`] says.
fn text_scalar(text: &str, style: ScalarStyle) -> Value {
    match (style, text) {
        (ScalarStyle::Plain, "" | "~" | "null") => Value::Null,
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
    fn scalars_as_text_keep_what_pyyaml_wrote() {
        let text = "a: y\nb: 1e3\nc: 'yes'\nd: null\ne: ~\nf: 3\ng: 'null'\nh:\n";
        let root = parse_with(text, Position::START, Scalars::AsText)
            .expect("parses")
            .expect("not empty");
        let value = |key: &str| root.get(key).map(|n| n.value.clone());
        let text = |text: &str| Some(Value::Str(text.into()));
        assert_eq!(value("a"), text("y"));
        assert_eq!(value("b"), text("1e3"));
        assert_eq!(value("c"), text("yes"));
        assert_eq!(value("d"), Some(Value::Null));
        assert_eq!(value("e"), Some(Value::Null));
        assert_eq!(value("f"), text("3"));
        assert_eq!(value("g"), text("null"));
        assert_eq!(value("h"), Some(Value::Null));
        assert_eq!(
            parse_with("null\n", Position::START, Scalars::AsText),
            Ok(None)
        );
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

    /// A map of many keys once took a linear search per key (64 KB of keys: 21 s in the
    /// `values_yaml` fuzz target, past its 10 s timeout); the index of keys must keep what the
    /// search did: a repeated key replaces the value in its first place, and a merge key adds
    /// only the keys the map does not have.
    #[test]
    fn maps_of_many_keys_keep_repeated_and_merged_keys_right() {
        let mut text = String::from("base: &b\n  k1: merged\n  extra: merged\nmap:\n");
        for key in 0..5000 {
            text.push_str(&format!("  k{key}: {key}\n"));
        }
        text.push_str("  k7: again\n  <<: *b\n");
        let root = parsed(&text);
        let map = root.get("map").expect("map");
        assert_eq!(map.entries().len(), 5001);
        assert_eq!(map.entries()[7].0, "k7");
        assert_eq!(map.entries()[7].1.value, Value::Str("again".into()));
        assert_eq!(map.get("k1").map(|n| &n.value), Some(&Value::Int(1)));
        assert_eq!(map.entries()[5000].0, "extra");
    }

    #[test]
    fn alias_bombs_are_refused_before_they_expand() {
        // Nine aliases per level, nine levels: 9^9 (387 million) copies of "lol" if expanded.
        let mut bomb = String::from(
            "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
        );
        for level in b'b'..=b'i' {
            let previous = char::from(level - 1);
            let aliases = vec![format!("*{previous}"); 9].join(",");
            bomb.push_str(&format!(
                "{}: &{} [{aliases}]\n",
                char::from(level),
                char::from(level)
            ));
        }
        let error = parse(&bomb, Position::START).expect_err("refused");
        assert!(error.message.contains("excessive aliasing"), "{error}");
        assert!(error.position.line > 2, "{error}");
        // A document that is nearly all aliases is refused as Helm refuses it, however small.
        let dense = format!("a: &a 1\nl: [{}]\n", vec!["*a"; 2000].join(","));
        assert!(parse(&dense, Position::START).is_err());
        // Ordinary reuse is read.
        let shared = format!("d: &d {{x: 1, y: 2}}\nl: [{}]\n", vec!["*d"; 50].join(","));
        assert!(parse(&shared, Position::START).is_ok());
    }

    #[test]
    fn syntax_errors_carry_their_line() {
        let error = parse("a: 1\nb: [1, 2\n", Position::START).expect_err("invalid");
        assert!(error.position.line >= 2, "{error}");
        assert!(error.message.starts_with("invalid yaml"), "{error}");
        assert_eq!(parse("", Position::START), Ok(None));
    }
}
