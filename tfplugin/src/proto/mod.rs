//! The wire messages: Terraform's plugin protocol 6 (`tfplugin6`, up to 6.8, what Terraform 1.11
//! speaks; older clients send and read a subset, and protobuf skips what it does not know) and the
//! go-plugin services every plugin serves next to it.
//!
//! Written by hand with prost's derive macros from the protocol's published field numbers, so no
//! `.proto` file and no `protoc` are needed. The generated service plumbing (`build.rs`) routes
//! each RPC to the traits in `service`.

pub mod plugin;
pub mod tfplugin6;

/// The generated gRPC services (tonic's server plumbing).
#[allow(missing_docs, clippy::all, clippy::pedantic)]
pub mod service {
    /// `tfplugin6.Provider`.
    pub mod tfplugin6 {
        include!(concat!(env!("OUT_DIR"), "/tfplugin6.Provider.rs"));
    }
    /// go-plugin's `plugin.*` services.
    pub mod plugin {
        include!(concat!(env!("OUT_DIR"), "/plugin.GRPCController.rs"));
        include!(concat!(env!("OUT_DIR"), "/plugin.GRPCStdio.rs"));
        include!(concat!(env!("OUT_DIR"), "/plugin.GRPCBroker.rs"));
    }
}
