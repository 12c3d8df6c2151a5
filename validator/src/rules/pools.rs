//! Pool rules (`pools` block): granularity and the default pool limit.

use super::{rule, Context, Finding, Rule, Violation};
use crate::model::Setting;
use crate::path::AttrPath;

/// Largest pool limit Dagster stores (`DAGSTER_MAX_GLOBAL_OP_CONCURRENCY_LIMIT` default).
pub const MAX_POOL_LIMIT: i64 = 1000;

rule!(
    /// `pools.granularity` is neither `run` nor `op`.
    INVALID_POOL_GRANULARITY, "DC311", "invalid-pool-granularity", Error,
    r#"## What it does
Checks that `pools.granularity` is `run` or `op`.

## Why is this bad?
The chart passes any string through, and Dagster refuses the instance at start.

## How to fix
Use `op` (Dagster's default: slots are held per op) or `run` (one slot per run).

## Example
```hcl
pools {
  granularity = "ops"
}
```
Use instead:
```hcl
pools {
  granularity = "op"
}
```
"#
);

rule!(
    /// `pools.default_limit` outside 0..1000.
    DEFAULT_POOL_LIMIT_OUT_OF_RANGE, "DC312", "default-pool-limit-out-of-range", Error,
    r#"## What it does
Checks that `pools.default_limit` is between 0 and 1000.

## Why is this bad?
Dagster stores pool limits of 0 to 1000 slots and refuses others.

## How to fix
Use a limit from 0 to 1000.

## Example
```hcl
pools {
  default_limit = 5000
}
```
Use instead:
```hcl
pools {
  default_limit = 1000
}
```
"#
);

/// What is wrong in the `pools` block, named as the file names it.
enum PoolsViolation<'a> {
    /// DC311.
    InvalidGranularity { name: &'a str, granularity: &'a str },
    /// DC312.
    DefaultLimitOutOfRange { name: &'a str, limit: i64 },
}

impl Violation for PoolsViolation<'_> {
    fn rule(&self) -> &'static Rule {
        match self {
            PoolsViolation::InvalidGranularity { .. } => &INVALID_POOL_GRANULARITY,
            PoolsViolation::DefaultLimitOutOfRange { .. } => &DEFAULT_POOL_LIMIT_OUT_OF_RANGE,
        }
    }

    fn summary(&self) -> String {
        match self {
            PoolsViolation::InvalidGranularity { name, granularity } => {
                format!("{name} {granularity:?} is not \"run\" or \"op\"")
            }
            PoolsViolation::DefaultLimitOutOfRange { name, limit } => {
                format!("{name} = {limit} is outside 0..{MAX_POOL_LIMIT}")
            }
        }
    }

    fn fix(&self) -> String {
        match self {
            PoolsViolation::InvalidGranularity { .. } => {
                "use \"op\" (slots per op, Dagster's default) or \"run\" (one slot per run)".into()
            }
            PoolsViolation::DefaultLimitOutOfRange { .. } => limit_in_range(),
        }
    }
}

/// The fix of a pool limit out of range, the default's or a pool's own.
pub(super) fn limit_in_range() -> String {
    format!("use a limit from 0 to {MAX_POOL_LIMIT}")
}

/// Checks the `pools` block.
pub(super) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let Setting::Known(pools) = &ctx.config.pools else {
        return;
    };
    if let Setting::Known(granularity) = &pools.granularity {
        if !matches!(granularity.as_str(), "run" | "op") {
            let path = AttrPath::block("pools").then("granularity");
            let name = &ctx.words.name(&path);
            out.push(Finding::new(
                path,
                &PoolsViolation::InvalidGranularity { name, granularity },
            ));
        }
    }
    if let Setting::Known(limit) = pools.default_limit {
        if !(0..=MAX_POOL_LIMIT).contains(&limit) {
            let path = AttrPath::block("pools").then("default_limit");
            let name = &ctx.words.name(&path);
            out.push(Finding::new(
                path,
                &PoolsViolation::DefaultLimitOutOfRange { name, limit },
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fired, seed};
    use crate::model::{ConcurrencyConfig, PoolSettings, Setting};

    fn with_pools(pools: PoolSettings) -> ConcurrencyConfig {
        let mut config = seed();
        config.pools = Setting::Known(pools);
        config
    }

    #[test]
    fn invalid_pool_granularity() {
        let bad = PoolSettings {
            granularity: Setting::Known("ops".into()),
            ..Default::default()
        };
        assert_eq!(fired(&with_pools(bad), "DC311"), ["pools.granularity"]);
        for good in ["run", "op"] {
            let pools = PoolSettings {
                granularity: Setting::Known(good.into()),
                ..Default::default()
            };
            assert!(fired(&with_pools(pools), "DC311").is_empty());
        }
    }

    #[test]
    fn default_pool_limit_out_of_range() {
        for bad in [-1, 1001] {
            let pools = PoolSettings {
                default_limit: Setting::Known(bad),
                ..Default::default()
            };
            assert_eq!(fired(&with_pools(pools), "DC312"), ["pools.default_limit"]);
        }
        for good in [0, 1000] {
            let pools = PoolSettings {
                default_limit: Setting::Known(good),
                ..Default::default()
            };
            assert!(fired(&with_pools(pools), "DC312").is_empty());
        }
    }
}
