//! Helm's `--set` parser (`strvals`), enough to replay `helm_release` `set` entries onto a
//! values tree exactly as Helm does.
//!
//! Written by hand: no Rust crate parses Helm's `strvals` syntax. The rules (Helm 3.15 to 4.x):
//! each entry is parsed as the one expression `NAME=VALUE`; names are keys joined by `.` with
//! `[N]` list indices; a value ends at an unescaped `,` (what follows is another `NAME=VALUE`);
//! a value starting with `{` is a list `{a,b}`; a backslash makes the next character literal.
//! Under `type = "auto"`, `true`/`false` (any case) are booleans, `null` deletes the key, and
//! `0` or a decimal integer without a leading zero is a number; `string` keeps text;
//! `literal` (helm provider 3.x) takes the rest of the expression as one string.

use super::tree::{Node, Value};
use super::Position;
use crate::render::Segment;

/// How a `set` entry's value is typed (`set` `type`, or `set_string`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// `type = "auto"` (the default): typed as described in the module docs.
    Auto,
    /// `type = "string"` or `set_string`: always text.
    String,
    /// `type = "literal"`: the value exactly as written, no escapes or commas.
    Literal,
}

impl ValueKind {
    /// The kind named by a `set` entry's `type`; `None` for an unknown type.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "" | "auto" => Some(ValueKind::Auto),
            "string" => Some(ValueKind::String),
            "literal" => Some(ValueKind::Literal),
            _ => None,
        }
    }
}

/// What one assignment does to its path.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// `null` under `auto`: removes the key.
    Delete,
    /// Sets a scalar or a `{a,b}` list.
    Set(Value),
}

/// One `NAME=VALUE` of an expression.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// Where.
    pub path: Vec<Segment>,
    /// What.
    pub effect: Effect,
}

/// The most `.` after a key Helm accepts in a name. A `.` after an index (`a[0].b`) and the
/// indices themselves do not count: `a.b` (1) is as deep as `a[0].b[1][2]` to Helm.
const MAX_DEPTH: usize = 30;
/// The most keys and indices a name may hold here. Helm does not bound indices in a row
/// (`a[0][0]...`), but each one nests the tree a level deeper, and the tree is cloned, compared
/// and dropped recursively: a name of a megabyte of `[0]` would overflow the stack. 31 keys
/// with three indices each is far beyond any real chart.
const MAX_SEGMENTS: usize = 128;
/// Largest list index Helm accepts.
const MAX_INDEX: usize = 65536;

/// Parses the expression `NAME=VALUE` of one `set` entry.
pub fn parse(name: &str, value: &str, kind: ValueKind) -> Result<Vec<Assignment>, String> {
    if kind == ValueKind::Literal {
        let (path, rest) = read_name(name)?;
        if !rest.is_empty() {
            return Err(format!("unexpected {rest:?} after the name"));
        }
        return Ok(vec![Assignment {
            path,
            effect: Effect::Set(Value::Str(value.to_owned())),
        }]);
    }
    let expression = format!("{name}={value}");
    let mut rest: &str = &expression;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (path, after) = read_name(rest)?;
        let Some(after) = after.strip_prefix('=') else {
            return Err(format!(
                "key {:?} has no value",
                crate::render::helm_set::name_of(&path)
            ));
        };
        let (effect, after) = if let Some(list) = after.strip_prefix('{') {
            let (items, after) = read_list(list, kind)?;
            (Effect::Set(Value::List(items)), after)
        } else {
            let (text, after) = read_until_comma(after);
            (typed(&text, kind), after)
        };
        out.push(Assignment { path, effect });
        rest = after.strip_prefix(',').unwrap_or(after);
    }
    Ok(out)
}

/// The most list elements the `set` entries replayed onto one values tree may add. An index pads
/// its list with `null`s up to it, so without a bound a few kilobytes of entries such as
/// `k1[65535]=1` would build gigabytes of padding. Sixteen lists as long as Helm's largest index
/// allows is far beyond any real release (whose lists are written index by index, each element
/// counted once) and keeps a tree to tens of megabytes.
pub const MAX_ADDED_ELEMENTS: usize = 16 * (MAX_INDEX + 1);

/// A values tree that `set` entries are replayed onto, as Helm replays them, within
/// [`MAX_ADDED_ELEMENTS`]. Every replay goes through it, so no caller can build unbounded padding.
#[derive(Debug, Clone, PartialEq)]
pub struct Replay {
    tree: Node,
    /// The list elements the assignments applied so far added.
    added: usize,
}

impl Replay {
    /// Replays onto `tree` (the merged `values`, or an empty map).
    pub fn new(tree: Node) -> Self {
        Replay { tree, added: 0 }
    }

    /// The tree as replayed so far.
    pub fn tree(&self) -> &Node {
        &self.tree
    }

    /// The tree, replay done.
    pub fn into_tree(self) -> Node {
        self.tree
    }

    /// Merges a values document onto the tree as Helm merges `values` (before any entry).
    pub fn merge(&mut self, document: Node) {
        self.tree.merge(document);
    }

    /// Applies one entry's assignments in order, each new node placed at `position`. `Err` when
    /// an assignment would take the list elements added past [`MAX_ADDED_ELEMENTS`]: it and the
    /// assignments after it are not applied.
    pub fn apply(
        &mut self,
        assignments: Vec<Assignment>,
        position: Position,
    ) -> Result<(), String> {
        for assignment in assignments {
            match assignment.effect {
                Effect::Delete => self.tree.remove(&assignment.path),
                Effect::Set(value) => {
                    let added = self
                        .added
                        .saturating_add(self.tree.padding(&assignment.path));
                    if added > MAX_ADDED_ELEMENTS {
                        return Err(format!(
                            "adds list elements up to {added} with the entries before it, past the {MAX_ADDED_ELEMENTS} this check replays"
                        ));
                    }
                    self.added = added;
                    if let Some(slot) = self.tree.slot(&assignment.path, position) {
                        *slot = Node::new(value, position);
                    }
                }
            }
        }
        Ok(())
    }
}

/// Reads a name up to `=` or `,` (or the end), returning its path and the rest.
fn read_name(text: &str) -> Result<(Vec<Segment>, &str), String> {
    let mut path = Vec::new();
    let mut key = String::new();
    // After `]` the next step starts without a key of its own (`a[0].b`, `a[0][1]`).
    let mut after_index = false;
    let mut depth = 0;
    let mut at = 0;
    while let Some(c) = text[at..].chars().next() {
        match c {
            '\\' => {
                at += 1;
                if let Some(next) = text[at..].chars().next() {
                    key.push(next);
                    at += next.len_utf8();
                }
                continue;
            }
            '.' => {
                if !after_index {
                    path.push(Segment::Key(std::mem::take(&mut key)));
                    depth += 1;
                    if depth > MAX_DEPTH {
                        return Err(format!("name is nested deeper than {MAX_DEPTH} levels"));
                    }
                }
                after_index = false;
            }
            '[' => {
                if !after_index {
                    path.push(Segment::Key(std::mem::take(&mut key)));
                }
                let close = text[at..].find(']').ok_or("unclosed [ in name")? + at;
                let digits = &text[at + 1..close];
                let index: usize = digits
                    .parse()
                    .map_err(|_| format!("invalid list index [{digits}]"))?;
                if index > MAX_INDEX {
                    return Err(format!("list index {index} is above {MAX_INDEX}"));
                }
                path.push(Segment::Index(index));
                after_index = true;
                at = close + 1;
                continue;
            }
            '=' | ',' => return finish(path, key, after_index, &text[at..]),
            _ => key.push(c),
        }
        at += c.len_utf8();
    }
    finish(path, key, after_index, "")
}

fn finish(
    mut path: Vec<Segment>,
    key: String,
    after_index: bool,
    rest: &str,
) -> Result<(Vec<Segment>, &str), String> {
    if !after_index {
        path.push(Segment::Key(key));
    }
    if path
        .iter()
        .any(|s| matches!(s, Segment::Key(k) if k.is_empty()))
    {
        return Err("empty key in name".into());
    }
    if path.len() > MAX_SEGMENTS {
        return Err(format!(
            "name holds {} keys and indices, more than the {MAX_SEGMENTS} this check replays",
            path.len()
        ));
    }
    Ok((path, rest))
}

/// Reads a value up to an unescaped `,`, removing escapes.
fn read_until_comma(text: &str) -> (String, &str) {
    let mut out = String::new();
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, next)) = chars.next() {
                    out.push(next);
                }
            }
            ',' => return (out, &text[at..]),
            _ => out.push(c),
        }
    }
    (out, "")
}

/// Reads `a,b}` (after the opening brace) into list items.
fn read_list(text: &str, kind: ValueKind) -> Result<(Vec<Node>, &str), String> {
    let mut items = Vec::new();
    let mut item = String::new();
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        match c {
            '\\' => {
                if let Some((_, next)) = chars.next() {
                    item.push(next);
                }
            }
            ',' | '}' => {
                let value = match typed(&std::mem::take(&mut item), kind) {
                    Effect::Set(value) => value,
                    Effect::Delete => Value::Null,
                };
                items.push(Node::new(value, Position::START));
                if c == '}' {
                    return Ok((items, &text[at + 1..]));
                }
            }
            _ => item.push(c),
        }
    }
    Err("unclosed { in value".into())
}

/// Types a value as strvals does.
fn typed(text: &str, kind: ValueKind) -> Effect {
    if kind != ValueKind::Auto {
        return Effect::Set(Value::Str(text.to_owned()));
    }
    let lower = text.to_ascii_lowercase();
    if lower == "true" || lower == "false" {
        return Effect::Set(Value::Bool(lower == "true"));
    }
    if lower == "null" {
        return Effect::Delete;
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    let leading_zero = digits.len() > 1 && digits.starts_with('0');
    match text.parse::<i64>() {
        Ok(number) if !leading_zero && !text.starts_with('+') => Effect::Set(Value::Int(number)),
        _ => Effect::Set(Value::Str(text.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> Segment {
        Segment::Key(text.into())
    }

    fn one(name: &str, value: &str, kind: ValueKind) -> Assignment {
        let mut parsed = parse(name, value, kind).expect("parses");
        assert_eq!(parsed.len(), 1, "{parsed:?}");
        parsed.remove(0)
    }

    #[test]
    fn names_with_indices_and_escapes() {
        let parsed = one(r"a.list[2].k\.x", "1", ValueKind::Auto);
        assert_eq!(
            parsed.path,
            [key("a"), key("list"), Segment::Index(2), key("k.x")]
        );
        assert_eq!(parsed.effect, Effect::Set(Value::Int(1)));
        assert_eq!(
            one("m[0][1]", "x", ValueKind::Auto).path,
            [key("m"), Segment::Index(0), Segment::Index(1)]
        );
    }

    #[test]
    fn auto_typing() {
        let value = |text: &str| one("v", text, ValueKind::Auto).effect;
        assert_eq!(value("TRUE"), Effect::Set(Value::Bool(true)));
        assert_eq!(value("null"), Effect::Delete);
        assert_eq!(value("0"), Effect::Set(Value::Int(0)));
        assert_eq!(value("-3"), Effect::Set(Value::Int(-3)));
        assert_eq!(value("007"), Effect::Set(Value::Str("007".into())));
        assert_eq!(value("2.5"), Effect::Set(Value::Str("2.5".into())));
        assert_eq!(
            one("v", "5", ValueKind::String).effect,
            Effect::Set(Value::Str("5".into()))
        );
    }

    #[test]
    fn commas_and_lists() {
        let parsed = parse("a", "1,b=x", ValueKind::Auto).expect("parses");
        assert_eq!(parsed.len(), 2);
        assert_eq!(parsed[1].path, [key("b")]);
        assert_eq!(
            one("a", r"x\,y", ValueKind::Auto).effect,
            Effect::Set(Value::Str("x,y".into()))
        );
        let Effect::Set(Value::List(items)) = one("l", "{1,b}", ValueKind::Auto).effect else {
            panic!("a list")
        };
        assert_eq!(items.len(), 2);
        assert_eq!(
            one("a", "x,y", ValueKind::Literal).effect,
            Effect::Set(Value::Str("x,y".into()))
        );
    }

    /// Helm 4.2.3 reads 31 keys and refuses 32; it counts no index (checked with
    /// helm-python-sdk's `parse_set_string`).
    #[test]
    fn depth_counts_the_dots_after_keys() {
        let keys = |n: usize| {
            (0..n)
                .map(|i| format!("k{i}"))
                .collect::<Vec<_>>()
                .join(".")
        };
        assert_eq!(one(&keys(31), "1", ValueKind::Auto).path.len(), 31);
        let error = parse(&keys(32), "1", ValueKind::Auto).expect_err("too deep");
        assert_eq!(error, "name is nested deeper than 30 levels");
        let indices = format!("a{}", "[0]".repeat(40));
        assert_eq!(one(&indices, "1", ValueKind::Auto).path.len(), 41);
        let mixed: String = (0..40).map(|i| format!("k{i}[0].")).collect();
        assert_eq!(
            one(&format!("{mixed}x"), "1", ValueKind::Auto).path.len(),
            81
        );
        // Deeper than the stack allows is refused here, though Helm reads it.
        let deepest = format!("a{}", "[0]".repeat(200_000));
        let error = parse(&deepest, "1", ValueKind::Auto).expect_err("too many segments");
        assert!(error.contains("200001 keys and indices"), "{error}");
    }

    #[test]
    fn bad_names_are_errors() {
        for (name, value) in [
            ("a..b", "1"),
            ("a[-1]", "1"),
            ("a[x]", "1"),
            ("a[70000]", "1"),
            ("a", "1,b"),
        ] {
            assert!(
                parse(name, value, ValueKind::Auto).is_err(),
                "{name}={value}"
            );
        }
    }

    #[test]
    fn apply_edits_lists_in_place() {
        let mut replay = Replay::new(Node::empty_map(Position::START));
        let at = Position { line: 3, column: 1 };
        for (name, value) in [("l[1].k", "x"), ("l[0].k", "y")] {
            let assignments = parse(name, value, ValueKind::Auto).expect("parses");
            replay.apply(assignments, at).expect("within the bound");
        }
        let Some(Value::List(items)) = replay.tree().get("l").map(|n| &n.value) else {
            panic!("a list")
        };
        assert_eq!(items.len(), 2);
        let deleted = parse("l", "null", ValueKind::Auto).expect("parses");
        replay.apply(deleted, at).expect("within the bound");
        assert!(replay.tree().get("l").is_none());
    }

    /// A few kilobytes of entries with large list indices once padded lists with gigabytes of
    /// `null`s (found by the `hcl` and `strvals` fuzz targets' memory limits).
    #[test]
    fn list_padding_is_bounded_per_tree() {
        let mut replay = Replay::new(Node::empty_map(Position::START));
        let largest = |key: usize| parse(&format!("k{key}[{MAX_INDEX}]"), "1", ValueKind::Auto);
        let fit = MAX_ADDED_ELEMENTS / (MAX_INDEX + 1);
        for key in 0..fit {
            replay
                .apply(largest(key).expect("parses"), Position::START)
                .expect("within the bound");
        }
        // The same slots again add nothing.
        let again = parse(&format!("k0[{MAX_INDEX}]"), "2", ValueKind::Auto).expect("parses");
        assert_eq!(replay.apply(again, Position::START), Ok(()));
        let error = replay
            .apply(largest(fit).expect("parses"), Position::START)
            .expect_err("past the bound");
        assert!(error.contains(&MAX_ADDED_ELEMENTS.to_string()), "{error}");
        assert!(
            replay.tree().get(&format!("k{fit}")).is_none(),
            "not applied"
        );
    }

    /// A long list written index by index counts each element once (a bound on the sum of the
    /// indices refused 300 tag limits, the sum being quadratic in the list's length).
    #[test]
    fn lists_written_index_by_index_count_each_element_once() {
        let mut replay = Replay::new(Node::empty_map(Position::START));
        for index in 0..2000 {
            for field in ["key", "limit"] {
                let name = format!("tagConcurrencyLimits[{index}].{field}");
                let assignments = parse(&name, "1", ValueKind::Auto).expect("parses");
                replay
                    .apply(assignments, Position::START)
                    .expect("within the bound");
            }
        }
        let Some(Value::List(items)) = replay.tree().get("tagConcurrencyLimits").map(|n| &n.value)
        else {
            panic!("a list")
        };
        assert_eq!(items.len(), 2000);
    }
}
