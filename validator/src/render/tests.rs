use super::*;
use crate::model::{BlockOpSettings, ConcurrencyConfig, PoolSettings, Setting};
use crate::rules::{accept, Rejected};
use crate::testing::{seed, tag};

/// Renders `config` once the rules accept it.
fn accept_and_render(config: &ConcurrencyConfig) -> Result<Rendered, Rejected> {
    accept(config).map(|accepted| render(&accepted))
}

const QRC: &str = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator";

fn entries(rendered: &Rendered) -> Vec<(String, String, &'static str)> {
    rendered
        .set
        .iter()
        .map(|e| (e.name.clone(), e.value.clone(), e.kind))
        .collect()
}

fn entry(name: &str, value: &str, kind: &'static str) -> (String, String, &'static str) {
    (name.into(), value.into(), kind)
}

#[test]
fn seed_renders_exactly_the_adr_entries() {
    let rendered = accept_and_render(&seed()).expect("seed renders");
    assert_eq!(
        entries(&rendered),
        vec![
            entry("dagsterDaemon.runCoordinator.enabled", "true", "auto"),
            entry(
                "dagsterDaemon.runCoordinator.type",
                "QueuedRunCoordinator",
                "string"
            ),
            entry(&format!("{QRC}.maxConcurrentRuns"), "5", "auto"),
            entry(
                &format!("{QRC}.tagConcurrencyLimits[0].key"),
                "dagster/backfill",
                "string"
            ),
            entry(&format!("{QRC}.tagConcurrencyLimits[0].limit"), "3", "auto"),
        ]
    );
    assert_eq!(
        rendered.values_yaml,
        r#"dagsterDaemon:
  runCoordinator:
    enabled: true
    type: QueuedRunCoordinator
    config:
      queuedRunCoordinator:
        maxConcurrentRuns: 5
        tagConcurrencyLimits:
          - key: dagster/backfill
            limit: 3
"#
    );
    assert_eq!(
        rendered.instance_yaml,
        r#"run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: 5
    tag_concurrency_limits:
      - key: dagster/backfill
        limit: 3
    dequeue_use_threads: true
    dequeue_num_workers: 4
"#
    );
    assert_eq!(rendered.id.len(), 64);
}

#[test]
fn rendering_is_deterministic_and_the_id_follows_the_values() {
    let first = accept_and_render(&seed()).expect("renders");
    assert_eq!(first, accept_and_render(&seed()).expect("renders"));
    let mut changed = seed();
    changed.max_concurrent_runs = Setting::Known(6);
    assert_ne!(first.id, accept_and_render(&changed).expect("renders").id);
}

#[test]
fn prefix_and_hostile_strings_are_escaped_in_names_and_values() {
    let mut config = seed();
    config.values_prefix = Setting::Known("platform.dag=ster".into());
    let mut odd = tag("team,a", 1);
    odd.value = Setting::Known("{x,y}".into());
    config.tag_limits = Setting::Known(vec![odd]);
    let rendered = accept_and_render(&config).expect("renders");
    let names: Vec<_> = rendered.set.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names[0],
        r"platform.dag\=ster.dagsterDaemon.runCoordinator.enabled"
    );
    let value = rendered
        .set
        .iter()
        .find(|e| e.name.ends_with("].value"))
        .expect("value entry");
    assert_eq!((value.value.as_str(), value.kind), (r"\{x\,y}", "string"));
    assert_eq!(
        rendered.values["platform"]["dag=ster"]["dagsterDaemon"]["runCoordinator"]["config"]
            ["queuedRunCoordinator"]["tagConcurrencyLimits"][0]["value"],
        "{x,y}"
    );
}

#[test]
fn per_unique_value_renders_the_object_form() {
    let mut config = seed();
    let mut per_value = tag("dagster/backfill", 3);
    per_value.apply_limit_per_unique_value = Setting::Known(true);
    config.tag_limits = Setting::Known(vec![per_value]);
    let rendered = accept_and_render(&config).expect("renders");
    assert!(entries(&rendered).contains(&entry(
        &format!("{QRC}.tagConcurrencyLimits[0].value.applyLimitPerUniqueValue"),
        "true",
        "auto"
    )));
    assert!(rendered
        .instance_yaml
        .contains("value:\n          applyLimitPerUniqueValue: true"));
}

#[test]
fn a_value_with_per_unique_value_false_renders_the_value() {
    let mut config = seed();
    let mut valued = tag("team", 3);
    valued.value = Setting::Known("etl".into());
    valued.apply_limit_per_unique_value = Setting::Known(false);
    config.tag_limits = Setting::Known(vec![valued]);
    let rendered =
        accept_and_render(&config).expect("false is the default and renders like no flag");
    let names: Vec<String> = entries(&rendered).into_iter().map(|e| e.0).collect();
    assert!(names.contains(&format!("{QRC}.tagConcurrencyLimits[0].value")));
    assert!(!names.iter().any(|n| n.contains("applyLimitPerUniqueValue")));
}

#[test]
fn concurrency_placement_moves_run_limits_and_adds_pools() {
    let mut config = seed();
    config.pools = Setting::Known(PoolSettings {
        default_limit: Setting::Known(2),
        granularity: Setting::Known("op".into()),
        op_granularity_run_buffer: Setting::Unset,
    });
    let rendered = accept_and_render(&config).expect("renders");
    let names: Vec<_> = rendered.set.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "dagsterDaemon.runCoordinator.enabled",
            "dagsterDaemon.runCoordinator.type",
            "concurrency.enabled",
            "concurrency.runs.maxConcurrentRuns",
            "concurrency.runs.tagConcurrencyLimits[0].key",
            "concurrency.runs.tagConcurrencyLimits[0].limit",
            "concurrency.pools.defaultLimit",
            "concurrency.pools.granularity",
        ]
    );
    assert_eq!(
        rendered.instance_yaml,
        r#"run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
  config:
    dequeue_use_threads: true
    dequeue_num_workers: 4
concurrency:
  pools:
    default_limit: 2
    granularity: op
  runs:
    max_concurrent_runs: 5
    tag_concurrency_limits:
      - key: dagster/backfill
        limit: 3
"#
    );
}

#[test]
fn chart_template_quirks_are_followed() {
    let config = ConcurrencyConfig {
        dequeue_interval_seconds: Setting::Known(0),
        dequeue_use_threads: Setting::Known(false),
        dequeue_num_workers: Setting::Known(2),
        block_op: Setting::Known(BlockOpSettings {
            enabled: Setting::Known(true),
            op_concurrency_slot_buffer: Setting::Known(1),
        }),
        ..Default::default()
    };
    let rendered = accept_and_render(&config).expect("renders");
    assert_eq!(
        rendered.instance_yaml,
        r#"run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: -1
    dequeue_num_workers: 2
    block_op_concurrency_limited_runs:
      enabled: true
      op_concurrency_slot_buffer: 1
"#
    );
    let mut old = config;
    old.chart_version = Setting::Known("1.8.0".into());
    assert!(!accept_and_render(&old)
        .expect("renders")
        .instance_yaml
        .contains("block_op"));
}

#[test]
fn an_empty_concurrency_section_is_not_enabled() {
    // `concurrency.enabled` with nothing under it makes the chart write `concurrency: null`,
    // which Dagster cannot load: such configurations stay under the run coordinator.
    let placed = ConcurrencyConfig {
        placement: Setting::Known("concurrency".into()),
        ..Default::default()
    };
    let empty_pools = ConcurrencyConfig {
        pools: Setting::Known(PoolSettings::default()),
        ..Default::default()
    };
    for config in [placed.clone(), empty_pools] {
        let rendered = accept_and_render(&config).expect("renders");
        assert!(
            rendered
                .set
                .iter()
                .all(|e| !e.name.starts_with("concurrency")),
            "{:?}",
            rendered.set
        );
        assert!(
            !rendered.instance_yaml.contains("concurrency"),
            "{}",
            rendered.instance_yaml
        );
        assert!(rendered.instance_yaml.contains("max_concurrent_runs: -1"));
    }
    let mut limited = placed;
    limited.max_concurrent_runs = Setting::Known(5);
    let rendered = accept_and_render(&limited).expect("renders");
    assert!(rendered
        .instance_yaml
        .contains("concurrency:\n  runs:\n    max_concurrent_runs: 5\n"));
}

#[test]
fn block_op_always_carries_the_buffer_the_chart_requires() {
    // The chart's schema requires `opConcurrencySlotBuffer` whenever the block is set, and its
    // template always writes `op_concurrency_slot_buffer`: without one, Dagster's default of 0.
    for enabled in [true, false] {
        let mut config = seed();
        config.block_op = Setting::Known(BlockOpSettings {
            enabled: Setting::Known(enabled),
            op_concurrency_slot_buffer: Setting::Unset,
        });
        let rendered = accept_and_render(&config).expect("renders");
        assert!(entries(&rendered).contains(&entry(
            &format!("{QRC}.blockOpConcurrencyLimitedRuns.opConcurrencySlotBuffer"),
            "0",
            "auto"
        )));
        assert!(rendered.instance_yaml.contains(&format!(
            "block_op_concurrency_limited_runs:\n      enabled: {enabled}\n      op_concurrency_slot_buffer: 0\n"
        )));
    }
}

#[test]
fn an_empty_tag_value_entry_makes_its_own_list_element() {
    let mut config = seed();
    let mut empty = tag("team", 2);
    empty.value = Setting::Known(String::new());
    config.tag_limits = Setting::Known(vec![empty]);
    let rendered = accept_and_render(&config).expect("renders");
    assert!(entries(&rendered).contains(&entry(
        &format!("{QRC}.tagConcurrencyLimits[0].value"),
        &format!(",{QRC}.tagConcurrencyLimits[0].key=team"),
        "string"
    )));
    assert_eq!(
        rendered.values["dagsterDaemon"]["runCoordinator"]["config"]["queuedRunCoordinator"]
            ["tagConcurrencyLimits"][0],
        serde_json::json!({"value": "", "key": "team", "limit": 2})
    );
}
