//! SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps).
//!
//! Locations are percent-encoded URI references (relative paths stay relative; absolute ones
//! become `file:` URLs), a plan finding points at the `.tf` source its resource is declared in
//! when that was found, and every result names its resource address as a logical location.
//!
//! Hand-written serde structs: the log needs a dozen fields, and the `serde-sarif` crate's
//! builders add more code than they save. Every rule is described once in
//! `runs[0].tool.driver.rules` with its documentation; files that cannot be read become
//! `toolExecutionNotifications`.

use super::{FileReport, Outcome};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;
use std::path::Path;
use url::Url;
use validator::input::Position;
use validator::policy::every_rule;
use validator::rules::Severity;

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
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    fully_qualified_name: String,
    kind: &'static str,
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

/// The characters a path segment keeps as they are: RFC 3986's unreserved set.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A path as a SARIF `uri`, a URI reference: each segment of a relative path percent-encoded
/// (`my dir/main.tf` gives `my%20dir/main.tf`), an absolute path as a `file:` URL.
fn uri(path: &str) -> String {
    if Path::new(path).is_absolute() {
        if let Ok(url) = Url::from_file_path(path) {
            return url.into();
        }
    }
    path.split(['/', '\\'])
        .map(|segment| utf8_percent_encode(segment, SEGMENT).to_string())
        .collect::<Vec<_>>()
        .join("/")
}

fn location(path: &str, position: Option<Position>, address: Option<&str>) -> Location {
    Location {
        physical_location: PhysicalLocation {
            artifact_location: Artifact { uri: uri(path) },
            region: position.map(|p| Region {
                start_line: p.line,
                start_column: p.column,
            }),
        },
        logical_locations: address
            .map(|name| LogicalLocation {
                fully_qualified_name: name.to_owned(),
                kind: "resource",
            })
            .into_iter()
            .collect(),
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
                            text: format!(
                                "{} ({}: {}). {}",
                                d.summary, d.at.target, d.at.subject, d.fix
                            ),
                        },
                        locations: {
                            let (shown, position) = d.location(&file.path);
                            vec![location(shown, Some(position), Some(&d.at.target))]
                        },
                    });
                }
            }
            Outcome::Invalid(error) => notifications.push(Notification {
                level: "error",
                message: Text {
                    text: error.message.clone(),
                },
                locations: vec![location(&file.path, Some(error.position), None)],
            }),
            Outcome::Unreadable(message) => notifications.push(Notification {
                level: "error",
                message: Text {
                    text: message.clone(),
                },
                locations: vec![location(&file.path, None, None)],
            }),
            Outcome::Skipped(message) => notifications.push(Notification {
                level: "note",
                message: Text {
                    text: message.clone(),
                },
                locations: vec![location(&file.path, None, None)],
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
        assert_eq!(
            first["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "helm_release.dagster"
        );
        let invocation = &run["invocations"][0];
        assert_eq!(invocation["executionSuccessful"], false);
        assert_eq!(
            invocation["toolExecutionNotifications"][0]["locations"][0]["physicalLocation"]
                ["region"]["startLine"],
            2
        );
    }

    #[test]
    fn uris_are_percent_encoded_uri_references() {
        assert_eq!(uri("infra/main.tf"), "infra/main.tf");
        assert_eq!(
            uri("my infra/dagster #1/main.tf"),
            "my%20infra/dagster%20%231/main.tf"
        );
        assert_eq!(uri("infra\\prod\\main.tf"), "infra/prod/main.tf");
        assert_eq!(
            uri("/srv/my infra/main.tf"),
            "file:///srv/my%20infra/main.tf"
        );
        assert_eq!(uri("100%.tf"), "100%25.tf");
    }
}
