//! What every fuzz target does with a text once read: the work `dagster-concurrency check`
//! does after reading a file, then the rendering `diff` and the provider give what the rules
//! accept, so that a panic anywhere between the reader and the report or the rendering shows.

#![forbid(unsafe_code)]

use validator::input::{self, Kind, ReadOptions};
use validator::policy::{self, Policy};
use validator::render::render;
use validator::rules::accept;

/// Reads `text` as `kind` and checks every target it holds (rules, then an empty policy), as
/// `check` does, and renders each one the rules accept; syntax errors are an answer, not a
/// failure.
pub fn read_and_check(kind: Kind, text: &str) {
    let Ok(targets) = input::read(kind, text, &ReadOptions::default()) else {
        return;
    };
    let policy = Policy::default();
    let checked = targets
        .iter()
        .map(|target| {
            let mut found = target.diagnostics();
            found.extend(target.place(policy::check_as(&target.config, &policy, target.source)));
            (target, found)
        })
        .collect();
    input::report_once(checked);
    for target in &targets {
        if let Ok(accepted) = accept(&target.config) {
            render(&accepted);
        }
    }
}
