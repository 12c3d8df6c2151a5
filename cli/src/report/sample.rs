//! A small run used by the formatter tests: one finding of each severity, a note, and a file
//! that does not parse.

use super::{FileReport, Outcome};
use validator::input::{Kind, Note, Place, Position, SyntaxError};
use validator::rules::{find, Finding};

fn finding(code: &str, line: usize) -> Finding<Place> {
    let place = Place {
        target: "helm_release.dagster".into(),
        subject: "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.maxConcurrentRuns"
            .into(),
        position: Position { line, column: 5 },
        origin: None,
        attribute: None,
    };
    find(code).expect("a known rule").at(
        place,
        format!("summary of {code} & <friends>"),
        format!("fix for {code}"),
    )
}

/// Three files: findings, a syntax error, and a clean file.
pub fn run() -> Vec<FileReport> {
    vec![
        FileReport {
            path: "infra/main.tf".into(),
            kind: Some(Kind::Hcl),
            outcome: Outcome::Checked {
                targets: 1,
                diagnostics: vec![finding("DC101", 9), finding("DC206", 12)],
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
