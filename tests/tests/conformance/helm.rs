//! Every generated configuration through Helm's parser, with shrinking on a mismatch.

use super::{generate, Tally};
use dagster_e2e::oracle::HelmOracle;
use dagster_e2e::oracle::HelmTrees;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestError, TestRunner};
use serde_json::Value;
use std::cell::RefCell;
use validator::model::ConcurrencyConfig;

/// Checks one configuration; the error says how Helm disagrees.
pub fn check(oracle: &mut HelmOracle, config: &ConcurrencyConfig) -> Result<(), String> {
    let rendered = generate::rendered(config).map_err(|e| format!("does not render: {e:?}"))?;
    let trees = oracle.build(&rendered.set, &rendered.values_yaml);
    match disagreement(&rendered.values, &trees) {
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

/// Compares Helm's trees with the values the rendering means; `None` when all agree.
pub fn disagreement(intended: &Value, trees: &HelmTrees) -> Option<String> {
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

/// Edge cases every run covers whatever the seed draws: an empty tag value (its entry ends the
/// strvals expression, on a list element the key entry already made), retyped and structural
/// strings in every string position, and the deepest prefix.
#[test]
fn fixed_edge_cases_build_the_intended_values() {
    use validator::model::{Setting, TagLimit};
    let tag = |key: &str, value: &str| TagLimit {
        key: Setting::Known(key.into()),
        value: Setting::Known(value.into()),
        limit: Setting::Known(1),
        ..Default::default()
    };
    let hostile = [
        "", "null", "true", "0123", "1e3", "{a,b}", "\\", "a\\", "[0]", "x=y", "a.b", ",",
        "e\u{301}",
    ];
    let mut oracle = HelmOracle::start();
    let mut failures = Vec::new();
    for placement in ["run_coordinator", "concurrency"] {
        for (i, text) in hostile.iter().enumerate() {
            let segment = if text.is_empty() || text.contains('.') {
                "p"
            } else {
                text
            };
            for prefix in [segment.to_owned(), vec![segment; 22].join(".")] {
                let config = ConcurrencyConfig {
                    values_prefix: Setting::Known(prefix),
                    placement: Setting::Known(placement.into()),
                    max_concurrent_runs: Setting::Known(5),
                    tag_limits: Setting::Known(vec![
                        tag(&format!("k{i}{text}"), text),
                        tag("last", ""),
                    ]),
                    ..Default::default()
                };
                assert!(generate::renders(&config), "{config:#?}");
                if let Err(why) = check(&mut oracle, &config) {
                    failures.push(format!("{config:#?}\n{why}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Helm's values-file reader turns every number into a float64, so an integer above 2^53 in
/// `values_yaml` loses its value while a `set` entry keeps it exact (Helm 4.2.3). The generator
/// stays at or below 2^53 for that reason; this pins the fact.
#[test]
fn helm_reads_yaml_numbers_as_floats() {
    let exact = generate::LARGEST_EXACT_YAML_INT;
    let mut oracle = HelmOracle::start();
    let set = serde_json::json!([
        {"name": "big", "value": i64::MAX.to_string(), "type": "auto"},
        {"name": "exact", "value": exact.to_string(), "type": "auto"},
    ]);
    let yaml = format!("\"big\": {}\n\"exact\": {exact}\n", i64::MAX);
    let trees = oracle.build(&set, &yaml);
    assert_eq!(trees.error, None);
    assert_eq!(
        trees.set_tree,
        Some(serde_json::json!({"big": i64::MAX, "exact": exact}))
    );
    let read = trees.yaml_tree.unwrap_or_default();
    assert_eq!(read["exact"], exact);
    assert_ne!(read["big"], i64::MAX);
    assert_eq!(read["big"].as_f64(), Some(i64::MAX as f64));
}

/// The comparison catches what Helm retypes: `123` sent as `auto` is a number, not the string
/// meant, so the suite can fail.
#[test]
fn a_retyped_value_is_caught() {
    let mut oracle = HelmOracle::start();
    let set = serde_json::json!([{"name": "v", "value": "123", "type": "auto"}]);
    let trees = oracle.build(&set, "\"v\": \"123\"\n");
    let meant = serde_json::json!({"v": "123"});
    let why = disagreement(&meant, &trees).unwrap_or_default();
    assert!(why.contains("from the set entries"), "{why}");
}
