//! Every registered code is documented and proven: its documentation has every section, and
//! its example is a fixture that fires the rule while the "Use instead" text, read the same
//! way, does not. A new rule without both fails here.
//!
//! An example that is a fragment is read in the smallest file that holds it: attributes inside
//! a `dagster_concurrency` resource, `values` and `set` inside a Dagster `helm_release`, keys
//! inside the queued run coordinator's config.

use hcl_edit::expr::Expression;
use validator::input::{self, Kind, ReadOptions};
use validator::model::Setting;
use validator::policy::{self, every_rule, Policy};
use validator::rules::{check_pool_limit, Lifecycle, PoolLimitConfig, Rule};

/// The fenced blocks of a rule's `## Example` section: language and text, in order.
fn example_blocks(rule: &Rule) -> Vec<(String, String)> {
    let example = rule
        .doc
        .split_once("## Example")
        .unwrap_or_else(|| panic!("{} has no example", rule.code))
        .1;
    let mut blocks = Vec::new();
    let mut rest = example;
    while let Some(open) = rest.find("```") {
        let after = &rest[open + 3..];
        let (language, body) = after.split_once('\n').expect("a fence line");
        let close = body.find("```").expect("a closing fence");
        blocks.push((language.trim().to_owned(), body[..close].to_owned()));
        rest = &body[close + 3..];
    }
    blocks
}

/// Indents every line of `text` by `by` spaces.
fn indent(text: &str, by: usize) -> String {
    text.lines()
        .map(|line| format!("{}{line}\n", " ".repeat(by)))
        .collect()
}

/// The file an example is read as: its kind and whole text.
fn as_file(language: &str, text: &str) -> (Kind, String) {
    match language {
        "yaml" if text.starts_with("dagsterDaemon:") || text.starts_with("concurrency:") => {
            (Kind::ValuesYaml, text.to_owned())
        }
        "yaml" => {
            let coordinator = "dagsterDaemon:\n  runCoordinator:\n    enabled: true\n    type: QueuedRunCoordinator\n    config:\n";
            let keys = if text.starts_with("queuedRunCoordinator:") {
                indent(text, 6)
            } else {
                format!("      queuedRunCoordinator:\n{}", indent(text, 8))
            };
            (Kind::ValuesYaml, format!("{coordinator}{keys}"))
        }
        _ if text.starts_with("resource ") => (Kind::Hcl, text.to_owned()),
        _ if text.starts_with("values =") || text.starts_with("set ") => (
            Kind::Hcl,
            format!(
                "resource \"helm_release\" \"dagster\" {{\n  chart = \"dagster\"\n{}}}\n",
                indent(text, 2)
            ),
        ),
        _ => (
            Kind::Hcl,
            format!(
                "resource \"dagster_concurrency\" \"this\" {{\n{}}}\n",
                indent(text, 2)
            ),
        ),
    }
}

/// An integer or string attribute of a `dagster_pool_limit` resource example.
fn pool_limit(text: &str) -> PoolLimitConfig {
    let body = hcl_edit::parser::parse_body(text).expect("example parses");
    let block = body.get_blocks("resource").next().expect("a resource");
    let attribute = |name: &str| block.body.get_attribute(name).map(|a| a.value.clone());
    PoolLimitConfig {
        pool: match attribute("pool") {
            Some(Expression::String(text)) => Setting::Known(text.value().clone()),
            _ => Setting::Unset,
        },
        limit: match attribute("limit") {
            Some(Expression::Number(number)) => {
                Setting::Known(number.value().as_i64().expect("a whole number"))
            }
            _ => Setting::Unset,
        },
    }
}

/// The codes that fire on one example, with `policy` enforced.
fn fired(rule: &Rule, language: &str, text: &str, policy: &Policy) -> Vec<&'static str> {
    if text.starts_with("resource \"dagster_pool_limit\"") {
        return check_pool_limit(&pool_limit(text))
            .iter()
            .map(|finding| finding.rule.code)
            .collect();
    }
    let (kind, file) = as_file(language, text);
    let targets = input::read(kind, &file, &ReadOptions::default()).unwrap_or_else(|error| {
        panic!("{}: the example does not read: {error}\n{file}", rule.code)
    });
    targets
        .iter()
        .flat_map(|target| {
            let mut found = target.diagnostics();
            found.extend(target.place(policy::check_as(&target.config, policy, target.source)));
            found
        })
        .map(|diagnostic| diagnostic.rule.code)
        .collect()
}

#[test]
fn every_code_has_documentation_a_firing_fixture_and_a_clean_one() {
    let mut problems = Vec::new();
    for rule in every_rule() {
        for heading in ["## What it does", "## Why", "## How to fix", "## Example"] {
            if !rule.doc.contains(heading) {
                problems.push(format!("{}: no {heading:?} section", rule.code));
            }
        }
        if rule.lifecycle == Lifecycle::Removed {
            continue;
        }
        let mut blocks = example_blocks(rule);
        // A policy rule's example starts with the policy it enforces.
        let policy = if rule.code.starts_with("DP") {
            let (_, text) = blocks.remove(0);
            policy::parse(&text).expect("the example policy parses")
        } else {
            Policy::default()
        };
        let [(bad_language, bad), (good_language, good)] = &blocks[..] else {
            problems.push(format!(
                "{}: the example needs a firing block and a \"Use instead\" block, has {}",
                rule.code,
                blocks.len()
            ));
            continue;
        };
        if !fired(rule, bad_language, bad, &policy).contains(&rule.code) {
            problems.push(format!("{}: its example does not fire it", rule.code));
        }
        if fired(rule, good_language, good, &policy).contains(&rule.code) {
            problems.push(format!("{}: its \"Use instead\" fires it", rule.code));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
