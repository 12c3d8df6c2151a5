//! A minimal Terraform-side client of protocol 6: the calls Terraform makes for one
//! `dagster_concurrency` resource, each timed on its own.

use anyhow::{bail, Context, Result};
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};
use tfplugin::proto::service::tfplugin6::provider_client::ProviderClient;
use tfplugin::proto::tfplugin6::schema::nested_block::NestingMode;
use tfplugin::proto::tfplugin6::schema::Block;
use tfplugin::proto::tfplugin6::{
    apply_resource_change, configure_provider, get_provider_schema, plan_resource_change,
    read_resource, validate_resource_config, Diagnostic, DynamicValue, Severity,
};
use tonic::transport::Channel;

/// The provider's client, as Terraform holds it.
pub type Client = ProviderClient<Channel>;

/// The resource type every call targets.
pub const RESOURCE_TYPE: &str = "dagster_concurrency";

/// The protocol calls the benchmark times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Call {
    /// `GetProviderSchema`.
    GetProviderSchema,
    /// `ValidateResourceConfig`.
    ValidateResourceConfig,
    /// `PlanResourceChange` (create).
    PlanResourceChange,
    /// `ApplyResourceChange` (create).
    ApplyResourceChange,
    /// `ReadResource` (refresh).
    ReadResource,
}

impl Call {
    /// Every call, in the order Terraform makes them.
    pub const ALL: [Call; 5] = [
        Call::GetProviderSchema,
        Call::ValidateResourceConfig,
        Call::PlanResourceChange,
        Call::ApplyResourceChange,
        Call::ReadResource,
    ];

    /// The protocol's name of the call.
    pub fn name(self) -> &'static str {
        match self {
            Call::GetProviderSchema => "GetProviderSchema",
            Call::ValidateResourceConfig => "ValidateResourceConfig",
            Call::PlanResourceChange => "PlanResourceChange",
            Call::ApplyResourceChange => "ApplyResourceChange",
            Call::ReadResource => "ReadResource",
        }
    }
}

/// A connected client, configured like Terraform configures the provider, holding the values
/// each call sends: the seed ADR's resource, its planned state and its applied state.
pub struct Session {
    client: Client,
    config: Vec<u8>,
    planned: plan_resource_change::Response,
    applied: apply_resource_change::Response,
}

fn no_errors(method: &str, diagnostics: &[Diagnostic]) -> Result<()> {
    if let Some(error) = diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error as i32)
    {
        bail!("{method}: {}: {}", error.summary, error.detail);
    }
    Ok(())
}

/// The value of an absent `block`: null attributes, and for each nested block what Terraform
/// sends when it is absent (null for single, empty list or map otherwise).
pub fn absent_object(block: &Block) -> Value {
    let mut object = Map::new();
    for attribute in &block.attributes {
        object.insert(attribute.name.clone(), Value::Null);
    }
    for nested in &block.block_types {
        let absent = match nested.nesting() {
            NestingMode::Single => Value::Null,
            NestingMode::Map => Value::Object(Map::new()),
            NestingMode::Group => nested
                .block
                .as_ref()
                .map(absent_object)
                .unwrap_or(Value::Null),
            _ => Value::Array(vec![]),
        };
        object.insert(nested.type_name.clone(), absent);
    }
    Value::Object(object)
}

/// `template` (an absent object) with `fields` set.
fn with(template: &Value, fields: Value) -> Value {
    let mut object = template.clone();
    if let (Some(object), Value::Object(fields)) = (object.as_object_mut(), fields) {
        object.extend(fields);
    }
    object
}

/// The seed ADR's `dagster_concurrency` block as Terraform would send it, built from the schema
/// the provider announces so that attributes added later still get their nulls.
pub fn seed_config(schema: &get_provider_schema::Response) -> Result<Value> {
    let block = schema
        .resource_schemas
        .get(RESOURCE_TYPE)
        .and_then(|s| s.block.as_ref())
        .with_context(|| format!("the provider announces no {RESOURCE_TYPE}"))?;
    let tag_block = block
        .block_types
        .iter()
        .find(|b| b.type_name == "tag_concurrency_limit")
        .and_then(|b| b.block.as_ref())
        .context("no tag_concurrency_limit block")?;
    let tag = with(
        &absent_object(tag_block),
        json!({"key": "dagster/backfill", "limit": 3}),
    );
    Ok(with(
        &absent_object(block),
        json!({"chart_version": "1.12.14", "max_concurrent_runs": 5, "tag_concurrency_limit": [tag]}),
    ))
}

fn msgpack(value: &Value) -> Result<Vec<u8>> {
    Ok(rmp_serde::to_vec(value)?)
}

/// `value` as a DynamicValue.
fn dynamic(value: &Value) -> Result<Option<DynamicValue>> {
    Ok(Some(DynamicValue {
        msgpack: msgpack(value)?,
        json: Vec::new(),
    }))
}

/// Already encoded MessagePack as a DynamicValue.
fn encoded(msgpack: &[u8]) -> Option<DynamicValue> {
    Some(DynamicValue {
        msgpack: msgpack.to_vec(),
        json: Vec::new(),
    })
}

/// `GetProviderSchema`, checked for errors.
pub async fn get_provider_schema(client: &mut Client) -> Result<get_provider_schema::Response> {
    let schema = client
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .context("GetProviderSchema failed")?
        .into_inner();
    no_errors("GetProviderSchema", &schema.diagnostics)?;
    Ok(schema)
}

impl Session {
    /// Fetches the schema, configures the provider with an empty `provider "dagster"` block, then
    /// plans and applies the seed resource once to have the states later calls send.
    pub async fn open(channel: Channel) -> Result<Self> {
        let mut client = ProviderClient::new(channel);
        let schema = get_provider_schema(&mut client).await?;
        let provider_block = schema
            .provider
            .as_ref()
            .and_then(|s| s.block.as_ref())
            .context("the provider announces no provider schema")?;
        let configured = client
            .configure_provider(configure_provider::Request {
                terraform_version: "1.0.3".to_owned(),
                config: dynamic(&absent_object(provider_block))?,
                client_capabilities: None,
            })
            .await
            .context("ConfigureProvider failed")?
            .into_inner();
        no_errors("ConfigureProvider", &configured.diagnostics)?;
        let config = msgpack(&seed_config(&schema)?)?;
        let mut session = Session {
            client,
            config,
            planned: Default::default(),
            applied: Default::default(),
        };
        session.planned = session.plan().await?;
        session.applied = session.apply().await?;
        Ok(session)
    }

    async fn plan(&mut self) -> Result<plan_resource_change::Response> {
        let response = self
            .client
            .plan_resource_change(plan_resource_change::Request {
                type_name: RESOURCE_TYPE.to_owned(),
                prior_state: dynamic(&Value::Null)?,
                proposed_new_state: encoded(&self.config),
                config: encoded(&self.config),
                provider_meta: dynamic(&Value::Null)?,
                ..Default::default()
            })
            .await
            .context("PlanResourceChange failed")?
            .into_inner();
        no_errors("PlanResourceChange", &response.diagnostics)?;
        Ok(response)
    }

    async fn apply(&mut self) -> Result<apply_resource_change::Response> {
        let response = self
            .client
            .apply_resource_change(apply_resource_change::Request {
                type_name: RESOURCE_TYPE.to_owned(),
                prior_state: dynamic(&Value::Null)?,
                planned_state: self.planned.planned_state.clone(),
                config: encoded(&self.config),
                planned_private: self.planned.planned_private.clone(),
                provider_meta: dynamic(&Value::Null)?,
            })
            .await
            .context("ApplyResourceChange failed")?
            .into_inner();
        no_errors("ApplyResourceChange", &response.diagnostics)?;
        Ok(response)
    }

    /// The applied state, decoded from MessagePack.
    pub fn applied_state(&self) -> Result<Value> {
        let state = self
            .applied
            .new_state
            .as_ref()
            .context("apply returned no state")?;
        Ok(rmp_serde::from_slice(&state.msgpack)?)
    }

    /// Makes one `call` and returns how long it took, client side, end to end.
    pub async fn time(&mut self, call: Call) -> Result<Duration> {
        let start = Instant::now();
        match call {
            Call::GetProviderSchema => {
                get_provider_schema(&mut self.client).await?;
            }
            Call::ValidateResourceConfig => {
                let response = self
                    .client
                    .validate_resource_config(validate_resource_config::Request {
                        type_name: RESOURCE_TYPE.to_owned(),
                        config: encoded(&self.config),
                        client_capabilities: None,
                    })
                    .await
                    .context("ValidateResourceConfig failed")?
                    .into_inner();
                no_errors("ValidateResourceConfig", &response.diagnostics)?;
            }
            Call::PlanResourceChange => {
                self.plan().await?;
            }
            Call::ApplyResourceChange => {
                self.apply().await?;
            }
            Call::ReadResource => {
                let response = self
                    .client
                    .read_resource(read_resource::Request {
                        type_name: RESOURCE_TYPE.to_owned(),
                        current_state: self.applied.new_state.clone(),
                        private: self.applied.private.clone(),
                        provider_meta: dynamic(&Value::Null)?,
                        client_capabilities: None,
                    })
                    .await
                    .context("ReadResource failed")?
                    .into_inner();
                no_errors("ReadResource", &response.diagnostics)?;
            }
        }
        Ok(start.elapsed())
    }
}
