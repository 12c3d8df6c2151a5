//! `data "dagster_instance_concurrency"`: the run limits, pool settings and pool limits a live
//! Dagster instance enforces, read through the webserver's GraphQL API.

use crate::schema_builder::{block, computed, list_of_objects};
use crate::webserver::{InstanceConcurrency, SharedWebserver};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tf_provider::schema::{AttributeType, Schema};
use tf_provider::value::{Value, ValueEmpty};
use tf_provider::{DataSource, Diagnostics};

/// How to plan when the webserver cannot be reached (e.g. in CI), shown when a read fails so.
const READ_WITHOUT_WEBSERVER: &str = "Without a reachable webserver (a CI job that only checks the configuration, say), declare this data source inside a `check` block (Terraform 1.5 or later): a failed read there is a warning and the plan goes on. `-refresh=false` does not skip data sources. See the provider's CI guide (docs/ci.md).";

/// The `dagster_instance_concurrency` data source.
pub struct InstanceConcurrencyDataSource {
    /// The webserver connection from the provider block.
    pub webserver: SharedWebserver,
}

/// One run tag limit in force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TagLimitItem {
    key: String,
    value: Value<String>,
    apply_limit_per_unique_value: Value<bool>,
    limit: i64,
}

/// One pool's limit in force.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PoolLimitItem {
    pool: String,
    limit: Value<i64>,
    using_default_limit: bool,
}

/// The state of `dagster_instance_concurrency`, field for field as in the schema (all computed).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct InstanceConcurrencyState {
    max_concurrent_runs: Value<i64>,
    tag_concurrency_limits: Value<Vec<TagLimitItem>>,
    pool_granularity: Value<String>,
    default_pool_limit: Value<i64>,
    op_granularity_run_buffer: Value<i64>,
    pool_limits: Value<Vec<PoolLimitItem>>,
}

/// A tag limit as Dagster dumps it in `tagConcurrencyLimitsYaml`.
#[derive(Deserialize)]
struct DagsterTagLimit {
    key: String,
    #[serde(default)]
    value: Option<DagsterTagValue>,
    limit: i64,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum DagsterTagValue {
    Exact(String),
    PerUniqueValue {
        #[serde(rename = "applyLimitPerUniqueValue")]
        apply_limit_per_unique_value: bool,
    },
}

/// Parses `tagConcurrencyLimitsYaml` (absent, empty or `null` is no limits).
fn tag_limits(yaml: Option<&str>) -> Result<Vec<TagLimitItem>, String> {
    let Some(yaml) = yaml.filter(|text| !text.trim().is_empty()) else {
        return Ok(Vec::new());
    };
    let parsed: Option<Vec<DagsterTagLimit>> =
        serde_norway::from_str(yaml).map_err(|error| error.to_string())?;
    Ok(parsed
        .unwrap_or_default()
        .into_iter()
        .map(|tag| {
            let (value, per_unique) = match tag.value {
                Some(DagsterTagValue::Exact(value)) => (Value::Value(value), Value::Null),
                Some(DagsterTagValue::PerUniqueValue {
                    apply_limit_per_unique_value,
                }) => (Value::Null, Value::Value(apply_limit_per_unique_value)),
                None => (Value::Null, Value::Null),
            };
            TagLimitItem {
                key: tag.key,
                value,
                apply_limit_per_unique_value: per_unique,
                limit: tag.limit,
            }
        })
        .collect())
}

impl InstanceConcurrencyState {
    fn from_instance(instance: InstanceConcurrency) -> Result<Self, String> {
        let (max_concurrent_runs, tag_concurrency_limits) = match instance.run_queue_config {
            Some(queue) => (
                Value::Value(queue.max_concurrent_runs),
                Value::Value(tag_limits(queue.tag_concurrency_limits_yaml.as_deref())?),
            ),
            None => (Value::Null, Value::Null),
        };
        let pools = instance.pool_config;
        let pool_field = |field: fn(&crate::webserver::PoolConfig) -> Option<i64>| {
            pools.as_ref().and_then(field).into()
        };
        Ok(InstanceConcurrencyState {
            max_concurrent_runs,
            tag_concurrency_limits,
            pool_granularity: pools
                .as_ref()
                .and_then(|pools| pools.pool_granularity.clone())
                .into(),
            default_pool_limit: pool_field(|pools| pools.default_pool_limit),
            op_granularity_run_buffer: pool_field(|pools| pools.op_granularity_run_buffer),
            pool_limits: Value::Value(
                instance
                    .concurrency_limits
                    .into_iter()
                    .map(|row| PoolLimitItem {
                        pool: row.concurrency_key,
                        limit: row.limit.into(),
                        using_default_limit: row.using_default_limit,
                    })
                    .collect(),
            ),
        })
    }
}

/// The schema of `dagster_instance_concurrency`.
pub fn instance_concurrency_schema() -> Schema {
    let attributes = HashMap::from([
        ("max_concurrent_runs".to_owned(), computed(AttributeType::Number, "Runs the instance lets be in progress at once (`-1`: unlimited), wherever it is configured (`run_coordinator` or `concurrency.runs`). `null` when the instance has no queued run coordinator, so no run limit applies.")),
        ("tag_concurrency_limits".to_owned(), computed(list_of_objects(&[
            ("key", AttributeType::String),
            ("value", AttributeType::String),
            ("apply_limit_per_unique_value", AttributeType::Bool),
            ("limit", AttributeType::Number),
        ]), "Run tag limits in force, in order: `{key, value, apply_limit_per_unique_value, limit}`; `value` is set for a limit on one tag value, `apply_limit_per_unique_value` for a limit per distinct value, neither for one limit across all values. `null` without a queued run coordinator.")),
        ("pool_granularity".to_owned(), computed(AttributeType::String, "`concurrency.pools.granularity` (`\"run\"` or `\"op\"`); `null` when not set (Dagster then uses `op`).")),
        ("default_pool_limit".to_owned(), computed(AttributeType::Number, "`concurrency.pools.default_limit`: the limit of pools without one of their own; `null` when not set (such pools are unlimited).")),
        ("op_granularity_run_buffer".to_owned(), computed(AttributeType::Number, "`concurrency.pools.op_granularity_run_buffer`; `null` when not set.")),
        ("pool_limits".to_owned(), computed(list_of_objects(&[
            ("pool", AttributeType::String),
            ("limit", AttributeType::Number),
            ("using_default_limit", AttributeType::Bool),
        ]), "Every pool the instance knows: `{pool, limit, using_default_limit}`. Pools set with `dagster_pool_limit` (or the UI, or `dagster instance concurrency set`) have `using_default_limit = false`.")),
    ]);
    Schema {
        version: 0,
        block: block(
            "Reads what a live Dagster instance enforces, through the webserver's GraphQL API: its run limits (`runQueueConfig`), pool settings (`poolConfig`) and pool limits. Use it to check that the deployed Dagster applies what `dagster_concurrency` rendered, e.g. in a `check` block or an output. Needs `webserver_url` in the provider block (or `DAGSTER_WEBSERVER_URL`).\n\nData sources are read on every plan, `-refresh=false` included. Declared inside a `check` block (Terraform 1.5 or later), a read that fails because the webserver cannot be reached (in CI, say) is a warning, and the plan goes on with the read put off to apply (see the CI guide, `docs/ci.md`).",
            attributes,
        ),
    }
}

#[async_trait]
impl DataSource for InstanceConcurrencyDataSource {
    type State<'a> = InstanceConcurrencyState;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(instance_concurrency_schema())
    }

    async fn read<'a>(
        &self,
        diags: &mut Diagnostics,
        _config: Self::State<'a>,
        _provider_meta_state: Self::ProviderMetaState<'a>,
    ) -> Option<Self::State<'a>> {
        let client = self
            .webserver
            .client(diags, "data.dagster_instance_concurrency")?;
        let action = "cannot read the instance's concurrency settings";
        match client.instance_concurrency().await {
            Ok(instance) => match InstanceConcurrencyState::from_instance(instance) {
                Ok(state) => Some(state),
                Err(why) => {
                    diags.root_error(
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

    #[test]
    fn parses_the_three_tag_limit_forms_as_dagster_dumps_them() {
        let yaml = "- key: dagster/backfill\n  limit: 3\n- key: team\n  limit: 2\n  value:\n    applyLimitPerUniqueValue: true\n- key: db\n  limit: 1\n  value: pg\n";
        let parsed = tag_limits(Some(yaml)).expect("parses");
        assert_eq!(
            parsed,
            [
                TagLimitItem {
                    key: "dagster/backfill".into(),
                    value: Value::Null,
                    apply_limit_per_unique_value: Value::Null,
                    limit: 3
                },
                TagLimitItem {
                    key: "team".into(),
                    value: Value::Null,
                    apply_limit_per_unique_value: Value::Value(true),
                    limit: 2
                },
                TagLimitItem {
                    key: "db".into(),
                    value: Value::Value("pg".into()),
                    apply_limit_per_unique_value: Value::Null,
                    limit: 1
                },
            ]
        );
    }

    #[test]
    fn no_tag_limits_and_bad_yaml() {
        for empty in [None, Some(""), Some("null\n"), Some("[]\n")] {
            assert_eq!(tag_limits(empty), Ok(vec![]), "{empty:?}");
        }
        assert!(tag_limits(Some("- key: x\n  limit: many\n")).is_err());
    }
}
