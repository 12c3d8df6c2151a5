//! Argument rules: what `terraform validate` refuses in a `dagster_concurrency` block. Raised
//! by the CLI's readers (Terraform itself stops before the provider sees
//! such a block, so the provider never raises them).

use super::{rule, Rule, Violation};

rule!(
    /// An argument or block that `dagster_concurrency` does not have.
    UNKNOWN_ARGUMENT, "DC510", "unknown-argument", Error,
    r#"## What it does
Checks that every argument and nested block of a `dagster_concurrency` resource or data source
is one its schema has, written the way the schema declares it (an attribute with `=`, a block
with braces), and not one of the outputs the provider computes (`id`, `set`, `values_yaml`,
`instance_yaml`). Suggests the nearest name.

## Why is this bad?
`terraform validate` refuses the whole configuration ("Unsupported argument", "Unsupported block
type"). A CI job that checks files without running Terraform would otherwise pass a misspelt limit
as if it were unset.

## How to fix
Correct the name, or write a block as a block (`pools { ... }`) and an attribute with `=`.

## Example
```hcl
resource "dagster_concurrency" "this" {
  max_concurent_runs = 5
}
```
Use instead:
```hcl
resource "dagster_concurrency" "this" {
  max_concurrent_runs = 5
}
```
"#
);

rule!(
    /// A required argument of a nested block is missing.
    MISSING_REQUIRED_ARGUMENT, "DC511", "missing-required-argument", Error,
    r#"## What it does
Checks that each nested block has the arguments the schema requires: `key` and `limit` in a
`tag_concurrency_limit` block, `enabled` in `block_op_concurrency_limited_runs`.

## Why is this bad?
`terraform validate` refuses the configuration ("Missing required argument"); a tag limit without
`limit` limits nothing.

## How to fix
Add the argument.

## Example
```hcl
resource "dagster_concurrency" "this" {
  tag_concurrency_limit {
    key = "dagster/backfill"
  }
}
```
Use instead:
```hcl
resource "dagster_concurrency" "this" {
  tag_concurrency_limit {
    key   = "dagster/backfill"
    limit = 3
  }
}
```
"#
);

rule!(
    /// A value Terraform cannot convert to the argument's type.
    WRONG_ARGUMENT_TYPE, "DC512", "wrong-argument-type", Error,
    r#"## What it does
Checks that each argument's value converts to its type as Terraform converts it: a number or a
numeric string for numbers, `true`/`false` (or those strings) for booleans, a number, boolean or
string for strings.

## Why is this bad?
`terraform validate` refuses the configuration ("Incorrect attribute value type"); the CLI
cannot check a limit it cannot read.

## How to fix
Write a value of the argument's type.

## Example
```hcl
resource "dagster_concurrency" "this" {
  max_concurrent_runs = true
}
```
Use instead:
```hcl
resource "dagster_concurrency" "this" {
  max_concurrent_runs = 5
}
```
"#
);

rule!(
    /// A block that may appear once is repeated.
    REPEATED_BLOCK, "DC513", "repeated-block", Error,
    r#"## What it does
Checks that `pools` and `block_op_concurrency_limited_runs` appear at most once in a
`dagster_concurrency` resource or data source.

## Why is this bad?
`terraform validate` refuses the configuration ("Too many pools blocks"); which of the blocks was
meant is unclear.

## How to fix
Merge the blocks into one.

## Example
```hcl
resource "dagster_concurrency" "this" {
  pools {
    default_limit = 2
  }
  pools {
    granularity = "op"
  }
}
```
Use instead:
```hcl
resource "dagster_concurrency" "this" {
  pools {
    default_limit = 2
    granularity   = "op"
  }
}
```
"#
);

/// DC512: `path` holds a value of another type than the argument's, which Terraform refuses.
pub struct WrongArgumentType<'a> {
    /// The argument's attribute path.
    pub path: &'a str,
    /// The type of the value written (`a list`).
    pub found: &'a str,
    /// The string written, when the value is one.
    pub text: Option<&'a str>,
    /// The argument's type (`a number`).
    pub expected: &'a str,
}

impl Violation for WrongArgumentType<'_> {
    fn rule(&self) -> &'static Rule {
        &WRONG_ARGUMENT_TYPE
    }

    fn summary(&self) -> String {
        let shown = self
            .text
            .map(|text| format!(" ({text:?})"))
            .unwrap_or_default();
        format!(
            "{} is {}{shown} where terraform expects {}",
            self.path, self.found, self.expected
        )
    }

    fn fix(&self) -> String {
        format!("write {}", self.expected)
    }
}

/// What `terraform validate` refuses in a block's structure.
pub enum ArgumentViolation<'a> {
    /// DC510: an output set by hand.
    Computed {
        /// The argument.
        name: &'a str,
    },
    /// DC510: a block written as an attribute.
    BlockAsAttribute {
        /// The block.
        name: &'a str,
    },
    /// DC510: an attribute written as a block.
    AttributeAsBlock {
        /// The attribute.
        name: &'a str,
    },
    /// DC510: no such argument or block.
    Unknown {
        /// The name written.
        name: &'a str,
        /// Written as a block rather than an attribute.
        block: bool,
        /// Where: `dagster_concurrency` or `the pools block`.
        context: String,
        /// The fix, naming the nearest argument when there is one.
        fix: String,
    },
    /// DC511: a nested block lacks a required argument.
    MissingRequired {
        /// The block, e.g. `tag_concurrency_limit[0]`.
        item: &'a str,
        /// The missing argument.
        name: &'a str,
    },
    /// DC513: a block that may appear once, repeated.
    Repeated {
        /// The block.
        name: &'a str,
        /// Which of its blocks this is, from 1.
        count: usize,
    },
}

impl Violation for ArgumentViolation<'_> {
    fn rule(&self) -> &'static Rule {
        match self {
            ArgumentViolation::Computed { .. }
            | ArgumentViolation::BlockAsAttribute { .. }
            | ArgumentViolation::AttributeAsBlock { .. }
            | ArgumentViolation::Unknown { .. } => &UNKNOWN_ARGUMENT,
            ArgumentViolation::MissingRequired { .. } => &MISSING_REQUIRED_ARGUMENT,
            ArgumentViolation::Repeated { .. } => &REPEATED_BLOCK,
        }
    }

    fn summary(&self) -> String {
        match self {
            ArgumentViolation::Computed { name } => {
                format!("{name} is computed by the provider and cannot be set")
            }
            ArgumentViolation::BlockAsAttribute { name } => {
                format!("{name} is a block, not an attribute")
            }
            ArgumentViolation::AttributeAsBlock { name } => {
                format!("{name} is an attribute, not a block")
            }
            ArgumentViolation::Unknown {
                name,
                block,
                context,
                ..
            } => {
                let what = if *block { "a block" } else { "an argument" };
                format!("{name} is not {what} of {context}")
            }
            ArgumentViolation::MissingRequired { item, name } => {
                format!("{item} has no {name}, which terraform requires")
            }
            ArgumentViolation::Repeated { name, count } => {
                format!("{name} may appear once; this is block {count} of {name}")
            }
        }
    }

    fn fix(&self) -> String {
        match self {
            ArgumentViolation::Computed { .. } => {
                "remove it; it is an output, e.g. dagster_concurrency.NAME.set".into()
            }
            ArgumentViolation::BlockAsAttribute { name } => {
                format!("write it as a block: {name} {{ ... }}")
            }
            ArgumentViolation::AttributeAsBlock { name } => {
                format!("write it as an attribute: {name} = ...")
            }
            ArgumentViolation::Unknown { fix, .. } => fix.clone(),
            ArgumentViolation::MissingRequired { name, .. } => {
                format!("add {name} = ... to the block")
            }
            ArgumentViolation::Repeated { name, .. } => format!("merge the {name} blocks into one"),
        }
    }
}
