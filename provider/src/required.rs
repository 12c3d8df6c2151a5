//! Required arguments written as `null`.
//!
//! Terraform treats `key = null` as "not written", yet its own check that a required argument
//! is written runs before expressions are evaluated, so a `null` (literal, or from a variable or
//! a conditional) reaches the provider's validate call. Each resource lists its required
//! arguments that are `null` ([`NullRequired`]), and [`report`] turns them into error
//! diagnostics at the argument, so `terraform validate` points at the line and says what to write.

use crate::diagnostics::attribute_path;
use tfplugin::diagnostics::{Diagnostic, Diagnostics};
use tfplugin::value::Value;
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
pub fn require(value: &Value, path: AttrPath, expected: &'static str, out: &mut Vec<NullRequired>) {
    if value.is_null() {
        out.push(NullRequired { path, expected });
    }
}

/// Adds each null as an error diagnostic at its argument; returns true when there was any.
pub fn report(diags: &mut Diagnostics, nulls: &[NullRequired]) -> bool {
    for null in nulls {
        let name = null.path.to_string();
        let argument = name.rsplit('.').next().unwrap_or(&name);
        diags.push(
            Diagnostic::error(
                format!("{name} is required but null"),
                format!(
                    "Set `{argument}` to {}. A `null` value counts as not written, so the argument is missing; when it comes from a variable or a conditional, make that give a value.",
                    null.expected
                ),
            )
            .at(attribute_path(&null.path)),
        );
    }
    !nulls.is_empty()
}

/// Test support: configurations built from a schema, so that the tests of each resource cover
/// every required argument the schema declares, including ones added later.
#[cfg(test)]
pub mod cases {
    use tfplugin::diagnostics::AttributePath;
    use tfplugin::schema::{Block, Presence};
    use tfplugin::value::{Type, Value};

    fn sample(t: &Type) -> Value {
        match t {
            Type::String => Value::from("x"),
            Type::Number => Value::from(1),
            Type::Bool => Value::from(true),
            Type::List(inner) => Value::List(vec![sample(inner)]),
            Type::Set(inner) => Value::Set(vec![sample(inner)]),
            Type::Map(inner) => Value::object([("k", sample(inner))]),
            other => panic!("no sample for {other:?}"),
        }
    }

    /// A configuration with every argument set and every block present once.
    fn full(block: &Block) -> Value {
        let mut object = Value::object([]);
        for attribute in &block.attributes {
            let value = match attribute.presence {
                Presence::Computed => Value::Null,
                _ => sample(&attribute.r#type),
            };
            object.set(&attribute.name, value);
        }
        for nested in &block.blocks {
            object.set(&nested.name, Value::List(vec![full(&nested.block)]));
        }
        object
    }

    fn required(block: &Block) -> impl Iterator<Item = &str> {
        block
            .attributes
            .iter()
            .filter(|attribute| attribute.presence == Presence::Required)
            .map(|attribute| attribute.name.as_str())
    }

    /// For each required argument of `block` (at the top or in a nested block): the Terraform
    /// path of the argument and a full configuration in which only that argument is `null`.
    pub fn null_required(block: &Block) -> Vec<(AttributePath, Value)> {
        let base = full(block);
        let mut cases = Vec::new();
        for name in required(block) {
            let mut config = base.clone();
            config.set(name, Value::Null);
            cases.push((AttributePath::attribute(name), config));
        }
        for nested in &block.blocks {
            for name in required(&nested.block) {
                let mut config = base.clone();
                let mut item = full(&nested.block);
                item.set(name, Value::Null);
                config.set(&nested.name, Value::List(vec![item]));
                let path = AttributePath::attribute(&nested.name).index(0).then(name);
                cases.push((path, config));
            }
        }
        assert!(!cases.is_empty(), "the schema has no required argument");
        cases
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin::diagnostics::AttributePath;

    #[test]
    fn a_null_is_an_error_at_its_argument_and_unknown_is_not_null() {
        let mut nulls = Vec::new();
        let path = AttrPath::item("tag_concurrency_limit", 2).then("key");
        require(&Value::Null, path.clone(), "a key", &mut nulls);
        require(&Value::Unknown, path.clone(), "a key", &mut nulls);
        require(&Value::from(1), path, "a key", &mut nulls);
        let mut diags = Diagnostics::default();
        assert!(report(&mut diags, &nulls));
        let errors = diags.errors();
        assert_eq!(errors.len(), 1);
        let error = errors[0];
        assert_eq!(
            error.summary,
            "tag_concurrency_limit[2].key is required but null"
        );
        assert!(error.detail.starts_with("Set `key` to a key."), "{error:?}");
        assert_eq!(
            error.path,
            Some(
                AttributePath::attribute("tag_concurrency_limit")
                    .index(2)
                    .then("key")
            )
        );
        assert!(!report(&mut Diagnostics::default(), &[]));
    }
}
