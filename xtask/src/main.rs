//! `cargo run -p xtask -- docs`: writes the registry docs; `--check` only reports stale files.
#![forbid(unsafe_code)]

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Workspace tasks.
#[derive(Parser)]
#[command(name = "xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Generate docs/ (the Terraform registry layout) from the provider schema and examples/.
    Docs {
        /// Write nothing; fail when a committed page differs from what would be generated.
        #[arg(long)]
        check: bool,
    },
}

fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(PathBuf::from)
        .unwrap_or_default()
}

fn main() -> ExitCode {
    let Task::Docs { check } = Cli::parse().task;
    let root = workspace_root();
    let docs = match xtask::generate(&root) {
        Ok(docs) => docs,
        Err(error) => {
            eprintln!("xtask docs: {error}");
            return ExitCode::FAILURE;
        }
    };
    for problem in &docs.problems {
        eprintln!("xtask docs: {problem}");
    }
    let outcome = if docs.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    };
    if check {
        let stale = xtask::stale(&root, &docs.pages);
        for path in &stale {
            eprintln!("stale: {}", path.display());
        }
        if !stale.is_empty() {
            eprintln!("docs are out of date: run `{}`", xtask::REGENERATE);
            return ExitCode::FAILURE;
        }
        return outcome;
    }
    match xtask::write(&root, &docs.pages) {
        Ok(changed) => {
            println!(
                "{} pages generated, {changed} files changed",
                docs.pages.len()
            );
            outcome
        }
        Err(error) => {
            eprintln!("xtask docs: {error}");
            ExitCode::FAILURE
        }
    }
}
