//! Queue rules: dequeue settings and op-concurrency blocking of the run coordinator.

use super::{rule, Context, Finding};
use crate::model::Setting;
use crate::path::AttrPath;
use crate::version::BLOCK_OP_RENDERED;

rule!(
    /// `op_concurrency_slot_buffer` with blocking disabled.
    SLOT_BUFFER_WITHOUT_BLOCKING, "DC401", "slot-buffer-without-blocking", Error,
    r#"## What it does
Checks that `op_concurrency_slot_buffer` is only set with `enabled = true`.

## Why is this bad?
Dagster only accepts the slot buffer when blocking of op-concurrency-limited runs is enabled.

## How to fix
Set `enabled = true`, or remove `op_concurrency_slot_buffer`.

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

/// Checks dequeue settings and op blocking.
pub(super) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let config = ctx.config;
    let interval = ctx.words.name(&AttrPath::attr("dequeue_interval_seconds"));
    match config.dequeue_interval_seconds {
        Setting::Known(seconds) if seconds < 0 => out.push(NEGATIVE_DEQUEUE_INTERVAL.at(
            AttrPath::attr("dequeue_interval_seconds"),
            format!("{interval} = {seconds} is negative"),
            "use a positive number of seconds (Dagster's default is 5)".into(),
        )),
        Setting::Known(0) => out.push(DEQUEUE_INTERVAL_ZERO.at(
            AttrPath::attr("dequeue_interval_seconds"),
            format!("{interval} = 0 is dropped by the chart; Dagster's default of 5 applies"),
            "use a positive interval, or remove the argument".into(),
        )),
        _ => {}
    }
    if let Setting::Known(workers) = config.dequeue_num_workers {
        if workers < 1 {
            out.push(DEQUEUE_WORKERS_BELOW_ONE.at(
                AttrPath::attr("dequeue_num_workers"),
                format!(
                    "{} = {workers} is below 1",
                    ctx.words.name(&AttrPath::attr("dequeue_num_workers"))
                ),
                "use 1 or more workers (the chart default is 4)".into(),
            ));
        }
    }
    let Setting::Known(block) = &config.block_op else {
        return;
    };
    let path = || AttrPath::block("block_op_concurrency_limited_runs");
    if block.enabled == Setting::Known(false) && block.op_concurrency_slot_buffer.is_set() {
        out.push(SLOT_BUFFER_WITHOUT_BLOCKING.at(
            path().then("op_concurrency_slot_buffer"),
            "op_concurrency_slot_buffer is set while enabled = false, which Dagster refuses".into(),
            "set enabled = true, or remove op_concurrency_slot_buffer".into(),
        ));
    }
    if let Some(chart) = ctx.chart.filter(|chart| *chart < BLOCK_OP_RENDERED) {
        out.push(BLOCK_OP_NOT_RENDERED.at(
            AttrPath::attr("chart_version"),
            format!("chart {chart} does not write block_op_concurrency_limited_runs (rendered since {BLOCK_OP_RENDERED})"),
            format!("upgrade the chart to {BLOCK_OP_RENDERED} or later, or remove the block"),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fired, seed};
    use crate::model::{BlockOpSettings, ConcurrencyConfig, Setting};

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
