//! The raw-values rules (`rules::raw`) on values YAML as the reader parses it: here, above both,
//! because the rules sit below the readers and may not parse text themselves.

use super::values_yaml::parse;
use crate::position::Position;
use crate::rules::raw::{self, RawFindings};
use crate::rules::{Rule, Violation};

/// A raw-values finding as the rules raise it.
#[derive(Debug, PartialEq)]
struct Raised {
    rule: &'static Rule,
    key: String,
    summary: String,
    fix: String,
}

impl RawFindings for Vec<Raised> {
    fn raise(&mut self, key: String, _: Position, violation: &dyn Violation) {
        self.push(Raised {
            rule: violation.rule(),
            key,
            summary: violation.summary(),
            fix: violation.fix(),
        });
    }
}

/// The raw-values findings on `yaml`.
fn check(yaml: &str) -> Vec<Raised> {
    let root = parse(yaml, Position::START)
        .expect("yaml")
        .expect("not empty");
    let mut found = Vec::new();
    raw::check(&root, &mut found);
    found
}

fn fired(yaml: &str, code: &str) -> Vec<String> {
    check(yaml)
        .into_iter()
        .filter(|f| f.rule.code == code)
        .map(|f| f.key)
        .collect()
}

const SEED: &str = "dagsterDaemon:\n  runCoordinator:\n    enabled: true\n    type: QueuedRunCoordinator\n    config:\n      queuedRunCoordinator:\n        maxConcurrentRuns: 5\n        tagConcurrencyLimits:\n          - key: dagster/backfill\n            value:\n              applyLimitPerUniqueValue: true\n            limit: 3\n";

#[test]
fn seed_is_clean() {
    assert_eq!(check(SEED), vec![]);
}

#[test]
fn limits_not_applied() {
    let disabled = SEED.replace("enabled: true", "enabled: false");
    assert_eq!(
        fired(&disabled, "DC601"),
        ["dagsterDaemon.runCoordinator.enabled"]
    );
    let custom = SEED.replace("type: QueuedRunCoordinator", "type: CustomRunCoordinator");
    assert_eq!(
        fired(&custom, "DC601"),
        ["dagsterDaemon.runCoordinator.type"]
    );
    let section = "concurrency:\n  runs:\n    maxConcurrentRuns: 3\n";
    assert_eq!(fired(section, "DC601"), ["concurrency.enabled"]);
    let enabled = "concurrency:\n  enabled: true\n  runs:\n    maxConcurrentRuns: 3\n";
    assert!(fired(enabled, "DC601").is_empty());
    let disabled_without_limits = "dagsterDaemon:\n  runCoordinator:\n    enabled: false\n";
    assert!(fired(disabled_without_limits, "DC601").is_empty());
    assert!(fired(SEED, "DC601").is_empty());
}

#[test]
fn limits_in_both_places() {
    let both = format!("{SEED}concurrency:\n  enabled: true\n  runs:\n    maxConcurrentRuns: 5\n");
    assert_eq!(fired(&both, "DC602"), ["concurrency.runs"]);
    let pools_only =
        format!("{SEED}concurrency:\n  enabled: true\n  pools:\n    defaultLimit: 1\n");
    assert!(fired(&pools_only, "DC602").is_empty());
}

#[test]
fn misspelt_apply_limit_per_unique_value() {
    let typo = SEED.replace("applyLimitPerUniqueValue:", "applyLimitPerUniqueValues:");
    assert_eq!(
        fired(&typo, "DC604"),
        ["dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0].value.applyLimitPerUniqueValues"]
    );
    assert!(fired(SEED, "DC604").is_empty());
}

#[test]
fn raw_findings_read_as_hint_lines() {
    let yamls = [
        SEED.replace("enabled: true", "enabled: false"),
        format!("{SEED}concurrency:\n  enabled: false\n  runs:\n    maxConcurrentRuns: 5\n  pools:\n    defaultLimt: 1\n"),
        SEED.replace("applyLimitPerUniqueValue:", "applyLimitPerUniqueValues:")
            .replace("maxConcurrentRuns", "maxConcurentRuns"),
    ];
    let mut codes = Vec::new();
    for yaml in &yamls {
        for finding in check(yaml) {
            codes.push(finding.rule.code);
            for text in [&finding.summary, &finding.fix] {
                assert!(
                    !text.ends_with(['.', '?', '!']) && !text.starts_with(char::is_uppercase),
                    "{}: {text:?}",
                    finding.rule.code
                );
            }
        }
    }
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes, ["DC601", "DC602", "DC604", "DC606"]);
}

#[test]
fn unknown_coordinator_key() {
    let typo = SEED.replace("maxConcurrentRuns", "maxConcurentRuns");
    assert_eq!(
        fired(&typo, "DC606"),
        ["dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurentRuns"]
    );
    let tag_typo = SEED.replace("limit: 3", "limt: 3");
    assert_eq!(fired(&tag_typo, "DC606").len(), 1);
    let pools = "concurrency:\n  enabled: true\n  pools:\n    defaultLimt: 1\n";
    assert_eq!(fired(pools, "DC606"), ["concurrency.pools.defaultLimt"]);
    assert!(fired(SEED, "DC606").is_empty());
}
