//! Any `set` entries of a Dagster `helm_release` replayed with Helm's `--set` parser (as the
//! HCL and plan JSON readers replay them), then read into a target and checked. The first byte
//! picks the entries' `type`; then lines alternate name and value.

#![no_main]

use libfuzzer_sys::fuzz_target;
use validator::input::release::{Argument, Entry, ReleaseValues};
use validator::input::values::Release;
use validator::input::{Position, ReadOptions};

fuzz_target!(|bytes: &[u8]| {
    let Some((&kind, rest)) = bytes.split_first() else {
        return;
    };
    let kind = ["auto", "string", "literal"][usize::from(kind % 3)];
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let mut release = ReleaseValues::new(Position::START, "dagster");
    let mut lines = text.split('\n');
    while let Some(name) = lines.next() {
        release.set(&Entry {
            family: "set",
            name: Argument::Text(name.to_owned()),
            value: Argument::Text(lines.next().unwrap_or_default().to_owned()),
            kind: Argument::Text(kind.to_owned()),
            position: Position::START,
        });
    }
    let release_at = Release {
        position: Position::START,
        chart_version: None,
    };
    if let Some(target) = release.into_target("fuzz", release_at, &ReadOptions::default()) {
        target.diagnostics();
    }
});
