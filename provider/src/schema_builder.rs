//! Constructors for tf-provider schemas: attributes and blocks with markdown descriptions (the
//! registry docs are generated from them), so each resource file only lists its arguments.

use std::collections::HashMap;
use tf_provider::schema::{Attribute, AttributeConstraint, AttributeType, Block, Description};

/// An attribute with a markdown description.
pub fn attribute(
    attr_type: AttributeType,
    constraint: AttributeConstraint,
    doc: impl ToString,
) -> Attribute {
    Attribute {
        attr_type,
        description: Description::markdown(doc),
        constraint,
        sensitive: false,
        deprecated: false,
    }
}

/// An argument the user must write.
pub fn required(attr_type: AttributeType, doc: impl ToString) -> Attribute {
    attribute(attr_type, AttributeConstraint::Required, doc)
}

/// An argument the user may write.
pub fn optional(attr_type: AttributeType, doc: impl ToString) -> Attribute {
    attribute(attr_type, AttributeConstraint::Optional, doc)
}

/// An attribute the provider computes.
pub fn computed(attr_type: AttributeType, doc: impl ToString) -> Attribute {
    attribute(attr_type, AttributeConstraint::Computed, doc)
}

/// Attributes keyed by name.
pub fn named(list: Vec<(&str, Attribute)>) -> HashMap<String, Attribute> {
    list.into_iter()
        .map(|(name, attr)| (name.to_owned(), attr))
        .collect()
}

/// A block of attributes, without nested blocks.
pub fn block(doc: impl ToString, attributes: HashMap<String, Attribute>) -> Block {
    Block {
        version: 0,
        attributes,
        blocks: HashMap::new(),
        description: Description::markdown(doc),
        deprecated: false,
    }
}

/// The type of a computed list of objects (nested attributes crash Terraform with tf-provider).
pub fn list_of_objects(fields: &[(&str, AttributeType)]) -> AttributeType {
    AttributeType::List(Box::new(AttributeType::Object(
        fields
            .iter()
            .map(|(name, attr_type)| ((*name).to_owned(), attr_type.clone()))
            .collect(),
    )))
}
