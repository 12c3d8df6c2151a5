//! Helpers for rule tests: small configurations and what fired where.

use super::{check, EXPONENT_FORM_FROM};
use crate::model::{BlockOpSettings, ConcurrencyConfig, PoolSettings, Setting};
pub use crate::testing::{seed, tag, tag_mistakes};

/// The paths at which `code` fired.
pub fn fired(config: &ConcurrencyConfig, code: &str) -> Vec<String> {
    check(config)
        .into_iter()
        .filter(|finding| finding.rule.code == code)
        .map(|finding| finding.at.to_string())
        .collect()
}

/// Asserts that the seed configuration is clean, so each rule test's passing case is meaningful.
#[test]
fn seed_is_clean() {
    assert_eq!(check(&seed()), vec![]);
}

/// Asserts that a finding's summary or fix reads as a hint line: lowercase, without a trailing
/// period or question mark (the provider ends a fix with its own period).
pub fn assert_hint_line(code: &str, text: &str) {
    let first = text.chars().next().unwrap_or('A');
    let last = text.chars().last().unwrap_or('.');
    assert!(
        !first.is_uppercase() && !matches!(last, '.' | '?' | '!' | ':' | ';'),
        "{code}: {text:?}"
    );
}

/// Configurations that, together, make every configuration rule fire.
pub fn bad_configurations() -> Vec<ConcurrencyConfig> {
    let mut tags = tag_mistakes();
    tags.push(tag("", 1));
    tags.push(tag("<<", 1));
    let with = |change: &dyn Fn(&mut ConcurrencyConfig)| {
        let mut config = seed();
        change(&mut config);
        config
    };
    let pools = |config: &mut ConcurrencyConfig| {
        config.pools = Setting::Known(PoolSettings {
            default_limit: Setting::Known(5000),
            granularity: Setting::Known("ops".into()),
            op_granularity_run_buffer: Setting::Unset,
        });
    };
    vec![
        with(&|c| c.tag_limits = Setting::Known(tags.clone())),
        with(&|c| c.max_concurrent_runs = Setting::Known(-2)),
        with(&|c| c.max_concurrent_runs = Setting::Unset),
        with(&|c| c.max_concurrent_runs = Setting::Known(-1)),
        with(&|c| c.max_concurrent_runs = Setting::Known(0)),
        with(&|c| {
            c.chart_version = Setting::Known("1.11.0".into());
            pools(c);
        }),
        with(&|c| {
            c.chart_version = Setting::Known("1.12.10".into());
            pools(c);
        }),
        with(&|c| {
            c.placement = Setting::Known("run_coordinator".into());
            pools(c);
        }),
        with(&|c| c.placement = Setting::Known("queued".into())),
        with(&|c| {
            pools(c);
            c.block_op = Setting::Known(BlockOpSettings {
                enabled: Setting::Known(false),
                op_concurrency_slot_buffer: Setting::Known(1),
            });
        }),
        with(&|c| {
            c.dequeue_interval_seconds = Setting::Known(-1);
            c.dequeue_num_workers = Setting::Known(0);
        }),
        with(&|c| {
            c.dequeue_interval_seconds = Setting::Known(0);
            c.chart_version = Setting::Known("1.8.0".into());
            c.block_op = Setting::Known(BlockOpSettings {
                enabled: Setting::Known(true),
                op_concurrency_slot_buffer: Setting::Unset,
            });
        }),
        with(&|c| c.chart_version = Setting::Known("v1.12.14".into())),
        with(&|c| c.chart_version = Setting::Known("latest".into())),
        with(&|c| c.chart_version = Setting::Known("9.0.0".into())),
        with(&|c| c.chart_version = Setting::Known("1.12.99".into())),
        with(&|c| c.values_prefix = Setting::Known("a..b".into())),
        with(&|c| {
            c.max_concurrent_runs = Setting::Known(EXPONENT_FORM_FROM);
            c.block_op = Setting::Known(BlockOpSettings {
                enabled: Setting::Known(true),
                op_concurrency_slot_buffer: Setting::Known(-1),
            });
        }),
    ]
}
