//! Compiler-style text: `path:line:col: error[CODE]: summary`, then a hint line.

use super::{nothing_checked, totals, FileReport, Outcome};
use std::fmt::Write;
use validator::input::Kind;

/// The report as text, ending with a one-line summary.
pub fn render(files: &[FileReport]) -> String {
    let mut out = String::new();
    for file in files {
        let path = &file.path;
        match &file.outcome {
            Outcome::Checked {
                diagnostics, notes, ..
            } => {
                for d in diagnostics {
                    let (shown, position) = d.location(path);
                    // A plan's line and column say little: name the resource too.
                    let address = if file.kind == Some(Kind::PlanJson) {
                        format!("{}: ", d.at.target)
                    } else {
                        String::new()
                    };
                    let _ = writeln!(
                        out,
                        "{shown}:{position}: {}[{}]: {address}{}",
                        d.severity(),
                        d.rule.code,
                        d.summary
                    );
                    let _ = writeln!(out, "  = hint: {}", d.fix);
                }
                for note in notes {
                    let _ = writeln!(out, "{path}:{}: note: {}", note.position, note.message);
                }
            }
            Outcome::Invalid(error) => {
                let _ = writeln!(out, "{path}:{}: error: {}", error.position, error.message);
            }
            Outcome::Unreadable(message) => {
                let _ = writeln!(out, "{path}: error: {message}");
            }
            Outcome::Skipped(message) => {
                let _ = writeln!(out, "{path}: note: {message}");
            }
        }
    }
    let t = totals(files);
    let _ = writeln!(
        out,
        "checked {} file(s), {} configuration(s): {} error(s), {} warning(s), {} file(s) not readable",
        t.files, t.targets, t.errors, t.warnings, t.failed_files
    );
    if let Some(warning) = nothing_checked(&t) {
        let _ = writeln!(out, "warning: {warning}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn lines_like_a_compiler() {
        let text = render(&sample::run());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "infra/main.tf:9:5: error[DC101]: summary of DC101 & <friends>"
        );
        assert_eq!(lines[1], "  = hint: fix for DC101");
        assert_eq!(
            lines[2],
            "infra/main.tf:12:5: warning[DC206]: summary of DC206 & <friends>"
        );
        assert!(lines[4].starts_with("infra/main.tf:20:3: note: dynamic"));
        assert_eq!(
            lines[5],
            "values/bad.yaml:2:1: error: invalid yaml: did not find expected key"
        );
        assert!(lines[6].starts_with(
            "checked 3 file(s), 2 configuration(s): 1 error(s), 1 warning(s), 1 file(s)"
        ));
        assert_eq!(lines.len(), 7, "{text}");
    }

    #[test]
    fn plan_findings_name_the_resource_and_show_their_source() {
        let mut files = sample::run();
        files[0].path = "plan.json".into();
        files[0].kind = Some(Kind::PlanJson);
        if let Outcome::Checked { diagnostics, .. } = &mut files[0].outcome {
            diagnostics[1].at.origin = Some(validator::input::Origin {
                path: "infra/main.tf".into(),
                position: validator::input::Position { line: 7, column: 3 },
            });
        }
        let text = render(&files);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "plan.json:9:5: error[DC101]: helm_release.dagster: summary of DC101 & <friends>"
        );
        assert_eq!(
            lines[2],
            "infra/main.tf:7:3: warning[DC206]: helm_release.dagster: summary of DC206 & <friends>"
        );
    }

    #[test]
    fn a_run_that_checked_nothing_says_so() {
        let empty = render(&[]);
        assert!(
            empty.ends_with("warning: nothing was checked: no terraform, plan json or helm values file in the paths given\n"),
            "{empty}"
        );
        let skipped = render(&[FileReport {
            path: "package.json".into(),
            kind: None,
            outcome: Outcome::Skipped("not a terraform plan".into()),
        }]);
        assert!(
            skipped.starts_with("package.json: note: not a terraform plan\n"),
            "{skipped}"
        );
        assert!(skipped.contains("warning: nothing was checked: no dagster helm_release, dagster values or dagster_concurrency block in 1 file(s)"), "{skipped}");
    }
}
