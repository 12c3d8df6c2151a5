//! Drift: the limits a running Dagster enforces compared with the limits the files declare.
//!
//! The declared side is what the chart writes into `dagster.yaml` for a configuration (read off
//! the rendered instance, so the chart's quirks count: a null run limit is `-1` under the run
//! coordinator, an empty tag value is dropped under `concurrency.runs`) plus the pools' own
//! limits of `dagster_pool_limit` resources. The deployed side is what the webserver reports.
//! Each difference is `missing` (declared, not deployed), `extra` (deployed, not declared) or
//! `changed`.

use crate::model::{Accepted, TagMatch};
use crate::render::instance_tree;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;

/// Dagster's run limit when `dagster.yaml` sets none (*checked* with dagster 1.13.28).
pub const DAGSTER_DEFAULT_MAX_CONCURRENT_RUNS: i64 = 10;

/// One run tag limit in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagLimitInForce {
    /// The run tag key.
    pub key: String,
    /// Which values of the key count.
    pub matching: TagMatch,
    /// Runs with a matching tag in progress at once.
    pub limit: i64,
}

/// What a queued run coordinator enforces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunQueue {
    /// Runs in progress at once; `-1` unlimited.
    pub max_concurrent_runs: i64,
    /// Tag limits, in order; of two with the same key and matching, the last is in force.
    pub tag_limits: Vec<TagLimitInForce>,
}

/// What an instance's `dagster.yaml` enforces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceLimits {
    /// The run queue; `None` without a queued run coordinator (no run limits at all).
    pub run_queue: Option<RunQueue>,
    /// The limit of pools without one of their own; `None` when unset.
    pub default_pool_limit: Option<i64>,
}

impl InstanceLimits {
    /// What Dagster enforces once the chart has written `accepted`'s `dagster.yaml`.
    pub fn declared(accepted: &Accepted) -> Self {
        let instance = instance_tree(accepted);
        let coordinator = &instance["run_coordinator"]["config"];
        let runs = &instance["concurrency"]["runs"];
        let max_concurrent_runs = [runs, coordinator]
            .iter()
            .find_map(|section| section["max_concurrent_runs"].as_i64())
            .unwrap_or(DAGSTER_DEFAULT_MAX_CONCURRENT_RUNS);
        let tag_limits = [runs, coordinator]
            .iter()
            .find_map(|section| section["tag_concurrency_limits"].as_array())
            .into_iter()
            .flatten()
            .filter_map(rendered_tag_limit)
            .collect();
        InstanceLimits {
            run_queue: Some(RunQueue {
                max_concurrent_runs,
                tag_limits,
            }),
            default_pool_limit: instance["concurrency"]["pools"]["default_limit"].as_i64(),
        }
    }
}

/// A tag limit of the rendered instance (`{key, value?, limit}`).
fn rendered_tag_limit(item: &Value) -> Option<TagLimitInForce> {
    let matching = match &item["value"] {
        Value::Null => TagMatch::AnyValue,
        Value::String(value) => TagMatch::Value(value.clone()),
        other => TagMatch::PerUniqueValue(other["applyLimitPerUniqueValue"].as_bool()?),
    };
    Some(TagLimitInForce {
        key: item["key"].as_str()?.to_owned(),
        matching,
        limit: item["limit"].as_i64()?,
    })
}

/// What the files declare.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Declared {
    /// What the instance enforces; `None` when no file declares a Dagster deployment (then
    /// only pool limits are compared).
    pub instance: Option<InstanceLimits>,
    /// Each pool's own limit; `None` when no file could declare one (values files only), so
    /// the deployed pools are not compared.
    pub pool_limits: Option<BTreeMap<String, i64>>,
}

/// What the instance reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployed {
    /// Run queue and default pool limit in force.
    pub instance: InstanceLimits,
    /// Each pool with a limit of its own (pools on the default limit are left out).
    pub pool_limits: BTreeMap<String, i64>,
}

/// What differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// The whole run queue (one side has no queued run coordinator).
    RunQueue,
    /// `max_concurrent_runs`.
    MaxConcurrentRuns,
    /// One tag limit, by key and matching.
    TagLimit {
        /// The run tag key.
        key: String,
        /// Which values count.
        matching: TagMatch,
    },
    /// `concurrency.pools.default_limit`.
    DefaultPoolLimit,
    /// One pool's own limit.
    PoolLimit(String),
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::RunQueue => f.write_str("run queue"),
            Subject::MaxConcurrentRuns => f.write_str("max_concurrent_runs"),
            Subject::TagLimit { key, matching } => match matching {
                TagMatch::AnyValue => write!(f, "tag limit {key:?}"),
                TagMatch::Value(value) => write!(f, "tag limit {key:?}={value:?}"),
                TagMatch::PerUniqueValue(flag) => write!(
                    f,
                    "tag limit {key:?} (apply_limit_per_unique_value = {flag})"
                ),
            },
            Subject::DefaultPoolLimit => f.write_str("default pool limit"),
            Subject::PoolLimit(pool) => write!(f, "pool {pool:?}"),
        }
    }
}

/// How it differs. A value is a limit; for [`Subject::RunQueue`] it is the run limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drift {
    /// Declared, not deployed.
    Missing {
        /// The declared value.
        declared: i64,
    },
    /// Deployed, not declared.
    Extra {
        /// The deployed value.
        deployed: i64,
    },
    /// Declared and deployed with different values.
    Changed {
        /// The declared value.
        declared: i64,
        /// The deployed value.
        deployed: i64,
    },
}

impl Drift {
    /// `missing`, `extra` or `changed`.
    pub fn kind(&self) -> &'static str {
        match self {
            Drift::Missing { .. } => "missing",
            Drift::Extra { .. } => "extra",
            Drift::Changed { .. } => "changed",
        }
    }

    /// The declared value, if declared.
    pub fn declared(&self) -> Option<i64> {
        match *self {
            Drift::Missing { declared } | Drift::Changed { declared, .. } => Some(declared),
            Drift::Extra { .. } => None,
        }
    }

    /// The deployed value, if deployed.
    pub fn deployed(&self) -> Option<i64> {
        match *self {
            Drift::Extra { deployed } | Drift::Changed { deployed, .. } => Some(deployed),
            Drift::Missing { .. } => None,
        }
    }

    /// The drift between a declared and a deployed value, `None` when they agree.
    fn between(declared: Option<i64>, deployed: Option<i64>) -> Option<Drift> {
        match (declared, deployed) {
            (Some(declared), Some(deployed)) if declared != deployed => {
                Some(Drift::Changed { declared, deployed })
            }
            (Some(declared), None) => Some(Drift::Missing { declared }),
            (None, Some(deployed)) => Some(Drift::Extra { deployed }),
            _ => None,
        }
    }
}

/// One difference between what is declared and what is deployed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// What differs.
    pub subject: Subject,
    /// How.
    pub drift: Drift,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let subject = &self.subject;
        match self.drift {
            Drift::Missing { declared } => {
                write!(f, "{subject} is declared as {declared} but not deployed")
            }
            Drift::Extra { deployed } => {
                write!(f, "{subject} is deployed as {deployed} but not declared")
            }
            Drift::Changed { declared, deployed } => {
                write!(
                    f,
                    "{subject} is declared as {declared} but deployed as {deployed}"
                )
            }
        }
    }
}

/// The tag limits in force, the last of each key and matching winning, in first-written order.
fn in_force(tag_limits: &[TagLimitInForce]) -> Vec<(&str, &TagMatch, i64)> {
    let mut out: Vec<(&str, &TagMatch, i64)> = Vec::new();
    for tag in tag_limits {
        match out
            .iter_mut()
            .find(|(key, matching, _)| *key == tag.key && **matching == tag.matching)
        {
            Some(entry) => entry.2 = tag.limit,
            None => out.push((&tag.key, &tag.matching, tag.limit)),
        }
    }
    out
}

fn compare_run_queues(declared: &RunQueue, deployed: &RunQueue, out: &mut Vec<Difference>) {
    out.extend(
        Drift::between(
            Some(declared.max_concurrent_runs),
            Some(deployed.max_concurrent_runs),
        )
        .map(|drift| Difference {
            subject: Subject::MaxConcurrentRuns,
            drift,
        }),
    );
    let declared = in_force(&declared.tag_limits);
    let deployed = in_force(&deployed.tag_limits);
    let limit_in = |list: &[(&str, &TagMatch, i64)], key: &str, matching: &TagMatch| {
        list.iter()
            .find(|(k, m, _)| *k == key && *m == matching)
            .map(|(_, _, limit)| *limit)
    };
    let declared_keys = declared.iter().map(|(key, matching, _)| (*key, *matching));
    let extra_keys = deployed
        .iter()
        .map(|(key, matching, _)| (*key, *matching))
        .filter(|(key, matching)| limit_in(&declared, key, matching).is_none());
    for (key, matching) in declared_keys.chain(extra_keys) {
        let drift = Drift::between(
            limit_in(&declared, key, matching),
            limit_in(&deployed, key, matching),
        );
        out.extend(drift.map(|drift| Difference {
            subject: Subject::TagLimit {
                key: key.to_owned(),
                matching: matching.clone(),
            },
            drift,
        }));
    }
}

/// Every difference: the run queue's (run limit, then tag limits in declared order, then the
/// extra ones), the default pool limit, then the pools' own limits by name.
pub fn compare(declared: &Declared, deployed: &Deployed) -> Vec<Difference> {
    let mut out = Vec::new();
    if let Some(instance) = &declared.instance {
        match (&instance.run_queue, &deployed.instance.run_queue) {
            (Some(declared), Some(deployed)) => compare_run_queues(declared, deployed, &mut out),
            (declared, deployed) => {
                let runs = |queue: &Option<RunQueue>| queue.as_ref().map(|q| q.max_concurrent_runs);
                out.extend(Drift::between(runs(declared), runs(deployed)).map(|drift| {
                    Difference {
                        subject: Subject::RunQueue,
                        drift,
                    }
                }));
            }
        }
        out.extend(
            Drift::between(
                instance.default_pool_limit,
                deployed.instance.default_pool_limit,
            )
            .map(|drift| Difference {
                subject: Subject::DefaultPoolLimit,
                drift,
            }),
        );
    }
    if let Some(pools) = &declared.pool_limits {
        let mut names: Vec<&String> = pools.keys().chain(deployed.pool_limits.keys()).collect();
        names.sort();
        names.dedup();
        for pool in names {
            let drift = Drift::between(
                pools.get(pool).copied(),
                deployed.pool_limits.get(pool).copied(),
            );
            out.extend(drift.map(|drift| Difference {
                subject: Subject::PoolLimit(pool.clone()),
                drift,
            }));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ConcurrencyConfig, PoolSettings, Setting, TagLimit};
    use crate::rules::accept;

    fn tag(key: &str, matching: TagMatch, limit: i64) -> TagLimitInForce {
        TagLimitInForce {
            key: key.into(),
            matching,
            limit,
        }
    }

    fn declared_of(config: ConcurrencyConfig) -> InstanceLimits {
        InstanceLimits::declared(&accept(&config).expect("valid"))
    }

    /// The seed ADR: 5 runs, 3 backfill runs.
    fn seed() -> ConcurrencyConfig {
        ConcurrencyConfig {
            max_concurrent_runs: Setting::Known(5),
            tag_limits: Setting::Known(vec![TagLimit {
                key: Setting::Known("dagster/backfill".into()),
                limit: Setting::Known(3),
                ..Default::default()
            }]),
            ..Default::default()
        }
    }

    fn deployed(max: i64, tags: Vec<TagLimitInForce>, pools: &[(&str, i64)]) -> Deployed {
        Deployed {
            instance: InstanceLimits {
                run_queue: Some(RunQueue {
                    max_concurrent_runs: max,
                    tag_limits: tags,
                }),
                default_pool_limit: None,
            },
            pool_limits: pools.iter().map(|(p, l)| (p.to_string(), *l)).collect(),
        }
    }

    fn declared(instance: InstanceLimits, pools: Option<&[(&str, i64)]>) -> Declared {
        Declared {
            instance: Some(instance),
            pool_limits: pools
                .map(|pools| pools.iter().map(|(p, l)| (p.to_string(), *l)).collect()),
        }
    }

    #[test]
    fn the_seed_deployed_as_declared_has_no_drift() {
        let backfill = tag("dagster/backfill", TagMatch::AnyValue, 3);
        let declared = declared(declared_of(seed()), Some(&[]));
        assert_eq!(
            compare(&declared, &deployed(5, vec![backfill], &[])),
            vec![]
        );
    }

    #[test]
    fn each_kind_of_difference_names_its_values() {
        let declared = declared(declared_of(seed()), Some(&[("db", 4), ("warehouse", 2)]));
        let deployed = deployed(
            7,
            vec![tag("team", TagMatch::PerUniqueValue(true), 2)],
            &[("db", 4), ("warehouse", 5), ("ui-made", 1)],
        );
        let shown: Vec<(String, String)> = compare(&declared, &deployed)
            .iter()
            .map(|d| (d.drift.kind().to_owned(), d.to_string()))
            .collect();
        let expected = [
            ("changed", "max_concurrent_runs is declared as 5 but deployed as 7"),
            ("missing", "tag limit \"dagster/backfill\" is declared as 3 but not deployed"),
            ("extra", "tag limit \"team\" (apply_limit_per_unique_value = true) is deployed as 2 but not declared"),
            ("extra", "pool \"ui-made\" is deployed as 1 but not declared"),
            ("changed", "pool \"warehouse\" is declared as 2 but deployed as 5"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(kind, text)| (kind.to_string(), text.to_string()))
            .collect();
        assert_eq!(shown, expected);
    }

    #[test]
    fn the_chart_defaults_are_what_is_declared() {
        // No run limit under the run coordinator: the chart writes -1.
        let unlimited = declared_of(ConcurrencyConfig::default());
        assert_eq!(unlimited.run_queue.map(|q| q.max_concurrent_runs), Some(-1));
        // Under `concurrency` (chart 1.12.12+) none is written: Dagster's default applies, and
        // the default pool limit is declared.
        let pools = declared_of(ConcurrencyConfig {
            chart_version: Setting::Known("1.12.14".into()),
            pools: Setting::Known(PoolSettings {
                default_limit: Setting::Known(7),
                ..Default::default()
            }),
            ..Default::default()
        });
        assert_eq!(
            pools.run_queue.map(|q| q.max_concurrent_runs),
            Some(DAGSTER_DEFAULT_MAX_CONCURRENT_RUNS)
        );
        assert_eq!(pools.default_pool_limit, Some(7));
    }

    #[test]
    fn the_last_of_two_equal_tag_limits_is_in_force() {
        let twice = vec![
            tag("k", TagMatch::Value("v".into()), 1),
            tag("k", TagMatch::Value("v".into()), 2),
        ];
        let declared = Declared {
            instance: Some(InstanceLimits {
                run_queue: Some(RunQueue {
                    max_concurrent_runs: 1,
                    tag_limits: twice,
                }),
                default_pool_limit: None,
            }),
            pool_limits: None,
        };
        let one = deployed(1, vec![tag("k", TagMatch::Value("v".into()), 2)], &[]);
        assert_eq!(compare(&declared, &one), vec![]);
    }

    #[test]
    fn what_is_not_declared_is_not_compared() {
        let deployed = deployed(3, vec![], &[("db", 1)]);
        assert_eq!(compare(&Declared::default(), &deployed), vec![]);
        // Pools only (no deployment declared): the run queue is left alone.
        let pools_only = Declared {
            instance: None,
            pool_limits: Some(BTreeMap::from([("db".to_owned(), 1)])),
        };
        assert_eq!(compare(&pools_only, &deployed), vec![]);
    }

    #[test]
    fn an_empty_pool_name_is_a_pool_like_any_other() {
        // Dagster accepts "" as a pool name (checked with 1.13.28).
        let declared = Declared {
            instance: None,
            pool_limits: Some(BTreeMap::from([(String::new(), 2)])),
        };
        assert_eq!(compare(&declared, &deployed(1, vec![], &[("", 2)])), vec![]);
        let changed = compare(&declared, &deployed(1, vec![], &[("", 3)]));
        assert_eq!(
            changed[0].to_string(),
            "pool \"\" is declared as 2 but deployed as 3"
        );
    }

    #[test]
    fn an_instance_without_a_run_queue_misses_the_declared_one() {
        let mut none = deployed(1, vec![], &[]);
        none.instance.run_queue = None;
        let differences = compare(&declared(declared_of(seed()), None), &none);
        assert_eq!(
            differences,
            vec![Difference {
                subject: Subject::RunQueue,
                drift: Drift::Missing { declared: 5 }
            }]
        );
        assert_eq!(
            differences[0].to_string(),
            "run queue is declared as 5 but not deployed"
        );
    }
}
