//! Reading files into configurations to check: Terraform HCL, Terraform plan JSON and Helm
//! values YAML each become [`Target`]s, one per Dagster release or `dagster_concurrency` block.
//!
//! A target holds the [`ConcurrencyConfig`] the rules check, where each attribute was written,
//! findings raised while reading (raw-values rules, numbers that are not whole), and notes on
//! what could not be checked. [`Target::diagnostics`] runs the rule engine and places every
//! finding at a line and column.

pub mod attributes;
pub mod hcl;
pub mod plan_json;
pub mod release;
pub mod strvals;
pub mod tree;
pub mod values;
pub mod values_yaml;

use crate::model::ConcurrencyConfig;
use crate::rules::{self, Rule, Severity, Source};
use std::fmt;
use std::path::Path;

/// A place in a file: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` in `text`.
    pub fn of_offset(text: &str, offset: usize) -> Position {
        let before = text.get(..offset).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() + 1;
        Position { line, column }
    }

    /// The start of a file.
    pub const START: Position = Position { line: 1, column: 1 };
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// One finding placed in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule that raised it.
    pub rule: &'static Rule,
    /// What was checked: a resource address or a values file.
    pub target: String,
    /// What it points at inside the target: an attribute path or a values key.
    pub subject: String,
    /// Where.
    pub position: Position,
    /// One line: what is wrong.
    pub summary: String,
    /// How to fix it.
    pub fix: String,
}

impl Diagnostic {
    /// The finding's severity (its rule's).
    pub fn severity(&self) -> Severity {
        self.rule.severity
    }
}

/// Something the validator did not check, and why (an expression it cannot evaluate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Where.
    pub position: Position,
    /// What was not checked.
    pub message: String,
}

/// Where an attribute of the model was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The model attribute path (`tag_concurrency_limit[0].limit`).
    pub attr: String,
    /// How the file names it (a values key or the attribute path).
    pub subject: String,
    /// Where.
    pub position: Position,
}

/// One configuration to check: a Dagster release, a values file, or a `dagster_concurrency` block.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Target {
    /// What it is, e.g. `helm_release.dagster` or `values`.
    pub name: String,
    /// Where it starts.
    pub position: Position,
    /// The configuration the rules check.
    pub config: ConcurrencyConfig,
    /// What kind of configuration it was read from; findings use its names.
    pub source: Source,
    /// Where each attribute was written.
    pub written: Vec<Written>,
    /// Findings raised while reading (raw-values rules, DC504).
    pub findings: Vec<Diagnostic>,
    /// What was not checked.
    pub notes: Vec<Note>,
}

impl Target {
    /// A target named `name` starting at `position`, with nothing read yet.
    pub fn new(name: impl Into<String>, position: Position) -> Self {
        Target {
            name: name.into(),
            position,
            ..Default::default()
        }
    }

    /// Records where a model attribute was written.
    pub fn wrote(
        &mut self,
        attr: impl Into<String>,
        subject: impl Into<String>,
        position: Position,
    ) {
        self.written.push(Written {
            attr: attr.into(),
            subject: subject.into(),
            position,
        });
    }

    /// Adds a finding raised while reading.
    pub fn raise(
        &mut self,
        rule: &'static Rule,
        subject: impl Into<String>,
        position: Position,
        summary: String,
        fix: String,
    ) {
        self.findings.push(Diagnostic {
            rule,
            target: self.name.clone(),
            subject: subject.into(),
            position,
            summary,
            fix,
        });
    }

    /// Adds a "not checked" note.
    pub fn note(&mut self, position: Position, message: String) {
        self.notes.push(Note { position, message });
    }

    /// Every finding: those raised while reading, then the rule engine's, each placed where its
    /// attribute was written (or where its closest written parent or the target starts).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut out = self.findings.clone();
        out.extend(self.place(rules::check_as(&self.config, self.source)));
        out
    }

    /// Places findings on this target's model (the rule engine's, or an organisation policy's)
    /// where their attribute was written, or its closest written parent, or the target's start.
    pub fn place(&self, findings: Vec<rules::Finding>) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for finding in findings {
            let attr = finding.path.to_string();
            let written = self.written.iter().find(|w| w.attr == attr).or_else(|| {
                self.written
                    .iter()
                    .filter(|w| {
                        attr.starts_with(&format!("{}.", w.attr))
                            || attr.starts_with(&format!("{}[", w.attr))
                    })
                    .max_by_key(|w| w.attr.len())
            });
            let (subject, position) = match written {
                Some(w) if w.attr == attr => (w.subject.clone(), w.position),
                Some(w) => (attr, w.position),
                None => (attr, self.position),
            };
            out.push(Diagnostic {
                rule: finding.rule,
                target: self.name.clone(),
                subject,
                position,
                summary: finding.summary,
                fix: finding.fix,
            });
        }
        out
    }
}

/// The kinds of file the validator reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Terraform configuration (`*.tf`).
    Hcl,
    /// `terraform show -json` of a plan.
    PlanJson,
    /// Helm values for the Dagster chart.
    ValuesYaml,
}

impl Kind {
    /// The kind of a file from its extension, then its content; `None` for files the
    /// validator does not read (a directory walk skips them).
    pub fn detect(path: &Path, text: &str) -> Option<Kind> {
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        match extension {
            "tf" => Some(Kind::Hcl),
            "yaml" | "yml" => Some(Kind::ValuesYaml),
            "json" => Some(Kind::PlanJson),
            _ => {
                let start = text.trim_start();
                if start.starts_with('{') && start.contains("\"format_version\"") {
                    Some(Kind::PlanJson)
                } else if start.contains("resource \"") || start.contains("terraform {") {
                    Some(Kind::Hcl)
                } else if start.contains("dagsterDaemon:") || start.contains("concurrency:") {
                    Some(Kind::ValuesYaml)
                } else {
                    None
                }
            }
        }
    }

    /// The name used in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Hcl => "terraform",
            Kind::PlanJson => "plan json",
            Kind::ValuesYaml => "helm values",
        }
    }
}

/// Settings the command line gives every file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Chart version to assume where a file does not say (a release's `version` wins).
    pub chart_version: Option<String>,
    /// Where the Dagster chart's values sit in an umbrella chart's values (`dagster`).
    pub values_prefix: Option<String>,
}

/// A file that could not be read as its kind, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Where the parser stopped.
    pub position: Position,
    /// What is wrong, lowercase.
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.position, self.message)
    }
}

/// Reads one file's text as `kind` into the targets it holds.
pub fn read(kind: Kind, text: &str, options: &ReadOptions) -> Result<Vec<Target>, SyntaxError> {
    match kind {
        Kind::Hcl => hcl::read(text, options),
        Kind::PlanJson => plan_json::read(text, options),
        Kind::ValuesYaml => values_yaml::read(text, options),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "ab\ncé d";
        assert_eq!(Position::of_offset(text, 0), Position::START);
        assert_eq!(
            Position::of_offset(text, 3),
            Position { line: 2, column: 1 }
        );
        assert_eq!(
            Position::of_offset(text, 6),
            Position { line: 2, column: 3 }
        );
    }

    #[test]
    fn kinds_come_from_extension_then_content() {
        assert_eq!(Kind::detect(Path::new("main.tf"), ""), Some(Kind::Hcl));
        assert_eq!(Kind::detect(Path::new("v.yml"), ""), Some(Kind::ValuesYaml));
        assert_eq!(
            Kind::detect(Path::new("plan.json"), ""),
            Some(Kind::PlanJson)
        );
        assert_eq!(
            Kind::detect(Path::new("plan"), "{\"format_version\":\"1.2\"}"),
            Some(Kind::PlanJson)
        );
        assert_eq!(Kind::detect(Path::new("README"), "hello"), None);
    }
}
