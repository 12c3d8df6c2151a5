//! The provider: its configuration and the registry of resources and data sources.

use crate::data_source_concurrency::ConcurrencyDataSource;
use crate::data_source_instance_concurrency::InstanceConcurrencyDataSource;
use crate::policy::{policy_block, SharedPolicy};
use crate::resource_concurrency::ConcurrencyResource;
use crate::resource_pool_limit::PoolLimitResource;
use crate::webserver::{self, SharedWebserver, WebserverArgs};
use async_trait::async_trait;
use std::sync::Arc;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::provider::{DataSource, Provider, Resource};
use tfplugin::schema::{Attribute, Block, NestedBlock, Schema};
use tfplugin::value::{Type, Value};

/// The provider's type name: resource `concurrency` is `dagster_concurrency` in configurations.
pub const PROVIDER_NAME: &str = "dagster";

/// Where the registry serves the provider (what `-debug` names in `TF_REATTACH_PROVIDERS`).
pub const PROVIDER_SOURCE: &str = "registry.terraform.io/dagster-oss/dagster";

/// The `dagster` provider. One process serves one provider configuration, so the state it
/// shares with its resources is that configuration's.
#[derive(Debug, Default)]
pub struct DagsterProvider {
    policy: SharedPolicy,
    webserver: SharedWebserver,
}

/// The provider block's webserver arguments.
fn webserver_args(config: &Value) -> WebserverArgs {
    WebserverArgs {
        url: config.get("webserver_url").clone(),
        headers: config.get("headers").clone(),
        timeout_seconds: config.get("timeout_seconds").clone(),
        retries: config.get("retries").clone(),
    }
}

/// The provider block's webserver arguments, used only by the live resources.
fn webserver_attributes() -> Vec<Attribute> {
    use webserver::{DEFAULT_RETRIES, DEFAULT_TIMEOUT_SECONDS, MAX_RETRIES, URL_ENV};
    vec![
        Attribute::optional("webserver_url", Type::String, format!("URL of the Dagster webserver, e.g. `\"http://dagster-dagster-webserver.dagster.svc:80\"` (its `/graphql` endpoint is used; a `--path-prefix` may be included). Default: the `{URL_ENV}` environment variable. Only `dagster_pool_limit` and `dagster_instance_concurrency` need it; the rendering resources work without it.")),
        Attribute::optional("headers", Type::map(Type::String), "Extra HTTP headers sent with every request to the webserver, e.g. `{ Authorization = \"Bearer ...\" }` for an authenticating proxy. Sensitive: values never appear in plans or diagnostics.").sensitive(),
        Attribute::optional("timeout_seconds", Type::Number, format!("Seconds one request to the webserver may take (connecting included) before it fails, 1 to 3600. Default: `{DEFAULT_TIMEOUT_SECONDS}`.")),
        Attribute::optional("retries", Type::Number, format!("Further attempts after a request fails because the webserver is unreachable, the connection breaks mid-request, it times out or a proxy answers 502/503/504, 0 to {MAX_RETRIES}, with a growing pause between them. Other errors are not retried. When a change's answer is lost, the pool's limit is read back before an error is reported. Default: `{DEFAULT_RETRIES}`.")),
    ]
}

/// The full type name of a resource or data source registered as `key`.
fn type_name(key: &str) -> String {
    format!("{PROVIDER_NAME}_{key}")
}

#[async_trait]
impl Provider for DagsterProvider {
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new(
                "Renders and validates Dagster run-concurrency limits for the Dagster Helm chart, and manages pool limits on a live Dagster instance through its webserver.",
                webserver_attributes(),
            )
            .with_blocks(vec![NestedBlock::at_most_one("policy", policy_block())]),
        }
    }

    async fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        self.policy.load(diags, config.get("policy"));
        webserver::validate(diags, &webserver_args(config));
    }

    async fn configure(&self, _terraform_version: &str, config: &Value, diags: &mut Diagnostics) {
        self.policy.load(diags, config.get("policy"));
        self.webserver.configure(diags, &webserver_args(config));
    }

    fn resources(&self) -> Vec<(String, Arc<dyn Resource>)> {
        vec![
            (
                type_name("concurrency"),
                Arc::new(ConcurrencyResource {
                    policy: self.policy.clone(),
                }),
            ),
            (
                type_name("pool_limit"),
                Arc::new(PoolLimitResource {
                    webserver: self.webserver.clone(),
                }),
            ),
        ]
    }

    fn data_sources(&self) -> Vec<(String, Arc<dyn DataSource>)> {
        vec![
            (
                type_name("concurrency"),
                Arc::new(ConcurrencyDataSource {
                    policy: self.policy.clone(),
                }),
            ),
            (
                type_name("instance_concurrency"),
                Arc::new(InstanceConcurrencyDataSource {
                    webserver: self.webserver.clone(),
                }),
            ),
        ]
    }
}
