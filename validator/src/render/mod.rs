//! Rendering: from a configuration the rules accepted to `set` entries, values YAML and instance
//! YAML. [`render`] takes only an [`Accepted`] configuration, which `rules::accept` alone builds,
//! so nothing the rules refuse is ever rendered.

mod assignments;
pub mod helm_set;
mod instance;
pub mod yaml;

pub use crate::chart::path::Segment;
pub use assignments::assignments;
pub use helm_set::{set_entries, Assignment, Scalar, SetEntry};
pub use instance::instance_tree;

use crate::model::Accepted;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// Everything the resource computes. Only [`render`] makes one (`non_exhaustive` keeps other
/// crates from writing one out).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Rendered {
    /// `set` entries for helm_release, in order.
    pub set: Vec<SetEntry>,
    /// The same values as a tree.
    pub values: Value,
    /// The same values as one YAML document for helm_release `values`.
    pub values_yaml: String,
    /// The `dagster.yaml` fragment the chart renders.
    pub instance_yaml: String,
    /// A stable digest of the rendered values.
    pub id: String,
}

/// Renders a configuration the rules accepted.
pub fn render(accepted: &Accepted) -> Rendered {
    let assignments = assignments(accepted);
    let set = set_entries(&assignments);
    let values = values_tree(&assignments);
    let values_yaml = yaml::to_yaml(&values);
    let instance_yaml = yaml::to_yaml(&instance_tree(accepted));
    let id = digest(&set);
    Rendered {
        set,
        values,
        values_yaml,
        instance_yaml,
        id,
    }
}

/// The values tree the assignments build, keys in first-assignment order.
pub fn values_tree(assignments: &[Assignment]) -> Value {
    let mut root = Value::Object(Map::new());
    for assignment in assignments {
        let leaf = match &assignment.value {
            Scalar::Str(text) => Value::String(text.clone()),
            Scalar::Int(number) => Value::from(*number),
            Scalar::Bool(flag) => Value::Bool(*flag),
        };
        *slot(&mut root, &assignment.path) = leaf;
    }
    root
}

/// The node at `path`, creating maps and list elements on the way. The indexing below cannot
/// panic: each node is made a map or a long enough list first.
fn slot<'a>(mut node: &'a mut Value, path: &[Segment]) -> &'a mut Value {
    for segment in path {
        node = match segment {
            Segment::Key(key) => {
                if !node.is_object() {
                    *node = Value::Object(Map::new());
                }
                &mut node[key.as_str()]
            }
            Segment::Index(index) => {
                if !node.is_array() {
                    *node = Value::Array(Vec::new());
                }
                if let Value::Array(items) = node {
                    if items.len() <= *index {
                        items.resize(index + 1, Value::Null);
                    }
                }
                &mut node[*index]
            }
        };
    }
    node
}

fn digest(set: &[SetEntry]) -> String {
    let mut hasher = Sha256::new();
    for entry in set {
        for part in [entry.name.as_str(), entry.value.as_str(), entry.kind] {
            hasher.update((part.len() as u64).to_le_bytes());
            hasher.update(part.as_bytes());
        }
    }
    hasher
        .finalize()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests;
