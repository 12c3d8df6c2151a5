//! A configuration the rules accepted: every value known, no error finding. Rendering takes
//! nothing else, so it cannot disagree with the rules about what is valid.
//!
//! [`Resolved`] is the data, readable and buildable by anyone; [`Accepted`] wraps it and only the
//! rule engine (`rules::accept`) builds one. Rust cannot grant a constructor to one sibling
//! module (`pub(in path)` names only ancestors), so `Accepted::by_rules` is `pub(crate)`,
//! which keeps other crates out at compile time, and `validator/tests/layers.rs` fails when a
//! file outside `src/rules/` names it, which keeps the rest of this crate out. The wrapped value
//! is only lent out (`Deref`, no `DerefMut`), so an accepted configuration cannot be changed
//! after the rules saw it.

use super::{Placement, TagMatch};
use crate::version::ChartVersion;
use std::ops::Deref;

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

/// A fully known configuration, with the defaults filled in.
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

/// A [`Resolved`] configuration the rules accepted; built only by `rules::accept`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted(Resolved);

impl Accepted {
    /// Seals `resolved` as accepted. Only the rule engine calls this, after finding no error in
    /// the configuration `resolved` came from (see the module documentation).
    pub(crate) fn by_rules(resolved: Resolved) -> Accepted {
        Accepted(resolved)
    }
}

impl Deref for Accepted {
    type Target = Resolved;

    fn deref(&self) -> &Resolved {
        &self.0
    }
}
