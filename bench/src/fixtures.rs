//! Generated inputs: Terraform configurations with N `dagster_concurrency` resources and their
//! pure-HCL twins (templates in `bench/fixtures/`).

use std::fmt::Write;

/// The pure-HCL rendering of `local.inputs`: the baseline.
pub const HCL_RENDERING: &str = include_str!("../fixtures/hcl-rendering.tf");
/// One `dagster_concurrency` per entry of `local.inputs`: the subject.
pub const PROVIDER_FOR_EACH: &str = include_str!("../fixtures/provider-for-each.tf");

/// One tag limit of a generated resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagLimit {
    /// The tag key.
    pub key: String,
    /// The limit.
    pub limit: u32,
}

/// The settings of one generated resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    /// Its `for_each` key.
    pub name: String,
    /// `max_concurrent_runs`.
    pub max_concurrent_runs: u32,
    /// `tag_concurrency_limit` blocks.
    pub tags: Vec<TagLimit>,
}

/// The chart version every generated resource targets.
pub const CHART_VERSION: &str = "1.12.14";

/// The seed ADR's resource (examples/seed-adr).
pub fn seed() -> Input {
    Input {
        name: "seed".to_owned(),
        max_concurrent_runs: 5,
        tags: vec![TagLimit {
            key: "dagster/backfill".to_owned(),
            limit: 3,
        }],
    }
}

/// `count` distinct resources, each with two tag limits under its run limit.
pub fn inputs(count: usize) -> Vec<Input> {
    (0..count)
        .map(|i| {
            let max = 10 + (i % 40) as u32;
            Input {
                name: format!("c{i}"),
                max_concurrent_runs: max,
                tags: vec![
                    TagLimit {
                        key: "dagster/backfill".to_owned(),
                        limit: 1 + (i % 5) as u32,
                    },
                    TagLimit {
                        key: format!("team-{i}"),
                        limit: 1 + (i % 7) as u32,
                    },
                ],
            }
        })
        .collect()
}

/// `locals { inputs = { ... } }` for `inputs`.
pub fn inputs_block(inputs: &[Input]) -> String {
    let mut hcl = String::from("locals {\n  inputs = {\n");
    for input in inputs {
        let tags: Vec<String> = input
            .tags
            .iter()
            .map(|t| format!("{{ key = {:?}, limit = {} }}", t.key, t.limit))
            .collect();
        let _ = writeln!(
            hcl,
            "    {} = {{ chart_version = {CHART_VERSION:?}, max_concurrent_runs = {}, tags = [{}] }}",
            input.name,
            input.max_concurrent_runs,
            tags.join(", ")
        );
    }
    hcl.push_str("  }\n}\n\n");
    hcl
}

/// The subject: `inputs` as `dagster_concurrency` resources, all renderings in output `rendered`.
pub fn provider_config(inputs: &[Input]) -> String {
    format!("{}{PROVIDER_FOR_EACH}", inputs_block(inputs))
}

/// The baseline: the same renderings in pure HCL, in output `rendered`.
pub fn hcl_config(inputs: &[Input]) -> String {
    format!(
        "{}{HCL_RENDERING}\noutput \"rendered\" {{\n  value = local.rendered\n}}\n",
        inputs_block(inputs)
    )
}

/// The seed ADR's twin in pure HCL: outputs `set`, `values_yaml` and `instance_yaml` like
/// examples/seed-adr/main.tf.
pub fn seed_hcl_config() -> String {
    let mut hcl = format!("{}{HCL_RENDERING}", inputs_block(&[seed()]));
    for output in ["set", "values_yaml", "instance_yaml"] {
        let _ = write!(
            hcl,
            "\noutput \"{output}\" {{\n  value = local.rendered.seed.{output}\n}}\n"
        );
    }
    hcl
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_inputs_are_distinct_and_named_for_each_keys() {
        let generated = inputs(100);
        assert_eq!(generated.len(), 100);
        assert_eq!(generated[7].name, "c7");
        let block = inputs_block(&generated[..2]);
        assert!(block.contains(
            "c1 = { chart_version = \"1.12.14\", max_concurrent_runs = 11, tags = [{ key = \"dagster/backfill\", limit = 2 }, { key = \"team-1\", limit = 2 }] }"
        ));
    }

    #[test]
    fn both_sides_output_rendered() {
        let inputs = inputs(3);
        assert!(provider_config(&inputs).contains("resource \"dagster_concurrency\" \"c\""));
        assert!(!hcl_config(&inputs).contains("dagster_concurrency\""));
        assert!(hcl_config(&inputs).contains("output \"rendered\""));
        assert!(seed_hcl_config().contains("local.rendered.seed.instance_yaml"));
    }
}
