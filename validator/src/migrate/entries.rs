//! The raw run-limit entries of a Dagster `helm_release`: which `set` entries `migrate` moves,
//! read with Helm's `strvals` rules, and why a release cannot be moved when it cannot.

use super::HelmProvider;
use crate::input::hcl::{self, SetShape, SetSource};
use crate::input::release::dagster_values_at;
use crate::input::strvals::{self, Assignment, Effect, Replay, ValueKind};
use crate::input::tree::Node;
use crate::input::Position;
use crate::render::Segment;
use hcl_edit::structure::Block;
use serde::Serialize;

/// A raw run-limit entry and what it assigns.
pub struct RawEntry<'a> {
    /// Where and how it is written.
    pub source: SetSource<'a>,
    /// The entry as the helm provider hands it to Helm.
    pub sent: SentEntry,
    /// What Helm's parser makes of it.
    pub assignments: Vec<Assignment>,
}

/// A `set` entry as the helm provider hands it to Helm: `set_string` typed `string`, no type
/// `auto`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SentEntry {
    /// The strvals name.
    pub name: String,
    /// The value.
    pub value: String,
    /// `auto`, `string` or `literal`.
    #[serde(rename = "type")]
    pub kind: String,
}

/// The run-limit entries of a Dagster release, where its Dagster values sit, and the helm
/// provider version its entries are written for.
pub struct RawEntries<'a> {
    /// The keys of the values prefix (empty for the Dagster chart itself).
    pub prefix: Vec<String>,
    /// The entries, in the order Helm applies them (empty: nothing to migrate).
    pub entries: Vec<RawEntry<'a>>,
    /// The helm provider version the entries are written for.
    pub written_for: HelmProvider,
}

impl RawEntries<'_> {
    /// The values tree the entries build; `Err` when they pass the bound on list padding.
    pub fn tree(&self) -> Result<Node, String> {
        let mut replay = Replay::new(Node::empty_map(Position::START));
        for entry in &self.entries {
            replay
                .apply(entry.assignments.clone(), Position::START)
                .map_err(|reason| {
                    format!(
                        "the {} entry {} {reason}",
                        entry.source.family, entry.sent.name
                    )
                })?;
        }
        Ok(replay.into_tree())
    }
}

/// How an entry of `family` is typed when it says nothing: `set_string` always as text.
fn family_kind(family: &str) -> ValueKind {
    match family {
        "set_string" => ValueKind::String,
        _ => ValueKind::Auto,
    }
}

fn kind_name(kind: ValueKind) -> &'static str {
    match kind {
        ValueKind::Auto => "auto",
        ValueKind::String => "string",
        ValueKind::Literal => "literal",
    }
}

/// True for values paths under `prefix` that the `dagster_concurrency` resource owns.
fn is_run_limit_path(path: &[Segment], prefix: &[String]) -> bool {
    let key = |index: usize| match path.get(prefix.len() + index) {
        Some(Segment::Key(key)) => Some(key.as_str()),
        _ => None,
    };
    let under_prefix = prefix
        .iter()
        .zip(path)
        .all(|(want, got)| matches!(got, Segment::Key(key) if key == want));
    under_prefix
        && (key(0) == Some("concurrency")
            || (key(0) == Some("dagsterDaemon") && key(1) == Some("runCoordinator")))
}

fn at(text: &str, span: Option<std::ops::Range<usize>>) -> Position {
    Position::of_offset(text, span.map_or(0, |s| s.start))
}

/// One literal entry, parsed; `Err` says why it cannot be read.
struct Parsed<'a> {
    source: SetSource<'a>,
    name: String,
    value: Option<String>,
    kind: Result<ValueKind, String>,
    assignments: Vec<Assignment>,
}

/// Reads a release's raw run-limit entries. `Ok(None)`: the release does not install Dagster
/// (see [`dagster_values_at`]); `Err`: the entries cannot be moved exactly, and why.
pub fn read<'a>(
    text: &str,
    block: &'a Block,
    values_prefix: Option<&str>,
) -> Option<Result<RawEntries<'a>, String>> {
    let chart = block
        .body
        .get_attribute("chart")
        .and_then(|attr| hcl::literal_string(&attr.value))?;
    let (sources, computed) = hcl::set_entries(block);
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
    let mut parsed = Vec::new();
    // Every entry, to find where the Dagster values sit.
    let mut all = Replay::new(Node::empty_map(Position::START));
    for source in sources {
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
        let kind_or_auto = kind.clone().unwrap_or(ValueKind::Auto);
        let assignments = match strvals::parse(&name, value.as_deref().unwrap_or(""), kind_or_auto)
        {
            Ok(assignments) => assignments,
            Err(error) => {
                doubts.push(format!(
                    "Helm cannot parse the {family} entry {name}: {error}"
                ));
                continue;
            }
        };
        if let Err(reason) = all.apply(assignments.clone(), Position::START) {
            doubts.push(format!("the {family} entry {name} {reason}"));
            continue;
        }
        parsed.push(Parsed {
            source,
            name,
            value,
            kind,
            assignments,
        });
    }
    let prefix = dagster_values_at(&chart, all.tree(), values_prefix)?;
    Some(select(parsed, prefix, doubts))
}

/// The run-limit entries among the parsed ones, or why they cannot be moved.
fn select<'a>(
    parsed: Vec<Parsed<'a>>,
    prefix: Vec<String>,
    doubts: Vec<String>,
) -> Result<RawEntries<'a>, String> {
    let mut entries = Vec::new();
    for entry in parsed {
        let family = entry.source.family;
        let name = &entry.name;
        let owned = entry
            .assignments
            .iter()
            .filter(|a| is_run_limit_path(&a.path, &prefix))
            .count();
        if owned == 0 {
            continue;
        }
        let kind = entry.kind?;
        if owned < entry.assignments.len() {
            return Err(format!(
                "the {family} entry {name} sets run limits and other values in one expression"
            ));
        }
        let Some(value) = entry.value else {
            return Err(format!("the {family} entry {name} has a computed value"));
        };
        if !matches!(family, "set" | "set_string") {
            return Err(format!(
                "{name} is set with {family}, which migrate does not rewrite"
            ));
        }
        if entry.assignments.iter().any(|a| a.effect == Effect::Delete) {
            return Err(format!("the set entry {name} = null removes a chart default, which dagster_concurrency cannot express"));
        }
        entries.push(RawEntry {
            sent: SentEntry {
                name: entry.name,
                value,
                kind: kind_name(kind).to_owned(),
            },
            source: entry.source,
            assignments: entry.assignments,
        });
    }
    let Some(first) = entries.first() else {
        return Ok(RawEntries {
            prefix,
            entries,
            written_for: HelmProvider::V2,
        });
    };
    if let Some(doubt) = doubts.into_iter().next() {
        return Err(doubt);
    }
    let shape = first.source.shape;
    if entries.iter().any(|entry| entry.source.shape != shape) {
        return Err("the release mixes set blocks and a set list attribute".into());
    }
    let written_for = match shape {
        SetShape::Block => HelmProvider::V2,
        SetShape::ListItem => HelmProvider::V3,
    };
    Ok(RawEntries {
        prefix,
        entries,
        written_for,
    })
}
