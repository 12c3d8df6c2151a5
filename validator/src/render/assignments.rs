//! The chart values an accepted configuration sets, in the order the `set` entries list them.

use super::helm_set::{Assignment, Scalar};
use crate::chart::keys::{self, Section, COORDINATOR};
use crate::chart::path::Segment;
use crate::model::{Accepted, Placement, TagMatch};

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
pub fn assignments(resolved: &Accepted) -> Vec<Assignment> {
    let mut b = Builder {
        prefix: &resolved.prefix,
        out: Vec::new(),
    };
    b.put_key(&COORDINATOR, keys::ENABLED, Scalar::Bool(true));
    b.put_key(
        &COORDINATOR,
        keys::TYPE,
        Scalar::Str(keys::QUEUED_RUN_COORDINATOR.into()),
    );
    let runs_base = match resolved.placement {
        Placement::RunCoordinator => Section::Queued.path(),
        Placement::Concurrency => {
            b.put_key(&[keys::CONCURRENCY], keys::ENABLED, Scalar::Bool(true));
            Section::Runs.path()
        }
    };
    b.put_int(
        runs_base,
        keys::MAX_CONCURRENT_RUNS,
        resolved.max_concurrent_runs,
    );
    for (index, tag) in resolved.tag_limits.iter().enumerate() {
        let item = |key: &str| {
            vec![
                Segment::Key(keys::TAG_CONCURRENCY_LIMITS.into()),
                Segment::Index(index),
                Segment::Key(key.into()),
            ]
        };
        let key = Scalar::Str(tag.key.clone());
        match &tag.matching {
            TagMatch::AnyValue => b.put(runs_base, &item(keys::KEY), key),
            // An empty value goes first, so that its `set` entry can carry the key on
            // (see `helm_set::set_entries`).
            TagMatch::Value(value) if value.is_empty() => {
                b.put(runs_base, &item(keys::VALUE), Scalar::Str(String::new()));
                b.put(runs_base, &item(keys::KEY), key);
            }
            TagMatch::Value(value) => {
                b.put(runs_base, &item(keys::KEY), key);
                b.put(runs_base, &item(keys::VALUE), Scalar::Str(value.clone()));
            }
            TagMatch::PerUniqueValue(flag) => {
                b.put(runs_base, &item(keys::KEY), key);
                let mut path = item(keys::VALUE);
                path.push(Segment::Key(keys::APPLY_LIMIT_PER_UNIQUE_VALUE.into()));
                b.put(runs_base, &path, Scalar::Bool(*flag));
            }
        }
        b.put(runs_base, &item(keys::LIMIT), Scalar::Int(tag.limit));
    }
    let queued = Section::Queued.path();
    b.put_int(
        queued,
        keys::DEQUEUE_INTERVAL_SECONDS,
        resolved.dequeue_interval_seconds,
    );
    if let Some(flag) = resolved.dequeue_use_threads {
        b.put_key(queued, keys::DEQUEUE_USE_THREADS, Scalar::Bool(flag));
    }
    b.put_int(
        queued,
        keys::DEQUEUE_NUM_WORKERS,
        resolved.dequeue_num_workers,
    );
    if let Some(block) = resolved.block_op {
        let base = Section::BlockOp.path();
        b.put_key(base, keys::ENABLED, Scalar::Bool(block.enabled));
        b.put_key(
            base,
            keys::OP_CONCURRENCY_SLOT_BUFFER,
            Scalar::Int(block.op_concurrency_slot_buffer),
        );
    }
    if let Some(pools) = &resolved.pools {
        let base = Section::Pools.path();
        b.put_int(base, keys::DEFAULT_LIMIT, pools.default_limit);
        if let Some(granularity) = &pools.granularity {
            b.put_key(base, keys::GRANULARITY, Scalar::Str(granularity.clone()));
        }
        b.put_int(
            base,
            keys::OP_GRANULARITY_RUN_BUFFER,
            pools.op_granularity_run_buffer,
        );
    }
    b.out
}
