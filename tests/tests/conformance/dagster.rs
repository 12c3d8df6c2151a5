//! The instance YAML through dagster 1.13.28: accepted, with the limits we mean; the error
//! rules' claims about Dagster; and the limits held by the real queued-run daemon.

use super::fixtures::{self, queued_runs, seed, tag};
use super::generate::{rendered, rendered_overruling, renders};
use super::Tally;
use dagster_e2e::oracle::{enforce, DagsterOracle};
use serde_json::{json, Value};
use validator::model::{
    BlockOpSettings, ConcurrencyConfig, Placement, PoolSettings, Setting, TagLimit,
};
use validator::model::{Resolved, TagMatch};
use validator::render::render;
use validator::rules::{accept, find};
use validator::version::BLOCK_OP_RENDERED;

/// Dagster's own run limit when its configuration sets none.
const DAGSTER_DEFAULT_MAX_RUNS: i64 = 10;
/// Dagster's own dequeue interval when none is written.
const DAGSTER_DEFAULT_INTERVAL: i64 = 5;
/// The chart's `dequeueUseThreads` and `dequeueNumWorkers` defaults.
const CHART_USE_THREADS: bool = true;
const CHART_NUM_WORKERS: i64 = 4;

fn tag_sets() -> Vec<Vec<TagLimit>> {
    vec![
        vec![],
        vec![tag("dagster/backfill", None, None, 3)],
        vec![tag("team", Some("data"), None, 2)],
        vec![tag("dagster/backfill", None, Some(true), 1)],
        vec![tag("team", None, Some(false), 2)],
        vec![tag("team", Some(""), None, 2)],
        vec![
            tag("dagster/backfill", None, None, 3),
            tag("team", None, Some(true), 2),
            tag("team", Some("ml"), None, 1),
            tag("dagster/priority", Some("10"), None, 1),
        ],
    ]
}

/// Configurations over both placements, with and without pools, each tag matching, block-op
/// settings and chart versions old and new; only those the provider renders.
pub fn matrix() -> Vec<ConcurrencyConfig> {
    let charts = [
        "1.8.0", "1.8.13", "1.10.0", "1.12.8", "1.12.12", "1.12.14", "1.13.0", "1.13.28",
    ];
    let placements = [None, Some("run_coordinator"), Some("concurrency")];
    let pools = [
        None,
        Some((Some(3), Some("run"), None)),
        Some((None, Some("op"), Some(1))),
        Some((Some(0), None, None)),
    ];
    let block_ops = [
        None,
        Some((true, None)),
        Some((true, Some(1))),
        Some((false, None)),
    ];
    let queues = [
        (None, None, None),
        (Some(2), Some(false), Some(2)),
        (Some(0), Some(true), Some(1)),
    ];
    let runs = [None, Some(-1), Some(0), Some(5)];
    let tag_sets = tag_sets();
    let mut configs = Vec::new();
    let mut variant = 0usize;
    for chart in charts {
        for placement in placements {
            for pool in pools {
                for block_op in block_ops {
                    for (interval, threads, workers) in queues {
                        variant += 1;
                        configs.push(ConcurrencyConfig {
                            chart_version: Setting::Known(chart.into()),
                            placement: placement.map(str::to_owned).into(),
                            max_concurrent_runs: runs[variant % runs.len()].into(),
                            tag_limits: Setting::Known(tag_sets[variant % tag_sets.len()].clone()),
                            dequeue_interval_seconds: interval.into(),
                            dequeue_use_threads: threads.into(),
                            dequeue_num_workers: workers.into(),
                            block_op: block_op
                                .map(|(enabled, buffer)| fixtures::block_op(enabled, buffer))
                                .into(),
                            pools: pool
                                .map(|(limit, granularity, buffer)| {
                                    fixtures::pools(limit, granularity, buffer)
                                })
                                .into(),
                            ..Default::default()
                        });
                    }
                }
            }
        }
    }
    // Every tag matching and run limit with both placements on the newest chart.
    for tags in &tag_sets {
        for runs in runs {
            for placement in ["run_coordinator", "concurrency"] {
                configs.push(ConcurrencyConfig {
                    placement: Setting::Known(placement.into()),
                    max_concurrent_runs: runs.into(),
                    tag_limits: Setting::Known(tags.clone()),
                    ..Default::default()
                });
            }
        }
    }
    configs.retain(renders);
    configs
}

/// What Dagster should report for a configuration: the values as written, else the chart's
/// defaults, else Dagster's own.
pub fn intended_effective(resolved: &Resolved) -> Value {
    let placement = resolved.placement;
    let tags: Vec<Value> = resolved
        .tag_limits
        .iter()
        .map(|tag| {
            let mut item = json!({"key": tag.key, "limit": tag.limit});
            match &tag.matching {
                TagMatch::AnyValue => {}
                // The concurrency section's template drops a falsy value: "" matches any.
                TagMatch::Value(value)
                    if value.is_empty() && placement == Placement::Concurrency => {}
                TagMatch::Value(value) => item["value"] = json!(value),
                TagMatch::PerUniqueValue(flag) => {
                    item["value"] = json!({"applyLimitPerUniqueValue": flag})
                }
            }
            item
        })
        .collect();
    let block_op = resolved
        .block_op
        .filter(|_| resolved.chart >= BLOCK_OP_RENDERED);
    let pools = resolved.pools.clone().unwrap_or_default();
    let chart_runs = match placement {
        Placement::RunCoordinator => -1,
        Placement::Concurrency => DAGSTER_DEFAULT_MAX_RUNS,
    };
    json!({
        "max_concurrent_runs": resolved.max_concurrent_runs.unwrap_or(chart_runs),
        "tag_concurrency_limits": tags,
        "dequeue_interval_seconds": resolved
            .dequeue_interval_seconds
            .filter(|seconds| *seconds != 0)
            .unwrap_or(DAGSTER_DEFAULT_INTERVAL),
        "dequeue_use_threads": resolved.dequeue_use_threads.unwrap_or(CHART_USE_THREADS),
        "dequeue_num_workers": resolved.dequeue_num_workers.unwrap_or(CHART_NUM_WORKERS),
        "block_op_concurrency_limited_runs": {
            "enabled": block_op.is_none_or(|block| block.enabled),
            // Dagster runs the pools' run buffer through the same setting.
            "op_concurrency_slot_buffer": block_op
                .map(|block| block.op_concurrency_slot_buffer)
                .or(pools.op_granularity_run_buffer)
                .unwrap_or(0),
        },
        "pool_granularity": pools.granularity.as_deref().unwrap_or("op"),
        "default_pool_limit": pools.default_limit,
        "op_granularity_run_buffer": pools.op_granularity_run_buffer,
    })
}

/// The matrix: each rendered instance YAML accepted, with the limits we mean.
fn check_matrix(oracle: &mut DagsterOracle, tally: &mut Tally) {
    for config in matrix() {
        tally.cases += 1;
        let Ok(accepted) = accept(&config) else {
            tally
                .mismatches
                .push(format!("dagster: does not render:\n{config:#?}"));
            continue;
        };
        let rendered = render(&accepted);
        let verdict = oracle.load(&rendered.instance_yaml);
        let intended = intended_effective(&accepted);
        if verdict.effective.as_ref() != Some(&intended) {
            tally.mismatches.push(format!(
                "dagster: instance YAML:\n{}from:\n{config:#?}\ndagster: {:?} {}\nintended: {intended}",
                rendered.instance_yaml,
                verdict.error,
                verdict.effective.unwrap_or_default()
            ));
        }
    }
}

/// What an error rule says Dagster does with what it rejects.
enum Claim {
    /// Dagster refuses the instance with an error holding this text.
    Refused(&'static str),
    /// Dagster loads it without complaint; the rule's doc must say so.
    Accepted,
}

/// The instance YAML equivalent to what a rule rejects.
enum Evidence {
    /// The crate's rendering of a configuration the rule rejects.
    Rendered(Box<ConcurrencyConfig>),
    /// Written out, for what the resource cannot render (raw values, or both placements).
    Yaml(&'static str),
}

fn with(change: impl FnOnce(&mut ConcurrencyConfig)) -> Evidence {
    let mut config = seed();
    change(&mut config);
    Evidence::Rendered(Box::new(config))
}

fn pools(limit: Option<i64>, granularity: Option<&str>) -> Setting<PoolSettings> {
    Setting::Known(fixtures::pools(limit, granularity, None))
}

fn block_op(enabled: bool, buffer: Option<i64>) -> Setting<BlockOpSettings> {
    Setting::Known(fixtures::block_op(enabled, buffer))
}

/// Each error rule's claim about Dagster, with the instance YAML that shows it.
fn claims() -> Vec<(&'static str, Evidence, Claim)> {
    use Claim::{Accepted, Refused};
    vec![
        ("DC101", with(|c| c.max_concurrent_runs = Setting::Known(-2)), Refused("Negative values other than -1")),
        ("DC101", with(|c| {
            c.max_concurrent_runs = Setting::Known(-2);
            c.placement = Setting::Known("concurrency".into());
        }), Accepted),
        ("DC201", with(|c| c.tag_limits = Setting::Known(vec![tag("", None, None, 1)])), Accepted),
        ("DC202", with(|c| c.tag_limits = Setting::Known(vec![tag("team", None, None, -1)])), Accepted),
        ("DC204", with(|c| {
            c.tag_limits = Setting::Known(vec![tag("team", None, None, 1), tag("team", None, None, 2)]);
        }), Accepted),
        ("DC302", with(|c| {
            c.chart_version = Setting::Known("1.12.10".into());
            c.pools = pools(Some(2), None);
        }), Refused("incompatible with the `concurrency > runs` config")),
        ("DC303", Evidence::Yaml(concat!(
            "run_coordinator:\n  module: dagster.core.run_coordinator\n  class: QueuedRunCoordinator\n",
            "  config:\n    max_concurrent_runs: 5\nconcurrency:\n  pools:\n    default_limit: 2\n",
        )), Refused("incompatible with the `concurrency > runs` config")),
        ("DC305", with(|c| {
            c.pools = pools(Some(2), None);
            c.block_op = block_op(true, Some(1));
        }), Refused("op_concurrency_slot_buffer")),
        ("DC311", with(|c| c.pools = pools(None, Some("ops"))), Refused("ops")),
        ("DC312", with(|c| c.pools = pools(Some(1001), None)), Refused("Expected value between 0-1000")),
        ("DC312", with(|c| c.pools = pools(Some(-1), None)), Refused("Expected value between 0-1000")),
        ("DC401", with(|c| c.block_op = block_op(false, Some(1))), Refused("can only be set if block_op_concurrency_limited_runs is enabled")),
        ("DC402", with(|c| c.dequeue_interval_seconds = Setting::Known(-5)), Accepted),
        ("DC403", with(|c| c.dequeue_num_workers = Setting::Known(-3)), Accepted),
        ("DC602", Evidence::Yaml(concat!(
            "run_coordinator:\n  module: dagster.core.run_coordinator\n  class: QueuedRunCoordinator\n",
            "  config:\n    max_concurrent_runs: 5\nconcurrency:\n  runs:\n    max_concurrent_runs: 5\n",
        )), Refused("incompatible with the `concurrency > runs` config")),
        ("DC604", Evidence::Yaml(concat!(
            "run_coordinator:\n  module: dagster.core.run_coordinator\n  class: QueuedRunCoordinator\n",
            "  config:\n    tag_concurrency_limits:\n      - key: dagster/backfill\n",
            "        value:\n          applyLimitPerUniqueValues: true\n        limit: 3\n",
        )), Refused("Received unexpected config entry \"applyLimitPerUniqueValues\"")),
        ("DC605", Evidence::Yaml(concat!(
            "run_coordinator:\n  module: dagster.core.run_coordinator\n  class: QueuedRunCoordinator\n",
            "  config:\n    max_concurrent_runs: \"5\"\n",
        )), Refused("is not valid for expected type \"Int\"")),
    ]
}

/// Error rules whose claim is about something other than Dagster loading the instance.
const NOT_ABOUT_DAGSTER: &[(&str, &str)] = &[
    (
        "DC203",
        "value and apply_limit_per_unique_value = true cannot both be rendered",
    ),
    (
        "DC210",
        "the chart's toYaml writes `<<` and `=` unquoted: shown with the released charts in chart_conformance",
    ),
    (
        "DC301",
        "charts before 1.12.9 ignore the concurrency values: a chart fact",
    ),
    ("DC304", "an unknown placement leaves nothing to render"),
    (
        "DC407",
        "the chart prints values-file numbers in exponent form: shown with the released charts in chart_conformance",
    ),
    (
        "DC501",
        "an unparseable chart version leaves nothing to render",
    ),
    ("DC502", "a prefix with an empty key is no Helm path"),
    ("DC504", "a fraction cannot reach the model"),
    (
        "DC510",
        "terraform validate refuses the block: a terraform fact",
    ),
    (
        "DC511",
        "terraform validate refuses the block: a terraform fact",
    ),
    (
        "DC512",
        "terraform validate refuses the value: a terraform fact",
    ),
    (
        "DC513",
        "terraform validate refuses the block: a terraform fact",
    ),
    (
        "DC601",
        "the chart drops limits it does not render: a chart fact",
    ),
    (
        "DC606",
        "the chart's values schema refuses unknown keys: a chart fact",
    ),
    (
        "DC701",
        "pool limits live in instance storage, set through the webserver",
    ),
    (
        "DC702",
        "pool limits live in instance storage, set through the webserver",
    ),
];

/// Every error rule's claim about Dagster, shown with Dagster.
fn check_claims(oracle: &mut DagsterOracle, tally: &mut Tally) {
    let claims = claims();
    let placed = claims
        .iter()
        .map(|(code, _, _)| *code)
        .chain(NOT_ABOUT_DAGSTER.iter().map(|(code, _)| *code));
    for code in super::fixtures::unclassified_error_rules(placed) {
        tally.mismatches.push(format!(
            "dagster: error rule {code} has no claim checked here: add it to claims() or NOT_ABOUT_DAGSTER"
        ));
    }
    for (code, evidence, claim) in claims {
        tally.cases += 1;
        let (yaml, rejected) = match &evidence {
            Evidence::Rendered(config) => (
                rendered_overruling(config, code)
                    .map(|r| r.instance_yaml)
                    .unwrap_or_default(),
                validator::rules::check(config)
                    .iter()
                    .any(|finding| finding.rule.code == code),
            ),
            Evidence::Yaml(yaml) => ((*yaml).to_owned(), true),
        };
        if !rejected {
            tally
                .mismatches
                .push(format!("dagster: {code} does not fire on its evidence"));
        }
        let verdict = oracle.load(&yaml);
        let held = match claim {
            Claim::Refused(text) => {
                !verdict.ok && verdict.error.as_deref().is_some_and(|e| e.contains(text))
            }
            Claim::Accepted => {
                verdict.ok
                    && find(code)
                        .is_some_and(|rule| rule.doc.contains("checked with dagster 1.13.28"))
            }
        };
        if !held {
            let expected = match claim {
                Claim::Refused(text) => format!("a refusal holding {text:?}"),
                Claim::Accepted => {
                    "acceptance, and the rule doc saying \"checked with dagster 1.13.28\"".into()
                }
            };
            tally.mismatches.push(format!(
                "dagster: {code}: expected {expected}\ninstance YAML:\n{yaml}dagster: ok={} error={:?}",
                verdict.ok, verdict.error
            ));
        }
    }
}

/// The seed's limits plus one per unique team, under both placements, through the daemon;
/// then a checker held to tighter limits, which must catch the excess.
fn check_enforcement(tally: &mut Tally) {
    let runs = queued_runs();
    let mut config = seed();
    if let Setting::Known(tags) = &mut config.tag_limits {
        tags.push(tag("team", None, Some(true), 2));
    }
    let mut coordinator_yaml = String::new();
    for placement in ["run_coordinator", "concurrency"] {
        tally.cases += 1;
        config.placement = Setting::Known(placement.into());
        let yaml = rendered(&config)
            .map(|r| r.instance_yaml)
            .unwrap_or_default();
        let outcome = enforce(&yaml, &runs, None);
        let summary = &outcome.summary;
        // The global limit must bind (5 of 20 queued), or the check proves nothing.
        if !outcome.held || summary["max_in_progress"] != 5 || summary["launched"] != 20 {
            tally.mismatches.push(format!(
                "dagster: the daemon did not hold the {placement} limits:\n{yaml}{summary:#}"
            ));
        }
        if placement == "run_coordinator" {
            coordinator_yaml = yaml;
        }
    }
    tally.cases += 1;
    let tighter = json!({
        "max_concurrent_runs": 4,
        "tag_concurrency_limits": [
            {"key": "dagster/backfill", "limit": 2},
            {"key": "team", "value": {"applyLimitPerUniqueValue": true}, "limit": 2},
        ],
    });
    let control = enforce(&coordinator_yaml, &runs, Some(&tighter));
    if control.held {
        tally.mismatches.push(format!(
            "dagster: the negative control passed, so the enforcement check cannot fail:\n{:#}",
            control.summary
        ));
    }
    // DC204: with two limits on one key, the daemon holds the runs to the last one only.
    tally.cases += 1;
    let mut duplicated = seed();
    duplicated.tag_limits =
        Setting::Known(vec![tag("team", None, None, 1), tag("team", None, None, 3)]);
    let yaml = rendered_overruling(&duplicated, "DC204")
        .map(|r| r.instance_yaml)
        .unwrap_or_default();
    let team_runs = Value::from(vec![json!({"tags": {"team": "a"}}); 8]);
    let last_only = json!({"tag_concurrency_limits": [{"key": "team", "limit": 3}]});
    let last_wins = enforce(&yaml, &team_runs, Some(&last_only));
    if !last_wins.held || last_wins.summary["max_in_progress"] != 3 {
        tally.mismatches.push(format!(
            "dagster: DC204: expected the last of two team limits (3) to hold, not the first (1):\n{yaml}{:#}",
            last_wins.summary
        ));
    }
    // DC403: Dagster loads a negative worker count, then the daemon's first pass raises.
    tally.cases += 1;
    let mut workers = seed();
    workers.dequeue_num_workers = Setting::Known(-3);
    let yaml = rendered_overruling(&workers, "DC403")
        .map(|r| r.instance_yaml)
        .unwrap_or_default();
    let stalled = enforce(&yaml, &runs, None);
    if stalled.held
        || !stalled
            .stderr
            .contains("max_workers must be greater than 0")
    {
        tally.mismatches.push(format!(
            "dagster: DC403: expected the daemon to raise on a negative worker count:\n{yaml}{:#}\n{}",
            stalled.summary, stalled.stderr
        ));
    }
}

/// Runs every Dagster check.
pub fn run() -> Tally {
    let mut tally = Tally::default();
    let mut oracle = DagsterOracle::start();
    check_matrix(&mut oracle, &mut tally);
    check_claims(&mut oracle, &mut tally);
    drop(oracle);
    check_enforcement(&mut tally);
    tally
}
