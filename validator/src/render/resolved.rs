//! A configuration with every value known and valid: the only input rendering accepts.

use crate::chart::path::{prefix_segments, MAX_PREFIX_SEGMENTS};
pub use crate::model::TagMatch;
use crate::model::{ConcurrencyConfig, Placement, Setting};
use crate::version::{ChartVersion, NEWEST_KNOWN};

/// A tag limit ready to render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedTagLimit {
    /// Tag key.
    pub key: String,
    /// How values match.
    pub matching: TagMatch,
    /// The limit.
    pub limit: i64,
}

/// The `pools` block ready to render.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ResolvedPools {
    /// `defaultLimit`.
    pub default_limit: Option<i64>,
    /// `granularity`.
    pub granularity: Option<String>,
    /// `opGranularityRunBuffer`.
    pub op_granularity_run_buffer: Option<i64>,
}

impl ResolvedPools {
    /// True when no pool setting would be written to the instance.
    pub fn is_empty(&self) -> bool {
        self.default_limit.is_none()
            && self.granularity.as_deref().is_none_or(str::is_empty)
            && self.op_granularity_run_buffer.is_none()
    }
}

/// The `block_op_concurrency_limited_runs` block ready to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResolvedBlockOp {
    /// `enabled`.
    pub enabled: bool,
    /// `opConcurrencySlotBuffer`: as written, else Dagster's default of 0. The chart's schema
    /// requires it whenever the block is set, and its template always writes it.
    pub op_concurrency_slot_buffer: i64,
}

/// Dagster's `op_concurrency_slot_buffer` when none is written.
pub const DEFAULT_SLOT_BUFFER: i64 = 0;

/// A fully known configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Targeted chart version.
    pub chart: ChartVersion,
    /// Prefix segments (empty when Dagster is the top-level chart).
    pub prefix: Vec<String>,
    /// Where run limits go.
    pub placement: Placement,
    /// Global run limit.
    pub max_concurrent_runs: Option<i64>,
    /// Tag limits in order.
    pub tag_limits: Vec<ResolvedTagLimit>,
    /// `dequeueIntervalSeconds`.
    pub dequeue_interval_seconds: Option<i64>,
    /// `dequeueUseThreads`.
    pub dequeue_use_threads: Option<bool>,
    /// `dequeueNumWorkers`.
    pub dequeue_num_workers: Option<i64>,
    /// `blockOpConcurrencyLimitedRuns`.
    pub block_op: Option<ResolvedBlockOp>,
    /// `concurrency.pools`.
    pub pools: Option<ResolvedPools>,
}

/// Why a configuration could not be resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unresolved {
    /// Some value is not known yet: the outputs are unknown until apply.
    Unknown,
    /// Some value is invalid; the rules report which.
    Invalid,
}

fn opt<T: Clone>(setting: &Setting<T>) -> Result<Option<T>, Unresolved> {
    setting
        .resolved()
        .map(|value| value.cloned())
        .ok_or(Unresolved::Unknown)
}

fn required<T: Clone>(setting: &Setting<T>) -> Result<T, Unresolved> {
    opt(setting)?.ok_or(Unresolved::Invalid)
}

impl Resolved {
    /// Resolves a configuration; unknown values win over invalid ones, so a plan with unknowns
    /// shows "known after apply" instead of failing.
    pub fn from_config(config: &ConcurrencyConfig) -> Result<Resolved, Unresolved> {
        let chart = match opt(&config.chart_version)? {
            None => NEWEST_KNOWN,
            Some(text) => ChartVersion::parse(&text).ok_or(Unresolved::Invalid)?,
        };
        let prefix = opt(&config.values_prefix)?.unwrap_or_default();
        let prefix = prefix_segments(&prefix)
            .filter(|segments| segments.len() <= MAX_PREFIX_SEGMENTS)
            .ok_or(Unresolved::Invalid)?;
        if config.placement.is_unknown() || config.pools.is_unknown() {
            return Err(Unresolved::Unknown);
        }
        let placement = config.effective_placement().ok_or(Unresolved::Invalid)?;
        let tag_limits = match &config.tag_limits {
            Setting::Unknown => return Err(Unresolved::Unknown),
            Setting::Unset => Vec::new(),
            Setting::Known(limits) => limits
                .iter()
                .map(|tag| {
                    let matching = tag
                        .matching()
                        .ok_or(Unresolved::Unknown)?
                        .map_err(|_| Unresolved::Invalid)?;
                    Ok(ResolvedTagLimit {
                        key: required(&tag.key)?,
                        matching,
                        limit: required(&tag.limit)?,
                    })
                })
                .collect::<Result<_, _>>()?,
        };
        let block_op = match opt(&config.block_op)? {
            None => None,
            Some(block) => Some(ResolvedBlockOp {
                enabled: required(&block.enabled)?,
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TagLimit;

    #[test]
    fn unknown_values_make_the_whole_configuration_unknown() {
        let config = ConcurrencyConfig {
            max_concurrent_runs: Setting::Unknown,
            ..Default::default()
        };
        assert_eq!(Resolved::from_config(&config), Err(Unresolved::Unknown));
    }

    #[test]
    fn conflicting_tag_matching_is_invalid() {
        let config = ConcurrencyConfig {
            tag_limits: Setting::Known(vec![TagLimit {
                key: Setting::Known("k".into()),
                value: Setting::Known("v".into()),
                apply_limit_per_unique_value: Setting::Known(true),
                limit: Setting::Known(1),
            }]),
            ..Default::default()
        };
        assert_eq!(Resolved::from_config(&config), Err(Unresolved::Invalid));
    }

    #[test]
    fn prefixes_split_on_dots() {
        assert_eq!(prefix_segments(""), Some(vec![]));
        assert_eq!(
            prefix_segments("a.b"),
            Some(vec!["a".to_string(), "b".to_string()])
        );
        assert_eq!(prefix_segments("a..b"), None);
        assert_eq!(prefix_segments(".a"), None);
    }
}
