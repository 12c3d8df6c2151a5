//! What `terraform validate` refuses in a `dagster_concurrency` block's structure, checked
//! against [`SCHEMA`]: names the schema does not have, blocks written as attributes and the
//! reverse, computed outputs set by hand (DC510, with the nearest name), required arguments
//! left out of a nested block (DC511), and a block that may appear once repeated (DC513).
//! Values of the wrong type are reported where they are read (DC512).

use super::{start, Lines};
use crate::input::attributes::{Shape, META_ARGUMENTS, SCHEMA};
use crate::input::Target;
use crate::rules::arguments::ArgumentViolation;
use hcl_edit::structure::Body;
use hcl_edit::Span;

/// Checks a `dagster_concurrency` block's body, raising findings on `target`.
pub fn check(target: &mut Target, body: &Body, text: &Lines) {
    check_body(target, body, SCHEMA, "", text);
}

fn check_body(
    target: &mut Target,
    body: &Body,
    schema: &'static [(&'static str, Shape)],
    parent: &str,
    text: &Lines,
) {
    let top = parent.is_empty();
    let shape_of = |name: &str| {
        schema
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, s)| *s)
    };
    for attr in body.attributes() {
        let name = attr.key.as_str();
        let at = start(text, attr.key.span());
        let violation = match shape_of(name) {
            Some(Shape::Optional | Shape::Required) => continue,
            None if top && META_ARGUMENTS.contains(&name) => continue,
            Some(Shape::Computed) => ArgumentViolation::Computed { name },
            Some(Shape::Block { .. }) => ArgumentViolation::BlockAsAttribute { name },
            None => ArgumentViolation::Unknown {
                name,
                block: false,
                context: context(parent),
                fix: suggestion(name, schema),
            },
        };
        target.raise_violation(path(parent, name), at, &violation);
    }
    let mut counts: Vec<(&str, usize)> = Vec::new();
    for block in body.blocks() {
        let at = start(text, block.ident.span());
        let (name, dynamic) = match block.ident.as_str() {
            "dynamic" => (block.labels.first().map_or("", |l| l.as_str()), true),
            name => (name, false),
        };
        if top && META_ARGUMENTS.contains(&name) {
            continue;
        }
        let index = match counts.iter_mut().find(|(n, _)| *n == name) {
            Some((_, count)) => {
                *count += 1;
                *count - 1
            }
            None => {
                counts.push((name, 1));
                0
            }
        };
        match shape_of(name) {
            Some(Shape::Block { once: true, .. }) if index > 0 => target.raise_violation(
                path(parent, name),
                at,
                &ArgumentViolation::Repeated {
                    name,
                    count: index + 1,
                },
            ),
            Some(Shape::Block { once, arguments }) => {
                let item = if once {
                    path(parent, name)
                } else {
                    format!("{}[{index}]", path(parent, name))
                };
                // A dynamic block's content is generated: only its label is checked.
                if !dynamic {
                    check_body(target, &block.body, arguments, &item, text);
                    missing(target, &block.body, arguments, &item, at);
                }
            }
            Some(_) => target.raise_violation(
                path(parent, name),
                at,
                &ArgumentViolation::AttributeAsBlock { name },
            ),
            None => target.raise_violation(
                path(parent, name),
                at,
                &ArgumentViolation::Unknown {
                    name,
                    block: true,
                    context: context(parent),
                    fix: suggestion(name, schema),
                },
            ),
        }
    }
}

/// Raises DC511 for each required attribute a nested block lacks.
fn missing(
    target: &mut Target,
    body: &Body,
    schema: &[(&str, Shape)],
    item: &str,
    at: crate::input::Position,
) {
    for (name, shape) in schema {
        if *shape == Shape::Required && !body.has_attribute(name) {
            target.raise_violation(
                path(item, name),
                at,
                &ArgumentViolation::MissingRequired { item, name },
            );
        }
    }
}

/// `dagster_concurrency`, or the nested block a name sits in.
fn context(parent: &str) -> String {
    if parent.is_empty() {
        "dagster_concurrency".into()
    } else {
        format!("the {parent} block")
    }
}

fn path(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

/// "use NAME, the closest argument" with the nearest settable name, or the list of names.
fn suggestion(name: &str, schema: &[(&str, Shape)]) -> String {
    let settable: Vec<&str> = schema
        .iter()
        .filter(|(_, shape)| *shape != Shape::Computed)
        .map(|(known, _)| *known)
        .collect();
    let nearest = settable
        .iter()
        .map(|known| (strsim::levenshtein(name, known), *known))
        .min();
    match nearest {
        Some((distance, known)) if distance <= 3.max(known.len() / 4) => {
            format!("use {known}, the closest argument")
        }
        _ => format!("remove it; the arguments are {}", settable.join(", ")),
    }
}
