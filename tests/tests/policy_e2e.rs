//! The provider's `policy` block through real Terraform CLIs: enforced at validate (which never
//! configures the provider), at plan (when the policy is known only from variables) and at apply
//! (when it is known only then), with the DP codes at the attribute that breaks it.

use dagster_e2e::{clis, config, line_of, Terraform, Workspace};
use serde_json::{json, Value};

/// The seed ADR's limits under a policy they satisfy exactly.
const POLICY: &str = r#"provider "dagster" {
  policy {
    max_concurrent_runs_ceiling = 5
    required_tag_limits         = ["dagster/backfill"]
    tag_limit_ceiling           = 3
    postgres_connection_budget  = 20
    connections_per_run         = 4
  }
}
"#;

fn resource(runs: &str, tag_limit: &str) -> String {
    format!(
        "resource \"dagster_concurrency\" \"seed\" {{\n  max_concurrent_runs = {runs}\n\n  tag_concurrency_limit {{\n    key   = \"dagster/backfill\"\n    limit = {tag_limit}\n  }}\n}}\n"
    )
}

/// The error diagnostics as `(code-or-summary prefix, line)`.
fn errors(result: &Value) -> Vec<(String, u64)> {
    result["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            let summary = d["summary"].as_str().unwrap_or_default();
            let code = summary
                .split(']')
                .next()
                .unwrap_or_default()
                .trim_start_matches('[');
            (
                code.to_owned(),
                d["range"]["start"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

fn workspace(tf: &Terraform, text: &str) -> Workspace {
    let ws = Workspace::new(tf, text);
    ws.init();
    ws
}

#[test]
fn a_configuration_within_the_policy_validates_and_applies() {
    let text = config(&format!("{POLICY}\n{}", resource("5", "3")));
    for tf in clis() {
        let ws = workspace(tf, &text);
        let result = ws.validate_json();
        assert_eq!(
            result["valid"],
            json!(true),
            "terraform {}: {result:#}",
            tf.version
        );
        ws.apply();
        ws.run(&["plan", "-detailed-exitcode", "-no-color"])
            .expect_code(0);
    }
}

#[test]
fn validate_reports_each_breach_at_its_attribute() {
    let body = format!(
        "{POLICY}\n{}\ndata \"dagster_concurrency\" \"unlimited\" {{\n  max_concurrent_runs = -1 # DP101\n}}\n",
        resource("6 # DP102 DP105", "4 # DP104")
    );
    let text = config(&body);
    let runs_line = line_of(&text, "# DP102");
    let tag_line = line_of(&text, "# DP104");
    let data_line = line_of(&text, "# DP101");
    let data_block_line = line_of(&text, "data \"dagster_concurrency\"");
    for tf in clis() {
        let ws = workspace(tf, &text);
        let result = ws.validate_json();
        assert_eq!(result["valid"], json!(false), "terraform {}", tf.version);
        let mut found = errors(&result);
        found.sort();
        let mut expected = vec![
            ("DP101".to_owned(), data_line),
            ("DP102".to_owned(), runs_line),
            ("DP103".to_owned(), data_block_line),
            ("DP104".to_owned(), tag_line),
            ("DP105".to_owned(), runs_line),
        ];
        expected.sort();
        assert_eq!(found, expected, "terraform {}: {result:#}", tf.version);
        let summaries = result.to_string();
        assert!(
            summaries.contains("max_concurrent_runs 6 * connections_per_run 4 = 24 connections, over the postgres_connection_budget of 20"),
            "{summaries}"
        );
    }
}

#[test]
fn a_malformed_policy_block_is_an_error_at_its_line() {
    let text = config(&format!(
        "provider \"dagster\" {{\n  policy {{\n    connections_per_run = 4\n    tag_limit_ceiling   = 0\n  }}\n}}\n\n{}",
        resource("5", "3")
    ));
    for tf in clis() {
        let ws = workspace(tf, &text);
        let result = ws.validate_json();
        assert_eq!(result["valid"], json!(false), "terraform {}", tf.version);
        let diagnostics = result["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for (marker, words) in [
            (
                "connections_per_run = 4",
                "needs postgres_connection_budget",
            ),
            (
                "tag_limit_ceiling   = 0",
                "tag_limit_ceiling = 0 must be at least 1",
            ),
        ] {
            let line = line_of(&text, marker);
            assert!(
                diagnostics
                    .iter()
                    .any(|d| d["range"]["start"]["line"] == json!(line)
                        && d["summary"].as_str().is_some_and(|s| s.contains(words))),
                "terraform {}: no `{words}` at line {line}: {result:#}",
                tf.version
            );
        }
    }
}

#[test]
fn a_policy_from_variables_is_enforced_at_plan() {
    let text = config(&format!(
        "variable \"ceiling\" {{\n  type = number\n}}\n\nprovider \"dagster\" {{\n  policy {{\n    max_concurrent_runs_ceiling = var.ceiling\n  }}\n}}\n\n{}",
        resource("5", "3")
    ));
    for tf in clis() {
        let ws = workspace(tf, &text);
        let result = ws.validate_json();
        assert_eq!(
            result["valid"],
            json!(true),
            "terraform {}: {result:#}",
            tf.version
        );
        let run = ws.run(&["plan", "-no-color", "-var", "ceiling=4"]);
        assert_eq!(run.code, 1, "terraform {}: {}", tf.version, run.stdout);
        assert!(
            run.stderr.contains("[DP102] max_concurrent_runs = 5 is above the policy's max_concurrent_runs_ceiling of 4"),
            "terraform {}: {}",
            tf.version,
            run.stderr
        );
        ws.run(&["plan", "-no-color", "-var", "ceiling=5"])
            .expect_code(0);
    }
}

#[test]
fn a_policy_known_only_at_apply_is_enforced_at_apply() {
    // timestamp() is unknown until apply, so validate and plan cannot know the ceiling.
    let text = config(&format!(
        "provider \"dagster\" {{\n  policy {{\n    max_concurrent_runs_ceiling = timestamp() == \"\" ? 100 : 3\n  }}\n}}\n\n{}",
        resource("5", "3")
    ));
    for tf in clis() {
        let ws = workspace(tf, &text);
        assert_eq!(
            ws.validate_json()["valid"],
            json!(true),
            "terraform {}",
            tf.version
        );
        ws.run(&["plan", "-no-color"]).expect_code(0);
        let run = ws.run(&["apply", "-auto-approve", "-no-color"]);
        assert_eq!(run.code, 1, "terraform {}: {}", tf.version, run.stdout);
        assert!(
            run.stderr.contains("[DP102] max_concurrent_runs = 5 is above the policy's max_concurrent_runs_ceiling of 3"),
            "terraform {}: {}",
            tf.version,
            run.stderr
        );
        let state = ws.run(&["state", "list"]);
        assert_eq!(
            state.stdout.trim(),
            "",
            "nothing may be applied: {}",
            state.stdout
        );
    }
}
