//! Terraform values and types: what a configuration, plan or state holds, decoded from the wire
//! against the schema's type. Unknown values (Terraform's "known after apply") are a variant of
//! their own so that a provider can work with whatever is known.

mod json;
mod msgpack;
mod types;

pub use json::{from_json, to_json};
pub use msgpack::{from_msgpack, to_msgpack};
pub use types::Type;

use std::collections::BTreeMap;
use std::fmt;

/// A Terraform number: an integer when it is one, a float when a float shows it as written,
/// else its decimal text (Terraform's numbers are arbitrary precision).
#[derive(Debug, Clone, PartialEq)]
pub enum Number {
    /// A whole number.
    Int(i64),
    /// Any other number a float holds to the digits written.
    Float(f64),
    /// A number beyond what a float holds as written (past 64 bits, or more than 15
    /// significant digits), as its decimal text: Terraform sends such a number as that text.
    Big(String),
}

/// The significant digits a float keeps of any decimal number (`f64::DIGITS`).
const FLOAT_DIGITS: usize = f64::DIGITS as usize;

impl Number {
    /// The number as an `f64` (rounded, or infinite, for a big one).
    pub fn as_f64(&self) -> f64 {
        match self {
            Number::Int(i) => *i as f64,
            Number::Float(f) => *f,
            Number::Big(text) => text.parse().unwrap_or(f64::NAN),
        }
    }

    /// The number as an `i64` when it is whole and in range.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Number::Int(i) => Some(*i),
            Number::Float(_) | Number::Big(_) => None,
        }
    }

    /// `f` as a number, normalised: whole floats in the `i64` range become integers, so one
    /// number has one representation.
    pub fn from_f64(f: f64) -> Number {
        // 2^63 as f64; i64::MAX itself is not representable.
        const LIMIT: f64 = 9_223_372_036_854_775_808.0;
        if f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f) {
            Number::Int(f as i64)
        } else {
            Number::Float(f)
        }
    }

    /// A number from its decimal text (`-12`, `0.5`, `1e400`), as Terraform sends the numbers
    /// that fit neither an `i64` nor an `f64` exactly: an integer in range, else a float when
    /// the text has at most 15 significant digits and a finite float holds it, else
    /// [`Number::Big`] keeping the text. `None` when the text is not a decimal number.
    pub fn parse(text: &str) -> Option<Number> {
        if let Ok(int) = text.parse::<i64>() {
            return Some(Number::Int(int));
        }
        let decimal = text.contains(|c: char| c.is_ascii_digit())
            && text
                .chars()
                .all(|c| c.is_ascii_digit() || "+-.eE".contains(c));
        let float = text.parse::<f64>().ok().filter(|_| decimal)?;
        let mantissa = text.split(['e', 'E']).next().unwrap_or_default();
        let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
        let significant = digits.trim_start_matches('0').trim_end_matches('0');
        let kept = float.is_finite() && (float != 0.0 || significant.is_empty());
        Some(if kept && significant.len() <= FLOAT_DIGITS {
            Number::from_f64(float)
        } else {
            Number::Big(text.to_owned())
        })
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(i) => write!(f, "{i}"),
            Number::Float(x) => write!(f, "{x}"),
            Number::Big(text) => f.write_str(text),
        }
    }
}

/// A value of a Terraform type.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value {
    /// `null`.
    #[default]
    Null,
    /// Known only after apply (any refinements Terraform sent are dropped: they only narrow
    /// what the value may be).
    Unknown,
    /// A bool.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    String(String),
    /// A list or a tuple, in order.
    List(Vec<Value>),
    /// A set: order carries no meaning.
    Set(Vec<Value>),
    /// A map or an object, by key.
    Map(BTreeMap<String, Value>),
}

impl Value {
    /// Whether this is `null`.
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Whether this is unknown.
    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// Whether neither this nor anything inside it is unknown.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(items) | Value::Set(items) => items.iter().all(Value::is_wholly_known),
            Value::Map(entries) => entries.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    /// The attribute or map entry `key` (`Null` when absent or when this is not a map).
    pub fn get(&self, key: &str) -> &Value {
        match self {
            Value::Map(entries) => entries.get(key).unwrap_or(&Value::Null),
            _ => &Value::Null,
        }
    }

    /// The attribute or map entry `key`, mutable, when this is a map or object.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        match self {
            Value::Map(entries) => entries.get_mut(key),
            _ => None,
        }
    }

    /// Sets the attribute `key` when this is an object (a no-op otherwise).
    pub fn set(&mut self, key: &str, value: Value) {
        if let Value::Map(entries) = self {
            entries.insert(key.to_owned(), value);
        }
    }

    /// The string, when this is a known string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The bool, when this is a known bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, when this is a known number.
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Value::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The elements, when this is a known list, tuple or set.
    pub fn as_items(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) | Value::Set(items) => Some(items),
            _ => None,
        }
    }

    /// The entries, when this is a known map or object.
    pub fn as_entries(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Value::Map(entries) => Some(entries),
            _ => None,
        }
    }

    /// An object from `(name, value)` pairs.
    pub fn object<'a>(attributes: impl IntoIterator<Item = (&'a str, Value)>) -> Value {
        Value::Map(
            attributes
                .into_iter()
                .map(|(name, value)| (name.to_owned(), value))
                .collect(),
        )
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Number(Number::Int(i))
    }
}

impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Number(Number::from_f64(f))
    }
}

/// Why bytes could not be read as a value of a type, or a value could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// Where in the value, e.g. `.tag_concurrency_limit[0].key` (empty at the root).
    pub path: String,
    /// What was wrong.
    pub message: String,
}

impl DecodeError {
    pub(crate) fn new(message: impl Into<String>) -> Self {
        DecodeError {
            path: String::new(),
            message: message.into(),
        }
    }

    /// This error one step further from the root.
    pub(crate) fn under(mut self, step: &str) -> Self {
        self.path.insert_str(0, step);
        self
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "at {}: {}", self.path, self.message)
        }
    }
}

impl std::error::Error for DecodeError {}

#[cfg(test)]
pub(crate) mod strategies;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_parse_to_one_representation_and_big_ones_keep_their_text() {
        let parsed = |text: &str| Number::parse(text);
        assert_eq!(parsed("-12"), Some(Number::Int(-12)));
        assert_eq!(parsed("1e3"), Some(Number::Int(1000)));
        assert_eq!(parsed("0.5"), Some(Number::Float(0.5)));
        assert_eq!(
            parsed("100000000000000000000000"),
            Some(Number::Float(1e23))
        );
        for big in [
            "123456789012345678901234567",
            "-9223372036854775809",
            "0.12345678901234567",
            "1e400",
            "1e-400",
        ] {
            assert_eq!(parsed(big), Some(Number::Big(big.into())), "{big}");
            assert_eq!(parsed(big).map(|n| n.to_string()), Some(big.to_owned()));
        }
        assert_eq!(parsed("0e-400"), Some(Number::Int(0)));
        for not_a_number in ["", "inf", "NaN", "-", "1.2.3", "0x10", "1e", "+"] {
            assert_eq!(parsed(not_a_number), None, "{not_a_number:?}");
        }
        assert_eq!(
            Number::Big("123456789012345678901234567".into()).as_f64(),
            1.2345678901234568e26
        );
        assert_eq!(Number::Big("1e400".into()).as_i64(), None);
    }
}
