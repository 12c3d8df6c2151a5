use super::*;

const SEED_SET: &str = r#"
resource "helm_release" "dagster" {
  name       = "dagster"
  repository = "https://dagster-io.github.io/helm"
  chart      = "dagster"
  version    = "1.12.14"

  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns"
    value = 5
  }
  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0].key"
    value = "dagster/backfill"
  }
  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0].limit"
    value = "3"
  }
}
"#;

fn one(text: &str) -> Target {
    let mut targets = read(text, &ReadOptions::default()).expect("parses");
    assert_eq!(targets.len(), 1, "{targets:?}");
    targets.remove(0)
}

fn codes(target: &Target) -> Vec<&'static str> {
    target.diagnostics().iter().map(|d| d.rule.code).collect()
}

#[test]
fn the_seed_adr_raw_set_entries_are_clean() {
    let seed = one(SEED_SET);
    assert_eq!(seed.name, "helm_release.dagster");
    assert_eq!(seed.config.max_concurrent_runs, Setting::Known(5));
    assert_eq!(seed.config.chart_version, Setting::Known("1.12.14".into()));
    assert_eq!(codes(&seed), Vec::<&str>::new());
    assert!(seed.notes.is_empty(), "{:?}", seed.notes);
}

#[test]
fn findings_point_at_the_set_entry() {
    let paused = one(&SEED_SET.replace("value = 5", "value = 0"));
    let diagnostics = paused.diagnostics();
    assert_eq!(codes(&paused), ["DC104"]);
    assert_eq!(diagnostics[0].at.position.line, 8);
}

#[test]
fn provider_3_list_attributes_and_set_string() {
    let text = r#"
resource "helm_release" "d" {
  chart = "dagster/dagster"
  set = [
    { name = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns", value = "5" },
  ]
  set_string {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.dequeueNumWorkers"
    value = "4"
  }
}
"#;
    let target = one(text);
    assert_eq!(target.config.max_concurrent_runs, Setting::Known(5));
    let diagnostics = target.diagnostics();
    assert_eq!(codes(&target), ["DC605"]);
    assert_eq!(diagnostics[0].at.position.line, 7);
}

#[test]
fn values_then_set_with_heredoc_and_yamlencode() {
    let text = r#"
resource "helm_release" "d" {
  chart = "dagster"
  values = [
    <<-EOT
      dagsterDaemon:
        runCoordinator:
          config:
            queuedRunCoordinator:
              maxConcurrentRuns: 50
    EOT
    ,
    yamlencode({
      dagsterDaemon = { runCoordinator = { config = { queuedRunCoordinator = {
        tagConcurrencyLimits = [
          { key = "team", limit = 1 },
          { key = "dagster/backfill", limit = 2 },
        ]
      } } } }
    }),
  ]
  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns"
    value = "0"
  }
  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0].limit"
    value = "-1"
  }
}
"#;
    let target = one(text);
    assert_eq!(target.config.max_concurrent_runs, Setting::Known(0));
    let found = target.diagnostics();
    let codes: Vec<_> = found.iter().map(|d| d.rule.code).collect();
    assert_eq!(codes, ["DC603", "DC104", "DC202"], "{found:?}");
    let kept = &found[0];
    assert_eq!(
        kept.summary,
        "set entries edit dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits by index, but elements [1] from values stay in place"
    );
    // The limit from yamlencode is located in the .tf file.
    let tags = target.config.tag_limits.known().expect("tags");
    assert_eq!(tags.len(), 2);
    assert_eq!(tags[1].limit, Setting::Known(2));
    let backfill = target
        .written
        .iter()
        .find(|w| w.attr == "tag_concurrency_limit[1].limit")
        .expect("written");
    assert_eq!(backfill.position.line, 17);
}

#[test]
fn heredoc_yaml_positions_are_file_lines() {
    let text = "resource \"helm_release\" \"d\" {\n  chart = \"dagster\"\n  values = [<<EOT\ndagsterDaemon:\n  runCoordinator:\n    enabled: false\n    config:\n      queuedRunCoordinator:\n        maxConcurrentRuns: 5\nEOT\n  ]\n}\n";
    let target = one(text);
    let found = target.diagnostics();
    assert_eq!(found[0].rule.code, "DC601");
    assert_eq!(
        found[0].at.position,
        Position {
            line: 6,
            column: 14
        }
    );
}

#[test]
fn computed_values_are_noted_not_guessed() {
    let text = r#"
resource "helm_release" "d" {
  chart   = "dagster"
  version = var.chart_version
  values  = [file("values.yaml")]
  set {
    name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns"
    value = var.max_runs
  }
  dynamic "set" {
    for_each = dagster_concurrency.this.set
    content {
      name  = set.value.name
      value = set.value.value
    }
  }
}
"#;
    let target = one(text);
    assert_eq!(target.config.max_concurrent_runs, Setting::Unknown);
    assert_eq!(target.config.chart_version, Setting::Unknown);
    assert_eq!(codes(&target), Vec::<&str>::new());
    assert_eq!(target.notes.len(), 4, "{:?}", target.notes);
}

#[test]
fn other_charts_are_ignored() {
    let text = "resource \"helm_release\" \"x\" {\n  chart = \"dagster-user-deployments\"\n}\nresource \"helm_release\" \"y\" {\n  chart = \"oci://registry/charts/dagster\"\n}\n";
    let targets = read(text, &ReadOptions::default()).expect("parses");
    assert_eq!(targets.len(), 1);
    assert_eq!(targets[0].name, "helm_release.y");
    assert!(is_dagster_chart(
        "https://example.invalid/dagster-1.12.14.tgz"
    ));
    assert!(!is_dagster_chart("dagster-user-deployments"));
}

#[test]
fn dagster_concurrency_blocks() {
    let text = r#"
resource "dagster_concurrency" "seed" {
  chart_version       = "1.12.14"
  max_concurrent_runs = 5

  tag_concurrency_limit {
    key   = "dagster/backfil"
    limit = 3
  }
  tag_concurrency_limit {
    key   = "team"
    limit = 2.5
  }
  pools {
    granularity = "ops"
  }
}
"#;
    let target = one(text);
    assert_eq!(target.name, "dagster_concurrency.seed");
    let found = target.diagnostics();
    let placed: Vec<_> = found
        .iter()
        .map(|d| (d.rule.code, d.at.position.line))
        .collect();
    assert!(placed.contains(&("DC504", 12)), "{placed:?}");
    assert!(placed.contains(&("DC208", 7)), "{placed:?}");
    assert!(placed.contains(&("DC311", 15)), "{placed:?}");
}

#[test]
fn syntax_errors_carry_their_line() {
    let error = read(
        "resource \"helm_release\" \"d\" {\n  chart = \n}\n",
        &ReadOptions::default(),
    )
    .expect_err("invalid");
    assert_eq!(error.position.line, 2);
    assert!(error.message.starts_with("invalid hcl"), "{error}");
}

#[test]
fn dagster_concurrency_data_sources() {
    let text = "data \"dagster_concurrency\" \"this\" {\n  max_concurrent_runs = -1\n}\n";
    let target = one(text);
    assert_eq!(target.name, "data.dagster_concurrency.this");
    assert_eq!(codes(&target), ["DC103"]);
}

#[test]
fn indented_heredocs_are_dedented_once() {
    // Terraform strips the common indentation of a `<<-` heredoc once: the YAML keeps its
    // nesting, so the limit is read (DC101, not DC102) and placed at its file column.
    let text = "resource \"helm_release\" \"d\" {\n  chart = \"dagster\"\n  values = [<<-EOT\n    dagsterDaemon:\n      runCoordinator:\n        config:\n          queuedRunCoordinator:\n            maxConcurrentRuns: -5\n            tagConcurrencyLimits:\n              - key: team\n                limit: 1\n              - key: team\n                limit: 1\n    EOT\n  ]\n}\n";
    let target = one(text);
    assert_eq!(target.config.max_concurrent_runs, Setting::Known(-5));
    let found = target.diagnostics();
    let placed: Vec<_> = found
        .iter()
        .map(|d| (d.rule.code, d.at.position.line, d.at.position.column))
        .collect();
    assert!(placed.contains(&("DC101", 8, 32)), "{placed:?}");
    assert!(placed.iter().any(|p| p.0 == "DC204"), "{placed:?}");
    assert!(!placed.iter().any(|p| p.0 == "DC102"), "{placed:?}");
}

#[test]
fn what_terraform_validate_refuses_is_reported_with_the_nearest_name() {
    let text = r#"
resource "dagster_concurrency" "typo" {
  max_concurent_runs = 5
  set                = []
  count              = 1
  pools = {
    default_limit = 2
  }

  tag_concurency_limit {
    key   = "team"
    limit = 1
  }
  tag_concurrency_limit {
    key = "dagster/backfill"
  }
  tag_concurrency_limit {
    key    = "team"
    limits = 2
  }
  dynamic "tag_concurrency_limit" {
    for_each = var.limits
    content {
      key = tag_concurrency_limit.value
    }
  }
}
"#;
    let target = one(text);
    let found: Vec<_> = target
        .diagnostics()
        .into_iter()
        .filter(|d| matches!(d.rule.code, "DC510" | "DC511"))
        .map(|d| (d.rule.code, d.at.position.line, d.at.subject, d.fix))
        .collect();
    let expect = |code, line: usize, subject: &str, fix: &str| {
        assert!(
            found
                .iter()
                .any(|f| f.0 == code && f.1 == line && f.2 == subject && f.3.contains(fix)),
            "{code} {line} {subject} {fix} in {found:#?}"
        )
    };
    expect(
        "DC510",
        3,
        "max_concurent_runs",
        "use max_concurrent_runs, the closest argument",
    );
    expect("DC510", 4, "set", "it is an output");
    expect("DC510", 6, "pools", "write it as a block");
    expect(
        "DC510",
        10,
        "tag_concurency_limit",
        "use tag_concurrency_limit, the closest argument",
    );
    expect("DC511", 14, "tag_concurrency_limit[0].limit", "add limit");
    expect(
        "DC510",
        19,
        "tag_concurrency_limit[1].limits",
        "use limit, the closest argument",
    );
    expect("DC511", 17, "tag_concurrency_limit[1].limit", "add limit");
    assert_eq!(found.len(), 7, "{found:#?}");
    reads_as_hint_lines(&target.diagnostics());
    // The seed is valid as Terraform sees it.
    let seed = one("resource \"dagster_concurrency\" \"s\" {\n  max_concurrent_runs = 5\n  tag_concurrency_limit {\n    key   = \"dagster/backfill\"\n    limit = 3\n  }\n  pools {\n    default_limit = 2\n  }\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n");
    assert!(
        seed.diagnostics()
            .iter()
            .all(|d| !matches!(d.rule.code, "DC510" | "DC511")),
        "{:?}",
        seed.diagnostics()
    );
}

#[test]
fn wrong_types_and_repeated_blocks_are_what_terraform_refuses() {
    let text = "resource \"dagster_concurrency\" \"x\" {\n  max_concurrent_runs = true\n  dequeue_use_threads = \"yes\"\n  dequeue_num_workers = \"4\"\n  pools {\n    default_limit = 2\n  }\n  pools {\n    granularity = \"op\"\n  }\n}\n";
    let target = one(text);
    let found: Vec<_> = target
        .diagnostics()
        .into_iter()
        .map(|d| (d.rule.code, d.at.position.line))
        .filter(|(code, _)| matches!(*code, "DC512" | "DC513"))
        .collect();
    // "4" converts to a number as Terraform converts it: not refused.
    assert_eq!(found, [("DC512", 2), ("DC512", 3), ("DC513", 8)]);
    let refused: Vec<_> = target
        .diagnostics()
        .into_iter()
        .filter(|d| d.rule.code == "DC512")
        .map(|d| (d.summary, d.fix))
        .collect();
    assert_eq!(
        refused,
        [
            (
                "max_concurrent_runs is a boolean where terraform expects a number".to_owned(),
                "write a number".to_owned()
            ),
            (
                "dequeue_use_threads is a string (\"yes\") where terraform expects a bool"
                    .to_owned(),
                "write a bool".to_owned()
            ),
        ]
    );
    assert!(target.notes.is_empty(), "{:?}", target.notes);
    reads_as_hint_lines(&target.diagnostics());
}

/// Reader findings read as hint lines, as every rule's do (`rules::tests`).
fn reads_as_hint_lines(diagnostics: &[crate::rules::Finding<crate::input::Place>]) {
    for d in diagnostics {
        for text in [&d.summary, &d.fix] {
            crate::rules::testing::assert_hint_line(d.rule.code, text);
        }
    }
}
