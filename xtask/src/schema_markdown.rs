//! A schema as the registry's argument and attribute reference: required, optional and block
//! arguments, read-only attributes, then one "Nested Schema" section per block or object type,
//! each linked from where it is used.

use std::collections::HashMap;
use tf_provider::schema::{Attribute, AttributeConstraint, AttributeType, Block, NestedBlock};

/// What a nested section documents.
enum NestedBody<'a> {
    Block(&'a Block),
    Object(&'a HashMap<String, AttributeType>),
}

/// A nested section still to write.
struct Nested<'a> {
    anchor: String,
    name: String,
    body: NestedBody<'a>,
}

fn sorted<T>(map: &HashMap<String, T>) -> Vec<(&String, &T)> {
    let mut items: Vec<_> = map.iter().collect();
    items.sort_by(|a, b| a.0.cmp(b.0));
    items
}

/// How the registry names a type (`List of Object`).
fn type_name(attr_type: &AttributeType) -> String {
    match attr_type {
        AttributeType::String => "String".into(),
        AttributeType::Number => "Number".into(),
        AttributeType::Bool => "Boolean".into(),
        AttributeType::List(inner) => format!("List of {}", type_name(inner)),
        AttributeType::Set(inner) => format!("Set of {}", type_name(inner)),
        AttributeType::Map(inner) => format!("Map of {}", type_name(inner)),
        AttributeType::Object(_) => "Object".into(),
        AttributeType::Tuple(_) => "Tuple".into(),
        AttributeType::AttributeSingle(_) => "Attributes".into(),
        AttributeType::AttributeList(_) => "Attributes List".into(),
        AttributeType::AttributeSet(_) => "Attributes Set".into(),
        AttributeType::AttributeMap(_) => "Attributes Map".into(),
        AttributeType::Any => "Dynamic".into(),
    }
}

/// The object type inside a type, if any (`List of Object` holds one).
fn object_fields(attr_type: &AttributeType) -> Option<&HashMap<String, AttributeType>> {
    match attr_type {
        AttributeType::Object(fields) => Some(fields),
        AttributeType::List(inner) | AttributeType::Set(inner) | AttributeType::Map(inner) => {
            object_fields(inner)
        }
        _ => None,
    }
}

fn block_kind(nested: &NestedBlock) -> (&'static str, &Block) {
    match nested {
        NestedBlock::Single(block) => ("Block, Required", block),
        NestedBlock::List(block) => ("Block List", block),
        NestedBlock::Set(block) => ("Block Set", block),
        NestedBlock::Map(block) => ("Block Map", block),
        NestedBlock::Group(block) => ("Block", block),
        NestedBlock::Optional(block) => ("Block, Max: 1", block),
    }
}

/// A description as the tail of a list item: continuation lines indented under the bullet.
fn item_text(description: &str) -> String {
    description.trim().replace('\n', "\n  ")
}

struct Writer<'a> {
    out: String,
    pending: Vec<Nested<'a>>,
}

impl<'a> Writer<'a> {
    fn heading(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push_str("\n\n");
    }

    fn list_end(&mut self) {
        self.out.push('\n');
    }

    fn attribute(&mut self, parent: &str, name: &'a str, attr: &'a Attribute) {
        let mut flags = type_name(&attr.attr_type);
        if attr.sensitive {
            flags.push_str(", Sensitive");
        }
        if attr.deprecated {
            flags.push_str(", Deprecated");
        }
        let mut line = format!("- `{name}` ({flags})");
        let description = item_text(&attr.description.content);
        if !description.is_empty() {
            line.push(' ');
            line.push_str(&description);
        }
        if let Some(fields) = object_fields(&attr.attr_type) {
            let anchor = format!("{parent}nestedatt--{name}");
            line.push_str(&format!(" (see [below for nested schema](#{anchor}))"));
            self.pending.push(Nested {
                anchor,
                name: name.to_owned(),
                body: NestedBody::Object(fields),
            });
        }
        self.out.push_str(&line);
        self.out.push('\n');
    }

    fn block(&mut self, parent: &str, name: &'a str, nested: &'a NestedBlock) {
        let (kind, block) = block_kind(nested);
        let anchor = format!("{parent}nestedblock--{name}");
        let description = item_text(&block.description.content);
        let separator = if description.is_empty() { "" } else { " " };
        self.out.push_str(&format!(
            "- `{name}` ({kind}){separator}{description} (see [below for nested schema](#{anchor}))\n"
        ));
        self.pending.push(Nested {
            anchor,
            name: name.to_owned(),
            body: NestedBody::Block(block),
        });
    }

    /// The attributes of `block` matching `wanted`, under `title`; nothing when there are none.
    fn attributes(
        &mut self,
        parent: &str,
        block: &'a Block,
        title: &str,
        wanted: &[AttributeConstraint],
    ) {
        let selected: Vec<_> = sorted(&block.attributes)
            .into_iter()
            .filter(|(_, attr)| wanted.contains(&attr.constraint))
            .collect();
        if selected.is_empty() {
            return;
        }
        self.heading(title);
        for (name, attr) in selected {
            self.attribute(parent, name, attr);
        }
        self.list_end();
    }

    fn blocks(&mut self, parent: &str, block: &'a Block, title: &str) {
        if block.blocks.is_empty() {
            return;
        }
        self.heading(title);
        for (name, nested) in sorted(&block.blocks) {
            self.block(parent, name, nested);
        }
        self.list_end();
    }

    /// Every nested section, depth first in the order they were linked.
    fn nested_sections(&mut self) {
        let mut queue: Vec<Nested<'a>> = std::mem::take(&mut self.pending);
        queue.reverse();
        while let Some(nested) = queue.pop() {
            self.out
                .push_str(&format!("<a id=\"{}\"></a>\n", nested.anchor));
            self.heading(&format!("### Nested Schema for `{}`", nested.name));
            let parent = format!("{}--", nested.anchor);
            match nested.body {
                NestedBody::Block(block) => {
                    use AttributeConstraint::*;
                    self.attributes(&parent, block, "Required:", &[Required]);
                    self.attributes(&parent, block, "Optional:", &[Optional, OptionalComputed]);
                    self.blocks(&parent, block, "Blocks:");
                    self.attributes(&parent, block, "Read-Only:", &[Computed]);
                }
                NestedBody::Object(fields) => {
                    self.heading("Read-Only:");
                    for (name, field) in sorted(fields) {
                        self.out
                            .push_str(&format!("- `{name}` ({})\n", type_name(field)));
                    }
                    self.list_end();
                }
            }
            let mut children = std::mem::take(&mut self.pending);
            children.reverse();
            queue.extend(children);
        }
    }
}

impl<'a> Writer<'a> {
    fn new() -> Self {
        Writer {
            out: String::new(),
            pending: Vec::new(),
        }
    }

    /// `## Argument Reference`: required, optional, then blocks.
    fn arguments(&mut self, block: &'a Block) {
        use AttributeConstraint::*;
        self.heading("## Argument Reference");
        self.attributes("", block, "### Required", &[Required]);
        self.attributes("", block, "### Optional", &[Optional, OptionalComputed]);
        self.blocks("", block, "### Blocks");
    }
}

/// The argument reference and attribute reference of a resource or data source block.
pub fn references(block: &Block) -> String {
    let mut writer = Writer::new();
    writer.arguments(block);
    writer.heading("## Attribute Reference");
    writer.heading("In addition to the arguments above, these attributes are exported:");
    writer.attributes("", block, "### Read-Only", &[AttributeConstraint::Computed]);
    writer.nested_sections();
    writer.out
}

/// The provider block's arguments, or a sentence saying there are none.
pub fn provider_arguments(block: &Block) -> String {
    if block.attributes.is_empty() && block.blocks.is_empty() {
        return "## Argument Reference\n\nThe provider block takes no arguments.\n\n".into();
    }
    let mut writer = Writer::new();
    writer.arguments(block);
    writer.nested_sections();
    writer.out
}
