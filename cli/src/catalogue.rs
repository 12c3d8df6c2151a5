//! `rules` and `explain`: the catalogue of every rule, configuration and policy alike.

use clap::ValueEnum;
use std::process::ExitCode;
use validator::policy::{self, every_rule};
use validator::rules::{self, Lifecycle, Rule};

/// The output formats of `rules`.
#[derive(Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Text,
    Json,
}

/// `rules`: every rule's code, severity and name.
pub fn list(format: ListFormat) -> ExitCode {
    match format {
        ListFormat::Text => {
            for rule in every_rule() {
                println!("{}", line(rule));
            }
        }
        ListFormat::Json => {
            let list: Vec<_> = every_rule()
                .map(|r| serde_json::json!({"code": r.code, "severity": r.severity.to_string(), "lifecycle": r.lifecycle.to_string(), "name": r.name, "doc": r.doc}))
                .collect();
            println!("{}", serde_json::Value::from(list));
        }
    }
    ExitCode::SUCCESS
}

/// `explain CODE`: a rule's documentation; exit 2 for a code no rule has.
pub fn explain(code: &str) -> ExitCode {
    match rules::find(code).or_else(|| policy::find(code)) {
        Some(rule) => {
            println!("{}", explanation(rule));
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("error: no rule {code:?}; `dagster-concurrency rules` lists them");
            ExitCode::from(2)
        }
    }
}

/// A lifecycle as a suffix: nothing for a stable rule, which is what almost every rule is.
fn lifecycle_suffix(rule: &Rule, separator: &str) -> String {
    match rule.lifecycle {
        Lifecycle::Stable => String::new(),
        other => format!("{separator}{other}"),
    }
}

/// A rule's line in `rules`: code, severity, name, and its lifecycle unless stable.
fn line(rule: &Rule) -> String {
    format!(
        "{:<6} {:<7} {}{}",
        rule.code,
        rule.severity.to_string(),
        rule.name,
        lifecycle_suffix(rule, " ")
    )
}

/// A rule's `explain` text: a heading with its severity (and lifecycle unless stable), then
/// its documentation.
fn explanation(rule: &Rule) -> String {
    format!(
        "# {} {} ({}{})\n\n{}",
        rule.code,
        rule.name,
        rule.severity,
        lifecycle_suffix(rule, ", "),
        rule.doc.trim_end()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use validator::rules::Severity;

    static PREVIEW: Rule = Rule {
        code: "DC999",
        name: "a-preview-rule",
        severity: Severity::Warning,
        lifecycle: Lifecycle::Preview,
        doc: "## What it does\nNothing yet.\n",
    };

    #[test]
    fn a_rule_that_is_not_stable_says_so() {
        assert_eq!(line(&PREVIEW), "DC999  warning a-preview-rule preview");
        assert!(explanation(&PREVIEW).starts_with("# DC999 a-preview-rule (warning, preview)\n\n"));
        let stable = rules::find("DC101").expect("DC101");
        assert_eq!(line(stable), "DC101  error   runs-below-minus-one");
        assert!(explanation(stable).starts_with("# DC101 runs-below-minus-one (error)\n\n"));
    }
}
