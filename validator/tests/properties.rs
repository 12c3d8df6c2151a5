//! Properties over arbitrary configurations, unknowns and extreme numbers included: checking,
//! accepting and rendering never panic, accepting never disagrees with the errors `check`
//! finds, and a known configuration without errors is always accepted and renders.

use proptest::prelude::*;
use validator::model::{BlockOpSettings, ConcurrencyConfig, PoolSettings, Setting, TagLimit};
use validator::render::render;
use validator::rules::{accept, check, Rejected, Severity};

fn setting<T: std::fmt::Debug + Clone + 'static>(
    value: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<Setting<T>> {
    prop_oneof![
        1 => Just(Setting::Unset),
        1 => Just(Setting::Unknown),
        4 => value.prop_map(Setting::Known),
    ]
    .boxed()
}

fn number() -> impl Strategy<Value = i64> {
    prop_oneof![
        -3i64..12,
        Just(i64::MIN),
        Just(i64::MAX),
        Just(1000),
        Just(1001),
        any::<i64>()
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("dagster/backfill".to_owned()),
        Just("1.12.14".to_owned()),
        Just("1.12.10".to_owned()),
        Just("run".to_owned()),
        Just("concurrency".to_owned()),
        Just("run_coordinator".to_owned()),
        "[a-z./=,\\[\\]{}\\\\ é0-9-]{0,12}",
    ]
}

fn tag_limit() -> impl Strategy<Value = TagLimit> {
    (
        setting(text()),
        setting(text()),
        setting(any::<bool>()),
        setting(number()),
    )
        .prop_map(
            |(key, value, apply_limit_per_unique_value, limit)| TagLimit {
                key,
                value,
                apply_limit_per_unique_value,
                limit,
            },
        )
}

fn config() -> impl Strategy<Value = ConcurrencyConfig> {
    let block_op = (setting(any::<bool>()), setting(number())).prop_map(
        |(enabled, op_concurrency_slot_buffer)| BlockOpSettings {
            enabled,
            op_concurrency_slot_buffer,
        },
    );
    let pools = (setting(number()), setting(text()), setting(number())).prop_map(
        |(default_limit, granularity, op_granularity_run_buffer)| PoolSettings {
            default_limit,
            granularity,
            op_granularity_run_buffer,
        },
    );
    let blocks = (
        setting(prop::collection::vec(tag_limit(), 0..4)),
        setting(block_op),
        setting(pools),
    );
    let scalars = (
        setting(text()),
        setting(text()),
        setting(text()),
        setting(number()),
        setting(number()),
        setting(any::<bool>()),
        setting(number()),
    );
    (scalars, blocks).prop_map(|(scalars, (tag_limits, block_op, pools))| {
        let (
            chart_version,
            values_prefix,
            placement,
            max_concurrent_runs,
            interval,
            threads,
            workers,
        ) = scalars;
        ConcurrencyConfig {
            chart_version,
            values_prefix,
            placement,
            max_concurrent_runs,
            tag_limits,
            dequeue_interval_seconds: interval,
            dequeue_use_threads: threads,
            dequeue_num_workers: workers,
            block_op,
            pools,
        }
    })
}

/// Required block arguments Terraform itself enforces (so no rule reports them).
fn misses_required_arguments(config: &ConcurrencyConfig) -> bool {
    let tags = config.tag_limits.known().into_iter().flatten();
    let tag_missing = tags
        .into_iter()
        .any(|t| !t.key.is_set() || !t.limit.is_set());
    let block_missing = config.block_op.known().is_some_and(|b| !b.enabled.is_set());
    tag_missing || block_missing
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(3000))]

    #[test]
    fn accepting_agrees_with_checks_errors_and_clean_configs_render(config in config()) {
        let errors: Vec<_> = check(&config)
            .into_iter()
            .filter(|finding| finding.severity() == Severity::Error)
            .collect();
        match accept(&config) {
            Ok(accepted) => {
                prop_assert!(errors.is_empty(), "accepted despite {errors:?}");
                prop_assert!(!render(&accepted).set.is_empty());
            }
            Err(Rejected::Unknown) => {
                prop_assert!(errors.is_empty(), "unknown, not rejected with {errors:?}");
            }
            // Without an error from `check`, only a missing required argument (which Terraform
            // refuses and the readers report) rejects a configuration.
            Err(Rejected::Errors(found)) if errors.is_empty() => prop_assert!(
                misses_required_arguments(&config)
                    && found.len() == 1
                    && found[0].rule.code == "DC511",
                "rejected without an error finding: {found:?} {config:?}"
            ),
            Err(Rejected::Errors(found)) => prop_assert_eq!(found, errors),
        }
    }
}
