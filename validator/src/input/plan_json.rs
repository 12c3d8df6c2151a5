//! Terraform plan JSON (`terraform show -json PLAN`): Dagster `helm_release` and
//! `dagster_concurrency` resources from `planned_values`, in the root module and every child
//! module. Values Terraform does not know until apply (`after_unknown` in `resource_changes`)
//! are unknown; findings point at the line of the resource's `"address"`.

use super::attributes::{attributes_target, is_argument};
use super::release::{Argument, Entry, ReleaseValues};
use super::tree::{Node, Value};
use super::values::Release;
use super::{values_yaml, Declaration, Position, ReadOptions, SyntaxError, Target};
use crate::model::Setting;
use serde::Deserialize;
use serde_json::Value as Json;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Reads the Dagster resources of a plan. A JSON file that is not a plan holds none.
pub fn read(text: &str, options: &ReadOptions) -> Result<Vec<Target>, SyntaxError> {
    let plan: Json = serde_json::from_str(text).map_err(|error| SyntaxError {
        position: Position {
            line: error.line(),
            column: error.column(),
        },
        message: format!("invalid json: {error}"),
    })?;
    let mut resources = Vec::new();
    if let Some(root) = plan.pointer("/planned_values/root_module") {
        collect(root, &mut resources);
    }
    let module_dirs = module_dirs(&plan);
    // Only releases look their `set` sources up: a plan without releases builds nothing.
    let has_releases = resources
        .iter()
        .any(|(r, _)| r.get("type").and_then(Json::as_str) == Some("helm_release"));
    let rendered = if has_releases {
        rendered_sets(&resources)
    } else {
        Vec::new()
    };
    // Both lookups are built once: per-resource searches made large plans quadratic.
    let unknowns = after_unknowns(&plan);
    let positions = address_positions(text);
    let mut targets = Vec::new();
    for (resource, module) in resources {
        let address = resource
            .get("address")
            .and_then(Json::as_str)
            .unwrap_or_default();
        let declared = declaration(resource, &module, &module_dirs);
        let values = resource.get("values").cloned().unwrap_or(Json::Null);
        let unknown = unknowns
            .get(address)
            .map_or(Json::Null, |&unknown| unknown.clone());
        let position = positions.get(address).copied().unwrap_or(Position::START);
        match resource.get("type").and_then(Json::as_str) {
            Some("helm_release") => {
                let mut target = release_target(address, &values, &unknown, position, options);
                if let Some(target) = &mut target {
                    target.declared = declared;
                    target.renders = renders(&values, &rendered);
                }
                targets.extend(target);
            }
            Some("dagster_concurrency") => {
                let arguments = node(&values, &unknown, position);
                let mut target = attributes_target(address, position, &arguments);
                for (key, mark) in unknown.as_object().into_iter().flatten() {
                    if mark != &Json::Bool(false) && is_argument(key) {
                        target.note(
                            position,
                            format!("{key} is known only after apply: not checked"),
                        );
                    }
                }
                target.declared = declared;
                targets.push(target);
            }
            _ => {}
        }
    }
    Ok(targets)
}

/// Every resource of a module and its children, with the names of the module calls it sits in.
fn collect<'a>(module: &'a Json, out: &mut Vec<(&'a Json, Vec<String>)>) {
    let names = module
        .get("address")
        .and_then(Json::as_str)
        .map_or_else(Vec::new, module_names);
    if let Some(resources) = module.get("resources").and_then(Json::as_array) {
        out.extend(resources.iter().map(|resource| (resource, names.clone())));
    }
    for child in module
        .get("child_modules")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        collect(child, out);
    }
}

/// The module call names of a module instance address: `module.a["x"].module.b` gives
/// `[a, b]` (instance keys, which may hold dots inside quotes, are dropped).
fn module_names(address: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = address;
    while let Some(after) = rest.strip_prefix("module.") {
        let end = after.find(['.', '[']).unwrap_or(after.len());
        names.push(after[..end].to_owned());
        rest = &after[end..];
        if rest.starts_with('[') {
            // Skip the key: a number, or a JSON string that may hold `]` or `.`.
            let key = &rest[1..];
            let mut parser = serde_json::Deserializer::from_str(key).into_iter::<Json>();
            let taken = match parser.next() {
                Some(Ok(_)) => parser.byte_offset(),
                _ => key.find(']').unwrap_or(key.len()),
            };
            rest = key[taken..].trim_start_matches(']');
        }
        rest = rest.strip_prefix('.').unwrap_or(rest);
    }
    names
}

/// The directory of each module call path, relative to the root module's, from the plan's
/// `configuration` (local sources only: `./x` or `../x`; registry and git modules are absent).
fn module_dirs(plan: &Json) -> HashMap<Vec<String>, PathBuf> {
    fn walk(module: &Json, names: &[String], dir: &Path, out: &mut HashMap<Vec<String>, PathBuf>) {
        out.insert(names.to_vec(), dir.to_path_buf());
        for (name, call) in module
            .get("module_calls")
            .and_then(Json::as_object)
            .into_iter()
            .flatten()
        {
            let Some(source) = call.get("source").and_then(Json::as_str) else {
                continue;
            };
            if !(source.starts_with("./") || source.starts_with("../")) {
                continue;
            }
            let mut child = names.to_vec();
            child.push(name.clone());
            if let Some(inner) = call.get("module") {
                // `./mod` joined as `mod`: shown paths carry no `.` segments.
                let joined: PathBuf = dir
                    .join(source)
                    .components()
                    .filter(|c| *c != std::path::Component::CurDir)
                    .collect();
                walk(inner, &child, &joined, out);
            }
        }
    }
    let mut out = HashMap::new();
    if let Some(root) = plan.pointer("/configuration/root_module") {
        walk(root, &[], Path::new(""), &mut out);
    } else {
        out.insert(Vec::new(), PathBuf::new());
    }
    out
}

/// Where a planned resource is declared, when its module's directory is known.
fn declaration(
    resource: &Json,
    module: &[String],
    dirs: &HashMap<Vec<String>, PathBuf>,
) -> Option<Declaration> {
    let field = |key| resource.get(key).and_then(Json::as_str);
    let (kind, name) = (field("type")?, field("name")?);
    let address = match field("mode") {
        Some("data") => format!("data.{kind}.{name}"),
        _ => format!("{kind}.{name}"),
    };
    Some(Declaration {
        module_dir: dirs.get(module)?.clone(),
        address,
    })
}

/// A `set` entry as rendered: its name and value.
type SetPair = (String, String);

/// The planned `set` entries of each `dagster_concurrency` resource, by address.
fn rendered_sets(resources: &[(&Json, Vec<String>)]) -> Vec<(String, Vec<SetPair>)> {
    resources
        .iter()
        .filter(|(resource, _)| {
            resource.get("type").and_then(Json::as_str) == Some("dagster_concurrency")
        })
        .filter_map(|(resource, _)| {
            let address = resource.get("address").and_then(Json::as_str)?;
            let set = set_pairs(resource.pointer("/values/set")?);
            (!set.is_empty()).then(|| (address.to_owned(), set))
        })
        .collect()
}

fn set_pairs(set: &Json) -> Vec<SetPair> {
    set.as_array()
        .into_iter()
        .flatten()
        .filter_map(|entry| {
            let text = |key| entry.get(key).and_then(Json::as_str).map(str::to_owned);
            Some((text("name")?, text("value")?))
        })
        .collect()
}

/// The `dagster_concurrency` resources whose every rendered `set` entry a release applies
/// (`set = dagster_concurrency.x.set`, or a `dynamic "set"` over it): what the plan says
/// rather than the wiring, so each `for_each` instance finds its own.
fn renders(release: &Json, rendered: &[(String, Vec<SetPair>)]) -> Vec<String> {
    let applied: HashSet<SetPair> = release
        .get("set")
        .map(set_pairs)
        .unwrap_or_default()
        .into_iter()
        .collect();
    if applied.is_empty() {
        return Vec::new();
    }
    rendered
        .iter()
        .filter(|(_, set)| set.iter().all(|pair| applied.contains(pair)))
        .map(|(address, _)| address.clone())
        .collect()
}

/// The `after_unknown` object of each resource's change, by address.
fn after_unknowns(plan: &Json) -> HashMap<&str, &Json> {
    plan.get("resource_changes")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|change| {
            let address = change.get("address").and_then(Json::as_str)?;
            Some((address, change.pointer("/change/after_unknown")?))
        })
        .collect()
}

/// The position of each address's first `"address": "..."` value in the plan text, in one pass.
fn address_positions(text: &str) -> HashMap<String, Position> {
    let mut positions = HashMap::new();
    let mut cursor = Cursor::default();
    for (at, key) in text.match_indices("\"address\"") {
        let Some(value) = text[at + key.len()..]
            .trim_start()
            .strip_prefix(':')
            .map(str::trim_start)
        else {
            continue;
        };
        let value_at = text.len() - value.len();
        let mut parser = serde_json::Deserializer::from_str(value);
        if let Ok(address) = String::deserialize(&mut parser) {
            positions
                .entry(address)
                .or_insert_with(|| cursor.advance_to(text, value_at));
        }
    }
    positions
}

/// A line and column kept up to date while walking forward through a text, so positions of
/// many offsets cost one pass (plans from `terraform show -json` are a single long line).
#[derive(Default)]
struct Cursor {
    offset: usize,
    line: usize,
    column: usize,
}

impl Cursor {
    /// Moves forward to `offset` (never back) and returns its position.
    fn advance_to(&mut self, text: &str, offset: usize) -> Position {
        let segment = text.get(self.offset..offset).unwrap_or_default();
        match segment.rfind('\n') {
            Some(last) => {
                self.line += segment.matches('\n').count();
                self.column = segment[last + 1..].chars().count();
            }
            None => self.column += segment.chars().count(),
        }
        self.offset = self.offset.max(offset);
        Position {
            line: self.line + 1,
            column: self.column + 1,
        }
    }
}

/// A JSON value as a values node at `position`, with `after_unknown` marks as unknown.
fn node(value: &Json, unknown: &Json, position: Position) -> Node {
    if unknown == &Json::Bool(true) {
        return Node::new(Value::Unknown, position);
    }
    let value = match value {
        Json::Null => Value::Null,
        Json::Bool(flag) => Value::Bool(*flag),
        Json::Number(number) => number
            .as_i64()
            .map_or_else(|| Value::Float(number.to_string()), Value::Int),
        Json::String(text) => Value::Str(text.clone()),
        Json::Array(items) => Value::List(
            items
                .iter()
                .enumerate()
                .map(|(i, item)| node(item, unknown.get(i).unwrap_or(&Json::Null), position))
                .collect(),
        ),
        Json::Object(map) => Value::Map(
            map.iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        node(v, unknown.get(k).unwrap_or(&Json::Null), position),
                    )
                })
                .collect(),
        ),
    };
    // Unknown attributes are left out of planned values: put them back as unknown.
    let value = match (value, unknown) {
        (Value::Map(mut entries), Json::Object(marks)) => {
            for (key, mark) in marks {
                if mark == &Json::Bool(true) && !entries.iter().any(|(k, _)| k == key) {
                    entries.push((key.clone(), Node::new(Value::Unknown, position)));
                }
            }
            Value::Map(entries)
        }
        (value, _) => value,
    };
    Node::new(value, position)
}

fn release_target(
    address: &str,
    values: &Json,
    unknown: &Json,
    position: Position,
    options: &ReadOptions,
) -> Option<Target> {
    let chart = values.get("chart").and_then(Json::as_str)?;
    let arguments = node(values, unknown, position);
    let mut release = ReleaseValues::new(position, chart);
    let chart_version = arguments.get("version").and_then(|n| match &n.value {
        Value::Str(text) if !text.is_empty() => Some((Setting::Known(text.clone()), position)),
        Value::Unknown => Some((Setting::Unknown, position)),
        _ => None,
    });
    match arguments.get("values").map(|n| &n.value) {
        Some(Value::List(documents)) => {
            for (index, document) in documents.iter().enumerate() {
                match &document.value {
                    Value::Str(yaml) => match values_yaml::parse(yaml, position) {
                        Ok(Some(tree)) => release.merge_values(at_position(tree, position)),
                        Ok(None) => {}
                        Err(error) => release.note(
                            position,
                            format!("values[{index}] is not valid yaml ({error}): not checked"),
                        ),
                    },
                    _ => release.note(
                        position,
                        format!("values[{index}] is known only after apply: not checked"),
                    ),
                }
            }
        }
        Some(Value::Unknown) => release.note(
            position,
            "values is known only after apply: not checked".into(),
        ),
        _ => {}
    }
    for family in ["set", "set_list", "set_sensitive", "set_string"] {
        match arguments.get(family).map(|n| &n.value) {
            Some(Value::List(entries)) => {
                for entry in entries {
                    release.set(&Entry {
                        family,
                        name: argument(entry.get("name")),
                        value: argument(entry.get("value")),
                        kind: argument(entry.get("type")),
                        position,
                    });
                }
            }
            Some(Value::Unknown) => release.note(
                position,
                format!("{family} is known only after apply: not checked"),
            ),
            _ => {}
        }
    }
    let release_at = Release {
        position,
        chart_version,
    };
    release.into_target(address, release_at, options)
}

/// A `set` entry argument from planned values (an empty `type` is the default).
fn argument(node: Option<&Node>) -> Argument {
    match node.map(|n| &n.value) {
        None | Some(Value::Null) => Argument::Absent,
        Some(Value::Str(text)) if text.is_empty() => Argument::Absent,
        Some(Value::Str(text)) => Argument::Text(text.clone()),
        Some(Value::List(items)) => items
            .iter()
            .map(|item| match &item.value {
                Value::Str(text) => Some(text.clone()),
                _ => None,
            })
            .collect::<Option<Vec<String>>>()
            .map_or(Argument::Computed, Argument::List),
        Some(_) => Argument::Computed,
    }
}

/// Every node of a values document placed at the resource (plan JSON has one line per value).
fn at_position(mut tree: Node, position: Position) -> Node {
    tree.position = position;
    tree.value = match tree.value {
        Value::List(items) => Value::List(
            items
                .into_iter()
                .map(|i| at_position(i, position))
                .collect(),
        ),
        Value::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (k, at_position(v, position)))
                .collect(),
        ),
        other => other,
    };
    tree
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: &str = r#"{
  "format_version": "1.2",
  "planned_values": {"root_module": {"resources": [
    {"address": "dagster_concurrency.c", "mode": "managed", "type": "dagster_concurrency", "name": "c",
     "values": {"tag_concurrency_limit": [{"key": "team", "limit": 0}]}},
    {"address": "data.dagster_concurrency.y", "mode": "data", "type": "dagster_concurrency", "name": "y",
     "values": {"max_concurrent_runs": -1}},
    {"address": "helm_release.redis", "mode": "managed", "type": "helm_release", "name": "redis",
     "values": {"chart": "redis", "set": [{"name": "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns", "value": "-7"}]}}
  ]}},
  "resource_changes": [
    {"address": "dagster_concurrency.c", "change": {"after_unknown": {"max_concurrent_runs": true, "id": true}}}
  ]
}"#;

    #[test]
    fn unknown_inputs_are_unknown_and_noted() {
        let targets = read(PLAN, &ReadOptions::default()).expect("a plan");
        assert_eq!(targets.len(), 2);
        assert_eq!(targets[1].name, "data.dagster_concurrency.y");
        let data_codes: Vec<_> = targets[1]
            .diagnostics()
            .iter()
            .map(|d| d.rule.code)
            .collect();
        assert_eq!(data_codes, ["DC103"]);
        let target = &targets[0];
        assert_eq!(target.config.max_concurrent_runs, Setting::Unknown);
        assert_eq!(target.position.line, 4);
        assert_eq!(target.notes.len(), 1, "{:?}", target.notes);
        let codes: Vec<_> = target.diagnostics().iter().map(|d| d.rule.code).collect();
        assert_eq!(codes, ["DC205"]);
    }

    #[test]
    fn address_positions_on_one_line_and_across_lines() {
        let text = "{\"a\": [{\"address\": \"x.one\"}, {\"address\" : \"x.two\"}],\n  \"address\": \"x.é\", \"address\": \"x.one\"}";
        let positions = super::address_positions(text);
        for (address, first) in [
            ("x.one", "\"x.one\""),
            ("x.two", "\"x.two\""),
            ("x.é", "\"x.é\""),
        ] {
            let offset = text.find(first).unwrap_or_default();
            assert_eq!(
                positions.get(address),
                Some(&Position::of_offset(text, offset)),
                "{address}"
            );
        }
        assert_eq!(positions.len(), 3);
    }

    #[test]
    fn module_names_drop_instance_keys() {
        assert_eq!(module_names(""), Vec::<String>::new());
        assert_eq!(module_names("module.platform"), ["platform"]);
        assert_eq!(module_names("module.a[\"x.y]\"].module.b[0]"), ["a", "b"]);
    }

    #[test]
    fn invalid_json_and_other_json() {
        let error = read("{\n  \"a\": \n}", &ReadOptions::default()).expect_err("invalid");
        assert_eq!(error.position.line, 3);
        assert!(error.message.starts_with("invalid json"), "{error}");
        assert_eq!(
            read("{\"name\": \"x\"}", &ReadOptions::default()),
            Ok(vec![])
        );
    }
}
