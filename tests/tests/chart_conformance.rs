//! The released Dagster charts as the oracle: what the provider renders is what the chart
//! accepts, what it writes into `dagster.yaml`, and what Dagster loads and enforces.
//!
//! The charts are found under `DAGSTER_CHARTS_DIR` (default `../shared/charts/dagster` beside the
//! repository), one folder per version; every version there is used. For the seed, every
//! example, the chart paths below and a generated sample, on each chart version:
//! 1. the `set` entries applied by Helm's parser in list order and in reverse order, and the
//!    `values_yaml` read by Helm, each pass the chart's `values.schema.json` and render;
//! 2. the instance ConfigMap's `dagster.yaml` has the `run_coordinator`, `concurrency` and
//!    `run_queue` sections of `instance_yaml` (both parsed by PyYAML, as Dagster reads them);
//! 3. dagster 1.13.28 loads that `dagster.yaml` (its storage and run launcher removed, so it runs
//!    on local sqlite with the default launcher) with the same effective limits as
//!    `instance_yaml`, and for a sample the real queued-run daemon holds the limits.
//!
//! Every error rule is then shown refused by the chart (schema or `fail`) or by Dagster loading
//! the chart's `dagster.yaml`, or is listed with the reason it is refused anyway. The test ends
//! with one line of counts. `CHART_CASES=N` changes the generated sample per chart version.

#[path = "common/fixtures.rs"]
mod fixtures;
#[path = "common/generate.rs"]
mod generate;

use fixtures::{
    block_op as block_op_settings, env_number, pools as pool_settings, queued_runs, run_seed, seed,
    tag, unclassified_error_rules,
};

use dagster_e2e::oracle::{enforce, ChartOracle, DagsterOracle};
use dagster_e2e::repo_root;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngSeed, TestRunner};
use serde_json::{json, Value};
use std::io::Write;
use std::path::Path;
use std::sync::mpsc;
use std::time::Instant;
use validator::input::{read, Kind, ReadOptions};
use validator::model::{ConcurrencyConfig, Setting};
use validator::render::render;
use validator::rules::{accept, check, find};

/// Generated configurations per chart version (300 in all with the two charts here).
const GENERATED_PER_CHART: usize = 150;

/// One configuration to prove on one chart version.
struct Case {
    /// Where it comes from, for messages and counts.
    origin: String,
    config: ConcurrencyConfig,
}

/// Every `dagster_concurrency` resource under `examples/`, read the way the CLI reads them.
fn examples() -> Vec<(String, ConcurrencyConfig)> {
    fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|ext| ext == "tf") {
                out.push(path);
            }
        }
    }
    let root = repo_root().join("examples");
    let mut files = Vec::new();
    walk(&root, &mut files);
    let mut configs = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap_or_default();
        let targets = read(Kind::Hcl, &text, &ReadOptions::default())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        for target in targets {
            if target.name.starts_with("dagster_concurrency.") {
                let name = file.strip_prefix(&root).unwrap_or(&file).display();
                configs.push((format!("example {name} {}", target.name), target.config));
            }
        }
    }
    assert!(
        configs.len() >= 5,
        "examples not found: {configs:?}",
        configs = configs.len()
    );
    configs
}

/// Configurations that take different paths through the chart's templates: both placements,
/// pools, op blocking on and off with and without a buffer, dequeue settings (0 is dropped),
/// every tag matching (an empty value included) and every kind of run limit.
fn chart_paths() -> Vec<ConcurrencyConfig> {
    let tag_sets = [
        vec![],
        vec![tag("dagster/backfill", None, None, 3)],
        vec![tag("team", Some("data"), None, 2)],
        vec![tag("dagster/backfill", None, Some(true), 1)],
        vec![tag("team", None, Some(false), 2)],
        vec![tag("team", Some(""), None, 2)],
        vec![
            tag("team", Some(""), None, 1),
            tag("dagster/backfill", None, None, 3),
            tag("team", Some("ml"), None, 1),
            tag("dagster/priority", Some("10"), None, 1),
        ],
    ];
    let runs = [None, Some(-1), Some(0), Some(5), Some(999_999)];
    let pools = [
        None,
        Some((Some(3), Some("run"), None)),
        Some((None, Some("op"), Some(1))),
        Some((Some(0), None, Some(0))),
    ];
    let block_ops = [
        None,
        Some((true, None)),
        Some((true, Some(2))),
        Some((false, None)),
        Some((false, Some(0))),
    ];
    let queues = [
        (None, None, None),
        (Some(2), Some(false), Some(2)),
        (Some(0), Some(true), Some(1)),
    ];
    let mut configs = Vec::new();
    let mut variant = 0usize;
    for placement in [None, Some("run_coordinator"), Some("concurrency")] {
        for pool in pools {
            for block_op in block_ops {
                for (interval, threads, workers) in queues {
                    variant += 1;
                    configs.push(ConcurrencyConfig {
                        placement: placement.map(str::to_owned).into(),
                        max_concurrent_runs: runs[variant % runs.len()].into(),
                        tag_limits: Setting::Known(tag_sets[variant % tag_sets.len()].clone()),
                        dequeue_interval_seconds: interval.into(),
                        dequeue_use_threads: threads.into(),
                        dequeue_num_workers: workers.into(),
                        block_op: block_op
                            .map(|(enabled, buffer)| block_op_settings(enabled, buffer))
                            .into(),
                        pools: pool
                            .map(|(limit, granularity, buffer)| {
                                pool_settings(limit, granularity, buffer)
                            })
                            .into(),
                        ..Default::default()
                    });
                }
            }
        }
    }
    configs
}

/// `count` generated configurations that render on chart `version`.
fn generated(version: &str, count: usize, seed: u64) -> Vec<ConcurrencyConfig> {
    let mut runner = TestRunner::new(Config {
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = generate::renderable_config();
    let mut configs = Vec::new();
    for _ in 0..count * 50 {
        if configs.len() == count {
            break;
        }
        let Ok(tree) = strategy.new_tree(&mut runner) else {
            continue;
        };
        let mut config = tree.current();
        config.chart_version = Setting::Known(version.into());
        if generate::renders(&config) {
            configs.push(config);
        }
    }
    configs
}

/// Everything to prove on chart `version`: only what the provider renders for that version.
fn cases(
    version: &str,
    examples: &[(String, ConcurrencyConfig)],
    sample: usize,
    rng_seed: u64,
) -> Vec<Case> {
    let mut cases = vec![Case {
        origin: "seed".into(),
        config: seed(),
    }];
    cases.extend(examples.iter().map(|(origin, config)| Case {
        origin: origin.clone(),
        config: config.clone(),
    }));
    cases.extend(
        chart_paths()
            .into_iter()
            .enumerate()
            .map(|(i, config)| Case {
                origin: format!("chart path {i}"),
                config,
            }),
    );
    let mut out: Vec<Case> = cases
        .into_iter()
        .map(|mut case| {
            case.config.chart_version = Setting::Known(version.into());
            case
        })
        .filter(|case| generate::renders(&case.config))
        .collect();
    out.extend(
        generated(version, sample, rng_seed)
            .into_iter()
            .enumerate()
            .map(|(i, config)| Case {
                origin: format!("generated {i} (seed {rng_seed})"),
                config,
            }),
    );
    out
}

/// What the Dagster side checks for one case: the chart's `dagster.yaml` files (distinct ones)
/// and the provider's `instance_yaml`.
struct DagsterJob {
    label: String,
    chart_yamls: Vec<String>,
    instance_yaml: String,
}

/// Counts and problems.
#[derive(Default)]
struct Tally {
    cases: usize,
    renders: usize,
    dagster_loads: usize,
    enforced: usize,
    refusals: usize,
    mismatches: Vec<String>,
}

/// Properties 1 and 2 for one case; returns the Dagster job for property 3.
fn check_case(
    oracle: &mut ChartOracle,
    version: &str,
    case: &Case,
    tally: &mut Tally,
) -> Option<DagsterJob> {
    let label = format!("chart {version}, {}", case.origin);
    let Ok(accepted) = accept(&case.config) else {
        tally
            .mismatches
            .push(format!("{label}: does not render:\n{:#?}", case.config));
        return None;
    };
    let rendered = render(&accepted);
    tally.cases += 1;
    let answer = oracle.render(
        version,
        &accepted.prefix,
        &rendered.set,
        &rendered.values_yaml,
        &rendered.instance_yaml,
    );
    let context = || {
        format!(
            "configuration:\n{:#?}\nset entries:\n{}\nvalues_yaml:\n{}instance_yaml:\n{}",
            case.config,
            serde_json::to_string_pretty(&rendered.set).unwrap_or_default(),
            rendered.values_yaml,
            rendered.instance_yaml
        )
    };
    if let Some(error) = &answer.error {
        tally
            .mismatches
            .push(format!("{label}: chart oracle: {error}"));
        return None;
    }
    let mut chart_yamls: Vec<String> = Vec::new();
    for render in &answer.renders {
        tally.renders += 1;
        if render.stage != "ok" {
            tally.mismatches.push(format!(
                "{label}: the chart refuses the {} ({} stage): {}\n{}",
                render.source,
                render.stage,
                render.error.as_deref().unwrap_or_default(),
                context()
            ));
            continue;
        }
        if render.sections != answer.instance_sections {
            tally.mismatches.push(format!(
                "{label}: from the {} the chart writes\n{:#}\nbut instance_yaml holds\n{:#}\n{}",
                render.source,
                render.sections.clone().unwrap_or_default(),
                answer.instance_sections.clone().unwrap_or_default(),
                context()
            ));
        }
        if let Some(text) = &render.local_dagster_yaml {
            if !chart_yamls.contains(text) {
                chart_yamls.push(text.clone());
            }
        }
    }
    Some(DagsterJob {
        label,
        chart_yamls,
        instance_yaml: rendered.instance_yaml,
    })
}

/// Property 3: Dagster loads each chart `dagster.yaml` with the limits of `instance_yaml`.
fn check_in_dagster(oracle: &mut DagsterOracle, job: &DagsterJob, tally: &mut Tally) {
    let ours = oracle.load(&job.instance_yaml);
    for yaml in &job.chart_yamls {
        tally.dagster_loads += 1;
        let verdict = oracle.load(yaml);
        if !verdict.ok || verdict.effective != ours.effective {
            tally.mismatches.push(format!(
                "{}: dagster on the chart's dagster.yaml: ok={} error={:?}\neffective {:#}\ninstance_yaml's: {:#}\ndagster.yaml:\n{yaml}",
                job.label,
                verdict.ok,
                verdict.error,
                verdict.effective.unwrap_or_default(),
                ours.effective.clone().unwrap_or_default(),
            ));
        }
    }
}

/// The seed plus a limit per team, under each placement the chart has, through the real
/// daemon with the chart's own `dagster.yaml`.
fn check_enforcement(oracle: &mut ChartOracle, versions: &[String], tally: &mut Tally) {
    let runs = queued_runs();
    for version in versions {
        for placement in ["run_coordinator", "concurrency"] {
            let mut config = seed();
            config.chart_version = Setting::Known(version.clone());
            config.placement = Setting::Known(placement.into());
            if let Setting::Known(tags) = &mut config.tag_limits {
                tags.push(tag("team", None, Some(true), 2));
            }
            if placement == "concurrency" {
                config.pools = Setting::Known(pool_settings(Some(2), None, None));
            }
            let Ok(rendered) = generate::rendered(&config) else {
                continue;
            };
            let answer = oracle.render(version, &[], &rendered.set, &rendered.values_yaml, "");
            for render in answer.renders.iter().filter(|r| r.source != "set reversed") {
                tally.enforced += 1;
                let yaml = render.local_dagster_yaml.clone().unwrap_or_default();
                let outcome = enforce(&yaml, &runs, None);
                let summary = &outcome.summary;
                if !outcome.held || summary["max_in_progress"] != 5 || summary["launched"] != 20 {
                    tally.mismatches.push(format!(
                        "chart {version}: the daemon did not hold the {placement} limits from the {}:\n{yaml}{summary:#}\n{}",
                        render.source, outcome.stderr
                    ));
                }
            }
        }
    }
}

/// How a refused configuration fares with the chart and Dagster.
enum Refusal {
    /// The chart's schema or templates refuse it.
    Chart,
    /// The chart renders it and Dagster refuses the `dagster.yaml`.
    Dagster,
    /// Both accept it: the rule's documentation must say why it is refused anyway.
    Neither,
}

/// One configuration per error rule the resource can express, on the chart that shows it.
fn refused_configs(
    newest: &str,
    oldest: &str,
) -> Vec<(&'static str, &'static str, ConcurrencyConfig)> {
    let with = |chart: &str, change: &dyn Fn(&mut ConcurrencyConfig)| {
        let mut config = seed();
        config.chart_version = Setting::Known(chart.to_owned());
        change(&mut config);
        config
    };
    let pools = |limit: Option<i64>, granularity: Option<&str>| {
        Setting::Known(pool_settings(limit, granularity, None))
    };
    let block =
        |enabled: bool, buffer: Option<i64>| Setting::Known(block_op_settings(enabled, buffer));
    let (n, o) = (newest, oldest);
    vec![
        (
            "DC101",
            "run coordinator",
            with(n, &|c| c.max_concurrent_runs = Setting::Known(-2)),
        ),
        (
            "DC101",
            "concurrency section",
            with(n, &|c| {
                c.max_concurrent_runs = Setting::Known(-2);
                c.placement = Setting::Known("concurrency".into());
            }),
        ),
        (
            "DC201",
            "",
            with(n, &|c| {
                c.tag_limits = Setting::Known(vec![tag("", None, None, 1)])
            }),
        ),
        (
            "DC202",
            "",
            with(n, &|c| {
                c.tag_limits = Setting::Known(vec![tag("team", None, None, -1)])
            }),
        ),
        (
            "DC204",
            "",
            with(n, &|c| {
                c.tag_limits =
                    Setting::Known(vec![tag("team", None, None, 1), tag("team", None, None, 2)]);
            }),
        ),
        (
            "DC210",
            "merge key",
            with(n, &|c| {
                c.tag_limits = Setting::Known(vec![tag("team", Some("<<"), None, 1)])
            }),
        ),
        (
            "DC210",
            "value key",
            with(o, &|c| {
                c.tag_limits = Setting::Known(vec![tag("=", None, None, 1)])
            }),
        ),
        (
            "DC210",
            "line separator",
            with(n, &|c| {
                c.placement = Setting::Known("concurrency".into());
                c.tag_limits = Setting::Known(vec![tag("team", Some("a\u{2028}b"), None, 1)]);
            }),
        ),
        (
            "DC210",
            "DEL",
            with(n, &|c| {
                c.tag_limits = Setting::Known(vec![tag("team\u{7f}", None, None, 1)])
            }),
        ),
        (
            "DC301",
            "",
            with(o, &|c| c.placement = Setting::Known("concurrency".into())),
        ),
        (
            "DC301",
            "pools",
            with(o, &|c| c.pools = pools(Some(2), None)),
        ),
        (
            "DC303",
            "",
            with(n, &|c| {
                c.placement = Setting::Known("run_coordinator".into());
                c.pools = pools(Some(2), None);
            }),
        ),
        (
            "DC305",
            "buffer 0",
            with(n, &|c| {
                c.pools = pools(Some(2), None);
                c.block_op = block(true, Some(0));
            }),
        ),
        (
            "DC305",
            "no buffer",
            with(n, &|c| {
                c.placement = Setting::Known("concurrency".into());
                c.block_op = block(true, None);
            }),
        ),
        (
            "DC311",
            "",
            with(n, &|c| c.pools = pools(None, Some("ops"))),
        ),
        ("DC312", "", with(n, &|c| c.pools = pools(Some(1001), None))),
        (
            "DC401",
            "",
            with(n, &|c| c.block_op = block(false, Some(1))),
        ),
        (
            "DC402",
            "",
            with(n, &|c| c.dequeue_interval_seconds = Setting::Known(-5)),
        ),
        (
            "DC403",
            "",
            with(n, &|c| c.dequeue_num_workers = Setting::Known(-3)),
        ),
        (
            "DC407",
            "run coordinator",
            with(n, &|c| c.max_concurrent_runs = Setting::Known(1_000_000)),
        ),
        (
            "DC407",
            "concurrency section",
            with(n, &|c| {
                c.placement = Setting::Known("concurrency".into());
                c.tag_limits = Setting::Known(vec![tag("team", None, None, 1_500_000)]);
            }),
        ),
        (
            "DC407",
            "chart 1.10",
            with(o, &|c| {
                c.dequeue_interval_seconds = Setting::Known(2_000_000)
            }),
        ),
    ]
}

/// Error rules with no resource configuration for the charts here to refuse, and why.
const NOT_SHOWN_BY_A_CHART: &[(&str, &str)] = &[
    ("DC203", "value and apply_limit_per_unique_value = true cannot both be rendered"),
    ("DC302", "needs chart 1.12.9 to 1.12.11; the rule doc cites dagster issue 33225, and the conformance suite shows Dagster refusing the YAML those charts write"),
    ("DC304", "an unknown placement leaves nothing to render"),
    ("DC501", "an unparseable chart version leaves nothing to render"),
    ("DC502", "a prefix with an empty key is no Helm path"),
    ("DC504", "a fraction cannot reach the model"),
    ("DC510", "terraform validate refuses the block before any value reaches the chart"),
    ("DC511", "terraform validate refuses the block before any value reaches the chart"),
    ("DC512", "terraform validate refuses the value before it reaches the chart"),
    ("DC513", "terraform validate refuses the repeated block before it reaches the chart"),
    ("DC601", "raw values only: the resource always enables what it writes"),
    ("DC602", "raw values only: the resource writes run limits in one place"),
    ("DC604", "raw values only: the resource spells applyLimitPerUniqueValue"),
    ("DC605", "raw values only: the resource types every value"),
    ("DC606", "raw values only: the resource writes only known keys"),
    ("DC701", "pool limits live in instance storage, set through the webserver"),
    ("DC702", "pool limits live in instance storage, set through the webserver"),
];

/// Every error rule refused by the chart or Dagster, or documented.
fn check_refusals(
    chart: &mut ChartOracle,
    dagster: &mut DagsterOracle,
    versions: &[String],
    tally: &mut Tally,
) {
    let (Some(oldest), Some(newest)) = (versions.first(), versions.last()) else {
        return;
    };
    let configs = refused_configs(newest, oldest);
    let placed = configs
        .iter()
        .map(|(code, _, _)| *code)
        .chain(NOT_SHOWN_BY_A_CHART.iter().map(|(code, _)| *code));
    for code in unclassified_error_rules(placed) {
        tally.mismatches.push(format!(
            "error rule {code} is neither shown refused here nor listed in NOT_SHOWN_BY_A_CHART"
        ));
    }
    for (code, what, config) in configs {
        tally.refusals += 1;
        let label = format!("{code} {what}");
        if !check(&config).iter().any(|f| f.rule.code == code) {
            tally
                .mismatches
                .push(format!("{label}: the rule does not fire on its case"));
        }
        let version = config.chart_version.known().cloned().unwrap_or_default();
        let Ok(rendered) = generate::rendered_overruling(&config, code) else {
            tally.mismatches.push(format!("{label}: does not render"));
            continue;
        };
        let answer = chart.render(&version, &[], &rendered.set, &rendered.values_yaml, "");
        // "yaml": the chart wrote a dagster.yaml that Dagster's YAML reader cannot load.
        let refusal = if answer
            .renders
            .iter()
            .any(|r| !matches!(r.stage.as_str(), "ok" | "yaml"))
        {
            Refusal::Chart
        } else if answer.renders.iter().any(|r| {
            r.stage == "yaml"
                || r.local_dagster_yaml
                    .as_deref()
                    .is_some_and(|yaml| !dagster.load(yaml).ok)
        }) {
            Refusal::Dagster
        } else {
            Refusal::Neither
        };
        let documented = find(code).is_some_and(|rule| rule.doc.contains("checked with"));
        if matches!(refusal, Refusal::Neither) && !documented {
            tally.mismatches.push(format!(
                "{label}: chart {version} and Dagster accept what the rule refuses, and its doc does not say it was checked:\n{}",
                rendered.values_yaml
            ));
        }
    }
}

#[test]
fn released_charts_write_what_we_render_and_dagster_loads_it() {
    let started = Instant::now();
    let seed = run_seed();
    let sample = env_number("CHART_CASES").unwrap_or(GENERATED_PER_CHART);
    let mut oracle = ChartOracle::start();
    let versions = oracle.versions.clone();
    let examples = examples();
    let (jobs, results) = mpsc::channel::<DagsterJob>();
    // Dagster loads beside the chart renders: each side mostly waits on its own process.
    let dagster_side = std::thread::spawn(move || {
        let mut dagster = DagsterOracle::start();
        let mut tally = Tally::default();
        for job in results {
            check_in_dagster(&mut dagster, &job, &mut tally);
        }
        (dagster, tally)
    });
    let mut tally = Tally::default();
    let mut per_version = Vec::new();
    for version in &versions {
        let cases = cases(version, &examples, sample, seed);
        per_version.push(format!("{} on {version}", cases.len()));
        for case in &cases {
            if let Some(job) = check_case(&mut oracle, version, case, &mut tally) {
                let _ = jobs.send(job);
            }
        }
    }
    drop(jobs);
    let (mut dagster, loaded) = dagster_side
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    tally.dagster_loads = loaded.dagster_loads;
    tally.mismatches.extend(loaded.mismatches);
    check_refusals(&mut oracle, &mut dagster, &versions, &mut tally);
    drop(dagster);
    check_enforcement(&mut oracle, &versions, &mut tally);
    let line = format!(
        "chart conformance: {} cases ({}; seed {seed}), {} renders on charts {}, {} dagster loads, {} enforced, {} refusals shown, {} mismatches; {}s",
        tally.cases,
        per_version.join(", "),
        tally.renders,
        versions.join(" and "),
        tally.dagster_loads,
        tally.enforced,
        tally.refusals,
        tally.mismatches.len(),
        started.elapsed().as_secs(),
    );
    // Straight to stderr, past the test harness's capture, so the line shows in every run.
    let _ = writeln!(std::io::stderr(), "{line}");
    assert!(
        tally.mismatches.is_empty(),
        "{line}\n\n{}",
        tally.mismatches.join("\n\n")
    );
}

/// The facts Dagster's own chart tests (`helm/dagster/schema/schema_tests/test_concurrency.py`
/// and `test_instance.py` in dagster-io/dagster) state about what the templates write, checked
/// here on every chart version they apply to.
#[test]
fn the_charts_own_test_facts_hold() {
    let mut oracle = ChartOracle::start();
    let queued = |config: Value| {
        json!({"dagsterDaemon": {"runCoordinator": {
            "enabled": true, "type": "QueuedRunCoordinator",
            "config": {"queuedRunCoordinator": config}}}})
    };
    let merge = |mut a: Value, b: Value| {
        if let (Some(a), Value::Object(b)) = (a.as_object_mut(), b) {
            a.extend(b);
        }
        a
    };
    let mut failures = Vec::new();
    for version in oracle.versions.clone() {
        let has_section = validator::version::ChartVersion::parse(&version)
            .is_some_and(|v| v >= validator::version::CONCURRENCY_SECTION);
        let mut expect =
            |what: &str, values: Value, fact: &dyn Fn(&Value) -> bool, refused: bool| {
                let render = oracle.render_values(&version, &values);
                let sections = render.sections.clone().unwrap_or_default();
                let held = if refused {
                    render.stage == "render"
                } else {
                    render.stage == "ok" && fact(&sections)
                };
                if !held {
                    failures.push(format!(
                        "chart {version}: {what}: stage {} {:?}\n{sections:#}",
                        render.stage, render.error
                    ));
                }
            };
        // test_instance.py: the queued coordinator writes what it is given (0 kept), and a
        // disabled one is not the queued coordinator.
        for runs in [0, 50] {
            expect(
                "queued coordinator config",
                queued(
                    json!({"maxConcurrentRuns": runs, "dequeueIntervalSeconds": 50,
                    "tagConcurrencyLimits": [{"key": "key", "value": "value", "limit": 10}]}),
                ),
                &|s| {
                    let c = &s["run_coordinator"];
                    c["module"] == "dagster.core.run_coordinator"
                        && c["class"] == "QueuedRunCoordinator"
                        && c["config"]["max_concurrent_runs"] == runs
                        && c["config"]["dequeue_interval_seconds"] == 50
                        && c["config"]["tag_concurrency_limits"]
                            == json!([{"key": "key", "value": "value", "limit": 10}])
                },
                false,
            );
        }
        expect(
            "disabled coordinator",
            json!({"dagsterDaemon": {"runCoordinator": {"enabled": false}}}),
            &|s| s["run_coordinator"]["class"] != "QueuedRunCoordinator",
            false,
        );
        if !has_section {
            continue;
        }
        // test_concurrency.py.
        expect(
            "disabled by default",
            json!({}),
            &|s| s["concurrency"].is_null(),
            false,
        );
        let on = |section: Value| json!({"concurrency": merge(json!({"enabled": true}), section)});
        expect(
            "pools",
            on(
                json!({"pools": {"defaultLimit": 10, "granularity": "op", "opGranularityRunBuffer": 2}}),
            ),
            &|s| {
                s["concurrency"]["pools"]
                    == json!({"default_limit": 10, "granularity": "op", "op_granularity_run_buffer": 2})
            },
            false,
        );
        expect(
            "runs and tag limits",
            on(
                json!({"runs": {"maxConcurrentRuns": 25, "tagConcurrencyLimits": [
                {"key": "database", "limit": 1},
                {"key": "team", "value": {"applyLimitPerUniqueValue": true}, "limit": 2}]}}),
            ),
            &|s| {
                s["concurrency"]["runs"]
                    == json!({"max_concurrent_runs": 25, "tag_concurrency_limits": [
                    {"key": "database", "limit": 1},
                    {"key": "team", "value": {"applyLimitPerUniqueValue": true}, "limit": 2}]})
            },
            false,
        );
        expect(
            "zero values kept",
            on(
                json!({"pools": {"defaultLimit": 0, "opGranularityRunBuffer": 0}, "runs": {"maxConcurrentRuns": 0}}),
            ),
            &|s| {
                s["concurrency"]["pools"]
                    == json!({"default_limit": 0, "op_granularity_run_buffer": 0})
                    && s["concurrency"]["runs"]["max_concurrent_runs"] == 0
            },
            false,
        );
        for (what, coordinator, section) in [
            (
                "both run limits fail",
                json!({"maxConcurrentRuns": 10}),
                json!({"runs": {"maxConcurrentRuns": 25}}),
            ),
            (
                "both tag limits fail",
                json!({"tagConcurrencyLimits": [{"key": "other", "limit": 2}]}),
                json!({"runs": {"tagConcurrencyLimits": [{"key": "test", "limit": 1}]}}),
            ),
            (
                "both buffers fail",
                json!({"blockOpConcurrencyLimitedRuns": {"enabled": true, "opConcurrencySlotBuffer": 1}}),
                json!({"pools": {"opGranularityRunBuffer": 2}}),
            ),
        ] {
            expect(
                what,
                merge(queued(coordinator), on(section)),
                &|_| true,
                true,
            );
        }
        expect(
            "a disabled coordinator does not conflict",
            merge(
                json!({"dagsterDaemon": {"runCoordinator": {"enabled": false}}}),
                on(json!({"runs": {"maxConcurrentRuns": 25}})),
            ),
            &|s| s["concurrency"]["runs"]["max_concurrent_runs"] == 25,
            false,
        );
        expect(
            "no -1 under the coordinator when the section holds the runs (dagster issue 33225)",
            merge(
                queued(json!({"dequeueIntervalSeconds": 30})),
                on(json!({"runs": {"maxConcurrentRuns": 25}})),
            ),
            &|s| {
                let config = &s["run_coordinator"]["config"];
                config.get("max_concurrent_runs").is_none()
                    && config["dequeue_interval_seconds"] == 30
                    && s["concurrency"]["runs"]["max_concurrent_runs"] == 25
            },
            false,
        );
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The comparison can fail: an `instance_yaml` that says 6 runs where the chart writes 5 is
/// caught, and so is the `set` encoding of an empty tag value used before (an entry of its own):
/// Helm keeps it after the key's entry and drops it before.
#[test]
fn the_comparison_can_fail() {
    let mut oracle = ChartOracle::start();
    let version = oracle.versions.last().cloned().unwrap_or_default();
    let rendered = generate::rendered(&seed()).expect("the seed renders");
    let wrong = rendered
        .instance_yaml
        .replace("max_concurrent_runs: 5", "max_concurrent_runs: 6");
    let answer = oracle.render(&version, &[], &rendered.set, &rendered.values_yaml, &wrong);
    assert!(answer
        .renders
        .iter()
        .all(|r| r.stage == "ok" && r.sections != answer.instance_sections));

    let qrc = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0]";
    let entry = |field: &str, value: &str, kind: &str| json!({"name": format!("{qrc}.{field}"), "value": value, "type": kind});
    let mut limits_in_order = |entries: Vec<Value>| {
        let answer = oracle.render(&version, &[], &entries, "", "");
        answer
            .renders
            .into_iter()
            .find(|r| r.source == "set")
            .and_then(|r| r.sections)
            .map(|s| s["run_coordinator"]["config"]["tag_concurrency_limits"].clone())
    };
    let (key, empty, limit) = (
        entry("key", "team", "string"),
        entry("value", "", "string"),
        entry("limit", "2", "auto"),
    );
    assert_eq!(
        limits_in_order(vec![key.clone(), empty.clone(), limit.clone()]),
        Some(json!([{"key": "team", "value": "", "limit": 2}]))
    );
    assert_eq!(
        limits_in_order(vec![empty, key, limit]),
        Some(json!([{"key": "team", "limit": 2}]))
    );
}
