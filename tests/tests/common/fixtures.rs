//! Configurations both conformance tests start from (`#[path]`-included by each): the seed,
//! tag limits, op-blocking and pool settings written briefly, and the queue of runs the
//! enforcement checks drain; and the settings a run takes from the environment.

use serde_json::{json, Value};
use validator::model::{BlockOpSettings, ConcurrencyConfig, PoolSettings, Setting, TagLimit};

/// A tag limit: key, optional value, optional per-unique-value flag, limit.
pub fn tag(key: &str, value: Option<&str>, per_unique: Option<bool>, limit: i64) -> TagLimit {
    TagLimit {
        key: Setting::Known(key.into()),
        value: value.map(str::to_owned).into(),
        apply_limit_per_unique_value: per_unique.into(),
        limit: Setting::Known(limit),
    }
}

/// The seed ADR: 5 runs, `dagster/backfill` limited to 3.
pub fn seed() -> ConcurrencyConfig {
    ConcurrencyConfig {
        max_concurrent_runs: Setting::Known(5),
        tag_limits: Setting::Known(vec![tag("dagster/backfill", None, None, 3)]),
        ..Default::default()
    }
}

/// A `block_op_concurrency_limited_runs` block.
pub fn block_op(enabled: bool, buffer: Option<i64>) -> BlockOpSettings {
    BlockOpSettings {
        enabled: Setting::Known(enabled),
        op_concurrency_slot_buffer: buffer.into(),
    }
}

/// A `pools` block.
pub fn pools(limit: Option<i64>, granularity: Option<&str>, buffer: Option<i64>) -> PoolSettings {
    PoolSettings {
        default_limit: limit.into(),
        granularity: granularity.map(str::to_owned).into(),
        op_granularity_run_buffer: buffer.into(),
    }
}

/// Twenty queued runs: 8 backfill runs over two backfills, 9 team runs over three teams, and
/// 3 untagged runs.
pub fn queued_runs() -> Value {
    let mut runs: Vec<Value> = (0..8)
        .map(|i| json!({"tags": {"dagster/backfill": format!("bf{}", i % 2)}}))
        .collect();
    let teams = ["a", "b", "c"];
    runs.extend((0..9).map(|i| json!({"tags": {"team": teams[i % teams.len()]}})));
    runs.extend((0..3).map(|_| json!({"tags": {}})));
    Value::from(runs)
}

/// A number from the environment variable `name`, if set and valid.
pub fn env_number<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok().and_then(|text| text.parse().ok())
}

/// The seed of this run's generated cases: `CONFORMANCE_SEED`, else the current time.
pub fn run_seed() -> u64 {
    env_number("CONFORMANCE_SEED").unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|elapsed| elapsed.as_secs())
            .unwrap_or_default()
    })
}

/// The error rules whose code is not in `classified`: each conformance test places every error
/// rule, so a new one fails the test until it is placed.
pub fn unclassified_error_rules<'a>(
    classified: impl IntoIterator<Item = &'a str>,
) -> Vec<&'static str> {
    let classified: Vec<&str> = classified.into_iter().collect();
    validator::rules::REGISTRY
        .iter()
        .filter(|rule| rule.severity == validator::rules::Severity::Error)
        .map(|rule| rule.code)
        .filter(|code| !classified.contains(code))
        .collect()
}
