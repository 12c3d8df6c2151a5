//! A Dagster chart values tree -> the model, as the chart renders it.
//!
//! Placement is inferred from where the limits are written: `concurrency.runs` gives
//! `placement = "concurrency"`, the queued run coordinator's config `run_coordinator` (said
//! explicitly when `concurrency.pools` is also set, so the pools conflict is reported). Values of
//! the wrong type become DC605 findings and are left out of the model, never guessed.

use super::tree::{Node, Value};
use super::{Position, ReadOptions, Target};
use crate::chart::keys::{self, Section};
use crate::chart::path::prefix_segments;
use crate::model::{BlockOpSettings, ConcurrencyConfig, PoolSettings, Setting, TagLimit};
use crate::rules::raw::{self, holds_run_limits, Expected, RawFindings, WrongValueType};
use crate::rules::{NotAWholeNumber, Source, Violation};

/// What a `helm_release` adds to its values: where it starts and its chart version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    /// Where the release block starts.
    pub position: Position,
    /// The release's `version` and where it was written.
    pub chart_version: Option<(Setting<String>, Position)>,
}

/// Reads the Dagster chart's values from `root` into a target named `name`. Without a release,
/// values that hold no `dagsterDaemon` or `concurrency` key give no target.
pub fn values_target(
    name: &str,
    root: &Node,
    options: &ReadOptions,
    release: Option<Release>,
) -> Option<Target> {
    let prefix = options.values_prefix.clone().unwrap_or_default();
    let segments = prefix_segments(&prefix).unwrap_or_default();
    let keys: Vec<&str> = segments.iter().map(String::as_str).collect();
    let dagster = root.at(&keys);
    let relevant = dagster.is_some_and(|d| {
        d.get(keys::DAGSTER_DAEMON).is_some() || d.get(keys::CONCURRENCY).is_some()
    });
    if release.is_none() && !relevant {
        return None;
    }
    let position = release.as_ref().map_or(root.position, |r| r.position);
    let mut target = Target::new(name, position);
    target.source = match release {
        Some(_) => Source::HelmRelease,
        None => Source::ValuesFile,
    };
    let mut reader = Reader {
        target: &mut target,
        prefix: if prefix.is_empty() {
            String::new()
        } else {
            format!("{prefix}.")
        },
    };
    let config = reader.config(dagster, options, release.as_ref());
    if let Some(dagster) = dagster {
        raw::check(dagster, &mut reader);
    }
    target.config = config;
    Some(target)
}

struct Reader<'a> {
    target: &'a mut Target,
    prefix: String,
}

impl RawFindings for Reader<'_> {
    fn raise(&mut self, key: String, position: Position, violation: &dyn Violation) {
        self.target
            .raise_violation(format!("{}{key}", self.prefix), position, violation);
    }
}

impl Reader<'_> {
    fn config(
        &mut self,
        dagster: Option<&Node>,
        options: &ReadOptions,
        release: Option<&Release>,
    ) -> ConcurrencyConfig {
        let mut config = ConcurrencyConfig::default();
        match release.and_then(|r| r.chart_version.clone()) {
            Some((version, at)) => {
                self.target.wrote("chart_version", "version", at);
                config.chart_version = version;
            }
            None => config.chart_version = options.chart_version.clone().into(),
        }
        config.values_prefix = options.values_prefix.clone().into();
        let Some(dagster) = dagster else {
            return config;
        };
        let queued = dagster.at(Section::Queued.path());
        let runs = dagster.at(Section::Runs.path());
        let pools = dagster
            .at(Section::Pools.path())
            .filter(|p| p.value != Value::Null);
        let (limits, base) = if holds_run_limits(runs) && !holds_run_limits(queued) {
            config.placement = Setting::Known("concurrency".into());
            (runs, Section::Runs.dotted())
        } else {
            if holds_run_limits(queued) && pools.is_some() {
                config.placement = Setting::Known("run_coordinator".into());
            }
            (queued, Section::Queued.dotted())
        };
        if let Some(section) = limits.filter(|_| config.placement.is_set()) {
            self.target.wrote(
                "placement",
                format!("{}{base}", self.prefix),
                section.position,
            );
        }
        let field = |key: &str| format!("{base}.{key}");
        let get = |key| limits.and_then(|n| n.get(key));
        config.max_concurrent_runs = self.int(
            get(keys::MAX_CONCURRENT_RUNS),
            "max_concurrent_runs",
            &field(keys::MAX_CONCURRENT_RUNS),
        );
        config.tag_limits = self.tag_limits(
            get(keys::TAG_CONCURRENCY_LIMITS),
            &field(keys::TAG_CONCURRENCY_LIMITS),
        );
        let queued_key = |key: &str| format!("{}.{key}", Section::Queued.dotted());
        let queued_get = |key| queued.and_then(|n| n.get(key));
        config.dequeue_interval_seconds = self.int(
            queued_get(keys::DEQUEUE_INTERVAL_SECONDS),
            "dequeue_interval_seconds",
            &queued_key(keys::DEQUEUE_INTERVAL_SECONDS),
        );
        config.dequeue_use_threads = self.boolean(
            queued_get(keys::DEQUEUE_USE_THREADS),
            "dequeue_use_threads",
            &queued_key(keys::DEQUEUE_USE_THREADS),
        );
        config.dequeue_num_workers = self.int(
            queued_get(keys::DEQUEUE_NUM_WORKERS),
            "dequeue_num_workers",
            &queued_key(keys::DEQUEUE_NUM_WORKERS),
        );
        if let Some(block) =
            queued_get(keys::BLOCK_OP_CONCURRENCY_LIMITED_RUNS).filter(|n| n.value != Value::Null)
        {
            let key = queued_key(keys::BLOCK_OP_CONCURRENCY_LIMITED_RUNS);
            self.target.wrote(
                "block_op_concurrency_limited_runs",
                format!("{}{key}", self.prefix),
                block.position,
            );
            config.block_op = Setting::Known(BlockOpSettings {
                enabled: self.boolean(
                    block.get(keys::ENABLED),
                    "block_op_concurrency_limited_runs.enabled",
                    &format!("{key}.{}", keys::ENABLED),
                ),
                op_concurrency_slot_buffer: self.int(
                    block.get(keys::OP_CONCURRENCY_SLOT_BUFFER),
                    "block_op_concurrency_limited_runs.op_concurrency_slot_buffer",
                    &format!("{key}.{}", keys::OP_CONCURRENCY_SLOT_BUFFER),
                ),
            });
        }
        if let Some(pools) = pools {
            self.target.wrote(
                "pools",
                format!("{}{}", self.prefix, Section::Pools.dotted()),
                pools.position,
            );
            let pool_key = |key: &str| format!("{}.{key}", Section::Pools.dotted());
            config.pools = Setting::Known(PoolSettings {
                default_limit: self.int(
                    pools.get(keys::DEFAULT_LIMIT),
                    "pools.default_limit",
                    &pool_key(keys::DEFAULT_LIMIT),
                ),
                granularity: self.string(
                    pools.get(keys::GRANULARITY),
                    "pools.granularity",
                    &pool_key(keys::GRANULARITY),
                ),
                op_granularity_run_buffer: self.int(
                    pools.get(keys::OP_GRANULARITY_RUN_BUFFER),
                    "pools.op_granularity_run_buffer",
                    &pool_key(keys::OP_GRANULARITY_RUN_BUFFER),
                ),
            });
        }
        config
    }

    fn tag_limits(&mut self, node: Option<&Node>, key: &str) -> Setting<Vec<TagLimit>> {
        let Some(node) = node else {
            return Setting::Unset;
        };
        let items = match &node.value {
            Value::Null => return Setting::Unset,
            Value::Unknown => return Setting::Unknown,
            Value::List(items) if items.is_empty() => return Setting::Unset,
            Value::List(items) => items,
            _ => {
                self.wrong_type(node, key, Expected::TagList);
                return Setting::Unknown;
            }
        };
        let mut limits = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let attr = format!("tag_concurrency_limit[{index}]");
            let item_key = format!("{key}[{index}]");
            self.target.wrote(
                attr.clone(),
                format!("{}{item_key}", self.prefix),
                item.position,
            );
            if !matches!(item.value, Value::Map(_) | Value::Unknown) {
                self.wrong_type(item, &item_key, Expected::TagMap);
            }
            let mut tag = TagLimit {
                key: self.string(
                    item.get(keys::KEY),
                    &format!("{attr}.key"),
                    &format!("{item_key}.{}", keys::KEY),
                ),
                limit: self.int(
                    item.get(keys::LIMIT),
                    &format!("{attr}.limit"),
                    &format!("{item_key}.{}", keys::LIMIT),
                ),
                ..Default::default()
            };
            if let Some(value) = item.get(keys::VALUE) {
                let value_key = format!("{item_key}.{}", keys::VALUE);
                match &value.value {
                    Value::Map(_) => {
                        tag.apply_limit_per_unique_value = self.boolean(
                            value.get(keys::APPLY_LIMIT_PER_UNIQUE_VALUE),
                            &format!("{attr}.apply_limit_per_unique_value"),
                            &format!("{value_key}.{}", keys::APPLY_LIMIT_PER_UNIQUE_VALUE),
                        );
                    }
                    _ => tag.value = self.string(Some(value), &format!("{attr}.value"), &value_key),
                }
            }
            limits.push(tag);
        }
        Setting::Known(limits)
    }

    fn wrote(&mut self, node: &Node, attr: &str, key: &str) {
        self.target
            .wrote(attr, format!("{}{key}", self.prefix), node.position);
    }

    fn wrong_type(&mut self, node: &Node, key: &str, expected: Expected) {
        let shown = match &node.value {
            Value::Str(text) => format!(" ({text:?})"),
            _ => String::new(),
        };
        let key = format!("{}{key}", self.prefix);
        let violation = WrongValueType {
            key: &key,
            found: format!("{}{shown}", node.type_name()),
            expected,
            source: self.target.source,
        };
        self.target
            .raise_violation(key.clone(), node.position, &violation);
    }

    fn int(&mut self, node: Option<&Node>, attr: &str, key: &str) -> Setting<i64> {
        let Some(node) = node else {
            return Setting::Unset;
        };
        self.wrote(node, attr, key);
        match &node.value {
            Value::Null => Setting::Unset,
            Value::Int(number) => Setting::Known(*number),
            Value::Unknown => Setting::Unknown,
            Value::Float(text) => {
                self.target.raise_violation(
                    format!("{}{key}", self.prefix),
                    node.position,
                    &NotAWholeNumber {
                        name: attr,
                        written: text,
                    },
                );
                Setting::Unknown
            }
            Value::Map(_) if node.get("env").is_some() && attr == "max_concurrent_runs" => {
                self.target.note(node.position, format!("{}{key} is read from an environment variable when the daemon starts: not checked", self.prefix));
                Setting::Unknown
            }
            _ => {
                self.wrong_type(node, key, Expected::Number);
                Setting::Unknown
            }
        }
    }

    fn boolean(&mut self, node: Option<&Node>, attr: &str, key: &str) -> Setting<bool> {
        let Some(node) = node else {
            return Setting::Unset;
        };
        self.wrote(node, attr, key);
        match &node.value {
            Value::Null => Setting::Unset,
            Value::Bool(flag) => Setting::Known(*flag),
            Value::Unknown => Setting::Unknown,
            _ => {
                self.wrong_type(node, key, Expected::Boolean);
                Setting::Unknown
            }
        }
    }

    fn string(&mut self, node: Option<&Node>, attr: &str, key: &str) -> Setting<String> {
        let Some(node) = node else {
            return Setting::Unset;
        };
        self.wrote(node, attr, key);
        match &node.value {
            Value::Null => Setting::Unset,
            Value::Str(text) => Setting::Known(text.clone()),
            Value::Unknown => Setting::Unknown,
            _ => {
                self.wrong_type(node, key, Expected::Text);
                Setting::Unknown
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::values_yaml::parse;

    fn target(yaml: &str, options: &ReadOptions) -> Target {
        let root = parse(yaml, Position::START)
            .expect("yaml")
            .expect("not empty");
        values_target("values", &root, options, None).expect("a dagster target")
    }

    fn codes(target: &Target) -> Vec<&'static str> {
        target.diagnostics().iter().map(|d| d.rule.code).collect()
    }

    const SEED: &str = "dagsterDaemon:\n  runCoordinator:\n    config:\n      queuedRunCoordinator:\n        maxConcurrentRuns: 5\n        tagConcurrencyLimits:\n          - key: dagster/backfill\n            limit: 3\n";

    #[test]
    fn the_seed_adr_reads_into_the_model_and_is_clean() {
        let seed = target(SEED, &ReadOptions::default());
        assert_eq!(seed.config.max_concurrent_runs, Setting::Known(5));
        assert_eq!(seed.config.placement, Setting::Unset);
        let tags = seed.config.tag_limits.known().expect("tags");
        assert_eq!(tags[0].key, Setting::Known("dagster/backfill".into()));
        assert_eq!(codes(&seed), Vec::<&str>::new());
    }

    #[test]
    fn findings_point_at_the_values_key() {
        let paused = target(
            &SEED.replace("maxConcurrentRuns: 5", "maxConcurrentRuns: 0"),
            &ReadOptions::default(),
        );
        let diagnostics = paused.diagnostics();
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].rule.code, "DC104");
        assert_eq!(
            diagnostics[0].at.position,
            Position {
                line: 5,
                column: 28
            }
        );
        assert_eq!(
            diagnostics[0].at.subject,
            "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns"
        );
    }

    #[test]
    fn number_and_buffer_findings_speak_in_chart_keys() {
        let yaml = SEED.replace(
            "maxConcurrentRuns: 5\n",
            "maxConcurrentRuns: 2000000\n        blockOpConcurrencyLimitedRuns:\n          enabled: false\n          opConcurrencySlotBuffer: -2\n",
        );
        let found = target(&yaml, &ReadOptions::default()).diagnostics();
        let queued = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator";
        let block = format!("{queued}.blockOpConcurrencyLimitedRuns");
        let texts: Vec<(&str, String, String)> = found
            .iter()
            .map(|f| (f.rule.code, f.summary.clone(), f.fix.clone()))
            .collect();
        assert_eq!(
            texts,
            [
                ("DC406", format!("{block}.opConcurrencySlotBuffer = -2 is negative: a run waits until more than 2 slots of its pool are free"), "use 0 (Dagster's default) or a positive buffer".to_owned()),
                ("DC407", format!("{queued}.maxConcurrentRuns = 2000000 reaches the chart as a float64 from a values file and is written as 2e+06, which Dagster refuses"), "use a number below 1000000, or -1 for no run limit".to_owned()),
                ("DC401", format!("{block}.opConcurrencySlotBuffer = -2 while {block}.enabled = false, which Dagster refuses"), format!("set {block}.enabled = true, or set {block}.opConcurrencySlotBuffer to 0")),
            ]
        );
    }

    #[test]
    fn wrong_value_type() {
        let quoted = target(
            &SEED.replace("maxConcurrentRuns: 5", "maxConcurrentRuns: \"5\""),
            &ReadOptions::default(),
        );
        assert_eq!(codes(&quoted), ["DC605"]);
        assert_eq!(quoted.config.max_concurrent_runs, Setting::Unknown);
        let key_number = target(
            &SEED.replace("key: dagster/backfill", "key: 12"),
            &ReadOptions::default(),
        );
        assert!(codes(&key_number).contains(&"DC605"));
        assert!(!codes(&target(SEED, &ReadOptions::default())).contains(&"DC605"));
    }

    #[test]
    fn fractions_are_not_whole_numbers() {
        let fraction = target(
            &SEED.replace("limit: 3", "limit: 2.5"),
            &ReadOptions::default(),
        );
        assert_eq!(codes(&fraction), ["DC504"]);
    }

    #[test]
    fn placement_follows_the_limits() {
        let section = "concurrency:\n  enabled: true\n  runs:\n    maxConcurrentRuns: 4\n  pools:\n    defaultLimit: 2\n";
        let config = target(section, &ReadOptions::default()).config;
        assert_eq!(config.placement, Setting::Known("concurrency".into()));
        assert_eq!(config.max_concurrent_runs, Setting::Known(4));
        let with_pools =
            format!("{SEED}concurrency:\n  enabled: true\n  pools:\n    defaultLimit: 2\n");
        let conflict = target(&with_pools, &ReadOptions::default());
        assert_eq!(
            conflict.config.placement,
            Setting::Known("run_coordinator".into())
        );
        assert!(codes(&conflict).contains(&"DC303"));
    }

    #[test]
    fn umbrella_prefix_and_chart_version() {
        let umbrella: String = format!(
            "dagster:\n{}",
            SEED.lines().map(|l| format!("  {l}\n")).collect::<String>()
        );
        let options = ReadOptions {
            chart_version: Some("1.12.10".into()),
            values_prefix: Some("dagster".into()),
        };
        let read = target(&umbrella, &options);
        assert_eq!(read.config.max_concurrent_runs, Setting::Known(5));
        assert_eq!(read.config.chart_version, Setting::Known("1.12.10".into()));
        let root = parse(&umbrella, Position::START)
            .expect("yaml")
            .expect("not empty");
        assert!(values_target("values", &root, &ReadOptions::default(), None).is_none());
    }

    #[test]
    fn env_limits_are_noted_not_guessed() {
        let env = target(
            &SEED.replace(
                "maxConcurrentRuns: 5",
                "maxConcurrentRuns:\n          env: LIMIT",
            ),
            &ReadOptions::default(),
        );
        assert_eq!(env.config.max_concurrent_runs, Setting::Unknown);
        assert_eq!(env.notes.len(), 1);
        assert_eq!(codes(&env), Vec::<&str>::new());
    }
}
