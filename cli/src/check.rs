//! `check`: reads every source, runs the rules and the policy on each target, and prints the
//! report in the format asked for.

use crate::lowercase_first;
use crate::report::{self, FileReport, Outcome};
use crate::walk::{collect, Source, STDIN};
use clap::ValueEnum;
use rayon::prelude::*;
use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use validator::chart::path::{prefix_segments, MAX_PREFIX_SEGMENTS};
use validator::input::sources::Sources;
use validator::input::{self, Kind, ReadOptions};
use validator::policy::{self, Policy};
use validator::rules::Severity;
use validator::version::ChartVersion;

/// The arguments of `check`.
#[derive(clap::Args)]
pub struct CheckArgs {
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
pub(crate) fn chart_version(text: &str) -> Result<String, String> {
    ChartVersion::parse(text)
        .map(|_| text.to_owned())
        .ok_or_else(|| format!("{text:?} is not a MAJOR.MINOR.PATCH chart version, e.g. 1.12.14"))
}

/// `--values-prefix`: a usage error (exit 2) when Helm could not address it, rather than the
/// same DC502 finding on every file.
pub(crate) fn values_prefix(text: &str) -> Result<String, String> {
    prefix_segments(text)
        .filter(|segments| segments.len() <= MAX_PREFIX_SEGMENTS)
        .map(|_| text.to_owned())
        .ok_or_else(|| format!("{text:?} is not a dot-separated path of at most {MAX_PREFIX_SEGMENTS} non-empty keys, e.g. dagster"))
}

/// The output formats of `check`.
#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Junit,
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

/// `check`: 0 when no errors (nor warnings, with `--deny-warnings`), 1 when some, 2 when a
/// file cannot be read or parsed.
pub fn check(args: &CheckArgs) -> ExitCode {
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
                .map(|d| (file.path.clone(), d.at.position, d.rule.code))
        })
        .collect();
    for file in reports.iter_mut() {
        if let Outcome::Checked { diagnostics, .. } = &mut file.outcome {
            diagnostics.retain(|d| {
                d.at.origin.as_ref().is_none_or(|origin| {
                    !written.contains(&(origin.path.clone(), origin.position, d.rule.code))
                })
            });
        }
    }
}

/// Reads and checks one source; `None` for a file found by a walk that is not one the
/// validator reads (a `.json` that is not a plan).
pub fn check_source(
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
                    d.at.position,
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
