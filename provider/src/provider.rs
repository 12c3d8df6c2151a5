//! The provider: its configuration and the registry of resources and data sources.

use crate::data_source_concurrency::ConcurrencyDataSource;
use crate::policy::{policy_block, PolicyBlock, SharedPolicy};
use crate::resource_concurrency::ConcurrencyResource;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tf_provider::schema::{Block, Description, NestedBlock, Schema};
use tf_provider::value::{Value, ValueEmpty};
use tf_provider::{Diagnostics, DynamicDataSource, DynamicResource, Provider};

/// The `dagster` provider. One process serves one provider configuration, so the state it
/// shares with its resources is that configuration's.
#[derive(Debug, Default)]
pub struct DagsterProvider {
    policy: SharedPolicy,
}

/// The `provider "dagster"` block, field for field as in the schema.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProviderConfig {
    policy: Value<Vec<PolicyBlock>>,
}

#[async_trait]
impl Provider for DagsterProvider {
    type Config<'a> = ProviderConfig;
    type MetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Schema {
            version: 0,
            block: Block {
                version: 0,
                description: Description::markdown(
                    "Renders and validates Dagster run-concurrency limits for the Dagster Helm chart.",
                ),
                blocks: HashMap::from([(
                    "policy".to_owned(),
                    NestedBlock::Optional(policy_block()),
                )]),
                ..Default::default()
            },
        })
    }

    async fn validate<'a>(&self, diags: &mut Diagnostics, config: Self::Config<'a>) -> Option<()> {
        self.policy.load(diags, &config.policy);
        Some(())
    }

    async fn configure<'a>(
        &self,
        diags: &mut Diagnostics,
        _terraform_version: String,
        config: Self::Config<'a>,
    ) -> Option<()> {
        self.policy.load(diags, &config.policy);
        Some(())
    }

    fn get_resources(
        &self,
        _diags: &mut Diagnostics,
    ) -> Option<HashMap<String, Box<dyn DynamicResource>>> {
        Some(HashMap::from([(
            "concurrency".to_owned(),
            Box::new(ConcurrencyResource {
                policy: self.policy.clone(),
            }) as Box<dyn DynamicResource>,
        )]))
    }

    fn get_data_sources(
        &self,
        _diags: &mut Diagnostics,
    ) -> Option<HashMap<String, Box<dyn DynamicDataSource>>> {
        Some(HashMap::from([(
            "concurrency".to_owned(),
            Box::new(ConcurrencyDataSource {
                policy: self.policy.clone(),
            }) as Box<dyn DynamicDataSource>,
        )]))
    }
}
