//! How findings name settings: in Terraform attribute names for a `dagster_concurrency` resource,
//! in the Dagster chart's values keys for raw Helm values (a values file, a `helm_release`), so
//! that every summary and fix speaks the language of the file being read.

use crate::chart::path::prefix_segments;
use crate::model::Placement;
use crate::path::{AttrPath, Step};

/// The kind of configuration the rules read; it decides how findings name settings and fixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Source {
    /// A `dagster_concurrency` resource or data source (the provider, HCL or plan JSON).
    #[default]
    Resource,
    /// A Helm values file for the Dagster chart.
    ValuesFile,
    /// A `helm_release`'s `values` and `set` entries (HCL or plan JSON).
    HelmRelease,
}

impl Source {
    /// True for raw chart values, which are named by chart keys.
    pub fn is_raw(self) -> bool {
        self != Source::Resource
    }
}

/// The queued run coordinator's config, where run limits sit under `placement = "run_coordinator"`.
pub(crate) const QUEUED: &str = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator";
/// Where run limits sit under `placement = "concurrency"`.
pub(crate) const RUNS: &str = "concurrency.runs";
/// The pools section.
const POOLS: &str = "concurrency.pools";

/// Model argument names and the chart keys they are written as, per section.
const RUN_KEYS: &[(&str, &str)] = &[
    ("max_concurrent_runs", "maxConcurrentRuns"),
    ("tag_concurrency_limit", "tagConcurrencyLimits"),
];
const QUEUED_KEYS: &[(&str, &str)] = &[
    ("dequeue_interval_seconds", "dequeueIntervalSeconds"),
    ("dequeue_use_threads", "dequeueUseThreads"),
    ("dequeue_num_workers", "dequeueNumWorkers"),
    (
        "block_op_concurrency_limited_runs",
        "blockOpConcurrencyLimitedRuns",
    ),
];
const NESTED_KEYS: &[(&str, &str)] = &[
    ("key", "key"),
    ("value", "value"),
    (
        "apply_limit_per_unique_value",
        "value.applyLimitPerUniqueValue",
    ),
    ("limit", "limit"),
    ("enabled", "enabled"),
    ("op_concurrency_slot_buffer", "opConcurrencySlotBuffer"),
    ("default_limit", "defaultLimit"),
    ("granularity", "granularity"),
    ("op_granularity_run_buffer", "opGranularityRunBuffer"),
];

fn lookup(table: &[(&str, &'static str)], name: &str) -> Option<&'static str> {
    table
        .iter()
        .find(|(attr, _)| *attr == name)
        .map(|(_, key)| *key)
}

/// Names settings for one configuration.
#[derive(Debug, Clone)]
pub(crate) struct Vocabulary {
    source: Source,
    /// The values prefix with its trailing dot (`dagster.`), or empty.
    prefix: String,
    /// Where the run limits are written.
    runs: &'static str,
}

impl Vocabulary {
    /// The vocabulary of `source`, for run limits at `placement` under `values_prefix`.
    pub fn new(source: Source, placement: Option<Placement>, values_prefix: Option<&str>) -> Self {
        let prefix = values_prefix
            .and_then(prefix_segments)
            .filter(|segments| !segments.is_empty())
            .map(|segments| format!("{}.", segments.join(".")))
            .unwrap_or_default();
        let runs = match placement {
            Some(Placement::Concurrency) => RUNS,
            _ => QUEUED,
        };
        Vocabulary {
            source,
            prefix,
            runs,
        }
    }

    /// The kind of configuration being read.
    pub fn source(&self) -> Source {
        self.source
    }

    /// What the file calls the setting at `path`: the attribute path for a resource, the chart
    /// key (`dagsterDaemon....maxConcurrentRuns`) for raw values.
    pub fn name(&self, path: &AttrPath) -> String {
        if !self.source.is_raw() {
            return path.to_string();
        }
        let mut steps = path.steps.iter();
        let Some(first) = steps.next() else {
            return String::new();
        };
        let (name, index) = match first {
            Step::Attr(name) | Step::Block(name) => (*name, None),
            Step::Item(name, index) => (*name, Some(*index)),
        };
        let mut key = match name {
            "chart_version" => {
                return match self.source {
                    Source::HelmRelease => "version".into(),
                    _ => "--chart-version".into(),
                }
            }
            "values_prefix" => return "--values-prefix".into(),
            "placement" => self.section(self.runs),
            "pools" => self.section(POOLS),
            _ => match (lookup(RUN_KEYS, name), lookup(QUEUED_KEYS, name)) {
                (Some(key), _) => format!("{}.{key}", self.section(self.runs)),
                (None, Some(key)) => format!("{}.{key}", self.section(QUEUED)),
                (None, None) => return path.to_string(),
            },
        };
        if let Some(index) = index {
            key.push_str(&format!("[{index}]"));
        }
        for step in steps {
            let (Step::Attr(name) | Step::Block(name) | Step::Item(name, _)) = step;
            key.push('.');
            key.push_str(lookup(NESTED_KEYS, name).unwrap_or(name));
            if let Step::Item(_, index) = step {
                key.push_str(&format!("[{index}]"));
            }
        }
        key
    }

    /// The full key of a chart section (`concurrency.runs`), under the values prefix.
    pub fn section(&self, section: &str) -> String {
        format!("{}{section}", self.prefix)
    }

    /// A fix that sets `path` to `what`, said for the kind of file being read.
    pub fn set(&self, path: &AttrPath, what: &str) -> String {
        let name = self.name(path);
        match self.source {
            Source::Resource => format!("set {name} to {what}"),
            Source::ValuesFile => format!("in the values file, set {name} to {what}"),
            Source::HelmRelease => {
                format!("in the release's values or set entries, set {name} to {what}")
            }
        }
    }

    /// A fix that adds a tag limit for `key` covering all its values, after `existing` limits.
    pub fn add_tag_limit(&self, key: &str, existing: usize) -> String {
        let list = self.name(&AttrPath::attr("tag_concurrency_limit"));
        match self.source {
            Source::Resource => {
                format!("add a tag_concurrency_limit block with key = {key:?} and a limit")
            }
            Source::ValuesFile => {
                format!("add {{key: {key:?}, limit: N}} to {list} in the values file")
            }
            Source::HelmRelease => format!(
                "add set entries {list}[{existing}].key = {key:?} and {list}[{existing}].limit = N"
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit(index: usize) -> AttrPath {
        AttrPath::item("tag_concurrency_limit", index).then("limit")
    }

    #[test]
    fn a_resource_names_its_attributes() {
        let words = Vocabulary::new(Source::Resource, None, Some("dagster"));
        assert_eq!(words.name(&limit(1)), "tag_concurrency_limit[1].limit");
        assert_eq!(
            words.add_tag_limit("team", 0),
            "add a tag_concurrency_limit block with key = \"team\" and a limit"
        );
    }

    #[test]
    fn raw_values_name_chart_keys_where_the_limits_are() {
        let coordinator = Vocabulary::new(Source::ValuesFile, None, None);
        assert_eq!(
            coordinator.name(&AttrPath::attr("max_concurrent_runs")),
            format!("{QUEUED}.maxConcurrentRuns")
        );
        let section = Vocabulary::new(
            Source::HelmRelease,
            Some(Placement::Concurrency),
            Some("platform.dagster"),
        );
        assert_eq!(
            section.name(&limit(2)),
            "platform.dagster.concurrency.runs.tagConcurrencyLimits[2].limit"
        );
        assert_eq!(
            section.name(
                &AttrPath::item("tag_concurrency_limit", 0).then("apply_limit_per_unique_value")
            ),
            "platform.dagster.concurrency.runs.tagConcurrencyLimits[0].value.applyLimitPerUniqueValue"
        );
        assert_eq!(
            section.name(&AttrPath::attr("dequeue_num_workers")),
            format!("platform.dagster.{QUEUED}.dequeueNumWorkers")
        );
        assert_eq!(
            section.name(&AttrPath::block("pools").then("op_granularity_run_buffer")),
            "platform.dagster.concurrency.pools.opGranularityRunBuffer"
        );
        assert_eq!(section.name(&AttrPath::attr("chart_version")), "version");
        assert_eq!(
            coordinator.name(&AttrPath::attr("chart_version")),
            "--chart-version"
        );
    }

    #[test]
    fn fixes_fit_the_file() {
        let values = Vocabulary::new(Source::ValuesFile, None, None);
        assert_eq!(
            values.add_tag_limit("dagster/backfill", 1),
            format!("add {{key: \"dagster/backfill\", limit: N}} to {QUEUED}.tagConcurrencyLimits in the values file")
        );
        let release = Vocabulary::new(Source::HelmRelease, None, None);
        assert_eq!(
            release.add_tag_limit("team", 2),
            format!("add set entries {QUEUED}.tagConcurrencyLimits[2].key = \"team\" and {QUEUED}.tagConcurrencyLimits[2].limit = N")
        );
        assert!(release
            .set(&AttrPath::attr("max_concurrent_runs"), "5")
            .ends_with(&format!("set {QUEUED}.maxConcurrentRuns to 5")));
    }
}
