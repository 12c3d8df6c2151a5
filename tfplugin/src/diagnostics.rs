//! Diagnostics: what the provider tells the user, with the attribute it is about.

use crate::proto::tfplugin6 as pb;
use std::fmt;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Stops the operation.
    Error,
    /// Shown; the operation goes on.
    Warning,
}

/// One step of an [`AttributePath`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// An attribute or nested block of an object.
    Attribute(String),
    /// A map key.
    Key(String),
    /// A list index.
    Index(i64),
}

/// Where in a configuration or state a diagnostic points, e.g. `tag_concurrency_limit[1].limit`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttributePath(pub Vec<Step>);

impl AttributePath {
    /// The path to the top-level attribute `name`.
    pub fn attribute(name: &str) -> Self {
        AttributePath(vec![Step::Attribute(name.to_owned())])
    }

    /// This path, then the attribute `name`.
    pub fn then(mut self, name: &str) -> Self {
        self.0.push(Step::Attribute(name.to_owned()));
        self
    }

    /// This path, then the list index `index`.
    pub fn index(mut self, index: i64) -> Self {
        self.0.push(Step::Index(index));
        self
    }

    /// This path, then the map key `key`.
    pub fn key(mut self, key: &str) -> Self {
        self.0.push(Step::Key(key.to_owned()));
        self
    }

    pub(crate) fn to_proto(&self) -> pb::AttributePath {
        use pb::attribute_path::{Selector, Step as PbStep};
        pb::AttributePath {
            steps: self
                .0
                .iter()
                .map(|step| PbStep {
                    selector: Some(match step {
                        Step::Attribute(name) => Selector::AttributeName(name.clone()),
                        Step::Key(key) => Selector::ElementKeyString(key.clone()),
                        Step::Index(i) => Selector::ElementKeyInt(*i),
                    }),
                })
                .collect(),
        }
    }
}

impl fmt::Display for AttributePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Attribute(name) if i == 0 => write!(f, "{name}")?,
                Step::Attribute(name) => write!(f, ".{name}")?,
                Step::Key(key) => write!(f, "[{key:?}]")?,
                Step::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// A warning or error: a one-line summary, a detail that says what to do, maybe an attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// One line.
    pub summary: String,
    /// Sentences: what was expected and what to do.
    pub detail: String,
    /// The attribute it is about; `None` for the whole block.
    pub path: Option<AttributePath>,
}

impl Diagnostic {
    /// An error about the whole block.
    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            path: None,
        }
    }

    /// A warning about the whole block.
    pub fn warning(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(summary, detail)
        }
    }

    /// This diagnostic, pointing at `path`.
    pub fn at(mut self, path: AttributePath) -> Self {
        self.path = Some(path);
        self
    }

    pub(crate) fn to_proto(&self) -> pb::Diagnostic {
        pb::Diagnostic {
            severity: match self.severity {
                Severity::Error => pb::Severity::Error,
                Severity::Warning => pb::Severity::Warning,
            } as i32,
            summary: self.summary.clone(),
            detail: self.detail.clone(),
            attribute: self.path.as_ref().map(AttributePath::to_proto),
        }
    }
}

/// The diagnostics of one call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    /// Adds a diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    /// Adds an error about the whole block.
    pub fn error(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.push(Diagnostic::error(summary, detail));
    }

    /// The errors, in order.
    pub fn errors(&self) -> Vec<&Diagnostic> {
        self.0
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .collect()
    }

    /// The warnings, in order.
    pub fn warnings(&self) -> Vec<&Diagnostic> {
        self.0
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .collect()
    }

    /// Whether any is an error.
    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    pub(crate) fn to_proto(&self) -> Vec<pb::Diagnostic> {
        self.0.iter().map(Diagnostic::to_proto).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_as_terraform_writes_them() {
        let path = AttributePath::attribute("tag_concurrency_limit")
            .index(1)
            .then("limit");
        assert_eq!(path.to_string(), "tag_concurrency_limit[1].limit");
        assert_eq!(
            AttributePath::attribute("headers").key("x").to_string(),
            "headers[\"x\"]"
        );
        assert_eq!(path.to_proto().steps.len(), 3);
    }
}
