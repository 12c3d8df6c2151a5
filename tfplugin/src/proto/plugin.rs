//! go-plugin's own services (package `plugin`): the controller Terraform calls to stop the
//! plugin, the stdio stream and the broker, which every go-plugin server offers.

/// `google.protobuf.Empty`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Empty {}

/// `plugin.StdioData`: a chunk of the plugin's stdout or stderr.
#[derive(Clone, PartialEq, prost::Message)]
pub struct StdioData {
    /// 1 stdout, 2 stderr.
    #[prost(int32, tag = "1")]
    pub channel: i32,
    /// The bytes written.
    #[prost(bytes = "vec", tag = "2")]
    pub data: Vec<u8>,
}

/// `plugin.ConnInfo`: the broker's offer of a further connection (never made by this server).
#[derive(Clone, PartialEq, prost::Message)]
pub struct ConnInfo {
    /// The brokered service.
    #[prost(uint32, tag = "1")]
    pub service_id: u32,
    /// `tcp` or `unix`.
    #[prost(string, tag = "2")]
    pub network: String,
    /// Where to connect.
    #[prost(string, tag = "3")]
    pub address: String,
}
