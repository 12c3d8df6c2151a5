//! How findings name settings: in Terraform attribute names for a `dagster_concurrency` resource,
//! in the Dagster chart's values keys for raw Helm values (a values file, a `helm_release`), so
//! that every summary and fix speaks the language of the file being read.

use crate::chart::keys::{self, Section, APPLY_LIMIT_PER_UNIQUE_VALUE};
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

/// The chart key of an argument inside a block or a tag limit (`default_limit` is
/// `defaultLimit`); `apply_limit_per_unique_value` sits in the tag limit's `value` map.
fn nested_key(argument: &str) -> Option<String> {
    if argument == "apply_limit_per_unique_value" {
        return Some(format!("{}.{APPLY_LIMIT_PER_UNIQUE_VALUE}", keys::VALUE));
    }
    [Section::TagLimit, Section::BlockOp, Section::Pools]
        .into_iter()
        .find_map(|section| section.key_of(argument))
        .map(str::to_owned)
}

/// Names settings for one configuration.
#[derive(Debug, Clone)]
pub(crate) struct Vocabulary {
    source: Source,
    /// The values prefix with its trailing dot (`dagster.`), or empty.
    prefix: String,
    /// Where the run limits are written.
    runs: Section,
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
            Some(Placement::Concurrency) => Section::Runs,
            _ => Section::Queued,
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
            "pools" => self.section(Section::Pools),
            _ => match (self.runs.key_of(name), Section::Queued.key_of(name)) {
                (Some(key), _) => format!("{}.{key}", self.section(self.runs)),
                (None, Some(key)) => format!("{}.{key}", self.section(Section::Queued)),
                (None, None) => return path.to_string(),
            },
        };
        if let Some(index) = index {
            key.push_str(&format!("[{index}]"));
        }
        for step in steps {
            let (Step::Attr(name) | Step::Block(name) | Step::Item(name, _)) = step;
            key.push('.');
            key.push_str(&nested_key(name).unwrap_or_else(|| (*name).to_owned()));
            if let Step::Item(_, index) = step {
                key.push_str(&format!("[{index}]"));
            }
        }
        key
    }

    /// The full key of a chart section (`concurrency.runs`), under the values prefix.
    pub fn section(&self, section: Section) -> String {
        format!("{}{}", self.prefix, section.dotted())
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

    /// How the file's numbers reach the chart as YAML, which Helm reads as float64s.
    pub fn through_yaml(&self) -> &'static str {
        match self.source {
            Source::Resource => "through values_yaml",
            Source::ValuesFile => "from a values file",
            Source::HelmRelease => "through the release's values",
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
            "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns"
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
            "platform.dagster.dagsterDaemon.runCoordinator.config.queuedRunCoordinator.dequeueNumWorkers"
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
            "add {key: \"dagster/backfill\", limit: N} to dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits in the values file"
        );
        let release = Vocabulary::new(Source::HelmRelease, None, None);
        assert_eq!(
            release.add_tag_limit("team", 2),
            "add set entries dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[2].key = \"team\" and dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[2].limit = N"
        );
        assert!(release
            .set(&AttrPath::attr("max_concurrent_runs"), "5")
            .ends_with(
            "set dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns to 5"
        ));
    }
}
