//! Required arguments written as `null`.
//!
//! Terraform treats `key = null` as "not written", yet its own check that a required argument
//! is written runs before expressions are evaluated, so a `null` (literal, or from a variable or
//! a conditional) reaches the provider's validate call. Each resource's state type lists its
//! required arguments that are `null` ([`NullRequired`]), and [`report`] turns them into error
//! diagnostics at the argument, so `terraform validate` points at the line and says what to write.

use crate::diagnostics::attribute_path;
use tf_provider::value::Value;
use tf_provider::{Diagnostic, Diagnostics};
use validator::path::AttrPath;

/// A required argument whose value is `null`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NullRequired {
    /// Where it is written.
    pub path: AttrPath,
    /// What to write instead, lowercase: "the run tag key the limit matches, e.g. ...".
    pub expected: &'static str,
}

/// Adds a [`NullRequired`] to `out` when `value` is `null` (an unknown value is not null yet).
pub fn require<T>(
    value: &Value<T>,
    path: AttrPath,
    expected: &'static str,
    out: &mut Vec<NullRequired>,
) {
    if matches!(value, Value::Null) {
        out.push(NullRequired { path, expected });
    }
}

/// Adds each null as an error diagnostic at its argument; returns true when there was any.
pub fn report(diags: &mut Diagnostics, nulls: &[NullRequired]) -> bool {
    for null in nulls {
        let name = null.path.to_string();
        let argument = name.rsplit('.').next().unwrap_or(&name);
        diags.add_error(Diagnostic::new(
            format!("{name} is required but null"),
            format!(
                "Set `{argument}` to {}. A `null` value counts as not written, so the argument is missing; when it comes from a variable or a conditional, make that give a value.",
                null.expected
            ),
            attribute_path(&null.path),
        ));
    }
    !nulls.is_empty()
}

/// Test support: configurations built from a schema, so that the tests of each state type cover
/// every required argument the schema declares, including ones added later.
#[cfg(test)]
pub mod cases {
    use serde_json::{json, Map, Value as Json};
    use tf_provider::schema::{AttributeConstraint, AttributeType, Block, NestedBlock};
    use tf_provider::AttributePathStep;

    fn sample(attr_type: &AttributeType) -> Json {
        match attr_type {
            AttributeType::String => json!("x"),
            AttributeType::Number => json!(1),
            AttributeType::Bool => json!(true),
            AttributeType::List(inner) | AttributeType::Set(inner) => json!([sample(inner)]),
            AttributeType::Map(inner) => json!({ "k": sample(inner) }),
            other => panic!("no sample for {other:?}"),
        }
    }

    fn nested(block: &NestedBlock) -> &Block {
        match block {
            NestedBlock::Single(block)
            | NestedBlock::List(block)
            | NestedBlock::Set(block)
            | NestedBlock::Map(block)
            | NestedBlock::Group(block)
            | NestedBlock::Optional(block) => block,
        }
    }

    /// A configuration with every argument set and every block present once.
    fn full(block: &Block) -> Map<String, Json> {
        let mut object: Map<String, Json> = block
            .attributes
            .iter()
            .map(|(name, attribute)| {
                let value = match attribute.constraint {
                    AttributeConstraint::Computed => Json::Null,
                    _ => sample(&attribute.attr_type),
                };
                (name.clone(), value)
            })
            .collect();
        for (name, inner) in &block.blocks {
            object.insert(name.clone(), json!([full(nested(inner))]));
        }
        object
    }

    fn required(block: &Block) -> impl Iterator<Item = &String> {
        block
            .attributes
            .iter()
            .filter(|(_, attribute)| matches!(attribute.constraint, AttributeConstraint::Required))
            .map(|(name, _)| name)
    }

    /// For each required argument of `block` (at the top or in a nested block): the Terraform
    /// path of the argument and a full configuration in which only that argument is `null`.
    pub fn null_required(block: &Block) -> Vec<(Vec<AttributePathStep>, Json)> {
        let base = full(block);
        let mut cases = Vec::new();
        for name in required(block) {
            let mut config = base.clone();
            config.insert(name.clone(), Json::Null);
            cases.push((
                vec![AttributePathStep::Attribute(name.clone().into())],
                config.into(),
            ));
        }
        for (block_name, inner) in &block.blocks {
            for name in required(nested(inner)) {
                let mut config = base.clone();
                config[block_name][0][name] = Json::Null;
                let path = vec![
                    AttributePathStep::Attribute(block_name.clone().into()),
                    AttributePathStep::Index(0),
                    AttributePathStep::Attribute(name.clone().into()),
                ];
                cases.push((path, config.into()));
            }
        }
        assert!(!cases.is_empty(), "the schema has no required argument");
        cases
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tf_provider::AttributePathStep;

    #[test]
    fn a_null_is_an_error_at_its_argument_and_unknown_is_not_null() {
        let mut nulls = Vec::new();
        let path = AttrPath::item("tag_concurrency_limit", 2).then("key");
        require::<String>(&Value::Null, path.clone(), "a key", &mut nulls);
        require::<String>(&Value::Unknown, path.clone(), "a key", &mut nulls);
        require(&Value::Value(1), path, "a key", &mut nulls);
        let mut diags = Diagnostics::default();
        assert!(report(&mut diags, &nulls));
        assert_eq!(diags.errors.len(), 1);
        let error = &diags.errors[0];
        assert_eq!(
            error.summary,
            "tag_concurrency_limit[2].key is required but null"
        );
        assert!(error.detail.starts_with("Set `key` to a key."), "{error:?}");
        assert_eq!(
            error.attribute.steps,
            vec![
                AttributePathStep::Attribute("tag_concurrency_limit".into()),
                AttributePathStep::Index(2),
                AttributePathStep::Attribute("key".into()),
            ]
        );
        assert!(!report(&mut Diagnostics::default(), &[]));
    }
}
