//! Input rules: the chart version, the values prefix, and numbers that must be whole.

use super::{rule, Context, Finding};
use crate::model::Setting;
use crate::path::AttrPath;
use crate::render::resolved::{prefix_segments, MAX_PREFIX_SEGMENTS};
use crate::version::{ChartVersion, NEWEST_KNOWN};

rule!(
    /// `chart_version` is not a `MAJOR.MINOR.PATCH` version.
    UNPARSEABLE_CHART_VERSION, "DC501", "unparseable-chart-version", Error,
    r#"## What it does
Checks that `chart_version` is a version such as `1.12.14`.

## Why is this bad?
The chart version decides which keys exist and which conflicts apply; without it no rule that
depends on the chart can be checked and nothing can be rendered.

## How to fix
Write the Dagster chart version you deploy, as `MAJOR.MINOR.PATCH` (a leading `v` is accepted).

## Example
```hcl
chart_version = "latest"
```
Use instead:
```hcl
chart_version = "1.12.14"
```
"#
);

rule!(
    /// `values_prefix` cannot be a Helm values path.
    INVALID_VALUES_PREFIX, "DC502", "invalid-values-prefix", Error,
    r#"## What it does
Checks that `values_prefix` is a dot-separated path of non-empty keys, at most 22 deep.

## Why is this bad?
Helm's `--set` parser cannot address an empty key (`dagster..x`, a leading or trailing dot), and
refuses names nested deeper than 30 levels; the deepest rendered name adds 8 to the prefix.

## How to fix
Use the subchart's name or alias as it appears in the umbrella chart's values, e.g. `dagster`.

## Example
```hcl
values_prefix = "platform..dagster"
```
Use instead:
```hcl
values_prefix = "platform.dagster"
```
"#
);

rule!(
    /// `chart_version` is newer than the newest chart this build knows.
    CHART_NEWER_THAN_KNOWN, "DC503", "chart-newer-than-known", Warning,
    r#"## What it does
Warns when `chart_version` is newer than the newest chart version this provider was checked against.

## Why is this bad?
Later charts may rename keys or change how limits render; the rules encode what was verified up
to the newest known version, so they may miss a change.

## How to fix
Upgrade the provider, or set `chart_version` to the newest version it knows if the chart did not change.

## Example
```hcl
chart_version = "9.0.0"
```
Use instead:
```hcl
chart_version = "1.13.28"
```
"#
);

rule!(
    /// A number that must be whole has a fraction or does not fit.
    NOT_A_WHOLE_NUMBER, "DC504", "not-a-whole-number", Error,
    r#"## What it does
Checks that limits, counts and intervals are whole numbers within 64-bit range. Raised while
reading the configuration, before the other rules.

## Why is this bad?
The chart and Dagster take integers; `2.5` runs or a limit of `1e30` cannot be rendered.

## How to fix
Write a whole number.

## Example
```hcl
max_concurrent_runs = 2.5
```
Use instead:
```hcl
max_concurrent_runs = 2
```
"#
);

/// Checks the chart version and the values prefix.
pub(super) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    if let Setting::Known(text) = &ctx.config.chart_version {
        match ChartVersion::parse(text) {
            None => out.push(UNPARSEABLE_CHART_VERSION.at(
                AttrPath::attr("chart_version"),
                format!("chart_version {text:?} is not a MAJOR.MINOR.PATCH version"),
                format!("write the Dagster chart version you deploy, e.g. \"{NEWEST_KNOWN}\""),
            )),
            Some(version) if version > NEWEST_KNOWN => out.push(CHART_NEWER_THAN_KNOWN.at(
                AttrPath::attr("chart_version"),
                format!("chart_version {version} is newer than {NEWEST_KNOWN}, the newest this provider knows"),
                "upgrade the provider; rules may miss changes made after the newest known chart".into(),
            )),
            Some(_) => {}
        }
    }
    if let Setting::Known(prefix) = &ctx.config.values_prefix {
        let problem = match prefix_segments(prefix) {
            None => Some("has an empty key (a leading, trailing or doubled dot)".to_string()),
            Some(segments) if segments.len() > MAX_PREFIX_SEGMENTS => Some(format!(
                "is {} keys deep; Helm allows at most {MAX_PREFIX_SEGMENTS} above the rendered names",
                segments.len()
            )),
            Some(_) => None,
        };
        if let Some(problem) = problem {
            out.push(INVALID_VALUES_PREFIX.at(
                AttrPath::attr("values_prefix"),
                format!("values_prefix {prefix:?} {problem}"),
                "use the subchart's name or alias as it appears in the parent chart's values, e.g. \"dagster\"".into(),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fired, seed};
    use crate::model::Setting;

    #[test]
    fn unparseable_chart_version() {
        let mut config = seed();
        config.chart_version = Setting::Known("latest".into());
        assert_eq!(fired(&config, "DC501"), ["chart_version"]);
        config.chart_version = Setting::Known("1.12.14".into());
        assert!(fired(&config, "DC501").is_empty());
    }

    #[test]
    fn invalid_values_prefix() {
        let mut config = seed();
        for bad in ["a..b", ".a", "a.", &"x.".repeat(23)[..45]] {
            config.values_prefix = Setting::Known(bad.into());
            assert_eq!(fired(&config, "DC502"), ["values_prefix"], "{bad}");
        }
        for good in ["", "dagster", "platform.dagster", "we=ird,[key]"] {
            config.values_prefix = Setting::Known(good.into());
            assert!(fired(&config, "DC502").is_empty(), "{good}");
        }
    }

    #[test]
    fn chart_newer_than_known() {
        let mut config = seed();
        config.chart_version = Setting::Known("9.0.0".into());
        assert_eq!(fired(&config, "DC503"), ["chart_version"]);
        config.chart_version = Setting::Known("1.13.28".into());
        assert!(fired(&config, "DC503").is_empty());
    }
}
