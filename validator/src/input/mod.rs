//! Reading files into configurations to check: Terraform HCL, Terraform plan JSON and Helm
//! values YAML each become [`Target`]s, one per Dagster release or `dagster_concurrency` block.
//!
//! A target holds the [`ConcurrencyConfig`] the rules check, where each attribute was written,
//! findings raised while reading (raw-values rules, numbers that are not whole), and notes on
//! what could not be checked. [`Target::diagnostics`] runs the rule engine and places every
//! finding in the file: the rule engine's [`Finding`]s are at model attributes, a placed one is
//! at a [`Place`] (target, subject, line and column, and the attribute it came from).

pub mod attributes;
pub mod deployed_tags;
pub mod hcl;
pub mod plan_json;
pub mod pool_limits;
#[cfg(test)]
mod raw_rules_tests;
pub mod release;
pub mod sources;
pub mod strvals;
pub mod values;
pub mod values_yaml;

pub use crate::position::{Lines, Position};
pub use crate::tree;

use crate::model::ConcurrencyConfig;
use crate::path::AttrPath;
use crate::rules::{self, Finding, Source, Violation};
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

/// Where in a file a finding is: the form of a [`Finding`]'s place once read or placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// What was checked: a resource address or a values file.
    pub target: String,
    /// What it points at inside the target: an attribute path or a values key.
    pub subject: String,
    /// Where.
    pub position: Position,
    /// Where the finding's configuration is written when that is another file than the one
    /// read (the `.tf` source of a plan JSON resource).
    pub origin: Option<Origin>,
    /// The model attribute a rule engine or policy finding is on (`tag_concurrency_limit[0].limit`),
    /// whatever the file calls it; `None` for findings raised while reading.
    pub attribute: Option<AttrPath>,
}

impl Finding<Place> {
    /// Where to show the finding, for a finding read from `file`: its origin when it has one.
    pub fn location<'a>(&'a self, file: &'a str) -> (&'a str, Position) {
        match &self.at.origin {
            Some(origin) => (origin.path.as_str(), origin.position),
            None => (file, self.at.position),
        }
    }
}

/// Something the validator did not check, and why (an expression it cannot evaluate).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// Where.
    pub position: Position,
    /// What was not checked.
    pub message: String,
}

/// Where an attribute of the model was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The model attribute path (`tag_concurrency_limit[0].limit`).
    pub attr: String,
    /// How the file names it (a values key or the attribute path).
    pub subject: String,
    /// Where.
    pub position: Position,
}

/// One configuration to check: a Dagster release, a values file, or a `dagster_concurrency` block.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Target {
    /// What it is, e.g. `helm_release.dagster` or `values`.
    pub name: String,
    /// Where it starts.
    pub position: Position,
    /// The configuration the rules check.
    pub config: ConcurrencyConfig,
    /// What kind of configuration it was read from; findings use its names.
    pub source: Source,
    /// Where each attribute was written.
    pub written: Vec<Written>,
    /// Findings raised while reading (raw-values rules, DC504).
    pub findings: Vec<Finding<Place>>,
    /// What was not checked.
    pub notes: Vec<Note>,
    /// For a plan JSON resource: where its configuration is declared.
    pub declared: Option<Declaration>,
    /// For a plan JSON `helm_release`: the `dagster_concurrency` resources whose `set` entries
    /// it applies (their findings are reported there, once).
    pub renders: Vec<String>,
}

/// Where a plan JSON resource is declared: a module directory (relative to the root module's,
/// as the plan's `configuration` gives local module sources) and the resource's address there.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Declaration {
    /// The module's directory relative to the root module's; empty for the root module.
    pub module_dir: std::path::PathBuf,
    /// `TYPE.NAME` (or `data.TYPE.NAME`) inside the module, without instance keys.
    pub address: String,
}

/// A place in another file that a finding belongs to: the `.tf` source of a plan resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file, as found (joined to the directory the plan was read from).
    pub path: String,
    /// Where in it.
    pub position: Position,
}

impl Target {
    /// A target named `name` starting at `position`, with nothing read yet.
    pub fn new(name: impl Into<String>, position: Position) -> Self {
        Target {
            name: name.into(),
            position,
            ..Default::default()
        }
    }

    /// Records where a model attribute was written.
    pub fn wrote(
        &mut self,
        attr: impl Into<String>,
        subject: impl Into<String>,
        position: Position,
    ) {
        self.written.push(Written {
            attr: attr.into(),
            subject: subject.into(),
            position,
        });
    }

    /// Adds a finding of `violation`, raised while reading, at `subject` written at `position`.
    pub fn raise_violation(
        &mut self,
        subject: impl Into<String>,
        position: Position,
        violation: &dyn Violation,
    ) {
        let place = self.at(subject.into(), position, None);
        self.findings.push(Finding::new(place, violation));
    }

    /// Adds a "not checked" note.
    pub fn note(&mut self, position: Position, message: String) {
        self.notes.push(Note { position, message });
    }

    /// Every finding: those raised while reading, then the rule engine's, each placed where its
    /// attribute was written (or where its closest written parent or the target starts).
    pub fn diagnostics(&self) -> Vec<Finding<Place>> {
        let mut out = self.findings.clone();
        out.extend(self.place(rules::check_as(&self.config, self.source)));
        out
    }

    /// Places findings on this target's model (the rule engine's, or an organisation policy's)
    /// where their attribute was written, or its closest written parent, or the target's start.
    pub fn place(&self, findings: Vec<Finding>) -> Vec<Finding<Place>> {
        // One lookup table per call: searching `written` for each finding made a target with
        // many tag limits and findings quadratic.
        let mut by_attr: HashMap<&str, &Written> = HashMap::new();
        for written in &self.written {
            by_attr.entry(written.attr.as_str()).or_insert(written);
        }
        findings
            .into_iter()
            .map(|finding| {
                finding.map_at(|path| {
                    let attr = path.to_string();
                    let (subject, position) = match by_attr.get(attr.as_str()) {
                        Some(w) => (w.subject.clone(), w.position),
                        None => {
                            let parent = parents(&attr).find_map(|parent| by_attr.get(parent));
                            (attr, parent.map_or(self.position, |w| w.position))
                        }
                    };
                    self.at(subject, position, Some(path))
                })
            })
            .collect()
    }

    /// The place in this target of `subject`, written at `position`, on the model `attribute`
    /// when known.
    fn at(&self, subject: String, position: Position, attribute: Option<AttrPath>) -> Place {
        Place {
            target: self.name.clone(),
            subject,
            position,
            origin: None,
            attribute,
        }
    }
}

/// The parents of an attribute path, nearest first: `a[0].b` gives `a[0]`, then `a`.
pub(crate) fn parents(attr: &str) -> impl Iterator<Item = &str> {
    let mut rest = attr;
    std::iter::from_fn(move || {
        let cut = rest.rfind(['.', '['])?;
        rest = &rest[..cut];
        Some(rest)
    })
}

/// Every target's findings, in target order, each reported once: a plan's `helm_release` that
/// applies a `dagster_concurrency`'s `set` entries would repeat that resource's findings (same
/// rule, same model attribute), so those are left to the resource, where they can be fixed.
pub fn report_once(checked: Vec<(&Target, Vec<Finding<Place>>)>) -> Vec<Finding<Place>> {
    // Compared by rule and model attribute, not by text: a release's findings name chart keys
    // where the resource's name its arguments.
    let key = |d: &Finding<Place>| {
        d.at.attribute
            .clone()
            .map(|attribute| (d.rule.code, attribute))
    };
    let by_target: HashMap<&str, Vec<(&str, AttrPath)>> = checked
        .iter()
        .map(|(target, found)| (target.name.as_str(), found.iter().filter_map(key).collect()))
        .collect();
    let mut out = Vec::new();
    for (target, diagnostics) in &checked {
        let repeats = |d: &Finding<Place>| {
            key(d).is_some_and(|key| {
                target.renders.iter().any(|source| {
                    by_target
                        .get(source.as_str())
                        .is_some_and(|found| found.contains(&key))
                })
            })
        };
        out.extend(diagnostics.iter().filter(|d| !repeats(d)).cloned());
    }
    out
}

/// The kinds of file the validator reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Terraform configuration (`*.tf`).
    Hcl,
    /// `terraform show -json` of a plan.
    PlanJson,
    /// Helm values for the Dagster chart.
    ValuesYaml,
}

impl Kind {
    /// The kind of a file from its extension, then its content; `None` for files the
    /// validator does not read (a `.json` that is not a plan, a README).
    pub fn detect(path: &Path, text: &str) -> Option<Kind> {
        let text = without_bom(text);
        let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        match extension {
            "tf" => Some(Kind::Hcl),
            "yaml" | "yml" => Some(Kind::ValuesYaml),
            // package.json, a JSONC tsconfig.json, an empty report.json: not plans, not read.
            "json" => is_plan(text).then_some(Kind::PlanJson),
            _ => Kind::sniff(text),
        }
    }

    /// The kind of a text from its content alone (standard input, a file without a known
    /// extension): plan JSON, Terraform that parses or that names Terraform blocks, or values
    /// YAML with Dagster's top-level keys; `None` when none of these.
    pub fn sniff(text: &str) -> Option<Kind> {
        let text = without_bom(text);
        if is_plan(text) {
            return Some(Kind::PlanJson);
        }
        let parsed = hcl::parse(text).is_ok_and(|body| !body.is_empty());
        const HCL_BLOCKS: [&str; 4] = ["resource \"", "data \"", "module \"", "terraform {"];
        if parsed || HCL_BLOCKS.iter().any(|block| text.contains(block)) {
            return Some(Kind::Hcl);
        }
        ["dagsterDaemon:", "concurrency:"]
            .iter()
            .any(|key| text.contains(key))
            .then_some(Kind::ValuesYaml)
    }

    /// The name used in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Hcl => "terraform",
            Kind::PlanJson => "plan json",
            Kind::ValuesYaml => "helm values",
        }
    }
}

/// Settings the command line gives every file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadOptions {
    /// Chart version to assume where a file does not say (a release's `version` wins).
    pub chart_version: Option<String>,
    /// Where the Dagster chart's values sit in an umbrella chart's values (`dagster`).
    pub values_prefix: Option<String>,
}

/// A file that could not be read as its kind, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Where the parser stopped.
    pub position: Position,
    /// What is wrong, lowercase.
    pub message: String,
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.position, self.message)
    }
}

/// Whether a JSON text is what `terraform show -json` writes: an object with
/// `format_version` and `terraform_version` (checked on the text, so that a truncated plan is
/// still a plan, reported as invalid).
pub fn is_plan(text: &str) -> bool {
    text.trim_start().starts_with('{')
        && text.contains("\"format_version\"")
        && text.contains("\"terraform_version\"")
}

/// A file's bytes as text: UTF-8, or UTF-16 with a byte-order mark (what Windows PowerShell's
/// `>` writes, e.g. `terraform show -json plan.out > plan.json`), which Helm's YAML parser also
/// reads. `Err` says why not.
pub fn decode(bytes: Vec<u8>) -> Result<String, String> {
    let utf16 = |unit: fn([u8; 2]) -> u16| {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|pair| unit([pair[0], *pair.get(1).unwrap_or(&0)]))
            .collect();
        String::from_utf16(&units).map_err(|_| "invalid utf-16".to_string())
    };
    match bytes.get(..2) {
        Some([0xFF, 0xFE]) => utf16(u16::from_le_bytes),
        Some([0xFE, 0xFF]) => utf16(u16::from_be_bytes),
        _ => String::from_utf8(bytes).map_err(|_| "not utf-8 text".to_string()),
    }
}

/// `text` without a leading UTF-8 byte-order mark, which Terraform and Helm's YAML parser skip
/// (editors on Windows write one).
pub fn without_bom(text: &str) -> &str {
    text.strip_prefix('\u{feff}').unwrap_or(text)
}

/// Reads one file's text as `kind` into the targets it holds.
pub fn read(kind: Kind, text: &str, options: &ReadOptions) -> Result<Vec<Target>, SyntaxError> {
    let text = without_bom(text);
    match kind {
        Kind::Hcl => hcl::read(text, options),
        Kind::PlanJson => plan_json::read(text, options),
        Kind::ValuesYaml => values_yaml::read(text, options),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let text = "ab\ncé d";
        assert_eq!(Position::of_offset(text, 0), Position::START);
        assert_eq!(
            Position::of_offset(text, 3),
            Position { line: 2, column: 1 }
        );
        assert_eq!(
            Position::of_offset(text, 6),
            Position { line: 2, column: 3 }
        );
    }

    #[test]
    fn a_placed_finding_keeps_its_text_and_its_model_attribute() {
        let mut target = Target::new("values", Position::START);
        let item = Position { line: 4, column: 5 };
        target.wrote("tag_concurrency_limit[0]", "tagConcurrencyLimits[0]", item);
        let path = AttrPath::item("tag_concurrency_limit", 0).then("limit");
        let rule = rules::find("DC205").expect("DC205");
        let found = rule.at(path.clone(), "summary".into(), "fix".into());
        // Not written itself: named by its attribute, at its closest written parent.
        let place = Place {
            target: "values".into(),
            subject: "tag_concurrency_limit[0].limit".into(),
            position: item,
            origin: None,
            attribute: Some(path),
        };
        assert_eq!(
            target.place(vec![found]),
            [rule.at(place, "summary".into(), "fix".into())]
        );
    }

    #[test]
    fn a_release_leaves_the_findings_of_what_it_renders_to_it() {
        let mut resource = Target::new("dagster_concurrency.x", Position::START);
        resource.config.max_concurrent_runs = crate::model::Setting::Known(-5);
        let mut release = resource.clone();
        release.name = "helm_release.d".into();
        release.renders = vec![resource.name.clone()];
        let mut found = release.diagnostics();
        // The same finding in other words (a chart key) is still the same finding.
        found[0].summary = "dagsterDaemon...maxConcurrentRuns = -5 is below -1".into();
        let mine = release.place(vec![crate::rules::find("DC102").expect("DC102").at(
            crate::path::AttrPath::attr("dequeue_num_workers"),
            "own".into(),
            "fix".into(),
        )]);
        found.extend(mine);
        let checked = vec![(&resource, resource.diagnostics()), (&release, found)];
        let kept: Vec<(String, &str)> = report_once(checked)
            .into_iter()
            .map(|d| (d.at.target, d.rule.code))
            .collect();
        assert!(
            kept.contains(&("dagster_concurrency.x".into(), "DC101")),
            "{kept:?}"
        );
        assert!(
            !kept.contains(&("helm_release.d".into(), "DC101")),
            "{kept:?}"
        );
        assert!(
            kept.contains(&("helm_release.d".into(), "DC102")),
            "{kept:?}"
        );
    }

    #[test]
    fn line_index_agrees_with_offsets() {
        let text = "ab\ncé d\n\nlast";
        let lines = Lines::new(text);
        for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
            assert_eq!(
                lines.position(offset),
                Position::of_offset(text, offset),
                "{offset}"
            );
        }
    }

    #[test]
    fn kinds_come_from_extension_then_content() {
        assert_eq!(Kind::detect(Path::new("main.tf"), ""), Some(Kind::Hcl));
        assert_eq!(Kind::detect(Path::new("v.yml"), ""), Some(Kind::ValuesYaml));
        let plan = "{\"format_version\":\"1.2\",\"terraform_version\":\"1.11.4\"}";
        assert_eq!(
            Kind::detect(Path::new("plan.json"), plan),
            Some(Kind::PlanJson)
        );
        assert_eq!(Kind::detect(Path::new("plan"), plan), Some(Kind::PlanJson));
        assert_eq!(Kind::detect(Path::new("README"), "hello"), None);
        for not_a_plan in [
            "",
            "{\"name\": \"app\", \"version\": \"1.0.0\"}",
            "{\n  // JSONC\n  \"compilerOptions\": {},\n}",
        ] {
            assert_eq!(Kind::detect(Path::new("x.json"), not_a_plan), None);
        }
    }

    #[test]
    fn standard_input_is_told_by_content() {
        let plan = "\u{feff}{\"format_version\":\"1.2\",\"terraform_version\":\"1.11.4\"}";
        assert_eq!(Kind::sniff(plan), Some(Kind::PlanJson));
        assert_eq!(Kind::sniff("locals {\n  x = 1\n}\n"), Some(Kind::Hcl));
        // Terraform with a syntax error is still Terraform, so its error is an HCL one.
        assert_eq!(
            Kind::sniff("resource \"x\" \"y\" {\n  a = \n"),
            Some(Kind::Hcl)
        );
        assert_eq!(
            Kind::sniff("dagsterDaemon:\n  runCoordinator:\n    enabled: true\n"),
            Some(Kind::ValuesYaml)
        );
        assert_eq!(Kind::sniff("hello"), None);
    }

    #[test]
    fn utf16_with_a_byte_order_mark_is_decoded() {
        let text = "{\"format_version\":\"1.2\"} é";
        let little: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        let big: Vec<u8> = [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect();
        assert_eq!(decode(little).as_deref(), Ok(text));
        assert_eq!(decode(big).as_deref(), Ok(text));
        assert_eq!(decode(text.as_bytes().to_vec()).as_deref(), Ok(text));
        assert!(decode(vec![0xC3]).is_err());
        assert!(decode(vec![0xFF, 0xFE, 0x00, 0xD8]).is_err());
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let values = "\u{feff}dagsterDaemon:\n  runCoordinator:\n    config:\n      queuedRunCoordinator:\n        maxConcurrentRuns: -5\n";
        let hcl =
            "\u{feff}resource \"dagster_concurrency\" \"x\" {\n  max_concurrent_runs = -5\n}\n";
        for (kind, text) in [(Kind::ValuesYaml, values), (Kind::Hcl, hcl)] {
            let targets = read(kind, text, &ReadOptions::default()).expect("reads");
            assert_eq!(targets.len(), 1, "{kind:?}");
            let codes: Vec<_> = targets[0]
                .diagnostics()
                .iter()
                .map(|d| d.rule.code)
                .collect();
            assert_eq!(codes, ["DC101"], "{kind:?}");
        }
    }
}
