//! JSON, the encoding of stored state (`UpgradeResourceState` reads it) and of values Terraform
//! sends as JSON. JSON has no unknown values; a value of type `any` is `{"value":..,"type":..}`.

use super::{DecodeError, Number, Type, Value};
use serde_json::{Map, Value as Json};

/// Reads `json` as a value of type `t`. A number literal beyond an `i64` arrives as serde_json
/// parsed it, an `f64`; a number written as a string keeps its text ([`Number::parse`]).
pub fn from_json(json: &Json, t: &Type) -> Result<Value, DecodeError> {
    if json.is_null() {
        return Ok(Value::Null);
    }
    let unexpected = || {
        DecodeError::new(format!(
            "expected a value of type {}, found {json}",
            t.to_json()
        ))
    };
    Ok(match t {
        Type::Bool => Value::Bool(json.as_bool().ok_or_else(unexpected)?),
        Type::Number => Value::Number(match json {
            Json::Number(n) => n
                .as_i64()
                .map(Number::Int)
                .or_else(|| n.as_f64().map(Number::from_f64))
                .ok_or_else(unexpected)?,
            // A big number written as a string (as `to_json` writes one; Terraform reads
            // either form).
            Json::String(s) => Number::parse(s).ok_or_else(unexpected)?,
            _ => return Err(unexpected()),
        }),
        Type::String => Value::String(json.as_str().ok_or_else(unexpected)?.to_owned()),
        Type::Dynamic => {
            let object = json.as_object().ok_or_else(unexpected)?;
            let actual = Type::from_json(object.get("type").ok_or_else(unexpected)?)?;
            from_json(object.get("value").unwrap_or(&Json::Null), &actual)?
        }
        Type::List(element) | Type::Set(element) => {
            let items = json
                .as_array()
                .ok_or_else(unexpected)?
                .iter()
                .enumerate()
                .map(|(i, item)| from_json(item, element).map_err(|e| e.under(&format!("[{i}]"))))
                .collect::<Result<Vec<_>, _>>()?;
            if matches!(t, Type::Set(_)) {
                Value::Set(items)
            } else {
                Value::List(items)
            }
        }
        Type::Tuple(elements) => {
            let items = json.as_array().ok_or_else(unexpected)?;
            if items.len() != elements.len() {
                return Err(unexpected());
            }
            Value::List(
                items
                    .iter()
                    .zip(elements)
                    .enumerate()
                    .map(|(i, (item, element))| {
                        from_json(item, element).map_err(|e| e.under(&format!("[{i}]")))
                    })
                    .collect::<Result<_, _>>()?,
            )
        }
        Type::Map(element) => Value::Map(
            json.as_object()
                .ok_or_else(unexpected)?
                .iter()
                .map(|(key, item)| {
                    Ok((
                        key.clone(),
                        from_json(item, element).map_err(|e| e.under(&format!("[{key:?}]")))?,
                    ))
                })
                .collect::<Result<_, DecodeError>>()?,
        ),
        Type::Object(attributes) => {
            let object = json.as_object().ok_or_else(unexpected)?;
            if let Some(extra) = object.keys().find(|k| !attributes.contains_key(*k)) {
                return Err(DecodeError::new(format!("unsupported attribute {extra:?}")));
            }
            Value::Map(
                attributes
                    .iter()
                    .map(|(name, attribute)| {
                        let item = object.get(name).unwrap_or(&Json::Null);
                        Ok((
                            name.clone(),
                            from_json(item, attribute).map_err(|e| e.under(&format!(".{name}")))?,
                        ))
                    })
                    .collect::<Result<_, DecodeError>>()?,
            )
        }
    })
}

/// Writes `value` (which must be wholly known) as JSON of type `t`.
pub fn to_json(value: &Value, t: &Type) -> Result<Json, DecodeError> {
    Ok(match (value, t) {
        (Value::Null, _) => Json::Null,
        (Value::Unknown, _) => return Err(DecodeError::new("JSON cannot hold an unknown value")),
        (Value::Bool(b), Type::Bool) => Json::Bool(*b),
        (Value::Number(Number::Int(i)), Type::Number) => Json::from(*i),
        (Value::Number(Number::Float(f)), Type::Number) => serde_json::Number::from_f64(*f)
            .map(Json::Number)
            .ok_or_else(|| DecodeError::new(format!("JSON cannot hold the number {f}")))?,
        // serde_json holds no number literal beyond an f64: the exact text goes as a string.
        (Value::Number(Number::Big(text)), Type::Number) => Json::String(text.clone()),
        (Value::String(s), Type::String) => Json::String(s.clone()),
        (value, Type::Dynamic) => {
            let actual = super::msgpack::infer(value);
            let mut object = Map::new();
            object.insert("value".to_owned(), to_json(value, &actual)?);
            object.insert("type".to_owned(), actual.to_json());
            Json::Object(object)
        }
        (Value::List(items) | Value::Set(items), Type::List(element) | Type::Set(element)) => {
            Json::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| to_json(item, element).map_err(|e| e.under(&format!("[{i}]"))))
                    .collect::<Result<_, _>>()?,
            )
        }
        (Value::List(items), Type::Tuple(elements)) if items.len() == elements.len() => {
            Json::Array(
                items
                    .iter()
                    .zip(elements)
                    .map(|(item, element)| to_json(item, element))
                    .collect::<Result<_, _>>()?,
            )
        }
        (Value::Map(entries), Type::Map(element)) => Json::Object(
            entries
                .iter()
                .map(|(key, item)| Ok((key.clone(), to_json(item, element)?)))
                .collect::<Result<_, DecodeError>>()?,
        ),
        (Value::Map(entries), Type::Object(attributes)) => Json::Object(
            attributes
                .iter()
                .map(|(name, attribute)| {
                    let item = entries.get(name).unwrap_or(&Value::Null);
                    Ok((
                        name.clone(),
                        to_json(item, attribute).map_err(|e| e.under(&format!(".{name}")))?,
                    ))
                })
                .collect::<Result<_, DecodeError>>()?,
        ),
        (value, t) => {
            return Err(DecodeError::new(format!(
                "a value {value:?} is not of type {}",
                t.to_json()
            )))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::strategies::typed_value;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn reads_state_with_missing_attributes_as_null_and_refuses_unknown_ones() {
        let t = Type::object([("a", Type::String), ("b", Type::list(Type::Number))]);
        let value = from_json(&json!({"a": "x"}), &t).unwrap();
        assert_eq!(value.get("b"), &Value::Null);
        let error = from_json(&json!({"a": "x", "gone": 1}), &t).unwrap_err();
        assert!(error.message.contains("\"gone\""), "{error}");
    }

    #[test]
    fn big_numbers_go_as_strings_and_come_back_as_written() {
        let big = Value::Number(Number::Big("123456789012345678901234567".into()));
        let json = to_json(&big, &Type::Number).unwrap();
        assert_eq!(json, json!("123456789012345678901234567"));
        assert_eq!(from_json(&json, &Type::Number).unwrap(), big);
        assert_eq!(
            from_json(&json!("1e400"), &Type::Number).unwrap(),
            Value::Number(Number::Big("1e400".into()))
        );
        assert_eq!(
            from_json(&json!("-12"), &Type::Number).unwrap(),
            Value::from(-12)
        );
        assert!(from_json(&json!("many"), &Type::Number).is_err());
    }

    #[test]
    fn unknowns_cannot_be_written() {
        assert!(to_json(&Value::Unknown, &Type::String).is_err());
    }

    proptest! {
        #[test]
        fn round_trips((t, value) in typed_value()) {
            prop_assume!(value.is_wholly_known());
            let json = to_json(&value, &t).unwrap();
            prop_assert_eq!(from_json(&json, &t).unwrap(), value);
        }

        #[test]
        fn any_json_is_read_or_refused_without_panic(text in "[\\[\\]{}\",:0-9a-z .-]{0,40}", (t, _) in typed_value()) {
            if let Ok(json) = serde_json::from_str::<Json>(&text) {
                let _ = from_json(&json, &t);
            }
        }
    }
}
