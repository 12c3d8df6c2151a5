//! Attribute paths such as `tag_concurrency_limit[1].limit`, shared by the provider and the CLI.

use std::fmt;

/// One step of an [`AttrPath`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A top-level argument or an argument inside a block.
    Attr(&'static str),
    /// A block that appears at most once (`pools`); Terraform addresses it as `name[0]`.
    Block(&'static str),
    /// The n-th of a repeated block (`tag_concurrency_limit[n]`).
    Item(&'static str, usize),
}

/// Where in the configuration a finding points.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttrPath {
    /// Steps from the resource root.
    pub steps: Vec<Step>,
}

impl AttrPath {
    /// The path of a top-level argument.
    pub fn attr(name: &'static str) -> Self {
        AttrPath {
            steps: vec![Step::Attr(name)],
        }
    }

    /// The path of a single block.
    pub fn block(name: &'static str) -> Self {
        AttrPath {
            steps: vec![Step::Block(name)],
        }
    }

    /// The path of the n-th repeated block.
    pub fn item(name: &'static str, index: usize) -> Self {
        AttrPath {
            steps: vec![Step::Item(name, index)],
        }
    }

    /// This path extended by an argument name.
    pub fn then(mut self, name: &'static str) -> Self {
        self.steps.push(Step::Attr(name));
        self
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            match step {
                Step::Attr(name) | Step::Block(name) => f.write_str(name)?,
                Step::Item(name, index) => write!(f, "{name}[{index}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_like_terraform_addresses() {
        assert_eq!(
            AttrPath::item("tag_concurrency_limit", 1)
                .then("limit")
                .to_string(),
            "tag_concurrency_limit[1].limit"
        );
        assert_eq!(
            AttrPath::block("pools").then("granularity").to_string(),
            "pools.granularity"
        );
        assert_eq!(AttrPath::attr("values_prefix").to_string(), "values_prefix");
    }
}
