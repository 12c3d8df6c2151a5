//! Terraform's types and their JSON notation (`"string"`, `["list","number"]`,
//! `["object",{"a":"bool"}]`), which schemas and dynamic values carry.

use super::DecodeError;
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;

/// A Terraform type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    /// `bool`.
    Bool,
    /// `number`.
    Number,
    /// `string`.
    String,
    /// `any`: the value carries its own type on the wire.
    Dynamic,
    /// `list(T)`.
    List(Box<Type>),
    /// `set(T)`.
    Set(Box<Type>),
    /// `map(T)`.
    Map(Box<Type>),
    /// `object({...})`.
    Object(BTreeMap<String, Type>),
    /// `tuple([...])`.
    Tuple(Vec<Type>),
}

impl Type {
    /// `list(element)`.
    pub fn list(element: Type) -> Type {
        Type::List(Box::new(element))
    }

    /// `set(element)`.
    pub fn set(element: Type) -> Type {
        Type::Set(Box::new(element))
    }

    /// `map(element)`.
    pub fn map(element: Type) -> Type {
        Type::Map(Box::new(element))
    }

    /// `object({...})` from `(name, type)` pairs.
    pub fn object<'a>(attributes: impl IntoIterator<Item = (&'a str, Type)>) -> Type {
        Type::Object(
            attributes
                .into_iter()
                .map(|(name, t)| (name.to_owned(), t))
                .collect(),
        )
    }

    /// The JSON type notation.
    pub fn to_json(&self) -> Json {
        match self {
            Type::Bool => json!("bool"),
            Type::Number => json!("number"),
            Type::String => json!("string"),
            Type::Dynamic => json!("dynamic"),
            Type::List(e) => json!(["list", e.to_json()]),
            Type::Set(e) => json!(["set", e.to_json()]),
            Type::Map(e) => json!(["map", e.to_json()]),
            Type::Object(attributes) => json!([
                "object",
                attributes
                    .iter()
                    .map(|(name, t)| (name.clone(), t.to_json()))
                    .collect::<serde_json::Map<_, _>>()
            ]),
            Type::Tuple(elements) => json!([
                "tuple",
                elements.iter().map(Type::to_json).collect::<Vec<_>>()
            ]),
        }
    }

    /// Reads the JSON type notation.
    pub fn from_json(notation: &Json) -> Result<Type, DecodeError> {
        let unexpected = || DecodeError::new(format!("not a type: {notation}"));
        match notation {
            Json::String(name) => match name.as_str() {
                "bool" => Ok(Type::Bool),
                "number" => Ok(Type::Number),
                "string" => Ok(Type::String),
                "dynamic" => Ok(Type::Dynamic),
                _ => Err(unexpected()),
            },
            Json::Array(parts) => match parts.as_slice() {
                [Json::String(kind), element] if kind == "list" => {
                    Ok(Type::list(Type::from_json(element)?))
                }
                [Json::String(kind), element] if kind == "set" => {
                    Ok(Type::set(Type::from_json(element)?))
                }
                [Json::String(kind), element] if kind == "map" => {
                    Ok(Type::map(Type::from_json(element)?))
                }
                // A third element lists optional attributes (type constraints only).
                [Json::String(kind), Json::Object(attributes), ..] if kind == "object" => {
                    Ok(Type::Object(
                        attributes
                            .iter()
                            .map(|(name, t)| Ok((name.clone(), Type::from_json(t)?)))
                            .collect::<Result<_, DecodeError>>()?,
                    ))
                }
                [Json::String(kind), Json::Array(elements)] if kind == "tuple" => Ok(Type::Tuple(
                    elements
                        .iter()
                        .map(Type::from_json)
                        .collect::<Result<_, _>>()?,
                )),
                _ => Err(unexpected()),
            },
            _ => Err(unexpected()),
        }
    }

    /// The JSON type notation as bytes, as schemas carry it.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        self.to_json().to_string().into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notation_round_trips() {
        let t = Type::object([
            ("name", Type::String),
            ("tags", Type::map(Type::list(Type::Number))),
            ("flags", Type::set(Type::Bool)),
            ("pair", Type::Tuple(vec![Type::String, Type::Dynamic])),
        ]);
        assert_eq!(Type::from_json(&t.to_json()).unwrap(), t);
        assert_eq!(Type::String.to_json_bytes(), b"\"string\"");
    }

    #[test]
    fn junk_is_not_a_type() {
        for junk in [
            json!("strin"),
            json!(["list"]),
            json!(3),
            json!(["object", 1]),
        ] {
            assert!(Type::from_json(&junk).is_err(), "{junk}");
        }
    }
}
