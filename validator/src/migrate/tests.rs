use super::*;

fn run(text: &str) -> Migration {
    migrate(text, &Options::default()).expect("parses")
}

fn with_provider(helm_provider: HelmProvider) -> Options {
    Options {
        helm_provider: Some(helm_provider),
        ..Options::default()
    }
}

fn outcome(text: &str) -> Outcome {
    let migration = run(text);
    assert_eq!(migration.releases.len(), 1, "{migration:#?}");
    migration.releases[0].outcome.clone()
}

fn release(entries: &str) -> String {
    format!("resource \"helm_release\" \"dagster\" {{\n  chart = \"dagster\"\n{entries}}}\n")
}

fn set(name: &str, value: &str) -> String {
    format!("  set {{\n    name  = \"{name}\"\n    value = {value}\n  }}\n")
}

const RUNS: &str = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns";

#[test]
fn the_seed_adr_migrates_for_both_helm_providers() {
    let text = release(&set(RUNS, "\"5\""));
    let migration = run(&text);
    assert!(
        migration.text.contains("dynamic \"set\""),
        "{}",
        migration.text
    );
    assert!(migration.text.contains("  max_concurrent_runs = 5\n"));
    let list = "resource \"helm_release\" \"dagster\" {\n  chart = \"dagster\"\n  set = [{ name = \"dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns\", value = \"5\" }]\n}\n";
    let migrated = run(list).text;
    assert!(
        migrated.contains("  set = dagster_concurrency.dagster.set\n"),
        "{migrated}"
    );
}

#[test]
fn a_second_run_changes_nothing() {
    let text = release(&set(RUNS, "\"5\""));
    let once = run(&text).text;
    let twice = run(&once);
    assert_eq!(twice.text, once);
    assert_eq!(twice.releases[0].outcome, Outcome::Unchanged);
}

#[test]
fn releases_without_raw_limits_are_unchanged() {
    assert_eq!(
        outcome(&release(&set("image.tag", "\"1.0\""))),
        Outcome::Unchanged
    );
    let other_chart = "resource \"helm_release\" \"x\" {\n  chart = \"postgresql\"\n}\n";
    assert!(run(other_chart).releases.is_empty());
}

fn refused(text: &str, words: &str) {
    match outcome(text) {
        Outcome::Refused(reason) => assert!(reason.contains(words), "{reason}"),
        other => panic!("not refused: {other:?}"),
    }
    assert_eq!(run(text).text, text, "a refused release is left as it was");
}

#[test]
fn what_cannot_be_translated_exactly_is_refused() {
    refused(&release(&set(RUNS, "var.runs")), "computed value");
    let computed_name = set("${var.prefix}.x", "\"1\"");
    assert_eq!(outcome(&release(&computed_name)), Outcome::Unchanged);
    refused(
        &release(&format!("{}{computed_name}", set(RUNS, "\"5\""))),
        "computed name",
    );
    refused(&release(&set(RUNS, "\"null\"")), "removes a chart default");
    refused(
        &release(&set(
            "dagsterDaemon.runCoordinator.type",
            "\"CustomRunCoordinator\"",
        )),
        "the entries set dagsterDaemon.runCoordinator.type = \"CustomRunCoordinator\", where dagster_concurrency would write \"QueuedRunCoordinator\"",
    );
    refused(
        &release(&set(
            "dagsterDaemon.runCoordinator.config.customRunCoordinator.module",
            "\"m\"",
        )),
        "the entries set dagsterDaemon.runCoordinator.config.customRunCoordinator.module = \"m\", which dagster_concurrency does not write",
    );
    refused(
        &release(&set("concurrency.runs.maxConcurrentRuns", "\"5\"")),
        "concurrency.enabled is not true",
    );
    refused(
        &release(&set(&format!("{RUNS}=5,image.tag"), "\"x\"")),
        "and other values",
    );
    refused(
        &release(&format!(
            "  set_sensitive {{\n    name  = \"{RUNS}\"\n    value = \"5\"\n  }}\n"
        )),
        "set_sensitive",
    );
    refused(
        &release(&format!(
            "  values = [file(\"v.yaml\")]\n{}",
            set(RUNS, "\"5\"")
        )),
        "values may set",
    );
    refused(
        &release(&format!("{}  dynamic \"set\" {{\n    for_each = var.extra\n    content {{\n      name  = set.key\n      value = set.value\n    }}\n  }}\n", set(RUNS, "\"5\""))),
        "may also set run limits",
    );
    refused(
        &release(&format!(
            "{}{}",
            set(RUNS, "\"5\""),
            set("dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0].limit", "\"-1\"")
        )),
        "[DC",
    );
    let tag = |field: &str| {
        format!("dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0].{field}")
    };
    refused(
        &release(&format!(
            "{}{}{}",
            set(&tag("key"), "\"team\""),
            set(&tag("value"), "\"123\""),
            set(&tag("limit"), "\"1\"")
        )),
        "[DC",
    );
    refused(
        &release(&set(
            "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurentRuns",
            "\"5\"",
        )),
        "[DC606]",
    );
}

#[test]
fn the_helm_provider_flag_must_match_the_syntax() {
    let text = release(&set(RUNS, "\"5\""));
    let migration = migrate(&text, &with_provider(HelmProvider::V3)).expect("parses");
    assert!(
        matches!(&migration.releases[0].outcome, Outcome::Refused(r) if r.contains("helm provider 2.x, not 3.x"))
    );
    let migration = migrate(&text, &with_provider(HelmProvider::V2)).expect("parses");
    assert!(matches!(
        migration.releases[0].outcome,
        Outcome::Migrated { entries: 1, .. }
    ));
}

#[test]
fn syntax_errors_are_errors() {
    let error = migrate(
        "resource \"helm_release\" {\n  chart = \n",
        &Options::default(),
    )
    .expect_err("invalid");
    assert!(error.to_string().contains("invalid hcl"), "{error}");
}

#[test]
fn diffs_are_unified_and_empty_without_changes() {
    assert_eq!(unified_diff("x.tf", "a\n", "a\n"), "");
    let diff = unified_diff("x.tf", "a\nb\n", "a\nc\n");
    assert!(diff.starts_with("--- a/x.tf\n+++ b/x.tf\n@@"), "{diff}");
    assert!(diff.contains("-b\n+c\n"), "{diff}");
}

#[test]
fn crlf_files_stay_crlf_without_whitespace_only_lines() {
    let text = format!("{}{}", set("image.tag", "\"1.0\""), set(RUNS, "\"5\""));
    let text = release(&text).replace('\n', "\r\n");
    let migrated = run(&text).text;
    assert!(migrated.contains("dynamic \"set\""), "{migrated}");
    assert_eq!(
        migrated.matches('\n').count(),
        migrated.matches("\r\n").count(),
        "mixed line endings: {migrated:?}"
    );
    assert!(
        !migrated
            .lines()
            .any(|line| !line.is_empty() && line.trim().is_empty()),
        "whitespace-only line in {migrated:?}"
    );
}

#[test]
fn removed_blocks_leave_no_run_of_blank_lines() {
    let tag = |field: &str| {
        format!("dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0].{field}")
    };
    let entries = [
        set(RUNS, "\"5\""),
        set(&tag("key"), "\"dagster/backfill\""),
        set(&tag("limit"), "\"3\""),
    ]
    .join("\n");
    let text = release(&format!("\n{entries}"));
    let migrated = run(&text).text;
    assert!(
        migrated.contains("    }\n  }\n}\n"),
        "blank lines before the release's closing brace: {migrated}"
    );
    assert!(!migrated.contains("\n\n\n"), "{migrated}");
    // Raw blocks between kept ones: the kept ones keep one blank line between them.
    let text = release(&format!(
        "{}\n{}\n{}\n{}",
        set(RUNS, "\"5\""),
        set("image.tag", "\"1.0\""),
        set(
            "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.dequeueIntervalSeconds",
            "\"10\""
        ),
        set("image.pullPolicy", "\"Always\"")
    ));
    let migrated = run(&text).text;
    assert!(
        migrated.contains("    value = \"1.0\"\n  }\n\n  set {\n    name  = \"image.pullPolicy\""),
        "{migrated}"
    );
}

#[test]
fn a_trailing_comment_goes_with_its_entry() {
    let text = "resource \"helm_release\" \"dagster\" {\n  chart = \"dagster\"\n  set = [\n    { name = \"dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns\", value = \"5\" }, # ADR-007\n    { name = \"image.tag\", value = \"1.0\" },\n  ]\n}\n";
    let migrated = run(text).text;
    assert!(!migrated.contains("ADR-007"), "{migrated}");
    assert!(
        migrated.contains("  set = concat(dagster_concurrency.dagster.set, [\n    { name = \"image.tag\", value = \"1.0\" },\n  ])\n"),
        "{migrated}"
    );
    // Two entries on one line: the comment belongs to the line, which stays.
    let shared = text.replace("value = \"5\" }, # ADR-007\n    {", "value = \"5\" }, {");
    let shared = shared.replace("value = \"1.0\" },\n", "value = \"1.0\" }, # kept\n");
    let migrated = run(&shared).text;
    assert!(
        migrated.contains("    { name = \"image.tag\", value = \"1.0\" }, # kept\n"),
        "{migrated}"
    );
}

#[test]
fn counts_agree_with_their_nouns() {
    let text = release(&set(RUNS, "\"5\""));
    let shown = run(&text).releases[0].to_string();
    assert!(
        shown.ends_with("migrated: 1 raw entry now comes from dagster_concurrency.dagster"),
        "{shown}"
    );
}

#[test]
fn a_name_taken_in_the_file_or_the_module_is_not_reused() {
    let text = format!(
        "{}resource \"dagster_concurrency\" \"dagster\" {{}}\n",
        release(&set(RUNS, "\"5\""))
    );
    let migration = run(&text);
    assert!(
        matches!(&migration.releases[0].outcome, Outcome::Migrated { resource, .. } if resource == "dagster_concurrency.dagster_2"),
        "{migration:?}"
    );
    assert!(migration
        .text
        .contains("for_each = dagster_concurrency.dagster_2.set"));
    assert!(migration
        .text
        .contains("resource \"dagster_concurrency\" \"dagster_2\" {"));
    let options = Options {
        taken: vec!["dagster".into(), "dagster_2".into()],
        ..Options::default()
    };
    let migration = migrate(&release(&set(RUNS, "\"5\"")), &options).expect("parses");
    assert!(
        migration
            .text
            .contains("resource \"dagster_concurrency\" \"dagster_3\" {"),
        "{}",
        migration.text
    );
}

#[test]
fn the_concurrency_section_alone_migrates_with_the_chart_defaults() {
    let text = release(&format!(
        "{}{}",
        set("concurrency.enabled", "\"true\""),
        set("concurrency.runs.maxConcurrentRuns", "\"5\"")
    ));
    let migration = run(&text);
    assert!(
        matches!(
            migration.releases[0].outcome,
            Outcome::Migrated { entries: 2, .. }
        ),
        "{migration:?}"
    );
    assert!(
        migration
            .text
            .contains("  placement           = \"concurrency\"\n  max_concurrent_runs = 5\n"),
        "{}",
        migration.text
    );
    // With values, which might disable the coordinator, the refusal says what to add.
    let with_values = text.replace(
        "  chart = \"dagster\"\n",
        "  chart = \"dagster\"\n  values = [file(\"v.yaml\")]\n",
    );
    refused(
        &with_values,
        "add the set entries dagsterDaemon.runCoordinator.enabled = true and dagsterDaemon.runCoordinator.type = QueuedRunCoordinator",
    );
}

#[test]
fn a_chart_version_expression_is_carried_over_or_said_missing() {
    let versioned = |version: &str| {
        release(&set(RUNS, "\"5\"")).replace(
            "  chart = \"dagster\"\n",
            &format!("  chart = \"dagster\"\n  version = {version}\n"),
        )
    };
    let migration = run(&versioned("var.chart_version"));
    assert!(
        migration
            .text
            .contains("  chart_version       = var.chart_version\n  max_concurrent_runs = 5\n"),
        "{}",
        migration.text
    );
    assert!(
        matches!(&migration.releases[0].outcome, Outcome::Migrated { notes, .. } if notes.is_empty())
    );
    let verified = verify(&versioned("var.chart_version"), &Options::default()).expect("parses");
    assert!(verified[0].verified(), "{}", verified[0]);
    for per_instance in ["each.value.version", "local.versions[count.index]"] {
        let migration = run(&versioned(per_instance));
        assert!(
            !migration.text.contains("chart_version"),
            "{}",
            migration.text
        );
        let shown = migration.releases[0].to_string();
        assert!(
            shown.contains(&format!("; the release's version ({per_instance}) cannot be moved to another resource, so dagster_concurrency.dagster has no chart_version and is checked against the newest chart; set chart_version")),
            "{shown}"
        );
    }
    assert!(!refers_per_instance("var.each.count"));
    assert!(refers_per_instance("self.version"));
}

#[test]
fn umbrella_charts_migrate_under_their_prefix() {
    let text = "resource \"helm_release\" \"platform\" {\n  chart   = \"./charts/platform\"\n  version = \"3.1.0\"\n  set {\n    name  = \"dagster.dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns\"\n    value = \"5\"\n  }\n  set {\n    name  = \"postgresql.enabled\"\n    value = \"false\"\n  }\n}\n";
    for prefix in [None, Some("dagster")] {
        let options = Options {
            values_prefix: prefix.map(str::to_owned),
            ..Options::default()
        };
        let migration = migrate(text, &options).expect("parses");
        assert!(
            migration
                .text
                .contains("  values_prefix       = \"dagster\"\n  max_concurrent_runs = 5\n"),
            "{}",
            migration.text
        );
        assert!(
            !migration.text.contains("chart_version"),
            "the umbrella's version is not Dagster's"
        );
        assert!(migration.text.contains("\"postgresql.enabled\""));
        let shown = migration.releases[0].to_string();
        assert!(shown.contains("1 raw entry now comes from dagster_concurrency.platform; the release's version is the umbrella chart's"), "{shown}");
    }
    // Another prefix than the one the entries use: nothing of Dagster's there.
    let options = Options {
        values_prefix: Some("other".into()),
        ..Options::default()
    };
    assert!(migrate(text, &options).expect("parses").releases.is_empty());
    // A chart with no Dagster values is not a Dagster release.
    let plain = text.replace("dagster.dagsterDaemon", "app.workers");
    assert!(run(&plain).releases.is_empty());
}

#[test]
fn verify_compares_the_values_helm_builds() {
    let tag = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0]";
    let text = release(&format!(
        "{}{}{}",
        set(RUNS, "\"5\""),
        set(&format!("{tag}.key"), "\"dagster/backfill\""),
        set(&format!("{tag}.limit"), "\"3\"")
    ));
    let verifications = verify(&text, &Options::default()).expect("parses");
    assert_eq!(verifications.len(), 1);
    let verification = &verifications[0];
    assert!(verification.verified(), "{verification}");
    assert_eq!(verification.raw.len(), 3);
    assert_eq!(verification.rendered.len(), 5);
    assert_eq!(
        verification.raw_values["dagsterDaemon"]["runCoordinator"]["config"]
            ["queuedRunCoordinator"]["tagConcurrencyLimits"][0]["limit"],
        serde_json::json!(3)
    );
    assert_eq!(
        verification.rendered_values["dagsterDaemon"]["runCoordinator"]["type"],
        serde_json::json!("QueuedRunCoordinator")
    );
    assert!(verification.to_string().ends_with("helm_release.dagster verified: the 3 raw entries and the 5 entries dagster_concurrency.dagster renders give Helm the same values, apart from the chart defaults dagsterDaemon.runCoordinator.enabled = true and dagsterDaemon.runCoordinator.type = QueuedRunCoordinator"), "{verification}");
    // Nothing migrated, nothing to verify.
    assert!(verify(&run(&text).text, &Options::default())
        .expect("parses")
        .is_empty());
}

/// Migrate once replayed `set` entries without the bound on list padding the readers have:
/// a few kilobytes of entries such as `k[65536]` built gigabytes of `null`s.
#[test]
fn list_padding_is_bounded_as_in_the_readers() {
    let fit = crate::input::strvals::MAX_ADDED_ELEMENTS / 65537;
    assert_eq!(fit * 65537, crate::input::strvals::MAX_ADDED_ELEMENTS);
    let padding: String = (0..=fit)
        .map(|key| set(&format!("padding{key}[65536]"), "\"1\""))
        .collect();
    let text = release(&format!("{}{padding}", set(RUNS, "\"5\"")));
    let bound = format!("past the {} this check replays", fit * 65537);
    refused(&text, &bound);
    let verified = verify(&text, &Options::default()).expect("parses");
    assert!(verified.is_empty(), "a refused release is not verified");
}
