//! The schema shared by `resource "dagster_concurrency"` and `data "dagster_concurrency"`:
//! the arguments with their behaviour and markdown descriptions (the registry docs are
//! generated from them), and the computed outputs. Names come from the validator's table.

use tfplugin::schema::{Attribute, Block, NestedBlock};
use tfplugin::value::Type;
use validator::input::attributes::name::{self, block_op, pools, set_entry, tag_limit};
use validator::version::NEWEST_KNOWN;

fn tag_limit_block() -> Block {
    Block::new(
        "A run tag limit (`tagConcurrencyLimits[]`), in order. Any number of blocks.",
        vec![
            Attribute::required(tag_limit::KEY, Type::String, "Run tag key the limit matches, e.g. `dagster/backfill`. Must match Dagster's tag key format: letters, digits, `_`, `.`, `-`, at most one `/` prefix, each part 1 to 63 characters (otherwise a warning)."),
            Attribute::optional(tag_limit::VALUE, Type::String, "Only runs whose tag `key` has exactly this value count toward the limit. Conflicts with `apply_limit_per_unique_value = true`. Sent with `type = \"string\"`, so values such as `\"123\"` or `\"true\"` stay strings. Unset: the limit covers every value of the key."),
            Attribute::optional(tag_limit::APPLY_LIMIT_PER_UNIQUE_VALUE, Type::Bool, "`true`: a separate limit for each distinct value of the tag (e.g. one per backfill with `dagster/backfill`); `true` conflicts with `value`. Without `value` and this, one limit is shared by all values. Default: `false`."),
            Attribute::required(tag_limit::LIMIT, Type::Number, "Runs with a matching tag that may be in progress at once, `0` or more: `0` blocks them (a warning), a negative limit is an error. Should be below `max_concurrent_runs`."),
        ],
    )
}

fn block_op_block() -> Block {
    Block::new(
        "`blockOpConcurrencyLimitedRuns` of the queued run coordinator. At most one. Rendered by the chart since 1.8.13. Not with the `concurrency` placement or `pools`: the chart always writes the buffer under the run coordinator, which Dagster then refuses (use `pools.op_granularity_run_buffer`).",
        vec![
            Attribute::required(block_op::ENABLED, Type::Bool, "Keep runs queued while the ops they would run are blocked by op/pool concurrency limits. Without this block Dagster (1.10 or later) blocks them by default."),
            Attribute::optional(block_op::OP_CONCURRENCY_SLOT_BUFFER, Type::Number, "Extra op slots beyond the pool limit a run may wait for before it is held back, `0` or more (a negative buffer is a warning). Non-zero only with `enabled = true`. Unset: `0` (Dagster's default), which is rendered because the chart requires the key whenever the block is set."),
        ],
    )
}

fn pools_block() -> Block {
    Block::new(
        "Pool settings (`concurrency.pools`). At most one; chart 1.12.12 or later (1.12.9 to 1.12.11 crash the daemon). Present, it makes `placement` default to `\"concurrency\"`.",
        vec![
            Attribute::optional(pools::DEFAULT_LIMIT, Type::Number, "Limit for pools without a limit of their own, 0 to 1000 slots (outside: an error). Unset: no default limit is rendered."),
            Attribute::optional(pools::GRANULARITY, Type::String, "`\"op\"` (slots are held per op; Dagster's default) or `\"run\"` (one slot per run)."),
            Attribute::optional(pools::OP_GRANULARITY_RUN_BUFFER, Type::Number, "With op granularity, how many extra runs may start while waiting for pool slots, `0` or more (a negative buffer is a warning). Unset: Dagster's default applies."),
        ],
    )
}

/// The type of one computed `set` entry.
pub fn set_entry_type() -> Type {
    Type::object([
        (set_entry::NAME, Type::String),
        (set_entry::VALUE, Type::String),
        (set_entry::KIND, Type::String),
    ])
}

/// The block of `dagster_concurrency` (resource and data source alike); `kind` ends the
/// description with what sets the two apart.
pub fn concurrency_block(kind: &str) -> Block {
    let newest = NEWEST_KNOWN.to_string();
    Block::new(
        format!("Renders Dagster run-concurrency limits as exact Helm chart values and checks them before Helm or Dagster can refuse them. {kind}"),
        vec![
            Attribute::optional(name::CHART_VERSION, Type::String, format!("Dagster Helm chart version targeted, e.g. `\"1.12.14\"`. Decides which keys exist and which conflicts apply. Unset: `\"{newest}\"`, the newest this provider knows, which becomes the attribute's value at plan time, so `version = dagster_concurrency.this.chart_version` pins the Helm chart to the version the values were rendered for. A value unknown until apply stays unknown. State written by release 0.1.0 holds `null` where it was unset: upgrading that state fills in the default, so `terraform plan` shows no changes, with or without `-refresh=false`.")).default(newest.as_str()),
            Attribute::optional(name::VALUES_PREFIX, Type::String, "Prefix of every rendered name when Dagster is a subchart, e.g. `\"dagster\"` gives `dagster.dagsterDaemon...`. Dot-separated keys. Default: `\"\"`."),
            Attribute::optional(name::PLACEMENT, Type::String, "Where run limits go: `\"run_coordinator\"` (`dagsterDaemon.runCoordinator.config.queuedRunCoordinator`, every chart) or `\"concurrency\"` (`concurrency.runs`, chart 1.12.12 or later). Default: `\"concurrency\"` with a `pools` block, else `\"run_coordinator\"`."),
            Attribute::optional(name::MAX_CONCURRENT_RUNS, Type::Number, "Runs in progress at once across the deployment: `-1` unlimited, `0` launches nothing, `n > 0` a limit; below `-1` is an error. Unset: under the run coordinator the chart renders `-1` (unlimited); under the `concurrency` section Dagster's own default of 10 applies."),
            Attribute::optional(name::DEQUEUE_INTERVAL_SECONDS, Type::Number, "Seconds between dequeue passes of the daemon, `1` or more. Unset or `0` (which the chart drops, a warning): Dagster's default of 5 seconds. Negative: an error."),
            Attribute::optional(name::DEQUEUE_USE_THREADS, Type::Bool, "Dequeue with a thread pool. Chart default: `true`."),
            Attribute::optional(name::DEQUEUE_NUM_WORKERS, Type::Number, "Threads used to dequeue when `dequeue_use_threads` is true, at least 1 (below: an error). Chart default: `4`."),
            Attribute::computed(name::ID, Type::String, "SHA-256 digest of the rendered `set` entries; changes exactly when the rendered values change."),
            Attribute::computed(name::SET, Type::list(set_entry_type()), "The values as helm_release `set` entries `{name, value, type}`, in a fixed order: `set = ...` in helm provider 3.x, `dynamic \"set\"` in 2.x. Names and values are escaped for Helm's `--set` parser; strings carry `type = \"string\"` so Helm never retypes them, numbers and bools `\"auto\"`. Known at plan time whenever the arguments are; when only the `key` or `limit` of tag limits is unknown, every entry is known but for those values."),
            Attribute::computed(name::VALUES_YAML, Type::String, "The same values as one YAML document, for helm_release `values`. Keys and strings are plain where YAML reads them back as the same string, double-quoted otherwise (`\"123\"`, `\"true\"` stay strings)."),
            Attribute::computed(name::INSTANCE_YAML, Type::String, "The `dagster.yaml` fragment (`run_coordinator`, and `concurrency` when used) that the targeted chart version renders from these values over its defaults."),
        ],
    )
    .with_blocks(vec![
        NestedBlock::list(name::TAG_CONCURRENCY_LIMIT, tag_limit_block()),
        NestedBlock::at_most_one(name::BLOCK_OP_CONCURRENCY_LIMITED_RUNS, block_op_block()),
        NestedBlock::at_most_one(name::POOLS, pools_block()),
    ])
}
