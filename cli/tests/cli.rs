//! The `dagster-concurrency` binary end to end: every input kind, every format, every exit code.

mod common;

use common::{fixture, run, run_with_stdin, text};
use std::path::Path;
use std::process::{Command, Output};

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
        "99.0.0",
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
    assert!(codes.contains(&"DC503"), "{codes:?}");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn options_that_are_not_values_are_usage_errors() {
    // Not a DC501 or DC502 finding on every file: the command line itself is wrong.
    let path = fixture("mixed/seed-adr.tf");
    for (option, value, said) in [
        (
            "--chart-version",
            "latest",
            "not a MAJOR.MINOR.PATCH chart version",
        ),
        (
            "--values-prefix",
            "platform..dagster",
            "not a dot-separated path",
        ),
    ] {
        let output = run(&["check", option, value, &path]);
        assert_eq!(output.status.code(), Some(2), "{option} {value}");
        assert!(text(&output.stdout).is_empty(), "{option} {value}");
        let stderr = text(&output.stderr);
        assert!(stderr.contains(said), "{stderr}");
    }
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
    // unrelated.json is not a plan: a walk does not read it.
    assert_eq!(files.len(), 5, "{report:#}");
    assert!(
        files
            .iter()
            .all(|f| !f["path"].as_str().unwrap_or("").ends_with("unrelated.json")),
        "{report:#}"
    );
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
    // One failing case per error finding, and a passing case for the clean file.
    assert!(
        xml.contains("<testsuites name=\"dagster-concurrency\" tests=\"3\" skipped=\"0\" failures=\"2\" errors=\"0\">"),
        "{xml}"
    );
    assert!(
        xml.contains("<testcase name=\"helm_release.dagster DC101 at 5:3\""),
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
    let guide =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/cli.md"))
            .expect("docs/cli.md");
    for rule in validator::rules::REGISTRY {
        let row = format!("| `{}` | {} | `{}` |", rule.code, rule.severity, rule.name);
        assert!(guide.contains(&row), "docs/cli.md lacks {row}");
    }
    let explained = text(&run(&["explain", "dc604"]).stdout);
    let rule = validator::rules::find("DC604").expect("DC604");
    assert!(explained.contains(rule.doc.trim_end()));
    assert!(explained.starts_with("# DC604 misspelt-apply-limit-per-unique-value (error)"));
}

const NEGATIVE_RUNS_TF: &str =
    "resource \"dagster_concurrency\" \"x\" {\n  max_concurrent_runs = -5\n}\n";

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

#[test]
fn a_symbolic_link_loop_is_walked_once_and_mentioned() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("infra");
    write(&root.join("sub/main.tf"), NEGATIVE_RUNS_TF);
    std::os::unix::fs::symlink(&root, root.join("sub/back")).expect("symlink");
    let output = run(&["check", "--format", "json", root.to_str().expect("utf-8")]);
    assert_eq!(output.status.code(), Some(1));
    let report = json(&output);
    assert_eq!(report["totals"]["files"], 1, "{report:#}");
    assert_eq!(report["totals"]["errors"], 1, "{report:#}");
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("sub/back: a symbolic link loop back to"),
        "{stderr}"
    );
}

#[test]
fn a_walk_leaves_out_what_gitignore_excludes_and_terraform_working_data() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("infra");
    write(&root.join("main.tf"), NEGATIVE_RUNS_TF);
    write(&root.join("generated/bad.tf"), NEGATIVE_RUNS_TF);
    write(&root.join("local.auto.tf"), NEGATIVE_RUNS_TF);
    write(
        &root.join(".terraform/modules/dagster/main.tf"),
        NEGATIVE_RUNS_TF,
    );
    write(&root.join(".gitignore"), "generated/\n*.auto.tf\n");
    let output = run(&["check", "--format", "json", root.to_str().expect("utf-8")]);
    let report = json(&output);
    let files: Vec<&str> = report["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|file| file["path"].as_str().expect("path"))
        .collect();
    assert_eq!(files.len(), 1, "{report:#}");
    assert!(files[0].ends_with("infra/main.tf"), "{files:?}");
    // Named on the command line, an ignored file is still read.
    let named = run(&["check", root.join("local.auto.tf").to_str().expect("utf-8")]);
    assert_eq!(named.status.code(), Some(1));
}

#[test]
fn json_files_that_are_not_plans_are_not_read_as_plans() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    write(
        &root.join("package.json"),
        "{\"name\": \"app\", \"version\": \"1.0.0\"}\n",
    );
    write(
        &root.join("tsconfig.json"),
        "{\n  // comments are JSONC\n  \"compilerOptions\": {\"strict\": true,},\n}\n",
    );
    write(&root.join("report.json"), "");
    write(&root.join("main.tf"), NEGATIVE_RUNS_TF);
    let walked = run(&["check", "--format", "json", root.to_str().expect("utf-8")]);
    assert_eq!(walked.status.code(), Some(1), "{}", text(&walked.stderr));
    let report = json(&walked);
    assert_eq!(report["totals"]["files"], 1, "{report:#}");
    assert_eq!(report["totals"]["unreadable_files"], 0, "{report:#}");
    // Named on the command line (as a pre-commit hook names staged files): a note, exit 0.
    let named = run(&["check", root.join("package.json").to_str().expect("utf-8")]);
    assert_eq!(named.status.code(), Some(0));
    assert!(
        text(&named.stdout).contains("package.json: note: not a terraform plan"),
        "{}",
        text(&named.stdout)
    );
    // A truncated plan is still a plan, and an error.
    let truncated = root.join("plan.json");
    write(
        &truncated,
        "{\"format_version\":\"1.2\",\"terraform_version\":\"1.11.4\",\"planned",
    );
    assert_eq!(
        run(&["check", truncated.to_str().expect("utf-8")])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn nothing_checked_is_said() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = run(&["check", dir.path().to_str().expect("utf-8")]);
    assert_eq!(empty.status.code(), Some(0));
    let stdout = text(&empty.stdout);
    assert!(stdout.contains("checked 0 file(s)"), "{stdout}");
    assert!(stdout.contains("warning: nothing was checked"), "{stdout}");
    let other = dir.path().join("values.yaml");
    write(&other, "replicaCount: 2\n");
    let json_format = run(&["check", "--format", "json", other.to_str().expect("utf-8")]);
    assert_eq!(json_format.status.code(), Some(0));
    assert!(
        text(&json_format.stderr).contains("warning: nothing was checked: no dagster helm_release"),
        "{}",
        text(&json_format.stderr)
    );
    let checked = run(&["check", &fixture("mixed/seed-adr.tf")]);
    assert!(!text(&checked.stdout).contains("nothing was checked"));
    assert!(!text(&checked.stderr).contains("nothing was checked"));
}

#[test]
fn standard_input_is_read_by_content() {
    let plan = std::fs::read_to_string(fixture("plan-terraform-1.11.4.json")).expect("plan");
    let values = "dagsterDaemon:\n  runCoordinator:\n    config:\n      queuedRunCoordinator:\n        maxConcurrentRuns: -5\n";
    for (input, kind, code) in [
        (plan.as_str(), "plan json", "DC104"),
        (NEGATIVE_RUNS_TF, "terraform", "DC101"),
        (values, "helm values", "DC101"),
    ] {
        let output = run_with_stdin(&["check", "--format", "json", "-"], input);
        let report = json(&output);
        let file = &report["files"][0];
        assert_eq!(file["path"], "<stdin>", "{report:#}");
        assert_eq!(file["kind"], kind, "{report:#}");
        let codes: Vec<&str> = file["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter_map(|d| d["code"].as_str())
            .collect();
        assert!(codes.contains(&code), "{kind}: {codes:?}");
    }
    let text_output = run_with_stdin(&["check", "-"], NEGATIVE_RUNS_TF);
    assert!(
        text(&text_output.stdout).starts_with("<stdin>:2:25: error[DC101]"),
        "{}",
        text(&text_output.stdout)
    );
}

/// A plan made by Terraform 1.11.4 (plan-terraform-1.11.4.json) with the documented wiring
/// added to its module (`helm_release.dagster` with `set = dagster_concurrency.paused.set`, its
/// planned `set` the resource's), beside the `.tf` files its `configuration` describes, in a
/// directory whose name has a space.
const PLAN_WITH_SOURCES: &str = "plan sources/plan.json";

#[test]
fn plan_findings_are_reported_once_at_their_tf_source() {
    let plan = fixture(PLAN_WITH_SOURCES);
    let output = run(&["check", &plan]);
    assert_eq!(output.status.code(), Some(0));
    let stdout = text(&output.stdout);
    let source = fixture("plan sources/mod/main.tf");
    assert!(
        stdout.contains(&format!("{source}:9:25: warning[DC104]: module.platform.dagster_concurrency.paused: max_concurrent_runs = 0")),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "{source}:13:13: warning[DC205]: module.platform.dagster_concurrency.paused:"
        )),
        "{stdout}"
    );
    // The release applies the resource's `set`: its findings are the resource's, not repeated.
    assert!(stdout.contains(" 2 warning(s)"), "{stdout}");
    assert!(!stdout.contains("helm_release.dagster:"), "{stdout}");
    // Without its sources the plan still names the resource.
    let alone = tempfile::tempdir().expect("tempdir");
    let copy = alone.path().join("plan.json");
    std::fs::copy(&plan, &copy).expect("copy");
    let elsewhere = text(&run(&["check", copy.to_str().expect("utf-8")]).stdout);
    assert!(
        elsewhere.contains("plan.json:1:")
            && elsewhere.contains(": warning[DC104]: module.platform.dagster_concurrency.paused: "),
        "{elsewhere}"
    );
    // Given the sources' directory alongside, the copy finds them again.
    let alongside = text(
        &run(&[
            "check",
            copy.to_str().expect("utf-8"),
            &fixture("plan sources"),
        ])
        .stdout,
    );
    assert!(
        alongside.contains(&format!("{source}:9:25: warning[DC104]")),
        "{alongside}"
    );
    // Checking the sources and the plan together reports each finding once.
    let both = text(&run(&["check", &plan, &fixture("plan sources")]).stdout);
    assert!(
        both.starts_with("checked 3 file(s)") || both.contains("checked 3 file(s)"),
        "{both}"
    );
    assert_eq!(
        both.matches(&format!("{source}:9:25: warning[DC104]"))
            .count(),
        1,
        "{both}"
    );
}

#[test]
fn sarif_uris_are_encoded_and_plan_results_point_at_the_source() {
    let output = run(&["check", "--format", "sarif", &fixture(PLAN_WITH_SOURCES)]);
    let log = json(&output);
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len(), 2, "{log:#}");
    for result in results {
        let location = &result["locations"][0];
        let uri = location["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .expect("uri");
        assert!(uri.starts_with("file:///"), "{uri}");
        assert!(uri.ends_with("/plan%20sources/mod/main.tf"), "{uri}");
        assert!(!uri.contains(' '), "{uri}");
        assert_eq!(
            location["logicalLocations"][0]["fullyQualifiedName"],
            "module.platform.dagster_concurrency.paused"
        );
    }
}

#[test]
fn a_directory_is_reported_in_walk_order_on_any_number_of_threads() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Files of very different sizes, so that threads finish them out of order.
    for i in 0..120 {
        let limits: String = (0..(i % 7) * 40)
            .map(|t| format!("          - key: \"t{t}\"\n            limit: 1\n"))
            .collect();
        let runs = if i % 5 == 0 { -5 } else { 3 };
        write(
            &dir.path().join(format!("d{}/values-{i:03}.yaml", i % 3)),
            &format!("dagsterDaemon:\n  runCoordinator:\n    enabled: true\n    type: QueuedRunCoordinator\n    config:\n      queuedRunCoordinator:\n        maxConcurrentRuns: {runs}\n        tagConcurrencyLimits:\n{limits}"),
        );
    }
    let root = dir.path().to_str().expect("utf-8");
    let check = |threads: &str| {
        Command::new(env!("CARGO_BIN_EXE_dagster-concurrency"))
            .args(["check", "--format", "json", root])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .expect("the binary runs")
    };
    let one = check("1");
    assert_eq!(one.status.code(), Some(1), "{}", text(&one.stderr));
    let report = json(&one);
    let paths: Vec<&str> = report["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|file| file["path"].as_str().expect("a path"))
        .collect();
    let mut walk_order = paths.clone();
    walk_order.sort_unstable();
    assert_eq!(paths.len(), 120);
    assert_eq!(paths, walk_order);
    assert_eq!(report["totals"]["errors"], 24, "{report:#}");
    for threads in ["4", "16"] {
        let many = check(threads);
        assert_eq!(text(&many.stdout), text(&one.stdout), "{threads} threads");
        assert_eq!(many.status.code(), Some(1));
    }
}
