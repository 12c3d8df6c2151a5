//! Schemas: blocks, attributes and nested blocks with their documentation, and the behaviour
//! declared next to each attribute (a default, replacing the object when it changes, sensitive).
//! The server applies the declared behaviour, so a resource's plan only computes its outputs.

use crate::diagnostics::AttributePath;
use crate::proto::tfplugin6 as pb;
use crate::value::{Type, Value};

/// A versioned schema of a provider block, resource or data source.
#[derive(Debug, Clone)]
pub struct Schema {
    /// Raised whenever stored state changes shape; each older version needs a state upgrader.
    pub version: i64,
    /// The top-level block.
    pub block: Block,
}

/// A block: documentation, attributes and nested blocks, in the order they are documented.
#[derive(Debug, Clone, Default)]
pub struct Block {
    /// Markdown.
    pub description: String,
    /// Attributes.
    pub attributes: Vec<Attribute>,
    /// Nested block types.
    pub blocks: Vec<NestedBlock>,
}

/// Who sets an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// The user must.
    Required,
    /// The user may; null when unset.
    Optional,
    /// The user may; the provider fills it when unset.
    OptionalComputed,
    /// Only the provider.
    Computed,
}

/// An attribute and its behaviour.
#[derive(Debug, Clone)]
pub struct Attribute {
    /// Name.
    pub name: String,
    /// Type.
    pub r#type: Type,
    /// Markdown; the registry docs are generated from it.
    pub description: String,
    /// Who sets it.
    pub presence: Presence,
    /// Never shown in plans or output.
    pub sensitive: bool,
    /// Changing it replaces the object instead of updating it.
    pub requires_replace: bool,
    /// The value planned when the configuration leaves it null (known at plan time).
    pub default: Option<Value>,
}

impl Attribute {
    fn new(name: &str, r#type: Type, presence: Presence, description: impl Into<String>) -> Self {
        Attribute {
            name: name.to_owned(),
            r#type,
            description: description.into(),
            presence,
            sensitive: false,
            requires_replace: false,
            default: None,
        }
    }

    /// An argument the user must write.
    pub fn required(name: &str, r#type: Type, description: impl Into<String>) -> Self {
        Attribute::new(name, r#type, Presence::Required, description)
    }

    /// An argument the user may write.
    pub fn optional(name: &str, r#type: Type, description: impl Into<String>) -> Self {
        Attribute::new(name, r#type, Presence::Optional, description)
    }

    /// An attribute only the provider sets.
    pub fn computed(name: &str, r#type: Type, description: impl Into<String>) -> Self {
        Attribute::new(name, r#type, Presence::Computed, description)
    }

    /// Hidden in plans and output.
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// A change replaces the object.
    pub fn requires_replace(mut self) -> Self {
        self.requires_replace = true;
        self
    }

    /// Planned as `value` when the configuration leaves it null; the attribute becomes
    /// optional and computed, so the value is in state and other resources can read it.
    pub fn default(mut self, value: impl Into<Value>) -> Self {
        self.default = Some(value.into());
        self.presence = Presence::OptionalComputed;
        self
    }

    fn to_proto(&self) -> pb::schema::Attribute {
        pb::schema::Attribute {
            name: self.name.clone(),
            r#type: self.r#type.to_json_bytes(),
            nested_type: None,
            description: self.description.clone(),
            required: self.presence == Presence::Required,
            optional: matches!(
                self.presence,
                Presence::Optional | Presence::OptionalComputed
            ),
            computed: matches!(
                self.presence,
                Presence::Computed | Presence::OptionalComputed
            ),
            sensitive: self.sensitive,
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: false,
            write_only: false,
        }
    }
}

/// How many nested blocks of a type, and their shape in the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    /// At most one; absent is null.
    Single,
    /// A list, in order.
    List,
    /// A set.
    Set,
}

/// A nested block type.
#[derive(Debug, Clone)]
pub struct NestedBlock {
    /// Block type name.
    pub name: String,
    /// How many.
    pub nesting: Nesting,
    /// Its content.
    pub block: Block,
    /// At most this many blocks (0: no limit); Terraform checks it.
    pub max_items: i64,
}

impl NestedBlock {
    /// Any number of blocks, in order.
    pub fn list(name: &str, block: Block) -> Self {
        NestedBlock {
            name: name.to_owned(),
            nesting: Nesting::List,
            block,
            max_items: 0,
        }
    }

    /// A list of at most one block: absent is an empty list, not null, so state written by a
    /// provider that declared the block this way keeps its shape.
    pub fn at_most_one(name: &str, block: Block) -> Self {
        NestedBlock {
            max_items: 1,
            ..NestedBlock::list(name, block)
        }
    }

    /// At most one block.
    pub fn single(name: &str, block: Block) -> Self {
        NestedBlock {
            name: name.to_owned(),
            nesting: Nesting::Single,
            block,
            max_items: 0,
        }
    }

    fn to_proto(&self) -> pb::schema::NestedBlock {
        use pb::schema::nested_block::NestingMode;
        pb::schema::NestedBlock {
            type_name: self.name.clone(),
            block: Some(self.block.to_proto()),
            nesting: match self.nesting {
                Nesting::Single => NestingMode::Single,
                Nesting::List => NestingMode::List,
                Nesting::Set => NestingMode::Set,
            } as i32,
            min_items: 0,
            max_items: self.max_items,
        }
    }
}

impl Block {
    /// A block with a description and attributes.
    pub fn new(description: impl Into<String>, attributes: Vec<Attribute>) -> Self {
        Block {
            description: description.into(),
            attributes,
            blocks: Vec::new(),
        }
    }

    /// This block with nested blocks.
    pub fn with_blocks(mut self, blocks: Vec<NestedBlock>) -> Self {
        self.blocks = blocks;
        self
    }

    /// The attribute `name`.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The object type of the block's values.
    pub fn value_type(&self) -> Type {
        let attributes = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.r#type.clone()));
        let blocks = self.blocks.iter().map(|b| {
            let object = b.block.value_type();
            let t = match b.nesting {
                Nesting::Single => object,
                Nesting::List => Type::list(object),
                Nesting::Set => Type::set(object),
            };
            (b.name.clone(), t)
        });
        Type::Object(attributes.chain(blocks).collect())
    }

    pub(crate) fn to_proto(&self) -> pb::schema::Block {
        pb::schema::Block {
            version: 0,
            attributes: self.attributes.iter().map(Attribute::to_proto).collect(),
            block_types: self.blocks.iter().map(NestedBlock::to_proto).collect(),
            description: self.description.clone(),
            description_kind: pb::StringKind::Markdown as i32,
            deprecated: false,
        }
    }

    /// Fills the declared defaults into `planned` wherever `config` leaves the attribute null,
    /// in nested blocks too.
    pub(crate) fn apply_defaults(&self, config: &Value, planned: &mut Value) {
        for attribute in &self.attributes {
            if let Some(default) = &attribute.default {
                if config.get(&attribute.name).is_null() {
                    planned.set(&attribute.name, default.clone());
                }
            }
        }
        for nested in &self.blocks {
            let (Some(configured), Some(Value::List(items) | Value::Set(items))) = (
                config.get(&nested.name).as_items(),
                planned.get_mut(&nested.name),
            ) else {
                if let (Nesting::Single, Some(item)) =
                    (nested.nesting, planned.get_mut(&nested.name))
                {
                    nested.block.apply_defaults(config.get(&nested.name), item);
                }
                continue;
            };
            for (item, configured) in items.iter_mut().zip(configured) {
                nested.block.apply_defaults(configured, item);
            }
        }
    }

    /// The top-level attributes declared to require replacement whose planned value differs
    /// from the prior state's.
    pub(crate) fn replaced(&self, prior: &Value, planned: &Value) -> Vec<AttributePath> {
        if prior.is_null() {
            return Vec::new();
        }
        self.attributes
            .iter()
            .filter(|a| a.requires_replace && prior.get(&a.name) != planned.get(&a.name))
            .map(|a| AttributePath::attribute(&a.name))
            .collect()
    }
}

impl Schema {
    pub(crate) fn to_proto(&self) -> pb::Schema {
        pb::Schema {
            version: self.version,
            block: Some(self.block.to_proto()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block() -> Block {
        Block::new(
            "a thing",
            vec![
                Attribute::required("name", Type::String, "its name").requires_replace(),
                Attribute::optional("size", Type::Number, "its size").default(3),
                Attribute::computed("id", Type::String, "its id"),
            ],
        )
        .with_blocks(vec![NestedBlock::list(
            "part",
            Block::new(
                "a part",
                vec![Attribute::optional("kind", Type::String, "kind").default("plain")],
            ),
        )])
    }

    #[test]
    fn a_default_is_planned_where_the_configuration_is_null() {
        let config = Value::object([
            ("name", Value::from("a")),
            ("size", Value::Null),
            ("id", Value::Null),
            (
                "part",
                Value::List(vec![
                    Value::object([("kind", Value::Null)]),
                    Value::object([("kind", Value::from("x"))]),
                ]),
            ),
        ]);
        let mut planned = config.clone();
        block().apply_defaults(&config, &mut planned);
        assert_eq!(planned.get("size"), &Value::from(3));
        let parts = planned.get("part").as_items().unwrap();
        assert_eq!(parts[0].get("kind"), &Value::from("plain"));
        assert_eq!(parts[1].get("kind"), &Value::from("x"));
    }

    #[test]
    fn only_declared_attributes_force_replacement() {
        let prior = Value::object([("name", Value::from("a")), ("size", Value::from(1))]);
        let planned = Value::object([("name", Value::from("b")), ("size", Value::from(2))]);
        assert_eq!(
            block().replaced(&prior, &planned),
            vec![AttributePath::attribute("name")]
        );
        assert!(block().replaced(&Value::Null, &planned).is_empty());
    }

    #[test]
    fn the_wire_schema_says_who_sets_what() {
        let proto = block().to_proto();
        let size = &proto.attributes[1];
        assert!(size.optional && size.computed && !size.required);
        assert_eq!(proto.attributes[0].r#type, b"\"string\"");
        assert_eq!(proto.block_types[0].type_name, "part");
        let single = NestedBlock::at_most_one("one", Block::default()).to_proto();
        assert_eq!((single.nesting, single.max_items), (2, 1));
        assert_eq!(
            block().value_type(),
            Type::object([
                ("name", Type::String),
                ("size", Type::Number),
                ("id", Type::String),
                ("part", Type::list(Type::object([("kind", Type::String)]))),
            ])
        );
    }
}
