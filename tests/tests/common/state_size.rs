//! What a Terraform state file spends on the instances of one resource type (`#[path]`-included
//! by the tests that measure it): bytes per instance, and each attribute's share.
//!
//! A share is the file's size less its size without that part, both written as Terraform
//! writes state (JSON indented by two spaces, which `serde_json`'s pretty printer matches for
//! ASCII text), so indentation and punctuation count where they fall.

use serde_json::Value;

/// The state spent on the instances of one resource type.
pub struct StateSize {
    /// Instances of the type in the state.
    pub instances: usize,
    /// Bytes the instances add to the file, envelope (`schema_version`, `index_key`, ...) included.
    pub instance_bytes: usize,
    /// `(attribute, bytes it adds to the file)`, largest first.
    pub attributes: Vec<(String, usize)>,
}

impl StateSize {
    /// `bytes` over the instances, rounded to the nearest byte.
    fn per(&self, bytes: usize) -> usize {
        (bytes + self.instances / 2)
            .checked_div(self.instances)
            .unwrap_or_default()
    }

    /// Bytes per instance, rounded.
    pub fn per_instance(&self) -> usize {
        self.per(self.instance_bytes)
    }

    /// `name bytes-per-instance (share%)` of each attribute of at least `min_share` percent, in
    /// one line.
    pub fn shares(&self, min_share: usize) -> String {
        self.attributes
            .iter()
            .filter(|(_, bytes)| bytes * 100 >= min_share * self.instance_bytes)
            .map(|(name, bytes)| {
                format!(
                    "{name} {} B ({}%)",
                    self.per(*bytes),
                    (bytes * 100).checked_div(self.instance_bytes).unwrap_or(0)
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The state as Terraform writes it, for measuring.
fn written(state: &Value) -> usize {
    serde_json::to_string_pretty(state).expect("json").len()
}

/// Each instance's attributes of `resource_type` in `state`.
fn attributes_of<'a>(
    state: &'a mut Value,
    resource_type: &'a str,
) -> impl Iterator<Item = &'a mut serde_json::Map<String, Value>> + 'a {
    state["resources"]
        .as_array_mut()
        .into_iter()
        .flatten()
        .filter(move |resource| resource["type"] == resource_type)
        .flat_map(|resource| resource["instances"].as_array_mut().into_iter().flatten())
        .filter_map(|instance| instance["attributes"].as_object_mut())
}

/// Measures the instances of `resource_type` in the state file text `state`.
pub fn measure(state: &str, resource_type: &str) -> StateSize {
    let state: Value = serde_json::from_str(state).expect("state json");
    let whole = written(&state);
    let mut without_instances = state.clone();
    for resource in without_instances["resources"]
        .as_array_mut()
        .into_iter()
        .flatten()
        .filter(|resource| resource["type"] == resource_type)
    {
        resource["instances"] = Value::Array(Vec::new());
    }
    let mut names = Vec::new();
    let mut probe = state.clone();
    let mut instances = 0;
    for attributes in attributes_of(&mut probe, resource_type) {
        instances += 1;
        for name in attributes.keys() {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    let mut attributes: Vec<(String, usize)> = names
        .into_iter()
        .map(|name| {
            let mut without = state.clone();
            for attributes in attributes_of(&mut without, resource_type) {
                attributes.remove(&name);
            }
            let bytes = whole - written(&without);
            (name, bytes)
        })
        .collect();
    attributes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    StateSize {
        instances,
        instance_bytes: whole - written(&without_instances),
        attributes,
    }
}
