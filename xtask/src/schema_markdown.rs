//! A schema as the registry's argument and attribute reference: required, optional and block
//! arguments, read-only attributes, then one "Nested Schema" section per block or object type,
//! each linked from where it is used.

use std::collections::BTreeMap;
use tfplugin::schema::{Attribute, Block, NestedBlock, Nesting, Presence};
use tfplugin::value::Type;

/// What a nested section documents.
enum NestedBody<'a> {
    Block(&'a Block),
    Object(&'a BTreeMap<String, Type>),
}

/// A nested section still to write.
struct Nested<'a> {
    anchor: String,
    name: String,
    body: NestedBody<'a>,
}

/// Attributes by name, as the registry lists them.
fn sorted_attributes(block: &Block) -> Vec<&Attribute> {
    let mut items: Vec<_> = block.attributes.iter().collect();
    items.sort_by(|a, b| a.name.cmp(&b.name));
    items
}

/// Nested blocks by name.
fn sorted_blocks(block: &Block) -> Vec<&NestedBlock> {
    let mut items: Vec<_> = block.blocks.iter().collect();
    items.sort_by(|a, b| a.name.cmp(&b.name));
    items
}

/// How the registry names a type (`List of Object`).
fn type_name(t: &Type) -> String {
    match t {
        Type::String => "String".into(),
        Type::Number => "Number".into(),
        Type::Bool => "Boolean".into(),
        Type::List(inner) => format!("List of {}", type_name(inner)),
        Type::Set(inner) => format!("Set of {}", type_name(inner)),
        Type::Map(inner) => format!("Map of {}", type_name(inner)),
        Type::Object(_) => "Object".into(),
        Type::Tuple(_) => "Tuple".into(),
        Type::Dynamic => "Dynamic".into(),
    }
}

/// The object type inside a type, if any (`List of Object` holds one).
fn object_fields(t: &Type) -> Option<&BTreeMap<String, Type>> {
    match t {
        Type::Object(fields) => Some(fields),
        Type::List(inner) | Type::Set(inner) | Type::Map(inner) => object_fields(inner),
        _ => None,
    }
}

fn block_kind(nested: &NestedBlock) -> &'static str {
    match nested.nesting {
        Nesting::Single => "Block, Optional",
        Nesting::List if nested.max_items == 1 => "Block, Max: 1",
        Nesting::List => "Block List",
        Nesting::Set => "Block Set",
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

    fn attribute(&mut self, parent: &str, attr: &'a Attribute) {
        let name = &attr.name;
        let mut flags = type_name(&attr.r#type);
        if attr.sensitive {
            flags.push_str(", Sensitive");
        }
        let mut line = format!("- `{name}` ({flags})");
        let description = item_text(&attr.description);
        if !description.is_empty() {
            line.push(' ');
            line.push_str(&description);
        }
        if let Some(fields) = object_fields(&attr.r#type) {
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

    fn block(&mut self, parent: &str, nested: &'a NestedBlock) {
        let (name, kind, block) = (&nested.name, block_kind(nested), &nested.block);
        let anchor = format!("{parent}nestedblock--{name}");
        let description = item_text(&block.description);
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
    fn attributes(&mut self, parent: &str, block: &'a Block, title: &str, wanted: &[Presence]) {
        let selected: Vec<_> = sorted_attributes(block)
            .into_iter()
            .filter(|attr| wanted.contains(&attr.presence))
            .collect();
        if selected.is_empty() {
            return;
        }
        self.heading(title);
        for attr in selected {
            self.attribute(parent, attr);
        }
        self.list_end();
    }

    fn blocks(&mut self, parent: &str, block: &'a Block, title: &str) {
        if block.blocks.is_empty() {
            return;
        }
        self.heading(title);
        for nested in sorted_blocks(block) {
            self.block(parent, nested);
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
                    use Presence::*;
                    self.attributes(&parent, block, "Required:", &[Required]);
                    self.attributes(&parent, block, "Optional:", &[Optional, OptionalComputed]);
                    self.blocks(&parent, block, "Blocks:");
                    self.attributes(&parent, block, "Read-Only:", &[Computed]);
                }
                NestedBody::Object(fields) => {
                    self.heading("Read-Only:");
                    for (name, field) in fields {
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
        use Presence::*;
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
    writer.attributes("", block, "### Read-Only", &[Presence::Computed]);
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
