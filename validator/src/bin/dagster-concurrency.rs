//! `dagster-concurrency`: the rule engine of the Terraform provider for files CI already has —
//! Terraform HCL, plan JSON and Helm values YAML.
//!
//! Only this binary owns flags, output and exit codes: 0 no errors, 1 errors (or warnings with
//! `--deny-warnings`), 2 bad usage or a file that cannot be read. To add a check to `check`,
//! add its findings to each target's diagnostics in [`check_file`].
#![forbid(unsafe_code)]

use clap::{Parser, Subcommand, ValueEnum};
use rayon::prelude::*;
use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use validator::input::sources::Sources;
use validator::input::{self, Kind, ReadOptions};
use validator::migrate::{self, HelmProvider};
use validator::policy::{self, every_rule, Policy};
use validator::render::resolved::{prefix_segments, MAX_PREFIX_SEGMENTS};
use validator::report::{self, FileReport, Outcome};
use validator::rules::{self, Severity};
use validator::version::ChartVersion;
use walkdir::WalkDir;

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
    /// Files or directories: *.tf, plan JSON (`terraform show -json`), Helm values YAML;
    /// `-` reads standard input, whose kind is told by its content.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    /// Chart version to assume where a file does not say (a release's `version` wins).
    #[arg(long, value_name = "VERSION", value_parser = chart_version)]
    chart_version: Option<String>,
    /// Where the Dagster chart's values sit in an umbrella chart's values file, e.g. `dagster`.
    #[arg(long, value_name = "PREFIX", value_parser = values_prefix)]
    values_prefix: Option<String>,
    /// Organisation policy file (HCL, the attributes of the provider's `policy` block),
    /// enforced with the DP rules.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
}

/// `--chart-version`: a usage error (exit 2) when it is not a version, rather than the same
/// DC501 finding on every file.
fn chart_version(text: &str) -> Result<String, String> {
    ChartVersion::parse(text)
        .map(|_| text.to_owned())
        .ok_or_else(|| format!("{text:?} is not a MAJOR.MINOR.PATCH chart version, e.g. 1.12.14"))
}

/// `--values-prefix`: a usage error (exit 2) when Helm could not address it, rather than the
/// same DC502 finding on every file.
fn values_prefix(text: &str) -> Result<String, String> {
    prefix_segments(text)
        .filter(|segments| segments.len() <= MAX_PREFIX_SEGMENTS)
        .map(|_| text.to_owned())
        .ok_or_else(|| format!("{text:?} is not a dot-separated path of at most {MAX_PREFIX_SEGMENTS} non-empty keys, e.g. dagster"))
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
    policy::parse(input::without_bom(&text)).map_err(|error| format!("{shown}:{error}"))
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
    let mut sources = Vec::new();
    for path in &args.paths {
        collect(path, &mut sources);
    }
    // A file named and also found in a named directory (`check plan.json .`) is read once.
    let mut seen = HashSet::new();
    sources.retain(|source| match source {
        Source::File { path, .. } => seen.insert(path.canonicalize().unwrap_or(path.clone())),
        Source::Stdin => true,
    });
    // Where the `.tf` sources of plan resources may be: the directories checked alongside.
    let mut roots: Vec<PathBuf> = args.paths.iter().filter(|p| p.is_dir()).cloned().collect();
    roots.push(PathBuf::from("."));
    // Files are checked on every core; rayon's collect into a Vec keeps the reports in the
    // order of `sources`. Standard input named twice goes to whichever reads it first, so then
    // the sources are checked one by one, in order.
    let check = |source: &Source| check_source(source, &options, &policy, &roots);
    let stdin_twice = sources
        .iter()
        .filter(|source| matches!(source, Source::Stdin))
        .nth(1)
        .is_some();
    let mut reports: Vec<FileReport> = if stdin_twice {
        sources.iter().filter_map(check).collect()
    } else {
        sources.par_iter().filter_map(check).collect()
    };
    drop_repeated_plan_findings(&mut reports);
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
                Outcome::Checked { .. } | Outcome::Skipped(_) => continue,
            };
            eprintln!("error: {message}");
        }
    }
    let totals = report::totals(&reports);
    // Text output says it after its summary line; other formats keep stdout machine-readable.
    if let (false, Some(warning)) = (
        matches!(args.format, Format::Text),
        report::nothing_checked(&totals),
    ) {
        eprintln!("warning: {warning}");
    }
    if totals.failed_files > 0 {
        ExitCode::from(2)
    } else if totals.errors > 0 || (args.deny_warnings && totals.warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// A plan finding placed at a `.tf` line where that file's own check (in the same run) reports
/// the same rule is left out: `check plan.json infra/` reports each finding once.
fn drop_repeated_plan_findings(reports: &mut [FileReport]) {
    let written: HashSet<(String, input::Position, &str)> = reports
        .iter()
        .filter(|file| file.kind == Some(Kind::Hcl))
        .flat_map(|file| {
            file.diagnostics()
                .iter()
                .map(|d| (file.path.clone(), d.position, d.rule.code))
        })
        .collect();
    for file in reports.iter_mut() {
        if let Outcome::Checked { diagnostics, .. } = &mut file.outcome {
            diagnostics.retain(|d| {
                d.origin.as_ref().is_none_or(|origin| {
                    !written.contains(&(origin.path.clone(), origin.position, d.rule.code))
                })
            });
        }
    }
}

/// Where `check` reads from.
enum Source {
    /// A file named on the command line (always read) or found in a directory.
    File {
        /// Its path.
        path: PathBuf,
        /// Named on the command line rather than found by a walk.
        explicit: bool,
    },
    /// Standard input (`-`).
    Stdin,
}

/// How standard input is named in reports.
const STDIN: &str = "<stdin>";

/// Directories skipped while walking: Terraform's working data, VCS data, and chart templates
/// (Go templates, not YAML).
fn skipped_directory(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name.starts_with('.') || name == "templates" || name == "node_modules"
}

/// Whether a walk reads a file with this name.
fn readable_extension(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("tf" | "yaml" | "yml" | "json")
    )
}

/// Lists what to check: `-` is standard input, other paths on the command line are always
/// read, and directories are walked (following symbolic links, in name order) for the files
/// the validator reads. A symbolic link back to a directory being walked is not followed,
/// and is reported on standard error.
fn collect(path: &Path, out: &mut Vec<Source>) {
    if path == Path::new("-") {
        out.push(Source::Stdin);
        return;
    }
    if !path.is_dir() {
        out.push(Source::File {
            path: path.to_path_buf(),
            explicit: true,
        });
        return;
    }
    let walk = WalkDir::new(path)
        .follow_links(true)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !(e.file_type().is_dir() && skipped_directory(e.path()))
        });
    for entry in walk {
        match entry {
            Ok(entry) if entry.file_type().is_dir() => {}
            Ok(entry) if readable_extension(entry.path()) => out.push(Source::File {
                path: entry.into_path(),
                explicit: false,
            }),
            Ok(_) => {}
            Err(error) => match (error.loop_ancestor(), error.path()) {
                (Some(ancestor), Some(link)) => eprintln!(
                    "warning: {}: a symbolic link loop back to {}: not followed",
                    link.display(),
                    ancestor.display()
                ),
                // A directory that cannot be listed, or a broken link to a file the walk
                // reads: reported as unreadable.
                (None, Some(failed))
                    if error.depth() == 0 || failed.is_dir() || readable_extension(failed) =>
                {
                    out.push(Source::File {
                        path: failed.to_path_buf(),
                        explicit: true,
                    })
                }
                _ => {}
            },
        }
    }
}

/// Reads and checks one source; `None` for a file found by a walk that is not one the
/// validator reads (a `.json` that is not a plan).
fn check_source(
    source: &Source,
    options: &ReadOptions,
    policy: &Policy,
    roots: &[PathBuf],
) -> Option<FileReport> {
    let (shown, explicit, read) = match source {
        Source::Stdin => {
            let mut bytes = Vec::new();
            let read = std::io::stdin().read_to_end(&mut bytes).map(|_| bytes);
            (STDIN.to_owned(), true, read)
        }
        Source::File { path, explicit } => {
            if path.is_dir() {
                return Some(unreadable(
                    path.display().to_string(),
                    "cannot list this directory".into(),
                ));
            }
            (path.display().to_string(), *explicit, std::fs::read(path))
        }
    };
    let text = match read
        .map_err(|e| lowercase_first(&e.to_string()))
        .and_then(input::decode)
    {
        Ok(text) => text,
        Err(error) => return Some(unreadable(shown, format!("cannot read: {error}"))),
    };
    let kind = match source {
        Source::Stdin => Some(Kind::sniff(&text).unwrap_or(Kind::ValuesYaml)),
        Source::File { path, .. } => Kind::detect(path, &text),
    };
    let Some(kind) = kind else {
        let is_json = matches!(source, Source::File { path, .. } if path.extension().is_some_and(|e| e == "json"));
        return match (explicit, is_json) {
            (false, _) => None,
            (true, true) => Some(FileReport {
                path: shown,
                kind: None,
                outcome: Outcome::Skipped(
                    "not a terraform plan (`terraform show -json`): nothing to check".into(),
                ),
            }),
            (true, false) => Some(unreadable(
                shown,
                "not a terraform file, plan json or helm values yaml (by extension or content)"
                    .into(),
            )),
        };
    };
    let outcome = match input::read(kind, &text, options) {
        Err(error) => Outcome::Invalid(error),
        Ok(targets) => {
            // A plan's resources are placed in their `.tf` sources: first the plan's own
            // directory (standard input: the current one), then those checked alongside.
            let mut sources = (kind == Kind::PlanJson).then(|| {
                let own = match source {
                    Source::File { path, .. } => path.parent().map(Path::to_path_buf),
                    Source::Stdin => None,
                };
                let own = own.filter(|dir| !dir.as_os_str().is_empty());
                Sources::new(own.into_iter().chain(roots.iter().cloned()).collect())
            });
            let mut checked = Vec::new();
            let mut notes = Vec::new();
            for target in &targets {
                let mut found = target.diagnostics();
                found.extend(target.place(policy::check_as(&target.config, policy, target.source)));
                if let Some(sources) = &mut sources {
                    sources.place(target, &mut found);
                }
                checked.push((target, found));
                notes.extend(target.notes.iter().cloned());
            }
            let mut diagnostics = input::report_once(checked);
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
    Some(FileReport {
        path: shown,
        kind: Some(kind),
        outcome,
    })
}

/// The report of a file that could not be read.
fn unreadable(path: String, message: String) -> FileReport {
    FileReport {
        path,
        kind: None,
        outcome: Outcome::Unreadable(message),
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
