//! Global run limit rules (`max_concurrent_runs`).

use super::{rule, Context, Finding, Rule, Violation};
use crate::model::{Placement, Setting};
use crate::path::AttrPath;

rule!(
    /// `max_concurrent_runs` below -1.
    RUNS_BELOW_MINUS_ONE, "DC101", "runs-below-minus-one", Error,
    r#"## What it does
Checks that `max_concurrent_runs` is -1 (unlimited), 0 (paused) or a positive limit.

## Why is this bad?
Under `run_coordinator` Dagster refuses the instance at daemon start ("Negative values other than
-1 (which disables the limit) for max_concurrent_runs are disallowed"). Under `concurrency.runs`
Dagster accepts it silently (checked with dagster 1.13.28) and the queue never launches anything.

## How to fix
Use a positive limit, 0 to pause, or -1 for no limit.

## Example
```hcl
max_concurrent_runs = -5
```
Use instead:
```hcl
max_concurrent_runs = 5
```
"#
);

rule!(
    /// No `max_concurrent_runs`: runs are not limited.
    RUNS_UNSET, "DC102", "runs-unset", Warning,
    r#"## What it does
Warns when `max_concurrent_runs` is not set.

## Why is this bad?
With run limits under the run coordinator, the chart renders a missing limit as `-1`: every
queued run launches at once (not Dagster's own default of 10). Under the `concurrency` section the
chart writes nothing and Dagster's default of 10 applies.

## How to fix
Set the number of runs your database and cluster can hold at once.

## Example
```hcl
resource "dagster_concurrency" "this" {}
```
Use instead:
```hcl
resource "dagster_concurrency" "this" {
  max_concurrent_runs = 5
}
```
"#
);

rule!(
    /// `max_concurrent_runs = -1`: runs are not limited.
    RUNS_UNLIMITED, "DC103", "runs-unlimited", Warning,
    r#"## What it does
Warns when `max_concurrent_runs` is -1.

## Why is this bad?
-1 disables the global limit: a backfill of many partitions starts every run at once, each with
its own pod and database connections.

## How to fix
Set a positive limit, or keep -1 deliberately and accept the warning.

## Example
```hcl
max_concurrent_runs = -1
```
Use instead:
```hcl
max_concurrent_runs = 10
```
"#
);

rule!(
    /// `max_concurrent_runs = 0`: nothing is launched.
    RUNS_PAUSED, "DC104", "runs-paused", Warning,
    r#"## What it does
Warns when `max_concurrent_runs` is 0.

## Why is this bad?
The chart keeps 0 (it does not treat it as unset) and Dagster then launches no run at all: every
run stays queued until the limit is raised.

## How to fix
Use a positive limit unless pausing every run is intended.

## Example
```hcl
max_concurrent_runs = 0
```
Use instead:
```hcl
max_concurrent_runs = 5
```
"#
);

/// Whether anything but the run limit goes into the `concurrency` section; when nothing does,
/// rendering leaves the section off (Dagster cannot load an empty one) and the chart's -1 applies.
fn places_other_limits(ctx: &Context) -> bool {
    let tags = ctx
        .config
        .tag_limits
        .known()
        .is_some_and(|tags| !tags.is_empty());
    let pools = ctx.config.pools.known().is_some_and(|pools| {
        pools.default_limit.is_set()
            || pools.op_granularity_run_buffer.is_set()
            || pools.granularity.known().is_none_or(|g| !g.is_empty())
    });
    tags || pools
}

/// What is wrong with `max_concurrent_runs`, named as the file names it.
enum RunsViolation<'a> {
    /// DC102: not set; what the chart and Dagster then do.
    Unset {
        name: &'a str,
        consequence: &'static str,
        fix: String,
    },
    /// DC101: below -1.
    BelowMinusOne { name: &'a str, runs: i64 },
    /// DC103: -1.
    Unlimited { name: &'a str },
    /// DC104: 0.
    Paused { name: &'a str },
}

impl Violation for RunsViolation<'_> {
    fn rule(&self) -> &'static Rule {
        match self {
            RunsViolation::Unset { .. } => &RUNS_UNSET,
            RunsViolation::BelowMinusOne { .. } => &RUNS_BELOW_MINUS_ONE,
            RunsViolation::Unlimited { .. } => &RUNS_UNLIMITED,
            RunsViolation::Paused { .. } => &RUNS_PAUSED,
        }
    }

    fn summary(&self) -> String {
        match self {
            RunsViolation::Unset {
                name, consequence, ..
            } => {
                format!("{name} is not set: {consequence}")
            }
            RunsViolation::BelowMinusOne { name, runs } => {
                format!("{name} = {runs} is below -1, which Dagster refuses")
            }
            RunsViolation::Unlimited { name } => {
                format!("{name} = -1 disables the global run limit")
            }
            RunsViolation::Paused { name } => format!("{name} = 0 launches no run at all"),
        }
    }

    fn fix(&self) -> String {
        match self {
            RunsViolation::Unset { fix, .. } => fix.clone(),
            RunsViolation::BelowMinusOne { .. } => {
                "use a positive limit, 0 to pause every run, or -1 for no limit".into()
            }
            RunsViolation::Unlimited { .. } => {
                "set a positive limit unless unlimited runs are intended".into()
            }
            RunsViolation::Paused { .. } => {
                "use a positive limit unless pausing every run is intended".into()
            }
        }
    }
}

/// Checks `max_concurrent_runs`.
pub(super) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let path = || AttrPath::attr("max_concurrent_runs");
    let name = &ctx.words.name(&path());
    let violation = match &ctx.config.max_concurrent_runs {
        Setting::Unset => RunsViolation::Unset {
            name,
            consequence: match ctx.placement {
                Some(Placement::Concurrency) if places_other_limits(ctx) => {
                    "the chart writes no limit and Dagster's default of 10 applies"
                }
                _ => "the chart renders -1 and every queued run launches at once",
            },
            fix: ctx.words.set(
                &path(),
                "the number of runs your database and cluster can hold",
            ),
        },
        Setting::Known(-1) => RunsViolation::Unlimited { name },
        Setting::Known(0) => RunsViolation::Paused { name },
        Setting::Known(runs) if *runs < -1 => RunsViolation::BelowMinusOne { name, runs: *runs },
        Setting::Unknown | Setting::Known(_) => return,
    };
    out.push(Finding::new(path(), &violation));
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fired, seed};
    use crate::model::Setting;

    fn with_runs(runs: Setting<i64>) -> crate::model::ConcurrencyConfig {
        let mut config = seed();
        config.max_concurrent_runs = runs;
        config
    }

    #[test]
    fn runs_below_minus_one() {
        assert_eq!(
            fired(&with_runs(Setting::Known(-2)), "DC101"),
            ["max_concurrent_runs"]
        );
        assert!(fired(&with_runs(Setting::Known(-1)), "DC101").is_empty());
    }

    #[test]
    fn runs_unset_names_the_limit_that_applies() {
        let summary = |config: &crate::model::ConcurrencyConfig| {
            crate::rules::check(config)
                .into_iter()
                .find(|f| f.rule.code == "DC102")
                .map(|f| f.summary)
                .unwrap_or_default()
        };
        let mut config = with_runs(Setting::Unset);
        config.placement = Setting::Known("concurrency".into());
        assert!(summary(&config).contains("default of 10"));
        config.tag_limits = Setting::Unset;
        assert!(summary(&config).contains("renders -1"));
    }

    #[test]
    fn runs_unset() {
        assert_eq!(
            fired(&with_runs(Setting::Unset), "DC102"),
            ["max_concurrent_runs"]
        );
        assert!(fired(&with_runs(Setting::Unknown), "DC102").is_empty());
        assert!(fired(&with_runs(Setting::Known(5)), "DC102").is_empty());
    }

    #[test]
    fn runs_unlimited() {
        assert_eq!(
            fired(&with_runs(Setting::Known(-1)), "DC103"),
            ["max_concurrent_runs"]
        );
        assert!(fired(&with_runs(Setting::Known(1)), "DC103").is_empty());
    }

    #[test]
    fn runs_paused() {
        assert_eq!(
            fired(&with_runs(Setting::Known(0)), "DC104"),
            ["max_concurrent_runs"]
        );
        assert!(fired(&with_runs(Setting::Known(1)), "DC104").is_empty());
    }
}
