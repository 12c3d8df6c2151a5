//! Pool limit rules (`dagster_pool_limit`): the pool name and its limit, checked before any
//! request reaches the webserver (Dagster answers an out-of-range limit with a bare HTTP 500).

use super::pools::{limit_in_range, MAX_POOL_LIMIT};
use super::{rule, Finding, Rule, Violation};
use crate::model::Setting;
use crate::path::AttrPath;

/// The arguments of one pool limit, as far as they are known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PoolLimitConfig {
    /// The pool (Dagster's concurrency key), e.g. `"warehouse"`.
    pub pool: Setting<String>,
    /// Slots the pool allows at once.
    pub limit: Setting<i64>,
}

rule!(
    /// `pool` is empty.
    EMPTY_POOL_NAME, "DC701", "empty-pool-name", Error,
    r#"## What it does
Checks that `pool` is not empty (or only whitespace).

## Why is this bad?
Dagster stores a limit under the empty key without complaint, but no op or asset can name an
empty pool, so the limit governs nothing.

## How to fix
Use the pool name your ops and assets declare with `pool=`.

## Example
```hcl
resource "dagster_pool_limit" "warehouse" {
  pool  = ""
  limit = 4
}
```
Use instead:
```hcl
resource "dagster_pool_limit" "warehouse" {
  pool  = "warehouse"
  limit = 4
}
```
"#
);

rule!(
    /// `limit` outside 0..1000.
    POOL_LIMIT_OUT_OF_RANGE, "DC702", "pool-limit-out-of-range", Error,
    r#"## What it does
Checks that a pool's `limit` is between 0 and 1000.

## Why is this bad?
Dagster stores 0 to 1000 slots per pool. The webserver answers any other value with an HTTP 500
that does not say what is wrong, so the provider refuses it at validate, before any request.

## How to fix
Use a limit from 0 (ops in the pool never run) to 1000.

## Example
```hcl
resource "dagster_pool_limit" "warehouse" {
  pool  = "warehouse"
  limit = 5000
}
```
Use instead:
```hcl
resource "dagster_pool_limit" "warehouse" {
  pool  = "warehouse"
  limit = 1000
}
```
"#
);

rule!(
    /// `pool` has leading or trailing whitespace.
    POOL_NAME_WHITESPACE, "DC703", "pool-name-whitespace", Warning,
    r#"## What it does
Checks that `pool` has no leading or trailing whitespace.

## Why is this bad?
Pool names are matched exactly: `"warehouse "` is a different pool from `"warehouse"`, so the
limit most likely applies to a pool no op uses.

## How to fix
Remove the surrounding whitespace.

## Example
```hcl
resource "dagster_pool_limit" "warehouse" {
  pool  = " warehouse"
  limit = 4
}
```
Use instead:
```hcl
resource "dagster_pool_limit" "warehouse" {
  pool  = "warehouse"
  limit = 4
}
```
"#
);

/// What is wrong with a pool limit's arguments.
enum PoolLimitViolation<'a> {
    /// DC701.
    EmptyName { pool: &'a str },
    /// DC703.
    NameWhitespace { pool: &'a str },
    /// DC702.
    OutOfRange { limit: i64 },
}

impl Violation for PoolLimitViolation<'_> {
    fn rule(&self) -> &'static Rule {
        match self {
            PoolLimitViolation::EmptyName { .. } => &EMPTY_POOL_NAME,
            PoolLimitViolation::NameWhitespace { .. } => &POOL_NAME_WHITESPACE,
            PoolLimitViolation::OutOfRange { .. } => &POOL_LIMIT_OUT_OF_RANGE,
        }
    }

    fn summary(&self) -> String {
        match self {
            PoolLimitViolation::EmptyName { pool } => format!("pool name {pool:?} is empty"),
            PoolLimitViolation::NameWhitespace { pool } => {
                format!("pool name {pool:?} has leading or trailing whitespace")
            }
            PoolLimitViolation::OutOfRange { limit } => {
                format!("pool limit {limit} is outside 0..{MAX_POOL_LIMIT}")
            }
        }
    }

    fn fix(&self) -> String {
        match self {
            PoolLimitViolation::EmptyName { .. } => {
                "use the pool name your ops and assets declare with `pool=`".into()
            }
            PoolLimitViolation::NameWhitespace { pool } => {
                format!("write {:?}: pool names are matched exactly", pool.trim())
            }
            PoolLimitViolation::OutOfRange { .. } => limit_in_range(),
        }
    }
}

/// Checks one pool limit's arguments; unknown values are skipped.
pub fn check_pool_limit(config: &PoolLimitConfig) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Setting::Known(pool) = &config.pool {
        let violation = if pool.trim().is_empty() {
            Some(PoolLimitViolation::EmptyName { pool })
        } else if pool.trim() != pool {
            Some(PoolLimitViolation::NameWhitespace { pool })
        } else {
            None
        };
        if let Some(violation) = violation {
            out.push(Finding::new(AttrPath::attr("pool"), &violation));
        }
    }
    if let Setting::Known(limit) = config.limit {
        if !(0..=MAX_POOL_LIMIT).contains(&limit) {
            out.push(Finding::new(
                AttrPath::attr("limit"),
                &PoolLimitViolation::OutOfRange { limit },
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(pool: &str, limit: i64) -> Vec<&'static str> {
        check_pool_limit(&PoolLimitConfig {
            pool: Setting::Known(pool.into()),
            limit: Setting::Known(limit),
        })
        .into_iter()
        .map(|finding| finding.rule.code)
        .collect()
    }

    #[test]
    fn limits_outside_storage_range_are_refused() {
        for bad in [-1, 1001, i64::MIN] {
            assert_eq!(codes("warehouse", bad), ["DC702"], "{bad}");
        }
        for good in [0, 1, 1000] {
            assert!(codes("warehouse", good).is_empty(), "{good}");
        }
    }

    #[test]
    fn pool_names() {
        assert_eq!(codes("", 1), ["DC701"]);
        assert_eq!(codes("  ", 1), ["DC701"]);
        assert_eq!(codes(" warehouse", 1), ["DC703"]);
        assert!(codes("dagster/kind/ok", 1).is_empty());
    }

    #[test]
    fn unknown_arguments_are_skipped() {
        let config = PoolLimitConfig {
            pool: Setting::Unknown,
            limit: Setting::Unknown,
        };
        assert!(check_pool_limit(&config).is_empty());
    }
}
