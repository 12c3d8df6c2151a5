//! Generates the floor echo service (client and server) from a Rust method list: its message is
//! a prost struct in `src/floor.rs`, so neither a `.proto` nor `protoc` is needed.

use tonic_build::manual::{Builder, Method, Service};

fn main() {
    let payload = "crate::floor::Payload";
    let floor = Service::builder()
        .name("Floor")
        .package("floor")
        .method(
            Method::builder()
                .name("echo")
                .route_name("Echo")
                .input_type(payload)
                .output_type(payload)
                .codec_path("tonic::codec::ProstCodec")
                .build(),
        )
        .build();
    Builder::new().compile(&[floor]);
}
