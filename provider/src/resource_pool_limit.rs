//! `resource "dagster_pool_limit"`: one pool's own limit on a live Dagster instance, set through
//! the webserver's GraphQL API.
//!
//! Create and update call `setConcurrencyLimit`, read asks the instance (so a limit changed in
//! the UI shows as drift, and a deleted one as a resource to create again), delete calls
//! `deleteConcurrencyLimit`, import takes the pool name.

use crate::convert::{whole, Number};
use crate::diagnostics::report;
use crate::required::{self, require, NullRequired};
use crate::schema_builder::{block, computed, required};
use crate::webserver::{SharedWebserver, WebserverClient};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tf_provider::schema::{AttributeType, Schema};
use tf_provider::value::{Value, ValueEmpty};
use tf_provider::{AttributePath, Diagnostics, Resource};
use validator::model::Setting;
use validator::path::AttrPath;
use validator::rules::{check_pool_limit, PoolLimitConfig};

/// How to plan when the webserver cannot be reached (e.g. in CI), shown when a refresh fails so.
pub const PLAN_WITHOUT_WEBSERVER: &str = "Without a reachable webserver (a CI job that only checks the configuration, say), plan with `terraform plan -refresh=false`: pool limits are then compared with the state instead of the instance, so no request is sent. A `data \"dagster_instance_concurrency\"` is still read; declare it inside a `check` block (Terraform 1.5 or later), where a failed read is a warning. See the provider's CI guide (docs/ci.md).";

/// The `dagster_pool_limit` resource.
pub struct PoolLimitResource {
    /// The webserver connection from the provider block.
    pub webserver: SharedWebserver,
}

/// The state (and config) of `dagster_pool_limit`, field for field as in the schema.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PoolLimitState {
    id: Value<String>,
    pool: Value<String>,
    limit: Value<Number>,
}

impl PoolLimitState {
    fn known(pool: String, limit: i64) -> Self {
        PoolLimitState {
            id: Value::Value(pool.clone()),
            pool: Value::Value(pool),
            limit: Value::Value(Number::Int(limit)),
        }
    }

    /// The required arguments written as `null`.
    fn null_required(&self) -> Vec<NullRequired> {
        let mut nulls = Vec::new();
        require(
            &self.pool,
            AttrPath::attr("pool"),
            "the pool name your ops and assets declare with `pool=`, e.g. `\"warehouse\"`",
            &mut nulls,
        );
        require(
            &self.limit,
            AttrPath::attr("limit"),
            "the slots the pool allows at once, a whole number from `0` to `1000`",
            &mut nulls,
        );
        nulls
    }

    /// Reports required arguments written as `null`, then runs the pool limit rules (and the
    /// whole-number check); true when nothing is an error.
    fn check(&self, diags: &mut Diagnostics) -> bool {
        if required::report(diags, &self.null_required()) {
            return false;
        }
        let mut findings = Vec::new();
        let config = PoolLimitConfig {
            pool: match &self.pool {
                Value::Value(pool) => Setting::Known(pool.clone()),
                Value::Null => Setting::Unset,
                Value::Unknown => Setting::Unknown,
            },
            limit: whole(&self.limit, AttrPath::attr("limit"), &mut findings),
        };
        findings.extend(check_pool_limit(&config));
        !report(diags, &findings)
    }

    /// The pool and limit to send, once both are known and valid.
    fn arguments(&self, diags: &mut Diagnostics) -> Option<(String, i64)> {
        if !self.check(diags) {
            return None;
        }
        let mut findings = Vec::new();
        match (
            &self.pool,
            whole(&self.limit, AttrPath::attr("limit"), &mut findings),
        ) {
            (Value::Value(pool), Setting::Known(limit)) => Some((pool.clone(), limit)),
            _ => {
                diags.root_error(
                    "dagster_pool_limit needs a known pool and limit",
                    "Both are required and must be known when the limit is applied.",
                );
                None
            }
        }
    }
}

/// The schema of `dagster_pool_limit`.
pub fn pool_limit_schema() -> Schema {
    let attributes = HashMap::from([
        (
            "id".to_owned(),
            computed(AttributeType::String, "The pool name."),
        ),
        (
            "pool".to_owned(),
            required(AttributeType::String, "Name of the pool (Dagster's concurrency key), exactly as ops and assets declare it with `pool=`; names are case-sensitive and must not be empty. Changing it removes the old pool's limit and sets the new one."),
        ),
        (
            "limit".to_owned(),
            required(AttributeType::Number, "Slots the pool allows at once: a whole number from `0` (ops in the pool never run) to `1000`, checked at `terraform validate` before any request."),
        ),
    ]);
    Schema {
        version: 0,
        block: block(
            "Sets one pool's own concurrency limit on a live Dagster instance, through the webserver's GraphQL API: what `dagster instance concurrency set POOL LIMIT` does by hand, which neither `dagster.yaml` nor the Helm chart can express. Needs `webserver_url` in the provider block (or `DAGSTER_WEBSERVER_URL`).\n\nEach plan reads the limit back from the instance, so a limit changed in the Dagster UI shows as drift and one deleted there is set again. Destroying the resource deletes the pool's limit: the pool falls back to the instance's default pool limit (`concurrency.pools.default_limit`), or to no limit. Import with the pool name: `terraform import dagster_pool_limit.NAME POOL`.\n\nWhere the webserver cannot be reached (a CI job that only checks the configuration, say), a refreshing plan fails once per pool limit: plan with `terraform plan -refresh=false` there, which compares the configuration with the state and sends no request (see the CI guide, `docs/ci.md`).",
            attributes,
        ),
    }
}

impl PoolLimitResource {
    fn client(&self, diags: &mut Diagnostics, pool: &str) -> Option<WebserverClient> {
        self.webserver
            .client(diags, &format!("dagster_pool_limit (pool {pool:?})"))
    }

    /// Sets the limit and returns the new state.
    async fn apply(
        &self,
        diags: &mut Diagnostics,
        planned: &PoolLimitState,
    ) -> Option<PoolLimitState> {
        let (pool, limit) = planned.arguments(diags)?;
        let client = self.client(diags, &pool)?;
        match client.set_pool_limit(&pool, limit).await {
            Ok(()) => Some(PoolLimitState::known(pool, limit)),
            Err(error) => {
                client.report(
                    diags,
                    &format!("cannot set the limit of pool {pool:?} to {limit}"),
                    &error,
                );
                None
            }
        }
    }
}

/// The planned state: the arguments checked again (they may have been unknown at validate),
/// `id` following `pool`.
fn planned(
    diags: &mut Diagnostics,
    proposed: Value<PoolLimitState>,
) -> Option<Value<PoolLimitState>> {
    let Value::Value(mut state) = proposed else {
        return Some(proposed);
    };
    if !state.check(diags) {
        return None;
    }
    state.id = state.pool.clone();
    Some(Value::Value(state))
}

#[async_trait]
impl Resource for PoolLimitResource {
    type State<'a> = Value<PoolLimitState>;
    type PrivateState<'a> = ValueEmpty;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(pool_limit_schema())
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: Self::State<'a>) -> Option<()> {
        if let Value::Value(config) = config {
            config.check(diags);
        }
        Some(())
    }

    async fn read<'a>(
        &self,
        diags: &mut Diagnostics,
        state: Self::State<'a>,
        private_state: Self::PrivateState<'a>,
        _provider_meta_state: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        let Value::Value(PoolLimitState {
            pool: Value::Value(pool),
            ..
        }) = &state
        else {
            return Some((state, private_state));
        };
        let client = self.client(diags, pool)?;
        match client.pool_limit(pool).await {
            Ok(Some(limit)) => Some((
                Value::Value(PoolLimitState::known(pool.clone(), limit)),
                private_state,
            )),
            // The pool's own limit is gone (deleted in the UI or the CLI): plan sets it again.
            Ok(None) => Some((Value::Null, private_state)),
            Err(error) => {
                client.report_read(
                    diags,
                    &format!("cannot read the limit of pool {pool:?}"),
                    &error,
                    PLAN_WITHOUT_WEBSERVER,
                );
                None
            }
        }
    }

    async fn plan_create<'a>(
        &self,
        diags: &mut Diagnostics,
        proposed_state: Self::State<'a>,
        _config_state: Self::State<'a>,
        _provider_meta_state: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        Some((planned(diags, proposed_state)?, ValueEmpty::Null))
    }

    async fn plan_update<'a>(
        &self,
        diags: &mut Diagnostics,
        prior_state: Self::State<'a>,
        proposed_state: Self::State<'a>,
        _config_state: Self::State<'a>,
        prior_private_state: Self::PrivateState<'a>,
        _provider_meta_state: Self::ProviderMetaState<'a>,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>, Vec<AttributePath>)> {
        let pool = |state: &Value<PoolLimitState>| match state {
            Value::Value(state) => state.pool.clone(),
            _ => Value::Null,
        };
        let mut replace = Vec::new();
        if pool(&prior_state) != pool(&proposed_state) {
            let mut path = AttributePath::root();
            path.add_attribute("pool");
            replace.push(path);
        }
        Some((
            planned(diags, proposed_state)?,
            prior_private_state,
            replace,
        ))
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
        let state = self
            .apply(diags, &planned_state.unwrap_or_default())
            .await?;
        Some((Value::Value(state), planned_private_state))
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
        let state = self
            .apply(diags, &planned_state.unwrap_or_default())
            .await?;
        Some((Value::Value(state), planned_private_state))
    }

    async fn destroy<'a>(
        &self,
        diags: &mut Diagnostics,
        prior_state: Self::State<'a>,
        _planned_private_state: Self::PrivateState<'a>,
        _provider_meta_state: Self::ProviderMetaState<'a>,
    ) -> Option<()> {
        let Value::Value(PoolLimitState {
            pool: Value::Value(pool),
            ..
        }) = &prior_state
        else {
            return Some(());
        };
        let client = self.client(diags, pool)?;
        match client.delete_pool_limit(pool).await {
            Ok(()) => Some(()),
            Err(error) => {
                client.report(
                    diags,
                    &format!("cannot delete the limit of pool {pool:?}"),
                    &error,
                );
                None
            }
        }
    }

    async fn import<'a>(
        &self,
        diags: &mut Diagnostics,
        id: String,
    ) -> Option<(Self::State<'a>, Self::PrivateState<'a>)> {
        let mut findings = Vec::new();
        findings.extend(check_pool_limit(&PoolLimitConfig {
            pool: Setting::Known(id.clone()),
            limit: Setting::Unset,
        }));
        if report(diags, &findings) {
            return None;
        }
        let client = self.client(diags, &id)?;
        match client.pool_limit(&id).await {
            Ok(Some(limit)) => Some((
                Value::Value(PoolLimitState::known(id, limit)),
                ValueEmpty::Null,
            )),
            Ok(None) => {
                diags.root_error(
                    format!("pool {id:?} has no limit of its own on {}", client.endpoint()),
                    "Nothing to import: the pool uses the instance's default limit. Check the pool name (names are case-sensitive) in the Dagster UI or with `dagster instance concurrency get --all`, or declare the resource and apply to set a limit.",
                );
                None
            }
            Err(error) => {
                client.report(
                    diags,
                    &format!("cannot import the limit of pool {id:?}"),
                    &error,
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(pool: &str, limit: Number) -> PoolLimitState {
        PoolLimitState {
            id: Value::Null,
            pool: Value::Value(pool.into()),
            limit: Value::Value(limit),
        }
    }

    #[test]
    fn out_of_range_fractional_and_empty_are_errors_with_codes() {
        for (pool, limit, code) in [
            ("db", Number::Int(5000), "[DC702]"),
            ("db", Number::Int(-1), "[DC702]"),
            ("db", Number::Float(2.5), "[DC504]"),
            ("", Number::Int(1), "[DC701]"),
        ] {
            let mut diags = Diagnostics::default();
            assert!(!state(pool, limit).check(&mut diags));
            assert!(
                diags.errors[0].summary.starts_with(code),
                "{:?}",
                diags.errors
            );
        }
        let mut diags = Diagnostics::default();
        assert_eq!(
            state("db", Number::Int(1000)).arguments(&mut diags),
            Some(("db".into(), 1000))
        );
    }

    #[test]
    fn every_required_argument_written_as_null_is_an_error_at_its_path() {
        for (path, config) in crate::required::cases::null_required(&pool_limit_schema().block) {
            let state: PoolLimitState = serde_json::from_value(config).expect("a config");
            let mut diags = Diagnostics::default();
            assert!(!state.check(&mut diags));
            assert_eq!(diags.errors.len(), 1, "{:?}", diags.errors);
            assert_eq!(diags.errors[0].attribute.steps, path);
            let mut diags = Diagnostics::default();
            assert!(planned(&mut diags, Value::Value(state)).is_none());
        }
    }

    #[test]
    fn planning_sets_the_id_and_unknowns_pass() {
        let mut diags = Diagnostics::default();
        let mut proposed = state("db", Number::Int(3));
        let Some(Value::Value(plan)) = planned(&mut diags, Value::Value(proposed.clone())) else {
            panic!("planned");
        };
        assert_eq!(plan.id, Value::Value("db".into()));
        proposed.limit = Value::Unknown;
        assert!(planned(&mut diags, Value::Value(proposed)).is_some());
        assert!(diags.errors.is_empty());
    }
}
