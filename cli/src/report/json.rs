//! JSON: every file with its findings, notes or error, and the totals.

use super::{totals, FileReport, Outcome};
use serde_json::{json, Value};
use validator::input::Place;
use validator::rules::Finding;

fn diagnostic(d: &Finding<Place>) -> Value {
    let mut value = json!({
        "code": d.rule.code,
        "name": d.rule.name,
        "severity": d.severity().to_string(),
        "target": d.at.target,
        "subject": d.at.subject,
        "line": d.at.position.line,
        "column": d.at.position.column,
        "summary": d.summary,
        "fix": d.fix,
    });
    if let Some(origin) = &d.at.origin {
        value["origin"] = json!({
            "path": origin.path,
            "line": origin.position.line,
            "column": origin.position.column,
        });
    }
    value
}

/// The report as a JSON document.
pub fn render(files: &[FileReport]) -> Value {
    let t = totals(files);
    let entries: Vec<Value> = files
        .iter()
        .map(|file| {
            let mut entry = json!({
                "path": file.path,
                "kind": file.kind.map(|k| k.as_str()),
            });
            match &file.outcome {
                Outcome::Checked { targets, diagnostics, notes } => {
                    entry["targets"] = json!(targets);
                    entry["diagnostics"] = diagnostics.iter().map(diagnostic).collect();
                    entry["notes"] = notes
                        .iter()
                        .map(|n| json!({"line": n.position.line, "column": n.position.column, "message": n.message}))
                        .collect();
                }
                Outcome::Invalid(error) => {
                    entry["error"] = json!({"line": error.position.line, "column": error.position.column, "message": error.message});
                }
                Outcome::Unreadable(message) => entry["error"] = json!({ "message": message }),
                Outcome::Skipped(message) => entry["skipped"] = json!(message),
            }
            entry
        })
        .collect();
    json!({
        "files": entries,
        "totals": {
            "files": t.files,
            "configurations": t.targets,
            "errors": t.errors,
            "warnings": t.warnings,
            "unreadable_files": t.failed_files,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn files_findings_and_totals() {
        let value = render(&sample::run());
        assert_eq!(value["totals"]["errors"], 1);
        assert_eq!(value["totals"]["warnings"], 1);
        assert_eq!(value["totals"]["unreadable_files"], 1);
        let first = &value["files"][0]["diagnostics"][0];
        assert_eq!(first["code"], "DC101");
        assert_eq!(first["severity"], "error");
        assert_eq!(first["line"], 9);
        assert_eq!(value["files"][1]["error"]["line"], 2);
        assert_eq!(value["files"][0]["kind"], "terraform");
    }
}
