//! Helpers for rule tests: small configurations and what fired where.

use super::check;
use crate::model::{ConcurrencyConfig, Setting, TagLimit};

/// The seed ADR: 5 runs, `dagster/backfill` limited to 3.
pub fn seed() -> ConcurrencyConfig {
    ConcurrencyConfig {
        max_concurrent_runs: Setting::Known(5),
        tag_limits: Setting::Known(vec![tag("dagster/backfill", 3)]),
        ..Default::default()
    }
}

/// A key-only tag limit.
pub fn tag(key: &str, limit: i64) -> TagLimit {
    TagLimit {
        key: Setting::Known(key.into()),
        limit: Setting::Known(limit),
        ..Default::default()
    }
}

/// The paths at which `code` fired.
pub fn fired(config: &ConcurrencyConfig, code: &str) -> Vec<String> {
    check(config)
        .into_iter()
        .filter(|finding| finding.rule.code == code)
        .map(|finding| finding.path.to_string())
        .collect()
}

/// Asserts that the seed configuration is clean, so each rule test's passing case is meaningful.
#[test]
fn seed_is_clean() {
    assert_eq!(check(&seed()), vec![]);
}
