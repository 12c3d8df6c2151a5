//! `dagster-concurrency`: the rule engine of the Terraform provider for files CI already has —
//! Terraform HCL, plan JSON and Helm values YAML.
//!
//! Only this binary owns flags, output and exit codes: 0 no errors, 1 errors (or warnings with
//! `--deny-warnings`), 2 bad usage or a file that cannot be read. To add a check to `check`,
//! add its findings to each target's diagnostics in [`check_file`].
#![forbid(unsafe_code)]

use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use validator::input::{self, Kind, ReadOptions};
use validator::migrate::{self, HelmProvider};
use validator::policy::{self, every_rule, Policy};
use validator::report::{self, FileReport, Outcome};
use validator::rules::{self, Severity};

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
    Check(CheckArgs),
    /// List every rule: code, severity and name.
    Rules {
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Print a rule's documentation: what it does, why, how to fix it, an example.
    Explain {
        /// The rule code, e.g. DC206.
        code: String,
    },
    /// Move raw run-limit `set` entries of Dagster helm_release resources into a
    /// dagster_concurrency resource; prints a unified diff unless --write.
    Migrate(MigrateArgs),
}

/// The arguments of `migrate`.
#[derive(clap::Args)]
struct MigrateArgs {
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

/// The arguments of `check`.
#[derive(clap::Args)]
struct CheckArgs {
    /// Files or directories: *.tf, plan JSON (`terraform show -json`), Helm values YAML.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    /// Chart version to assume where a file does not say (a release's `version` wins).
    #[arg(long, value_name = "VERSION")]
    chart_version: Option<String>,
    /// Where the Dagster chart's values sit in an umbrella chart's values file, e.g. `dagster`.
    #[arg(long, value_name = "PREFIX")]
    values_prefix: Option<String>,
    /// Organisation policy file (HCL, the attributes of the provider's `policy` block),
    /// enforced with the DP rules.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    Sarif,
    Junit,
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => check(&args),
        Command::Rules { format } => {
            match format {
                ListFormat::Text => {
                    for rule in every_rule() {
                        println!(
                            "{:<6} {:<7} {}",
                            rule.code,
                            rule.severity.to_string(),
                            rule.name
                        );
                    }
                }
                ListFormat::Json => {
                    let list: Vec<_> = every_rule()
                        .map(|r| serde_json::json!({"code": r.code, "severity": r.severity.to_string(), "name": r.name, "doc": r.doc}))
                        .collect();
                    println!("{}", serde_json::Value::from(list));
                }
            }
            ExitCode::SUCCESS
        }
        Command::Migrate(args) => migrate(&args),
        Command::Explain { code } => match rules::find(&code).or_else(|| policy::find(&code)) {
            Some(rule) => {
                println!(
                    "# {} {} ({})\n\n{}",
                    rule.code,
                    rule.name,
                    rule.severity,
                    rule.doc.trim_end()
                );
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("error: no rule {code:?}; `dagster-concurrency rules` lists them");
                ExitCode::from(2)
            }
        },
    }
}

/// Reads the `--policy` file; `Err` is the message to print.
fn read_policy(path: &Path) -> Result<Policy, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|error| {
        format!(
            "{shown}: cannot read: {}",
            lowercase_first(&error.to_string())
        )
    })?;
    policy::parse(&text).map_err(|error| format!("{shown}:{error}"))
}

fn check(args: &CheckArgs) -> ExitCode {
    let policy = match args.policy.as_deref().map(read_policy).transpose() {
        Ok(policy) => policy.unwrap_or_default(),
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let options = ReadOptions {
        chart_version: args.chart_version.clone(),
        values_prefix: args.values_prefix.clone(),
    };
    let mut files = Vec::new();
    for path in &args.paths {
        collect(path, true, &mut files);
    }
    let reports: Vec<FileReport> = files
        .iter()
        .map(|(path, explicit)| check_file(path, *explicit, &options, &policy))
        .collect();
    match args.format {
        Format::Text => print!("{}", report::text::render(&reports)),
        Format::Json => println!("{:#}", report::json::render(&reports)),
        Format::Sarif => println!("{:#}", report::sarif::render(&reports)),
        Format::Junit => println!("{}", report::junit::render(&reports, args.deny_warnings)),
    }
    if !matches!(args.format, Format::Text) {
        for file in reports.iter().filter(|f| f.failed()) {
            let message = match &file.outcome {
                Outcome::Invalid(error) => format!("{}:{error}", file.path),
                Outcome::Unreadable(message) => format!("{}: {message}", file.path),
                Outcome::Checked { .. } => continue,
            };
            eprintln!("error: {message}");
        }
    }
    let totals = report::totals(&reports);
    if totals.failed_files > 0 {
        ExitCode::from(2)
    } else if totals.errors > 0 || (args.deny_warnings && totals.warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Directories skipped while walking: Terraform's working data, VCS data, and chart templates
/// (Go templates, not YAML).
fn skipped_directory(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.starts_with('.') || name == "templates" || name == "node_modules"
}

/// Lists the files to check: paths given on the command line are always checked (`true`),
/// files found in directories only when their extension is one the validator reads.
fn collect(path: &Path, explicit: bool, out: &mut Vec<(PathBuf, bool)>) {
    if !path.is_dir() {
        if explicit
            || matches!(
                path.extension().and_then(|e| e.to_str()),
                Some("tf" | "yaml" | "yml" | "json")
            )
        {
            out.push((path.to_path_buf(), explicit));
        }
        return;
    }
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(path) {
        Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(_) => {
            out.push((path.to_path_buf(), true));
            return;
        }
    };
    entries.sort();
    for entry in entries {
        if entry.is_dir() && skipped_directory(&entry) {
            continue;
        }
        collect(&entry, false, out);
    }
}

/// Reads and checks one file.
fn check_file(path: &Path, explicit: bool, options: &ReadOptions, policy: &Policy) -> FileReport {
    let shown = path.display().to_string();
    let unreadable = |message: String| FileReport {
        path: shown.clone(),
        kind: None,
        outcome: Outcome::Unreadable(message),
    };
    if path.is_dir() {
        return unreadable("cannot list this directory".into());
    }
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => {
            return unreadable(format!(
                "cannot read: {}",
                lowercase_first(&error.to_string())
            ))
        }
    };
    let Some(kind) = Kind::detect(path, &text) else {
        let message = if explicit {
            "not a terraform file, plan json or helm values yaml (by extension or content)"
        } else {
            "unrecognised file"
        };
        return unreadable(message.into());
    };
    let outcome = match input::read(kind, &text, options) {
        Err(error) => Outcome::Invalid(error),
        Ok(targets) => {
            let mut diagnostics = Vec::new();
            let mut notes = Vec::new();
            for target in &targets {
                diagnostics.extend(target.diagnostics());
                diagnostics.extend(target.place(policy::check(&target.config, policy)));
                notes.extend(target.notes.iter().cloned());
            }
            diagnostics.sort_by_key(|d| {
                (
                    d.position,
                    std::cmp::Reverse(d.severity() == Severity::Error),
                )
            });
            notes.sort_by_key(|n| n.position);
            Outcome::Checked {
                targets: targets.len(),
                diagnostics,
                notes,
            }
        }
    };
    FileReport {
        path: shown,
        kind: Some(kind),
        outcome,
    }
}

/// `migrate`: 0 when every Dagster release is migrated or has nothing raw, 1 when one is
/// refused (the reason goes to stderr), 2 when the file cannot be read or parsed.
fn migrate(args: &MigrateArgs) -> ExitCode {
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

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_lowercase().chain(chars).collect())
}
