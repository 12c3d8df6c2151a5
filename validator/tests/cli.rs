//! The `dagster-concurrency` binary end to end: every input kind, every format, every exit code.

mod common;

use common::{fixture, run, text};
use std::process::Output;

fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("json on stdout")
}

#[test]
fn seed_adr_raw_set_entries_are_clean() {
    let output = run(&["check", &fixture("mixed/seed-adr.tf")]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stdout));
    assert!(text(&output.stdout)
        .contains("checked 1 file(s), 1 configuration(s): 0 error(s), 0 warning(s)"));
}

#[test]
fn terraform_errors_exit_1_with_compiler_style_lines() {
    let path = fixture("mixed/bad-release.tf");
    let output = run(&["check", &path]);
    assert_eq!(output.status.code(), Some(1));
    let text = text(&output.stdout);
    assert!(
        text.contains(&format!(
            "{path}:5:3: error[DC101]: dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns = -5 is below -1"
        )),
        "{text}"
    );
    assert!(text.contains("  = hint: use a positive limit"), "{text}");
    assert!(
        text.contains(&format!("{path}:9:3: error[DC605]")),
        "{text}"
    );
}

#[test]
fn warnings_pass_unless_denied() {
    let path = fixture("mixed/nested/warnings-only.yaml");
    assert_eq!(run(&["check", &path]).status.code(), Some(0));
    assert_eq!(
        run(&["check", "--deny-warnings", &path]).status.code(),
        Some(1)
    );
}

#[test]
fn helm_values_with_prefix_and_chart_version() {
    let path = fixture("umbrella-values.yaml");
    let plain = json(&run(&["check", "--format", "json", &path]));
    assert_eq!(plain["totals"]["configurations"], 0);
    let output = run(&[
        "check",
        "--format",
        "json",
        "--values-prefix",
        "dagster",
        "--chart-version",
        "0.9",
        &path,
    ]);
    let report = json(&output);
    let codes: Vec<&str> = report["files"][0]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert!(codes.contains(&"DC104"), "{codes:?}");
    assert!(codes.contains(&"DC501"), "{codes:?}");
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn plan_json_resources_in_modules() {
    let output = run(&["check", "--format", "json", &fixture("plan.json")]);
    assert_eq!(output.status.code(), Some(0));
    let report = json(&output);
    assert_eq!(report["files"][0]["kind"], "plan json");
    assert_eq!(report["totals"]["configurations"], 2);
    let targets: Vec<(&str, &str)> = report["files"][0]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["target"].as_str().unwrap_or(""),
                d["code"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(
        targets.contains(&("module.platform.helm_release.dagster", "DC206")),
        "{targets:?}"
    );
    assert!(
        targets.contains(&("dagster_concurrency.seed", "DC104")),
        "{targets:?}"
    );
}

#[test]
fn plan_json_from_a_real_terraform_show() {
    // `terraform show -json` of a plan made by Terraform 1.11.4 with this provider: the seed
    // ADR, a paused configuration in a child module, and one whose limit comes from another
    // resource.
    let output = run(&[
        "check",
        "--format",
        "json",
        &fixture("plan-terraform-1.11.4.json"),
    ]);
    assert_eq!(output.status.code(), Some(0));
    let report = json(&output);
    assert_eq!(report["totals"]["configurations"], 3);
    let found: Vec<(&str, &str, u64)> = report["files"][0]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["target"].as_str().unwrap_or(""),
                d["code"].as_str().unwrap_or(""),
                d["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("module.platform.dagster_concurrency.paused", "DC104", 138),
            ("module.platform.dagster_concurrency.paused", "DC205", 138),
        ]
    );
    assert_eq!(
        run(&[
            "check",
            "--deny-warnings",
            &fixture("plan-terraform-1.11.4.json")
        ])
        .status
        .code(),
        Some(1)
    );
}

#[test]
fn a_directory_of_mixed_files() {
    let output = run(&["check", "--format", "json", &fixture("mixed")]);
    assert_eq!(output.status.code(), Some(1));
    let report = json(&output);
    let files = report["files"].as_array().expect("files");
    assert_eq!(files.len(), 6, "{report:#}");
    assert_eq!(report["totals"]["unreadable_files"], 0);
    let bad_yaml = files
        .iter()
        .find(|f| {
            f["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("values-bad.yaml"))
        })
        .expect("values-bad.yaml");
    let codes: Vec<&str> = bad_yaml["diagnostics"]
        .as_array()
        .expect("d")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    for code in ["DC601", "DC604", "DC606"] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
    let good = files
        .iter()
        .find(|f| {
            f["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("values-good.yaml"))
        })
        .expect("values-good.yaml");
    assert_eq!(good["diagnostics"], serde_json::json!([]));
}

#[test]
fn a_syntax_error_is_reported_and_other_files_still_checked() {
    let broken = fixture("broken.yaml");
    let output = run(&["check", &broken, &fixture("mixed/bad-release.tf")]);
    assert_eq!(output.status.code(), Some(2));
    let text = text(&output.stdout);
    assert!(
        text.contains(&format!("{broken}:3:1: error: invalid yaml")),
        "{text}"
    );
    assert!(text.contains("error[DC101]"), "{text}");
}

#[test]
fn missing_files_and_bad_usage_exit_2() {
    let output = run(&["check", "no/such/file.tf"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stdout).contains("no/such/file.tf: error: cannot read"));
    assert_eq!(run(&["check"]).status.code(), Some(2));
    assert_eq!(
        run(&["check", "--format", "xml", "x.tf"]).status.code(),
        Some(2)
    );
    assert_eq!(run(&["explain", "DC999"]).status.code(), Some(2));
}

#[test]
fn sarif_output() {
    let output = run(&[
        "check",
        "--format",
        "sarif",
        &fixture("mixed/bad-release.tf"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let log = json(&output);
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"]
        .as_str()
        .is_some_and(|s| s.contains("sarif-2.1.0")));
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "dagster-concurrency");
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "DC101");
    assert_eq!(result["level"], "error");
    assert_eq!(
        result["locations"][0]["physicalLocation"]["region"]["startLine"],
        5
    );
}

#[test]
fn junit_output() {
    let output = run(&[
        "check",
        "--format",
        "junit",
        &fixture("mixed/bad-release.tf"),
        &fixture("mixed/seed-adr.tf"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let xml = text(&output.stdout);
    assert!(
        xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
        "{xml}"
    );
    assert!(
        xml.contains("<testsuites name=\"dagster-concurrency\" failures=\"2\" errors=\"0\">"),
        "{xml}"
    );
    assert!(
        xml.contains("<testcase name=\"helm_release.dagster\""),
        "{xml}"
    );
    assert!(xml.contains("type=\"DC101\""), "{xml}");
}

#[test]
fn rules_and_explain() {
    let output = run(&["rules"]);
    assert_eq!(output.status.code(), Some(0));
    let listed = text(&output.stdout);
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("DC601  error   limits-not-applied")),
        "{listed}"
    );
    for rule in validator::rules::REGISTRY {
        assert!(
            listed.lines().any(|l| l.starts_with(rule.code)),
            "{} listed",
            rule.code
        );
    }
    let explained = text(&run(&["explain", "dc604"]).stdout);
    let rule = validator::rules::find("DC604").expect("DC604");
    assert!(explained.contains(rule.doc.trim_end()));
    assert!(explained.starts_with("# DC604 misspelt-apply-limit-per-unique-value (error)"));
}
