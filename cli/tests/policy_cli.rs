//! `dagster-concurrency check --policy FILE`: the DP rules on every input kind, at the line of
//! the attribute, and a malformed policy file refused with its line (exit 2).

mod common;

use common::{run, text};

fn fixture(name: &str) -> String {
    common::fixture(&format!("policy/{name}"))
}

#[test]
fn breaches_are_errors_at_their_attribute() {
    let policy = fixture("platform.hcl");
    let release = fixture("release.tf");
    let values = fixture("values.yaml");
    let output = run(&["check", "--policy", &policy, &release, &values]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let queued = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator";
    for line in [
        format!("{release}:8:25: error[DP102]: max_concurrent_runs = 30 is above the policy's max_concurrent_runs_ceiling of 10"),
        format!("{release}:13:13: error[DP104]: tag_concurrency_limit[0].limit = 8 for key \"dagster/backfill\" is above the policy's tag_limit_ceiling of 5"),
        format!("{release}:8:25: error[DP105]: max_concurrent_runs 30 * connections_per_run 4 = 120 connections, over the postgres_connection_budget of 100"),
        // Raw values are named by their chart keys, and fixed in the file's own terms.
        format!("{values}:5:28: error[DP102]: {queued}.maxConcurrentRuns = 12 is above the policy's max_concurrent_runs_ceiling of 10"),
        format!("  = hint: in the values file, set {queued}.maxConcurrentRuns to at most 10"),
        format!("{release}:1:1: error[DP101]: {queued}.maxConcurrentRuns is not set: runs are not limited, and the policy requires at most 10"),
        format!("  = hint: in the release's values or set entries, set {queued}.maxConcurrentRuns to at most 10"),
        format!("{values}:1:1: error[DP103]: no tag limit in {queued}.tagConcurrencyLimits covers every value of \"dagster/backfill\", which the policy requires"),
        format!("  = hint: add {{key: \"dagster/backfill\", limit: N}} to {queued}.tagConcurrencyLimits in the values file"),
        format!("  = hint: add set entries {queued}.tagConcurrencyLimits[0].key = \"dagster/backfill\" and {queued}.tagConcurrencyLimits[0].limit = N"),
    ] {
        assert!(stdout.contains(&line), "missing {line:?} in\n{stdout}");
    }
    let clean = run(&["check", &release, &values]);
    assert!(
        !text(&clean.stdout).contains("[DP"),
        "no policy, no DP findings"
    );
}

#[test]
fn policy_findings_are_in_every_format() {
    let policy = fixture("platform.hcl");
    let release = fixture("release.tf");
    let output = run(&["check", "--format", "sarif", "--policy", &policy, &release]);
    let sarif: serde_json::Value = serde_json::from_slice(&output.stdout).expect("sarif json");
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].to_string();
    let results = sarif["runs"][0]["results"].to_string();
    assert!(
        results.contains("DP102") && results.contains("DP105"),
        "{results}"
    );
    assert!(rules.contains("\"DP102\""), "the DP rules are described");
    let index = sarif["runs"][0]["results"][0]["ruleIndex"]
        .as_u64()
        .unwrap_or(u64::MAX);
    assert_eq!(
        sarif["runs"][0]["tool"]["driver"]["rules"][index as usize]["id"],
        sarif["runs"][0]["results"][0]["ruleId"]
    );
}

#[test]
fn a_malformed_policy_exits_2_with_its_line() {
    let release = fixture("release.tf");
    for (file, expected) in [
        ("typo.hcl", "typo.hcl:3:1: unknown policy attribute `tag_limit_celing`: did you mean `tag_limit_ceiling`?"),
        ("syntax.hcl", "syntax.hcl:2:"),
        ("meaningless.hcl", "meaningless.hcl:2:1: connections_per_run needs postgres_connection_budget to compute the connections used"),
    ] {
        let output = run(&["check", "--policy", &fixture(file), &release]);
        assert_eq!(output.status.code(), Some(2), "{file}");
        let stderr = text(&output.stderr);
        assert!(stderr.starts_with("error: ") && stderr.contains(expected), "{file}: {stderr}");
        assert!(output.stdout.is_empty(), "{file}: nothing is checked with a broken policy");
    }
}

#[test]
fn explain_and_rules_know_the_policy_rules() {
    let output = run(&["explain", "dp105"]);
    assert_eq!(output.status.code(), Some(0));
    let doc = text(&output.stdout);
    assert!(
        doc.starts_with("# DP105 connection-budget-exceeded (error)"),
        "{doc}"
    );
    assert!(doc.contains("## How to fix"));
    let rules = text(&run(&["rules"]).stdout);
    for code in ["DP101", "DP102", "DP103", "DP104", "DP105"] {
        assert!(rules.contains(code), "{rules}");
    }
}
