//! A Dagster `helm_release`'s values rebuilt as Helm builds them, shared by the HCL and plan JSON
//! readers: `values` documents merged in order, then `set`-family entries replayed with
//! `strvals`. Entries that edit by index a list that came from `values` are remembered, so that
//! DC603 can say which elements stay.

use super::strvals::{self, Effect, ValueKind};
use super::tree::{Node, Value};
use super::values::{values_target, Release};
use super::{Position, ReadOptions, Target};
use crate::render::helm_set::{escape_value, name_of};
use crate::render::Segment;
use crate::rules::raw::SET_INDEX_KEEPS_VALUES_ELEMENTS;
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

/// The values of one release while they are being built.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseValues {
    root: Node,
    /// The tree once `values` are merged, before any `set` entry.
    from_values: Option<Node>,
    /// Each list index a `set` entry assigned: the list's path, the index, where.
    indexed: Vec<(Vec<Segment>, usize, Position)>,
    notes: Vec<(Position, String)>,
}

impl ReleaseValues {
    /// An empty values tree for a release starting at `position`.
    pub fn new(position: Position) -> Self {
        ReleaseValues {
            root: Node::empty_map(position),
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
            self.from_values = Some(self.root.clone());
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
                strvals::apply(&mut self.root, assignments, entry.position);
                return Err("has a computed value".into());
            }
        };
        let assignments = strvals::parse(name, &value, kind)?;
        for assignment in &assignments {
            for (depth, segment) in assignment.path.iter().enumerate() {
                if let Segment::Index(index) = segment {
                    self.indexed
                        .push((assignment.path[..depth].to_vec(), *index, entry.position));
                }
            }
        }
        strvals::apply(&mut self.root, assignments, entry.position);
        Ok(())
    }

    /// The release's target: its values read into the model (the release's own chart, so no
    /// values prefix), DC603 for lists from `values` that `set` indices edit in part, and notes.
    pub fn into_target(
        self,
        name: &str,
        release: Release,
        options: &ReadOptions,
    ) -> Option<Target> {
        let release_options = ReadOptions {
            values_prefix: None,
            ..options.clone()
        };
        let mut target = values_target(name, &self.root, &release_options, Some(release))?;
        let from_values = self.from_values.unwrap_or(self.root);
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
            target.raise(
                &SET_INDEX_KEEPS_VALUES_ELEMENTS,
                list.clone(),
                *at,
                format!("set entries edit {list} by index, but elements {kept:?} from values stay in place"),
                "write the whole list in one place: all in values, or all in set entries".into(),
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

    fn kept(names: &[&str]) -> Vec<String> {
        let mut release = ReleaseValues::new(Position::START);
        release.merge_values(
            parse(VALUES, Position::START)
                .expect("yaml")
                .expect("not empty"),
        );
        for name in names {
            release.set(&entry(&format!("{LIST}{name}"), "3"));
        }
        let release_at = Release {
            position: Position::START,
            chart_version: None,
        };
        let target = release
            .into_target("r", release_at, &ReadOptions::default())
            .expect("target");
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
        let mut release = ReleaseValues::new(Position::START);
        release.set(&entry(&format!("{LIST}[0].key"), "a"));
        let release_at = Release {
            position: Position::START,
            chart_version: None,
        };
        let target = release
            .into_target("r", release_at, &ReadOptions::default())
            .expect("target");
        assert!(target.findings.iter().all(|d| d.rule.code != "DC603"));
    }

    #[test]
    fn computed_values_are_unknown_and_noted() {
        let mut release = ReleaseValues::new(Position::START);
        let mut computed = entry(
            "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns",
            "",
        );
        computed.value = Argument::Computed;
        release.set(&computed);
        let release_at = Release {
            position: Position::START,
            chart_version: None,
        };
        let target = release
            .into_target("r", release_at, &ReadOptions::default())
            .expect("target");
        assert_eq!(
            target.config.max_concurrent_runs,
            crate::model::Setting::Unknown
        );
        assert_eq!(target.notes.len(), 1);
    }
}
