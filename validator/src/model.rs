//! The concurrency settings as data, exactly as a user wrote them.
//!
//! Every field is a [`Setting`]: Terraform hands providers values that are absent, known, or not
//! known until apply, and the rules must check whatever is known while rendering waits for the rest.
//! Once every value is known and the rules found no error, the rules seal the configuration as
//! [`Accepted`], the only input rendering takes.

mod accepted;

pub use accepted::{
    Accepted, Resolved, ResolvedBlockOp, ResolvedPools, ResolvedTagLimit, DEFAULT_SLOT_BUFFER,
};

/// One user-supplied setting: absent, known, or known only later (Terraform's "unknown").
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Setting<T> {
    /// Not written by the user.
    #[default]
    Unset,
    /// Written, but its value is not known yet (computed from something not yet applied).
    Unknown,
    /// Written and known.
    Known(T),
}

impl<T> Setting<T> {
    /// The value when it is known.
    pub fn known(&self) -> Option<&T> {
        match self {
            Setting::Known(value) => Some(value),
            _ => None,
        }
    }

    /// True when the user wrote the setting, whether or not its value is known yet.
    pub fn is_set(&self) -> bool {
        !matches!(self, Setting::Unset)
    }

    /// True when the setting is written but not known yet.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Setting::Unknown)
    }

    /// `Some(None)` when unset, `Some(Some(v))` when known, `None` when unknown.
    pub fn resolved(&self) -> Option<Option<&T>> {
        match self {
            Setting::Unset => Some(None),
            Setting::Unknown => None,
            Setting::Known(value) => Some(Some(value)),
        }
    }
}

impl<T> From<Option<T>> for Setting<T> {
    fn from(value: Option<T>) -> Self {
        value.map_or(Setting::Unset, Setting::Known)
    }
}

/// Where the run limits (`max_concurrent_runs`, tag limits) are placed in the chart values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// `dagsterDaemon.runCoordinator.config.queuedRunCoordinator` (every chart version).
    RunCoordinator,
    /// The top-level `concurrency.runs` section (chart 1.12.9 and later).
    Concurrency,
}

impl Placement {
    /// The spelling used in Terraform and policy files.
    pub fn as_str(self) -> &'static str {
        match self {
            Placement::RunCoordinator => "run_coordinator",
            Placement::Concurrency => "concurrency",
        }
    }

    /// Parses the Terraform spelling.
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "run_coordinator" => Some(Placement::RunCoordinator),
            "concurrency" => Some(Placement::Concurrency),
            _ => None,
        }
    }
}

/// One `tag_concurrency_limit` block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TagLimit {
    /// Run tag key the limit matches, e.g. `dagster/backfill`.
    pub key: Setting<String>,
    /// Only runs whose tag has this value count.
    pub value: Setting<String>,
    /// A separate limit for each distinct value of the key.
    pub apply_limit_per_unique_value: Setting<bool>,
    /// How many matching runs may be in progress.
    pub limit: Setting<i64>,
}

impl TagLimit {
    /// How the limit matches the tag's values, decoded from `value` and
    /// `apply_limit_per_unique_value` here and nowhere else; `None` while either is not known,
    /// `Err` when they contradict.
    pub fn matching(&self) -> Option<Result<TagMatch, Contradiction>> {
        let value = self.value.resolved()?;
        let per_unique_value = self.apply_limit_per_unique_value.resolved()?;
        Some(match (value, per_unique_value) {
            (None, None) => Ok(TagMatch::AnyValue),
            // `false` is the default: with a value it means the value alone.
            (Some(value), None | Some(false)) => Ok(TagMatch::Value(value.clone())),
            (None, Some(flag)) => Ok(TagMatch::PerUniqueValue(*flag)),
            (Some(value), Some(true)) => Err(Contradiction {
                value: value.clone(),
            }),
        })
    }

    /// Whether the limit is known to cover every value of its key: no `value` written, or a
    /// limit per value (whatever else is not known yet).
    pub fn covers_every_value(&self) -> bool {
        !self.value.is_set() || self.apply_limit_per_unique_value.known() == Some(&true)
    }
}

/// How a tag limit matches tag values.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TagMatch {
    /// No value given: one limit across all values of the key.
    AnyValue,
    /// Only runs whose tag has exactly this value.
    Value(String),
    /// `apply_limit_per_unique_value` without a value, as written (true: one limit per
    /// distinct value; false: the default, one limit across all values).
    PerUniqueValue(bool),
}

/// A value and `apply_limit_per_unique_value = true` together: a limit on one value and a
/// limit per value contradict (DC203).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contradiction {
    /// The value written.
    pub value: String,
}

/// The `block_op_concurrency_limited_runs` block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BlockOpSettings {
    /// Whether runs blocked on op concurrency stay queued.
    pub enabled: Setting<bool>,
    /// Extra op slots a run may claim beyond the pool limit before it is held back.
    pub op_concurrency_slot_buffer: Setting<i64>,
}

/// The `pools` block (chart 1.12.9 and later).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PoolSettings {
    /// Limit for pools that have no limit of their own (0..1000).
    pub default_limit: Setting<i64>,
    /// `run` or `op`.
    pub granularity: Setting<String>,
    /// Extra runs that may start when pool slots are counted per op.
    pub op_granularity_run_buffer: Setting<i64>,
}

/// The whole `dagster_concurrency` configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConcurrencyConfig {
    /// Targeted chart version, e.g. `1.12.14`; unset means the newest known.
    pub chart_version: Setting<String>,
    /// Prefix of every rendered name when Dagster is a subchart, e.g. `dagster`.
    pub values_prefix: Setting<String>,
    /// `run_coordinator` or `concurrency` (as written, checked by the rules).
    pub placement: Setting<String>,
    /// Global run limit: -1 unlimited, 0 paused, n > 0 a limit.
    pub max_concurrent_runs: Setting<i64>,
    /// Tag limits in the order written; the list itself may be unknown (a dynamic block).
    pub tag_limits: Setting<Vec<TagLimit>>,
    /// Seconds between dequeue passes of the daemon.
    pub dequeue_interval_seconds: Setting<i64>,
    /// Whether the daemon dequeues with a thread pool.
    pub dequeue_use_threads: Setting<bool>,
    /// Threads used when `dequeue_use_threads` is true.
    pub dequeue_num_workers: Setting<i64>,
    /// The `block_op_concurrency_limited_runs` block.
    pub block_op: Setting<BlockOpSettings>,
    /// The `pools` block.
    pub pools: Setting<PoolSettings>,
}

impl ConcurrencyConfig {
    /// The placement in effect: as written when valid, else the default for the blocks present.
    /// `None` while it cannot be known yet or is misspelt.
    pub fn effective_placement(&self) -> Option<Placement> {
        match &self.placement {
            Setting::Known(text) => Placement::parse(text),
            Setting::Unknown => None,
            Setting::Unset => match self.pools {
                Setting::Unknown => None,
                Setting::Known(_) => Some(Placement::Concurrency),
                Setting::Unset => Some(Placement::RunCoordinator),
            },
        }
    }

    /// Tag limits that are known, with their index in the written list.
    pub fn known_tag_limits(&self) -> impl Iterator<Item = (usize, &TagLimit)> {
        self.tag_limits.known().into_iter().flatten().enumerate()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placement_defaults_follow_the_pools_block() {
        let mut config = ConcurrencyConfig::default();
        assert_eq!(
            config.effective_placement(),
            Some(Placement::RunCoordinator)
        );
        config.pools = Setting::Known(PoolSettings::default());
        assert_eq!(config.effective_placement(), Some(Placement::Concurrency));
        config.pools = Setting::Unknown;
        assert_eq!(config.effective_placement(), None);
        config.placement = Setting::Known("run_coordinator".into());
        assert_eq!(
            config.effective_placement(),
            Some(Placement::RunCoordinator)
        );
        config.placement = Setting::Known("elsewhere".into());
        assert_eq!(config.effective_placement(), None);
    }

    #[test]
    fn setting_resolution() {
        assert_eq!(Setting::<i64>::Unset.resolved(), Some(None));
        assert_eq!(Setting::<i64>::Unknown.resolved(), None);
        assert_eq!(Setting::Known(3).resolved(), Some(Some(&3)));
        assert_eq!(Setting::from(Some(2)), Setting::Known(2));
    }

    #[test]
    fn tag_matching_is_decoded_from_value_and_per_unique_value() {
        let tag = |value: Setting<String>, per_unique: Setting<bool>| TagLimit {
            value,
            apply_limit_per_unique_value: per_unique,
            ..Default::default()
        };
        let a = || Setting::Known("a".to_string());
        assert_eq!(
            tag(Setting::Unset, Setting::Unset).matching(),
            Some(Ok(TagMatch::AnyValue))
        );
        assert_eq!(
            tag(a(), Setting::Known(false)).matching(),
            Some(Ok(TagMatch::Value("a".into())))
        );
        assert_eq!(
            tag(Setting::Unset, Setting::Known(false)).matching(),
            Some(Ok(TagMatch::PerUniqueValue(false)))
        );
        assert_eq!(
            tag(a(), Setting::Known(true)).matching(),
            Some(Err(Contradiction { value: "a".into() }))
        );
        assert_eq!(tag(Setting::Unknown, Setting::Unset).matching(), None);
        assert!(tag(Setting::Unset, Setting::Unknown).covers_every_value());
        assert!(!tag(a(), Setting::Unset).covers_every_value());
    }
}
