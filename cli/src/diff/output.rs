//! `diff`'s report in the formats of `check`: text lines `path:line:col: KIND: message`, JSON,
//! SARIF 2.1.0 (one rule per kind of difference) and JUnit XML (one failing case per
//! difference, one passing case when there is none).

use super::declared::Location;
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use serde_json::{json, Value};
use validator::drift::Difference;

/// One difference and where its declaration is written (none for what is only deployed
/// outside a declared deployment: a pool set in the UI).
pub struct Shown {
    /// The difference.
    pub difference: Difference,
    /// Where to look.
    pub at: Option<Location>,
}

/// The last line of the text report.
fn summary(differences: &[Shown], endpoint: &str) -> String {
    match differences.len() {
        0 => format!("no drift: {endpoint} enforces the declared limits"),
        1 => format!("1 difference between the declared limits and {endpoint}"),
        n => format!("{n} differences between the declared limits and {endpoint}"),
    }
}

/// `path:line:col: KIND: message` per difference (the webserver endpoint stands for the path
/// of what is only deployed), then a summary line.
pub fn text(differences: &[Shown], endpoint: &str) -> String {
    let mut out = String::new();
    for shown in differences {
        let place = shown
            .at
            .as_ref()
            .map_or_else(|| endpoint.to_owned(), Location::to_string);
        out.push_str(&format!(
            "{place}: {}: {}\n",
            shown.difference.drift.kind(),
            shown.difference
        ));
    }
    out.push_str(&summary(differences, endpoint));
    out.push('\n');
    out
}

/// `{webserver, drift, differences: [{kind, subject, declared, deployed, message, path, line,
/// column}]}`.
pub fn json(differences: &[Shown], endpoint: &str) -> Value {
    let items: Vec<Value> = differences
        .iter()
        .map(|shown| {
            let drift = shown.difference.drift;
            json!({
                "kind": drift.kind(),
                "subject": shown.difference.subject.to_string(),
                "declared": drift.declared(),
                "deployed": drift.deployed(),
                "message": shown.difference.to_string(),
                "path": shown.at.as_ref().map(|at| at.path.as_str()),
                "line": shown.at.as_ref().map(|at| at.position.line),
                "column": shown.at.as_ref().map(|at| at.position.column),
            })
        })
        .collect();
    json!({"webserver": endpoint, "drift": !differences.is_empty(), "differences": items})
}

/// The SARIF rule of each kind of difference, and what it means.
const KINDS: [(&str, &str); 3] = [
    (
        "missing",
        "A limit is declared but the running Dagster does not enforce it.",
    ),
    (
        "extra",
        "The running Dagster enforces a limit that no file declares.",
    ),
    (
        "changed",
        "The running Dagster enforces another value than the declared one.",
    ),
];

/// A SARIF 2.1.0 log: rules `drift/missing`, `drift/extra`, `drift/changed`, one error result
/// per difference, located in its file where it has one.
pub fn sarif(differences: &[Shown], endpoint: &str) -> Value {
    let rules: Vec<Value> = KINDS
        .iter()
        .map(|(kind, meaning)| {
            json!({"id": format!("drift/{kind}"), "name": kind, "shortDescription": {"text": meaning}, "defaultConfiguration": {"level": "error"}})
        })
        .collect();
    let results: Vec<Value> = differences
        .iter()
        .map(|shown| {
            let mut result = json!({
                "ruleId": format!("drift/{}", shown.difference.drift.kind()),
                "level": "error",
                "message": {"text": format!("{} ({endpoint})", shown.difference)},
            });
            if let Some(at) = &shown.at {
                result["locations"] = json!([{"physicalLocation": {
                    "artifactLocation": {"uri": at.path},
                    "region": {"startLine": at.position.line, "startColumn": at.position.column},
                }}]);
            }
            result
        })
        .collect();
    json!({
        "$schema": crate::report::sarif::SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "dagster-concurrency", "version": env!("CARGO_PKG_VERSION"), "rules": rules}},
            "results": results,
        }],
    })
}

/// JUnit XML: one test suite named by the endpoint, a failing case per difference (named by
/// its subject), or one passing case `no drift`.
pub fn junit(differences: &[Shown], endpoint: &str) -> String {
    let mut suite = TestSuite::new(endpoint);
    if differences.is_empty() {
        let mut case = TestCase::new("no drift", TestCaseStatus::success());
        case.set_classname("drift");
        suite.add_test_case(case);
    }
    for shown in differences {
        let drift = shown.difference.drift.kind();
        let place = shown
            .at
            .as_ref()
            .map_or_else(|| endpoint.to_owned(), Location::to_string);
        let message = shown.difference.to_string();
        let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
        status
            .set_message(message.as_str())
            .set_type(drift)
            .set_description(format!("{place}: {drift}: {message}"));
        let mut case = TestCase::new(shown.difference.subject.to_string(), status);
        case.set_classname("drift");
        suite.add_test_case(case);
    }
    let mut report = Report::new("dagster-concurrency diff");
    report.add_test_suite(suite);
    // Serialising into memory fails only on an I/O error of the buffer, which cannot happen.
    report.to_string().unwrap_or_default()
}
