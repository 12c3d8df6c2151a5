//! Partial knowledge at plan time: the `set` entries of `dagster_concurrency` that are known
//! although some arguments are not.
//!
//! Only arguments that can never end up `null` may be unknown here: the required arguments of a
//! block (`tag_concurrency_limit[n].key` and `.limit`; a `null` one fails at apply). An unknown
//! optional argument may still turn out `null`, which can add or drop entries, so it leaves the
//! whole list unknown, as does any unknown block. The configuration is rendered twice, each
//! unknown argument replaced by a different stand-in each time, both accepted by the rules
//! like any configuration rendered (a key in Dagster's tag format that no written limit has,
//! so it duplicates nothing, and a positive limit): when both renderings have
//! the same entry names and types in the same order, the list's shape does not depend on the
//! unknowns, an entry whose value is the same in both is known, and the others have a known name
//! and type and an unknown value. Terraform checks at apply that the applied list agrees with
//! every known part of the plan.

use crate::convert::set_entry;
use tfplugin::value::Value;
use validator::model::{ConcurrencyConfig, Setting};
use validator::render::{render, Rendered, SetEntry};
use validator::rules::accept;

/// Which of the two renderings a stand-in is for.
#[derive(Clone, Copy)]
enum StandIn {
    First,
    Second,
}

impl StandIn {
    /// A run tag key in Dagster's format, different for each limit and each rendering, and
    /// from every key in `taken`.
    fn key(self, index: usize, taken: &[String]) -> String {
        let base = match self {
            StandIn::First => format!("plan.example/first-{index}"),
            StandIn::Second => format!("plan.example/second-{index}"),
        };
        let mut key = base.clone();
        let mut attempt = 0;
        while taken.contains(&key) {
            attempt += 1;
            key = format!("{base}-{attempt}");
        }
        key
    }

    /// A valid limit, different in each rendering.
    fn limit(self) -> i64 {
        match self {
            StandIn::First => 1,
            StandIn::Second => 2,
        }
    }
}

/// `config` with each unknown required block argument replaced by a stand-in.
fn stand_in(config: &ConcurrencyConfig, which: StandIn) -> ConcurrencyConfig {
    let mut config = config.clone();
    let taken: Vec<String> = config
        .known_tag_limits()
        .filter_map(|(_, limit)| limit.key.known().cloned())
        .collect();
    if let Setting::Known(limits) = &mut config.tag_limits {
        for (index, limit) in limits.iter_mut().enumerate() {
            if limit.key.is_unknown() {
                limit.key = Setting::Known(which.key(index, &taken));
            }
            if limit.limit.is_unknown() {
                limit.limit = Setting::Known(which.limit());
            }
        }
    }
    config
}

/// The rendering of `config`, when the rules accept it.
fn rendered(config: &ConcurrencyConfig) -> Option<Rendered> {
    accept(config).ok().map(|accepted| render(&accepted))
}

/// The `set` list known at plan time, when its shape does not depend on the unknown arguments
/// of `config`; `None` when the whole list stays unknown.
pub fn known_set(config: &ConcurrencyConfig) -> Option<Value> {
    let first = rendered(&stand_in(config, StandIn::First))?;
    let second = rendered(&stand_in(config, StandIn::Second))?;
    let same_shape = |a: &SetEntry, b: &SetEntry| a.name == b.name && a.kind == b.kind;
    if first.set.len() != second.set.len()
        || !first
            .set
            .iter()
            .zip(&second.set)
            .all(|(a, b)| same_shape(a, b))
    {
        return None;
    }
    Some(Value::List(
        first
            .set
            .iter()
            .zip(&second.set)
            .map(|(a, b)| {
                let value = if a.value == b.value {
                    Value::from(a.value.clone())
                } else {
                    Value::Unknown
                };
                set_entry(a, value)
            })
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use validator::model::TagLimit;

    fn config(key: Setting<String>, limit: Setting<i64>) -> ConcurrencyConfig {
        ConcurrencyConfig {
            max_concurrent_runs: Setting::Known(10),
            tag_limits: Setting::Known(vec![TagLimit {
                key,
                limit,
                ..Default::default()
            }]),
            ..Default::default()
        }
    }

    /// `(name, value)` of each entry, `None` for an unknown value.
    fn entries(set: &Value) -> Vec<(String, Option<String>)> {
        set.as_items()
            .expect("a known list")
            .iter()
            .map(|entry| {
                (
                    entry.get("name").as_str().expect("a known name").to_owned(),
                    entry.get("value").as_str().map(str::to_owned),
                )
            })
            .collect()
    }

    #[test]
    fn an_unknown_limit_leaves_only_its_own_value_unknown() {
        let known = rendered(&config(
            Setting::Known("dagster/backfill".into()),
            Setting::Known(3),
        ))
        .expect("renders");
        let set = known_set(&config(
            Setting::Known("dagster/backfill".into()),
            Setting::Unknown,
        ))
        .expect("a known list");
        let entries = entries(&set);
        assert_eq!(entries.len(), known.set.len());
        for ((name, value), rendered) in entries.iter().zip(&known.set) {
            assert_eq!(name, &rendered.name);
            if name.ends_with(".limit") {
                assert_eq!(value, &None, "{name}");
            } else {
                assert_eq!(value.as_deref(), Some(rendered.value.as_str()), "{name}");
            }
        }
        assert!(entries.iter().any(|(name, _)| name.ends_with(".limit")));
    }

    #[test]
    fn an_unknown_key_is_unknown_too_and_the_rest_known() {
        let set = known_set(&config(Setting::Unknown, Setting::Known(3))).expect("a known list");
        let unknown: Vec<_> = entries(&set)
            .into_iter()
            .filter(|(_, value)| value.is_none())
            .map(|(name, _)| name)
            .collect();
        assert_eq!(unknown.len(), 1, "{unknown:?}");
        assert!(unknown[0].ends_with(".key"), "{unknown:?}");
    }

    #[test]
    fn an_unknown_optional_argument_leaves_the_whole_list_unknown() {
        let mut unknown_runs = config(Setting::Known("a".into()), Setting::Known(3));
        unknown_runs.max_concurrent_runs = Setting::Unknown;
        assert_eq!(known_set(&unknown_runs), None);
        let mut unknown_blocks = config(Setting::Known("a".into()), Setting::Known(3));
        unknown_blocks.tag_limits = Setting::Unknown;
        assert_eq!(known_set(&unknown_blocks), None);
    }

    #[test]
    fn a_stand_in_key_never_duplicates_a_written_one() {
        let mut both = config(Setting::Unknown, Setting::Known(3));
        if let Setting::Known(limits) = &mut both.tag_limits {
            for written in ["plan.example/first-0", "plan.example/second-0"] {
                limits.push(TagLimit {
                    key: Setting::Known(written.into()),
                    limit: Setting::Known(2),
                    ..Default::default()
                });
            }
        }
        let set = known_set(&both).expect("a known list");
        assert_eq!(entries(&set).len(), 2 + 1 + 3 * 2);
    }
}
