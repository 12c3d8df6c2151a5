//! The HCL that migrate writes: a `dagster_concurrency` resource with literal arguments, and
//! the `dynamic "set"` block that passes its rendering to a helm provider 2.x release.

use crate::model::{ConcurrencyConfig, Setting};
use hcl_edit::expr::Expression;
use std::fmt::Write;

/// An HCL literal for a setting, `None` when it is not known.
trait Literal {
    fn literal(&self) -> Option<String>;
}

impl Literal for Setting<String> {
    fn literal(&self) -> Option<String> {
        // hcl-edit's encoder escapes quotes, backslashes, newlines and `${`.
        self.known()
            .map(|text| Expression::from(text.as_str()).to_string())
    }
}

impl Literal for Setting<i64> {
    fn literal(&self) -> Option<String> {
        self.known().map(i64::to_string)
    }
}

impl Literal for Setting<bool> {
    fn literal(&self) -> Option<String> {
        self.known().map(bool::to_string)
    }
}

/// `name = value` lines with aligned `=`, as `terraform fmt` writes them, at `indent`.
fn arguments(out: &mut String, indent: &str, pairs: &[(&str, Option<String>)]) {
    let width = pairs
        .iter()
        .filter(|(_, value)| value.is_some())
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0);
    for (name, value) in pairs {
        if let Some(value) = value {
            let _ = writeln!(out, "{indent}{name:width$} = {value}");
        }
    }
}

/// A nested block with its arguments.
fn nested(out: &mut String, name: &str, pairs: &[(&str, Option<String>)]) {
    let _ = writeln!(out, "\n  {name} {{");
    arguments(out, "    ", pairs);
    out.push_str("  }\n");
}

/// `resource "dagster_concurrency" "NAME"` holding `config`, with a comment naming `release`;
/// `chart_version` is an expression to write when the config's chart version is not a literal.
pub fn resource(
    name: &str,
    release: &str,
    config: &ConcurrencyConfig,
    chart_version: Option<&str>,
) -> String {
    let mut out = format!(
        "# Run limits of {release}, moved from its raw set entries by `dagster-concurrency migrate`.\nresource \"dagster_concurrency\" \"{name}\" {{\n"
    );
    arguments(
        &mut out,
        "  ",
        &[
            (
                "chart_version",
                config
                    .chart_version
                    .literal()
                    .or_else(|| chart_version.map(str::to_owned)),
            ),
            ("values_prefix", config.values_prefix.literal()),
            ("placement", config.placement.literal()),
            ("max_concurrent_runs", config.max_concurrent_runs.literal()),
            (
                "dequeue_interval_seconds",
                config.dequeue_interval_seconds.literal(),
            ),
            ("dequeue_use_threads", config.dequeue_use_threads.literal()),
            ("dequeue_num_workers", config.dequeue_num_workers.literal()),
        ],
    );
    for (_, tag) in config.known_tag_limits() {
        nested(
            &mut out,
            "tag_concurrency_limit",
            &[
                ("key", tag.key.literal()),
                ("value", tag.value.literal()),
                (
                    "apply_limit_per_unique_value",
                    tag.apply_limit_per_unique_value.literal(),
                ),
                ("limit", tag.limit.literal()),
            ],
        );
    }
    if let Some(block) = config.block_op.known() {
        nested(
            &mut out,
            "block_op_concurrency_limited_runs",
            &[
                ("enabled", block.enabled.literal()),
                (
                    "op_concurrency_slot_buffer",
                    block.op_concurrency_slot_buffer.literal(),
                ),
            ],
        );
    }
    if let Some(pools) = config.pools.known() {
        nested(
            &mut out,
            "pools",
            &[
                ("default_limit", pools.default_limit.literal()),
                ("granularity", pools.granularity.literal()),
                (
                    "op_granularity_run_buffer",
                    pools.op_granularity_run_buffer.literal(),
                ),
            ],
        );
    }
    out.push_str("}\n");
    out
}

/// The helm provider 2.x block passing `dagster_concurrency.NAME.set` to a release.
pub fn dynamic_set(name: &str) -> String {
    format!(
        "dynamic \"set\" {{\n  for_each = dagster_concurrency.{name}.set\n  content {{\n    name  = set.value.name\n    value = set.value.value\n    type  = set.value.type\n  }}\n}}\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TagLimit;

    #[test]
    fn writes_aligned_literal_arguments() {
        let config = ConcurrencyConfig {
            max_concurrent_runs: Setting::Known(5),
            tag_limits: Setting::Known(vec![TagLimit {
                key: Setting::Known("a\"b${c}".into()),
                limit: Setting::Known(3),
                ..Default::default()
            }]),
            ..Default::default()
        };
        assert_eq!(
            resource("dagster", "helm_release.dagster", &config, None),
            "# Run limits of helm_release.dagster, moved from its raw set entries by `dagster-concurrency migrate`.\nresource \"dagster_concurrency\" \"dagster\" {\n  max_concurrent_runs = 5\n\n  tag_concurrency_limit {\n    key   = \"a\\\"b$${c}\"\n    limit = 3\n  }\n}\n"
        );
    }
}
