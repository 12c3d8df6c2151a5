//! The chart's run-concurrency keys, spelled once: where each sits, the model argument it
//! holds, and the chart versions that have its section. The renderer writes them, the readers
//! read them, the raw-values rules know them, and findings on raw values name them from here.

use crate::version::{ChartVersion, BLOCK_OP_RENDERED, CONCURRENCY_SECTION};

/// `dagsterDaemon`: the daemon's values, where the run coordinator is configured.
pub const DAGSTER_DAEMON: &str = "dagsterDaemon";
/// `concurrency`: the top-level section (chart 1.12.9 and later).
pub const CONCURRENCY: &str = "concurrency";
/// `enabled`: the switch of the run coordinator, of the `concurrency` section and of op blocking.
pub const ENABLED: &str = "enabled";
/// `type`: which run coordinator the chart configures.
pub const TYPE: &str = "type";
/// The queued run coordinator's name: the chart's `type` and the class `dagster.yaml` names.
pub const QUEUED_RUN_COORDINATOR: &str = "QueuedRunCoordinator";
/// `tagConcurrencyLimits`: the list of tag limits, in either place run limits go.
pub const TAG_CONCURRENCY_LIMITS: &str = "tagConcurrencyLimits";
/// `applyLimitPerUniqueValue`: the one key of a tag limit's `value` map.
pub const APPLY_LIMIT_PER_UNIQUE_VALUE: &str = "applyLimitPerUniqueValue";

/// The run coordinator's switch and type: `dagsterDaemon.runCoordinator`.
pub const COORDINATOR: [&str; 2] = [DAGSTER_DAEMON, "runCoordinator"];

/// A section of the chart's values holding run-concurrency keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// `dagsterDaemon.runCoordinator.config.queuedRunCoordinator`: run limits under
    /// `placement = "run_coordinator"`, and the dequeue settings.
    Queued,
    /// `concurrency.runs`: run limits under `placement = "concurrency"`.
    Runs,
    /// `concurrency.pools`.
    Pools,
    /// `...queuedRunCoordinator.blockOpConcurrencyLimitedRuns`.
    BlockOp,
    /// One item of `tagConcurrencyLimits`.
    TagLimit,
}

impl Section {
    /// The keys from the Dagster chart's values root to the section (none for a tag limit,
    /// which sits at an index of a list).
    pub const fn path(self) -> &'static [&'static str] {
        match self {
            Section::Queued => &QUEUED,
            Section::Runs => &[CONCURRENCY, "runs"],
            Section::Pools => &[CONCURRENCY, "pools"],
            Section::BlockOp => &BLOCK_OP,
            Section::TagLimit => &[],
        }
    }

    /// The section's path, dotted.
    pub fn dotted(self) -> String {
        self.path().join(".")
    }

    /// The first chart version that renders the section; `None` when every version this build
    /// knows does.
    pub const fn since(self) -> Option<ChartVersion> {
        match self {
            Section::Queued | Section::TagLimit => None,
            Section::Runs | Section::Pools => Some(CONCURRENCY_SECTION),
            Section::BlockOp => Some(BLOCK_OP_RENDERED),
        }
    }

    /// The keys the chart knows in the section.
    pub fn keys(self) -> impl Iterator<Item = &'static str> {
        KEYS.iter()
            .filter(move |key| key.section == self)
            .map(|key| key.key)
    }

    /// The chart key of a model argument in the section (`max_concurrent_runs` is
    /// `maxConcurrentRuns`).
    pub fn key_of(self, argument: &str) -> Option<&'static str> {
        KEYS.iter()
            .find(|key| key.section == self && key.argument == argument)
            .map(|key| key.key)
    }
}

const QUEUED: [&str; 4] = [
    DAGSTER_DAEMON,
    "runCoordinator",
    "config",
    "queuedRunCoordinator",
];
const BLOCK_OP: [&str; 5] = [
    DAGSTER_DAEMON,
    "runCoordinator",
    "config",
    "queuedRunCoordinator",
    BLOCK_OP_CONCURRENCY_LIMITED_RUNS,
];

/// `maxConcurrentRuns`.
pub const MAX_CONCURRENT_RUNS: &str = "maxConcurrentRuns";
/// `dequeueIntervalSeconds`.
pub const DEQUEUE_INTERVAL_SECONDS: &str = "dequeueIntervalSeconds";
/// `dequeueUseThreads`.
pub const DEQUEUE_USE_THREADS: &str = "dequeueUseThreads";
/// `dequeueNumWorkers`.
pub const DEQUEUE_NUM_WORKERS: &str = "dequeueNumWorkers";
/// `blockOpConcurrencyLimitedRuns`.
pub const BLOCK_OP_CONCURRENCY_LIMITED_RUNS: &str = "blockOpConcurrencyLimitedRuns";
/// `opConcurrencySlotBuffer`.
pub const OP_CONCURRENCY_SLOT_BUFFER: &str = "opConcurrencySlotBuffer";
/// `defaultLimit`.
pub const DEFAULT_LIMIT: &str = "defaultLimit";
/// `granularity`.
pub const GRANULARITY: &str = "granularity";
/// `opGranularityRunBuffer`.
pub const OP_GRANULARITY_RUN_BUFFER: &str = "opGranularityRunBuffer";
/// A tag limit's `key`.
pub const KEY: &str = "key";
/// A tag limit's `value`.
pub const VALUE: &str = "value";
/// A tag limit's `limit`.
pub const LIMIT: &str = "limit";

/// A key the chart reads: its section, its spelling, and the model argument it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartKey {
    /// Where it sits.
    pub section: Section,
    /// How the chart spells it.
    pub key: &'static str,
    /// The model argument (the `dagster_concurrency` attribute) it holds.
    pub argument: &'static str,
}

const fn key(section: Section, key: &'static str, argument: &'static str) -> ChartKey {
    ChartKey {
        section,
        key,
        argument,
    }
}

/// Every run-concurrency key the chart knows, by section, in render order.
pub const KEYS: &[ChartKey] = &[
    key(Section::Queued, MAX_CONCURRENT_RUNS, "max_concurrent_runs"),
    key(
        Section::Queued,
        TAG_CONCURRENCY_LIMITS,
        "tag_concurrency_limit",
    ),
    key(
        Section::Queued,
        DEQUEUE_INTERVAL_SECONDS,
        "dequeue_interval_seconds",
    ),
    key(Section::Queued, DEQUEUE_USE_THREADS, "dequeue_use_threads"),
    key(Section::Queued, DEQUEUE_NUM_WORKERS, "dequeue_num_workers"),
    key(
        Section::Queued,
        BLOCK_OP_CONCURRENCY_LIMITED_RUNS,
        "block_op_concurrency_limited_runs",
    ),
    key(Section::Runs, MAX_CONCURRENT_RUNS, "max_concurrent_runs"),
    key(
        Section::Runs,
        TAG_CONCURRENCY_LIMITS,
        "tag_concurrency_limit",
    ),
    key(Section::TagLimit, KEY, "key"),
    key(Section::TagLimit, VALUE, "value"),
    key(Section::TagLimit, LIMIT, "limit"),
    key(Section::BlockOp, ENABLED, "enabled"),
    key(
        Section::BlockOp,
        OP_CONCURRENCY_SLOT_BUFFER,
        "op_concurrency_slot_buffer",
    ),
    key(Section::Pools, DEFAULT_LIMIT, "default_limit"),
    key(Section::Pools, GRANULARITY, "granularity"),
    key(
        Section::Pools,
        OP_GRANULARITY_RUN_BUFFER,
        "op_granularity_run_buffer",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_section_knows_its_keys() {
        assert_eq!(
            Section::Queued.dotted(),
            "dagsterDaemon.runCoordinator.config.queuedRunCoordinator"
        );
        assert_eq!(
            Section::Runs.keys().collect::<Vec<_>>(),
            ["maxConcurrentRuns", "tagConcurrencyLimits"]
        );
        assert_eq!(
            Section::Pools.key_of("op_granularity_run_buffer"),
            Some("opGranularityRunBuffer")
        );
        assert_eq!(Section::Runs.key_of("dequeue_num_workers"), None);
        assert_eq!(Section::Pools.since(), Some(CONCURRENCY_SECTION));
    }
}
