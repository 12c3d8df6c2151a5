//! JUnit XML for CI dashboards: one test suite per file and one test case per finding, so that
//! every count agrees (`tests`, `failures`, `errors` and `skipped` count test cases; quick-junit
//! counts them). Error findings (and warnings when denied) are failing cases, other warnings
//! passing cases with the finding as output; a file without findings is one passing case, a
//! file that cannot be read one case in error, a file with nothing to check one skipped case.

use super::{FileReport, Outcome};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
use validator::rules::Severity;

/// The one case of a file that was not checked: `read`, ending as `status` says.
fn read_case(mut status: TestCaseStatus, message: &str) -> Vec<TestCase> {
    status.set_message(message);
    vec![TestCase::new("read", status)]
}

/// The test cases of one file.
fn cases(file: &FileReport, deny_warnings: bool) -> Vec<TestCase> {
    let mut cases = match &file.outcome {
        Outcome::Invalid(error) => read_case(
            TestCaseStatus::non_success(NonSuccessKind::Error),
            &format!("{}: {}", error.position, error.message),
        ),
        Outcome::Unreadable(message) => {
            read_case(TestCaseStatus::non_success(NonSuccessKind::Error), message)
        }
        Outcome::Skipped(message) => read_case(TestCaseStatus::skipped(), message),
        Outcome::Checked { diagnostics, .. } if diagnostics.is_empty() => {
            vec![TestCase::new("check", TestCaseStatus::success())]
        }
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
                let name = format!("{} {} at {}", d.at.target, d.rule.code, d.at.position);
                if d.severity() == Severity::Error || deny_warnings {
                    let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                    status
                        .set_message(d.summary.as_str())
                        .set_type(d.rule.code)
                        .set_description(text);
                    TestCase::new(name, status)
                } else {
                    let mut case = TestCase::new(name, TestCaseStatus::success());
                    case.set_system_out(text);
                    case
                }
            })
            .collect(),
    };
    for case in &mut cases {
        case.set_classname(file.path.as_str());
    }
    cases
}

/// The report as JUnit XML; `deny_warnings` makes warnings failures too.
pub fn render(files: &[FileReport], deny_warnings: bool) -> String {
    let mut report = Report::new("dagster-concurrency");
    for file in files {
        let mut suite = TestSuite::new(file.path.as_str());
        suite.add_test_cases(cases(file, deny_warnings));
        report.add_test_suite(suite);
    }
    // Serialising into memory fails only on an I/O error of the buffer, which cannot happen.
    report.to_string().unwrap_or_default()
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
                "<testsuite name=\"infra/main.tf\" tests=\"2\" skipped=\"0\" errors=\"0\" failures=\"1\">"
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
