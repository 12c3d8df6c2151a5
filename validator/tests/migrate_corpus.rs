//! `migrate` over the corpus in `tests/fixtures/migrate/`: every Dagster release migrates,
//! raw run-limit entries leave the file, every other line stays as it was and in order, and a
//! second run changes nothing. (tests/tests/migrate_e2e.rs checks the rendered values against
//! Helm's own parser through a real Terraform.)

use std::path::PathBuf;
use validator::migrate::{migrate, Options, Outcome};

/// Every corpus file and its text.
fn corpus() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/migrate");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("corpus directory")
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "tf"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("corpus file");
            (
                path.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
                text,
            )
        })
        .collect();
    files.sort();
    assert!(files.len() >= 8, "corpus is missing files: {files:?}");
    files
}

/// True for a line naming a raw run-limit entry, at the top of the values or under the corpus's
/// umbrella prefix `dagster.`.
fn is_raw_name(line: &str) -> bool {
    ["\"", "\"dagster."].iter().any(|start| {
        line.contains(&format!("{start}dagsterDaemon.runCoordinator"))
            || line.contains(&format!("{start}concurrency."))
    })
}

/// True for a line that can belong to a removed raw run-limit entry or to the list syntax
/// migrate replaces (a superset: kept entries' braces and values are also skipped).
fn removable(line: &str) -> bool {
    let line = line.trim();
    let raw_name = |text: &str| is_raw_name(text);
    matches!(
        line,
        "set {" | "set_string {" | "}" | "}," | "{" | "set = [" | "]"
    ) || (line.starts_with("name") && raw_name(line))
        || line.starts_with("value")
        || line.starts_with("type")
        || (line.starts_with("{ name") && raw_name(line))
}

#[test]
fn every_release_migrates_and_only_raw_entries_leave() {
    for (file, text) in corpus() {
        let migration = migrate(&text, &Options::default()).expect("corpus parses");
        assert!(!migration.releases.is_empty(), "{file}: no Dagster release");
        for release in &migration.releases {
            assert!(
                matches!(release.outcome, Outcome::Migrated { .. }),
                "{file}: {release}"
            );
        }
        // Every line that is not part of a raw entry is still there, in the same order.
        let mut migrated = migration.text.lines();
        for line in text.lines().filter(|line| !removable(line)) {
            assert!(
                migrated.any(|kept| kept == line),
                "{file}: {line:?} is gone or out of order in\n{}",
                migration.text
            );
        }
        let raw_names = migration.text.lines().filter(|line| is_raw_name(line));
        assert_eq!(
            raw_names.count(),
            0,
            "{file}: raw entries left in\n{}",
            migration.text
        );
        assert!(
            migration.text.contains("resource \"dagster_concurrency\""),
            "{file}"
        );
    }
}

#[test]
fn a_second_run_changes_nothing() {
    for (file, text) in corpus() {
        let once = migrate(&text, &Options::default())
            .expect("corpus parses")
            .text;
        let twice = migrate(&once, &Options::default()).expect("migrated file parses");
        assert_eq!(twice.text, once, "{file}");
        assert!(
            twice
                .releases
                .iter()
                .all(|release| release.outcome == Outcome::Unchanged),
            "{file}: {:?}",
            twice.releases
        );
    }
}

#[test]
fn the_seed_adr_becomes_the_seed_example() {
    let text = corpus()
        .into_iter()
        .find(|(file, _)| file == "seed_adr_helm2.tf")
        .map(|(_, text)| text)
        .expect("seed fixture");
    let migrated = migrate(&text, &Options::default()).expect("parses").text;
    assert!(migrated.ends_with(
        "resource \"dagster_concurrency\" \"dagster\" {\n  chart_version       = \"1.12.14\"\n  max_concurrent_runs = 5\n\n  tag_concurrency_limit {\n    key   = \"dagster/backfill\"\n    limit = 3\n  }\n}\n"
    ), "{migrated}");
    assert!(migrated.contains("  # ADR-007: at most 5 runs at once, at most 3 of them from backfills.\n  dynamic \"set\" {\n    for_each = dagster_concurrency.dagster.set\n"), "{migrated}");
    assert!(migrated.contains("    value = var.postgres_password # from the secret store\n"));
}
