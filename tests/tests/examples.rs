//! Every example under `examples/` through real Terraform CLIs: `init` from the filesystem
//! mirror, `validate` (valid, no warnings: examples show clean configurations) and `plan`.
//!
//! Examples are discovered, not listed: the registry examples (`provider/provider.tf`, each
//! `resources/<type>/resource.tf` and `data-sources/<type>/data-source.tf`, run together with
//! `provider.tf`) and every scenario folder (`examples/<scenario>/*.tf`). A few scenarios also
//! have their rendering checked below.

use dagster_e2e::{clis, repo_root, Terraform, Workspace};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// One runnable example: a name and its files.
struct Example {
    name: String,
    files: Vec<(String, String)>,
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn sorted_dirs(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut dirs: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn tf_files(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "tf"))
        .map(|path| {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            (name, read(&path))
        })
        .collect();
    files.sort();
    files
}

/// Every example, in a fixed order.
fn examples() -> Vec<Example> {
    let root = repo_root().join("examples");
    let provider = (
        "provider.tf".to_owned(),
        read(&root.join("provider/provider.tf")),
    );
    let mut out = vec![Example {
        name: "provider".into(),
        files: vec![provider.clone()],
    }];
    for (folder, file) in [
        ("resources", "resource.tf"),
        ("data-sources", "data-source.tf"),
    ] {
        for dir in sorted_dirs(&root.join(folder)) {
            let path = dir.join(file);
            out.push(Example {
                name: format!(
                    "{folder}/{}",
                    dir.file_name().unwrap_or_default().to_string_lossy()
                ),
                files: vec![provider.clone(), (file.to_owned(), read(&path))],
            });
        }
    }
    for dir in sorted_dirs(&root) {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let files = tf_files(&dir);
        if ["provider", "resources", "data-sources"].contains(&name.as_str()) || files.is_empty() {
            continue;
        }
        out.push(Example { name, files });
    }
    out
}

/// The `set` entries planned for the first `dagster_concurrency` resource, as `name=value`.
fn planned_set(plan: &Value) -> Vec<String> {
    plan["resource_changes"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|change| change["type"] == "dagster_concurrency")
        .and_then(|change| change["change"]["after"]["set"].as_array())
        .into_iter()
        .flatten()
        .map(|entry| {
            format!(
                "{}={}",
                entry["name"].as_str().unwrap_or_default(),
                entry["value"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

/// What a scenario must render, beyond validating and planning cleanly.
fn check_scenario(name: &str, plan: &Value) {
    let set = planned_set(plan);
    let has = |entry: &str| set.iter().any(|e| e == entry);
    match name {
        "umbrella-chart" => {
            assert!(!set.is_empty());
            assert!(
                set.iter().all(|e| e.starts_with("dagster.dagsterDaemon.")),
                "every name under the subchart prefix: {set:?}"
            );
            assert!(has("dagster.dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns=8"), "{set:?}");
        }
        "pools" => {
            assert!(has("concurrency.enabled=true"), "{set:?}");
            assert!(has("concurrency.pools.defaultLimit=10"), "{set:?}");
            assert!(has("concurrency.pools.granularity=op"), "{set:?}");
            assert!(has("concurrency.runs.maxConcurrentRuns=20"), "{set:?}");
            assert!(
                !set.iter()
                    .any(|e| e.contains("queuedRunCoordinator.maxConcurrentRuns")),
                "run limits must not also sit under the run coordinator: {set:?}"
            );
        }
        "backfill-limits" => {
            let qrc = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator";
            assert!(
                has(&format!(
                    "{qrc}.tagConcurrencyLimits[0].key=dagster/backfill"
                )),
                "{set:?}"
            );
            assert!(
                has(&format!(
                    "{qrc}.tagConcurrencyLimits[0].value.applyLimitPerUniqueValue=true"
                )),
                "{set:?}"
            );
            assert!(
                has(&format!("{qrc}.tagConcurrencyLimits[0].limit=2")),
                "{set:?}"
            );
        }
        "seed-adr" => {
            // The migration guide's claim: the rendering is the raw entries it replaces plus the
            // two chart defaults made explicit.
            let raw = raw_entries_before_migration();
            assert_eq!(raw.len(), 3, "{raw:?}");
            for entry in &raw {
                assert!(
                    has(entry),
                    "{entry} of the guide's \"before\" is not rendered: {set:?}"
                );
            }
            assert!(has("dagsterDaemon.runCoordinator.enabled=true"), "{set:?}");
            assert!(
                has("dagsterDaemon.runCoordinator.type=QueuedRunCoordinator"),
                "{set:?}"
            );
            assert_eq!(set.len(), raw.len() + 2, "{set:?}");
        }
        _ => {}
    }
}

/// The `name=value` of each raw `set` block in the migration guide's "Before" example.
fn raw_entries_before_migration() -> Vec<String> {
    let guide = read(&repo_root().join("docs/guides/migrating-from-set.md"));
    let before = guide
        .split("## Before")
        .nth(1)
        .and_then(|rest| rest.split("```terraform\n").nth(1))
        .and_then(|block| block.split("\n```").next())
        .expect("a terraform block under ## Before");
    let quoted = |line: &str| line.split('"').nth(1).unwrap_or_default().to_owned();
    let mut out = Vec::new();
    let mut in_set = false;
    let mut name = String::new();
    for line in before.lines().map(str::trim) {
        match line {
            "set {" => in_set = true,
            "}" => in_set = false,
            _ if in_set && line.starts_with("name ") => name = quoted(line),
            _ if in_set && line.starts_with("value ") => {
                out.push(format!("{name}={}", quoted(line)));
            }
            _ => {}
        }
    }
    out
}

fn run_example(tf: &Terraform, example: &Example) {
    let context = format!("example {} on terraform {}", example.name, tf.version);
    let ws = Workspace::new(tf, "");
    for (name, text) in &example.files {
        ws.write(name, text);
    }
    ws.init();
    let validate = ws.validate_json();
    assert_eq!(validate["valid"], true, "{context}: {validate:#}");
    assert_eq!(validate["warning_count"], 0, "{context}: {validate:#}");
    let plan = ws.plan_json();
    for change in plan["resource_changes"].as_array().into_iter().flatten() {
        if change["mode"] == "managed" {
            assert_eq!(
                change["change"]["actions"],
                serde_json::json!(["create"]),
                "{context}: {change:#}"
            );
        }
        if change["type"] == "dagster_concurrency" && change["mode"] == "managed" {
            assert_eq!(
                change["change"]["after_unknown"],
                serde_json::json!({}),
                "{context}: every output known at plan"
            );
        }
    }
    check_scenario(&example.name, &plan);
}

#[test]
fn every_example_inits_validates_and_plans_on_every_cli() {
    let examples = examples();
    let names: Vec<&str> = examples.iter().map(|e| e.name.as_str()).collect();
    for expected in [
        "provider",
        "resources/dagster_concurrency",
        "data-sources/dagster_concurrency",
        "seed-adr",
        "umbrella-chart",
        "pools",
        "backfill-limits",
    ] {
        assert!(
            names.contains(&expected),
            "example {expected} missing from {names:?}"
        );
    }
    // Examples are independent: two at a time keeps the run short on a small machine.
    for tf in clis() {
        for pair in examples.chunks(2) {
            std::thread::scope(|scope| {
                for example in pair {
                    scope.spawn(move || run_example(tf, example));
                }
            });
        }
    }
}

#[test]
fn examples_and_doc_snippets_are_canonically_formatted() {
    let tf = clis().last().expect("a terraform CLI");
    let root = repo_root();
    let fmt = |dir: &Path| {
        Command::new(&tf.path)
            .args(["fmt", "-check", "-diff", "-recursive", "-no-color"])
            .arg(dir)
            .env("CHECKPOINT_DISABLE", "1")
            .output()
            .expect("terraform fmt runs")
    };
    let out = fmt(&root.join("examples"));
    assert!(
        out.status.success(),
        "run `terraform fmt -recursive examples`:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Every ```terraform block of the generated docs, including the helm_release wiring that
    // cannot be planned here (the helm provider is not installable offline), must parse and be
    // formatted as `terraform fmt` would.
    let snippets = tempfile::TempDir::new().expect("temp dir");
    let mut count = 0;
    let mut pages = vec![root.join("docs/index.md")];
    for folder in ["docs/resources", "docs/data-sources", "docs/guides"] {
        pages.extend(
            std::fs::read_dir(root.join(folder))
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path()),
        );
    }
    for page in &pages {
        let text = read(page);
        for block in text.split("```terraform\n").skip(1) {
            let code = block.split("\n```").next().unwrap_or_default();
            count += 1;
            std::fs::write(
                snippets.path().join(format!("snippet{count}.tf")),
                format!("{code}\n"),
            )
            .expect("write snippet");
        }
    }
    assert!(count >= 5, "only {count} terraform blocks found in docs/");
    let out = fmt(snippets.path());
    assert!(
        out.status.success(),
        "a terraform block in docs/ (or a template under xtask/templates) is not canonical:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
