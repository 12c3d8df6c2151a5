//! The documentation says what the code does: every HCL and YAML example in `docs/`, the README
//! and every rule's `explain` text parses, and every list that claims to hold every rule does.

mod common;

use common::{run, text};
use std::path::{Path, PathBuf};
use validator::input::{values_yaml, Position};
use validator::policy::{every_rule, RULES};
use validator::rules::{Rule, Severity};

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
}

fn read(relative: &str) -> String {
    std::fs::read_to_string(repo_root().join(relative))
        .unwrap_or_else(|error| panic!("{relative}: {error}"))
}

/// Every markdown file under `docs/`, and the README.
fn markdown_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("docs directory")
            .map(|entry| entry.expect("entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }
    let mut files = vec![repo_root().join("README.md")];
    walk(&repo_root().join("docs"), &mut files);
    files
}

/// A fenced code block: its language, its first line (1-based) and its text.
struct Fence {
    language: String,
    line: usize,
    code: String,
}

fn fences(markdown: &str) -> Vec<Fence> {
    let mut out = Vec::new();
    let mut open: Option<Fence> = None;
    for (index, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        match (&mut open, trimmed.strip_prefix("```")) {
            (None, Some(language)) => {
                open = Some(Fence {
                    language: language.trim().to_owned(),
                    line: index + 2,
                    code: String::new(),
                })
            }
            (Some(_), Some(_)) => out.extend(open.take()),
            (Some(fence), None) => {
                fence.code.push_str(line);
                fence.code.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "an unclosed code fence");
    out
}

/// The examples of `markdown` that do not parse, each as `where: why`.
fn unparsable(origin: &str, markdown: &str) -> Vec<String> {
    let mut problems = Vec::new();
    for fence in fences(markdown) {
        let problem = match fence.language.as_str() {
            "hcl" | "terraform" | "tf" => hcl_edit::parser::parse_body(&fence.code)
                .err()
                .map(|error| error.to_string()),
            "yaml" | "yml" => values_yaml::parse(&fence.code, Position::START)
                .err()
                .map(|error| error.to_string()),
            _ => None,
        };
        if let Some(problem) = problem {
            problems.push(format!(
                "{origin}: the {} example at line {}: {problem}",
                fence.language, fence.line
            ));
        }
    }
    problems
}

#[test]
fn every_example_in_the_docs_parses() {
    let mut problems = Vec::new();
    let mut examples = 0;
    for path in markdown_files() {
        let markdown = std::fs::read_to_string(&path).expect("markdown");
        examples += fences(&markdown).len();
        let origin = path.strip_prefix(repo_root()).unwrap_or(&path).display();
        problems.extend(unparsable(&origin.to_string(), &markdown));
    }
    assert!(
        examples > 50,
        "the walk found the docs ({examples} examples)"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_example_in_explain_parses() {
    let mut problems = Vec::new();
    for rule in every_rule() {
        let explained = text(&run(&["explain", rule.code]).stdout);
        assert!(explained.contains("## Example"), "{}", rule.code);
        problems.extend(unparsable(&format!("explain {}", rule.code), &explained));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_broken_example_is_caught() {
    let broken = "```hcl\nvalues = [yamlencode({ a = { b = {\n  c = 1\n} })]\n```\n";
    assert_eq!(unparsable("sample", broken).len(), 1);
    assert!(unparsable(
        "sample",
        "```hcl\nvalues = [yamlencode({ a = { b = 1 } })]\n```\n"
    )
    .is_empty());
}

/// The rows `| `CODE` | severity | `name` |` of the table that follows `heading` in `markdown`.
fn table_after(markdown: &str, heading: &str) -> Vec<(String, String, String)> {
    let start = markdown
        .find(heading)
        .unwrap_or_else(|| panic!("{heading:?} in the page"));
    markdown[start..]
        .lines()
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .filter_map(|line| {
            let cells: Vec<&str> = line
                .split('|')
                .map(|cell| cell.trim().trim_matches('`'))
                .collect();
            (cells.len() == 5 && cells[1].starts_with('D'))
                .then(|| (cells[1].into(), cells[2].into(), cells[3].into()))
        })
        .collect()
}

fn expected_rows(rules: impl Iterator<Item = &'static Rule>) -> Vec<(String, String, String)> {
    rules
        .map(|rule| {
            (
                rule.code.to_owned(),
                rule.severity.to_string(),
                rule.name.to_owned(),
            )
        })
        .collect()
}

#[test]
fn the_cli_page_lists_every_rule() {
    let page = read("docs/cli.md");
    assert_eq!(
        table_after(&page, "## `dagster-concurrency rules`"),
        expected_rows(every_rule()),
        "docs/cli.md's rule table must list every rule `rules` lists, in its order"
    );
}

#[test]
fn the_rules_guide_and_the_index_list_every_rule() {
    let guide = read("docs/guides/rules.md");
    let index = read("docs/index.md");
    for rule in every_rule() {
        let anchor = format!("<a id=\"{}\"></a>", rule.code.to_lowercase());
        assert!(
            guide.contains(&anchor),
            "{} documented in the guide",
            rule.code
        );
        let row = format!("[{}](rules.md#{})", rule.code, rule.code.to_lowercase());
        assert!(guide.contains(&row), "{} in the guide's tables", rule.code);
        let index_row = format!(
            "[{}](guides/rules.md#{})",
            rule.code,
            rule.code.to_lowercase()
        );
        assert!(index.contains(&index_row), "{} in docs/index.md", rule.code);
    }
    let troubleshooting = read("docs/guides/troubleshooting.md");
    for rule in every_rule().filter(|rule| rule.severity == Severity::Warning) {
        let anchor = format!("<a id=\"{}\"></a>", rule.code.to_lowercase());
        assert!(
            troubleshooting.contains(&anchor),
            "warning {} explained in the troubleshooting guide",
            rule.code
        );
    }
}

#[test]
fn the_rules_command_and_sarif_list_every_rule() {
    let listed = text(&run(&["rules"]).stdout);
    let codes: Vec<&str> = listed
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .collect();
    let expected: Vec<&str> = every_rule().map(|rule| rule.code).collect();
    assert_eq!(codes, expected, "`rules`");
    let json: serde_json::Value =
        serde_json::from_slice(&run(&["rules", "--format", "json"]).stdout).expect("json");
    let json_codes: Vec<&str> = json
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|rule| rule["code"].as_str())
        .collect();
    assert_eq!(json_codes, expected, "`rules --format json`");
    let values = common::fixture("mixed/nested/warnings-only.yaml");
    let sarif: serde_json::Value =
        serde_json::from_slice(&run(&["check", "--format", "sarif", &values]).stdout)
            .expect("sarif");
    let sarif_codes: Vec<&str> = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .filter_map(|rule| rule["id"].as_str())
        .collect();
    assert_eq!(sarif_codes, expected, "SARIF's rules");
}

/// Pages that give the policy codes as a range (`DP101-DP105`, `DP101 to DP105`) name the first
/// and the last policy rule.
#[test]
fn policy_code_ranges_span_every_policy_rule() {
    let first = RULES.first().expect("policy rules").code;
    let last = RULES.last().expect("policy rules").code;
    for path in markdown_files() {
        let page = std::fs::read_to_string(&path).expect("markdown");
        for (at, _) in page.match_indices("DP101") {
            let after = &page[at + 5..];
            let Some(rest) = after.strip_prefix('-').or(after.strip_prefix(" to ")) else {
                continue;
            };
            assert!(
                rest.starts_with(last),
                "{}: a range from {first} must end at {last}",
                path.display()
            );
        }
    }
}
