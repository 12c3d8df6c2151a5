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

mod compare;
mod edit;
mod emit;
mod entries;
pub mod names;
mod verify;

pub use entries::SentEntry;
pub use verify::{verify, Verification};

use crate::input::hcl;
use crate::input::tree::Node;
use crate::input::values::{values_target, Release};
use crate::input::{Position, ReadOptions, SyntaxError};
use crate::model::{ConcurrencyConfig, Setting};
use crate::render::render;
use crate::rules::{accept, Severity};
use crate::version::ChartVersion;
use edit::Edit;
use entries::RawEntries;
use hcl_edit::structure::Block;
use hcl_edit::Span;
use std::fmt;

/// What `migrate` is told besides the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// The helm provider version the file must be written for; by default what each release's
    /// `set` syntax says.
    pub helm_provider: Option<HelmProvider>,
    /// Where the Dagster chart's values sit in an umbrella chart (`dagster`); by default the
    /// top-level key that holds `dagsterDaemon`.
    pub values_prefix: Option<String>,
    /// `dagster_concurrency` names declared in the module's other files ([`names::declared`]).
    pub taken: Vec<String>,
}

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
        /// What the user must still do, e.g. set a `chart_version` migrate could not.
        notes: Vec<String>,
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
            Outcome::Migrated {
                resource,
                entries,
                notes,
            } => {
                write!(
                    f,
                    "{}: {} migrated: {entries} raw {} now {} from {resource}",
                    self.position,
                    self.release,
                    if *entries == 1 { "entry" } else { "entries" },
                    if *entries == 1 { "comes" } else { "come" },
                )?;
                notes.iter().try_for_each(|note| write!(f, "; {note}"))
            }
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

/// Migrates every Dagster `helm_release` of a `.tf` file.
pub fn migrate(text: &str, options: &Options) -> Result<Migration, SyntaxError> {
    Ok(plan(text, options)?.0)
}

/// The migration, and for each migrated release its raw entries and the resource's name.
fn plan(text: &str, options: &Options) -> Result<(Migration, Vec<MigratedRelease>), SyntaxError> {
    let body = hcl::parse(text)?;
    let mut taken = names::declared(text, false)?;
    taken.extend(options.taken.iter().cloned());
    let mut edits = Vec::new();
    let mut releases = Vec::new();
    let mut migrated = Vec::new();
    for block in hcl::resources(&body) {
        if block.labels.first().map(|l| l.as_str()) != Some("helm_release") {
            continue;
        }
        let Some(raw) = entries::read(text, block, options.values_prefix.as_deref()) else {
            continue;
        };
        let release = hcl::resource_name(block);
        let position = Position::of_offset(text, block.span().map_or(0, |s| s.start));
        let outcome = match raw.and_then(|raw| plan_release(text, block, raw, options, &taken)) {
            Ok(Some(plan)) => {
                edits.extend(plan.edits);
                taken.push(plan.name.clone());
                migrated.push(MigratedRelease {
                    release: releases.len(),
                    name: plan.name.clone(),
                    prefix: plan.prefix,
                    sent: plan.sent,
                });
                Outcome::Migrated {
                    resource: format!("dagster_concurrency.{}", plan.name),
                    entries: plan.entries,
                    notes: plan.notes,
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
    let migration = Migration {
        text: edit::apply(text, edits),
        releases,
    };
    Ok((migration, migrated))
}

/// What [`verify`] needs of a migrated release.
struct MigratedRelease {
    /// Its index in [`Migration::releases`].
    release: usize,
    /// The `dagster_concurrency` resource's name.
    name: String,
    /// The values prefix.
    prefix: Vec<String>,
    /// The raw entries removed.
    sent: Vec<SentEntry>,
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
    notes: Vec<String>,
    prefix: Vec<String>,
    sent: Vec<SentEntry>,
    edits: Vec<Edit>,
}

/// Plans one release: `Ok(None)` when it holds no raw run-limit entries.
fn plan_release(
    text: &str,
    block: &Block,
    raw: RawEntries,
    options: &Options,
    taken: &[String],
) -> Result<Option<ReleasePlan>, String> {
    if raw.entries.is_empty() {
        return Ok(None);
    }
    if let Some(asked) = options
        .helm_provider
        .filter(|asked| *asked != raw.written_for)
    {
        return Err(format!(
            "its set entries are written for helm provider {}.x, not {}.x",
            raw.written_for.major(),
            asked.major()
        ));
    }
    let tree = raw.tree()?;
    let coordinator: Vec<&str> = raw
        .prefix
        .iter()
        .map(String::as_str)
        .chain(["dagsterDaemon", "runCoordinator"])
        .collect();
    let pinned = |key: &str| {
        let mut path = coordinator.clone();
        path.push(key);
        tree.at(&path).is_some()
    };
    if block.body.get_attribute("values").is_some() && !(pinned("enabled") && pinned("type")) {
        let base = coordinator.join(".");
        return Err(format!("values may set {base}.enabled or type, which dagster_concurrency always sets to true and QueuedRunCoordinator; add the set entries {base}.enabled = true and {base}.type = QueuedRunCoordinator if values leaves them at their defaults"));
    }
    let version = ReleaseVersion::of(text, block, &raw.prefix);
    let config = model_of(&tree, &raw.prefix, &version)?;
    let release_name = block
        .labels
        .get(1)
        .map(|l| l.as_str().to_owned())
        .unwrap_or_default();
    let name = names::free(&release_name, taken);
    let resource = emit::resource(
        &name,
        &hcl::resource_name(block),
        &config,
        version.expression(),
    );
    let reread = reread(&resource, &name)?;
    if reread != config {
        return Err(
            "internal error: the generated dagster_concurrency does not read back as the entries"
                .into(),
        );
    }
    let spans: Vec<std::ops::Range<usize>> = raw
        .entries
        .iter()
        .filter_map(|entry| entry.source.span.clone())
        .collect();
    let mut edits = match raw.written_for {
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
    edits.push(edit::insert_after_line(text, end, &format!("\n{resource}")));
    Ok(Some(ReleasePlan {
        entries: raw.entries.len(),
        notes: version.note(&name).into_iter().collect(),
        prefix: raw.prefix,
        sent: raw.entries.into_iter().map(|entry| entry.sent).collect(),
        name,
        edits,
    }))
}

/// What becomes the resource's `chart_version`.
enum ReleaseVersion {
    /// A literal `version`.
    Literal(String),
    /// An expression the resource can take as it is (`var.chart_version`).
    Expression(String),
    /// Not the Dagster chart's version, or nothing the resource can refer to, and why.
    Missing(Option<String>),
}

impl ReleaseVersion {
    /// The release's `version` as the resource can take it. An umbrella chart's `version` is its
    /// own; an expression through `each`, `count` or `self` differs per instance or release.
    fn of(text: &str, block: &Block, prefix: &[String]) -> ReleaseVersion {
        let Some(attribute) = block.body.get_attribute("version") else {
            return ReleaseVersion::Missing(None);
        };
        if !prefix.is_empty() {
            return ReleaseVersion::Missing(Some(
                "the release's version is the umbrella chart's, not the Dagster subchart's".into(),
            ));
        }
        if let Some(version) = hcl::literal_string(&attribute.value) {
            // Helm reads `v1.12.14` as 1.12.14; the resource's `chart_version` must be the exact text.
            let exact = ChartVersion::exact_text(&version).unwrap_or(version);
            return ReleaseVersion::Literal(exact);
        }
        let source = attribute
            .value
            .span()
            .and_then(|span| text.get(span))
            .map(str::trim)
            .unwrap_or_default();
        if source.is_empty() || source.contains('\n') || refers_per_instance(source) {
            return ReleaseVersion::Missing(Some(format!(
                "the release's version ({}) cannot be moved to another resource",
                source.lines().next().unwrap_or_default()
            )));
        }
        ReleaseVersion::Expression(source.to_owned())
    }

    /// The expression for `chart_version`, when it is not a literal.
    fn expression(&self) -> Option<&str> {
        match self {
            ReleaseVersion::Expression(source) => Some(source),
            _ => None,
        }
    }

    /// What the chart version rules check against.
    fn setting(&self) -> Option<Setting<String>> {
        match self {
            ReleaseVersion::Literal(version) => Some(Setting::Known(version.clone())),
            ReleaseVersion::Expression(_) => Some(Setting::Unknown),
            ReleaseVersion::Missing(_) => None,
        }
    }

    /// What the user is told when the resource gets no `chart_version` the release had.
    fn note(&self, name: &str) -> Option<String> {
        match self {
            ReleaseVersion::Missing(Some(why)) => Some(format!(
                "{why}, so dagster_concurrency.{name} has no chart_version and is checked against the newest chart; set chart_version to the Dagster chart version the release installs"
            )),
            _ => None,
        }
    }
}

/// True when an expression's source refers to `each`, `count` or `self`, whose values differ
/// per instance of the release or are the release itself.
fn refers_per_instance(source: &str) -> bool {
    let mut rest = source;
    while let Some(found) = rest.find(|c: char| c.is_ascii_alphabetic()) {
        rest = &rest[found..];
        let word_end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(rest.len());
        let (word, after) = rest.split_at(word_end);
        let attribute =
            source.len() - rest.len() > 0 && source[..source.len() - rest.len()].ends_with('.');
        if !attribute && ["each", "count", "self"].contains(&word) && after.starts_with(['.', '['])
        {
            return true;
        }
        rest = after;
    }
    false
}

/// The model the raw entries express, after checking that rendering it gives the same values.
fn model_of(
    tree: &Node,
    prefix: &[String],
    version: &ReleaseVersion,
) -> Result<ConcurrencyConfig, String> {
    let release = Release {
        position: Position::START,
        chart_version: version.setting().map(|setting| (setting, Position::START)),
    };
    let options = ReadOptions {
        values_prefix: (!prefix.is_empty()).then(|| prefix.join(".")),
        ..ReadOptions::default()
    };
    let target = values_target("migrate", tree, &options, Some(release))
        .ok_or("the entries hold no Dagster values")?;
    let config = target.config.clone();
    if let Some(problem) = target
        .diagnostics()
        .into_iter()
        .find(|d| d.severity() == Severity::Error)
    {
        return Err(format!("[{}] {}", problem.rule.code, problem.summary));
    }
    let accepted = accept(&comparable(&config))
        .map_err(|_| "the entries do not render as dagster_concurrency".to_owned())?;
    let rendered = render(&accepted);
    let given = compare::node_json(tree).ok_or("the entries hold values Helm cannot type")?;
    let expected = compare::with_chart_defaults(given, prefix);
    let differences = compare::differences(&expected, &rendered.values);
    if !differences.is_empty() {
        return Err(differences.join("; "));
    }
    Ok(config)
}

/// The configuration to render for a comparison: a chart version known only to Terraform
/// (`var.chart_version`) is rendered as the newest chart renders, which writes every key the
/// resource has.
fn comparable(config: &ConcurrencyConfig) -> ConcurrencyConfig {
    match config.chart_version {
        Setting::Unknown => ConcurrencyConfig {
            chart_version: Setting::Unset,
            ..config.clone()
        },
        _ => config.clone(),
    }
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

#[cfg(test)]
mod tests;
