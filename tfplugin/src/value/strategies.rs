//! Proptest strategies: a random type and a value of it (unknowns and nulls included).

use super::{Number, Type, Value};
use proptest::prelude::*;
use std::collections::BTreeMap;

fn leaf_type() -> impl Strategy<Value = Type> {
    prop_oneof![Just(Type::Bool), Just(Type::Number), Just(Type::String)]
}

fn any_type() -> impl Strategy<Value = Type> {
    leaf_type().prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            proptest::collection::btree_map("[a-z_]{1,6}", inner.clone(), 0..4)
                .prop_map(Type::Object),
            proptest::collection::vec(inner, 0..3).prop_map(Type::Tuple),
        ]
    })
}

fn number() -> impl Strategy<Value = Number> {
    // Big numbers as Terraform writes them: more significant digits than a float keeps, or
    // beyond a float's range.
    let big = prop_oneof![
        "-?[1-9][0-9]{18,40}[1-9]",
        "-?[1-9]\\.[0-9]{14,30}[1-9]",
        "-?[1-9]e[4-9][0-9]{2}",
    ];
    prop_oneof![
        any::<i64>().prop_map(Number::Int),
        (-1e300f64..1e300).prop_map(Number::from_f64),
        big.prop_map(Number::Big),
    ]
}

/// A value of type `t`.
fn value_of(t: Type) -> BoxedStrategy<Value> {
    let known: BoxedStrategy<Value> = match t {
        Type::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        Type::Number => number().prop_map(Value::Number).boxed(),
        Type::String => ".{0,12}".prop_map(Value::String).boxed(),
        Type::Dynamic => Just(Value::Null).boxed(),
        Type::List(e) => proptest::collection::vec(value_of(*e), 0..4)
            .prop_map(Value::List)
            .boxed(),
        Type::Set(e) => proptest::collection::vec(value_of(*e), 0..4)
            .prop_map(Value::Set)
            .boxed(),
        Type::Map(e) => proptest::collection::btree_map(".{0,6}", value_of(*e), 0..4)
            .prop_map(Value::Map)
            .boxed(),
        Type::Object(attributes) => attributes
            .into_iter()
            .map(|(name, t)| value_of(t).prop_map(move |v| (name.clone(), v)))
            .collect::<Vec<_>>()
            .prop_map(|entries| Value::Map(entries.into_iter().collect::<BTreeMap<_, _>>()))
            .boxed(),
        Type::Tuple(elements) => elements
            .into_iter()
            .map(value_of)
            .collect::<Vec<_>>()
            .prop_map(Value::List)
            .boxed(),
    };
    prop_oneof![1 => Just(Value::Null), 1 => Just(Value::Unknown), 6 => known].boxed()
}

/// A type and a value of it.
pub fn typed_value() -> impl Strategy<Value = (Type, Value)> {
    any_type().prop_flat_map(|t| value_of(t.clone()).prop_map(move |v| (t.clone(), v)))
}
