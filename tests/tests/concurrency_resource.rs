//! `dagster_concurrency` through real Terraform CLIs: rendering, lifecycle, validation.

use dagster_e2e::{clis, config, line_of, provider_binary, Workspace};
use serde_json::{json, Value};
use validator::version::NEWEST_KNOWN;

const SEED: &str = include_str!("../../examples/seed-adr/main.tf");
const QRC: &str = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator";

fn set_entry(name: &str, value: &str, kind: &str) -> Value {
    json!({"name": name, "value": value, "type": kind})
}

#[test]
fn seed_example_renders_the_adr_and_a_second_plan_shows_no_changes() {
    for tf in clis() {
        let ws = Workspace::new(tf, SEED);
        ws.init().apply();
        let outputs = ws.outputs();
        assert_eq!(
            outputs["set"]["value"],
            json!([
                set_entry("dagsterDaemon.runCoordinator.enabled", "true", "auto"),
                set_entry(
                    "dagsterDaemon.runCoordinator.type",
                    "QueuedRunCoordinator",
                    "string"
                ),
                set_entry(&format!("{QRC}.maxConcurrentRuns"), "5", "auto"),
                set_entry(
                    &format!("{QRC}.tagConcurrencyLimits[0].key"),
                    "dagster/backfill",
                    "string"
                ),
                set_entry(&format!("{QRC}.tagConcurrencyLimits[0].limit"), "3", "auto"),
            ]),
            "terraform {}",
            tf.version
        );
        let values_yaml = outputs["values_yaml"]["value"].as_str().unwrap_or_default();
        assert!(
            values_yaml.contains("maxConcurrentRuns: 5\n"),
            "{values_yaml}"
        );
        let instance_yaml = outputs["instance_yaml"]["value"]
            .as_str()
            .unwrap_or_default();
        assert!(
            instance_yaml.contains("max_concurrent_runs: 5\n    tag_concurrency_limits:\n      - key: dagster/backfill\n        limit: 3\n"),
            "{instance_yaml}"
        );
        ws.run(&["plan", "-detailed-exitcode", "-no-color"])
            .expect_code(0);
    }
}

#[test]
fn outputs_are_known_at_plan_time_and_a_changed_limit_updates_in_place() {
    for tf in clis() {
        let ws = Workspace::new(tf, SEED);
        ws.init();
        let plan = ws.plan_json();
        let change = &plan["resource_changes"][0]["change"];
        assert_eq!(
            change["actions"],
            json!(["create"]),
            "terraform {}",
            tf.version
        );
        assert_eq!(
            change["after_unknown"],
            json!({}),
            "outputs must be known at plan"
        );
        assert_eq!(change["after"]["set"][2]["value"], "5");
        ws.apply();
        ws.write(
            "main.tf",
            &SEED.replace("max_concurrent_runs = 5", "max_concurrent_runs = 6"),
        );
        let plan = ws.plan_json();
        let change = &plan["resource_changes"][0]["change"];
        assert_eq!(
            change["actions"],
            json!(["update"]),
            "terraform {}",
            tf.version
        );
        assert_eq!(change["after"]["set"][2]["value"], "6");
        assert_ne!(change["before"]["id"], change["after"]["id"]);
    }
}

/// Each case: a resource body holding a `# CODE` marker on the line the diagnostic must point at.
const ERROR_CASES: &[(&str, &str)] = &[
    ("DC101", "max_concurrent_runs = -2 # DC101"),
    ("DC201", "max_concurrent_runs = 5\n  tag_concurrency_limit {\n    key   = \"\" # DC201\n    limit = 1\n  }"),
    ("DC202", "max_concurrent_runs = 5\n  tag_concurrency_limit {\n    key   = \"team\"\n    limit = -1 # DC202\n  }"),
    ("DC203", "max_concurrent_runs = 5\n  tag_concurrency_limit {\n    key   = \"team\"\n    value = \"a\"\n    apply_limit_per_unique_value = true # DC203\n    limit = 1\n  }"),
    ("DC204", "max_concurrent_runs = 5\n  tag_concurrency_limit {\n    key   = \"team\"\n    limit = 1\n  }\n  tag_concurrency_limit {\n    key   = \"team\" # DC204\n    limit = 2\n  }"),
    ("DC301", "chart_version = \"1.12.8\" # DC301\n  max_concurrent_runs = 5\n  pools {\n    default_limit = 2\n  }"),
    ("DC302", "chart_version = \"1.12.10\" # DC302\n  max_concurrent_runs = 5\n  pools {\n    default_limit = 2\n  }"),
    ("DC303", "max_concurrent_runs = 5\n  placement = \"run_coordinator\" # DC303\n  pools {\n    default_limit = 2\n  }"),
    ("DC304", "max_concurrent_runs = 5\n  placement = \"queued\" # DC304"),
    ("DC210", "max_concurrent_runs = 5\n  tag_concurrency_limit {\n    key   = \"team\"\n    value = \"<<\" # DC210\n    limit = 1\n  }"),
    ("DC305", "max_concurrent_runs = 5\n  pools {\n    default_limit = 2\n  }\n  block_op_concurrency_limited_runs {\n    enabled = true # DC305\n    op_concurrency_slot_buffer = 0\n  }"),
    ("DC311", "max_concurrent_runs = 5\n  pools {\n    granularity = \"ops\" # DC311\n  }"),
    ("DC312", "max_concurrent_runs = 5\n  pools {\n    default_limit = 1001 # DC312\n  }"),
    ("DC401", "max_concurrent_runs = 5\n  block_op_concurrency_limited_runs {\n    enabled = false\n    op_concurrency_slot_buffer = 1 # DC401\n  }"),
    ("DC402", "max_concurrent_runs = 5\n  dequeue_interval_seconds = -1 # DC402"),
    ("DC403", "max_concurrent_runs = 5\n  dequeue_num_workers = 0 # DC403"),
    ("DC407", "max_concurrent_runs = 1000000 # DC407"),
    ("DC501", "max_concurrent_runs = 5\n  chart_version = \"latest\" # DC501"),
    ("DC502", "max_concurrent_runs = 5\n  values_prefix = \"a..b\" # DC502"),
    ("DC504", "max_concurrent_runs = 2.5 # DC504"),
];

const WARNING_CASES: &[(&str, &str)] = &[
    ("DC102", "chart_version = \"1.12.14\""),
    ("DC103", "max_concurrent_runs = -1 # DC103"),
    ("DC104", "max_concurrent_runs = 0 # DC104"),
    ("DC205", "max_concurrent_runs = 5\n  tag_concurrency_limit {\n    key   = \"team\"\n    limit = 0 # DC205\n  }"),
    ("DC206", "max_concurrent_runs = 5\n  tag_concurrency_limit {\n    key   = \"team\"\n    limit = 5 # DC206\n  }"),
    ("DC207", "max_concurrent_runs = 5\n  tag_concurrency_limit {\n    key   = \"my team\" # DC207\n    limit = 1\n  }"),
    ("DC208", "max_concurrent_runs = 5\n  tag_concurrency_limit {\n    key   = \"dagster/backfil\" # DC208\n    limit = 1\n  }"),
    ("DC209", "max_concurrent_runs = 5\n  tag_concurrency_limit {\n    key   = \"team\"\n    value = \"\" # DC209\n    limit = 1\n  }"),
    ("DC404", "max_concurrent_runs = 5\n  dequeue_interval_seconds = 0 # DC404"),
    ("DC405", "max_concurrent_runs = 5\n  chart_version = \"1.8.0\" # DC405\n  block_op_concurrency_limited_runs {\n    enabled = true\n  }"),
    ("DC406", "max_concurrent_runs = 5\n  pools {\n    op_granularity_run_buffer = -1 # DC406\n  }"),
    ("DC503", "max_concurrent_runs = 5\n  chart_version = \"9.0.0\" # DC503"),
    ("DC505", "max_concurrent_runs = 5\n  chart_version = \"1.12.99\" # DC505"),
];

/// One resource per case, and the 1-based line of each case's marker. A case without a marker
/// (an argument missing) expects the diagnostic on the resource's first line.
fn cases_config(cases: &[(&str, &str)]) -> (String, Vec<(String, u64)>) {
    let body: String = cases
        .iter()
        .map(|(code, body)| {
            let header_marker = if body.contains(&format!("# {code}")) {
                String::new()
            } else {
                format!(" # {code}")
            };
            format!(
                "resource \"dagster_concurrency\" \"{}\" {{{header_marker}\n  {body}\n}}\n\n",
                code.to_lowercase()
            )
        })
        .collect();
    let text = config(&body);
    let lines = cases
        .iter()
        .map(|(code, _)| ((*code).to_owned(), line_of(&text, &format!("# {code}"))))
        .collect();
    (text, lines)
}

fn check_diagnostics(cases: &[(&str, &str)], severity: &str, expect_valid: bool) {
    let (text, expected) = cases_config(cases);
    for tf in clis() {
        let ws = Workspace::new(tf, &text);
        ws.init();
        let result = ws.validate_json();
        assert_eq!(
            result["valid"],
            json!(expect_valid),
            "terraform {}: {result:#}",
            tf.version
        );
        let diagnostics = result["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for (code, line) in &expected {
            let found = diagnostics.iter().any(|d| {
                d["severity"] == severity
                    && d["summary"]
                        .as_str()
                        .is_some_and(|s| s.starts_with(&format!("[{code}]")))
                    && d["range"]["start"]["line"] == json!(line)
                    && d["detail"].as_str().is_some_and(|s| !s.is_empty())
            });
            assert!(
                found,
                "terraform {}: no {severity} {code} at line {line} in {diagnostics:#?}",
                tf.version
            );
        }
    }
}

#[test]
fn each_error_fails_validate_at_its_attribute() {
    check_diagnostics(ERROR_CASES, "error", false);
}

#[test]
fn a_number_past_64_bits_is_shown_as_written() {
    // Terraform sends a number that fits neither an i64 nor an f64 exactly as its decimal
    // text; DC504 shows that text, not a float's rounding of it.
    let written = ["100000000000000000000000", "123456789012345678901234567"];
    let body: String = written
        .iter()
        .enumerate()
        .map(|(index, number)| {
            format!("resource \"dagster_concurrency\" \"big{index}\" {{\n  max_concurrent_runs = {number}\n}}\n\n")
        })
        .collect();
    for tf in clis() {
        let ws = Workspace::new(tf, &config(&body));
        ws.init();
        let result = ws.validate_json();
        let summaries: Vec<&str> = result["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|d| d["summary"].as_str())
            .collect();
        for number in written {
            let expected = format!(
                "[DC504] max_concurrent_runs = {number} is not a whole number within 64-bit range"
            );
            assert!(
                summaries.contains(&expected.as_str()),
                "terraform {}: no {expected:?} in {summaries:#?}",
                tf.version
            );
        }
    }
}

#[test]
fn warnings_show_but_do_not_fail_validate() {
    check_diagnostics(WARNING_CASES, "warning", true);
}

#[test]
fn unknown_arguments_plan_and_known_ones_are_still_checked() {
    let unknown = config(
        "resource \"dagster_concurrency\" \"later\" {\n  chart_version = timestamp() == \"\" ? \"1.12.13\" : \"1.12.14\"\n  max_concurrent_runs = 5\n}\n",
    );
    let known_error = unknown.replace("max_concurrent_runs = 5", "max_concurrent_runs = -7");
    for tf in clis() {
        let ws = Workspace::new(tf, &unknown);
        ws.init();
        let plan = ws.plan_json();
        let change = &plan["resource_changes"][0]["change"];
        assert_eq!(
            change["after_unknown"]["set"],
            json!(true),
            "terraform {}",
            tf.version
        );
        ws.apply();
        assert_eq!(ws.outputs(), json!({}));
        ws.write("main.tf", &known_error);
        let run = ws.run(&["plan", "-no-color"]);
        assert_eq!(run.code, 1, "terraform {}: {}", tf.version, run.stdout);
        assert!(run.stderr.contains("[DC101]"), "{}", run.stderr);
    }
}

#[test]
fn an_unknown_limit_leaves_the_other_set_entries_known_at_plan_time() {
    // `timestamp()` is known only at apply, so the limit is unknown while planning.
    let text = config(
        "resource \"dagster_concurrency\" \"later\" {\n  max_concurrent_runs = 5\n  tag_concurrency_limit {\n    key   = \"dagster/backfill\"\n    limit = timestamp() == \"\" ? 1 : 3\n  }\n}\n\noutput \"set\" {\n  value = dagster_concurrency.later.set\n}\n",
    );
    for tf in clis() {
        let ws = Workspace::new(tf, &text);
        ws.init();
        let plan = ws.plan_json();
        let change = &plan["resource_changes"][0]["change"];
        let (after, unknown) = (&change["after"]["set"], &change["after_unknown"]["set"]);
        assert_eq!(
            after.as_array().map(Vec::len),
            Some(5),
            "terraform {}: {change}",
            tf.version
        );
        assert_eq!(
            after[2],
            set_entry(&format!("{QRC}.maxConcurrentRuns"), "5", "auto"),
            "terraform {}: {change}",
            tf.version
        );
        assert_eq!(
            after[4]["name"],
            json!(format!("{QRC}.tagConcurrencyLimits[0].limit"))
        );
        assert_eq!(
            unknown[4],
            json!({"value": true}),
            "terraform {}",
            tf.version
        );
        for known in 0..4 {
            assert_eq!(unknown[known], json!({}), "terraform {}", tf.version);
        }
        assert_eq!(change["after_unknown"]["values_yaml"], json!(true));
        let shown = ws.run(&["plan", "-no-color"]).expect_code(0);
        assert!(
            shown
                .stdout
                .contains("queuedRunCoordinator.maxConcurrentRuns"),
            "terraform {}: {}",
            tf.version,
            shown.stdout
        );
        ws.apply();
        assert_eq!(
            ws.outputs()["set"]["value"][4],
            set_entry(&format!("{QRC}.tagConcurrencyLimits[0].limit"), "3", "auto")
        );
    }
}

#[test]
fn data_source_renders_the_same_values() {
    let text = config(
        "data \"dagster_concurrency\" \"seed\" {\n  max_concurrent_runs = 5\n  tag_concurrency_limit {\n    key   = \"dagster/backfill\"\n    limit = 3\n  }\n}\n\noutput \"set\" {\n  value = data.dagster_concurrency.seed.set\n}\n",
    );
    for tf in clis() {
        let ws = Workspace::new(tf, &text);
        ws.init().apply();
        let set = &ws.outputs()["set"]["value"];
        assert_eq!(
            set[3],
            set_entry(
                &format!("{QRC}.tagConcurrencyLimits[0].key"),
                "dagster/backfill",
                "string"
            )
        );
        assert_eq!(set.as_array().map(Vec::len), Some(5));
    }
}

#[test]
fn running_the_binary_by_hand_explains_itself() {
    let output = std::process::Command::new(provider_binary())
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .output()
        .expect("run provider");
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("Terraform plugin") && stderr.contains("terraform init"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
}

/// A resource and a data source without `chart_version`, each referred to by an output.
const UNPINNED: &str = "resource \"dagster_concurrency\" \"this\" {\n  max_concurrent_runs = 5\n}\n\ndata \"dagster_concurrency\" \"this\" {\n  max_concurrent_runs = 5\n}\n\noutput \"chart_version\" {\n  value = dagster_concurrency.this.chart_version\n}\n\noutput \"data_chart_version\" {\n  value = data.dagster_concurrency.this.chart_version\n}\n";

#[test]
fn an_unset_chart_version_is_the_newest_known_at_plan_time() {
    let newest = json!(NEWEST_KNOWN.to_string());
    for tf in clis() {
        let ws = Workspace::new(tf, &config(UNPINNED));
        ws.init();
        let plan = ws.plan_json();
        let change = &plan["resource_changes"]
            .as_array()
            .and_then(|changes| changes.iter().find(|c| c["mode"] == "managed"))
            .expect("the resource's change")["change"];
        assert_eq!(
            change["after"]["chart_version"], newest,
            "terraform {}",
            tf.version
        );
        assert_eq!(
            change["after_unknown"],
            json!({}),
            "terraform {}",
            tf.version
        );
        for output in ["chart_version", "data_chart_version"] {
            let planned = &plan["output_changes"][output];
            assert_eq!(
                planned["after"], newest,
                "terraform {}: {output}",
                tf.version
            );
            assert_eq!(
                planned["after_unknown"],
                json!(false),
                "terraform {}",
                tf.version
            );
        }
        ws.apply();
        let outputs = ws.outputs();
        assert_eq!(outputs["chart_version"]["value"], newest);
        assert_eq!(outputs["data_chart_version"]["value"], newest);
        ws.run(&["plan", "-detailed-exitcode", "-no-color"])
            .expect_code(0);
    }
}

#[test]
fn a_chart_version_removed_from_the_configuration_plans_the_newest_known() {
    let pinned = config(&UNPINNED.replacen(
        "max_concurrent_runs = 5",
        "chart_version = \"1.12.14\"\n  max_concurrent_runs = 5",
        1,
    ));
    for tf in clis() {
        let ws = Workspace::new(tf, &pinned);
        ws.init().apply();
        ws.write("main.tf", &config(UNPINNED));
        let plan = ws.plan_json();
        let change = &plan["resource_changes"][0]["change"];
        assert_eq!(
            change["actions"],
            json!(["update"]),
            "terraform {}",
            tf.version
        );
        assert_eq!(
            change["after"]["chart_version"],
            json!(NEWEST_KNOWN.to_string())
        );
    }
}

#[test]
fn an_unknown_chart_version_stays_unknown_at_plan_time() {
    let unknown = config(&UNPINNED.replacen(
        "max_concurrent_runs = 5",
        "chart_version = timestamp() == \"\" ? \"1.12.13\" : \"1.12.14\"\n  max_concurrent_runs = 5",
        1,
    ));
    for tf in clis() {
        let ws = Workspace::new(tf, &unknown);
        ws.init();
        let plan = ws.plan_json();
        let change = &plan["resource_changes"][0]["change"];
        assert_eq!(
            change["after_unknown"]["chart_version"],
            json!(true),
            "terraform {}",
            tf.version
        );
        assert_eq!(
            plan["output_changes"]["chart_version"]["after_unknown"],
            json!(true)
        );
        ws.apply();
        assert_eq!(ws.outputs()["chart_version"]["value"], json!("1.12.14"));
    }
}

/// Replaces every `chart_version` in the state's resources with null, as release 0.1.0 wrote it
/// for a configuration that left it unset.
fn null_chart_versions(state: &str) -> String {
    let mut state: Value = serde_json::from_str(state).expect("state json");
    for resource in state["resources"].as_array_mut().expect("resources") {
        for instance in resource["instances"].as_array_mut().expect("instances") {
            instance["attributes"]["chart_version"] = Value::Null;
        }
    }
    state.to_string()
}

#[test]
fn state_with_a_null_chart_version_plans_no_changes_after_refresh() {
    for tf in clis() {
        let ws = Workspace::new(tf, &config(UNPINNED));
        ws.init().apply();
        let state = std::fs::read_to_string(ws.path().join("terraform.tfstate")).expect("state");
        ws.write("terraform.tfstate", &null_chart_versions(&state));
        ws.run(&["plan", "-detailed-exitcode", "-no-color"])
            .expect_code(0);
        // Without refresh nothing fills the null in: the plan shows it becoming the default.
        let unrefreshed = ws.run(&["plan", "-refresh=false", "-detailed-exitcode", "-no-color"]);
        assert_eq!(
            unrefreshed.code, 2,
            "terraform {}: {}",
            tf.version, unrefreshed.stdout
        );
        assert!(
            unrefreshed
                .stdout
                .lines()
                .any(|line| line.split_whitespace().eq([
                    "+",
                    "chart_version",
                    "=",
                    &format!("\"{NEWEST_KNOWN}\""),
                ])),
            "terraform {}: {}",
            tf.version,
            unrefreshed.stdout
        );
    }
}
