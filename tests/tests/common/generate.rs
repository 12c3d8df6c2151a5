//! Configurations with hostile strings, only those that render without error findings, and
//! their rendering (what the rules accept, or overrule for a rule's evidence); shared by the
//! conformance suite and the chart conformance test (`#[path]`-included by each).

use proptest::prelude::*;
use proptest::sample::select;
use validator::model::{BlockOpSettings, ConcurrencyConfig, PoolSettings, Setting, TagLimit};
use validator::render::{render, Rendered};
use validator::rules::{accept, accept_overruling, find, Rejected, EXPONENT_FORM_FROM};
use validator::version::{ChartVersion, CONCURRENCY_SECTION_FIXED, NEWEST_KNOWN};

/// Strings that Helm's `--set` typing or its YAML 1.1 reader would turn into something else.
const RETYPED: &[&str] = &[
    "",
    "true",
    "False",
    "TRUE",
    "null",
    "Null",
    "~",
    "0",
    "123",
    "0123",
    "007",
    "1e3",
    "0x1F",
    "0o17",
    "-1",
    "+1",
    "1_000",
    ".5",
    "1.0",
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    ".inf",
    "-.nan",
    "<<",
    "9223372036854775807",
    "9223372036854775808",
];

/// Characters and fragments that are structure for strvals, YAML or HCL, and unicode.
const FRAGMENTS: &[&str] = &[
    ",",
    ".",
    "=",
    "[",
    "]",
    "[0]",
    "[-1]",
    "{",
    "}",
    "{a,b}",
    "\\",
    "\\,",
    "\\.",
    "\\\\",
    " ",
    "  ",
    "\"",
    "'",
    ":",
    ": ",
    "- ",
    "#",
    "&a",
    "*a",
    "!!str",
    "|",
    ">",
    "?",
    "@",
    "`",
    "%",
    "${x}",
    "%{",
    "$${",
    "\n",
    "\t",
    "\r",
    "é",
    "e\u{301}",
    "日本",
    "🙂",
    "\u{2028}",
    "\u{85}",
    "\u{feff}",
    "\u{7f}",
    "\u{1}",
    "/",
    "dagster/backfill",
];

/// A string built from retyped words, structure fragments and plain words.
pub fn hostile_string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => select(FRAGMENTS).prop_map(str::to_owned),
        2 => select(RETYPED).prop_map(str::to_owned),
        2 => "[a-z0-9_/-]{1,8}",
    ];
    prop_oneof![
        1 => select(RETYPED).prop_map(str::to_owned),
        3 => prop::collection::vec(piece, 1..5).prop_map(|pieces| pieces.concat()),
    ]
}

/// A prefix segment: hostile, without the dot that separates segments, never empty.
fn prefix_segment() -> impl Strategy<Value = String> {
    hostile_string()
        .prop_map(|text| text.replace('.', ""))
        .prop_filter("prefix segments are not empty", |text| !text.is_empty())
}

/// A values prefix: none, empty, a few hostile segments, or the deepest one Helm allows.
fn values_prefix() -> impl Strategy<Value = Setting<String>> {
    prop_oneof![
        8 => Just(Setting::Unset),
        4 => Just(Setting::Known(String::new())),
        16 => prop::collection::vec(prefix_segment(), 1..4)
            .prop_map(|segments| Setting::Known(segments.join("."))),
        // Rare: every entry then carries 22 more levels through the oracle.
        1 => prop::collection::vec(prefix_segment(), 22..=22)
            .prop_map(|segments| Setting::Known(segments.join("."))),
    ]
}

fn setting<T: Clone + std::fmt::Debug + 'static>(
    value: impl Strategy<Value = T> + 'static,
) -> impl Strategy<Value = Setting<T>> {
    prop_oneof![1 => Just(Setting::Unset), 3 => value.prop_map(Setting::Known)]
}

/// The largest integer Helm's values-file reader keeps exact: it reads every number as a
/// float64 (see `helm_reads_yaml_numbers_as_floats`).
pub const LARGEST_EXACT_YAML_INT: i64 = 1 << 53;

fn limit() -> impl Strategy<Value = i64> {
    prop_oneof![8 => 0i64..10, 1 => Just(LARGEST_EXACT_YAML_INT)]
}

fn tag_limit() -> impl Strategy<Value = TagLimit> {
    let matching = prop_oneof![
        Just((Setting::Unset, Setting::Unset)),
        hostile_string().prop_map(|value| (Setting::Known(value), Setting::Unset)),
        // `false` is the default and goes with a value (DC203 is only for `true`).
        hostile_string().prop_map(|value| (Setting::Known(value), Setting::Known(false))),
        any::<bool>().prop_map(|flag| (Setting::Unset, Setting::Known(flag))),
    ];
    (hostile_string(), matching, limit()).prop_map(|(key, (value, per_value), limit)| TagLimit {
        key: Setting::Known(key),
        value,
        apply_limit_per_unique_value: per_value,
        limit: Setting::Known(limit),
    })
}

const CHARTS: &[&str] = &[
    "1.8.0",
    "1.8.13",
    "1.10.0",
    "1.12.8",
    "1.12.12",
    "1.12.14",
    "1.13.0",
    "1.13.28",
    "v1.13.28",
    "1.13.28-rc1",
    "2.0.0",
];

/// Any configuration, valid or not.
fn any_config() -> impl Strategy<Value = ConcurrencyConfig> {
    let block_op =
        (any::<bool>(), setting(0i64..5)).prop_map(|(enabled, buffer)| BlockOpSettings {
            enabled: Setting::Known(enabled),
            op_concurrency_slot_buffer: buffer,
        });
    let pools = (
        setting(0i64..=1000),
        setting(select(&["run", "op"][..]).prop_map(str::to_owned)),
        setting(0i64..5),
    )
        .prop_map(|(default_limit, granularity, buffer)| PoolSettings {
            default_limit,
            granularity,
            op_granularity_run_buffer: buffer,
        });
    let placement =
        setting(select(&["run_coordinator", "concurrency"][..]).prop_map(str::to_owned));
    let runs = setting(prop_oneof![
        Just(-1i64),
        0i64..50,
        Just(EXPONENT_FORM_FROM - 1)
    ]);
    let queue = (
        setting(0i64..120),
        setting(any::<bool>()),
        setting(1i64..16),
    );
    (
        setting(select(CHARTS).prop_map(str::to_owned)),
        values_prefix(),
        placement,
        runs,
        setting(prop::collection::vec(tag_limit(), 0..5)),
        queue,
        setting(block_op),
        setting(pools),
    )
        .prop_map(
            |(
                chart,
                prefix,
                placement,
                runs,
                tags,
                (interval, threads, workers),
                block_op,
                pools,
            )| {
                ConcurrencyConfig {
                    chart_version: chart,
                    values_prefix: prefix,
                    placement,
                    max_concurrent_runs: runs,
                    tag_limits: tags,
                    dequeue_interval_seconds: interval,
                    dequeue_use_threads: threads,
                    dequeue_num_workers: workers,
                    block_op,
                    pools,
                }
            },
        )
}

/// Steers a configuration clear of the conflicts the rules reject, so most cases render:
/// pools default the placement, the `concurrency` section needs chart 1.12.12 and leaves no room
/// for op blocking under the run coordinator, a slot buffer needs blocking on, and the section's
/// numbers stay below 1e6.
fn reconcile(mut config: ConcurrencyConfig) -> ConcurrencyConfig {
    if config.pools.is_set() && config.placement.known().is_some() {
        config.placement = Setting::Known("concurrency".into());
    }
    let uses_section = config.pools.is_set()
        || config.placement.known().map(String::as_str) == Some("concurrency");
    let chart = match config.chart_version.known() {
        Some(text) => ChartVersion::parse(text),
        None => Some(NEWEST_KNOWN),
    };
    if uses_section && chart.is_some_and(|chart| chart < CONCURRENCY_SECTION_FIXED) {
        config.chart_version = Setting::Known(CONCURRENCY_SECTION_FIXED.to_string());
    }
    if uses_section {
        config.block_op = Setting::Unset;
    }
    if let Setting::Known(block) = &mut config.block_op {
        if block.enabled == Setting::Known(false) {
            block.op_concurrency_slot_buffer = Setting::Unset;
        }
    }
    // The chart prints these from a values file in exponent form (DC407); under the run
    // coordinator its toYaml keeps tag limits whole.
    if uses_section {
        if let Setting::Known(tags) = &mut config.tag_limits {
            for tag in tags {
                if tag
                    .limit
                    .known()
                    .is_some_and(|limit| *limit >= EXPONENT_FORM_FROM)
                {
                    tag.limit = Setting::Known(EXPONENT_FORM_FROM - 1);
                }
            }
        }
    }
    config
}

/// Whether the provider renders this configuration: the rules accept it (no error finding).
pub fn renders(config: &ConcurrencyConfig) -> bool {
    accept(config).is_ok()
}

/// The provider's rendering of `config`, when the rules accept it.
pub fn rendered(config: &ConcurrencyConfig) -> Result<Rendered, Rejected> {
    accept(config).map(|accepted| render(&accepted))
}

/// `config` rendered despite the errors of rule `code`: what the chart and Dagster would get
/// if the rule did not refuse it.
pub fn rendered_overruling(config: &ConcurrencyConfig, code: &str) -> Result<Rendered, Rejected> {
    accept_overruling(config, find(code).as_slice()).map(|accepted| render(&accepted))
}

/// Configurations the provider renders.
pub fn renderable_config() -> impl Strategy<Value = ConcurrencyConfig> {
    any_config()
        .prop_map(reconcile)
        .prop_filter("the provider renders it", renders)
}
