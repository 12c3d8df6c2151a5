//! Any text as a policy file (`--policy`).

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = validator::policy::parse(text);
});
