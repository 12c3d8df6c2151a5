//! Queue rules: dequeue settings, op-concurrency blocking and its slot buffers, and the numbers
//! the chart cannot print from a values file.

use super::{rule, Context, Finding, Rule, Violation};
use crate::model::{Placement, Setting};
use crate::path::AttrPath;
use crate::version::{ChartVersion, BLOCK_OP_RENDERED};

/// The smallest magnitude the chart's templates print in exponent form when the number comes
/// from a values file: Helm reads it as a float64 and Go prints 1000000.0 as `1e+06`.
pub const EXPONENT_FORM_FROM: i64 = 1_000_000;

rule!(
    /// `op_concurrency_slot_buffer` with blocking disabled.
    SLOT_BUFFER_WITHOUT_BLOCKING, "DC401", "slot-buffer-without-blocking", Error,
    r#"## What it does
Checks that `op_concurrency_slot_buffer` is 0 (or left out) when `enabled = false`.

## Why is this bad?
Dagster only accepts a non-zero slot buffer when blocking of op-concurrency-limited runs is
enabled ("op_concurrency_slot_buffer can only be set if block_op_concurrency_limited_runs is
enabled"). The chart's schema requires the buffer whenever the block is set and its template
always writes it, so `enabled = false` renders with a buffer of 0, which Dagster loads
(checked with the released charts 1.10.4 and 1.12.17 and dagster 1.13.28).

## How to fix
Set `enabled = true`, or set the buffer to 0 (or remove it).

## Example
```hcl
block_op_concurrency_limited_runs {
  enabled                    = false
  op_concurrency_slot_buffer = 1
}
```
Use instead:
```hcl
block_op_concurrency_limited_runs {
  enabled                    = true
  op_concurrency_slot_buffer = 1
}
```
"#
);

rule!(
    /// A negative `dequeue_interval_seconds`.
    NEGATIVE_DEQUEUE_INTERVAL, "DC402", "negative-dequeue-interval", Error,
    r#"## What it does
Checks that `dequeue_interval_seconds` is not negative.

## Why is this bad?
The chart writes any non-zero interval through, and Dagster accepts a negative interval when it
loads the instance (checked with dagster 1.13.28), though the daemon cannot sleep a negative time.

## How to fix
Use a positive number of seconds (Dagster's default is 5).

## Example
```hcl
dequeue_interval_seconds = -5
```
Use instead:
```hcl
dequeue_interval_seconds = 5
```
"#
);

rule!(
    /// `dequeue_num_workers` below 1.
    DEQUEUE_WORKERS_BELOW_ONE, "DC403", "dequeue-workers-below-one", Error,
    r#"## What it does
Checks that `dequeue_num_workers` is at least 1.

## Why is this bad?
A thread pool needs at least one worker; the chart silently drops 0 and writes negatives through.
Dagster accepts a negative count when it loads the instance (checked with dagster 1.13.28), then
the daemon's first dequeue raises ("max_workers must be greater than 0") and no run launches.

## How to fix
Use 1 or more workers (the chart default is 4).

## Example
```hcl
dequeue_num_workers = 0
```
Use instead:
```hcl
dequeue_num_workers = 4
```
"#
);

rule!(
    /// `dequeue_interval_seconds = 0`, which the chart drops.
    DEQUEUE_INTERVAL_ZERO, "DC404", "dequeue-interval-zero", Warning,
    r#"## What it does
Warns when `dequeue_interval_seconds` is 0.

## Why is this bad?
The chart only writes a truthy interval: 0 is silently dropped and Dagster's default of 5 seconds applies.

## How to fix
Use a positive interval, or remove the argument to use the default.

## Example
```hcl
dequeue_interval_seconds = 0
```
Use instead:
```hcl
dequeue_interval_seconds = 1
```
"#
);

rule!(
    /// `block_op_concurrency_limited_runs` on a chart that does not render it.
    BLOCK_OP_NOT_RENDERED, "DC405", "block-op-not-rendered", Warning,
    r#"## What it does
Warns when `block_op_concurrency_limited_runs` targets a chart older than 1.8.13.

## Why is this bad?
Older charts accept the values but their template does not write them to `dagster.yaml`, so the
setting has no effect.

## How to fix
Upgrade the chart to 1.8.13 or later, or remove the block.

## Example
```hcl
chart_version = "1.8.0"
block_op_concurrency_limited_runs {
  enabled = true
}
```
Use instead:
```hcl
chart_version = "1.8.13"
block_op_concurrency_limited_runs {
  enabled = true
}
```
"#
);

rule!(
    /// A negative `op_concurrency_slot_buffer` or `op_granularity_run_buffer`.
    NEGATIVE_SLOT_BUFFER, "DC406", "negative-slot-buffer", Warning,
    r#"## What it does
Warns when `block_op_concurrency_limited_runs.op_concurrency_slot_buffer` or
`pools.op_granularity_run_buffer` is negative.

## Why is this bad?
Both buffers count extra runs allowed to wait for pool slots, so they are meant to be 0 or more.
Neither the chart's schema nor Dagster refuses a negative buffer (checked with the released charts
1.10.4 and 1.12.17 and dagster 1.13.28): the run queue then holds a run back until more than that
many slots of its pool are free, so a pool whose limit is no larger never gets a run launched.

## How to fix
Use 0 (Dagster's default) or a positive buffer.

## Example
```hcl
pools {
  op_granularity_run_buffer = -1
}
```
Use instead:
```hcl
pools {
  op_granularity_run_buffer = 1
}
```
"#
);

rule!(
    /// A number the chart prints in exponent form from `values_yaml`.
    NUMBER_IN_EXPONENT_FORM, "DC407", "number-in-exponent-form", Error,
    r#"## What it does
Checks that the numbers the chart prints into `dagster.yaml` with its templates are below
1,000,000 in magnitude: `max_concurrent_runs`, `dequeue_interval_seconds`, `dequeue_num_workers`,
`op_concurrency_slot_buffer`, `pools.op_granularity_run_buffer`, and tag limits placed under the
`concurrency` section.

## Why is this bad?
Helm reads every number in a values file (and so in `values_yaml`) as a float64, and the chart's
templates print a float64 of 1,000,000 or more in exponent form (`1e+06`, `1.5e+06`), which
Dagster refuses ("Value "1e+06" ... is not valid for expected type "Int""). Checked by rendering
the released charts 1.10.4 and 1.12.17. A `set` entry carries the number as an integer and
survives, but the resource renders both, and a run queue of a million is no limit in practice.
Tag limits under the run coordinator go through the chart's `toYaml`, which prints them whole,
so they are not checked here.

## How to fix
Use a smaller number, or -1 for no run limit.

## Example
```hcl
max_concurrent_runs = 1000000
```
Use instead:
```hcl
max_concurrent_runs = -1
```
"#
);

/// The numbers the chart prints with its templates (not through `toYaml`), with their paths.
fn template_printed_numbers(ctx: &Context) -> Vec<(AttrPath, i64)> {
    let config = ctx.config;
    let mut numbers = Vec::new();
    let mut push = |path: AttrPath, setting: &Setting<i64>| {
        if let Setting::Known(number) = setting {
            numbers.push((path, *number));
        }
    };
    push(
        AttrPath::attr("max_concurrent_runs"),
        &config.max_concurrent_runs,
    );
    push(
        AttrPath::attr("dequeue_interval_seconds"),
        &config.dequeue_interval_seconds,
    );
    push(
        AttrPath::attr("dequeue_num_workers"),
        &config.dequeue_num_workers,
    );
    if let Setting::Known(block) = &config.block_op {
        push(
            AttrPath::block("block_op_concurrency_limited_runs").then("op_concurrency_slot_buffer"),
            &block.op_concurrency_slot_buffer,
        );
    }
    if let Setting::Known(pools) = &config.pools {
        push(
            AttrPath::block("pools").then("op_granularity_run_buffer"),
            &pools.op_granularity_run_buffer,
        );
    }
    if ctx.placement == Some(Placement::Concurrency) {
        for (index, tag) in config.known_tag_limits() {
            push(
                AttrPath::item("tag_concurrency_limit", index).then("limit"),
                &tag.limit,
            );
        }
    }
    numbers
}

/// What is wrong with the dequeue settings, op blocking or a number the chart prints; `name`
/// is what the file calls the setting.
enum QueueViolation {
    /// DC406.
    NegativeSlotBuffer { name: String, buffer: i64 },
    /// DC407; `through` says how the number reaches the chart as YAML.
    ExponentForm {
        name: String,
        number: i64,
        through: &'static str,
    },
    /// DC402.
    NegativeDequeueInterval { name: String, seconds: i64 },
    /// DC404.
    DequeueIntervalZero { name: String },
    /// DC403.
    WorkersBelowOne { name: String, workers: i64 },
    /// DC401; `name` and `enabled` are what the file calls the buffer and the block's switch.
    SlotBufferWithoutBlocking {
        name: String,
        enabled: String,
        buffer: i64,
    },
    /// DC405; `name` is what the file calls the block.
    BlockOpNotRendered { name: String, chart: ChartVersion },
}

impl Violation for QueueViolation {
    fn rule(&self) -> &'static Rule {
        match self {
            QueueViolation::NegativeSlotBuffer { .. } => &NEGATIVE_SLOT_BUFFER,
            QueueViolation::ExponentForm { .. } => &NUMBER_IN_EXPONENT_FORM,
            QueueViolation::NegativeDequeueInterval { .. } => &NEGATIVE_DEQUEUE_INTERVAL,
            QueueViolation::DequeueIntervalZero { .. } => &DEQUEUE_INTERVAL_ZERO,
            QueueViolation::WorkersBelowOne { .. } => &DEQUEUE_WORKERS_BELOW_ONE,
            QueueViolation::SlotBufferWithoutBlocking { .. } => &SLOT_BUFFER_WITHOUT_BLOCKING,
            QueueViolation::BlockOpNotRendered { .. } => &BLOCK_OP_NOT_RENDERED,
        }
    }

    fn summary(&self) -> String {
        match self {
            QueueViolation::NegativeSlotBuffer { name, buffer } => format!("{name} = {buffer} is negative: a run waits until more than {} slots of its pool are free", buffer.unsigned_abs()),
            QueueViolation::ExponentForm { name, number, through } => format!("{name} = {number} reaches the chart as a float64 {through} and is written as {}, which Dagster refuses", exponent_form(*number)),
            QueueViolation::NegativeDequeueInterval { name, seconds } => format!("{name} = {seconds} is negative"),
            QueueViolation::DequeueIntervalZero { name } => format!("{name} = 0 is dropped by the chart; Dagster's default of 5 applies"),
            QueueViolation::WorkersBelowOne { name, workers } => format!("{name} = {workers} is below 1"),
            QueueViolation::SlotBufferWithoutBlocking { name, enabled, buffer } => format!("{name} = {buffer} while {enabled} = false, which Dagster refuses"),
            QueueViolation::BlockOpNotRendered { name, chart } => format!("chart {chart} does not write {name} (rendered since {BLOCK_OP_RENDERED})"),
        }
    }

    fn fix(&self) -> String {
        match self {
            QueueViolation::NegativeSlotBuffer { .. } => {
                "use 0 (Dagster's default) or a positive buffer".into()
            }
            QueueViolation::ExponentForm { .. } => {
                format!("use a number below {EXPONENT_FORM_FROM}, or -1 for no run limit")
            }
            QueueViolation::NegativeDequeueInterval { .. } => {
                "use a positive number of seconds (Dagster's default is 5)".into()
            }
            QueueViolation::DequeueIntervalZero { .. } => {
                "use a positive interval, or remove the argument".into()
            }
            QueueViolation::WorkersBelowOne { .. } => {
                "use 1 or more workers (the chart default is 4)".into()
            }
            QueueViolation::SlotBufferWithoutBlocking { name, enabled, .. } => {
                format!("set {enabled} = true, or set {name} to 0")
            }
            QueueViolation::BlockOpNotRendered { .. } => {
                format!("upgrade the chart to {BLOCK_OP_RENDERED} or later, or remove the block")
            }
        }
    }
}

/// Checks the slot buffers' sign and the numbers the chart prints.
fn check_numbers(ctx: &Context, out: &mut Vec<Finding>) {
    let slot_buffer = ctx.config.block_op.known().map(|block| {
        (
            AttrPath::block("block_op_concurrency_limited_runs").then("op_concurrency_slot_buffer"),
            &block.op_concurrency_slot_buffer,
        )
    });
    let run_buffer = ctx.config.pools.known().map(|pools| {
        (
            AttrPath::block("pools").then("op_granularity_run_buffer"),
            &pools.op_granularity_run_buffer,
        )
    });
    for (path, setting) in slot_buffer.into_iter().chain(run_buffer) {
        if let Setting::Known(buffer) = setting {
            if *buffer < 0 {
                let name = ctx.words.name(&path);
                let violation = QueueViolation::NegativeSlotBuffer {
                    name,
                    buffer: *buffer,
                };
                out.push(Finding::new(path, &violation));
            }
        }
    }
    for (path, number) in template_printed_numbers(ctx) {
        if number.unsigned_abs() >= EXPONENT_FORM_FROM.unsigned_abs() {
            let name = ctx.words.name(&path);
            let through = ctx.words.through_yaml();
            out.push(Finding::new(
                path,
                &QueueViolation::ExponentForm {
                    name,
                    number,
                    through,
                },
            ));
        }
    }
}

/// How Go prints `number` as a float64 (`%v`): the shortest exact digits, exponent form from 1e21
/// down to 1e6 as here (`1e+06`, `1.5e+06`). Only called for magnitudes of 1e6 or more.
fn exponent_form(number: i64) -> String {
    let text = format!("{:e}", number as f64);
    match text.split_once('e') {
        Some((mantissa, exponent)) => {
            let exponent: i32 = exponent.parse().unwrap_or_default();
            let sign = if exponent < 0 { '-' } else { '+' };
            format!("{mantissa}e{sign}{:02}", exponent.abs())
        }
        None => text,
    }
}

/// Checks dequeue settings and op blocking.
pub(super) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let config = ctx.config;
    check_numbers(ctx, out);
    let interval = AttrPath::attr("dequeue_interval_seconds");
    let name = ctx.words.name(&interval);
    let violation = match config.dequeue_interval_seconds {
        Setting::Known(seconds) if seconds < 0 => {
            Some(QueueViolation::NegativeDequeueInterval { name, seconds })
        }
        Setting::Known(0) => Some(QueueViolation::DequeueIntervalZero { name }),
        _ => None,
    };
    if let Some(violation) = violation {
        out.push(Finding::new(interval, &violation));
    }
    if let Setting::Known(workers) = config.dequeue_num_workers {
        if workers < 1 {
            let path = AttrPath::attr("dequeue_num_workers");
            let name = ctx.words.name(&path);
            out.push(Finding::new(
                path,
                &QueueViolation::WorkersBelowOne { name, workers },
            ));
        }
    }
    let Setting::Known(block) = &config.block_op else {
        return;
    };
    if let Setting::Known(buffer) = block.op_concurrency_slot_buffer {
        if buffer != 0 && block.enabled == Setting::Known(false) {
            let block_path = AttrPath::block("block_op_concurrency_limited_runs");
            let path = block_path.clone().then("op_concurrency_slot_buffer");
            let violation = QueueViolation::SlotBufferWithoutBlocking {
                name: ctx.words.name(&path),
                enabled: ctx.words.name(&block_path.then("enabled")),
                buffer,
            };
            out.push(Finding::new(path, &violation));
        }
    }
    if let Some(chart) = ctx.chart.filter(|chart| *chart < BLOCK_OP_RENDERED) {
        let name = ctx
            .words
            .name(&AttrPath::block("block_op_concurrency_limited_runs"));
        out.push(Finding::new(
            AttrPath::attr("chart_version"),
            &QueueViolation::BlockOpNotRendered { name, chart },
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fired, seed};
    use crate::model::{BlockOpSettings, ConcurrencyConfig, PoolSettings, Setting};

    fn with_block(enabled: bool, buffer: Option<i64>, chart: &str) -> ConcurrencyConfig {
        let mut config = seed();
        config.chart_version = Setting::Known(chart.into());
        config.block_op = Setting::Known(BlockOpSettings {
            enabled: Setting::Known(enabled),
            op_concurrency_slot_buffer: buffer.into(),
        });
        config
    }

    #[test]
    fn slot_buffer_without_blocking() {
        assert_eq!(
            fired(&with_block(false, Some(1), "1.12.14"), "DC401"),
            ["block_op_concurrency_limited_runs.op_concurrency_slot_buffer"]
        );
        assert!(fired(&with_block(true, Some(1), "1.12.14"), "DC401").is_empty());
        assert!(fired(&with_block(false, None, "1.12.14"), "DC401").is_empty());
        // The only form of `enabled = false` the chart's schema accepts, and Dagster loads it.
        assert!(fired(&with_block(false, Some(0), "1.12.14"), "DC401").is_empty());
    }

    #[test]
    fn negative_slot_buffer() {
        assert_eq!(
            fired(&with_block(true, Some(-1), "1.12.14"), "DC406"),
            ["block_op_concurrency_limited_runs.op_concurrency_slot_buffer"]
        );
        assert!(fired(&with_block(true, Some(0), "1.12.14"), "DC406").is_empty());
        let mut pools = seed();
        pools.pools = Setting::Known(PoolSettings {
            op_granularity_run_buffer: Setting::Known(-2),
            ..Default::default()
        });
        assert_eq!(fired(&pools, "DC406"), ["pools.op_granularity_run_buffer"]);
        let finding = crate::rules::check(&pools)
            .into_iter()
            .find(|f| f.rule.code == "DC406")
            .expect("DC406 fires");
        assert!(finding.summary.contains("= -2"), "{}", finding.summary);
        pools.pools = Setting::Known(PoolSettings {
            op_granularity_run_buffer: Setting::Known(0),
            ..Default::default()
        });
        assert!(fired(&pools, "DC406").is_empty());
    }

    #[test]
    fn number_in_exponent_form() {
        let mut config = seed();
        config.max_concurrent_runs = Setting::Known(1_000_000);
        assert_eq!(fired(&config, "DC407"), ["max_concurrent_runs"]);
        let summary = crate::rules::check(&config)
            .into_iter()
            .find(|f| f.rule.code == "DC407")
            .map(|f| f.summary)
            .unwrap_or_default();
        assert!(summary.contains("1e+06"), "{summary}");
        config.max_concurrent_runs = Setting::Known(999_999);
        assert!(fired(&config, "DC407").is_empty());
        config.dequeue_num_workers = Setting::Known(1_500_000);
        assert_eq!(fired(&config, "DC407"), ["dequeue_num_workers"]);
        // Tag limits: printed by the template under `concurrency`, by toYaml under the coordinator.
        let mut tags = seed();
        tags.max_concurrent_runs = Setting::Known(-1);
        tags.tag_limits = Setting::Known(vec![super::super::testing::tag("team", 2_000_000)]);
        assert!(fired(&tags, "DC407").is_empty());
        tags.placement = Setting::Known("concurrency".into());
        assert_eq!(fired(&tags, "DC407"), ["tag_concurrency_limit[0].limit"]);
    }

    #[test]
    fn exponent_form_follows_go() {
        assert_eq!(super::exponent_form(1_000_000), "1e+06");
        assert_eq!(super::exponent_form(1_500_000), "1.5e+06");
        assert_eq!(super::exponent_form(-2_000_000), "-2e+06");
        assert_eq!(super::exponent_form(1 << 53), "9.007199254740992e+15");
    }

    #[test]
    fn negative_dequeue_interval() {
        let mut config = seed();
        config.dequeue_interval_seconds = Setting::Known(-1);
        assert_eq!(fired(&config, "DC402"), ["dequeue_interval_seconds"]);
        config.dequeue_interval_seconds = Setting::Known(1);
        assert!(fired(&config, "DC402").is_empty());
    }

    #[test]
    fn dequeue_workers_below_one() {
        let mut config = seed();
        config.dequeue_num_workers = Setting::Known(0);
        assert_eq!(fired(&config, "DC403"), ["dequeue_num_workers"]);
        config.dequeue_num_workers = Setting::Known(1);
        assert!(fired(&config, "DC403").is_empty());
    }

    #[test]
    fn dequeue_interval_zero() {
        let mut config = seed();
        config.dequeue_interval_seconds = Setting::Known(0);
        assert_eq!(fired(&config, "DC404"), ["dequeue_interval_seconds"]);
        config.dequeue_interval_seconds = Setting::Known(5);
        assert!(fired(&config, "DC404").is_empty());
    }

    #[test]
    fn block_op_not_rendered() {
        assert_eq!(
            fired(&with_block(true, None, "1.8.12"), "DC405"),
            ["chart_version"]
        );
        assert!(fired(&with_block(true, None, "1.8.13"), "DC405").is_empty());
    }
}
