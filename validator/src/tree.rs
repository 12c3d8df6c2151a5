//! A Helm values tree that remembers where each node was written.
//!
//! Every input kind (values YAML, `set` entries, `yamlencode(...)` objects, plan JSON) is rebuilt
//! into this one shape, merged the way Helm merges values, and then read into the model.

use crate::chart::path::Segment;
use crate::position::Position;

/// A node of the values tree and where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where the value was written.
    pub position: Position,
}

/// A values tree value, typed the way Helm reads it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`: deletes the key it is merged onto.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A number with a fraction or beyond 64 bits, as written.
    Float(String),
    /// A string.
    Str(String),
    /// A list.
    List(Vec<Node>),
    /// A map, keys in first-written order.
    Map(Vec<(String, Node)>),
    /// Written as an expression the validator cannot evaluate (computed by Terraform).
    Unknown,
}

impl Node {
    /// A node holding `value` written at `position`.
    pub fn new(value: Value, position: Position) -> Self {
        Node { value, position }
    }

    /// Whether both hold the same value wherever each was written (a map's keys in any order).
    pub fn same_value(&self, other: &Node) -> bool {
        match (&self.value, &other.value) {
            (Value::List(a), Value::List(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(a, b)| a.same_value(b))
            }
            (Value::Map(a), Value::Map(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(key, a)| other.get(key).is_some_and(|b| a.same_value(b)))
            }
            (a, b) => a == b,
        }
    }

    /// An empty map written at `position`.
    pub fn empty_map(position: Position) -> Self {
        Node::new(Value::Map(Vec::new()), position)
    }

    /// The child under `key` when this node is a map.
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Map(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The node at a path of keys.
    pub fn at<'a>(&'a self, keys: &[&str]) -> Option<&'a Node> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    /// The node at a path of keys and indices.
    pub fn at_path(&self, path: &[Segment]) -> Option<&Node> {
        path.iter().try_fold(self, |node, segment| match segment {
            Segment::Key(key) => node.get(key),
            Segment::Index(index) => match &node.value {
                Value::List(items) => items.get(*index),
                _ => None,
            },
        })
    }

    /// The map entries when this node is a map.
    pub fn entries(&self) -> &[(String, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// Merges `over` onto this node as Helm merges a later values file: maps merge key by key,
    /// `null` deletes a key, anything else replaces what was there.
    pub fn merge(&mut self, over: Node) {
        match (&mut self.value, over.value) {
            (Value::Map(mine), Value::Map(theirs)) => {
                for (key, value) in theirs {
                    let existing = mine.iter().position(|(k, _)| *k == key);
                    match (existing, value.value == Value::Null) {
                        (Some(index), true) => {
                            mine.remove(index);
                        }
                        (Some(index), false) => mine[index].1.merge(value),
                        (None, _) => mine.push((key, value)),
                    }
                }
            }
            (_, value) => *self = Node::new(value, over.position),
        }
    }

    /// The slot at `path`, creating maps and list elements on the way (as Helm's `set` does).
    /// Missing list elements are filled with `null`, as strvals does. Always `Some`: each
    /// node on the way is made a map or a list first.
    pub fn slot(&mut self, path: &[Segment], position: Position) -> Option<&mut Node> {
        let mut node = self;
        for segment in path {
            node = match segment {
                Segment::Key(key) => {
                    if !matches!(node.value, Value::Map(_)) {
                        *node = Node::empty_map(position);
                    }
                    let Value::Map(entries) = &mut node.value else {
                        return None;
                    };
                    let index = match entries.iter().position(|(k, _)| k == key) {
                        Some(index) => index,
                        None => {
                            entries.push((key.clone(), Node::new(Value::Null, position)));
                            entries.len() - 1
                        }
                    };
                    &mut entries[index].1
                }
                Segment::Index(index) => {
                    if !matches!(node.value, Value::List(_)) {
                        *node = Node::new(Value::List(Vec::new()), position);
                    }
                    let Value::List(items) = &mut node.value else {
                        return None;
                    };
                    if items.len() <= *index {
                        items.resize(index + 1, Node::new(Value::Null, position));
                    }
                    &mut items[*index]
                }
            };
        }
        Some(node)
    }

    /// How many list elements [`Self::slot`] would add for `path`: the `null` padding up to each
    /// index its list does not hold yet, and the element itself.
    pub fn padding(&self, path: &[Segment]) -> usize {
        let mut node = Some(self);
        let mut added: usize = 0;
        for segment in path {
            node = match (segment, node.map(|node| &node.value)) {
                (Segment::Key(key), Some(Value::Map(_))) => node.and_then(|node| node.get(key)),
                (Segment::Index(index), Some(Value::List(items))) => {
                    let found = items.get(*index);
                    if found.is_none() {
                        added = added.saturating_add(index + 1 - items.len());
                    }
                    found
                }
                (Segment::Index(index), _) => {
                    added = added.saturating_add(index + 1);
                    None
                }
                (Segment::Key(_), _) => None,
            };
        }
        added
    }

    /// Removes the key at `path` (strvals `null` under `type = "auto"`).
    pub fn remove(&mut self, path: &[Segment]) {
        let Some((Segment::Key(last), parent)) = path.split_last() else {
            return;
        };
        let mut node = self;
        for segment in parent {
            let next = match (segment, &mut node.value) {
                (Segment::Key(key), Value::Map(entries)) => {
                    entries.iter_mut().find(|(k, _)| k == key).map(|(_, v)| v)
                }
                (Segment::Index(index), Value::List(items)) => items.get_mut(*index),
                _ => None,
            };
            match next {
                Some(next) => node = next,
                None => return,
            }
        }
        if let Value::Map(entries) = &mut node.value {
            entries.retain(|(k, _)| k != last);
        }
    }

    /// A short name of the value's type for messages.
    pub fn type_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::List(_) => "a list",
            Value::Map(_) => "a map",
            Value::Unknown => "an expression",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: usize) -> Position {
        Position { line, column: 1 }
    }

    #[test]
    fn same_value_ignores_positions_and_key_order_only() {
        let int = |number, line| Node::new(Value::Int(number), at(line));
        let a = map(vec![("x", int(1, 1)), ("y", int(2, 2))]);
        let b = map(vec![("y", int(2, 7)), ("x", int(1, 9))]);
        assert!(a.same_value(&b));
        let c = map(vec![("x", int(1, 1)), ("y", int(3, 2))]);
        assert!(!a.same_value(&c));
        let text = Node::new(Value::Str("1".into()), at(1));
        assert!(!int(1, 1).same_value(&text));
        let list = |items| Node::new(Value::List(items), at(1));
        assert!(!list(vec![int(1, 1)]).same_value(&list(vec![int(1, 1), int(1, 1)])));
    }

    fn map(entries: Vec<(&str, Node)>) -> Node {
        Node::new(
            Value::Map(entries.into_iter().map(|(k, v)| (k.into(), v)).collect()),
            at(1),
        )
    }

    #[test]
    fn merge_is_deep_for_maps_and_replaces_lists() {
        let mut base = map(vec![
            ("a", map(vec![("x", Node::new(Value::Int(1), at(2)))])),
            (
                "l",
                Node::new(Value::List(vec![Node::new(Value::Int(1), at(3))]), at(3)),
            ),
            ("gone", Node::new(Value::Int(1), at(4))),
        ]);
        base.merge(map(vec![
            ("a", map(vec![("y", Node::new(Value::Int(2), at(5)))])),
            ("l", Node::new(Value::List(vec![]), at(6))),
            ("gone", Node::new(Value::Null, at(7))),
        ]));
        assert_eq!(base.at(&["a", "x"]).map(|n| &n.value), Some(&Value::Int(1)));
        assert_eq!(base.at(&["a", "y"]).map(|n| n.position.line), Some(5));
        assert_eq!(base.get("l").map(|n| &n.value), Some(&Value::List(vec![])));
        assert!(base.get("gone").is_none());
    }

    /// Every list element in the tree.
    fn elements(node: &Node) -> usize {
        match &node.value {
            Value::List(items) => items.len() + items.iter().map(elements).sum::<usize>(),
            Value::Map(entries) => entries.iter().map(|(_, node)| elements(node)).sum(),
            _ => 0,
        }
    }

    #[test]
    fn slots_create_maps_and_pad_lists() {
        let mut root = Node::empty_map(at(1));
        let path = [
            Segment::Key("a".into()),
            Segment::Index(2),
            Segment::Key("k".into()),
        ];
        *root.slot(&path, at(9)).expect("slot") = Node::new(Value::Str("v".into()), at(9));
        let Some(Value::List(items)) = root.get("a").map(|n| &n.value) else {
            panic!("a is a list")
        };
        assert_eq!(items.len(), 3);
        assert_eq!(items[0].value, Value::Null);
        assert_eq!(root.at_path(&path).map(|n| n.position.line), Some(9));
        assert_eq!(root.padding(&path), 0, "the slot exists");
        let deeper = [
            Segment::Key("a".into()),
            Segment::Index(4),
            Segment::Index(1),
        ];
        assert_eq!(
            root.padding(&deeper),
            2 + 2,
            "two more in a, two in the new list"
        );
        let mut retyped = deeper.to_vec();
        retyped.extend([Segment::Key("k".into()), Segment::Index(2)]);
        assert_eq!(
            root.padding(&retyped),
            4 + 3,
            "and three in a list under a map"
        );
        for path in [&deeper[..], &retyped[..]] {
            let added = root.padding(path);
            let before = elements(&root);
            root.slot(path, at(9));
            assert_eq!(elements(&root) - before, added, "{path:?}");
        }
        root.remove(&path);
        assert!(root.at_path(&path).is_none());
    }
}
