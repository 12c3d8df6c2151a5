//! Terraform HCL (`*.tf`): Dagster `helm_release` resources and `dagster_concurrency` blocks.
//!
//! Parsed with `hcl-edit`, which keeps the byte span of every expression. A Dagster release's
//! `values` (heredoc YAML or `yamlencode(...)`/`jsonencode(...)` of literals) are merged in
//! order, then its `set` entries are replayed with Helm's `strvals` rules: `set` (helm provider
//! 2.x blocks or 3.x list attribute), then `set_list`, `set_sensitive` and `set_string`.
//! Anything that is not a literal is marked unknown and noted as not checked, never guessed.
//!
//! The helpers [`set_entries`] and [`literal_string`] are public so that `migrate` reads the
//! same entries the checker reads; which releases install Dagster is decided in
//! [`super::release::dagster_values_at`] for both.

use super::attributes::attributes_target;
use super::release::{Argument, Entry, ReleaseValues};
use super::tree::{Node, Value};
use super::values::Release;
use super::{values_yaml, Lines, Position, ReadOptions, SyntaxError, Target};
use crate::model::{ConcurrencyConfig, Setting};
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Block, Body};
use hcl_edit::template::Element;
use hcl_edit::Span;

/// Reads every Dagster `helm_release`, `dagster_concurrency` resource and `dagster_concurrency`
/// data source of a `.tf` file, in file order.
pub fn read(text: &str, options: &ReadOptions) -> Result<Vec<Target>, SyntaxError> {
    let body = parse(text)?;
    let lines = Lines::new(text);
    let text = &lines;
    let mut targets = Vec::new();
    for block in body.iter().filter_map(|structure| structure.as_block()) {
        let name = resource_name(block);
        let kind = block.labels.first().map(|l| l.as_str());
        match (block.ident.as_str(), kind) {
            ("resource", Some("helm_release")) => {
                targets.extend(release_target(&name, block, text, options));
            }
            ("resource", Some("dagster_concurrency")) => {
                targets.push(concurrency_target(&name, block, text))
            }
            // The data source takes the same arguments and runs the same rules.
            ("data", Some("dagster_concurrency")) => {
                targets.push(concurrency_target(&format!("data.{name}"), block, text))
            }
            _ => {}
        }
    }
    Ok(targets)
}

/// Parses a `.tf` file, turning a parse error into a [`SyntaxError`] at its line.
pub fn parse(text: &str) -> Result<Body, SyntaxError> {
    hcl_edit::parser::parse_body(text).map_err(|error| SyntaxError {
        position: Position {
            line: error.location().line(),
            column: error.location().column(),
        },
        message: format!("invalid hcl: {}", error.message()),
    })
}

/// The `resource` blocks of a body.
pub fn resources(body: &Body) -> impl Iterator<Item = &Block> {
    body.iter()
        .filter_map(|structure| structure.as_block())
        .filter(|block| block.ident.as_str() == "resource")
}

/// `TYPE.NAME` of a resource block.
pub fn resource_name(block: &Block) -> String {
    block
        .labels
        .iter()
        .map(|label| label.as_str())
        .collect::<Vec<_>>()
        .join(".")
}

/// Whether a `chart` argument names the Dagster chart.
pub fn is_dagster_chart(chart: &str) -> bool {
    let last = chart.trim_end_matches('/').rsplit('/').next().unwrap_or("");
    last == "dagster"
        || (last.starts_with("dagster-")
            && last.ends_with(".tgz")
            && last["dagster-".len()..].starts_with(|c: char| c.is_ascii_digit()))
}

/// The text of a literal string, number or boolean expression (HCL converts these to strings).
pub fn literal_string(expr: &Expression) -> Option<String> {
    match &eval(expr)?.value {
        Value::Str(text) | Value::Float(text) => Some(text.clone()),
        Value::Int(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

/// Where an expression starts in `text`.
fn start(text: &Lines, span: Option<std::ops::Range<usize>>) -> Position {
    span.map_or(Position::START, |range| text.position(range.start))
}

/// A literal expression as a values node (positions are filled in by [`eval_at`]); `None` when
/// any part of it is not a literal.
fn eval(expr: &Expression) -> Option<Node> {
    let node = eval_at(expr, &Lines::new(""))?;
    (!contains_unknown(&node)).then_some(node)
}

fn contains_unknown(node: &Node) -> bool {
    match &node.value {
        Value::Unknown => true,
        Value::List(items) => items.iter().any(contains_unknown),
        Value::Map(entries) => entries.iter().any(|(_, v)| contains_unknown(v)),
        _ => false,
    }
}

/// A literal expression as a values node, positioned in `text`; parts that are not literals
/// become [`Value::Unknown`]. `None` when the expression is not a value at all.
fn eval_at(expr: &Expression, text: &Lines) -> Option<Node> {
    let at = start(text, expr.span());
    let value = match expr {
        Expression::Null(_) => Value::Null,
        Expression::Bool(flag) => Value::Bool(*flag.value()),
        Expression::Number(number) => number_value(number.value()),
        Expression::String(string) => Value::Str(string.value().clone()),
        Expression::StringTemplate(template) => {
            literal_template(template.iter()).map_or(Value::Unknown, Value::Str)
        }
        Expression::HeredocTemplate(heredoc) => {
            literal_template(heredoc.template.iter()).map_or(Value::Unknown, Value::Str)
        }
        Expression::Parenthesis(inner) => return eval_at(inner.inner(), text),
        Expression::UnaryOp(op) if op.operator.value().as_str() == "-" => {
            match eval_at(&op.expr, text)?.value {
                Value::Int(number) => Value::Int(-number),
                Value::Float(shown) => Value::Float(format!("-{shown}")),
                _ => Value::Unknown,
            }
        }
        Expression::Array(array) => Value::List(
            array
                .iter()
                .map(|item| eval_at(item, text).unwrap_or_else(|| unknown(item, text)))
                .collect(),
        ),
        Expression::Object(object) => {
            let mut entries = Vec::new();
            for (key, value) in object.iter() {
                let name = match key {
                    ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                    ObjectKey::Expression(expr) => match eval_at(expr, text)?.value {
                        Value::Str(name) => name,
                        _ => return Some(Node::new(Value::Unknown, at)),
                    },
                };
                let expr = value.expr();
                let mut node = eval_at(expr, text).unwrap_or_else(|| unknown(expr, text));
                if matches!(node.value, Value::Map(_) | Value::List(_)) {
                    node.position = start(text, key.span());
                }
                entries.push((name, node));
            }
            Value::Map(entries)
        }
        _ => Value::Unknown,
    };
    Some(Node::new(value, at))
}

fn unknown(expr: &Expression, text: &Lines) -> Node {
    Node::new(Value::Unknown, start(text, expr.span()))
}

fn number_value(number: &hcl_edit::Number) -> Value {
    match number.as_i64() {
        Some(int) => Value::Int(int),
        None => Value::Float(number.to_string()),
    }
}

/// The text of a template without interpolations or directives.
fn literal_template<'a>(mut elements: impl Iterator<Item = &'a Element>) -> Option<String> {
    elements.try_fold(String::new(), |mut out, element| match element {
        Element::Literal(literal) => {
            out.push_str(literal.value());
            Some(out)
        }
        _ => None,
    })
}

/// The text of a heredoc as Terraform sees it, and where its first line starts in the file.
/// `hcl-edit` has already stripped a `<<-` heredoc's common indentation from the template;
/// the returned origin's column is that indentation, so positions stay file positions.
fn heredoc_text(expr: &Expression, text: &Lines) -> Option<(String, Position)> {
    let Expression::HeredocTemplate(heredoc) = expr else {
        return None;
    };
    let content = literal_template(heredoc.template.iter())?;
    let first = start(text, heredoc.template.span().or_else(|| expr.span()));
    let origin = Position {
        line: first.line + usize::from(first.column > 1),
        column: 1 + heredoc.indent().unwrap_or(0),
    };
    Some((content, origin))
}

/// How a `set` entry is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetShape {
    /// A nested block (helm provider 2.x), e.g. `set { ... }`.
    Block,
    /// An element of a list attribute (helm provider 3.x), e.g. `set = [{ ... }]`.
    ListItem,
}

/// One `set`-family entry of a `helm_release`, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct SetSource<'a> {
    /// `set`, `set_list`, `set_sensitive` or `set_string`.
    pub family: &'static str,
    /// Block or list element.
    pub shape: SetShape,
    /// The `name` expression.
    pub name: Option<&'a Expression>,
    /// The `value` expression.
    pub value: Option<&'a Expression>,
    /// The `type` expression.
    pub kind: Option<&'a Expression>,
    /// Byte span of the entry.
    pub span: Option<std::ops::Range<usize>>,
}

/// The entry families in the order Helm's provider applies them.
const FAMILIES: [&str; 4] = ["set", "set_list", "set_sensitive", "set_string"];

/// A `set`-family argument that is computed (`dynamic` block, list attribute that is not a list
/// literal), whose entries cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComputedSet {
    /// How it is written, e.g. `dynamic "set"`.
    pub what: String,
    /// Its byte span.
    pub span: Option<std::ops::Range<usize>>,
}

/// Every `set`-family entry of a release in the order Helm's provider applies them, and the
/// computed ones that cannot be read.
pub fn set_entries(block: &Block) -> (Vec<SetSource<'_>>, Vec<ComputedSet>) {
    let mut entries = Vec::new();
    let mut computed = Vec::new();
    for family in FAMILIES {
        for structure in block.body.iter() {
            if let Some(inner) = structure.as_block() {
                if inner.ident.as_str() == family {
                    let get = |key| inner.body.get_attribute(key).map(|attr| &attr.value);
                    entries.push(SetSource {
                        family,
                        shape: SetShape::Block,
                        name: get("name"),
                        value: get("value"),
                        kind: get("type"),
                        span: inner.span(),
                    });
                } else if inner.ident.as_str() == "dynamic"
                    && inner.labels.first().map(|l| l.as_str()) == Some(family)
                {
                    computed.push(ComputedSet {
                        what: format!("dynamic \"{family}\""),
                        span: inner.span(),
                    });
                }
            }
            let Some(attr) = structure.as_attribute() else {
                continue;
            };
            if attr.key.as_str() != family {
                continue;
            }
            let Expression::Array(array) = &attr.value else {
                computed.push(ComputedSet {
                    what: format!("{family} = ..."),
                    span: attr.value.span(),
                });
                continue;
            };
            for item in array.iter() {
                let Expression::Object(object) = item else {
                    computed.push(ComputedSet {
                        what: format!("an element of {family}"),
                        span: item.span(),
                    });
                    continue;
                };
                let get = |key: &str| {
                    object
                        .iter()
                        .find(|(k, _)| matches!(k, ObjectKey::Ident(i) if i.as_str() == key))
                        .map(|(_, v)| v.expr())
                };
                entries.push(SetSource {
                    family,
                    shape: SetShape::ListItem,
                    name: get("name"),
                    value: get("value"),
                    kind: get("type"),
                    span: item.span(),
                });
            }
        }
    }
    (entries, computed)
}

fn release_target(
    name: &str,
    block: &Block,
    text: &Lines,
    options: &ReadOptions,
) -> Option<Target> {
    let position = start(text, block.ident.span());
    let chart = literal_string(&block.body.get_attribute("chart")?.value)?;
    let mut release = ReleaseValues::new(position, &chart);
    let chart_version = block.body.get_attribute("version").map(|attr| {
        let at = start(text, attr.value.span());
        match literal_string(&attr.value) {
            Some(version) => (Setting::Known(version), at),
            None => {
                release.note(
                    at,
                    "version is computed: chart-version rules not checked".into(),
                );
                (Setting::Unknown, at)
            }
        }
    });
    if let Some(values) = block.body.get_attribute("values") {
        match &values.value {
            Expression::Array(array) => {
                for (index, item) in array.iter().enumerate() {
                    match values_document(item, text) {
                        Ok(Some(node)) => release.merge_values(node),
                        Ok(None) => {}
                        Err(reason) => release.note(
                            start(text, item.span()),
                            format!("values[{index}] {reason}: not checked"),
                        ),
                    }
                }
            }
            other => release.note(
                start(text, other.span()),
                "values is computed: not checked".into(),
            ),
        }
    }
    let (entries, computed) = set_entries(block);
    for entry in &entries {
        release.set(&Entry {
            family: entry.family,
            name: argument(entry.name, false),
            value: argument(entry.value, entry.family == "set_list"),
            kind: argument(entry.kind, false),
            position: start(text, entry.span.clone()),
        });
    }
    let any_computed = !computed.is_empty();
    for ComputedSet { what, span } in computed {
        release.note(
            start(text, span),
            format!("{what} is computed: its entries are not checked"),
        );
    }
    let release_at = Release {
        position,
        chart_version,
    };
    let mut target = release.into_target(name, release_at, options)?;
    if any_computed {
        unknown_where_unset(&mut target.config);
    }
    Some(target)
}

/// Computed entries (a `dynamic "set"`, `set = dagster_concurrency.x.set`) may set any run
/// setting, so what the literal entries leave unset is not known: no rule or policy may report
/// it missing.
fn unknown_where_unset(config: &mut ConcurrencyConfig) {
    fn mark<T>(setting: &mut Setting<T>) {
        if !setting.is_set() {
            *setting = Setting::Unknown;
        }
    }
    mark(&mut config.placement);
    mark(&mut config.max_concurrent_runs);
    mark(&mut config.tag_limits);
    mark(&mut config.dequeue_interval_seconds);
    mark(&mut config.dequeue_use_threads);
    mark(&mut config.dequeue_num_workers);
    mark(&mut config.block_op);
    mark(&mut config.pools);
}

/// A `set` entry argument as the release builder takes it; `list` for `set_list` values.
fn argument(expr: Option<&Expression>, list: bool) -> Argument {
    let Some(expr) = expr else {
        return Argument::Absent;
    };
    if !list {
        return literal_string(expr).map_or(Argument::Computed, Argument::Text);
    }
    let Expression::Array(array) = expr else {
        return Argument::Computed;
    };
    array
        .iter()
        .map(literal_string)
        .collect::<Option<Vec<String>>>()
        .map_or(Argument::Computed, Argument::List)
}

/// One element of `values` as a tree: heredoc or string YAML, or `yamlencode`/`jsonencode` of
/// an object. `Err` says why it cannot be read.
fn values_document(expr: &Expression, text: &Lines) -> Result<Option<Node>, String> {
    if let Some((yaml, origin)) = heredoc_text(expr, text) {
        return values_yaml::parse(&yaml, origin).map_err(|e| format!("is not valid yaml ({e})"));
    }
    match expr {
        Expression::String(string) => {
            let origin = start(text, expr.span());
            values_yaml::parse(string.value(), origin)
                .map_err(|e| format!("is not valid yaml ({e})"))
        }
        Expression::FuncCall(call)
            if matches!(call.name.name.as_str(), "yamlencode" | "jsonencode")
                && call.args.len() == 1 =>
        {
            let arg = call.args.iter().next().ok_or("has no argument")?;
            match eval_at(arg, text) {
                Some(node) if matches!(node.value, Value::Map(_)) => Ok(Some(node)),
                _ => Err("is computed".into()),
            }
        }
        _ => Err("is computed".into()),
    }
}

/// Reads a `dagster_concurrency` block: what Terraform would refuse in its structure, its
/// arguments as a values node, then the model.
fn concurrency_target(name: &str, block: &Block, text: &Lines) -> Target {
    let mut notes = Vec::new();
    let node = block_node(block, text, &mut notes);
    let mut target = attributes_target(name, start(text, block.ident.span()), &node);
    arguments::check(&mut target, &block.body, text);
    for (at, message) in notes {
        target.note(at, message);
    }
    target
}

/// A block's arguments as a map node: attributes by name (computed ones [`Value::Unknown`],
/// noted), nested blocks as lists of maps under their type, `dynamic` blocks unknown.
fn block_node(block: &Block, text: &Lines, notes: &mut Vec<(Position, String)>) -> Node {
    let mut node = Node::empty_map(start(text, block.ident.span()));
    for structure in block.body.iter() {
        if let Some(attr) = structure.as_attribute() {
            let value = eval_at(&attr.value, text).unwrap_or_else(|| unknown(&attr.value, text));
            if contains_unknown(&value) {
                notes.push((
                    value.position,
                    format!("{} is computed: not checked", attr.key.as_str()),
                ));
            }
            if let Value::Map(entries) = &mut node.value {
                entries.push((attr.key.as_str().to_owned(), value));
            }
        } else if let Some(inner) = structure.as_block() {
            let (key, value) = if inner.ident.as_str() == "dynamic" {
                let label = inner
                    .labels
                    .first()
                    .map(|l| l.as_str().to_owned())
                    .unwrap_or_default();
                let at = start(text, inner.ident.span());
                notes.push((at, format!("dynamic \"{label}\" is computed: not checked")));
                (label, Node::new(Value::Unknown, at))
            } else {
                (
                    inner.ident.as_str().to_owned(),
                    block_node(inner, text, notes),
                )
            };
            let Value::Map(entries) = &mut node.value else {
                continue;
            };
            match entries.iter_mut().find(|(k, _)| *k == key) {
                Some((
                    _,
                    Node {
                        value: Value::List(items),
                        ..
                    },
                )) => items.push(value),
                Some(_) => {}
                None => {
                    let at = value.position;
                    let list = if value.value == Value::Unknown {
                        value
                    } else {
                        Node::new(Value::List(vec![value]), at)
                    };
                    entries.push((key, list));
                }
            }
        }
    }
    node
}

mod arguments;

#[cfg(test)]
mod tests;
