//! JUnit XML for CI dashboards: one test suite per file, one test case per configuration
//! checked; error findings (and warnings when denied) are failures, unreadable files errors.

use super::{FileReport, Outcome};
use crate::input::Diagnostic;
use crate::rules::Severity;
use quick_xml::events::{BytesCData, BytesDecl, BytesText, Event};
use quick_xml::Writer;
use std::collections::BTreeMap;

/// The report as JUnit XML; `deny_warnings` makes warnings failures too.
pub fn render(files: &[FileReport], deny_warnings: bool) -> String {
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    let fails = |d: &Diagnostic| d.severity() == Severity::Error || deny_warnings;
    let failures: usize = files
        .iter()
        .map(|f| f.diagnostics().iter().filter(|d| fails(d)).count())
        .sum();
    let errors = files.iter().filter(|f| f.failed()).count();
    let _ = writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let result = writer
        .create_element("testsuites")
        .with_attribute(("name", "dagster-concurrency"))
        .with_attribute(("failures", failures.to_string().as_str()))
        .with_attribute(("errors", errors.to_string().as_str()))
        .write_inner_content(|w| {
            for file in files {
                let cases = cases(file);
                let file_failures: usize = file.diagnostics().iter().filter(|d| fails(d)).count();
                w.create_element("testsuite")
                    .with_attribute(("name", file.path.as_str()))
                    .with_attribute(("tests", cases.len().max(1).to_string().as_str()))
                    .with_attribute(("failures", file_failures.to_string().as_str()))
                    .with_attribute(("errors", usize::from(file.failed()).to_string().as_str()))
                    .write_inner_content(|w| {
                        match &file.outcome {
                            Outcome::Invalid(error) => {
                                w.create_element("testcase")
                                    .with_attribute(("name", "read"))
                                    .with_attribute(("classname", file.path.as_str()))
                                    .write_inner_content(|w| {
                                        w.create_element("error")
                                            .with_attribute((
                                                "message",
                                                format!("{}: {}", error.position, error.message)
                                                    .as_str(),
                                            ))
                                            .write_empty()?;
                                        Ok(())
                                    })?;
                            }
                            Outcome::Unreadable(message) => {
                                w.create_element("testcase")
                                    .with_attribute(("name", "read"))
                                    .with_attribute(("classname", file.path.as_str()))
                                    .write_inner_content(|w| {
                                        w.create_element("error")
                                            .with_attribute(("message", message.as_str()))
                                            .write_empty()?;
                                        Ok(())
                                    })?;
                            }
                            Outcome::Checked { .. } => {
                                for (target, found) in &cases {
                                    w.create_element("testcase")
                                        .with_attribute(("name", target.as_str()))
                                        .with_attribute(("classname", file.path.as_str()))
                                        .write_inner_content(|w| {
                                            for d in found {
                                                let text = format!(
                                                    "{}:{}: {}[{}]: {}\n  = hint: {}",
                                                    file.path,
                                                    d.position,
                                                    d.severity(),
                                                    d.rule.code,
                                                    d.summary,
                                                    d.fix
                                                );
                                                if fails(d) {
                                                    w.create_element("failure")
                                                        .with_attribute((
                                                            "message",
                                                            d.summary.as_str(),
                                                        ))
                                                        .with_attribute(("type", d.rule.code))
                                                        .write_cdata_content(BytesCData::new(
                                                            text,
                                                        ))?;
                                                } else {
                                                    w.create_element("system-out")
                                                        .write_text_content(BytesText::new(
                                                            &text,
                                                        ))?;
                                                }
                                            }
                                            Ok(())
                                        })?;
                                }
                            }
                        }
                        Ok(())
                    })?;
            }
            Ok(())
        });
    if result.is_err() {
        return String::new();
    }
    String::from_utf8(writer.into_inner()).unwrap_or_default()
}

/// The findings of a checked file grouped by configuration (a clean file is one passing case).
fn cases(file: &FileReport) -> BTreeMap<String, Vec<&Diagnostic>> {
    let mut cases: BTreeMap<String, Vec<&Diagnostic>> = BTreeMap::new();
    for d in file.diagnostics() {
        cases.entry(d.target.clone()).or_default().push(d);
    }
    if cases.is_empty() {
        cases.insert("check".into(), Vec::new());
    }
    cases
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn suites_cases_and_failures() {
        let xml = render(&sample::run(), false);
        assert!(
            xml.contains("<testsuites name=\"dagster-concurrency\" failures=\"1\" errors=\"1\">"),
            "{xml}"
        );
        assert!(
            xml.contains(
                "<testsuite name=\"infra/main.tf\" tests=\"1\" failures=\"1\" errors=\"0\">"
            ),
            "{xml}"
        );
        assert!(xml.contains("type=\"DC101\""), "{xml}");
        assert!(
            xml.contains("summary of DC101 &amp; &lt;friends&gt;"),
            "{xml}"
        );
        assert!(xml.contains("<error message=\"2:1: invalid yaml"), "{xml}");
        let denied = render(&sample::run(), true);
        assert!(denied.contains("failures=\"2\" errors=\"1\""), "{denied}");
    }
}
