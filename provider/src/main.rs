//! `terraform-provider-dagster`: serves the provider over Terraform's plugin protocol 6.
#![forbid(unsafe_code)]

use std::process::ExitCode;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

/// The handshake cookie Terraform sets for its plugins (go-plugin's magic cookie).
const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// The log level Terraform asks for: `TF_LOG_PROVIDER`, else `TF_LOG` (`json` means trace, as in
/// Terraform; an unknown level too). Unset, nothing is logged: Terraform would discard it.
fn requested_level() -> LevelFilter {
    let setting = ["TF_LOG_PROVIDER", "TF_LOG"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|value| !value.is_empty()));
    match setting {
        None => LevelFilter::OFF,
        Some(level) => level.parse().unwrap_or(LevelFilter::TRACE),
    }
}

/// Logs to stderr, one plain line per event, which Terraform records at debug level in its own
/// log. Stdout stays reserved for the plugin handshake. When `PLUGIN_LOG_FILE` is set, the
/// tf-provider crate installs its own global subscriber (writing to that file) inside `serve`,
/// and a second one would make it panic, so the file wins.
fn init_logging() {
    if std::env::var_os("PLUGIN_LOG_FILE").is_some() {
        return;
    }
    let level = requested_level();
    // Our crates and the per-request spans at the requested level; the transport crates
    // (h2, hyper, tonic) only when something goes wrong.
    let targets = Targets::new()
        .with_target("terraform_provider_dagster", level)
        .with_target("tf_provider", level)
        .with_target("tower_http", level)
        .with_default(level.min(LevelFilter::WARN));
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .without_time();
    // A subscriber already installed (only possible if a library did it) keeps logging.
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(targets)
        .try_init();
}

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
    init_logging();
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
