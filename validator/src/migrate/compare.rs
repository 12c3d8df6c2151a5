//! Values trees compared the way a migration must keep them: equal apart from the two chart
//! defaults `dagster_concurrency` always writes, with every difference said as a sentence that
//! names the key and what to add or change.

use crate::input::tree::{Node, Value};
use crate::render::helm_set::name_of;
use crate::render::Segment;
use serde_json::{json, Map, Value as Json};

/// The chart defaults the resource always writes, under `dagsterDaemon.runCoordinator`.
fn chart_defaults() -> [(&'static str, Json); 2] {
    [
        ("enabled", json!(true)),
        ("type", json!("QueuedRunCoordinator")),
    ]
}

/// `values` with the chart defaults filled in where they are missing, under `prefix`.
pub fn with_chart_defaults(mut values: Json, prefix: &[String]) -> Json {
    let path: Vec<&str> = prefix
        .iter()
        .map(String::as_str)
        .chain(["dagsterDaemon", "runCoordinator"])
        .collect();
    if let Some(coordinator) = object_at(&mut values, &path) {
        for (key, value) in chart_defaults() {
            coordinator.entry(key).or_insert(value);
        }
    }
    values
}

/// The map at `keys`, created on the way; `None` when something there is not a map.
fn object_at<'a>(node: &'a mut Json, keys: &[&str]) -> Option<&'a mut Map<String, Json>> {
    let map = node.as_object_mut()?;
    match keys.split_first() {
        None => Some(map),
        Some((key, rest)) => object_at(map.entry(*key).or_insert_with(|| json!({})), rest),
    }
}

/// How the chart defaults are said in messages.
pub fn chart_defaults_text(prefix: &[String]) -> String {
    let base = name_of(&keys(prefix, &["dagsterDaemon", "runCoordinator"]));
    chart_defaults()
        .iter()
        .map(|(key, value)| format!("{base}.{key} = {}", shown(value)))
        .collect::<Vec<_>>()
        .join(" and ")
}

fn keys(prefix: &[String], rest: &[&str]) -> Vec<Segment> {
    prefix
        .iter()
        .map(String::as_str)
        .chain(rest.iter().copied())
        .map(|key| Segment::Key(key.to_owned()))
        .collect()
}

/// Every difference between what the raw entries give (`entries`) and what the resource
/// renders (`rendered`), as sentences; empty when equal.
pub fn differences(entries: &Json, rendered: &Json) -> Vec<String> {
    let (mut given, mut written) = (Vec::new(), Vec::new());
    leaves(entries, &mut Vec::new(), &mut given);
    leaves(rendered, &mut Vec::new(), &mut written);
    let mut out = Vec::new();
    for (path, value) in &given {
        match written.iter().find(|(other, _)| other == path) {
            None => out.push(format!(
                "the entries set {} = {}, which dagster_concurrency does not write",
                name_of(path),
                value
            )),
            Some((_, other)) if other != value => out.push(format!(
                "the entries set {} = {}, where dagster_concurrency would write {}",
                name_of(path),
                value,
                other
            )),
            Some(_) => {}
        }
    }
    for (path, value) in &written {
        if !given.iter().any(|(other, _)| other == path) {
            out.push(format!(
                "dagster_concurrency would also write {name} = {value}; add a set entry {name} = {value} to keep the values equal",
                name = name_of(path)
            ));
        }
    }
    out
}

/// A scalar as a `set` value is written: strings without quotes.
fn shown(value: &Json) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_owned)
}

/// The scalar leaves of a tree with their paths (an empty map or list is a leaf too).
fn leaves(value: &Json, path: &mut Vec<Segment>, out: &mut Vec<(Vec<Segment>, Json)>) {
    match value {
        Json::Object(map) if !map.is_empty() => {
            for (key, inner) in map {
                path.push(Segment::Key(key.clone()));
                leaves(inner, path, out);
                path.pop();
            }
        }
        Json::Array(items) if !items.is_empty() => {
            for (index, inner) in items.iter().enumerate() {
                path.push(Segment::Index(index));
                leaves(inner, path, out);
                path.pop();
            }
        }
        leaf => out.push((path.clone(), leaf.clone())),
    }
}

/// A values tree as JSON; `None` when it holds something not known.
pub fn node_json(node: &Node) -> Option<Json> {
    Some(match &node.value {
        Value::Null => Json::Null,
        Value::Bool(flag) => json!(flag),
        Value::Int(number) => json!(number),
        Value::Float(_) | Value::Unknown => return None,
        Value::Str(text) => json!(text),
        Value::List(items) => Json::Array(items.iter().map(node_json).collect::<Option<_>>()?),
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(key, value)| Some((key.clone(), node_json(value)?)))
                .collect::<Option<Map<String, Json>>>()?,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_defaults_are_added_under_the_prefix() {
        let prefix = vec!["dagster".to_owned()];
        let values = with_chart_defaults(
            json!({"dagster": {"concurrency": {"enabled": true}}}),
            &prefix,
        );
        assert_eq!(
            values,
            json!({"dagster": {"concurrency": {"enabled": true}, "dagsterDaemon": {"runCoordinator": {"enabled": true, "type": "QueuedRunCoordinator"}}}})
        );
        let pinned = json!({"dagsterDaemon": {"runCoordinator": {"enabled": false}}});
        assert_eq!(
            with_chart_defaults(pinned, &[])["dagsterDaemon"]["runCoordinator"]["enabled"],
            json!(false)
        );
        assert_eq!(
            chart_defaults_text(&prefix),
            "dagster.dagsterDaemon.runCoordinator.enabled = true and dagster.dagsterDaemon.runCoordinator.type = QueuedRunCoordinator"
        );
    }

    #[test]
    fn differences_name_the_key_and_the_fix() {
        assert!(differences(
            &json!({"a": [1, {"b": "x"}]}),
            &json!({"a": [1, {"b": "x"}]})
        )
        .is_empty());
        assert_eq!(
            differences(&json!({"a": {"b": 1, "c": 2}}), &json!({"a": {"b": 3, "d": true}})),
            [
                "the entries set a.b = 1, where dagster_concurrency would write 3",
                "the entries set a.c = 2, which dagster_concurrency does not write",
                "dagster_concurrency would also write a.d = true; add a set entry a.d = true to keep the values equal",
            ]
        );
    }
}
