//! Policy files: the attributes of the provider's `policy` block, written as an HCL file.
//!
//! ```hcl
//! max_concurrent_runs_ceiling = 10
//! required_tag_limits         = ["dagster/backfill"]
//! tag_limit_ceiling           = 5
//! postgres_connection_budget  = 100
//! connections_per_run         = 4
//! ```
//!
//! Only literals are accepted: a policy is read without Terraform, so there is nothing to
//! evaluate a variable or a function with. Anything else is an error at its line.

use super::{attr, Policy};
use crate::model::Setting;
use crate::position::Position;
use crate::rules::{NotAWholeNumber, Violation};
use hcl_edit::expr::{Expression, UnaryOperator};
use hcl_edit::structure::{Attribute, Structure};
use hcl_edit::Span;
use std::fmt;
use std::ops::Range;

/// Why a policy file was refused, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong, lowercase, without a trailing period.
    pub message: String,
}

impl fmt::Display for PolicyError {
    /// `LINE:COLUMN: message`; the caller prefixes the file name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for PolicyError {}

/// Reads a policy file; every malformed or meaningless setting is an error at its position.
pub fn parse(text: &str) -> Result<Policy, PolicyError> {
    let body = hcl_edit::parser::parse_body(text).map_err(|error| PolicyError {
        line: error.location().line(),
        column: error.location().column(),
        message: format!("invalid hcl: {}", error.message()),
    })?;
    let reader = Reader { text };
    let mut policy = Policy::default();
    let mut attributes: Vec<&Attribute> = Vec::new();
    for structure in body.iter() {
        let attribute = match structure {
            Structure::Attribute(attribute) => attribute,
            Structure::Block(block) => {
                return Err(reader.error(
                    block.span(),
                    format!(
                        "unexpected block `{}`: a policy file holds only attributes such as `max_concurrent_runs_ceiling = 10`",
                        block.ident.as_str()
                    ),
                ))
            }
        };
        let name = attribute.key.as_str();
        let value = &attribute.value;
        match name {
            attr::MAX_CONCURRENT_RUNS_CEILING => {
                policy.max_concurrent_runs_ceiling = reader.whole(name, value)?;
            }
            attr::TAG_LIMIT_CEILING => policy.tag_limit_ceiling = reader.whole(name, value)?,
            attr::POSTGRES_CONNECTION_BUDGET => {
                policy.postgres_connection_budget = reader.whole(name, value)?;
            }
            attr::CONNECTIONS_PER_RUN => policy.connections_per_run = reader.whole(name, value)?,
            attr::REQUIRED_TAG_LIMITS => {
                policy.required_tag_limits = reader.strings(name, value)?;
            }
            unknown => {
                let closest = attr::ALL
                    .iter()
                    .min_by_key(|known| strsim::damerau_levenshtein(unknown, known))
                    .filter(|known| strsim::damerau_levenshtein(unknown, known) <= 3);
                let hint = match closest {
                    Some(known) => format!("did you mean `{known}`?"),
                    None => format!("expected one of {}", attr::ALL.join(", ")),
                };
                return Err(reader.error(
                    attribute.key.span(),
                    format!("unknown policy attribute `{unknown}`: {hint}"),
                ));
            }
        }
        attributes.push(attribute);
    }
    if let Some(problem) = policy.problems().into_iter().next() {
        let attribute = attributes
            .iter()
            .find(|attribute| attribute.key.as_str() == problem.attribute);
        let span = match (attribute, problem.index) {
            (Some(attribute), Some(index)) => attribute
                .value
                .as_array()
                .and_then(|array| array.get(index))
                .and_then(Span::span)
                .or_else(|| attribute.span()),
            (Some(attribute), None) => attribute.span(),
            (None, _) => None,
        };
        return Err(reader.error(span, problem.message));
    }
    Ok(policy)
}

/// Reads literal values and positions errors in one file.
struct Reader<'a> {
    text: &'a str,
}

impl Reader<'_> {
    fn error(&self, span: Option<Range<usize>>, message: String) -> PolicyError {
        let offset = span.map_or(0, |span| span.start);
        let position = Position::of_offset(self.text, offset);
        PolicyError {
            line: position.line,
            column: position.column,
            message,
        }
    }

    /// A whole number literal, possibly negated.
    fn whole(&self, name: &str, value: &Expression) -> Result<Setting<i64>, PolicyError> {
        let (negated, literal) = match value {
            Expression::UnaryOp(op) if *op.operator.value() == UnaryOperator::Neg => {
                (true, &op.expr)
            }
            other => (false, other),
        };
        let number = literal.as_number().ok_or_else(|| {
            self.error(
                value.span(),
                format!(
                    "{name} must be a whole number literal, not {}",
                    describe(value)
                ),
            )
        })?;
        let whole = number.as_i64().ok_or_else(|| {
            self.error(
                value.span(),
                NotAWholeNumber {
                    name,
                    written: &number.to_string(),
                }
                .summary(),
            )
        })?;
        Ok(Setting::Known(if negated { -whole } else { whole }))
    }

    /// A list of string literals.
    fn strings(&self, name: &str, value: &Expression) -> Result<Setting<Vec<String>>, PolicyError> {
        let array = value.as_array().ok_or_else(|| {
            self.error(
                value.span(),
                format!(
                    "{name} must be a list of strings such as [\"dagster/backfill\"], not {}",
                    describe(value)
                ),
            )
        })?;
        let keys = array
            .iter()
            .map(|item| {
                item.as_str().map(str::to_owned).ok_or_else(|| {
                    self.error(
                        item.span(),
                        format!("{name} must hold string literals, not {}", describe(item)),
                    )
                })
            })
            .collect::<Result<Vec<String>, PolicyError>>()?;
        Ok(Setting::Known(keys))
    }
}

/// What kind of expression was found, for error messages.
fn describe(value: &Expression) -> &'static str {
    match value {
        Expression::Null(_) => "null",
        Expression::Bool(_) => "a bool",
        Expression::Number(_) => "a number",
        Expression::String(_) => "a string",
        Expression::Array(_) => "a list",
        Expression::Object(_) => "an object",
        Expression::StringTemplate(_) | Expression::HeredocTemplate(_) => "a string template",
        Expression::Variable(_) | Expression::Traversal(_) => {
            "a reference (policy files are read without Terraform: write the value)"
        }
        Expression::FuncCall(_) => {
            "a function call (policy files are read without Terraform: write the value)"
        }
        _ => "an expression (policy files are read without Terraform: write the value)",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"# The platform team's policy.
max_concurrent_runs_ceiling = 10
required_tag_limits         = ["dagster/backfill", "team"] # every backfill and team
tag_limit_ceiling           = 5
postgres_connection_budget  = 100
connections_per_run         = 4
"#;

    fn refused(text: &str) -> (usize, usize, String) {
        let error = parse(text).expect_err("must be refused");
        (error.line, error.column, error.message)
    }

    #[test]
    fn reads_every_attribute() {
        let policy = parse(FULL).expect("valid policy");
        assert_eq!(policy.max_concurrent_runs_ceiling, Setting::Known(10));
        assert_eq!(
            policy.required_tag_limits,
            Setting::Known(vec!["dagster/backfill".into(), "team".into()])
        );
        assert_eq!(policy.tag_limit_ceiling, Setting::Known(5));
        assert_eq!(policy.postgres_connection_budget, Setting::Known(100));
        assert_eq!(policy.connections_per_run, Setting::Known(4));
        assert!(parse("").expect("empty policy").is_empty());
    }

    #[test]
    fn syntax_errors_carry_their_line() {
        let (line, _, message) = refused("tag_limit_ceiling = 5\nmax_concurrent_runs_ceiling = \n");
        assert_eq!(line, 2, "{message}");
        assert!(message.starts_with("invalid hcl"), "{message}");
    }

    #[test]
    fn unknown_attributes_suggest_the_closest() {
        let (line, column, message) = refused("\n  max_concurent_runs_ceiling = 3\n");
        assert_eq!((line, column), (2, 3));
        assert!(
            message.contains("did you mean `max_concurrent_runs_ceiling`"),
            "{message}"
        );
        let (_, _, message) = refused("colour = 3\n");
        assert!(message.contains("expected one of"), "{message}");
    }

    #[test]
    fn wrong_types_and_references_are_refused() {
        let (line, column, message) = refused("tag_limit_ceiling = \"5\"\n");
        assert_eq!((line, column), (1, 21));
        assert!(message.contains("not a string"), "{message}");
        let (_, _, message) = refused("tag_limit_ceiling = var.ceiling\n");
        assert!(message.contains("a reference"), "{message}");
        let (_, _, message) = refused("tag_limit_ceiling = 2.5\n");
        assert!(message.contains("not a whole number"), "{message}");
        let (line, column, message) = refused("required_tag_limits = [\n  \"a\",\n  3,\n]\n");
        assert_eq!((line, column), (3, 3), "{message}");
        let (_, _, message) = refused("policy {\n}\n");
        assert!(message.contains("unexpected block `policy`"), "{message}");
        let (line, _, message) = refused("tag_limit_ceiling = 2\ntag_limit_ceiling = 3\n");
        assert_eq!(line, 2, "{message}");
    }

    #[test]
    fn meaningless_settings_are_refused_at_their_line() {
        let (line, _, message) =
            refused("tag_limit_ceiling = 2\nmax_concurrent_runs_ceiling = -1\n");
        assert_eq!(line, 2);
        assert_eq!(
            message,
            "max_concurrent_runs_ceiling = -1 must be at least 1"
        );
        let (line, _, message) = refused("\nconnections_per_run = 4\n");
        assert_eq!(line, 2);
        assert!(
            message.contains("needs postgres_connection_budget"),
            "{message}"
        );
        let (line, column, message) = refused("required_tag_limits = [\"a\",\n   \"a\"]\n");
        assert_eq!((line, column), (2, 4));
        assert!(message.contains("listed twice"), "{message}");
    }
}
