//! The few messages of Terraform's plugin protocol 6 that the latency benchmark sends, written as
//! prost structs with the protocol's field numbers. Fields the benchmark never reads are left out:
//! protobuf decoders skip unknown fields, so a partial message decodes a full one.

/// A value in Terraform's type system, encoded as MessagePack.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DynamicValue {
    /// The MessagePack encoding.
    #[prost(bytes = "vec", tag = "1")]
    pub msgpack: Vec<u8>,
}

impl DynamicValue {
    /// Wraps MessagePack bytes.
    pub fn msgpack(msgpack: Vec<u8>) -> Option<Self> {
        Some(DynamicValue { msgpack })
    }
}

/// One diagnostic of a response.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Diagnostic {
    /// 1 = error, 2 = warning.
    #[prost(int32, tag = "1")]
    pub severity: i32,
    /// One-line summary.
    #[prost(string, tag = "2")]
    pub summary: String,
    /// Detail.
    #[prost(string, tag = "3")]
    pub detail: String,
}

/// The protocol's error severity.
pub const SEVERITY_ERROR: i32 = 1;

/// `Schema`: a versioned block.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Schema {
    /// The block.
    #[prost(message, optional, tag = "2")]
    pub block: Option<Block>,
}

/// `Schema.Block`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Block {
    /// Attributes.
    #[prost(message, repeated, tag = "2")]
    pub attributes: Vec<Attribute>,
    /// Nested blocks.
    #[prost(message, repeated, tag = "3")]
    pub block_types: Vec<NestedBlock>,
}

/// `Schema.Attribute`: only its name matters to the benchmark.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Attribute {
    /// Attribute name.
    #[prost(string, tag = "1")]
    pub name: String,
}

/// `Schema.NestedBlock`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct NestedBlock {
    /// Block type name.
    #[prost(string, tag = "1")]
    pub type_name: String,
    /// The block's own schema.
    #[prost(message, optional, tag = "2")]
    pub block: Option<Block>,
    /// 1 single, 2 list, 3 set, 4 map, 5 group.
    #[prost(int32, tag = "3")]
    pub nesting: i32,
}

/// `NestingMode` values whose absent form is null rather than an empty collection.
pub const NESTING_SINGLE: i32 = 1;
/// `NestingMode.MAP`: absent is an empty map.
pub const NESTING_MAP: i32 = 4;
/// `NestingMode.GROUP`: absent is an object of nulls.
pub const NESTING_GROUP: i32 = 5;

/// `GetProviderSchema.Request`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetProviderSchemaRequest {}

/// `GetProviderSchema.Response`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GetProviderSchemaResponse {
    /// The provider block's schema.
    #[prost(message, optional, tag = "1")]
    pub provider: Option<Schema>,
    /// Resource schemas by type name.
    #[prost(map = "string, message", tag = "2")]
    pub resource_schemas: std::collections::HashMap<String, Schema>,
    /// Data source schemas by type name.
    #[prost(map = "string, message", tag = "3")]
    pub data_source_schemas: std::collections::HashMap<String, Schema>,
    /// Diagnostics.
    #[prost(message, repeated, tag = "4")]
    pub diagnostics: Vec<Diagnostic>,
}

/// `ConfigureProvider.Request`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ConfigureProviderRequest {
    /// The calling Terraform's version.
    #[prost(string, tag = "1")]
    pub terraform_version: String,
    /// The provider block.
    #[prost(message, optional, tag = "2")]
    pub config: Option<DynamicValue>,
}

/// A response that carries only diagnostics at field 1 (`ConfigureProvider`,
/// `ValidateResourceConfig`).
#[derive(Clone, PartialEq, prost::Message)]
pub struct DiagnosticsResponse {
    /// Diagnostics.
    #[prost(message, repeated, tag = "1")]
    pub diagnostics: Vec<Diagnostic>,
}

/// `ValidateResourceConfig.Request`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ValidateResourceConfigRequest {
    /// Resource type.
    #[prost(string, tag = "1")]
    pub type_name: String,
    /// The resource block.
    #[prost(message, optional, tag = "2")]
    pub config: Option<DynamicValue>,
}

/// `PlanResourceChange.Request`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PlanResourceChangeRequest {
    /// Resource type.
    #[prost(string, tag = "1")]
    pub type_name: String,
    /// State before (null on create).
    #[prost(message, optional, tag = "2")]
    pub prior_state: Option<DynamicValue>,
    /// Configuration merged over the prior state.
    #[prost(message, optional, tag = "3")]
    pub proposed_new_state: Option<DynamicValue>,
    /// The resource block.
    #[prost(message, optional, tag = "4")]
    pub config: Option<DynamicValue>,
    /// The provider_meta block (null when there is none; Terraform always sends it).
    #[prost(message, optional, tag = "6")]
    pub provider_meta: Option<DynamicValue>,
}

/// `PlanResourceChange.Response`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PlanResourceChangeResponse {
    /// The planned state.
    #[prost(message, optional, tag = "1")]
    pub planned_state: Option<DynamicValue>,
    /// Provider-private data to hand to apply.
    #[prost(bytes = "vec", tag = "3")]
    pub planned_private: Vec<u8>,
    /// Diagnostics.
    #[prost(message, repeated, tag = "4")]
    pub diagnostics: Vec<Diagnostic>,
}

/// `ApplyResourceChange.Request`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ApplyResourceChangeRequest {
    /// Resource type.
    #[prost(string, tag = "1")]
    pub type_name: String,
    /// State before (null on create).
    #[prost(message, optional, tag = "2")]
    pub prior_state: Option<DynamicValue>,
    /// What plan returned.
    #[prost(message, optional, tag = "3")]
    pub planned_state: Option<DynamicValue>,
    /// The resource block.
    #[prost(message, optional, tag = "4")]
    pub config: Option<DynamicValue>,
    /// What plan returned as private data.
    #[prost(bytes = "vec", tag = "5")]
    pub planned_private: Vec<u8>,
    /// The provider_meta block (null when there is none; Terraform always sends it).
    #[prost(message, optional, tag = "6")]
    pub provider_meta: Option<DynamicValue>,
}

/// `ApplyResourceChange.Response`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ApplyResourceChangeResponse {
    /// The new state.
    #[prost(message, optional, tag = "1")]
    pub new_state: Option<DynamicValue>,
    /// Provider-private data to keep in state.
    #[prost(bytes = "vec", tag = "2")]
    pub private: Vec<u8>,
    /// Diagnostics.
    #[prost(message, repeated, tag = "3")]
    pub diagnostics: Vec<Diagnostic>,
}

/// `ReadResource.Request`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ReadResourceRequest {
    /// Resource type.
    #[prost(string, tag = "1")]
    pub type_name: String,
    /// The state to refresh.
    #[prost(message, optional, tag = "2")]
    pub current_state: Option<DynamicValue>,
    /// Provider-private data from state.
    #[prost(bytes = "vec", tag = "3")]
    pub private: Vec<u8>,
    /// The provider_meta block (null when there is none; Terraform always sends it).
    #[prost(message, optional, tag = "4")]
    pub provider_meta: Option<DynamicValue>,
}

/// `ReadResource.Response`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ReadResourceResponse {
    /// The refreshed state.
    #[prost(message, optional, tag = "1")]
    pub new_state: Option<DynamicValue>,
    /// Diagnostics.
    #[prost(message, repeated, tag = "2")]
    pub diagnostics: Vec<Diagnostic>,
}
