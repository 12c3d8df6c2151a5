//! MessagePack, the encoding Terraform uses for values on the wire, read and written against
//! the value's type (the bytes alone do not say whether an array is a list, a set or a tuple).
//!
//! Terraform's conventions: `nil` is null; an unknown value is the extension type 0, and a
//! refined unknown (Terraform 1.6 and later: "not null", "a string starting with ...") the
//! extension type 12, whose payload is skipped; numbers are integers, floats, or strings when
//! they fit neither; a value of type `any` is a two-element array of its type (JSON notation)
//! and the value. The markers are read one by one rather than through serde because the
//! decoding is driven by the type.

use super::{DecodeError, Number, Type, Value};
use rmp::Marker;
use std::collections::BTreeMap;

/// The extension type of an unknown value.
const UNKNOWN: i8 = 0;
/// The extension type of an unknown value with refinements.
const REFINED_UNKNOWN: i8 = 12;
/// How deep values may nest before decoding gives up (a stack guard against crafted input).
const MAX_DEPTH: usize = 128;

/// Decodes `bytes` as a value of type `t`.
pub fn from_msgpack(bytes: &[u8], t: &Type) -> Result<Value, DecodeError> {
    let mut reader = Reader { bytes, at: 0 };
    let value = reader.value(t, 0)?;
    if reader.at != bytes.len() {
        return Err(DecodeError::new(format!(
            "{} bytes left after the value",
            bytes.len() - reader.at
        )));
    }
    Ok(value)
}

/// Encodes `value` as type `t`.
pub fn to_msgpack(value: &Value, t: &Type) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::new();
    write(&mut out, value, t)?;
    Ok(out)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|end| *end <= self.bytes.len())
            .ok_or_else(|| DecodeError::new("truncated"))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn uint(&mut self, n: usize) -> Result<u64, DecodeError> {
        Ok(self
            .take(n)?
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)))
    }

    fn marker(&mut self) -> Result<Marker, DecodeError> {
        Ok(Marker::from_u8(self.take(1)?[0]))
    }

    /// The length that follows a marker of a string, binary, array, map or extension.
    fn length(&mut self, marker: Marker) -> Result<Option<usize>, DecodeError> {
        let n = match marker {
            Marker::FixStr(n) | Marker::FixArray(n) | Marker::FixMap(n) => u64::from(n),
            Marker::Str8 | Marker::Bin8 => self.uint(1)?,
            Marker::Str16 | Marker::Bin16 | Marker::Array16 | Marker::Map16 => self.uint(2)?,
            Marker::Str32 | Marker::Bin32 | Marker::Array32 | Marker::Map32 => self.uint(4)?,
            _ => return Ok(None),
        };
        // Every element takes at least one byte: a length beyond the input is garbage, and
        // refusing it here keeps a crafted length from reserving memory.
        let n = usize::try_from(n).map_err(|_| DecodeError::new("length out of range"))?;
        if n > self.bytes.len() - self.at {
            return Err(DecodeError::new("truncated"));
        }
        Ok(Some(n))
    }

    /// Skips the payload of an extension whose marker was read; `Some(type)` when it was one.
    fn extension(&mut self, marker: Marker) -> Result<Option<i8>, DecodeError> {
        let len = match marker {
            Marker::FixExt1 => 1,
            Marker::FixExt2 => 2,
            Marker::FixExt4 => 4,
            Marker::FixExt8 => 8,
            Marker::FixExt16 => 16,
            Marker::Ext8 => self.uint(1)?,
            Marker::Ext16 => self.uint(2)?,
            Marker::Ext32 => self.uint(4)?,
            _ => return Ok(None),
        };
        let kind = self.take(1)?[0] as i8;
        self.take(usize::try_from(len).map_err(|_| DecodeError::new("truncated"))?)?;
        Ok(Some(kind))
    }

    fn string(&mut self, marker: Marker) -> Result<String, DecodeError> {
        match marker {
            Marker::FixStr(_)
            | Marker::Str8
            | Marker::Str16
            | Marker::Str32
            | Marker::Bin8
            | Marker::Bin16
            | Marker::Bin32 => {
                let n = self.length(marker)?.unwrap_or(0);
                String::from_utf8(self.take(n)?.to_vec())
                    .map_err(|_| DecodeError::new("a string that is not UTF-8"))
            }
            other => Err(unexpected("a string", other)),
        }
    }

    fn number(&mut self, marker: Marker) -> Result<Number, DecodeError> {
        let signed = |u: u64, bits: u32| -> i64 {
            let shift = 64 - bits;
            ((u << shift) as i64) >> shift
        };
        Ok(match marker {
            Marker::FixPos(n) => Number::Int(i64::from(n)),
            Marker::FixNeg(n) => Number::Int(i64::from(n)),
            Marker::U8 => Number::Int(self.uint(1)? as i64),
            Marker::U16 => Number::Int(self.uint(2)? as i64),
            Marker::U32 => Number::Int(self.uint(4)? as i64),
            Marker::U64 => {
                let u = self.uint(8)?;
                i64::try_from(u).map_or(Number::Float(u as f64), Number::Int)
            }
            Marker::I8 => Number::Int(signed(self.uint(1)?, 8)),
            Marker::I16 => Number::Int(signed(self.uint(2)?, 16)),
            Marker::I32 => Number::Int(signed(self.uint(4)?, 32)),
            Marker::I64 => Number::Int(self.uint(8)? as i64),
            Marker::F32 => Number::from_f64(f64::from(f32::from_bits(self.uint(4)? as u32))),
            Marker::F64 => Number::from_f64(f64::from_bits(self.uint(8)?)),
            Marker::FixStr(_) | Marker::Str8 | Marker::Str16 | Marker::Str32 => {
                // Terraform sends a number that fits neither an i64 nor an f64 exactly as
                // its decimal text.
                let text = self.string(marker)?;
                Number::parse(&text)
                    .ok_or_else(|| DecodeError::new(format!("not a number: {text:?}")))?
            }
            other => return Err(unexpected("a number", other)),
        })
    }

    fn value(&mut self, t: &Type, depth: usize) -> Result<Value, DecodeError> {
        if depth > MAX_DEPTH {
            return Err(DecodeError::new("nested too deeply"));
        }
        let marker = self.marker()?;
        if marker == Marker::Null {
            return Ok(Value::Null);
        }
        if let Some(kind) = self.extension(marker)? {
            return match kind {
                UNKNOWN | REFINED_UNKNOWN => Ok(Value::Unknown),
                other => Err(DecodeError::new(format!(
                    "unexpected extension type {other}"
                ))),
            };
        }
        match t {
            Type::Bool => match marker {
                Marker::True => Ok(Value::Bool(true)),
                Marker::False => Ok(Value::Bool(false)),
                other => Err(unexpected("a bool", other)),
            },
            Type::Number => Ok(Value::Number(self.number(marker)?)),
            Type::String => Ok(Value::String(self.string(marker)?)),
            Type::Dynamic => {
                if self.length(marker)? != Some(2) || !matches!(marker, Marker::FixArray(_)) {
                    return Err(unexpected("a [type, value] pair", marker));
                }
                let notation_marker = self.marker()?;
                let notation = self.string(notation_marker)?;
                let json = serde_json::from_str(&notation)
                    .map_err(|_| DecodeError::new(format!("not a type: {notation:?}")))?;
                let actual = Type::from_json(&json)?;
                self.value(&actual, depth + 1)
            }
            Type::List(element) | Type::Set(element) => {
                let n = self.array_length(marker)?;
                let items = (0..n)
                    .map(|i| {
                        self.value(element, depth + 1)
                            .map_err(|e| e.under(&format!("[{i}]")))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(if matches!(t, Type::Set(_)) {
                    Value::Set(items)
                } else {
                    Value::List(items)
                })
            }
            Type::Tuple(elements) => {
                let n = self.array_length(marker)?;
                if n != elements.len() {
                    return Err(DecodeError::new(format!(
                        "a tuple of {} elements, not {n}",
                        elements.len()
                    )));
                }
                let items = elements
                    .iter()
                    .enumerate()
                    .map(|(i, element)| {
                        self.value(element, depth + 1)
                            .map_err(|e| e.under(&format!("[{i}]")))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(Value::List(items))
            }
            Type::Map(element) => {
                let n = self.map_length(marker)?;
                let mut entries = BTreeMap::new();
                for _ in 0..n {
                    let key_marker = self.marker()?;
                    let key = self.string(key_marker)?;
                    let value = self
                        .value(element, depth + 1)
                        .map_err(|e| e.under(&format!("[{key:?}]")))?;
                    entries.insert(key, value);
                }
                Ok(Value::Map(entries))
            }
            Type::Object(attributes) => {
                let n = self.map_length(marker)?;
                let mut entries = BTreeMap::new();
                for _ in 0..n {
                    let key_marker = self.marker()?;
                    let key = self.string(key_marker)?;
                    let attribute = attributes.get(&key).ok_or_else(|| {
                        DecodeError::new(format!("unsupported attribute {key:?}"))
                    })?;
                    let value = self
                        .value(attribute, depth + 1)
                        .map_err(|e| e.under(&format!(".{key}")))?;
                    entries.insert(key, value);
                }
                // An attribute the sender left out is null.
                for name in attributes.keys() {
                    entries.entry(name.clone()).or_insert(Value::Null);
                }
                Ok(Value::Map(entries))
            }
        }
    }

    fn array_length(&mut self, marker: Marker) -> Result<usize, DecodeError> {
        match marker {
            Marker::FixArray(_) | Marker::Array16 | Marker::Array32 => {
                Ok(self.length(marker)?.unwrap_or(0))
            }
            other => Err(unexpected("an array", other)),
        }
    }

    fn map_length(&mut self, marker: Marker) -> Result<usize, DecodeError> {
        match marker {
            Marker::FixMap(_) | Marker::Map16 | Marker::Map32 => {
                Ok(self.length(marker)?.unwrap_or(0))
            }
            other => Err(unexpected("a map", other)),
        }
    }
}

fn unexpected(wanted: &str, marker: Marker) -> DecodeError {
    DecodeError::new(format!("expected {wanted}, found msgpack {marker:?}"))
}

fn write(out: &mut Vec<u8>, value: &Value, t: &Type) -> Result<(), DecodeError> {
    // Writing into a Vec cannot fail: rmp's io errors are unreachable here.
    let len = |n: usize| u32::try_from(n).map_err(|_| DecodeError::new("collection too large"));
    match (value, t) {
        (Value::Null, _) => out.push(Marker::Null.to_u8()),
        (Value::Unknown, _) => out.extend_from_slice(&[Marker::FixExt1.to_u8(), UNKNOWN as u8, 0]),
        (_, Type::Dynamic) => {
            let actual = infer(value);
            out.push(Marker::FixArray(2).to_u8());
            let notation = actual.to_json_bytes();
            let _ = rmp::encode::write_bin(out, &notation);
            write(out, value, &actual)?;
        }
        (Value::Bool(b), Type::Bool) => {
            let _ = rmp::encode::write_bool(out, *b);
        }
        (Value::Number(Number::Int(i)), Type::Number) => {
            let _ = rmp::encode::write_sint(out, *i);
        }
        (Value::Number(Number::Float(f)), Type::Number) => {
            let _ = rmp::encode::write_f64(out, *f);
        }
        (Value::Number(Number::Big(text)), Type::Number) => {
            let _ = rmp::encode::write_str(out, text);
        }
        (Value::String(s), Type::String) => {
            let _ = rmp::encode::write_str(out, s);
        }
        (Value::List(items) | Value::Set(items), Type::List(element) | Type::Set(element)) => {
            let _ = rmp::encode::write_array_len(out, len(items.len())?);
            for (i, item) in items.iter().enumerate() {
                write(out, item, element).map_err(|e| e.under(&format!("[{i}]")))?;
            }
        }
        (Value::List(items), Type::Tuple(elements)) if items.len() == elements.len() => {
            let _ = rmp::encode::write_array_len(out, len(items.len())?);
            for (i, (item, element)) in items.iter().zip(elements).enumerate() {
                write(out, item, element).map_err(|e| e.under(&format!("[{i}]")))?;
            }
        }
        (Value::Map(entries), Type::Map(element)) => {
            let _ = rmp::encode::write_map_len(out, len(entries.len())?);
            for (key, item) in entries {
                let _ = rmp::encode::write_str(out, key);
                write(out, item, element).map_err(|e| e.under(&format!("[{key:?}]")))?;
            }
        }
        (Value::Map(entries), Type::Object(attributes)) => {
            if let Some(extra) = entries.keys().find(|k| !attributes.contains_key(*k)) {
                return Err(DecodeError::new(format!("unsupported attribute {extra:?}")));
            }
            let _ = rmp::encode::write_map_len(out, len(attributes.len())?);
            for (name, attribute) in attributes {
                let _ = rmp::encode::write_str(out, name);
                let item = entries.get(name).unwrap_or(&Value::Null);
                write(out, item, attribute).map_err(|e| e.under(&format!(".{name}")))?;
            }
        }
        (value, t) => {
            return Err(DecodeError::new(format!(
                "a value {value:?} is not of type {}",
                t.to_json()
            )))
        }
    }
    Ok(())
}

/// The type of a value written where the schema says `any`: objects for maps, tuples for lists.
pub(super) fn infer(value: &Value) -> Type {
    match value {
        Value::Null | Value::Unknown => Type::Dynamic,
        Value::Bool(_) => Type::Bool,
        Value::Number(_) => Type::Number,
        Value::String(_) => Type::String,
        Value::List(items) => Type::Tuple(items.iter().map(infer).collect()),
        Value::Set(items) => Type::set(items.first().map_or(Type::Dynamic, infer)),
        Value::Map(entries) => Type::Object(
            entries
                .iter()
                .map(|(name, item)| (name.clone(), infer(item)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::strategies::typed_value;
    use proptest::prelude::*;

    #[test]
    fn reads_terraform_unknowns_refined_or_not() {
        let t = Type::object([("a", Type::String), ("b", Type::Number)]);
        // {"a": unknown, "b": refined unknown (payload: a map of refinements)}
        let bytes = [
            0x82, 0xa1, b'a', 0xd4, 0x00, 0x00, 0xa1, b'b', 0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2,
        ];
        let value = from_msgpack(&bytes, &t).unwrap();
        assert_eq!(value.get("a"), &Value::Unknown);
        assert_eq!(value.get("b"), &Value::Unknown);
    }

    #[test]
    fn reads_big_numbers_sent_as_strings_and_unsigned_integers() {
        let mut bytes = Vec::new();
        rmp::encode::write_str(&mut bytes, "1.5").unwrap();
        assert_eq!(
            from_msgpack(&bytes, &Type::Number).unwrap(),
            Value::from(1.5)
        );
        let mut bytes = Vec::new();
        rmp::encode::write_str(&mut bytes, "123456789012345678901234567").unwrap();
        assert_eq!(
            from_msgpack(&bytes, &Type::Number).unwrap(),
            Value::Number(Number::Big("123456789012345678901234567".into()))
        );
        assert_eq!(
            to_msgpack(&from_msgpack(&bytes, &Type::Number).unwrap(), &Type::Number).unwrap(),
            bytes
        );
        let mut bytes = Vec::new();
        rmp::encode::write_str(&mut bytes, "1e400").unwrap();
        assert_eq!(
            from_msgpack(&bytes, &Type::Number).unwrap(),
            Value::Number(Number::Big("1e400".into()))
        );
        let mut bytes = Vec::new();
        rmp::encode::write_str(&mut bytes, "many").unwrap();
        assert!(from_msgpack(&bytes, &Type::Number).is_err());
        let mut bytes = Vec::new();
        rmp::encode::write_u64(&mut bytes, u64::MAX).unwrap();
        assert_eq!(
            from_msgpack(&bytes, &Type::Number).unwrap(),
            Value::Number(Number::Float(u64::MAX as f64))
        );
        let mut bytes = Vec::new();
        rmp::encode::write_i16(&mut bytes, -300).unwrap();
        assert_eq!(
            from_msgpack(&bytes, &Type::Number).unwrap(),
            Value::from(-300)
        );
    }

    #[test]
    fn dynamic_values_carry_their_type() {
        let value = Value::object([("x", Value::from(1)), ("y", Value::from("z"))]);
        let bytes = to_msgpack(&value, &Type::Dynamic).unwrap();
        assert_eq!(from_msgpack(&bytes, &Type::Dynamic).unwrap(), value);
    }

    #[test]
    fn a_wrong_shape_names_the_path() {
        let t = Type::object([("items", Type::list(Type::Bool))]);
        let mut bytes = vec![0x81, 0xa5];
        bytes.extend_from_slice(b"items");
        bytes.extend_from_slice(&[0x92, 0xc3, 0xa1, b'x']);
        let error = from_msgpack(&bytes, &t).unwrap_err();
        assert_eq!(error.path, ".items[1]");
        assert!(error.message.contains("expected a bool"), "{error}");
    }

    #[test]
    fn a_deep_nest_is_refused_not_overflowed() {
        let mut t = Type::Bool;
        for _ in 0..200 {
            t = Type::list(t);
        }
        let mut bytes = vec![0x91; 200];
        bytes.push(0xc3);
        assert!(from_msgpack(&bytes, &t)
            .unwrap_err()
            .message
            .contains("nested too deeply"));
    }

    proptest! {
        #[test]
        fn round_trips((t, value) in typed_value()) {
            let bytes = to_msgpack(&value, &t).unwrap();
            prop_assert_eq!(from_msgpack(&bytes, &t).unwrap(), value);
        }

        #[test]
        fn garbage_is_an_error_not_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64), (t, _) in typed_value()) {
            let _ = from_msgpack(&bytes, &t);
        }

        #[test]
        fn a_truncated_value_is_an_error((t, value) in typed_value(), cut in any::<prop::sample::Index>()) {
            let bytes = to_msgpack(&value, &t).unwrap();
            if bytes.len() > 1 {
                let cut = cut.index(bytes.len() - 1);
                prop_assert!(from_msgpack(&bytes[..cut], &t).is_err());
            }
        }
    }
}
