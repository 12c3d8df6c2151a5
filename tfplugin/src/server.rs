//! The `tfplugin6.Provider` service: decodes each request against the schema, applies the
//! behaviour the schema declares, calls the provider, and encodes the answer. Every call runs in
//! its own task, so a panic in a provider becomes an error diagnostic for that call and the
//! server keeps serving. RPCs this layer does not offer answer with an error diagnostic.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::proto::service::tfplugin6::provider_server;
use crate::proto::tfplugin6::{self as pb, DynamicValue};
use crate::provider::{DataSource, Provider, Resource, StateUpgrader};
use crate::schema::Schema;
use crate::value::{from_json, from_msgpack, to_msgpack, Type, Value};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use tonic::{Request, Response, Status};

/// A resource type with its schema, read once.
struct Managed {
    resource: Arc<dyn Resource>,
    schema: Schema,
    value_type: Type,
}

/// A data source type with its schema, read once.
struct Data {
    data_source: Arc<dyn DataSource>,
    schema: Schema,
    value_type: Type,
}

/// The provider and every schema, read once at start.
struct Registry {
    provider: Arc<dyn Provider>,
    schema: Schema,
    value_type: Type,
    resources: BTreeMap<String, Managed>,
    data_sources: BTreeMap<String, Data>,
}

/// The protocol 6 service for one provider.
#[derive(Clone)]
pub struct ProviderService {
    registry: Arc<Registry>,
}

/// The capabilities this layer offers: destroy plans are answered (a null plan), and the schema
/// never changes within a release, so Terraform may cache it.
const CAPABILITIES: pb::ServerCapabilities = pb::ServerCapabilities {
    plan_destroy: true,
    get_provider_schema_optional: true,
    move_resource_state: false,
};

impl ProviderService {
    /// Reads the provider's schemas and registry.
    pub fn new(provider: impl Provider) -> Self {
        let schema = provider.schema();
        let resources = provider
            .resources()
            .into_iter()
            .map(|(name, resource)| {
                let schema = resource.schema();
                let value_type = schema.block.value_type();
                (
                    name,
                    Managed {
                        resource,
                        schema,
                        value_type,
                    },
                )
            })
            .collect();
        let data_sources = provider
            .data_sources()
            .into_iter()
            .map(|(name, data_source)| {
                let schema = data_source.schema();
                let value_type = schema.block.value_type();
                (
                    name,
                    Data {
                        data_source,
                        schema,
                        value_type,
                    },
                )
            })
            .collect();
        ProviderService {
            registry: Arc::new(Registry {
                value_type: schema.block.value_type(),
                schema,
                provider: Arc::new(provider),
                resources,
                data_sources,
            }),
        }
    }

    /// The tonic service.
    pub fn into_server(self) -> provider_server::ProviderServer<Self> {
        provider_server::ProviderServer::new(self)
    }

    /// The wire form of every schema (`GetProviderSchema`).
    pub fn provider_schema(&self) -> pb::get_provider_schema::Response {
        let registry = &self.registry;
        pb::get_provider_schema::Response {
            provider: Some(registry.schema.to_proto()),
            resource_schemas: registry
                .resources
                .iter()
                .map(|(name, managed)| (name.clone(), managed.schema.to_proto()))
                .collect(),
            data_source_schemas: registry
                .data_sources
                .iter()
                .map(|(name, data)| (name.clone(), data.schema.to_proto()))
                .collect(),
            provider_meta: Some(
                Schema {
                    version: 0,
                    block: Default::default(),
                }
                .to_proto(),
            ),
            server_capabilities: Some(CAPABILITIES),
            ..Default::default()
        }
    }

    fn resource(&self, name: &str) -> Result<&Managed, Diagnostic> {
        self.registry
            .resources
            .get(name)
            .ok_or_else(|| unknown_type("resource", name))
    }

    fn data_source(&self, name: &str) -> Result<&Data, Diagnostic> {
        self.registry
            .data_sources
            .get(name)
            .ok_or_else(|| unknown_type("data source", name))
    }
}

fn unknown_type(kind: &str, name: &str) -> Diagnostic {
    Diagnostic::error(
        format!("unknown {kind} type {name:?}"),
        format!(
            "This provider has no {kind} of that type; check the name and the provider version."
        ),
    )
}

/// Decodes a value Terraform sent (null when absent).
fn decode(value: Option<&DynamicValue>, t: &Type) -> Result<Value, Diagnostic> {
    let undecodable = |e: crate::value::DecodeError| {
        Diagnostic::error(
            "the provider could not read a value Terraform sent",
            format!("Decoding it failed {e}. This is a bug in the provider or a Terraform version it does not support."),
        )
    };
    match value {
        Some(v) if !v.msgpack.is_empty() => from_msgpack(&v.msgpack, t).map_err(undecodable),
        Some(v) if !v.json.is_empty() => {
            let json = serde_json::from_slice(&v.json).map_err(|e| {
                undecodable(crate::value::DecodeError {
                    path: String::new(),
                    message: e.to_string(),
                })
            })?;
            from_json(&json, t).map_err(undecodable)
        }
        _ => Ok(Value::Null),
    }
}

/// Encodes a value for Terraform.
fn encode(value: &Value, t: &Type) -> Result<DynamicValue, Diagnostic> {
    let msgpack = to_msgpack(value, t).map_err(|e| {
        Diagnostic::error(
            "the provider produced a value that does not fit its schema",
            format!("Encoding it failed {e}. This is a bug in the provider."),
        )
    })?;
    Ok(DynamicValue {
        msgpack,
        json: Vec::new(),
    })
}

/// Runs a provider step in its own task, so that a panic is reported, not fatal.
async fn caught<T: Send + 'static>(
    rpc: &str,
    step: impl Future<Output = T> + Send + 'static,
) -> Result<T, Diagnostic> {
    tracing::debug!(rpc, "serving a call");
    tokio::spawn(step).await.map_err(|error| {
        let cause = match error.try_into_panic() {
            Ok(payload) => payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned()),
            Err(_) => "the task was cancelled".to_owned(),
        };
        tracing::error!(rpc, cause, "provider panicked");
        Diagnostic::error(
            format!("the provider failed in {rpc}"),
            format!("It panicked ({cause}). This is a bug in the provider: please report it with the configuration that caused it."),
        )
    })
}

/// The diagnostics of a step that failed before it produced anything.
fn failed(diagnostic: Diagnostic) -> Vec<pb::Diagnostic> {
    vec![diagnostic.to_proto()]
}

/// An RPC this layer does not offer.
fn unsupported(rpc: &str) -> Vec<pb::Diagnostic> {
    failed(Diagnostic::error(
        format!("{rpc} is not supported by this provider"),
        "The provider offers no resource, data source or function that needs it; upgrade the provider if a newer version documents it.",
    ))
}

// The error type is tonic's, fixed by the generated trait.
#[allow(clippy::result_large_err)]
fn ok<T>(message: T) -> Result<Response<T>, Status> {
    Ok(Response::new(message))
}

/// Runs the state upgraders from `version` to `current`.
fn upgrade(
    upgraders: &[StateUpgrader],
    mut version: i64,
    current: i64,
    mut state: serde_json::Value,
    diags: &mut Diagnostics,
) -> Option<serde_json::Value> {
    if version > current {
        diags.error(
            "the state was written by a newer version of the provider",
            format!("It has schema version {version}; this provider knows up to {current}. Use the newer provider version, or restore an older state."),
        );
        return None;
    }
    while version < current {
        let Some(upgrader) = upgraders.iter().find(|u| u.from_version == version) else {
            diags.error(
                format!("no state upgrade from schema version {version}"),
                "This provider cannot read state that old; apply it with an intermediate provider version first.",
            );
            return None;
        };
        state = (upgrader.upgrade)(state, diags)?;
        version += 1;
    }
    Some(state)
}

#[tonic::async_trait]
impl provider_server::Provider for ProviderService {
    async fn get_metadata(
        &self,
        _: Request<pb::get_metadata::Request>,
    ) -> Result<Response<pb::get_metadata::Response>, Status> {
        tracing::debug!(rpc = "GetMetadata", "serving a call");
        let names = |names: Vec<&String>| {
            names
                .into_iter()
                .map(|n| pb::get_metadata::TypeName {
                    type_name: n.clone(),
                })
                .collect()
        };
        ok(pb::get_metadata::Response {
            server_capabilities: Some(CAPABILITIES),
            resources: names(self.registry.resources.keys().collect()),
            data_sources: names(self.registry.data_sources.keys().collect()),
            ..Default::default()
        })
    }

    async fn get_provider_schema(
        &self,
        _: Request<pb::get_provider_schema::Request>,
    ) -> Result<Response<pb::get_provider_schema::Response>, Status> {
        tracing::debug!(rpc = "GetProviderSchema", "serving a call");
        ok(self.provider_schema())
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> Result<Response<pb::validate_provider_config::Response>, Status> {
        let request = request.into_inner();
        let registry = self.registry.clone();
        let diagnostics = match decode(request.config.as_ref(), &registry.value_type) {
            Err(d) => failed(d),
            Ok(config) => caught("ValidateProviderConfig", async move {
                let mut diags = Diagnostics::default();
                registry.provider.validate(&config, &mut diags).await;
                diags
            })
            .await
            .map_or_else(failed, |d| d.to_proto()),
        };
        ok(pb::validate_provider_config::Response { diagnostics })
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> Result<Response<pb::validate_resource_config::Response>, Status> {
        let request = request.into_inner();
        let diagnostics = match self.resource(&request.type_name).and_then(|m| {
            Ok((
                m.resource.clone(),
                decode(request.config.as_ref(), &m.value_type)?,
            ))
        }) {
            Err(d) => failed(d),
            Ok((resource, config)) => caught("ValidateResourceConfig", async move {
                let mut diags = Diagnostics::default();
                resource.validate(&config, &mut diags).await;
                diags
            })
            .await
            .map_or_else(failed, |d| d.to_proto()),
        };
        ok(pb::validate_resource_config::Response { diagnostics })
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> Result<Response<pb::validate_data_resource_config::Response>, Status> {
        let request = request.into_inner();
        let diagnostics = match self.data_source(&request.type_name).and_then(|d| {
            Ok((
                d.data_source.clone(),
                decode(request.config.as_ref(), &d.value_type)?,
            ))
        }) {
            Err(d) => failed(d),
            Ok((data_source, config)) => caught("ValidateDataResourceConfig", async move {
                let mut diags = Diagnostics::default();
                data_source.validate(&config, &mut diags).await;
                diags
            })
            .await
            .map_or_else(failed, |d| d.to_proto()),
        };
        ok(pb::validate_data_resource_config::Response { diagnostics })
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> Result<Response<pb::upgrade_resource_state::Response>, Status> {
        let request = request.into_inner();
        let managed = match self.resource(&request.type_name) {
            Ok(managed) => managed,
            Err(d) => {
                return ok(pb::upgrade_resource_state::Response {
                    upgraded_state: None,
                    diagnostics: failed(d),
                })
            }
        };
        let raw = request.raw_state.unwrap_or_default();
        let mut diags = Diagnostics::default();
        let upgraded = if raw.json.is_empty() {
            diags.error(
                "the state is in Terraform 0.11's flatmap format",
                "This provider reads only JSON state; apply the configuration once with Terraform 0.12 or later first.",
            );
            None
        } else {
            match serde_json::from_slice(&raw.json) {
                Ok(json) => {
                    let upgraders = managed.resource.state_upgraders();
                    let (version, current) = (request.version, managed.schema.version);
                    let upgraded = caught("UpgradeResourceState", async move {
                        let mut diags = Diagnostics::default();
                        let state = upgrade(&upgraders, version, current, json, &mut diags);
                        (state, diags)
                    })
                    .await;
                    match upgraded {
                        Ok((state, upgrade_diags)) => {
                            diags.0.extend(upgrade_diags.0);
                            state
                        }
                        Err(d) => {
                            diags.push(d);
                            None
                        }
                    }
                }
                Err(e) => {
                    diags.error(
                        "the stored state is not JSON",
                        format!("Reading it failed: {e}. Restore the state file from a backup."),
                    );
                    None
                }
            }
        };
        let upgraded_state = upgraded.and_then(|json| {
            match from_json(&json, &managed.value_type)
                .map_err(|e| {
                    Diagnostic::error(
                        "the stored state does not fit the schema",
                        format!("Reading it failed {e}. This provider version has no upgrade for it: report it with the state's schema version."),
                    )
                })
                .and_then(|value| encode(&value, &managed.value_type))
            {
                Ok(encoded) => Some(encoded),
                Err(d) => {
                    diags.push(d);
                    None
                }
            }
        });
        ok(pb::upgrade_resource_state::Response {
            upgraded_state,
            diagnostics: diags.to_proto(),
        })
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> Result<Response<pb::configure_provider::Response>, Status> {
        let request = request.into_inner();
        let registry = self.registry.clone();
        let diagnostics = match decode(request.config.as_ref(), &registry.value_type) {
            Err(d) => failed(d),
            Ok(config) => caught("ConfigureProvider", async move {
                let mut diags = Diagnostics::default();
                registry
                    .provider
                    .configure(&request.terraform_version, &config, &mut diags)
                    .await;
                diags
            })
            .await
            .map_or_else(failed, |d| d.to_proto()),
        };
        ok(pb::configure_provider::Response { diagnostics })
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> Result<Response<pb::read_resource::Response>, Status> {
        let request = request.into_inner();
        let outcome = async {
            let managed = self.resource(&request.type_name)?;
            let state = decode(request.current_state.as_ref(), &managed.value_type)?;
            let resource = managed.resource.clone();
            let (state, diags) = caught("ReadResource", async move {
                let mut diags = Diagnostics::default();
                (resource.read(state, &mut diags).await, diags)
            })
            .await?;
            let new_state = state.map(|s| encode(&s, &managed.value_type)).transpose()?;
            Ok::<_, Diagnostic>((new_state, diags))
        }
        .await;
        ok(match outcome {
            Ok((new_state, diags)) => pb::read_resource::Response {
                new_state,
                diagnostics: diags.to_proto(),
                private: request.private,
                deferred: None,
            },
            Err(d) => pb::read_resource::Response {
                diagnostics: failed(d),
                ..Default::default()
            },
        })
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> Result<Response<pb::plan_resource_change::Response>, Status> {
        let request = request.into_inner();
        let outcome = async {
            let managed = self.resource(&request.type_name)?;
            let t = &managed.value_type;
            let prior = decode(request.prior_state.as_ref(), t)?;
            let proposed = decode(request.proposed_new_state.as_ref(), t)?;
            if proposed.is_null() {
                // A destroy: nothing to compute.
                return Ok((
                    Some(encode(&Value::Null, t)?),
                    Vec::new(),
                    Diagnostics::default(),
                ));
            }
            let config = decode(request.config.as_ref(), t)?;
            let block = managed.schema.block.clone();
            let resource = managed.resource.clone();
            let (planned, diags) = caught("PlanResourceChange", async move {
                let mut diags = Diagnostics::default();
                let mut proposed = proposed;
                block.apply_defaults(&config, &mut proposed);
                let planned = resource.plan(&prior, proposed, &config, &mut diags).await;
                let replaced = planned
                    .as_ref()
                    .map(|p| block.replaced(&prior, p))
                    .unwrap_or_default();
                ((planned, replaced), diags)
            })
            .await?;
            let (planned, replaced) = planned;
            let planned_state = planned.map(|p| encode(&p, t)).transpose()?;
            Ok::<_, Diagnostic>((planned_state, replaced, diags))
        }
        .await;
        ok(match outcome {
            Ok((planned_state, replaced, diags)) => pb::plan_resource_change::Response {
                planned_state,
                requires_replace: replaced.iter().map(|p| p.to_proto()).collect(),
                planned_private: request.prior_private,
                diagnostics: diags.to_proto(),
                ..Default::default()
            },
            Err(d) => pb::plan_resource_change::Response {
                diagnostics: failed(d),
                ..Default::default()
            },
        })
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> Result<Response<pb::apply_resource_change::Response>, Status> {
        let request = request.into_inner();
        let outcome = async {
            let managed = self.resource(&request.type_name)?;
            let t = &managed.value_type;
            let prior = decode(request.prior_state.as_ref(), t)?;
            let planned = decode(request.planned_state.as_ref(), t)?;
            let config = decode(request.config.as_ref(), t)?;
            let resource = managed.resource.clone();
            let (state, diags) = caught("ApplyResourceChange", async move {
                let mut diags = Diagnostics::default();
                let state = if planned.is_null() {
                    resource.delete(&prior, &mut diags).await;
                    Some(Value::Null)
                } else {
                    resource.apply(&prior, planned, &config, &mut diags).await
                };
                (state, diags)
            })
            .await?;
            let new_state = state.map(|s| encode(&s, t)).transpose()?;
            Ok::<_, Diagnostic>((new_state, diags))
        }
        .await;
        ok(match outcome {
            Ok((new_state, diags)) => pb::apply_resource_change::Response {
                new_state,
                private: request.planned_private,
                diagnostics: diags.to_proto(),
                legacy_type_system: false,
            },
            Err(d) => pb::apply_resource_change::Response {
                diagnostics: failed(d),
                ..Default::default()
            },
        })
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> Result<Response<pb::import_resource_state::Response>, Status> {
        let request = request.into_inner();
        let outcome = async {
            let managed = self.resource(&request.type_name)?;
            let resource = managed.resource.clone();
            let id = request.id.clone();
            let (state, diags) = caught("ImportResourceState", async move {
                let mut diags = Diagnostics::default();
                (resource.import(&id, &mut diags).await, diags)
            })
            .await?;
            let state = state.map(|s| encode(&s, &managed.value_type)).transpose()?;
            Ok::<_, Diagnostic>((state, diags))
        }
        .await;
        ok(match outcome {
            Ok((state, diags)) => pb::import_resource_state::Response {
                imported_resources: state
                    .map(|state| pb::import_resource_state::ImportedResource {
                        type_name: request.type_name.clone(),
                        state: Some(state),
                        private: Vec::new(),
                    })
                    .into_iter()
                    .collect(),
                diagnostics: diags.to_proto(),
                deferred: None,
            },
            Err(d) => pb::import_resource_state::Response {
                diagnostics: failed(d),
                ..Default::default()
            },
        })
    }

    async fn move_resource_state(
        &self,
        _: Request<pb::move_resource_state::Request>,
    ) -> Result<Response<pb::move_resource_state::Response>, Status> {
        ok(pb::move_resource_state::Response {
            diagnostics: unsupported("MoveResourceState"),
            ..Default::default()
        })
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> Result<Response<pb::read_data_source::Response>, Status> {
        let request = request.into_inner();
        let outcome = async {
            let data = self.data_source(&request.type_name)?;
            let config = decode(request.config.as_ref(), &data.value_type)?;
            let data_source = data.data_source.clone();
            let block = data.schema.block.clone();
            let (state, diags) = caught("ReadDataSource", async move {
                let mut diags = Diagnostics::default();
                let mut filled = config.clone();
                block.apply_defaults(&config, &mut filled);
                (data_source.read(filled, &mut diags).await, diags)
            })
            .await?;
            let state = state.map(|s| encode(&s, &data.value_type)).transpose()?;
            Ok::<_, Diagnostic>((state, diags))
        }
        .await;
        ok(match outcome {
            Ok((state, diags)) => pb::read_data_source::Response {
                state,
                diagnostics: diags.to_proto(),
                deferred: None,
            },
            Err(d) => pb::read_data_source::Response {
                diagnostics: failed(d),
                ..Default::default()
            },
        })
    }

    async fn validate_ephemeral_resource_config(
        &self,
        _: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> Result<Response<pb::validate_ephemeral_resource_config::Response>, Status> {
        ok(pb::validate_ephemeral_resource_config::Response {
            diagnostics: unsupported("ValidateEphemeralResourceConfig"),
        })
    }

    async fn open_ephemeral_resource(
        &self,
        _: Request<pb::open_ephemeral_resource::Request>,
    ) -> Result<Response<pb::open_ephemeral_resource::Response>, Status> {
        ok(pb::open_ephemeral_resource::Response {
            diagnostics: unsupported("OpenEphemeralResource"),
            ..Default::default()
        })
    }

    async fn renew_ephemeral_resource(
        &self,
        _: Request<pb::renew_ephemeral_resource::Request>,
    ) -> Result<Response<pb::renew_ephemeral_resource::Response>, Status> {
        ok(pb::renew_ephemeral_resource::Response {
            diagnostics: unsupported("RenewEphemeralResource"),
            ..Default::default()
        })
    }

    async fn close_ephemeral_resource(
        &self,
        _: Request<pb::close_ephemeral_resource::Request>,
    ) -> Result<Response<pb::close_ephemeral_resource::Response>, Status> {
        ok(pb::close_ephemeral_resource::Response {
            diagnostics: unsupported("CloseEphemeralResource"),
        })
    }

    async fn get_functions(
        &self,
        _: Request<pb::get_functions::Request>,
    ) -> Result<Response<pb::get_functions::Response>, Status> {
        ok(pb::get_functions::Response::default())
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> Result<Response<pb::call_function::Response>, Status> {
        ok(pb::call_function::Response {
            result: None,
            error: Some(pb::FunctionError {
                text: format!(
                    "this provider has no function {:?}",
                    request.into_inner().name
                ),
                function_argument: None,
            }),
        })
    }

    async fn stop_provider(
        &self,
        _: Request<pb::stop_provider::Request>,
    ) -> Result<Response<pb::stop_provider::Response>, Status> {
        // Every call is short and holds nothing to cancel.
        ok(pb::stop_provider::Response::default())
    }
}
