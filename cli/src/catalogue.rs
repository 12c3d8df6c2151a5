//! `rules` and `explain`: the catalogue of every rule, configuration and policy alike.

use clap::ValueEnum;
use std::process::ExitCode;
use validator::policy::{self, every_rule};
use validator::rules;

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
                println!(
                    "{:<6} {:<7} {}",
                    rule.code,
                    rule.severity.to_string(),
                    rule.name
                );
            }
        }
        ListFormat::Json => {
            let list: Vec<_> = every_rule()
                .map(|r| serde_json::json!({"code": r.code, "severity": r.severity.to_string(), "name": r.name, "doc": r.doc}))
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
            println!(
                "# {} {} ({})\n\n{}",
                rule.code,
                rule.name,
                rule.severity,
                rule.doc.trim_end()
            );
            ExitCode::SUCCESS
        }
        None => {
            eprintln!("error: no rule {code:?}; `dagster-concurrency rules` lists them");
            ExitCode::from(2)
        }
    }
}
