//! The provider: its configuration and the registry of resources and data sources.

use crate::convert::Number;
use crate::data_source_concurrency::ConcurrencyDataSource;
use crate::data_source_instance_concurrency::InstanceConcurrencyDataSource;
use crate::policy::{policy_block, PolicyBlock, SharedPolicy};
use crate::resource_concurrency::ConcurrencyResource;
use crate::resource_pool_limit::PoolLimitResource;
use crate::schema_builder::optional;
use crate::webserver::{self, SharedWebserver, WebserverArgs};
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use tf_provider::schema::{Attribute, AttributeType, Block, Description, NestedBlock, Schema};
use tf_provider::value::{Value, ValueEmpty};
use tf_provider::{Diagnostics, DynamicDataSource, DynamicResource, Provider};

/// The `dagster` provider. One process serves one provider configuration, so the state it
/// shares with its resources is that configuration's.
#[derive(Debug, Default)]
pub struct DagsterProvider {
    policy: SharedPolicy,
    webserver: SharedWebserver,
}

/// The `provider "dagster"` block, field for field as in the schema.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ProviderConfig {
    policy: Value<Vec<PolicyBlock>>,
    webserver_url: Value<String>,
    headers: Value<BTreeMap<String, Value<String>>>,
    timeout_seconds: Value<Number>,
    retries: Value<Number>,
}

impl ProviderConfig {
    fn webserver(&self) -> WebserverArgs {
        WebserverArgs {
            url: self.webserver_url.clone(),
            headers: self.headers.clone(),
            timeout_seconds: self.timeout_seconds.clone(),
            retries: self.retries.clone(),
        }
    }
}

/// The provider block's webserver arguments, used only by the live resources.
fn webserver_attributes() -> HashMap<String, Attribute> {
    use webserver::{DEFAULT_RETRIES, DEFAULT_TIMEOUT_SECONDS, MAX_RETRIES, URL_ENV};
    HashMap::from([
        ("webserver_url".to_owned(), optional(AttributeType::String, format!("URL of the Dagster webserver, e.g. `\"http://dagster-dagster-webserver.dagster.svc:80\"` (its `/graphql` endpoint is used; a `--path-prefix` may be included). Default: the `{URL_ENV}` environment variable. Only `dagster_pool_limit` and `dagster_instance_concurrency` need it; the rendering resources work without it."))),
        ("headers".to_owned(), Attribute { sensitive: true, ..optional(AttributeType::Map(Box::new(AttributeType::String)), "Extra HTTP headers sent with every request to the webserver, e.g. `{ Authorization = \"Bearer ...\" }` for an authenticating proxy. Sensitive: values never appear in plans or diagnostics.") }),
        ("timeout_seconds".to_owned(), optional(AttributeType::Number, format!("Seconds one request to the webserver may take (connecting included) before it fails, 1 to 3600. Default: `{DEFAULT_TIMEOUT_SECONDS}`."))),
        ("retries".to_owned(), optional(AttributeType::Number, format!("Further attempts after a request fails because the webserver is unreachable, times out or a proxy answers 502/503/504, 0 to {MAX_RETRIES}, with a growing pause between them. Other errors are not retried. Default: `{DEFAULT_RETRIES}`."))),
    ])
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
                    "Renders and validates Dagster run-concurrency limits for the Dagster Helm chart, and manages pool limits on a live Dagster instance through its webserver.",
                ),
                attributes: webserver_attributes(),
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
        webserver::validate(diags, &config.webserver());
        Some(())
    }

    async fn configure<'a>(
        &self,
        diags: &mut Diagnostics,
        _terraform_version: String,
        config: Self::Config<'a>,
    ) -> Option<()> {
        self.policy.load(diags, &config.policy);
        self.webserver.configure(diags, &config.webserver());
        Some(())
    }

    fn get_resources(
        &self,
        _diags: &mut Diagnostics,
    ) -> Option<HashMap<String, Box<dyn DynamicResource>>> {
        Some(HashMap::from([
            (
                "concurrency".to_owned(),
                Box::new(ConcurrencyResource {
                    policy: self.policy.clone(),
                }) as Box<dyn DynamicResource>,
            ),
            (
                "pool_limit".to_owned(),
                Box::new(PoolLimitResource {
                    webserver: self.webserver.clone(),
                }),
            ),
        ]))
    }

    fn get_data_sources(
        &self,
        _diags: &mut Diagnostics,
    ) -> Option<HashMap<String, Box<dyn DynamicDataSource>>> {
        Some(HashMap::from([
            (
                "concurrency".to_owned(),
                Box::new(ConcurrencyDataSource {
                    policy: self.policy.clone(),
                }) as Box<dyn DynamicDataSource>,
            ),
            (
                "instance_concurrency".to_owned(),
                Box::new(InstanceConcurrencyDataSource {
                    webserver: self.webserver.clone(),
                }),
            ),
        ]))
    }
}
