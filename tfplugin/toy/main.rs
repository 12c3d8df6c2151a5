//! `terraform-provider-toy`: the toy provider served to a real Terraform by `tests/terraform.rs`
//! (`-debug` serves it for a debugger instead).
#![forbid(unsafe_code)]

mod provider;

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let served = if std::env::args().any(|a| a == "-debug") {
        tfplugin::plugin::serve_debug(provider::Toy, "example.com/test/toy").await
    } else {
        tfplugin::plugin::serve(provider::Toy).await
    };
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("terraform-provider-toy: {e}");
            ExitCode::FAILURE
        }
    }
}
