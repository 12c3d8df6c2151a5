//! The chart values a resolved configuration sets, in the order the `set` entries list them.

use super::helm_set::{Assignment, Scalar};
use super::resolved::{Resolved, TagMatch};
use crate::chart::path::Segment;
use crate::model::Placement;

const COORDINATOR: [&str; 2] = ["dagsterDaemon", "runCoordinator"];
const QUEUED_CONFIG: [&str; 4] = [
    "dagsterDaemon",
    "runCoordinator",
    "config",
    "queuedRunCoordinator",
];
const CONCURRENCY_RUNS: [&str; 2] = ["concurrency", "runs"];
const CONCURRENCY_POOLS: [&str; 2] = ["concurrency", "pools"];

/// Collects assignments below the values prefix.
struct Builder<'a> {
    prefix: &'a [String],
    out: Vec<Assignment>,
}

impl Builder<'_> {
    fn path(&self, base: &[&str], tail: &[Segment]) -> Vec<Segment> {
        self.prefix
            .iter()
            .map(|key| Segment::Key(key.clone()))
            .chain(base.iter().map(|key| Segment::Key((*key).to_owned())))
            .chain(tail.iter().cloned())
            .collect()
    }

    fn put(&mut self, base: &[&str], tail: &[Segment], value: Scalar) {
        let path = self.path(base, tail);
        self.out.push(Assignment { path, value });
    }

    fn put_key(&mut self, base: &[&str], key: &str, value: Scalar) {
        self.put(base, &[Segment::Key(key.to_owned())], value);
    }

    fn put_int(&mut self, base: &[&str], key: &str, value: Option<i64>) {
        if let Some(value) = value {
            self.put_key(base, key, Scalar::Int(value));
        }
    }
}

/// Every value the configuration sets, in render order: the coordinator switch, run limits,
/// dequeue settings, op blocking, then pools.
pub fn assignments(resolved: &Resolved) -> Vec<Assignment> {
    let mut b = Builder {
        prefix: &resolved.prefix,
        out: Vec::new(),
    };
    b.put_key(&COORDINATOR, "enabled", Scalar::Bool(true));
    b.put_key(
        &COORDINATOR,
        "type",
        Scalar::Str("QueuedRunCoordinator".into()),
    );
    let runs_base: &[&str] = match resolved.placement {
        Placement::RunCoordinator => &QUEUED_CONFIG,
        Placement::Concurrency => {
            b.put_key(&["concurrency"], "enabled", Scalar::Bool(true));
            &CONCURRENCY_RUNS
        }
    };
    b.put_int(runs_base, "maxConcurrentRuns", resolved.max_concurrent_runs);
    for (index, tag) in resolved.tag_limits.iter().enumerate() {
        let item = |key: &str| {
            vec![
                Segment::Key("tagConcurrencyLimits".into()),
                Segment::Index(index),
                Segment::Key(key.into()),
            ]
        };
        let key = Scalar::Str(tag.key.clone());
        match &tag.matching {
            TagMatch::AnyValue => b.put(runs_base, &item("key"), key),
            // An empty value goes first, so that its `set` entry can carry the key on
            // (see `helm_set::set_entries`).
            TagMatch::Value(value) if value.is_empty() => {
                b.put(runs_base, &item("value"), Scalar::Str(String::new()));
                b.put(runs_base, &item("key"), key);
            }
            TagMatch::Value(value) => {
                b.put(runs_base, &item("key"), key);
                b.put(runs_base, &item("value"), Scalar::Str(value.clone()));
            }
            TagMatch::PerUniqueValue(flag) => {
                b.put(runs_base, &item("key"), key);
                let mut path = item("value");
                path.push(Segment::Key("applyLimitPerUniqueValue".into()));
                b.put(runs_base, &path, Scalar::Bool(*flag));
            }
        }
        b.put(runs_base, &item("limit"), Scalar::Int(tag.limit));
    }
    b.put_int(
        &QUEUED_CONFIG,
        "dequeueIntervalSeconds",
        resolved.dequeue_interval_seconds,
    );
    if let Some(flag) = resolved.dequeue_use_threads {
        b.put_key(&QUEUED_CONFIG, "dequeueUseThreads", Scalar::Bool(flag));
    }
    b.put_int(
        &QUEUED_CONFIG,
        "dequeueNumWorkers",
        resolved.dequeue_num_workers,
    );
    if let Some(block) = resolved.block_op {
        let base = [&QUEUED_CONFIG[..], &["blockOpConcurrencyLimitedRuns"]].concat();
        b.put_key(&base, "enabled", Scalar::Bool(block.enabled));
        b.put_key(
            &base,
            "opConcurrencySlotBuffer",
            Scalar::Int(block.op_concurrency_slot_buffer),
        );
    }
    if let Some(pools) = &resolved.pools {
        b.put_int(&CONCURRENCY_POOLS, "defaultLimit", pools.default_limit);
        if let Some(granularity) = &pools.granularity {
            b.put_key(
                &CONCURRENCY_POOLS,
                "granularity",
                Scalar::Str(granularity.clone()),
            );
        }
        b.put_int(
            &CONCURRENCY_POOLS,
            "opGranularityRunBuffer",
            pools.op_granularity_run_buffer,
        );
    }
    b.out
}
