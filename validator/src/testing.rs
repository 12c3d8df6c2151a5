//! Small configurations shared by the tests of every layer: the seed ADR and tag limits.

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

/// One tag limit per tag-limit mistake, each with its own key: 0 `team` (clean), 1 negative
/// (DC202), 2 zero (DC205), 3 above the seed's global limit (DC206), 4 a value with per-unique
/// `true` (DC203), 5 an empty value (DC209), 6 `dagster/backfil` (DC208), 7 `bad key` (DC207),
/// 8 `team` again (DC204).
pub fn tag_mistakes() -> Vec<TagLimit> {
    let both = TagLimit {
        value: Setting::Known("a".into()),
        apply_limit_per_unique_value: Setting::Known(true),
        ..tag("per-value", 1)
    };
    let empty_value = TagLimit {
        value: Setting::Known(String::new()),
        ..tag("empty-value", 1)
    };
    vec![
        tag("team", 1),
        tag("negative", -1),
        tag("zero", 0),
        tag("above", 9),
        both,
        empty_value,
        tag("dagster/backfil", 1),
        tag("bad key", 1),
        tag("team", 2),
    ]
}
