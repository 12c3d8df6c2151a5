//! `terraform-provider-dagster`: serves the provider over Terraform's plugin protocol 6
//! (`-debug`: serves it for a debugger and prints the `TF_REATTACH_PROVIDERS` value).
#![forbid(unsafe_code)]

use std::process::ExitCode;
use terraform_provider_dagster::provider::PROVIDER_SOURCE;
use terraform_provider_dagster::{logging, parent_watch, DagsterProvider};
use tfplugin::plugin::{self, ServeError};

/// One thread serves every call: a call's own work is well under a millisecond and the rest is
/// waiting on Terraform or the webserver, while a thread pool's start and the hand-offs between
/// its threads cost about 0.5 ms of CPU and 35 page faults per process (`perf stat` around the
/// provider in real plans; docs/benchmarks.md), and Terraform starts three processes per plan.
#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let debug = match std::env::args().nth(1).as_deref() {
        Some("--version") => {
            println!("terraform-provider-dagster {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Some("-debug" | "--debug") => true,
        _ => false,
    };
    logging::init();
    tracing::debug!(
        version = env!("CARGO_PKG_VERSION"),
        "terraform-provider-dagster serving plugin protocol 6"
    );
    let served = if debug {
        plugin::serve_debug(DagsterProvider::default(), PROVIDER_SOURCE).await
    } else {
        // Terraform starts the provider; a debugger session outlives any parent.
        parent_watch::exit_when_parent_exits(parent_watch::INTERVAL);
        plugin::serve(DagsterProvider::default()).await
    };
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(ServeError::NotStartedByTerraform) => {
            eprintln!(
                "terraform-provider-dagster is a Terraform plugin, not a command: declare `dagster = {{ source = \"dagster-oss/dagster\" }}` in required_providers and run `terraform init`, then `terraform plan`."
            );
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("terraform-provider-dagster: {error}");
            ExitCode::FAILURE
        }
    }
}
