//! A Dagster `helm_release`'s values rebuilt as Helm builds them, shared by the HCL and plan JSON
//! readers: `values` documents merged in order, then `set`-family entries replayed with
//! `strvals`. Entries that edit by index a list that came from `values` are remembered, so that
//! DC603 can say which elements stay.
//!
//! Which releases install Dagster is decided here too ([`dagster_values_at`]): the Dagster chart
//! itself, or an umbrella chart whose values hold the Dagster chart's under a key.

use super::hcl::is_dagster_chart;
use super::strvals::{self, Effect, Replay, ValueKind};
use super::tree::{Node, Value};
use super::values::{values_target, Release};
use super::{Position, ReadOptions, Target};
use crate::chart::path::prefix_segments;
use crate::render::helm_set::{escape_value, name_of};
use crate::render::Segment;
use crate::rules::raw::SetIndexKeepsValuesElements;
use std::collections::HashSet;

/// An argument of a `set` entry as the reader found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Argument {
    /// Not written.
    Absent,
    /// Written as something only Terraform can evaluate.
    Computed,
    /// A literal (numbers and booleans as Terraform turns them into strings).
    Text(String),
    /// A literal list of strings (`set_list`).
    List(Vec<String>),
}

/// One `set`, `set_list`, `set_sensitive` or `set_string` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `set`, `set_list`, `set_sensitive` or `set_string`.
    pub family: &'static str,
    /// `name`.
    pub name: Argument,
    /// `value`.
    pub value: Argument,
    /// `type`.
    pub kind: Argument,
    /// Where the entry is written.
    pub position: Position,
}

/// Where the Dagster chart's values sit in a release of `chart` whose values are `root`: no
/// prefix for the Dagster chart itself. Another chart is an umbrella chart holding Dagster as a
/// subchart when the values under `values_prefix` (or, without one, under the only top-level key
/// whose value holds `dagsterDaemon`) hold `dagsterDaemon` or `concurrency`; the prefix is
/// returned. `None`: the release does not install Dagster.
pub fn dagster_values_at(
    chart: &str,
    root: &Node,
    values_prefix: Option<&str>,
) -> Option<Vec<String>> {
    if is_dagster_chart(chart) {
        return Some(Vec::new());
    }
    let prefix = match values_prefix {
        Some(prefix) => prefix_segments(prefix)?,
        None => {
            let mut holders = root
                .entries()
                .iter()
                .filter(|(_, node)| node.get("dagsterDaemon").is_some());
            match (holders.next(), holders.next()) {
                (Some((key, _)), None) => vec![key.clone()],
                _ => return None,
            }
        }
    };
    let keys: Vec<&str> = prefix.iter().map(String::as_str).collect();
    let dagster = root.at(&keys)?;
    (!prefix.is_empty()
        && (dagster.get("dagsterDaemon").is_some() || dagster.get("concurrency").is_some()))
    .then_some(prefix)
}

/// The values of one release while they are being built.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseValues {
    chart: String,
    root: Replay,
    /// The tree once `values` are merged, before any `set` entry.
    from_values: Option<Node>,
    /// Each list index a `set` entry assigned: the list's path, the index, where.
    indexed: Vec<(Vec<Segment>, usize, Position)>,
    notes: Vec<(Position, String)>,
}

impl ReleaseValues {
    /// An empty values tree for a release of `chart` starting at `position`.
    pub fn new(position: Position, chart: &str) -> Self {
        ReleaseValues {
            chart: chart.to_owned(),
            root: Replay::new(Node::empty_map(position)),
            from_values: None,
            indexed: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Records something not checked.
    pub fn note(&mut self, position: Position, message: String) {
        self.notes.push((position, message));
    }

    /// Merges one `values` document (call before any [`Self::set`]).
    pub fn merge_values(&mut self, document: Node) {
        self.root.merge(document);
    }

    /// Replays one entry; what cannot be read is noted, and a computed value makes its key unknown.
    pub fn set(&mut self, entry: &Entry) {
        if self.from_values.is_none() {
            self.from_values = Some(self.root.tree().clone());
        }
        if let Err(reason) = self.apply(entry) {
            self.notes.push((
                entry.position,
                format!("{} entry {reason}: not checked", entry.family),
            ));
        }
    }

    fn apply(&mut self, entry: &Entry) -> Result<(), String> {
        let name = match &entry.name {
            Argument::Text(name) => name,
            Argument::Absent => return Err("has no name".into()),
            _ => return Err("has a computed name".into()),
        };
        let kind = match (&entry.kind, entry.family) {
            (_, "set_string") => ValueKind::String,
            (Argument::Absent, _) => ValueKind::Auto,
            (Argument::Text(kind), _) => {
                ValueKind::parse(kind).ok_or(format!("has an unknown type {kind:?}"))?
            }
            _ => return Err("has a computed type".into()),
        };
        let value = match &entry.value {
            Argument::Text(text) => text.clone(),
            Argument::List(items) => {
                let escaped: Vec<String> = items.iter().map(|item| escape_value(item)).collect();
                format!("{{{}}}", escaped.join(","))
            }
            Argument::Absent => return Err("has no value".into()),
            Argument::Computed => {
                let mut assignments = strvals::parse(name, "", ValueKind::String)?;
                for assignment in &mut assignments {
                    assignment.effect = Effect::Set(Value::Unknown);
                }
                self.root.apply(assignments, entry.position)?;
                return Err("has a computed value".into());
            }
        };
        let assignments = strvals::parse(name, &value, kind)?;
        let indexed: Vec<_> = assignments
            .iter()
            .flat_map(|assignment| {
                let path = &assignment.path;
                path.iter()
                    .enumerate()
                    .filter_map(move |(depth, segment)| match segment {
                        Segment::Index(index) => {
                            Some((path[..depth].to_vec(), *index, entry.position))
                        }
                        Segment::Key(_) => None,
                    })
            })
            .collect();
        self.root.apply(assignments, entry.position)?;
        self.indexed.extend(indexed);
        Ok(())
    }

    /// The release's target: its values read into the model (under the prefix of
    /// [`dagster_values_at`]), DC603 for lists from `values` that `set` indices edit in part, and
    /// notes. `None` when the release does not install Dagster. An umbrella chart's `version` is
    /// its own, not the Dagster chart's, so it is not read as the chart version.
    pub fn into_target(
        self,
        name: &str,
        mut release: Release,
        options: &ReadOptions,
    ) -> Option<Target> {
        let root = self.root.into_tree();
        let prefix = dagster_values_at(&self.chart, &root, options.values_prefix.as_deref())?;
        if !prefix.is_empty() {
            release.chart_version = None;
        }
        let release_options = ReadOptions {
            values_prefix: (!prefix.is_empty()).then(|| prefix.join(".")),
            ..options.clone()
        };
        let mut target = values_target(name, &root, &release_options, Some(release))?;
        let from_values = self.from_values.unwrap_or(root);
        // Sets, not list searches: thousands of indexed entries must stay linear.
        let assigned: HashSet<(String, usize)> = self
            .indexed
            .iter()
            .map(|(path, index, _)| (name_of(path), *index))
            .collect();
        let mut reported: HashSet<String> = HashSet::new();
        for (list_path, _, at) in &self.indexed {
            let list = name_of(list_path);
            if !reported.insert(list.clone()) {
                continue;
            }
            let Some(Value::List(items)) = from_values.at_path(list_path).map(|n| &n.value) else {
                continue;
            };
            let kept: Vec<usize> = (0..items.len())
                .filter(|i| !assigned.contains(&(list.clone(), *i)))
                .collect();
            if kept.is_empty() {
                continue;
            }
            target.raise_violation(
                list.clone(),
                *at,
                &SetIndexKeepsValuesElements {
                    list: &list,
                    kept: &kept,
                },
            );
        }
        for (at, message) in self.notes {
            target.note(at, message);
        }
        Some(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::values_yaml::parse;
    use crate::model::Setting;

    const VALUES: &str = "dagsterDaemon:\n  runCoordinator:\n    config:\n      queuedRunCoordinator:\n        maxConcurrentRuns: 5\n        tagConcurrencyLimits:\n          - key: team\n            limit: 1\n          - key: dagster/backfill\n            limit: 2\n";
    const LIST: &str =
        "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits";

    fn entry(name: &str, value: &str) -> Entry {
        Entry {
            family: "set",
            name: Argument::Text(name.into()),
            value: Argument::Text(value.into()),
            kind: Argument::Absent,
            position: Position {
                line: 20,
                column: 3,
            },
        }
    }

    /// The target of `release` read with no chart version and the default options.
    fn target_of(release: ReleaseValues) -> Target {
        let release_at = Release {
            position: Position::START,
            chart_version: None,
        };
        release
            .into_target("r", release_at, &ReadOptions::default())
            .expect("target")
    }

    fn kept(names: &[&str]) -> Vec<String> {
        let mut release = ReleaseValues::new(Position::START, "dagster");
        release.merge_values(
            parse(VALUES, Position::START)
                .expect("yaml")
                .expect("not empty"),
        );
        for name in names {
            release.set(&entry(&format!("{LIST}{name}"), "3"));
        }
        let target = target_of(release);
        target
            .findings
            .iter()
            .filter(|d| d.rule.code == "DC603")
            .map(|d| d.summary.clone())
            .collect()
    }

    #[test]
    fn set_index_keeps_values_elements() {
        let found = kept(&["[1].limit"]);
        assert_eq!(found.len(), 1);
        assert!(found[0].contains("[0]"), "{found:?}");
        assert!(kept(&["[0].limit", "[1].limit"]).is_empty());
        // No list in values: set entries build the whole list.
        let mut release = ReleaseValues::new(Position::START, "dagster");
        release.set(&entry(&format!("{LIST}[0].key"), "a"));
        let target = target_of(release);
        assert!(target.findings.iter().all(|d| d.rule.code != "DC603"));
    }

    /// A few kilobytes of `set` entries with large list indices once padded lists with
    /// gigabytes of `null`s (found by the `hcl` and `strvals` fuzz targets' memory limits).
    #[test]
    fn list_padding_is_bounded_per_release() {
        let mut release = ReleaseValues::new(Position::START, "dagster");
        let fit = strvals::MAX_ADDED_ELEMENTS / 65537;
        let keys: Vec<String> = (0..fit + 2).map(|key| format!("k{key}")).collect();
        for key in &keys[..=fit] {
            release.set(&entry(&format!("{key}[65536]"), "1"));
        }
        let mut computed = entry(&format!("{}[65536]", keys[fit + 1]), "");
        computed.value = Argument::Computed;
        release.set(&computed);
        let replayed = keys
            .iter()
            .filter(|key| release.root.tree().get(key).is_some())
            .count();
        assert_eq!(replayed, fit);
        let notes: Vec<&str> = release
            .notes
            .iter()
            .map(|(_, note)| note.as_str())
            .collect();
        assert_eq!(notes.len(), 2, "{notes:?}");
        let bound = format!(
            "up to {} with the entries before it, past the {} this check replays",
            (fit + 1) * 65537,
            strvals::MAX_ADDED_ELEMENTS
        );
        assert!(notes[0].contains(&bound), "{notes:?}");
        assert!(notes[0].ends_with(": not checked"), "{notes:?}");
    }

    /// Hundreds of tag limits written element by element, as `dagster_concurrency` renders
    /// them, are all read: each element counts once, not its index.
    #[test]
    fn long_lists_written_by_index_are_read() {
        let mut release = ReleaseValues::new(Position::START, "dagster");
        for index in 0..300 {
            release.set(&entry(
                &format!("{LIST}[{index}].key"),
                &format!("t{index}"),
            ));
            release.set(&entry(&format!("{LIST}[{index}].limit"), "1"));
        }
        assert!(release.notes.is_empty(), "{:?}", release.notes.first());
        let target = target_of(release);
        let Setting::Known(limits) = &target.config.tag_limits else {
            panic!("known tag limits")
        };
        assert_eq!(limits.len(), 300);
    }

    #[test]
    fn computed_values_are_unknown_and_noted() {
        let mut release = ReleaseValues::new(Position::START, "dagster");
        let mut computed = entry(
            "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns",
            "",
        );
        computed.value = Argument::Computed;
        release.set(&computed);
        let target = target_of(release);
        assert_eq!(
            target.config.max_concurrent_runs,
            crate::model::Setting::Unknown
        );
        assert_eq!(target.notes.len(), 1);
    }

    #[test]
    fn umbrella_charts_hold_dagster_under_a_prefix() {
        let read = |chart: &str, name: &str, options: &ReadOptions| {
            let mut release = ReleaseValues::new(Position::START, chart);
            release.set(&entry(name, "5"));
            let release_at = Release {
                position: Position::START,
                chart_version: Some((Setting::Known("3.1.0".into()), Position::START)),
            };
            release.into_target("r", release_at, options)
        };
        let runs = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns";
        let prefixed = format!("dagster.{runs}");
        let target = read("./charts/platform", &prefixed, &ReadOptions::default())
            .expect("an umbrella release");
        assert_eq!(target.config.max_concurrent_runs, Setting::Known(5));
        assert_eq!(
            target.config.values_prefix,
            Setting::Known("dagster".into())
        );
        assert_eq!(
            target.config.chart_version,
            Setting::Unset,
            "the umbrella's version is not Dagster's"
        );
        let options = ReadOptions {
            values_prefix: Some("dagster".into()),
            ..ReadOptions::default()
        };
        let concurrency = "dagster.concurrency.runs.maxConcurrentRuns";
        assert!(read("./charts/platform", concurrency, &options).is_some());
        assert!(read("./charts/platform", concurrency, &ReadOptions::default()).is_none());
        assert!(read("postgresql", "image.tag", &options).is_none());
        // The Dagster chart itself: no prefix, whatever the flag says.
        let target = read("dagster", runs, &options).expect("the dagster chart");
        assert_eq!(target.config.values_prefix, Setting::Unset);
        assert_eq!(target.config.chart_version, Setting::Known("3.1.0".into()));
    }
}
