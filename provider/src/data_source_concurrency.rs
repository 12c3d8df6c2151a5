//! `data "dagster_concurrency"`: the same arguments and outputs as the resource, without state.

use crate::concurrency::{compute_outputs, validate};
use crate::concurrency_schema::concurrency_schema;
use crate::convert::ConcurrencyState;
use crate::policy::SharedPolicy;
use async_trait::async_trait;
use tf_provider::schema::Schema;
use tf_provider::value::ValueEmpty;
use tf_provider::{DataSource, Diagnostics};

/// The `dagster_concurrency` data source, enforcing the provider's policy.
pub struct ConcurrencyDataSource {
    /// The policy of the provider block.
    pub policy: SharedPolicy,
}

#[async_trait]
impl DataSource for ConcurrencyDataSource {
    type State<'a> = ConcurrencyState;
    type ProviderMetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(concurrency_schema(
            "The data source renders on every read and keeps nothing in state.",
        ))
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: Self::State<'a>) -> Option<()> {
        validate(diags, &config, &self.policy.current());
        Some(())
    }

    async fn read<'a>(
        &self,
        diags: &mut Diagnostics,
        mut config: Self::State<'a>,
        _provider_meta_state: Self::ProviderMetaState<'a>,
    ) -> Option<Self::State<'a>> {
        config.fill_chart_version();
        compute_outputs(diags, config, &self.policy.current())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resource_concurrency::tests::{chart_version, state};
    use serde_json::{json, Value as Json};
    use validator::version::NEWEST_KNOWN;

    #[tokio::test]
    async fn reads_the_newest_known_chart_version_when_unset() {
        let data_source = ConcurrencyDataSource {
            policy: SharedPolicy::default(),
        };
        let mut diags = Diagnostics::default();
        for (configured, read) in [
            (Json::Null, json!(NEWEST_KNOWN.to_string())),
            (json!("1.12.10"), json!("1.12.10")),
        ] {
            let state = data_source
                .read(&mut diags, state(configured), ValueEmpty::Null)
                .await
                .expect("read");
            assert_eq!(chart_version(&state), read);
        }
        assert!(diags.errors.is_empty(), "{diags:?}");
    }
}
