//! Tag strings the chart writes in a form Dagster's YAML reader cannot load.

use super::{rule, Context, Finding, Rule, Violation};
use crate::model::{Placement, Setting};
use crate::path::AttrPath;

/// Strings Go's YAML writer (the chart's `toYaml`) leaves plain and PyYAML reads as its merge
/// (`<<`) and value (`=`) keys, which it cannot construct.
const MISREAD_PLAIN: [&str; 2] = ["<<", "="];

/// Characters `toYaml` writes raw and PyYAML reads otherwise: DEL (the tag limits come back as
/// null), NEL (read as a space) and the line separator U+2028 (the file does not load).
const MISREAD_CHARS: [char; 3] = ['\u{7f}', '\u{85}', '\u{2028}'];

/// True for a YAML 1.1 hexadecimal or binary integer (`0x1F`, `-0b101`, underscores allowed)
/// outside 64 bits. Go's YAML writer quotes a string only when it would read back as a number
/// it can hold, so it leaves these plain, and PyYAML reads them as integers.
fn overflowing_radix_integer(text: &str) -> bool {
    let (sign, body) = match text.as_bytes().first() {
        Some(b'-' | b'+') => (&text[..1], &text[1..]),
        _ => ("", text),
    };
    let (radix, digits) = if let Some(digits) = body.strip_prefix("0x") {
        (16, digits)
    } else if let Some(digits) = body.strip_prefix("0b") {
        (2, digits)
    } else {
        return false;
    };
    let digits: String = digits.chars().filter(|c| *c != '_').collect();
    if digits.is_empty() || !body[2..].chars().all(|c| c == '_' || c.is_digit(radix)) {
        return false;
    }
    // Go parses a signed text as int64 and an unsigned one as int64 or uint64.
    match (sign, u64::from_str_radix(&digits, radix)) {
        (_, Err(_)) => true,
        ("-", Ok(value)) => value > 1 << 63,
        ("+", Ok(value)) => value > i64::MAX as u64,
        (_, Ok(_)) => false,
    }
}

/// True for a YAML 1.1 float that starts at its point (`.5_`, `.5__1`, `.5_E-2`) with an
/// underscore Go's number syntax refuses (one not between two digits). Go's YAML writer quotes
/// such a string only when Go parses it as a number, so it leaves these plain, and PyYAML reads
/// them as floats (`.5_` is 0.5). An underscore between digits (`.0_1`) parses in Go and is quoted.
fn underscored_point_float(text: &str) -> bool {
    let Some(rest) = text.strip_prefix('.') else {
        return false;
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(at) => (&rest[..at], Some(&rest[at + 1..])),
        None => (rest, None),
    };
    let is_yaml_float = mantissa.starts_with(|c: char| c.is_ascii_digit())
        && mantissa.chars().all(|c| c.is_ascii_digit() || c == '_')
        && exponent.is_none_or(|exponent| {
            exponent.strip_prefix(['+', '-']).is_some_and(|digits| {
                !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
            })
        });
    let go_parses = !mantissa.ends_with('_') && !mantissa.contains("__");
    is_yaml_float && !go_parses
}

/// What the chart would write instead of `text`, or `None` when it is written faithfully.
fn misread(text: &str, written_raw: bool, under_section: bool) -> Option<&'static str> {
    if written_raw && MISREAD_PLAIN.contains(&text) {
        Some("a plain merge or value key, so Dagster cannot load dagster.yaml")
    } else if written_raw && overflowing_radix_integer(text) {
        Some("a plain integer too large for 64 bits, which Dagster reads as a number, not a tag string")
    } else if written_raw && underscored_point_float(text) {
        Some("a plain float with an underscore, which Dagster reads as a number, not a tag string")
    } else if written_raw && text.contains(MISREAD_CHARS) {
        Some("DEL, NEL or U+2028 raw, which Dagster's YAML reader loses or refuses")
    } else if under_section && text.contains('\n') {
        // `value: {{ .value | toYaml | nindent 8 }}` indents every line of a block scalar.
        Some("a block scalar the template indents again, adding spaces to the value")
    } else {
        None
    }
}

rule!(
    /// A tag key or value the chart writes so that Dagster cannot load `dagster.yaml`.
    TAG_STRING_MISREAD_BY_DAGSTER, "DC210", "tag-string-misread-by-dagster", Error,
    r#"## What it does
Checks that no tag limit's `key` or `value` is exactly `<<` or `=`, is a hexadecimal or binary
integer too large for 64 bits (`0x1F9223372036854775807`), is a float starting at its point with
an underscore not between two digits (`.5_`, `.5_E-2`), holds DEL (U+007F), NEL (U+0085) or the
line separator U+2028, or (a value under the `concurrency` section) a line break.

## Why is this bad?
The chart writes tag limits into `dagster.yaml` with `toYaml`, whose YAML writer leaves `<<` and `=`
unquoted; Dagster reads the file with PyYAML, which takes a plain `<<` for a merge key and a plain
`=` for a value key and refuses the whole file ("could not determine a constructor for the tag
'tag:yaml.org,2002:merge'"). The writer also passes DEL, NEL and U+2028 through raw: PyYAML then
reads every tag limit as null (DEL), a space (NEL), or refuses the file (U+2028). Under the
`concurrency` section the template indents the value's YAML again, so a value with a line break
gains spaces. Go's writer quotes a string that reads back as a number only when the number fits
64 bits, so `0x1F9223372036854775807` is written plain and PyYAML reads it as an integer, which
Dagster refuses for a tag value ("is not valid for expected type String"). Likewise a float
written from its point with a stray underscore (`.5_`): Go's number syntax refuses it, so the
writer leaves it plain, and PyYAML reads it as 0.5. All of this was checked with the released charts 1.10.4 and 1.12.17 and dagster
1.13.28: under the run coordinator the key and the value are written through `toYaml`, under the
`concurrency` section the value (the chart quotes the key there). No Dagster tag key or value
holds these.

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

/// DC210: the tag `field` (`key` or `value`) of limit `index` is written as text Dagster reads
/// otherwise, for the reason `why`.
struct MisreadTag<'a> {
    field: &'static str,
    text: &'a str,
    index: usize,
    why: &'static str,
}

impl Violation for MisreadTag<'_> {
    fn rule(&self) -> &'static Rule {
        &TAG_STRING_MISREAD_BY_DAGSTER
    }

    fn summary(&self) -> String {
        let MisreadTag {
            field,
            text,
            index,
            why,
        } = self;
        format!("tag {field} {text:?} at tag_concurrency_limit[{index}]: the chart writes {why}")
    }

    fn fix(&self) -> String {
        format!("use the tag {} your runs carry", self.field)
    }
}

/// Checks every known tag key and value.
pub(super) fn check(ctx: &Context, out: &mut Vec<Finding>) {
    // Under the concurrency section the chart quotes the key and writes only the value raw.
    let under_section = ctx.placement == Some(Placement::Concurrency);
    for (index, tag) in ctx.config.known_tag_limits() {
        let fields = [
            ("key", &tag.key, !under_section),
            ("value", &tag.value, true),
        ];
        for (field, setting, written_raw) in fields {
            let Setting::Known(text) = setting else {
                continue;
            };
            let section_value = under_section && field == "value";
            if let Some(why) = misread(text, written_raw, section_value) {
                out.push(Finding::new(
                    AttrPath::item("tag_concurrency_limit", index).then(field),
                    &MisreadTag {
                        field,
                        text,
                        index,
                        why,
                    },
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{fired, seed, tag};
    use super::{overflowing_radix_integer, underscored_point_float};
    use crate::model::Setting;

    #[test]
    fn integers_go_writes_plain() {
        for text in [
            "0x1F9223372036854775807",
            "0x1_0000_0000_0000_0000",
            "-0x8000000000000001",
            "+0x8000000000000000",
        ] {
            assert!(overflowing_radix_integer(text), "{text}");
        }
        assert!(overflowing_radix_integer(&format!("0b{}", "1".repeat(65))));
        for text in [
            "0x1F",
            "0xFFFFFFFFFFFFFFFF",
            "-0x8000000000000000",
            "+0x7FFFFFFFFFFFFFFF",
            "0x",
            "0xG1",
            "1x1F",
            "0b102",
            "team",
        ] {
            assert!(!overflowing_radix_integer(text), "{text}");
        }
    }

    #[test]
    fn floats_go_writes_plain() {
        for text in [".5_", ".5__", ".5__1", ".5_E-2", ".5_e+3", ".0_"] {
            assert!(underscored_point_float(text), "{text}");
        }
        // Go parses these (and the writer quotes them), or PyYAML does not read a float.
        for text in [
            ".5", ".0_1", ".5e+3", ".5_e3", ".5_e+3_", "._5", "._", ".5_e+", "0.5_", "+.5_", "team",
        ] {
            assert!(!underscored_point_float(text), "{text}");
        }
    }

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
        // Found by the chart conformance test: the chart wrote this value plain and Dagster
        // read an integer.
        let mut hex = tag("TRUE", 1);
        hex.value = Setting::Known("0x1F9223372036854775807".into());
        config.tag_limits = Setting::Known(vec![hex]);
        assert_eq!(fired(&config, "DC210"), ["tag_concurrency_limit[0].value"]);
        let mut broken = tag("a\u{7f}", 1);
        broken.value = Setting::Known("x\ny".into());
        config.tag_limits = Setting::Known(vec![broken, tag("b\u{2028}", 1), tag("\u{85}", 1)]);
        assert_eq!(fired(&config, "DC210"), ["tag_concurrency_limit[0].value"]);
        config.placement = Setting::Known("run_coordinator".into());
        assert_eq!(
            fired(&config, "DC210"),
            [
                "tag_concurrency_limit[0].key",
                "tag_concurrency_limit[1].key",
                "tag_concurrency_limit[2].key"
            ]
        );
        // Found by the chart conformance test: the chart wrote this key plain and Dagster read
        // the float 0.5. Under the `concurrency` section the chart quotes keys.
        config.tag_limits = Setting::Known(vec![tag(".5_", 2)]);
        assert_eq!(fired(&config, "DC210"), ["tag_concurrency_limit[0].key"]);
        config.placement = Setting::Known("concurrency".into());
        assert!(fired(&config, "DC210").is_empty());
    }
}
