//! Any text read as the tag limits a Dagster webserver reports (`tagConcurrencyLimitsYaml`, read
//! by `diff` and the `dagster_instance_concurrency` data source): no panic, no endless loop,
//! bounded memory.

#![no_main]

use libfuzzer_sys::fuzz_target;
use validator::input::deployed_tags;

fuzz_target!(|text: &str| {
    let _ = deployed_tags::read(Some(text));
});
