//! `terraform-provider-dagster`: serves the provider over Terraform's plugin protocol 6.
#![forbid(unsafe_code)]

use std::process::ExitCode;

/// The handshake cookie Terraform sets for its plugins (go-plugin's magic cookie).
const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

#[tokio::main]
async fn main() -> ExitCode {
    if std::env::args().nth(1).as_deref() == Some("--version") {
        println!("terraform-provider-dagster {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    if std::env::var(MAGIC_COOKIE_KEY).as_deref() != Ok(MAGIC_COOKIE_VALUE) {
        eprintln!(
            "terraform-provider-dagster is a Terraform plugin, not a command: declare `dagster = {{ source = \"dagster-oss/dagster\" }}` in required_providers and run `terraform init`, then `terraform plan`."
        );
        return ExitCode::FAILURE;
    }
    // Keep backtraces out of diagnostic details even when the user's shell sets RUST_BACKTRACE.
    std::env::set_var("RUST_LIB_BACKTRACE", "0");
    terraform_provider_dagster::logging::init();
    terraform_provider_dagster::parent_watch::exit_when_parent_exits(
        terraform_provider_dagster::parent_watch::INTERVAL,
    );
    tracing::debug!(
        version = env!("CARGO_PKG_VERSION"),
        "terraform-provider-dagster serving plugin protocol 6"
    );
    match tf_provider::serve(
        "dagster",
        terraform_provider_dagster::DagsterProvider::default(),
    )
    .await
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("terraform-provider-dagster: {error}");
            ExitCode::FAILURE
        }
    }
}
