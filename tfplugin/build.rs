//! Generates tonic's server plumbing for the protocol's services from the method lists below
//! (tonic-build's `manual` builder: Rust in, Rust out, no `.proto` and no `protoc`). The messages
//! themselves are hand-written prost structs in `src/proto/`.

use tonic_build::manual::{Builder, Method, Service};

/// `GetProviderSchema` to `get_provider_schema`.
fn snake_case(name: &str) -> String {
    let mut snake = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            snake.push('_');
        }
        snake.push(c.to_ascii_lowercase());
    }
    snake
}

/// A unary or streaming method of `package.service`, its messages under `crate::proto::<module>`.
fn method(
    route: &str,
    input: &str,
    output: &str,
    client_streaming: bool,
    server_streaming: bool,
) -> Method {
    let mut builder = Method::builder()
        .name(snake_case(route))
        .route_name(route)
        .input_type(input)
        .output_type(output)
        .codec_path("tonic::codec::ProstCodec");
    if client_streaming {
        builder = builder.client_streaming();
    }
    if server_streaming {
        builder = builder.server_streaming();
    }
    builder.build()
}

/// `tfplugin6.Provider`: every RPC is unary, `Name.Request` to `Name.Response`.
fn provider() -> Service {
    const RPCS: &[&str] = &[
        "GetMetadata",
        "GetProviderSchema",
        "ValidateProviderConfig",
        "ValidateResourceConfig",
        "ValidateDataResourceConfig",
        "UpgradeResourceState",
        "ConfigureProvider",
        "ReadResource",
        "PlanResourceChange",
        "ApplyResourceChange",
        "ImportResourceState",
        "MoveResourceState",
        "ReadDataSource",
        "ValidateEphemeralResourceConfig",
        "OpenEphemeralResource",
        "RenewEphemeralResource",
        "CloseEphemeralResource",
        "GetFunctions",
        "CallFunction",
        "StopProvider",
    ];
    let mut service = Service::builder().name("Provider").package("tfplugin6");
    for rpc in RPCS {
        let module = snake_case(rpc);
        service = service.method(method(
            rpc,
            &format!("crate::proto::tfplugin6::{module}::Request"),
            &format!("crate::proto::tfplugin6::{module}::Response"),
            false,
            false,
        ));
    }
    service.build()
}

fn main() {
    let empty = "crate::proto::plugin::Empty";
    let controller = Service::builder()
        .name("GRPCController")
        .package("plugin")
        .method(method("Shutdown", empty, empty, false, false))
        .build();
    let stdio = Service::builder()
        .name("GRPCStdio")
        .package("plugin")
        .method(method(
            "StreamStdio",
            empty,
            "crate::proto::plugin::StdioData",
            false,
            true,
        ))
        .build();
    let conn = "crate::proto::plugin::ConnInfo";
    let broker = Service::builder()
        .name("GRPCBroker")
        .package("plugin")
        .method(method("StartStream", conn, conn, true, true))
        .build();
    Builder::new().compile(&[provider(), controller, stdio, broker]);
}
