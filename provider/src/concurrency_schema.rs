//! The schema shared by `resource "dagster_concurrency"` and `data "dagster_concurrency"`:
//! the arguments, their markdown descriptions (the registry docs are generated from them), and
//! the computed outputs.

use crate::schema_builder::{
    attribute, block, computed, list_of_objects, named, optional, required,
};
use std::collections::HashMap;
use tf_provider::schema::{
    AttributeConstraint, AttributeType, Block, Description, NestedBlock, Schema,
};
use validator::version::NEWEST_KNOWN;

fn tag_limit_block() -> Block {
    let mut attributes = named(vec![
        ("value", optional(AttributeType::String, "Only runs whose tag `key` has exactly this value count toward the limit. Conflicts with `apply_limit_per_unique_value = true`. Sent with `type = \"string\"`, so values such as `\"123\"` or `\"true\"` stay strings. Unset: the limit covers every value of the key.")),
        ("apply_limit_per_unique_value", optional(AttributeType::Bool, "`true`: a separate limit for each distinct value of the tag (e.g. one per backfill with `dagster/backfill`); `true` conflicts with `value`. Without `value` and this, one limit is shared by all values. Default: `false`.")),
    ]);
    attributes.insert(
        "key".into(),
        required(AttributeType::String, "Run tag key the limit matches, e.g. `dagster/backfill`. Must match Dagster's tag key format: letters, digits, `_`, `.`, `-`, at most one `/` prefix, each part 1 to 63 characters (otherwise a warning)."),
    );
    attributes.insert(
        "limit".into(),
        required(AttributeType::Number, "Runs with a matching tag that may be in progress at once, `0` or more: `0` blocks them (a warning), a negative limit is an error. Should be below `max_concurrent_runs`."),
    );
    block(
        "A run tag limit (`tagConcurrencyLimits[]`), in order. Any number of blocks.",
        attributes,
    )
}

fn block_op_block() -> Block {
    let mut attributes = named(vec![(
        "op_concurrency_slot_buffer",
        optional(AttributeType::Number, "Extra op slots beyond the pool limit a run may wait for before it is held back, `0` or more (a negative buffer is a warning). Non-zero only with `enabled = true`. Unset: `0` (Dagster's default), which is rendered because the chart requires the key whenever the block is set."),
    )]);
    attributes.insert(
        "enabled".into(),
        required(AttributeType::Bool, "Keep runs queued while the ops they would run are blocked by op/pool concurrency limits. Without this block Dagster (1.10 or later) blocks them by default."),
    );
    block("`blockOpConcurrencyLimitedRuns` of the queued run coordinator. At most one. Rendered by the chart since 1.8.13. Not with the `concurrency` placement or `pools`: the chart always writes the buffer under the run coordinator, which Dagster then refuses (use `pools.op_granularity_run_buffer`).", attributes)
}

fn pools_block() -> Block {
    block(
        "Pool settings (`concurrency.pools`). At most one; chart 1.12.12 or later (1.12.9 to 1.12.11 crash the daemon). Present, it makes `placement` default to `\"concurrency\"`.",
        named(vec![
            ("default_limit", optional(AttributeType::Number, "Limit for pools without a limit of their own, 0 to 1000 slots (outside: an error). Unset: no default limit is rendered.")),
            ("granularity", optional(AttributeType::String, "`\"op\"` (slots are held per op; Dagster's default) or `\"run\"` (one slot per run).")),
            ("op_granularity_run_buffer", optional(AttributeType::Number, "With op granularity, how many extra runs may start while waiting for pool slots, `0` or more (a negative buffer is a warning). Unset: Dagster's default applies.")),
        ]),
    )
}

/// The schema of `dagster_concurrency` (resource and data source alike).
pub fn concurrency_schema(kind: &str) -> Schema {
    let newest = NEWEST_KNOWN.to_string();
    let mut attributes = named(vec![
        ("values_prefix", optional(AttributeType::String, "Prefix of every rendered name when Dagster is a subchart, e.g. `\"dagster\"` gives `dagster.dagsterDaemon...`. Dot-separated keys. Default: `\"\"`.")),
        ("placement", optional(AttributeType::String, "Where run limits go: `\"run_coordinator\"` (`dagsterDaemon.runCoordinator.config.queuedRunCoordinator`, every chart) or `\"concurrency\"` (`concurrency.runs`, chart 1.12.12 or later). Default: `\"concurrency\"` with a `pools` block, else `\"run_coordinator\"`.")),
        ("max_concurrent_runs", optional(AttributeType::Number, "Runs in progress at once across the deployment: `-1` unlimited, `0` launches nothing, `n > 0` a limit; below `-1` is an error. Unset: under the run coordinator the chart renders `-1` (unlimited); under the `concurrency` section Dagster's own default of 10 applies.")),
        ("dequeue_interval_seconds", optional(AttributeType::Number, "Seconds between dequeue passes of the daemon, `1` or more. Unset or `0` (which the chart drops, a warning): Dagster's default of 5 seconds. Negative: an error.")),
        ("dequeue_use_threads", optional(AttributeType::Bool, "Dequeue with a thread pool. Chart default: `true`.")),
        ("dequeue_num_workers", optional(AttributeType::Number, "Threads used to dequeue when `dequeue_use_threads` is true, at least 1 (below: an error). Chart default: `4`.")),
    ]);
    attributes.insert("chart_version".into(), attribute(AttributeType::String, AttributeConstraint::OptionalComputed, format!("Dagster Helm chart version targeted, e.g. `\"1.12.14\"`. Decides which keys exist and which conflicts apply. Unset: `\"{newest}\"`, the newest this provider knows, which becomes the attribute's value at plan time, so `version = dagster_concurrency.this.chart_version` pins the Helm chart to the version the values were rendered for. A value unknown until apply stays unknown. State written by release 0.1.0 holds `null` where it was unset: a refresh fills in the default, so `terraform plan` shows no changes, while `terraform plan -refresh=false` shows an in-place update setting `chart_version` (nothing rendered changes).")));
    attributes.insert("id".into(), computed(AttributeType::String, "SHA-256 digest of the rendered `set` entries; changes exactly when the rendered values change."));
    attributes.insert("set".into(), computed(
        list_of_objects(&[
            ("name", AttributeType::String),
            ("value", AttributeType::String),
            ("type", AttributeType::String),
        ]),
        "The values as helm_release `set` entries `{name, value, type}`, in a fixed order: `set = ...` in helm provider 3.x, `dynamic \"set\"` in 2.x. Names and values are escaped for Helm's `--set` parser; strings carry `type = \"string\"` so Helm never retypes them, numbers and bools `\"auto\"`. Known at plan time whenever the arguments are.",
    ));
    attributes.insert("values_yaml".into(), computed(AttributeType::String, "The same values as one YAML document (every string quoted), for helm_release `values`."));
    attributes.insert("instance_yaml".into(), computed(AttributeType::String, "The `dagster.yaml` fragment (`run_coordinator`, and `concurrency` when used) that the targeted chart version renders from these values over its defaults."));
    let blocks = HashMap::from([
        (
            "tag_concurrency_limit".to_owned(),
            NestedBlock::List(tag_limit_block()),
        ),
        (
            "block_op_concurrency_limited_runs".to_owned(),
            NestedBlock::Optional(block_op_block()),
        ),
        ("pools".to_owned(), NestedBlock::Optional(pools_block())),
    ]);
    Schema {
        version: 0,
        block: Block {
            version: 0,
            attributes,
            blocks,
            description: Description::markdown(format!(
                "Renders Dagster run-concurrency limits as exact Helm chart values and checks them before Helm or Dagster can refuse them. {kind}"
            )),
            deprecated: false,
        },
    }
}
