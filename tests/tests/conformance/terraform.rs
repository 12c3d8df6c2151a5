//! A sample of the generated configurations through the release provider and real CLIs.

use super::{helm, Tally};
use dagster_e2e::oracle::HelmOracle;
use dagster_e2e::{config, Terraform, Workspace};
use serde_json::{json, Value};
use unicode_normalization::UnicodeNormalization;
use validator::model::{ConcurrencyConfig, Setting};

/// An HCL quoted string. Written here because hcl-edit 0.10 (hcl-primitives 0.1.13) leaves
/// a literal `$${` unescaped, which Terraform then reads back as `${`. In HCL, `$${` and
/// `%%{` stand for `${` and `%{`, and a `$` or `%` not followed by `{` is itself.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.replace("${", "$${").replace("%{", "%%{").chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A setting value as an HCL expression.
trait Hcl {
    fn hcl(&self) -> String;
}

impl Hcl for String {
    fn hcl(&self) -> String {
        quoted(self)
    }
}

impl Hcl for i64 {
    fn hcl(&self) -> String {
        self.to_string()
    }
}

impl Hcl for bool {
    fn hcl(&self) -> String {
        self.to_string()
    }
}

/// `name = value` when the setting is known.
fn known<T: Hcl>(name: &str, setting: &Setting<T>) -> Option<String> {
    setting
        .known()
        .map(|value| format!("{name} = {}", value.hcl()))
}

/// A block holding `lines` (attributes or nested blocks), indented.
fn block(header: &str, lines: impl IntoIterator<Item = Option<String>>) -> String {
    let body: String = lines
        .into_iter()
        .flatten()
        .flat_map(|text| {
            text.lines()
                .map(|line| format!("  {line}\n"))
                .collect::<Vec<_>>()
        })
        .collect();
    format!("{header} {{\n{body}}}\n")
}

/// The `resource` block for one configuration.
pub fn resource(name: &str, config: &ConcurrencyConfig) -> String {
    let mut lines = vec![
        known("chart_version", &config.chart_version),
        known("values_prefix", &config.values_prefix),
        known("placement", &config.placement),
        known("max_concurrent_runs", &config.max_concurrent_runs),
        known("dequeue_interval_seconds", &config.dequeue_interval_seconds),
        known("dequeue_use_threads", &config.dequeue_use_threads),
        known("dequeue_num_workers", &config.dequeue_num_workers),
    ];
    for tag in config.tag_limits.known().into_iter().flatten() {
        lines.push(Some(block(
            "tag_concurrency_limit",
            [
                known("key", &tag.key),
                known("value", &tag.value),
                known(
                    "apply_limit_per_unique_value",
                    &tag.apply_limit_per_unique_value,
                ),
                known("limit", &tag.limit),
            ],
        )));
    }
    if let Setting::Known(block_op) = &config.block_op {
        lines.push(Some(block(
            "block_op_concurrency_limited_runs",
            [
                known("enabled", &block_op.enabled),
                known(
                    "op_concurrency_slot_buffer",
                    &block_op.op_concurrency_slot_buffer,
                ),
            ],
        )));
    }
    if let Setting::Known(pools) = &config.pools {
        lines.push(Some(block(
            "pools",
            [
                known("default_limit", &pools.default_limit),
                known("granularity", &pools.granularity),
                known(
                    "op_granularity_run_buffer",
                    &pools.op_granularity_run_buffer,
                ),
            ],
        )));
    }
    block(
        &format!("resource \"dagster_concurrency\" \"{name}\""),
        lines,
    )
}

fn nfc(setting: &Setting<String>) -> Setting<String> {
    match setting {
        Setting::Known(text) => Setting::Known(text.nfc().collect()),
        other => other.clone(),
    }
}

/// The configuration as the provider receives it: Terraform normalizes every string to
/// Unicode NFC (`e` + U+0301 arrives as `é`).
pub fn as_terraform_sends(config: &ConcurrencyConfig) -> ConcurrencyConfig {
    let mut sent = config.clone();
    sent.chart_version = nfc(&config.chart_version);
    sent.values_prefix = nfc(&config.values_prefix);
    sent.placement = nfc(&config.placement);
    if let Setting::Known(tags) = &mut sent.tag_limits {
        for tag in tags {
            tag.key = nfc(&tag.key);
            tag.value = nfc(&tag.value);
        }
    }
    if let Setting::Known(pools) = &mut sent.pools {
        pools.granularity = nfc(&pools.granularity);
    }
    sent
}

/// How the provider's state for one resource differs from the crate and from Helm.
fn disagreement(
    oracle: &mut HelmOracle,
    config: &ConcurrencyConfig,
    state: &Value,
) -> Option<String> {
    let rendered = match super::generate::rendered(config) {
        Ok(rendered) => rendered,
        Err(e) => return Some(format!("the crate does not render it: {e:?}")),
    };
    let expected = json!({
        "set": rendered.set,
        "values_yaml": rendered.values_yaml,
        "instance_yaml": rendered.instance_yaml,
        "id": rendered.id,
    });
    for field in ["set", "values_yaml", "instance_yaml", "id"] {
        if state[field] != expected[field] {
            return Some(format!(
                "provider {field}:\n{:#}\ncrate {field}:\n{:#}",
                state[field], expected[field]
            ));
        }
    }
    let trees = oracle.build(
        &state["set"],
        state["values_yaml"].as_str().unwrap_or_default(),
    );
    helm::disagreement(&rendered.values, &trees)
}

/// What one CLI did with the sample.
pub struct CliRun {
    /// Cases compared and mismatches.
    pub tally: Tally,
    /// Cases whose strings Terraform changed to NFC on the way.
    pub normalized: usize,
}

/// Applies every sampled configuration as one Terraform configuration with `tf`, then
/// compares each resource's state with the crate's rendering and with Helm.
pub fn run(oracle: &mut HelmOracle, tf: &Terraform, sample: &[ConcurrencyConfig]) -> CliRun {
    let names: Vec<String> = (0..sample.len()).map(|i| format!("case{i}")).collect();
    let body: String = names
        .iter()
        .zip(sample)
        .map(|(name, config)| resource(name, config) + "\n")
        .collect();
    let ws = Workspace::new(tf, &config(&body));
    ws.init().apply();
    let state = ws.run(&["show", "-json"]).expect_code(0).json();
    let resources = state["values"]["root_module"]["resources"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut run = CliRun {
        tally: Tally::default(),
        normalized: 0,
    };
    for (name, config) in names.iter().zip(sample) {
        run.tally.cases += 1;
        let sent = as_terraform_sends(config);
        run.normalized += usize::from(sent != *config);
        let address = format!("dagster_concurrency.{name}");
        let found = resources.iter().find(|r| r["address"] == address.as_str());
        let problem = match found {
            None => Some("not in the Terraform state".to_owned()),
            Some(resource) => disagreement(oracle, &sent, &resource["values"]),
        };
        if let Some(problem) = problem {
            run.tally.mismatches.push(format!(
                "terraform {}: {address}:\n{}{problem}",
                tf.version,
                resource(name, config)
            ));
        }
    }
    run
}
