//! The rule engine: every check the provider and the CLI run, each with a stable code.
//!
//! A rule is a [`Rule`] (code, name, severity, lifecycle, documentation) declared next to the
//! check that raises it; [`REGISTRY`] lists them all in code order. A check says what it found
//! as a typed [`Violation`] (the values involved), whose type writes the summary and the fix, so
//! each message exists once; readers raise the violations found while reading the same way.
//! [`check`] runs every check on a configuration and returns [`Finding`]s at attribute paths;
//! unknown values are skipped, known ones always checked. [`Finding`] is the one finding type:
//! the readers place the same findings in files, and raise their own, by changing where they are.
//! [`accept`] turns a configuration with no error and no unknown value into the
//! [`Accepted`](crate::model::Accepted) one rendering takes.

mod accept;
pub mod arguments;
mod input;
mod placement;
mod pool_limit;
mod pools;
mod queue;
pub mod raw;
mod runs;
mod tag_yaml;
mod tags;
mod vocabulary;

use crate::model::{ConcurrencyConfig, Placement, Setting};
use crate::path::AttrPath;
use crate::version::{ChartVersion, NEWEST_KNOWN};
use std::fmt;

pub use accept::{accept, accept_overruling, Rejected};
pub use input::{NotAWholeNumber, NOT_A_WHOLE_NUMBER};
pub use pool_limit::{check_pool_limit, PoolLimitConfig};
pub use queue::EXPONENT_FORM_FROM;
pub use vocabulary::Source;
pub(crate) use vocabulary::Vocabulary;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Legal but surprising: shown, never fails a run (unless the CLI is told to deny warnings).
    Warning,
    /// Helm or Dagster would refuse it, or the daemon would crash or stall: fails the run.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// Where a rule is in its life: codes are never reused, so a rule that goes stays listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lifecycle {
    /// Checked everywhere; its code and meaning are kept.
    Stable,
    /// Checked, but its code, text or conditions may still change.
    Preview,
    /// No longer checked; `explain` still documents it.
    Removed,
}

impl fmt::Display for Lifecycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Lifecycle::Stable => "stable",
            Lifecycle::Preview => "preview",
            Lifecycle::Removed => "removed",
        })
    }
}

/// A rule: its identity and its documentation.
#[derive(Debug, PartialEq, Eq)]
pub struct Rule {
    /// Stable code, never reused (`DC101`).
    pub code: &'static str,
    /// Kebab-case name saying what is flagged.
    pub name: &'static str,
    /// Severity of every finding of this rule.
    pub severity: Severity,
    /// Whether it is stable, in preview or removed.
    pub lifecycle: Lifecycle,
    /// Markdown documentation: what it does, why, how to fix, an example.
    pub doc: &'static str,
}

/// A rule's violation: the values involved, typed; the violation's type turns them into the
/// finding's text, so a check only says what it found and each message is written once.
pub trait Violation {
    /// The rule violated.
    fn rule(&self) -> &'static Rule;
    /// One line: what is wrong, naming the values involved.
    fn summary(&self) -> String;
    /// How to fix it.
    fn fix(&self) -> String;
}

impl Rule {
    /// A finding of this rule `at` a place.
    pub fn at<At>(&'static self, at: At, summary: String, fix: String) -> Finding<At> {
        Finding {
            rule: self,
            summary,
            fix,
            at,
        }
    }
}

/// One problem found in a configuration, and where it is. The rule engine, organisation policy
/// and the provider find problems at an attribute of the model (`At` is an [`AttrPath`]); the
/// readers place those in the file they read (`At` is an `input::Place`), where they also raise
/// the problems found while reading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding<At = AttrPath> {
    /// The rule that raised it.
    pub rule: &'static Rule,
    /// One line: what is wrong, with the values involved.
    pub summary: String,
    /// How to fix it.
    pub fix: String,
    /// Where it is.
    pub at: At,
}

impl<At> Finding<At> {
    /// The finding of `violation` `at` a place.
    pub fn new(at: At, violation: &dyn Violation) -> Self {
        violation
            .rule()
            .at(at, violation.summary(), violation.fix())
    }

    /// The finding's severity (its rule's).
    pub fn severity(&self) -> Severity {
        self.rule.severity
    }

    /// The same finding in another form of place: `to` turns where it is into where it goes
    /// (a reader turns an attribute path into a place in its file).
    pub fn map_at<To>(self, to: impl FnOnce(At) -> To) -> Finding<To> {
        Finding {
            rule: self.rule,
            summary: self.summary,
            fix: self.fix,
            at: to(self.at),
        }
    }
}

/// Declares a rule as a `pub static` whose documentation is the given markdown; stable unless
/// a lifecycle (`Preview`, `Removed`) follows the severity.
macro_rules! rule {
    ($(#[$meta:meta])* $ident:ident, $code:literal, $name:literal, $severity:ident, $doc:expr) => {
        $crate::rules::rule!($(#[$meta])* $ident, $code, $name, $severity, Stable, $doc);
    };
    ($(#[$meta:meta])* $ident:ident, $code:literal, $name:literal, $severity:ident, $lifecycle:ident, $doc:expr) => {
        $(#[$meta])*
        pub static $ident: $crate::rules::Rule = $crate::rules::Rule {
            code: $code,
            name: $name,
            severity: $crate::rules::Severity::$severity,
            lifecycle: $crate::rules::Lifecycle::$lifecycle,
            doc: $doc,
        };
    };
}
pub(crate) use rule;

/// What every check may read: the configuration and the facts derived from it once.
pub(crate) struct Context<'a> {
    /// The configuration checked.
    pub config: &'a ConcurrencyConfig,
    /// Targeted chart version, when known and parseable.
    pub chart: Option<ChartVersion>,
    /// Placement in effect, when known and valid.
    pub placement: Option<Placement>,
    /// How findings name settings in the file being read.
    pub words: Vocabulary,
}

impl<'a> Context<'a> {
    fn new(config: &'a ConcurrencyConfig, source: Source) -> Self {
        let chart = match &config.chart_version {
            Setting::Unset => Some(NEWEST_KNOWN),
            Setting::Unknown => None,
            // Helm reads a release's `version` (and `--version`) as a constraint, which takes
            // `v1.12.14`; the resource's `chart_version` is passed on as exact text.
            Setting::Known(text) if source.is_raw() => ChartVersion::parse_loose(text),
            Setting::Known(text) => ChartVersion::parse(text),
        };
        let placement = config.effective_placement();
        Context {
            config,
            chart,
            placement,
            words: Vocabulary::new(
                source,
                placement,
                config.values_prefix.known().map(String::as_str),
            ),
        }
    }
}

/// Every rule, in code order.
pub static REGISTRY: &[&Rule] = &[
    &runs::RUNS_BELOW_MINUS_ONE,
    &runs::RUNS_UNSET,
    &runs::RUNS_UNLIMITED,
    &runs::RUNS_PAUSED,
    &tags::EMPTY_TAG_KEY,
    &tags::NEGATIVE_TAG_LIMIT,
    &tags::VALUE_WITH_PER_UNIQUE_VALUE,
    &tags::DUPLICATE_TAG_LIMIT,
    &tags::TAG_LIMIT_ZERO,
    &tags::TAG_LIMIT_NOT_BELOW_GLOBAL,
    &tags::INVALID_TAG_KEY,
    &tags::UNKNOWN_DAGSTER_TAG,
    &tags::EMPTY_TAG_VALUE,
    &tag_yaml::TAG_STRING_MISREAD_BY_DAGSTER,
    &placement::CONCURRENCY_SECTION_UNAVAILABLE,
    &placement::CONCURRENCY_SECTION_CRASHES_DAEMON,
    &placement::POOLS_WITH_COORDINATOR_PLACEMENT,
    &placement::INVALID_PLACEMENT,
    &placement::SLOT_BUFFER_WITH_CONCURRENCY_SECTION,
    &pools::INVALID_POOL_GRANULARITY,
    &pools::DEFAULT_POOL_LIMIT_OUT_OF_RANGE,
    &queue::SLOT_BUFFER_WITHOUT_BLOCKING,
    &queue::NEGATIVE_DEQUEUE_INTERVAL,
    &queue::DEQUEUE_WORKERS_BELOW_ONE,
    &queue::DEQUEUE_INTERVAL_ZERO,
    &queue::BLOCK_OP_NOT_RENDERED,
    &queue::NEGATIVE_SLOT_BUFFER,
    &queue::NUMBER_IN_EXPONENT_FORM,
    &input::UNPARSEABLE_CHART_VERSION,
    &input::INVALID_VALUES_PREFIX,
    &input::CHART_NEWER_THAN_KNOWN,
    &input::NOT_A_WHOLE_NUMBER,
    &input::UNRELEASED_CHART_VERSION,
    &arguments::UNKNOWN_ARGUMENT,
    &arguments::MISSING_REQUIRED_ARGUMENT,
    &arguments::WRONG_ARGUMENT_TYPE,
    &arguments::REPEATED_BLOCK,
    &raw::LIMITS_NOT_APPLIED,
    &raw::LIMITS_IN_BOTH_PLACES,
    &raw::SET_INDEX_KEEPS_VALUES_ELEMENTS,
    &raw::MISSPELT_APPLY_LIMIT_PER_UNIQUE_VALUE,
    &raw::WRONG_VALUE_TYPE,
    &raw::UNKNOWN_COORDINATOR_KEY,
    &pool_limit::EMPTY_POOL_NAME,
    &pool_limit::POOL_LIMIT_OUT_OF_RANGE,
    &pool_limit::POOL_NAME_WHITESPACE,
];

/// The rule with this code (case-insensitive).
pub fn find(code: &str) -> Option<&'static Rule> {
    REGISTRY
        .iter()
        .copied()
        .find(|rule| rule.code.eq_ignore_ascii_case(code))
}

/// Runs every check on a `dagster_concurrency` resource; findings come in rule-family order,
/// then attribute order.
pub fn check(config: &ConcurrencyConfig) -> Vec<Finding> {
    check_as(config, Source::Resource)
}

/// Runs every check on a configuration read from `source`, whose names the findings use.
pub fn check_as(config: &ConcurrencyConfig, source: Source) -> Vec<Finding> {
    let ctx = Context::new(config, source);
    let mut out = Vec::new();
    input::check(&ctx, &mut out);
    runs::check(&ctx, &mut out);
    tags::check(&ctx, &mut out);
    tag_yaml::check(&ctx, &mut out);
    placement::check(&ctx, &mut out);
    pools::check(&ctx, &mut out);
    queue::check(&ctx, &mut out);
    out
}

#[cfg(test)]
pub(crate) mod testing;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_sorted() {
        let mut previous = "";
        for rule in REGISTRY {
            assert!(rule.code > previous, "{} out of order", rule.code);
            previous = rule.code;
            assert_eq!(find(&rule.code.to_lowercase()), Some(*rule));
        }
    }
}
