//! What the rules say through the CLI: the verdicts, and summaries and fixes in the language of
//! the file being read (chart keys for raw values, attributes for `dagster_concurrency`).

mod common;

use common::{run, text};

fn fixture(name: &str) -> String {
    common::fixture(&format!("rules/{name}"))
}

/// The text report of `check` on one fixture, and its exit code.
fn check(name: &str) -> (String, Option<i32>) {
    let output = run(&["check", &fixture(name)]);
    (text(&output.stdout), output.status.code())
}

/// The 1-based line holding `marker` in a fixture.
fn line_of(name: &str, marker: &str) -> usize {
    let source = std::fs::read_to_string(fixture(name)).expect("fixture");
    source
        .lines()
        .position(|line| line.contains(marker))
        .map(|index| index + 1)
        .unwrap_or_else(|| panic!("{marker} in {name}"))
}

const QUEUED: &str = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator";

#[test]
fn per_unique_value_false_goes_with_a_value_and_true_does_not() {
    let (report, code) = check("tag-limits.tf");
    assert_eq!(code, Some(1), "{report}");
    let dc203: Vec<&str> = report.lines().filter(|l| l.contains("[DC203]")).collect();
    let line = line_of("tag-limits.tf", "# DC203");
    assert_eq!(dc203.len(), 1, "only `true` conflicts with value: {report}");
    assert!(dc203[0].contains(&format!(":{line}:")), "{line}: {report}");
}

#[test]
fn a_repeated_tag_limit_is_reported_at_the_repeat() {
    let (report, _) = check("tag-limits.tf");
    let line = line_of("tag-limits.tf", "# DC204");
    assert!(
        report.contains(&format!(":{line}:13: error[DC204]: tag_concurrency_limit[1] repeats the limit for key \"team\" of tag_concurrency_limit[0]")),
        "{report}"
    );
}

#[test]
fn chart_versions_must_be_exact_and_released() {
    let (report, code) = check("chart-versions.tf");
    assert_eq!(code, Some(1), "{report}");
    for text in ["\"v1.12.14\"", "\"1.12.14 \"", "\"01.12.14\""] {
        assert!(
            report.contains(&format!(
                "error[DC501]: chart_version {text} is not exact SemVer text"
            )),
            "{text}: {report}"
        );
    }
    assert_eq!(
        report.matches("  = hint: write \"1.12.14\"\n").count(),
        3,
        "{report}"
    );
    let line = line_of("chart-versions.tf", "\"1.12.99\"");
    assert!(
        report.contains(&format!(":{line}:25: warning[DC505]: chart_version 1.12.99 was never released as a Dagster chart")),
        "{report}"
    );
    // A helm_release's `version` is a Helm constraint: `v1.12.14` selects 1.12.14.
    assert!(!report.contains("error[DC501]: version"), "{report}");
}

#[test]
fn a_values_file_is_told_to_quote_a_string() {
    let (report, code) = check("string-value.yaml");
    assert_eq!(code, Some(1));
    assert!(
        report.contains(&format!("error[DC605]: {QUEUED}.tagConcurrencyLimits[0].value is a number where the chart expects a string")),
        "{report}"
    );
    assert!(
        report.contains("  = hint: quote it, so YAML keeps it text"),
        "{report}"
    );
    assert!(!report.contains("type = \"auto\""), "{report}");
}

/// Words only a `dagster_concurrency` resource has; findings on raw values must not use them.
const RESOURCE_WORDS: &[&str] = &[
    "placement",
    "max_concurrent_runs",
    "tag_concurrency_limit",
    "apply_limit_per_unique_value",
    "dequeue_",
    " pools.",
    "pools {",
    "default_limit",
    "op_granularity_run_buffer",
    "chart_version",
    "values_prefix",
];

#[test]
fn raw_values_are_named_by_chart_keys_not_resource_attributes() {
    for name in [
        "no-run-limit.yaml",
        "pools-with-coordinator.yaml",
        "pools-with-coordinator.tf",
        "many-mistakes.yaml",
        "pools-section.yaml",
    ] {
        let output = run(&["check", "--chart-version", "1.12.10", &fixture(name)]);
        let report = text(&output.stdout);
        assert!(report.contains("  = hint: "), "{name}: {report}");
        for resource_word in RESOURCE_WORDS {
            assert!(
                !report.contains(resource_word),
                "{name}: {resource_word} in {report}"
            );
        }
    }
    let (mistakes, _) = check("many-mistakes.yaml");
    for named in [
        format!("{QUEUED}.tagConcurrencyLimits[1].limit = -1 for key \"negative\" is negative"),
        format!("{QUEUED}.dequeueNumWorkers = 0 is below 1"),
        format!("{QUEUED}.tagConcurrencyLimits[5] repeats the limit for key \"zero\" of {QUEUED}.tagConcurrencyLimits[2]"),
    ] {
        assert!(mistakes.contains(&named), "{named}: {mistakes}");
    }
    let (values, _) = check("no-run-limit.yaml");
    assert!(
        values.contains(&format!(
            "  = hint: in the values file, set {QUEUED}.maxConcurrentRuns to "
        )),
        "{values}"
    );
    let (release, _) = check("pools-with-coordinator.tf");
    assert!(
        release.contains("  = hint: move maxConcurrentRuns and tagConcurrencyLimits to concurrency.runs (chart 1.12.12 and later), or remove concurrency.pools"),
        "{release}"
    );
}

#[test]
fn plan_json_names_each_resource_in_its_own_language() {
    let output = run(&["check", &common::fixture("plan.json")]);
    let report = text(&output.stdout);
    assert!(
        report.contains(&format!("warning[DC206]: module.platform.helm_release.dagster: {QUEUED}.tagConcurrencyLimits[1].limit = 5 for key \"dagster/backfill\" is not below {QUEUED}.maxConcurrentRuns = 5")),
        "the helm_release: {report}"
    );
    assert!(
        report.contains("warning[DC104]: dagster_concurrency.seed: max_concurrent_runs = 0 launches no run at all"),
        "the dagster_concurrency resource: {report}"
    );
}

/// Helm reads a release's `version = "v1.12.14"` as 1.12.14; migrating it must give the
/// resource the exact text, which `chart_version` requires (DC501).
#[test]
fn migrate_gives_the_resource_the_exact_chart_version() {
    let output = run(&["migrate", &fixture("chart-versions.tf")]);
    let diff = text(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        diff.contains("+  chart_version       = \"1.12.14\"\n"),
        "{diff}"
    );
}
