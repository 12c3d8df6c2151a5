//! `dagster_concurrency` arguments -> the model, from HCL or plan JSON alike.
//!
//! The input is a map node of the resource's arguments (nested blocks as lists of maps, computed
//! values [`Value::Unknown`]). Values are converted as Terraform converts them (`"5"` is the
//! number 5); what Terraform itself would refuse is reported (DC512) and left out.

use super::tree::{Node, Value};
use super::{Position, Target};
use crate::model::{BlockOpSettings, ConcurrencyConfig, PoolSettings, Setting, TagLimit};
use crate::rules::arguments::WRONG_ARGUMENT_TYPE;
use crate::rules::NOT_A_WHOLE_NUMBER;

/// How the provider's schema declares one argument of `dagster_concurrency` (the same for the
/// resource and the data source).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// An optional attribute.
    Optional,
    /// A required attribute.
    Required,
    /// An attribute the provider computes; it cannot be set.
    Computed,
    /// A nested block with its own arguments; `once` when it may appear at most once.
    Block {
        /// At most one block of this type.
        once: bool,
        /// The block's arguments.
        arguments: &'static [(&'static str, Shape)],
    },
}

/// The arguments and blocks of `dagster_concurrency`, as `terraform validate` checks them.
pub const SCHEMA: &[(&str, Shape)] = &[
    ("chart_version", Shape::Optional),
    ("values_prefix", Shape::Optional),
    ("placement", Shape::Optional),
    ("max_concurrent_runs", Shape::Optional),
    (
        "tag_concurrency_limit",
        Shape::Block {
            once: false,
            arguments: &[
                ("key", Shape::Required),
                ("value", Shape::Optional),
                ("apply_limit_per_unique_value", Shape::Optional),
                ("limit", Shape::Required),
            ],
        },
    ),
    ("dequeue_interval_seconds", Shape::Optional),
    ("dequeue_use_threads", Shape::Optional),
    ("dequeue_num_workers", Shape::Optional),
    (
        "block_op_concurrency_limited_runs",
        Shape::Block {
            once: true,
            arguments: &[
                ("enabled", Shape::Required),
                ("op_concurrency_slot_buffer", Shape::Optional),
            ],
        },
    ),
    (
        "pools",
        Shape::Block {
            once: true,
            arguments: &[
                ("default_limit", Shape::Optional),
                ("granularity", Shape::Optional),
                ("op_granularity_run_buffer", Shape::Optional),
            ],
        },
    ),
    ("id", Shape::Computed),
    ("set", Shape::Computed),
    ("values_yaml", Shape::Computed),
    ("instance_yaml", Shape::Computed),
];

/// Terraform's meta-arguments and meta-blocks, which any resource or data block may have.
pub const META_ARGUMENTS: &[&str] = &[
    "count",
    "for_each",
    "depends_on",
    "provider",
    "lifecycle",
    "provisioner",
    "connection",
];

/// Whether `name` is an argument or block the model reads (not a computed output).
pub fn is_argument(name: &str) -> bool {
    SCHEMA
        .iter()
        .any(|(known, shape)| *known == name && *shape != Shape::Computed)
}

/// Reads a `dagster_concurrency` resource's arguments into a target.
pub fn attributes_target(name: &str, position: Position, arguments: &Node) -> Target {
    let mut target = Target::new(name, position);
    let mut reader = Reader {
        target: &mut target,
    };
    let top = |key| arguments.get(key);
    let mut config = ConcurrencyConfig {
        chart_version: reader.string(top("chart_version"), "chart_version"),
        values_prefix: reader.string(top("values_prefix"), "values_prefix"),
        placement: reader.string(top("placement"), "placement"),
        max_concurrent_runs: reader.int(top("max_concurrent_runs"), "max_concurrent_runs"),
        dequeue_interval_seconds: reader
            .int(top("dequeue_interval_seconds"), "dequeue_interval_seconds"),
        dequeue_use_threads: reader.boolean(top("dequeue_use_threads"), "dequeue_use_threads"),
        dequeue_num_workers: reader.int(top("dequeue_num_workers"), "dequeue_num_workers"),
        ..Default::default()
    };
    config.tag_limits = match top("tag_concurrency_limit").map(|n| &n.value) {
        None | Some(Value::Null) => Setting::Unset,
        Some(Value::List(items)) if items.is_empty() => Setting::Unset,
        Some(Value::List(items)) => Setting::Known(
            items
                .iter()
                .enumerate()
                .map(|(index, item)| {
                    let attr = format!("tag_concurrency_limit[{index}]");
                    reader
                        .target
                        .wrote(attr.clone(), attr.clone(), item.position);
                    let at = |key: &str| format!("{attr}.{key}");
                    TagLimit {
                        key: reader.string(item.get("key"), &at("key")),
                        value: reader.string(item.get("value"), &at("value")),
                        apply_limit_per_unique_value: reader.boolean(
                            item.get("apply_limit_per_unique_value"),
                            &at("apply_limit_per_unique_value"),
                        ),
                        limit: reader.int(item.get("limit"), &at("limit")),
                    }
                })
                .collect(),
        ),
        Some(_) => Setting::Unknown,
    };
    config.block_op = match single(top("block_op_concurrency_limited_runs")) {
        Setting::Known(block) => {
            let at = |key: &str| format!("block_op_concurrency_limited_runs.{key}");
            reader.target.wrote(
                "block_op_concurrency_limited_runs",
                "block_op_concurrency_limited_runs",
                block.position,
            );
            Setting::Known(BlockOpSettings {
                enabled: reader.boolean(block.get("enabled"), &at("enabled")),
                op_concurrency_slot_buffer: reader.int(
                    block.get("op_concurrency_slot_buffer"),
                    &at("op_concurrency_slot_buffer"),
                ),
            })
        }
        Setting::Unknown => Setting::Unknown,
        Setting::Unset => Setting::Unset,
    };
    config.pools = match single(top("pools")) {
        Setting::Known(block) => {
            let at = |key: &str| format!("pools.{key}");
            reader.target.wrote("pools", "pools", block.position);
            Setting::Known(PoolSettings {
                default_limit: reader.int(block.get("default_limit"), &at("default_limit")),
                granularity: reader.string(block.get("granularity"), &at("granularity")),
                op_granularity_run_buffer: reader.int(
                    block.get("op_granularity_run_buffer"),
                    &at("op_granularity_run_buffer"),
                ),
            })
        }
        Setting::Unknown => Setting::Unknown,
        Setting::Unset => Setting::Unset,
    };
    target.config = config;
    target
}

/// A block that appears at most once: the first of its list.
fn single(node: Option<&Node>) -> Setting<&Node> {
    match node.map(|n| &n.value) {
        None | Some(Value::Null) => Setting::Unset,
        Some(Value::List(items)) => items.first().into(),
        Some(Value::Map(_)) => node.into(),
        Some(_) => Setting::Unknown,
    }
}

struct Reader<'a> {
    target: &'a mut Target,
}

impl Reader<'_> {
    /// Records where `path` was written; `None` when unset, `Some(None)` when computed.
    fn node<'n>(&mut self, node: Option<&'n Node>, path: &str) -> Option<Option<&'n Node>> {
        let node = node.filter(|n| n.value != Value::Null)?;
        self.target.wrote(path, path, node.position);
        Some((node.value != Value::Unknown).then_some(node))
    }

    fn string(&mut self, node: Option<&Node>, path: &str) -> Setting<String> {
        match self.node(node, path) {
            None => Setting::Unset,
            Some(None) => Setting::Unknown,
            Some(Some(node)) => match &node.value {
                Value::Str(text) | Value::Float(text) => Setting::Known(text.clone()),
                Value::Int(number) => Setting::Known(number.to_string()),
                Value::Bool(flag) => Setting::Known(flag.to_string()),
                _ => self.refused(node, path, "a string"),
            },
        }
    }

    fn boolean(&mut self, node: Option<&Node>, path: &str) -> Setting<bool> {
        match self.node(node, path) {
            None => Setting::Unset,
            Some(None) => Setting::Unknown,
            Some(Some(node)) => match &node.value {
                Value::Bool(flag) => Setting::Known(*flag),
                Value::Str(text) if text == "true" || text == "false" => {
                    Setting::Known(text == "true")
                }
                _ => self.refused(node, path, "a bool"),
            },
        }
    }

    fn int(&mut self, node: Option<&Node>, path: &str) -> Setting<i64> {
        let node = match self.node(node, path) {
            None => return Setting::Unset,
            Some(None) => return Setting::Unknown,
            Some(Some(node)) => node,
        };
        let shown = match &node.value {
            Value::Int(number) => return Setting::Known(*number),
            Value::Float(text) => text.clone(),
            Value::Str(text) => match text.trim().parse::<i64>() {
                Ok(number) => return Setting::Known(number),
                Err(_) if text.trim().parse::<f64>().is_ok() => text.clone(),
                Err(_) => return self.refused(node, path, "a number"),
            },
            _ => return self.refused(node, path, "a number"),
        };
        self.target.raise(
            &NOT_A_WHOLE_NUMBER,
            path,
            node.position,
            format!("{path} = {shown} is not a whole number within 64-bit range"),
            "write a whole number".into(),
        );
        Setting::Unknown
    }

    /// A value Terraform itself refuses (DC512), left out of the other checks.
    fn refused<T>(&mut self, node: &Node, path: &str, expected: &str) -> Setting<T> {
        let shown = match &node.value {
            Value::Str(text) => format!(" ({text:?})"),
            _ => String::new(),
        };
        self.target.raise(
            &WRONG_ARGUMENT_TYPE,
            path,
            node.position,
            format!(
                "{path} is {}{shown} where terraform expects {expected}",
                node.type_name()
            ),
            format!("write {expected}"),
        );
        Setting::Unknown
    }
}
