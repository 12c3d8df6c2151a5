//! `dagster-concurrency migrate` end to end: the diff, `--write`, a second run, refusals and
//! the exit codes.

mod common;

use common::{run, text};
use std::path::{Path, PathBuf};

/// A copy of a corpus file in a directory of its own, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str, name: &str, contents: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("dc-migrate-{}-{test}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        std::fs::write(dir.join(name), contents).expect("scratch file");
        Scratch(dir)
    }

    fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn corpus(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/migrate")
        .join(name);
    std::fs::read_to_string(path).expect("corpus file")
}

#[test]
fn prints_a_diff_then_writes_then_has_nothing_left() {
    let original = corpus("seed_adr_helm3.tf");
    let scratch = Scratch::new("diff", "main.tf", &original);
    let file = scratch.file("main.tf");
    let path = file.to_str().expect("utf-8 path");
    let output = run(&["migrate", path]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let diff = text(&output.stdout);
    assert!(
        diff.starts_with(&format!("--- a/{path}\n+++ b/{path}\n@@")),
        "{diff}"
    );
    assert!(
        diff.contains("+  set = concat(dagster_concurrency.dagster.set, [\n"),
        "{diff}"
    );
    assert!(text(&output.stderr).contains(
        "helm_release.dagster migrated: 3 raw entries now come from dagster_concurrency.dagster"
    ));
    assert_eq!(
        std::fs::read_to_string(&file).expect("file"),
        original,
        "no --write: untouched"
    );

    let output = run(&["migrate", "--write", "--helm-provider", "3", path]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(output.stdout.is_empty());
    let written = std::fs::read_to_string(&file).expect("file");
    assert!(
        written.contains("resource \"dagster_concurrency\" \"dagster\""),
        "{written}"
    );

    let output = run(&["migrate", path]);
    assert_eq!(output.status.code(), Some(0));
    assert!(
        output.stdout.is_empty(),
        "a second run has no diff: {}",
        text(&output.stdout)
    );
    assert!(text(&output.stderr).contains("unchanged: no raw run-limit entries"));
    // The release's entries are now computed, so only the resource is checked, policy included.
    let policy = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/policy/platform.hcl");
    let checked = run(&[
        "check",
        "--policy",
        policy.to_str().expect("utf-8 path"),
        path,
    ]);
    assert_eq!(checked.status.code(), Some(0), "{}", text(&checked.stdout));
    assert!(
        text(&checked.stdout).contains("0 error(s), 0 warning(s)"),
        "{}",
        text(&checked.stdout)
    );
}

#[test]
fn refusals_exit_1_with_the_reason_and_leave_the_file() {
    let original = "resource \"helm_release\" \"dagster\" {\n  chart = \"dagster\"\n  set {\n    name  = \"dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns\"\n    value = var.runs\n  }\n}\n";
    let scratch = Scratch::new("refused", "main.tf", original);
    let file = scratch.file("main.tf");
    let path = file.to_str().expect("utf-8 path");
    let output = run(&["migrate", "--write", path]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        text(&output.stderr).trim_end(),
        format!("{path}:1:1: helm_release.dagster not migrated: the set entry dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns has a computed value")
    );
    assert_eq!(std::fs::read_to_string(&file).expect("file"), original);
    let output = run(&[
        "migrate",
        "--helm-provider",
        "3",
        &corpus_path("seed_adr_helm2.tf"),
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("written for helm provider 2.x, not 3.x"));
}

fn corpus_path(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/migrate")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn unreadable_files_and_bad_usage_exit_2() {
    let scratch = Scratch::new(
        "bad",
        "main.tf",
        "resource \"helm_release\" \"x\" {\n  chart =\n",
    );
    let file = scratch.file("main.tf");
    let path = file.to_str().expect("utf-8 path");
    let output = run(&["migrate", path]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with(&format!("error: {path}:")) && stderr.contains("invalid hcl"),
        "{stderr}"
    );
    let missing = scratch.file("missing.tf");
    let output = run(&["migrate", missing.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains("cannot read"));
    let output = run(&["migrate", "--helm-provider", "4", path]);
    assert_eq!(output.status.code(), Some(2));
}
