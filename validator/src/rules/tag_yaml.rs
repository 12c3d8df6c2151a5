//! Tag strings the chart writes in a form Dagster's YAML reader cannot load.

use super::{rule, Context, Finding};
use crate::model::{Placement, Setting};
use crate::path::AttrPath;

/// Strings Go's YAML writer (the chart's `toYaml`) leaves plain and PyYAML reads as its merge
/// (`<<`) and value (`=`) keys, which it cannot construct.
const MISREAD_PLAIN: [&str; 2] = ["<<", "="];

rule!(
    /// A tag key or value the chart writes so that Dagster cannot load `dagster.yaml`.
    TAG_STRING_MISREAD_BY_DAGSTER, "DC210", "tag-string-misread-by-dagster", Error,
    r#"## What it does
Checks that no tag limit's `key` or `value` is exactly `<<` or `=`.

## Why is this bad?
The chart writes tag limits into `dagster.yaml` with `toYaml`, whose YAML writer leaves `<<` and `=`
unquoted; Dagster reads the file with PyYAML, which takes a plain `<<` for a merge key and a plain
`=` for a value key and refuses the whole file ("could not determine a constructor for the tag
'tag:yaml.org,2002:merge'"). Checked with the released charts 1.10.4 and 1.12.17 and dagster
1.13.28: under the run coordinator both the key and the value are written that way, under the
`concurrency` section the value (the chart quotes the key there).

## How to fix
Use the tag key and value your runs carry; no Dagster tag is `<<` or `=`.

## Example
```hcl
tag_concurrency_limit {
  key   = "team"
  value = "<<"
  limit = 1
}
```
Use instead:
```hcl
tag_concurrency_limit {
  key   = "team"
  value = "data"
  limit = 1
}
```
"#
);

/// Checks every known tag key and value.
pub(super) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    // Under the concurrency section the chart quotes the key and writes only the value raw.
    let key_raw = ctx.placement != Some(Placement::Concurrency);
    for (index, tag) in ctx.config.known_tag_limits() {
        let fields = [("key", &tag.key, key_raw), ("value", &tag.value, true)];
        for (field, setting, written_raw) in fields {
            let Setting::Known(text) = setting else {
                continue;
            };
            if written_raw && MISREAD_PLAIN.contains(&text.as_str()) {
                out.push(TAG_STRING_MISREAD_BY_DAGSTER.at(
                    AttrPath::item("tag_concurrency_limit", index).then(field),
                    format!("tag {field} {text:?} at tag_concurrency_limit[{index}] is written unquoted by the chart, and Dagster cannot load a plain {text}"),
                    format!("use the tag {field} your runs carry"),
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fired, seed, tag};
    use crate::model::Setting;

    #[test]
    fn tag_string_misread_by_dagster() {
        let mut config = seed();
        let mut limit = tag("<<", 1);
        limit.value = Setting::Known("=".into());
        config.tag_limits = Setting::Known(vec![limit]);
        assert_eq!(
            fired(&config, "DC210"),
            [
                "tag_concurrency_limit[0].key",
                "tag_concurrency_limit[0].value"
            ]
        );
        config.placement = Setting::Known("concurrency".into());
        assert_eq!(fired(&config, "DC210"), ["tag_concurrency_limit[0].value"]);
        config.tag_limits = Setting::Known(vec![tag("<<a", 1), tag("==", 1)]);
        assert!(fired(&config, "DC210").is_empty());
    }
}
