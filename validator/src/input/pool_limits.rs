//! Pool limits declared in Terraform: the `pool` and `limit` of each `dagster_pool_limit`
//! resource, in a `.tf` file or a plan JSON's planned values. What is not a literal (or is
//! known only after apply) is noted as not compared, never guessed.

use super::hcl::{literal_string, parse, resource_name, resources};
use super::{Lines, Note, Position, SyntaxError};
use hcl_edit::Span;
use serde::Deserialize;

/// The resource type that declares one pool's limit.
pub const POOL_LIMIT_RESOURCE: &str = "dagster_pool_limit";

/// One pool's declared limit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredPoolLimit {
    /// The resource's address, e.g. `dagster_pool_limit.warehouse`.
    pub address: String,
    /// The pool.
    pub pool: String,
    /// Its limit.
    pub limit: i64,
    /// Where the resource is written.
    pub position: Position,
}

/// What a file declares: the pool limits, and what could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PoolLimits {
    /// The limits, in file order.
    pub limits: Vec<DeclaredPoolLimit>,
    /// Resources whose pool or limit is not known.
    pub notes: Vec<Note>,
}

impl PoolLimits {
    fn add(&mut self, address: String, pool: Option<String>, limit: Option<i64>, at: Position) {
        match (pool, limit) {
            (Some(pool), Some(limit)) => self.limits.push(DeclaredPoolLimit {
                address,
                pool,
                limit,
                position: at,
            }),
            _ => self.notes.push(Note {
                position: at,
                message: format!(
                    "{address}: pool or limit is not a literal known before apply: not compared"
                ),
            }),
        }
    }
}

/// The `dagster_pool_limit` resources of a `.tf` file.
pub fn from_hcl(text: &str) -> Result<PoolLimits, SyntaxError> {
    let body = parse(text)?;
    let lines = Lines::new(text);
    let mut out = PoolLimits::default();
    for block in resources(&body)
        .filter(|block| block.labels.first().map(|l| l.as_str()) == Some(POOL_LIMIT_RESOURCE))
    {
        let literal = |name| {
            block
                .body
                .get_attribute(name)
                .and_then(|attribute| literal_string(&attribute.value))
        };
        let limit = literal("limit").and_then(|text| text.parse().ok());
        let at = block
            .span()
            .map_or(Position::START, |span| lines.position(span.start));
        out.add(resource_name(block), literal("pool"), limit, at);
    }
    Ok(out)
}

/// A module of a plan's `planned_values`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Module {
    resources: Vec<Resource>,
    child_modules: Vec<Module>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Resource {
    address: String,
    mode: String,
    #[serde(rename = "type")]
    kind: String,
    values: serde_json::Value,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PlannedValues {
    root_module: Module,
}

#[derive(Deserialize)]
struct Plan {
    #[serde(default)]
    planned_values: PlannedValues,
}

/// The `dagster_pool_limit` resources of a plan JSON (`terraform show -json`), every module.
pub fn from_plan_json(text: &str) -> Result<PoolLimits, SyntaxError> {
    let plan: Plan = serde_json::from_str(text).map_err(|error| SyntaxError {
        position: Position {
            line: error.line(),
            column: error.column(),
        },
        message: format!("invalid json: {error}"),
    })?;
    let mut out = PoolLimits::default();
    let mut modules = vec![&plan.planned_values.root_module];
    while let Some(module) = modules.pop() {
        modules.extend(module.child_modules.iter().rev());
        for resource in &module.resources {
            if resource.mode != "managed" || resource.kind != POOL_LIMIT_RESOURCE {
                continue;
            }
            // Placed at the first mention of its address: good enough for a line to look at.
            let quoted = format!("\"{}\"", resource.address);
            let at = text
                .find(&quoted)
                .map_or(Position::START, |offset| Position::of_offset(text, offset));
            let pool = resource.values["pool"].as_str().map(str::to_owned);
            let limit = resource.values["limit"].as_i64();
            out.add(resource.address.clone(), pool, limit, at);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_pool_limits_are_read_and_computed_ones_noted() {
        let text = "resource \"dagster_pool_limit\" \"w\" {\n  pool  = \"warehouse\"\n  limit = 4\n}\n\nresource \"dagster_pool_limit\" \"x\" {\n  pool  = var.pool\n  limit = 1\n}\n\nresource \"other\" \"y\" {}\n";
        let read = from_hcl(text).expect("parses");
        assert_eq!(
            read.limits,
            [DeclaredPoolLimit {
                address: "dagster_pool_limit.w".into(),
                pool: "warehouse".into(),
                limit: 4,
                position: Position::START,
            }]
        );
        assert_eq!(read.notes.len(), 1);
        assert_eq!(read.notes[0].position.line, 6);
        assert!(read.notes[0].message.starts_with("dagster_pool_limit.x: "));
    }

    #[test]
    fn a_plan_declares_the_pool_limits_of_every_module() {
        let plan = r#"{"format_version":"1.2","planned_values":{"root_module":{"resources":[
            {"address":"dagster_pool_limit.a","mode":"managed","type":"dagster_pool_limit","values":{"pool":"a","limit":2}}],
            "child_modules":[{"resources":[
            {"address":"module.m.dagster_pool_limit.b","mode":"managed","type":"dagster_pool_limit","values":{"pool":"b"}},
            {"address":"module.m.data.x.y","mode":"data","type":"dagster_pool_limit","values":{}}]}]}}}"#;
        let read = from_plan_json(plan).expect("parses");
        let pools: Vec<(&str, i64)> = read
            .limits
            .iter()
            .map(|l| (l.pool.as_str(), l.limit))
            .collect();
        assert_eq!(pools, [("a", 2)]);
        assert_eq!(read.limits[0].position.line, 2);
        assert_eq!(read.notes.len(), 1, "{:?}", read.notes);
    }
}
