//! The provider: its configuration and the registry of resources and data sources.

use crate::data_source_concurrency::ConcurrencyDataSource;
use crate::resource_concurrency::ConcurrencyResource;
use async_trait::async_trait;
use std::collections::HashMap;
use tf_provider::schema::{Block, Description, Schema};
use tf_provider::value::ValueEmpty;
use tf_provider::{Diagnostics, DynamicDataSource, DynamicResource, Provider};

/// The `dagster` provider.
pub struct DagsterProvider;

#[async_trait]
impl Provider for DagsterProvider {
    type Config<'a> = ValueEmpty;
    type MetaState<'a> = ValueEmpty;

    fn schema(&self, _diags: &mut Diagnostics) -> Option<Schema> {
        Some(Schema {
            version: 0,
            block: Block {
                version: 0,
                description: Description::markdown(
                    "Renders and validates Dagster run-concurrency limits for the Dagster Helm chart.",
                ),
                ..Default::default()
            },
        })
    }

    fn get_resources(
        &self,
        _diags: &mut Diagnostics,
    ) -> Option<HashMap<String, Box<dyn DynamicResource>>> {
        Some(HashMap::from([(
            "concurrency".to_owned(),
            Box::new(ConcurrencyResource) as Box<dyn DynamicResource>,
        )]))
    }

    fn get_data_sources(
        &self,
        _diags: &mut Diagnostics,
    ) -> Option<HashMap<String, Box<dyn DynamicDataSource>>> {
        Some(HashMap::from([(
            "concurrency".to_owned(),
            Box::new(ConcurrencyDataSource) as Box<dyn DynamicDataSource>,
        )]))
    }
}
