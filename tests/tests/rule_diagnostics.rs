//! What the rules say through real Terraform CLIs: verdicts and texts that must hold where
//! Terraform cannot point at the attribute (a `dynamic` block), and texts passed on to Helm.

use dagster_e2e::{clis, config, Workspace};
use serde_json::{json, Value};
use validator::input::{read, Kind, ReadOptions};

/// The error and warning diagnostics of `terraform validate -json`, as (severity, summary, detail).
fn diagnostics(result: &Value) -> Vec<(String, String, String)> {
    result["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            let text = |key: &str| d[key].as_str().unwrap_or_default().to_owned();
            (text("severity"), text("summary"), text("detail"))
        })
        .collect()
}

const DYNAMIC: &str = r#"locals {
  limits = [
    { key = "team", value = null, per_value = null, limit = 2 },
    { key = "negative", value = null, per_value = null, limit = -1 },
    { key = "above", value = null, per_value = null, limit = 9 },
    { key = "per-value", value = "a", per_value = true, limit = 1 },
    { key = "one-value", value = "a", per_value = false, limit = 1 },
    { key = "team", value = null, per_value = null, limit = 3 },
  ]
}

resource "dagster_concurrency" "dynamic" {
  max_concurrent_runs = 5

  dynamic "tag_concurrency_limit" {
    for_each = local.limits
    content {
      key                          = tag_concurrency_limit.value.key
      value                        = tag_concurrency_limit.value.value
      apply_limit_per_unique_value = tag_concurrency_limit.value.per_value
      limit                        = tag_concurrency_limit.value.limit
    }
  }
}
"#;

/// In a `dynamic` block Terraform points every finding at the resource, so the summary alone
/// must say which limit it means; `apply_limit_per_unique_value = false` goes with a value.
#[test]
fn a_dynamic_block_names_each_limit_in_the_text() {
    let expected = [
        "[DC202] tag_concurrency_limit[1].limit = -1 for key \"negative\" is negative",
        "[DC206] tag_concurrency_limit[2].limit = 9 for key \"above\" is not below max_concurrent_runs = 5",
        "[DC203] tag_concurrency_limit[3].apply_limit_per_unique_value = true and tag_concurrency_limit[3].value = \"a\" for key \"per-value\" cannot both be set",
        "[DC204] tag_concurrency_limit[5] repeats the limit for key \"team\" of tag_concurrency_limit[0]",
    ];
    for tf in clis() {
        let ws = Workspace::new(tf, &config(DYNAMIC));
        ws.init();
        let result = ws.validate_json();
        assert_eq!(result["valid"], json!(false), "terraform {}", tf.version);
        let found = diagnostics(&result);
        for start in expected {
            assert!(
                found
                    .iter()
                    .any(|(_, summary, _)| summary.starts_with(start)),
                "terraform {}: no {start:?} in {found:#?}",
                tf.version
            );
        }
        let dc203 = found.iter().filter(|(_, s, _)| s.starts_with("[DC203]"));
        assert_eq!(
            dc203.count(),
            1,
            "terraform {}: value with apply_limit_per_unique_value = false is no conflict: {found:#?}",
            tf.version
        );
    }
}

/// The CLI reads a plan of a `dynamic` block (expanded by Terraform) and names each limit too.
#[test]
fn the_cli_names_each_limit_of_a_planned_dynamic_block() {
    // Warnings only, so the plan succeeds: DC205 and DC206 (DC204 is an error; see rule_texts).
    let warnings = DYNAMIC
        .replace("limit = -1", "limit = 0")
        .replace("per_value = true", "per_value = false")
        .replace(
            "{ key = \"team\", value = null, per_value = null, limit = 3 },",
            "",
        );
    for tf in clis() {
        let ws = Workspace::new(tf, &config(&warnings));
        ws.init();
        let plan = ws.plan_json().to_string();
        let targets = read(Kind::PlanJson, &plan, &ReadOptions::default()).expect("plan json");
        let summaries: Vec<String> = targets
            .iter()
            .flat_map(|target| target.diagnostics())
            .map(|d| format!("[{}] {}", d.rule.code, d.summary))
            .collect();
        for start in [
            "[DC205] tag_concurrency_limit[1].limit = 0 for key \"negative\" blocks every matching run forever",
            "[DC206] tag_concurrency_limit[2].limit = 9 for key \"above\" is not below max_concurrent_runs = 5",
        ] {
            assert!(
                summaries.iter().any(|s| s.starts_with(start)),
                "terraform {}: no {start:?} in {summaries:#?}",
                tf.version
            );
        }
    }
}

#[test]
fn a_value_with_per_unique_value_false_applies() {
    let text = config(
        "resource \"dagster_concurrency\" \"one_value\" {\n  chart_version       = \"1.12.14\"\n  max_concurrent_runs = 5\n\n  tag_concurrency_limit {\n    key                          = \"team\"\n    value                        = \"etl\"\n    apply_limit_per_unique_value = false\n    limit                        = 2\n  }\n}\n\noutput \"set\" {\n  value = dagster_concurrency.one_value.set\n}\n",
    );
    for tf in clis() {
        let ws = Workspace::new(tf, &text);
        ws.init();
        let result = ws.validate_json();
        assert_eq!(
            (result["valid"].clone(), diagnostics(&result)),
            (json!(true), vec![]),
            "terraform {}",
            tf.version
        );
        ws.apply();
        let set = ws.outputs()["set"]["value"].to_string();
        assert!(
            set.contains("tagConcurrencyLimits[0].value\",\"type\":\"string\",\"value\":\"etl\"")
                || set.contains("tagConcurrencyLimits[0].value\",\"value\":\"etl\""),
            "terraform {}: {set}",
            tf.version
        );
        assert!(!set.contains("applyLimitPerUniqueValue"), "{set}");
    }
}

/// `chart_version` is passed on to Helm as the release's `version`: only exact SemVer text
/// passes, and the fix gives it. Fixes read as sentences (no `?.`).
#[test]
fn chart_version_text_is_exact_and_fixes_read_as_sentences() {
    let resource = |name: &str, body: &str| {
        format!("resource \"dagster_concurrency\" \"{name}\" {{\n  max_concurrent_runs = 5\n  {body}\n}}\n\n")
    };
    let text = config(
        &[
            resource("v_prefix", "chart_version = \"v1.12.14\""),
            resource("trailing_space", "chart_version = \"1.12.14 \""),
            resource("leading_zero", "chart_version = \"01.12.14\""),
            resource("never_released", "chart_version = \"1.12.99\""),
            resource(
                "typo",
                "tag_concurrency_limit {\n    key   = \"dagster/backfil\"\n    limit = 1\n  }",
            ),
        ]
        .concat(),
    );
    for tf in clis() {
        let ws = Workspace::new(tf, &text);
        ws.init();
        let found = diagnostics(&ws.validate_json());
        let with = |prefix: &str| -> Vec<&(String, String, String)> {
            found
                .iter()
                .filter(|(_, s, _)| s.starts_with(prefix))
                .collect()
        };
        let refused = with("[DC501]");
        assert_eq!(refused.len(), 3, "terraform {}: {found:#?}", tf.version);
        for (severity, _, detail) in refused {
            assert_eq!(severity, "error");
            assert!(detail.starts_with("Write \"1.12.14\".\n"), "{detail}");
        }
        let unreleased = with("[DC505] chart_version 1.12.99 was never released");
        assert_eq!(unreleased.len(), 1, "terraform {}: {found:#?}", tf.version);
        assert_eq!(unreleased[0].0, "warning");
        let typo = with("[DC208]");
        assert!(
            typo[0]
                .2
                .starts_with("Use \"dagster/backfill\", the closest tag Dagster sets.\n"),
            "{typo:#?}"
        );
        for (_, _, detail) in &found {
            assert!(!detail.contains("?."), "{detail}");
        }
    }
}
