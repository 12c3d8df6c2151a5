//! `dagster_concurrency` arguments -> the model, from HCL or plan JSON alike.
//!
//! The input is a map node of the resource's arguments (nested blocks as lists of maps, computed
//! values [`Value::Unknown`]). Values are converted as Terraform converts them (`"5"` is the
//! number 5); what Terraform itself would refuse is reported (DC512) and left out.

use super::tree::{Node, Value};
use super::{Position, Target};
use crate::model::{BlockOpSettings, ConcurrencyConfig, PoolSettings, Setting, TagLimit};
use crate::rules::arguments::WrongArgumentType;
use crate::rules::NotAWholeNumber;

/// The Terraform attribute names of `dagster_concurrency`: the one table that the provider's
/// schema and converters and the readers here spell them from.
pub mod name {
    /// `chart_version`.
    pub const CHART_VERSION: &str = "chart_version";
    /// `values_prefix`.
    pub const VALUES_PREFIX: &str = "values_prefix";
    /// `placement`.
    pub const PLACEMENT: &str = "placement";
    /// `max_concurrent_runs`.
    pub const MAX_CONCURRENT_RUNS: &str = "max_concurrent_runs";
    /// `tag_concurrency_limit`.
    pub const TAG_CONCURRENCY_LIMIT: &str = "tag_concurrency_limit";
    /// `dequeue_interval_seconds`.
    pub const DEQUEUE_INTERVAL_SECONDS: &str = "dequeue_interval_seconds";
    /// `dequeue_use_threads`.
    pub const DEQUEUE_USE_THREADS: &str = "dequeue_use_threads";
    /// `dequeue_num_workers`.
    pub const DEQUEUE_NUM_WORKERS: &str = "dequeue_num_workers";
    /// `block_op_concurrency_limited_runs`.
    pub const BLOCK_OP_CONCURRENCY_LIMITED_RUNS: &str = "block_op_concurrency_limited_runs";
    /// `pools`.
    pub const POOLS: &str = "pools";
    /// `id`.
    pub const ID: &str = "id";
    /// `set`.
    pub const SET: &str = "set";
    /// `values_yaml`.
    pub const VALUES_YAML: &str = "values_yaml";
    /// `instance_yaml`.
    pub const INSTANCE_YAML: &str = "instance_yaml";

    /// The arguments of a `tag_concurrency_limit` block.
    pub mod tag_limit {
        /// `key`.
        pub const KEY: &str = "key";
        /// `value`.
        pub const VALUE: &str = "value";
        /// `apply_limit_per_unique_value`.
        pub const APPLY_LIMIT_PER_UNIQUE_VALUE: &str = "apply_limit_per_unique_value";
        /// `limit`.
        pub const LIMIT: &str = "limit";
    }

    /// The arguments of the `block_op_concurrency_limited_runs` block.
    pub mod block_op {
        /// `enabled`.
        pub const ENABLED: &str = "enabled";
        /// `op_concurrency_slot_buffer`.
        pub const OP_CONCURRENCY_SLOT_BUFFER: &str = "op_concurrency_slot_buffer";
    }

    /// The arguments of the `pools` block.
    pub mod pools {
        /// `default_limit`.
        pub const DEFAULT_LIMIT: &str = "default_limit";
        /// `granularity`.
        pub const GRANULARITY: &str = "granularity";
        /// `op_granularity_run_buffer`.
        pub const OP_GRANULARITY_RUN_BUFFER: &str = "op_granularity_run_buffer";
    }

    /// The attributes of one computed `set` entry.
    pub mod set_entry {
        /// `name`.
        pub const NAME: &str = "name";
        /// `value`.
        pub const VALUE: &str = "value";
        /// `type`.
        pub const KIND: &str = "type";
    }
}

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
    (name::CHART_VERSION, Shape::Optional),
    (name::VALUES_PREFIX, Shape::Optional),
    (name::PLACEMENT, Shape::Optional),
    (name::MAX_CONCURRENT_RUNS, Shape::Optional),
    (
        name::TAG_CONCURRENCY_LIMIT,
        Shape::Block {
            once: false,
            arguments: &[
                (name::tag_limit::KEY, Shape::Required),
                (name::tag_limit::VALUE, Shape::Optional),
                (
                    name::tag_limit::APPLY_LIMIT_PER_UNIQUE_VALUE,
                    Shape::Optional,
                ),
                (name::tag_limit::LIMIT, Shape::Required),
            ],
        },
    ),
    (name::DEQUEUE_INTERVAL_SECONDS, Shape::Optional),
    (name::DEQUEUE_USE_THREADS, Shape::Optional),
    (name::DEQUEUE_NUM_WORKERS, Shape::Optional),
    (
        name::BLOCK_OP_CONCURRENCY_LIMITED_RUNS,
        Shape::Block {
            once: true,
            arguments: &[
                (name::block_op::ENABLED, Shape::Required),
                (name::block_op::OP_CONCURRENCY_SLOT_BUFFER, Shape::Optional),
            ],
        },
    ),
    (
        name::POOLS,
        Shape::Block {
            once: true,
            arguments: &[
                (name::pools::DEFAULT_LIMIT, Shape::Optional),
                (name::pools::GRANULARITY, Shape::Optional),
                (name::pools::OP_GRANULARITY_RUN_BUFFER, Shape::Optional),
            ],
        },
    ),
    (name::ID, Shape::Computed),
    (name::SET, Shape::Computed),
    (name::VALUES_YAML, Shape::Computed),
    (name::INSTANCE_YAML, Shape::Computed),
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
        chart_version: reader.string(top(name::CHART_VERSION), name::CHART_VERSION),
        values_prefix: reader.string(top(name::VALUES_PREFIX), name::VALUES_PREFIX),
        placement: reader.string(top(name::PLACEMENT), name::PLACEMENT),
        max_concurrent_runs: reader.int(top(name::MAX_CONCURRENT_RUNS), name::MAX_CONCURRENT_RUNS),
        dequeue_interval_seconds: reader.int(
            top(name::DEQUEUE_INTERVAL_SECONDS),
            name::DEQUEUE_INTERVAL_SECONDS,
        ),
        dequeue_use_threads: reader
            .boolean(top(name::DEQUEUE_USE_THREADS), name::DEQUEUE_USE_THREADS),
        dequeue_num_workers: reader.int(top(name::DEQUEUE_NUM_WORKERS), name::DEQUEUE_NUM_WORKERS),
        ..Default::default()
    };
    config.tag_limits = match top(name::TAG_CONCURRENCY_LIMIT).map(|n| &n.value) {
        None | Some(Value::Null) => Setting::Unset,
        Some(Value::List(items)) if items.is_empty() => Setting::Unset,
        Some(Value::List(items)) => Setting::Known(
            items
                .iter()
                .enumerate()
                .map(|(index, item)| {
                    let attr = format!("{}[{index}]", name::TAG_CONCURRENCY_LIMIT);
                    reader
                        .target
                        .wrote(attr.clone(), attr.clone(), item.position);
                    let at = |key: &str| format!("{attr}.{key}");
                    TagLimit {
                        key: reader
                            .string(item.get(name::tag_limit::KEY), &at(name::tag_limit::KEY)),
                        value: reader.string(
                            item.get(name::tag_limit::VALUE),
                            &at(name::tag_limit::VALUE),
                        ),
                        apply_limit_per_unique_value: reader.boolean(
                            item.get(name::tag_limit::APPLY_LIMIT_PER_UNIQUE_VALUE),
                            &at(name::tag_limit::APPLY_LIMIT_PER_UNIQUE_VALUE),
                        ),
                        limit: reader.int(
                            item.get(name::tag_limit::LIMIT),
                            &at(name::tag_limit::LIMIT),
                        ),
                    }
                })
                .collect(),
        ),
        Some(_) => Setting::Unknown,
    };
    config.block_op = match single(top(name::BLOCK_OP_CONCURRENCY_LIMITED_RUNS)) {
        Setting::Known(block) => {
            let at = |key: &str| format!("{}.{key}", name::BLOCK_OP_CONCURRENCY_LIMITED_RUNS);
            reader.target.wrote(
                name::BLOCK_OP_CONCURRENCY_LIMITED_RUNS,
                name::BLOCK_OP_CONCURRENCY_LIMITED_RUNS,
                block.position,
            );
            Setting::Known(BlockOpSettings {
                enabled: reader.boolean(
                    block.get(name::block_op::ENABLED),
                    &at(name::block_op::ENABLED),
                ),
                op_concurrency_slot_buffer: reader.int(
                    block.get(name::block_op::OP_CONCURRENCY_SLOT_BUFFER),
                    &at(name::block_op::OP_CONCURRENCY_SLOT_BUFFER),
                ),
            })
        }
        Setting::Unknown => Setting::Unknown,
        Setting::Unset => Setting::Unset,
    };
    config.pools = match single(top(name::POOLS)) {
        Setting::Known(block) => {
            let at = |key: &str| format!("{}.{key}", name::POOLS);
            reader
                .target
                .wrote(name::POOLS, name::POOLS, block.position);
            Setting::Known(PoolSettings {
                default_limit: reader.int(
                    block.get(name::pools::DEFAULT_LIMIT),
                    &at(name::pools::DEFAULT_LIMIT),
                ),
                granularity: reader.string(
                    block.get(name::pools::GRANULARITY),
                    &at(name::pools::GRANULARITY),
                ),
                op_granularity_run_buffer: reader.int(
                    block.get(name::pools::OP_GRANULARITY_RUN_BUFFER),
                    &at(name::pools::OP_GRANULARITY_RUN_BUFFER),
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
        self.target.raise_violation(
            path,
            node.position,
            &NotAWholeNumber {
                name: path,
                written: &shown,
            },
        );
        Setting::Unknown
    }

    /// A value Terraform itself refuses (DC512), left out of the other checks.
    fn refused<T>(&mut self, node: &Node, path: &str, expected: &str) -> Setting<T> {
        let text = match &node.value {
            Value::Str(text) => Some(text.as_str()),
            _ => None,
        };
        self.target.raise_violation(
            path,
            node.position,
            &WrongArgumentType {
                path,
                found: node.type_name(),
                text,
                expected,
            },
        );
        Setting::Unknown
    }
}
