//! Findings as Terraform diagnostics: `[CODE] summary`, the fix as detail, the attribute path.

use tfplugin::diagnostics::{AttributePath, Diagnostic, Diagnostics};
use validator::path::{AttrPath, Step};
use validator::rules::{Finding, Severity};

/// The Terraform attribute path of a finding's path.
pub fn attribute_path(path: &AttrPath) -> AttributePath {
    let mut out = AttributePath::default();
    for step in &path.steps {
        out = match step {
            Step::Attr(name) => out.then(name),
            Step::Block(name) => out.then(name).index(0),
            Step::Item(name, index) => out
                .then(name)
                .index(i64::try_from(*index).unwrap_or(i64::MAX)),
        };
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
        let diagnostic = match finding.severity() {
            Severity::Error => {
                failed = true;
                Diagnostic::error(summary, detail)
            }
            Severity::Warning => Diagnostic::warning(summary, detail),
        };
        diags.push(diagnostic.at(attribute_path(&finding.at)));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_get_their_list_index() {
        let path = attribute_path(&AttrPath::block("pools").then("granularity"));
        assert_eq!(
            path,
            AttributePath::attribute("pools")
                .index(0)
                .then("granularity")
        );
        assert_eq!(path.to_string(), "pools[0].granularity");
    }

    #[test]
    fn details_start_with_a_capital() {
        assert_eq!(
            sentence_case("use a positive limit"),
            "Use a positive limit"
        );
        assert_eq!(sentence_case(""), "");
    }
}
