//! `resource "dagster_concurrency"`: renders the limits at plan time and keeps them in state.
//!
//! Nothing exists outside Terraform: create and update store the rendering, read renders again
//! (so a plan after apply shows no changes), delete only forgets the state.

use crate::concurrency::{compute_outputs, validate};
use crate::concurrency_schema::concurrency_block;
use crate::convert::keep_equal_yaml;
use crate::policy::SharedPolicy;
use async_trait::async_trait;
use serde_json::Value as Json;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::provider::{Resource, StateUpgrader};
use tfplugin::schema::Schema;
use tfplugin::value::Value;
use validator::input::attributes::name;
use validator::policy::Policy;
use validator::version::NEWEST_KNOWN;

/// The `dagster_concurrency` resource, enforcing the provider's policy.
pub struct ConcurrencyResource {
    /// The policy of the provider block.
    pub policy: SharedPolicy,
}

#[async_trait]
impl Resource for ConcurrencyResource {
    /// Version 1: `chart_version` is optional and computed (0.1.0 left it null when unset).
    fn schema(&self) -> Schema {
        Schema {
            version: 1,
            block: concurrency_block(
                "The resource keeps the rendering in state; pass its `set` or `values_yaml` to a `helm_release`.",
            ),
        }
    }

    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate(diags, config, &self.policy.current());
    }

    async fn plan(
        &self,
        prior: &Value,
        proposed: Value,
        _config: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let mut planned = compute_outputs(diags, proposed, &self.policy.current())?;
        keep_equal_yaml(&mut planned, prior);
        Some(planned)
    }

    async fn apply(
        &self,
        _prior: &Value,
        planned: Value,
        _config: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        // Apply must give what the plan promised, including text kept from the prior state.
        let mut applied = compute_outputs(diags, planned.clone(), &self.policy.current())?;
        keep_equal_yaml(&mut applied, &planned);
        Some(applied)
    }

    async fn read(&self, mut state: Value, _diags: &mut Diagnostics) -> Option<Value> {
        // A null `chart_version` (0.1.0's, or edited in) gets the default the plan gives it.
        if state.get(name::CHART_VERSION).is_null() {
            state.set(name::CHART_VERSION, Value::from(NEWEST_KNOWN.to_string()));
        }
        // Findings belong to validate, plan and apply: refreshing renders without the policy
        // and keeps a state that no longer renders (say, written by a later version) as it is.
        let refreshed = compute_outputs(
            &mut Diagnostics::default(),
            state.clone(),
            &Policy::default(),
        );
        Some(match refreshed {
            Some(mut refreshed) => {
                keep_equal_yaml(&mut refreshed, &state);
                refreshed
            }
            None => state,
        })
    }

    async fn import(&self, _id: &str, diags: &mut Diagnostics) -> Option<Value> {
        diags.error(
            "dagster_concurrency cannot be imported",
            "It only renders values and manages nothing outside Terraform: declare it in configuration and apply.",
        );
        None
    }

    fn state_upgraders(&self) -> Vec<StateUpgrader> {
        vec![StateUpgrader {
            from_version: 0,
            upgrade: fill_chart_version,
        }]
    }
}

/// Version 0 to 1: release 0.1.0 stored `null` where `chart_version` was unset; version 1
/// stores the default the plan gives it, so that state plans with no changes.
fn fill_chart_version(mut state: Json, diags: &mut Diagnostics) -> Option<Json> {
    let Some(attributes) = state.as_object_mut() else {
        diags.error(
            "the stored dagster_concurrency state is not an object",
            "Restore the state file from a backup, or remove the resource from state (`terraform state rm`) and apply again.",
        );
        return None;
    };
    let chart_version = attributes.entry(name::CHART_VERSION).or_insert(Json::Null);
    if chart_version.is_null() {
        *chart_version = Json::from(NEWEST_KNOWN.to_string());
    }
    Some(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resource() -> ConcurrencyResource {
        ConcurrencyResource {
            policy: SharedPolicy::default(),
        }
    }

    /// A state of `max_concurrent_runs = 5` and the given `chart_version`.
    fn state(chart_version: Value) -> Value {
        Value::object([
            (name::CHART_VERSION, chart_version),
            (name::MAX_CONCURRENT_RUNS, Value::from(5)),
        ])
    }

    #[tokio::test]
    async fn plan_renders_and_refresh_renders_the_same() {
        let mut diags = Diagnostics::default();
        let proposed = state(Value::from(NEWEST_KNOWN.to_string()));
        let planned = resource()
            .plan(&Value::Null, proposed.clone(), &proposed, &mut diags)
            .await
            .expect("planned");
        assert!(planned.get(name::SET).as_items().is_some(), "{planned:?}");
        let refreshed = resource()
            .read(planned.clone(), &mut diags)
            .await
            .expect("read");
        assert_eq!(refreshed, planned);
        assert!(diags.0.is_empty(), "{diags:?}");
    }

    #[tokio::test]
    async fn refresh_fills_a_null_chart_version_and_renders_as_the_plan_does() {
        let mut diags = Diagnostics::default();
        let refreshed = resource()
            .read(state(Value::Null), &mut diags)
            .await
            .expect("read");
        let proposed = state(Value::from(NEWEST_KNOWN.to_string()));
        let planned = resource()
            .plan(&Value::Null, proposed.clone(), &proposed, &mut diags)
            .await
            .expect("planned");
        assert_eq!(refreshed, planned);
    }

    #[test]
    fn version_0_state_gets_the_default_chart_version_and_keeps_a_set_one() {
        let upgraded = fill_chart_version(
            json!({"chart_version": null, "max_concurrent_runs": 5}),
            &mut Diagnostics::default(),
        )
        .expect("upgraded");
        assert_eq!(upgraded["chart_version"], json!(NEWEST_KNOWN.to_string()));
        assert_eq!(upgraded["max_concurrent_runs"], json!(5));
        let kept = fill_chart_version(
            json!({"chart_version": "1.12.10"}),
            &mut Diagnostics::default(),
        )
        .expect("upgraded");
        assert_eq!(kept["chart_version"], json!("1.12.10"));
        let mut diags = Diagnostics::default();
        assert!(fill_chart_version(json!([]), &mut diags).is_none());
        assert!(diags.has_errors());
    }
}
