//! `resource "dagster_pool_limit"`: one pool's own limit on a live Dagster instance, set through
//! the webserver's GraphQL API.
//!
//! Create and update call `setConcurrencyLimit`, read asks the instance (so a limit changed in
//! the UI shows as drift, and a deleted one as a resource to create again), delete calls
//! `deleteConcurrencyLimit`, import takes the pool name.

use crate::convert::{string, whole};
use crate::diagnostics::report;
use crate::required::{self, require, NullRequired};
use crate::webserver::{SharedWebserver, WebserverClient};
use async_trait::async_trait;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::provider::Resource;
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::{Type, Value};
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

/// The schema of `dagster_pool_limit`.
pub fn pool_limit_block() -> Block {
    Block::new(
        "Sets one pool's own concurrency limit on a live Dagster instance, through the webserver's GraphQL API: what `dagster instance concurrency set POOL LIMIT` does by hand, which neither `dagster.yaml` nor the Helm chart can express. Needs `webserver_url` in the provider block (or `DAGSTER_WEBSERVER_URL`).\n\nEach plan reads the limit back from the instance, so a limit changed in the Dagster UI shows as drift and one deleted there is set again. Destroying the resource deletes the pool's limit: the pool falls back to the instance's default pool limit (`concurrency.pools.default_limit`), or to no limit. Import with the pool name: `terraform import dagster_pool_limit.NAME POOL`.\n\nWhere the webserver cannot be reached (a CI job that only checks the configuration, say), a refreshing plan fails once per pool limit: plan with `terraform plan -refresh=false` there, which compares the configuration with the state and sends no request (see the CI guide, `docs/ci.md`).",
        vec![
            Attribute::computed("id", Type::String, "The pool name."),
            Attribute::required("pool", Type::String, "Name of the pool (Dagster's concurrency key), exactly as ops and assets declare it with `pool=`; names are case-sensitive and must not be empty. Changing it removes the old pool's limit and sets the new one.").requires_replace(),
            Attribute::required("limit", Type::Number, "Slots the pool allows at once: a whole number from `0` (ops in the pool never run) to `1000`, checked at `terraform validate` before any request."),
        ],
    )
}

#[async_trait]
impl Resource for PoolLimitResource {
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: pool_limit_block(),
        }
    }

    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        // A whole block unknown (say, under a `for_each` not known yet) is checked at plan.
        if config.as_entries().is_some() {
            check(config, diags);
        }
    }

    /// The arguments checked again (they may have been unknown at validate), `id` following
    /// `pool`.
    async fn plan(
        &self,
        _prior: &Value,
        mut proposed: Value,
        _config: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        if !check(&proposed, diags) {
            return None;
        }
        let pool = proposed.get("pool").clone();
        proposed.set("id", pool);
        Some(proposed)
    }

    async fn apply(
        &self,
        _prior: &Value,
        planned: Value,
        _config: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        let (pool, limit) = arguments(&planned, diags)?;
        let client = self.client(diags, &pool)?;
        match client.set_pool_limit(&pool, limit).await {
            Ok(()) => Some(known(pool, limit)),
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

    async fn delete(&self, prior: &Value, diags: &mut Diagnostics) {
        let Some(pool) = prior.get("pool").as_str() else {
            return;
        };
        let Some(client) = self.client(diags, pool) else {
            return;
        };
        if let Err(error) = client.delete_pool_limit(pool).await {
            client.report(
                diags,
                &format!("cannot delete the limit of pool {pool:?}"),
                &error,
            );
        }
    }

    async fn read(&self, state: Value, diags: &mut Diagnostics) -> Option<Value> {
        let Some(pool) = state.get("pool").as_str() else {
            return Some(state);
        };
        let client = self.client(diags, pool)?;
        match client.pool_limit(pool).await {
            Ok(Some(limit)) => Some(known(pool.to_owned(), limit)),
            // The pool's own limit is gone (deleted in the UI or the CLI): plan sets it again.
            Ok(None) => Some(Value::Null),
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

    async fn import(&self, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        let findings = check_pool_limit(&PoolLimitConfig {
            pool: Setting::Known(id.to_owned()),
            limit: Setting::Unset,
        });
        if report(diags, &findings) {
            return None;
        }
        let client = self.client(diags, id)?;
        match client.pool_limit(id).await {
            Ok(Some(limit)) => Some(known(id.to_owned(), limit)),
            Ok(None) => {
                diags.error(
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

impl PoolLimitResource {
    fn client(&self, diags: &mut Diagnostics, pool: &str) -> Option<WebserverClient> {
        self.webserver
            .client(diags, &format!("dagster_pool_limit (pool {pool:?})"))
    }
}

/// The state of a pool whose limit is known.
fn known(pool: String, limit: i64) -> Value {
    Value::object([
        ("id", Value::from(pool.clone())),
        ("pool", Value::from(pool)),
        ("limit", Value::from(limit)),
    ])
}

/// The required arguments written as `null`.
fn null_required(arguments: &Value) -> Vec<NullRequired> {
    let mut nulls = Vec::new();
    require(
        arguments.get("pool"),
        AttrPath::attr("pool"),
        "the pool name your ops and assets declare with `pool=`, e.g. `\"warehouse\"`",
        &mut nulls,
    );
    require(
        arguments.get("limit"),
        AttrPath::attr("limit"),
        "the slots the pool allows at once, a whole number from `0` to `1000`",
        &mut nulls,
    );
    nulls
}

/// Reports required arguments written as `null`, then runs the pool limit rules (and the
/// whole-number check); true when nothing is an error.
fn check(arguments: &Value, diags: &mut Diagnostics) -> bool {
    if required::report(diags, &null_required(arguments)) {
        return false;
    }
    let mut findings = Vec::new();
    let config = PoolLimitConfig {
        pool: string(arguments.get("pool")),
        limit: whole(
            arguments.get("limit"),
            AttrPath::attr("limit"),
            &mut findings,
        ),
    };
    findings.extend(check_pool_limit(&config));
    !report(diags, &findings)
}

/// The pool and limit to send, once both are known and valid.
fn arguments(planned: &Value, diags: &mut Diagnostics) -> Option<(String, i64)> {
    if !check(planned, diags) {
        return None;
    }
    let limit = whole(
        planned.get("limit"),
        AttrPath::attr("limit"),
        &mut Vec::new(),
    );
    match (planned.get("pool").as_str(), limit) {
        (Some(pool), Setting::Known(limit)) => Some((pool.to_owned(), limit)),
        _ => {
            diags.error(
                "dagster_pool_limit needs a known pool and limit",
                "Both are required and must be known when the limit is applied.",
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(pool: &str, limit: Value) -> Value {
        Value::object([("pool", Value::from(pool)), ("limit", limit)])
    }

    #[test]
    fn out_of_range_fractional_and_empty_are_errors_with_codes() {
        for (pool, limit, code) in [
            ("db", Value::from(5000), "[DC702]"),
            ("db", Value::from(-1), "[DC702]"),
            ("db", Value::from(2.5), "[DC504]"),
            ("", Value::from(1), "[DC701]"),
        ] {
            let mut diags = Diagnostics::default();
            assert!(!check(&state(pool, limit), &mut diags));
            let errors = diags.errors();
            assert!(errors[0].summary.starts_with(code), "{errors:?}");
        }
        let mut diags = Diagnostics::default();
        assert_eq!(
            arguments(&state("db", Value::from(1000)), &mut diags),
            Some(("db".into(), 1000))
        );
    }

    #[test]
    fn every_required_argument_written_as_null_is_an_error_at_its_path() {
        for (path, config) in crate::required::cases::null_required(&pool_limit_block()) {
            let mut diags = Diagnostics::default();
            assert!(!check(&config, &mut diags));
            let errors = diags.errors();
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].path, Some(path));
        }
    }

    #[tokio::test]
    async fn planning_sets_the_id_and_unknowns_pass() {
        let resource = PoolLimitResource {
            webserver: SharedWebserver::default(),
        };
        let mut diags = Diagnostics::default();
        let proposed = state("db", Value::from(3));
        let plan = resource
            .plan(&Value::Null, proposed.clone(), &proposed, &mut diags)
            .await
            .expect("planned");
        assert_eq!(plan.get("id"), &Value::from("db"));
        let unknown = state("db", Value::Unknown);
        assert!(resource
            .plan(&Value::Null, unknown.clone(), &unknown, &mut diags)
            .await
            .is_some());
        assert!(!diags.has_errors());
    }
}
