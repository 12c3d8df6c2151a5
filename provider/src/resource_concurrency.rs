//! `resource "dagster_concurrency"`: renders the limits at plan time and keeps them in state.
//!
//! Nothing exists outside Terraform: create and update store the rendering, read renders again
//! (so a plan after apply shows no changes), delete only forgets the state.

use crate::concurrency::{compute_outputs, validate};
use crate::concurrency_schema::concurrency_schema;
use crate::convert::ConcurrencyState;
use crate::policy::SharedPolicy;
use async_trait::async_trait;
use tf_provider::schema::Schema;
use tf_provider::value::ValueEmpty;
use tf_provider::{AttributePath, Diagnostics, Resource};
use validator::policy::Policy;

/// The `dagster_concurrency` resource, enforcing the provider's policy.
pub struct ConcurrencyResource {
    /// The policy of the provider block.
    pub policy: SharedPolicy,
}

#[async_trait]
impl Resource for ConcurrencyResource {
    type State<'a> = ConcurrencyState;
    type PrivateState<'a> = ValueEmpty;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(concurrency_schema(
            "The resource keeps the rendering in state; pass its `set` or `values_yaml` to a `helm_release`.",
        ))
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: Self::State<'a>) -> Option<()> {
        validate(diags, &config, &self.policy.current());
        Some(())
    }

    async fn read<'a>(
        &self,
        _diags: &mut Diagnostics,
        mut state: Self::State<'a>,
        private_state: Self::PrivateState<'a>,
        _provider_meta_state: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        // Findings belong to validate, plan and apply: refreshing renders without the policy
        // and keeps a state that no longer renders (say, written by a later version) as it is.
        // State of 0.1.0 may hold a null `chart_version`: refreshing fills in the default the
        // plan gives it, so that state plans with no changes.
        state.fill_chart_version();
        let state = match compute_outputs(
            &mut Diagnostics::default(),
            state.clone(),
            &Policy::default(),
        ) {
            Some(mut refreshed) => {
                refreshed.keep_equal_yaml(&state);
                refreshed
            }
            None => state,
        };
        Some((state, private_state))
    }

    async fn plan_create<'a>(
        &self,
        diags: &mut Diagnostics,
        mut proposed_state: Self::State<'a>,
        config_state: Self::State<'a>,
        _provider_meta_state: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        proposed_state.plan_chart_version(&config_state);
        Some((
            compute_outputs(diags, proposed_state, &self.policy.current())?,
            ValueEmpty::Null,
        ))
    }

    async fn plan_update<'a>(
        &self,
        diags: &mut Diagnostics,
        prior_state: Self::State<'a>,
        mut proposed_state: Self::State<'a>,
        config_state: Self::State<'a>,
        prior_private_state: Self::PrivateState<'a>,
        _provider_meta_state: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>, Vec<AttributePath>)> {
        proposed_state.plan_chart_version(&config_state);
        let mut planned = compute_outputs(diags, proposed_state, &self.policy.current())?;
        planned.keep_equal_yaml(&prior_state);
        Some((planned, prior_private_state, vec![]))
    }

    async fn plan_destroy<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior_state: Self::State<'a>,
        prior_private_state: Self::PrivateState<'a>,
        _provider_meta_state: Self::ProviderMetaState<'a>,
    ) -> Option<Self::PrivateState<'a>> {
        Some(prior_private_state)
    }

    async fn create<'a>(
        &self,
        diags: &mut Diagnostics,
        planned_state: Self::State<'a>,
        _config_state: Self::State<'a>,
        planned_private_state: Self::PrivateState<'a>,
        _provider_meta_state: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        Some((
            compute_outputs(diags, planned_state, &self.policy.current())?,
            planned_private_state,
        ))
    }

    async fn update<'a>(
        &self,
        diags: &mut Diagnostics,
        _prior_state: Self::State<'a>,
        planned_state: Self::State<'a>,
        _config_state: Self::State<'a>,
        planned_private_state: Self::PrivateState<'a>,
        _provider_meta_state: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        // Apply must give what the plan promised, including text kept from the prior state.
        let mut applied = compute_outputs(diags, planned_state.clone(), &self.policy.current())?;
        applied.keep_equal_yaml(&planned_state);
        Some((applied, planned_private_state))
    }

    async fn destroy<'a>(
        &self,
        _diags: &mut Diagnostics,
        _prior_state: Self::State<'a>,
        _planned_private_state: Self::PrivateState<'a>,
        _provider_meta_state: Self::ProviderMetaState<'a>,
    ) -> Option<()> {
        Some(())
    }

    async fn import<'a>(
        &self,
        diags: &mut Diagnostics,
        _id: String,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        diags.root_error(
            "dagster_concurrency cannot be imported",
            "It only renders values and manages nothing outside Terraform: declare it in configuration and apply.",
        );
        None
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use serde_json::{json, Value as Json};
    use validator::version::NEWEST_KNOWN;

    fn resource() -> ConcurrencyResource {
        ConcurrencyResource {
            policy: SharedPolicy::default(),
        }
    }

    /// A state of `max_concurrent_runs = 5` and the given `chart_version`.
    pub(crate) fn state(chart_version: Json) -> ConcurrencyState {
        let mut state = serde_json::to_value(ConcurrencyState::default()).expect("json");
        state["chart_version"] = chart_version;
        state["max_concurrent_runs"] = json!(5);
        serde_json::from_value(state).expect("a state")
    }

    /// The `chart_version` of `state`.
    pub(crate) fn chart_version(state: &ConcurrencyState) -> Json {
        serde_json::to_value(state).expect("json")["chart_version"].clone()
    }

    #[tokio::test]
    async fn plans_the_newest_known_chart_version_when_unset() {
        let mut diags = Diagnostics::default();
        let (planned, _) = resource()
            .plan_create(
                &mut diags,
                state(Json::Null),
                state(Json::Null),
                ValueEmpty::Null,
            )
            .await
            .expect("planned");
        assert_eq!(chart_version(&planned), json!(NEWEST_KNOWN.to_string()));
        // Unset after being set: the proposal holds the prior value, the plan the default.
        let (planned, _, _) = resource()
            .plan_update(
                &mut diags,
                state(json!("1.12.10")),
                state(json!("1.12.10")),
                state(Json::Null),
                ValueEmpty::Null,
                ValueEmpty::Null,
            )
            .await
            .expect("planned");
        assert_eq!(chart_version(&planned), json!(NEWEST_KNOWN.to_string()));
        assert!(diags.errors.is_empty(), "{diags:?}");
    }

    #[tokio::test]
    async fn refresh_fills_a_null_chart_version_and_renders_as_the_plan_does() {
        let mut diags = Diagnostics::default();
        let (refreshed, _) = resource()
            .read(
                &mut diags,
                state(Json::Null),
                ValueEmpty::Null,
                ValueEmpty::Null,
            )
            .await
            .expect("read");
        let (planned, _) = resource()
            .plan_create(
                &mut diags,
                state(Json::Null),
                state(Json::Null),
                ValueEmpty::Null,
            )
            .await
            .expect("planned");
        assert_eq!(refreshed, planned);
    }
}
