//! What the provider registers, read through the same trait Terraform's requests go through:
//! the provider schema and every resource and data source with its schema, sorted by name.

use crate::Error;
use std::collections::HashMap;
use terraform_provider_dagster::DagsterProvider;
use tf_provider::schema::{Block, NestedBlock, Schema};
use tf_provider::{Diagnostics, Provider};

/// The provider's type name: resource `concurrency` is `dagster_concurrency` in configurations.
/// It is the name `main.rs` serves the provider under.
pub const PROVIDER_NAME: &str = "dagster";

/// Resource or data source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `resource "dagster_x"`.
    Resource,
    /// `data "dagster_x"`.
    DataSource,
}

/// One resource or data source.
pub struct Entry {
    /// Resource or data source.
    pub kind: Kind,
    /// Full type name (`dagster_concurrency`).
    pub type_name: String,
    /// Its registration key (`concurrency`), which names its docs page.
    pub key: String,
    /// Its schema.
    pub schema: Schema,
}

/// The provider schema and every entry it registers.
pub struct ProviderSchema {
    /// The provider block's schema.
    pub provider: Schema,
    /// Resources then data sources, each sorted by name.
    pub entries: Vec<Entry>,
}

fn checked<T>(what: &str, diags: &Diagnostics, value: Option<T>) -> Result<T, Error> {
    let errors: Vec<String> = diags
        .errors
        .iter()
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect();
    match value {
        Some(value) if errors.is_empty() => Ok(value),
        _ => Err(Error::new(format!(
            "the provider returned no {what}: {}",
            errors.join("; ")
        ))),
    }
}

fn entries<T>(
    kind: Kind,
    registered: HashMap<String, T>,
    schema_of: impl Fn(&T, &mut Diagnostics) -> Option<Schema>,
) -> Result<Vec<Entry>, Error> {
    let mut out = Vec::new();
    for (key, item) in registered {
        let mut diags = Diagnostics::default();
        let type_name = format!("{PROVIDER_NAME}_{key}");
        let schema = schema_of(&item, &mut diags);
        let schema = checked(&format!("schema for {type_name}"), &diags, schema)?;
        out.push(Entry {
            kind,
            type_name,
            key,
            schema,
        });
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

/// Reads everything the provider registers.
pub fn read() -> Result<ProviderSchema, Error> {
    let provider = DagsterProvider::default();
    let mut diags = Diagnostics::default();
    let schema = provider.schema(&mut diags);
    let schema = checked("provider schema", &diags, schema)?;
    let resources = provider.get_resources(&mut diags);
    let resources = checked("resources", &diags, resources)?;
    let data_sources = provider.get_data_sources(&mut diags);
    let data_sources = checked("data sources", &diags, data_sources)?;
    let mut all = entries(Kind::Resource, resources, |r, d| r.schema(d))?;
    all.extend(entries(Kind::DataSource, data_sources, |s, d| s.schema(d))?);
    Ok(ProviderSchema {
        provider: schema,
        entries: all,
    })
}

/// The description tf-provider's `Block::default()` carries: a block built with
/// `..Default::default()` and no description of its own.
const PLACEHOLDER_DESCRIPTION: &str = "empty";

fn is_missing(description: &str) -> bool {
    let description = description.trim();
    description.is_empty() || description == PLACEHOLDER_DESCRIPTION
}

/// The attributes and blocks under `block` (named from `path`) without a description.
pub fn undocumented(path: &str, block: &Block) -> Vec<String> {
    let mut out: Vec<String> = block
        .attributes
        .iter()
        .filter(|(_, attr)| is_missing(&attr.description.content))
        .map(|(name, _)| format!("{path}.{name}"))
        .collect();
    for (name, nested) in &block.blocks {
        let inner = match nested {
            NestedBlock::Single(b)
            | NestedBlock::List(b)
            | NestedBlock::Set(b)
            | NestedBlock::Map(b)
            | NestedBlock::Group(b)
            | NestedBlock::Optional(b) => b,
        };
        let nested_path = format!("{path}.{name}");
        if is_missing(&inner.description.content) {
            out.push(nested_path.clone());
        }
        out.extend(undocumented(&nested_path, inner));
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use tf_provider::schema::{Attribute, AttributeConstraint, AttributeType, Description};

    fn attribute(doc: &str) -> Attribute {
        Attribute {
            attr_type: AttributeType::String,
            description: Description::markdown(doc),
            constraint: AttributeConstraint::Optional,
            sensitive: false,
            deprecated: false,
        }
    }

    #[test]
    fn undocumented_attributes_and_blocks_are_named_by_path() {
        let inner = Block {
            attributes: HashMap::from([("bare".to_owned(), attribute(""))]),
            ..Default::default()
        };
        let block = Block {
            attributes: HashMap::from([
                ("documented".to_owned(), attribute("Says what it holds.")),
                ("blank".to_owned(), attribute("  ")),
            ]),
            blocks: HashMap::from([("nested".to_owned(), NestedBlock::List(inner))]),
            ..Default::default()
        };
        assert_eq!(
            undocumented("dagster_x", &block),
            [
                "dagster_x.blank",
                "dagster_x.nested",
                "dagster_x.nested.bare"
            ]
        );
    }
}
