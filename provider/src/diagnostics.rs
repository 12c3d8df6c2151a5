//! Findings as Terraform diagnostics: `[CODE] summary`, the fix as detail, the attribute path.

use std::panic::{catch_unwind, UnwindSafe};
use tf_provider::{AttributePath, Diagnostic, Diagnostics};
use validator::path::{AttrPath, Step};
use validator::rules::{Finding, Severity};

/// The Terraform attribute path of a finding's path.
pub fn attribute_path(path: &AttrPath) -> AttributePath {
    let mut out = AttributePath::root();
    for step in &path.steps {
        match step {
            Step::Attr(name) => {
                out.add_attribute(*name);
            }
            Step::Block(name) => {
                out.add_attribute(*name).add_index(0);
            }
            Step::Item(name, index) => {
                out.add_attribute(*name)
                    .add_index(i64::try_from(*index).unwrap_or(i64::MAX));
            }
        }
    }
    out
}

/// Adds findings as diagnostics; returns true when any is an error.
pub fn report<'a>(
    diags: &mut Diagnostics,
    findings: impl IntoIterator<Item = &'a Finding>,
) -> bool {
    let mut failed = false;
    for finding in findings {
        let summary = format!("[{}] {}", finding.rule.code, finding.summary);
        let detail = format!(
            "{}.\n\nRule {} ({}); `dagster-concurrency explain {}` documents it.",
            sentence_case(&finding.fix),
            finding.rule.code,
            finding.rule.name,
            finding.rule.code
        );
        let diagnostic = Diagnostic::new(summary, detail, attribute_path(&finding.path));
        match finding.severity() {
            Severity::Error => {
                failed = true;
                diags.add_error(diagnostic);
            }
            Severity::Warning => diags.add_warning(diagnostic),
        }
    }
    failed
}

/// Fixes are written lowercase for the CLI's hint lines; Terraform details read as sentences.
fn sentence_case(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Runs domain code so that a bug in it becomes an error diagnostic instead of a crashed
/// Terraform run.
pub fn guarded<T>(diags: &mut Diagnostics, work: impl FnOnce() -> T + UnwindSafe) -> Option<T> {
    match catch_unwind(work) {
        Ok(value) => Some(value),
        Err(_) => {
            diags.root_error(
                "Internal error in terraform-provider-dagster",
                "The provider hit a bug while checking or rendering this configuration. Please report it with the configuration that triggered it.",
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tf_provider::AttributePathStep;

    #[test]
    fn blocks_get_their_list_index() {
        let path = attribute_path(&AttrPath::block("pools").then("granularity"));
        assert_eq!(
            path.steps,
            vec![
                AttributePathStep::Attribute("pools".into()),
                AttributePathStep::Index(0),
                AttributePathStep::Attribute("granularity".into()),
            ]
        );
    }

    #[test]
    fn details_start_with_a_capital() {
        assert_eq!(
            sentence_case("use a positive limit"),
            "Use a positive limit"
        );
        assert_eq!(sentence_case(""), "");
    }

    #[test]
    fn a_panic_becomes_an_error() {
        let mut diags = Diagnostics::default();
        let result: Option<()> = guarded(&mut diags, || panic!("boom"));
        assert!(result.is_none());
        assert_eq!(diags.errors.len(), 1);
    }
}
