//! The policy rules (`DP1xx`): what an organisation policy requires of a configuration.

use super::Policy;
use crate::model::{ConcurrencyConfig, Setting, TagLimit};
use crate::path::AttrPath;
use crate::rules::{rule, Finding, Rule, Source, Violation, Vocabulary};

rule!(
    /// The policy sets a run ceiling and `max_concurrent_runs` is unset or -1.
    RUNS_NOT_LIMITED, "DP101", "runs-not-limited", Error,
    r#"## What it does
With `max_concurrent_runs_ceiling` in the policy, checks that `max_concurrent_runs` is set and is
not -1.

## Why is this bad?
Unset, the chart renders `-1` under the run coordinator (and leaves Dagster's default under the
`concurrency` section); -1 turns the global limit off. A large partitioned backfill then starts
every run at once, each with its own pod and database connections: what the policy exists to
prevent.

## How to fix
Set `max_concurrent_runs` to a limit no higher than the policy's ceiling.

## Example
Policy:
```hcl
max_concurrent_runs_ceiling = 10
```
Configuration:
```hcl
max_concurrent_runs = -1
```
Use instead:
```hcl
max_concurrent_runs = 5
```
"#
);

rule!(
    /// `max_concurrent_runs` is above the policy's ceiling.
    RUNS_ABOVE_CEILING, "DP102", "runs-above-ceiling", Error,
    r#"## What it does
Checks that `max_concurrent_runs` is at most the policy's `max_concurrent_runs_ceiling`.

## Why is this bad?
The ceiling is what the organisation sized its cluster and database for; more runs at once than
that can exhaust pods, nodes or connections for every team sharing them.

## How to fix
Lower `max_concurrent_runs` to the ceiling or below, or agree a higher ceiling in the policy.

## Example
Policy:
```hcl
max_concurrent_runs_ceiling = 10
```
Configuration:
```hcl
max_concurrent_runs = 25
```
Use instead:
```hcl
max_concurrent_runs = 10
```
"#
);

rule!(
    /// A tag key the policy requires has no limit covering all its values.
    REQUIRED_TAG_LIMIT_MISSING, "DP103", "required-tag-limit-missing", Error,
    r#"## What it does
Checks that every key in the policy's `required_tag_limits` has a `tag_concurrency_limit` that
covers all of the key's values: a limit without `value` (one limit shared by all values) or with
`apply_limit_per_unique_value = true` (one limit per value). A limit for one specific `value`
does not count.

## Why is this bad?
Some tags mark runs that come in floods: `dagster/backfill` is on every run of a backfill, and a
backfill of many partitions queues many runs at once. Without a limit on the tag those runs take
every slot of the global limit and starve scheduled work.

## How to fix
Add a `tag_concurrency_limit` block for the key.

## Example
Policy:
```hcl
required_tag_limits = ["dagster/backfill"]
```
Configuration:
```hcl
max_concurrent_runs = 5
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
    /// A tag limit is above the policy's tag ceiling.
    TAG_LIMIT_ABOVE_CEILING, "DP104", "tag-limit-above-ceiling", Error,
    r#"## What it does
Checks that every tag `limit` is at most the policy's `tag_limit_ceiling`.

## Why is this bad?
Tag limits keep one kind of run (a backfill, a team, a code location) from taking the whole
deployment; a limit above the agreed ceiling lets it.

## How to fix
Lower the tag limit to the ceiling or below.

## Example
Policy:
```hcl
tag_limit_ceiling = 3
```
Configuration:
```hcl
tag_concurrency_limit {
  key   = "dagster/backfill"
  limit = 8
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
    /// The runs at once, times the connections each opens, exceed the PostgreSQL budget.
    CONNECTION_BUDGET_EXCEEDED, "DP105", "connection-budget-exceeded", Error,
    r#"## What it does
With `postgres_connection_budget` and `connections_per_run` in the policy, checks that
`max_concurrent_runs * connections_per_run` fits the budget, and that runs are limited at all.
When the policy also sets `max_concurrent_runs_ceiling`, unlimited runs are reported once, as
DP101.

## Why is this bad?
Every run opens its own connections to Dagster's PostgreSQL database (the seed ADR limits runs
for this reason). When more runs start than the database has connections for, runs and the
daemon fail with connection errors, usually in the middle of a large backfill.

## How to fix
Lower `max_concurrent_runs` to the budget divided by the connections per run, or raise the
budget in the policy after raising the database's `max_connections`.

## Example
Policy:
```hcl
postgres_connection_budget = 100
connections_per_run        = 4
```
Configuration:
```hcl
max_concurrent_runs = 30 # 30 * 4 = 120 connections
```
Use instead:
```hcl
max_concurrent_runs = 25 # 25 * 4 = 100 connections
```
"#
);

/// What a configuration does against the policy; `runs` shows the run limit as the file names
/// it, and `fix` is said for the kind of file read.
enum PolicyViolation<'a> {
    /// DP101.
    RunsNotLimited {
        runs: String,
        ceiling: i64,
        fix: String,
    },
    /// DP102.
    RunsAboveCeiling {
        name: &'a str,
        value: i64,
        ceiling: i64,
        fix: String,
    },
    /// DP103: `list` names where tag limits go.
    RequiredTagLimitMissing {
        list: &'a str,
        key: &'a str,
        fix: String,
    },
    /// DP104.
    TagLimitAboveCeiling {
        name: String,
        limit: i64,
        key: &'a str,
        ceiling: i64,
    },
    /// DP105 with runs not limited.
    UnlimitedRunsOverBudget {
        runs: String,
        per_run: i64,
        budget: i64,
        fix: String,
    },
    /// DP105: `used` connections of `value` runs.
    RunsOverBudget {
        name: &'a str,
        value: i64,
        per_run: i64,
        used: i128,
        budget: i64,
        fix: String,
    },
}

impl Violation for PolicyViolation<'_> {
    fn rule(&self) -> &'static Rule {
        match self {
            PolicyViolation::RunsNotLimited { .. } => &RUNS_NOT_LIMITED,
            PolicyViolation::RunsAboveCeiling { .. } => &RUNS_ABOVE_CEILING,
            PolicyViolation::RequiredTagLimitMissing { .. } => &REQUIRED_TAG_LIMIT_MISSING,
            PolicyViolation::TagLimitAboveCeiling { .. } => &TAG_LIMIT_ABOVE_CEILING,
            PolicyViolation::UnlimitedRunsOverBudget { .. }
            | PolicyViolation::RunsOverBudget { .. } => &CONNECTION_BUDGET_EXCEEDED,
        }
    }

    fn summary(&self) -> String {
        match self {
            PolicyViolation::RunsNotLimited { runs, ceiling, .. } => format!("{runs}: runs are not limited, and the policy requires at most {ceiling}"),
            PolicyViolation::RunsAboveCeiling { name, value, ceiling, .. } => format!("{name} = {value} is above the policy's max_concurrent_runs_ceiling of {ceiling}"),
            PolicyViolation::RequiredTagLimitMissing { list, key, .. } => format!("no {list} covers every value of {key:?}, which the policy requires"),
            PolicyViolation::TagLimitAboveCeiling { name, limit, key, ceiling } => format!("{name} = {limit} for key {key:?} is above the policy's tag_limit_ceiling of {ceiling}"),
            PolicyViolation::UnlimitedRunsOverBudget { runs, per_run, budget, .. } => format!("{runs}: runs are not limited, so their {per_run} connections each cannot fit the postgres_connection_budget of {budget}"),
            PolicyViolation::RunsOverBudget { name, value, per_run, used, budget, .. } => format!("{name} {value} * connections_per_run {per_run} = {used} connections, over the postgres_connection_budget of {budget}"),
        }
    }

    fn fix(&self) -> String {
        match self {
            PolicyViolation::RunsNotLimited { fix, .. }
            | PolicyViolation::RunsAboveCeiling { fix, .. }
            | PolicyViolation::RequiredTagLimitMissing { fix, .. }
            | PolicyViolation::UnlimitedRunsOverBudget { fix, .. }
            | PolicyViolation::RunsOverBudget { fix, .. } => fix.clone(),
            PolicyViolation::TagLimitAboveCeiling { ceiling, .. } => {
                format!("set the limit to at most {ceiling}")
            }
        }
    }
}

/// Applies every policy rule, naming settings in `words`.
pub(super) fn check(
    config: &ConcurrencyConfig,
    policy: &Policy,
    words: &Vocabulary,
    out: &mut Vec<Finding>,
) {
    let runs_path = || AttrPath::attr("max_concurrent_runs");
    let runs_name = &words.name(&runs_path());
    let runs = &config.max_concurrent_runs;
    let unlimited = matches!(runs, Setting::Unset | Setting::Known(-1));
    let shown = |runs: &Setting<i64>| match runs {
        Setting::Known(value) => format!("{runs_name} = {value}"),
        _ => format!("{runs_name} is not set"),
    };
    if let Some(&ceiling) = policy.max_concurrent_runs_ceiling.known() {
        let fix = words.set(&runs_path(), &format!("at most {ceiling}"));
        let violation = match runs.known() {
            _ if unlimited => Some(PolicyViolation::RunsNotLimited {
                runs: shown(runs),
                ceiling,
                fix,
            }),
            Some(&value) if value > ceiling => Some(PolicyViolation::RunsAboveCeiling {
                name: runs_name,
                value,
                ceiling,
                fix,
            }),
            _ => None,
        };
        if let Some(violation) = violation {
            out.push(Finding::new(runs_path(), &violation));
        }
    }
    let tags: Option<&[TagLimit]> = match &config.tag_limits {
        Setting::Known(tags) => Some(tags),
        Setting::Unset => Some(&[]),
        Setting::Unknown => None,
    };
    // A key not known yet might be the required one: nothing is reported until it is known.
    if let Some(tags) = tags.filter(|tags| tags.iter().all(|tag| !tag.key.is_unknown())) {
        let list = &match words.source() {
            Source::Resource => "tag_concurrency_limit".to_owned(),
            _ => format!(
                "tag limit in {}",
                words.name(&AttrPath::attr("tag_concurrency_limit"))
            ),
        };
        for key in policy.required_tag_limits.known().into_iter().flatten() {
            let covered = tags
                .iter()
                .any(|tag| tag.key.known() == Some(key) && tag.covers_every_value());
            if !covered {
                out.push(Finding::new(
                    AttrPath::attr("tag_concurrency_limit"),
                    &PolicyViolation::RequiredTagLimitMissing {
                        list,
                        key,
                        fix: words.add_tag_limit(key, tags.len()),
                    },
                ));
            }
        }
    }
    if let Some(&ceiling) = policy.tag_limit_ceiling.known() {
        for (index, tag) in config.known_tag_limits() {
            if let Some(&limit) = tag.limit.known().filter(|limit| **limit > ceiling) {
                let key = tag.key.known().map_or("?", String::as_str);
                let path = AttrPath::item("tag_concurrency_limit", index).then("limit");
                let name = words.name(&path);
                out.push(Finding::new(
                    path,
                    &PolicyViolation::TagLimitAboveCeiling {
                        name,
                        limit,
                        key,
                        ceiling,
                    },
                ));
            }
        }
    }
    if let (Some(&budget), Some(&per_run)) = (
        policy.postgres_connection_budget.known(),
        policy.connections_per_run.known(),
    ) {
        let fix = words.set(
            &runs_path(),
            &format!("at most {} ({budget} / {per_run})", budget / per_run.max(1)),
        );
        let violation = match runs.known() {
            // With a ceiling too, DP101 already reports unlimited runs.
            _ if unlimited && !policy.max_concurrent_runs_ceiling.is_set() => {
                Some(PolicyViolation::UnlimitedRunsOverBudget {
                    runs: shown(runs),
                    per_run,
                    budget,
                    fix,
                })
            }
            _ if unlimited => None,
            Some(&value) if value > 0 => {
                let used = i128::from(value) * i128::from(per_run);
                (used > i128::from(budget)).then_some(PolicyViolation::RunsOverBudget {
                    name: runs_name,
                    value,
                    per_run,
                    used,
                    budget,
                    fix,
                })
            }
            _ => None,
        };
        if let Some(violation) = violation {
            out.push(Finding::new(runs_path(), &violation));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{check, Policy};
    use crate::model::{ConcurrencyConfig, Setting, TagLimit};
    use crate::testing::{seed, tag};

    fn fired(config: &ConcurrencyConfig, policy: &Policy, code: &str) -> Vec<String> {
        check(config, policy)
            .into_iter()
            .filter(|finding| finding.rule.code == code)
            .map(|finding| finding.at.to_string())
            .collect()
    }

    fn with_runs(runs: Setting<i64>) -> ConcurrencyConfig {
        ConcurrencyConfig {
            max_concurrent_runs: runs,
            ..seed()
        }
    }

    fn ceiling(value: i64) -> Policy {
        Policy {
            max_concurrent_runs_ceiling: Setting::Known(value),
            ..Default::default()
        }
    }

    #[test]
    fn an_empty_policy_finds_nothing() {
        assert_eq!(
            check(&with_runs(Setting::Unset), &Policy::default()),
            vec![]
        );
    }

    #[test]
    fn runs_not_limited() {
        for runs in [Setting::Unset, Setting::Known(-1)] {
            assert_eq!(
                fired(&with_runs(runs), &ceiling(10), "DP101"),
                ["max_concurrent_runs"]
            );
        }
        assert!(fired(&with_runs(Setting::Known(10)), &ceiling(10), "DP101").is_empty());
        assert!(fired(&with_runs(Setting::Unknown), &ceiling(10), "DP101").is_empty());
        assert!(fired(&with_runs(Setting::Unset), &Policy::default(), "DP101").is_empty());
    }

    #[test]
    fn runs_above_ceiling() {
        assert_eq!(
            fired(&with_runs(Setting::Known(11)), &ceiling(10), "DP102"),
            ["max_concurrent_runs"]
        );
        assert!(fired(&with_runs(Setting::Known(10)), &ceiling(10), "DP102").is_empty());
        assert!(fired(&with_runs(Setting::Known(0)), &ceiling(10), "DP102").is_empty());
        let findings = check(&with_runs(Setting::Known(11)), &ceiling(10));
        assert!(findings[0].summary.contains("= 11") && findings[0].summary.contains("10"));
    }

    #[test]
    fn required_tag_limit_missing() {
        let policy = Policy {
            required_tag_limits: Setting::Known(vec!["dagster/backfill".into(), "team".into()]),
            ..Default::default()
        };
        let mut config = seed();
        assert_eq!(fired(&config, &policy, "DP103"), ["tag_concurrency_limit"]);
        config.tag_limits = Setting::Known(vec![tag("dagster/backfill", 3), tag("team", 1)]);
        assert!(fired(&config, &policy, "DP103").is_empty());
        let one_value = TagLimit {
            value: Setting::Known("a".into()),
            ..tag("team", 1)
        };
        config.tag_limits = Setting::Known(vec![tag("dagster/backfill", 3), one_value.clone()]);
        assert_eq!(fired(&config, &policy, "DP103"), ["tag_concurrency_limit"]);
        let per_unique = TagLimit {
            value: Setting::Unset,
            apply_limit_per_unique_value: Setting::Known(true),
            ..one_value
        };
        config.tag_limits = Setting::Known(vec![tag("dagster/backfill", 3), per_unique]);
        assert!(fired(&config, &policy, "DP103").is_empty());
        config.tag_limits = Setting::Unset;
        assert_eq!(fired(&config, &policy, "DP103").len(), 2);
        config.tag_limits = Setting::Unknown;
        assert!(fired(&config, &policy, "DP103").is_empty());
    }

    #[test]
    fn tag_limit_above_ceiling() {
        let policy = Policy {
            tag_limit_ceiling: Setting::Known(3),
            ..Default::default()
        };
        let mut config = seed();
        assert!(fired(&config, &policy, "DP104").is_empty());
        config.tag_limits = Setting::Known(vec![tag("a", 3), tag("b", 4)]);
        assert_eq!(
            fired(&config, &policy, "DP104"),
            ["tag_concurrency_limit[1].limit"]
        );
    }

    #[test]
    fn connection_budget_shows_the_arithmetic() {
        let policy = Policy {
            postgres_connection_budget: Setting::Known(100),
            connections_per_run: Setting::Known(4),
            ..Default::default()
        };
        let findings = check(&with_runs(Setting::Known(30)), &policy);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].rule.code, "DP105");
        assert_eq!(
            findings[0].summary,
            "max_concurrent_runs 30 * connections_per_run 4 = 120 connections, over the postgres_connection_budget of 100"
        );
        assert!(findings[0].fix.contains("at most 25"));
        assert!(check(&with_runs(Setting::Known(25)), &policy).is_empty());
        assert_eq!(
            fired(&with_runs(Setting::Unset), &policy, "DP105"),
            ["max_concurrent_runs"]
        );
        let both = Policy {
            max_concurrent_runs_ceiling: Setting::Known(50),
            ..policy.clone()
        };
        let codes: Vec<&str> = check(&with_runs(Setting::Known(-1)), &both)
            .iter()
            .map(|f| f.rule.code)
            .collect();
        assert_eq!(codes, ["DP101"]);
        let huge = with_runs(Setting::Known(i64::MAX));
        assert_eq!(fired(&huge, &policy, "DP105"), ["max_concurrent_runs"]);
    }
}
