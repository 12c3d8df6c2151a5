//! What the provider registers, read through the same trait the protocol layer serves: the
//! provider schema and every resource and data source with its schema, sorted by name.

use crate::Error;
pub use terraform_provider_dagster::provider::PROVIDER_NAME;
use terraform_provider_dagster::DagsterProvider;
use tfplugin::provider::Provider;
use tfplugin::schema::{Block, Schema};

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
    /// Its name without the provider's prefix (`concurrency`), which names its docs page.
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

fn entries(kind: Kind, registered: Vec<(String, Schema)>) -> Result<Vec<Entry>, Error> {
    let prefix = format!("{PROVIDER_NAME}_");
    let mut out = registered
        .into_iter()
        .map(|(type_name, schema)| {
            let key = type_name
                .strip_prefix(&prefix)
                .ok_or_else(|| Error::new(format!("{type_name} does not start with {prefix:?}")))?
                .to_owned();
            Ok(Entry {
                kind,
                type_name,
                key,
                schema,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

/// Reads everything the provider registers.
pub fn read() -> Result<ProviderSchema, Error> {
    let provider = DagsterProvider::default();
    let resources = provider
        .resources()
        .into_iter()
        .map(|(name, resource)| (name, resource.schema()))
        .collect();
    let data_sources = provider
        .data_sources()
        .into_iter()
        .map(|(name, data_source)| (name, data_source.schema()))
        .collect();
    let mut all = entries(Kind::Resource, resources)?;
    all.extend(entries(Kind::DataSource, data_sources)?);
    Ok(ProviderSchema {
        provider: provider.schema(),
        entries: all,
    })
}

/// The attributes and blocks under `block` (named from `path`) without a description.
pub fn undocumented(path: &str, block: &Block) -> Vec<String> {
    let mut out: Vec<String> = block
        .attributes
        .iter()
        .filter(|attr| attr.description.trim().is_empty())
        .map(|attr| format!("{path}.{}", attr.name))
        .collect();
    for nested in &block.blocks {
        let nested_path = format!("{path}.{}", nested.name);
        if nested.block.description.trim().is_empty() {
            out.push(nested_path.clone());
        }
        out.extend(undocumented(&nested_path, &nested.block));
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::schema::{Attribute, NestedBlock};
    use tfplugin::value::Type;

    #[test]
    fn undocumented_attributes_and_blocks_are_named_by_path() {
        let inner = Block::new("", vec![Attribute::optional("bare", Type::String, "")]);
        let block = Block::new(
            "a block",
            vec![
                Attribute::optional("documented", Type::String, "Says what it holds."),
                Attribute::optional("blank", Type::String, "  "),
            ],
        )
        .with_blocks(vec![NestedBlock::list("nested", inner)]);
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
