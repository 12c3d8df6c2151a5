//! The rule registries as markdown: the code tables of the index, the full rule reference page
//! and the warning explanations of the troubleshooting guide, all from `validator::rules::REGISTRY`
//! (configuration rules) and `validator::policy::RULES` (organisation policy rules).

use crate::markdown::{demote_headings, first_paragraph, section};
use validator::rules::{Rule, Severity, REGISTRY};

/// Every rule the provider can report: configuration rules, then policy rules.
fn all() -> impl Iterator<Item = &'static Rule> {
    REGISTRY.iter().chain(validator::policy::RULES).copied()
}

/// The anchor of a rule on the rules page (`dc101`).
fn anchor(rule: &Rule) -> String {
    rule.code.to_lowercase()
}

/// The configuration rules as a table (see [`table`]).
pub fn configuration_table(rules_page: &str) -> String {
    table(REGISTRY, rules_page)
}

/// The policy rules as a table (see [`table`]).
pub fn policy_table(rules_page: &str) -> String {
    table(validator::policy::RULES, rules_page)
}

/// A markdown table of `rules`: code (linked to its documentation under `rules_page`), name,
/// severity and what it checks.
fn table(rules: &[&Rule], rules_page: &str) -> String {
    let mut out = String::from("| Code | Name | Severity | What it checks |\n|---|---|---|---|\n");
    for rule in rules {
        out.push_str(&format!(
            "| [{code}]({rules_page}#{anchor}) | `{name}` | {severity} | {what} |\n",
            code = rule.code,
            anchor = anchor(rule),
            name = rule.name,
            severity = rule.severity,
            what = first_paragraph(&section(rule.doc, "What it does")).replace('|', "\\|"),
        ));
    }
    out
}

fn heading(rule: &Rule, level: &str) -> String {
    format!(
        "<a id=\"{}\"></a>\n{level} {} `{}` ({})\n\n",
        anchor(rule),
        rule.code,
        rule.name,
        rule.severity
    )
}

/// Every rule's full documentation, in code order.
pub fn reference() -> String {
    all()
        .map(|rule| heading(rule, "##") + &demote_headings(rule.doc.trim(), 1))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Each warning rule: what it flags, why it matters and how to fix it, linked to its full page.
pub fn warnings(rules_page: &str) -> String {
    all()
        .filter(|rule| rule.severity == Severity::Warning)
        .map(|rule| {
            format!(
                "{}{}\n\n{}\n\n**Fix:** {}\n\nFull rule with examples: [{}]({rules_page}#{}).\n",
                heading(rule, "###"),
                section(rule.doc, "What it does"),
                section(rule.doc, "Why"),
                section(rule.doc, "How to fix"),
                rule.code,
                anchor(rule),
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
