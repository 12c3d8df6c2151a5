//! `dagster-concurrency migrate`: rewrites a Terraform file so each Dagster `helm_release` takes
//! its run limits from a `dagster_concurrency` resource instead of raw `set` entries.
//!
//! For every release whose run-limit entries (names under `dagsterDaemon.runCoordinator` or
//! `concurrency`) are literal, the entries are read as Helm reads them, turned into the model,
//! rendered again, and the rendering must give the same values (plus the chart defaults
//! `runCoordinator.enabled = true` and `type = QueuedRunCoordinator` that the resource always
//! writes). Only then is the file edited: a `dagster_concurrency` resource with literal
//! arguments is added after the release, the raw entries are removed and the rendered ones take
//! their place (`dynamic "set"` for helm provider 2.x, `set = concat(...)` for 3.x). Every other
//! byte of the file stays as it was. Whatever cannot be translated exactly is refused, with the
//! reason; a release with nothing raw left is unchanged, so a second run changes nothing.

mod edit;
mod emit;

use crate::input::hcl::{self, SetShape, SetSource};
use crate::input::strvals::{self, Effect, ValueKind};
use crate::input::tree::{Node, Value};
use crate::input::values::{values_target, Release};
use crate::input::{Position, ReadOptions, SyntaxError};
use crate::model::{ConcurrencyConfig, Setting};
use crate::render::{render, Segment};
use crate::rules::Severity;
use crate::version::ChartVersion;
use edit::Edit;
use hcl_edit::structure::Block;
use hcl_edit::Span;
use serde_json::{json, Map};
use std::fmt;

/// The `set` syntax of the hashicorp/helm provider a file is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HelmProvider {
    /// 2.x: `set { ... }` blocks; rendered entries go in a `dynamic "set"` block.
    V2,
    /// 3.x: `set = [ ... ]` list attribute; rendered entries go in `set = concat(...)`.
    V3,
}

impl HelmProvider {
    /// The major version number.
    pub fn major(self) -> u8 {
        match self {
            HelmProvider::V2 => 2,
            HelmProvider::V3 => 3,
        }
    }
}

/// What happened to one Dagster release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Its raw entries now come from the named `dagster_concurrency` resource.
    Migrated {
        /// `dagster_concurrency.NAME`.
        resource: String,
        /// How many raw entries were replaced.
        entries: usize,
    },
    /// Nothing raw to migrate.
    Unchanged,
    /// Left as it was, for this reason.
    Refused(String),
}

/// One Dagster `helm_release` of the file and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseOutcome {
    /// `helm_release.NAME`.
    pub release: String,
    /// Where the release starts.
    pub position: Position,
    /// What happened.
    pub outcome: Outcome,
}

impl fmt::Display for ReleaseOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.outcome {
            Outcome::Migrated { resource, entries } => write!(
                f,
                "{}: {} migrated: {entries} raw entries now come from {resource}",
                self.position, self.release
            ),
            Outcome::Unchanged => write!(
                f,
                "{}: {} unchanged: no raw run-limit entries",
                self.position, self.release
            ),
            Outcome::Refused(reason) => {
                write!(
                    f,
                    "{}: {} not migrated: {reason}",
                    self.position, self.release
                )
            }
        }
    }
}

/// The migrated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    /// The new text (the input when nothing was migrated).
    pub text: String,
    /// Every Dagster release, in file order.
    pub releases: Vec<ReleaseOutcome>,
}

impl Migration {
    /// True when some release was refused.
    pub fn refused_any(&self) -> bool {
        self.releases
            .iter()
            .any(|release| matches!(release.outcome, Outcome::Refused(_)))
    }
}

/// Migrates every Dagster `helm_release` of a `.tf` file. `helm_provider` must agree with how
/// each release writes its `set` entries when given.
pub fn migrate(text: &str, helm_provider: Option<HelmProvider>) -> Result<Migration, SyntaxError> {
    let body = hcl::parse(text)?;
    let taken: Vec<String> = hcl::resources(&body)
        .filter(|block| block.labels.first().map(|l| l.as_str()) == Some("dagster_concurrency"))
        .filter_map(|block| block.labels.get(1).map(|l| l.as_str().to_owned()))
        .collect();
    let mut edits = Vec::new();
    let mut releases = Vec::new();
    for block in hcl::resources(&body) {
        if block.labels.first().map(|l| l.as_str()) != Some("helm_release")
            || !hcl::is_dagster_release(block)
        {
            continue;
        }
        let release = hcl::resource_name(block);
        let position = Position::of_offset(text, block.span().map_or(0, |s| s.start));
        let outcome = match plan_release(text, block, helm_provider, &taken) {
            Ok(Some(plan)) => {
                edits.extend(plan.edits);
                Outcome::Migrated {
                    resource: format!("dagster_concurrency.{}", plan.name),
                    entries: plan.entries,
                }
            }
            Ok(None) => Outcome::Unchanged,
            Err(reason) => Outcome::Refused(reason),
        };
        releases.push(ReleaseOutcome {
            release,
            position,
            outcome,
        });
    }
    Ok(Migration {
        text: edit::apply(text, edits),
        releases,
    })
}

/// A unified diff from `before` to `after`, with `path` in the headers; empty when equal.
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// The edits that migrate one release.
struct ReleasePlan {
    name: String,
    entries: usize,
    edits: Vec<Edit>,
}

/// A raw run-limit entry and what it assigns.
struct RawEntry<'a> {
    source: SetSource<'a>,
    assignments: Vec<strvals::Assignment>,
}

/// How an entry of `family` is typed when it says nothing: `set_string` always as text.
fn family_kind(family: &str) -> ValueKind {
    match family {
        "set_string" => ValueKind::String,
        _ => ValueKind::Auto,
    }
}

/// True for values paths the `dagster_concurrency` resource owns.
fn is_run_limit_path(path: &[Segment]) -> bool {
    let key = |index: usize| match path.get(index) {
        Some(Segment::Key(key)) => Some(key.as_str()),
        _ => None,
    };
    key(0) == Some("concurrency")
        || (key(0) == Some("dagsterDaemon") && key(1) == Some("runCoordinator"))
}

fn at(text: &str, span: Option<std::ops::Range<usize>>) -> Position {
    Position::of_offset(text, span.map_or(0, |s| s.start))
}

/// Plans one release: `Ok(None)` when it holds no raw run-limit entries.
fn plan_release(
    text: &str,
    block: &Block,
    helm_provider: Option<HelmProvider>,
    taken: &[String],
) -> Result<Option<ReleasePlan>, String> {
    let (entries, computed) = hcl::set_entries(block);
    let mut raw = Vec::new();
    // Entries that might set run limits but cannot be read: they only matter when something
    // is migrated.
    let mut doubts: Vec<String> = computed
        .iter()
        .map(|set| {
            format!(
                "{} at {} may also set run limits",
                set.what,
                at(text, set.span.clone())
            )
        })
        .collect();
    for source in entries {
        let family = source.family;
        let Some(name) = source.name.and_then(hcl::literal_string) else {
            let position = at(text, source.span.clone());
            doubts.push(format!(
                "the {family} entry at {position} has a computed name"
            ));
            continue;
        };
        let kind = match (family, source.kind.map(hcl::literal_string)) {
            ("set_string", _) | (_, None) => Ok(family_kind(family)),
            (_, Some(Some(kind))) => ValueKind::parse(&kind).ok_or(format!(
                "the {family} entry {name} has an unknown type {kind:?}"
            )),
            (_, Some(None)) => Err(format!("the {family} entry {name} has a computed type")),
        };
        let value = source.value.and_then(hcl::literal_string);
        let parsed = strvals::parse(
            &name,
            value.as_deref().unwrap_or(""),
            kind.clone().unwrap_or(ValueKind::Auto),
        );
        let assignments = match parsed {
            Ok(assignments) => assignments,
            Err(error) => {
                doubts.push(format!(
                    "Helm cannot parse the {family} entry {name}: {error}"
                ));
                continue;
            }
        };
        let owned = assignments
            .iter()
            .filter(|a| is_run_limit_path(&a.path))
            .count();
        if owned == 0 {
            continue;
        }
        kind?;
        if owned < assignments.len() {
            return Err(format!(
                "the {family} entry {name} sets run limits and other values in one expression"
            ));
        }
        if value.is_none() {
            return Err(format!("the {family} entry {name} has a computed value"));
        }
        if !matches!(family, "set" | "set_string") {
            return Err(format!(
                "{name} is set with {family}, which migrate does not rewrite"
            ));
        }
        if assignments.iter().any(|a| a.effect == Effect::Delete) {
            return Err(format!("the set entry {name} = null removes a chart default, which dagster_concurrency cannot express"));
        }
        raw.push(RawEntry {
            source,
            assignments,
        });
    }
    if raw.is_empty() {
        return Ok(None);
    }
    if let Some(doubt) = doubts.into_iter().next() {
        return Err(doubt);
    }
    let shape = raw[0].source.shape;
    if raw.iter().any(|entry| entry.source.shape != shape) {
        return Err("the release mixes set blocks and a set list attribute".into());
    }
    let written_for = match shape {
        SetShape::Block => HelmProvider::V2,
        SetShape::ListItem => HelmProvider::V3,
    };
    if let Some(asked) = helm_provider.filter(|asked| *asked != written_for) {
        return Err(format!(
            "its set entries are written for helm provider {}.x, not {}.x",
            written_for.major(),
            asked.major()
        ));
    }
    let mut tree = Node::empty_map(Position::START);
    for entry in &raw {
        strvals::apply(&mut tree, entry.assignments.clone(), Position::START);
    }
    let pinned = |key: &str| tree.at(&["dagsterDaemon", "runCoordinator", key]).is_some();
    if block.body.get_attribute("values").is_some() && !(pinned("enabled") && pinned("type")) {
        return Err("values may set dagsterDaemon.runCoordinator.enabled or type, which dagster_concurrency always sets to true and QueuedRunCoordinator; add those two entries to the set entries if values leaves them at their defaults".into());
    }
    let config = model_of(block, &tree)?;
    let name = block
        .labels
        .get(1)
        .map(|l| l.as_str().to_owned())
        .unwrap_or_default();
    if taken.contains(&name) {
        return Err(format!("dagster_concurrency.{name} already exists"));
    }
    let resource = emit::resource(&name, &hcl::resource_name(block), &config);
    let reread = reread(&resource, &name)?;
    if reread != config {
        return Err(
            "internal error: the generated dagster_concurrency does not read back as the entries"
                .into(),
        );
    }
    let spans: Vec<std::ops::Range<usize>> = raw
        .iter()
        .filter_map(|entry| entry.source.span.clone())
        .collect();
    let edits = match written_for {
        HelmProvider::V2 => edit::replace_blocks(text, &spans, &emit::dynamic_set(&name)),
        HelmProvider::V3 => {
            let attribute = block
                .body
                .get_attribute("set")
                .ok_or("the set list attribute is missing")?;
            let value = attribute
                .value
                .span()
                .ok_or("the set attribute has no position")?;
            let all = attribute.value.as_array().map_or(0, |array| array.len()) == spans.len();
            let reference = format!("dagster_concurrency.{name}.set");
            edit::replace_list_items(text, value, &spans, all, &reference)
        }
    };
    let end = block.span().ok_or("the release has no position")?.end;
    let mut edits = edits;
    edits.push(edit::insert_after_line(text, end, &format!("\n{resource}")));
    Ok(Some(ReleasePlan {
        name,
        entries: raw.len(),
        edits,
    }))
}

/// The model the raw entries express, after checking that rendering it gives the same values.
fn model_of(block: &Block, tree: &Node) -> Result<ConcurrencyConfig, String> {
    let version = block.body.get_attribute("version");
    // Helm reads `v1.12.14` as 1.12.14; the resource's `chart_version` must be the exact text.
    let chart_version = version
        .and_then(|attr| hcl::literal_string(&attr.value))
        .map(|text| ChartVersion::exact_text(&text).unwrap_or(text));
    let release = Release {
        position: Position::START,
        chart_version: chart_version.map(|version| (Setting::Known(version), Position::START)),
    };
    let target = values_target("migrate", tree, &ReadOptions::default(), Some(release))
        .ok_or("the entries hold no Dagster values")?;
    let config = target.config.clone();
    if let Some(problem) = target
        .diagnostics()
        .into_iter()
        .find(|d| d.severity() == Severity::Error)
    {
        return Err(format!("[{}] {}", problem.rule.code, problem.summary));
    }
    let rendered = render(&config)
        .map_err(|_| "the entries do not render as dagster_concurrency".to_owned())?;
    let mut expected = node_json(tree).ok_or("the entries hold values Helm cannot type")?;
    if let Some(coordinator) = expected
        .pointer_mut("/dagsterDaemon/runCoordinator")
        .and_then(serde_json::Value::as_object_mut)
    {
        coordinator.entry("enabled").or_insert(json!(true));
        coordinator
            .entry("type")
            .or_insert(json!("QueuedRunCoordinator"));
    }
    if rendered.values != expected {
        return Err(format!(
            "dagster_concurrency would render {} where the entries give {}",
            rendered.values, expected
        ));
    }
    Ok(config)
}

/// Reads a generated resource back into the model.
fn reread(resource: &str, name: &str) -> Result<ConcurrencyConfig, String> {
    let targets = hcl::read(resource, &ReadOptions::default())
        .map_err(|e| format!("internal error: generated HCL does not parse: {e}"))?;
    targets
        .into_iter()
        .find(|target| target.name == format!("dagster_concurrency.{name}"))
        .map(|target| target.config)
        .ok_or_else(|| "internal error: the generated resource is not read back".into())
}

/// A values tree as JSON; `None` when it holds something not known.
fn node_json(node: &Node) -> Option<serde_json::Value> {
    Some(match &node.value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(flag) => json!(flag),
        Value::Int(number) => json!(number),
        Value::Float(_) | Value::Unknown => return None,
        Value::Str(text) => json!(text),
        Value::List(items) => {
            serde_json::Value::Array(items.iter().map(node_json).collect::<Option<_>>()?)
        }
        Value::Map(entries) => serde_json::Value::Object(
            entries
                .iter()
                .map(|(key, value)| Some((key.clone(), node_json(value)?)))
                .collect::<Option<Map<String, serde_json::Value>>>()?,
        ),
    })
}

#[cfg(test)]
mod tests;
