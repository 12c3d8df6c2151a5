//! SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps).
//!
//! Hand-written serde structs: the log needs a dozen fields, and the `serde-sarif` crate's
//! builders add more code than they save. Every rule is described once in
//! `runs[0].tool.driver.rules` with its documentation; files that cannot be read become
//! `toolExecutionNotifications`.

use super::{FileReport, Outcome};
use crate::input::Position;
use crate::policy::every_rule;
use crate::rules::Severity;
use serde::Serialize;

/// The SARIF schema this log follows.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    invocations: Vec<Invocation>,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    information_uri: &'static str,
    rules: Vec<RuleDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleDescriptor {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    help: Help,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: &'static str,
    markdown: &'static str,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: Artifact,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct Artifact {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn location(path: &str, position: Option<Position>) -> Location {
    Location {
        physical_location: PhysicalLocation {
            artifact_location: Artifact {
                uri: path.replace('\\', "/"),
            },
            region: position.map(|p| Region {
                start_line: p.line,
                start_column: p.column,
            }),
        },
    }
}

/// The report as a SARIF 2.1.0 log.
pub fn render(files: &[FileReport]) -> serde_json::Value {
    let rules = every_rule()
        .map(|rule| RuleDescriptor {
            id: rule.code,
            name: rule.name,
            short_description: Text {
                text: rule.name.replace('-', " "),
            },
            help: Help {
                text: rule.doc,
                markdown: rule.doc,
            },
            default_configuration: Configuration {
                level: level(rule.severity),
            },
        })
        .collect();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for file in files {
        match &file.outcome {
            Outcome::Checked { diagnostics, .. } => {
                for d in diagnostics {
                    results.push(SarifResult {
                        rule_id: d.rule.code,
                        rule_index: every_rule()
                            .position(|r| r.code == d.rule.code)
                            .unwrap_or_default(),
                        level: level(d.severity()),
                        message: Text {
                            text: format!("{} ({}: {}). {}", d.summary, d.target, d.subject, d.fix),
                        },
                        locations: vec![location(&file.path, Some(d.position))],
                    });
                }
            }
            Outcome::Invalid(error) => notifications.push(Notification {
                level: "error",
                message: Text {
                    text: error.message.clone(),
                },
                locations: vec![location(&file.path, Some(error.position))],
            }),
            Outcome::Unreadable(message) => notifications.push(Notification {
                level: "error",
                message: Text {
                    text: message.clone(),
                },
                locations: vec![location(&file.path, None)],
            }),
            Outcome::Skipped(message) => notifications.push(Notification {
                level: "note",
                message: Text {
                    text: message.clone(),
                },
                locations: vec![location(&file.path, None)],
            }),
        }
    }
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "dagster-concurrency",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri:
                        "https://example.invalid/terraform-provider-dagster/docs/cli.md",
                    rules,
                },
            },
            invocations: vec![Invocation {
                execution_successful: !files.iter().any(FileReport::failed),
                tool_execution_notifications: notifications,
            }],
            results,
        }],
    };
    serde_json::to_value(log).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;

    #[test]
    fn follows_the_2_1_0_structure() {
        let log = render(&sample::run());
        assert_eq!(log["version"], "2.1.0");
        assert_eq!(log["$schema"], SCHEMA);
        let run = &log["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        assert_eq!(rules.len(), every_rule().count());
        assert!(rules
            .iter()
            .all(|r| r["id"].is_string() && r["help"]["markdown"].is_string()));
        let results = run["results"].as_array().expect("results");
        assert_eq!(results.len(), 2);
        let first = &results[0];
        assert_eq!(first["ruleId"], "DC101");
        assert_eq!(first["level"], "error");
        assert_eq!(
            rules[first["ruleIndex"].as_u64().expect("index") as usize]["id"],
            "DC101"
        );
        let physical = &first["locations"][0]["physicalLocation"];
        assert_eq!(physical["artifactLocation"]["uri"], "infra/main.tf");
        assert_eq!(physical["region"]["startLine"], 9);
        assert_eq!(physical["region"]["startColumn"], 5);
        assert_eq!(results[1]["level"], "warning");
        let invocation = &run["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false);
        assert_eq!(
            invocation["toolExecutionNotifications"][0]["locations"][0]["physicalLocation"]
                ["region"]["startLine"],
            2
        );
    }
}
