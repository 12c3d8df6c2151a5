//! Reports of a `check` run, formatted for people (text), scripts (JSON), code scanning
//! (SARIF 2.1.0) and CI dashboards (JUnit XML). Formatting only: what to check and how the
//! process exits belong to the command line.

pub mod json;
pub mod junit;
pub mod sarif;
pub mod text;

use validator::input::{Kind, Note, Place, SyntaxError};
use validator::rules::{Finding, Severity};

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Read and checked.
    Checked {
        /// How many releases, values files or `dagster_concurrency` blocks were checked.
        targets: usize,
        /// Findings, in file order.
        diagnostics: Vec<Finding<Place>>,
        /// What was not checked.
        notes: Vec<Note>,
    },
    /// Could not be parsed as its kind.
    Invalid(SyntaxError),
    /// Could not be read at all (missing, a directory error, not text), or its kind is unknown.
    Unreadable(String),
    /// Named on the command line but holds nothing the validator reads (a `.json` that is not
    /// a plan), and why.
    Skipped(String),
}

/// One file's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    /// The path as given or found.
    pub path: String,
    /// Its kind, when known.
    pub kind: Option<Kind>,
    /// What happened.
    pub outcome: Outcome,
}

impl FileReport {
    /// The findings of a checked file (none otherwise).
    pub fn diagnostics(&self) -> &[Finding<Place>] {
        match &self.outcome {
            Outcome::Checked { diagnostics, .. } => diagnostics,
            _ => &[],
        }
    }

    /// Whether the file could not be read or parsed.
    pub fn failed(&self) -> bool {
        matches!(self.outcome, Outcome::Invalid(_) | Outcome::Unreadable(_))
    }
}

/// Counts over a whole run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Totals {
    /// Files looked at.
    pub files: usize,
    /// Configurations checked.
    pub targets: usize,
    /// Error findings.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
    /// Files that could not be read or parsed.
    pub failed_files: usize,
}

/// Counts the findings and failures of a run.
pub fn totals(files: &[FileReport]) -> Totals {
    let mut totals = Totals {
        files: files.len(),
        ..Default::default()
    };
    for file in files {
        match &file.outcome {
            Outcome::Checked {
                targets,
                diagnostics,
                ..
            } => {
                totals.targets += targets;
                for diagnostic in diagnostics {
                    match diagnostic.severity() {
                        Severity::Error => totals.errors += 1,
                        Severity::Warning => totals.warnings += 1,
                    }
                }
            }
            Outcome::Invalid(_) | Outcome::Unreadable(_) => totals.failed_files += 1,
            Outcome::Skipped(_) => {}
        }
    }
    totals
}

/// What to say when a run checked no configuration although every file was read: an empty
/// directory, or files without a Dagster release, values or `dagster_concurrency` block.
pub fn nothing_checked(totals: &Totals) -> Option<String> {
    if totals.targets > 0 || totals.failed_files > 0 {
        return None;
    }
    Some(if totals.files == 0 {
        "nothing was checked: no terraform, plan json or helm values file in the paths given".into()
    } else {
        format!(
            "nothing was checked: no dagster helm_release, dagster values or dagster_concurrency block in {} file(s)",
            totals.files
        )
    })
}

#[cfg(test)]
pub(crate) mod sample;
