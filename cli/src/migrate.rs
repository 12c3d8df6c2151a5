//! `migrate`: rewrites a file's raw run-limit entries into a `dagster_concurrency` resource,
//! prints the diff, writes it, or proves that Helm gets the same values.

use crate::lowercase_first;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use validator::migrate::{self, HelmProvider};

/// The arguments of `migrate`.
#[derive(clap::Args)]
pub struct MigrateArgs {
    /// The Terraform file to rewrite.
    file: PathBuf,
    /// The hashicorp/helm provider major version the file is written for; by default, what
    /// each release's `set` syntax says (blocks: 2, list attribute: 3).
    #[arg(long, value_name = "2|3", value_parser = clap::value_parser!(u8).range(2..=3))]
    helm_provider: Option<u8>,
    /// Rewrite the file in place instead of printing a diff.
    #[arg(long, conflicts_with = "verify")]
    write: bool,
    /// Prove the migration keeps the values instead of printing a diff: the raw entries and
    /// the entries the new resource renders must give Helm the same values.
    #[arg(long)]
    verify: bool,
    /// Where the Dagster chart's values sit in an umbrella chart's values, e.g. `dagster`.
    #[arg(long, value_name = "PREFIX")]
    values_prefix: Option<String>,
}

/// `migrate`: 0 when every Dagster release is migrated or has nothing raw, 1 when one is
/// refused (the reason goes to stderr), 2 when the file cannot be read or parsed.
pub fn migrate(args: &MigrateArgs) -> ExitCode {
    let shown = args.file.display().to_string();
    let text = match std::fs::read_to_string(&args.file) {
        Ok(text) => text,
        Err(error) => {
            eprintln!(
                "error: {shown}: cannot read: {}",
                lowercase_first(&error.to_string())
            );
            return ExitCode::from(2);
        }
    };
    let helm_provider = args.helm_provider.map(|major| match major {
        2 => HelmProvider::V2,
        _ => HelmProvider::V3,
    });
    let taken = match module_names(&args.file) {
        Ok(taken) => taken,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let options = migrate::Options {
        helm_provider,
        values_prefix: args.values_prefix.clone(),
        taken,
    };
    let migration = match migrate::migrate(&text, &options) {
        Ok(migration) => migration,
        Err(error) => {
            eprintln!("error: {shown}:{error}");
            return ExitCode::from(2);
        }
    };
    if args.verify {
        return verify(&shown, &text, &options, &migration);
    }
    for release in &migration.releases {
        eprintln!("{shown}:{release}");
    }
    if args.write {
        if migration.text != text {
            if let Err(error) = std::fs::write(&args.file, &migration.text) {
                eprintln!(
                    "error: {shown}: cannot write: {}",
                    lowercase_first(&error.to_string())
                );
                return ExitCode::from(2);
            }
        }
    } else {
        print!("{}", migrate::unified_diff(&shown, &text, &migration.text));
    }
    if migration.refused_any() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// `migrate --verify`: every migrated release verified, refusals and all, on stderr; 0 when
/// every release is verified or has nothing raw.
fn verify(
    shown: &str,
    text: &str,
    options: &migrate::Options,
    migration: &migrate::Migration,
) -> ExitCode {
    let verifications = match migrate::verify(text, options) {
        Ok(verifications) => verifications,
        Err(error) => {
            eprintln!("error: {shown}:{error}");
            return ExitCode::from(2);
        }
    };
    for release in &migration.releases {
        match verifications.iter().find(|v| v.release == *release) {
            Some(verification) => eprintln!("{shown}:{verification}"),
            None => eprintln!("{shown}:{release}"),
        }
    }
    if migration.refused_any() || verifications.iter().any(|v| !v.verified()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// The `dagster_concurrency` names declared in the other `.tf` and `.tf.json` files of the
/// file's directory (its Terraform module).
fn module_names(file: &Path) -> Result<Vec<String>, String> {
    let dir = match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let entries = std::fs::read_dir(dir).map_err(|error| {
        format!(
            "{}: cannot read the module directory: {}",
            dir.display(),
            lowercase_first(&error.to_string())
        )
    })?;
    let mut names = Vec::new();
    for path in entries.filter_map(Result::ok).map(|entry| entry.path()) {
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let json = name.ends_with(".tf.json");
        if !(json || name.ends_with(".tf")) || path.file_name() == file.file_name() {
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|error| {
            format!(
                "{}: cannot read: {}",
                path.display(),
                lowercase_first(&error.to_string())
            )
        })?;
        let declared = migrate::names::declared(&text, json).map_err(|error| {
            format!(
                "{}:{error} (migrate reads every file of the module for the names in use)",
                path.display()
            )
        })?;
        names.extend(declared);
    }
    Ok(names)
}
