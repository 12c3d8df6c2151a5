//! Any text read as plan json by `check`: no panic, no endless loop, bounded memory.

#![no_main]

use libfuzzer_sys::fuzz_target;
use validator::input::Kind;

fuzz_target!(|text: &str| {
    dagster_concurrency_fuzz::read_and_check(Kind::PlanJson, text);
});
