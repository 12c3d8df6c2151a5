//! A small provider on tfplugin, for its tests: `toy_thing` (a required name that replaces the
//! object when it changes, a size defaulting to 3, a computed id, a flag that panics in plan;
//! schema version 1, whose upgrader drops the attribute `legacy` of version 0) and `toy_echo` (its
//! `prefix` defaults to empty).

use async_trait::async_trait;
use std::sync::Arc;
use tfplugin::diagnostics::Diagnostics;
use tfplugin::provider::{DataSource, Provider, Resource, StateUpgrader};
use tfplugin::schema::{Attribute, Block, Schema};
use tfplugin::value::{Type, Value};

/// The provider.
pub struct Toy;

/// `toy_thing`.
pub struct Thing;

/// The schema of `toy_thing`.
pub fn thing_block() -> Block {
    Block::new(
        "a thing",
        vec![
            Attribute::required("name", Type::String, "its name").requires_replace(),
            Attribute::optional("size", Type::Number, "its size").default(3),
            Attribute::optional("boom", Type::Bool, "panics in plan when true"),
            Attribute::computed("id", Type::String, "its id"),
        ],
    )
}

/// Version 0 had an attribute `legacy`, which version 1 removed.
fn drop_legacy(
    mut state: serde_json::Value,
    _diags: &mut Diagnostics,
) -> Option<serde_json::Value> {
    state.as_object_mut()?.remove("legacy");
    Some(state)
}

#[async_trait]
impl Resource for Thing {
    fn schema(&self) -> Schema {
        Schema {
            version: 1,
            block: thing_block(),
        }
    }

    async fn plan(
        &self,
        _prior: &Value,
        mut proposed: Value,
        _config: &Value,
        _diags: &mut Diagnostics,
    ) -> Option<Value> {
        if proposed.get("boom").as_bool() == Some(true) {
            panic!("boom");
        }
        let id = match proposed.get("name") {
            Value::String(name) => Value::from(format!("thing-{name}")),
            _ => Value::Unknown,
        };
        proposed.set("id", id);
        Some(proposed)
    }

    async fn apply(
        &self,
        _prior: &Value,
        planned: Value,
        _config: &Value,
        _diags: &mut Diagnostics,
    ) -> Option<Value> {
        Some(planned)
    }

    async fn read(&self, state: Value, _diags: &mut Diagnostics) -> Option<Value> {
        Some(state)
    }

    fn state_upgraders(&self) -> Vec<StateUpgrader> {
        vec![StateUpgrader {
            from_version: 0,
            upgrade: drop_legacy,
        }]
    }
}

/// `toy_echo`.
pub struct Echo;

#[async_trait]
impl DataSource for Echo {
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new(
                "echoes",
                vec![
                    Attribute::required("input", Type::String, "in"),
                    Attribute::optional("prefix", Type::String, "put before the input").default(""),
                    Attribute::computed("output", Type::String, "out"),
                ],
            ),
        }
    }

    async fn read(&self, mut config: Value, diags: &mut Diagnostics) -> Option<Value> {
        let (Some(prefix), Some(input)) =
            (config.get("prefix").as_str(), config.get("input").as_str())
        else {
            diags.error(
                "prefix or input is null",
                "the declared default was not filled in",
            );
            return None;
        };
        let output = Value::from(format!("{prefix}{input}"));
        config.set("output", output);
        Some(config)
    }
}

#[async_trait]
impl Provider for Toy {
    fn schema(&self) -> Schema {
        Schema {
            version: 0,
            block: Block::new("toy", vec![]),
        }
    }

    async fn configure(&self, _version: &str, _config: &Value, _diags: &mut Diagnostics) {}

    fn resources(&self) -> Vec<(String, Arc<dyn Resource>)> {
        vec![("toy_thing".to_owned(), Arc::new(Thing))]
    }

    fn data_sources(&self) -> Vec<(String, Arc<dyn DataSource>)> {
        vec![("toy_echo".to_owned(), Arc::new(Echo))]
    }
}
