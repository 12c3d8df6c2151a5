//! Any `set` entry through Helm's `--set` parser, applied onto an empty values tree. The first
//! byte picks the entry's `type`; the name runs to the first newline, the value is the rest.

#![no_main]

use libfuzzer_sys::fuzz_target;
use validator::input::strvals::{self, ValueKind};
use validator::input::tree::Node;
use validator::input::Position;

fuzz_target!(|bytes: &[u8]| {
    let Some((&kind, rest)) = bytes.split_first() else {
        return;
    };
    let kind = [ValueKind::Auto, ValueKind::String, ValueKind::Literal][usize::from(kind % 3)];
    let Ok(text) = std::str::from_utf8(rest) else {
        return;
    };
    let (name, value) = text.split_once('\n').unwrap_or((text, ""));
    if let Ok(assignments) = strvals::parse(name, value, kind) {
        strvals::apply(
            &mut Node::empty_map(Position::START),
            assignments,
            Position::START,
        );
    }
});
