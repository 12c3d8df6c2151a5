//! Raw-values rules: mistakes only hand-written Helm values can make (values files, `set`
//! entries, plan JSON), which the `dagster_concurrency` resource cannot express.
//!
//! [`check`] reads the Dagster chart's values tree; DC603 (`set` index over `values`) is raised
//! where `set` entries are applied, DC605 (wrong type) where values are read into the model.

use super::{rule, Rule, Source, Violation};
use crate::chart::keys::{
    self, Section, APPLY_LIMIT_PER_UNIQUE_VALUE, COORDINATOR, MAX_CONCURRENT_RUNS,
    QUEUED_RUN_COORDINATOR, TAG_CONCURRENCY_LIMITS,
};
use crate::position::Position;
use crate::tree::{Node, Value};

rule!(
    /// Run limits the chart does not render: coordinator disabled or custom, or `concurrency` off.
    LIMITS_NOT_APPLIED, "DC601", "limits-not-applied", Error,
    r#"## What it does
Checks that run limits sit where the chart renders them: limits under
`dagsterDaemon.runCoordinator.config.queuedRunCoordinator` need `runCoordinator.enabled` true and
`type: QueuedRunCoordinator`; limits under `concurrency.runs` or `concurrency.pools` need
`concurrency.enabled: true`.

## Why is this bad?
With the coordinator disabled the chart configures Dagster's synchronous coordinator and no run
limit applies at all; with `CustomRunCoordinator` it renders only `customRunCoordinator`; with
`concurrency.enabled` false the whole `concurrency` section is dropped. Helm installs the release
and every run starts at once.

## How to fix
Enable the queued run coordinator (or `concurrency.enabled`), or remove the limits.

## Example
```yaml
dagsterDaemon:
  runCoordinator:
    enabled: false
    config:
      queuedRunCoordinator:
        maxConcurrentRuns: 5
```
Use instead:
```yaml
dagsterDaemon:
  runCoordinator:
    enabled: true
    type: QueuedRunCoordinator
    config:
      queuedRunCoordinator:
        maxConcurrentRuns: 5
```
"#
);

rule!(
    /// Run limits both under the run coordinator and under `concurrency.runs`.
    LIMITS_IN_BOTH_PLACES, "DC602", "limits-in-both-places", Error,
    r#"## What it does
Checks that run limits (`maxConcurrentRuns`, `tagConcurrencyLimits`) are written in one place only:
the queued run coordinator's config or `concurrency.runs`.

## Why is this bad?
The chart fails the install when both hold the same setting, and Dagster refuses the instance
("... incompatible with the `concurrency > runs` config") when the `concurrency` section holds
runs or pools while the coordinator holds limits: the daemon does not start.

## How to fix
Keep the limits in one place: `concurrency.runs` (chart 1.12.12 and later) or the run coordinator.

## Example
```yaml
dagsterDaemon:
  runCoordinator:
    config:
      queuedRunCoordinator:
        maxConcurrentRuns: 5
concurrency:
  enabled: true
  runs:
    maxConcurrentRuns: 5
```
Use instead:
```yaml
concurrency:
  enabled: true
  runs:
    maxConcurrentRuns: 5
```
"#
);

rule!(
    /// A `set` index that edits one element of a list written in `values`.
    SET_INDEX_KEEPS_VALUES_ELEMENTS, "DC603", "set-index-keeps-values-elements", Warning,
    r#"## What it does
Warns when a `helm_release` `set` entry such as `...tagConcurrencyLimits[0].limit` edits a list
that the release's `values` already hold, and the list has elements the `set` entries do not
touch.

## Why is this bad?
Helm applies `set` after `values`, and an index edits that element in place: the other elements
from `values` stay. Replacing a limit list with `set` entries keeps stale limits nobody sees in the
`set` block.

## How to fix
Write the list in one place: all in `values`, or all in `set` entries (or the
`dagster_concurrency` resource's rendered `set`).

## Example
```hcl
values = [yamlencode({
  dagsterDaemon = { runCoordinator = { config = { queuedRunCoordinator = {
    tagConcurrencyLimits = [{ key = "team", limit = 1 }, { key = "dagster/backfill", limit = 2 }]
  } } } }
})]
set {
  name  = "dagsterDaemon.runCoordinator.config.queuedRunCoordinator.tagConcurrencyLimits[0].key"
  value = "dagster/backfill"
}
```
Use instead:
```hcl
values = [yamlencode({
  dagsterDaemon = { runCoordinator = { config = { queuedRunCoordinator = {
    tagConcurrencyLimits = [{ key = "dagster/backfill", limit = 3 }]
  } } } }
})]
```
"#
);

rule!(
    /// A key other than `applyLimitPerUniqueValue` in a tag limit's object `value`.
    MISSPELT_APPLY_LIMIT_PER_UNIQUE_VALUE, "DC604", "misspelt-apply-limit-per-unique-value", Error,
    r#"## What it does
Checks that the object form of a tag limit's `value` holds exactly `applyLimitPerUniqueValue`.

## Why is this bad?
Dagster requires that exact key: a misspelling such as `applyLimitPerUniqueValues` makes the
daemon refuse the instance at start ("Received unexpected config entry ..."), after Helm installed it.

## How to fix
Spell it `applyLimitPerUniqueValue`.

## Example
```yaml
tagConcurrencyLimits:
  - key: dagster/backfill
    value:
      applyLimitPerUniqueValues: true
    limit: 3
```
Use instead:
```yaml
tagConcurrencyLimits:
  - key: dagster/backfill
    value:
      applyLimitPerUniqueValue: true
    limit: 3
```
"#
);

rule!(
    /// A value of the wrong type, such as a string where a number belongs.
    WRONG_VALUE_TYPE, "DC605", "wrong-value-type", Error,
    r#"## What it does
Checks that limits, counts and intervals are numbers, switches booleans and keys strings, as
the chart's values schema requires.

## Why is this bad?
A quoted `"5"` in a values file, or a `set_string` / `type = "string"` entry for a number, reaches
the chart as a string: the chart's schema check refuses the install, or Dagster refuses the
instance at daemon start.

## How to fix
In a values file, write numbers and booleans unquoted and quote strings (`"007"`: unquoted, YAML
reads the number 7). In a `set` entry, use `type = "auto"` for numbers and booleans, and
`type = "string"` (or `set_string`) for strings.

## Example
```yaml
maxConcurrentRuns: "5"
```
Use instead:
```yaml
maxConcurrentRuns: 5
```
"#
);

rule!(
    /// A key the chart does not know under the run coordinator or `concurrency` config.
    UNKNOWN_COORDINATOR_KEY, "DC606", "unknown-coordinator-key", Error,
    r#"## What it does
Checks every key under `queuedRunCoordinator`, its tag limits and
`blockOpConcurrencyLimitedRuns`, and under `concurrency.runs` and `concurrency.pools`, against
the keys the chart knows.

## Why is this bad?
The chart's schema refuses unknown keys, and a typo such as `maxConcurentRuns` would otherwise
set no limit at all.

## How to fix
Use the key the chart defines (the finding suggests the closest one).

## Example
```yaml
queuedRunCoordinator:
  maxConcurentRuns: 5
```
Use instead:
```yaml
queuedRunCoordinator:
  maxConcurrentRuns: 5
```
"#
);

/// What the chart expects where DC605 found a value of another type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// A whole number (limits, counts, intervals).
    Number,
    /// `true` or `false`.
    Boolean,
    /// A string (tag keys and values, granularity).
    Text,
    /// The list of tag limits.
    TagList,
    /// One tag limit.
    TagMap,
}

impl Expected {
    /// What the chart expects, as a finding says it.
    pub fn description(self) -> &'static str {
        match self {
            Expected::Number => "a whole number",
            Expected::Boolean => "true or false",
            Expected::Text => "a string",
            Expected::TagList => "a list of tag limits",
            Expected::TagMap => "a map with key, value and limit",
        }
    }

    /// DC605's fix for a value read from `source`: quoting in a values file, the entry's type
    /// in a `set` entry.
    pub fn fix(self, source: Source) -> String {
        let what = self.description();
        let release = source == Source::HelmRelease;
        match self {
            Expected::Number | Expected::Boolean if release => format!("write {what}: unquoted in values, and in a set entry with type = \"auto\" (not set_string or type = \"string\")"),
            Expected::Number | Expected::Boolean => format!("write {what} without quotes"),
            Expected::Text if release => "quote it in values, and in a set entry use type = \"string\" (or set_string), so Helm keeps it text".into(),
            Expected::Text => "quote it, so YAML keeps it text (unquoted, 007 is the number 7 and yes is true)".into(),
            Expected::TagList | Expected::TagMap => format!("write {what}"),
        }
    }
}

/// DC605: a value of the wrong type where the chart expects another.
pub struct WrongValueType<'a> {
    /// The full key, values prefix included.
    pub key: &'a str,
    /// What was written: its YAML type and, for a string, the string.
    pub found: String,
    /// What the chart expects there.
    pub expected: Expected,
    /// The kind of file, which decides the fix.
    pub source: Source,
}

impl Violation for WrongValueType<'_> {
    fn rule(&self) -> &'static Rule {
        &WRONG_VALUE_TYPE
    }

    fn summary(&self) -> String {
        format!(
            "{} is {} where the chart expects {}",
            self.key,
            self.found,
            self.expected.description()
        )
    }

    fn fix(&self) -> String {
        self.expected.fix(self.source)
    }
}

/// DC603: `set` entries edit `list` by index while elements `kept` from `values` stay.
pub struct SetIndexKeepsValuesElements<'a> {
    /// The list's full key.
    pub list: &'a str,
    /// The indices of the elements from `values` that no `set` entry edits.
    pub kept: &'a [usize],
}

impl Violation for SetIndexKeepsValuesElements<'_> {
    fn rule(&self) -> &'static Rule {
        &SET_INDEX_KEEPS_VALUES_ELEMENTS
    }

    fn summary(&self) -> String {
        format!(
            "set entries edit {} by index, but elements {:?} from values stay in place",
            self.list, self.kept
        )
    }

    fn fix(&self) -> String {
        "write the whole list in one place: all in values, or all in set entries".into()
    }
}

/// Where the raw-values rules put what they find: each violation at a values key relative to
/// the Dagster chart's values, dotted (`dagsterDaemon.runCoordinator.enabled`), written at a
/// position. The values reader raises them on its target, so they become findings there.
pub trait RawFindings {
    /// Takes the finding of `violation` at `key`, written at `position`.
    fn raise(&mut self, key: String, position: Position, violation: &dyn Violation);
}

/// What is wrong in hand-written chart values.
enum RawViolation<'a> {
    /// DC601: the coordinator is switched off.
    CoordinatorDisabled,
    /// DC601: a custom coordinator leaves the queued one's limits out.
    CustomCoordinator,
    /// DC601: `concurrency` limits without `concurrency.enabled: true`.
    SectionDisabled,
    /// DC602.
    LimitsInBothPlaces,
    /// DC604: `key` in a tag limit's `value` map.
    MisspeltPerUniqueValue { key: &'a str },
    /// DC606: `key` is unknown where `known` are known; `closest` is the nearest of them.
    UnknownKey {
        key: &'a str,
        closest: &'a str,
        known: &'a [&'a str],
    },
}

impl Violation for RawViolation<'_> {
    fn rule(&self) -> &'static Rule {
        match self {
            RawViolation::CoordinatorDisabled
            | RawViolation::CustomCoordinator
            | RawViolation::SectionDisabled => &LIMITS_NOT_APPLIED,
            RawViolation::LimitsInBothPlaces => &LIMITS_IN_BOTH_PLACES,
            RawViolation::MisspeltPerUniqueValue { .. } => &MISSPELT_APPLY_LIMIT_PER_UNIQUE_VALUE,
            RawViolation::UnknownKey { .. } => &UNKNOWN_COORDINATOR_KEY,
        }
    }

    fn summary(&self) -> String {
        match self {
            RawViolation::CoordinatorDisabled => "dagsterDaemon.runCoordinator.enabled is false, so no run limit applies at all".into(),
            RawViolation::CustomCoordinator => "the run coordinator type is CustomRunCoordinator, so the queuedRunCoordinator limits are not rendered".into(),
            RawViolation::SectionDisabled => "concurrency.runs or concurrency.pools is set while concurrency.enabled is not true, so the chart drops the whole section".into(),
            RawViolation::LimitsInBothPlaces => "run limits are set both under the run coordinator and under concurrency.runs, which the chart and Dagster refuse".into(),
            RawViolation::MisspeltPerUniqueValue { key } => format!("{key:?} is not {APPLY_LIMIT_PER_UNIQUE_VALUE:?}: Dagster refuses the instance at daemon start"),
            RawViolation::UnknownKey { key, .. } => format!("{key:?} is not a key the chart knows here, so the chart refuses it and it sets nothing"),
        }
    }

    fn fix(&self) -> String {
        match self {
            RawViolation::CoordinatorDisabled | RawViolation::CustomCoordinator => format!("enable the coordinator with type {QUEUED_RUN_COORDINATOR}, or remove the limits"),
            RawViolation::SectionDisabled => "set concurrency.enabled: true, or remove the section".into(),
            RawViolation::LimitsInBothPlaces => "keep the limits in one place: concurrency.runs (chart 1.12.12 and later) or the run coordinator".into(),
            RawViolation::MisspeltPerUniqueValue { .. } => format!("spell it {APPLY_LIMIT_PER_UNIQUE_VALUE}"),
            RawViolation::UnknownKey { closest, known, .. } => format!("use {closest:?}, the closest key the chart knows here (known keys: {})", known.join(", ")),
        }
    }
}

/// Whether a node holds run limits (`maxConcurrentRuns` or a non-empty `tagConcurrencyLimits`).
pub fn holds_run_limits(section: Option<&Node>) -> bool {
    let Some(section) = section else {
        return false;
    };
    let present = |key| section.get(key).is_some_and(|n| n.value != Value::Null);
    let tags = section
        .get(TAG_CONCURRENCY_LIMITS)
        .is_some_and(|n| match &n.value {
            Value::Null => false,
            Value::List(items) => !items.is_empty(),
            _ => true,
        });
    present(MAX_CONCURRENT_RUNS) || tags
}

/// Checks the Dagster chart's values (the tree below any values prefix).
pub fn check(dagster: &Node, out: &mut dyn RawFindings) {
    let queued = dagster.at(Section::Queued.path());
    let runs = dagster.at(Section::Runs.path());
    check_not_applied(dagster, queued, out);
    if holds_run_limits(queued) && holds_run_limits(runs) {
        let at = runs.map_or(dagster.position, |n| n.position);
        out.raise(
            Section::Runs.dotted(),
            at,
            &RawViolation::LimitsInBothPlaces,
        );
    }
    if let Some(queued) = queued {
        let base = Section::Queued.dotted();
        unknown_keys(queued, &base, Section::Queued, out);
        if let Some(block) = queued.get(keys::BLOCK_OP_CONCURRENCY_LIMITED_RUNS) {
            unknown_keys(block, &Section::BlockOp.dotted(), Section::BlockOp, out);
        }
        tag_items(queued, &base, out);
    }
    if let Some(runs) = runs {
        let base = Section::Runs.dotted();
        unknown_keys(runs, &base, Section::Runs, out);
        tag_items(runs, &base, out);
    }
    if let Some(pools) = dagster.at(Section::Pools.path()) {
        unknown_keys(pools, &Section::Pools.dotted(), Section::Pools, out);
    }
}

fn check_not_applied(dagster: &Node, queued: Option<&Node>, out: &mut dyn RawFindings) {
    let coordinator = dagster.at(&COORDINATOR);
    let switch = |key| coordinator.and_then(|c| c.get(key));
    if holds_run_limits(queued) {
        let reason = match (switch(keys::ENABLED), switch(keys::TYPE)) {
            (Some(node), _) if node.value == Value::Bool(false) => {
                Some((keys::ENABLED, node, RawViolation::CoordinatorDisabled))
            }
            (_, Some(node)) if matches!(&node.value, Value::Str(t) if t == "CustomRunCoordinator") => {
                Some((keys::TYPE, node, RawViolation::CustomCoordinator))
            }
            _ => None,
        };
        if let Some((key, node, violation)) = reason {
            out.raise(
                format!("{}.{key}", COORDINATOR.join(".")),
                node.position,
                &violation,
            );
        }
    }
    let Some(concurrency) = dagster.get(keys::CONCURRENCY) else {
        return;
    };
    let used = holds_run_limits(dagster.at(Section::Runs.path()))
        || dagster
            .at(Section::Pools.path())
            .is_some_and(|p| !p.entries().is_empty());
    let enabled = concurrency.get(keys::ENABLED);
    if used && enabled.map(|n| &n.value) != Some(&Value::Bool(true)) {
        let at = enabled.unwrap_or(concurrency);
        out.raise(
            format!("{}.{}", keys::CONCURRENCY, keys::ENABLED),
            at.position,
            &RawViolation::SectionDisabled,
        );
    }
}

fn tag_items(section: &Node, base: &str, out: &mut dyn RawFindings) {
    let Some(Value::List(items)) = section.get(TAG_CONCURRENCY_LIMITS).map(|n| &n.value) else {
        return;
    };
    for (index, item) in items.iter().enumerate() {
        let item_key = format!("{base}.{TAG_CONCURRENCY_LIMITS}[{index}]");
        unknown_keys(item, &item_key, Section::TagLimit, out);
        let Some(value) = item.get(keys::VALUE) else {
            continue;
        };
        for (key, node) in value.entries() {
            if key != APPLY_LIMIT_PER_UNIQUE_VALUE {
                out.raise(
                    format!("{item_key}.{}.{key}", keys::VALUE),
                    node.position,
                    &RawViolation::MisspeltPerUniqueValue { key },
                );
            }
        }
    }
}

fn unknown_keys(node: &Node, base: &str, section: Section, out: &mut dyn RawFindings) {
    let known: Vec<&str> = section.keys().collect();
    for (key, node) in node.entries() {
        if known.contains(&key.as_str()) {
            continue;
        }
        let closest = known
            .iter()
            .min_by_key(|k| strsim::levenshtein(key, k))
            .copied()
            .unwrap_or_default();
        out.raise(
            format!("{base}.{key}"),
            node.position,
            &RawViolation::UnknownKey {
                key,
                closest,
                known: &known,
            },
        );
    }
}
