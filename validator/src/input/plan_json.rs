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
use serde::de::{DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::error::Category;
use serde_json::Value as Json;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The parts of a plan this reader uses, read straight from the text: whatever else a plan
/// holds (`prior_state`, each change's `before` and `after`, the configuration's expressions)
/// is skipped by the parser without being built, and strings are borrowed where they have no
/// escapes. Profiling showed building the whole plan as a `serde_json::Value` was most of the
/// time a large plan took (`docs/benchmarks.md`).
#[derive(Deserialize, Default)]
#[serde(default)]
struct Plan<'a> {
    #[serde(borrow)]
    planned_values: Option<PlannedValues<'a>>,
    #[serde(borrow)]
    resource_changes: Option<Vec<ResourceChange<'a>>>,
    configuration: Option<Configuration>,
}

/// `planned_values`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct PlannedValues<'a> {
    #[serde(borrow)]
    root_module: Option<Module<'a>>,
}

/// A module of `planned_values`: its resources and its child modules.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Module<'a> {
    #[serde(borrow)]
    address: Option<Cow<'a, str>>,
    #[serde(borrow)]
    resources: Option<Vec<Resource<'a>>>,
    #[serde(borrow)]
    child_modules: Option<Vec<Module<'a>>>,
}

/// A planned resource. Its `values` are built only as far as the reader uses them, by its
/// `type` (which Terraform writes before `values`): a release's whole, a
/// `dagster_concurrency`'s arguments and `set` (its computed YAML outputs are most of its
/// bytes), nothing for other resources, which are most of a large plan.
#[derive(Default)]
struct Resource<'a> {
    address: Option<Cow<'a, str>>,
    mode: Option<Cow<'a, str>>,
    kind: Option<Cow<'a, str>>,
    name: Option<Cow<'a, str>>,
    values: Option<PlannedValue>,
}

/// A string borrowed from the text when it holds no escapes.
#[derive(Deserialize)]
struct Text<'a>(#[serde(borrow)] Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Resource<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ResourceVisitor(std::marker::PhantomData))
    }
}

/// Builds a [`Resource`] as a derived `Deserialize` would (a repeated field is an error), but
/// reads `values` by the `type` read before it.
struct ResourceVisitor<'a>(std::marker::PhantomData<Resource<'a>>);

impl<'de: 'a, 'a> Visitor<'de> for ResourceVisitor<'a> {
    type Value = Resource<'a>;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a planned resource")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Resource<'a>, A::Error> {
        fn once<'de: 'a, 'a, A: MapAccess<'de>>(
            map: &mut A,
            slot: &mut Option<Option<Cow<'a, str>>>,
            field: &'static str,
        ) -> Result<(), A::Error> {
            if slot.is_some() {
                return Err(serde::de::Error::duplicate_field(field));
            }
            *slot = Some(map.next_value::<Option<Text>>()?.map(|text| text.0));
            Ok(())
        }
        let (mut address, mut mode, mut kind, mut name) = (None, None, None, None);
        let mut values: Option<Option<PlannedValue>> = None;
        while let Some(Text(key)) = map.next_key::<Text>()? {
            match key.as_ref() {
                "address" => once(&mut map, &mut address, "address")?,
                "mode" => once(&mut map, &mut mode, "mode")?,
                "type" => once(&mut map, &mut kind, "type")?,
                "name" => once(&mut map, &mut name, "name")?,
                "values" => {
                    if values.is_some() {
                        return Err(serde::de::Error::duplicate_field("values"));
                    }
                    let keep = match kind.as_ref().and_then(Option::as_deref) {
                        Some("dagster_concurrency") => Keep::ArgumentsAndSet,
                        Some("helm_release") | None => Keep::All,
                        Some(_) => Keep::Nothing,
                    };
                    values = Some(map.next_value_seed(keep)?);
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Resource {
            address: address.flatten(),
            mode: mode.flatten(),
            kind: kind.flatten(),
            name: name.flatten(),
            values: values.flatten(),
        })
    }
}

/// How much of a resource's `values` to build.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// The whole value.
    All,
    /// Only the arguments the model reads and `set` (what other resources' `set` is matched with).
    ArgumentsAndSet,
    /// Nothing: the value is skipped.
    Nothing,
}

impl<'de> DeserializeSeed<'de> for Keep {
    type Value = Option<PlannedValue>;

    fn deserialize<D: serde::Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Option<PlannedValue>, D::Error> {
        if self == Keep::Nothing {
            IgnoredAny::deserialize(deserializer)?;
            return Ok(None);
        }
        deserializer
            .deserialize_any(PlannedVisitor { keep: self })
            .map(|value| Some(PlannedValue(Node::new(value, Position::START))))
    }
}

/// An entry of `resource_changes`: only its address and `after_unknown` are read.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ResourceChange<'a> {
    #[serde(borrow)]
    address: Option<Cow<'a, str>>,
    change: Option<Change>,
}

/// The `change` of a resource change.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Change {
    after_unknown: Option<Json>,
}

/// `configuration`: where module calls point.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Configuration {
    root_module: Option<ConfigModule>,
}

/// A module of `configuration`, with only its calls.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ConfigModule {
    module_calls: Option<HashMap<String, ModuleCall>>,
}

/// A `module` call of the configuration.
#[derive(Deserialize, Default)]
#[serde(default)]
struct ModuleCall {
    source: Option<String>,
    module: Option<ConfigModule>,
}

impl Resource<'_> {
    fn address(&self) -> &str {
        self.address.as_deref().unwrap_or_default()
    }

    fn kind(&self) -> Option<&str> {
        self.kind.as_deref()
    }
}

/// What absent planned values read as.
static NULL_NODE: Node = Node {
    value: Value::Null,
    position: Position::START,
};

/// A planned value read straight into a values tree (placed at the resource later, by
/// [`node`]), rather than into a `serde_json::Value` first.
struct PlannedValue(Node);

impl<'de> Deserialize<'de> for PlannedValue {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Keep::All
            .deserialize(deserializer)
            .map(|value| value.unwrap_or(PlannedValue(NULL_NODE.clone())))
    }
}

/// Builds a [`PlannedValue`]: numbers and repeated keys read as `serde_json::Value` reads them.
/// A map's keys are kept by `keep` (values below it are whole).
struct PlannedVisitor {
    keep: Keep,
}

/// Maps with more keys than this find a repeated key through a hash index.
const LINEAR_KEYS: usize = 16;

impl<'de> Visitor<'de> for PlannedVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a json value")
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, inner: D) -> Result<Value, D::Error> {
        inner.deserialize_any(self)
    }

    fn visit_bool<E>(self, flag: bool) -> Result<Value, E> {
        Ok(Value::Bool(flag))
    }

    fn visit_i64<E>(self, number: i64) -> Result<Value, E> {
        Ok(Value::Int(number))
    }

    fn visit_u64<E>(self, number: u64) -> Result<Value, E> {
        Ok(i64::try_from(number).map_or_else(|_| Value::Float(number.to_string()), Value::Int))
    }

    fn visit_f64<E>(self, number: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(number)
            .map_or(Value::Null, |n| Value::Float(n.to_string())))
    }

    fn visit_str<E>(self, text: &str) -> Result<Value, E> {
        Ok(Value::Str(text.to_owned()))
    }

    fn visit_string<E>(self, text: String) -> Result<Value, E> {
        Ok(Value::Str(text))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(PlannedValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::List(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries: Vec<(String, Node)> = Vec::new();
        // A repeated key keeps its first place and takes the last value, as in a JSON object
        // read by serde_json; large maps look keys up by hash, not by a quadratic scan.
        let mut index: Option<HashMap<String, usize>> = None;
        while let Some(Text(key)) = map.next_key::<Text>()? {
            if self.keep == Keep::ArgumentsAndSet && !(key == "set" || is_argument(&key)) {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            let PlannedValue(value) = map.next_value()?;
            let key = key.into_owned();
            if index.is_none() && entries.len() >= LINEAR_KEYS {
                let keys = entries.iter().enumerate().map(|(i, (k, _))| (k.clone(), i));
                index = Some(keys.collect());
            }
            let repeated = match &index {
                Some(index) => index.get(&key).copied(),
                None => entries.iter().position(|(k, _)| *k == key),
            };
            match repeated {
                Some(at) => entries[at].1 = value,
                None => {
                    if let Some(index) = &mut index {
                        index.insert(key.clone(), entries.len());
                    }
                    entries.push((key, value));
                }
            }
        }
        Ok(Value::Map(entries))
    }
}

/// What an absent value reads as.
static NULL: Json = Json::Null;

/// Reads the Dagster resources of a plan. A JSON file that is not a plan holds none.
pub fn read(text: &str, options: &ReadOptions) -> Result<Vec<Target>, SyntaxError> {
    let plan: Plan = serde_json::from_str(text).map_err(|error| {
        let message = match error.classify() {
            Category::Data => format!("not a terraform plan: {error}"),
            _ => format!("invalid json: {error}"),
        };
        SyntaxError {
            position: Position {
                line: error.line(),
                column: error.column(),
            },
            message,
        }
    })?;
    let mut plan = plan;
    let mut resources = Vec::new();
    if let Some(root) = plan
        .planned_values
        .as_mut()
        .and_then(|p| p.root_module.as_mut())
    {
        collect(root, &mut resources);
    }
    let module_dirs = module_dirs(plan.configuration.as_ref());
    // Only releases look their `set` sources up: a plan without releases builds nothing.
    let has_releases = resources
        .iter()
        .any(|planned| planned.resource.kind() == Some("helm_release"));
    let rendered = if has_releases {
        rendered_sets(&resources)
    } else {
        Vec::new()
    };
    // Both lookups are built once: per-resource searches made large plans quadratic.
    let unknowns = after_unknowns(plan.resource_changes.as_deref().unwrap_or_default());
    let addresses: Vec<&str> = resources.iter().map(|p| p.resource.address()).collect();
    let positions = address_positions(text, &addresses);
    let mut targets = Vec::new();
    for Planned {
        resource,
        module,
        values,
    } in resources
    {
        let address = resource.address();
        let declared = declaration(resource, &module, &module_dirs);
        let unknown = unknowns.get(address).copied().unwrap_or(&NULL);
        let position = positions.get(address).copied().unwrap_or(Position::START);
        match resource.kind() {
            Some("helm_release") => {
                let renders = renders(&values, &rendered);
                let mut target = release_target(address, values, unknown, position, options);
                if let Some(target) = &mut target {
                    target.declared = declared;
                    target.renders = renders;
                }
                targets.extend(target);
            }
            Some("dagster_concurrency") => {
                let arguments = node(values, unknown, position);
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

/// A planned resource, the names of the module calls it sits in, and its values (taken out of
/// the resource, to be consumed).
struct Planned<'p, 'a> {
    resource: &'p Resource<'a>,
    module: Vec<String>,
    values: Node,
}

/// Every resource of a module and its children.
fn collect<'p, 'a>(module: &'p mut Module<'a>, out: &mut Vec<Planned<'p, 'a>>) {
    let names = module
        .address
        .as_deref()
        .map_or_else(Vec::new, module_names);
    for resource in module.resources.iter_mut().flatten() {
        let values = resource
            .values
            .take()
            .map_or_else(|| NULL_NODE.clone(), |values| values.0);
        out.push(Planned {
            resource,
            module: names.clone(),
            values,
        });
    }
    for child in module.child_modules.iter_mut().flatten() {
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
fn module_dirs(configuration: Option<&Configuration>) -> HashMap<Vec<String>, PathBuf> {
    fn walk(
        module: &ConfigModule,
        names: &[String],
        dir: &Path,
        out: &mut HashMap<Vec<String>, PathBuf>,
    ) {
        out.insert(names.to_vec(), dir.to_path_buf());
        for (name, call) in module.module_calls.iter().flatten() {
            let Some(source) = call.source.as_deref() else {
                continue;
            };
            if !(source.starts_with("./") || source.starts_with("../")) {
                continue;
            }
            let mut child = names.to_vec();
            child.push(name.clone());
            if let Some(inner) = &call.module {
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
    match configuration.and_then(|c| c.root_module.as_ref()) {
        Some(root) => walk(root, &[], Path::new(""), &mut out),
        None => {
            out.insert(Vec::new(), PathBuf::new());
        }
    }
    out
}

/// Where a planned resource is declared, when its module's directory is known.
fn declaration(
    resource: &Resource,
    module: &[String],
    dirs: &HashMap<Vec<String>, PathBuf>,
) -> Option<Declaration> {
    let (kind, name) = (resource.kind()?, resource.name.as_deref()?);
    let address = match resource.mode.as_deref() {
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
fn rendered_sets(resources: &[Planned]) -> Vec<(String, Vec<SetPair>)> {
    resources
        .iter()
        .filter(|planned| planned.resource.kind() == Some("dagster_concurrency"))
        .filter_map(|planned| {
            let address = planned.resource.address.as_deref()?;
            let set = set_pairs(planned.values.get("set")?);
            (!set.is_empty()).then(|| (address.to_owned(), set))
        })
        .collect()
}

fn set_pairs(set: &Node) -> Vec<SetPair> {
    let entries = match &set.value {
        Value::List(entries) => entries.as_slice(),
        _ => &[],
    };
    entries
        .iter()
        .filter_map(|entry| {
            let text = |key| match entry.get(key).map(|n| &n.value) {
                Some(Value::Str(text)) => Some(text.clone()),
                _ => None,
            };
            Some((text("name")?, text("value")?))
        })
        .collect()
}

/// The `dagster_concurrency` resources whose every rendered `set` entry a release applies
/// (`set = dagster_concurrency.x.set`, or a `dynamic "set"` over it): what the plan says
/// rather than the wiring, so each `for_each` instance finds its own.
fn renders(release: &Node, rendered: &[(String, Vec<SetPair>)]) -> Vec<String> {
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
fn after_unknowns<'p>(changes: &'p [ResourceChange]) -> HashMap<&'p str, &'p Json> {
    changes
        .iter()
        .filter_map(|change| {
            let address = change.address.as_deref()?;
            Some((address, change.change.as_ref()?.after_unknown.as_ref()?))
        })
        .collect()
}

/// The position of the first `"address": "..."` value of each of `wanted` in the plan text, in
/// one pass that stops once all are found (planned resources come before `resource_changes`).
fn address_positions<'w>(text: &str, wanted: &[&'w str]) -> HashMap<&'w str, Position> {
    let mut positions = HashMap::with_capacity(wanted.len());
    let wanted: HashSet<&str> = wanted.iter().copied().collect();
    let mut cursor = Cursor::default();
    for (at, key) in text.match_indices("\"address\"") {
        if positions.len() == wanted.len() {
            break;
        }
        let Some(value) = text[at + key.len()..]
            .trim_start()
            .strip_prefix(':')
            .map(str::trim_start)
        else {
            continue;
        };
        let value_at = text.len() - value.len();
        let mut parser = serde_json::Deserializer::from_str(value);
        let Ok(address) = String::deserialize(&mut parser) else {
            continue;
        };
        if let Some(&found) = wanted.get(address.as_str()) {
            positions
                .entry(found)
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

/// A planned value placed at `position`, with `after_unknown` marks as unknown. The value is
/// consumed and rebuilt in place: a copy of every resource's values doubled what a large plan
/// allocated (`docs/benchmarks.md`).
fn node(mut value: Node, unknown: &Json, position: Position) -> Node {
    if unknown == &Json::Bool(true) {
        return Node::new(Value::Unknown, position);
    }
    value.position = position;
    match &mut value.value {
        Value::List(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                let mark = unknown.get(i).unwrap_or(&NULL);
                *item = node(std::mem::replace(item, NULL_NODE.clone()), mark, position);
            }
        }
        Value::Map(entries) => {
            for (key, item) in entries.iter_mut() {
                let mark = unknown.get(key.as_str()).unwrap_or(&NULL);
                *item = node(std::mem::replace(item, NULL_NODE.clone()), mark, position);
            }
            // Unknown attributes are left out of planned values: put them back as unknown.
            if let Json::Object(marks) = unknown {
                for (key, mark) in marks {
                    if mark == &Json::Bool(true) && !entries.iter().any(|(k, _)| k == key) {
                        entries.push((key.clone(), Node::new(Value::Unknown, position)));
                    }
                }
            }
        }
        _ => {}
    }
    value
}

fn release_target(
    address: &str,
    values: Node,
    unknown: &Json,
    position: Position,
    options: &ReadOptions,
) -> Option<Target> {
    let Some(Value::Str(chart)) = values.get("chart").map(|n| &n.value) else {
        return None;
    };
    let mut release = ReleaseValues::new(position, chart);
    let arguments = node(values, unknown, position);
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
        let positions = super::address_positions(text, &["x.one", "x.two", "x.é", "x.absent"]);
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
    fn planned_values_read_numbers_and_repeated_keys_as_json_objects_do() {
        let many: String = (0..40).map(|i| format!("\"k{i}\": {i}, ")).collect();
        let text = format!(
            r#"{{"a": 1, "b": 18446744073709551615, "c": 1.5, "d": [true, null, "x"], {many} "a": 2, "k3": -3}}"#
        );
        let PlannedValue(tree) = serde_json::from_str(&text).expect("a value");
        let expected: Json = serde_json::from_str(&text).expect("json");
        let keys: Vec<&str> = tree.entries().iter().map(|(k, _)| k.as_str()).collect();
        let expected_keys: Vec<&str> = expected
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(keys, expected_keys);
        assert_eq!(tree.get("a").map(|n| &n.value), Some(&Value::Int(2)));
        assert_eq!(tree.get("k3").map(|n| &n.value), Some(&Value::Int(-3)));
        assert_eq!(
            tree.get("b").map(|n| &n.value),
            Some(&Value::Float("18446744073709551615".into()))
        );
        assert_eq!(
            tree.get("c").map(|n| &n.value),
            Some(&Value::Float("1.5".into()))
        );
        let list = tree.get("d").map(|n| &n.value);
        let Some(Value::List(items)) = list else {
            panic!("a list: {list:?}");
        };
        let items: Vec<&Value> = items.iter().map(|n| &n.value).collect();
        assert_eq!(
            items,
            [&Value::Bool(true), &Value::Null, &Value::Str("x".into())]
        );
    }

    #[test]
    fn values_are_built_as_far_as_their_type_needs() {
        fn keys(text: &str) -> Option<Vec<String>> {
            let resource: Resource = serde_json::from_str(text).expect("a resource");
            let values = resource.values?.0.entries().to_vec();
            Some(values.into_iter().map(|(k, _)| k).collect())
        }
        let values = r#"{"max_concurrent_runs": 5, "instance_yaml": "x", "set": [], "id": "1"}"#;
        let ours =
            format!(r#"{{"address": "a", "type": "dagster_concurrency", "values": {values}}}"#);
        assert_eq!(keys(&ours).expect("built"), ["max_concurrent_runs", "set"]);
        let other = format!(r#"{{"type": "aws_s3_bucket", "values": {values}}}"#);
        assert_eq!(keys(&other), None);
        // Values written before the type (not by Terraform): built whole.
        let unordered = format!(r#"{{"values": {values}, "type": "dagster_concurrency"}}"#);
        assert_eq!(keys(&unordered).map(|keys| keys.len()), Some(4));
        let release = format!(r#"{{"type": "helm_release", "values": {values}}}"#);
        assert_eq!(keys(&release).map(|keys| keys.len()), Some(4));
        let repeated = serde_json::from_str::<Resource>(r#"{"type": "a", "type": "b"}"#);
        let error = repeated.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(error.starts_with("duplicate field `type`"), "{error}");
    }

    #[test]
    fn a_plan_whose_parts_have_other_types_is_not_a_plan() {
        let text = r#"{"format_version": "1.2", "terraform_version": "1.11.4",
  "planned_values": {"root_module": {"resources": 5}}}"#;
        let error = read(text, &ReadOptions::default()).expect_err("not a plan");
        assert!(error.message.starts_with("not a terraform plan"), "{error}");
        assert_eq!(error.position.line, 2);
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
