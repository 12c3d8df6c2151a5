//! Acceptance: the rules' verdict on a whole configuration, and the only way to an
//! [`Accepted`] one, which is all rendering takes.
//!
//! A configuration is accepted when [`check`] finds no error in it (warnings never block) and
//! every value rendering needs is known. Errors on known values are reported even while other
//! values are unknown: `check` skips unknown values, so what it finds holds whatever they turn
//! out to be.

use super::arguments::ArgumentViolation;
use super::{check, Finding, Rule, Severity};
use crate::chart::path::prefix_segments;
use crate::model::{
    Accepted, ConcurrencyConfig, Placement, Resolved, ResolvedBlockOp, ResolvedPools,
    ResolvedTagLimit, Setting, DEFAULT_SLOT_BUFFER,
};
use crate::path::AttrPath;
use crate::version::{ChartVersion, NEWEST_KNOWN};

/// Why a configuration was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rejected {
    /// No error so far, but some value is not known yet: the outputs are unknown until apply.
    Unknown,
    /// The error findings, never empty.
    Errors(Vec<Finding>),
}

/// Accepts a configuration with no error finding and every value known.
pub fn accept(config: &ConcurrencyConfig) -> Result<Accepted, Rejected> {
    accept_overruling(config, &[])
}

/// Accepts a configuration as [`accept`] does, but for the errors of the `overruled` rules.
/// This is for evidence only: the conformance suites render what a rule refuses to show that
/// the chart or Dagster refuses it too. A configuration a rule leaves nothing to render for (an
/// unparseable chart version or prefix, an unknown placement, a tag value with a limit per
/// value) stays rejected with those errors.
pub fn accept_overruling(
    config: &ConcurrencyConfig,
    overruled: &[&Rule],
) -> Result<Accepted, Rejected> {
    let errors: Vec<Finding> = check(config)
        .into_iter()
        .filter(|finding| finding.severity() == Severity::Error)
        .collect();
    let standing = errors
        .iter()
        .filter(|finding| !overruled.contains(&finding.rule))
        .cloned()
        .collect::<Vec<_>>();
    if !standing.is_empty() {
        return Err(Rejected::Errors(standing));
    }
    match resolve(config) {
        Ok(resolved) => Ok(Accepted::by_rules(resolved)),
        Err(Gap::Unknown) => Err(Rejected::Unknown),
        Err(Gap::Missing { block, argument }) => {
            let item = block.to_string();
            let violation = ArgumentViolation::MissingRequired {
                item: &item,
                name: argument,
            };
            let finding = Finding::new(block.then(argument), &violation);
            Err(Rejected::Errors(vec![finding]))
        }
        // Only reached for an overruled error that leaves nothing to render; `check` reports
        // every other value `resolve` cannot take.
        Err(Gap::Refused) => Err(Rejected::Errors(errors)),
    }
}

/// What keeps a configuration from resolving.
enum Gap {
    /// A value is not known yet.
    Unknown,
    /// A required argument of a block is not written: Terraform refuses the block before the
    /// provider sees it, and the CLI's readers report it (DC511), so `check` does not.
    Missing {
        /// The block.
        block: AttrPath,
        /// The argument.
        argument: &'static str,
    },
    /// A value `check` refuses.
    Refused,
}

fn opt<T: Clone>(setting: &Setting<T>) -> Result<Option<T>, Gap> {
    setting
        .resolved()
        .map(|value| value.cloned())
        .ok_or(Gap::Unknown)
}

fn required<T: Clone>(
    setting: &Setting<T>,
    block: impl FnOnce() -> AttrPath,
    argument: &'static str,
) -> Result<T, Gap> {
    opt(setting)?.ok_or_else(|| Gap::Missing {
        block: block(),
        argument,
    })
}

/// The configuration with every value known and the defaults filled in. Unknown values win
/// over missing ones, which Terraform may still fill.
fn resolve(config: &ConcurrencyConfig) -> Result<Resolved, Gap> {
    let chart = match opt(&config.chart_version)? {
        None => NEWEST_KNOWN,
        Some(text) => ChartVersion::parse(&text).ok_or(Gap::Refused)?,
    };
    let prefix = opt(&config.values_prefix)?.unwrap_or_default();
    let prefix = prefix_segments(&prefix).ok_or(Gap::Refused)?;
    if config.placement.is_unknown() || config.pools.is_unknown() {
        return Err(Gap::Unknown);
    }
    let placement = config.effective_placement().ok_or(Gap::Refused)?;
    let tag_limits = match &config.tag_limits {
        Setting::Unknown => return Err(Gap::Unknown),
        Setting::Unset => Vec::new(),
        Setting::Known(limits) => limits
            .iter()
            .enumerate()
            .map(|(index, tag)| {
                let matching = tag
                    .matching()
                    .ok_or(Gap::Unknown)?
                    .map_err(|_| Gap::Refused)?;
                let block = || AttrPath::item("tag_concurrency_limit", index);
                Ok(ResolvedTagLimit {
                    key: required(&tag.key, block, "key")?,
                    matching,
                    limit: required(&tag.limit, block, "limit")?,
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let block_op = match opt(&config.block_op)? {
        None => None,
        Some(block) => Some(ResolvedBlockOp {
            enabled: required(
                &block.enabled,
                || AttrPath::block("block_op_concurrency_limited_runs"),
                "enabled",
            )?,
            op_concurrency_slot_buffer: opt(&block.op_concurrency_slot_buffer)?
                .unwrap_or(DEFAULT_SLOT_BUFFER),
        }),
    };
    let pools = match opt(&config.pools)? {
        None => None,
        Some(pools) => Some(ResolvedPools {
            default_limit: opt(&pools.default_limit)?,
            granularity: opt(&pools.granularity)?,
            op_granularity_run_buffer: opt(&pools.op_granularity_run_buffer)?,
        }),
    };
    let max_concurrent_runs = opt(&config.max_concurrent_runs)?;
    // An enabled `concurrency` section with nothing in it renders as `concurrency: null`,
    // which Dagster cannot load (checked with dagster 1.13.28): with no run limit, tag
    // limit or pool setting to place, the section stays off.
    let placement = if max_concurrent_runs.is_none()
        && tag_limits.is_empty()
        && pools.as_ref().is_none_or(ResolvedPools::is_empty)
    {
        Placement::RunCoordinator
    } else {
        placement
    };
    Ok(Resolved {
        chart,
        prefix,
        placement,
        max_concurrent_runs,
        tag_limits,
        dequeue_interval_seconds: opt(&config.dequeue_interval_seconds)?,
        dequeue_use_threads: opt(&config.dequeue_use_threads)?,
        dequeue_num_workers: opt(&config.dequeue_num_workers)?,
        block_op,
        pools,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BlockOpSettings, TagLimit};
    use crate::rules::find;
    use crate::testing::{seed, tag};

    /// The codes of a rejection's findings; empty for `Unknown`.
    fn codes(rejected: Rejected) -> Vec<&'static str> {
        match rejected {
            Rejected::Unknown => Vec::new(),
            Rejected::Errors(findings) => findings.iter().map(|f| f.rule.code).collect(),
        }
    }

    #[test]
    fn the_seed_is_accepted_as_written() {
        let accepted = accept(&seed()).expect("accepted");
        assert_eq!(accepted.chart, NEWEST_KNOWN);
        assert_eq!(accepted.placement, Placement::RunCoordinator);
        assert_eq!(accepted.max_concurrent_runs, Some(5));
        assert_eq!(accepted.tag_limits[0].key, "dagster/backfill");
    }

    #[test]
    fn unknown_values_make_the_whole_configuration_unknown() {
        let mut config = seed();
        config.tag_limits = Setting::Unknown;
        assert_eq!(accept(&config), Err(Rejected::Unknown));
        let config = ConcurrencyConfig {
            max_concurrent_runs: Setting::Unknown,
            ..Default::default()
        };
        assert_eq!(accept(&config), Err(Rejected::Unknown));
    }

    #[test]
    fn errors_on_known_values_win_over_unknown_ones_and_warnings_never_block() {
        let mut config = seed();
        config.max_concurrent_runs = Setting::Known(-7);
        config.dequeue_num_workers = Setting::Unknown;
        assert_eq!(codes(accept(&config).expect_err("rejected")), ["DC101"]);
        let mut warned = seed();
        warned.tag_limits = Setting::Known(vec![tag("dagster/backfill", 0)]);
        assert!(check(&warned)
            .iter()
            .any(|f| f.severity() == Severity::Warning));
        assert!(accept(&warned).is_ok());
    }

    #[test]
    fn what_the_rules_refuse_is_rejected_with_their_errors() {
        let mut config = seed();
        config.chart_version = Setting::Known("nope".into());
        assert_eq!(codes(accept(&config).expect_err("rejected")), ["DC501"]);
        let config = ConcurrencyConfig {
            tag_limits: Setting::Known(vec![TagLimit {
                value: Setting::Known("v".into()),
                apply_limit_per_unique_value: Setting::Known(true),
                ..tag("k", 1)
            }]),
            ..Default::default()
        };
        assert_eq!(codes(accept(&config).expect_err("rejected")), ["DC203"]);
    }

    #[test]
    fn a_missing_required_argument_is_rejected_at_the_argument() {
        let mut config = seed();
        config.tag_limits = Setting::Known(vec![TagLimit::default()]);
        let Err(Rejected::Errors(findings)) = accept(&config) else {
            panic!("accepted a tag limit without key and limit");
        };
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].rule.code, "DC511");
        assert_eq!(findings[0].at.to_string(), "tag_concurrency_limit[0].key");
        config.tag_limits = Setting::Unset;
        config.block_op = Setting::Known(BlockOpSettings::default());
        let Err(Rejected::Errors(findings)) = accept(&config) else {
            panic!("accepted a block_op block without enabled");
        };
        assert_eq!(
            findings[0].at.to_string(),
            "block_op_concurrency_limited_runs.enabled"
        );
    }

    #[test]
    fn an_overruled_error_is_accepted_unless_it_leaves_nothing_to_render() {
        let mut workers = seed();
        workers.dequeue_num_workers = Setting::Known(-3);
        let rule = find("DC403").expect("DC403");
        assert_eq!(codes(accept(&workers).expect_err("rejected")), ["DC403"]);
        let accepted = accept_overruling(&workers, &[rule]).expect("overruled");
        assert_eq!(accepted.dequeue_num_workers, Some(-3));
        let mut unparseable = workers;
        unparseable.chart_version = Setting::Known("nope".into());
        assert_eq!(
            codes(accept_overruling(&unparseable, &[rule]).expect_err("rejected")),
            ["DC501"]
        );
        let dc501 = find("DC501").expect("DC501");
        assert_eq!(
            codes(accept_overruling(&unparseable, &[rule, dc501]).expect_err("rejected")),
            ["DC501", "DC403"]
        );
    }
}
