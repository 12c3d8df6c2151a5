//! Required arguments written as `null`, through real Terraform CLIs: `terraform validate`
//! fails with an error at the argument's line, for every resource and data source, and for a
//! null in the provider block (a policy tag key, a header value).

use dagster_e2e::{clis, config, line_of, Workspace};
use serde_json::Value;

/// A null in the provider block (Terraform validates resources only once it passes).
const PROVIDER: &str = r#"provider "dagster" {
  headers = { Authorization = null } # headers

  policy {
    required_tag_limits = ["dagster/backfill", null] # policy-tag
  }
}

resource "dagster_concurrency" "seed" {
  max_concurrent_runs = 5

  tag_concurrency_limit {
    key   = "dagster/backfill"
    limit = 3
  }
}
"#;

/// Each required argument of a resource or data source set to `null`, marked by a comment
/// naming the case.
const RESOURCES: &str = r#"resource "dagster_concurrency" "key" {
  tag_concurrency_limit {
    key   = null # resource-key
    limit = 3
  }
}

resource "dagster_concurrency" "limit" {
  tag_concurrency_limit {
    key   = "dagster/backfill"
    limit = 3
  }

  tag_concurrency_limit {
    key   = "team"
    limit = null # resource-limit
  }
}

resource "dagster_concurrency" "enabled" {
  block_op_concurrency_limited_runs {
    enabled = null # resource-enabled
  }
}

data "dagster_concurrency" "key" {
  tag_concurrency_limit {
    key   = null # data-key
    limit = 3
  }
}

data "dagster_concurrency" "limit_and_enabled" {
  tag_concurrency_limit {
    key   = "dagster/backfill"
    limit = null # data-limit
  }

  block_op_concurrency_limited_runs {
    enabled = null # data-enabled
  }
}

resource "dagster_pool_limit" "pool" {
  pool  = null # pool-pool
  limit = 4
}

resource "dagster_pool_limit" "limit" {
  pool  = "warehouse"
  limit = null # pool-limit
}
"#;

/// `(marker, summary)` of every diagnostic expected in [`PROVIDER`].
const PROVIDER_EXPECTED: &[(&str, &str)] = &[
    ("# headers", "the value of header \"Authorization\" is null"),
    (
        "# policy-tag",
        "policy.required_tag_limits[1] is required but null",
    ),
];

/// `(marker, summary)` of every diagnostic expected in [`RESOURCES`].
const RESOURCES_EXPECTED: &[(&str, &str)] = &[
    (
        "# resource-key",
        "tag_concurrency_limit[0].key is required but null",
    ),
    (
        "# resource-limit",
        "tag_concurrency_limit[1].limit is required but null",
    ),
    (
        "# resource-enabled",
        "block_op_concurrency_limited_runs.enabled is required but null",
    ),
    (
        "# data-key",
        "tag_concurrency_limit[0].key is required but null",
    ),
    (
        "# data-limit",
        "tag_concurrency_limit[0].limit is required but null",
    ),
    (
        "# data-enabled",
        "block_op_concurrency_limited_runs.enabled is required but null",
    ),
    ("# pool-pool", "pool is required but null"),
    ("# pool-limit", "limit is required but null"),
];

/// Validates `body` on every CLI and checks that the errors are exactly `expected`, each at
/// its marked line with a fix; then that plan stops at them.
fn fails_validate_at_each_null(body: &str, expected: &[(&str, &str)]) {
    let main_tf = config(body);
    for tf in clis() {
        let ws = Workspace::new(tf, &main_tf);
        ws.init();
        let validate = ws.validate_json();
        assert_eq!(
            validate["valid"], false,
            "terraform {}: {validate}",
            tf.version
        );
        let diagnostics = validate["diagnostics"].as_array().expect("diagnostics");
        let found: Vec<(u64, &str)> = diagnostics
            .iter()
            .filter(|diagnostic| diagnostic["severity"] == "error")
            .map(|diagnostic| {
                assert!(
                    diagnostic["detail"]
                        .as_str()
                        .is_some_and(|detail| detail.starts_with("Set `")),
                    "{diagnostic}"
                );
                (
                    diagnostic["range"]["start"]["line"]
                        .as_u64()
                        .unwrap_or_default(),
                    diagnostic["summary"].as_str().unwrap_or_default(),
                )
            })
            .collect();
        for (marker, summary) in expected {
            let line = line_of(&main_tf, marker);
            assert!(
                found.contains(&(line, summary)),
                "terraform {}: no {summary:?} at line {line}: {found:?}",
                tf.version
            );
        }
        assert_eq!(found.len(), expected.len(), "{found:?}");
        let plan = ws.run(&["plan", "-no-color"]);
        assert_eq!(plan.code, 1);
        assert!(plan.stderr.contains(expected[0].1), "{}", plan.stderr);
    }
}

#[test]
fn a_required_argument_set_to_null_fails_validate_at_its_line_with_a_fix() {
    fails_validate_at_each_null(RESOURCES, RESOURCES_EXPECTED);
}

/// A null from a variable is known only once the variables are: plan reports it the same way.
#[test]
fn a_null_from_a_variable_fails_plan_at_its_line() {
    let main_tf = config(
        "variable \"pool\" {\n  type    = string\n  default = null\n}\n\nresource \"dagster_pool_limit\" \"pool\" {\n  pool  = var.pool\n  limit = 4\n}\n",
    );
    for tf in clis() {
        let ws = Workspace::new(tf, &main_tf);
        ws.init();
        let plan = ws.run(&["plan", "-no-color"]);
        assert_eq!(plan.code, 1, "terraform {}: {}", tf.version, plan.stdout);
        assert!(
            plan.stderr.contains("pool is required but null"),
            "terraform {}: {}",
            tf.version,
            plan.stderr
        );
        let line = format!("main.tf line {}", line_of(&main_tf, "pool  = var.pool"));
        assert!(plan.stderr.contains(&line), "{}", plan.stderr);
    }
}

#[test]
fn a_null_in_the_provider_block_fails_validate_at_its_line() {
    fails_validate_at_each_null(PROVIDER, PROVIDER_EXPECTED);
}

/// For the contrast: optional arguments written as `null` are no error.
#[test]
fn optional_arguments_may_be_null() {
    let main_tf = config(
        "resource \"dagster_concurrency\" \"optional\" {\n  max_concurrent_runs = null\n  chart_version       = null\n\n  tag_concurrency_limit {\n    key   = \"dagster/backfill\"\n    value = null\n    limit = 3\n  }\n}\n",
    );
    let ws = Workspace::new(&clis()[0], &main_tf);
    ws.init();
    let validate: Value = ws.validate_json();
    let errors: Vec<&Value> = validate["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|diagnostic| diagnostic["severity"] == "error")
        .collect();
    assert!(errors.is_empty(), "{validate}");
}
