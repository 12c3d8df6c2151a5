//! Placement rules: the `concurrency` section, the chart versions that support it, and what
//! Dagster refuses when it is combined with run-coordinator settings.

use super::{rule, Context, Finding, Rule, Violation};
use crate::chart::keys::Section;
use crate::model::{Placement, Setting};
use crate::path::AttrPath;
use crate::version::{ChartVersion, CONCURRENCY_SECTION, CONCURRENCY_SECTION_FIXED};

rule!(
    /// `pools` or `placement = "concurrency"` on a chart without the `concurrency` section.
    CONCURRENCY_SECTION_UNAVAILABLE, "DC301", "concurrency-section-unavailable", Error,
    r#"## What it does
Checks that `pools` and `placement = "concurrency"` target chart 1.12.9 or later.

## Why is this bad?
Older charts have no top-level `concurrency` values: Helm installs the values, the chart ignores
them, and no limit is applied (checked with the released chart 1.10.4, whose schema accepts the
section and whose `dagster.yaml` then holds none of it).

## How to fix
Upgrade the chart to 1.12.12 or later, or use `placement = "run_coordinator"` without `pools`.

## Example
```hcl
chart_version = "1.11.0"
placement     = "concurrency"
```
Use instead:
```hcl
chart_version = "1.11.0"
placement     = "run_coordinator"
```
"#
);

rule!(
    /// The `concurrency` section on chart 1.12.9 to 1.12.11.
    CONCURRENCY_SECTION_CRASHES_DAEMON, "DC302", "concurrency-section-crashes-daemon", Error,
    r#"## What it does
Checks that the `concurrency` section is not used with chart 1.12.9, 1.12.10 or 1.12.11.

## Why is this bad?
Those charts also write `max_concurrent_runs: -1` into the run coordinator when `concurrency` is
enabled, and Dagster refuses run limits in both places: the daemon does not start (dagster issue 33225).

## How to fix
Upgrade the chart to 1.12.12 or later, or use `placement = "run_coordinator"` without `pools`.

## Example
```hcl
chart_version = "1.12.10"
pools {
  default_limit = 2
}
```
Use instead:
```hcl
chart_version = "1.12.12"
pools {
  default_limit = 2
}
```
"#
);

rule!(
    /// `pools` with `placement = "run_coordinator"`.
    POOLS_WITH_COORDINATOR_PLACEMENT, "DC303", "pools-with-coordinator-placement", Error,
    r#"## What it does
Checks that `pools` is not combined with run limits placed under the run coordinator.

## Why is this bad?
When the instance's `concurrency` section holds `pools`, Dagster refuses `max_concurrent_runs`
and `tag_concurrency_limits` under `run_coordinator` ("... incompatible with the
`concurrency > runs` config") and the daemon does not start, though Helm installs the release.
The resource itself never writes that pair: with `placement = "run_coordinator"` it leaves
`concurrency.enabled` off, so the chart drops the pools altogether and they limit nothing
(checked with the released chart 1.12.17).

## How to fix
Drop `placement` (it defaults to `concurrency` with `pools`) or set `placement = "concurrency"`.

## Example
```hcl
placement = "run_coordinator"
pools {
  default_limit = 2
}
```
Use instead:
```hcl
placement = "concurrency"
pools {
  default_limit = 2
}
```
"#
);

rule!(
    /// `placement` is neither `run_coordinator` nor `concurrency`.
    INVALID_PLACEMENT, "DC304", "invalid-placement", Error,
    r#"## What it does
Checks that `placement` is `run_coordinator` or `concurrency`.

## Why is this bad?
Any other value leaves no place for the run limits.

## How to fix
Use `run_coordinator` (every chart) or `concurrency` (chart 1.12.12 and later).

## Example
```hcl
placement = "queued"
```
Use instead:
```hcl
placement = "run_coordinator"
```
"#
);

rule!(
    /// `op_concurrency_slot_buffer` while the `concurrency` section holds the run limits.
    SLOT_BUFFER_WITH_CONCURRENCY_SECTION, "DC305", "slot-buffer-with-concurrency-section", Error,
    r#"## What it does
Checks that no `block_op_concurrency_limited_runs` block is written when run limits or pools live
in the `concurrency` section.

## Why is this bad?
Dagster refuses `op_concurrency_slot_buffer` under `run_coordinator`, whatever its value (0
included), when the `concurrency` section holds `runs` or `pools`, and the daemon does not start.
The chart cannot write the block without the buffer: its schema requires `opConcurrencySlotBuffer`
whenever the block is set and its template always writes it (checked with the released chart
1.12.17 and dagster 1.13.28). Blocking is on by default since Dagster 1.10, so the block is not
needed to keep runs that wait for pool slots queued.

## How to fix
Remove the block; move a buffer to `pools { op_granularity_run_buffer = N }`.

## Example
```hcl
placement = "concurrency"
block_op_concurrency_limited_runs {
  enabled                    = true
  op_concurrency_slot_buffer = 0
}
```
Use instead:
```hcl
placement = "concurrency"
pools {
  op_granularity_run_buffer = 1
}
```
"#
);

/// How a raw values file names the chart sections the placement findings mention.
struct RawNames {
    coordinator: String,
    runs: String,
    pools: String,
    block: String,
    buffer: String,
    run_buffer: String,
}

impl RawNames {
    fn new(ctx: &Context) -> Self {
        let block = AttrPath::block("block_op_concurrency_limited_runs");
        RawNames {
            coordinator: ctx.words.section(Section::Queued),
            runs: ctx.words.section(Section::Runs),
            pools: ctx.words.name(&AttrPath::block("pools")),
            buffer: ctx
                .words
                .name(&block.clone().then("op_concurrency_slot_buffer")),
            block: ctx.words.name(&block),
            run_buffer: ctx
                .words
                .name(&AttrPath::block("pools").then("op_granularity_run_buffer")),
        }
    }
}

/// What is wrong with where the limits are placed; `raw` names sections for a values file
/// (`None`: a `dagster_concurrency` resource, which names its arguments).
enum PlacementViolation<'a> {
    /// DC304.
    Invalid { text: &'a str },
    /// DC301.
    SectionUnavailable {
        chart: ChartVersion,
        raw: Option<&'a RawNames>,
    },
    /// DC302.
    SectionCrashesDaemon {
        chart: ChartVersion,
        raw: Option<&'a RawNames>,
    },
    /// DC303.
    PoolsWithCoordinator { raw: Option<&'a RawNames> },
    /// DC305.
    SlotBufferWithSection { raw: Option<&'a RawNames> },
}

/// The other way out of a too-old chart: no pools, run limits under the run coordinator.
fn without_pools(raw: Option<&RawNames>) -> String {
    match raw {
        Some(names) => format!(
            "keep the run limits under {} without {}",
            names.coordinator, names.pools
        ),
        None => "use placement = \"run_coordinator\" without pools".into(),
    }
}

impl Violation for PlacementViolation<'_> {
    fn rule(&self) -> &'static Rule {
        match self {
            PlacementViolation::Invalid { .. } => &INVALID_PLACEMENT,
            PlacementViolation::SectionUnavailable { .. } => &CONCURRENCY_SECTION_UNAVAILABLE,
            PlacementViolation::SectionCrashesDaemon { .. } => &CONCURRENCY_SECTION_CRASHES_DAEMON,
            PlacementViolation::PoolsWithCoordinator { .. } => &POOLS_WITH_COORDINATOR_PLACEMENT,
            PlacementViolation::SlotBufferWithSection { .. } => {
                &SLOT_BUFFER_WITH_CONCURRENCY_SECTION
            }
        }
    }

    fn summary(&self) -> String {
        match self {
            PlacementViolation::Invalid { text } => format!("placement {text:?} is not \"run_coordinator\" or \"concurrency\""),
            PlacementViolation::SectionUnavailable { chart, .. } => format!("chart {chart} has no concurrency section (added in {CONCURRENCY_SECTION}), so these limits are ignored"),
            PlacementViolation::SectionCrashesDaemon { chart, .. } => format!("chart {chart} writes run limits into both places when the concurrency section is on, and the daemon does not start"),
            PlacementViolation::PoolsWithCoordinator { raw: Some(names) } => format!("run limits under {} with {} set: Dagster refuses run limits under the run coordinator once pools are set", names.coordinator, names.pools),
            PlacementViolation::PoolsWithCoordinator { raw: None } => "pools with placement = \"run_coordinator\": Dagster refuses run limits under run_coordinator once pools are set".into(),
            PlacementViolation::SlotBufferWithSection { raw: Some(names) } => format!("{} with the concurrency section: the chart always writes {} under the run coordinator, which Dagster then refuses", names.block, names.buffer),
            PlacementViolation::SlotBufferWithSection { raw: None } => "block_op_concurrency_limited_runs with the concurrency section: the chart always writes op_concurrency_slot_buffer under run_coordinator, which Dagster then refuses".into(),
        }
    }

    fn fix(&self) -> String {
        match self {
            PlacementViolation::Invalid { .. } => "use \"run_coordinator\" (every chart) or \"concurrency\" (chart 1.12.12 and later)".into(),
            PlacementViolation::SectionUnavailable { raw, .. } | PlacementViolation::SectionCrashesDaemon { raw, .. } => format!("upgrade the chart to {CONCURRENCY_SECTION_FIXED} or later, or {}", without_pools(*raw)),
            PlacementViolation::PoolsWithCoordinator { raw: Some(names) } => format!("move maxConcurrentRuns and tagConcurrencyLimits to {} (chart {CONCURRENCY_SECTION_FIXED} and later), or remove {}", names.runs, names.pools),
            PlacementViolation::PoolsWithCoordinator { raw: None } => "remove placement (pools default it to \"concurrency\") or set placement = \"concurrency\"".into(),
            PlacementViolation::SlotBufferWithSection { raw: Some(names) } => format!("remove {} (blocking is on by default); move a buffer to {}", names.block, names.run_buffer),
            PlacementViolation::SlotBufferWithSection { raw: None } => "remove the block (blocking is on by default); move a buffer to pools { op_granularity_run_buffer = N }".into(),
        }
    }
}

/// Checks where limits are placed against the chart version.
pub(super) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let config = ctx.config;
    if let Setting::Known(text) = &config.placement {
        if Placement::parse(text).is_none() {
            out.push(Finding::new(
                AttrPath::attr("placement"),
                &PlacementViolation::Invalid { text },
            ));
        }
    }
    let uses_section =
        ctx.placement == Some(Placement::Concurrency) || config.pools.known().is_some();
    let names = ctx.words.source().is_raw().then(|| RawNames::new(ctx));
    let raw = names.as_ref();
    if uses_section {
        // The fix is a newer chart, so point at the version (always written when too old).
        let violation = match ctx.chart {
            Some(chart) if chart < CONCURRENCY_SECTION => {
                Some(PlacementViolation::SectionUnavailable { chart, raw })
            }
            Some(chart) if chart < CONCURRENCY_SECTION_FIXED => {
                Some(PlacementViolation::SectionCrashesDaemon { chart, raw })
            }
            _ => None,
        };
        if let Some(violation) = violation {
            out.push(Finding::new(AttrPath::attr("chart_version"), &violation));
        }
    }
    if config.pools.known().is_some()
        && config.placement.known().map(String::as_str) == Some("run_coordinator")
    {
        out.push(Finding::new(
            AttrPath::attr("placement"),
            &PlacementViolation::PoolsWithCoordinator { raw },
        ));
    }
    if config.block_op.is_set() && uses_section {
        // Terraform places a diagnostic on a block's attribute, not on the block itself, and
        // `enabled` is always written.
        out.push(Finding::new(
            AttrPath::block("block_op_concurrency_limited_runs").then("enabled"),
            &PlacementViolation::SlotBufferWithSection { raw },
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fired, seed};
    use crate::model::{BlockOpSettings, ConcurrencyConfig, PoolSettings, Setting};

    fn with_pools(chart: &str) -> ConcurrencyConfig {
        let mut config = seed();
        config.chart_version = Setting::Known(chart.into());
        config.pools = Setting::Known(PoolSettings {
            default_limit: Setting::Known(2),
            ..Default::default()
        });
        config
    }

    #[test]
    fn concurrency_section_unavailable() {
        assert_eq!(fired(&with_pools("1.12.8"), "DC301"), ["chart_version"]);
        let mut placed = seed();
        placed.chart_version = Setting::Known("1.11.0".into());
        placed.placement = Setting::Known("concurrency".into());
        assert_eq!(fired(&placed, "DC301"), ["chart_version"]);
        assert!(fired(&with_pools("1.12.12"), "DC301").is_empty());
    }

    #[test]
    fn concurrency_section_crashes_daemon() {
        for chart in ["1.12.9", "1.12.10", "1.12.11"] {
            assert_eq!(
                fired(&with_pools(chart), "DC302"),
                ["chart_version"],
                "{chart}"
            );
        }
        assert!(fired(&with_pools("1.12.12"), "DC302").is_empty());
        assert!(fired(&with_pools("1.12.8"), "DC302").is_empty());
    }

    #[test]
    fn pools_with_coordinator_placement() {
        let mut config = with_pools("1.12.14");
        config.placement = Setting::Known("run_coordinator".into());
        assert_eq!(fired(&config, "DC303"), ["placement"]);
        config.placement = Setting::Known("concurrency".into());
        assert!(fired(&config, "DC303").is_empty());
    }

    #[test]
    fn invalid_placement() {
        let mut config = seed();
        config.placement = Setting::Known("queued".into());
        assert_eq!(fired(&config, "DC304"), ["placement"]);
        config.placement = Setting::Known("run_coordinator".into());
        assert!(fired(&config, "DC304").is_empty());
    }

    #[test]
    fn slot_buffer_with_concurrency_section() {
        let mut config = with_pools("1.12.14");
        config.block_op = Setting::Known(BlockOpSettings {
            enabled: Setting::Known(true),
            op_concurrency_slot_buffer: Setting::Known(1),
        });
        assert_eq!(
            fired(&config, "DC305"),
            ["block_op_concurrency_limited_runs.enabled"]
        );
        // Refused whole: the chart writes a buffer of 0 for a block without one.
        for buffer in [Setting::Known(0), Setting::Unset] {
            config.block_op = Setting::Known(BlockOpSettings {
                enabled: Setting::Known(true),
                op_concurrency_slot_buffer: buffer,
            });
            assert_eq!(
                fired(&config, "DC305"),
                ["block_op_concurrency_limited_runs.enabled"]
            );
        }
        config.pools = Setting::Unset;
        assert!(fired(&config, "DC305").is_empty());
    }
}
