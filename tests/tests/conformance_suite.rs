//! Conformance: what the provider renders is what Helm builds and what Dagster enforces.
//!
//! One test runs every part so the suite can end with one line of counts:
//! - Helm: generated configurations with hostile strings; every `set` entry applied by Helm
//!   4.2.3's strvals parser, and the values YAML read by Helm, must build exactly the values meant.
//! - Terraform: a sample of those configurations through the release provider and real CLIs.
//! - Dagster: a matrix of configurations loaded by dagster 1.13.28 with the limits it reports,
//!   the error rules' claims about Dagster, and enforcement by the real queued-run daemon.
//!
//! `CONFORMANCE_SEED=N` replays a run; `CONFORMANCE_CASES=N` changes the number of Helm cases.

use dagster_e2e::oracle::{HelmOracle, HelmTrees};
use serde_json::Value;
use std::io::Write;
use std::time::Instant;

/// Helm cases per run (the issue asks for at least 10,000).
const HELM_CASES: u32 = 10_000;
/// Cases sent through Terraform, taken evenly from the Helm cases.
const TERRAFORM_SAMPLE: usize = 200;

/// Counts and mismatches of one part of the suite.
#[derive(Default)]
struct Tally {
    cases: usize,
    mismatches: Vec<String>,
}

/// Compares Helm's trees with the values the rendering means; `None` when all agree.
fn helm_disagreement(intended: &Value, trees: &HelmTrees) -> Option<String> {
    if let Some(error) = &trees.error {
        return Some(format!("helm refused the rendering: {error}"));
    }
    [
        ("the set entries", &trees.set_tree),
        ("values_yaml", &trees.yaml_tree),
        ("the set entries over values_yaml", &trees.merged_tree),
    ]
    .into_iter()
    .find(|(_, tree)| tree.as_ref() != Some(intended))
    .map(|(what, tree)| {
        format!(
            "helm builds from {what}:\n{}\nbut the intended values are:\n{intended}",
            tree.as_ref().unwrap_or(&Value::Null)
        )
    })
}

mod generate {
    //! Configurations with hostile strings, only those that render without error findings.

    use proptest::prelude::*;
    use proptest::sample::select;
    use validator::model::{BlockOpSettings, ConcurrencyConfig, PoolSettings, Setting, TagLimit};
    use validator::rules::{check, Severity};

    /// Strings that Helm's `--set` typing or its YAML 1.1 reader would turn into something else.
    const RETYPED: &[&str] = &[
        "",
        "true",
        "False",
        "TRUE",
        "null",
        "Null",
        "~",
        "0",
        "123",
        "0123",
        "007",
        "1e3",
        "0x1F",
        "0o17",
        "-1",
        "+1",
        "1_000",
        ".5",
        "1.0",
        "yes",
        "no",
        "on",
        "off",
        "y",
        "n",
        ".inf",
        "-.nan",
        "<<",
        "9223372036854775807",
        "9223372036854775808",
    ];

    /// Characters and fragments that are structure for strvals, YAML or HCL, and unicode.
    const FRAGMENTS: &[&str] = &[
        ",",
        ".",
        "=",
        "[",
        "]",
        "[0]",
        "[-1]",
        "{",
        "}",
        "{a,b}",
        "\\",
        "\\,",
        "\\.",
        "\\\\",
        " ",
        "  ",
        "\"",
        "'",
        ":",
        ": ",
        "- ",
        "#",
        "&a",
        "*a",
        "!!str",
        "|",
        ">",
        "?",
        "@",
        "`",
        "%",
        "${x}",
        "%{",
        "$${",
        "\n",
        "\t",
        "\r",
        "é",
        "e\u{301}",
        "日本",
        "🙂",
        "\u{2028}",
        "\u{85}",
        "\u{feff}",
        "\u{7f}",
        "\u{1}",
        "/",
        "dagster/backfill",
    ];

    /// A string built from retyped words, structure fragments and plain words.
    pub fn hostile_string() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            3 => select(FRAGMENTS).prop_map(str::to_owned),
            2 => select(RETYPED).prop_map(str::to_owned),
            2 => "[a-z0-9_/-]{1,8}",
        ];
        prop_oneof![
            1 => select(RETYPED).prop_map(str::to_owned),
            3 => prop::collection::vec(piece, 1..5).prop_map(|pieces| pieces.concat()),
        ]
    }

    /// A prefix segment: hostile, without the dot that separates segments, never empty.
    fn prefix_segment() -> impl Strategy<Value = String> {
        hostile_string()
            .prop_map(|text| text.replace('.', ""))
            .prop_filter("prefix segments are not empty", |text| !text.is_empty())
    }

    /// A values prefix: none, empty, a few hostile segments, or the deepest one Helm allows.
    fn values_prefix() -> impl Strategy<Value = Setting<String>> {
        prop_oneof![
            2 => Just(Setting::Unset),
            1 => Just(Setting::Known(String::new())),
            4 => prop::collection::vec(prefix_segment(), 1..4)
                .prop_map(|segments| Setting::Known(segments.join("."))),
            1 => prop::collection::vec(prefix_segment(), 22..=22)
                .prop_map(|segments| Setting::Known(segments.join("."))),
        ]
    }

    fn setting<T: Clone + std::fmt::Debug + 'static>(
        value: impl Strategy<Value = T> + 'static,
    ) -> impl Strategy<Value = Setting<T>> {
        prop_oneof![1 => Just(Setting::Unset), 3 => value.prop_map(Setting::Known)]
    }

    /// The largest integer Helm's values-file reader keeps exact: it reads every number as a
    /// float64 (see `helm_reads_yaml_numbers_as_floats`).
    pub const LARGEST_EXACT_YAML_INT: i64 = 1 << 53;

    fn limit() -> impl Strategy<Value = i64> {
        prop_oneof![8 => 0i64..10, 1 => Just(LARGEST_EXACT_YAML_INT)]
    }

    fn tag_limit() -> impl Strategy<Value = TagLimit> {
        let matching = prop_oneof![
            Just((Setting::Unset, Setting::Unset)),
            hostile_string().prop_map(|value| (Setting::Known(value), Setting::Unset)),
            any::<bool>().prop_map(|flag| (Setting::Unset, Setting::Known(flag))),
        ];
        (hostile_string(), matching, limit()).prop_map(|(key, (value, per_value), limit)| {
            TagLimit {
                key: Setting::Known(key),
                value,
                apply_limit_per_unique_value: per_value,
                limit: Setting::Known(limit),
            }
        })
    }

    const CHARTS: &[&str] = &[
        "1.8.0",
        "1.8.13",
        "1.10.0",
        "1.12.8",
        "1.12.12",
        "1.12.14",
        "1.13.0",
        "1.13.28",
        "v1.13.28",
        "1.13.28-rc1",
        "2.0.0",
    ];

    /// Any configuration, valid or not.
    fn any_config() -> impl Strategy<Value = ConcurrencyConfig> {
        let block_op =
            (any::<bool>(), setting(0i64..5)).prop_map(|(enabled, buffer)| BlockOpSettings {
                enabled: Setting::Known(enabled),
                op_concurrency_slot_buffer: buffer,
            });
        let pools = (
            setting(0i64..=1000),
            setting(select(&["run", "op"][..]).prop_map(str::to_owned)),
            setting(0i64..5),
        )
            .prop_map(|(default_limit, granularity, buffer)| PoolSettings {
                default_limit,
                granularity,
                op_granularity_run_buffer: buffer,
            });
        let placement =
            setting(select(&["run_coordinator", "concurrency"][..]).prop_map(str::to_owned));
        let runs = setting(prop_oneof![
            Just(-1i64),
            0i64..50,
            Just(LARGEST_EXACT_YAML_INT)
        ]);
        let queue = (
            setting(0i64..120),
            setting(any::<bool>()),
            setting(1i64..16),
        );
        (
            setting(select(CHARTS).prop_map(str::to_owned)),
            values_prefix(),
            placement,
            runs,
            setting(prop::collection::vec(tag_limit(), 0..5)),
            queue,
            setting(block_op),
            setting(pools),
        )
            .prop_map(
                |(
                    chart,
                    prefix,
                    placement,
                    runs,
                    tags,
                    (interval, threads, workers),
                    block_op,
                    pools,
                )| {
                    ConcurrencyConfig {
                        chart_version: chart,
                        values_prefix: prefix,
                        placement,
                        max_concurrent_runs: runs,
                        tag_limits: tags,
                        dequeue_interval_seconds: interval,
                        dequeue_use_threads: threads,
                        dequeue_num_workers: workers,
                        block_op,
                        pools,
                    }
                },
            )
    }

    /// Whether the provider renders this configuration (no error finding).
    pub fn renders(config: &ConcurrencyConfig) -> bool {
        check(config)
            .iter()
            .all(|finding| finding.severity() != Severity::Error)
            && validator::render::render(config).is_ok()
    }

    /// Configurations the provider renders.
    pub fn renderable_config() -> impl Strategy<Value = ConcurrencyConfig> {
        any_config().prop_filter("the provider renders it", renders)
    }
}

mod helm {
    //! Every generated configuration through Helm's parser, with shrinking on a mismatch.

    use super::{generate, helm_disagreement, Tally};
    use dagster_e2e::oracle::HelmOracle;
    use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};
    use std::cell::RefCell;
    use validator::model::ConcurrencyConfig;
    use validator::render::render;

    /// Checks one configuration; the error says how Helm disagrees.
    fn check(oracle: &mut HelmOracle, config: &ConcurrencyConfig) -> Result<(), String> {
        let rendered = render(config).map_err(|e| format!("does not render: {e:?}"))?;
        let trees = oracle.build(&rendered.set, &rendered.values_yaml);
        match helm_disagreement(&rendered.values, &trees) {
            None => Ok(()),
            Some(why) => Err(format!(
                "{why}\nset entries: {}\nvalues_yaml:\n{}",
                serde_json::to_string_pretty(&rendered.set).unwrap_or_default(),
                rendered.values_yaml
            )),
        }
    }

    /// Runs `cases` generated configurations; returns the tally and every `sample_every`-th case.
    pub fn run(
        oracle: &mut HelmOracle,
        cases: u32,
        seed: u64,
        sample_every: usize,
    ) -> (Tally, Vec<ConcurrencyConfig>) {
        let config = Config {
            cases,
            rng_seed: RngSeed::Fixed(seed),
            failure_persistence: None,
            max_shrink_iters: 4096,
            ..Config::default()
        };
        let oracle = RefCell::new(oracle);
        let seen = RefCell::new((0usize, Vec::new()));
        let result = TestRunner::new(config).run(&generate::renderable_config(), |config| {
            let outcome = check(&mut oracle.borrow_mut(), &config);
            let (count, sample) = &mut *seen.borrow_mut();
            *count += 1;
            if outcome.is_ok() && *count % sample_every == 0 {
                sample.push(config);
            }
            outcome.map_err(TestCaseError::fail)
        });
        let (count, sample) = seen.into_inner();
        let mut tally = Tally::default();
        match result {
            Ok(()) => tally.cases = count,
            Err(TestError::Fail(reason, minimal)) => {
                tally.cases = count;
                tally.mismatches.push(format!(
                    "helm: minimal failing configuration (seed {seed}):\n{minimal:#?}\n{reason}"
                ));
            }
            Err(TestError::Abort(reason)) => {
                tally
                    .mismatches
                    .push(format!("helm: generation aborted: {reason}"));
            }
        }
        (tally, sample)
    }
}

mod terraform {
    //! A sample of the generated configurations through the release provider and real CLIs.

    use super::{helm_disagreement, Tally};
    use dagster_e2e::oracle::HelmOracle;
    use dagster_e2e::{config, Terraform, Workspace};
    use serde_json::{json, Value};
    use unicode_normalization::UnicodeNormalization;
    use validator::model::{ConcurrencyConfig, Setting};
    use validator::render::render;

    /// An HCL quoted string. Written here because hcl-edit 0.10 (hcl-primitives 0.1.13) leaves
    /// a literal `$${` unescaped, which Terraform then reads back as `${`. In HCL, `$${` and
    /// `%%{` stand for `${` and `%{`, and a `$` or `%` not followed by `{` is itself.
    fn quoted(text: &str) -> String {
        let mut out = String::from("\"");
        for c in text.replace("${", "$${").replace("%{", "%%{").chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }

    /// A setting value as an HCL expression.
    trait Hcl {
        fn hcl(&self) -> String;
    }

    impl Hcl for String {
        fn hcl(&self) -> String {
            quoted(self)
        }
    }

    impl Hcl for i64 {
        fn hcl(&self) -> String {
            self.to_string()
        }
    }

    impl Hcl for bool {
        fn hcl(&self) -> String {
            self.to_string()
        }
    }

    /// `name = value` when the setting is known.
    fn known<T: Hcl>(name: &str, setting: &Setting<T>) -> Option<String> {
        setting
            .known()
            .map(|value| format!("{name} = {}", value.hcl()))
    }

    /// A block holding `lines` (attributes or nested blocks), indented.
    fn block(header: &str, lines: impl IntoIterator<Item = Option<String>>) -> String {
        let body: String = lines
            .into_iter()
            .flatten()
            .flat_map(|text| {
                text.lines()
                    .map(|line| format!("  {line}\n"))
                    .collect::<Vec<_>>()
            })
            .collect();
        format!("{header} {{\n{body}}}\n")
    }

    /// The `resource` block for one configuration.
    pub fn resource(name: &str, config: &ConcurrencyConfig) -> String {
        let mut lines = vec![
            known("chart_version", &config.chart_version),
            known("values_prefix", &config.values_prefix),
            known("placement", &config.placement),
            known("max_concurrent_runs", &config.max_concurrent_runs),
            known("dequeue_interval_seconds", &config.dequeue_interval_seconds),
            known("dequeue_use_threads", &config.dequeue_use_threads),
            known("dequeue_num_workers", &config.dequeue_num_workers),
        ];
        for tag in config.tag_limits.known().into_iter().flatten() {
            lines.push(Some(block(
                "tag_concurrency_limit",
                [
                    known("key", &tag.key),
                    known("value", &tag.value),
                    known(
                        "apply_limit_per_unique_value",
                        &tag.apply_limit_per_unique_value,
                    ),
                    known("limit", &tag.limit),
                ],
            )));
        }
        if let Setting::Known(block_op) = &config.block_op {
            lines.push(Some(block(
                "block_op_concurrency_limited_runs",
                [
                    known("enabled", &block_op.enabled),
                    known(
                        "op_concurrency_slot_buffer",
                        &block_op.op_concurrency_slot_buffer,
                    ),
                ],
            )));
        }
        if let Setting::Known(pools) = &config.pools {
            lines.push(Some(block(
                "pools",
                [
                    known("default_limit", &pools.default_limit),
                    known("granularity", &pools.granularity),
                    known(
                        "op_granularity_run_buffer",
                        &pools.op_granularity_run_buffer,
                    ),
                ],
            )));
        }
        block(
            &format!("resource \"dagster_concurrency\" \"{name}\""),
            lines,
        )
    }

    fn nfc(setting: &Setting<String>) -> Setting<String> {
        match setting {
            Setting::Known(text) => Setting::Known(text.nfc().collect()),
            other => other.clone(),
        }
    }

    /// The configuration as the provider receives it: Terraform normalizes every string to
    /// Unicode NFC (`e` + U+0301 arrives as `é`).
    pub fn as_terraform_sends(config: &ConcurrencyConfig) -> ConcurrencyConfig {
        let mut sent = config.clone();
        sent.chart_version = nfc(&config.chart_version);
        sent.values_prefix = nfc(&config.values_prefix);
        sent.placement = nfc(&config.placement);
        if let Setting::Known(tags) = &mut sent.tag_limits {
            for tag in tags {
                tag.key = nfc(&tag.key);
                tag.value = nfc(&tag.value);
            }
        }
        if let Setting::Known(pools) = &mut sent.pools {
            pools.granularity = nfc(&pools.granularity);
        }
        sent
    }

    /// How the provider's state for one resource differs from the crate and from Helm.
    fn disagreement(
        oracle: &mut HelmOracle,
        config: &ConcurrencyConfig,
        state: &Value,
    ) -> Option<String> {
        let rendered = match render(config) {
            Ok(rendered) => rendered,
            Err(e) => return Some(format!("the crate does not render it: {e:?}")),
        };
        let expected = json!({
            "set": rendered.set,
            "values_yaml": rendered.values_yaml,
            "instance_yaml": rendered.instance_yaml,
            "id": rendered.id,
        });
        for field in ["set", "values_yaml", "instance_yaml", "id"] {
            if state[field] != expected[field] {
                return Some(format!(
                    "provider {field}:\n{:#}\ncrate {field}:\n{:#}",
                    state[field], expected[field]
                ));
            }
        }
        let trees = oracle.build(
            &state["set"],
            state["values_yaml"].as_str().unwrap_or_default(),
        );
        helm_disagreement(&rendered.values, &trees)
    }

    /// What one CLI did with the sample.
    pub struct CliRun {
        /// Cases compared and mismatches.
        pub tally: Tally,
        /// Cases whose strings Terraform changed to NFC on the way.
        pub normalized: usize,
    }

    /// Applies every sampled configuration as one Terraform configuration with `tf`, then
    /// compares each resource's state with the crate's rendering and with Helm.
    pub fn run(oracle: &mut HelmOracle, tf: &Terraform, sample: &[ConcurrencyConfig]) -> CliRun {
        let names: Vec<String> = (0..sample.len()).map(|i| format!("case{i}")).collect();
        let body: String = names
            .iter()
            .zip(sample)
            .map(|(name, config)| resource(name, config) + "\n")
            .collect();
        let ws = Workspace::new(tf, &config(&body));
        ws.init().apply();
        let state = ws.run(&["show", "-json"]).expect_code(0).json();
        let resources = state["values"]["root_module"]["resources"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut run = CliRun {
            tally: Tally::default(),
            normalized: 0,
        };
        for (name, config) in names.iter().zip(sample) {
            run.tally.cases += 1;
            let sent = as_terraform_sends(config);
            run.normalized += usize::from(sent != *config);
            let address = format!("dagster_concurrency.{name}");
            let found = resources.iter().find(|r| r["address"] == address.as_str());
            let problem = match found {
                None => Some("not in the Terraform state".to_owned()),
                Some(resource) => disagreement(oracle, &sent, &resource["values"]),
            };
            if let Some(problem) = problem {
                run.tally.mismatches.push(format!(
                    "terraform {}: {address}:\n{}{problem}",
                    tf.version,
                    resource(name, config)
                ));
            }
        }
        run
    }
}

#[test]
fn conformance() {
    let started = Instant::now();
    let seed = std::env::var("CONFORMANCE_SEED")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|elapsed| elapsed.as_secs())
                .unwrap_or_default()
        });
    let cases = std::env::var("CONFORMANCE_CASES")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(HELM_CASES);
    let mut oracle = HelmOracle::start();
    let every = (cases as usize / TERRAFORM_SAMPLE).max(1);
    let (helm, sample) = helm::run(&mut oracle, cases, seed, every);
    let mut mismatches = helm.mismatches;
    let mut terraform_cases = Vec::new();
    for tf in dagster_e2e::clis() {
        let run = terraform::run(&mut oracle, tf, &sample);
        terraform_cases.push(format!(
            "{} on terraform {}, {} of them NFC-normalized",
            run.tally.cases, tf.version, run.normalized
        ));
        mismatches.extend(run.tally.mismatches);
    }
    let line = format!(
        "conformance: {} helm cases (seed {seed}), {} terraform cases ({}), {} mismatches in {:.0?}",
        helm.cases,
        sample.len() * dagster_e2e::clis().len(),
        terraform_cases.join(", "),
        mismatches.len(),
        started.elapsed()
    );
    // Straight to stderr, past the test harness's capture, so the line shows in every run.
    let _ = writeln!(std::io::stderr(), "{line}");
    assert!(
        mismatches.is_empty(),
        "{line}\n\n{}",
        mismatches.join("\n\n")
    );
}
