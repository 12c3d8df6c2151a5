//! `migrate --verify`: the proof that a migration keeps the values. For every release migrate
//! would rewrite, the raw entries it removes and the entries the `dagster_concurrency` resource
//! it writes renders (read back from the rewritten file, then rendered) are both replayed with
//! Helm's `--set` rules; the two values trees must be equal, apart from the two chart defaults
//! the resource always writes.

use super::compare::{chart_defaults_text, differences, node_json, with_chart_defaults};
use super::{comparable, plan, Options, ReleaseOutcome, SentEntry};
use crate::input::strvals::{self, Replay, ValueKind};
use crate::input::tree::Node;
use crate::input::{hcl, Position, ReadOptions, SyntaxError};
use crate::render::render;
use crate::rules::accept;
use serde_json::Value as Json;
use std::fmt;

/// The comparison for one migrated release.
#[derive(Debug, Clone, PartialEq)]
pub struct Verification {
    /// The release and where it starts.
    pub release: ReleaseOutcome,
    /// `dagster_concurrency.NAME`.
    pub resource: String,
    /// The raw entries migrate removes, as the helm provider hands them to Helm.
    pub raw: Vec<SentEntry>,
    /// The entries the resource renders, as it hands them to Helm.
    pub rendered: Vec<SentEntry>,
    /// The values Helm's rules build from `raw`.
    pub raw_values: Json,
    /// The values Helm's rules build from `rendered`.
    pub rendered_values: Json,
    /// Every difference beyond the chart defaults (empty: verified).
    pub differences: Vec<String>,
    /// The chart defaults, as said in messages.
    defaults: String,
}

impl Verification {
    /// True when the values are the same.
    pub fn verified(&self) -> bool {
        self.differences.is_empty()
    }
}

impl fmt::Display for Verification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = |n: usize| if n == 1 { "entry" } else { "entries" };
        let (release, position) = (&self.release.release, self.release.position);
        if self.verified() {
            write!(
                f,
                "{position}: {release} verified: the {} raw {} and the {} {} {} renders give Helm the same values, apart from the chart defaults {}",
                self.raw.len(),
                count(self.raw.len()),
                self.rendered.len(),
                count(self.rendered.len()),
                self.resource,
                self.defaults
            )
        } else {
            write!(
                f,
                "{position}: {release} not verified: {}",
                self.differences.join("; ")
            )
        }
    }
}

/// Migrates `text` in memory and compares, for each migrated release, the values of the raw
/// entries with those of the written resource's rendering. Releases migrate leaves alone or
/// refuses are in [`super::migrate`]'s outcome, not here.
pub fn verify(text: &str, options: &Options) -> Result<Vec<Verification>, SyntaxError> {
    let (migration, migrated) = plan(text, options)?;
    let targets = hcl::read(&migration.text, &ReadOptions::default())?;
    let mut out = Vec::new();
    for release in migrated {
        let resource = format!("dagster_concurrency.{}", release.name);
        let rendered: Vec<SentEntry> = targets
            .iter()
            .find(|target| target.name == resource)
            .and_then(|target| accept(&comparable(&target.config)).ok())
            .map(|accepted| {
                render(&accepted)
                    .set
                    .into_iter()
                    .map(|entry| SentEntry {
                        name: entry.name,
                        value: entry.value,
                        kind: entry.kind.to_owned(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let raw_values = values_of(&release.sent);
        let rendered_values = values_of(&rendered);
        let mut found = match (&raw_values, &rendered_values) {
            (Ok(raw), Ok(rendered)) => {
                differences(&with_chart_defaults(raw.clone(), &release.prefix), rendered)
            }
            (Err(error), _) => vec![format!(
                "the raw entries cannot be replayed with Helm's rules: {error}"
            )],
            (_, Err(error)) => vec![format!(
                "the rendered entries cannot be replayed with Helm's rules: {error}"
            )],
        };
        if rendered.is_empty() {
            found.push(format!("{resource} renders nothing in the rewritten file"));
        }
        out.push(Verification {
            release: migration.releases[release.release].clone(),
            resource,
            raw: release.sent,
            rendered,
            raw_values: raw_values.unwrap_or(Json::Null),
            rendered_values: rendered_values.unwrap_or(Json::Null),
            differences: found,
            defaults: chart_defaults_text(&release.prefix),
        });
    }
    Ok(out)
}

/// The values Helm builds from entries, replayed in order with its `--set` rules.
fn values_of(entries: &[SentEntry]) -> Result<Json, String> {
    let mut replay = Replay::new(Node::empty_map(Position::START));
    for entry in entries {
        let kind = ValueKind::parse(&entry.kind)
            .ok_or_else(|| format!("unknown type {:?}", entry.kind))?;
        let assignments = strvals::parse(&entry.name, &entry.value, kind)?;
        replay
            .apply(assignments, Position::START)
            .map_err(|reason| format!("the entry {} {reason}", entry.name))?;
    }
    node_json(replay.tree()).ok_or_else(|| "a value is not a whole number".to_owned())
}
