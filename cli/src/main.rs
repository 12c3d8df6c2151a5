//! `dagster-concurrency`: the rule engine of the Terraform provider for files CI already has —
//! Terraform HCL, plan JSON and Helm values YAML.
//!
//! Only this binary owns flags, output and exit codes: 0 no errors, 1 errors (or warnings with
//! `--deny-warnings`), 2 bad usage or a file that cannot be read. One module per subcommand;
//! to add a check to `check`, add its findings to each target's diagnostics in
//! [`check::check_source`].
#![forbid(unsafe_code)]

mod catalogue;
mod check;
mod diff;
mod migrate;
mod report;
mod walk;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// mimalloc rather than the system allocator: a large plan is read into hundreds of thousands
/// of small strings and maps that are freed together, where glibc's malloc spent a fifth of
/// `check`'s time consolidating and unlinking chunks (`docs/benchmarks.md`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Checks Dagster run-concurrency settings in Terraform, plan JSON and Helm values files.
#[derive(Parser)]
#[command(name = "dagster-concurrency", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check files and directories (recursively) for run-concurrency mistakes.
    Check(check::CheckArgs),
    /// List every rule: code, severity and name.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = catalogue::ListFormat::Text)]
        format: catalogue::ListFormat,
    },
    /// Print a rule's documentation: what it does, why, how to fix it, an example.
    Explain {
        /// The rule code, e.g. DC206.
        code: String,
    },
    /// Move raw run-limit `set` entries of Dagster helm_release resources into a
    /// dagster_concurrency resource; prints a unified diff unless --write.
    Migrate(migrate::MigrateArgs),
    /// Compare the limits a running Dagster enforces (read through its webserver) with the
    /// limits the files declare; exit 1 on drift.
    Diff(diff::DiffArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Check(args) => check::check(&args),
        Command::Rules { format } => catalogue::list(format),
        Command::Explain { code } => catalogue::explain(&code),
        Command::Migrate(args) => migrate::migrate(&args),
        Command::Diff(args) => diff::diff(&args),
    }
}

/// An I/O error's text as the CLI prints it: lowercase first, as every message.
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_lowercase().chain(chars).collect())
}
