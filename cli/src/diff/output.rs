//! `diff`'s report in the formats of `check`: text lines `path:line:col: KIND: message`, JSON,
//! SARIF 2.1.0 (one rule per kind of difference) and JUnit XML (one failing case per
//! difference, one passing case when there is none).

use super::declared::Location;
use quick_xml::events::{BytesCData, BytesDecl, BytesText, Event};
use quick_xml::Writer;
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

/// JUnit XML: one test suite `drift`, a failing case per difference (named by its subject),
/// or one passing case `no drift`.
pub fn junit(differences: &[Shown], endpoint: &str) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    let failures = differences.len().to_string();
    let tests = differences.len().max(1).to_string();
    // Writing to a Vec cannot fail.
    let _ = writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let _ = writer
        .create_element("testsuites")
        .with_attributes([
            ("name", "dagster-concurrency diff"),
            ("tests", tests.as_str()),
            ("failures", failures.as_str()),
        ])
        .write_inner_content(|writer| {
            writer
                .create_element("testsuite")
                .with_attributes([
                    ("name", endpoint),
                    ("tests", tests.as_str()),
                    ("failures", failures.as_str()),
                    ("errors", "0"),
                    ("skipped", "0"),
                ])
                .write_inner_content(|writer| {
                    if differences.is_empty() {
                        writer
                            .create_element("testcase")
                            .with_attributes([("name", "no drift"), ("classname", "drift")])
                            .write_empty()?;
                    }
                    for shown in differences {
                        let drift = shown.difference.drift.kind();
                        let name = shown.difference.subject.to_string();
                        let place = shown
                            .at
                            .as_ref()
                            .map_or_else(|| endpoint.to_owned(), Location::to_string);
                        writer
                            .create_element("testcase")
                            .with_attributes([("name", name.as_str()), ("classname", "drift")])
                            .write_inner_content(|writer| {
                                let message = shown.difference.to_string();
                                writer
                                    .create_element("failure")
                                    .with_attributes([
                                        ("message", message.as_str()),
                                        ("type", drift),
                                    ])
                                    .write_cdata_content(BytesCData::new(format!(
                                        "{place}: {drift}: {message}"
                                    )))?;
                                Ok(())
                            })?;
                    }
                    Ok(())
                })?;
            Ok(())
        });
    let _ = writer.write_event(Event::Text(BytesText::new("\n")));
    String::from_utf8(writer.into_inner()).unwrap_or_default()
}
