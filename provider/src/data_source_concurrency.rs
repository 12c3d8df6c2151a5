//! `data "dagster_concurrency"`: the same arguments and outputs as the resource, without state.

use crate::concurrency::{compute_outputs, validate};
use crate::concurrency_schema::concurrency_block;
use crate::policy::SharedPolicy;
use async_trait::async_trait;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::provider::DataSource;
use tfplugin::schema::Schema;
use tfplugin::value::Value;

/// The `dagster_concurrency` data source, enforcing the provider's policy.
pub struct ConcurrencyDataSource {
    /// The policy of the provider block.
    pub policy: SharedPolicy,
}

#[async_trait]
impl DataSource for ConcurrencyDataSource {
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: concurrency_block(
                "The data source renders on every read and keeps nothing in state.",
            ),
        }
    }

    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        validate(diags, config, &self.policy.current());
    }

    async fn read(&self, config: Value, diags: &mut Diagnostics) -> Option<Value> {
        compute_outputs(diags, config, &self.policy.current())
    }
}
