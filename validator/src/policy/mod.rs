//! Organisation policy: limits a team sets once for every Dagster deployment it reviews.
//!
//! A [`Policy`] is read from an HCL file ([`parse`], for the CLI's `--policy FILE`) or from the
//! provider's `policy` block, both with the same attribute names. Its own settings are checked by
//! [`Policy::problems`] (a malformed policy is refused, never ignored); [`check`] then applies it
//! to a configuration and returns [`Finding`]s of the `DP1xx` rules in [`RULES`], the same
//! machinery as [`crate::rules`].

mod file;
mod rules;

pub use file::{parse, PolicyError};
pub use rules::{
    CONNECTION_BUDGET_EXCEEDED, REQUIRED_TAG_LIMIT_MISSING, RUNS_ABOVE_CEILING, RUNS_NOT_LIMITED,
    TAG_LIMIT_ABOVE_CEILING,
};

use crate::model::{ConcurrencyConfig, Setting};
use crate::rules::{Finding, Rule, Source, Vocabulary};

/// Every policy rule, in code order.
pub static RULES: &[&Rule] = &[
    &RUNS_NOT_LIMITED,
    &RUNS_ABOVE_CEILING,
    &REQUIRED_TAG_LIMIT_MISSING,
    &TAG_LIMIT_ABOVE_CEILING,
    &CONNECTION_BUDGET_EXCEEDED,
];

/// Every rule a report can name: the rule engine's ([`crate::rules::REGISTRY`]), then the
/// policy's, in code order.
pub fn every_rule() -> impl Iterator<Item = &'static Rule> {
    crate::rules::REGISTRY.iter().chain(RULES).copied()
}

/// The policy rule with this code (case-insensitive).
pub fn find(code: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|rule| rule.code.eq_ignore_ascii_case(code))
}

/// The policy attribute names, as written in policy files and in the provider's `policy` block.
pub mod attr {
    /// Highest `max_concurrent_runs` allowed; runs must also be limited.
    pub const MAX_CONCURRENT_RUNS_CEILING: &str = "max_concurrent_runs_ceiling";
    /// Tag keys that must carry a limit.
    pub const REQUIRED_TAG_LIMITS: &str = "required_tag_limits";
    /// Highest tag limit allowed.
    pub const TAG_LIMIT_CEILING: &str = "tag_limit_ceiling";
    /// PostgreSQL connections the runs may use together.
    pub const POSTGRES_CONNECTION_BUDGET: &str = "postgres_connection_budget";
    /// PostgreSQL connections one run opens.
    pub const CONNECTIONS_PER_RUN: &str = "connections_per_run";
    /// Every attribute, in documentation order.
    pub const ALL: [&str; 5] = [
        MAX_CONCURRENT_RUNS_CEILING,
        REQUIRED_TAG_LIMITS,
        TAG_LIMIT_CEILING,
        POSTGRES_CONNECTION_BUDGET,
        CONNECTIONS_PER_RUN,
    ];
}

/// An organisation policy. Every setting is optional; unknown ones (a provider block computed
/// from values known only later) are not enforced until they are known.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Policy {
    /// Runs must be limited (not unset, not -1) and at most this.
    pub max_concurrent_runs_ceiling: Setting<i64>,
    /// Tag keys that must carry a limit covering every value of the key.
    pub required_tag_limits: Setting<Vec<String>>,
    /// Every tag limit at most this.
    pub tag_limit_ceiling: Setting<i64>,
    /// PostgreSQL connections all runs together may hold.
    pub postgres_connection_budget: Setting<i64>,
    /// PostgreSQL connections each run opens.
    pub connections_per_run: Setting<i64>,
}

/// Something wrong with a policy's own settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyProblem {
    /// The attribute at fault (one of [`attr::ALL`]).
    pub attribute: &'static str,
    /// The list element at fault, for `required_tag_limits`.
    pub index: Option<usize>,
    /// What is wrong, lowercase, without a trailing period.
    pub message: String,
}

impl Policy {
    /// What is wrong with the policy's own settings; empty when it can be enforced.
    pub fn problems(&self) -> Vec<PolicyProblem> {
        let mut problems = Vec::new();
        let mut at_least_one = |attribute: &'static str, setting: &Setting<i64>| {
            if let Some(value) = setting.known().filter(|value| **value < 1) {
                problems.push(PolicyProblem {
                    attribute,
                    index: None,
                    message: format!("{attribute} = {value} must be at least 1"),
                });
            }
        };
        at_least_one(
            attr::MAX_CONCURRENT_RUNS_CEILING,
            &self.max_concurrent_runs_ceiling,
        );
        at_least_one(attr::TAG_LIMIT_CEILING, &self.tag_limit_ceiling);
        at_least_one(
            attr::POSTGRES_CONNECTION_BUDGET,
            &self.postgres_connection_budget,
        );
        at_least_one(attr::CONNECTIONS_PER_RUN, &self.connections_per_run);
        let budget = attr::POSTGRES_CONNECTION_BUDGET;
        let per_run = attr::CONNECTIONS_PER_RUN;
        let (present, missing) = match (
            self.postgres_connection_budget.is_set(),
            self.connections_per_run.is_set(),
        ) {
            (true, false) => (Some(budget), per_run),
            (false, true) => (Some(per_run), budget),
            _ => (None, budget),
        };
        if let Some(present) = present {
            problems.push(PolicyProblem {
                attribute: present,
                index: None,
                message: format!("{present} needs {missing} to compute the connections used"),
            });
        }
        let keys = self
            .required_tag_limits
            .known()
            .map_or(&[][..], Vec::as_slice);
        for (index, key) in keys.iter().enumerate() {
            let message = if key.is_empty() {
                "a required tag key is empty".to_owned()
            } else if keys[..index].contains(key) {
                format!("required tag key \"{key}\" is listed twice")
            } else {
                continue;
            };
            problems.push(PolicyProblem {
                attribute: attr::REQUIRED_TAG_LIMITS,
                index: Some(index),
                message,
            });
        }
        problems
    }

    /// True when no setting is written: enforcing it finds nothing.
    pub fn is_empty(&self) -> bool {
        self == &Policy::default()
    }
}

/// Applies the policy to a `dagster_concurrency` resource; unknown values are skipped, known
/// ones always checked.
pub fn check(config: &ConcurrencyConfig, policy: &Policy) -> Vec<Finding> {
    check_as(config, policy, Source::Resource)
}

/// Applies the policy to a configuration read from `source`, whose names the findings use.
pub fn check_as(config: &ConcurrencyConfig, policy: &Policy, source: Source) -> Vec<Finding> {
    let words = Vocabulary::new(
        source,
        config.effective_placement(),
        config.values_prefix.known().map(String::as_str),
    );
    let mut out = Vec::new();
    rules::check(config, policy, &words, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ConcurrencyConfig, TagLimit};
    use crate::rules::testing::{assert_hint_line, bad_configurations, seed};
    use crate::rules::{check_pool_limit, PoolLimitConfig};

    #[test]
    fn codes_are_unique_sorted_and_policy_prefixed() {
        let mut previous = "";
        for rule in RULES {
            assert!(rule.code > previous, "{} out of order", rule.code);
            assert!(rule.code.starts_with("DP1"), "{}", rule.code);
            assert!(
                crate::rules::find(rule.code).is_none(),
                "{} reused",
                rule.code
            );
            previous = rule.code;
            assert_eq!(find(&rule.code.to_lowercase()), Some(*rule));
        }
    }

    #[test]
    fn problems_name_the_attribute() {
        let policy = Policy {
            max_concurrent_runs_ceiling: Setting::Known(0),
            required_tag_limits: Setting::Known(vec!["a".into(), "".into(), "a".into()]),
            connections_per_run: Setting::Known(4),
            ..Default::default()
        };
        let found: Vec<(&str, Option<usize>)> = policy
            .problems()
            .iter()
            .map(|p| (p.attribute, p.index))
            .collect();
        assert_eq!(
            found,
            [
                ("max_concurrent_runs_ceiling", None),
                ("connections_per_run", None),
                ("required_tag_limits", Some(1)),
                ("required_tag_limits", Some(2)),
            ]
        );
        assert!(policy.problems()[1]
            .message
            .contains("postgres_connection_budget"));
    }

    #[test]
    fn unknown_settings_are_not_problems() {
        let policy = Policy {
            max_concurrent_runs_ceiling: Setting::Unknown,
            postgres_connection_budget: Setting::Unknown,
            connections_per_run: Setting::Known(2),
            required_tag_limits: Setting::Unknown,
            ..Default::default()
        };
        assert_eq!(policy.problems(), vec![]);
        assert!(Policy::default().is_empty());
        assert!(!policy.is_empty());
    }

    /// Every summary and fix reads as a hint line: lowercase, without a trailing period or
    /// question mark (the provider ends a fix with its own period; `?.` is what a trailing
    /// question made of DC208's fix). Every configuration rule but those raised while reading
    /// fires in [`bad_configurations`], so no rule's text escapes the check.
    #[test]
    fn every_finding_reads_as_a_hint_line() {
        let mut fired = std::collections::BTreeSet::new();
        let policy = Policy {
            max_concurrent_runs_ceiling: Setting::Known(1),
            required_tag_limits: Setting::Known(vec!["dagster/backfill".into(), "x".into()]),
            tag_limit_ceiling: Setting::Known(1),
            postgres_connection_budget: Setting::Known(1),
            connections_per_run: Setting::Known(2),
        };
        let pool_limits = [("", 1), (" pool", 1), ("pool", 5000)].map(|(pool, limit)| {
            check_pool_limit(&PoolLimitConfig {
                pool: Setting::Known(pool.into()),
                limit: Setting::Known(limit),
            })
        });
        let unlimited_runs = ConcurrencyConfig {
            max_concurrent_runs: Setting::Unset,
            tag_limits: Setting::Known(vec![TagLimit::default()]),
            ..seed()
        };
        let mut findings: Vec<Finding> = pool_limits.into_iter().flatten().collect();
        for source in [Source::Resource, Source::ValuesFile, Source::HelmRelease] {
            for config in bad_configurations() {
                findings.extend(crate::rules::check_as(&config, source));
                findings.extend(check_as(&config, &policy, source));
            }
            let unlimited_budget = Policy {
                max_concurrent_runs_ceiling: Setting::Unset,
                ..policy.clone()
            };
            findings.extend(check_as(&unlimited_runs, &unlimited_budget, source));
        }
        for finding in &findings {
            fired.insert(finding.rule.code);
            for text in [&finding.summary, &finding.fix] {
                assert_hint_line(finding.rule.code, text);
            }
        }
        let read_while_reading = [
            "DC504", "DC510", "DC511", "DC512", "DC513", "DC601", "DC602", "DC603", "DC604",
            "DC605", "DC606",
        ];
        for rule in every_rule() {
            assert!(
                fired.contains(rule.code) || read_while_reading.contains(&rule.code),
                "{} never fired, so its text is unchecked",
                rule.code
            );
        }
    }
}
