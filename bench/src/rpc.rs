//! A minimal Terraform-side client of protocol 6: the calls Terraform makes for one
//! `dagster_concurrency` resource, each timed on its own.

use crate::tfplugin6::*;
use anyhow::{bail, Context, Result};
use serde_json::{json, Map, Value};
use std::time::{Duration, Instant};
use tonic::client::Grpc;
use tonic::codec::ProstCodec;
use tonic::transport::Channel;

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
    grpc: Grpc<Channel>,
    config: Vec<u8>,
    planned: PlanResourceChangeResponse,
    applied: ApplyResourceChangeResponse,
}

async fn unary<Req, Resp>(grpc: &mut Grpc<Channel>, method: &str, request: Req) -> Result<Resp>
where
    Req: prost::Message + Send + Sync + 'static,
    Resp: prost::Message + Default + Send + Sync + 'static,
{
    grpc.ready().await?;
    let path = format!("/tfplugin6.Provider/{method}").parse()?;
    let response = grpc
        .unary(
            tonic::Request::new(request),
            path,
            ProstCodec::<Req, Resp>::default(),
        )
        .await
        .with_context(|| format!("{method} failed"))?;
    Ok(response.into_inner())
}

fn no_errors(method: &str, diagnostics: &[Diagnostic]) -> Result<()> {
    if let Some(error) = diagnostics.iter().find(|d| d.severity == SEVERITY_ERROR) {
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
        let absent = match nested.nesting {
            NESTING_SINGLE => Value::Null,
            NESTING_MAP => Value::Object(Map::new()),
            NESTING_GROUP => nested
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
pub fn seed_config(schema: &GetProviderSchemaResponse) -> Result<Value> {
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

/// `GetProviderSchema`, checked for errors.
pub async fn get_provider_schema(grpc: &mut Grpc<Channel>) -> Result<GetProviderSchemaResponse> {
    let schema: GetProviderSchemaResponse =
        unary(grpc, "GetProviderSchema", GetProviderSchemaRequest {}).await?;
    no_errors("GetProviderSchema", &schema.diagnostics)?;
    Ok(schema)
}

impl Session {
    /// Fetches the schema, configures the provider with an empty `provider "dagster"` block, then
    /// plans and applies the seed resource once to have the states later calls send.
    pub async fn open(channel: Channel) -> Result<Self> {
        let mut grpc = Grpc::new(channel);
        let schema = get_provider_schema(&mut grpc).await?;
        let provider_block = schema
            .provider
            .as_ref()
            .and_then(|s| s.block.as_ref())
            .context("the provider announces no provider schema")?;
        let configured: DiagnosticsResponse = unary(
            &mut grpc,
            "ConfigureProvider",
            ConfigureProviderRequest {
                terraform_version: "1.0.3".to_owned(),
                config: DynamicValue::msgpack(msgpack(&absent_object(provider_block))?),
            },
        )
        .await?;
        no_errors("ConfigureProvider", &configured.diagnostics)?;
        let config = msgpack(&seed_config(&schema)?)?;
        let mut session = Session {
            grpc,
            config,
            planned: PlanResourceChangeResponse::default(),
            applied: ApplyResourceChangeResponse::default(),
        };
        session.planned = session.plan().await?;
        session.applied = session.apply().await?;
        Ok(session)
    }

    async fn plan(&mut self) -> Result<PlanResourceChangeResponse> {
        let response: PlanResourceChangeResponse = unary(
            &mut self.grpc,
            "PlanResourceChange",
            PlanResourceChangeRequest {
                type_name: RESOURCE_TYPE.to_owned(),
                prior_state: DynamicValue::msgpack(msgpack(&Value::Null)?),
                proposed_new_state: DynamicValue::msgpack(self.config.clone()),
                config: DynamicValue::msgpack(self.config.clone()),
                provider_meta: DynamicValue::msgpack(msgpack(&Value::Null)?),
            },
        )
        .await?;
        no_errors("PlanResourceChange", &response.diagnostics)?;
        Ok(response)
    }

    async fn apply(&mut self) -> Result<ApplyResourceChangeResponse> {
        let response: ApplyResourceChangeResponse = unary(
            &mut self.grpc,
            "ApplyResourceChange",
            ApplyResourceChangeRequest {
                type_name: RESOURCE_TYPE.to_owned(),
                prior_state: DynamicValue::msgpack(msgpack(&Value::Null)?),
                planned_state: self.planned.planned_state.clone(),
                config: DynamicValue::msgpack(self.config.clone()),
                planned_private: self.planned.planned_private.clone(),
                provider_meta: DynamicValue::msgpack(msgpack(&Value::Null)?),
            },
        )
        .await?;
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
                get_provider_schema(&mut self.grpc).await?;
            }
            Call::ValidateResourceConfig => {
                let response: DiagnosticsResponse = unary(
                    &mut self.grpc,
                    "ValidateResourceConfig",
                    ValidateResourceConfigRequest {
                        type_name: RESOURCE_TYPE.to_owned(),
                        config: DynamicValue::msgpack(self.config.clone()),
                    },
                )
                .await?;
                no_errors("ValidateResourceConfig", &response.diagnostics)?;
            }
            Call::PlanResourceChange => {
                self.plan().await?;
            }
            Call::ApplyResourceChange => {
                self.apply().await?;
            }
            Call::ReadResource => {
                let response: ReadResourceResponse = unary(
                    &mut self.grpc,
                    "ReadResource",
                    ReadResourceRequest {
                        type_name: RESOURCE_TYPE.to_owned(),
                        current_state: self.applied.new_state.clone(),
                        private: self.applied.private.clone(),
                        provider_meta: DynamicValue::msgpack(msgpack(&Value::Null)?),
                    },
                )
                .await?;
                no_errors("ReadResource", &response.diagnostics)?;
            }
        }
        Ok(start.elapsed())
    }
}
