//! Terraform values <-> the validator's model: the only place the two meet.

use crate::required::{require, NullRequired};
use serde::{Deserialize, Serialize};
use tf_provider::value::Value;
use validator::model::{BlockOpSettings, ConcurrencyConfig, PoolSettings, Setting, TagLimit};
use validator::path::AttrPath;
use validator::render::{Rendered, SetEntry};
use validator::rules::{Finding, NOT_A_WHOLE_NUMBER};
use validator::version::NEWEST_KNOWN;

/// A Terraform number as it arrives: an integer, a float, or (beyond float range) text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Number {
    /// Fits in a signed 64-bit integer.
    Int(i64),
    /// A fraction, or an integer beyond 64 bits.
    Float(f64),
    /// A number too large for a float, sent as its decimal text.
    Text(String),
}

/// One `tag_concurrency_limit` block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TagLimitBlock {
    key: Value<String>,
    value: Value<String>,
    apply_limit_per_unique_value: Value<bool>,
    limit: Value<Number>,
}

/// The `block_op_concurrency_limited_runs` block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BlockOpBlock {
    enabled: Value<bool>,
    op_concurrency_slot_buffer: Value<Number>,
}

/// The `pools` block.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PoolsBlock {
    default_limit: Value<Number>,
    granularity: Value<String>,
    op_granularity_run_buffer: Value<Number>,
}

/// One computed `set` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SetItem {
    name: String,
    value: String,
    #[serde(rename = "type")]
    kind: String,
}

impl From<&SetEntry> for SetItem {
    fn from(entry: &SetEntry) -> Self {
        SetItem {
            name: entry.name.clone(),
            value: entry.value.clone(),
            kind: entry.kind.to_owned(),
        }
    }
}

/// The state (and config) of `dagster_concurrency`, field for field as in the schema.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConcurrencyState {
    chart_version: Value<String>,
    values_prefix: Value<String>,
    placement: Value<String>,
    max_concurrent_runs: Value<Number>,
    tag_concurrency_limit: Value<Vec<TagLimitBlock>>,
    dequeue_interval_seconds: Value<Number>,
    dequeue_use_threads: Value<bool>,
    dequeue_num_workers: Value<Number>,
    block_op_concurrency_limited_runs: Value<Vec<BlockOpBlock>>,
    pools: Value<Vec<PoolsBlock>>,
    id: Value<String>,
    set: Value<Vec<SetItem>>,
    values_yaml: Value<String>,
    instance_yaml: Value<String>,
}

pub(crate) fn setting<T: Clone>(value: &Value<T>) -> Setting<T> {
    match value {
        Value::Value(inner) => Setting::Known(inner.clone()),
        Value::Null => Setting::Unset,
        Value::Unknown => Setting::Unknown,
    }
}

/// A block list that may hold at most one block; an empty list is an absent block.
pub(crate) fn single<T: Clone>(value: &Value<Vec<T>>) -> Setting<T> {
    match value {
        Value::Value(items) => items.first().cloned().into(),
        Value::Null => Setting::Unset,
        Value::Unknown => Setting::Unknown,
    }
}

/// Reads a Terraform number as a whole number; anything else is a DC504 finding, and the
/// setting is treated as unknown so no other rule or renderer uses it.
pub(crate) fn whole(
    value: &Value<Number>,
    path: AttrPath,
    findings: &mut Vec<Finding>,
) -> Setting<i64> {
    let number = match value {
        Value::Value(number) => number,
        Value::Null => return Setting::Unset,
        Value::Unknown => return Setting::Unknown,
    };
    let shown = match number {
        Number::Int(int) => return Setting::Known(*int),
        Number::Float(float) if float.fract() == 0.0 && float.abs() < 9.2e18 => {
            return Setting::Known(*float as i64)
        }
        Number::Float(float) => float.to_string(),
        Number::Text(text) => text.clone(),
    };
    findings.push(NOT_A_WHOLE_NUMBER.at(
        path.clone(),
        format!("{path} = {shown} is not a whole number within 64-bit range"),
        "write a whole number".into(),
    ));
    Setting::Unknown
}

/// The `chart_version` of a configuration that leaves it unset: the newest chart known.
fn default_chart_version() -> Value<String> {
    Value::Value(NEWEST_KNOWN.to_string())
}

impl ConcurrencyState {
    /// Plans `chart_version` from the configuration: the configured value (an unknown one stays
    /// unknown), else the default, [`NEWEST_KNOWN`], even where the prior state holds another.
    pub fn plan_chart_version(&mut self, config: &ConcurrencyState) {
        if config.chart_version.is_null() {
            self.chart_version = default_chart_version();
        }
    }

    /// Fills a null `chart_version` with the default, [`NEWEST_KNOWN`]: what state written
    /// before the attribute was computed (release 0.1.0) holds where it was left unset.
    pub fn fill_chart_version(&mut self) {
        if self.chart_version.is_null() {
            self.chart_version = default_chart_version();
        }
    }

    /// The required arguments written as `null` (in `tag_concurrency_limit` and
    /// `block_op_concurrency_limited_runs`; every other argument is optional).
    pub fn null_required(&self) -> Vec<NullRequired> {
        let mut nulls = Vec::new();
        if let Value::Value(blocks) = &self.tag_concurrency_limit {
            for (index, block) in blocks.iter().enumerate() {
                let path = AttrPath::item("tag_concurrency_limit", index);
                require(
                    &block.key,
                    path.clone().then("key"),
                    "the run tag key the limit matches, e.g. `\"dagster/backfill\"`",
                    &mut nulls,
                );
                require(
                    &block.limit,
                    path.then("limit"),
                    "the runs with a matching tag that may be in progress at once, e.g. `3`",
                    &mut nulls,
                );
            }
        }
        if let Setting::Known(block) = single(&self.block_op_concurrency_limited_runs) {
            require(&block.enabled, AttrPath::block("block_op_concurrency_limited_runs").then("enabled"), "`true` or `false`, or remove the `block_op_concurrency_limited_runs` block to keep Dagster's default", &mut nulls);
        }
        nulls
    }

    /// The model of these arguments, plus DC504 findings for numbers that are not whole.
    pub fn to_config(&self) -> (ConcurrencyConfig, Vec<Finding>) {
        let mut findings = Vec::new();
        let tag_limits = match &self.tag_concurrency_limit {
            Value::Value(blocks) if blocks.is_empty() => Setting::Unset,
            Value::Value(blocks) => Setting::Known(
                blocks
                    .iter()
                    .enumerate()
                    .map(|(index, block)| TagLimit {
                        key: setting(&block.key),
                        value: setting(&block.value),
                        apply_limit_per_unique_value: setting(&block.apply_limit_per_unique_value),
                        limit: whole(
                            &block.limit,
                            AttrPath::item("tag_concurrency_limit", index).then("limit"),
                            &mut findings,
                        ),
                    })
                    .collect(),
            ),
            Value::Null => Setting::Unset,
            Value::Unknown => Setting::Unknown,
        };
        let block_op = match single(&self.block_op_concurrency_limited_runs) {
            Setting::Known(block) => Setting::Known(BlockOpSettings {
                enabled: setting(&block.enabled),
                op_concurrency_slot_buffer: whole(
                    &block.op_concurrency_slot_buffer,
                    AttrPath::block("block_op_concurrency_limited_runs")
                        .then("op_concurrency_slot_buffer"),
                    &mut findings,
                ),
            }),
            Setting::Unset => Setting::Unset,
            Setting::Unknown => Setting::Unknown,
        };
        let pools = match single(&self.pools) {
            Setting::Known(pools) => Setting::Known(PoolSettings {
                default_limit: whole(
                    &pools.default_limit,
                    AttrPath::block("pools").then("default_limit"),
                    &mut findings,
                ),
                granularity: setting(&pools.granularity),
                op_granularity_run_buffer: whole(
                    &pools.op_granularity_run_buffer,
                    AttrPath::block("pools").then("op_granularity_run_buffer"),
                    &mut findings,
                ),
            }),
            Setting::Unset => Setting::Unset,
            Setting::Unknown => Setting::Unknown,
        };
        let mut number = |value, name| whole(value, AttrPath::attr(name), &mut findings);
        let config = ConcurrencyConfig {
            chart_version: setting(&self.chart_version),
            values_prefix: setting(&self.values_prefix),
            placement: setting(&self.placement),
            max_concurrent_runs: number(&self.max_concurrent_runs, "max_concurrent_runs"),
            dequeue_interval_seconds: number(
                &self.dequeue_interval_seconds,
                "dequeue_interval_seconds",
            ),
            dequeue_num_workers: number(&self.dequeue_num_workers, "dequeue_num_workers"),
            dequeue_use_threads: setting(&self.dequeue_use_threads),
            tag_limits,
            block_op,
            pools,
        };
        (config, findings)
    }

    /// Sets the computed outputs from a rendering.
    pub fn set_outputs(&mut self, rendered: &Rendered) {
        self.id = Value::Value(rendered.id.clone());
        self.set = Value::Value(rendered.set.iter().map(SetItem::from).collect());
        self.values_yaml = Value::Value(rendered.values_yaml.clone());
        self.instance_yaml = Value::Value(rendered.instance_yaml.clone());
    }

    /// Keeps `earlier`'s `values_yaml` and `instance_yaml` text where it reads as the same YAML
    /// as this rendering. The text's layout changed since 0.1.0 (keys are no longer all quoted);
    /// a state written then must plan, refresh and apply without a change it cannot see.
    pub fn keep_equal_yaml(&mut self, earlier: &ConcurrencyState) {
        for (now, before) in [
            (&mut self.values_yaml, &earlier.values_yaml),
            (&mut self.instance_yaml, &earlier.instance_yaml),
        ] {
            if let (Value::Value(now_text), Value::Value(before_text)) = (&*now, before) {
                if now_text != before_text && same_yaml(now_text, before_text) {
                    *now = Value::Value(before_text.clone());
                }
            }
        }
    }

    /// Marks the computed outputs as known only after apply.
    pub fn set_outputs_unknown(&mut self) {
        self.id = Value::Unknown;
        self.set = Value::Unknown;
        self.values_yaml = Value::Unknown;
        self.instance_yaml = Value::Unknown;
    }
}

/// True when both texts parse as YAML to the same value.
fn same_yaml(a: &str, b: &str) -> bool {
    let parse = |text| serde_norway::from_str::<serde_norway::Value>(text).ok();
    matches!((parse(a), parse(b)), (Some(a), Some(b)) if a == b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_text_that_reads_the_same_is_kept() {
        let mut earlier = ConcurrencyState {
            values_yaml: Value::Value("\"a\":\n  \"b\": 5\n".into()),
            instance_yaml: Value::Value("\"a\": \"x\"\n".into()),
            ..Default::default()
        };
        let mut now = ConcurrencyState {
            values_yaml: Value::Value("a:\n  b: 5\n".into()),
            instance_yaml: Value::Value("a: y\n".into()),
            ..Default::default()
        };
        now.keep_equal_yaml(&earlier);
        assert_eq!(now.values_yaml, earlier.values_yaml);
        assert_eq!(now.instance_yaml, Value::Value("a: y\n".into()));
        earlier.values_yaml = Value::Unknown;
        now.values_yaml = Value::Value("a: 6\n".into());
        now.keep_equal_yaml(&earlier);
        assert_eq!(now.values_yaml, Value::Value("a: 6\n".into()));
    }

    fn seed() -> ConcurrencyState {
        ConcurrencyState {
            max_concurrent_runs: Value::Value(Number::Int(5)),
            tag_concurrency_limit: Value::Value(vec![TagLimitBlock {
                key: Value::Value("dagster/backfill".into()),
                limit: Value::Value(Number::Int(3)),
                ..Default::default()
            }]),
            ..Default::default()
        }
    }

    #[test]
    fn converts_blocks_and_numbers() {
        let (config, findings) = seed().to_config();
        assert!(findings.is_empty());
        assert_eq!(config.max_concurrent_runs, Setting::Known(5));
        let tags = config.tag_limits.known().expect("tags known");
        assert_eq!(tags[0].key, Setting::Known("dagster/backfill".into()));
        assert_eq!(config.pools, Setting::Unset);
    }

    #[test]
    fn fractions_are_dc504_at_their_path() {
        let mut state = seed();
        state.max_concurrent_runs = Value::Value(Number::Float(2.5));
        state.pools = Value::Value(vec![PoolsBlock {
            default_limit: Value::Value(Number::Text("1e400".into())),
            ..Default::default()
        }]);
        let (config, findings) = state.to_config();
        let paths: Vec<String> = findings.iter().map(|f| f.path.to_string()).collect();
        assert_eq!(paths, ["pools.default_limit", "max_concurrent_runs"]);
        assert!(findings.iter().all(|f| f.rule.code == "DC504"));
        assert_eq!(config.max_concurrent_runs, Setting::Unknown);
        let mut state = seed();
        state.max_concurrent_runs = Value::Value(Number::Float(4.0));
        assert_eq!(state.to_config().0.max_concurrent_runs, Setting::Known(4));
    }

    #[test]
    fn every_required_argument_written_as_null_is_reported_at_its_path() {
        let schema = crate::concurrency_schema::concurrency_schema("");
        for (path, config) in crate::required::cases::null_required(&schema.block) {
            let state: ConcurrencyState = serde_json::from_value(config).expect("a config");
            let nulls = state.null_required();
            let paths: Vec<_> = nulls
                .iter()
                .map(|null| crate::diagnostics::attribute_path(&null.path).steps)
                .collect();
            assert_eq!(paths, [path]);
        }
    }

    #[test]
    fn unknown_and_empty_blocks() {
        let mut state = seed();
        state.tag_concurrency_limit = Value::Unknown;
        state.pools = Value::Value(vec![]);
        let (config, _) = state.to_config();
        assert_eq!(config.tag_limits, Setting::Unknown);
        assert_eq!(config.pools, Setting::Unset);
    }

    #[test]
    fn an_unset_chart_version_plans_the_newest_known() {
        let newest = Value::Value(NEWEST_KNOWN.to_string());
        let config = seed();
        let mut planned = config.clone();
        planned.plan_chart_version(&config);
        assert_eq!(planned.chart_version, newest);
        // Removed from the configuration: the prior value in the proposal gives way to the default.
        let mut proposed = seed();
        proposed.chart_version = Value::Value("1.12.10".into());
        proposed.plan_chart_version(&config);
        assert_eq!(proposed.chart_version, newest);
        assert_eq!(
            planned.to_config().0.chart_version,
            Setting::Known(NEWEST_KNOWN.to_string())
        );
    }

    #[test]
    fn a_configured_or_unknown_chart_version_is_planned_as_it_is() {
        for configured in [Value::Value("1.12.10".to_owned()), Value::Unknown] {
            let mut config = seed();
            config.chart_version = configured.clone();
            let mut planned = config.clone();
            planned.plan_chart_version(&config);
            assert_eq!(planned.chart_version, configured);
            planned.fill_chart_version();
            assert_eq!(planned.chart_version, configured);
        }
    }

    #[test]
    fn a_null_chart_version_in_state_is_filled_with_the_newest_known() {
        let mut state = seed();
        state.fill_chart_version();
        assert_eq!(state.chart_version, Value::Value(NEWEST_KNOWN.to_string()));
    }
}
