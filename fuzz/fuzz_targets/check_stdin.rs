//! Any bytes on `check`'s standard input: decoded (UTF-8 or UTF-16 with a byte-order mark),
//! told apart by content, then read and checked.

#![no_main]

use libfuzzer_sys::fuzz_target;
use validator::input::{self, Kind};

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = input::decode(bytes.to_vec()) else {
        return;
    };
    let kind = Kind::sniff(&text).unwrap_or(Kind::ValuesYaml);
    dagster_concurrency_fuzz::read_and_check(kind, &text);
});
