//! Terraform values <-> the validator's model: the only place the two meet. Attribute names
//! come from the validator's table ([`validator::input::attributes::name`]).

use crate::required::{require, NullRequired};
use tfplugin::value::{Number, Value};
use validator::input::attributes::name::{self, block_op, pools, set_entry, tag_limit};
use validator::input::values_yaml;
use validator::model::{BlockOpSettings, ConcurrencyConfig, PoolSettings, Setting, TagLimit};
use validator::path::AttrPath;
use validator::position::Position;
use validator::render::{Rendered, SetEntry};
use validator::rules::{Finding, NotAWholeNumber};

/// A string attribute as a setting (a value of another type reads as unknown: the schema
/// types every attribute, so Terraform never sends one).
pub(crate) fn string(value: &Value) -> Setting<String> {
    match value {
        Value::Null => Setting::Unset,
        Value::String(text) => Setting::Known(text.clone()),
        _ => Setting::Unknown,
    }
}

/// A bool attribute as a setting.
pub(crate) fn boolean(value: &Value) -> Setting<bool> {
    match value {
        Value::Null => Setting::Unset,
        Value::Bool(flag) => Setting::Known(*flag),
        _ => Setting::Unknown,
    }
}

/// A list attribute or block list as a setting of its items.
pub(crate) fn items(value: &Value) -> Setting<&[Value]> {
    match value {
        Value::Null => Setting::Unset,
        Value::List(items) | Value::Set(items) => Setting::Known(items),
        _ => Setting::Unknown,
    }
}

/// A block list that may hold at most one block; an empty list is an absent block.
pub(crate) fn single(value: &Value) -> Setting<&Value> {
    match items(value) {
        Setting::Known(items) => items.first().into(),
        Setting::Unset => Setting::Unset,
        Setting::Unknown => Setting::Unknown,
    }
}

/// Reads a Terraform number as a whole number; anything else is a DC504 finding, and the
/// setting is treated as unknown so no other rule or renderer uses it.
pub(crate) fn whole(value: &Value, path: AttrPath, findings: &mut Vec<Finding>) -> Setting<i64> {
    let shown = match value {
        Value::Null => return Setting::Unset,
        Value::Number(Number::Int(int)) => return Setting::Known(*int),
        // A big number shows the decimal text Terraform sent, not a rounded float.
        Value::Number(number) => number.to_string(),
        _ => return Setting::Unknown,
    };
    let name = path.to_string();
    findings.push(Finding::new(
        path,
        &NotAWholeNumber {
            name: &name,
            written: &shown,
        },
    ));
    Setting::Unknown
}

/// The required arguments of `dagster_concurrency` written as `null` (in
/// `tag_concurrency_limit` and `block_op_concurrency_limited_runs`; every other argument is
/// optional).
pub fn null_required(arguments: &Value) -> Vec<NullRequired> {
    let mut nulls = Vec::new();
    if let Setting::Known(blocks) = items(arguments.get(name::TAG_CONCURRENCY_LIMIT)) {
        for (index, block) in blocks.iter().enumerate() {
            let path = AttrPath::item(name::TAG_CONCURRENCY_LIMIT, index);
            require(
                block.get(tag_limit::KEY),
                path.clone().then(tag_limit::KEY),
                "the run tag key the limit matches, e.g. `\"dagster/backfill\"`",
                &mut nulls,
            );
            require(
                block.get(tag_limit::LIMIT),
                path.then(tag_limit::LIMIT),
                "the runs with a matching tag that may be in progress at once, e.g. `3`",
                &mut nulls,
            );
        }
    }
    if let Setting::Known(block) = single(arguments.get(name::BLOCK_OP_CONCURRENCY_LIMITED_RUNS)) {
        require(
            block.get(block_op::ENABLED),
            AttrPath::block(name::BLOCK_OP_CONCURRENCY_LIMITED_RUNS).then(block_op::ENABLED),
            "`true` or `false`, or remove the `block_op_concurrency_limited_runs` block to keep Dagster's default",
            &mut nulls,
        );
    }
    nulls
}

/// The model of the arguments of `dagster_concurrency`, plus DC504 findings for numbers that
/// are not whole.
pub fn to_config(arguments: &Value) -> (ConcurrencyConfig, Vec<Finding>) {
    let mut findings = Vec::new();
    let tag_limits = match items(arguments.get(name::TAG_CONCURRENCY_LIMIT)) {
        Setting::Known([]) | Setting::Unset => Setting::Unset,
        Setting::Known(blocks) => Setting::Known(
            blocks
                .iter()
                .enumerate()
                .map(|(index, block)| TagLimit {
                    key: string(block.get(tag_limit::KEY)),
                    value: string(block.get(tag_limit::VALUE)),
                    apply_limit_per_unique_value: boolean(
                        block.get(tag_limit::APPLY_LIMIT_PER_UNIQUE_VALUE),
                    ),
                    limit: whole(
                        block.get(tag_limit::LIMIT),
                        AttrPath::item(name::TAG_CONCURRENCY_LIMIT, index).then(tag_limit::LIMIT),
                        &mut findings,
                    ),
                })
                .collect(),
        ),
        Setting::Unknown => Setting::Unknown,
    };
    let block_op = match single(arguments.get(name::BLOCK_OP_CONCURRENCY_LIMITED_RUNS)) {
        Setting::Known(block) => Setting::Known(BlockOpSettings {
            enabled: boolean(block.get(block_op::ENABLED)),
            op_concurrency_slot_buffer: whole(
                block.get(block_op::OP_CONCURRENCY_SLOT_BUFFER),
                AttrPath::block(name::BLOCK_OP_CONCURRENCY_LIMITED_RUNS)
                    .then(block_op::OP_CONCURRENCY_SLOT_BUFFER),
                &mut findings,
            ),
        }),
        Setting::Unset => Setting::Unset,
        Setting::Unknown => Setting::Unknown,
    };
    let pools = match single(arguments.get(name::POOLS)) {
        Setting::Known(block) => Setting::Known(PoolSettings {
            default_limit: whole(
                block.get(pools::DEFAULT_LIMIT),
                AttrPath::block(name::POOLS).then(pools::DEFAULT_LIMIT),
                &mut findings,
            ),
            granularity: string(block.get(pools::GRANULARITY)),
            op_granularity_run_buffer: whole(
                block.get(pools::OP_GRANULARITY_RUN_BUFFER),
                AttrPath::block(name::POOLS).then(pools::OP_GRANULARITY_RUN_BUFFER),
                &mut findings,
            ),
        }),
        Setting::Unset => Setting::Unset,
        Setting::Unknown => Setting::Unknown,
    };
    let mut number = |name| whole(arguments.get(name), AttrPath::attr(name), &mut findings);
    let config = ConcurrencyConfig {
        max_concurrent_runs: number(name::MAX_CONCURRENT_RUNS),
        dequeue_interval_seconds: number(name::DEQUEUE_INTERVAL_SECONDS),
        dequeue_num_workers: number(name::DEQUEUE_NUM_WORKERS),
        chart_version: string(arguments.get(name::CHART_VERSION)),
        values_prefix: string(arguments.get(name::VALUES_PREFIX)),
        placement: string(arguments.get(name::PLACEMENT)),
        dequeue_use_threads: boolean(arguments.get(name::DEQUEUE_USE_THREADS)),
        tag_limits,
        block_op,
        pools,
    };
    (config, findings)
}

/// One `set` entry: the rendered entry's name and type, with `value` (the rendered value, or
/// unknown at plan time).
pub fn set_entry(entry: &SetEntry, value: Value) -> Value {
    Value::object([
        (set_entry::NAME, Value::from(entry.name.clone())),
        (set_entry::VALUE, value),
        (set_entry::KIND, Value::from(entry.kind)),
    ])
}

/// Sets the computed outputs of `dagster_concurrency` from a rendering.
pub fn set_outputs(state: &mut Value, rendered: &Rendered) {
    let set = rendered
        .set
        .iter()
        .map(|entry| set_entry(entry, Value::from(entry.value.clone())))
        .collect();
    state.set(name::ID, Value::from(rendered.id.clone()));
    state.set(name::SET, Value::List(set));
    state.set(name::VALUES_YAML, Value::from(rendered.values_yaml.clone()));
    state.set(
        name::INSTANCE_YAML,
        Value::from(rendered.instance_yaml.clone()),
    );
}

/// Marks the computed outputs of `dagster_concurrency` as known only after apply.
pub fn set_outputs_unknown(state: &mut Value) {
    for output in [name::ID, name::SET, name::VALUES_YAML, name::INSTANCE_YAML] {
        state.set(output, Value::Unknown);
    }
}

/// Keeps `earlier`'s `values_yaml` and `instance_yaml` text where it reads as the same YAML as
/// `state`'s rendering. The text's layout changed since 0.1.0 (keys are no longer all quoted);
/// a state written then must plan, refresh and apply without a change it cannot see.
pub fn keep_equal_yaml(state: &mut Value, earlier: &Value) {
    for output in [name::VALUES_YAML, name::INSTANCE_YAML] {
        let (Some(now), Some(before)) = (state.get(output).as_str(), earlier.get(output).as_str())
        else {
            continue;
        };
        if now != before && same_yaml(now, before) {
            let kept = Value::from(before);
            state.set(output, kept);
        }
    }
}

/// True when both texts parse as YAML to the same value (with the validator's YAML reader,
/// the one the values files are read with).
fn same_yaml(a: &str, b: &str) -> bool {
    let parse = |text| values_yaml::parse(text, Position::START).ok().flatten();
    matches!((parse(a), parse(b)), (Some(a), Some(b)) if a.same_value(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seed() -> Value {
        Value::object([
            (name::MAX_CONCURRENT_RUNS, Value::from(5)),
            (
                name::TAG_CONCURRENCY_LIMIT,
                Value::List(vec![Value::object([
                    (tag_limit::KEY, Value::from("dagster/backfill")),
                    (tag_limit::LIMIT, Value::from(3)),
                ])]),
            ),
        ])
    }

    #[test]
    fn yaml_text_that_reads_the_same_is_kept() {
        let mut earlier = Value::object([
            (name::VALUES_YAML, Value::from("\"a\":\n  \"b\": 5\n")),
            (name::INSTANCE_YAML, Value::from("\"a\": \"x\"\n")),
        ]);
        let mut now = Value::object([
            (name::VALUES_YAML, Value::from("a:\n  b: 5\n")),
            (name::INSTANCE_YAML, Value::from("a: y\n")),
        ]);
        keep_equal_yaml(&mut now, &earlier);
        assert_eq!(now.get(name::VALUES_YAML), earlier.get(name::VALUES_YAML));
        assert_eq!(now.get(name::INSTANCE_YAML), &Value::from("a: y\n"));
        earlier.set(name::VALUES_YAML, Value::Unknown);
        now.set(name::VALUES_YAML, Value::from("a: 6\n"));
        keep_equal_yaml(&mut now, &earlier);
        assert_eq!(now.get(name::VALUES_YAML), &Value::from("a: 6\n"));
    }

    #[test]
    fn converts_blocks_and_numbers() {
        let (config, findings) = to_config(&seed());
        assert!(findings.is_empty());
        assert_eq!(config.max_concurrent_runs, Setting::Known(5));
        let tags = config.tag_limits.known().expect("tags known");
        assert_eq!(tags[0].key, Setting::Known("dagster/backfill".into()));
        assert_eq!(config.pools, Setting::Unset);
    }

    #[test]
    fn fractions_are_dc504_at_their_path() {
        let mut state = seed();
        state.set(name::MAX_CONCURRENT_RUNS, Value::from(2.5));
        state.set(
            name::POOLS,
            Value::List(vec![Value::object([(
                pools::DEFAULT_LIMIT,
                Value::from(1e300),
            )])]),
        );
        let (config, findings) = to_config(&state);
        let paths: Vec<String> = findings.iter().map(|f| f.at.to_string()).collect();
        assert_eq!(paths, ["pools.default_limit", "max_concurrent_runs"]);
        assert!(findings.iter().all(|f| f.rule.code == "DC504"));
        assert_eq!(
            findings[1].summary,
            "max_concurrent_runs = 2.5 is not a whole number within 64-bit range"
        );
        assert_eq!(config.max_concurrent_runs, Setting::Unknown);
        // A number past 64 bits: the text Terraform sent, not a float's rounding.
        let mut state = seed();
        let big = "123456789012345678901234567";
        state.set(
            name::MAX_CONCURRENT_RUNS,
            Value::Number(Number::Big(big.into())),
        );
        let (_, findings) = to_config(&state);
        assert_eq!(
            findings[0].summary,
            format!("max_concurrent_runs = {big} is not a whole number within 64-bit range")
        );
        let mut state = seed();
        state.set(name::MAX_CONCURRENT_RUNS, Value::from(4.0));
        assert_eq!(to_config(&state).0.max_concurrent_runs, Setting::Known(4));
    }

    #[test]
    fn every_required_argument_written_as_null_is_reported_at_its_path() {
        let block = crate::concurrency_schema::concurrency_block("");
        for (path, config) in crate::required::cases::null_required(&block) {
            let paths: Vec<_> = null_required(&config)
                .iter()
                .map(|null| crate::diagnostics::attribute_path(&null.path))
                .collect();
            assert_eq!(paths, [path]);
        }
    }

    #[test]
    fn unknown_and_empty_blocks() {
        let mut state = seed();
        state.set(name::TAG_CONCURRENCY_LIMIT, Value::Unknown);
        state.set(name::POOLS, Value::List(vec![]));
        let (config, _) = to_config(&state);
        assert_eq!(config.tag_limits, Setting::Unknown);
        assert_eq!(config.pools, Setting::Unset);
    }

    #[test]
    fn outputs_are_set_from_a_rendering_or_unknown() {
        let accepted = validator::rules::accept(&to_config(&seed()).0).expect("accepted");
        let rendered = validator::render::render(&accepted);
        let mut state = seed();
        set_outputs(&mut state, &rendered);
        let set = state.get(name::SET).as_items().expect("a list");
        assert_eq!(set.len(), rendered.set.len());
        assert_eq!(
            set[0].get(set_entry::NAME).as_str(),
            Some(rendered.set[0].name.as_str())
        );
        assert_eq!(state.get(name::ID).as_str(), Some(rendered.id.as_str()));
        set_outputs_unknown(&mut state);
        assert!(state.get(name::SET).is_unknown() && state.get(name::ID).is_unknown());
    }
}
