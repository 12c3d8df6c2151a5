//! Protocol 6 messages (package `tfplugin6`). Names follow the protocol: a message `A.B` is `a::B`
//! here. Every field carries the protocol's field number; fields are documented where their
//! meaning is not in their name.

use std::collections::HashMap;

/// A Terraform value, encoded as MessagePack (what Terraform sends) or JSON.
#[derive(Clone, PartialEq, prost::Message)]
pub struct DynamicValue {
    /// The MessagePack encoding.
    #[prost(bytes = "vec", tag = "1")]
    pub msgpack: Vec<u8>,
    /// The JSON encoding (no unknown values).
    #[prost(bytes = "vec", tag = "2")]
    pub json: Vec<u8>,
}

/// A warning or error for the user.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Diagnostic {
    /// See [`Severity`].
    #[prost(enumeration = "Severity", tag = "1")]
    pub severity: i32,
    /// One line.
    #[prost(string, tag = "2")]
    pub summary: String,
    /// Sentences: what was expected and what to do.
    #[prost(string, tag = "3")]
    pub detail: String,
    /// The attribute the diagnostic is about, if any.
    #[prost(message, optional, tag = "4")]
    pub attribute: Option<AttributePath>,
}

/// `Diagnostic.Severity`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum Severity {
    /// Not set.
    Invalid = 0,
    /// Stops the operation.
    Error = 1,
    /// Shown, the operation goes on.
    Warning = 2,
}

/// The error of a provider function call.
#[derive(Clone, PartialEq, prost::Message)]
pub struct FunctionError {
    /// What went wrong.
    #[prost(string, tag = "1")]
    pub text: String,
    /// Which argument, by position.
    #[prost(int64, optional, tag = "2")]
    pub function_argument: Option<i64>,
}

/// A path into a value: attribute names and collection keys.
#[derive(Clone, PartialEq, prost::Message)]
pub struct AttributePath {
    /// From the root.
    #[prost(message, repeated, tag = "1")]
    pub steps: Vec<attribute_path::Step>,
}

/// `AttributePath`'s nested messages.
pub mod attribute_path {
    /// One step of a path.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Step {
        /// Which kind of step.
        #[prost(oneof = "Selector", tags = "1, 2, 3")]
        pub selector: Option<Selector>,
    }

    /// `Step.selector`.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Selector {
        /// An attribute of an object.
        #[prost(string, tag = "1")]
        AttributeName(String),
        /// A map key.
        #[prost(string, tag = "2")]
        ElementKeyString(String),
        /// A list index.
        #[prost(int64, tag = "3")]
        ElementKeyInt(i64),
    }
}

/// The state of a resource as stored, to be upgraded: JSON, or the legacy flatmap.
#[derive(Clone, PartialEq, prost::Message)]
pub struct RawState {
    /// JSON, as in the state file.
    #[prost(bytes = "vec", tag = "1")]
    pub json: Vec<u8>,
    /// Terraform 0.11's flat map (never written by a protocol 6 provider).
    #[prost(map = "string, string", tag = "2")]
    pub flatmap: HashMap<String, String>,
}

/// How a description is formatted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum StringKind {
    /// Plain text.
    Plain = 0,
    /// Markdown.
    Markdown = 1,
}

/// A versioned schema of a provider block, resource or data source.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Schema {
    /// Raised when the state's shape changes; `UpgradeResourceState` gets the stored version.
    #[prost(int64, tag = "1")]
    pub version: i64,
    /// The top-level block.
    #[prost(message, optional, tag = "2")]
    pub block: Option<schema::Block>,
}

/// `Schema`'s nested messages.
pub mod schema {
    /// A block: attributes and nested blocks.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Block {
        /// Unused by Terraform.
        #[prost(int64, tag = "1")]
        pub version: i64,
        /// Attributes.
        #[prost(message, repeated, tag = "2")]
        pub attributes: Vec<Attribute>,
        /// Nested block types.
        #[prost(message, repeated, tag = "3")]
        pub block_types: Vec<NestedBlock>,
        /// Documentation.
        #[prost(string, tag = "4")]
        pub description: String,
        /// See [`super::StringKind`].
        #[prost(enumeration = "super::StringKind", tag = "5")]
        pub description_kind: i32,
        /// Deprecated.
        #[prost(bool, tag = "6")]
        pub deprecated: bool,
    }

    /// An attribute.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Attribute {
        /// Name.
        #[prost(string, tag = "1")]
        pub name: String,
        /// The type, as Terraform's JSON type notation (empty with `nested_type`).
        #[prost(bytes = "vec", tag = "2")]
        pub r#type: Vec<u8>,
        /// Nested attributes (protocol 6), instead of `type`.
        #[prost(message, optional, tag = "10")]
        pub nested_type: Option<Object>,
        /// Documentation.
        #[prost(string, tag = "3")]
        pub description: String,
        /// The user must set it.
        #[prost(bool, tag = "4")]
        pub required: bool,
        /// The user may set it.
        #[prost(bool, tag = "5")]
        pub optional: bool,
        /// The provider may set it.
        #[prost(bool, tag = "6")]
        pub computed: bool,
        /// Hidden in plans and output.
        #[prost(bool, tag = "7")]
        pub sensitive: bool,
        /// See [`super::StringKind`].
        #[prost(enumeration = "super::StringKind", tag = "8")]
        pub description_kind: i32,
        /// Deprecated.
        #[prost(bool, tag = "9")]
        pub deprecated: bool,
        /// Never stored in state or plan (protocol 6.8).
        #[prost(bool, tag = "11")]
        pub write_only: bool,
    }

    /// A nested block type.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct NestedBlock {
        /// Block type name.
        #[prost(string, tag = "1")]
        pub type_name: String,
        /// Its content.
        #[prost(message, optional, tag = "2")]
        pub block: Option<Block>,
        /// See [`nested_block::NestingMode`].
        #[prost(enumeration = "nested_block::NestingMode", tag = "3")]
        pub nesting: i32,
        /// Fewest blocks.
        #[prost(int64, tag = "4")]
        pub min_items: i64,
        /// Most blocks (0: no limit).
        #[prost(int64, tag = "5")]
        pub max_items: i64,
    }

    /// `NestedBlock`'s enum.
    pub mod nested_block {
        /// How many blocks and of what shape.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
        #[repr(i32)]
        pub enum NestingMode {
            /// Not set.
            Invalid = 0,
            /// At most one; absent is null.
            Single = 1,
            /// An ordered list.
            List = 2,
            /// A set.
            Set = 3,
            /// Labelled blocks.
            Map = 4,
            /// Exactly one; absent is an object of nulls.
            Group = 5,
        }
    }

    /// The attributes of a nested attribute.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Object {
        /// Attributes.
        #[prost(message, repeated, tag = "1")]
        pub attributes: Vec<Attribute>,
        /// See [`object::NestingMode`].
        #[prost(enumeration = "object::NestingMode", tag = "3")]
        pub nesting: i32,
        /// Never used by Terraform.
        #[prost(int64, tag = "4")]
        pub min_items: i64,
        /// Never used by Terraform.
        #[prost(int64, tag = "5")]
        pub max_items: i64,
    }

    /// `Object`'s enum.
    pub mod object {
        /// How the nested attribute's objects are collected.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
        #[repr(i32)]
        pub enum NestingMode {
            /// Not set.
            Invalid = 0,
            /// One object.
            Single = 1,
            /// A list of objects.
            List = 2,
            /// A set of objects.
            Set = 3,
            /// A map of objects.
            Map = 4,
        }
    }
}

/// A provider function's signature.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Function {
    /// Positional parameters.
    #[prost(message, repeated, tag = "1")]
    pub parameters: Vec<function::Parameter>,
    /// A last parameter taking any number of arguments.
    #[prost(message, optional, tag = "2")]
    pub variadic_parameter: Option<function::Parameter>,
    /// The result.
    #[prost(message, optional, tag = "3")]
    pub r#return: Option<function::Return>,
    /// Short documentation.
    #[prost(string, tag = "4")]
    pub summary: String,
    /// Documentation.
    #[prost(string, tag = "5")]
    pub description: String,
    /// See [`StringKind`].
    #[prost(enumeration = "StringKind", tag = "6")]
    pub description_kind: i32,
    /// Set when deprecated.
    #[prost(string, tag = "7")]
    pub deprecation_message: String,
}

/// `Function`'s nested messages.
pub mod function {
    /// A parameter.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Parameter {
        /// Display name.
        #[prost(string, tag = "1")]
        pub name: String,
        /// Type constraint, JSON type notation.
        #[prost(bytes = "vec", tag = "2")]
        pub r#type: Vec<u8>,
        /// Null arguments reach the provider.
        #[prost(bool, tag = "3")]
        pub allow_null_value: bool,
        /// Unknown arguments reach the provider.
        #[prost(bool, tag = "4")]
        pub allow_unknown_values: bool,
        /// Documentation.
        #[prost(string, tag = "5")]
        pub description: String,
        /// See [`super::StringKind`].
        #[prost(enumeration = "super::StringKind", tag = "6")]
        pub description_kind: i32,
    }

    /// The result.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Return {
        /// Type, JSON type notation.
        #[prost(bytes = "vec", tag = "1")]
        pub r#type: Vec<u8>,
    }
}

/// Optional protocol features the provider supports.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ServerCapabilities {
    /// `PlanResourceChange` is called for destroys too.
    #[prost(bool, tag = "1")]
    pub plan_destroy: bool,
    /// Terraform may use a cached schema instead of calling `GetProviderSchema`.
    #[prost(bool, tag = "2")]
    pub get_provider_schema_optional: bool,
    /// `MoveResourceState` is implemented.
    #[prost(bool, tag = "3")]
    pub move_resource_state: bool,
}

/// Optional protocol features Terraform supports.
#[derive(Clone, PartialEq, prost::Message)]
pub struct ClientCapabilities {
    /// Terraform accepts deferred changes.
    #[prost(bool, tag = "1")]
    pub deferral_allowed: bool,
    /// Terraform handles write-only attributes.
    #[prost(bool, tag = "2")]
    pub write_only_attributes_allowed: bool,
}

/// A change deferred to a later plan.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Deferred {
    /// 1 resource configuration unknown, 2 provider configuration unknown, 3 absent prerequisite.
    #[prost(int32, tag = "1")]
    pub reason: i32,
}

/// `google.protobuf.Timestamp`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Timestamp {
    /// Seconds since the Unix epoch.
    #[prost(int64, tag = "1")]
    pub seconds: i64,
    /// Nanoseconds within the second.
    #[prost(int32, tag = "2")]
    pub nanos: i32,
}

/// `GetMetadata`: capabilities and type names without the schemas.
pub mod get_metadata {
    use super::{Diagnostic, ServerCapabilities};

    /// Empty.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Request {}

    /// What the provider offers.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Response {
        /// Capabilities.
        #[prost(message, optional, tag = "1")]
        pub server_capabilities: Option<ServerCapabilities>,
        /// Diagnostics.
        #[prost(message, repeated, tag = "2")]
        pub diagnostics: Vec<Diagnostic>,
        /// Data source types.
        #[prost(message, repeated, tag = "3")]
        pub data_sources: Vec<TypeName>,
        /// Resource types.
        #[prost(message, repeated, tag = "4")]
        pub resources: Vec<TypeName>,
        /// Function names.
        #[prost(message, repeated, tag = "5")]
        pub functions: Vec<TypeName>,
        /// Ephemeral resource types.
        #[prost(message, repeated, tag = "6")]
        pub ephemeral_resources: Vec<TypeName>,
    }

    /// `DataSourceMetadata`, `ResourceMetadata`, `FunctionMetadata`, `EphemeralMetadata`: one
    /// name at field 1.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct TypeName {
        /// The type (or function) name.
        #[prost(string, tag = "1")]
        pub type_name: String,
    }
}

/// `GetProviderSchema`: every schema.
pub mod get_provider_schema {
    use super::{Diagnostic, Function, Schema, ServerCapabilities};
    use std::collections::HashMap;

    /// Empty.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Request {}

    /// The schemas.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Response {
        /// The provider block.
        #[prost(message, optional, tag = "1")]
        pub provider: Option<Schema>,
        /// Resources by type name.
        #[prost(map = "string, message", tag = "2")]
        pub resource_schemas: HashMap<String, Schema>,
        /// Data sources by type name.
        #[prost(map = "string, message", tag = "3")]
        pub data_source_schemas: HashMap<String, Schema>,
        /// Diagnostics.
        #[prost(message, repeated, tag = "4")]
        pub diagnostics: Vec<Diagnostic>,
        /// The `provider_meta` block.
        #[prost(message, optional, tag = "5")]
        pub provider_meta: Option<Schema>,
        /// Capabilities.
        #[prost(message, optional, tag = "6")]
        pub server_capabilities: Option<ServerCapabilities>,
        /// Functions by name.
        #[prost(map = "string, message", tag = "7")]
        pub functions: HashMap<String, Function>,
        /// Ephemeral resources by type name.
        #[prost(map = "string, message", tag = "8")]
        pub ephemeral_resource_schemas: HashMap<String, Schema>,
    }
}

/// `ValidateProviderConfig`.
pub mod validate_provider_config {
    use super::{Diagnostic, DynamicValue};

    /// The provider block.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Request {
        /// Configuration, may hold unknowns.
        #[prost(message, optional, tag = "1")]
        pub config: Option<DynamicValue>,
    }

    /// Diagnostics (field 2: field 1 was once the prepared config).
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Response {
        /// Diagnostics.
        #[prost(message, repeated, tag = "2")]
        pub diagnostics: Vec<Diagnostic>,
    }
}

/// `UpgradeResourceState`: stored state of an older schema version to the current one.
pub mod upgrade_resource_state {
    use super::{Diagnostic, DynamicValue, RawState};

    /// The stored state.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Request {
        /// Resource type.
        #[prost(string, tag = "1")]
        pub type_name: String,
        /// The schema version the state was written with.
        #[prost(int64, tag = "2")]
        pub version: i64,
        /// The state as stored.
        #[prost(message, optional, tag = "3")]
        pub raw_state: Option<RawState>,
    }

    /// The state under the current schema.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Response {
        /// Encoded with the current schema.
        #[prost(message, optional, tag = "1")]
        pub upgraded_state: Option<DynamicValue>,
        /// Diagnostics.
        #[prost(message, repeated, tag = "2")]
        pub diagnostics: Vec<Diagnostic>,
    }
}

/// A request naming a type and carrying its configuration, answered with diagnostics at field 1:
/// `ValidateResourceConfig`, `ValidateDataResourceConfig`, `ValidateEphemeralResourceConfig`.
macro_rules! validate_config {
    ($module:ident, $what:literal) => {
        #[doc = concat!("`", $what, "`.")]
        pub mod $module {
            use super::{ClientCapabilities, Diagnostic, DynamicValue};

            /// A block to check.
            #[derive(Clone, PartialEq, prost::Message)]
            pub struct Request {
                /// Type name.
                #[prost(string, tag = "1")]
                pub type_name: String,
                /// Configuration, may hold unknowns.
                #[prost(message, optional, tag = "2")]
                pub config: Option<DynamicValue>,
                /// What Terraform supports.
                #[prost(message, optional, tag = "3")]
                pub client_capabilities: Option<ClientCapabilities>,
            }

            /// Diagnostics.
            #[derive(Clone, PartialEq, prost::Message)]
            pub struct Response {
                /// Diagnostics.
                #[prost(message, repeated, tag = "1")]
                pub diagnostics: Vec<Diagnostic>,
            }
        }
    };
}

validate_config!(validate_resource_config, "ValidateResourceConfig");
validate_config!(validate_data_resource_config, "ValidateDataResourceConfig");
validate_config!(
    validate_ephemeral_resource_config,
    "ValidateEphemeralResourceConfig"
);

/// `ConfigureProvider`.
pub mod configure_provider {
    use super::{ClientCapabilities, Diagnostic, DynamicValue};

    /// The provider block, known values only where Terraform knows them.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Request {
        /// The calling Terraform's version.
        #[prost(string, tag = "1")]
        pub terraform_version: String,
        /// Configuration.
        #[prost(message, optional, tag = "2")]
        pub config: Option<DynamicValue>,
        /// What Terraform supports.
        #[prost(message, optional, tag = "3")]
        pub client_capabilities: Option<ClientCapabilities>,
    }

    /// Diagnostics.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Response {
        /// Diagnostics.
        #[prost(message, repeated, tag = "1")]
        pub diagnostics: Vec<Diagnostic>,
    }
}

/// `ReadResource`: refresh.
pub mod read_resource {
    use super::{ClientCapabilities, Deferred, Diagnostic, DynamicValue};

    /// The state to refresh.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Request {
        /// Resource type.
        #[prost(string, tag = "1")]
        pub type_name: String,
        /// State.
        #[prost(message, optional, tag = "2")]
        pub current_state: Option<DynamicValue>,
        /// Provider-private data from state.
        #[prost(bytes = "vec", tag = "3")]
        pub private: Vec<u8>,
        /// The `provider_meta` block.
        #[prost(message, optional, tag = "4")]
        pub provider_meta: Option<DynamicValue>,
        /// What Terraform supports.
        #[prost(message, optional, tag = "5")]
        pub client_capabilities: Option<ClientCapabilities>,
    }

    /// The refreshed state (null: the object is gone).
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Response {
        /// State.
        #[prost(message, optional, tag = "1")]
        pub new_state: Option<DynamicValue>,
        /// Diagnostics.
        #[prost(message, repeated, tag = "2")]
        pub diagnostics: Vec<Diagnostic>,
        /// Provider-private data.
        #[prost(bytes = "vec", tag = "3")]
        pub private: Vec<u8>,
        /// Set to defer.
        #[prost(message, optional, tag = "4")]
        pub deferred: Option<Deferred>,
    }
}

/// `PlanResourceChange`.
pub mod plan_resource_change {
    use super::{AttributePath, ClientCapabilities, Deferred, Diagnostic, DynamicValue};

    /// The change to plan.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Request {
        /// Resource type.
        #[prost(string, tag = "1")]
        pub type_name: String,
        /// State before (null: create).
        #[prost(message, optional, tag = "2")]
        pub prior_state: Option<DynamicValue>,
        /// Configuration merged over the prior state (null: destroy).
        #[prost(message, optional, tag = "3")]
        pub proposed_new_state: Option<DynamicValue>,
        /// Configuration.
        #[prost(message, optional, tag = "4")]
        pub config: Option<DynamicValue>,
        /// Provider-private data from state.
        #[prost(bytes = "vec", tag = "5")]
        pub prior_private: Vec<u8>,
        /// The `provider_meta` block.
        #[prost(message, optional, tag = "6")]
        pub provider_meta: Option<DynamicValue>,
        /// What Terraform supports.
        #[prost(message, optional, tag = "7")]
        pub client_capabilities: Option<ClientCapabilities>,
    }

    /// The planned state.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Response {
        /// Planned state, unknown where apply decides.
        #[prost(message, optional, tag = "1")]
        pub planned_state: Option<DynamicValue>,
        /// Attributes whose change replaces the object.
        #[prost(message, repeated, tag = "2")]
        pub requires_replace: Vec<AttributePath>,
        /// Provider-private data for apply.
        #[prost(bytes = "vec", tag = "3")]
        pub planned_private: Vec<u8>,
        /// Diagnostics.
        #[prost(message, repeated, tag = "4")]
        pub diagnostics: Vec<Diagnostic>,
        /// Only Terraform's legacy SDK sets this; never set here.
        #[prost(bool, tag = "5")]
        pub legacy_type_system: bool,
        /// Set to defer.
        #[prost(message, optional, tag = "6")]
        pub deferred: Option<Deferred>,
    }
}

/// `ApplyResourceChange`.
pub mod apply_resource_change {
    use super::{Diagnostic, DynamicValue};

    /// The planned change.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Request {
        /// Resource type.
        #[prost(string, tag = "1")]
        pub type_name: String,
        /// State before (null: create).
        #[prost(message, optional, tag = "2")]
        pub prior_state: Option<DynamicValue>,
        /// What plan returned (null: destroy).
        #[prost(message, optional, tag = "3")]
        pub planned_state: Option<DynamicValue>,
        /// Configuration.
        #[prost(message, optional, tag = "4")]
        pub config: Option<DynamicValue>,
        /// What plan returned as private data.
        #[prost(bytes = "vec", tag = "5")]
        pub planned_private: Vec<u8>,
        /// The `provider_meta` block.
        #[prost(message, optional, tag = "6")]
        pub provider_meta: Option<DynamicValue>,
    }

    /// The new state.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Response {
        /// State (null after a destroy).
        #[prost(message, optional, tag = "1")]
        pub new_state: Option<DynamicValue>,
        /// Provider-private data to store.
        #[prost(bytes = "vec", tag = "2")]
        pub private: Vec<u8>,
        /// Diagnostics.
        #[prost(message, repeated, tag = "3")]
        pub diagnostics: Vec<Diagnostic>,
        /// Only Terraform's legacy SDK sets this; never set here.
        #[prost(bool, tag = "4")]
        pub legacy_type_system: bool,
    }
}

/// `ImportResourceState`.
pub mod import_resource_state {
    use super::{ClientCapabilities, Deferred, Diagnostic, DynamicValue};

    /// The id the user gave.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Request {
        /// Resource type.
        #[prost(string, tag = "1")]
        pub type_name: String,
        /// Import id.
        #[prost(string, tag = "2")]
        pub id: String,
        /// What Terraform supports.
        #[prost(message, optional, tag = "3")]
        pub client_capabilities: Option<ClientCapabilities>,
    }

    /// One imported object.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ImportedResource {
        /// Resource type.
        #[prost(string, tag = "1")]
        pub type_name: String,
        /// Its state, read next with `ReadResource`.
        #[prost(message, optional, tag = "2")]
        pub state: Option<DynamicValue>,
        /// Provider-private data.
        #[prost(bytes = "vec", tag = "3")]
        pub private: Vec<u8>,
    }

    /// The imported objects.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Response {
        /// Objects.
        #[prost(message, repeated, tag = "1")]
        pub imported_resources: Vec<ImportedResource>,
        /// Diagnostics.
        #[prost(message, repeated, tag = "2")]
        pub diagnostics: Vec<Diagnostic>,
        /// Set to defer.
        #[prost(message, optional, tag = "3")]
        pub deferred: Option<Deferred>,
    }
}

/// `MoveResourceState`: state moved from another resource type.
pub mod move_resource_state {
    use super::{Diagnostic, DynamicValue, RawState};

    /// The source object.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Request {
        /// Source provider address.
        #[prost(string, tag = "1")]
        pub source_provider_address: String,
        /// Source resource type.
        #[prost(string, tag = "2")]
        pub source_type_name: String,
        /// Source schema version.
        #[prost(int64, tag = "3")]
        pub source_schema_version: i64,
        /// Source state.
        #[prost(message, optional, tag = "4")]
        pub source_state: Option<RawState>,
        /// Target resource type.
        #[prost(string, tag = "5")]
        pub target_type_name: String,
        /// Source private data.
        #[prost(bytes = "vec", tag = "6")]
        pub source_private: Vec<u8>,
    }

    /// The target object.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Response {
        /// Target state.
        #[prost(message, optional, tag = "1")]
        pub target_state: Option<DynamicValue>,
        /// Diagnostics.
        #[prost(message, repeated, tag = "2")]
        pub diagnostics: Vec<Diagnostic>,
        /// Target private data.
        #[prost(bytes = "vec", tag = "3")]
        pub target_private: Vec<u8>,
    }
}

/// `ReadDataSource`.
pub mod read_data_source {
    use super::{ClientCapabilities, Deferred, Diagnostic, DynamicValue};

    /// The data block.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Request {
        /// Data source type.
        #[prost(string, tag = "1")]
        pub type_name: String,
        /// Configuration (known).
        #[prost(message, optional, tag = "2")]
        pub config: Option<DynamicValue>,
        /// The `provider_meta` block.
        #[prost(message, optional, tag = "3")]
        pub provider_meta: Option<DynamicValue>,
        /// What Terraform supports.
        #[prost(message, optional, tag = "4")]
        pub client_capabilities: Option<ClientCapabilities>,
    }

    /// The data.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Response {
        /// State.
        #[prost(message, optional, tag = "1")]
        pub state: Option<DynamicValue>,
        /// Diagnostics.
        #[prost(message, repeated, tag = "2")]
        pub diagnostics: Vec<Diagnostic>,
        /// Set to defer.
        #[prost(message, optional, tag = "3")]
        pub deferred: Option<Deferred>,
    }
}

/// `OpenEphemeralResource`.
pub mod open_ephemeral_resource {
    use super::{ClientCapabilities, Deferred, Diagnostic, DynamicValue, Timestamp};

    /// The ephemeral block.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Request {
        /// Type name.
        #[prost(string, tag = "1")]
        pub type_name: String,
        /// Configuration.
        #[prost(message, optional, tag = "2")]
        pub config: Option<DynamicValue>,
        /// What Terraform supports.
        #[prost(message, optional, tag = "3")]
        pub client_capabilities: Option<ClientCapabilities>,
    }

    /// The opened value.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Response {
        /// Diagnostics.
        #[prost(message, repeated, tag = "1")]
        pub diagnostics: Vec<Diagnostic>,
        /// When to renew.
        #[prost(message, optional, tag = "2")]
        pub renew_at: Option<Timestamp>,
        /// The value.
        #[prost(message, optional, tag = "3")]
        pub result: Option<DynamicValue>,
        /// Private data.
        #[prost(bytes = "vec", optional, tag = "4")]
        pub private: Option<Vec<u8>>,
        /// Set to defer.
        #[prost(message, optional, tag = "5")]
        pub deferred: Option<Deferred>,
    }
}

/// `RenewEphemeralResource`.
pub mod renew_ephemeral_resource {
    use super::{Diagnostic, Timestamp};

    /// What to renew.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Request {
        /// Type name.
        #[prost(string, tag = "1")]
        pub type_name: String,
        /// Private data.
        #[prost(bytes = "vec", optional, tag = "2")]
        pub private: Option<Vec<u8>>,
    }

    /// Renewed.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Response {
        /// Diagnostics.
        #[prost(message, repeated, tag = "1")]
        pub diagnostics: Vec<Diagnostic>,
        /// When to renew again.
        #[prost(message, optional, tag = "2")]
        pub renew_at: Option<Timestamp>,
        /// Private data.
        #[prost(bytes = "vec", optional, tag = "3")]
        pub private: Option<Vec<u8>>,
    }
}

/// `CloseEphemeralResource`.
pub mod close_ephemeral_resource {
    use super::Diagnostic;

    /// What to close.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Request {
        /// Type name.
        #[prost(string, tag = "1")]
        pub type_name: String,
        /// Private data.
        #[prost(bytes = "vec", optional, tag = "2")]
        pub private: Option<Vec<u8>>,
    }

    /// Diagnostics.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Response {
        /// Diagnostics.
        #[prost(message, repeated, tag = "1")]
        pub diagnostics: Vec<Diagnostic>,
    }
}

/// `GetFunctions`.
pub mod get_functions {
    use super::{Diagnostic, Function};
    use std::collections::HashMap;

    /// Empty.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Request {}

    /// The functions.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Response {
        /// By name.
        #[prost(map = "string, message", tag = "1")]
        pub functions: HashMap<String, Function>,
        /// Diagnostics.
        #[prost(message, repeated, tag = "2")]
        pub diagnostics: Vec<Diagnostic>,
    }
}

/// `CallFunction`.
pub mod call_function {
    use super::{DynamicValue, FunctionError};

    /// The call.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Request {
        /// Function name.
        #[prost(string, tag = "1")]
        pub name: String,
        /// Arguments.
        #[prost(message, repeated, tag = "2")]
        pub arguments: Vec<DynamicValue>,
    }

    /// The result or the error.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Response {
        /// Result.
        #[prost(message, optional, tag = "1")]
        pub result: Option<DynamicValue>,
        /// Error.
        #[prost(message, optional, tag = "2")]
        pub error: Option<FunctionError>,
    }
}

/// `StopProvider`: cancel what is in progress.
pub mod stop_provider {
    /// Empty.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Request {}

    /// An error text, empty on success.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Response {
        /// Error.
        #[prost(string, tag = "1")]
        pub error: String,
    }
}
