//! What a provider implements: the provider block, and one [`Resource`] or [`DataSource`] per
//! type. Each trait lists its steps in the order a resource file is written: schema, validate,
//! plan, apply, read, import, state upgraders. Values arrive decoded against the schema; a step
//! reports problems in `diags` and returns `None` when it cannot go on.

use crate::diagnostics::Diagnostics;
use crate::schema::Schema;
use crate::value::Value;
use async_trait::async_trait;
use std::sync::Arc;

/// The provider: its own block and its registry of resources and data sources.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The `provider` block's schema.
    fn schema(&self) -> Schema;

    /// Checks the provider block (values may be unknown).
    async fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Configures the provider before any resource or data source is used.
    async fn configure(&self, terraform_version: &str, config: &Value, diags: &mut Diagnostics);

    /// Resources by full type name (`dagster_concurrency`).
    fn resources(&self) -> Vec<(String, Arc<dyn Resource>)>;

    /// Data sources by full type name.
    fn data_sources(&self) -> Vec<(String, Arc<dyn DataSource>)>;
}

/// One step of a resource's state upgrade: reads the JSON state stored under schema version
/// `from_version` and returns it as version `from_version + 1`.
#[derive(Clone, Copy)]
pub struct StateUpgrader {
    /// The version this upgrader reads.
    pub from_version: i64,
    /// The upgrade.
    pub upgrade: fn(serde_json::Value, &mut Diagnostics) -> Option<serde_json::Value>,
}

/// A managed resource type.
#[async_trait]
pub trait Resource: Send + Sync + 'static {
    /// The schema; attribute defaults, replacement and sensitivity are declared in it and
    /// applied by the server.
    fn schema(&self) -> Schema;

    /// Checks a configuration (values may be unknown).
    async fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// The planned state of a create (`prior` null) or an update: `proposed` is the
    /// configuration merged over the prior state, with the declared defaults filled in; unknown
    /// where only apply can tell.
    async fn plan(
        &self,
        prior: &Value,
        proposed: Value,
        config: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value>;

    /// Creates (`prior` null) or updates the object; returns the new state, which must agree with
    /// every known value of `planned`.
    async fn apply(
        &self,
        prior: &Value,
        planned: Value,
        config: &Value,
        diags: &mut Diagnostics,
    ) -> Option<Value>;

    /// Deletes the object. Default: nothing outside Terraform to delete.
    async fn delete(&self, _prior: &Value, _diags: &mut Diagnostics) {}

    /// Refreshes the state; `Value::Null` when the object no longer exists.
    async fn read(&self, state: Value, diags: &mut Diagnostics) -> Option<Value>;

    /// The state of an existing object named by `id`. Default: the type cannot be imported.
    async fn import(&self, _id: &str, diags: &mut Diagnostics) -> Option<Value> {
        diags.error(
            "this resource cannot be imported",
            "It manages nothing outside Terraform: declare it in configuration and apply.",
        );
        None
    }

    /// One upgrader per older schema version, each to the next version.
    fn state_upgraders(&self) -> Vec<StateUpgrader> {
        Vec::new()
    }
}

/// A data source type.
#[async_trait]
pub trait DataSource: Send + Sync + 'static {
    /// The schema.
    fn schema(&self) -> Schema;

    /// Checks a configuration (values may be unknown).
    async fn validate(&self, _config: &Value, _diags: &mut Diagnostics) {}

    /// Reads the data for a wholly known configuration, with the declared defaults filled in
    /// where it leaves an attribute null.
    async fn read(&self, config: Value, diags: &mut Diagnostics) -> Option<Value>;
}
