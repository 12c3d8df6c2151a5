//! `data "dagster_instance_concurrency"`: the run limits, pool settings and pool limits a live
//! Dagster instance enforces, read through the webserver's GraphQL API.

use crate::webserver::{InstanceConcurrency, SharedWebserver};
use async_trait::async_trait;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::provider::DataSource;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::{Type, Value};
use validator::drift::TagLimitInForce;
use validator::input::deployed_tags;
use validator::model::TagMatch;

/// How to plan when the webserver cannot be reached (e.g. in CI), shown when a read fails so.
const READ_WITHOUT_WEBSERVER: &str = "Without a reachable webserver (a CI job that only checks the configuration, say), declare this data source inside a `check` block (Terraform 1.5 or later): a failed read there is a warning and the plan goes on. `-refresh=false` does not skip data sources. See the provider's CI guide (docs/ci.md).";

/// The `dagster_instance_concurrency` data source.
pub struct InstanceConcurrencyDataSource {
    /// The webserver connection from the provider block.
    pub webserver: SharedWebserver,
}

/// A tag limit in force as Terraform holds it.
fn tag_limit(tag: TagLimitInForce) -> Value {
    let (value, per_unique) = match tag.matching {
        TagMatch::Value(value) => (Value::from(value), Value::Null),
        TagMatch::PerUniqueValue(flag) => (Value::Null, Value::from(flag)),
        TagMatch::AnyValue => (Value::Null, Value::Null),
    };
    Value::object([
        ("key", Value::from(tag.key)),
        ("value", value),
        ("apply_limit_per_unique_value", per_unique),
        ("limit", Value::from(tag.limit)),
    ])
}

/// An optional number as Terraform holds it.
fn number(value: Option<i64>) -> Value {
    value.map_or(Value::Null, Value::from)
}

/// The state of `dagster_instance_concurrency` (every attribute computed) from what the
/// instance reports.
fn instance_state(instance: InstanceConcurrency) -> Result<Value, String> {
    let (max_concurrent_runs, tag_concurrency_limits) = match instance.run_queue_config {
        Some(queue) => (
            Value::from(queue.max_concurrent_runs),
            Value::List(
                deployed_tags::read(queue.tag_concurrency_limits_yaml.as_deref())?
                    .into_iter()
                    .map(tag_limit)
                    .collect(),
            ),
        ),
        None => (Value::Null, Value::Null),
    };
    let pools = instance.pool_config.as_ref();
    let pool_limits = instance
        .concurrency_limits
        .into_iter()
        .map(|row| {
            Value::object([
                ("pool", Value::from(row.concurrency_key)),
                ("limit", number(row.limit)),
                ("using_default_limit", Value::from(row.using_default_limit)),
            ])
        })
        .collect();
    Ok(Value::object([
        ("max_concurrent_runs", max_concurrent_runs),
        ("tag_concurrency_limits", tag_concurrency_limits),
        (
            "pool_granularity",
            pools
                .and_then(|pools| pools.pool_granularity.clone())
                .map_or(Value::Null, Value::from),
        ),
        (
            "default_pool_limit",
            number(pools.and_then(|pools| pools.default_pool_limit)),
        ),
        (
            "op_granularity_run_buffer",
            number(pools.and_then(|pools| pools.op_granularity_run_buffer)),
        ),
        ("pool_limits", Value::List(pool_limits)),
    ]))
}

/// The schema of `dagster_instance_concurrency`.
pub fn instance_concurrency_block() -> Block {
    Block::new(
        "Reads what a live Dagster instance enforces, through the webserver's GraphQL API: its run limits (`runQueueConfig`), pool settings (`poolConfig`) and pool limits. Use it to check that the deployed Dagster applies what `dagster_concurrency` rendered, e.g. in a `check` block or an output. Needs `webserver_url` in the provider block (or `DAGSTER_WEBSERVER_URL`).\n\nData sources are read on every plan, `-refresh=false` included. Declared inside a `check` block (Terraform 1.5 or later), a read that fails because the webserver cannot be reached (in CI, say) is a warning, and the plan goes on with the read put off to apply (see the CI guide, `docs/ci.md`).",
        vec![
            Attribute::computed("max_concurrent_runs", Type::Number, "Runs the instance lets be in progress at once (`-1`: unlimited), wherever it is configured (`run_coordinator` or `concurrency.runs`). `null` when the instance has no queued run coordinator, so no run limit applies."),
            Attribute::computed("tag_concurrency_limits", Type::list(Type::object([
                ("key", Type::String),
                ("value", Type::String),
                ("apply_limit_per_unique_value", Type::Bool),
                ("limit", Type::Number),
            ])), "Run tag limits in force, in order: `{key, value, apply_limit_per_unique_value, limit}`; `value` is set for a limit on one tag value, `apply_limit_per_unique_value` for a limit per distinct value, neither for one limit across all values. `null` without a queued run coordinator."),
            Attribute::computed("pool_granularity", Type::String, "`concurrency.pools.granularity` (`\"run\"` or `\"op\"`); `null` when not set (Dagster then uses `op`)."),
            Attribute::computed("default_pool_limit", Type::Number, "`concurrency.pools.default_limit`: the limit of pools without one of their own; `null` when not set (such pools are unlimited)."),
            Attribute::computed("op_granularity_run_buffer", Type::Number, "`concurrency.pools.op_granularity_run_buffer`; `null` when not set."),
            Attribute::computed("pool_limits", Type::list(Type::object([
                ("pool", Type::String),
                ("limit", Type::Number),
                ("using_default_limit", Type::Bool),
            ])), "Every pool the instance knows: `{pool, limit, using_default_limit}`. Pools set with `dagster_pool_limit` (or the UI, or `dagster instance concurrency set`) have `using_default_limit = false`."),
        ],
    )
}

#[async_trait]
impl DataSource for InstanceConcurrencyDataSource {
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: instance_concurrency_block(),
        }
    }

    async fn read(&self, _config: Value, diags: &mut Diagnostics) -> Option<Value> {
        let client = self
            .webserver
            .client(diags, "data.dagster_instance_concurrency")?;
        let action = "cannot read the instance's concurrency settings";
        match client.instance_concurrency().await {
            Ok(instance) => match instance_state(instance) {
                Ok(state) => Some(state),
                Err(why) => {
                    diags.error(
                        format!("{action} on {}: tagConcurrencyLimitsYaml is not the YAML expected", client.endpoint()),
                        format!("{}\nCheck that the webserver runs Dagster 1.13.x (the tested version).", client.redact(&why)),
                    );
                    None
                }
            },
            Err(error) => {
                client.report_read(diags, action, &error, READ_WITHOUT_WEBSERVER);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tag(key: &str, value: Value, per_unique: Value, limit: i64) -> Value {
        Value::object([
            ("key", Value::from(key)),
            ("value", value),
            ("apply_limit_per_unique_value", per_unique),
            ("limit", Value::from(limit)),
        ])
    }

    /// An instance whose run queue reports `yaml` as its tag limits.
    fn with_tag_limits(yaml: &str) -> InstanceConcurrency {
        serde_json::from_value(serde_json::json!({
            "runQueueConfig": {"maxConcurrentRuns": 5, "tagConcurrencyLimitsYaml": yaml},
            "poolConfig": null,
            "concurrencyLimits": []
        }))
        .expect("an instance")
    }

    #[test]
    fn tag_limits_in_their_three_forms_become_the_state() {
        let yaml = "- key: dagster/backfill\n  limit: 3\n- key: team\n  limit: 2\n  value:\n    applyLimitPerUniqueValue: true\n- key: db\n  limit: 1\n  value: pg\n";
        let state = instance_state(with_tag_limits(yaml)).expect("a state");
        assert_eq!(
            state.get("tag_concurrency_limits"),
            &Value::List(vec![
                tag("dagster/backfill", Value::Null, Value::Null, 3),
                tag("team", Value::Null, Value::from(true), 2),
                tag("db", Value::from("pg"), Value::Null, 1),
            ])
        );
    }

    #[test]
    fn yaml_that_is_not_tag_limits_is_an_error() {
        assert!(instance_state(with_tag_limits("- key: x\n  limit: many\n")).is_err());
    }

    #[test]
    fn the_state_fits_the_schema() {
        let instance: InstanceConcurrency = serde_json::from_value(serde_json::json!({
            "runQueueConfig": {"maxConcurrentRuns": 5, "tagConcurrencyLimitsYaml": "- key: a\n  limit: 1\n"},
            "poolConfig": null,
            "concurrencyLimits": [{"concurrencyKey": "db", "limit": 2, "usingDefaultLimit": false}]
        }))
        .expect("an instance");
        let state = instance_state(instance).expect("a state");
        let t = instance_concurrency_block().value_type();
        let encoded = tfplugin::value::to_msgpack(&state, &t).expect("fits");
        assert_eq!(tfplugin::value::from_msgpack(&encoded, &t), Ok(state));
    }
}
