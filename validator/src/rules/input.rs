//! Input rules: the chart version, the values prefix, and numbers that must be whole.

use super::{rule, Context, Finding, Rule, Violation};
use crate::chart::path::{prefix_segments, MAX_PREFIX_SEGMENTS};
use crate::model::Setting;
use crate::path::AttrPath;
use crate::version::{ChartVersion, Series, NEWEST_KNOWN, RELEASED};

rule!(
    /// `chart_version` is not a `MAJOR.MINOR.PATCH` version.
    UNPARSEABLE_CHART_VERSION, "DC501", "unparseable-chart-version", Error,
    r#"## What it does
Checks that `chart_version` is exact SemVer text such as `1.12.14`: no leading `v`, no spaces,
no leading zeros.

The CLI reads a `helm_release`'s `version` and `--chart-version` as Helm reads `--version`, so
`v1.12.14` passes there.

## Why is this bad?
The chart version decides which keys exist and which conflicts apply; without it no rule that
depends on the chart can be checked and nothing can be rendered. `chart_version` is also passed
on to Helm as the release's `version` (`version = dagster_concurrency.this.chart_version`), and
Helm requires a chart version to be exact SemVer.

## How to fix
Write the Dagster chart version you deploy as `MAJOR.MINOR.PATCH`, exactly: `1.12.14`, not
`v1.12.14`, `01.12.14` or `"1.12.14 "`.

## Example
```hcl
chart_version = "v1.12.14"
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

/// DC504: `name` is written as `written`, which has a fraction or does not fit in 64 bits.
pub struct NotAWholeNumber<'a> {
    /// The setting as the file names it.
    pub name: &'a str,
    /// The number as written.
    pub written: &'a str,
}

impl Violation for NotAWholeNumber<'_> {
    fn rule(&self) -> &'static Rule {
        &NOT_A_WHOLE_NUMBER
    }

    fn summary(&self) -> String {
        format!(
            "{} = {} is not a whole number within 64-bit range",
            self.name, self.written
        )
    }

    fn fix(&self) -> String {
        "write a whole number".into()
    }
}

rule!(
    /// `chart_version` lies within the known versions but was never released.
    UNRELEASED_CHART_VERSION, "DC505", "unreleased-chart-version", Warning,
    r#"## What it does
Warns when the chart version lies within the versions this build knows (0.10.0 to the newest
known) but the Dagster chart repository never published it, such as `1.12.99` or `1.8.3`.

## Why is this bad?
Helm finds no such chart and the install fails, or the version is a typo for another one; the
rules then check the limits against a chart that does not exist.

## How to fix
Use a published chart version: `helm search repo dagster/dagster --versions` lists them.

## Example
```hcl
chart_version = "1.12.99"
```
Use instead:
```hcl
chart_version = "1.12.14"
```
"#
);

/// The newest released chart of `version`'s minor series, else the newest known.
fn closest_released(version: ChartVersion) -> ChartVersion {
    RELEASED
        .iter()
        .find(|series| (series.major, series.minor) == (version.major, version.minor))
        .map_or(NEWEST_KNOWN, Series::last)
}

/// What is wrong with the chart version or the values prefix, named as the file names them.
enum InputViolation<'a> {
    /// DC501: not a version; `exact` is the SemVer text meant, when the text is one loosely.
    UnparseableChartVersion {
        name: &'a str,
        text: &'a str,
        exact: Option<String>,
    },
    /// DC503.
    ChartNewerThanKnown {
        name: &'a str,
        version: ChartVersion,
    },
    /// DC505.
    UnreleasedChartVersion {
        name: &'a str,
        version: ChartVersion,
    },
    /// DC502: a leading, trailing or doubled dot.
    EmptyPrefixKey { name: &'a str, prefix: &'a str },
    /// DC502: more keys than Helm can address.
    PrefixTooDeep {
        name: &'a str,
        prefix: &'a str,
        depth: usize,
    },
}

impl Violation for InputViolation<'_> {
    fn rule(&self) -> &'static Rule {
        match self {
            InputViolation::UnparseableChartVersion { .. } => &UNPARSEABLE_CHART_VERSION,
            InputViolation::ChartNewerThanKnown { .. } => &CHART_NEWER_THAN_KNOWN,
            InputViolation::UnreleasedChartVersion { .. } => &UNRELEASED_CHART_VERSION,
            InputViolation::EmptyPrefixKey { .. } | InputViolation::PrefixTooDeep { .. } => {
                &INVALID_VALUES_PREFIX
            }
        }
    }

    fn summary(&self) -> String {
        match self {
            InputViolation::UnparseableChartVersion {
                name,
                text,
                exact: Some(_),
            } => format!(
                "{name} {text:?} is not exact SemVer text, which Helm requires of a chart version"
            ),
            InputViolation::UnparseableChartVersion {
                name,
                text,
                exact: None,
            } => format!("{name} {text:?} is not a MAJOR.MINOR.PATCH version"),
            InputViolation::ChartNewerThanKnown { name, version } => format!(
                "{name} {version} is newer than {NEWEST_KNOWN}, the newest chart these rules know"
            ),
            InputViolation::UnreleasedChartVersion { name, version } => {
                format!("{name} {version} was never released as a Dagster chart")
            }
            InputViolation::EmptyPrefixKey { name, prefix } => format!(
                "{name} {prefix:?} has an empty key (a leading, trailing or doubled dot)"
            ),
            InputViolation::PrefixTooDeep {
                name,
                prefix,
                depth,
            } => format!(
                "{name} {prefix:?} is {depth} keys deep; Helm allows at most {MAX_PREFIX_SEGMENTS} above the rendered names"
            ),
        }
    }

    fn fix(&self) -> String {
        match self {
            InputViolation::UnparseableChartVersion {
                exact: Some(exact), ..
            } => format!("write {exact:?}"),
            InputViolation::UnparseableChartVersion { exact: None, .. } => format!(
                "write the Dagster chart version you deploy, e.g. {:?}",
                NEWEST_KNOWN.to_string()
            ),
            InputViolation::ChartNewerThanKnown { .. } => "upgrade the provider (or dagster-concurrency); rules may miss changes made after the newest known chart".into(),
            InputViolation::UnreleasedChartVersion { version, .. } => format!(
                "use a published chart version, e.g. {:?}",
                closest_released(*version).to_string()
            ),
            InputViolation::EmptyPrefixKey { .. } | InputViolation::PrefixTooDeep { .. } => {
                "use the subchart's name or alias as it appears in the parent chart's values, e.g. \"dagster\"".into()
            }
        }
    }
}

/// Checks the chart version and the values prefix.
pub(super) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    if let Setting::Known(text) = &ctx.config.chart_version {
        let path = AttrPath::attr("chart_version");
        let name = &ctx.words.name(&path);
        let violation = match ctx.chart {
            None => Some(InputViolation::UnparseableChartVersion {
                name,
                text,
                exact: ChartVersion::exact_text(text),
            }),
            Some(version) if version > NEWEST_KNOWN => {
                Some(InputViolation::ChartNewerThanKnown { name, version })
            }
            Some(version) if version.never_released() => {
                Some(InputViolation::UnreleasedChartVersion { name, version })
            }
            Some(_) => None,
        };
        if let Some(violation) = violation {
            out.push(Finding::new(path, &violation));
        }
    }
    if let Setting::Known(prefix) = &ctx.config.values_prefix {
        let path = AttrPath::attr("values_prefix");
        let name = &ctx.words.name(&path);
        let violation = match prefix_segments(prefix) {
            None => Some(InputViolation::EmptyPrefixKey { name, prefix }),
            Some(segments) if segments.len() > MAX_PREFIX_SEGMENTS => {
                Some(InputViolation::PrefixTooDeep {
                    name,
                    prefix,
                    depth: segments.len(),
                })
            }
            Some(_) => None,
        };
        if let Some(violation) = violation {
            out.push(Finding::new(path, &violation));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fired, seed};
    use crate::model::Setting;
    use crate::rules::{check, check_as, Source};

    #[test]
    fn unparseable_chart_version() {
        let mut config = seed();
        config.chart_version = Setting::Known("latest".into());
        assert_eq!(fired(&config, "DC501"), ["chart_version"]);
        config.chart_version = Setting::Known("1.12.14".into());
        assert!(fired(&config, "DC501").is_empty());
    }

    #[test]
    fn chart_version_must_be_exact_semver_and_the_fix_says_which() {
        for near in ["v1.12.14", "1.12.14 ", "01.12.14"] {
            let mut config = seed();
            config.chart_version = Setting::Known(near.into());
            let findings = check(&config);
            let finding = findings
                .iter()
                .find(|f| f.rule.code == "DC501")
                .unwrap_or_else(|| panic!("{near:?} refused"));
            assert_eq!(finding.fix, "write \"1.12.14\"", "{near:?}");
            assert!(
                finding.summary.contains("exact SemVer"),
                "{}",
                finding.summary
            );
            // A helm_release's `version` is a Helm constraint, which reads these.
            assert!(check_as(&config, Source::HelmRelease)
                .iter()
                .all(|f| f.rule.code != "DC501"));
        }
    }

    #[test]
    fn unreleased_chart_version() {
        let mut config = seed();
        config.chart_version = Setting::Known("1.12.99".into());
        assert_eq!(fired(&config, "DC505"), ["chart_version"]);
        let findings = check(&config);
        let finding = findings
            .iter()
            .find(|f| f.rule.code == "DC505")
            .expect("DC505");
        assert_eq!(
            finding.fix,
            "use a published chart version, e.g. \"1.12.22\""
        );
        for released in ["1.12.14", "1.13.28"] {
            config.chart_version = Setting::Known(released.into());
            assert!(fired(&config, "DC505").is_empty(), "{released}");
        }
        config.chart_version = Setting::Known("9.0.0".into());
        assert!(
            fired(&config, "DC505").is_empty(),
            "newer versions are DC503's"
        );
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
