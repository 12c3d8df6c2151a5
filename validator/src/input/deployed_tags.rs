//! The run tag limits a running Dagster reports: the webserver's `tagConcurrencyLimitsYaml`,
//! the YAML text Dagster dumps of its `tag_concurrency_limits`, read into the limits in force.
//!
//! The workspace reads YAML with one library, `saphyr-parser`, through [`values_yaml`]: the
//! values reader needs where each node starts, which serde-based YAML crates do not report, and
//! the same reader serves here with plain scalars kept as text ([`Scalars::AsText`]), because
//! Dagster writes this text with PyYAML (YAML 1.1) and neither Helm's typing nor YAML 1.2's
//! reads every plain string PyYAML leaves unquoted (`y`, `1e3`) as a string.

use super::tree::{Node, Value};
use super::values_yaml::{self, Scalars};
use crate::chart::keys::{APPLY_LIMIT_PER_UNIQUE_VALUE, KEY, LIMIT, VALUE};
use crate::drift::TagLimitInForce;
use crate::model::TagMatch;
use crate::position::Position;

/// The tag limits in `yaml`, in order; absent (`None`), empty or `null` text is none. `Err`
/// says why the text is not the list of `{key, value?, limit}` Dagster writes.
pub fn read(yaml: Option<&str>) -> Result<Vec<TagLimitInForce>, String> {
    let Some(text) = yaml.filter(|text| !text.trim().is_empty()) else {
        return Ok(Vec::new());
    };
    let root = values_yaml::parse_with(text, Position::START, Scalars::AsText)
        .map_err(|error| error.to_string())?;
    let Some(root) = root else {
        return Ok(Vec::new());
    };
    match &root.value {
        Value::List(items) => items.iter().map(tag_limit).collect(),
        _ => Err(format!("{}: expected a list of tag limits", root.position)),
    }
}

/// One `{key, value?, limit}` item.
fn tag_limit(item: &Node) -> Result<TagLimitInForce, String> {
    if !matches!(item.value, Value::Map(_)) {
        return Err(format!("{}: expected a tag limit map", item.position));
    }
    let field = |name: &str| {
        item.get(name)
            .filter(|node| node.value != Value::Null)
            .ok_or_else(|| format!("{}: a tag limit without {name:?}", item.position))
    };
    let matching = match item.get(VALUE).map(|node| (node, &node.value)) {
        None | Some((_, Value::Null)) => TagMatch::AnyValue,
        Some((_, Value::Str(value))) => TagMatch::Value(value.clone()),
        Some((node, Value::Map(_))) => {
            let flag = node.get(APPLY_LIMIT_PER_UNIQUE_VALUE).ok_or_else(|| {
                format!(
                    "{}: a {VALUE:?} map without {APPLY_LIMIT_PER_UNIQUE_VALUE:?}",
                    node.position
                )
            })?;
            TagMatch::PerUniqueValue(boolean(flag)?)
        }
        Some((node, _)) => {
            return Err(format!(
                "{}: {VALUE:?} is not a string or a map",
                node.position
            ))
        }
    };
    let limit = field(LIMIT)?;
    Ok(TagLimitInForce {
        key: text(field(KEY)?)?.to_owned(),
        matching,
        limit: text(limit)?
            .parse()
            .map_err(|_| format!("{}: {LIMIT:?} is not a whole number", limit.position))?,
    })
}

/// The text of a scalar.
fn text(node: &Node) -> Result<&str, String> {
    match &node.value {
        Value::Str(text) => Ok(text),
        _ => Err(format!(
            "{}: expected a scalar, found {}",
            node.position,
            node.type_name()
        )),
    }
}

/// A boolean as PyYAML writes one.
fn boolean(node: &Node) -> Result<bool, String> {
    match text(node)? {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("{}: expected true or false", node.position)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each tag limit `yaml` holds as `(key, matching, limit)`.
    fn read_as_tuples(yaml: &str) -> Result<Vec<(String, TagMatch, i64)>, String> {
        Ok(read(Some(yaml))?
            .into_iter()
            .map(|tag| (tag.key, tag.matching, tag.limit))
            .collect())
    }

    #[test]
    fn reads_the_three_forms_as_dagster_dumps_them() {
        let yaml = "- key: dagster/backfill\n  limit: 3\n- key: team\n  limit: 2\n  value:\n    applyLimitPerUniqueValue: true\n- key: db\n  limit: 1\n  value: pg\n- key: x\n  limit: 4\n  value:\n    applyLimitPerUniqueValue: false\n";
        assert_eq!(
            read_as_tuples(yaml),
            Ok(vec![
                ("dagster/backfill".into(), TagMatch::AnyValue, 3),
                ("team".into(), TagMatch::PerUniqueValue(true), 2),
                ("db".into(), TagMatch::Value("pg".into()), 1),
                ("x".into(), TagMatch::PerUniqueValue(false), 4),
            ])
        );
    }

    #[test]
    fn plain_strings_that_pyyaml_leaves_unquoted_stay_strings() {
        // Dagster 1.13's `yaml.dump` of keys and values "y", "1e3", "yes" and "007".
        let yaml = "- key: y\n  limit: 1\n  value: 1e3\n- key: 'yes'\n  limit: 2\n  value: '007'\n";
        assert_eq!(
            read_as_tuples(yaml),
            Ok(vec![
                ("y".into(), TagMatch::Value("1e3".into()), 1),
                ("yes".into(), TagMatch::Value("007".into()), 2),
            ])
        );
    }

    #[test]
    fn no_tag_limits() {
        for empty in [None, Some(""), Some(" \n"), Some("null\n"), Some("[]\n")] {
            assert_eq!(read(empty), Ok(vec![]), "{empty:?}");
        }
    }

    #[test]
    fn text_that_is_not_tag_limits_is_an_error() {
        for bad in [
            "- key: x\n  limit: many\n",
            "- key: x\n",
            "- limit: 1\n",
            "- key: [a]\n  limit: 1\n",
            "- key: x\n  limit: 1\n  value: [a]\n",
            "- key: x\n  limit: 1\n  value:\n    other: true\n",
            "- key: x\n  limit: 1\n  value:\n    applyLimitPerUniqueValue: maybe\n",
            "- just text\n",
            "key: x\n",
            "- [unclosed\n",
        ] {
            assert!(read(Some(bad)).is_err(), "{bad:?}");
        }
        assert_eq!(
            read(Some("- key: x\n  limit: many\n")),
            Err("2:10: \"limit\" is not a whole number".into())
        );
    }
}
