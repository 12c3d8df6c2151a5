//! Names of `dagster_concurrency` resources across a Terraform module, so that migrate never
//! writes a second resource with a name already in use (Terraform refuses duplicates across the
//! module's files, `.tf` and `.tf.json` alike).

use crate::input::hcl;
use crate::input::SyntaxError;
use serde_json::Value as Json;

/// The `dagster_concurrency` resource names declared in one module file: HCL, or JSON syntax
/// when `json` (a `.tf.json` file).
pub fn declared(text: &str, json: bool) -> Result<Vec<String>, SyntaxError> {
    if json {
        let document: Json = serde_json::from_str(text).map_err(|error| SyntaxError {
            position: crate::input::Position {
                line: error.line(),
                column: error.column(),
            },
            message: format!("invalid json: {error}"),
        })?;
        return Ok(json_names(&document));
    }
    let body = hcl::parse(text)?;
    Ok(hcl::resources(&body)
        .filter(|block| block.labels.first().map(|l| l.as_str()) == Some("dagster_concurrency"))
        .filter_map(|block| block.labels.get(1).map(|l| l.as_str().to_owned()))
        .collect())
}

/// Terraform's JSON syntax: `resource` is an object, or a list of objects, of type ->
/// (an object, or a list of objects, of name -> body).
fn json_names(document: &Json) -> Vec<String> {
    let objects = |value: &Json| -> Vec<serde_json::Map<String, Json>> {
        match value {
            Json::Object(map) => vec![map.clone()],
            Json::Array(items) => items
                .iter()
                .filter_map(|item| item.as_object().cloned())
                .collect(),
            _ => Vec::new(),
        }
    };
    let mut names = Vec::new();
    for resources in document.get("resource").map(objects).unwrap_or_default() {
        if let Some(of_type) = resources.get("dagster_concurrency") {
            for named in objects(of_type) {
                names.extend(named.keys().cloned());
            }
        }
    }
    names
}

/// `wanted`, or the first of `wanted_2`, `wanted_3`, ... that is not `taken`.
pub fn free(wanted: &str, taken: &[String]) -> String {
    let is_free = |name: &str| !taken.iter().any(|t| t == name);
    if is_free(wanted) {
        return wanted.to_owned();
    }
    (2..)
        .map(|n| format!("{wanted}_{n}"))
        .find(|name| is_free(name))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_hcl_and_json_files() {
        let hcl = "resource \"dagster_concurrency\" \"a\" {}\nresource \"helm_release\" \"b\" {}\n";
        assert_eq!(declared(hcl, false).expect("hcl"), ["a"]);
        let json = r#"{"resource": [{"dagster_concurrency": {"c": {}}}, {"dagster_concurrency": [{"d": {}}]}]}"#;
        assert_eq!(declared(json, true).expect("json"), ["c", "d"]);
        assert!(declared("{", true).is_err());
        assert!(declared("resource {", false).is_err());
    }

    #[test]
    fn a_taken_name_gets_a_number() {
        assert_eq!(free("dagster", &[]), "dagster");
        let taken = vec!["dagster".to_owned(), "dagster_2".to_owned()];
        assert_eq!(free("dagster", &taken), "dagster_3");
    }
}
