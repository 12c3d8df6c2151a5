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

    /// Writes another file of the module and returns its path.
    fn write(&self, name: &str, contents: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, contents).expect("scratch file");
        path.display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn corpus(name: &str) -> String {
    std::fs::read_to_string(corpus_path(name)).expect("corpus file")
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

/// A file of the migration corpus, which the validator's own `migrate` tests share.
fn corpus_path(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../validator/tests/fixtures/migrate")
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

#[test]
fn a_name_used_elsewhere_in_the_module_is_not_written_again() {
    let scratch = Scratch::new("module", "main.tf", &corpus("seed_adr_helm2.tf"));
    scratch.write(
        "limits.tf",
        "resource \"dagster_concurrency\" \"dagster\" {\n  max_concurrent_runs = 1\n}\n",
    );
    scratch.write(
        "more.tf.json",
        r#"{"resource": {"dagster_concurrency": {"dagster_2": {"max_concurrent_runs": 2}}}}"#,
    );
    let file = scratch.file("main.tf");
    let path = file.to_str().expect("utf-8 path");
    let output = run(&["migrate", "--write", path]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(
        text(&output.stderr).contains("now come from dagster_concurrency.dagster_3"),
        "{}",
        text(&output.stderr)
    );
    let written = std::fs::read_to_string(&file).expect("file");
    assert!(written.contains("resource \"dagster_concurrency\" \"dagster_3\" {"));
    // A module file migrate cannot read: it cannot know the names in use.
    let broken = scratch.write("broken.tf", "resource \"x\" {\n");
    let output = run(&["migrate", path]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = text(&output.stderr);
    assert!(
        stderr.starts_with(&format!("error: {broken}:")) && stderr.contains("invalid hcl"),
        "{stderr}"
    );
}

const UMBRELLA: &str = "resource \"helm_release\" \"platform\" {\n  name  = \"platform\"\n  chart = \"./charts/platform\"\n\n  set {\n    name  = \"dagster.dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns\"\n    value = \"-5\"\n  }\n}\n";

#[test]
fn umbrella_charts_are_checked_and_migrated_under_their_prefix() {
    let scratch = Scratch::new("umbrella", "main.tf", UMBRELLA);
    let file = scratch.file("main.tf");
    let path = file.to_str().expect("utf-8 path");
    for prefix in [&[][..], &["--values-prefix", "dagster"][..]] {
        let mut args = vec!["check"];
        args.extend(prefix);
        args.push(path);
        let output = run(&args);
        let stdout = text(&output.stdout);
        assert_eq!(output.status.code(), Some(1), "{stdout}");
        assert!(
            stdout.contains(&format!(
                "{path}:5:3: error[DC101]: dagster.dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns = -5"
            )),
            "{stdout}"
        );
        assert!(stdout.contains("1 configuration(s)"), "{stdout}");
    }
    let fixed = UMBRELLA.replace("\"-5\"", "\"5\"");
    std::fs::write(&file, &fixed).expect("scratch file");
    let output = run(&["migrate", "--values-prefix", "dagster", "--write", path]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let written = std::fs::read_to_string(&file).expect("file");
    assert!(
        written.contains("  values_prefix       = \"dagster\"\n  max_concurrent_runs = 5\n"),
        "{written}"
    );
    assert!(
        text(&output.stderr).contains("1 raw entry now comes from dagster_concurrency.platform")
    );
    // Under another prefix there is nothing of Dagster's: no configuration, nothing migrated.
    let output = run(&[
        "check",
        "--values-prefix",
        "other",
        &corpus_path("umbrella_helm3.tf"),
    ]);
    assert!(
        text(&output.stdout).contains("0 configuration(s)"),
        "{}",
        text(&output.stdout)
    );
}

#[test]
fn verify_proves_each_release_and_exits_1_on_a_refusal() {
    let output = run(&["migrate", "--verify", &corpus_path("seed_adr_helm2.tf")]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    assert!(output.stdout.is_empty(), "no diff with --verify");
    assert!(
        text(&output.stderr).contains("helm_release.dagster verified: the 3 raw entries and the 5 entries dagster_concurrency.dagster renders give Helm the same values, apart from the chart defaults dagsterDaemon.runCoordinator.enabled = true and dagsterDaemon.runCoordinator.type = QueuedRunCoordinator"),
        "{}",
        text(&output.stderr)
    );
    let scratch = Scratch::new(
        "verify",
        "main.tf",
        "resource \"helm_release\" \"dagster\" {\n  chart = \"dagster\"\n  set {\n    name  = \"dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns\"\n    value = var.runs\n  }\n}\n",
    );
    let file = scratch.file("main.tf");
    let output = run(&["migrate", "--verify", file.to_str().expect("utf-8 path")]);
    assert_eq!(output.status.code(), Some(1));
    assert!(text(&output.stderr).contains("not migrated: the set entry"));
    let output = run(&[
        "migrate",
        "--verify",
        "--write",
        file.to_str().expect("utf-8 path"),
    ]);
    assert_eq!(output.status.code(), Some(2), "--verify never writes");
}

/// The migration guide's "Before" example: the first `terraform` block of its template.
fn guide_before() -> String {
    let template = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../xtask/templates/guides/migrating-from-set.md");
    let guide = std::fs::read_to_string(template).expect("guide template");
    let open = "```terraform\n";
    let start = guide.find(open).expect("a terraform block") + open.len();
    let end = start + guide[start..].find("```").expect("the block ends");
    guide[start..end].to_owned()
}

#[test]
fn the_guides_before_example_migrates_cleanly_and_its_claims_hold() {
    let before = guide_before();
    let scratch = Scratch::new("guide", "main.tf", &before);
    let file = scratch.file("main.tf");
    let path = file.to_str().expect("utf-8 path");
    let output = run(&["migrate", "--write", path]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let written = std::fs::read_to_string(&file).expect("file");
    assert!(
        written.contains("  version    = \"1.12.14\"\n\n  dynamic \"set\" {\n")
            && written.contains("      type  = set.value.type\n    }\n  }\n}\n"),
        "blank lines left where the set blocks were:\n{written}"
    );
    // "a misspelt tag or a tag limit above the global one installs; a misspelt name is refused by
    // the chart's schema; check reports all three: DC208, DC206 and DC606".
    for (from, to, found) in [
        (
            "\"dagster/backfill\"",
            "\"dagster/backfil\"",
            "warning[DC208]",
        ),
        ("value = \"3\"", "value = \"7\"", "warning[DC206]"),
        (
            "tagConcurrencyLimits[0]",
            "tagConcurrencyLimit[0]",
            "error[DC606]",
        ),
    ] {
        assert!(before.contains(from), "the guide changed: {from}");
        std::fs::write(&file, before.replace(from, to)).expect("scratch file");
        let output = run(&["check", path]);
        assert!(
            text(&output.stdout).contains(found),
            "{}",
            text(&output.stdout)
        );
    }
}
