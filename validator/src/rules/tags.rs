//! Tag limit rules (`tag_concurrency_limit` blocks).

use super::{rule, Context, Finding, Rule, Violation};
use crate::model::{Contradiction, Setting, TagLimit, TagMatch};
use crate::path::AttrPath;
use std::collections::HashMap;

rule!(
    /// A tag limit with an empty key.
    EMPTY_TAG_KEY, "DC201", "empty-tag-key", Error,
    r#"## What it does
Checks that every `tag_concurrency_limit` has a non-empty `key`.

## Why is this bad?
No run carries a tag with an empty key, so the limit matches nothing; the chart schema requires
a key, and Dagster accepts an empty key in the instance (checked with dagster 1.13.28); it only
warns on malformed tag keys on runs.

## How to fix
Write the run tag key the limit is for, such as `dagster/backfill`.

## Example
```hcl
tag_concurrency_limit {
  key   = ""
  limit = 3
}
```
Use instead:
```hcl
tag_concurrency_limit {
  key   = "dagster/backfill"
  limit = 3
}
```
"#
);

rule!(
    /// A negative tag limit.
    NEGATIVE_TAG_LIMIT, "DC202", "negative-tag-limit", Error,
    r#"## What it does
Checks that every tag `limit` is 0 or more.

## Why is this bad?
Dagster accepts a negative limit without complaint (checked with dagster 1.13.28), and every run
carrying the tag then stays queued forever.

## How to fix
Use a positive limit, or 0 if matching runs must never start.

## Example
```hcl
tag_concurrency_limit {
  key   = "team"
  limit = -1
}
```
Use instead:
```hcl
tag_concurrency_limit {
  key   = "team"
  limit = 2
}
```
"#
);

rule!(
    /// `value` together with `apply_limit_per_unique_value`.
    VALUE_WITH_PER_UNIQUE_VALUE, "DC203", "value-with-per-unique-value", Error,
    r#"## What it does
Checks that a tag limit does not set both `value` and `apply_limit_per_unique_value = true`.
`apply_limit_per_unique_value = false` is the default and may go with `value`.

## Why is this bad?
Both are rendered into the same chart key (`value` is either a string or
`{applyLimitPerUniqueValue: true}`), so one of them cannot be expressed: a limit on one value
and a separate limit per value contradict each other.

## How to fix
Keep `value` to limit one tag value, or `apply_limit_per_unique_value = true` for a separate
limit per value (one per backfill with `dagster/backfill`).

## Example
```hcl
tag_concurrency_limit {
  key                          = "dagster/backfill"
  value                        = "abc"
  apply_limit_per_unique_value = true
  limit                        = 3
}
```
Use instead:
```hcl
tag_concurrency_limit {
  key                          = "dagster/backfill"
  apply_limit_per_unique_value = true
  limit                        = 3
}
```
"#
);

rule!(
    /// Two tag limits for the same key and value.
    DUPLICATE_TAG_LIMIT, "DC204", "duplicate-tag-limit", Error,
    r#"## What it does
Checks that no two tag limits share the same key and the same value matching (a value, per unique
value, or none).

## Why is this bad?
Dagster does not refuse duplicates: it silently keeps the last one (checked with dagster 1.13.28),
so the first limit written is ignored.

## How to fix
Keep one limit per key and value.

## Example
```hcl
tag_concurrency_limit {
  key   = "team"
  limit = 2
}
tag_concurrency_limit {
  key   = "team"
  limit = 4
}
```
Use instead:
```hcl
tag_concurrency_limit {
  key   = "team"
  limit = 2
}
```
"#
);

rule!(
    /// A tag limit of 0.
    TAG_LIMIT_ZERO, "DC205", "tag-limit-zero", Warning,
    r#"## What it does
Warns when a tag `limit` is 0.

## Why is this bad?
A limit of 0 blocks every matching run forever: they stay queued and are never launched.

## How to fix
Use a positive limit unless blocking those runs is intended.

## Example
```hcl
tag_concurrency_limit {
  key   = "dagster/backfill"
  limit = 0
}
```
Use instead:
```hcl
tag_concurrency_limit {
  key   = "dagster/backfill"
  limit = 3
}
```
"#
);

rule!(
    /// A tag limit at or above the global limit.
    TAG_LIMIT_NOT_BELOW_GLOBAL, "DC206", "tag-limit-not-below-global", Warning,
    r#"## What it does
Warns when a tag `limit` is at or above `max_concurrent_runs`.

## Why is this bad?
The global limit is reached first, so the tag limit never holds a run back: it limits nothing.

## How to fix
Lower the tag limit below `max_concurrent_runs`, or drop it.

## Example
```hcl
max_concurrent_runs = 5
tag_concurrency_limit {
  key   = "dagster/backfill"
  limit = 5
}
```
Use instead:
```hcl
max_concurrent_runs = 5
tag_concurrency_limit {
  key   = "dagster/backfill"
  limit = 3
}
```
"#
);

rule!(
    /// A key no Dagster run tag can have.
    INVALID_TAG_KEY, "DC207", "invalid-tag-key", Warning,
    r#"## What it does
Warns when a key does not match Dagster's tag key format:
`^([A-Za-z0-9_.-]{1,63}/|dagster/kind/)?[A-Za-z0-9_.-]{1,63}$`.

## Why is this bad?
Dagster only warns about such keys on runs, so a limit on one usually matches no run and limits nothing.

## How to fix
Use the exact key your runs are tagged with: letters, digits, `_`, `.`, `-`, with at most one `/` prefix.

## Example
```hcl
tag_concurrency_limit {
  key   = "my team"
  limit = 2
}
```
Use instead:
```hcl
tag_concurrency_limit {
  key   = "my-team"
  limit = 2
}
```
"#
);

rule!(
    /// A `dagster/` key that Dagster does not set.
    UNKNOWN_DAGSTER_TAG, "DC208", "unknown-dagster-tag", Warning,
    r#"## What it does
Warns when a key under `dagster/` is not one of the system run tags Dagster sets.

## Why is this bad?
A typo such as `dagster/backfil` matches no run: the limit silently limits nothing.

## How to fix
Use the documented key (the finding suggests the closest one).

## Example
```hcl
tag_concurrency_limit {
  key   = "dagster/backfil"
  limit = 3
}
```
Use instead:
```hcl
tag_concurrency_limit {
  key   = "dagster/backfill"
  limit = 3
}
```
"#
);

rule!(
    /// A tag limit whose `value` is the empty string.
    EMPTY_TAG_VALUE, "DC209", "empty-tag-value", Warning,
    r#"## What it does
Warns when a tag limit's `value` is `""`.

## Why is this bad?
Its meaning depends on the placement. Under the run coordinator Dagster limits only runs whose tag
has the empty value, which almost no run has. Under the `concurrency` section the chart drops a
falsy value, so the limit silently covers every value of the key.

## How to fix
Write the tag value to limit, or remove `value` to limit all values of the key together.

## Example
```hcl
tag_concurrency_limit {
  key   = "team"
  value = ""
  limit = 2
}
```
Use instead:
```hcl
tag_concurrency_limit {
  key   = "team"
  limit = 2
}
```
"#
);

/// Run tags Dagster itself sets on runs (`dagster/kind/...` is accepted as a family).
const DAGSTER_RUN_TAGS: &[&str] = &[
    "dagster/agent_id",
    "dagster/asset_evaluation_id",
    "dagster/asset_partition_range_end",
    "dagster/asset_partition_range_start",
    "dagster/auto_materialize",
    "dagster/automation_condition",
    "dagster/backfill",
    "dagster/code_location",
    "dagster/from_ui",
    "dagster/git_commit_hash",
    "dagster/image",
    "dagster/is_resume_retry",
    "dagster/max_retries",
    "dagster/max_runtime",
    "dagster/op_selection",
    "dagster/parent_run_id",
    "dagster/partition",
    "dagster/partition_set",
    "dagster/priority",
    "dagster/retry_number",
    "dagster/retry_on_asset_or_op_failure",
    "dagster/retry_strategy",
    "dagster/root_run_id",
    "dagster/run_key",
    "dagster/schedule_name",
    "dagster/sensor_name",
    "dagster/solid_selection",
    "dagster/step_selection",
    "dagster/tick",
    "dagster/user",
    "dagster/will_retry",
];

/// Whether `key` matches Dagster's tag key pattern.
pub fn is_valid_tag_key(key: &str) -> bool {
    fn name(part: &str) -> bool {
        (1..=63).contains(&part.len())
            && part
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
    }
    if let Some(rest) = key.strip_prefix("dagster/kind/") {
        if name(rest) {
            return true;
        }
    }
    match key.split_once('/') {
        Some((prefix, rest)) => name(prefix) && name(rest),
        None => name(key),
    }
}

/// Which limits collide in Dagster: equal keys and the same of these. A value wins over a
/// contradicting `apply_limit_per_unique_value = true` (DC203 reports that), and `false` is the
/// default.
#[derive(PartialEq, Eq, Hash)]
enum Matching {
    AnyValue,
    Value(String),
    PerUniqueValue,
}

fn matching(tag: &TagLimit) -> Option<Matching> {
    Some(match tag.matching()? {
        Ok(TagMatch::AnyValue | TagMatch::PerUniqueValue(false)) => Matching::AnyValue,
        Ok(TagMatch::Value(value)) | Err(Contradiction { value }) => Matching::Value(value),
        Ok(TagMatch::PerUniqueValue(true)) => Matching::PerUniqueValue,
    })
}

/// The key a limit is for, as findings quote it (`"team"`), for messages that must say which
/// limit they mean: in a `dynamic` block Terraform can only point at the resource.
fn quoted_key(tag: &TagLimit) -> String {
    match &tag.key {
        Setting::Known(key) => format!("{key:?}"),
        _ => "not known yet".into(),
    }
}

/// What is wrong with a tag limit, named as the file names it; `key` is the limit's key as
/// findings quote it.
enum TagViolation<'a> {
    /// DC201.
    EmptyKey { name: String },
    /// DC207.
    InvalidKey { name: String, key: &'a str },
    /// DC208, with the closest tag Dagster sets.
    UnknownDagsterTag {
        name: String,
        key: &'a str,
        closest: &'static str,
    },
    /// DC202.
    NegativeLimit {
        name: String,
        limit: i64,
        key: String,
    },
    /// DC205.
    LimitZero { name: String, key: String },
    /// DC206: `runs` names the global limit.
    NotBelowGlobal {
        name: String,
        limit: i64,
        key: String,
        runs: &'a str,
        global: i64,
    },
    /// DC203.
    ValueWithPerUniqueValue {
        per_unique: String,
        value_name: String,
        value: String,
        key: String,
    },
    /// DC209.
    EmptyValue { name: String, key: String },
    /// DC204: `item` repeats `earlier`.
    Duplicate {
        item: String,
        key: &'a str,
        earlier: String,
    },
}

impl Violation for TagViolation<'_> {
    fn rule(&self) -> &'static Rule {
        match self {
            TagViolation::EmptyKey { .. } => &EMPTY_TAG_KEY,
            TagViolation::InvalidKey { .. } => &INVALID_TAG_KEY,
            TagViolation::UnknownDagsterTag { .. } => &UNKNOWN_DAGSTER_TAG,
            TagViolation::NegativeLimit { .. } => &NEGATIVE_TAG_LIMIT,
            TagViolation::LimitZero { .. } => &TAG_LIMIT_ZERO,
            TagViolation::NotBelowGlobal { .. } => &TAG_LIMIT_NOT_BELOW_GLOBAL,
            TagViolation::ValueWithPerUniqueValue { .. } => &VALUE_WITH_PER_UNIQUE_VALUE,
            TagViolation::EmptyValue { .. } => &EMPTY_TAG_VALUE,
            TagViolation::Duplicate { .. } => &DUPLICATE_TAG_LIMIT,
        }
    }

    fn summary(&self) -> String {
        match self {
            TagViolation::EmptyKey { name } => format!("{name} is empty, so the limit matches no run"),
            TagViolation::InvalidKey { name, key } => format!("{name} = {key:?} is not a valid Dagster tag key, so no run can carry it"),
            TagViolation::UnknownDagsterTag { name, key, .. } => format!("{name} = {key:?} is not a tag Dagster sets on runs, so this limit matches nothing"),
            TagViolation::NegativeLimit { name, limit, key } => format!("{name} = {limit} for key {key} is negative: matching runs would stay queued forever"),
            TagViolation::LimitZero { name, key } => format!("{name} = 0 for key {key} blocks every matching run forever"),
            TagViolation::NotBelowGlobal { name, limit, key, runs, global } => format!("{name} = {limit} for key {key} is not below {runs} = {global}, so it never holds a run back"),
            TagViolation::ValueWithPerUniqueValue { per_unique, value_name, value, key } => format!("{per_unique} = true and {value_name} = {value:?} for key {key} cannot both be set: a limit per value and a limit on one value contradict"),
            TagViolation::EmptyValue { name, key } => format!("{name} = \"\" for key {key} matches only runs with an empty value under the run coordinator, and every value under the concurrency section"),
            TagViolation::Duplicate { item, key, earlier } => format!("{item} repeats the limit for key {key:?} of {earlier}; Dagster silently keeps only the last, so the earlier one is ignored"),
        }
    }

    fn fix(&self) -> String {
        match self {
            TagViolation::EmptyKey { .. } => "write the run tag key the limit is for, e.g. \"dagster/backfill\"".into(),
            TagViolation::InvalidKey { .. } => "use letters, digits, '_', '.', '-' (1-63 each) with at most one '/' prefix".into(),
            TagViolation::UnknownDagsterTag { closest, .. } => format!("use {closest:?}, the closest tag Dagster sets"),
            TagViolation::NegativeLimit { .. } => "use a positive limit, or 0 if matching runs must never start".into(),
            TagViolation::LimitZero { .. } => "use a positive limit unless blocking these runs is intended".into(),
            TagViolation::NotBelowGlobal { global, .. } => format!("lower the limit below {global}, or drop this tag limit"),
            TagViolation::ValueWithPerUniqueValue { .. } => "keep value to limit one tag value, or apply_limit_per_unique_value = true for a limit per value".into(),
            TagViolation::EmptyValue { .. } => "write the value to limit, or remove value to limit all values of the key".into(),
            TagViolation::Duplicate { .. } => "keep a single limit per key and value".into(),
        }
    }
}

/// Checks every tag limit.
pub(super) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    let global = ctx.config.max_concurrent_runs.known().copied();
    let runs = &ctx.words.name(&AttrPath::attr("max_concurrent_runs"));
    let tags: Vec<(usize, &TagLimit)> = ctx.config.known_tag_limits().collect();
    let earlier = earlier_repeats(&tags);
    for &(index, tag) in &tags {
        let path = |attr| AttrPath::item("tag_concurrency_limit", index).then(attr);
        let name = |attr| ctx.words.name(&path(attr));
        let key = || quoted_key(tag);
        let mut found =
            |attr, violation: TagViolation| out.push(Finding::new(path(attr), &violation));
        if let Setting::Known(written) = &tag.key {
            if let Some(violation) = key_violation(written, name("key")) {
                found("key", violation);
            }
        }
        if let Setting::Known(limit) = tag.limit {
            let name = name("limit");
            let violation = if limit < 0 {
                Some(TagViolation::NegativeLimit {
                    name,
                    limit,
                    key: key(),
                })
            } else if limit == 0 {
                Some(TagViolation::LimitZero { name, key: key() })
            } else {
                global.filter(|g| *g > 0 && limit >= *g).map(|global| {
                    TagViolation::NotBelowGlobal {
                        name,
                        limit,
                        key: key(),
                        runs,
                        global,
                    }
                })
            };
            if let Some(violation) = violation {
                found("limit", violation);
            }
        }
        if let Some(Err(Contradiction { value })) = tag.matching() {
            // `false` is the default and means what a `value` means on its own: no conflict.
            found(
                "apply_limit_per_unique_value",
                TagViolation::ValueWithPerUniqueValue {
                    per_unique: name("apply_limit_per_unique_value"),
                    value_name: name("value"),
                    value,
                    key: key(),
                },
            );
        }
        if tag.value.known().is_some_and(String::is_empty) {
            found(
                "value",
                TagViolation::EmptyValue {
                    name: name("value"),
                    key: key(),
                },
            );
        }
        if let (Setting::Known(written), Some(&earlier)) = (&tag.key, earlier.get(&index)) {
            // DC204 at the repeat: the later limit, which is the one Dagster keeps.
            let item = |i| ctx.words.name(&AttrPath::item("tag_concurrency_limit", i));
            found(
                "key",
                TagViolation::Duplicate {
                    item: item(index),
                    key: written,
                    earlier: item(earlier),
                },
            );
        }
    }
}

/// What is wrong with a known tag key, if anything; `name` is what the file calls it.
fn key_violation(key: &str, name: String) -> Option<TagViolation<'_>> {
    if key.is_empty() {
        Some(TagViolation::EmptyKey { name })
    } else if !is_valid_tag_key(key) {
        Some(TagViolation::InvalidKey { name, key })
    } else if key.starts_with("dagster/")
        && !key.starts_with("dagster/kind/")
        && !DAGSTER_RUN_TAGS.contains(&key)
    {
        let closest = DAGSTER_RUN_TAGS
            .iter()
            .min_by_key(|known| strsim::levenshtein(key, known))
            .copied()
            .unwrap_or("dagster/backfill");
        Some(TagViolation::UnknownDagsterTag { name, key, closest })
    } else {
        None
    }
}

/// For each tag limit that repeats an earlier one (same key and matching), the index of the
/// nearest earlier one; one pass, so many tag limits stay linear.
fn earlier_repeats(tags: &[(usize, &TagLimit)]) -> HashMap<usize, usize> {
    let mut latest: HashMap<(&str, Matching), usize> = HashMap::new();
    let mut repeats = HashMap::new();
    for &(index, tag) in tags {
        if let (Setting::Known(key), Some(matching)) = (&tag.key, matching(tag)) {
            if let Some(earlier) = latest.insert((key.as_str(), matching), index) {
                repeats.insert(index, earlier);
            }
        }
    }
    repeats
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fired, seed, tag, tag_mistakes};
    use super::is_valid_tag_key;
    use crate::model::{ConcurrencyConfig, Setting, TagLimit};

    fn with_tags(tags: Vec<TagLimit>) -> ConcurrencyConfig {
        let mut config = seed();
        config.tag_limits = Setting::Known(tags);
        config
    }

    #[test]
    fn empty_tag_key() {
        assert_eq!(
            fired(&with_tags(vec![tag("", 1)]), "DC201"),
            ["tag_concurrency_limit[0].key"]
        );
        assert!(fired(&with_tags(vec![tag("team", 1)]), "DC201").is_empty());
    }

    #[test]
    fn negative_tag_limit() {
        let config = with_tags(vec![tag("team", 1), tag("other", -1)]);
        assert_eq!(fired(&config, "DC202"), ["tag_concurrency_limit[1].limit"]);
        assert!(fired(&with_tags(vec![tag("team", 0)]), "DC202").is_empty());
    }

    #[test]
    fn value_with_per_unique_value() {
        let mut both = tag("team", 1);
        both.value = Setting::Known("a".into());
        both.apply_limit_per_unique_value = Setting::Known(true);
        assert_eq!(
            fired(&with_tags(vec![both.clone()]), "DC203"),
            ["tag_concurrency_limit[0].apply_limit_per_unique_value"]
        );
        // `false` is the documented default: a module's `optional(bool, false)` passes it.
        both.apply_limit_per_unique_value = Setting::Known(false);
        assert!(fired(&with_tags(vec![both.clone()]), "DC203").is_empty());
        both.apply_limit_per_unique_value = Setting::Unset;
        assert!(fired(&with_tags(vec![both]), "DC203").is_empty());
    }

    #[test]
    fn duplicate_tag_limit() {
        let config = with_tags(vec![tag("team", 1), tag("x", 1), tag("team", 2)]);
        // At the repeat, which Dagster keeps, naming the limit it hides.
        assert_eq!(fired(&config, "DC204"), ["tag_concurrency_limit[2].key"]);
        let findings = super::super::check(&config);
        let repeat = findings
            .iter()
            .find(|f| f.rule.code == "DC204")
            .expect("DC204");
        assert_eq!(
            repeat.summary,
            "tag_concurrency_limit[2] repeats the limit for key \"team\" of tag_concurrency_limit[0]; Dagster silently keeps only the last, so the earlier one is ignored"
        );
        let three = with_tags(vec![tag("team", 1), tag("team", 2), tag("team", 3)]);
        assert_eq!(
            fired(&three, "DC204"),
            [
                "tag_concurrency_limit[1].key",
                "tag_concurrency_limit[2].key"
            ]
        );
        let mut per_value = tag("team", 2);
        per_value.apply_limit_per_unique_value = Setting::Known(true);
        let mut valued = tag("team", 2);
        valued.value = Setting::Known("a".into());
        assert!(fired(&with_tags(vec![tag("team", 1), per_value, valued]), "DC204").is_empty());
        let mut not_per_value = tag("team", 2);
        not_per_value.apply_limit_per_unique_value = Setting::Known(false);
        assert_eq!(
            fired(&with_tags(vec![tag("team", 1), not_per_value]), "DC204").len(),
            1
        );
    }

    /// In a `dynamic` block Terraform points every finding at the resource header, so the text
    /// alone must say which limit it means: its index and its key.
    #[test]
    fn every_tag_finding_names_the_index_and_the_key() {
        let config = with_tags(tag_mistakes());
        let findings = super::super::check(&config);
        let expected = [
            ("DC202", 1, "negative"),
            ("DC205", 2, "zero"),
            ("DC206", 3, "above"),
            ("DC203", 4, "per-value"),
            ("DC209", 5, "empty-value"),
            ("DC208", 6, "dagster/backfil"),
            ("DC207", 7, "bad key"),
            ("DC204", 8, "team"),
        ];
        for (code, index, key) in expected {
            let finding = findings
                .iter()
                .find(|f| f.rule.code == code)
                .unwrap_or_else(|| panic!("{code} fires"));
            let summary = &finding.summary;
            assert!(
                summary.contains(&format!("tag_concurrency_limit[{index}]"))
                    && summary.contains(&format!("{key:?}")),
                "{code}: {summary}"
            );
        }
    }

    #[test]
    fn tag_limit_zero() {
        assert_eq!(
            fired(&with_tags(vec![tag("team", 0)]), "DC205"),
            ["tag_concurrency_limit[0].limit"]
        );
        assert!(fired(&with_tags(vec![tag("team", 1)]), "DC205").is_empty());
    }

    #[test]
    fn tag_limit_not_below_global() {
        assert_eq!(
            fired(&with_tags(vec![tag("team", 5)]), "DC206"),
            ["tag_concurrency_limit[0].limit"]
        );
        assert!(fired(&with_tags(vec![tag("team", 4)]), "DC206").is_empty());
        let mut unlimited = with_tags(vec![tag("team", 50)]);
        unlimited.max_concurrent_runs = Setting::Known(-1);
        assert!(fired(&unlimited, "DC206").is_empty());
    }

    #[test]
    fn invalid_tag_key() {
        assert_eq!(
            fired(&with_tags(vec![tag("my team", 1)]), "DC207"),
            ["tag_concurrency_limit[0].key"]
        );
        assert!(fired(&with_tags(vec![tag("my-team", 1)]), "DC207").is_empty());
        assert!(is_valid_tag_key("dagster/kind/python"));
        assert!(is_valid_tag_key("a.b/c_d-e"));
        for bad in ["a/b/c", "/a", "a/", &"x".repeat(64), "é"] {
            assert!(!is_valid_tag_key(bad), "{bad}");
        }
    }

    #[test]
    fn empty_tag_value() {
        let mut empty = tag("team", 1);
        empty.value = Setting::Known(String::new());
        assert_eq!(
            fired(&with_tags(vec![empty.clone()]), "DC209"),
            ["tag_concurrency_limit[0].value"]
        );
        empty.value = Setting::Known("a".into());
        assert!(fired(&with_tags(vec![empty]), "DC209").is_empty());
    }

    #[test]
    fn unknown_dagster_tag() {
        let findings = super::super::check(&with_tags(vec![tag("dagster/backfil", 1)]));
        let finding = findings
            .iter()
            .find(|f| f.rule.code == "DC208")
            .expect("DC208 fires");
        assert_eq!(finding.at.to_string(), "tag_concurrency_limit[0].key");
        assert_eq!(
            finding.fix,
            "use \"dagster/backfill\", the closest tag Dagster sets"
        );
        assert!(fired(&with_tags(vec![tag("dagster/priority", 1)]), "DC208").is_empty());
        assert!(fired(&with_tags(vec![tag("dagster/kind/dbt", 1)]), "DC208").is_empty());
    }
}
