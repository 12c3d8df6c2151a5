//! The provider's `policy` block: an organisation policy enforced on every `dagster_concurrency`
//! resource and data source at validate, plan and apply, with the same attributes as the CLI's
//! policy files and the same `DP1xx` codes.
//!
//! Terraform calls `ValidateProviderConfig` before validating resources (`terraform validate`
//! never configures the provider) and `ConfigureProvider` before planning or applying them, each
//! time in a fresh provider process on older CLIs. Both calls store the policy in
//! [`SharedPolicy`], which the resources read; values not known yet (a policy computed from
//! something applied later) are enforced once a later call knows them.

use crate::convert::{items, single, string, whole};
use crate::diagnostics::{attribute_path, report};
use crate::required::{self, require};
use std::sync::{Arc, PoisonError, RwLock};
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::schema::{Attribute, Block};
use tfplugin::value::{Type, Value};
use validator::model::Setting;
use validator::path::{AttrPath, Step};
use validator::policy::{attr, Policy};

/// The policy in force, shared by the provider (which writes it) and its resources (which
/// enforce it).
#[derive(Debug, Clone, Default)]
pub struct SharedPolicy(Arc<RwLock<Policy>>);

impl SharedPolicy {
    /// The policy in force now (the empty policy until the provider block is read).
    pub fn current(&self) -> Policy {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Reads the provider's `policy` block, reports what is wrong with it, and puts it in force.
    pub fn load(&self, diags: &mut Diagnostics, block: &Value) {
        let policy = to_policy(diags, &single(block));
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = policy;
    }
}

fn path(attribute: &'static str, index: Option<usize>) -> AttrPath {
    let last = match index {
        Some(index) => Step::Item(attribute, index),
        None => Step::Attr(attribute),
    };
    AttrPath {
        steps: vec![Step::Block("policy"), last],
    }
}

/// The policy of a block; fractions and meaningless settings are error diagnostics at their
/// attribute, and such settings are not enforced.
fn to_policy(diags: &mut Diagnostics, block: &Setting<&Value>) -> Policy {
    let block = match block {
        Setting::Known(block) => block,
        Setting::Unset => return Policy::default(),
        Setting::Unknown => {
            return Policy {
                max_concurrent_runs_ceiling: Setting::Unknown,
                required_tag_limits: Setting::Unknown,
                tag_limit_ceiling: Setting::Unknown,
                postgres_connection_budget: Setting::Unknown,
                connections_per_run: Setting::Unknown,
            }
        }
    };
    let mut not_whole = Vec::new();
    let mut nulls = Vec::new();
    let mut number = |name: &'static str| whole(block.get(name), path(name, None), &mut not_whole);
    let policy = Policy {
        max_concurrent_runs_ceiling: number(attr::MAX_CONCURRENT_RUNS_CEILING),
        tag_limit_ceiling: number(attr::TAG_LIMIT_CEILING),
        postgres_connection_budget: number(attr::POSTGRES_CONNECTION_BUDGET),
        connections_per_run: number(attr::CONNECTIONS_PER_RUN),
        required_tag_limits: match items(block.get(attr::REQUIRED_TAG_LIMITS)) {
            Setting::Known(keys) => keys
                .iter()
                .enumerate()
                .inspect(|(index, key)| {
                    require(
                        key,
                        path(attr::REQUIRED_TAG_LIMITS, Some(*index)),
                        "a run tag key, e.g. `\"dagster/backfill\"`, or leave the null out of the list",
                        &mut nulls,
                    )
                })
                .filter(|(_, key)| !key.is_null())
                .map(|(_, key)| string(key).known().cloned())
                .collect::<Option<Vec<String>>>()
                .map_or(Setting::Unknown, Setting::Known),
            Setting::Unset => Setting::Unset,
            Setting::Unknown => Setting::Unknown,
        },
    };
    report(diags, &not_whole);
    required::report(diags, &nulls);
    for problem in policy.problems() {
        diags.push(
            Diagnostic::error(
                format!("Invalid policy: {}", problem.message),
                "Fix the provider's policy block; it is enforced on every dagster_concurrency resource and data source.",
            )
            .at(attribute_path(&path(problem.attribute, problem.index))),
        );
    }
    policy
}

/// The schema of the `policy` block.
pub fn policy_block() -> Block {
    Block::new(
        "Organisation policy enforced on every `dagster_concurrency` resource and data source at validate, plan and apply (codes DP101-DP105). The same attributes as a `dagster-concurrency check --policy FILE` policy file. At most one.",
        vec![
            Attribute::optional(attr::MAX_CONCURRENT_RUNS_CEILING, Type::Number, "Highest `max_concurrent_runs` allowed; runs must also be limited (not unset, not `-1`). At least 1. Violations: DP101, DP102."),
            Attribute::optional(attr::REQUIRED_TAG_LIMITS, Type::list(Type::String), "Run tag keys that must carry a `tag_concurrency_limit` covering all their values (no `value`, or `apply_limit_per_unique_value = true`), e.g. `[\"dagster/backfill\"]`. Violations: DP103."),
            Attribute::optional(attr::TAG_LIMIT_CEILING, Type::Number, "Highest tag `limit` allowed. At least 1. Violations: DP104."),
            Attribute::optional(attr::POSTGRES_CONNECTION_BUDGET, Type::Number, "PostgreSQL connections all runs together may hold: `max_concurrent_runs * connections_per_run` must not exceed it. Needs `connections_per_run`. Violations: DP105."),
            Attribute::optional(attr::CONNECTIONS_PER_RUN, Type::Number, "PostgreSQL connections each run opens. Needs `postgres_connection_budget`."),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::diagnostics::AttributePath;

    fn block(ceiling: Value, keys: Value) -> Value {
        Value::List(vec![Value::object([
            (attr::MAX_CONCURRENT_RUNS_CEILING, ceiling),
            (attr::REQUIRED_TAG_LIMITS, keys),
        ])])
    }

    #[test]
    fn loads_known_values_and_keeps_unknown_ones_unknown() {
        let shared = SharedPolicy::default();
        assert!(shared.current().is_empty());
        let mut diags = Diagnostics::default();
        shared.load(
            &mut diags,
            &block(
                Value::from(5),
                Value::List(vec![Value::from("dagster/backfill")]),
            ),
        );
        assert!(!diags.has_errors());
        let policy = shared.current();
        assert_eq!(policy.max_concurrent_runs_ceiling, Setting::Known(5));
        assert_eq!(
            policy.required_tag_limits,
            Setting::Known(vec!["dagster/backfill".to_owned()])
        );
        shared.load(
            &mut diags,
            &block(Value::Unknown, Value::List(vec![Value::Unknown])),
        );
        let policy = shared.current();
        assert_eq!(policy.max_concurrent_runs_ceiling, Setting::Unknown);
        assert_eq!(policy.required_tag_limits, Setting::Unknown);
        shared.load(&mut diags, &Value::Null);
        assert!(shared.current().is_empty());
        assert!(!diags.has_errors());
    }

    #[test]
    fn a_null_required_tag_key_is_an_error_and_the_others_stay_enforced() {
        let mut diags = Diagnostics::default();
        let shared = SharedPolicy::default();
        shared.load(
            &mut diags,
            &block(
                Value::Null,
                Value::List(vec![Value::Null, Value::from("team")]),
            ),
        );
        let errors = diags.errors();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(
            errors[0].summary,
            "policy.required_tag_limits[0] is required but null"
        );
        assert_eq!(
            shared.current().required_tag_limits,
            Setting::Known(vec!["team".to_owned()])
        );
    }

    #[test]
    fn problems_point_into_the_block() {
        let mut diags = Diagnostics::default();
        SharedPolicy::default().load(
            &mut diags,
            &block(Value::from(2.5), Value::List(vec![Value::from("")])),
        );
        let errors = diags.errors();
        assert_eq!(errors.len(), 2);
        assert!(errors[0].summary.starts_with("[DC504]"));
        assert_eq!(
            errors[1].path,
            Some(
                AttributePath::attribute("policy")
                    .index(0)
                    .then("required_tag_limits")
                    .index(0)
            )
        );
    }
}
