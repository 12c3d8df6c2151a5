//! JUnit XML for CI dashboards: one test suite per file and one test case per finding, so that
//! every count agrees (`tests`, `failures`, `errors` and `skipped` count test cases). Error
//! findings (and warnings when denied) are failing cases, other warnings passing cases with the
//! finding as output; a file without findings is one passing case, a file that cannot be read
//! one case in error, a file with nothing to check one skipped case.

use super::{FileReport, Outcome};
use quick_xml::events::{BytesCData, BytesDecl, BytesText, Event};
use quick_xml::Writer;
use validator::input::Diagnostic;
use validator::rules::Severity;

/// How one test case ends.
enum Verdict<'a> {
    /// Passed; a finding that does not fail the run is shown as output.
    Passed(Option<String>),
    /// A failing finding.
    Failed(&'a Diagnostic, String),
    /// The file could not be read or parsed.
    Error(String),
    /// The file holds nothing to check.
    Skipped(&'a str),
}

/// One test case.
struct Case<'a> {
    name: String,
    verdict: Verdict<'a>,
}

/// The test cases of one file.
fn cases(file: &FileReport, deny_warnings: bool) -> Vec<Case<'_>> {
    let read = |verdict| {
        vec![Case {
            name: "read".into(),
            verdict,
        }]
    };
    match &file.outcome {
        Outcome::Invalid(error) => read(Verdict::Error(format!(
            "{}: {}",
            error.position, error.message
        ))),
        Outcome::Unreadable(message) => read(Verdict::Error(message.clone())),
        Outcome::Skipped(message) => read(Verdict::Skipped(message)),
        Outcome::Checked { diagnostics, .. } if diagnostics.is_empty() => vec![Case {
            name: "check".into(),
            verdict: Verdict::Passed(None),
        }],
        Outcome::Checked { diagnostics, .. } => diagnostics
            .iter()
            .map(|d| {
                let (shown, position) = d.location(&file.path);
                let text = format!(
                    "{shown}:{position}: {}[{}]: {}\n  = hint: {}",
                    d.severity(),
                    d.rule.code,
                    d.summary,
                    d.fix
                );
                let fails = d.severity() == Severity::Error || deny_warnings;
                Case {
                    name: format!("{} {} at {}", d.target, d.rule.code, d.position),
                    verdict: if fails {
                        Verdict::Failed(d, text)
                    } else {
                        Verdict::Passed(Some(text))
                    },
                }
            })
            .collect(),
    }
}

/// Counts of a list of cases: tests, failures, errors, skipped.
fn counts(cases: &[Case]) -> [usize; 4] {
    let mut counts = [cases.len(), 0, 0, 0];
    for case in cases {
        match case.verdict {
            Verdict::Passed(_) => {}
            Verdict::Failed(..) => counts[1] += 1,
            Verdict::Error(_) => counts[2] += 1,
            Verdict::Skipped(_) => counts[3] += 1,
        }
    }
    counts
}

/// The report as JUnit XML; `deny_warnings` makes warnings failures too.
pub fn render(files: &[FileReport], deny_warnings: bool) -> String {
    let suites: Vec<(&FileReport, Vec<Case>)> = files
        .iter()
        .map(|file| (file, cases(file, deny_warnings)))
        .collect();
    let all: Vec<[usize; 4]> = suites.iter().map(|(_, cases)| counts(cases)).collect();
    let total = |i: usize| all.iter().map(|c| c[i]).sum::<usize>().to_string();
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    let _ = writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
    let result = writer
        .create_element("testsuites")
        .with_attribute(("name", "dagster-concurrency"))
        .with_attribute(("tests", total(0).as_str()))
        .with_attribute(("failures", total(1).as_str()))
        .with_attribute(("errors", total(2).as_str()))
        .with_attribute(("skipped", total(3).as_str()))
        .write_inner_content(|w| {
            for ((file, cases), [tests, failures, errors, skipped]) in suites.iter().zip(&all) {
                w.create_element("testsuite")
                    .with_attribute(("name", file.path.as_str()))
                    .with_attribute(("tests", tests.to_string().as_str()))
                    .with_attribute(("failures", failures.to_string().as_str()))
                    .with_attribute(("errors", errors.to_string().as_str()))
                    .with_attribute(("skipped", skipped.to_string().as_str()))
                    .write_inner_content(|w| {
                        for case in cases {
                            let element = w
                                .create_element("testcase")
                                .with_attribute(("name", case.name.as_str()))
                                .with_attribute(("classname", file.path.as_str()));
                            match &case.verdict {
                                Verdict::Passed(None) => {
                                    element.write_empty()?;
                                }
                                Verdict::Passed(Some(text)) => {
                                    element.write_inner_content(|w| {
                                        w.create_element("system-out")
                                            .write_text_content(BytesText::new(text))?;
                                        Ok(())
                                    })?;
                                }
                                Verdict::Failed(d, text) => {
                                    element.write_inner_content(|w| {
                                        w.create_element("failure")
                                            .with_attribute(("message", d.summary.as_str()))
                                            .with_attribute(("type", d.rule.code))
                                            .write_cdata_content(BytesCData::new(text))?;
                                        Ok(())
                                    })?;
                                }
                                Verdict::Error(message) => {
                                    element.write_inner_content(|w| {
                                        w.create_element("error")
                                            .with_attribute(("message", message.as_str()))
                                            .write_empty()?;
                                        Ok(())
                                    })?;
                                }
                                Verdict::Skipped(message) => {
                                    element.write_inner_content(|w| {
                                        w.create_element("skipped")
                                            .with_attribute(("message", *message))
                                            .write_empty()?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    /// The value of `attribute` on every element named `element`.
    fn attributes(xml: &str, element: &str, attribute: &str) -> Vec<usize> {
        xml.split(&format!("<{element} "))
            .skip(1)
            .filter_map(|rest| {
                let value = rest.split(&format!(" {attribute}=\"")).nth(1)?;
                value.split('"').next()?.parse().ok()
            })
            .collect()
    }

    #[test]
    fn every_count_agrees_with_the_cases() {
        for deny_warnings in [false, true] {
            let xml = render(&sample::run(), deny_warnings);
            let cases = xml.matches("<testcase ").count();
            let failures = xml.matches("<failure ").count();
            let errors = xml.matches("<error ").count();
            assert_eq!(attributes(&xml, "testsuites", "tests"), [cases], "{xml}");
            assert_eq!(
                attributes(&xml, "testsuites", "failures"),
                [failures],
                "{xml}"
            );
            assert_eq!(attributes(&xml, "testsuites", "errors"), [errors], "{xml}");
            let suite_tests: usize = attributes(&xml, "testsuite", "tests").iter().sum();
            let suite_failures: usize = attributes(&xml, "testsuite", "failures").iter().sum();
            assert_eq!((suite_tests, suite_failures), (cases, failures), "{xml}");
            assert_eq!(failures, if deny_warnings { 2 } else { 1 }, "{xml}");
        }
    }

    #[test]
    fn suites_cases_and_failures() {
        let xml = render(&sample::run(), false);
        assert!(
            xml.contains(
                "<testsuite name=\"infra/main.tf\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\">"
            ),
            "{xml}"
        );
        assert!(
            xml.contains("<testcase name=\"helm_release.dagster DC101 at 9:5\""),
            "{xml}"
        );
        assert!(xml.contains("type=\"DC101\""), "{xml}");
        assert!(
            xml.contains("summary of DC101 &amp; &lt;friends&gt;"),
            "{xml}"
        );
        assert!(xml.contains("<error message=\"2:1: invalid yaml"), "{xml}");
    }
}
