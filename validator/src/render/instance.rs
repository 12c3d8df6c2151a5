//! The `dagster.yaml` fragment the targeted chart version writes from the rendered values.
//!
//! Mirrors the chart's instance templates (`_run-coordinator.tpl`, `_concurrency.tpl`) over the
//! chart defaults (`dequeueUseThreads: true`, `dequeueNumWorkers: 4`), including their quirks:
//! falsy intervals and worker counts are dropped, a null run limit becomes `-1` unless the
//! `concurrency` section is enabled (chart 1.12.12 and later), and a falsy tag value is omitted
//! under `concurrency.runs`.

use crate::chart::keys::{APPLY_LIMIT_PER_UNIQUE_VALUE, QUEUED_RUN_COORDINATOR};
use crate::model::{Accepted, Placement, Resolved, ResolvedTagLimit, TagMatch};
use crate::version::{BLOCK_OP_RENDERED, CONCURRENCY_SECTION_FIXED};
use serde_json::{json, Map, Value};

/// Chart default for `dequeueUseThreads`.
const DEFAULT_USE_THREADS: bool = true;
/// Chart default for `dequeueNumWorkers`.
const DEFAULT_NUM_WORKERS: i64 = 4;

/// The instance YAML tree (`run_coordinator` and, when enabled, `concurrency`).
pub fn instance_tree(resolved: &Accepted) -> Value {
    let concurrency_enabled = resolved.placement == Placement::Concurrency;
    let (coordinator_runs, coordinator_tags) = match resolved.placement {
        Placement::RunCoordinator => (resolved.max_concurrent_runs, &resolved.tag_limits[..]),
        Placement::Concurrency => (None, &[][..]),
    };

    let mut config = Map::new();
    // Chart 1.12.12 skips the null run limit when the concurrency section is on; older ones
    // always write it (1.12.9-1.12.11 thereby crash the daemon, which the rules refuse).
    let skip_null_runs = concurrency_enabled && resolved.chart >= CONCURRENCY_SECTION_FIXED;
    match coordinator_runs {
        Some(runs) => {
            config.insert("max_concurrent_runs".into(), json!(runs));
        }
        None if !skip_null_runs => {
            config.insert("max_concurrent_runs".into(), json!(-1));
        }
        None => {}
    }
    if !coordinator_tags.is_empty() {
        let tags = coordinator_tags.iter().map(coordinator_tag).collect();
        config.insert("tag_concurrency_limits".into(), Value::Array(tags));
    }
    if let Some(seconds) = resolved.dequeue_interval_seconds.filter(|s| *s != 0) {
        config.insert("dequeue_interval_seconds".into(), json!(seconds));
    }
    if resolved.dequeue_use_threads.unwrap_or(DEFAULT_USE_THREADS) {
        config.insert("dequeue_use_threads".into(), json!(true));
    }
    let workers = resolved.dequeue_num_workers.unwrap_or(DEFAULT_NUM_WORKERS);
    if workers != 0 {
        config.insert("dequeue_num_workers".into(), json!(workers));
    }
    if let Some(block) = resolved
        .block_op
        .filter(|_| resolved.chart >= BLOCK_OP_RENDERED)
    {
        config.insert(
            "block_op_concurrency_limited_runs".into(),
            json!({
                "enabled": block.enabled,
                "op_concurrency_slot_buffer": block.op_concurrency_slot_buffer,
            }),
        );
    }

    let mut coordinator = Map::new();
    coordinator.insert("module".into(), json!("dagster.core.run_coordinator"));
    coordinator.insert("class".into(), json!(QUEUED_RUN_COORDINATOR));
    if !config.is_empty() {
        coordinator.insert("config".into(), Value::Object(config));
    }
    let mut root = Map::new();
    root.insert("run_coordinator".into(), Value::Object(coordinator));
    if concurrency_enabled {
        root.insert("concurrency".into(), concurrency_section(resolved));
    }
    Value::Object(root)
}

fn coordinator_tag(tag: &ResolvedTagLimit) -> Value {
    let mut item = Map::new();
    item.insert("key".into(), json!(tag.key));
    match &tag.matching {
        TagMatch::AnyValue => {}
        TagMatch::Value(value) => {
            item.insert("value".into(), json!(value));
        }
        TagMatch::PerUniqueValue(flag) => {
            item.insert(
                "value".into(),
                json!({ APPLY_LIMIT_PER_UNIQUE_VALUE: flag }),
            );
        }
    }
    item.insert("limit".into(), json!(tag.limit));
    Value::Object(item)
}

fn concurrency_section(resolved: &Resolved) -> Value {
    let mut section = Map::new();
    if let Some(pools) = &resolved.pools {
        let mut rendered = Map::new();
        if let Some(limit) = pools.default_limit {
            rendered.insert("default_limit".into(), json!(limit));
        }
        if let Some(granularity) = pools.granularity.as_ref().filter(|g| !g.is_empty()) {
            rendered.insert("granularity".into(), json!(granularity));
        }
        if let Some(buffer) = pools.op_granularity_run_buffer {
            rendered.insert("op_granularity_run_buffer".into(), json!(buffer));
        }
        if !rendered.is_empty() {
            section.insert("pools".into(), Value::Object(rendered));
        }
    }
    let mut runs = Map::new();
    if let Some(max) = resolved.max_concurrent_runs {
        runs.insert("max_concurrent_runs".into(), json!(max));
    }
    if !resolved.tag_limits.is_empty() {
        let tags = resolved
            .tag_limits
            .iter()
            .map(|tag| {
                // The template drops a falsy value ("" here) and keeps any other.
                let mut tag = tag.clone();
                if tag.matching == TagMatch::Value(String::new()) {
                    tag.matching = TagMatch::AnyValue;
                }
                coordinator_tag(&tag)
            })
            .collect();
        runs.insert("tag_concurrency_limits".into(), Value::Array(tags));
    }
    if !runs.is_empty() {
        section.insert("runs".into(), Value::Object(runs));
    }
    if section.is_empty() {
        Value::Null
    } else {
        Value::Object(section)
    }
}
