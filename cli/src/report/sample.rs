//! A small run used by the formatter tests: one finding of each severity, a note, and a file
//! that does not parse.

use super::{FileReport, Outcome};
use validator::input::{Diagnostic, Kind, Note, Position, SyntaxError};
use validator::rules::find;

fn diagnostic(code: &str, line: usize) -> Diagnostic {
    Diagnostic {
        rule: find(code).expect("a known rule"),
        target: "helm_release.dagster".into(),
        subject: "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns"
            .into(),
        position: Position { line, column: 5 },
        summary: format!("summary of {code} & <friends>"),
        fix: format!("fix for {code}"),
        origin: None,
        attribute: None,
    }
}

/// Three files: findings, a syntax error, and a clean file.
pub fn run() -> Vec<FileReport> {
    vec![
        FileReport {
            path: "infra/main.tf".into(),
            kind: Some(Kind::Hcl),
            outcome: Outcome::Checked {
                targets: 1,
                diagnostics: vec![diagnostic("DC101", 9), diagnostic("DC206", 12)],
                notes: vec![Note {
                    position: Position {
                        line: 20,
                        column: 3,
                    },
                    message: "dynamic \"set\" is computed: its entries are not checked".into(),
                }],
            },
        },
        FileReport {
            path: "values/bad.yaml".into(),
            kind: Some(Kind::ValuesYaml),
            outcome: Outcome::Invalid(SyntaxError {
                position: Position { line: 2, column: 1 },
                message: "invalid yaml: did not find expected key".into(),
            }),
        },
        FileReport {
            path: "values/good.yaml".into(),
            kind: Some(Kind::ValuesYaml),
            outcome: Outcome::Checked {
                targets: 1,
                diagnostics: vec![],
                notes: vec![],
            },
        },
    ]
}
