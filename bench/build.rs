//! Generates the floor echo service (client and server) from `proto/floor.proto`.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto/floor.proto");
    tonic_build::compile_protos("proto/floor.proto")?;
    Ok(())
}
